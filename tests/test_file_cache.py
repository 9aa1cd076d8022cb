"""The AWS config and credentials files, parsed once and shared while unchanged
(README, "The AWS config files").

Standard library only; STS is a loopback fake that records what it is sent. No
timing: the work saved is counted by wrapping the module's parse and filter steps.
"""

import os
import shlex
import unittest
from unittest import mock

import minicreds
from tests import support
from tests.fakes import FakeClock, iso, sts_success_xml, xml_response

ACCESS, SECRET = "AKIDCACHE00000000001", "cache-secret-one-Jq83nV"
ROTATED_ACCESS, ROTATED_SECRET = "AKIDCACHE00000000002", "cache-secret-two-Pw27cK"
ROLE_SECRET, ROLE_TOKEN = "cache-role-secret-Mb40dS", "cache-role-token-Xe66hL"
SECRETS = (SECRET, ROTATED_SECRET, ROLE_SECRET, ROLE_TOKEN)


def keys(name, access=ACCESS, secret=SECRET):
    return f"[{name}]\naws_access_key_id = {access}\naws_secret_access_key = {secret}\n"


def many_profiles(count):
    """SSO profiles, as a large organisation's generated config file holds them."""
    head = "[sso-session org]\nsso_start_url = https://example.invalid/start\n"
    head += "sso_region = us-east-1\n"
    return head + "".join(
        f"[profile account-{n}]\nsso_session = org\nsso_account_id = {n:012d}\n"
        "sso_role_name = ReadOnly\n"
        for n in range(count)
    )


class FilesTestBase(unittest.TestCase):
    """A private HOME holding ~/.aws, a clean environment and an empty file cache."""

    def setUp(self):
        ctx = support.env()
        self.home = ctx.__enter__()
        self.addCleanup(ctx.__exit__, None, None, None)
        self.folder = os.path.join(self.home, ".aws")
        os.mkdir(self.folder)
        minicreds._file_cache.clear()
        self.watch = support.SecretWatch().__enter__()
        self.addCleanup(self.watch.__exit__, None, None, None)

    def path(self, name):
        return os.path.join(self.folder, name)

    def write(self, name, text):
        """Write a file, then move its modification time one second on, so that a
        rewrite within the file system's clock tick is still seen as a change."""
        path = self.path(name)
        old = os.stat(path).st_mtime_ns if os.path.exists(path) else 0
        with open(path, "w") as handle:
            handle.write(text)
        mtime = max(os.stat(path).st_mtime_ns, old + 10**9)
        os.utime(path, ns=(mtime, mtime))

    def counting(self, name):
        """Wrap the module's function ``name``; returns its mock, to count calls."""
        patcher = mock.patch.object(minicreds, name, wraps=getattr(minicreds, name))
        self.addCleanup(patcher.stop)
        return patcher.start()


class ParsedOnceTest(FilesTestBase):
    def test_unchanged_files_are_parsed_and_filtered_once(self):
        self.write("credentials", keys("default"))
        self.write("config", "[default]\nregion = eu-west-1\n" + many_profiles(50))
        parse = self.counting("_parse_ini")
        filtered = self.counting("_config_sections")
        chain = minicreds.default_provider()
        for _ in range(5):
            self.assertEqual(chain.retrieve().access_key, ACCESS)
        # Another provider of the same files shares what was read.
        self.assertEqual(minicreds.AWSConfigProvider().retrieve().access_key, ACCESS)
        self.assertEqual(parse.call_count, 2)  # one parse for each file
        self.assertEqual(filtered.call_count, 1)  # the config file's profiles
        self.watch.assert_clean(self, *SECRETS)

    def test_a_call_of_the_chain_checks_each_file_once(self):
        # Both profile links of default_provider() (its role, then the rest) read
        # the files as the first of them found them in the same call.
        self.write("credentials", keys("default"))
        self.write("config", many_profiles(5))
        chain = minicreds.default_provider()
        self.assertEqual(chain.retrieve().access_key, ACCESS)
        checks = self.counting("_read_file")
        self.assertEqual(chain.retrieve().access_key, ACCESS)
        self.assertEqual(checks.call_count, 2)  # the credentials and config files

    def test_a_profile_is_resolved_once_while_the_files_are_unchanged(self):
        # No credentials file at all is a state that lasts too.
        self.write("config", keys("profile p") + many_profiles(20))
        resolved = self.counting("_source_inputs")
        provider = minicreds.AWSConfigProvider(profile="p")
        for _ in range(5):
            self.assertEqual(provider.retrieve().access_key, ACCESS)
        self.assertEqual(resolved.call_count, 1)
        self.write("config", keys("profile p") + many_profiles(21))
        self.assertEqual(provider.retrieve().access_key, ACCESS)
        self.assertEqual(resolved.call_count, 2)

    def test_one_file_read_as_both_config_and_credentials(self):
        # As a credentials file "[profile x]" is a profile named "profile x"; as a
        # config file it is the profile "x".
        self.write("both", keys("profile x", "AKIDBOTHFILE00000001"))
        path = self.path("both")
        env = {"AWS_CONFIG_FILE": path, "AWS_SHARED_CREDENTIALS_FILE": path}
        get = minicreds.AWSConfigProvider
        for _ in range(2):
            self.assertEqual(
                get(profile="x", environ=env).retrieve().access_key,
                "AKIDBOTHFILE00000001",
            )
            self.assertEqual(
                get(profile="profile x", environ=env).retrieve().access_key,
                "AKIDBOTHFILE00000001",
            )


class RewrittenFilesTest(FilesTestBase):
    def test_rotated_keys_are_picked_up_at_the_next_call(self):
        self.write("credentials", keys("default"))
        self.write("config", many_profiles(10))
        chain = minicreds.default_provider()
        provider = minicreds.AWSConfigProvider()
        self.assertEqual(chain.retrieve().access_key, ACCESS)
        self.assertEqual(provider.retrieve().access_key, ACCESS)
        # Rewritten in place, at the same size: the modification time tells.
        self.write("credentials", keys("default", ROTATED_ACCESS, ROTATED_SECRET))
        for source in (chain, provider):
            creds = source.retrieve()
            self.assertEqual(
                (creds.access_key, creds.secret_key), (ROTATED_ACCESS, ROTATED_SECRET)
            )
        # Replaced by a new file (as editors and `aws configure` save): a new inode.
        fresh = self.path("credentials.new")
        with open(fresh, "w") as handle:
            handle.write(keys("default"))
        os.replace(fresh, self.path("credentials"))
        self.assertEqual(chain.retrieve().access_key, ACCESS)
        self.assertEqual(provider.retrieve().access_key, ACCESS)
        self.watch.assert_clean(self, *SECRETS)

    def test_the_environment_is_read_at_every_call(self):
        self.write("credentials", keys("default") + keys("other", ROTATED_ACCESS))
        environ = {}
        provider = minicreds.AWSConfigProvider(environ=environ)
        self.assertEqual(provider.retrieve().access_key, ACCESS)
        environ["AWS_PROFILE"] = "other"
        self.assertEqual(provider.retrieve().access_key, ROTATED_ACCESS)
        elsewhere = os.path.join(self.home, "elsewhere")
        with open(elsewhere, "w") as handle:
            handle.write(keys("other", "AKIDELSEWHERE0000001"))
        environ["AWS_SHARED_CREDENTIALS_FILE"] = elsewhere
        self.assertEqual(provider.retrieve().access_key, "AKIDELSEWHERE0000001")


class KeptSourcesTest(FilesTestBase):
    def setUp(self):
        super().setUp()
        self.sts = support.FakeServer().start()
        self.addCleanup(self.sts.stop)
        self.sts.route("POST", "/", self.sts_answer)
        os.environ["AWS_ENDPOINT_URL_STS"] = self.sts.url
        self.clock = FakeClock()

    def sts_answer(self, req):
        """AssumeRole credentials valid one hour by the test's clock, numbered by
        the call (the server records a request before it answers)."""
        n, expires = len(self.calls()), iso(self.clock.now + 3600)
        body = sts_success_xml(
            "AssumeRole", f"ASIACACHE{n}", ROLE_SECRET, ROLE_TOKEN, expires
        )
        return xml_response(200, body)

    def calls(self):
        return [r for r in self.sts.requests if r.method == "POST"]

    def test_a_role_profile_calls_sts_once_per_credential_lifetime(self):
        self.write("credentials", keys("source"))
        role = "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = source\n"
        self.write("config", role + many_profiles(20))
        chain = minicreds.default_provider(profile="role", clock=self.clock)
        for _ in range(5):
            self.assertEqual(chain.retrieve().access_key, "ASIACACHE1")
        # A change to another profile keeps the role's source and its credentials.
        self.write("config", role + many_profiles(21))
        self.assertEqual(chain.retrieve().access_key, "ASIACACHE1")
        self.assertEqual(len(self.calls()), 1)
        self.clock.advance(3600)  # the credentials have expired: STS once more
        for _ in range(3):
            self.assertEqual(chain.retrieve().access_key, "ASIACACHE2")
        self.assertEqual(len(self.calls()), 2)
        self.watch.assert_clean(self, *SECRETS)


class SectionNamesTest(unittest.TestCase):
    def test_names_split_as_botocore_splits_them(self):
        # botocore: a config section starting with "profile", "sso-session" or
        # "services" that shlex splits into exactly two words; "default" as it is.
        names = [
            "default", "profile a", "profile  spaced ", "profile\ttab",
            'profile "a b"', "profile 'q'", "profile a\\ b", "profile a b",
            "profilex y", "profile", "profile ", 'profile "open', "profile a\xa0b",
            "profile ä-ü", "profile a#b", "profile a;b", "profile a=b",
            "sso-session s", 'sso-session "s t"', "sso-session", "sso-sessions x",
            "bare", "services x", "profile a\\", "profile 'a'\"b\"",
            'profile"x" y', "profile\tx y", " profile x", "profile x\x0b",
        ]  # fmt: skip
        sections = {name: {"n": str(n)} for n, name in enumerate(names)}
        expected = {}
        for name, values in sections.items():
            try:
                words = shlex.split(name)
            except ValueError:
                continue
            if name == "default":
                expected[name] = values
            elif len(words) == 2 and name.startswith("profile"):
                expected[words[1]] = values
            elif len(words) == 2 and name.startswith("sso-session"):
                expected["sso-session " + words[1]] = values
            elif len(words) == 2 and name.startswith("services"):
                expected["services " + words[1]] = values
        self.assertEqual(minicreds._config_sections(sections), expected)


if __name__ == "__main__":
    unittest.main()
