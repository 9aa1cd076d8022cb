"""Benchmark: one DPoP proof signed with minicreds' pure-Python ES256.

What a token refresh after `aws login` pays: ``_dpop_proof`` with the key already
loaded and its public point already derived (both are done once per key), that is
two JSON dumps, base64url and one P-256 signature with an RFC 6979 nonce. Also shown,
not part of the goal: the signature alone, loading the PEM key, deriving the public
point, and a verification (which the tests use). Each figure is the median of
``--rounds`` runs of a calibrated loop; the rows are interleaved round by round, as
this machine is shared and noisy.

Goal: one proof in at most 5 ms.

Run from the repository root: ``python3 tests/benchmarks/es256.py [--rounds N]``.
Exit status 0 when the goal is met, 1 when not.
Nothing here is collected by ``unittest`` (no ``test_`` prefix, no ``__init__.py``).
"""

import base64
import statistics
import sys
import textwrap
import time

import timing  # beside this script

sys.path.insert(0, timing.REPO)

import minicreds  # after sys.path is set

GOAL_MS = 5.0
URL = "https://us-east-1.signin.aws.amazon.com/v1/token"
KEY = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721  # RFC 6979


def sec1_pem(key):
    """The key as `aws login` stores it: PEM "EC PRIVATE KEY" with the curve named."""
    secret = b"\x04\x20" + key.to_bytes(32, "big")
    curve = b"\xa0\x0a\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"
    body = b"\x02\x01\x01" + secret + curve
    text = textwrap.fill(base64.b64encode(b"\x30" + bytes([len(body)]) + body).decode())
    return f"-----BEGIN EC PRIVATE KEY-----\n{text}\n-----END EC PRIVATE KEY-----\n"


def calls():
    public = minicreds._p256_public_key(KEY)
    pem = sec1_pem(KEY)
    signature = minicreds._p256_sign(KEY, b"message")
    assert minicreds._p256_key_from_pem(pem) == KEY
    assert minicreds._p256_verify(public, b"message", signature)
    return {
        "DPoP proof (the goal)": lambda: minicreds._dpop_proof(
            KEY, public, "POST", URL, int(time.time())
        ),
        "signature alone": lambda: minicreds._p256_sign(KEY, b"message"),
        "load PEM key": lambda: minicreds._p256_key_from_pem(pem),
        "derive public point": lambda: minicreds._p256_public_key(KEY),
        "verify": lambda: minicreds._p256_verify(public, b"message", signature),
    }


def main(argv=None):
    rounds = timing.rounds_option(__doc__, argv)
    # Some of these calls take milliseconds: calibration starts from one call.
    samples = timing.interleaved(calls(), rounds, first=1)
    timing.print_header(f"ES256 for DPoP, {rounds} interleaved rounds, median")
    for name, values in samples.items():
        timing.print_spread(name, values, "ms", 24)
    proof_ms = statistics.median(samples["DPoP proof (the goal)"]) / 1e6
    ok = proof_ms <= GOAL_MS
    print(f"goal: one proof in at most {GOAL_MS:.0f} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
