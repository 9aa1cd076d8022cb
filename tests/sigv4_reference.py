"""A small SigV4 reference signer for the tests, independent of minicreds.

Key derivation and string to sign as AWS documents them ("Signature Version 4
signing process"), so a test can compute the ``Authorization`` a request should
carry from its expected canonical request, with no private API of minicreds. The
defaults are the fixed values of AWS's SigV4 test vectors (aws4_testsuite): their
key pair, region, service and date.
"""

import datetime
import hashlib
import hmac

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
SERVICE = "service"
NOW = datetime.datetime(2015, 8, 30, 12, 36, tzinfo=datetime.timezone.utc)
AMZ_DATE = "20150830T123600Z"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac_sha256(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def reference_string_to_sign(creq, amz_date=AMZ_DATE, region=REGION, service=SERVICE):
    """The SigV4 string to sign for a canonical request (text)."""
    scope = "/".join((amz_date[:8], region, service, "aws4_request"))
    digest = hashlib.sha256(creq.encode("utf-8")).hexdigest()
    return f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{digest}"


def reference_authorization(
    creq,
    amz_date=AMZ_DATE,
    region=REGION,
    service=SERVICE,
    access_key=ACCESS_KEY,
    secret_key=SECRET_KEY,
):
    """The Authorization value for a canonical request, as AWS documents SigV4."""
    key = ("AWS4" + secret_key).encode("utf-8")
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = _hmac_sha256(key, part)
    sts = reference_string_to_sign(creq, amz_date, region, service)
    signature = hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()
    signed_headers = creq.split("\n")[-2]
    scope = "/".join((access_key, amz_date[:8], region, service, "aws4_request"))
    return (
        f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signed_headers}, "
        f"Signature={signature}"
    )


def build_creq(method, path, query, headers, payload_hash=EMPTY_SHA256):
    """A canonical request from canonical parts; ``headers``: (lowercase name,
    value) pairs."""
    pairs = sorted(headers)
    canonical_headers = "".join(f"{name}:{value}\n" for name, value in pairs)
    signed = ";".join(name for name, _ in pairs)
    return f"{method}\n{path}\n{query}\n{canonical_headers}\n{signed}\n{payload_hash}"


def parse_authorization(value):
    """``(algorithm, {"Credential": ..., "SignedHeaders": ..., "Signature": ...})``."""
    algorithm, _, rest = value.partition(" ")
    fields = dict(part.strip().split("=", 1) for part in rest.split(","))
    return algorithm, fields


def signing_access_key(request):
    """The access key that signed a recorded request (tests.support's ``Request``),
    from its ``Authorization`` header; None when it has none (an unsigned call)."""
    authorization = request.headers.get("Authorization")
    if not authorization or "Credential=" not in authorization:
        return None
    return parse_authorization(authorization)[1]["Credential"].split("/", 1)[0]


def signed_header_names(request):
    """The ``SignedHeaders`` list of a recorded request's ``Authorization``."""
    fields = parse_authorization(request.headers["Authorization"])[1]
    return fields["SignedHeaders"].split(";")
