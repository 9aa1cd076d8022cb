"""Benchmark: ``minicreds.presign_url`` against botocore's ``S3SigV4QueryAuth``.

Both presign the same S3 GET (``https://examplebucket.s3.us-east-1.amazonaws.com/``
``photos/2026/cat.jpg``, one hour, with a session token). botocore rewrites the URL
of an ``AWSRequest`` in place, so each of its presigns starts from a fresh request,
as ``generate_presigned_url`` makes one (which costs more still: it also serializes
the operation). The MinIO SDK, when installed: ``presign_v4`` on the URL its client
builds (the token already in the query). Before timing, minicreds's and botocore's
URLs are checked equal for the same instant. Runs are interleaved and medians
compared, as this machine is shared and noisy.

Goal: minicreds takes at most a fifth of botocore's time.

Run from the repository root: ``python3 tests/benchmarks/presign.py [--rounds N]``.
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
LABELS = {"minicreds": "minicreds.presign_url", "botocore": "botocore S3SigV4QueryAuth"}
URL = "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2026/cat.jpg"
EXPIRES = 3600
ACCESS_KEY = "ASIAEXAMPLEBENCHMARK"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEBenchmarkSessionToken" * 8  # session tokens are long
REGION, SERVICE = "us-east-1", "s3"


def minicreds_call():
    creds = minicreds.Credentials(ACCESS_KEY, SECRET_KEY, TOKEN)

    def call():
        return minicreds.presign_url(
            "GET",
            URL,
            credentials=creds,
            region=REGION,
            service=SERVICE,
            expires=EXPIRES,
        )

    return call


def botocore_call():
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    auth = S3SigV4QueryAuth(
        Credentials(ACCESS_KEY, SECRET_KEY, TOKEN), SERVICE, REGION, expires=EXPIRES
    )

    def call():
        request = AWSRequest(method="GET", url=URL)
        auth.add_auth(request)
        return request.url

    return call


def minio_call():
    from urllib.parse import quote, urlsplit

    from minio.credentials import Credentials
    from minio.signer import presign_v4
    from minio.time import utcnow

    creds = Credentials(ACCESS_KEY, SECRET_KEY, TOKEN)
    url = urlsplit(f"{URL}?X-Amz-Security-Token={quote(TOKEN, safe='')}")

    def call():
        return presign_v4(
            method="GET", url=url, region=REGION, credentials=creds,
            date=utcnow(), expires=EXPIRES,
        ).geturl()  # fmt: skip

    return call


def check_same_url():
    """Both presign the request identically at the same instant."""
    import botocore.auth

    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    with mock.patch.object(
        botocore.auth, "get_current_datetime", lambda: moment.replace(tzinfo=None)
    ):
        theirs = botocore_call()()
    with mock.patch("time.time", moment.timestamp):
        ours = minicreds_call()()
    if ours != theirs:
        sys.exit(f"URLs differ:\n  minicreds {ours}\n  botocore  {theirs}")


def main(argv=None):
    rounds = timing.rounds_option(__doc__, argv)
    calls, version = timing.with_botocore(minicreds_call, botocore_call, check_same_url)
    samples = timing.interleaved(calls, rounds)
    timing.print_header(
        f"SigV4 presigning of an S3 GET, {rounds} interleaved rounds, median"
    )
    return timing.faster_than_botocore(samples, LABELS, version, GOAL_RATIO)


if __name__ == "__main__":
    sys.exit(main())
