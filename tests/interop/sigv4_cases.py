"""Generated SigV4 requests (paths, queries, headers, bodies) for the differential
tests against botocore's signers."""

import datetime
import os
import random
import string
from urllib.parse import quote

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
# Headers botocore never signs (auth.py, SIGNED_HEADERS_BLACKLIST), nor minicreds.
VOLATILE_NAMES = (
    "Connection",
    "Expect",
    "Keep-Alive",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "TE",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "User-Agent",
    "X-Amzn-Trace-Id",
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
    if rng.random() < 0.3:
        for name in rng.sample(VOLATILE_NAMES, rng.randint(1, 3)):
            pairs.append((mixed_case(rng, name), header_value(rng)))
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
