"""HTTP fault matrix (issue 10; SPEC sections 5 and 6).

Every fault in ``FAULTS`` is run against every HTTP provider in ``TARGETS`` and must
end in its documented outcome: credentials after the retries SPEC 5 allows (connection
errors, 5xx, 429, throttling codes; 3 attempts), or a specific error class, within a
generous bound that only catches a hang.

Adding a provider is one ``Target``: a factory (base URL -> provider), where its fake
endpoint answers (method and path, plus any other route it needs), and its answer
bodies (success, missing or empty fields, errors) in its own format.

To keep the matrix fast, two things are replaced while it runs (see ``_patched``):

- ``minicreds.time`` is a proxy of the ``time`` module whose ``sleep`` records the
  pause asked for and sleeps a tenth of it (the backoff is still computed as shipped);
- ``minicreds._http`` is wrapped: it records the keyword arguments each provider
  passes (so the defaults SPEC 5 fixes, 3 attempts and a 10 s deadline, are checked
  without waiting for them), and, for the faults that need a timeout to fire, passes a
  short ``timeout``/``deadline`` instead (per thread: cases run on a small pool).

Everything listens on 127.0.0.1. The "other host" of the redirect faults is a second
server on another port: it must receive nothing.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import datetime
import gc
import hashlib
import inspect
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import unittest
from unittest import mock

import minicreds
from minicreds import (
    AssumeRoleProvider,
    CertificateIdentityProvider,
    ClientGrantsProvider,
    ConfigError,
    Credentials,
    CredentialsError,
    LdapIdentityProvider,
    StaticProvider,
    STSError,
    TransportError,
    WebIdentityProvider,
)
from tests import support
from tests.support import FakeServer, Response

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
    AUTH_TOKEN, SSO_TOKEN, "fault-sso-renewed-token-Kw2Lz5", "fault-sso-refresh-token-Vq6Rp0",
    "fault-sso-client-secret-Dm8Xs3",
)  # fmt: skip

BOUND = 20.0  # seconds: any case taking longer is a hang
# For faults that wait for a timeout, and for one timeout followed by a retry.
SHORT = {"timeout": 0.2, "connect_timeout": 0.2, "deadline": 0.6}
RETRY_SLOW = {"timeout": 1.0, "connect_timeout": 1.0, "deadline": 8.0}
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def iso(seconds_from_now: float) -> str:
    when = datetime.datetime.now(datetime.timezone.utc)
    when += datetime.timedelta(seconds=seconds_from_now)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- patches

_local = threading.local()


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
def _patched():
    with mock.patch.object(minicreds, "time", _Time()), mock.patch.object(
        minicreds, "_http", _http_wrapper
    ):
        yield


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
    provider that takes its own (``shorten=False``: they are not imposed on it). ``method`` and ``path`` are where the credentials are asked for;
    ``routes(server)`` adds whatever else the provider needs first. ``body(kind)``
    returns the answer of a kind (see ``STS_BODIES``), or None when the kind does not
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


def sts_xml(action, fields=None, *, drop=(), expiration=None, wrap=True):
    values = {
        "AccessKeyId": ACCESS,
        "SecretAccessKey": SECRET,
        "SessionToken": TOKEN,
        "Expiration": expiration or iso(3600),
    }
    values.update(fields or {})
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in values.items() if k not in drop)
    creds = f"<Credentials>{inner}</Credentials>" if wrap else ""
    return (
        f'<{action}Response xmlns="{STS_NS}"><{action}Result>{creds}'
        f"<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>"
        f"</AssumedRoleUser></{action}Result><ResponseMetadata><RequestId>"
        f"req-ok-1</RequestId></ResponseMetadata></{action}Response>"
    )


def sts_error(code, message="", status=400, ns=True):
    xmlns = f' xmlns="{STS_NS}"' if ns else ""
    doc = (
        f"<ErrorResponse{xmlns}><Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>req-err-1</RequestId>"
        "</ErrorResponse>"
    )
    return Response(status, doc, [("Content-Type", "text/xml")])


def sts_bodies(action):
    def ok(**kw):
        return Response(200, sts_xml(action, **kw), [("Content-Type", "text/xml")])

    def body(kind):
        return {
            "ok": lambda: ok(),
            "no-secret": lambda: ok(drop=("SecretAccessKey",)),
            "empty-key": lambda: ok(fields={"AccessKeyId": ""}),
            "no-credentials": lambda: ok(wrap=False),
            "no-expiration": lambda: ok(drop=("Expiration",)),
            "no-token": lambda: ok(drop=("SessionToken",)),
            "bad-expiration": lambda: ok(fields={"Expiration": "next tuesday"}),
            "past": lambda: ok(expiration=iso(-600)),
            "refused": lambda: sts_error("AccessDenied", "not allowed", 403),
            "refused-200": lambda: sts_error("InvalidIdentityToken", "bad", 200),
            "refused-no-ns": lambda: sts_error("AccessDenied", "no", 403, ns=False),
            "unavailable": lambda: sts_error("ServiceUnavailable", "busy", 503),
            "throttle": lambda: sts_error("Throttling", "Rate exceeded", 400),
            "doctype": lambda: Response(
                200,
                '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]>' + sts_xml(action),
                [("Content-Type", "text/xml")],
            ),
        }.get(kind, lambda: None)()

    return body


def _assume_role(base, short=None):
    return AssumeRoleProvider(
        StaticProvider("AKIASOURCEKEY0000001", SOURCE_SECRET, SOURCE_TOKEN),
        "arn:aws:iam::123456789012:role/fault",
        "fault-session",
        region="us-east-1",
        sts_endpoint=base + "/",
        environ={},
    )


def _web_identity(base, short=None):
    return WebIdentityProvider(
        JWT,
        "arn:aws:iam::123456789012:role/fault",
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
        doc.update(Expiration=iso(3600), RoleArn="arn:aws:iam::1:role/fault")
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
            "past": lambda: ok(Expiration=iso(-600)),
            "refused": lambda: refusal(403, "AccessDenied", "not allowed"),
            "refused-200": lambda: refusal(200, "AssumeRoleUnauthorizedAccess", "no"),
            "unavailable": lambda: refusal(503, "ServiceUnavailable", "busy"),
        }.get(kind, lambda: None)()

    return body


ROLE_PATH = "/latest/meta-data/iam/security-credentials/"


def _imds_routes(server):
    server.route("PUT", "/latest/api/token", (200, IMDS_TOKEN))
    server.route("GET", ROLE_PATH, (200, "fault-role\n"))


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


SSO_START = "https://d-1234567890.awsapps.com/start"
_sso_cache = []
_sso_lock = threading.Lock()


def _sso_cache_dir():
    """A token cache as ``aws sso login`` leaves it, made once per process."""
    with _sso_lock:
        if not _sso_cache:
            folder = tempfile.mkdtemp(prefix="minicreds-faults-sso-")
            atexit.register(shutil.rmtree, folder, True)
            name = hashlib.sha1(SSO_START.encode()).hexdigest() + ".json"
            with open(os.path.join(folder, name), "w") as handle:
                json.dump(
                    {"accessToken": SSO_TOKEN, "expiresAt": iso(8 * 3600)}, handle
                )
            _sso_cache.append(folder)
        return _sso_cache[0]


def _sso(base, short):
    return minicreds.SSOProvider(
        SSO_START, "us-east-1", "123456789012", "FaultRole",
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
                "startUrl": SSO_START,
                "region": "us-east-1",
                "accessToken": SSO_TOKEN,
                "expiresAt": iso(60),
                "clientId": "fault-client",
                "clientSecret": SSO_CLIENT_SECRET,
                "refreshToken": SSO_REFRESH,
                "registrationExpiresAt": iso(30 * 86400),
            },
            handle,
        )
    return minicreds.SSOProvider(
        SSO_START, "us-east-1", "123456789012", "FaultRole", session_name=SSO_SESSION,
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

# IMDS, where it differs from the rest (SPEC 6): when nothing answers at all this is
# not EC2, so None. Expired credentials with nothing in hand are an error, as
# everywhere (SPEC 7); with credentials in hand they are served a few minutes more
# (static stability: tests/test_imds.py).
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
    Target("AssumeRole", _assume_role, method="POST", path="/",
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
    Target("IamAwsProvider (IMDSv2)", _imds, method="GET", path=ROLE_PATH + "fault-role",
           body=json_bodies(), routes=_imds_routes, expect=IMDS_EXPECT, shorten=False,
           family="json"),
    Target("SSOProvider", _sso, method="GET", path="/federation/credentials",
           body=sso_bodies(), expect=SSO_EXPECT, family="sso"),
    # The faults hit the token renewal; the token in hand still works, so whatever
    # the renewal does, the credentials are found (when the portal, on the same
    # server, can be reached).
    Target("SSOProvider token renewal (OIDC)", _sso_renewing, method="POST",
           path="/token", body=oidc_bodies(), family="sso",
           routes=lambda server: server.route("GET", "/federation/credentials", _portal),
           degrades=True),
]  # fmt: skip


# --------------------------------------------------------------------------- faults


class Fault:
    """``answers(target, other)``: the responses queued on the credentials path, in
    order (the last repeats); ``endpoint``: ``server`` (a FakeServer), ``blackhole``
    (a listener that never accepts), ``backlog`` (connect times out) or ``refused``
    (a closed port); ``short``: impose short timeouts (True: ``SHORT``, or a dict); ``needs``: body kinds used;
    ``other``: start the second server ("another host")."""

    def __init__(self, name, answers, outcome, *, endpoint="server", short=False,
                 needs=(), other=False):  # fmt: skip
        self.name, self.answers, self.outcome = name, answers, outcome
        self.endpoint, self.short, self.needs = endpoint, short, needs
        self.other = other

    def __repr__(self):
        return self.name


def _redirect(status):
    def answers(target, other):
        return [Response(status, b"", [("Location", other.url + target.path)])]

    return answers


def _over_cap(length):
    def answers(target, other):
        return [support.oversized(2 * support.MiB, content_length=length)]

    return answers


def _b(kind):
    return lambda target, other: [target.body(kind)]


def _seq(*parts):
    """Answers from parts: a body kind (str), a Response or a factory of one."""

    def answers(target, other):
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(target.body(part))
            elif isinstance(part, Response):
                out.append(part)
            else:
                out.append(part())
        return out

    return answers


FAULTS = [
    # Slow and silent endpoints.
    Fault("delay 0.3 s, then answer", lambda t, o: [_delayed(t.body("ok"), 0.3)],
          ok(1)),
    Fault("first answer slower than the timeout, then answer",
          _seq(lambda: Response(200, b"late", delay=3.0), "ok"), ok(2),
          short=RETRY_SLOW),
    Fault("never answers (request read, no reply)", lambda t, o: [support.hang()],
          fails(T, (1, 3)), short=True),
    Fault("listener that never accepts", None, fails(T, 0), endpoint="blackhole",
          short=True),
    Fault("connect times out (full backlog)", None, fails(T, 0), endpoint="backlog",
          short=True),
    Fault("connection refused", None, fails(T, 0), endpoint="refused"),
    # Broken connections.
    Fault("reset before any answer, then answer",
          _seq(lambda: support.reset("before"), "ok"), ok(2)),
    Fault("reset mid-body, then answer",
          _seq(lambda: support.reset("mid_body"), "ok"), ok(2)),
    Fault("reset mid-body every time", lambda t, o: [support.reset("mid_body")],
          fails(T, 3)),
    Fault("truncated body, then answer", _seq(lambda: support.truncated(), "ok"),
          ok(2)),
    Fault("truncated body every time", lambda t, o: [support.truncated()],
          fails(T, 3)),
    # Server errors and throttling.
    Fault("500, 502, then answer", _seq(Response(500), Response(502), "ok"), ok(3)),
    Fault("503, 429, then answer", _seq(Response(503), Response(429), "ok"), ok(3)),
    Fault("500, 502, 503, then answer (too late)",
          _seq(Response(500), Response(502), Response(503), "ok"), fails(T, 3)),
    Fault("503 error document every time", _b("unavailable"),
          fails(S, 3, status=503, code="ServiceUnavailable"), needs=("unavailable",)),
    Fault("throttling code twice, then answer", _seq("throttle", "throttle", "ok"),
          ok(3), needs=("throttle",)),
    Fault("throttling code every time", _b("throttle"),
          fails(S, 3, code="Throttling"), needs=("throttle",)),
    # Answers that are not what was asked for.
    Fault("HTML 502 page every time", lambda t, o: [support.html_error(502)],
          fails(T, 3)),
    Fault("HTML 403 page", lambda t, o: [support.html_error(403)], fails(T, 1)),
    Fault("HTML page with status 200", lambda t, o: [support.html_error(200)],
          fails(T, 1)),
    Fault("404 text", lambda t, o: [Response(404, "no such thing")], fails(T, 1)),
    Fault("empty 200", lambda t, o: [Response(200, b"")], fails(T, 1)),
    Fault("body over 1 MiB (Content-Length)", _over_cap(True), fails(T, 1)),
    Fault("body over 1 MiB (no Content-Length)", _over_cap(False), fails(T, 1)),
    Fault("non-UTF-8 bytes", lambda t, o: [support.non_utf8(200)], fails(T, 1)),
    Fault("gzip when not asked", lambda t, o: [support.gzipped(200, t.body("ok").body)],
          fails(T, 1)),
    Fault("302 to another host", _redirect(302), fails(T, 1, has="302"),
          other=True),
    Fault("307 to another host", _redirect(307), fails(T, 1, has="307"),
          other=True),
    Fault("308 to another host", _redirect(308), fails(T, 1, has="308"),
          other=True),
    Fault("DOCTYPE in the answer", _b("doctype"), fails(T, 1), needs=("doctype",)),
    # Well-formed answers with holes.
    Fault("secret key missing", _b("no-secret"), fails(T, 1)),
    Fault("access key empty", _b("empty-key"), fails(T, 1)),
    Fault("no credentials at all", _b("no-credentials"), fails(T, 1),
          needs=("no-credentials",)),
    Fault("expiration missing", _b("no-expiration"), fails(T, 1)),
    Fault("session token missing", _b("no-token"), fails(T, 1)),
    Fault("fields of the wrong type (JSON)", _b("wrong-types"), fails(T, 1),
          needs=("wrong-types",)),
    Fault("expiration not a date", _b("bad-expiration"), fails(T, 1)),
    Fault("expiration in the past", _b("past"),
          fails(CredentialsError, 1, has="expired")),
    # Refusals.
    Fault("refused (403 error document)", _b("refused"),
          fails(S, 1, status=403, code="AccessDenied")),
    Fault("error document with status 200", _b("refused-200"), fails(S, 1, status=200),
          needs=("refused-200",)),
    Fault("error document without a namespace", _b("refused-no-ns"),
          fails(S, 1, status=403, code="AccessDenied"), needs=("refused-no-ns",)),
]  # fmt: skip


def _delayed(response, seconds):
    response.delay = seconds
    return response


# --------------------------------------------------------------------------- runner


class Result:
    def __init__(self):
        self.creds = self.error = None
        self.seconds = 0.0
        self.requests = 0
        self.other_requests = []
        self.pauses = []
        self.calls = []
        self.skipped = ""
        self.crash = None


def run_case(target, fault):
    """Run one fault against one target in this thread; never raises."""
    result = Result()
    for kind in fault.needs:
        if target.body(kind) is None:
            result.skipped = f"{target.name} has no {kind!r} answer"
            return result
    try:
        with contextlib.ExitStack() as stack:
            other = FakeServer()  # the "other host" of the redirect faults
            if fault.other:
                stack.enter_context(other)
            server = None
            scheme = "https" if target.tls else "http"
            if fault.endpoint == "server":
                server = FakeServer(tls=target.tls, require_client_cert=target.tls)
                stack.enter_context(server)
                if target.routes:
                    target.routes(server)
                answers = fault.answers(target, other)
                server.route(target.method, target.path, *answers)
                base = server.url
            elif fault.endpoint == "refused":
                base = f"{scheme}://127.0.0.1:{support.free_port()}"
            else:
                maker = (
                    support.blackhole
                    if fault.endpoint == "blackhole"
                    else (support.full_backlog)
                )
                addr = stack.enter_context(maker())
                base = f"{scheme}://{addr.host}:{addr.port}"
            short = SHORT if fault.short is True else fault.short or None
            provider = target.make(base, None if target.shorten else short)
            _local.pauses, _local.calls = result.pauses, result.calls
            _local.overrides = short if short and target.shorten else None
            start = time.monotonic()
            try:
                result.creds = provider.retrieve()
            except Exception as exc:  # noqa: BLE001 - kept for the assertions
                result.error = exc
            result.seconds = time.monotonic() - start
            _local.pauses = _local.calls = _local.overrides = None
            if server is not None:
                result.requests = target.count(server)
            result.other_requests = list(other.requests)
    except Exception as exc:  # noqa: BLE001 - a bug in the harness
        result.crash = exc
    return result


def run_matrix(targets, faults, workers=16):
    cases = [(t, f) for t in targets for f in faults]
    slow = [c for c in cases if c[1].short]  # the waits overlap: start them first
    order = slow + [c for c in cases if not c[1].short]
    with _patched(), concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = {c: pool.submit(run_case, *c) for c in order}
        return [(t, f, futures[t, f].result(timeout=120)) for t, f in cases]


class MatrixCase(unittest.TestCase):
    """Asserts one matrix result against its documented outcome."""

    def check(self, target, fault, result):
        expected = target.expect.get(fault.name, fault.outcome)
        if target.degrades and fault.endpoint == "server":
            expected = ok(expected.requests)
        if result.crash is not None:
            self.fail(f"harness error: {result.crash!r}")
        self.assertLess(result.seconds, BOUND, "took too long: a hang")
        self.assertEqual(result.other_requests, [], "the other host was contacted")
        for secret in SECRETS:
            for text in support.exception_texts(result.error) if result.error else ():
                self.assertNotIn(secret, text)
        low, high = (
            expected.requests
            if isinstance(expected.requests, tuple)
            else (expected.requests,) * 2
        )
        if expected.none:
            self.assertIsNone(result.error)
            self.assertIsNone(result.creds)
        elif expected.error is None:
            if result.error is not None:
                self.fail(f"expected credentials, got {result.error!r}")
            want = expected.creds or target.expected
            got = result.creds
            self.assertIsInstance(got, Credentials)
            self.assertEqual(
                (got.access_key, got.secret_key, got.session_token),
                (want.access_key, want.secret_key, want.session_token),
            )
            if expected.expires:  # the answer's expiration, in the future
                self.assertIsNotNone(got.expiration)
                self.assertFalse(got.is_expired())
            else:
                self.assertIsNone(got.expiration)
        else:
            self.assertIsNone(result.creds, "expected an error, got credentials")
            self.assertIsNotNone(result.error, "expected an error")
            if issubclass(expected.error, CredentialsError) and expected.error is not (
                CredentialsError
            ):
                self.assertIs(type(result.error), expected.error, repr(result.error))
            else:
                self.assertIsInstance(result.error, expected.error)
            message = str(result.error)
            self.assertIn(expected.has, message)
            if expected.status is not None:
                self.assertEqual(result.error.status, expected.status)
            if expected.code is not None:
                self.assertEqual(result.error.code, expected.code)
        if not (low <= result.requests <= high):
            self.fail(f"{result.requests} requests, expected {low} to {high}")
        # Backoff: a pause before each retry, none after the last attempt, each
        # jittered within SPEC 5's bounds (here at most 2 s).
        calls = max(1, len(result.calls))  # HTTP exchanges (a renewal, then a call)
        self.assertLessEqual(len(result.pauses), (target.attempts - 1) * calls)
        for pause in result.pauses:
            self.assertTrue(0 <= pause <= 2.0, pause)


class FaultMatrixTest(MatrixCase):
    """Every fault against every HTTP provider."""

    results = None

    @classmethod
    def setUpClass(cls):
        support.certs()  # made once, before the pool starts
        with support.SecretWatch() as cls.watch:  # the warnings, kept for a check
            cls.results = run_matrix(TARGETS, FAULTS)

    @classmethod
    def tearDownClass(cls):
        # Python 3.12.1 crashes in its final garbage collection when these results
        # (exceptions holding the pool threads' frames) live until shutdown.
        cls.results = cls.watch = None
        gc.collect()

    def test_logs_hold_no_secret(self):
        self.assertTrue(self.watch.records)  # e.g. the failed renewals' warnings
        self.watch.assert_clean(self, *SECRETS)

    def test_every_fault_against_every_provider(self):
        for target, fault, result in self.results:
            with self.subTest(provider=target.name, fault=fault.name):
                if not result.skipped:
                    self.check(target, fault, result)

    def test_only_faults_foreign_to_a_format_are_left_out(self):
        for target in TARGETS:
            with self.subTest(provider=target.name):
                skipped = {
                    f.name for t, f, r in self.results if t is target and r.skipped
                }
                self.assertEqual(skipped, NOT_APPLICABLE[target.family])

    def test_matrix_covers_every_provider_and_fault(self):
        self.assertEqual(len(self.results), len(TARGETS) * len(FAULTS))
        names = [t.name for t in TARGETS]
        self.assertEqual(len(set(names)), len(names))

    def test_providers_ask_for_spec_attempts_and_deadline(self):
        # The wrapper saw each provider's own arguments before any shortening.
        for target, fault, result in self.results:
            if fault.name != "500, 502, then answer":
                continue
            with self.subTest(provider=target.name):
                self.assertTrue(result.calls)
                for call in result.calls:
                    self.assertLessEqual(call["attempts"], target.attempts)
                    self.assertLessEqual(call["deadline"], target.deadline)

    def test_retries_pause_with_backoff(self):
        for target, fault, result in self.results:
            if fault.name != "500, 502, then answer" or not target.shorten:
                continue
            with self.subTest(provider=target.name):
                self.assertEqual(len(result.pauses), 2, result.pauses)


# --------------------------------------------------------------------------- redirects


class RedirectTest(unittest.TestCase):
    """No 3xx is ever followed, so no credential, token or header travels on."""

    def test_no_redirect_status_is_followed_with_credentials(self):
        with FakeServer() as other, FakeServer() as sts:
            for status in (301, 302, 303, 307, 308):
                for location in (
                    f"http://localhost:{other.port}/",
                    f"{other.url}/",
                    f"//127.0.0.1:{other.port}/",
                    "/elsewhere",
                ):
                    with self.subTest(status=status, location=location):
                        sts.reset_routes()
                        sts.route(
                            "*", "*", Response(status, b"", [("Location", location)])
                        )
                        provider = _assume_role(sts.url)
                        with self.assertRaises(TransportError) as caught:
                            provider.retrieve()
                        self.assertIn(str(status), str(caught.exception))
                        self.assertEqual(len(sts.requests), 1)
                        self.assertEqual(other.requests, [])
            self.assertEqual(other.requests, [])


class _NoNetwork:
    """Records, and refuses, any name lookup or connection attempt."""

    def __enter__(self):
        self.calls = []

        def refuse(name):
            def fake(*args, **kwargs):
                self.calls.append(name)
                raise OSError("network use refused by the test")

            return fake

        self._patches = [
            mock.patch.object(socket, name, refuse(name))
            for name in ("getaddrinfo", "gethostbyname", "create_connection")
        ] + [mock.patch.object(socket.socket, "connect", refuse("connect"))]
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc):
        for patch in self._patches:
            patch.stop()


class ContainerAllowListTest(unittest.TestCase):
    """SPEC 6: over http, the full URI's host must be an exact IP literal in
    127.0.0.0/8 or ::1, 169.254.170.2, 169.254.170.23, fd00:ec2::23, or the name
    ``localhost``. Everything else is refused before any lookup or connection, and
    the authorization token goes nowhere."""

    BYPASSES = (
        # Names, including ones that resolve to loopback in public DNS.
        "http://localtest.me:{port}/",
        "http://127.0.0.1.nip.io:{port}/",
        "http://localhost.:{port}/",
        "http://localhost.localdomain:{port}/",
        # Odd IPv4 spellings that inet_aton (and so a connect()) would accept.
        "http://127.1:{port}/",
        "http://0x7f.1:{port}/",
        "http://0x7f000001:{port}/",
        "http://2130706433:{port}/",
        "http://0177.0.0.1:{port}/",
        "http://127.000.000.001:{port}/",
        "http://0251.0376.0252.02/",
        "http://169.254.43518/",
        # IPv6 forms that embed an allowed IPv4 address.
        "http://[::ffff:169.254.170.2]/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://[::ffff:7f00:1]:{port}/",
        "http://[0:0:0:0:0:ffff:a9fe:aa02]/",
        "http://[::127.0.0.1]:{port}/",
        "http://[64:ff9b::7f00:1]:{port}/",
        "http://[::1%25lo]:{port}/",
        # Userinfo and delimiter tricks: the real host is not an allowed one.
        "http://127.0.0.1@evil.example/",
        "http://127.0.0.1:{port}@evil.example/",
        "http://169.254.170.2@evil.example/",
        "http://localhost@evil.example/",
        "http://user:pw@127.0.0.1:{port}/",
        "http://127.0.0.1%2f@evil.example/",
        "http://127.0.0.1\\@evil.example/",
        "http://evil.example\\@127.0.0.1:{port}/",
        "http://evil.example?@127.0.0.1:{port}/",
        "http://127.0.0.1.evil.example/",
    )

    def test_bypasses_are_refused_before_any_lookup_or_connection(self):
        with FakeServer() as server:
            for template in self.BYPASSES:
                url = template.format(port=server.port)
                with self.subTest(url=url):
                    provider = minicreds.ContainerProvider(
                        environ={
                            "AWS_CONTAINER_CREDENTIALS_FULL_URI": url,
                            "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH_TOKEN,
                        }
                    )
                    with _NoNetwork() as net, self.assertRaises(CredentialsError) as c:
                        provider.retrieve()
                    self.assertEqual(net.calls, [])
                    self.assertIsInstance(c.exception, ConfigError)
                    for text in support.exception_texts(c.exception):
                        self.assertNotIn(AUTH_TOKEN, text)
            self.assertEqual(server.requests, [])

    def test_the_allowed_spellings_reach_the_endpoint(self):
        body = json_bodies(code=False)("ok")
        for host in ("127.0.0.1", "localhost", "LOCALHOST"):
            with self.subTest(host=host), FakeServer() as server:
                server.route("GET", "/creds", body)
                url = f"http://{host}:{server.port}/creds"
                provider = minicreds.ContainerProvider(
                    environ={
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI": url,
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH_TOKEN,
                    }
                )
                self.assertEqual(provider.retrieve().secret_key, SECRET)
                self.assertEqual(
                    server.requests[0].headers["Authorization"], AUTH_TOKEN
                )


class SocketHygieneTest(unittest.TestCase):
    """No exchange, however it fails, leaves its socket open: a provider keeps its
    last failure, and with it the frames of the exchange that failed."""

    def test_every_fault_closes_its_socket(self):
        target = TARGETS[2]  # ClientGrants: unsigned, plain http
        faults = [f for f in FAULTS if f.endpoint == "server" and not f.short]
        made = []
        real = socket.create_connection

        def recording(*args, **kwargs):
            sock = real(*args, **kwargs)
            made.append(sock)
            return sock

        patch = mock.patch.object(socket, "create_connection", recording)
        with patch, support.SecretWatch():  # the watch keeps the run quiet
            results = run_matrix([target], faults)
        self.assertEqual([r.crash for _, _, r in results if r.crash], [])
        self.assertGreater(len(made), len(faults))
        # The errors (and their tracebacks) are still alive here, on purpose.
        still_open = [s for s in made if s.fileno() != -1]
        self.assertEqual(still_open, [])
        self.assertTrue(any(r.error for _, _, r in results))


class SpecNumbersTest(unittest.TestCase):
    def test_http_helper_defaults(self):
        # SPEC 5: 3 attempts, a 10 s overall deadline, a 1 MiB cap.
        defaults = _REAL_HTTP.__kwdefaults__
        self.assertEqual(defaults["attempts"], 3)
        self.assertEqual(defaults["deadline"], 10.0)
        self.assertEqual(minicreds._MAX_BODY, 1 << 20)


if __name__ == "__main__":
    unittest.main()
