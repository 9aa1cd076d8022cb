"""A ``minio.Minio`` client given minicreds providers works against moto S3.

One moto server for the module, with signature checking on: every S3 request the
MinIO SDK signs with what a minicreds provider returned is verified by moto, and
permissions are checked against the IAM user's or role's policies. Plain object keys
only (moto rebuilds object paths before checking signatures, so keys with unicode,
``+``, ``%`` or ``&`` fail whoever signs them).

Skipped unless minio, boto3 (for the IAM setup) and moto[server] are installed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import unittest
import warnings

import minicreds
from tests.interop import moto_harness as mh
from tests.interop.recording_proxy import RecordingProxy

try:
    import minio
    from minio.error import S3Error
except ImportError:  # the suite runs with nothing installed
    minio = S3Error = None

S3_ALL = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
)
USER = "minio-client-user"
ROLE = "minio-client-role"
server = None
USER_KEYS = ROLE_ARN = None


def setUpModule():
    global server, USER_KEYS, ROLE_ARN
    if minio is None or not (mh.HAVE_MOTO and mh.HAVE_BOTO3):
        raise unittest.SkipTest("needs minio, boto3 and moto[server]")
    server = mh.MotoServer(no_auth_count=0).start()
    try:
        with server.unauthenticated():
            USER_KEYS = server.create_user_with_keys(USER)
            iam = server.client("iam")
            iam.put_user_policy(UserName=USER, PolicyName="s3", PolicyDocument=S3_ALL)
            ROLE_ARN = server.create_role(ROLE, mh.user_arn(USER), allow_assume=False)
            iam.put_role_policy(RoleName=ROLE, PolicyName="s3", PolicyDocument=S3_ALL)
    except Exception:
        server.stop()
        raise


def tearDownModule():
    if server is not None:
        server.stop()


class MinioClientOnMotoTest(unittest.TestCase):
    def setUp(self):
        # minio's Credentials.is_expired() calls datetime.utcnow() (deprecated in 3.12)
        catcher = warnings.catch_warnings()
        catcher.__enter__()
        self.addCleanup(catcher.__exit__, None, None, None)
        warnings.simplefilter("ignore", DeprecationWarning)

    def client(self, provider):
        return minio.Minio(
            f"127.0.0.1:{server.port}",
            credentials=provider,
            secure=False,
            region=mh.REGION,
        )

    def bucket(self):
        """A bucket name of its own for each test."""
        return "mc-" + self.id().rsplit(".", 1)[1].replace("_", "-")[:50]

    def round_trip(self, provider):
        """Create a bucket, put an object, read it back, list it, delete both."""
        client = self.client(provider)
        bucket = self.bucket()
        body = b"minicreds was here\n" * 3
        client.make_bucket(bucket)
        self.assertTrue(client.bucket_exists(bucket))
        client.put_object(bucket, "reports/2026/data.txt", io.BytesIO(body), len(body))
        response = client.get_object(bucket, "reports/2026/data.txt")
        try:
            self.assertEqual(response.read(), body)
        finally:
            response.close()
            response.release_conn()
        self.assertEqual(
            client.stat_object(bucket, "reports/2026/data.txt").size, len(body)
        )
        names = [o.object_name for o in client.list_objects(bucket, recursive=True)]
        self.assertEqual(names, ["reports/2026/data.txt"])
        client.remove_object(bucket, "reports/2026/data.txt")
        client.remove_bucket(bucket)
        self.assertFalse(client.bucket_exists(bucket))

    def test_static_provider(self):
        self.round_trip(minicreds.StaticProvider(*USER_KEYS))

    def test_env_aws_provider(self):
        environ = {
            "AWS_ACCESS_KEY_ID": USER_KEYS[0],
            "AWS_SECRET_ACCESS_KEY": USER_KEYS[1],
        }
        self.round_trip(minicreds.EnvAWSProvider(environ=environ))

    def test_env_minio_provider(self):
        environ = {"MINIO_ROOT_USER": USER_KEYS[0], "MINIO_ROOT_PASSWORD": USER_KEYS[1]}
        self.round_trip(minicreds.EnvMinioProvider(environ=environ))

    def test_mc_config_provider(self):
        folder = tempfile.mkdtemp(prefix="minicreds-mc-")
        self.addCleanup(shutil.rmtree, folder, True)
        path = os.path.join(folder, "config.json")
        alias = {
            "url": server.url,
            "accessKey": USER_KEYS[0],
            "secretKey": USER_KEYS[1],
        }
        with open(path, "w") as f:
            json.dump({"version": "10", "aliases": {"moto": alias}}, f)
        self.round_trip(minicreds.MinioClientConfigProvider(path, "moto", environ={}))

    def test_assume_role_provider(self):
        """Temporary credentials from moto STS sign S3 requests with their session
        token; the client asks the provider at every request and minicreds answers
        from its cache: STS is called once."""
        with RecordingProxy(server.url) as sts:
            provider = minicreds.AssumeRoleProvider(
                minicreds.StaticProvider(*USER_KEYS),
                ROLE_ARN,
                "minio-client",
                region=mh.REGION,
                sts_endpoint=sts.url,
            )
            creds = provider.retrieve()
            self.assertTrue(creds.access_key.startswith("ASIA"), creds.access_key)
            self.assertTrue(creds.session_token)
            self.assertNotEqual(creds.access_key, USER_KEYS[0])
            self.round_trip(provider)
        self.assertEqual(sts.statuses, [200])
        self.assertEqual(sts.requests[0].form["Action"], ["AssumeRole"])
        self.assertIs(provider.retrieve(), creds)

    def test_signatures_are_checked(self):
        """The negative control: moto refuses what is not signed right."""
        creds = minicreds.AssumeRoleProvider(
            minicreds.StaticProvider(*USER_KEYS),
            ROLE_ARN,
            "minio-negative",
            region=mh.REGION,
            sts_endpoint=server.url,
        ).retrieve()
        cases = [
            ("wrong secret", (USER_KEYS[0], "wrong-secret-for-moto")),
            ("unknown key", ("AKIDNOTKNOWNTOMOTO00", USER_KEYS[1])),
            ("wrong token", (creds.access_key, creds.secret_key, "bogus-token")),
            ("token dropped", (creds.access_key, creds.secret_key)),
        ]
        for label, args in cases:
            with self.subTest(label):
                client = self.client(minicreds.StaticProvider(*args))
                with self.assertRaises(S3Error) as cm:
                    client.make_bucket(self.bucket())
                self.assertIn(
                    cm.exception.code,
                    (
                        "SignatureDoesNotMatch",
                        "InvalidAccessKeyId",
                        "InvalidToken",
                        "AccessDenied",
                    ),
                )

    def test_role_without_s3_permission_is_denied(self):
        """Permissions are checked too, for assumed-role credentials: a role that may
        only assume roles cannot create a bucket."""
        with server.unauthenticated():
            arn = server.create_role("no-s3-" + ROLE, mh.user_arn(USER))
        provider = minicreds.AssumeRoleProvider(
            minicreds.StaticProvider(*USER_KEYS),
            arn,
            "no-s3",
            region=mh.REGION,
            sts_endpoint=server.url,
        )
        with self.assertRaises(S3Error) as cm:
            self.client(provider).make_bucket(self.bucket())
        self.assertEqual(cm.exception.code, "AccessDenied")


if __name__ == "__main__":
    unittest.main()
