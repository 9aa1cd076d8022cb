"""What the STS tests share: secrets, answers, a fake STS server base class and a
signature check as a server makes it."""

import datetime
import functools
import hashlib
import unittest
from unittest import mock

import minicreds
from minicreds import (
    AssumeRoleProvider,
    StaticProvider,
)
from tests.fakes import (
    STS_NAMESPACE,
    role_arn,
    sts_error_xml,
    sts_success_xml,
    xml_response,
)
from tests.sigv4_reference import (
    build_creq,
    parse_authorization,
    reference_authorization,
)
from tests.support import FakeServer, Response

UTC = datetime.timezone.utc
FAR = "2099-01-02T03:04:05Z"
FAR_DT = datetime.datetime(2099, 1, 2, 3, 4, 5, tzinfo=UTC)
FORM = "application/x-www-form-urlencoded; charset=utf-8"

# Distinctive fake secrets, with characters that form encoding changes.
SRC_KEY = "AKIDSOURCEKEY0000000"
SRC_SECRET = "srcSECRET/key+with=chars&more 0123456789"
SRC_TOKEN = "srcTOKEN//FwoGZXIvYXdzE+token=value&x"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJqd3RTRUNSRVQifQ.c2lnJWTSECRET+/="
LDAP_USER = "cn=alice,ou=people"
LDAP_PASSWORD = "ldap P@ss&word=+/%LDAPSECRET"
OUT_SECRET = "outSECRETfromSTS/abc+def="
OUT_TOKEN = "outTOKENfromSTS+abc/def="
ROLE = role_arn("reader")
ALL_SECRETS = (SRC_SECRET, SRC_TOKEN, JWT, LDAP_PASSWORD, OUT_SECRET, OUT_TOKEN)

MINIO_ERRORS = (  # MinIO's documented STS errors: (code, HTTP status)
    ("AccessDenied", 403),
    ("MissingParameter", 400),
    ("InvalidParameterValue", 400),
    ("ExpiredToken", 400),
    ("InvalidClientGrantsToken", 400),
    ("MalformedPolicyDocument", 400),
    ("InsecureConnection", 400),
    ("InvalidClientCertificate", 401),
    ("STSNotInitialized", 503),
    ("STSIAMNotInitialized", 503),
    ("InternalError", 500),
)
AWS_ERRORS = (
    ("InvalidClientTokenId", 403),
    ("SignatureDoesNotMatch", 403),
    ("AccessDenied", 403),
    ("ExpiredToken", 400),
    ("MalformedPolicyDocument", 400),
    ("PackedPolicyTooLarge", 400),
    ("RegionDisabledException", 403),
    ("InvalidIdentityToken", 400),
    ("IDPRejectedClaim", 403),
    ("ValidationError", 400),
)


def ok_xml(
    action="AssumeRole",
    access_key="ASIAOUT",
    expiration=FAR,
    ns=STS_NAMESPACE,
    extra="",
):
    """A success answer handing out OUT_SECRET and OUT_TOKEN, with an XML declaration
    (``ns=None``: no namespace; ``expiration=None``: no Expiration)."""
    return sts_success_xml(
        action,
        access_key,
        OUT_SECRET,
        OUT_TOKEN,
        expiration,
        namespace=ns,
        declaration=True,
        extra=extra,
    )


def error_xml(code, message="went wrong", request_id="req-4242", ns=STS_NAMESPACE):
    """An error answer with an XML declaration (``ns=None``: no namespace)."""
    return sts_error_xml(
        code, message, request_id=request_id, namespace=ns, declaration=True
    )


def answer_ok(req):
    """The default handler: credentials whose access key counts the requests."""
    action = req.form.get("Action", ["X"])[0]
    return xml_response(200, ok_xml(action, f"ASIAOUT{req.n}"))


class Sleepless:
    """No real backoff sleeps (time.sleep recorded)."""

    def __enter__(self):
        self.sleeps = []
        self._patch = mock.patch("time.sleep", self.sleeps.append)
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()


def short_budget(timeout=0.3, deadline=0.8):
    """Make ``_sts_call`` use short HTTP budgets (the defaults are 5 s and 10 s)."""
    return mock.patch.object(
        minicreds,
        "_http",
        functools.partial(minicreds._http, timeout=timeout, deadline=deadline),
    )


def check_signature(req, secret):
    """Verify the SigV4 signature of a recorded request as a server would."""
    _, fields = parse_authorization(req.headers["Authorization"])
    access_key, _, region, service, _ = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    headers = [(n, " ".join(req.headers[n].split())) for n in signed]
    creq = build_creq(
        req.method, req.path_only, "", headers, hashlib.sha256(req.body).hexdigest()
    )
    expected = reference_authorization(
        creq, req.headers["X-Amz-Date"], region, service, access_key, secret
    )
    return req.headers["Authorization"] == expected


class STSTestCase(unittest.TestCase):
    tls = False
    require_client_cert = False

    def setUp(self):
        self.server = FakeServer(
            tls=self.tls, require_client_cert=self.require_client_cert
        )
        self.server.start()
        self.addCleanup(self.server.stop)
        self.server.route("POST", "*", self.answer)
        self.url = self.server.url + "/"
        self.handler = answer_ok

    def answer(self, req):
        req.n = len(self.server.requests)
        return self.handler(req)

    def respond(self, *responses):
        """Answer the next requests with ``responses`` (the last one repeated)."""
        self.server.route("POST", "*", *(self.counted(r) for r in responses))

    def counted(self, response):
        if not callable(response) or isinstance(response, Response):
            return response

        def handler(req):
            req.n = len(self.server.requests)
            return response(req)

        return handler

    def assume_role(self, source=None, **kw):
        source = source or StaticProvider(SRC_KEY, SRC_SECRET, SRC_TOKEN)
        kw.setdefault("sts_endpoint", self.url)
        kw.setdefault("environ", {})
        return AssumeRoleProvider(source, ROLE, "session-1", **kw)

    def assert_form(self, req, expected):
        """The body is exactly ``expected`` (plus Version); nothing in the URL."""
        self.assertEqual(req.method, "POST")
        self.assertNotIn("?", req.path)
        self.assertEqual(req.headers["Content-Type"], FORM)
        want = dict(expected, Version="2011-06-15")
        self.assertEqual(req.form, {k: [v] for k, v in want.items()})
        self.assertNotIn(b"%20", req.body)  # form encoding: space as "+"


# --------------------------------------------------------------------------- endpoints


class CannedHttp:
    """Stands in for ``_http``: records the URL and headers, answers success. No
    network: the endpoint table includes real AWS host names."""

    def __init__(self):
        self.calls = []

    def __call__(self, provider, method, url, **kw):
        self.calls.append((url, kw.get("headers") or {}))
        return 200, {}, ok_xml().encode()
