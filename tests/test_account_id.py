"""The account ID each source hands out with its credentials (README, "Account ID").

Every HTTP source is a fake on 127.0.0.1; files live in a temporary HOME.
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
from tests.fakes import (
    ACCOUNT,
    IMDS_EXTENDED_PATH,
    IMDS_ROLES_PATH,
    IMDS_TOKEN_PATH,
    FakeClock,
    iso,
    role_arn,
    sts_success_xml,
    xml_response,
)
from tests.support import FakeServer

SECRET = "account-id-secret-Qm42zP"
TOKEN = "account-id-token-Lk93wB"
OTHER_ACCOUNT = "210987654321"


def json_answer(account=None, key="ASIAJSON"):
    """A container or instance metadata answer, with ``AccountId`` if given."""
    answer = {
        "Code": "Success",
        "AccessKeyId": key,
        "SecretAccessKey": SECRET,
        "Token": TOKEN,
        "Expiration": iso(time.time() + 3600),
    }
    if account:
        answer["AccountId"] = account
    return 200, answer


class EnvironmentTest(unittest.TestCase):
    def test_aws_account_id_with_the_keys(self):
        env = {
            "AWS_ACCESS_KEY_ID": "AKIDENV",
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_ACCOUNT_ID": ACCOUNT,
        }
        creds = minicreds.EnvAWSProvider(environ=env).retrieve()
        self.assertEqual(creds.account_id, ACCOUNT)
        del env["AWS_ACCOUNT_ID"]
        self.assertIsNone(minicreds.EnvAWSProvider(environ=env).retrieve().account_id)

    def test_alone_it_is_no_credentials(self):
        env = {"AWS_ACCOUNT_ID": ACCOUNT}
        self.assertIsNone(minicreds.EnvAWSProvider(environ=env).retrieve())

    def test_minio_keys_have_none(self):
        env = {
            "MINIO_ROOT_USER": "minio",
            "MINIO_ROOT_PASSWORD": SECRET,
            "AWS_ACCOUNT_ID": ACCOUNT,
        }
        creds = minicreds.EnvMinioProvider(environ=env).retrieve()
        self.assertIsNone(creds.account_id)


class FileCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="minicreds-account-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.env = {
            "AWS_CONFIG_FILE": os.path.join(self.dir, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.dir, "credentials"),
        }

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(textwrap.dedent(text))

    def retrieve(self, profile=None):
        provider = minicreds.AWSConfigProvider(profile=profile, environ=self.env)
        return provider.retrieve()


class ProfileKeysTest(FileCase):
    def test_beside_keys_in_the_credentials_file(self):
        self.write(
            "credentials",
            f"""\
            [default]
            aws_access_key_id = AKIDFILE
            aws_secret_access_key = {SECRET}
            aws_account_id = {ACCOUNT}
            """,
        )
        self.assertEqual(self.retrieve().account_id, ACCOUNT)

    def test_beside_keys_in_the_config_file(self):
        self.write(
            "config",
            f"""\
            [profile dev]
            aws_access_key_id = AKIDFILE
            aws_secret_access_key = {SECRET}
            aws_account_id = {ACCOUNT}
            """,
        )
        self.assertEqual(self.retrieve("dev").account_id, ACCOUNT)

    def test_keys_without_it(self):
        self.write(
            "credentials",
            f"[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = {SECRET}\n",
        )
        self.assertIsNone(self.retrieve().account_id)


class ProcessTest(FileCase):
    def command(self, data):
        path = os.path.join(self.dir, "helper.py")
        with open(path, "w") as f:
            f.write(f"import sys\nsys.stdout.write({json.dumps(data)!r})\n")
        return support.command_line(sys.executable, path)

    def output(self, **extra):
        return {
            "Version": 1,
            "AccessKeyId": "AKPROC",
            "SecretAccessKey": SECRET,
            **extra,
        }

    def test_account_id_of_the_output(self):
        command = self.command(self.output(AccountId=ACCOUNT))
        self.assertEqual(
            minicreds.ProcessProvider(command).retrieve().account_id, ACCOUNT
        )

    def test_the_output_wins_over_the_profile(self):
        command = self.command(self.output(AccountId=ACCOUNT))
        self.write(
            "config",
            f"[default]\ncredential_process = {command}\naws_account_id = {OTHER_ACCOUNT}\n",
        )
        self.assertEqual(self.retrieve().account_id, ACCOUNT)

    def test_falls_back_to_the_profile(self):
        command = self.command(self.output())
        self.write(
            "config",
            f"[default]\ncredential_process = {command}\naws_account_id = {ACCOUNT}\n",
        )
        self.assertEqual(self.retrieve().account_id, ACCOUNT)

    def test_keyword_fallback(self):
        command = self.command(self.output())
        provider = minicreds.ProcessProvider(command, account_id=ACCOUNT)
        self.assertEqual(provider.retrieve().account_id, ACCOUNT)
        self.assertIsNone(minicreds.ProcessProvider(command).retrieve().account_id)


class ServerCase(unittest.TestCase):
    def setUp(self):
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)
        self.clock = FakeClock()


class StsTest(ServerCase):
    def answer(self, action, arn):
        xml = sts_success_xml(
            action, "ASIAROLE", SECRET, TOKEN, iso(time.time() + 3600)
        )
        if arn is not None:
            own = f"arn:aws:sts::{ACCOUNT}:assumed-role/fake-role/fake-session"
            xml = xml.replace(own, arn)
        self.server.route("POST", "/", xml_response(200, xml))

    def assume(self):
        source = minicreds.StaticProvider("AKIDSOURCE", SECRET)
        return minicreds.AssumeRoleProvider(
            source, role_arn("r"), "s", sts_endpoint=self.server.url, environ={},
            clock=self.clock,
        ).retrieve()  # fmt: skip

    def test_assume_role_from_the_assumed_role_arn(self):
        self.answer("AssumeRole", f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/r/s")
        self.assertEqual(self.assume().account_id, OTHER_ACCOUNT)

    def test_web_identity_from_the_assumed_role_arn(self):
        self.answer("AssumeRoleWithWebIdentity", None)
        creds = minicreds.WebIdentityProvider(
            "jwt", role_arn("r"), "s", sts_endpoint=self.server.url, environ={},
            clock=self.clock,
        ).retrieve()  # fmt: skip
        self.assertEqual(creds.account_id, ACCOUNT)

    def test_no_arn_or_not_an_arn_is_none(self):
        for arn in ("", "not-an-arn", "arn:aws:sts:::assumed-role/r/s"):
            with self.subTest(arn=arn):
                self.server.reset_routes()
                self.answer("AssumeRole", arn)
                self.assertIsNone(self.assume().account_id)


class ContainerTest(ServerCase):
    def provider(self):
        env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.server.url + "/creds"}
        return minicreds.ContainerProvider(environ=env, clock=self.clock)

    def test_account_id_of_the_answer(self):
        self.server.route("GET", "/creds", json_answer(ACCOUNT))
        self.assertEqual(self.provider().retrieve().account_id, ACCOUNT)

    def test_answer_without_it(self):
        self.server.route("GET", "/creds", json_answer())
        self.assertIsNone(self.provider().retrieve().account_id)


class ImdsTest(ServerCase):
    def setUp(self):
        super().setUp()
        self.server.route("PUT", IMDS_TOKEN_PATH, (200, "imds-token"))
        self.server.route("GET", IMDS_ROLES_PATH, (200, "classic-role"))
        self.server.route("GET", IMDS_ROLES_PATH + "classic-role", json_answer())

    def provider(self):
        return minicreds.IamAwsProvider(
            self.server.url, environ={}, clock=self.clock, _metadata_only=True
        )

    def paths(self):
        return [r.path for r in self.server.requests if r.method == "GET"]

    def test_extended_path_carries_the_account_id(self):
        self.server.route("GET", IMDS_EXTENDED_PATH, (200, "role"))
        self.server.route("GET", IMDS_EXTENDED_PATH + "role", json_answer(ACCOUNT))
        provider = self.provider()
        self.assertEqual(provider.retrieve().account_id, ACCOUNT)
        self.assertEqual(
            self.paths(), [IMDS_EXTENDED_PATH, IMDS_EXTENDED_PATH + "role"]
        )

    def test_falls_back_to_the_classic_path_on_404_and_remembers(self):
        provider = self.provider()
        creds = provider.retrieve()
        self.assertEqual(creds.access_key, "ASIAJSON")
        self.assertIsNone(creds.account_id)
        expected = [
            IMDS_EXTENDED_PATH,
            IMDS_ROLES_PATH,
            IMDS_ROLES_PATH + "classic-role",
        ]
        self.assertEqual(self.paths(), expected)
        self.clock.advance(3600)  # expired: fetched again, the classic path only
        provider.retrieve()
        self.assertEqual(
            self.paths()[3:], [IMDS_ROLES_PATH, IMDS_ROLES_PATH + "classic-role"]
        )

    def test_credentials_404_on_the_extended_path_falls_back(self):
        self.server.route("GET", IMDS_EXTENDED_PATH, (200, "classic-role"))
        creds = self.provider().retrieve()
        self.assertEqual(creds.access_key, "ASIAJSON")
        self.assertEqual(self.paths()[-1], IMDS_ROLES_PATH + "classic-role")

    def test_no_role_on_either_path_is_none(self):
        self.server.reset_routes()
        self.server.route("PUT", IMDS_TOKEN_PATH, (200, "imds-token"))
        self.assertIsNone(self.provider().retrieve())
        self.assertEqual(self.paths(), [IMDS_EXTENDED_PATH, IMDS_ROLES_PATH])


class SsoTest(ServerCase):
    def test_account_of_the_profile(self):
        import hashlib

        home = tempfile.mkdtemp(prefix="minicreds-account-sso-")
        self.addCleanup(shutil.rmtree, home, True)
        start = "https://d-1234567890.awsapps.com/start"
        name = hashlib.sha1(start.encode()).hexdigest() + ".json"
        with open(os.path.join(home, name), "w") as f:
            json.dump(
                {"accessToken": "sso-token", "expiresAt": iso(time.time() + 3600)}, f
            )
        self.server.route(
            "GET",
            "/federation/credentials",
            lambda request: (
                200,
                {
                    "roleCredentials": {
                        "accessKeyId": "ASIASSO",
                        "secretAccessKey": SECRET,
                        "sessionToken": TOKEN,
                        "expiration": int((time.time() + 3600) * 1000),
                    }
                },
            ),
        )
        env = {"AWS_ENDPOINT_URL_SSO": self.server.url}
        creds = minicreds.SSOProvider(
            start, "us-east-1", ACCOUNT, "role", cache_dir=home, environ=env,
            clock=self.clock,
        ).retrieve()  # fmt: skip
        self.assertEqual(creds.account_id, ACCOUNT)


class CommandLineTest(unittest.TestCase):
    """Summary, process, json and the export formats; AWS CLI v2 prints no account
    ID, so minicreds prints it as botocore's providers read it back."""

    def run_cli(self, fmt, **variables):
        home = tempfile.mkdtemp(prefix="minicreds-account-cli-")
        self.addCleanup(shutil.rmtree, home, True)
        env = support.clean_environ(
            HOME=home, AWS_EC2_METADATA_DISABLED="true", MINICREDS_CLI_DEPTH="",
            AWS_ACCESS_KEY_ID="AKIDCLI", AWS_SECRET_ACCESS_KEY=SECRET, **variables,
        )  # fmt: skip
        script = os.path.join(support.REPO, "minicreds.py")
        proc = subprocess.run(
            [sys.executable, script, "--format", fmt], env=env, capture_output=True,
            text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def test_summary(self):
        self.assertIn(
            f"account ID:    {ACCOUNT}\n",
            self.run_cli("summary", AWS_ACCOUNT_ID=ACCOUNT),
        )
        self.assertIn("account ID:    none\n", self.run_cli("summary"))

    def test_process_and_json(self):
        doc = json.loads(self.run_cli("process", AWS_ACCOUNT_ID=ACCOUNT))
        self.assertEqual(doc["AccountId"], ACCOUNT)
        self.assertNotIn("AccountId", json.loads(self.run_cli("process")))
        self.assertEqual(
            json.loads(self.run_cli("json", AWS_ACCOUNT_ID=ACCOUNT))["AccountId"],
            ACCOUNT,
        )
        self.assertIsNone(json.loads(self.run_cli("json"))["AccountId"])

    def test_export_formats(self):
        lines = {
            "env": f"export AWS_ACCOUNT_ID={ACCOUNT}\n",
            "env-no-export": f"AWS_ACCOUNT_ID={ACCOUNT}\n",
            "powershell": f'$Env:AWS_ACCOUNT_ID="{ACCOUNT}"\n',
            "windows-cmd": f"set AWS_ACCOUNT_ID={ACCOUNT}\n",
        }
        for fmt, line in lines.items():
            with self.subTest(fmt=fmt):
                out = self.run_cli(fmt, AWS_ACCOUNT_ID=ACCOUNT)
                self.assertTrue(out.endswith(line), out)
                self.assertNotIn("AWS_ACCOUNT_ID", self.run_cli(fmt))


if __name__ == "__main__":
    unittest.main()
