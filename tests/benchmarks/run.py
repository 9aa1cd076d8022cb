"""minicreds next to botocore and the MinIO SDK: the goals of the README's
"Performance" section.

Run from anywhere (nothing here is a test; it asserts nothing)::

    python3 tests/benchmarks/run.py [--rounds N] [--quick]

Prints one Markdown table of medians and ratios, all measured in this run with the
contenders interleaved round by round. botocore, boto3, moto and the MinIO SDK are
used when installed; their columns say "not installed" otherwise.

Children run the real interpreter (``sys.executable``, never a pyenv shim) with a
clean environment: no ``AWS_*`` or ``PYTHON*`` variables, ``HOME`` an empty temp
dir. Three bytecode cases, named in every row they matter to:

- ".pyc cached": ``PYTHONDONTWRITEBYTECODE`` unset, ``PYTHONPYCACHEPREFIX`` a temp
  dir, warmed by one run first (a normal installed package);
- "shipped with bytecode from a read-only folder": a copy of ``minicreds.py`` and
  the ``__pycache__`` that ``python3 -m compileall --invalidation-mode checked-hash``
  made for it, in a folder without write permission, ``PYTHONDONTWRITEBYTECODE``
  unset (a Lambda package or container image built with its bytecode);
- "no .pyc" (without bytecode): ``PYTHONDONTWRITEBYTECODE=1`` and a fresh copy of
  ``minicreds.py`` in a temp dir, so the module is compiled from source at every
  start (a read-only package shipped without bytecode; this machine sets
  ``PYTHONDONTWRITEBYTECODE=1`` everywhere).

Off-EC2 rows point ``AWS_EC2_METADATA_SERVICE_ENDPOINT`` at a loopback dead end
(tests/support.py): never the real metadata address. Wall-clock numbers: ratios
measured in the same run are what to compare on a shared, noisy machine.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib
import importlib.util
import os
import random
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import timeit

import timing  # beside this script

REPO = timing.REPO
sys.path.insert(0, REPO)

import minicreds  # noqa: E402
from tests import support  # noqa: E402

PY = sys.executable
SOURCE = os.path.join(REPO, "minicreds.py")
HAVE = {
    name: importlib.util.find_spec(name) is not None
    for name in ("botocore", "boto3", "minio", "moto")
}
ABSENT = "not installed"
NA = "n/a (not in this minicreds)"
KEY_ID, SECRET = "AKIDBENCHEXAMPLE0000", "bench-secret-key-not-real-0000000000000"
# Import-time goals, in seconds (the README's "Performance" section).
CACHED_GOAL = 0.005
READ_ONLY_BYTECODE_GOAL = 0.003
NO_BYTECODE_GOAL = 0.030
ENV_CREDS = {"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}

ROWS: list[tuple[str, ...]] = []
HEADER = ("Measure", "minicreds", "botocore", "MinIO SDK", "Ratio", "Goal", "Met")


def row(measure, mine, boto="", mio="", ratio="", goal="", met=None):
    flag = "" if met is None else ("goal met" if met else "NOT met")
    ROWS.append((measure, mine, boto, mio, ratio, goal, flag))
    print("  " + " | ".join(ROWS[-1]), file=sys.stderr, flush=True)


def ms(seconds):
    return "%.1f ms" % (seconds * 1e3)


def us(seconds):
    return "%.2f µs" % (seconds * 1e6) if seconds < 1e-4 else ms(seconds)


ORDER = random.Random(9)  # a fixed seed: runs are repeatable in their order


def shuffled(contenders):
    """The items of a dict in a new random order: each round runs its contenders in
    a different order, so none always follows the same (heavier) neighbour."""
    items = list(contenders.items())
    ORDER.shuffle(items)
    return items


def median(values):
    return statistics.median(values) if values else float("nan")


# ------------------------------------------------------------------ child processes


class Children:
    """Temp dirs and environments for child interpreters (see the module docstring)."""

    def __init__(self, stack):
        top = stack.enter_context(tempfile.TemporaryDirectory(prefix="mc-bench-"))
        self.home = os.path.join(top, "home")
        self.cache = os.path.join(top, "pycache")
        self.cached_dir = os.path.join(top, "cached")
        self.fresh_dir = os.path.join(top, "fresh")
        self.shipped_dir = os.path.join(top, "shipped")
        for d in (self.home, self.cache, self.cached_dir, self.fresh_dir):
            os.mkdir(d)
        for d in (self.cached_dir, self.fresh_dir):
            shutil.copy(SOURCE, d)
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.upper().startswith(("AWS_", "PYTHON"))
        }
        base.update(HOME=self.home, USERPROFILE=self.home)
        self.cached = dict(base, PYTHONPYCACHEPREFIX=self.cache)
        self.uncached = dict(base, PYTHONDONTWRITEBYTECODE="1")
        self.shipped = base  # PYTHONDONTWRITEBYTECODE unset: it would write if it could
        ship_with_bytecode(self.shipped_dir, base)
        stack.callback(make_writable, self.shipped_dir)  # before the temp dir goes

    def spawn(self, code, env, cwd, *flags):
        """Run ``python3 [flags] -c code`` in cwd: (wall s, CPU s, peak RSS KiB)."""
        return timing.spawn(PY, [*flags, "-c", code], env, cwd)

    def run(self, code, env, cwd, *flags):
        """Run a child and return its (stdout, stderr)."""
        done = subprocess.run(
            [PY, *flags, "-c", code], check=False, env=env, cwd=cwd,
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError("child failed: %s\n%s" % (code, done.stderr[-2000:]))
        return done.stdout, done.stderr


def ship_with_bytecode(folder, env):
    """A copy of minicreds.py and its checked-hash bytecode in ``folder``, which is
    then made read-only (the files and ``__pycache__`` too)."""
    os.mkdir(folder)
    shutil.copy(SOURCE, folder)
    subprocess.run(
        [PY, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash", folder],
        check=True, env=env,
    )  # fmt: skip
    for path in bytecode_tree(folder):
        mode = os.stat(path).st_mode
        os.chmod(path, mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def make_writable(folder):
    for path in bytecode_tree(folder):
        os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)


def bytecode_tree(folder):
    """Every file and folder under ``folder``, deepest first, then ``folder``."""
    paths = []
    for parent, dirs, files in os.walk(folder, topdown=False):
        paths += [os.path.join(parent, name) for name in files + dirs]
    return [*paths, folder]


def tree_state(folder):
    """Names, sizes and modification times under ``folder``: a write changes it."""
    return sorted(
        (path, os.stat(path).st_size, os.stat(path).st_mtime_ns)
        for path in bytecode_tree(folder)
    )


# -------------------------------------------------------- process cost, import time

PROCESS = {
    "bare": "pass",
    "minicreds": "import minicreds; minicreds.EnvAWSProvider().retrieve()",
    "botocore": "import botocore.session; "
    "botocore.session.get_session().get_credentials().get_frozen_credentials()",
    "minio": "from minio.credentials import EnvAWSProvider; EnvAWSProvider().retrieve()",
}


def process_cost(kids, rounds):
    """Whole child processes: wall time and peak RSS, interleaved."""
    env = dict(kids.cached, **ENV_CREDS)
    nopyc = dict(kids.uncached, **ENV_CREDS)
    runs = {"bare": (env, kids.cached_dir), "minicreds": (env, kids.cached_dir)}
    runs["no .pyc"] = (nopyc, kids.fresh_dir)
    for peer in ("botocore", "minio"):
        if HAVE[peer]:
            runs[peer] = (env, kids.cached_dir)
    for name, (e, d) in runs.items():  # warm the bytecode cache, check it works
        kids.spawn(PROCESS.get(name, PROCESS["minicreds"]), e, d)
    wall = {name: [] for name in runs}
    cpu = {name: [] for name in runs}
    rss = {name: [] for name in runs}
    for _ in range(2 * rounds):  # cheap children, and a small difference to see
        for name, (e, d) in shuffled(runs):
            seconds, used, kib = kids.spawn(
                PROCESS.get(name, PROCESS["minicreds"]), e, d
            )
            wall[name].append(seconds)
            cpu[name].append(used)
            rss[name].append(kib)
    t = {name: median(v) for name, v in wall.items()}
    c = {name: median(v) for name, v in cpu.items()}
    m = {name: median(v) / 1024 for name, v in rss.items()}

    def peer(table, name, fmt):
        return fmt(table[name]) if name in table else ABSENT

    for what, table, runs_ in (("wall time", t, wall), ("CPU time", c, cpu)):
        # The median of each round's ratio: a slow spell hits both of its runs.
        ratio = median([m / b for m, b in zip(runs_["minicreds"], runs_["bare"])])
        row(
            f"Process {what}: import + env `retrieve()` [1] "
            f"(bare `python3 -c pass`: {ms(table['bare'])})",
            ms(table["minicreds"]),
            peer(table, "botocore", ms),
            peer(table, "minio", ms),
            f"{ratio:.3f}× bare [1]",
            "≤ 1.10× bare",
            ratio <= 1.10,
        )
    mib = "%.1f MiB".__mod__
    row(
        "Process peak RSS [1] (bare: %s)" % mib(m["bare"]),
        mib(m["minicreds"]),
        peer(m, "botocore", mib),
        peer(m, "minio", mib),
        "%+.1f MiB over bare" % (m["minicreds"] - m["bare"]),
    )
    row(
        "Process wall time, minicreds compiled from source (no .pyc) [1]",
        ms(t["no .pyc"]),
        ratio="%.3f× bare" % (t["no .pyc"] / t["bare"]),
    )


MARK = "-- benchmark import starts --"


def import_time(kids, module, env, cwd, *flags):
    """Cumulative -X importtime of ``import module``, in seconds."""
    code = "import sys; sys.stderr.write(%r + '\\n'); import %s" % (MARK, module)
    _, err = kids.run(code, env, cwd, "-X", "importtime", *flags)
    total = 0
    for line in err.split(MARK, 1)[1].splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            _, cumulative, name = line.split("|")
            if not name.startswith("  "):  # top level: what the statement loaded
                total += int(cumulative)
    return total / 1e6


def import_times(kids, rounds):
    cases = {
        "cached": ("minicreds", kids.cached, kids.cached_dir),
        "shipped": ("minicreds", kids.shipped, kids.shipped_dir),
        "nopyc": ("minicreds", kids.uncached, kids.fresh_dir),
        "no site": ("minicreds", kids.cached, kids.cached_dir, "-S"),
    }
    shipped_before = tree_state(kids.shipped_dir)
    if HAVE["botocore"]:
        cases["botocore"] = ("botocore.session", kids.cached, kids.cached_dir)
    if HAVE["minio"]:
        cases["minio"] = ("minio.credentials", kids.cached, kids.cached_dir)
    for case in cases.values():  # warm
        import_time(kids, *case)
    got = {name: [] for name in cases}
    for _ in range(rounds):
        for name, case in shuffled(cases):
            got[name].append(import_time(kids, *case))
    t = {name: median(v) for name, v in got.items()}
    botocore = ms(t["botocore"]) if "botocore" in t else ABSENT
    minio = ms(t["minio"]) if "minio" in t else ABSENT
    ratio = "%.3f× botocore" % (t["cached"] / t["botocore"]) if "botocore" in t else ""
    row(
        "Import, .pyc cached [2]",
        f"{ms(t['cached'])} (best {ms(min(got['cached']))})",
        botocore,
        minio,
        ratio,
        "≤ %.0f ms" % (CACHED_GOAL * 1e3),
        t["cached"] <= CACHED_GOAL,
    )
    # The folder is read-only, but this machine's user may be root: check that the
    # shipped bytecode was used as it is, never rewritten.
    untouched = tree_state(kids.shipped_dir) == shipped_before
    row(
        "Import, shipped with bytecode from a read-only folder [2]",
        f"{ms(t['shipped'])} (best {ms(min(got['shipped']))})"
        + ("" if untouched else " (bytecode REWRITTEN: not valid)"),
        goal="≤ %.0f ms" % (READ_ONLY_BYTECODE_GOAL * 1e3),
        met=untouched and t["shipped"] <= READ_ONLY_BYTECODE_GOAL,
    )
    row(
        "Import without bytecode (compiled from source at every start) [2]",
        f"{ms(t['nopyc'])} (best {ms(min(got['nopyc']))})",
        goal="≤ %.0f ms" % (NO_BYTECODE_GOAL * 1e3),
        met=t["nopyc"] <= NO_BYTECODE_GOAL,
    )
    row("Import, .pyc cached, `python3 -S` [2]", ms(t["no site"]))
    return t["nopyc"]


COMPILE_CHILD = """\
import statistics, time
with open("minicreds.py", "rb") as f:
    source = f.read()
times = []
for _ in range({}):
    start = time.perf_counter()
    compile(source, "minicreds.py", "exec", dont_inherit=True)
    times.append(time.perf_counter() - start)
print(statistics.median(times), source.count(b"\\n"))
"""


def compile_cost(kids, nopyc_import, rounds):
    """compile() of the source in a fresh child: the size budget and its headroom."""
    out, _ = kids.run(COMPILE_CHILD.format(rounds), kids.uncached, kids.fresh_dir)
    seconds, lines = float(out.split()[0]), int(out.split()[1])
    per_line = seconds / lines
    spare = NO_BYTECODE_GOAL - nopyc_import
    budget = "headroom under %.0f ms" % (NO_BYTECODE_GOAL * 1e3)
    row(
        f"`compile()` alone: {lines} lines, {per_line * 1e6:.1f} µs a line [3]",
        ms(seconds),
        ratio=f"{budget}: {ms(spare)}, about {spare / per_line:.0f} lines",
    )


# ------------------------------------------------------------------- in-process


def per_call(contenders, rounds, number=None):
    """Median seconds per call of each callable, timed round-robin; ``number`` calls
    a round (default: enough for about 20 ms)."""
    numbers = {}
    for name, call in contenders.items():
        numbers[name] = number or timeit.Timer(call).autorange()[0] // 10 or 1
    got = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, call in shuffled(contenders):
            got[name].append(timeit.Timer(call).timeit(numbers[name]) / numbers[name])
    return {name: median(v) for name, v in got.items()}


def topic(name):
    """A topic script beside this one (refresh.py, sign.py), or None."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def per_call_cells(t):
    """The minicreds, botocore and MinIO SDK cells of a row of medians ``t``."""
    peers = (us(t[name]) if name in t else ABSENT for name in ("botocore", "minio"))
    return (us(t["minicreds"]), *peers)


def fifth_of_botocore_row(measure, t):
    """The row of medians ``t`` for a goal of at most a fifth of botocore's time
    (sign.py, presign.py): met or not only when botocore was timed."""
    ratio, met = "", None
    if "botocore" in t:
        met = t["minicreds"] <= t["botocore"] / 5
        ratio = "%.3f× botocore" % (t["minicreds"] / t["botocore"])
    row(measure, *per_call_cells(t), ratio, "≤ 0.20× botocore", met)


def cached_retrieve(rounds):
    refresh = topic("refresh")
    if refresh is None:
        row("Cached `retrieve()`", "n/a (tests/benchmarks/refresh.py missing)")
        return
    contenders, _ = timing.with_botocore(refresh.minicreds_call, refresh.botocore_call)
    if HAVE["minio"]:
        from minio.credentials import Credentials as MinioCredentials
        from minio.credentials.providers import AssumeRoleProvider

        cached = AssumeRoleProvider(
            sts_endpoint="http://127.0.0.1:9", access_key=KEY_ID, secret_key=SECRET
        )
        later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
            hours=6
        )
        later = later.replace(tzinfo=None)  # the SDK compares naive UTC times
        cached._credentials = MinioCredentials(KEY_ID, SECRET, "token", later)
        contenders["minio"] = cached.retrieve
    t = per_call(contenders, rounds)
    ratio, met = "", t["minicreds"] <= 2e-6
    if "botocore" in t:
        ratio = "%.3f× botocore (%.0f× faster)" % (
            t["minicreds"] / t["botocore"],
            t["botocore"] / t["minicreds"],
        )
        met = met and t["botocore"] >= 10 * t["minicreds"]
    row(
        "Cached `retrieve()` of a refreshing provider [4]",
        *per_call_cells(t),
        ratio,
        "≤ 2 µs and ≤ 0.10× botocore",
        met,
    )


def signing(rounds):
    sign = topic("sign")
    if sign is None:
        row("`sign_request`", "n/a (tests/benchmarks/sign.py missing)")
        return
    contenders, _ = timing.with_botocore(
        sign.minicreds_call, sign.botocore_call, sign.check_same_signature
    )
    if HAVE["minio"]:
        from urllib.parse import urlsplit

        from minio.credentials import Credentials as MinioCredentials
        from minio.helpers import sha256_hash
        from minio.signer import sign_v4_sts
        from minio.time import to_amz_date, utcnow

        url = urlsplit(sign.URL)
        creds = MinioCredentials(sign.ACCESS_KEY, sign.SECRET_KEY, sign.TOKEN)

        def minio():  # what its STS providers do for each request
            now = utcnow()
            headers = dict(sign.HEADERS, Host=url.netloc)
            headers["X-Amz-Date"] = to_amz_date(now)
            sign_v4_sts(
                method="POST", url=url, region=sign.REGION, headers=headers,
                credentials=creds, content_sha256=sha256_hash(sign.BODY), date=now,
            )  # fmt: skip

        contenders["minio"] = minio
    fifth_of_botocore_row("`sign_request` [5]", per_call(contenders, rounds))


def presigning(rounds):
    presign = topic("presign")
    if presign is None:
        row("`presign_url`", "n/a (tests/benchmarks/presign.py missing)")
        return
    contenders, _ = timing.with_botocore(
        presign.minicreds_call, presign.botocore_call, presign.check_same_url
    )
    if HAVE["minio"]:
        contenders["minio"] = presign.minio_call()
    fifth_of_botocore_row("`presign_url` [6]", per_call(contenders, rounds))


def profile_files(rounds):
    """retrieve() through the AWS config files, 1 profile against 5,000."""
    profiles = topic("profiles")
    if profiles is None:
        row("Profiles in the AWS config files", "n/a (profiles.py missing)")
        return
    for measure in profiles.measure(rounds):
        row(*measure)


# -------------------------------------------------------------------------- off EC2

OFF_EC2 = {  # name: (module to import, expression)
    "default_provider": ("minicreds", "minicreds.default_provider().retrieve()"),
    "IamAwsProvider": ("minicreds", "minicreds.IamAwsProvider().retrieve()"),
    "botocore": (
        "botocore.session",
        "botocore.session.get_session().get_credentials()",
    ),
}
OFF_EC2_CHILD = """\
import sys, time
import {}
start = time.perf_counter()
try:
    outcome = 'credentials' if {} is not None else 'None'
except Exception as exc:
    outcome = type(exc).__name__
print(time.perf_counter() - start, outcome)
"""


def off_ec2(kids, rounds):
    """retrieve() with a dead metadata endpoint, in children (the call is timed)."""
    names = [n for n in OFF_EC2 if n == "botocore" or hasattr(minicreds, n)]
    if not HAVE["botocore"]:
        names.remove("botocore")
    for label, dead_end in (
        ("silent", support.blackhole),
        ("dropping SYNs", support.full_backlog),
    ):
        times = {name: [] for name in names}
        outcome = {}
        for _ in range(rounds):
            for name, _ in shuffled(dict.fromkeys(names)):
                with dead_end() as addr:
                    env = dict(kids.cached, AWS_EC2_METADATA_SERVICE_ENDPOINT=addr.url)
                    code = OFF_EC2_CHILD.format(*OFF_EC2[name])
                    out, _ = kids.run(code, env, kids.cached_dir)
                seconds, outcome[name] = out.split()
                times[name].append(float(seconds))
        t = {name: median(v) for name, v in times.items()}

        def show(name, t=t, outcome=outcome):
            if name not in t:
                return ABSENT if name == "botocore" else NA
            return f"{ms(t[name])} ({outcome[name]})"

        def vs(name, t=t):
            if name in t and "botocore" in t:
                return t[name] / t["botocore"]
            return None

        ratio = vs("default_provider")
        row(
            f"Off EC2, IMDS {label}: `default_provider().retrieve()` [7]",
            show("default_provider"),
            show("botocore"),
            "",
            "" if ratio is None else f"{ratio:.3f}× botocore",
            "≤ 0.50× botocore",
            None if ratio is None else ratio <= 0.5,
        )
        ratio = vs("IamAwsProvider")
        row(
            f"Off EC2, IMDS {label}: `IamAwsProvider().retrieve()` [7]",
            show("IamAwsProvider"),
            ratio="" if ratio is None else f"{ratio:.3f}× botocore",
        )


# ------------------------------------------------------------------- AssumeRole


def assume_role(rounds):
    if not (HAVE["moto"] and HAVE["boto3"]):
        row("AssumeRole round trip on moto_server [8]", "", ABSENT, ABSENT)
        return
    from tests.interop import moto_harness as mh

    with mh.MotoServer(mh.setup_action_count(users=1, roles=1)) as server:
        key, secret = server.create_user_with_keys("bench")
        role = server.create_role("bench-role", mh.user_arn("bench"))
        source = minicreds.StaticProvider(key, secret)
        sts_url = server.url + "/"

        def mine():
            minicreds.AssumeRoleProvider(
                source, role, "bench", sts_endpoint=sts_url, region=mh.REGION
            ).retrieve()

        sts = server.client("sts", key, secret)
        contenders = {
            "minicreds": mine,
            "botocore": lambda: sts.assume_role(RoleArn=role, RoleSessionName="bench"),
        }
        if HAVE["minio"]:
            from minio.credentials.providers import AssumeRoleProvider

            def minio():
                AssumeRoleProvider(
                    sts_endpoint=sts_url, access_key=key, secret_key=secret,
                    region=mh.REGION, role_arn=role, role_session_name="bench",
                ).retrieve()  # fmt: skip

            contenders["minio"] = minio
        errors = {}
        for name, call in list(contenders.items()):  # warm, and check each works
            try:
                call()
            except Exception as exc:  # noqa: BLE001 - report, do not stop
                errors[name] = "fails: %s" % type(exc).__name__
                del contenders[name]
        t = per_call(contenders, rounds, 1)

    def cell(name):
        return ms(t[name]) if name in t else errors.get(name, ABSENT)

    row(
        "AssumeRole round trip on moto_server [8]",
        cell("minicreds"),
        cell("botocore"),
        cell("minio"),
        "%.3f× boto3" % (t["minicreds"] / t["botocore"])
        if "minicreds" in t and "botocore" in t
        else "",
    )


# ------------------------------------------------------- AWS CLI cache, process


def cached_credential_process(rounds):
    clicache = topic("clicache")
    if clicache is None:
        row("Cached `credential_process` run", "n/a (clicache.py missing)")
        return
    wall, _, ratio, calls = clicache.measure(2 * rounds)
    met = ratio["-m"] <= clicache.GOAL_RATIO and calls == 1
    row(
        "Role profile from the AWS CLI cache: `python3 -m minicreds --format process`"
        f" [11] (bare: {ms(wall['bare'])}; STS calls after the first run: {calls - 1})",
        ms(wall["-m"]),
        ratio="%.3f× bare" % ratio["-m"],
        goal="≤ %.1f× bare, no STS call" % clicache.GOAL_RATIO,
        met=met,
    )
    for name, what in (("pyc", "a .pyc beside it"), ("script", "the script by path")):
        row(
            f"Same, run as {what} [11]",
            ms(wall[name]),
            ratio="%.3f× bare" % ratio[name],
        )


# --------------------------------------------------------------------------- main


NOTES = """\
[1] A child `python3 -c "import minicreds; minicreds.EnvAWSProvider().retrieve()"`
    with credentials in the environment, site on, bytecode cached (a normal
    install); botocore: `get_session().get_credentials()` frozen, MinIO SDK: its
    `EnvAWSProvider().retrieve()`. CPU time is user + system of the child
    (steadier than wall time on a shared machine); RSS is its peak. The ratio is
    the median of each round's minicreds/bare ratio; 2 × --rounds rounds.
[2] Cumulative `-X importtime` of `import minicreds` (botocore: `botocore.session`,
    MinIO SDK: `minio.credentials`) in a child. ".pyc cached": bytecode in a
    PYTHONPYCACHEPREFIX warmed first. "Shipped with bytecode from a read-only
    folder": minicreds.py and the __pycache__ of `python3 -m compileall
    --invalidation-mode checked-hash`, made read-only, PYTHONDONTWRITEBYTECODE
    unset (the bytecode is checked against the source's hash at each import, and
    never rewritten). "Without bytecode": PYTHONDONTWRITEBYTECODE=1 and a fresh
    copy of minicreds.py, so it is compiled at every start, as from a read-only
    package shipped without bytecode. `-S`: without site's .pth preloads (this
    machine's site imports re, typing and more before any user code). "best": the
    fastest round, for a sense of the machine's noise.
[3] Median of compile() of the file in a fresh child (no import); the headroom is
    the 30 ms goal less the import without bytecode above, in lines at that cost.
[4] Credentials valid for 6 h, so nothing refreshes (set up by refresh.py).
    botocore: `RefreshableCredentials.get_frozen_credentials()`; MinIO SDK: its
    AssumeRoleProvider holding cached credentials.
[5] An STS form POST with a session token (set up by sign.py, which checks both
    signatures equal). botocore: `SigV4Auth.add_auth` re-signing one AWSRequest;
    MinIO SDK: `sign_v4_sts` with the date and body hash its providers compute.
[6] A presigned S3 GET for an hour with a session token (set up by presign.py,
    which checks both URLs equal). botocore: `S3SigV4QueryAuth.add_auth` on a
    fresh AWSRequest (it rewrites the request's URL); MinIO SDK: `presign_v4` on
    the URL its client builds.
[7] A child with no AWS_* variables, an empty HOME and
    AWS_EC2_METADATA_SERVICE_ENDPOINT at a loopback dead end (tests/support.py):
    "silent" accepts connections and never answers, "dropping SYNs" has a full
    accept queue. Only the call is timed; botocore:
    `botocore.session.get_session().get_credentials()`. Outcome in brackets.
[8] moto_server on 127.0.0.1 checking signatures; an IAM user's keys assume a
    role. minicreds: a fresh AssumeRoleProvider per call (no cache); boto3: one
    `sts` client's `assume_role`; MinIO SDK: a fresh AssumeRoleProvider per call.
"""


def table():
    widths = [max(len(r[i]) for r in [HEADER, *ROWS]) for i in range(len(HEADER))]
    lines = [HEADER, tuple("-" * w for w in widths), *ROWS]
    return "\n".join(
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in lines
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=31, help="rounds (default 31)")
    parser.add_argument("--quick", action="store_true", help="3 rounds: a smoke run")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    started = time.monotonic()
    print(
        "python %s (%s), minicreds %s, %d rounds; progress on stderr"
        % (sys.version.split()[0], PY, minicreds.__version__, rounds),
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        kids = Children(stack)
        process_cost(kids, rounds)
        nopyc = import_times(kids, rounds)
        compile_cost(kids, nopyc, rounds)
        cached_retrieve(rounds)
        signing(rounds)
        presigning(rounds)
        off_ec2(kids, max(3, rounds // 4))
        assume_role(rounds)
        profile_files(rounds)
        cached_credential_process(rounds)
    print(table())
    print(NOTES, end="")
    print(getattr(topic("profiles"), "NOTES", ""), end="")
    print(getattr(topic("clicache"), "NOTES", ""), end="")
    print("(%.0f s)" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
