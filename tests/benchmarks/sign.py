"""Benchmark: ``minicreds.sign_request`` against botocore's ``SigV4Auth.add_auth``.

Both sign the same STS-like request: a form POST of ``AssumeRole`` to
``https://sts.us-east-1.amazonaws.com/`` with a session token (a chained role), service
``sts``. minicreds gets its inputs as an STS call has them (URL, header dict, body
bytes) and returns a new header dict; botocore signs a prepared ``AWSRequest`` in
place, as it does on each attempt. Before timing, both signatures are checked equal
for the same instant. Runs are interleaved and medians compared, as this machine is
shared and noisy.

Goal (README, "Performance"): minicreds takes at most a fifth of botocore's time.

Run from the repository root: ``python3 tests/benchmarks/sign.py [--rounds N]``.
Exit status 0 when the goal is met, 1 when not, 2 when botocore is missing.
Nothing here is collected by ``unittest`` (no ``test_`` prefix, no ``__init__.py``).
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from unittest import mock

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

import minicreds  # after sys.path is set

GOAL_RATIO = 5.0
URL = "https://sts.us-east-1.amazonaws.com/"
BODY = (
    b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
    b"&RoleSessionName=bench-session&DurationSeconds=3600&Version=2011-06-15"
)
HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    "Accept": "application/xml",
}
ACCESS_KEY = "ASIAEXAMPLEBENCHMARK"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEBenchmarkSessionToken" * 8  # session tokens are long
REGION, SERVICE = "us-east-1", "sts"


def minicreds_call():
    creds = minicreds.Credentials(ACCESS_KEY, SECRET_KEY, TOKEN)

    def call():
        return minicreds.sign_request(
            "POST",
            URL,
            HEADERS,
            BODY,
            credentials=creds,
            region=REGION,
            service=SERVICE,
        )

    return call


def botocore_call():
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    auth = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, TOKEN), SERVICE, REGION)
    request = AWSRequest(method="POST", url=URL, data=BODY, headers=dict(HEADERS))

    def call():
        auth.add_auth(request)
        return request.headers

    return call


def check_same_signature():
    """Both sign the same request identically at the same instant."""
    import botocore.auth

    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    with mock.patch.object(
        botocore.auth, "get_current_datetime", lambda: moment.replace(tzinfo=None)
    ):
        theirs = botocore_call()()["Authorization"]
    with mock.patch("time.time", moment.timestamp):
        ours = minicreds_call()()["Authorization"]
    if ours != theirs:
        sys.exit(f"signatures differ:\n  minicreds {ours}\n  botocore  {theirs}")


def per_call_ns(call, number):
    """Nanoseconds per call over ``number`` calls."""
    loops = range(number)
    start = time.perf_counter_ns()
    for _ in loops:
        call()
    return (time.perf_counter_ns() - start) / number


def calibrate(call, target_s=0.02):
    number = 10
    while True:
        start = time.perf_counter()
        per_call_ns(call, number)
        if time.perf_counter() - start >= target_s or number >= 1_000_000:
            return number
        number *= 2


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=31, help="interleaved rounds")
    args = parser.parse_args(argv)

    calls = {"minicreds": minicreds_call()}
    try:
        import botocore

        calls["botocore"] = botocore_call()
        check_same_signature()
    except ImportError:
        botocore = None
    numbers = {name: calibrate(call) for name, call in calls.items()}
    samples = {name: [] for name in calls}
    for _ in range(args.rounds):
        for name, call in calls.items():
            samples[name].append(per_call_ns(call, numbers[name]))

    print(f"SigV4 signing of an STS POST, {args.rounds} interleaved rounds, median")
    print(f"Python {platform.python_version()} ({sys.executable})")
    medians = {}
    for name, label in (
        ("minicreds", "minicreds.sign_request"),
        ("botocore", "botocore SigV4Auth.add_auth"),
    ):
        if name not in samples:
            continue
        medians[name] = statistics.median(samples[name])
        low, high = min(samples[name]), max(samples[name])
        print(
            f"  {label:30} {medians[name] / 1000:8.2f} us"
            f"  (min {low / 1000:.2f}, max {high / 1000:.2f})"
        )
    if botocore is None:
        print("  botocore: not installed, no ratio")
        return 2
    ratio = medians["botocore"] / medians["minicreds"]
    ok = ratio >= GOAL_RATIO
    print(f"  botocore {botocore.__version__}: minicreds is {ratio:.2f}x faster")
    print(f"goal: at least {GOAL_RATIO:.0f}x faster: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
