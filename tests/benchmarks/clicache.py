"""Benchmark: a ``credential_process`` run that the AWS CLI's cache answers.

``python3 -m minicreds --profile role --format process`` for a role profile, run
again once its first run has assumed the role (through a loopback fake STS that
counts calls) and left the entry in ``~/.aws/cli/cache``: the runs that follow make
no STS call, and cost what starting Python, importing minicreds and reading two
files cost. Compared, interleaved round by round, with ``python3 -c pass`` and
with the other ways to run it: the script by path (compiled at every start, as
Python never caches the bytecode of the script it runs), and a ``.pyc`` compiled
beside it and run by path.

Children get an empty HOME (the config and the cache only), no ``AWS_*`` or
``PYTHON*`` variable, and bytecode cached in a temp ``PYTHONPYCACHEPREFIX`` (an
installed package): minicreds is a copy on ``PYTHONPATH``.

Goal: at most 1.2× ``python3 -c pass``, and no STS call after the first run.

Run from the repository root: ``python3 tests/benchmarks/clicache.py [--rounds N]``.
Exit status 0 when the goal is met, 1 when not. run.py reports the same row.
"""

import argparse
import contextlib
import os
import py_compile
import random
import shutil
import statistics
import sys
import tempfile
import textwrap

import timing  # beside this script

ROOT = timing.REPO
sys.path.insert(0, ROOT)

from tests import support  # noqa: E402 - after sys.path is set
from tests.fakes import iso_in, sts_success_xml, xml_response  # noqa: E402

GOAL_RATIO = 1.2
PY = sys.executable
CONFIG = """\
    [profile role]
    role_arn = arn:aws:iam::123456789012:role/bench
    source_profile = keys
    [profile keys]
    aws_access_key_id = AKIDBENCHEXAMPLE0000
    aws_secret_access_key = bench-secret-key-not-real-0000000000000
"""
ARGS = ["--profile", "role", "--format", "process"]
NOTES = """\
[11] tests/benchmarks/clicache.py: a role profile whose first run assumed the role
    through a loopback fake STS and left its entry in ~/.aws/cli/cache; then
    children interleaved with `python3 -c pass`, bytecode cached, minicreds on
    PYTHONPATH. "A .pyc beside it": `python3 minicreds.pyc` (py_compile); "the
    script by path": `python3 minicreds.py`, compiled at every start. 2 × --rounds
    rounds.
"""


@contextlib.contextmanager
def setting():
    """The fake STS, and (env, cwd, {name: argv}) for the children."""
    with contextlib.ExitStack() as stack:
        top = stack.enter_context(tempfile.TemporaryDirectory(prefix="mc-clicache-"))
        sts = stack.enter_context(support.FakeServer())

        def answer(req):
            body = sts_success_xml(
                "AssumeRole", "ASIABENCH", "role-secret", "role-token", iso_in(3600)
            )
            return xml_response(200, body)

        sts.route("POST", "/", answer)
        home, site, pyc = (os.path.join(top, d) for d in ("home", "site", "pyc"))
        for folder in (home, site, pyc, os.path.join(home, ".aws")):
            os.mkdir(folder)
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write(textwrap.dedent(CONFIG))
        script = shutil.copy(os.path.join(ROOT, "minicreds.py"), site)
        compiled = os.path.join(top, "minicreds.pyc")
        py_compile.compile(script, compiled, doraise=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.upper().startswith(("AWS_", "PYTHON"))
        }
        env.update(
            HOME=home, USERPROFILE=home, PYTHONPYCACHEPREFIX=pyc, PYTHONPATH=site,
            AWS_ENDPOINT_URL_STS=sts.url, AWS_EC2_METADATA_DISABLED="true",
        )  # fmt: skip
        runs = {
            "bare": ["-c", "pass"],
            "-m": ["-m", "minicreds", *ARGS],
            "script": [script, *ARGS],
            "pyc": [compiled, *ARGS],
        }
        yield sts, env, home, runs


def measure(rounds):
    """Medians of wall and CPU seconds per way of running, the median of each
    round's ratio to bare, and the STS calls made (1: the first run's only)."""
    with setting() as (sts, env, home, runs):
        for argv in runs.values():  # the first assumes the role; warms the bytecode
            timing.spawn(PY, argv, env, home)
        wall = {name: [] for name in runs}
        cpu = {name: [] for name in runs}
        order = random.Random(7)
        for _ in range(rounds):
            items = list(runs.items())
            order.shuffle(items)
            for name, argv in items:
                seconds, used, _ = timing.spawn(PY, argv, env, home)
                wall[name].append(seconds)
                cpu[name].append(used)
        calls = sum(1 for r in sts.requests if r.method == "POST")
    ratio = {
        name: statistics.median([a / b for a, b in zip(wall[name], wall["bare"])])
        for name in runs
    }
    return (
        {name: statistics.median(v) for name, v in wall.items()},
        {name: statistics.median(v) for name, v in cpu.items()},
        ratio,
        calls,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=41, help="rounds (default 41)")
    args = parser.parse_args()
    wall, cpu, ratio, calls = measure(args.rounds)
    print(f"python {sys.version.split()[0]}, {args.rounds} rounds, STS calls: {calls}")
    for name, what in (
        ("bare", "python3 -c pass"),
        ("-m", "python3 -m minicreds (cached bytecode)"),
        ("pyc", "python3 minicreds.pyc"),
        ("script", "python3 minicreds.py (compiled at start)"),
    ):
        print(
            f"  {what:42} wall {wall[name] * 1e3:6.1f} ms  {ratio[name]:.3f}× bare"
            f"   CPU {cpu[name] * 1e3:6.1f} ms"
        )
    met = ratio["-m"] <= GOAL_RATIO and calls == 1
    print(f"goal ≤ {GOAL_RATIO}× bare and 1 STS call: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
