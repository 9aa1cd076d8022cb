"""What the tests comparing minio-py's STS providers with minicreds's share: secrets,
answers and how a request's parameters are read, wherever they travel."""

from __future__ import annotations

import contextlib
import datetime

from tests.fakes import role_arn, sts_error_xml, sts_success_xml

UTC = datetime.timezone.utc
ACCESS = "AKIASTSCOMPATSOURCE1"
SECRET = "sEcReT-sts-compat-source-5d4c3b2a"
ROLE_ARN = role_arn("compat-role")
JWT = (
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjb21wYXQtdXNlciJ9."
    "c3RzLWNvbXBhdC1qd3Qtc2VjcmV0LTJlM2Y0YQ"
)
LDAP_USER = "ldap user+1@example.test"
LDAP_PASSWORD = "p@ss w0rd&x=1+é/sEcReT-ldap-77aa"
# what the fake STS hands out, the same to both
TEMP_ACCESS = "ASIASTSCOMPATTEMP001"
TEMP_SECRET = "sEcReT-sts-compat-temporary-8b9c0d1e/+"
TEMP_TOKEN = "ToKeN-sts-compat-session-FwoGZXIvYXdzE/+=="
EXPIRY = datetime.datetime(2099, 1, 2, 3, 4, 5, tzinfo=UTC)


def sts_document(action, expiration="2099-01-02T03:04:05Z"):
    """What the fake STS answers both libraries: the same temporary credentials."""
    return sts_success_xml(
        action,
        TEMP_ACCESS,
        TEMP_SECRET,
        TEMP_TOKEN,
        expiration,
        request_id="req-compat-1",
    )


ERROR_DOCUMENT = sts_error_xml(
    "AccessDenied", "Not authorized by the compat fake", request_id="req-compat-err"
)


SECRETS = (SECRET, JWT, LDAP_PASSWORD, TEMP_SECRET, TEMP_TOKEN)


@contextlib.contextmanager
def _nothing():
    yield None


def params_of(request):
    """Every STS parameter a request carried, and where: ("query"|"body", dict)."""
    query, form = request.query, request.form if request.body else {}
    if query and form:
        raise AssertionError("parameters in both the query and the body")
    return ("query", query) if query else ("body", form)


def as_tuple(creds):
    """The fields both libraries share; expiration as an aware UTC datetime."""
    # a field from minio 7.2.11 (a dataclass), private before
    expiration = getattr(creds, "expiration", getattr(creds, "_expiration", None))
    if expiration is not None and expiration.tzinfo is None:  # the SDK's naive UTC
        expiration = expiration.replace(tzinfo=UTC)
    return (creds.access_key, creds.secret_key, creds.session_token, expiration)
