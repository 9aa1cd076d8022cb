"""``WebIdentityProvider`` (STS ``AssumeRoleWithWebIdentity``) against moto.

One moto server for the module, signature checking on. The call is unsigned, which
moto (with checking on) answers with HTTP 500, so each test lets exactly that one
action through with ``POST /moto-api/reset-auth`` (see tests/interop/moto_harness.py)
and turns checking back on. moto accepts any JWT: what was sent is checked on the
wire, through a recording proxy, and in moto's record. The credentials obtained are
then used for signed calls that moto does check.

Skipped unless boto3 and moto[server] are installed (minio for the S3 check).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import unittest
import urllib.request
import warnings

import minicreds
from tests.fakes import FakeClock
from tests.interop import moto_harness as mh
from tests.interop.recording_proxy import RecordingProxy
from tests.support import SecretWatch

try:
    import minio
except ImportError:  # only the S3 check needs it
    minio = None

ROLE = "web-identity-role"
SESSION = "web-session"
# A JWT-shaped fake: header.payload.signature, base64url, distinctive
JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IndlYi10ZXN0In0."
    "eyJzdWIiOiJ3ZWItdXNlciIsImF1ZCI6Im1pbmljcmVkcyJ9."
    "c2lnbmF0dXJlLWp3dC1zZWNyZXQtOWY4ZTdk"
)
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    },
    separators=(",", ":"),
)
server = None
ROLE_ARN = None


def setUpModule():
    global server, ROLE_ARN
    if not (mh.HAVE_MOTO and mh.HAVE_BOTO3):
        raise unittest.SkipTest("needs boto3 and moto[server]")
    server = mh.MotoServer(no_auth_count=0).start()
    try:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Federated": f"arn:aws:iam::{mh.ACCOUNT}:oidc-provider/idp.test"
                    },
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringEquals": {"idp.test:aud": "minicreds"}},
                }
            ],
        }
        with server.unauthenticated():
            iam = server.client("iam")
            ROLE_ARN = iam.create_role(
                RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust)
            )["Role"]["Arn"]
            iam.put_role_policy(RoleName=ROLE, PolicyName="s3", PolicyDocument=POLICY)
    except Exception:
        server.stop()
        raise


def tearDownModule():
    if server is not None:
        server.stop()


@contextlib.contextmanager
def one_unsigned_call():
    """Let the next action through unauthenticated, then check everything again."""
    server.reset_auth(1)
    try:
        yield
    finally:
        server.reset_auth(0)


def moto_session(access_key):
    with urllib.request.urlopen(server.url + "/moto-api/data.json", timeout=10) as r:
        data = json.loads(r.read().decode("utf-8"))
    (found,) = [
        s for s in data["sts"]["AssumedRole"] if s["access_key_id"] == access_key
    ]
    return found


class WebIdentityMotoTest(unittest.TestCase):
    def setUp(self):
        self.proxy = RecordingProxy(server.url).start()
        self.addCleanup(self.proxy.stop)

    def provider(self, token=JWT, **kw):
        return minicreds.WebIdentityProvider(
            token, ROLE_ARN, SESSION, sts_endpoint=self.proxy.url, environ={}, **kw
        )

    def test_assume_role_with_web_identity(self):
        provider = self.provider(duration=1800, policy=POLICY)
        before = datetime.datetime.now(datetime.timezone.utc)
        with SecretWatch() as watch, one_unsigned_call():
            creds = provider.retrieve()
        self.assertEqual(self.proxy.statuses, [200])
        (request,) = self.proxy.requests
        self.assertEqual((request.method, request.path), ("POST", "/"))  # no query
        self.assertEqual(
            request.form,
            {
                "Action": ["AssumeRoleWithWebIdentity"],
                "Version": ["2011-06-15"],
                "RoleArn": [ROLE_ARN],
                "RoleSessionName": [SESSION],
                "WebIdentityToken": [JWT],
                "Policy": [POLICY],
                "DurationSeconds": ["1800"],
            },
        )
        self.assertTrue(
            request.headers["Content-Type"].startswith(
                "application/x-www-form-urlencoded"
            )
        )
        for name in ("Authorization", "X-Amz-Security-Token", "X-Amz-Date"):
            self.assertIsNone(request.headers.get(name), name)  # unsigned
        self.assertTrue(creds.access_key.startswith("ASIA"), creds.access_key)
        self.assertTrue(creds.secret_key and creds.session_token)
        # moto dates the session from its own clock: a generous margin
        lifetime = (creds.expiration - before).total_seconds()
        self.assertTrue(1700 < lifetime < 1900, lifetime)
        recorded = moto_session(creds.access_key)
        self.assertEqual(recorded["arn"], mh.session_arn(ROLE_ARN, SESSION))
        self.assertEqual(json.loads(recorded["policy"]), json.loads(POLICY))
        self.assertEqual(recorded["session_token"], creds.session_token)
        watch.assert_clean(self, JWT, creds.secret_key, creds.session_token)
        self.assertNotIn(JWT, repr(provider))

    def test_credentials_are_accepted_by_moto(self):
        """The session's signature and token are checked (checking is back on)."""
        with one_unsigned_call():
            creds = self.provider().retrieve()
        sts = server.client(
            "sts", creds.access_key, creds.secret_key, creds.session_token
        )
        self.assertEqual(
            sts.get_caller_identity()["Arn"], mh.session_arn(ROLE_ARN, SESSION)
        )
        from botocore.exceptions import ClientError

        bad = server.client("sts", creds.access_key, creds.secret_key, "bogus-token")
        with self.assertRaises(ClientError):
            bad.get_caller_identity()

    @unittest.skipIf(minio is None, "the minio package is not installed")
    def test_minio_client_with_web_identity(self):
        provider = self.provider()
        with one_unsigned_call():
            provider.retrieve()
        client = minio.Minio(
            f"127.0.0.1:{server.port}",
            credentials=provider,
            secure=False,
            region=mh.REGION,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # minio's utcnow()
            client.make_bucket("web-identity-bucket")
            client.put_object("web-identity-bucket", "a.txt", io.BytesIO(b"web"), 3)
            response = client.get_object("web-identity-bucket", "a.txt")
            try:
                self.assertEqual(response.read(), b"web")
            finally:
                response.close()
                response.release_conn()
        self.assertEqual(len(self.proxy.requests), 1)  # cached, not asked again

    def test_token_callable_is_called_at_each_refresh(self):
        """A callable in the MinIO SDK's convention (a dict with ``access_token`` or
        ``id_token`` and ``expires_in``): called again at refresh; ``expires_in``
        becomes ``DurationSeconds`` when no duration is given."""
        tokens = [
            {"access_token": JWT + "-first", "expires_in": 900},
            {"id_token": JWT + "-second", "expires_in": "1000"},
        ]
        clock = FakeClock()
        provider = self.provider(lambda: tokens.pop(0), clock=clock)
        with one_unsigned_call():
            first = provider.retrieve()
        self.assertIs(provider.retrieve(), first)
        clock.now += 650  # past the early refresh point of a 900 s session
        with one_unsigned_call():
            second = provider.retrieve()
        self.assertNotEqual(second.access_key, first.access_key)
        self.assertEqual(self.proxy.statuses, [200, 200])
        sent = [
            (r.form["WebIdentityToken"], r.form["DurationSeconds"])
            for r in self.proxy.requests
        ]
        self.assertEqual(
            sent, [([JWT + "-first"], ["900"]), ([JWT + "-second"], ["1000"])]
        )
        self.assertEqual(tokens, [])


if __name__ == "__main__":
    unittest.main()
