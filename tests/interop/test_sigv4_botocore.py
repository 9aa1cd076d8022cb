"""minicreds.sign_request checked by botocore the way a server checks a signature.

A seeded generator (``SEED``, or ``MINICREDS_SIGV4_SEED`` from the environment) makes a
few hundred requests. Each is signed with ``sign_request``; then botocore rebuilds the
canonical request from what would arrive at the server: the URL as sent, the body, and
exactly the returned headers that ``SignedHeaders`` names, with ``request.context
["timestamp"]`` taken from ``X-Amz-Date``. Credential scope, SignedHeaders
and signature must all agree.

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
- Headers botocore never signs (User-Agent, Expect, Connection, Transfer-Encoding,
  X-Amzn-Trace-Id and the other hop-by-hop names): minicreds signs every header it
  returns (README, "Choices where the AWS SDKs differ or are silent"), botocore's
  canonical request drops them even when
  ``SignedHeaders`` names them.
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
import os
import random
import string
import unittest
from unittest import mock
from urllib.parse import quote, urlsplit

try:
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials
except ImportError:  # pragma: no cover - depends on the machine
    SigV4Auth = None

import minicreds

SEED = int(os.environ.get("MINICREDS_SIGV4_SEED", "20150830"))
COUNT = 400
SERVICES = ("sts", "execute-api", "s3")
REGIONS = (
    "us-east-1",
    "eu-west-3",
    "ap-southeast-2",
    "cn-north-1",
    "us-gov-west-1",
    "me-central-1",
)
ENDPOINTS = (
    # (scheme, host, port in the URL or None)
    ("https", "sts.amazonaws.com", None),
    ("https", "abc123.execute-api.eu-west-3.amazonaws.com", 443),
    ("https", "bucket.s3.amazonaws.com", 8443),
    ("http", "127.0.0.1", 9000),
    ("http", "localhost", 80),
    ("http", "minio.local", 443),
    ("http", "[::1]", 9000),
)
WORDS = ("a", "Z", "key", "Obj3ct", "x-y", "v1.2", "under_score", "42")
RAW = (" ", "  ", "~", "-", ".", "_", "!", "$", "&", "'", "(", ")", "*", "+", ",")
RAW += (";", "=", ":", "@", "\u00e9", "\u00df", "\u1234", "\u65e5\u672c", "\U0001f600")
ESCAPES = ("%20", "%2F", "%2B", "%41", "%25", "%7E", "%E1%88%B4", "%C3%A9")
LOWER_ESCAPES = ("%2f", "%e1%88%b4", "%3a")
HEADER_NAMES = (
    "X-Custom",
    "x-amz-meta-Foo",
    "Content-Type",
    "X-Amz-Target",
    "My-Header",
    "ACCEPT",
    "x-mixed-CASE-name",
    "Content-MD5",
)
VALUE_CHARS = string.ascii_letters + string.digits + "-_.,;:=/\"'()<>?@[]{}!#$%&*+^`|~"
B64 = string.ascii_letters + string.digits + "+/"


def mixed_case(rng, name):
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in name)


def spaced(rng, words):
    """Words joined by runs of spaces, with leading and trailing runs sometimes."""
    out = " " * rng.choice((0, 0, 1, 3))
    for i, word in enumerate(words):
        if i:
            out += " " * rng.choice((1, 1, 2, 5))
        out += word
    return out + " " * rng.choice((0, 0, 1, 2))


def header_value(rng):
    words = [
        "".join(rng.choice(VALUE_CHARS) for _ in range(rng.randint(1, 8)))
        for _ in range(rng.randint(0, 4))
    ]
    return spaced(rng, words)


def path_segment(rng, service):
    """(raw form, wire form) of one path segment."""
    raw = wire = ""
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.4:
            piece = rng.choice(WORDS)
            raw += piece
            wire += piece
        elif kind < 0.75:
            piece = rng.choice(RAW)
            raw += piece
            wire += quote(piece, safe="~")
        else:
            pool = ESCAPES if service == "s3" else ESCAPES + LOWER_ESCAPES
            piece = rng.choice(pool)
            raw += piece
            wire += piece
    if service != "s3" and not raw.strip("."):
        # "." or ".." made of pieces would be a dot segment, maybe the last one.
        raw += "x"
        wire += "x"
    return raw, wire


def make_path(rng, service):
    """(path minicreds signs, path on the wire), possibly empty."""
    if rng.random() < 0.05:
        # An empty path goes out as "/"; botocore's s3 signer would sign it empty.
        return "", "/" if service == "s3" else ""
    raw_parts, wire_parts = [], []
    for i in range(rng.randint(0, 5)):
        kind = rng.random()
        if kind < 0.15:
            raw_parts.append("")  # a repeated slash
            wire_parts.append("")
        elif kind < 0.25 and service != "s3" and i < 4:
            dots = rng.choice((".", ".."))
            raw_parts.append(dots)
            wire_parts.append(dots)
            raw, wire = path_segment(rng, service)  # never end on a dot segment
            raw_parts.append(raw)
            wire_parts.append(wire)
        else:
            raw, wire = path_segment(rng, service)
            raw_parts.append(raw)
            wire_parts.append(wire)
    trail = "/" if rng.random() < 0.3 else ""
    raw_path = "/" + "/".join(raw_parts) + trail
    wire_path = "/" + "/".join(wire_parts) + trail
    use_raw = rng.random() < 0.5
    if service == "s3":
        # minicreds encodes raw characters once and keeps escapes: it may sign either
        # form, and botocore (which takes an s3 path verbatim) checks the wire form.
        return (raw_path if use_raw else wire_path), wire_path
    # Other services encode the whole path again, so the raw and the sent forms sign
    # differently: both signers get the same URL, sometimes raw, sometimes as sent.
    path = raw_path if use_raw else wire_path
    return path, path


def query_text(rng):
    parts = []
    for _ in range(rng.randint(0, 3)):
        parts.append(rng.choice(WORDS + RAW))
    return "".join(parts)


def make_query(rng):
    """A query string as sent (SigV4-encoded), or None for no ``?`` at all."""
    roll = rng.random()
    if roll < 0.35:
        return None
    if roll < 0.38:
        return ""
    keys = [rng.choice(WORDS + RAW) + rng.choice(("", "", "k", "\u00e9")) for _ in "ab"]
    pairs = []
    for _ in range(rng.randint(1, 6)):
        key = quote(rng.choice(keys + [query_text(rng) or "q"]), safe="-_.~")
        form = rng.random()
        if form < 0.15:
            pairs.append(key)
        elif form < 0.3:
            pairs.append(key + "=")
        else:
            pairs.append(key + "=" + quote(query_text(rng), safe="-_.~"))
    return "&".join(pairs)


def make_headers(rng, host, amz_date):
    pairs = []
    for _ in range(rng.randint(0, 4)):
        name = rng.choice(HEADER_NAMES)
        if rng.random() < 0.5:
            name = mixed_case(rng, name)
        pairs.append((name, header_value(rng)))
    if pairs and rng.random() < 0.25:
        name = mixed_case(rng, pairs[0][0])  # a repeated name, other case
        pairs.append((name, header_value(rng)))
    if rng.random() < 0.15:
        pairs.append((mixed_case(rng, "host"), rng.choice((host, "virtual.example"))))
    if rng.random() < 0.1:
        pairs.append(("x-amz-date", amz_date))
    rng.shuffle(pairs)
    names = [n.lower() for n, _ in pairs]
    if len(names) == len(set(names)) and rng.random() < 0.5:
        return dict(pairs)
    return pairs


def make_body(rng):
    roll = rng.random()
    if roll < 0.35:
        return b""
    if roll < 0.65:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))
    if roll < 0.85:
        return "Action=AssumeRole&RoleSessionName=s%C3%A9\u00e9 x".encode()
    return '\u65e5\u672c {"k": [1, 2]}\n'.encode()


def make_case(rng):
    service = rng.choice(SERVICES)
    scheme, host, port = rng.choice(ENDPOINTS)
    netloc = host if port is None else f"{host}:{port}"
    default = {"http": 80, "https": 443}[scheme]
    host_header = host if port in (None, default) else netloc
    signed_path, wire_path = make_path(rng, service)
    query = make_query(rng)
    suffix = "" if query is None else "?" + query
    when = rng.randint(946684800, 1893456000)  # 2000 .. 2030
    amz_date = datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    if rng.random() < 0.5:
        now = float(when)
    else:
        offset = datetime.timezone(datetime.timedelta(minutes=rng.randint(-720, 840)))
        now = datetime.datetime.fromtimestamp(when, offset)
    token = None
    if rng.random() < 0.4:
        token = "".join(rng.choice(B64) for _ in range(rng.randint(16, 300))) + "=="
    return {
        "method": rng.choice(("GET", "POST", "PUT", "DELETE")),
        "url": f"{scheme}://{netloc}{signed_path}{suffix}",
        "wire_url": f"{scheme}://{netloc}{wire_path}{suffix}",
        "host": host_header,
        "headers": make_headers(rng, host_header, amz_date),
        "body": make_body(rng),
        "service": service,
        "region": rng.choice(REGIONS),
        "access_key": "AKIA"
        + "".join(rng.choice(string.ascii_uppercase) for _ in range(16)),
        "secret_key": "".join(rng.choice(B64) for _ in range(40)),
        "token": token,
        "now": now,
        "amz_date": amz_date,
    }


def generate(seed=SEED, count=COUNT):
    rng = random.Random(seed)
    return [make_case(rng) for _ in range(count)]


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
    if signed_names != returned:
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
        headers={by_lower[n][0]: by_lower[n][1] for n in signed_names if n in by_lower},
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
