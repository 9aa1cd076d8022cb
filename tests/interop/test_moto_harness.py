"""The moto harness works and checks signatures (skipped without boto3 and moto)."""

import unittest

from tests.interop import moto_harness as mh

server = None
USER_KEYS = ROLE_ARN = None


def setUpModule():
    global server, USER_KEYS, ROLE_ARN
    if not (mh.HAVE_MOTO and mh.HAVE_BOTO3):
        raise unittest.SkipTest("needs boto3 and moto[server]")
    server = mh.MotoServer(
        no_auth_count=mh.setup_action_count(users=1, roles=1)
    ).start()
    try:
        USER_KEYS = server.create_user_with_keys("alice")
        ROLE_ARN = server.create_role(
            "reader", mh.user_arn("alice"), external_id="ext-1"
        )
    except Exception:
        server.stop()
        raise


def tearDownModule():
    if server is not None:
        server.stop()


def sts(access_key, secret_key, token=None):
    return server.client("sts", access_key, secret_key, token)


class MotoHarnessTest(unittest.TestCase):
    def assume(self, client, arn, name="s1"):
        return client.assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]

    def test_user_assumes_role(self):
        creds = self.assume(sts(*USER_KEYS), ROLE_ARN)
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        self.assertTrue(creds["SessionToken"])

    def test_signature_is_checked(self):
        from botocore.exceptions import ClientError

        for keys in (
            (USER_KEYS[0], "wrong-secret"),
            ("AKIDUNKNOWN000000000", USER_KEYS[1]),
        ):
            with self.subTest(keys=keys[0]):
                with self.assertRaises(ClientError) as cm:
                    self.assume(sts(*keys), ROLE_ARN)
                self.assertIn(
                    cm.exception.response["Error"]["Code"],
                    ("SignatureDoesNotMatch", "InvalidClientTokenId"),
                )

    def test_no_auth_budget_is_spent(self):
        from botocore.exceptions import ClientError

        with self.assertRaises(ClientError):
            server.client("iam").create_user(UserName="mallory")

    def test_role_chaining(self):
        with server.unauthenticated():
            second = server.create_role(
                "second", mh.session_arn(ROLE_ARN, "hop1"), allow_assume=False
            )
        first = self.assume(sts(*USER_KEYS), ROLE_ARN, "hop1")
        hop = sts(first["AccessKeyId"], first["SecretAccessKey"], first["SessionToken"])
        creds = self.assume(hop, second, "hop2")
        self.assertNotEqual(creds["AccessKeyId"], first["AccessKeyId"])
        from botocore.exceptions import ClientError

        with self.assertRaises(
            ClientError
        ) as cm:  # the trust policy names the session only
            self.assume(sts(*USER_KEYS), second)
        self.assertEqual(cm.exception.response["Error"]["Code"], "AccessDenied")
        with self.assertRaises(ClientError) as cm:  # a wrong session token is refused
            self.assume(
                sts(first["AccessKeyId"], first["SecretAccessKey"], "bogus"), second
            )
        self.assertIn(
            cm.exception.response["Error"]["Code"],
            ("SignatureDoesNotMatch", "InvalidClientTokenId"),
        )


if __name__ == "__main__":
    unittest.main()
