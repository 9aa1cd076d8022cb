"""Benchmark: ``retrieve()`` through the AWS config files, with 1 profile and with
5,000 (README, "Performance").

A large organisation's generated ``~/.aws/config`` holds thousands of SSO profiles.
Each case is a HOME whose config file holds 1 or 5,000 of them (with their
``[sso-session]``) and one profile of each other kind (a role whose source is the
static ``[default]`` of the credentials file, a ``credential_process``); the
profile asked for is the static ``[default]``, the role, the first SSO profile or
the process, through ``AWS_PROFILE``. STS and the SSO portal are loopback fakes;
every source holds credentials valid for hours, so a repeated call refreshes
nothing: what it measures is the way through the files.

Goals:

- a repeated ``retrieve()`` of one ``default_provider()`` with the static profile
  costs at most 40 µs, of one ``AWSConfigProvider()`` at most 15 µs;
- with 5,000 profiles, every kind costs at most 1.5 times what it costs with 1;
- the first ``default_provider().retrieve()`` after the files change, 5,000
  profiles, takes at most half of botocore's ``Session().get_credentials()``.

Run from the repository root: ``python3 tests/benchmarks/profiles.py [--rounds N]``;
``tests/benchmarks/run.py`` prints the same rows in its table. Nothing here is
collected by ``unittest`` (no ``test_`` prefix, no ``__init__.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import os
import random
import shlex
import statistics
import sys
import tempfile
import time
import timeit

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

import minicreds  # noqa: E402 - after sys.path is set
from tests import support  # noqa: E402
from tests.fakes import iso, sts_success_xml, xml_response  # noqa: E402

COUNTS = (1, 5000)
KINDS = {  # kind: the profile asked for
    "static": "default",
    "role": "bench-role",
    "SSO": "account-00000",
    "process": "bench-process",
}
KEY_ID, SECRET = "AKIDBENCHEXAMPLE0000", "bench-secret-key-not-real-0000000000000"
LIFETIME = 6 * 3600  # every source's credentials: nothing refreshes while timed
STATIC_GOAL = {"default_provider": 40e-6, "AWSConfigProvider": 15e-6}
GROWTH_GOAL = 1.5  # 5,000 profiles against 1
FIRST_GOAL = 0.5  # first retrieve() against botocore's


# ---------------------------------------------------------------------- the cases


def config_text(count, process_command):
    """The config file: ``count`` SSO profiles, a role and a process profile."""
    head = (
        "[default]\nregion = us-east-1\n\n"
        "[sso-session org]\nsso_start_url = https://org.example.invalid/start\n"
        "sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n"
        "[profile bench-role]\nrole_arn = arn:aws:iam::123456789012:role/bench\n"
        "source_profile = default\n\n"
        f"[profile bench-process]\ncredential_process = {process_command}\n\n"
    )
    return head + "".join(
        f"[profile account-{n:05d}]\nsso_session = org\nsso_account_id = {n:012d}\n"
        "sso_role_name = AdministratorAccess\nregion = us-east-1\noutput = json\n\n"
        for n in range(count)
    )


def write_home(home, count):
    """~/.aws/config, ~/.aws/credentials, the SSO token cache and the process."""
    folder = os.path.join(home, ".aws")
    os.makedirs(os.path.join(folder, "sso", "cache"))
    printer = os.path.join(home, "process.py")
    expires = iso(time.time() + LIFETIME)
    answer = {"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "s"}
    with open(printer, "w") as handle:
        handle.write(f"print({json.dumps(dict(answer, Expiration=expires))!r})\n")
    command = f"{shlex.quote(sys.executable)} {shlex.quote(printer)}"
    with open(os.path.join(folder, "config"), "w") as handle:
        handle.write(config_text(count, command))
    with open(os.path.join(folder, "credentials"), "w") as handle:
        handle.write(
            f"[default]\naws_access_key_id = {KEY_ID}\n"
            f"aws_secret_access_key = {SECRET}\n"
        )
    token = {"accessToken": "bench-access-token", "expiresAt": expires}
    name = hashlib.sha1(b"org").hexdigest() + ".json"  # as `aws sso login` names it
    with open(os.path.join(folder, "sso", "cache", name), "w") as handle:
        json.dump(token, handle)


def sts_answer(request):
    body = sts_success_xml(
        "AssumeRole", "ASIABENCHROLE", SECRET, "token", iso(time.time() + LIFETIME)
    )
    return xml_response(200, body)


def sso_answer(request):
    expires = int((time.time() + LIFETIME) * 1000)
    creds = {"accessKeyId": "ASIABENCHSSO", "secretAccessKey": SECRET}
    return 200, {"roleCredentials": dict(creds, sessionToken="t", expiration=expires)}


@contextlib.contextmanager
def applied(environ):
    """``os.environ`` replaced by ``environ`` meanwhile (the providers read it)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def staged():
    """The fakes, and a HOME for each count. Yields {(count, kind): environment}."""
    with contextlib.ExitStack() as stack:
        top = stack.enter_context(tempfile.TemporaryDirectory(prefix="mc-profiles-"))
        fake = stack.enter_context(support.FakeServer())
        fake.route("POST", "/", sts_answer)
        fake.route("GET", "/federation/credentials", sso_answer)
        base = support.clean_environ(
            AWS_ENDPOINT_URL_STS=fake.url,
            AWS_ENDPOINT_URL_SSO=fake.url,
            # Never the real metadata address, should a chain get that far.
            AWS_EC2_METADATA_DISABLED="true",
            AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:9",
        )
        cases = {}
        for count in COUNTS:
            home = os.path.join(top, str(count))
            write_home(home, count)
            for kind, profile in KINDS.items():
                chosen = {} if kind == "static" else {"AWS_PROFILE": profile}
                cases[count, kind] = dict(base, HOME=home, **chosen)
        yield cases


# ------------------------------------------------------------------------- timing


def interleaved(contenders, rounds):
    """Median CPU seconds a call of each ``name: (environment, callable)``, timed
    round by round in a new order each round, each under its own environment. CPU
    time, not wall time: what the call costs, steadier on a shared machine."""
    order = random.Random(19)
    numbers = {}
    for name, (environ, call) in contenders.items():
        with applied(environ):
            if call() is None:  # the first call fills the caches
                raise RuntimeError(f"{name}: no credentials")
            numbers[name] = max(1, timeit.Timer(call).autorange()[0] // 10)
    got = {name: [] for name in contenders}
    for _ in range(rounds):
        items = list(contenders.items())
        order.shuffle(items)
        for name, (environ, call) in items:
            with applied(environ):
                seconds = timeit.Timer(call, timer=time.process_time).timeit(
                    numbers[name]
                )
            got[name].append(seconds / numbers[name])
    return {name: statistics.median(values) for name, values in got.items()}


def repeated_calls(cases, rounds):
    """Seconds a repeated ``retrieve()`` of one provider takes, by (provider,
    count, kind); the MinIO SDK's AWSConfigProvider by ("minio", count, "static")."""
    contenders = {}
    for (count, kind), environ in cases.items():
        with applied(environ):
            chain = minicreds.default_provider()
            files = minicreds.AWSConfigProvider()
        contenders["default_provider", count, kind] = (environ, chain.retrieve)
        contenders["AWSConfigProvider", count, kind] = (environ, files.retrieve)
        if kind == "static" and installed("minio"):
            from minio.credentials.providers import AWSConfigProvider

            with applied(environ):
                theirs = AWSConfigProvider()
            contenders["minio", count, kind] = (environ, theirs.retrieve)
    return interleaved(contenders, rounds)


def first_calls(cases, rounds):
    """CPU seconds of the first ``default_provider().retrieve()`` after the files
    change, and of botocore's ``Session().get_credentials()``, 5,000 profiles."""
    environ = cases[max(COUNTS), "static"]
    paths = [
        os.path.join(environ["HOME"], ".aws", n) for n in ("config", "credentials")
    ]

    def touched():  # a new modification time: the next call reads the files again
        gc.collect()  # so that no call pays to collect another's garbage
        for path in paths:
            stamp = os.stat(path).st_mtime_ns + 10**9
            os.utime(path, ns=(stamp, stamp))

    def mine():
        minicreds.default_provider().retrieve()

    contenders = {"minicreds": (mine, touched)}
    if installed("botocore"):
        import botocore.session

        def botocore_call():
            botocore.session.Session().get_credentials()

        contenders["botocore"] = (botocore_call, touched)
    got = {name: [] for name in contenders}
    order = random.Random(23)
    with applied(environ):
        for _ in range(rounds):
            items = list(contenders.items())
            order.shuffle(items)
            for name, (call, before) in items:
                before()
                start = time.process_time()
                call()
                got[name].append(time.process_time() - start)
    return {name: statistics.median(values) for name, values in got.items()}


def installed(name):
    """Whether the module ``name`` (a peer: botocore, minio) can be imported."""
    import importlib.util

    return importlib.util.find_spec(name) is not None


# --------------------------------------------------------------------------- rows


def us(seconds):
    return "%.2f µs" % (seconds * 1e6)


def ms(seconds):
    return "%.1f ms" % (seconds * 1e3)


def measure(rounds):
    """The rows of run.py's table: (measure, minicreds, botocore, MinIO SDK, ratio,
    goal, met), met a bool or None."""
    with staged() as cases:
        t = repeated_calls(cases, rounds)
        first = first_calls(cases, max(3, rounds // 3))
    few, many = COUNTS
    rows = []
    for kind, profile in KINDS.items():
        cells, ratios, met = [], [], True
        for provider in ("default_provider", "AWSConfigProvider"):
            mine, base = t[provider, many, kind], t[provider, few, kind]
            cells.append(f"{us(mine)} (1 profile: {us(base)})")
            ratios.append(f"{mine / base:.2f}×")
            met = met and mine <= GROWTH_GOAL * base
            if kind == "static":
                met = met and mine <= STATIC_GOAL[provider]
        goal = "≤ %.1f× 1 profile" % GROWTH_GOAL
        if kind == "static":
            goal = "≤ 40 µs / ≤ 15 µs, " + goal
        minio = t.get(("minio", many, kind))
        label = (
            f"Repeated `retrieve()`, {kind} profile `{profile}`, 5,000 SSO profiles:"
            " `default_provider()` / `AWSConfigProvider()` [9]"
        )
        rows.append(
            (
                label,
                " / ".join(cells),
                "",
                "" if minio is None else f"{us(minio)} (credentials file only)",
                " / ".join(ratios) + " 1 profile",
                goal,
                met,
            )
        )
    ratio = first["minicreds"] / first["botocore"] if "botocore" in first else None
    rows.append(
        (
            "First `default_provider().retrieve()`, 5,000 SSO profiles [10]",
            ms(first["minicreds"]),
            ms(first["botocore"]) if "botocore" in first else "not installed",
            "",
            "" if ratio is None else f"{ratio:.3f}× botocore",
            "≤ %.2f× botocore" % FIRST_GOAL,
            None if ratio is None else ratio <= FIRST_GOAL,
        )
    )
    return rows


NOTES = """\
[9] tests/benchmarks/profiles.py: a HOME whose ~/.aws/config holds 5,000 SSO
    profiles (in brackets: 1), a role, a credential_process profile, and whose
    ~/.aws/credentials holds a static [default]; AWS_PROFILE names the profile
    (none for the static one). One provider, made once, called repeatedly: every
    source holds credentials valid for hours (STS and the SSO portal are loopback
    fakes), so each call is the way through the environment and the files.
    Median CPU time of a call (user + system: what the call costs, whatever its
    neighbours on the machine do). MinIO SDK: its AWSConfigProvider, which reads
    only the credentials file, at each call.
[10] The same files, given a new modification time (and a garbage collection)
    before each call, so that it parses them again: median CPU time; botocore:
    `botocore.session.Session().get_credentials()`.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=31, help="interleaved rounds")
    args = parser.parse_args(argv)
    for row in measure(args.rounds):
        flag = "" if row[-1] is None else ("goal met" if row[-1] else "NOT met")
        print(" | ".join([*row[:-1], flag]))
    print(NOTES, end="")


if __name__ == "__main__":
    main()
