"""The MinIO SDK's STS providers and minicreds's, against the same loopback fake STS.

Each pair is pointed at one :class:`tests.support.FakeServer` that answers the same
XML document (AWS's and MinIO's shape: ``<ActionResponse><ActionResult><Credentials>``
in the STS namespace) to both; the tests compare the credentials returned and record
on the wire what each sent. Where minicreds deliberately differs, the test says so and
names the README section that says why (mostly "Where minicreds differs from the MinIO
SDK, on purpose" and "Tested against"):

* parameters: the SDK puts them in the URL query (WebIdentity, ClientGrants, LDAP,
  Certificate); minicreds sends every STS call as a form body, so no secret is ever in
  a URL (README, "Where minicreds differs from the MinIO SDK": "STS parameters travel in
  the form body, never in the URL"). For ``AssumeRole`` both send a signed form body;
* durations: the SDK raises ``AssumeRole`` and certificate durations below an hour to
  3600 (and sends 3600 when none is given), and clamps web-identity and client-grants
  durations to 900 s - 7 days; minicreds's own forms send the ``duration=`` they are
  given, nothing when given nothing (README, "Tested against": "durations of
  minicreds's own forms neither defaulted nor clamped"), but for a token's
  ``expires_in``, which gets the SDK's clamp;
* argument order: these pairs call minicreds in its own forms
  (``LdapIdentityProvider(username, password, sts_endpoint, ...)``, and
  ``AssumeRoleProvider`` with a source provider, so roles chain: README, "Providers").
  minicreds also takes the SDK's forms: tests/interop/test_minio_call_forms.py makes
  the same calls on both (README, "Compatibility with the MinIO SDK");
* errors: both raise a ``ValueError``; minicreds's is an ``STSError`` carrying the
  service's code and no secret (README, "Errors");
* expiration formats: minicreds also reads 7-9 fractional digits and UTC offsets
  (README, "Tested against": "more expiration formats read"), which the SDK's
  parser refuses.

Skipped unless the minio package is installed. The certificate pair needs the
``openssl`` command (tests/support.py makes the test PKI).
"""

from __future__ import annotations

import shutil
import unittest
import warnings

import minicreds
from tests.fakes import xml_response
from tests.interop.minio_sts_support import (
    ACCESS,
    ERROR_DOCUMENT,
    EXPIRY,
    JWT,
    LDAP_PASSWORD,
    LDAP_USER,
    ROLE_ARN,
    SECRET,
    SECRETS,
    TEMP_ACCESS,
    TEMP_SECRET,
    TEMP_TOKEN,
    _nothing,
    as_tuple,
    params_of,
    sts_document,
)
from tests.support import FakeServer, SecretWatch, certs, env

try:
    from minio.credentials import providers as sdk
except ImportError:  # the suite runs with nothing installed
    sdk = None


@unittest.skipUnless(sdk is not None, "the minio package is not installed")
class StsCompatTest(unittest.TestCase):
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
        self.answer = None  # a Response to send instead of the action's document
        self.expiration = "2099-01-02T03:04:05Z"
        self.server.route("POST", "/", self.sts)

    def sts(self, request):
        if self.answer is not None:
            return self.answer
        _, params = params_of(request)
        action = params.get("Action", [""])[0]
        if not action:
            return xml_response(400, ERROR_DOCUMENT)
        body = sts_document(action, self.expiration)
        return xml_response(200, body)

    def pair(self, make_sdk, make_ours):
        """Run each provider once against the fake; returns
        ``((sdk credentials, sdk request), (our credentials, our request))``."""
        results = []
        for make in (make_sdk, make_ours):
            start = len(self.server.requests)
            # minicreds's logs only: urllib3 logs the SDK's URL, query and all
            with SecretWatch() if make is make_ours else _nothing() as watch:
                creds = make().retrieve()
            self.assertEqual(len(self.server.requests), start + 1)
            results.append((creds, self.server.requests[start]))
        watch.assert_clean(self, *SECRETS)
        (theirs, _), (ours, _) = results
        self.assertEqual(as_tuple(ours), as_tuple(theirs))
        self.assertEqual(as_tuple(ours), (TEMP_ACCESS, TEMP_SECRET, TEMP_TOKEN, EXPIRY))
        return results

    def assertQueryVersusBody(self, sdk_request, our_request, expected):
        """The SDK sent ``expected`` in the URL query, minicreds in the form body."""
        for request in (sdk_request, our_request):
            self.assertEqual((request.method, request.path_only), ("POST", "/"))
        self.assertEqual(params_of(sdk_request), ("query", expected))
        self.assertEqual(sdk_request.body, b"")
        self.assertEqual(params_of(our_request), ("body", expected))
        self.assertEqual(our_request.path, "/")
        self.assertTrue(
            our_request.headers["Content-Type"].startswith(
                "application/x-www-form-urlencoded"
            )
        )
        for request in (sdk_request, our_request):  # neither signs these
            self.assertIsNone(request.headers.get("Authorization"))


class AssumeRoleCompatTest(StsCompatTest):
    def sdk_provider(self, **kw):
        return sdk.AssumeRoleProvider(
            sts_endpoint=self.server.url,
            access_key=ACCESS,
            secret_key=SECRET,
            region="us-east-1",
            role_arn=ROLE_ARN,
            role_session_name="compat-session",
            **kw,
        )

    def our_provider(self, duration=None, policy=None, external_id=None):
        return minicreds.AssumeRoleProvider(
            minicreds.StaticProvider(ACCESS, SECRET),
            ROLE_ARN,
            "compat-session",
            duration,
            policy,
            "us-east-1",
            sts_endpoint=self.server.url,
            external_id=external_id,
        )

    def test_same_credentials_and_parameters(self):
        """Both POST a form body signed with SigV4 for sts/us-east-1."""
        policy = '{"Version":"2012-10-17","Statement":[]}'
        (_, theirs), (_, ours) = self.pair(
            lambda: self.sdk_provider(
                duration_seconds=7200, policy=policy, external_id="ext-9"
            ),
            lambda: self.our_provider(7200, policy, "ext-9"),
        )
        expected = {
            "Action": ["AssumeRole"],
            "Version": ["2011-06-15"],
            "RoleArn": [ROLE_ARN],
            "RoleSessionName": ["compat-session"],
            "DurationSeconds": ["7200"],
            "Policy": [policy],
            "ExternalId": ["ext-9"],
        }
        self.assertEqual(params_of(theirs), ("body", expected))
        self.assertEqual(params_of(ours), ("body", expected))
        for request in (theirs, ours):
            self.assertEqual((request.method, request.path), ("POST", "/"))
            auth = request.headers["Authorization"]
            self.assertTrue(auth.startswith("AWS4-HMAC-SHA256 Credential=" + ACCESS))
            self.assertIn("/us-east-1/sts/aws4_request", auth)
        # minicreds states the charset of its form body (as botocore does)
        self.assertEqual(
            theirs.headers["Content-Type"], "application/x-www-form-urlencoded"
        )
        self.assertEqual(
            ours.headers["Content-Type"],
            "application/x-www-form-urlencoded; charset=utf-8",
        )

    def test_duration_difference(self):
        """Deliberate difference (README, "Tested against": durations neither defaulted
        nor clamped):
        with no duration the SDK sends 3600 and minicreds nothing; below an hour the
        SDK sends 3600 and minicreds the value given."""
        for given, sdk_sent, ours_sent in ((None, "3600", None), (900, "3600", "900")):
            with self.subTest(duration=given):
                (_, theirs), (_, ours) = self.pair(
                    lambda given=given: self.sdk_provider(duration_seconds=given or 0),
                    lambda given=given: self.our_provider(given),
                )
                self.assertEqual(params_of(theirs)[1]["DurationSeconds"], [sdk_sent])
                self.assertEqual(
                    params_of(ours)[1].get("DurationSeconds", [None]), [ours_sent]
                )

    def test_error_answer(self):
        """Both raise a ValueError; minicreds's is an STSError with the code."""
        self.answer = xml_response(403, ERROR_DOCUMENT)
        with self.assertRaises(ValueError):
            self.sdk_provider().retrieve()
        with SecretWatch() as watch, self.assertRaises(minicreds.STSError) as cm:
            self.our_provider().retrieve()
        self.assertEqual(
            (cm.exception.code, cm.exception.status), ("AccessDenied", 403)
        )
        self.assertEqual(cm.exception.request_id, "req-compat-err")
        watch.assert_clean(self, SECRET, extra_texts=[cm.exception])


class WebIdentityCompatTest(StsCompatTest):
    def pair_for(self, jwt, **kw):
        return self.pair(
            lambda: sdk.WebIdentityProvider(
                jwt_provider_func=jwt,
                sts_endpoint=self.server.url,
                role_arn=ROLE_ARN,
                role_session_name="web-session",
                **kw,
            ),
            lambda: minicreds.WebIdentityProvider(
                jwt, ROLE_ARN, "web-session", sts_endpoint=self.server.url, **kw
            ),
        )

    def test_same_credentials_same_jwt_function(self):
        """The same JWT function (the SDK's dict convention) serves both."""
        policy = '{"Version":"2012-10-17","Statement":[]}'
        (_, theirs), (_, ours) = self.pair_for(
            lambda: {"id_token": JWT, "expires_in": "1800"}, policy=policy
        )
        self.assertQueryVersusBody(
            theirs,
            ours,
            {
                "Action": ["AssumeRoleWithWebIdentity"],
                "Version": ["2011-06-15"],
                "RoleArn": [ROLE_ARN],
                "RoleSessionName": ["web-session"],
                "WebIdentityToken": [JWT],
                "DurationSeconds": ["1800"],
                "Policy": [policy],
            },
        )
        # README, "Where minicreds differs from the MinIO SDK": secrets never in the
        # URL. The SDK's URL carries the JWT.
        self.assertIn("WebIdentityToken=", theirs.path)
        self.assertNotIn("?", ours.path)

    def test_access_token(self):
        """``access_token`` (read first by minicreds, README "Providers", and by the SDK
        from
        7.2.11; older SDKs read ``id_token`` only and send an empty token)."""
        (_, theirs), (_, ours) = self.pair_for(lambda: {"access_token": JWT})
        self.assertIn(params_of(theirs)[1]["WebIdentityToken"], ([JWT], [""]))
        self.assertEqual(params_of(ours)[1]["WebIdentityToken"], [JWT])
        self.assertNotIn("DurationSeconds", params_of(ours)[1])
        self.assertNotIn("DurationSeconds", params_of(theirs)[1])

    def test_expires_in_clamped_as_the_sdk_does(self):
        """A token callable returning the SDK's dict gets the SDK's rule for
        ``expires_in`` in minicreds's own form too (README "Compatibility with the MinIO
        SDK"): 300 s is sent as 900 by both."""
        (_, theirs), (_, ours) = self.pair_for(
            lambda: {"id_token": JWT, "expires_in": 300}
        )
        self.assertEqual(params_of(theirs)[1]["DurationSeconds"], ["900"])
        self.assertEqual(params_of(ours)[1]["DurationSeconds"], ["900"])

    def test_error_answer(self):
        self.answer = xml_response(403, ERROR_DOCUMENT)
        jwt = lambda: {"id_token": JWT}
        with self.assertRaises(ValueError):
            sdk.WebIdentityProvider(
                jwt_provider_func=jwt, sts_endpoint=self.server.url, role_arn=ROLE_ARN
            ).retrieve()
        with SecretWatch() as watch, self.assertRaises(minicreds.STSError) as cm:
            minicreds.WebIdentityProvider(
                jwt, ROLE_ARN, "s", sts_endpoint=self.server.url
            ).retrieve()
        self.assertEqual(cm.exception.code, "AccessDenied")
        watch.assert_clean(self, JWT, extra_texts=[cm.exception])


class ClientGrantsCompatTest(StsCompatTest):
    def test_same_credentials(self):
        jwt = lambda: {"id_token": JWT, "expires_in": 3600}
        (_, theirs), (_, ours) = self.pair(
            lambda: sdk.ClientGrantsProvider(
                jwt_provider_func=jwt, sts_endpoint=self.server.url
            ),
            lambda: minicreds.ClientGrantsProvider(jwt, self.server.url),
        )
        self.assertQueryVersusBody(
            theirs,
            ours,
            {
                "Action": ["AssumeRoleWithClientGrants"],
                "Version": ["2011-06-15"],
                "Token": [JWT],
                "DurationSeconds": ["3600"],
            },
        )

    def test_duration_argument(self):
        """An explicit duration wins over ``expires_in`` in both; above 7 days the
        SDK clamps and minicreds does not (README, "Tested against": not clamped)."""
        week = 7 * 24 * 3600
        jwt = lambda: {"id_token": JWT, "expires_in": 900}
        for duration, sdk_sent, ours_sent in (
            (7200, "7200", "7200"),
            (week + 60, str(week), str(week + 60)),
        ):
            with self.subTest(duration=duration):
                (_, theirs), (_, ours) = self.pair(
                    lambda duration=duration: sdk.ClientGrantsProvider(
                        jwt_provider_func=jwt,
                        sts_endpoint=self.server.url,
                        duration_seconds=duration,
                    ),
                    lambda duration=duration: minicreds.ClientGrantsProvider(
                        jwt, self.server.url, duration
                    ),
                )
                self.assertEqual(params_of(theirs)[1]["DurationSeconds"], [sdk_sent])
                self.assertEqual(params_of(ours)[1]["DurationSeconds"], [ours_sent])


class LdapCompatTest(StsCompatTest):
    def test_same_credentials(self):
        """Same parameters, decoded the same (spaces, ``+``, ``&``, ``=``, UTF-8);
        the SDK's in the URL, minicreds's in the body (README, "Where minicreds differs
        from the MinIO SDK"). minicreds is called in its own order,
        ``(username, password, sts_endpoint)`` (README, "Providers"); the SDK's order
        is tested in test_minio_call_forms.py."""
        (_, theirs), (_, ours) = self.pair(
            lambda: sdk.LdapIdentityProvider(self.server.url, LDAP_USER, LDAP_PASSWORD),
            lambda: minicreds.LdapIdentityProvider(
                LDAP_USER, LDAP_PASSWORD, self.server.url
            ),
        )
        self.assertQueryVersusBody(
            theirs,
            ours,
            {
                "Action": ["AssumeRoleWithLDAPIdentity"],
                "Version": ["2011-06-15"],
                "LDAPUsername": [LDAP_USER],
                "LDAPPassword": [LDAP_PASSWORD],
            },
        )
        self.assertIn("LDAPPassword=", theirs.path)  # the password in the SDK's URL

    def test_ldap_keywords(self):
        """minicreds's ``ldap_username``/``ldap_password`` keywords win (README,
        "Providers")."""
        (_, theirs), (_, ours) = self.pair(
            lambda: sdk.LdapIdentityProvider(self.server.url, LDAP_USER, LDAP_PASSWORD),
            lambda: minicreds.LdapIdentityProvider(
                "ignored",
                "ignored",
                self.server.url,
                ldap_username=LDAP_USER,
                ldap_password=LDAP_PASSWORD,
            ),
        )
        self.assertEqual(params_of(ours)[1], params_of(theirs)[1])

    def test_error_answer(self):
        self.answer = xml_response(400, ERROR_DOCUMENT)
        with self.assertRaises(ValueError):
            sdk.LdapIdentityProvider(
                self.server.url, LDAP_USER, LDAP_PASSWORD
            ).retrieve()
        with SecretWatch() as watch, self.assertRaises(minicreds.STSError) as cm:
            minicreds.LdapIdentityProvider(
                LDAP_USER, LDAP_PASSWORD, self.server.url
            ).retrieve()
        self.assertEqual(
            (cm.exception.code, cm.exception.status), ("AccessDenied", 400)
        )
        watch.assert_clean(self, LDAP_PASSWORD, extra_texts=[cm.exception])


class ExpirationFormatsTest(StsCompatTest):
    def ldap_pair(self):
        return (
            lambda: sdk.LdapIdentityProvider(self.server.url, "u", "p"),
            lambda: minicreds.LdapIdentityProvider("u", "p", self.server.url),
        )

    def test_formats_both_read(self):
        for text in ("2099-01-02T03:04:05Z", "2099-01-02T03:04:05.000Z"):
            with self.subTest(text):
                self.expiration = text
                self.pair(*self.ldap_pair())

    def test_formats_only_minicreds_reads(self):
        """0-9 fractional digits, ``Z`` or an offset (README, "Tested against"). The
        SDK's parser takes
        ``Z`` with 0 or up to 6 digits only."""
        make_sdk, make_ours = self.ldap_pair()
        for text in ("2099-01-02T03:04:05.000000000Z", "2099-01-02T03:04:05+00:00"):
            with self.subTest(text):
                self.expiration = text
                with self.assertRaises(ValueError):
                    make_sdk().retrieve()
                self.assertEqual(make_ours().retrieve().expiration, EXPIRY)


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
class CertificateCompatTest(StsCompatTest):
    tls = True

    def test_same_credentials_over_mutual_tls(self):
        """Both present the client certificate and trust the test CA. Deliberate
        difference (README, "Tested against"): the SDK sends ``DurationSeconds=3600``
        when given none."""
        c = certs()
        (_, theirs), (_, ours) = self.pair(
            lambda: sdk.CertificateIdentityProvider(
                sts_endpoint=self.server.url,
                cert_file=c["client_cert"],
                key_file=c["client_key"],
                ca_certs=c["ca"],
            ),
            lambda: minicreds.CertificateIdentityProvider(
                c["client_cert"], c["client_key"], self.server.url, ca_file=c["ca"]
            ),
        )
        for request in (theirs, ours):
            self.assertEqual(request.client_subject, "commonName=minicreds test client")
        self.assertEqual(
            params_of(theirs),
            (
                "query",
                {
                    "Action": ["AssumeRoleWithCertificate"],
                    "Version": ["2011-06-15"],
                    "DurationSeconds": ["3600"],
                },
            ),
        )
        self.assertEqual(
            params_of(ours),
            (
                "body",
                {"Action": ["AssumeRoleWithCertificate"], "Version": ["2011-06-15"]},
            ),
        )

    def test_same_duration(self):
        c = certs()
        (_, theirs), (_, ours) = self.pair(
            lambda: sdk.CertificateIdentityProvider(
                sts_endpoint=self.server.url,
                cert_file=c["client_cert"],
                key_file=c["client_key"],
                ca_certs=c["ca"],
                duration_seconds=7200,
            ),
            lambda: minicreds.CertificateIdentityProvider(
                c["client_cert"],
                c["client_key"],
                self.server.url,
                7200,
                ca_file=c["ca"],
            ),
        )
        self.assertEqual(params_of(ours)[1], params_of(theirs)[1])
        self.assertEqual(params_of(ours)[1]["DurationSeconds"], ["7200"])

    def test_http_endpoint_refused_by_both(self):
        """Both refuse ``http://`` before connecting (minicreds: ConfigError, a
        ValueError; README, "Where minicreds differs from the MinIO SDK")."""
        c = certs()
        url = f"http://127.0.0.1:{self.server.port}"
        with self.assertRaises(ValueError):
            sdk.CertificateIdentityProvider(
                sts_endpoint=url, cert_file=c["client_cert"], key_file=c["client_key"]
            )
        with self.assertRaises(minicreds.ConfigError):
            minicreds.CertificateIdentityProvider(
                c["client_cert"], c["client_key"], url
            )
        self.assertEqual(self.server.requests, [])


if __name__ == "__main__":
    unittest.main()
