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

import datetime
import sys
from unittest import mock

import timing  # beside this script

sys.path.insert(0, timing.REPO)

import minicreds  # after sys.path is set

GOAL_RATIO = 5.0
LABELS = {
    "minicreds": "minicreds.sign_request",
    "botocore": "botocore SigV4Auth.add_auth",
}
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


def main(argv=None):
    rounds = timing.rounds_option(__doc__, argv)
    calls, version = timing.with_botocore(
        minicreds_call, botocore_call, check_same_signature
    )
    samples = timing.interleaved(calls, rounds)
    timing.print_header(
        f"SigV4 signing of an STS POST, {rounds} interleaved rounds, median"
    )
    return timing.faster_than_botocore(samples, LABELS, version, GOAL_RATIO)


if __name__ == "__main__":
    sys.exit(main())
