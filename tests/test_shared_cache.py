"""The credential cache shared with the AWS CLI (README "The AWS CLI's cache").

Standard library only: STS and the SSO portal are loopback fakes that count calls.
Entries are laid out as botocore's JSONFileCache writes them for the AWS CLI:
``<folder>/<key>.json``, the key the SHA-1 of the fetcher's arguments as sorted JSON
(default separators for roles, compact ones for SSO), ``Expiration`` written
``2026-12-07T14:49:17UTC`` in role entries. tests/interop/test_shared_cache_botocore.py
checks the same against botocore itself.
"""

import hashlib
import json
import os
import stat
import sys
import textwrap
import time
import unittest
from unittest import mock

import minicreds
from tests import support
from tests.fakes import ACCOUNT, SSO_START_URL, iso_in, sts_success_xml, xml_response

SOURCE_SECRET = "shared-source-secret-Hs41kD"
ROLE_SECRET = "shared-role-secret-Qm27vB"
ROLE_TOKEN = "shared-role-token-Zp80cW"
SSO_ACCESS_TOKEN = "shared-sso-access-Lk53tR"
SECRETS = (SOURCE_SECRET, ROLE_SECRET, ROLE_TOKEN, SSO_ACCESS_TOKEN)
ARN_A = "arn:aws:iam::123456789012:role/first"
ARN_B = "arn:aws:iam::123456789012:role/second"
POSIX = hasattr(os, "getuid")


def role_key(**args):
    """botocore's AssumeRoleCredentialFetcher key: json's default separators."""
    text = json.dumps(args, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()


def sso_key(**args):
    """botocore's SSOCredentialFetcher key: compact separators."""
    text = json.dumps(args, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()


def cli_time(seconds):
    """A time as botocore writes it in a role entry: ``...T14:49:17UTC``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SUTC", time.gmtime(time.time() + seconds))


class SharedCacheBase(unittest.TestCase):
    def setUp(self):
        self.sts = support.FakeServer().start()
        self.addCleanup(self.sts.stop)
        self.sts.route("POST", "/", self.sts_answer)
        self.sts.route("GET", "/federation/credentials", self.portal_answer)
        ctx = support.env(
            AWS_ENDPOINT_URL_STS=self.sts.url, AWS_ENDPOINT_URL_SSO=self.sts.url
        )
        self.home = ctx.__enter__()
        self.addCleanup(ctx.__exit__, None, None, None)
        os.mkdir(os.path.join(self.home, ".aws"))
        self.folder = os.path.join(self.home, "shared", "cache")
        self.watch = support.SecretWatch().__enter__()
        self.addCleanup(self.watch.__exit__, None, None, None)

    def sts_answer(self, req):
        n = len(self.calls())
        body = sts_success_xml(
            req.form["Action"][0], f"ASIAROLE{n}", ROLE_SECRET, f"{ROLE_TOKEN}-{n}",
            iso_in(3600),
        )  # fmt: skip
        return xml_response(200, body)

    def portal_answer(self, req):
        n = len(self.portal_calls())
        return 200, {
            "roleCredentials": {
                "accessKeyId": f"ASIASSO{n}",
                "secretAccessKey": ROLE_SECRET,
                "sessionToken": ROLE_TOKEN,
                "expiration": int((time.time() + 3600) * 1000),
            }
        }

    def calls(self):
        return [r for r in self.sts.requests if r.method == "POST"]

    def portal_calls(self):
        return [r for r in self.sts.requests if r.method == "GET"]

    def config(self, text):
        with open(os.path.join(self.home, ".aws", "config"), "w") as f:
            f.write(textwrap.dedent(text))

    def get(self, profile="role", folder=True, **kw):
        cache = self.folder if folder else None
        provider = minicreds.AWSConfigProvider(
            profile=profile, credential_cache_dir=cache, **kw
        )
        return provider.retrieve()

    def entry_path(self, key):
        return os.path.join(self.folder, key + ".json")

    def read_entry(self, key):
        with open(self.entry_path(key)) as f:
            return json.load(f)

    def write_entry(self, key, document, mode=0o600):
        os.makedirs(self.folder, mode=0o700, exist_ok=True)
        path = self.entry_path(key)
        with open(path, "w") as f:
            f.write(document if isinstance(document, str) else json.dumps(document))
        os.chmod(path, mode)

    def cli_entry(self, key, access="ASIAFROMCLI", life=3600):
        """A role entry as the AWS CLI writes it (the whole AssumeRole answer)."""
        self.write_entry(
            key,
            {
                "Credentials": {
                    "AccessKeyId": access,
                    "SecretAccessKey": ROLE_SECRET,
                    "SessionToken": ROLE_TOKEN,
                    "Expiration": cli_time(life),
                },
                "AssumedRoleUser": {"AssumedRoleId": "AROA:s", "Arn": "arn:x"},
                "ResponseMetadata": {"HTTPStatusCode": 200},
            },
        )


ROLE = f"""\
    [profile role]
    role_arn = {ARN_A}
    source_profile = keys
    [profile keys]
    aws_access_key_id = AKIDSOURCE
    aws_secret_access_key = {SOURCE_SECRET}
"""
CHAIN = f"""\
    [profile role]
    role_arn = {ARN_B}
    source_profile = first
    role_session_name = outer
    [profile first]
    role_arn = {ARN_A}
    source_profile = keys
    external_id = ext-1
    duration_seconds = 1800
    [profile keys]
    aws_access_key_id = AKIDSOURCE
    aws_secret_access_key = {SOURCE_SECRET}
"""


class RoleEntryTest(SharedCacheBase):
    def test_second_provider_reuses_the_entry(self):
        self.config(ROLE)
        first = self.get()
        self.assertEqual(len(self.calls()), 1)
        second = self.get()  # a fresh provider, as a new process would build
        self.assertEqual(len(self.calls()), 1)
        self.assertEqual(second, first)
        self.watch.assert_clean(self, *SECRETS)

    def test_entry_is_written_as_the_aws_cli_writes_it(self):
        self.config(ROLE)
        creds = self.get()
        document = self.read_entry(role_key(RoleArn=ARN_A))
        expected = creds.expiration.strftime("%Y-%m-%dT%H:%M:%SUTC")
        self.assertEqual(
            document,
            {
                "Credentials": {
                    "AccessKeyId": creds.access_key,
                    "SecretAccessKey": ROLE_SECRET,
                    "SessionToken": creds.session_token,
                    "Expiration": expected,
                    # botocore adds the account of the assumed role's ARN too
                    "AccountId": ACCOUNT,
                }
            },
        )
        self.assertEqual(os.listdir(self.folder), [role_key(RoleArn=ARN_A) + ".json"])

    @unittest.skipUnless(POSIX, "POSIX modes")
    def test_modes_file_0600_folder_0700(self):
        self.config(ROLE)
        old = os.umask(0o022)
        try:
            self.get()
        finally:
            os.umask(old)
        path = self.entry_path(role_key(RoleArn=ARN_A))
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.folder).st_mode), 0o700)

    def test_entry_written_by_the_aws_cli_is_used(self):
        self.config(ROLE)
        self.cli_entry(role_key(RoleArn=ARN_A))
        creds = self.get()
        self.assertEqual(creds.access_key, "ASIAFROMCLI")
        self.assertEqual(creds.session_token, ROLE_TOKEN)
        self.assertEqual(self.calls(), [])

    def test_entry_expiring_within_15_minutes_is_replaced(self):
        self.config(ROLE)
        key = role_key(RoleArn=ARN_A)
        self.cli_entry(key, life=14 * 60)
        creds = self.get()
        self.assertEqual(len(self.calls()), 1)
        self.assertNotEqual(creds.access_key, "ASIAFROMCLI")
        saved = self.read_entry(key)["Credentials"]["AccessKeyId"]
        self.assertEqual(saved, creds.access_key)
        self.cli_entry(key, life=16 * 60)  # still 15 minutes left: used
        self.assertEqual(self.get().access_key, "ASIAFROMCLI")
        self.assertEqual(len(self.calls()), 1)

    def test_entry_is_judged_by_the_injected_clock(self):
        self.config(ROLE)
        self.cli_entry(role_key(RoleArn=ARN_A), life=3600)
        later = time.time() + 3000  # 10 minutes left then
        self.assertNotEqual(self.get(clock=lambda: later).access_key, "ASIAFROMCLI")
        self.assertEqual(len(self.calls()), 1)

    def test_corrupt_entries_are_ignored_and_replaced(self):
        self.config(ROLE)
        key = role_key(RoleArn=ARN_A)
        good = {"AccessKeyId": "ASIACORRUPT", "SecretAccessKey": "s"}
        corrupt = [
            "",
            "{not json",
            "[" * 100_000,  # deeper than json can parse
            "[]",
            json.dumps({"Credentials": "x"}),
            json.dumps({"Credentials": dict(good, Expiration=cli_time(3600))}),
            json.dumps(
                {"Credentials": dict(good, SessionToken="", Expiration=cli_time(3600))}
            ),
            json.dumps(
                {"Credentials": dict(good, SessionToken="t", Expiration="soon")}
            ),
            json.dumps({"Credentials": dict(good, SessionToken="t", Expiration=7)}),
            json.dumps(
                {
                    "Credentials": dict(
                        good,
                        AccessKeyId="",
                        SessionToken="t",
                        Expiration=cli_time(3600),
                    )
                }
            ),
            b"\xff\xfe\x00garbage",
        ]
        for n, text in enumerate(corrupt, 1):
            with self.subTest(n=n):
                if isinstance(text, bytes):
                    self.write_entry(key, "")
                    with open(self.entry_path(key), "wb") as f:
                        f.write(text)
                else:
                    self.write_entry(key, text)
                creds = self.get()
                self.assertEqual(len(self.calls()), n)
                saved = self.read_entry(key)["Credentials"]["AccessKeyId"]
                self.assertEqual(saved, creds.access_key)
        self.watch.assert_clean(self, *SECRETS)

    def test_entry_that_is_a_fifo_is_ignored_at_once(self):
        # Before entries were opened without blocking, open() waited until the
        # guard wrote to the FIFO.
        self.config(ROLE)
        key = role_key(RoleArn=ARN_A)
        os.makedirs(self.folder, mode=0o700)
        with support.fifo(self.entry_path(key), "{}") as guard:
            self.assertEqual(self.get().access_key, "ASIAROLE1")
        self.assertFalse(guard.fired)
        self.assertEqual(len(self.calls()), 1)
        self.assertTrue(stat.S_ISREG(os.stat(self.entry_path(key)).st_mode))

    @unittest.skipUnless(POSIX, "POSIX owners and modes")
    def test_entry_others_may_write_is_not_trusted(self):
        self.config(ROLE)
        key = role_key(RoleArn=ARN_A)
        for mode in (0o620, 0o602, 0o666):
            with self.subTest(mode=oct(mode)):
                self.cli_entry(key)
                os.chmod(self.entry_path(key), mode)
                self.assertNotEqual(self.get().access_key, "ASIAFROMCLI")
        self.assertEqual(len(self.calls()), 3)

    @unittest.skipUnless(POSIX, "POSIX owners")
    def test_entry_of_another_user_is_not_trusted(self):
        self.config(ROLE)
        self.cli_entry(role_key(RoleArn=ARN_A))
        with mock.patch("os.getuid", return_value=os.getuid() + 1):
            self.assertNotEqual(self.get().access_key, "ASIAFROMCLI")
        self.assertEqual(len(self.calls()), 1)

    def test_no_folder_no_cache(self):
        self.config(ROLE)
        self.cli_entry(role_key(RoleArn=ARN_A))
        self.get(folder=False)
        self.get(folder=False)
        self.assertEqual(len(self.calls()), 2)  # opt-in in the library

    def test_chain_has_an_entry_per_hop(self):
        self.config(CHAIN)
        outer = self.get()
        self.assertEqual(len(self.calls()), 2)
        inner_key = role_key(RoleArn=ARN_A, ExternalId="ext-1", DurationSeconds=1800)
        outer_key = role_key(RoleArn=ARN_B, RoleSessionName="outer")
        self.assertEqual(
            sorted(os.listdir(self.folder)),
            sorted([inner_key + ".json", outer_key + ".json"]),
        )
        self.assertEqual(self.get(), outer)  # the outer entry: no call
        self.assertEqual(len(self.calls()), 2)
        os.remove(self.entry_path(outer_key))  # the inner one signs the new call
        self.get()
        (*_, third) = self.calls()
        self.assertEqual(third.form["RoleArn"], [ARN_B])
        inner = self.read_entry(inner_key)["Credentials"]
        self.assertEqual(third.headers["X-Amz-Security-Token"], inner["SessionToken"])

    def test_made_up_session_name_is_not_in_the_key(self):
        self.config(ROLE)
        self.get()
        self.assertTrue(os.path.exists(self.entry_path(role_key(RoleArn=ARN_A))))
        (call,) = self.calls()
        self.assertTrue(call.form["RoleSessionName"][0].startswith("minicreds-"))

    def test_mfa_role_from_the_entry_asks_for_no_code(self):
        mfa = "role_arn = %s\n    mfa_serial = arn:aws:iam::123456789012:mfa/me" % ARN_A
        self.config(ROLE.replace(f"role_arn = {ARN_A}", mfa))
        prompt = mock.Mock(return_value="123456")
        key = role_key(RoleArn=ARN_A, SerialNumber="arn:aws:iam::123456789012:mfa/me")
        self.cli_entry(key)
        self.assertEqual(self.get(mfa_prompt=prompt).access_key, "ASIAFROMCLI")
        prompt.assert_not_called()

    def test_web_identity_role_has_an_entry(self):
        token = os.path.join(self.home, "token")
        with open(token, "w") as f:
            f.write("eyJ.jwt.sig")
        self.config(
            f"[profile role]\nrole_arn = {ARN_A}\nweb_identity_token_file = {token}\n"
            "role_session_name = wi\nduration_seconds = 1800\n"
        )
        self.cli_entry(role_key(RoleArn=ARN_A, RoleSessionName="wi"))
        self.assertEqual(self.get().access_key, "ASIAFROMCLI")
        self.assertEqual(self.calls(), [])

    def test_default_provider_takes_the_folder(self):
        self.config(ROLE)
        self.cli_entry(role_key(RoleArn=ARN_A))
        chain = minicreds.default_provider(
            profile="role", credential_cache_dir=self.folder
        )
        self.assertEqual(chain.retrieve().access_key, "ASIAFROMCLI")
        self.assertEqual(self.calls(), [])


class WriteTest(SharedCacheBase):
    def test_failed_write_keeps_the_old_entry_whole(self):
        """A write that fails half-way leaves the entry as it was and no temporary
        file: readers see the old entry or the new one, never a part."""
        self.config(ROLE)
        key = role_key(RoleArn=ARN_A)
        self.cli_entry(key, life=60)  # expired for the cache: replaced
        with open(self.entry_path(key), "rb") as f:
            before = f.read()
        with mock.patch("os.fsync", side_effect=OSError(28, "No space left")):
            with self.assertLogs("minicreds", "WARNING") as logs:
                creds = self.get()
        self.assertEqual(creds.access_key, "ASIAROLE1")  # served all the same
        with open(self.entry_path(key), "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(os.listdir(self.folder), [key + ".json"])
        self.assertIn("cannot write", logs.output[0])
        self.watch.assert_clean(self, *SECRETS, extra_texts=logs.output)

    def test_unwritable_folder_serves_and_warns(self):
        self.config(ROLE)
        os.makedirs(os.path.dirname(self.folder))
        with open(self.folder, "w"):  # a file where the folder should be
            pass
        with self.assertLogs("minicreds", "WARNING"):
            self.assertEqual(self.get().access_key, "ASIAROLE1")


SSO = f"""\
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
    sso_region = eu-central-1
"""


class SSOEntryTest(SharedCacheBase):
    def write_token(self, name):
        folder = os.path.join(self.home, ".aws", "sso", "cache")
        os.makedirs(folder, exist_ok=True)
        digest = hashlib.sha1(name.encode()).hexdigest()
        with open(os.path.join(folder, digest + ".json"), "w") as f:
            json.dump({"accessToken": SSO_ACCESS_TOKEN, "expiresAt": iso_in(3600)}, f)

    def test_keys_of_both_profile_forms(self):
        self.config(SSO)
        self.write_token(SSO_START_URL)
        self.write_token("corp")
        legacy, dev = self.get("legacy"), self.get("dev")
        legacy_key = sso_key(
            startUrl=SSO_START_URL, roleName="ReadOnly", accountId="111122223333"
        )
        dev_key = sso_key(
            sessionName="corp", roleName="Developer", accountId="444455556666"
        )
        self.assertEqual(
            self.read_entry(legacy_key),
            {
                "ProviderType": "sso",
                "Credentials": {
                    "AccessKeyId": legacy.access_key,
                    "SecretAccessKey": ROLE_SECRET,
                    "SessionToken": ROLE_TOKEN,
                    "Expiration": legacy.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "AccountId": "111122223333",
                },
            },
        )
        saved = self.read_entry(dev_key)["Credentials"]["AccessKeyId"]
        self.assertEqual(saved, dev.access_key)
        self.assertEqual(len(self.portal_calls()), 2)

    def test_entry_serves_without_a_token(self):
        """As botocore's SSO fetcher, the entry is read before the token: a valid
        entry serves even once the token has gone."""
        self.config(SSO)
        key = sso_key(
            sessionName="corp", roleName="Developer", accountId="444455556666"
        )
        self.write_entry(
            key,
            {
                "ProviderType": "sso",
                "Credentials": {
                    "AccessKeyId": "ASIASSOCLI",
                    "SecretAccessKey": ROLE_SECRET,
                    "SessionToken": ROLE_TOKEN,
                    "Expiration": iso_in(3600),
                    "AccountId": "444455556666",
                },
            },
        )
        self.assertEqual(self.get("dev").access_key, "ASIASSOCLI")
        self.assertEqual(self.portal_calls(), [])


class CommandLineTest(unittest.TestCase):
    """The command line uses ~/.aws/cli/cache unless --no-cache."""

    def run_cli(self, home, *args):
        env = support.minimal_environ(home)
        env.update(AWS_ENDPOINT_URL_STS=self.sts.url, AWS_EC2_METADATA_DISABLED="true")
        script = os.path.join(support.REPO, "minicreds.py")
        import subprocess

        done = subprocess.run(
            [sys.executable, script, "--profile", "role", "--format", "process", *args],
            env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
            timeout=60, check=False,
        )  # fmt: skip
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout)

    def test_on_by_default_off_with_no_cache(self):
        self.sts = support.FakeServer().start()
        self.addCleanup(self.sts.stop)
        answers = iter(range(100))

        def answer(req):
            body = sts_success_xml(
                "AssumeRole", f"ASIACLI{next(answers)}", ROLE_SECRET, ROLE_TOKEN,
                iso_in(3600),
            )  # fmt: skip
            return xml_response(200, body)

        self.sts.route("POST", "/", answer)
        with support.temp_home() as home:
            os.mkdir(os.path.join(home, ".aws"))
            with open(os.path.join(home, ".aws", "config"), "w") as f:
                f.write(textwrap.dedent(ROLE))
            first = self.run_cli(home)
            second = self.run_cli(home)
            self.assertEqual(second, first)
            self.assertEqual(len(self.sts.requests), 1)
            entry = os.path.join(
                home, ".aws", "cli", "cache", role_key(RoleArn=ARN_A) + ".json"
            )
            self.assertTrue(os.path.isfile(entry))
            os.remove(entry)
            fresh = self.run_cli(home, "--no-cache")
            self.assertNotEqual(fresh["AccessKeyId"], first["AccessKeyId"])
            self.assertFalse(os.path.exists(entry))
            self.run_cli(home, "--no-cache")
            self.assertEqual(len(self.sts.requests), 3)


if __name__ == "__main__":
    unittest.main()
