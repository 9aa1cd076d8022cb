"""minicreds.sign_request checked by botocore the way a server checks a signature.

A seeded generator (``SEED``, or ``MINICREDS_SIGV4_SEED`` from the environment) makes a
few hundred requests. Each is signed with ``sign_request``; then botocore rebuilds the
canonical request from what would arrive at the server: the URL as sent, the body, and
every returned header but ``Authorization``, with ``request.context["timestamp"]``
taken from ``X-Amz-Date``. Credential scope, SignedHeaders and signature must all
agree. Some requests carry the volatile headers that both leave unsigned
(User-Agent, Expect, Connection, Transfer-Encoding, X-Amzn-Trace-Id...): they are
returned, and SignedHeaders names every other returned header.

Inputs where the two legitimately differ, and which are therefore not generated:

- s3 paths with raw characters outside SigV4's unreserved set (spaces, unicode,
  ``$&+;=``...): botocore's S3 signer takes the path verbatim, because its serializer has
  already percent-encoded it; minicreds encodes raw characters once (as SigV4 does
  for S3). Instead, minicreds signs the raw form and botocore checks the encoded form
  that goes on the wire: the two canonicalise to the same path.
- Lowercase ``%xx`` escapes in s3 paths: botocore keeps them verbatim, and whether a
  server keeps or re-encodes them is not something botocore can tell us.
- Query strings not encoded the SigV4 way (raw reserved characters, ``+`` for space,
  lowercase escapes): botocore splits the URL's query at ``&`` and ``=`` and signs the
  pieces verbatim, whereas minicreds decodes and re-encodes each key and value. The
  generator percent-encodes every key and value with the unreserved set
  (``A-Za-z0-9-_.~``), as a client sends them. Empty pieces (``a&&b``) are not made.
- Repeated query keys can only be given to botocore in the URL (its ``params`` dict
  cannot hold them); botocore sorts the URL's (key, value) pairs, so they are generated.
- Header values with whitespace other than the space (tabs, NBSP...) or non-ASCII:
  botocore's ``str.split()`` collapses every Unicode space, while AWS's SigV4
  documentation speaks of runs of spaces; only spaces are generated.
- Non-s3 paths ending in a dot segment (``/a/b/..``): RFC 3986 gives ``/a/``, botocore
  gives ``/a``. Dot segments are generated only before another segment.
- An empty path in an s3 URL: botocore's S3 signer signs it empty, although every
  client sends ``/``; minicreds is given the empty path and botocore the ``/``.
- ``X-Amz-Content-Sha256`` given by the caller: botocore then uses it as the payload
  hash whatever the service; not generated.
"""

import datetime
import hashlib
import unittest
from unittest import mock
from urllib.parse import urlsplit

try:
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials
except ImportError:  # pragma: no cover - depends on the machine
    SigV4Auth = None

import minicreds
from tests.interop.sigv4_cases import (
    COUNT,
    SEED,
    SERVICES,
    VOLATILE_NAMES,
    generate,
)


def sign(case):
    return minicreds.sign_request(
        case["method"],
        case["url"],
        headers=case["headers"],
        body=case["body"],
        credentials=minicreds.Credentials(
            case["access_key"], case["secret_key"], case["token"]
        ),
        region=case["region"],
        service=case["service"],
        now=case["now"],
    )


def minicreds_canonical_request(case):
    """What minicreds hashed as its canonical request (diagnostics after a mismatch).

    Signs the case again while recording what goes through ``hashlib.sha256``; the
    canonical request is the hashed text that starts with the method and a newline.
    """
    real = hashlib.sha256
    seen = []

    def recording(data=b"", **kwargs):
        seen.append(data)
        return real(data, **kwargs)

    with mock.patch("hashlib.sha256", recording):
        try:
            sign(case)
        except Exception as exc:  # noqa: BLE001 - diagnostics must not hide a failure
            return f"(signing raised {exc!r})"
    prefix = (case["method"] + "\n").encode()
    for data in seen:
        if isinstance(data, (bytes, bytearray)) and bytes(data).startswith(prefix):
            return bytes(data).decode("utf-8", "replace")
    return "(not seen: minicreds does not hash it with hashlib.sha256)"


def check(case):
    """None when botocore accepts minicreds's signature, else a description."""
    result = sign(case)
    problems = []
    by_lower = {}
    for name, value in result.items():
        if name.lower() in by_lower:
            problems.append(f"header {name!r} returned twice")
        by_lower[name.lower()] = (name, value)
    fields = {}
    authorization = by_lower.get("authorization", ("", ""))[1]
    algorithm, _, rest = authorization.partition(" ")
    for part in rest.split(","):
        key, _, value = part.strip().partition("=")
        fields[key] = value
    if algorithm != "AWS4-HMAC-SHA256":
        problems.append(f"algorithm {algorithm!r}")
    signed_names = fields.get("SignedHeaders", "").split(";")
    returned = sorted(n for n in by_lower if n != "authorization")
    volatile = {name.lower() for name in VOLATILE_NAMES}
    if signed_names != [n for n in returned if n not in volatile]:
        problems.append(f"SignedHeaders {signed_names} but returned {returned}")
    if by_lower.get("x-amz-date", (0, None))[1] != case["amz_date"]:
        problems.append(f"X-Amz-Date {by_lower.get('x-amz-date')}")
    given_host = [v for n, v in _pairs(case["headers"]) if n.lower() == "host"]
    expected_host = given_host[0] if given_host else case["host"]
    host = by_lower.get("host", (0, None))[1]
    if host != expected_host:
        problems.append(f"Host {host!r}, expected {expected_host!r}")
    token = by_lower.get("x-amz-security-token", (0, None))[1]
    if token != case["token"]:
        problems.append("X-Amz-Security-Token does not match the credentials")
    if case["service"] == "s3":
        sha = by_lower.get("x-amz-content-sha256", (0, None))[1]
        if sha != hashlib.sha256(case["body"]).hexdigest():
            problems.append(f"X-Amz-Content-Sha256 {sha!r}")

    request = AWSRequest(
        method=case["method"],
        url=case["wire_url"],
        headers={by_lower[n][0]: by_lower[n][1] for n in returned},
        data=case["body"],
    )
    request.context["timestamp"] = by_lower.get("x-amz-date", ("", ""))[1]
    signer_class = S3SigV4Auth if case["service"] == "s3" else SigV4Auth
    signer = signer_class(
        BotoCredentials(case["access_key"], case["secret_key"], case["token"]),
        case["service"],
        case["region"],
    )
    boto_creq = signer.canonical_request(request)
    boto_sts = signer.string_to_sign(request, boto_creq)
    boto_signature = signer.signature(boto_sts, request)
    if fields.get("Credential") != signer.scope(request):
        problems.append(f"Credential {fields.get('Credential')!r}")
    boto_signed = signer.signed_headers(signer.headers_to_sign(request))
    if fields.get("SignedHeaders") != boto_signed:
        problems.append(f"botocore signs {boto_signed!r}")
    if fields.get("Signature") != boto_signature:
        problems.append("signature differs")
    if not problems:
        return None
    return "\n".join(
        [
            "; ".join(problems),
            f"inputs: {_describe(case)}",
            f"minicreds Authorization: {authorization}",
            "botocore canonical request:",
            boto_creq,
            "minicreds canonical request:",
            minicreds_canonical_request(case),
        ]
    )


def _pairs(headers):
    return list(headers.items()) if isinstance(headers, dict) else list(headers)


def _describe(case):
    keys = ("method", "url", "wire_url", "headers", "body", "service", "region", "now")
    shown = {key: case[key] for key in keys}
    shown["token"] = "yes" if case["token"] else None
    return repr(shown)


@unittest.skipUnless(SigV4Auth is not None, "botocore is not installed")
class BotocoreDifferentialTests(unittest.TestCase):
    def test_generator_covers_the_input_classes(self):
        cases = generate()
        self.assertEqual(len(cases), COUNT)
        self.assertEqual(cases, generate(), "the generator is not deterministic")

        def count(predicate):
            return sum(1 for case in cases if predicate(case))

        def repeated_key(case):
            query = urlsplit(case["wire_url"]).query
            keys = [part.partition("=")[0] for part in query.split("&") if query]
            return len(keys) != len(set(keys))

        def repeated_header(case):
            names = [name.lower() for name, _ in _pairs(case["headers"])]
            return len(names) != len(set(names))

        classes = {
            "s3 signed raw": lambda c: (
                c["service"] == "s3" and c["url"] != c["wire_url"]
            ),
            "unicode path": lambda c: "\u00e9" in c["url"] or "\u1234" in c["url"],
            "space in path": lambda c: " " in urlsplit(c["url"]).path,
            "escape in path": lambda c: "%" in urlsplit(c["url"]).path,
            "tilde in path": lambda c: "~" in urlsplit(c["url"]).path,
            "repeated slash": lambda c: "//" in urlsplit(c["url"]).path,
            "dot segment": lambda c: "/./" in c["url"] or "/../" in c["url"],
            "repeated query key": repeated_key,
            "key without =": lambda c: any(
                "=" not in p for p in urlsplit(c["wire_url"]).query.split("&") if p
            ),
            "empty value": lambda c: any(
                p.endswith("=") for p in urlsplit(c["wire_url"]).query.split("&")
            ),
            "unicode in query": lambda c: "%C3%A9" in urlsplit(c["wire_url"]).query,
            "repeated header": repeated_header,
            "spaced header": lambda c: any(
                "  " in v or v[:1] == " " for _, v in _pairs(c["headers"])
            ),
            "volatile header": lambda c: any(
                n.lower() in {v.lower() for v in VOLATILE_NAMES}
                for n, _ in _pairs(c["headers"])
            ),
            "empty body": lambda c: c["body"] == b"",
            "binary body": lambda c: b"\xff" in c["body"] or b"\x00" in c["body"],
            "token": lambda c: c["token"] is not None,
            "no token": lambda c: c["token"] is None,
            "float now": lambda c: isinstance(c["now"], float),
            "datetime now": lambda c: isinstance(c["now"], datetime.datetime),
        }
        for service in SERVICES:
            classes[service] = lambda c, s=service: c["service"] == s
        for method in ("GET", "POST", "PUT", "DELETE"):
            classes[method] = lambda c, m=method: c["method"] == m
        for name, predicate in classes.items():
            with self.subTest(input_class=name):
                self.assertGreater(count(predicate), 3, name)

    def test_botocore_accepts_every_signature(self):
        failures = []
        for index, case in enumerate(generate()):
            try:
                problem = check(case)
            except Exception as exc:  # noqa: BLE001 - report the case, then go on
                problem = f"raised {exc!r}\ninputs: {_describe(case)}"
            if problem:
                failures.append(f"case {index}: {problem}")
        if failures:
            self.fail(
                f"{len(failures)} of {COUNT} cases differ (seed {SEED}; rerun with "
                f"MINICREDS_SIGV4_SEED={SEED}). First ones:\n\n"
                + "\n\n".join(failures[:5])
            )


if __name__ == "__main__":
    unittest.main()
