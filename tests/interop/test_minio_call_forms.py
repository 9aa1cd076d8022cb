"""minio-py 7.2.20's call forms, run on the SDK's own classes and on minicreds's.

Each keyword call of ``AssumeRoleProvider``, ``WebIdentityProvider``,
``ClientGrantsProvider``, ``LdapIdentityProvider``, ``CertificateIdentityProvider``
and ``IamAwsProvider`` is made, with the same arguments, on ``minio.credentials`` and
on ``minicreds``, against the same loopback fake (STS, container endpoint or instance
metadata). The requests must carry the same action and parameters (the SDK puts most
in the URL query, minicreds always in the form body) and the credentials must be the
same. README "Compatibility with the MinIO SDK" lists these forms.

7.2.20 takes keywords only, but for ``LdapIdentityProvider``; its examples and older
code call the others positionally, in the documented order. Those positional calls are
checked on minicreds against expectations written from the SDK's rules (the SDK
itself refuses them).

Skipped unless minio 7.2.20 is installed (tox.ini pins it). The certificate cases need
the ``openssl`` command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unittest
import warnings

import minicreds
from tests.interop.minio_sts_support import (
    EXPIRY,
    TEMP_ACCESS,
    TEMP_SECRET,
    TEMP_TOKEN,
    as_tuple,
    params_of,
    sts_document,
)
from tests.support import FakeServer, Response, env

try:
    import minio
    from minio.credentials import providers as sdk
except ImportError:  # the suite runs with nothing installed
    minio = sdk = None

SDK_VERSION = getattr(minio, "__version__", None)
ACCESS = "AKIACALLFORMSSOURCE1"
SECRET = "sEcReT-call-forms-source-0f1e2d3c"
ROLE_ARN = "arn:aws:iam::123456789012:role/forms-role"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmb3JtcyJ9.Zm9ybXMtand0LXNlY3JldA"
POLICY = '{"Version":"2012-10-17","Statement":[]}'
LDAP_USER = "uid=forms user,dc=example"
LDAP_PASSWORD = "forms p@ss&w=rd+é"
AUTH_TOKEN = "forms-container-auth-SECRET"
IMDS_TOKEN = "forms-imds-token"
WEEK = 7 * 24 * 3600
CONTAINER_ANSWER = {
    "Code": "Success",
    "AccessKeyId": TEMP_ACCESS,
    "SecretAccessKey": TEMP_SECRET,
    "Token": TEMP_TOKEN,
    "Expiration": "2099-01-02T03:04:05Z",
}


def jwt_answer(**fields):
    """A jwt_provider_func returning the SDK's dict."""
    return lambda: dict(fields)


def sts_answer(request):
    _, params = params_of(request)
    action = params.get("Action", ["None"])[0]
    return Response(200, sts_document(action), [("Content-Type", "text/xml")])


def sent(request):
    """What a request carried: its action and parameters, wherever they were."""
    return params_of(request)[1]


def is_time_stamp(name):
    """minio-py's default session name: the time, without its dot."""
    return name.isdigit() and len(name) >= 10


@unittest.skipUnless(SDK_VERSION == "7.2.20", "needs minio 7.2.20 (tox.ini pins it)")
class KeywordForms(unittest.TestCase):
    """The same keyword call on both libraries."""

    tls = False

    def setUp(self):
        home = env()
        home.__enter__()
        self.addCleanup(home.__exit__, None, None, None)
        catcher = warnings.catch_warnings()  # the SDK's datetime.utcnow()
        catcher.__enter__()
        self.addCleanup(catcher.__exit__, None, None, None)
        warnings.simplefilter("ignore", DeprecationWarning)
        self.server = FakeServer(tls=self.tls, require_client_cert=self.tls).start()
        self.addCleanup(self.server.stop)
        self.server.route("POST", "*", sts_answer)
        self.folder = tempfile.mkdtemp(prefix="minicreds-forms-")
        self.addCleanup(shutil.rmtree, self.folder, True)

    def both(self, name, **kwargs):
        """``name(**kwargs).retrieve()`` on the SDK, then on minicreds; returns the
        requests each made. Their credentials must be the same."""
        requests, results = [], []
        for library in (sdk, minicreds):
            start = len(self.server.requests)
            results.append(as_tuple(getattr(library, name)(**kwargs).retrieve()))
            requests.append(self.server.requests[start:])
        self.assertEqual(results[1], results[0])
        self.assertEqual(results[1], (TEMP_ACCESS, TEMP_SECRET, TEMP_TOKEN, EXPIRY))
        return requests

    def same_sts_call(self, name, expected=None, **kwargs):
        """One STS request each, with the same action and parameters (``expected``
        when given); returns them."""
        (theirs,), (ours,) = self.both(name, **kwargs)
        self.assertEqual(sent(ours), sent(theirs))
        self.assertEqual(params_of(ours)[0], "body")  # minicreds: never in the URL
        if expected is not None:
            want = {k: [v] for k, v in expected.items() if v is not None}
            self.assertEqual(sent(ours), dict(want, Version=["2011-06-15"]))
        return theirs, ours


class AssumeRoleKeywords(KeywordForms):
    def assume_role(self, expected, **kwargs):
        theirs, ours = self.same_sts_call(
            "AssumeRoleProvider",
            dict(expected, Action="AssumeRole"),
            sts_endpoint=self.server.url,
            access_key=ACCESS,
            secret_key=SECRET,
            **kwargs,
        )
        scopes = [
            request.headers["Authorization"].split("Credential=")[1].split(",")[0]
            for request in (theirs, ours)
        ]
        self.assertEqual(scopes[1].split("/")[2:], scopes[0].split("/")[2:])
        return scopes[1]

    def test_minimal(self):
        """An hour, no role or session name, signed for region ""."""
        scope = self.assume_role({"DurationSeconds": "3600"})
        self.assertEqual(scope.split("/")[2], "")

    def test_every_keyword(self):
        self.assume_role(
            {
                "DurationSeconds": "3600",
                "Policy": POLICY,
                "RoleArn": ROLE_ARN,
                "RoleSessionName": "forms-session",
                "ExternalId": "ext-7",
            },
            duration_seconds=900,
            policy=POLICY,
            region="us-east-1",
            role_arn=ROLE_ARN,
            role_session_name="forms-session",
            external_id="ext-7",
            http_client=None,
        )

    def test_long_duration_and_region(self):
        scope = self.assume_role(
            {"DurationSeconds": "7200", "RoleArn": ROLE_ARN},
            duration_seconds=7200,
            region="eu-west-1",
            role_arn=ROLE_ARN,
        )
        self.assertEqual(scope.split("/")[2], "eu-west-1")


class JwtKeywords(KeywordForms):
    def web(self, expected, **kwargs):
        base = {"Action": "AssumeRoleWithWebIdentity", "WebIdentityToken": JWT}
        return self.same_sts_call(
            "WebIdentityProvider",
            None if expected is None else dict(base, **expected),
            sts_endpoint=self.server.url,
            **kwargs,
        )

    def test_web_identity_minimal(self):
        self.web(
            {"DurationSeconds": "1800"},
            jwt_provider_func=jwt_answer(access_token=JWT, expires_in="1800"),
        )

    def test_web_identity_id_token_without_lifetime(self):
        self.web({}, jwt_provider_func=jwt_answer(id_token=JWT))

    def test_web_identity_every_keyword(self):
        self.web(
            {
                "DurationSeconds": "900",
                "Policy": POLICY,
                "RoleArn": ROLE_ARN,
                "RoleSessionName": "web-session",
            },
            jwt_provider_func=jwt_answer(access_token=JWT, expires_in=WEEK),
            duration_seconds=300,
            policy=POLICY,
            role_arn=ROLE_ARN,
            role_session_name="web-session",
            http_client=None,
        )

    def test_web_identity_session_named_after_the_time(self):
        (theirs,), (ours,) = self.both(
            "WebIdentityProvider",
            jwt_provider_func=jwt_answer(access_token=JWT, expires_in=10**7),
            sts_endpoint=self.server.url,
            role_arn=ROLE_ARN,
        )
        names = [sent(r).pop("RoleSessionName") for r in (theirs, ours)]
        self.assertTrue(all(map(is_time_stamp, names[0] + names[1])), names)
        self.assertEqual(
            {k: v for k, v in sent(ours).items() if k != "RoleSessionName"},
            {k: v for k, v in sent(theirs).items() if k != "RoleSessionName"},
        )
        self.assertEqual(sent(ours)["DurationSeconds"], [str(WEEK)])

    def test_web_identity_session_name_needs_a_role(self):
        self.web(
            {},
            jwt_provider_func=jwt_answer(access_token=JWT),
            role_session_name="dropped",
        )

    def test_client_grants_minimal(self):
        self.same_sts_call(
            "ClientGrantsProvider",
            {"Action": "AssumeRoleWithClientGrants", "Token": JWT},
            jwt_provider_func=jwt_answer(access_token=JWT, expires_in="0"),
            sts_endpoint=self.server.url,
        )

    def test_client_grants_every_keyword(self):
        self.same_sts_call(
            "ClientGrantsProvider",
            {
                "Action": "AssumeRoleWithClientGrants",
                "Token": JWT,
                "DurationSeconds": str(WEEK),
                "Policy": POLICY,
            },
            jwt_provider_func=jwt_answer(id_token=JWT, expires_in=60),
            sts_endpoint=self.server.url,
            duration_seconds=10**7,
            policy=POLICY,
            http_client=None,
        )


class LdapKeywords(KeywordForms):
    def test_minimal(self):
        self.same_sts_call(
            "LdapIdentityProvider",
            {
                "Action": "AssumeRoleWithLDAPIdentity",
                "LDAPUsername": LDAP_USER,
                "LDAPPassword": LDAP_PASSWORD,
            },
            sts_endpoint=self.server.url,
            ldap_username=LDAP_USER,
            ldap_password=LDAP_PASSWORD,
        )

    def test_every_keyword(self):
        """The duration as given (no clamp)."""
        self.same_sts_call(
            "LdapIdentityProvider",
            {
                "Action": "AssumeRoleWithLDAPIdentity",
                "LDAPUsername": LDAP_USER,
                "LDAPPassword": LDAP_PASSWORD,
                "DurationSeconds": "300",
                "Policy": POLICY,
                "TokenRevokeType": "app-1",
            },
            sts_endpoint=self.server.url,
            ldap_username=LDAP_USER,
            ldap_password=LDAP_PASSWORD,
            duration_seconds=300,
            policy=POLICY,
            token_revoke_type="app-1",
            http_client=None,
        )

    def test_positional_in_both(self):
        """7.2.20 still takes LDAP's arguments positionally."""
        start = len(self.server.requests)
        for library in (sdk, minicreds):
            library.LdapIdentityProvider(
                self.server.url, LDAP_USER, LDAP_PASSWORD, 7200, POLICY, "app-2"
            ).retrieve()
        theirs, ours = self.server.requests[start:]
        self.assertEqual(sent(ours), sent(theirs))
        self.assertEqual(sent(ours)["DurationSeconds"], ["7200"])


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
class CertificateKeywords(KeywordForms):
    tls = True

    def certificate(self, expected, **kwargs):
        from tests.support import certs

        c = certs()
        (theirs,), (ours,) = self.both(
            "CertificateIdentityProvider",
            sts_endpoint=self.server.url,
            cert_file=c["client_cert"],
            key_file=kwargs.pop("key_file", c["client_key"]),
            ca_certs=c["ca"],
            **kwargs,
        )
        for request in (theirs, ours):
            self.assertEqual(request.client_subject, "commonName=minicreds test client")
        self.assertEqual(sent(ours), sent(theirs))
        want = {"Action": "AssumeRoleWithCertificate", "Version": "2011-06-15"}
        want.update(expected)
        self.assertEqual(sent(ours), {k: [v] for k, v in want.items()})

    def test_minimal(self):
        self.certificate({"DurationSeconds": "3600"})

    def test_duration(self):
        self.certificate({"DurationSeconds": "7200"}, duration_seconds=7200)

    def test_encrypted_key(self):
        from tests.support import certs

        key = os.path.join(self.folder, "encrypted.key")
        subprocess.run(
            ["openssl", "pkey", "-in", certs()["client_key"], "-aes256"]
            + ["-passout", "pass:forms-key-pass", "-out", key],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.certificate(
            {"DurationSeconds": "3600"},
            key_file=key,
            key_password="forms-key-pass",
            http_client=None,
        )


class IamAwsKeywords(KeywordForms):
    def setUp(self):
        super().setUp()
        self.server.route("GET", "/container", (200, CONTAINER_ANSWER))
        self.server.route("PUT", "/latest/api/token", (200, IMDS_TOKEN))
        roles = "/latest/meta-data/iam/security-credentials/"
        self.server.route("GET", roles, (200, "forms-role"))
        self.server.route("GET", roles + "forms-role", (200, CONTAINER_ANSWER))
        self.token_file = os.path.join(self.folder, "token")
        with open(self.token_file, "w") as handle:
            handle.write(JWT)  # no newline: the SDK sends the file as it is

    def exchanges(self, requests, header):
        return [(r.method, r.path, r.headers.get(header)) for r in requests]

    def test_instance_metadata(self):
        theirs, ours = self.both("IamAwsProvider", custom_endpoint=self.server.url)
        header = "X-aws-ec2-metadata-token"
        # minicreds first asks the extended credentials path, for the account ID
        # (README "Account ID"); this service answers 404 there, as one without it.
        extended = "/latest/meta-data/iam/security-credentials-extended/"
        probes = [r for r in ours if r.path == extended]
        self.assertEqual(len(probes), 1)
        ours = [r for r in ours if r.path != extended]
        self.assertEqual(self.exchanges(ours, header), self.exchanges(theirs, header))
        self.assertEqual(
            [r.headers.get("X-aws-ec2-metadata-token-ttl-seconds") for r in ours[:1]],
            ["21600"],
        )

    def test_relative_uri_with_the_container_url(self):
        theirs, ours = self.both(
            "IamAwsProvider",
            custom_endpoint=self.server.url + "/container",
            relative_uri="/v2/credentials/forms",
            auth_token=AUTH_TOKEN,
        )
        exchanges = self.exchanges(ours, "Authorization")
        self.assertEqual(exchanges, self.exchanges(theirs, "Authorization"))
        self.assertEqual(exchanges, [("GET", "/container", AUTH_TOKEN)])

    def test_full_uri(self):
        theirs, ours = self.both(
            "IamAwsProvider", full_uri=self.server.url + "/container"
        )
        exchanges = self.exchanges(ours, "Authorization")
        self.assertEqual(exchanges, self.exchanges(theirs, "Authorization"))
        self.assertEqual(exchanges, [("GET", "/container", None)])

    def test_full_uri_with_auth_token(self):
        """Deliberate difference: 7.2.20 opens ``auth_token`` as a file with a full
        URI (a bug fixed on minio-py's main branch); minicreds sends it."""
        kwargs = {"full_uri": self.server.url + "/container", "auth_token": AUTH_TOKEN}
        with self.assertRaises(OSError):
            sdk.IamAwsProvider(**kwargs).retrieve()
        minicreds.IamAwsProvider(**kwargs).retrieve()
        request = self.server.requests[-1]
        self.assertEqual(request.headers["Authorization"], AUTH_TOKEN)

    def test_web_identity_token_file(self):
        self.same_sts_call(
            "IamAwsProvider",
            {
                "Action": "AssumeRoleWithWebIdentity",
                "WebIdentityToken": JWT,
                "RoleArn": ROLE_ARN,
                "RoleSessionName": "iam-session",
            },
            custom_endpoint=self.server.url,
            token_file=self.token_file,
            role_arn=ROLE_ARN,
            role_session_name="iam-session",
            http_client=None,
        )

    def test_variables_win_over_keywords(self):
        os.environ["AWS_ROLE_ARN"] = ROLE_ARN + "-env"
        os.environ["AWS_ROLE_SESSION_NAME"] = "env-session"
        (_, ours) = self.same_sts_call(
            "IamAwsProvider",
            custom_endpoint=self.server.url,
            token_file=self.token_file,
            role_arn=ROLE_ARN,
            role_session_name="iam-session",
        )
        self.assertEqual(sent(ours)["RoleArn"], [ROLE_ARN + "-env"])
        self.assertEqual(sent(ours)["RoleSessionName"], ["env-session"])


class PositionalForms(unittest.TestCase):
    """The documented order, which 7.2.20 refuses for five classes, taken by
    minicreds as the SDK's rules say; the expectations are written from them."""

    def setUp(self):
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)
        self.server.route("POST", "*", sts_answer)
        self.url = self.server.url

    def assert_sent(self, provider, expected):
        creds = provider.retrieve()
        self.assertEqual(
            as_tuple(creds), (TEMP_ACCESS, TEMP_SECRET, TEMP_TOKEN, EXPIRY)
        )
        request = self.server.requests[-1]
        want = {k: [v] for k, v in dict(expected, Version="2011-06-15").items()}
        self.assertEqual(params_of(request), ("body", want))
        return request

    @unittest.skipUnless(SDK_VERSION == "7.2.20", "needs minio 7.2.20")
    def test_the_sdk_refuses_them(self):
        calls = (
            (sdk.AssumeRoleProvider, (self.url, ACCESS, SECRET)),
            (sdk.WebIdentityProvider, (jwt_answer(access_token=JWT), self.url)),
            (sdk.ClientGrantsProvider, (jwt_answer(access_token=JWT), self.url)),
            (sdk.CertificateIdentityProvider, ("https://127.0.0.1:1",)),
            (sdk.IamAwsProvider, (self.url,)),
        )
        for cls, args in calls:
            with self.subTest(cls.__name__), self.assertRaises(TypeError):
                cls(*args)

    def test_assume_role(self):
        """(sts_endpoint, access_key, secret_key, duration_seconds, policy, region,
        role_arn, role_session_name, external_id, http_client): at least an hour."""
        provider = minicreds.AssumeRoleProvider(
            self.url, ACCESS, SECRET, 600, POLICY, "eu-west-1", ROLE_ARN, "s-1",
            "ext-1", None,
        )  # fmt: skip
        request = self.assert_sent(
            provider,
            {
                "Action": "AssumeRole",
                "DurationSeconds": "3600",
                "Policy": POLICY,
                "RoleArn": ROLE_ARN,
                "RoleSessionName": "s-1",
                "ExternalId": "ext-1",
            },
        )
        self.assertIn("/eu-west-1/sts/aws4_request", request.headers["Authorization"])

    def test_web_identity(self):
        """(jwt_provider_func, sts_endpoint, duration_seconds, policy, role_arn,
        role_session_name, http_client): duration_seconds, else expires_in, within
        900 s - 7 days."""
        provider = minicreds.WebIdentityProvider(
            jwt_answer(id_token=JWT, expires_in=60), self.url, 0, POLICY, ROLE_ARN,
            "s-2", None,
        )  # fmt: skip
        self.assert_sent(
            provider,
            {
                "Action": "AssumeRoleWithWebIdentity",
                "WebIdentityToken": JWT,
                "DurationSeconds": "900",
                "Policy": POLICY,
                "RoleArn": ROLE_ARN,
                "RoleSessionName": "s-2",
            },
        )

    def test_client_grants(self):
        """(jwt_provider_func, sts_endpoint, duration_seconds, policy, http_client)."""
        provider = minicreds.ClientGrantsProvider(
            jwt_answer(access_token=JWT), self.url, 10**7, POLICY, None
        )
        self.assert_sent(
            provider,
            {
                "Action": "AssumeRoleWithClientGrants",
                "Token": JWT,
                "DurationSeconds": str(WEEK),
                "Policy": POLICY,
            },
        )

    def test_ldap(self):
        """(sts_endpoint, ldap_username, ldap_password, duration_seconds, policy,
        token_revoke_type, http_client): the duration as given."""
        provider = minicreds.LdapIdentityProvider(
            self.url, LDAP_USER, LDAP_PASSWORD, 600, POLICY, "app-3", None
        )
        self.assert_sent(
            provider,
            {
                "Action": "AssumeRoleWithLDAPIdentity",
                "LDAPUsername": LDAP_USER,
                "LDAPPassword": LDAP_PASSWORD,
                "DurationSeconds": "600",
                "Policy": POLICY,
                "TokenRevokeType": "app-3",
            },
        )

    @unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
    def test_certificate(self):
        """(sts_endpoint, cert_file, key_file, key_password, ca_certs,
        duration_seconds, http_client): at least an hour."""
        from tests.support import certs

        c = certs()
        server = FakeServer(tls=True, require_client_cert=True).start()
        self.addCleanup(server.stop)
        server.route("POST", "*", sts_answer)
        self.server = server
        provider = minicreds.CertificateIdentityProvider(
            server.url, c["client_cert"], c["client_key"], None, c["ca"], 60, None
        )
        request = self.assert_sent(
            provider, {"Action": "AssumeRoleWithCertificate", "DurationSeconds": "3600"}
        )
        self.assertEqual(request.client_subject, "commonName=minicreds test client")

    def test_iam_aws(self):
        """(custom_endpoint, http_client, auth_token, relative_uri, full_uri,
        token_file, role_arn, role_session_name, region): with a relative URI the
        custom endpoint is the container's whole URL."""
        self.server.route("GET", "/container", (200, CONTAINER_ANSWER))
        provider = minicreds.IamAwsProvider(
            self.url + "/container", None, AUTH_TOKEN, "/v2/x", environ={}
        )
        creds = provider.retrieve()
        self.assertEqual(
            as_tuple(creds), (TEMP_ACCESS, TEMP_SECRET, TEMP_TOKEN, EXPIRY)
        )
        request = self.server.requests[-1]
        self.assertEqual((request.method, request.path), ("GET", "/container"))
        self.assertEqual(request.headers["Authorization"], AUTH_TOKEN)


if __name__ == "__main__":
    unittest.main()
