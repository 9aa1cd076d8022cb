"""minicreds and botocore share the AWS CLI's credential cache, both ways.

botocore runs in a child process set up as the AWS CLI sets it up
(``awscli/customizations/assumerole.py``: a ``JSONFileCache`` on
``~/.aws/cli/cache`` for the ``assume-role`` provider; AWS CLI v2 does the same for
``sso``), and minicreds runs as ``python3 -m minicreds --profile ... --format
process``. STS is moto_server behind a recording proxy that counts the AssumeRole
calls; the SSO portal is a loopback fake. Whichever runs second makes no call and
gets the same credentials. The cache keys are also compared with botocore's own
fetchers', in process, over many profile shapes.

Skipped unless botocore, boto3 and moto[server] are installed.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import minicreds
from tests import support
from tests.fakes import SSO_START_URL, iso_in
from tests.interop import moto_harness as mh
from tests.interop.recording_proxy import RecordingProxy

try:
    from botocore.credentials import (
        AssumeRoleCredentialFetcher,
        Credentials,
        SSOCredentialFetcher,
    )
except ImportError:  # pragma: no cover
    AssumeRoleCredentialFetcher = None

BOTOCORE_CHILD = """\
import json, os, sys
import botocore.session
from botocore.utils import JSONFileCache

# As the AWS CLI's inject_assume_role_provider_cache does.
session = botocore.session.Session(profile=sys.argv[1])
chain = session.get_component("credential_provider")
for name in ("assume-role", "sso"):
    chain.get_provider(name).cache = JSONFileCache(
        os.path.expanduser(os.path.join("~", ".aws", "cli", "cache"))
    )
frozen = session.get_credentials().get_frozen_credentials()
print(json.dumps([frozen.access_key, frozen.secret_key, frozen.token]))
"""
USER = "shared-user"
FIRST, SECOND = "shared-first", "shared-second"
server = None
USER_KEYS = FIRST_ARN = SECOND_ARN = None


def setUpModule():
    global server, USER_KEYS, FIRST_ARN, SECOND_ARN
    if not (mh.HAVE_MOTO and mh.HAVE_BOTO3 and AssumeRoleCredentialFetcher):
        raise unittest.SkipTest("needs botocore, boto3 and moto[server]")
    server = mh.MotoServer(no_auth_count=0).start()
    try:
        with server.unauthenticated():
            USER_KEYS = server.create_user_with_keys(USER)
            FIRST_ARN = server.create_role(FIRST, mh.user_arn(USER))
            SECOND_ARN = server.create_role(
                SECOND, mh.session_arn(FIRST_ARN, "hop1"), allow_assume=False
            )
    except Exception:
        server.stop()
        raise


def tearDownModule():
    if server is not None:
        server.stop()


class Base(unittest.TestCase):
    def setUp(self):
        self.proxy = RecordingProxy(server.url).start()
        self.addCleanup(self.proxy.stop)
        self.home = tempfile.mkdtemp(prefix="minicreds-shared-")
        self.addCleanup(shutil.rmtree, self.home, True)
        os.mkdir(os.path.join(self.home, ".aws"))
        self.cache = os.path.join(self.home, ".aws", "cli", "cache")

    def config(self, text):
        with open(os.path.join(self.home, ".aws", "config"), "w") as f:
            f.write(textwrap.dedent(text))

    def environ(self, **extra):
        return support.minimal_environ(
            self.home,
            AWS_ENDPOINT_URL_STS=self.proxy.url,
            AWS_DEFAULT_REGION=mh.REGION,
            AWS_EC2_METADATA_DISABLED="true",
            PYTHONPATH=support.REPO,
            **extra,
        )

    def run_child(self, argv, **extra):
        done = subprocess.run(
            argv, env=self.environ(**extra), capture_output=True, text=True,
            stdin=subprocess.DEVNULL, timeout=120, check=False, cwd=self.home,
        )  # fmt: skip
        self.assertEqual(done.returncode, 0, done.stderr[-3000:])
        return done.stdout

    def botocore(self, profile, **extra):
        out = self.run_child([sys.executable, "-c", BOTOCORE_CHILD, profile], **extra)
        return tuple(json.loads(out))

    def minicreds(self, profile, **extra):
        out = self.run_child(
            [sys.executable, "-m", "minicreds", "--profile", profile, "--format",
             "process"], **extra,
        )  # fmt: skip
        doc = json.loads(out)
        return doc["AccessKeyId"], doc["SecretAccessKey"], doc["SessionToken"]

    def assume_role_calls(self):
        return [
            r for r in self.proxy.requests if r.form.get("Action") == ["AssumeRole"]
        ]

    def entries(self):
        return sorted(os.listdir(self.cache)) if os.path.isdir(self.cache) else []


ROLE = """\
    [profile role]
    role_arn = {first}
    source_profile = keys
    [profile keys]
    aws_access_key_id = {key}
    aws_secret_access_key = {secret}
"""
CHAIN = """\
    [profile role]
    role_arn = {second}
    source_profile = first
    [profile first]
    role_arn = {first}
    role_session_name = hop1
    source_profile = keys
    [profile keys]
    aws_access_key_id = {key}
    aws_secret_access_key = {secret}
"""


class RoleTest(Base):
    def write(self, template):
        self.config(
            template.format(
                first=FIRST_ARN, second=SECOND_ARN, key=USER_KEYS[0],
                secret=USER_KEYS[1],
            )
        )  # fmt: skip

    def test_botocore_fetches_minicreds_reuses(self):
        self.write(ROLE)
        theirs = self.botocore("role")
        self.assertEqual(len(self.assume_role_calls()), 1)
        self.assertEqual(self.minicreds("role"), theirs)
        self.assertEqual(len(self.assume_role_calls()), 1)

    def test_minicreds_fetches_botocore_reuses(self):
        self.write(ROLE)
        mine = self.minicreds("role")
        self.assertEqual(len(self.assume_role_calls()), 1)
        self.assertEqual(self.botocore("role"), mine)
        self.assertEqual(len(self.assume_role_calls()), 1)

    def test_chain_both_ways(self):
        self.write(CHAIN)
        theirs = self.botocore("role")
        written = self.entries()
        self.assertEqual(len(written), 2)  # one per hop
        self.assertEqual(self.minicreds("role"), theirs)
        self.assertEqual(len(self.assume_role_calls()), 2)
        for name in written:
            os.remove(os.path.join(self.cache, name))
        mine = self.minicreds("role")
        self.assertEqual(self.entries(), written)  # the same names
        self.assertEqual(self.botocore("role"), mine)
        self.assertEqual(len(self.assume_role_calls()), 4)

    def test_no_cache_leaves_the_entry_alone(self):
        self.write(ROLE)
        theirs = self.botocore("role")
        mine = self.run_child(
            [sys.executable, "-m", "minicreds", "--profile", "role", "--format",
             "process", "--no-cache"],
        )  # fmt: skip
        self.assertNotEqual(json.loads(mine)["AccessKeyId"], theirs[0])
        self.assertEqual(len(self.assume_role_calls()), 2)
        self.assertEqual(self.botocore("role"), theirs)


class SSOTest(Base):
    def setUp(self):
        super().setUp()
        self.portal = support.FakeServer().start()
        self.addCleanup(self.portal.stop)
        self.portal.route("GET", "/federation/credentials", self.role_credentials)
        token_dir = os.path.join(self.home, ".aws", "sso", "cache")
        os.makedirs(token_dir)
        import hashlib

        for name in (SSO_START_URL, "corp"):
            digest = hashlib.sha1(name.encode()).hexdigest()
            with open(os.path.join(token_dir, digest + ".json"), "w") as f:
                json.dump(
                    {
                        "startUrl": SSO_START_URL,
                        "region": "us-east-1",
                        "accessToken": "sso-shared-access-token",
                        "expiresAt": iso_in(3600),
                    },
                    f,
                )
        self.config(
            f"""\
            [profile legacy]
            sso_start_url = {SSO_START_URL}
            sso_region = us-east-1
            sso_account_id = 111122223333
            sso_role_name = ReadOnly
            [profile dev]
            sso_session = corp
            sso_account_id = 444455556666
            sso_role_name = Developer
            [sso-session corp]
            sso_start_url = {SSO_START_URL}
            sso_region = us-east-1
            """
        )

    def role_credentials(self, req):
        n = len(self.portal.requests)
        return 200, {
            "roleCredentials": {
                "accessKeyId": f"ASIASSO{n}",
                "secretAccessKey": "sso-shared-secret",
                "sessionToken": f"sso-shared-token-{n}",
                "expiration": int((time.time() + 3600) * 1000),
            }
        }

    def test_both_ways_both_profile_forms(self):
        portal = {"AWS_ENDPOINT_URL_SSO": self.portal.url}
        theirs = self.botocore("legacy", **portal)
        self.assertEqual(self.minicreds("legacy", **portal), theirs)
        self.assertEqual(len(self.portal.requests), 1)
        mine = self.minicreds("dev", **portal)
        self.assertEqual(self.botocore("dev", **portal), mine)
        self.assertEqual(len(self.portal.requests), 2)
        self.assertEqual(len(self.entries()), 2)


class KeyTest(unittest.TestCase):
    """The entry names minicreds computes are botocore's fetchers' cache keys."""

    def test_role_keys(self):
        source = Credentials("AKID", "secret")
        cases = [
            {},
            {"role_session_name": "named"},
            {"external_id": "ext-1", "duration_seconds": "1800"},
            {"mfa_serial": "arn:aws:iam::123456789012:mfa/me"},
            {
                "role_session_name": "s\u00e9ssion",
                "external_id": 'q"uote',
                "mfa_serial": "arn:aws:iam::123456789012:mfa/x",
                "duration_seconds": " 43200 ",
            },
        ]
        for settings in cases:
            with self.subTest(settings=settings):
                extra = {}
                names = (
                    ("role_session_name", "RoleSessionName"),
                    ("external_id", "ExternalId"),
                    ("mfa_serial", "SerialNumber"),
                )
                for setting, arg in names:  # as AssumeRoleProvider passes them
                    if setting in settings:
                        extra[arg] = settings[setting]
                if "duration_seconds" in settings:
                    extra["DurationSeconds"] = int(settings["duration_seconds"])
                theirs = AssumeRoleCredentialFetcher(
                    None, source, "arn:aws:iam::123456789012:role/r", extra_args=extra
                )._cache_key
                role = dict(settings, role_arn="arn:aws:iam::123456789012:role/r")
                entry = minicreds._role_cache("/cache", role)
                self.assertEqual(entry.path, os.path.join("/cache", theirs + ".json"))

    def test_sso_keys(self):
        for session in (None, "corp", "caf\u00e9"):
            with self.subTest(session=session):
                theirs = SSOCredentialFetcher(
                    SSO_START_URL, "us-east-1", "Role", "111122223333", None,
                    sso_session_name=session,
                )._cache_key  # fmt: skip
                mine = minicreds._sso_cache_key(
                    SSO_START_URL, "111122223333", "Role", session
                )
                self.assertEqual(mine, theirs)


if __name__ == "__main__":
    unittest.main()
