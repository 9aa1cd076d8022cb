"""Secret hygiene (issue 10; README, "Errors", "Command line" and "Failure behaviour"):
no secret is ever shown.

Distinctive secrets go into every provider (through its arguments, the environment,
files, the command line of a ``credential_process``, URLs and proxies) and through
its failure paths, including a server that repeats the whole request it got (body,
form values decoded, headers, query) in every field of its error answer. Everything
observable is captured: ``repr``/``str`` of what is returned and of the providers,
each exception's text, ``args``, attributes and ``__cause__``/``__context__`` chain
and traceback, every log record at DEBUG, a chain's ``attempts``, and the command
line's stdout and stderr. No secret may appear in any of it, raw or URL-encoded
(except, by design, on the stdout of the ``--format`` choices that print secrets).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import unittest
import urllib.parse
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape

import minicreds
from minicreds import (
    AssumeRoleProvider,
    AWSConfigProvider,
    CertificateIdentityProvider,
    ChainedProvider,
    Credentials,
    EnvAWSProvider,
    EnvMinioProvider,
    LdapIdentityProvider,
    MinioClientConfigProvider,
    StaticProvider,
    WebIdentityProvider,
)
from tests import http_targets as targets
from tests import support
from tests.fakes import iso_in, sts_error_xml
from tests.support import FakeServer, Response

SCRIPT = os.path.join(support.REPO, "minicreds.py")

ENV_SECRET = "hyg-env-secret-Lk4Pz/Xr7+Qw"
ENV_TOKEN = "hyg-env-session-token-Fj2Nc+Vd9/Yb=="
FILE_SECRET = "hyg-file-secret-Uo3Mi8Hs%Gt5"
FILE_TOKEN = "hyg-file-token-Re6Tw1Qa/Zx0"
URL_PASSWORD = "hyg-url-password-Bn7Mk2"
URL_QUERY = "hyg-url-query-Cv5Xz9"
PROXY_PASSWORD = "hyg-proxy-password-Sd8Fg3"
ARG_SECRET = "hyg-process-arg-Qa1Ws2Ed3"
KEY_SECRET = "hyg-private-key-Mn4Bv5Cx6"
MC_SECRET = "hyg-mc-secret-Lp0Ok9Ij8"
SSO_REFRESH = "hyg-sso-refresh-token-Yh7Tg6"
SSO_CLIENT_SECRET = "hyg-sso-client-secret-Rf5Ed4"
LOGIN_SECRET = "hyg-login-secret-Wq2Er3"
LOGIN_TOKEN = "hyg-login-session-token-Ty4Ui5"
LOGIN_REFRESH = "hyg-login-refresh-token-Op6As7"
# A P-256 key in PEM, as `aws login` caches it: the whole text, and its base64 body.
LOGIN_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIDp7lGYqkA3rPj0rGN3TKDIZ0dxKyIhFRoWG/6Lj6I3EoAoGCCqGSM49\n"
    "AwEHoUQDQgAEvR2oK8DXvwzH3QzgQsl8XvDvhiSq1RPLbBz4QGl5f9EVfyMoLhGU\n"
    "Oa7c/4yxOeV3UJ1Q2MWzRwJC1G2yG3u1Zg==\n"
    "-----END EC PRIVATE KEY-----\n"
)
SECRETS = targets.SECRETS + (
    ENV_SECRET, ENV_TOKEN, FILE_SECRET, FILE_TOKEN, URL_PASSWORD, URL_QUERY,
    PROXY_PASSWORD, ARG_SECRET, KEY_SECRET, MC_SECRET, SSO_REFRESH, SSO_CLIENT_SECRET,
    LOGIN_SECRET, LOGIN_TOKEN, LOGIN_REFRESH, LOGIN_KEY,
    "".join(LOGIN_KEY.splitlines()[1:-1]),
)  # fmt: skip
# credential_process commands, quoted for this system.
EXIT_3 = support.command_line(sys.executable, "-c", "import sys; sys.exit(3)")
PRINTS_SECRET = support.command_line(sys.executable, "-c", f"print({FILE_SECRET!r})")


def echo_text(request):
    """All a server got: path and query, headers, body raw and form-decoded."""
    parts = [request.path, urllib.parse.unquote_plus(request.path)]
    parts += [f"{name}: {value}" for name, value in request.headers.items()]
    body = request.body.decode("latin-1")
    parts += [body, urllib.parse.unquote_plus(body)]
    return " | ".join(parts)


def header_safe(text):
    return " ".join(text.split()).encode("latin-1", "replace").decode("latin-1")


def echo_answer(family, status):
    """An error answer of this family that quotes the request in every field."""

    def answer(request):
        text = echo_text(request)
        if family == "sts":
            field = escape(text)
            doc = sts_error_xml(field, field, request_id=field)
            return Response(status, doc, [("x-amzn-RequestId", header_safe(text))])
        if family == "json":
            return Response(status, {"Code": text, "Message": text, "code": text})
        if family == "login":  # the sign-in service: an OAuth 2 error document
            text = f"{request.body.decode()} | {text}"  # the secrets first
            doc = {"error": text, "message": text, "__type": text}
            return Response(status, doc, [("x-amzn-ErrorType", header_safe(text))])
        return Response(  # SSO: the code in a header, the message in the body
            status,
            {"message": text, "Message": text},
            [("x-amzn-ErrorType", header_safe(text))],
        )

    return answer


class HygieneCase(unittest.TestCase):
    def assert_clean(self, watch, *things):
        """No secret in the log records captured by ``watch`` nor in ``things``
        (exceptions expanded with their chains; anything else by repr and str)."""
        texts = []
        for thing in things:
            if isinstance(thing, (BaseException, str)):
                texts.append(thing)
            else:
                texts += [repr(thing), str(thing)]
        watch.assert_clean(self, *SECRETS, extra_texts=texts)

    def run_provider(self, provider):
        """retrieve() inside a non-strict chain; everything it shows, and the
        outcome (credentials or an exception) of a direct call."""
        chain = ChainedProvider([provider])
        with support.SecretWatch() as watch:
            found = chain.retrieve()
            try:
                direct = provider.retrieve()
            except Exception as exc:  # noqa: BLE001 - examined by the caller
                direct = exc
        self.assert_clean(watch, provider, chain, found, direct, chain.attempts)
        return found, direct


class EchoingServerTest(HygieneCase):
    """Every HTTP provider, against a server that repeats its request back."""

    def test_every_http_provider_against_an_echoing_server(self):
        with targets.instrumented_http():  # backoff pauses a tenth as long
            for target in targets.TARGETS:
                tls = target.tls
                with FakeServer(tls=tls, require_client_cert=tls) as server:
                    for status in (403, 503, 200):
                        with self.subTest(provider=target.name, status=status):
                            server.reset_routes()
                            if target.routes:
                                target.routes(server)
                            answer = echo_answer(target.family, status)
                            server.route(target.method, target.path, answer)
                            provider = target.make(server.url, None)
                            found, direct = self.run_provider(provider)
                            if target.degrades:  # a failed renewal is survived
                                self.assertIs(direct, found)
                                self.assertIsInstance(found, Credentials)
                            else:
                                self.assertIsNone(found)
                                self.assertIsInstance(
                                    direct, minicreds.CredentialsError
                                )
                            self.assertTrue(target.count(server))

    def test_success_shows_no_secret(self):
        for target in targets.TARGETS:
            with self.subTest(provider=target.name):
                tls = target.tls
                with FakeServer(tls=tls, require_client_cert=tls) as server:
                    if target.routes:
                        target.routes(server)
                    server.route(target.method, target.path, target.body("ok"))
                    found, direct = self.run_provider(target.make(server.url, None))
                    self.assertEqual(found.secret_key, targets.SECRET)
                    self.assertEqual(direct, found)


class UrlAndProxyTest(HygieneCase):
    def test_userinfo_and_query_of_an_endpoint(self):
        with FakeServer() as server, targets.instrumented_http():
            server.route("*", "*", Response(500, "no"))
            netloc = f"user:{URL_PASSWORD}@127.0.0.1:{server.port}"
            url = f"http://{netloc}/?token={URL_QUERY}&x=1#{URL_QUERY}"
            for provider in (
                minicreds.ClientGrantsProvider(targets.JWT, url),
                LdapIdentityProvider("u", targets.LDAP_PASSWORD, url),
                WebIdentityProvider(targets.JWT, "arn:r", "s", sts_endpoint=url),
            ):
                with self.subTest(provider=type(provider).__name__):
                    _, direct = self.run_provider(provider)
                    self.assertIsInstance(direct, minicreds.TransportError)

    def test_proxy_password(self):
        closed = support.free_port()
        proxy = f"http://user:{PROXY_PASSWORD}@127.0.0.1:{closed}"
        for variable in ("HTTP_PROXY", "http_proxy"):
            with self.subTest(variable=variable), targets.instrumented_http():
                provider = WebIdentityProvider(
                    targets.JWT, "arn:r", "s", sts_endpoint="http://127.0.0.1:9/",
                    environ={variable: proxy},
                )  # fmt: skip
                _, direct = self.run_provider(provider)
                self.assertIsInstance(direct, minicreds.TransportError)


class LocalSourcesTest(HygieneCase):
    """Environment, files, processes, certificates: each failure path."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="minicreds-secrets-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        minicreds._file_cache.clear()

    def write(self, name, text, mode="w"):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, mode) as handle:
            handle.write(text)
        return path

    def test_environment(self):
        cases = {
            "secret without key": {"AWS_SECRET_ACCESS_KEY": ENV_SECRET},
            "legacy secret without key": {"AWS_SECRET_KEY": ENV_SECRET},
            "token without anything": {"AWS_SESSION_TOKEN": ENV_TOKEN},
            "bad expiration": {
                "AWS_ACCESS_KEY_ID": "AKIAHYGIENE000000001",
                "AWS_SECRET_ACCESS_KEY": ENV_SECRET,
                "AWS_SESSION_TOKEN": ENV_TOKEN,
                "AWS_CREDENTIAL_EXPIRATION": ENV_TOKEN,
            },
            "all set": {
                "AWS_ACCESS_KEY_ID": "AKIAHYGIENE000000001",
                "AWS_SECRET_ACCESS_KEY": ENV_SECRET,
                "AWS_SESSION_TOKEN": ENV_TOKEN,
            },
            "minio password without user": {"MINIO_ROOT_PASSWORD": ENV_SECRET},
            "minio all set": {
                "MINIO_ROOT_USER": "u",
                "MINIO_ROOT_PASSWORD": ENV_SECRET,
            },
        }
        for name, environ in cases.items():
            for make in (EnvAWSProvider, EnvMinioProvider):
                with self.subTest(case=name, provider=make.__name__):
                    self.run_provider(make(environ=environ))

    def test_aws_files(self):
        good = (
            f"[default]\naws_access_key_id = AKIAHYGIENE000000002\n"
            f"aws_secret_access_key = {FILE_SECRET}\naws_session_token = {FILE_TOKEN}\n"
        )
        cases = {
            "valid": good,
            "no section": good.replace("[default]\n", ""),
            "line without =": good.replace("aws_secret_access_key = ", "x "),
            "duplicate key": good + f"aws_secret_access_key = {FILE_TOKEN}\n",
            "duplicate section": good + good,
            "secret as a section name": f"[{FILE_SECRET}\n" + good,
            "continuation before a key": "[default]\n  " + FILE_SECRET + "\n" + good,
            "key missing": good.replace("aws_access_key_id", "aws_nothing"),
            "empty secret": good.replace(FILE_SECRET, ""),
            "non-UTF-8": good.replace("[default]", "[default] caf\udce9"),
        }
        for name, text in cases.items():
            for role in ("credentials", "config"):
                with self.subTest(case=name, file=role):
                    path = self.write(
                        f"{name}/{role}",
                        text.encode("utf-8", "surrogateescape"),
                        "wb",
                    )
                    other = os.path.join(self.tmp, "absent")
                    environ = {
                        "AWS_SHARED_CREDENTIALS_FILE": path
                        if role == "credentials"
                        else other,
                        "AWS_CONFIG_FILE": path if role == "config" else other,
                    }
                    for profile in (None, "default"):
                        self.run_provider(
                            AWSConfigProvider(profile=profile, environ=environ)
                        )

    def test_profiles_with_failing_sources(self):
        with FakeServer() as server:
            server.route("*", "*", echo_answer("sts", 403))
            config = self.write(
                "profiles/config",
                "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
                "source_profile = base\n"
                "[profile process]\n"
                f"credential_process = {EXIT_3} --secret {ARG_SECRET}\n"
                "[profile process-bad-json]\n"
                f"credential_process = {PRINTS_SECRET} {ARG_SECRET}\n"
                "[profile missing-program]\n"
                f"credential_process = /nonexistent/helper --token {ARG_SECRET}\n"
                "[profile sso]\nsso_start_url = https://d-1.awsapps.com/start\n"
                "sso_region = us-east-1\nsso_account_id = 123456789012\n"
                "sso_role_name = R\n"
                "[profile web]\nrole_arn = arn:aws:iam::123456789012:role/w\n"
                f"web_identity_token_file = {self.write('jwt', targets.JWT)}\n",
            )
            credentials = self.write(
                "profiles/credentials",
                f"[base]\naws_access_key_id = AKIAHYGIENE000000003\n"
                f"aws_secret_access_key = {FILE_SECRET}\n"
                f"aws_session_token = {FILE_TOKEN}\n",
            )
            environ = {
                "AWS_CONFIG_FILE": config,
                "AWS_SHARED_CREDENTIALS_FILE": credentials,
                "AWS_ENDPOINT_URL_STS": server.url,
                "AWS_ENDPOINT_URL_SSO": server.url,
                "HOME": self.tmp,
            }
            names = ("role", "process", "process-bad-json", "missing-program", "sso")
            for profile in (*names, "web"):
                with self.subTest(profile=profile):
                    with support.env(**environ):
                        provider = AWSConfigProvider(profile=profile)
                        _, direct = self.run_provider(provider)
                    self.assertIsInstance(direct, minicreds.CredentialsError)
            signed = [r for r in server.requests if "AssumeRole&" in r.body.decode()]
            self.assertTrue(signed)  # the role's STS call went out, with the token
            self.assertEqual(signed[0].headers["X-Amz-Security-Token"], FILE_TOKEN)

    def test_sso_token_cache_with_refresh_secrets(self):
        start = "https://d-2.awsapps.com/start"
        cache = os.path.join(self.tmp, "sso")
        os.makedirs(cache)
        name = hashlib.sha1(b"hyg-session").hexdigest() + ".json"
        with open(os.path.join(cache, name), "w") as handle:
            json.dump(
                {
                    "startUrl": start,
                    "region": "us-east-1",
                    "accessToken": targets.SSO_TOKEN,
                    "expiresAt": iso_in(60),
                    "clientId": "hyg-client",
                    "clientSecret": SSO_CLIENT_SECRET,
                    "refreshToken": SSO_REFRESH,
                    "registrationExpiresAt": "2099-01-01T00:00:00Z",
                },
                handle,
            )
        with FakeServer() as server:
            server.route("*", "*", echo_answer("sso", 400))
            provider = minicreds.SSOProvider(
                start, "us-east-1", "123456789012", "R", session_name="hyg-session",
                cache_dir=cache, environ={"AWS_ENDPOINT_URL": server.url},
            )  # fmt: skip
            _, direct = self.run_provider(provider)
            self.assertIsInstance(direct, minicreds.CredentialsError)
            # Both the renewal (refresh token, client secret) and the portal call
            # (access token) reached the echoing server.
            bodies = " ".join(r.body.decode() for r in server.requests)
            self.assertIn(SSO_REFRESH, bodies)

    def test_login_token_cache(self):
        """accessToken, refreshToken and dpopKey of an `aws login` cache, through a
        renewal refused by a server that echoes the request in every field."""
        cache = os.path.join(self.tmp, "login")
        name = hashlib.sha256(b"hyg-login").hexdigest() + ".json"
        for left in (-60, 120):  # expired: an error; still valid: a warning
            self.write(
                os.path.join(cache, name),
                json.dumps(
                    {
                        "accessToken": {
                            "accessKeyId": "ASIAHYGLOGIN",
                            "secretAccessKey": LOGIN_SECRET,
                            "sessionToken": LOGIN_TOKEN,
                            "accountId": "123456789012",
                            "expiresAt": iso_in(left),
                        },
                        "clientId": "arn:aws:signin:::devtools/same-device",
                        "refreshToken": LOGIN_REFRESH,
                        "dpopKey": LOGIN_KEY,
                    }
                ),
            )
            with self.subTest(left=left), FakeServer() as server:
                server.route("*", "*", echo_answer("login", 400))
                provider = minicreds.LoginProvider(
                    "hyg-login", cache_dir=cache,
                    environ={"AWS_ENDPOINT_URL_SIGNIN": server.url},
                )  # fmt: skip
                found, direct = self.run_provider(provider)
                self.assertIn(LOGIN_REFRESH, server.requests[0].body.decode())
                if left < 0:
                    self.assertIsInstance(direct, minicreds.CredentialsError)
                else:
                    self.assertEqual(found.secret_key, LOGIN_SECRET)

    def test_mc_config(self):
        entries = {
            "valid": {"accessKey": "k", "secretKey": MC_SECRET},
            "secret not a string": {"accessKey": "k", "secretKey": [MC_SECRET]},
            "key missing": {"secretKey": MC_SECRET},
            "token not a string": {"accessKey": "k", "secretKey": MC_SECRET,
                                   "sessionToken": {"t": MC_SECRET}},
        }  # fmt: skip
        for name, entry in entries.items():
            with self.subTest(case=name):
                doc = {"version": "10", "aliases": {"s3": entry}}
                path = self.write(f"mc-{len(name)}-{name}.json", json.dumps(doc))
                self.run_provider(MinioClientConfigProvider(path))
        broken = json.dumps({"aliases": {"s3": {"secretKey": MC_SECRET}}})[:-2]
        self.run_provider(MinioClientConfigProvider(self.write("broken.json", broken)))

    def test_process_provider(self):
        commands = {
            "exit 3": f"{EXIT_3} {ARG_SECRET}",
            "prints a secret, not JSON": f"{PRINTS_SECRET} {ARG_SECRET}",
            "JSON without Version": support.command_line(
                sys.executable,
                "-c",
                f"import json; print(json.dumps({{'SecretAccessKey': '{FILE_SECRET}'}}))",
                ARG_SECRET,
            ),
            "no such program": f"/nonexistent/helper --token {ARG_SECRET}",
            "badly quoted": f"helper '{ARG_SECRET}",
        }
        for name, command in commands.items():
            with self.subTest(case=name):
                _, direct = self.run_provider(minicreds.ProcessProvider(command))
                self.assertIsInstance(direct, minicreds.CredentialsError)

    def test_certificate_key_file(self):
        key = self.write(
            "client.key",
            f"-----BEGIN PRIVATE KEY-----\n{KEY_SECRET}\n-----END PRIVATE KEY-----\n",
        )
        cert = support.certs()["client_cert"]
        provider = CertificateIdentityProvider(cert, key, "https://127.0.0.1:9/")
        _, direct = self.run_provider(provider)
        self.assertIsInstance(direct, minicreds.ConfigError)

    def test_providers_repr(self):
        objects = [
            StaticProvider("AKIAHYGIENE000000004", ENV_SECRET, ENV_TOKEN),
            Credentials("AKIAHYGIENE000000004", ENV_SECRET, ENV_TOKEN),
            LdapIdentityProvider("u", targets.LDAP_PASSWORD, "http://127.0.0.1:9/"),
            WebIdentityProvider(targets.JWT, "arn:r", "s"),
            minicreds.ClientGrantsProvider(targets.JWT, "http://127.0.0.1:9/"),
            AssumeRoleProvider(
                StaticProvider("AKIAHYGIENE000000004", ENV_SECRET, ENV_TOKEN),
                "arn:r",
                "s",
            ),
            minicreds.ProcessProvider(f"helper --token {ARG_SECRET}"),
        ]
        with support.SecretWatch() as watch:
            pass
        self.assert_clean(watch, *objects)


def reported_texts(exc):
    """What an error reporter that captures local variables shows of ``exc`` (Sentry
    does, like ``traceback.TracebackException(capture_locals=True)``): the report
    rendered, and repr() of every local variable of every frame in the traceback of
    ``exc`` and of each exception chained to it (shown or not)."""
    report = traceback.TracebackException(
        type(exc), exc, exc.__traceback__, capture_locals=True
    )
    texts = ["".join(report.format())]
    seen, todo = set(), [exc]
    while todo:
        error = todo.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        entry = error.__traceback__
        while entry is not None:
            local = entry.tb_frame.f_locals.items()
            texts += [f"{name} = {value!r}" for name, value in local]
            entry = entry.tb_next
        todo += [error.__cause__, error.__context__]
    return texts


def failure_of(provider):
    """The exception provider.retrieve() raises (this frame holds no secret)."""
    try:
        provider.retrieve()
    except Exception as exc:  # noqa: BLE001 - examined by the caller
        return exc
    raise AssertionError(f"{provider!r}.retrieve() raised nothing")


class TracebackFramesTest(HygieneCase):
    """An error leaving a provider carries no frame whose local variables hold a
    secret: each provider fails with secrets in what it was given or received."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="minicreds-frames-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        minicreds._file_cache.clear()

    def assert_no_secret_in_frames(self, provider):
        exc = failure_of(provider)
        self.assertIsInstance(exc, minicreds.CredentialsError)
        lines = [line for text in reported_texts(exc) for line in text.splitlines()]
        for secret in SECRETS:
            forms = {secret, quote(secret, ""), quote_plus(secret, "")}
            found = [line[:200] for line in lines if any(f in line for f in forms)]
            self.assertFalse(found, f"{secret!r} is in frames of the report")
        return exc

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def test_http_providers_refused_or_answering_a_bad_expiration(self):
        # "refused": the error path (STSError); "bad-expiration": the success path,
        # with the secret key and token received, then a parse error.
        with targets.instrumented_http():
            for target in targets.TARGETS:
                if target.degrades:
                    continue  # its failures are survived: test_sso_renewal below
                tls = target.tls
                with FakeServer(tls=tls, require_client_cert=tls) as server:
                    for kind in ("refused", "bad-expiration"):
                        with self.subTest(provider=target.name, kind=kind):
                            server.reset_routes()
                            if target.routes:
                                target.routes(server)
                            server.route(target.method, target.path, target.body(kind))
                            provider = target.make(server.url, None)
                            self.assert_no_secret_in_frames(provider)
                            self.assertTrue(target.count(server))

    def test_sso_renewal_then_a_refusal(self):
        refusal = Response(
            403, {"message": "no"}, [("x-amzn-ErrorType", "ForbiddenException")]
        )
        with targets.instrumented_http(), FakeServer() as server:
            server.route("POST", "/token", targets.oidc_bodies()("ok"))
            server.route("GET", "/federation/credentials", refusal)
            provider = targets._sso_renewing(server.url, None)
            exc = self.assert_no_secret_in_frames(provider)
            self.assertIsInstance(exc, minicreds.STSError)
            self.assertEqual(len(server.requests), 2)

    def test_process(self):
        answer = json.dumps(
            {"Version": 1, "AccessKeyId": "AKIAFRAMES0000000001",
             "SecretAccessKey": FILE_SECRET, "Expiration": "next tuesday"}
        )  # fmt: skip
        script = self.write("answer.py", f"print({answer!r})")
        commands = (
            f"{EXIT_3} --token {ARG_SECRET}",
            support.command_line(sys.executable, script, "--token", ARG_SECRET),
        )
        for command in commands:
            with self.subTest(command=command):
                provider = minicreds.ProcessProvider(command)
                self.assert_no_secret_in_frames(provider)

    def test_environment(self):
        environ = {
            "AWS_ACCESS_KEY_ID": "AKIAFRAMES0000000002",
            "AWS_SECRET_ACCESS_KEY": ENV_SECRET,
            "AWS_SESSION_TOKEN": ENV_TOKEN,
            "AWS_CREDENTIAL_EXPIRATION": "next tuesday",
        }
        self.assert_no_secret_in_frames(EnvAWSProvider(environ=environ))

    def test_mc_config(self):
        doc = {"version": "10", "aliases": {"s3": {"secretKey": MC_SECRET}}}
        path = self.write("mc.json", json.dumps(doc))
        self.assert_no_secret_in_frames(MinioClientConfigProvider(path))

    def test_profiles_and_the_chain(self):
        config = self.write(
            "config",
            "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
            "source_profile = base\n"
            "[profile loop]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
            "source_profile = loop2\n"
            "[profile loop2]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
            "source_profile = loop\n",
        )
        credentials = self.write(
            "credentials",
            "[base]\naws_access_key_id = AKIAFRAMES0000000003\n"
            f"aws_secret_access_key = {FILE_SECRET}\n"
            f"aws_session_token = {FILE_TOKEN}\n",
        )
        with targets.instrumented_http(), FakeServer() as server:
            server.route("POST", "/", targets.sts_bodies("AssumeRole")("refused"))
            environ = {
                "AWS_CONFIG_FILE": config,
                "AWS_SHARED_CREDENTIALS_FILE": credentials,
                "AWS_ENDPOINT_URL_STS": server.url,
            }
            for profile in ("role", "loop"):
                with self.subTest(profile=profile):
                    provider = AWSConfigProvider(profile=profile, environ=environ)
                    self.assert_no_secret_in_frames(provider)
                    chain = ChainedProvider([provider], strict=True)
                    self.assert_no_secret_in_frames(chain)
            self.assertTrue(server.requests)  # the role's call was made, and refused


class CommandLineTest(HygieneCase):
    """The CLI, as a subprocess: stderr never shows a secret; stdout only with the
    formats that are meant to print them."""

    SECRET_FORMATS = ("env", "env-no-export", "powershell", "windows-cmd", "process")

    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="minicreds-secrets-cli-")
        self.addCleanup(shutil.rmtree, self.home, True)

    def run_cli(self, *args, **variables):
        environ = support.clean_environ(
            HOME=self.home, USERPROFILE=self.home, AWS_EC2_METADATA_DISABLED="true",
            MINICREDS_CLI_DEPTH="", **variables,
        )  # fmt: skip
        proc = subprocess.run(
            [sys.executable, SCRIPT, *args], env=environ, cwd=support.REPO,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
        return proc

    def check(self, proc, *, stdout_may_hold=False):
        forms = {f(s, "") for s in SECRETS for f in (quote, quote_plus)}
        forms.update(SECRETS)
        for form in forms:
            self.assertNotIn(form, proc.stderr)
            if not stdout_may_hold:
                self.assertNotIn(form, proc.stdout)
        self.assertNotIn("Traceback", proc.stderr)

    def write(self, name, text):
        path = os.path.join(self.home, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def test_found_in_the_environment(self):
        env = {
            "AWS_ACCESS_KEY_ID": "AKIAHYGIENE000000005",
            "AWS_SECRET_ACCESS_KEY": ENV_SECRET,
            "AWS_SESSION_TOKEN": ENV_TOKEN,
        }
        for explain in ((), ("--explain",)):
            proc = self.run_cli(*explain, **env)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.check(proc)
            self.assertIn(ENV_SECRET[-4:], proc.stdout)  # the last 4, by design
        for fmt in self.SECRET_FORMATS:
            with self.subTest(format=fmt):
                proc = self.run_cli("--format", fmt, "--explain", **env)
                self.check(proc, stdout_may_hold=True)

    def test_failures(self):
        with FakeServer() as server:
            server.route("*", "*", echo_answer("sts", 403))
            config = self.write(
                "config",
                "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
                "source_profile = base\n"
                "[profile process]\n"
                f"credential_process = {EXIT_3} --secret {ARG_SECRET}\n",
            )
            credentials = self.write(
                "credentials",
                f"[base]\naws_access_key_id = AKIAHYGIENE000000006\n"
                f"aws_secret_access_key = {FILE_SECRET}\n"
                f"aws_session_token = {FILE_TOKEN}\n",
            )
            broken = self.write(
                "broken", f"[broken]\naws_secret_access_key {FILE_SECRET}\n"
            )
            files = {
                "AWS_CONFIG_FILE": config,
                "AWS_SHARED_CREDENTIALS_FILE": credentials,
            }
            runs = [
                ("--profile", "role", "--explain", {"AWS_ENDPOINT_URL_STS": server.url}),
                ("--profile", "role", {"AWS_ENDPOINT_URL_STS": server.url}),
                ("--profile", "process", "--explain", {}),
                ("--profile", "broken", "--explain", {
                    "AWS_SHARED_CREDENTIALS_FILE": broken,
                }),
                ("--provider", "env", {"AWS_SECRET_ACCESS_KEY": ENV_SECRET}),
                ("--provider", "container", "--explain", {
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": targets.AUTH_TOKEN,
                }),
                ("--provider", "container", {
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": (
                        f"http://u:{URL_PASSWORD}@example.com/?t={URL_QUERY}"
                    ),
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": targets.AUTH_TOKEN,
                }),
            ]  # fmt: skip
            for *args, variables in runs:
                with self.subTest(args=args):
                    proc = self.run_cli(*args, **{**files, **variables})
                    self.assertEqual(proc.returncode, 2, proc.stderr)
                    self.check(proc)
            # The echo had secrets to repeat: the role's source session token.
            tokens = [r.headers["X-Amz-Security-Token"] for r in server.requests]
            self.assertIn(FILE_TOKEN, tokens)


if __name__ == "__main__":
    unittest.main()
