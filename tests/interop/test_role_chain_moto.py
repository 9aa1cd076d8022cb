"""Role chaining two roles deep, with external IDs and a session policy, against moto.

One moto server for the module, signature checking on. A recording proxy sits between
minicreds and moto STS, so the tests see on the wire what moto received: moto enforces
an ``sts:ExternalId`` condition only when the key is sent (a wrong value is refused, a
missing one is not), and it does not apply session policies, so ``ExternalId`` and
``Policy`` are checked in the recorded requests and in moto's own record
(``GET /moto-api/data.json``). What moto does enforce is asserted as such: the
signatures (with the first hop's session token in the second call), the trust
policies (the second role trusts only the first hop's session), a wrong external ID,
and the S3 permissions of the final role.

Skipped unless boto3 and moto[server] are installed (minio for the S3 check).
"""

from __future__ import annotations

import io
import json
import unittest
import urllib.request
import warnings

import minicreds
from tests.fakes import FakeClock
from tests.interop import moto_harness as mh
from tests.interop.recording_proxy import RecordingProxy
from tests.sigv4_reference import signed_header_names, signing_access_key
from tests.support import SecretWatch

try:
    import minio
    from minio.error import S3Error
except ImportError:  # only the S3 check needs it
    minio = S3Error = None

USER = "chain-user"
FIRST, SECOND = "chain-first", "chain-second"
EXT_FIRST, EXT_SECOND = "ext-first-7c1d09", "ext-second-42ab5e"
SESSION_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
        ],
    },
    separators=(",", ":"),
)
S3_ALL = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
)
server = None
USER_KEYS = FIRST_ARN = SECOND_ARN = None


def setUpModule():
    global server, USER_KEYS, FIRST_ARN, SECOND_ARN
    if not (mh.HAVE_MOTO and mh.HAVE_BOTO3):
        raise unittest.SkipTest("needs boto3 and moto[server]")
    server = mh.MotoServer(no_auth_count=0).start()
    try:
        with server.unauthenticated():
            USER_KEYS = server.create_user_with_keys(USER)
            FIRST_ARN = server.create_role(FIRST, mh.user_arn(USER), EXT_FIRST)
            SECOND_ARN = server.create_role(
                SECOND,
                mh.session_arn(FIRST_ARN, "hop1"),
                EXT_SECOND,
                allow_assume=False,
            )
            server.client("iam").put_role_policy(
                RoleName=SECOND, PolicyName="s3", PolicyDocument=S3_ALL
            )
    except Exception:
        server.stop()
        raise


def tearDownModule():
    if server is not None:
        server.stop()


def moto_sessions():
    """moto's record of the assumed-role sessions, by access key."""
    with urllib.request.urlopen(server.url + "/moto-api/data.json", timeout=10) as r:
        data = json.loads(r.read().decode("utf-8"))
    return {s["access_key_id"]: s for s in data["sts"]["AssumedRole"]}


class RoleChainTest(unittest.TestCase):
    def setUp(self):
        self.proxy = RecordingProxy(server.url).start()
        self.addCleanup(self.proxy.stop)
        self.clock = FakeClock()

    def chain(self, first_session="hop1", first_external=EXT_FIRST):
        hop1 = minicreds.AssumeRoleProvider(
            minicreds.StaticProvider(*USER_KEYS),
            FIRST_ARN,
            first_session,
            region=mh.REGION,
            sts_endpoint=self.proxy.url,
            external_id=first_external,
            clock=self.clock,
        )
        hop2 = minicreds.AssumeRoleProvider(
            hop1,
            SECOND_ARN,
            "hop2",
            900,
            SESSION_POLICY,
            mh.REGION,
            sts_endpoint=self.proxy.url,
            external_id=EXT_SECOND,
            clock=self.clock,
        )
        return hop1, hop2

    def test_two_hops_on_the_wire(self):
        hop1, hop2 = self.chain()
        final = hop2.retrieve()
        first = hop1.retrieve()  # cached: no third request
        self.assertEqual(self.proxy.statuses, [200, 200])
        one, two = self.proxy.requests
        common = {"Action": ["AssumeRole"], "Version": ["2011-06-15"]}
        self.assertEqual(
            one.form,
            dict(
                common,
                RoleArn=[FIRST_ARN],
                RoleSessionName=["hop1"],
                ExternalId=[EXT_FIRST],
            ),
        )
        self.assertEqual(
            two.form,
            dict(
                common,
                RoleArn=[SECOND_ARN],
                RoleSessionName=["hop2"],
                ExternalId=[EXT_SECOND],
                Policy=[SESSION_POLICY],
                DurationSeconds=["900"],
            ),
        )
        for request in (one, two):
            self.assertEqual((request.method, request.path), ("POST", "/"))
            self.assertIn(
                "/us-east-1/sts/aws4_request", request.headers["Authorization"]
            )
        # hop 1 is signed by the user's long-term key, hop 2 by hop 1's session
        self.assertEqual(signing_access_key(one), USER_KEYS[0])
        self.assertIsNone(one.headers.get("X-Amz-Security-Token"))
        self.assertEqual(signing_access_key(two), first.access_key)
        self.assertEqual(two.headers["X-Amz-Security-Token"], first.session_token)
        self.assertIn("x-amz-security-token", signed_header_names(two))
        self.assertNotEqual(final.access_key, first.access_key)
        self.assertTrue(final.session_token)
        self.assertIsNotNone(final.expiration)

    def test_moto_recorded_external_ids_and_policy(self):
        hop1, hop2 = self.chain()
        final, first = hop2.retrieve(), hop1.retrieve()
        sessions = moto_sessions()
        one, two = sessions[first.access_key], sessions[final.access_key]
        self.assertEqual(one["external_id"], EXT_FIRST)
        self.assertIsNone(one["policy"])
        self.assertEqual(one["arn"], mh.session_arn(FIRST_ARN, "hop1"))
        self.assertEqual(two["external_id"], EXT_SECOND)
        self.assertEqual(json.loads(two["policy"]), json.loads(SESSION_POLICY))
        self.assertEqual(two["arn"], mh.session_arn(SECOND_ARN, "hop2"))
        self.assertEqual(two["session_token"], final.session_token)

    def test_final_credentials_are_accepted(self):
        """moto checks the final credentials' signature and session token."""
        final = self.chain()[1].retrieve()
        sts = server.client(
            "sts", final.access_key, final.secret_key, final.session_token
        )
        self.assertEqual(
            sts.get_caller_identity()["Arn"], mh.session_arn(SECOND_ARN, "hop2")
        )

    @unittest.skipIf(minio is None, "the minio package is not installed")
    def test_final_credentials_with_minio(self):
        """The chained credentials sign S3 requests through minio.Minio; moto checks
        the second role's permissions (the first role has no S3 permission).

        moto does not apply session policies, so the session policy's Deny is not
        asserted here (only that it was sent: see the tests above)."""
        hop1, hop2 = self.chain()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # minio's utcnow()

            def client(provider):
                return minio.Minio(
                    f"127.0.0.1:{server.port}",
                    credentials=provider,
                    secure=False,
                    region=mh.REGION,
                )

            client(hop2).make_bucket("chained-bucket")
            client(hop2).put_object("chained-bucket", "hello.txt", io.BytesIO(b"hi"), 2)
            response = client(hop2).get_object("chained-bucket", "hello.txt")
            try:
                self.assertEqual(response.read(), b"hi")
            finally:
                response.close()
                response.release_conn()
            with self.assertRaises(S3Error) as cm:
                client(hop1).make_bucket("first-hop-bucket")
            self.assertEqual(cm.exception.code, "AccessDenied")
        self.assertEqual(len(self.proxy.requests), 2)  # one STS call per hop

    def test_second_role_trusts_only_the_first_session(self):
        hop1, hop2 = self.chain(first_session="another-session")
        with SecretWatch() as watch, self.assertRaises(minicreds.STSError) as cm:
            hop2.retrieve()
        self.assertEqual(cm.exception.status, 403)
        self.assertEqual(self.proxy.statuses, [200, 403])
        first = hop1.retrieve()
        watch.assert_clean(
            self,
            USER_KEYS[1],
            first.secret_key,
            first.session_token,
            extra_texts=[cm.exception],
        )

    def test_wrong_external_id_is_refused(self):
        hop1, _ = self.chain(first_external="not-the-external-id")
        with SecretWatch() as watch, self.assertRaises(minicreds.STSError) as cm:
            hop1.retrieve()
        self.assertEqual(cm.exception.status, 403)
        self.assertEqual(
            self.proxy.requests[0].form["ExternalId"], ["not-the-external-id"]
        )
        watch.assert_clean(self, USER_KEYS[1], extra_texts=[cm.exception])

    def test_moto_error_code_and_message(self):
        hop1, _ = self.chain(first_external="not-the-external-id")
        with self.assertRaises(minicreds.STSError) as cm:
            hop1.retrieve()
        self.assertEqual(cm.exception.code, "AccessDenied")
        self.assertIn("not authorized to perform: sts:AssumeRole", cm.exception.message)
        self.assertIn("AccessDenied", str(cm.exception))

    def test_refresh_calls_only_the_expiring_hop(self):
        """Hop 2 lives 900 s, so it is refreshed early from 300 s before expiry; hop 1
        (3600 s) is still fresh then, and its cached session signs the new call."""
        hop1, hop2 = self.chain()
        final = hop2.retrieve()
        first = hop1.retrieve()
        self.clock.now += 650
        renewed = hop2.retrieve()
        self.assertNotEqual(renewed.access_key, final.access_key)
        self.assertEqual(self.proxy.statuses, [200, 200, 200])
        third = self.proxy.requests[2]
        self.assertEqual(third.form["RoleArn"], [SECOND_ARN])
        self.assertEqual(signing_access_key(third), first.access_key)
        self.assertEqual(third.headers["X-Amz-Security-Token"], first.session_token)
        self.assertIs(hop1.retrieve(), first)
        self.assertEqual(len(self.proxy.requests), 3)
        # (moto dates the renewed session from the real time, so to this clock it
        # looks short-lived already: its caching is not asserted here)


if __name__ == "__main__":
    unittest.main()
