"""Every HTTP provider as a target of the fault tests: how to build it against a
fake endpoint, and the answers of its service.

Shared by the fault matrix (tests/test_faults.py) and the secret hygiene tests
(tests/test_secrets.py). Adding a provider is one ``Target``: a factory (base URL ->
provider), where its fake endpoint answers (method and path, plus any other route it
needs), and its answer bodies (success, missing or empty fields, errors) in its own
format, and the outcome of a fault where it differs from the rest.

While :func:`instrumented_http` is active, two things are replaced so the faults run
fast (see :func:`recording`):

- ``minicreds.time`` is a proxy of the ``time`` module whose ``sleep`` records the
  pause asked for and sleeps a tenth of it (the backoff is still computed as shipped);
- ``minicreds._http`` is wrapped: it records the keyword arguments each provider
  passes (so the defaults of the README's "Failure behaviour", 3 attempts and a 10 s
  deadline, are checked without waiting for them), and, for the faults that need a
  timeout to fire, passes a short ``timeout``/``deadline`` instead (per thread: cases
  run on a small pool).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import inspect
import json
import os
import shutil
import tempfile
import threading
import time
from unittest import mock

import minicreds
from minicreds import (
    AssumeRoleProvider,
    CertificateIdentityProvider,
    ClientGrantsProvider,
    Credentials,
    LdapIdentityProvider,
    StaticProvider,
    STSError,
    TransportError,
    WebIdentityProvider,
)
from tests import support
from tests.fakes import (
    ACCOUNT,
    IMDS_ROLES_PATH,
    IMDS_TOKEN_PATH,
    SSO_START_URL,
    STS_NAMESPACE,
    iso_in,
    role_arn,
    sts_error_xml,
    sts_success_xml,
    xml_response,
)
from tests.support import Response

ACCESS = "ASIAFAULTMATRIXKEY01"
SECRET = "fault-matrix-secret-Qm2vX9pL4tR7"
TOKEN = "fault-matrix-token-Zr8Kd3WqF1/yN+e=="
SOURCE_SECRET = "fault-source-secret-Hb6Ts0Lx"
SOURCE_TOKEN = "fault-source-token-Jm3Wq/Ae+8=="
JWT = "eyJhbGciOi.fault-matrix-jwt.Uz5Wc2Ny"
LDAP_PASSWORD = "fault-ldap-password-Pq4Jr8"
IMDS_TOKEN = "fault-imds-token-AQAEAx7Yb2=="
AUTH_TOKEN = "fault-container-auth-Nd5Gs1"
SSO_TOKEN = "fault-sso-access-token-Tb4Hx7"
SECRETS = (
    SECRET, TOKEN, SOURCE_SECRET, SOURCE_TOKEN, JWT, LDAP_PASSWORD, IMDS_TOKEN,
    AUTH_TOKEN, SSO_TOKEN, "fault-sso-renewed-token-Kw2Lz5",
    "fault-sso-refresh-token-Vq6Rp0", "fault-sso-client-secret-Dm8Xs3",
)  # fmt: skip


# --------------------------------------------------------------------------- patches

_local = threading.local()  # what this thread's provider call records, and overrides


class _Time:
    """``time`` as minicreds sees it in these tests: sleep() recorded and shortened."""

    def __getattr__(self, name):
        return getattr(time, name)

    def sleep(self, seconds):
        pauses = getattr(_local, "pauses", None)
        if pauses is not None:
            pauses.append(seconds)
        time.sleep(seconds / 10)


_REAL_HTTP = minicreds._http


def _http_wrapper(*args, **kwargs):
    calls = getattr(_local, "calls", None)
    if calls is not None:
        bound = inspect.signature(_REAL_HTTP).bind(*args, **kwargs)
        bound.apply_defaults()
        calls.append(dict(bound.arguments))
    kwargs.update(getattr(_local, "overrides", None) or {})
    return _REAL_HTTP(*args, **kwargs)


@contextlib.contextmanager
def instrumented_http():
    """Replace ``minicreds.time`` and ``minicreds._http`` (see the module docstring)."""
    with mock.patch.object(minicreds, "time", _Time()), mock.patch.object(
        minicreds, "_http", _http_wrapper
    ):
        yield


@contextlib.contextmanager
def recording(pauses, calls, overrides=None):
    """In this thread, under :func:`instrumented_http`: append each backoff pause to
    ``pauses`` and each ``_http`` call's arguments to ``calls``, and impose
    ``overrides`` (e.g. a short ``timeout`` and ``deadline``) on every call."""
    _local.pauses, _local.calls, _local.overrides = pauses, calls, overrides
    try:
        yield
    finally:
        _local.pauses = _local.calls = _local.overrides = None


# --------------------------------------------------------------------------- outcomes


class Outcome:
    """What a fault must end in. ``error``: an exception class (exactly it for the
    CredentialsError subclasses), or None for credentials; ``requests``: how many
    requests reach the credentials path (an int, or a (low, high) range); ``has``:
    text the error message must contain; ``status``/``code``: of an STSError;
    ``creds``: the credentials expected (else the target's), ``expires``: whether
    they carry an expiration (in the future); ``none``: retrieve() returns None."""

    def __init__(self, error=None, requests=1, *, has="", status=None, code=None,
                 creds=None, expires=True, none=False):  # fmt: skip
        self.error, self.requests, self.has = error, requests, has
        self.status, self.code, self.creds, self.none = status, code, creds, none
        self.expires = expires

    def __repr__(self):
        if self.none:
            return "None"
        what = self.error.__name__ if self.error else "credentials"
        return f"{what} after {self.requests} request(s)"


def ok(requests=1, creds=None, expires=True):
    return Outcome(None, requests, creds=creds, expires=expires)


T, S = TransportError, STSError


def fails(error, requests=1, **kw):
    return Outcome(error, requests, **kw)


# --------------------------------------------------------------------------- targets


# Faults that do not exist in a family's answer format.
NOT_APPLICABLE = {
    "sts": {"fields of the wrong type (JSON)"},
    "json": {
        "throttling code twice, then answer",  # 429 is their throttling
        "throttling code every time",
        "DOCTYPE in the answer",
        "error document without a namespace",
    },
    "sso": {
        "DOCTYPE in the answer",
        "error document with status 200",
        "error document without a namespace",
    },
}


class Target:
    """One HTTP provider of the matrix.

    ``make(base_url, short)`` builds the provider for an endpoint at ``base_url`` (no
    trailing slash); ``short`` is None, or the short timeouts of the fault for a
    provider that takes its own (``shorten=False``: they are not imposed on it).
    ``method`` and ``path`` are where the credentials are asked for;
    ``routes(server)`` adds whatever else the provider needs first. ``body(kind)``
    returns the answer of a kind (see ``sts_bodies``), or None when the kind does not
    exist for this provider. ``expect`` overrides the outcome of a fault by name.
    ``shorten``: whether the short timeouts may be imposed on its HTTP calls;
    ``family``: its answer format (``NOT_APPLICABLE`` lists the faults it lacks);
    ``degrades``: a failure there is survived, so every fault ends in credentials.
    """

    def __init__(self, name, make, *, method, path, body, tls=False, routes=None,
                 expect=None, shorten=True, expected=None, attempts=3, deadline=10.0,
                 family="sts", degrades=False):  # fmt: skip
        self.name, self.make, self.method, self.path = name, make, method, path
        self.body, self.tls, self.routes = body, tls, routes
        self.expect, self.shorten = dict(expect or {}), shorten
        self.expected = expected or Credentials(ACCESS, SECRET, TOKEN)
        self.attempts, self.deadline, self.family = attempts, deadline, family
        self.degrades = degrades

    def __repr__(self):
        return self.name

    def count(self, server):
        return sum(
            1
            for r in list(server.requests)
            if r.method == self.method and r.path_only == self.path
        )


def sts_bodies(action):
    """Answers of STS ``action`` (errors: an ``ErrorResponse`` document)."""

    def document(**fields):
        found = {"access_key": ACCESS, "secret_key": SECRET, "session_token": TOKEN}
        found.update(expiration=iso_in(3600))
        found.update(fields)
        return sts_success_xml(action, **found)

    def ok(**fields):
        return xml_response(200, document(**fields))

    def refusal(status, code, message, namespace=STS_NAMESPACE):
        return xml_response(status, sts_error_xml(code, message, namespace=namespace))

    def body(kind):
        return {
            "ok": lambda: ok(),
            "no-secret": lambda: ok(secret_key=None),
            "empty-key": lambda: ok(access_key=""),
            "no-credentials": lambda: ok(credentials=False),
            "no-expiration": lambda: ok(expiration=None),
            "no-token": lambda: ok(session_token=None),
            "bad-expiration": lambda: ok(expiration="next tuesday"),
            "past": lambda: ok(expiration=iso_in(-600)),
            "refused": lambda: refusal(403, "AccessDenied", "not allowed"),
            "refused-200": lambda: refusal(200, "InvalidIdentityToken", "bad"),
            "refused-no-ns": lambda: refusal(403, "AccessDenied", "no", None),
            "unavailable": lambda: refusal(503, "ServiceUnavailable", "busy"),
            "throttle": lambda: refusal(400, "Throttling", "Rate exceeded"),
            "doctype": lambda: xml_response(
                200, '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]>' + document()
            ),
        }.get(kind, lambda: None)()

    return body


def assume_role_at(base, short=None):
    """An AssumeRoleProvider whose STS endpoint is ``base``."""
    return AssumeRoleProvider(
        StaticProvider("AKIASOURCEKEY0000001", SOURCE_SECRET, SOURCE_TOKEN),
        role_arn("fault"),
        "fault-session",
        region="us-east-1",
        sts_endpoint=base + "/",
        environ={},
    )


def _web_identity(base, short=None):
    return WebIdentityProvider(
        JWT,
        role_arn("fault"),
        "fault-session",
        sts_endpoint=base + "/",
        environ={},
    )


def _certificate(base, short=None):
    c = support.certs()
    return CertificateIdentityProvider(
        c["client_cert"], c["client_key"], base + "/", ca_file=c["ca"]
    )


def json_bodies(*, code=True):
    """Answers of the container endpoint and IMDS (the ECS/IMDS JSON document)."""

    def ok(drop=(), **fields):
        doc = {"Code": "Success", "Type": "AWS-HMAC"} if code else {}
        doc.update(AccessKeyId=ACCESS, SecretAccessKey=SECRET, Token=TOKEN)
        doc.update(Expiration=iso_in(3600), RoleArn=role_arn("fault"))
        doc.update(fields)
        return Response(200, {k: v for k, v in doc.items() if k not in drop})

    def refusal(status, code, message):
        return Response(status, {"Code": code, "Message": message})

    def body(kind):
        return {
            "ok": lambda: ok(),
            "no-secret": lambda: ok(drop=("SecretAccessKey",)),
            "empty-key": lambda: ok(AccessKeyId=""),
            "no-credentials": lambda: Response(200, {"Code": "Success"}),
            "no-expiration": lambda: ok(drop=("Expiration",)),
            "no-token": lambda: ok(drop=("Token",)),
            "wrong-types": lambda: ok(AccessKeyId=12345, Token=["x"]),
            "bad-expiration": lambda: ok(Expiration="next tuesday"),
            "past": lambda: ok(Expiration=iso_in(-600)),
            "refused": lambda: refusal(403, "AccessDenied", "not allowed"),
            "refused-200": lambda: refusal(200, "AssumeRoleUnauthorizedAccess", "no"),
            "unavailable": lambda: refusal(503, "ServiceUnavailable", "busy"),
        }.get(kind, lambda: None)()

    return body


def _imds_routes(server):
    server.route("PUT", IMDS_TOKEN_PATH, (200, IMDS_TOKEN))
    server.route("GET", IMDS_ROLES_PATH, (200, "fault-role\n"))


def _imds(base, short):
    # IMDS takes its own timeouts, from AWS_METADATA_SERVICE_TIMEOUT; its token and
    # role list must still come back in time on a loaded machine.
    timeout = max(short["timeout"], 0.5) if short else None
    environ = {"AWS_METADATA_SERVICE_TIMEOUT": str(timeout)} if short else {}
    return minicreds.IamAwsProvider(base, environ=environ)


def _container(base, short):
    environ = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/v2/credentials",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH_TOKEN,
    }
    return minicreds.ContainerProvider(environ=environ)


_sso_cache = []
_sso_lock = threading.Lock()


def _sso_cache_dir():
    """A token cache as ``aws sso login`` leaves it, made once per process."""
    with _sso_lock:
        if not _sso_cache:
            folder = tempfile.mkdtemp(prefix="minicreds-faults-sso-")
            atexit.register(shutil.rmtree, folder, True)
            name = hashlib.sha1(SSO_START_URL.encode()).hexdigest() + ".json"
            with open(os.path.join(folder, name), "w") as handle:
                json.dump(
                    {"accessToken": SSO_TOKEN, "expiresAt": iso_in(8 * 3600)}, handle
                )
            _sso_cache.append(folder)
        return _sso_cache[0]


def _sso(base, short):
    return minicreds.SSOProvider(
        SSO_START_URL, "us-east-1", ACCOUNT, "FaultRole",
        cache_dir=_sso_cache_dir(), environ={"AWS_ENDPOINT_URL_SSO": base},
    )  # fmt: skip


def sso_bodies():
    """Answers of the SSO portal's GetRoleCredentials (errors: x-amzn-ErrorType)."""

    def ok(drop=(), **fields):
        found = {"accessKeyId": ACCESS, "secretAccessKey": SECRET}
        found.update(sessionToken=TOKEN, expiration=int(time.time() + 3600) * 1000)
        found.update(fields)
        found = {k: v for k, v in found.items() if k not in drop}
        return Response(200, {"roleCredentials": found})

    def refusal(status, code, message):
        return Response(status, {"message": message}, [("x-amzn-ErrorType", code)])

    def body(kind):
        return {
            "ok": lambda: ok(),
            "no-secret": lambda: ok(drop=("secretAccessKey",)),
            "empty-key": lambda: ok(accessKeyId=""),
            "no-credentials": lambda: Response(200, {}),
            "no-expiration": lambda: ok(drop=("expiration",)),
            "no-token": lambda: ok(drop=("sessionToken",)),
            "wrong-types": lambda: ok(accessKeyId=12345),
            "bad-expiration": lambda: ok(expiration="next tuesday"),
            "past": lambda: ok(expiration=int(time.time() - 600) * 1000),
            "refused": lambda: refusal(403, "ForbiddenException", "not allowed"),
            "unavailable": lambda: refusal(503, "ServiceUnavailable", "busy"),
            "throttle": lambda: refusal(429, "TooManyRequestsException", "slow down"),
        }.get(kind, lambda: None)()

    return body


SSO_SESSION = "fault-session"
SSO_NEW_TOKEN = "fault-sso-renewed-token-Kw2Lz5"
SSO_REFRESH = "fault-sso-refresh-token-Vq6Rp0"
SSO_CLIENT_SECRET = "fault-sso-client-secret-Dm8Xs3"


def _sso_renewing(base, short):
    """An SSO session whose cached token is due for renewal (1 minute left)."""
    folder = tempfile.mkdtemp(prefix="minicreds-faults-oidc-")
    atexit.register(shutil.rmtree, folder, True)
    name = hashlib.sha1(SSO_SESSION.encode()).hexdigest() + ".json"
    with open(os.path.join(folder, name), "w") as handle:
        json.dump(
            {
                "startUrl": SSO_START_URL,
                "region": "us-east-1",
                "accessToken": SSO_TOKEN,
                "expiresAt": iso_in(60),
                "clientId": "fault-client",
                "clientSecret": SSO_CLIENT_SECRET,
                "refreshToken": SSO_REFRESH,
                "registrationExpiresAt": iso_in(30 * 86400),
            },
            handle,
        )
    return minicreds.SSOProvider(
        SSO_START_URL, "us-east-1", ACCOUNT, "FaultRole", session_name=SSO_SESSION,
        cache_dir=folder, environ={"AWS_ENDPOINT_URL": base},
    )  # fmt: skip


def _portal(request):
    """The SSO portal: role credentials for the cached or the renewed token only."""
    if request.headers.get("x-amz-sso_bearer_token") not in (SSO_TOKEN, SSO_NEW_TOKEN):
        return Response(401, {"message": "Session token not found or invalid"})
    return sso_bodies()("ok")


def oidc_bodies():
    """Answers of the SSO OIDC CreateToken (refresh_token grant)."""

    def ok(drop=(), **fields):
        doc = {"accessToken": SSO_NEW_TOKEN, "expiresIn": 28800}
        doc.update(tokenType="Bearer", refreshToken="fault-sso-refresh-2")
        doc.update(fields)
        return Response(200, {k: v for k, v in doc.items() if k not in drop})

    def refusal(status, code, message):
        return Response(status, {"error": code, "error_description": message})

    def body(kind):
        return {
            "ok": lambda: ok(),
            "no-secret": lambda: ok(drop=("accessToken",)),
            "empty-key": lambda: ok(accessToken=""),
            "no-credentials": lambda: Response(200, {}),
            "no-expiration": lambda: ok(drop=("expiresIn",)),
            "no-token": lambda: ok(drop=("refreshToken",)),
            "wrong-types": lambda: ok(accessToken=12345),
            "bad-expiration": lambda: ok(expiresIn="soon"),
            "past": lambda: ok(expiresIn=-600),
            "refused": lambda: refusal(400, "invalid_grant", "expired"),
            "unavailable": lambda: refusal(503, "ServiceUnavailable", "busy"),
            "throttle": lambda: refusal(429, "SlowDown", "slow down"),
        }.get(kind, lambda: None)()

    return body


SSO_EXPECT = {
    "session token missing": ok(1, Credentials(ACCESS, SECRET)),
    "refused (403 error document)": fails(S, 1, status=403, code="ForbiddenException"),
    "throttling code every time": fails(
        S, 3, status=429, code="TooManyRequestsException"
    ),
}

# IMDS, where it differs from the rest (README, "Instance metadata timeouts"): when
# nothing answers at all this is not EC2, so None. Expired credentials with nothing in
# hand are an error, as everywhere (README, "Refreshing"); with credentials in hand
# they are served a few minutes more (static stability: tests/test_imds.py).
# The container endpoint and IMDS accept an answer without Token or Expiration (STS
# requires both): such credentials are kept until the process ends.
JSON_EXPECT = {
    "expiration missing": ok(1, expires=False),
    "session token missing": ok(1, Credentials(ACCESS, SECRET)),
}
IMDS_EXPECT = {
    **JSON_EXPECT,
    "listener that never accepts": Outcome(none=True, requests=0),
    "connect times out (full backlog)": Outcome(none=True, requests=0),
    "connection refused": Outcome(none=True, requests=0),
}

TARGETS = [
    Target("AssumeRole", assume_role_at, method="POST", path="/",
           body=sts_bodies("AssumeRole")),
    Target("AssumeRoleWithWebIdentity", _web_identity, method="POST", path="/",
           body=sts_bodies("AssumeRoleWithWebIdentity")),
    Target("AssumeRoleWithClientGrants",
           lambda base, short: ClientGrantsProvider(JWT, base + "/"),
           method="POST", path="/", body=sts_bodies("AssumeRoleWithClientGrants")),
    Target("AssumeRoleWithLDAPIdentity",
           lambda base, short: LdapIdentityProvider("fault-user", LDAP_PASSWORD,
                                                    base + "/"),
           method="POST", path="/", body=sts_bodies("AssumeRoleWithLDAPIdentity")),
    Target("AssumeRoleWithCertificate (mTLS)", _certificate, method="POST", path="/",
           body=sts_bodies("AssumeRoleWithCertificate"), tls=True),
    Target("ContainerProvider", _container, method="GET", path="/v2/credentials",
           body=json_bodies(code=False), expect=JSON_EXPECT, family="json"),
    Target("IamAwsProvider (IMDSv2)", _imds, method="GET",
           path=IMDS_ROLES_PATH + "fault-role", body=json_bodies(), routes=_imds_routes,
           expect=IMDS_EXPECT, shorten=False, family="json"),
    Target("SSOProvider", _sso, method="GET", path="/federation/credentials",
           body=sso_bodies(), expect=SSO_EXPECT, family="sso"),
    # The faults hit the token renewal; the token in hand still works, so whatever
    # the renewal does, the credentials are found (when the portal, on the same
    # server, can be reached).
    Target("SSOProvider token renewal (OIDC)", _sso_renewing, method="POST",
           path="/token", body=oidc_bodies(), family="sso",
           routes=lambda server: server.route(
               "GET", "/federation/credentials", _portal),
           degrades=True),
]  # fmt: skip
