"""Timing shared by the benchmark scripts beside it.

Per-call loops and their calibration, rounds interleaved and their spread printed
(sign.py, presign.py, es256.py, refresh.py), the minicreds-against-botocore report
of sign.py and presign.py, and timed child processes (clicache.py, run.py).

A script run by path finds this module beside it (its folder is first on
``sys.path``); it then puts ``REPO`` on ``sys.path`` to import minicreds.
Nothing here is collected by ``unittest`` (no ``test_`` prefix, no ``__init__.py``).
"""

import argparse
import os
import platform
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNITS = {"us": (1e3, 2), "ms": (1e6, 3)}  # unit: (nanoseconds in one, decimals)


def rounds_option(doc, argv=None):
    """The ``--rounds N`` of a topic script (default 31), described by the first
    line of its docstring ``doc``."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=31, help="interleaved rounds")
    return parser.parse_args(argv).rounds


def per_call_ns(call, number):
    """Nanoseconds per call over ``number`` calls."""
    loops = range(number)
    start = time.perf_counter_ns()
    for _ in loops:
        call()
    return (time.perf_counter_ns() - start) / number


def per_call_ns_unrolled(call, number):
    """Nanoseconds per call over ``number`` calls (loop unrolled by 10), for calls
    so cheap that the loop's own cost would show."""
    loops = range(number // 10)
    start = time.perf_counter_ns()
    for _ in loops:
        call()
        call()
        call()
        call()
        call()
        call()
        call()
        call()
        call()
        call()
    return (time.perf_counter_ns() - start) / (len(loops) * 10)


def calibrate(call, per_call=per_call_ns, first=10, most=1_000_000, target_s=0.02):
    """How many calls one timed loop makes: doubled from ``first`` until the loop
    takes ``target_s`` seconds, or ``most`` calls."""
    number = first
    while True:
        start = time.perf_counter()
        per_call(call, number)
        if time.perf_counter() - start >= target_s or number >= most:
            return number
        number *= 2


def interleaved(calls, rounds, per_call=per_call_ns, first=10, most=1_000_000):
    """Nanoseconds per call of each ``name: callable``, one calibrated loop of each
    a round, in the same order every round: ``{name: [one value a round]}``."""
    numbers = {
        name: calibrate(call, per_call, first, most) for name, call in calls.items()
    }
    samples = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            samples[name].append(per_call(call, numbers[name]))
    return samples


def print_header(title):
    """The title of a topic script's report, and the Python that measured it."""
    print(title)
    print(f"Python {platform.python_version()} ({sys.executable})")


def print_spread(label, values, unit, width):
    """One row: the median of ``values`` (nanoseconds) in ``unit``, min and max."""
    scale, digits = UNITS[unit]
    low, high = min(values) / scale, max(values) / scale
    print(
        f"  {label:{width}} {statistics.median(values) / scale:8.{digits}f} {unit}"
        f"  (min {low:.{digits}f}, max {high:.{digits}f})"
    )


# ------------------------------------------------------ minicreds against botocore


def with_botocore(minicreds_call, botocore_call, check=None):
    """The contenders ``{"minicreds": call}``, and ``"botocore"`` when it is
    installed, after ``check()`` (which exits when they disagree); with botocore's
    version, or None when it is missing."""
    calls = {"minicreds": minicreds_call()}
    try:
        import botocore

        calls["botocore"] = botocore_call()
        if check is not None:
            check()
    except ImportError:
        return calls, None
    return calls, botocore.__version__


def faster_than_botocore(samples, labels, version, goal_ratio):
    """Print the median of each contender (``labels``: name to label) and how many
    times faster minicreds is; the exit status: 0 when at least ``goal_ratio``, 1
    when not, 2 when botocore (``version``) is missing."""
    medians = {}
    for name, label in labels.items():
        if name in samples:
            medians[name] = statistics.median(samples[name])
            print_spread(label, samples[name], "us", 30)
    if version is None:
        print("  botocore: not installed, no ratio")
        return 2
    ratio = medians["botocore"] / medians["minicreds"]
    ok = ratio >= goal_ratio
    print(f"  botocore {version}: minicreds is {ratio:.2f}x faster")
    print(f"goal: at least {goal_ratio:.0f}x faster: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


# ------------------------------------------------------------- child processes


def spawn(python, argv, env, cwd):
    """Run ``python *argv`` in ``cwd`` with its output discarded: (wall s, CPU s,
    peak RSS KiB). Raises RuntimeError when the child fails."""
    null = os.open(os.devnull, os.O_RDWR)
    here = os.getcwd()
    try:
        actions = [(os.POSIX_SPAWN_DUP2, null, fd) for fd in (0, 1, 2)]
        os.chdir(cwd)  # posix_spawn has no cwd argument before 3.13
        try:
            start = time.perf_counter()
            pid = os.posix_spawn(python, [python, *argv], env, file_actions=actions)
            _, status, usage = os.wait4(pid, 0)
            seconds = time.perf_counter() - start
        finally:
            os.chdir(here)
    finally:
        os.close(null)
    if status:
        raise RuntimeError("child failed (%d): %s" % (status, argv))
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss
