"""The MinIO SDK's call forms beside minicreds's own (README "Compatibility with the
MinIO SDK"), and MinIO's AssumeRoleWithCustomToken.

Standard library only: which form a call takes, and what each form sends, against the
fakes of tests/test_sts.py on 127.0.0.1. The expectations are minio-py 7.2.20's rules
(tests/interop/test_minio_call_forms.py runs the SDK itself on the same calls).
"""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import minicreds
from minicreds import (
    AssumeRoleProvider,
    CertificateIdentityProvider,
    ClientGrantsProvider,
    ConfigError,
    IamAwsProvider,
    LdapIdentityProvider,
    StaticProvider,
    WebIdentityProvider,
)
from tests import support
from tests.fakes import IMDS_EXTENDED_PATH, IMDS_ROLES_PATH, IMDS_TOKEN_PATH
from tests.sigv4_reference import parse_authorization
from tests.sts_support import (
    FAR_DT,
    JWT,
    LDAP_PASSWORD,
    LDAP_USER,
    ROLE,
    SRC_KEY,
    SRC_SECRET,
    STSTestCase,
    check_signature,
)
from tests.support import SecretWatch

POLICY = '{"Version":"2012-10-17","Statement":[]}'
WEEK = 7 * 24 * 3600


def signing_region(request):
    """The region in a request's SigV4 credential scope."""
    credential = parse_authorization(request.headers["Authorization"])[1]["Credential"]
    return credential.split("/")[2]


class UrllibClient:
    """Stands in for a urllib3 PoolManager: anything but None."""


class Signatures(unittest.TestCase):
    """``inspect.signature`` shows minicreds's own form; minio-py's is taken too."""

    OWN = {  # noqa: RUF012 - read only
        AssumeRoleProvider: [
            "credentials", "role_arn", "role_session_name", "duration", "policy",
            "region",
        ],
        WebIdentityProvider: ["jwt_token", "role_arn", "role_session_name", "region"],
        ClientGrantsProvider: ["jwt_token", "sts_endpoint", "duration"],
        LdapIdentityProvider: [
            "username", "password", "sts_endpoint", "ldap_username", "ldap_password",
        ],
        CertificateIdentityProvider: [
            "certificate_file", "private_key_file", "sts_endpoint", "duration",
        ],
        IamAwsProvider: ["custom_endpoint"],
    }  # fmt: skip

    def test_positional_parameters_are_minicredss(self):
        for cls, names in self.OWN.items():
            with self.subTest(cls.__name__):
                params = inspect.signature(cls).parameters.values()
                positional = [
                    p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD
                ]
                self.assertEqual(positional, names)
                kinds = {p.kind for p in params}
                self.assertNotIn(inspect.Parameter.VAR_POSITIONAL, kinds)
                self.assertNotIn(inspect.Parameter.VAR_KEYWORD, kinds)

    def test_token_revoke_type_keyword(self):
        for cls in (
            ClientGrantsProvider,
            WebIdentityProvider,
            LdapIdentityProvider,
            CertificateIdentityProvider,
            minicreds.CustomTokenIdentityProvider,
        ):
            with self.subTest(cls.__name__):
                param = inspect.signature(cls).parameters["token_revoke_type"]
                self.assertEqual(
                    (param.kind, param.default), (param.KEYWORD_ONLY, None)
                )

    def test_custom_token_signature(self):
        params = inspect.signature(minicreds.CustomTokenIdentityProvider).parameters
        self.assertEqual(
            list(params),
            [
                "token", "role_arn", "sts_endpoint", "duration", "token_revoke_type",
                "ca_file", "environ", "clock",
            ],
        )  # fmt: skip
        self.assertIn("CustomTokenIdentityProvider", minicreds.__all__)


class FitsNeither(STSTestCase):
    """A call that fits neither form is a TypeError showing both, before any request."""

    CALLS = (
        (AssumeRoleProvider, (), {"sts_endpoint": "http://127.0.0.1:1/"}),
        (AssumeRoleProvider, (StaticProvider("a", "b"), ROLE), {}),
        (
            AssumeRoleProvider,
            (StaticProvider("a", "b"), ROLE, "s"),
            {"access_key": "k"},
        ),
        (WebIdentityProvider, (JWT,), {}),
        (ClientGrantsProvider, (JWT, "http://127.0.0.1:1/"), {"durations": 5}),
        (LdapIdentityProvider, ("u",), {}),
        (LdapIdentityProvider, ("http://127.0.0.1:1/", "u"), {}),
        (CertificateIdentityProvider, (), {"cert_file": "c", "key_file": "k"}),
        (IamAwsProvider, (), {"endpoint": "http://127.0.0.1:1/"}),
        (IamAwsProvider, tuple(range(11)), {}),
    )

    def test_type_error_shows_both_forms(self):
        minio_names = {
            AssumeRoleProvider: "access_key",
            WebIdentityProvider: "jwt_provider_func",
            ClientGrantsProvider: "jwt_provider_func",
            LdapIdentityProvider: "ldap_username, ldap_password, duration_seconds",
            CertificateIdentityProvider: "key_password",
            IamAwsProvider: "relative_uri",
        }
        for cls, args, kwargs in self.CALLS:
            with self.subTest(cls=cls.__name__, args=args, kwargs=kwargs):
                with self.assertRaises(TypeError) as cm:
                    cls(*args, **kwargs)
                text = str(cm.exception)
                names = Signatures.OWN[cls]
                self.assertIn(f"\n  {cls.__name__}({names[0]}", text)
                own_line = text.split("\n")[1]
                for name in names:
                    self.assertIn(name, own_line)
                self.assertIn(minio_names[cls], text)
                self.assertIn("minio-py", text)
        self.assertEqual(self.server.requests, [])

    def test_no_private_keyword_in_the_message(self):
        for cls, args, kwargs in self.CALLS:
            with self.subTest(cls=cls.__name__, args=args, kwargs=kwargs):
                with self.assertRaises(TypeError) as cm:
                    cls(*args, **kwargs)
                self.assertNotRegex(str(cm.exception), r"[(, ]_\w")

    def test_no_value_in_the_message(self):
        with self.assertRaises(TypeError) as cm:
            LdapIdentityProvider(
                "http://127.0.0.1:1/", LDAP_USER, LDAP_PASSWORD, 1, 2, 3, 4, 5
            )
        self.assertNotIn(LDAP_PASSWORD, str(cm.exception))
        self.assertNotIn(LDAP_USER, str(cm.exception))


class WrongArgumentType(STSTestCase):
    """An argument of the wrong type is a TypeError at construction naming the
    argument, not its value, and not an AttributeError at the first call."""

    def assert_type_error(self, make, argument):
        with self.assertRaises(TypeError) as cm:
            make()
        self.assertIn(argument, str(cm.exception))
        self.assertNotIn(SRC_SECRET, str(cm.exception))
        self.assertEqual(self.server.requests, [])

    def test_minio_form_with_an_endpoint_lacking_a_scheme(self):
        # No http(s):// first: taken as the own form, whose source is no Provider.
        endpoint = self.url.partition("://")[2]
        self.assert_type_error(
            lambda: AssumeRoleProvider(endpoint, SRC_KEY, SRC_SECRET), "credentials"
        )

    def test_durations(self):
        source = StaticProvider(SRC_KEY, SRC_SECRET)
        calls = (
            ("duration", lambda: AssumeRoleProvider(source, ROLE, "s", "3600")),
            ("duration", lambda: WebIdentityProvider(JWT, ROLE, "s", duration="1h")),
            ("duration_seconds", lambda: AssumeRoleProvider(
                self.url, SRC_KEY, SRC_SECRET, duration_seconds=SRC_SECRET
            )),
        )  # fmt: skip
        for argument, make in calls:
            with self.subTest(argument=argument):
                self.assert_type_error(make, argument)


class HttpClient(STSTestCase):
    """``http_client=None`` is accepted; a client is refused, naming what to use."""

    def test_none_accepted(self):
        calls = (
            lambda: AssumeRoleProvider(
                sts_endpoint=self.url, access_key=SRC_KEY, secret_key=SRC_SECRET,
                http_client=None,
            ),
            lambda: WebIdentityProvider(
                jwt_provider_func=lambda: {"access_token": JWT},
                sts_endpoint=self.url, http_client=None,
            ),
            lambda: ClientGrantsProvider(
                jwt_provider_func=lambda: {"access_token": JWT},
                sts_endpoint=self.url, http_client=None,
            ),
            lambda: LdapIdentityProvider(
                self.url, LDAP_USER, LDAP_PASSWORD, http_client=None
            ),
        )  # fmt: skip
        for make in calls:
            with self.subTest(make=make):
                self.assertEqual(make().retrieve().expiration, FAR_DT)

    def test_a_client_is_refused(self):
        client = UrllibClient()
        calls = [
            ("ca_file=", lambda: AssumeRoleProvider(
                self.url, SRC_KEY, SRC_SECRET, http_client=client
            )),
            ("ca_file=", lambda: LdapIdentityProvider(
                self.url, LDAP_USER, LDAP_PASSWORD, http_client=client
            )),
            ("ca_certs=", lambda: CertificateIdentityProvider(
                sts_endpoint="https://127.0.0.1:1/", http_client=client
            )),
            ("no keyword", lambda: IamAwsProvider(http_client=client)),
        ]  # fmt: skip
        for keyword, make in calls:
            with self.subTest(keyword), self.assertRaises(ConfigError) as cm:
                make()
            self.assertIn("http_client", str(cm.exception))
            if keyword != "no keyword":
                self.assertIn(keyword, str(cm.exception))
        self.assertEqual(self.server.requests, [])


class AssumeRoleForms(STSTestCase):
    def test_keywords(self):
        AssumeRoleProvider(
            sts_endpoint=self.url, access_key=SRC_KEY, secret_key=SRC_SECRET,
            duration_seconds=900, policy=POLICY, region="eu-west-1", role_arn=ROLE,
            role_session_name="minio-session", external_id="ext-1",
        ).retrieve()  # fmt: skip
        req = self.server.requests[0]
        self.assert_form(
            req,
            {
                "Action": "AssumeRole",
                "DurationSeconds": "3600",  # minio-py: at least an hour
                "RoleArn": ROLE,
                "RoleSessionName": "minio-session",
                "Policy": POLICY,
                "ExternalId": "ext-1",
            },
        )
        self.assertTrue(check_signature(req, SRC_SECRET))
        self.assertEqual(signing_region(req), "eu-west-1")

    def test_positional(self):
        AssumeRoleProvider(
            self.url, SRC_KEY, SRC_SECRET, 7200, None, "us-west-2", ROLE
        ).retrieve()
        req = self.server.requests[0]
        self.assert_form(
            req, {"Action": "AssumeRole", "DurationSeconds": "7200", "RoleArn": ROLE}
        )
        self.assertEqual(signing_region(req), "us-west-2")

    def test_no_region_signs_for_the_empty_region(self):
        """minio-py signs for region "" and reads no variable."""
        environ = {
            "AWS_REGION": "eu-west-1",
            "AWS_ENDPOINT_URL_STS": "http://x.invalid",
        }
        AssumeRoleProvider(
            sts_endpoint=self.url, access_key=SRC_KEY, secret_key=SRC_SECRET,
            environ=environ,
        ).retrieve()  # fmt: skip
        req = self.server.requests[0]
        self.assert_form(req, {"Action": "AssumeRole", "DurationSeconds": "3600"})
        self.assertEqual(signing_region(req), "")
        self.assertTrue(check_signature(req, SRC_SECRET))

    def test_own_form_unchanged(self):
        """minicreds's own duration is sent as given (no one-hour floor)."""
        self.assume_role(duration=900, region="eu-west-1").retrieve()
        req = self.server.requests[0]
        self.assertEqual(req.form["DurationSeconds"], ["900"])
        self.assertEqual(signing_region(req), "eu-west-1")


class JwtForms(STSTestCase):
    """WebIdentityProvider and ClientGrantsProvider: ``jwt_provider_func`` returns the
    SDK's dict; DurationSeconds is ``duration_seconds``, else ``expires_in``, clamped to
    900 s - 7 days and left out when 0."""

    def web(self, **kw):
        return WebIdentityProvider(sts_endpoint=self.url, environ={}, **kw)

    def test_web_identity_keywords(self):
        self.web(
            jwt_provider_func=lambda: {"id_token": JWT, "expires_in": "1800"},
            duration_seconds=0, policy=POLICY, role_arn=ROLE,
            role_session_name="web-session",
        ).retrieve()  # fmt: skip
        self.assert_form(
            self.server.requests[0],
            {
                "Action": "AssumeRoleWithWebIdentity",
                "WebIdentityToken": JWT,
                "DurationSeconds": "1800",
                "Policy": POLICY,
                "RoleArn": ROLE,
                "RoleSessionName": "web-session",
            },
        )
        self.assertNotIn("Authorization", self.server.requests[0].headers)

    def test_web_identity_positional(self):
        token = lambda: {"access_token": JWT, "expires_in": 300}
        WebIdentityProvider(token, self.url, 0, None, ROLE, "s-1").retrieve()
        self.assert_form(
            self.server.requests[0],
            {
                "Action": "AssumeRoleWithWebIdentity",
                "WebIdentityToken": JWT,
                "DurationSeconds": "900",
                "RoleArn": ROLE,
                "RoleSessionName": "s-1",
            },
        )

    def test_session_name_defaults_to_the_time_and_needs_a_role(self):
        self.web(
            jwt_provider_func=lambda: {"access_token": JWT},
            role_arn=ROLE,
            clock=lambda: 1700000000.25,
        ).retrieve()
        self.web(
            jwt_provider_func=lambda: {"access_token": JWT},
            role_session_name="ignored without a role",
        ).retrieve()
        first, second = (r.form for r in self.server.requests)
        self.assertEqual(first["RoleSessionName"], ["170000000025"])
        self.assertNotIn("RoleArn", second)
        self.assertNotIn("RoleSessionName", second)

    def test_minio_durations_clamped(self):
        cases = (
            # duration_seconds, expires_in -> DurationSeconds
            (0, None, None),
            (0, "0", None),
            (0, 60, "900"),
            (0, "3600", "3600"),
            (0, 10**7, str(WEEK)),
            (7200, 60, "7200"),
            (300, 3600, "900"),
            (WEEK + 1, None, str(WEEK)),
        )
        for seconds, expires_in, sent in cases:
            with self.subTest(duration_seconds=seconds, expires_in=expires_in):
                self.server.reset_routes()
                self.server.route("POST", "*", self.answer)
                token = {"access_token": JWT}
                if expires_in is not None:
                    token["expires_in"] = expires_in
                ClientGrantsProvider(
                    jwt_provider_func=lambda token=token: token,
                    sts_endpoint=self.url,
                    duration_seconds=seconds,
                ).retrieve()
                form = self.server.requests[0].form
                self.assertEqual(form.get("DurationSeconds", [None]), [sent])

    def test_own_form_with_the_sdks_dict(self):
        """A token callable returning the SDK's dict gets the SDK's rule for
        ``expires_in`` in minicreds's own form too; a ``duration=`` is sent as given."""
        for expires_in, duration, sent in (
            (300, None, "900"),
            (10**7, None, str(WEEK)),
            (300, 600, "600"),
            (None, WEEK + 60, str(WEEK + 60)),
        ):
            with self.subTest(expires_in=expires_in, duration=duration):
                self.server.reset_routes()
                self.server.route("POST", "*", self.answer)
                token = {"access_token": JWT, "expires_in": expires_in}
                ClientGrantsProvider(
                    lambda token=token: token, self.url, duration
                ).retrieve()
                self.assertEqual(
                    self.server.requests[0].form["DurationSeconds"], [sent]
                )

    def test_bad_expires_in(self):
        token = lambda: {"access_token": JWT, "expires_in": "soon"}
        with SecretWatch() as watch, self.assertRaises(ConfigError) as cm:
            ClientGrantsProvider(
                jwt_provider_func=token, sts_endpoint=self.url
            ).retrieve()
        self.assertIn("expires_in", str(cm.exception))
        watch.assert_clean(self, JWT, extra_texts=[cm.exception])
        self.assertEqual(self.server.requests, [])

    def test_client_grants_forms(self):
        token = lambda: {"access_token": JWT, "expires_in": 300}
        calls = (
            # minio-py's form: four arguments, or one of its keywords
            (lambda: ClientGrantsProvider(token, self.url, 0, POLICY), "900", POLICY),
            (
                lambda: ClientGrantsProvider(
                    jwt_provider_func=token, sts_endpoint=self.url, policy=POLICY
                ),
                "900",
                POLICY,
            ),
            # fits both: minicreds's own, duration as given
            (lambda: ClientGrantsProvider(token, self.url, 300), "300", None),
        )
        for make, sent, policy in calls:
            with self.subTest(sent=sent, policy=policy):
                self.server.reset_routes()
                self.server.route("POST", "*", self.answer)
                make().retrieve()
                form = self.server.requests[0].form
                self.assertEqual(form["Action"], ["AssumeRoleWithClientGrants"])
                self.assertEqual(form["Token"], [JWT])
                self.assertEqual(form["DurationSeconds"], [sent])
                self.assertEqual(form.get("Policy", [None]), [policy])


class LdapForms(STSTestCase):
    def test_minio_positional_and_keywords(self):
        calls = (
            lambda: LdapIdentityProvider(self.url, LDAP_USER, LDAP_PASSWORD),
            lambda: LdapIdentityProvider(
                sts_endpoint=self.url, ldap_username=LDAP_USER,
                ldap_password=LDAP_PASSWORD,
            ),
            lambda: LdapIdentityProvider(
                self.url, ldap_username=LDAP_USER, ldap_password=LDAP_PASSWORD
            ),
        )  # fmt: skip
        for make in calls:
            with self.subTest(make=make):
                self.server.reset_routes()
                self.server.route("POST", "*", self.answer)
                provider = make()
                self.assertEqual(provider.retrieve().expiration, FAR_DT)
                self.assert_form(
                    self.server.requests[0],
                    {
                        "Action": "AssumeRoleWithLDAPIdentity",
                        "LDAPUsername": LDAP_USER,
                        "LDAPPassword": LDAP_PASSWORD,
                    },
                )
                self.assertNotIn(LDAP_PASSWORD, repr(provider))

    def test_minio_optional_parameters(self):
        """The duration as given (no clamp), the policy and the revoke type."""
        LdapIdentityProvider(
            self.url, LDAP_USER, LDAP_PASSWORD, 300, POLICY, "app-1"
        ).retrieve()
        self.assert_form(
            self.server.requests[0],
            {
                "Action": "AssumeRoleWithLDAPIdentity",
                "LDAPUsername": LDAP_USER,
                "LDAPPassword": LDAP_PASSWORD,
                "DurationSeconds": "300",
                "Policy": POLICY,
                "TokenRevokeType": "app-1",
            },
        )

    def test_own_forms_unchanged(self):
        """A URL third is minicreds's own order, even beside another URL first."""
        for args, kwargs in (
            ((LDAP_USER, LDAP_PASSWORD, self.url), {}),
            (
                (),
                {
                    "username": LDAP_USER,
                    "password": LDAP_PASSWORD,
                    "sts_endpoint": self.url,
                },
            ),
            (("http://127.0.0.1:1/", LDAP_PASSWORD, self.url, LDAP_USER), {}),
        ):
            with self.subTest(args=args, kwargs=kwargs):
                self.server.reset_routes()
                self.server.route("POST", "*", self.answer)
                LdapIdentityProvider(*args, **kwargs).retrieve()
                form = self.server.requests[0].form
                self.assertEqual(form["LDAPUsername"], [LDAP_USER])
                self.assertEqual(form["LDAPPassword"], [LDAP_PASSWORD])

    def test_bad_endpoint_never_echoes_a_value(self):
        """A minio-py call without a scheme is taken in minicreds's own order, so the
        password sits where the endpoint goes: the message does not show it."""
        for args in (
            ("localhost:9000", LDAP_USER, LDAP_PASSWORD),
            (LDAP_USER, "x", LDAP_PASSWORD),
        ):
            with self.subTest(args=args):
                with SecretWatch() as watch, self.assertRaises(ConfigError) as cm:
                    LdapIdentityProvider(*args).retrieve()
                self.assertIn("not an http(s) URL", str(cm.exception))
                watch.assert_clean(self, LDAP_PASSWORD, extra_texts=[cm.exception])
        self.assertEqual(self.server.requests, [])


class TokenRevokeType(STSTestCase):
    def test_sent_by_each_minio_provider(self):
        calls = {
            "AssumeRoleWithClientGrants": lambda: ClientGrantsProvider(
                JWT, self.url, token_revoke_type="app-1"
            ),
            "AssumeRoleWithWebIdentity": lambda: WebIdentityProvider(
                JWT, ROLE, "s", sts_endpoint=self.url, environ={},
                token_revoke_type="app-1",
            ),
            "AssumeRoleWithLDAPIdentity": lambda: LdapIdentityProvider(
                LDAP_USER, LDAP_PASSWORD, self.url, token_revoke_type="app-1"
            ),
            "AssumeRoleWithCustomToken": lambda: minicreds.CustomTokenIdentityProvider(
                "custom", ROLE, self.url, token_revoke_type="app-1"
            ),
        }  # fmt: skip
        for action, make in calls.items():
            with self.subTest(action):
                self.server.reset_routes()
                self.server.route("POST", "*", self.answer)
                make().retrieve()
                form = self.server.requests[0].form
                self.assertEqual(form["Action"], [action])
                self.assertEqual(form["TokenRevokeType"], ["app-1"])


class CustomToken(STSTestCase):
    def test_form_and_answer(self):
        provider = minicreds.CustomTokenIdentityProvider(
            "plugin-token", ROLE, self.url + "sts", 3600
        )
        self.assertIsInstance(provider, minicreds.RefreshingProvider)
        creds = provider.retrieve()
        self.assertEqual((creds.access_key, creds.expiration), ("ASIAOUT1", FAR_DT))
        req = self.server.requests[0]
        self.assertEqual(req.path, "/sts")
        self.assert_form(
            req,
            {
                "Action": "AssumeRoleWithCustomToken",
                "Token": "plugin-token",
                "RoleArn": ROLE,
                "DurationSeconds": "3600",
            },
        )
        self.assertNotIn("Authorization", req.headers)

    def test_token_callable_read_at_each_refresh(self):
        now = [time.time()]
        tokens = iter(["first-token", "second-token"])
        provider = minicreds.CustomTokenIdentityProvider(
            lambda: next(tokens), ROLE, self.url, clock=lambda: now[0]
        )
        provider.retrieve()
        provider.retrieve()  # cached
        now[0] = FAR_DT.timestamp() - 120
        provider.retrieve()
        sent = [r.form["Token"] for r in self.server.requests]
        self.assertEqual(sent, [["first-token"], ["second-token"]])

    def test_no_token_in_messages(self):
        self.server.reset_routes()
        self.server.route("POST", "*", lambda req: (403, req.body))
        secret = "custom-SECRET-token-0123"
        with SecretWatch() as watch, self.assertRaises(
            minicreds.CredentialsError
        ) as cm:
            minicreds.CustomTokenIdentityProvider(secret, ROLE, self.url).retrieve()
        watch.assert_clean(self, secret, extra_texts=[cm.exception])


class CertificateForms(STSTestCase):
    tls = True
    require_client_cert = True

    def setUp(self):
        super().setUp()
        self.certs = support.certs()

    def test_minio_keywords(self):
        c = self.certs
        CertificateIdentityProvider(
            sts_endpoint=self.url, cert_file=c["client_cert"],
            key_file=c["client_key"], ca_certs=c["ca"], token_revoke_type="app-1",
        ).retrieve()  # fmt: skip
        req = self.server.requests[0]
        self.assertEqual(req.client_subject, "commonName=minicreds test client")
        self.assert_form(
            req,
            {
                "Action": "AssumeRoleWithCertificate",
                "DurationSeconds": "3600",  # minio-py: at least an hour
                "TokenRevokeType": "app-1",
            },
        )

    def test_own_form_with_token_revoke_type(self):
        c = self.certs
        CertificateIdentityProvider(
            c["client_cert"], c["client_key"], self.url, ca_file=c["ca"],
            token_revoke_type="app-2",
        ).retrieve()  # fmt: skip
        self.assert_form(
            self.server.requests[0],
            {"Action": "AssumeRoleWithCertificate", "TokenRevokeType": "app-2"},
        )

    def test_minio_positional(self):
        c = self.certs
        CertificateIdentityProvider(
            self.url, c["client_cert"], c["client_key"], None, c["ca"], 7200
        ).retrieve()
        self.assertEqual(self.server.requests[0].form["DurationSeconds"], ["7200"])

    def test_encrypted_key_with_key_password(self):
        c, folder = self.certs, tempfile.mkdtemp(prefix="minicreds-forms-")
        self.addCleanup(shutil.rmtree, folder, True)
        key = os.path.join(folder, "encrypted.key")
        subprocess.run(
            ["openssl", "pkey", "-in", c["client_key"], "-aes256"]
            + ["-passout", "pass:key-SECRET-pass", "-out", key],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        make = lambda password: CertificateIdentityProvider(
            sts_endpoint=self.url, cert_file=c["client_cert"], key_file=key,
            key_password=password, ca_certs=c["ca"],
        )  # fmt: skip
        with SecretWatch() as watch, self.assertRaises(ConfigError) as cm:
            make("wrong-pass").retrieve()
        watch.assert_clean(self, "wrong-pass", extra_texts=[cm.exception])
        self.assertEqual(self.server.requests, [])
        make("key-SECRET-pass").retrieve()
        self.assertEqual(
            self.server.requests[0].client_subject, "commonName=minicreds test client"
        )

    def test_refused_before_any_connection(self):
        c = self.certs
        plain = self.url.replace("https://", "http://")
        with self.assertRaises(ConfigError):
            CertificateIdentityProvider(
                sts_endpoint=plain, cert_file=c["client_cert"], key_file=c["client_key"]
            )
        with self.assertRaises(ConfigError) as cm:
            CertificateIdentityProvider(
                sts_endpoint=self.url, cert_file=c["client_cert"]
            )
        self.assertIn("key_file", str(cm.exception))
        self.assertEqual(self.server.requests, [])


def container_answer(request):
    return 200, {
        "AccessKeyId": "ASIACONTAINER",
        "SecretAccessKey": "container-SECRET-key",
        "Token": "container-session",
        "Expiration": "2099-01-02T03:04:05Z",
    }


class IamAwsForms(STSTestCase):
    """IamAwsProvider's minio-py keywords; each variable wins over its keyword."""

    def setUp(self):
        super().setUp()
        self.server.route("GET", "*", container_answer)
        folder = tempfile.mkdtemp(prefix="minicreds-forms-")
        self.addCleanup(shutil.rmtree, folder, True)
        self.token_file = os.path.join(folder, "token")
        with open(self.token_file, "w") as handle:
            handle.write(JWT)
        self.other_file = os.path.join(folder, "other")
        with open(self.other_file, "w") as handle:
            handle.write("other-" + JWT)

    def test_token_file_with_the_sts_endpoint(self):
        provider = IamAwsProvider(
            custom_endpoint=self.url, token_file=self.token_file, role_arn=ROLE,
            role_session_name="iam-session", environ={},
        )  # fmt: skip
        self.assertEqual(provider.retrieve().expiration, FAR_DT)
        self.assert_form(
            self.server.requests[0],
            {
                "Action": "AssumeRoleWithWebIdentity",
                "WebIdentityToken": JWT,
                "RoleArn": ROLE,
                "RoleSessionName": "iam-session",
            },
        )

    def test_variables_win_over_keywords(self):
        environ = {
            "AWS_WEB_IDENTITY_TOKEN_FILE": self.other_file,
            "AWS_ROLE_ARN": ROLE + "-env",
            "AWS_ROLE_SESSION_NAME": "env-session",
        }
        IamAwsProvider(
            custom_endpoint=self.url, token_file=self.token_file, role_arn=ROLE,
            role_session_name="iam-session", environ=environ,
        ).retrieve()  # fmt: skip
        form = self.server.requests[0].form
        self.assertEqual(form["WebIdentityToken"], ["other-" + JWT])
        self.assertEqual(form["RoleArn"], [ROLE + "-env"])
        self.assertEqual(form["RoleSessionName"], ["env-session"])

    def test_relative_uri_with_the_container_url(self):
        provider = IamAwsProvider(
            custom_endpoint=self.url + "creds", relative_uri="v2/credentials/x",
            auth_token="auth-SECRET", environ={},
        )  # fmt: skip
        self.assertEqual(provider.retrieve().access_key, "ASIACONTAINER")
        req = self.server.requests[0]
        self.assertEqual((req.method, req.path), ("GET", "/creds"))
        self.assertEqual(req.headers["Authorization"], "auth-SECRET")

    def test_full_uri_and_auth_token(self):
        """``auth_token`` is the token (7.2.20 opened it as a file: a bug fixed on
        minio-py's main branch)."""
        IamAwsProvider(
            full_uri=self.url + "full", auth_token="auth-SECRET", environ={}
        ).retrieve()
        req = self.server.requests[0]
        self.assertEqual(
            (req.path, req.headers["Authorization"]), ("/full", "auth-SECRET")
        )

    def test_full_uri_with_a_token_file_variable(self):
        environ = {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": self.other_file}
        IamAwsProvider(
            custom_endpoint=self.url + "ignored", full_uri=self.url + "full",
            environ=environ,
        ).retrieve()  # fmt: skip
        req = self.server.requests[0]
        self.assertEqual(req.path, "/full")
        self.assertEqual(req.headers["Authorization"], "other-" + JWT)

    def test_custom_endpoint_replaces_the_full_uri(self):
        IamAwsProvider(
            custom_endpoint=self.url + "custom", full_uri="http://127.0.0.1:1/",
            environ={},
        ).retrieve()  # fmt: skip
        self.assertEqual(self.server.requests[0].path, "/custom")

    def test_container_allow_list_kept(self):
        for keywords in (
            {"full_uri": "http://example.com/creds"},
            {"relative_uri": "/x", "custom_endpoint": "http://192.0.2.1/creds"},
        ):
            with self.subTest(keywords), self.assertRaises(ConfigError):
                IamAwsProvider(environ={}, **keywords).retrieve()

    def test_custom_endpoint_alone_is_instance_metadata(self):
        """Both forms: the instance metadata base URL."""
        self.server.route("PUT", IMDS_TOKEN_PATH, (200, "imds-token"))
        roles = IMDS_ROLES_PATH
        self.server.route("GET", roles, (200, "role"))
        # A service without the extended credentials path (README "Account ID").
        self.server.route("GET", IMDS_EXTENDED_PATH, 404)
        for make in (
            lambda: IamAwsProvider(self.server.url, environ={}),
            lambda: IamAwsProvider(self.server.url, None, environ={}),
        ):
            with self.subTest(make=make):
                self.assertEqual(make().retrieve().access_key, "ASIACONTAINER")
        paths = [r.path for r in self.server.requests]
        self.assertEqual(paths.count(roles + "role"), 2)


if __name__ == "__main__":
    unittest.main()
