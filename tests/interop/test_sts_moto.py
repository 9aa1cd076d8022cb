"""STS providers end to end against moto_server on 127.0.0.1, signatures checked.

Skipped without boto3 and moto[server]. moto checks every SigV4 signature once its
unauthenticated budget is spent, assumed-role (session token) signatures included,
so AssumeRole from an IAM user's keys and a second hop signed with the first role's
temporary credentials are real tests of ``sign_request`` and of role chaining.
"""

import datetime
import unittest

import minicreds
from minicreds import AssumeRoleProvider, StaticProvider, STSError, WebIdentityProvider
from tests import support
from tests.interop import moto_harness as mh

JWT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtb3RvLXdlYi11c2VyIn0.sigJWTSECRETmoto"
WRONG_SECRET = "wrongSECRET/for+moto=0123456789abcdefABCD"

server = None
USER_KEYS = FIRST = SECOND = None


def setUpModule():
    global server, USER_KEYS, FIRST, SECOND
    if not (mh.HAVE_MOTO and mh.HAVE_BOTO3):
        raise unittest.SkipTest("needs boto3 and moto[server]")
    server = mh.MotoServer(no_auth_count=0).start()
    try:
        with server.unauthenticated():
            USER_KEYS = server.create_user_with_keys("alice")
            FIRST = server.create_role("first", mh.user_arn("alice"))
            SECOND = server.create_role(
                "second", mh.session_arn(FIRST, "hop1"), allow_assume=False
            )
    except Exception:
        server.stop()
        raise


def tearDownModule():
    if server is not None:
        server.stop()


def caller_arn(creds):
    """Who moto thinks these credentials are (a call signed by boto3 with them)."""
    sts = server.client("sts", creds.access_key, creds.secret_key, creds.session_token)
    return sts.get_caller_identity()["Arn"]


class MotoSTS(unittest.TestCase):
    def first_hop(self, **kw):
        kw.setdefault("sts_endpoint", server.url)
        kw.setdefault("environ", {})
        return AssumeRoleProvider(StaticProvider(*USER_KEYS), FIRST, "hop1", **kw)

    def check_temporary(self, creds, arn):
        self.assertTrue(creds.access_key.startswith("ASIA"), creds)
        self.assertTrue(creds.session_token)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertGreater(creds.expiration, now)
        self.assertEqual(caller_arn(creds), arn)

    def test_assume_role_from_user_keys(self):
        creds = self.first_hop(duration=900).retrieve()
        self.check_temporary(creds, mh.session_arn(FIRST, "hop1"))

    def test_endpoint_and_region_from_environment(self):
        environ = {"AWS_ENDPOINT_URL_STS": server.url, "AWS_REGION": "eu-west-1"}
        provider = self.first_hop(sts_endpoint=None, environ=environ)
        self.check_temporary(provider.retrieve(), mh.session_arn(FIRST, "hop1"))

    def test_role_chaining_signs_the_session_token(self):
        second = AssumeRoleProvider(
            self.first_hop(), SECOND, "hop2", sts_endpoint=server.url, environ={}
        )
        self.check_temporary(second.retrieve(), mh.session_arn(SECOND, "hop2"))

    def test_temporary_credentials_without_their_token_are_refused(self):
        first = self.first_hop().retrieve()
        tokenless = StaticProvider(first.access_key, first.secret_key)
        with self.assertRaises(STSError) as cm:
            AssumeRoleProvider(
                tokenless, SECOND, "hop2", sts_endpoint=server.url, environ={}
            ).retrieve()
        self.assertIn(
            cm.exception.code, ("InvalidClientTokenId", "SignatureDoesNotMatch")
        )

    def test_wrong_secret(self):
        provider = AssumeRoleProvider(
            StaticProvider(USER_KEYS[0], WRONG_SECRET), FIRST, "hop1",
            sts_endpoint=server.url, environ={},
        )  # fmt: skip
        with support.SecretWatch() as watch, self.assertRaises(STSError) as cm:
            provider.retrieve()
        exc = cm.exception
        self.assertEqual(exc.code, "SignatureDoesNotMatch")
        self.assertEqual(exc.status, 403)
        self.assertIsInstance(exc, minicreds.CredentialsError)
        self.assertTrue(exc.message)
        self.assertIn(server.url, str(exc))
        watch.assert_clean(self, WRONG_SECRET, USER_KEYS[1], extra_texts=[exc])

    def test_unknown_access_key(self):
        provider = AssumeRoleProvider(
            StaticProvider("AKIDNOTKNOWNBYMOTO00", USER_KEYS[1]), FIRST, "hop1",
            sts_endpoint=server.url, environ={},
        )  # fmt: skip
        with self.assertRaises(STSError) as cm:
            provider.retrieve()
        self.assertIn(
            cm.exception.code, ("InvalidClientTokenId", "SignatureDoesNotMatch")
        )
        self.assertEqual(cm.exception.status, 403)

    def test_web_identity(self):
        # moto answers an unsigned call with HTTP 500 while checking is on (it reads
        # the Authorization header unconditionally): let this one through.
        provider = WebIdentityProvider(
            JWT, FIRST, "web1", sts_endpoint=server.url, environ={}
        )
        with server.unauthenticated():
            creds = provider.retrieve()
        self.check_temporary(creds, mh.session_arn(FIRST, "web1"))

    def test_web_identity_with_a_callable(self):
        calls = []

        def token():
            calls.append(1)
            return {"id_token": JWT, "expires_in": 1800}

        provider = WebIdentityProvider(
            token, FIRST, "web2", sts_endpoint=server.url, environ={}
        )
        with server.unauthenticated():
            creds = provider.retrieve()
        self.assertEqual(len(calls), 1)
        self.check_temporary(creds, mh.session_arn(FIRST, "web2"))


if __name__ == "__main__":
    unittest.main()
