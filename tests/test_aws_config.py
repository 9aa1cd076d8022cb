"""AWSConfigProvider with static keys (README, "The AWS config files").

Profiles that name a role, a process, SSO or web identity are tested elsewhere.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unittest
from unittest import mock

import minicreds
from minicreds import AWSConfigProvider, ConfigError, Credentials
from tests import support

ACCESS = "AKIAFILETESTACCESS01"
ACCESS2 = "AKIAFILETESTACCESS02"
ACCESS3 = "AKIAFILETESTACCESS03"
SECRET = "sEcReT-file-5a1e0c-wJalrXUtnFEMI"
SECRET2 = "sEcReT-file-second-77ad21-K7MDENG"
SECRET3 = "sEcReT-file-third-c0ffee-bPxRfiCY"
TOKEN = "ToKeN-file-19be42-FwoGZXIvYXdzEJr"
TOKEN2 = "ToKeN-file-legacy-e4f005-IQoJb3JpZ2lu"
ALL_SECRETS = (SECRET, SECRET2, SECRET3, TOKEN, TOKEN2)


def _profile(name, access=ACCESS, secret=SECRET, token=None, header=None):
    lines = ["[%s]" % (header or name)]
    if access is not None:
        lines.append(f"aws_access_key_id = {access}")
    if secret is not None:
        lines.append(f"aws_secret_access_key = {secret}")
    if token is not None:
        lines.append(f"aws_session_token = {token}")
    return "\n".join(lines) + "\n\n"


class _FilesTestCase(unittest.TestCase):
    """A private HOME and an environment without AWS variables."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="minicreds-awscfg-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(os.path.join(self.home, ".aws"))
        env = support.minimal_environ(self.home)
        patcher = mock.patch.dict(os.environ, env, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)

    @property
    def credentials_path(self):
        return os.path.join(self.home, ".aws", "credentials")

    @property
    def config_path(self):
        return os.path.join(self.home, ".aws", "config")

    def write(self, path, text, mode="w"):
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, mode) as handle:
            handle.write(text)
        return path

    def write_credentials(self, text):
        return self.write(self.credentials_path, text)

    def write_config(self, text):
        return self.write(self.config_path, text)

    def assertNoSecret(self, text):
        for secret in ALL_SECRETS:
            self.assertNotIn(secret, text)

    def assertConfigError(self, provider, *, path, line=None, contains=()):
        with self.assertRaises(ConfigError) as cm:
            provider.retrieve()
        err = cm.exception
        text = str(err)
        self.assertNoSecret(text)
        self.assertNoSecret(repr(err))
        self.assertIsNone(err.__cause__, "parser errors are re-raised from None")
        self.assertTrue(err.__suppress_context__ or err.__context__ is None)
        # README, "Errors": the message names the provider and the source, once.
        self.assertEqual(err.provider, "AWSConfigProvider")
        self.assertTrue(text.startswith("AWSConfigProvider: "), text)
        self.assertEqual(text.count("AWSConfigProvider"), 1, text)
        self.assertIn(path, text)
        if path:
            self.assertIn(path, err.source)
            self.assertEqual(text.count(path), 1, text)
        if line is not None:
            rest = text.replace(path, "")
            self.assertRegex(rest, rf"(?<![0-9]){line}(?![0-9])")
        for piece in contains:
            self.assertIn(piece, text)
        return err


class FileLocationTest(_FilesTestCase):
    def test_default_credentials_file(self):
        self.write_credentials(_profile("default", token=TOKEN))
        creds = AWSConfigProvider().retrieve()
        self.assertEqual(creds, Credentials(ACCESS, SECRET, TOKEN))
        self.assertIsNone(creds.expiration)

    def test_filename_argument(self):
        path = self.write(
            os.path.join(self.tmp, "elsewhere", "creds.ini"), _profile("default")
        )
        self.write_credentials(_profile("default", ACCESS2, SECRET2))
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = self.write(
            os.path.join(self.tmp, "env.ini"), _profile("default", ACCESS3, SECRET3)
        )
        self.assertEqual(
            AWSConfigProvider(path).retrieve(), Credentials(ACCESS, SECRET)
        )
        self.assertEqual(
            AWSConfigProvider(filename=path).retrieve(), Credentials(ACCESS, SECRET)
        )

    def test_shared_credentials_file_variable(self):
        self.write_credentials(_profile("default", ACCESS2, SECRET2))
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = self.write(
            os.path.join(self.tmp, "env.ini"), _profile("default", ACCESS3, SECRET3)
        )
        self.assertEqual(AWSConfigProvider().retrieve(), Credentials(ACCESS3, SECRET3))

    def test_default_config_file(self):
        self.write_config(_profile("default", token=TOKEN))
        self.assertEqual(
            AWSConfigProvider().retrieve(), Credentials(ACCESS, SECRET, TOKEN)
        )

    def test_config_file_variable(self):
        self.write_config(_profile("default", ACCESS2, SECRET2))
        os.environ["AWS_CONFIG_FILE"] = self.write(
            os.path.join(self.tmp, "cfg.ini"), _profile("default", ACCESS3, SECRET3)
        )
        self.assertEqual(AWSConfigProvider().retrieve(), Credentials(ACCESS3, SECRET3))

    def test_config_file_used_with_filename_argument(self):
        path = self.write(os.path.join(self.tmp, "creds.ini"), _profile("other"))
        self.write_config(_profile("default", ACCESS2, SECRET2))
        self.assertEqual(
            AWSConfigProvider(path).retrieve(), Credentials(ACCESS2, SECRET2)
        )

    def test_no_files(self):
        self.assertIsNone(AWSConfigProvider().retrieve())
        missing = os.path.join(self.tmp, "does-not-exist")
        self.assertIsNone(AWSConfigProvider(missing).retrieve())
        os.environ["AWS_CONFIG_FILE"] = os.path.join(self.tmp, "nor-this")
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(self.tmp, "nor-that")
        self.assertIsNone(AWSConfigProvider().retrieve())

    def test_no_aws_directory(self):
        os.rmdir(os.path.join(self.home, ".aws"))
        self.assertIsNone(AWSConfigProvider().retrieve())

    def test_empty_files(self):
        self.write_credentials("")
        self.write_config("")
        self.assertIsNone(AWSConfigProvider().retrieve())

    def test_environ_mapping(self):
        other = os.path.join(self.tmp, "other.ini")
        self.write(
            other,
            _profile("default", ACCESS2, SECRET2) + _profile("p3", ACCESS3, SECRET3),
        )
        self.write_credentials(_profile("default") + _profile("p2", ACCESS2, SECRET2))
        os.environ["AWS_PROFILE"] = "p2"
        environ = {
            "HOME": self.home,
            "AWS_SHARED_CREDENTIALS_FILE": other,
            "AWS_PROFILE": "p3",
        }
        provider = AWSConfigProvider(environ=environ)
        self.assertEqual(provider.retrieve(), Credentials(ACCESS3, SECRET3))
        environ["AWS_PROFILE"] = "default"
        self.assertEqual(provider.retrieve(), Credentials(ACCESS2, SECRET2))


class ProfileSelectionTest(_FilesTestCase):
    def setUp(self):
        super().setUp()
        self.write_credentials(
            _profile("default")
            + _profile("two", ACCESS2, SECRET2)
            + _profile("three", ACCESS3, SECRET3, TOKEN)
        )

    def test_default(self):
        self.assertEqual(AWSConfigProvider().retrieve(), Credentials(ACCESS, SECRET))

    def test_argument(self):
        self.assertEqual(
            AWSConfigProvider(profile="two").retrieve(), Credentials(ACCESS2, SECRET2)
        )
        self.assertEqual(
            AWSConfigProvider(None, "three").retrieve(),
            Credentials(ACCESS3, SECRET3, TOKEN),
        )

    def test_aws_profile(self):
        os.environ["AWS_PROFILE"] = "two"
        self.assertEqual(AWSConfigProvider().retrieve(), Credentials(ACCESS2, SECRET2))

    def test_aws_default_profile(self):
        os.environ["AWS_DEFAULT_PROFILE"] = "three"
        self.assertEqual(
            AWSConfigProvider().retrieve(), Credentials(ACCESS3, SECRET3, TOKEN)
        )

    def test_aws_profile_wins_over_aws_default_profile(self):
        os.environ["AWS_PROFILE"] = "two"
        os.environ["AWS_DEFAULT_PROFILE"] = "three"
        self.assertEqual(AWSConfigProvider().retrieve(), Credentials(ACCESS2, SECRET2))

    def test_argument_wins_over_variables(self):
        os.environ["AWS_PROFILE"] = "two"
        os.environ["AWS_DEFAULT_PROFILE"] = "two"
        self.assertEqual(
            AWSConfigProvider(profile="three").retrieve(),
            Credentials(ACCESS3, SECRET3, TOKEN),
        )
        self.assertEqual(
            AWSConfigProvider(profile="default").retrieve(), Credentials(ACCESS, SECRET)
        )

    def test_resolved_at_each_call(self):
        provider = AWSConfigProvider()
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET))
        os.environ["AWS_PROFILE"] = "two"
        self.assertEqual(provider.retrieve(), Credentials(ACCESS2, SECRET2))
        os.environ["AWS_PROFILE"] = "three"
        self.assertEqual(provider.retrieve(), Credentials(ACCESS3, SECRET3, TOKEN))
        del os.environ["AWS_PROFILE"]
        os.environ["AWS_DEFAULT_PROFILE"] = "two"
        self.assertEqual(provider.retrieve(), Credentials(ACCESS2, SECRET2))
        del os.environ["AWS_DEFAULT_PROFILE"]
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET))

    def test_missing_explicit_profile_argument(self):
        self.assertConfigError(
            AWSConfigProvider(profile="nosuchprofile"),
            path="",
            contains=("nosuchprofile",),
        )

    def test_missing_profile_from_variables(self):
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            with self.subTest(name=name):
                os.environ.pop("AWS_PROFILE", None)
                os.environ.pop("AWS_DEFAULT_PROFILE", None)
                os.environ[name] = "ghostprofile"
                self.assertConfigError(
                    AWSConfigProvider(), path="", contains=("ghostprofile",)
                )

    def test_missing_explicit_profile_without_files(self):
        os.remove(self.credentials_path)
        self.assertConfigError(
            AWSConfigProvider(profile="lostprofile"), path="", contains=("lostprofile",)
        )

    def test_absent_implicit_default(self):
        self.write_credentials(_profile("two", ACCESS2, SECRET2))
        self.write_config(_profile("x", header="profile x"))
        self.assertIsNone(AWSConfigProvider().retrieve())


class SectionNamesTest(_FilesTestCase):
    def test_config_profile_prefix(self):
        self.write_config(
            _profile("default", header="default")
            + _profile("x", ACCESS2, SECRET2, header="profile x")
        )
        self.assertEqual(AWSConfigProvider().retrieve(), Credentials(ACCESS, SECRET))
        self.assertEqual(
            AWSConfigProvider(profile="x").retrieve(), Credentials(ACCESS2, SECRET2)
        )

    def test_config_bare_section_is_not_a_profile(self):
        self.write_config(_profile("x", ACCESS2, SECRET2, header="x"))
        self.assertConfigError(AWSConfigProvider(profile="x"), path="", contains=("x",))
        # Nor is it the default.
        self.assertIsNone(AWSConfigProvider().retrieve())

    def test_config_bare_section_ignored_beside_prefixed(self):
        self.write_config(
            _profile("x", ACCESS3, SECRET3, header="x")
            + _profile("x", ACCESS2, SECRET2, header="profile x")
        )
        self.assertEqual(
            AWSConfigProvider(profile="x").retrieve(), Credentials(ACCESS2, SECRET2)
        )

    def test_credentials_section_verbatim(self):
        self.write_credentials(_profile("x", ACCESS2, SECRET2, header="x"))
        self.assertEqual(
            AWSConfigProvider(profile="x").retrieve(), Credentials(ACCESS2, SECRET2)
        )

    def test_credentials_profile_prefix_is_literal(self):
        self.write_credentials(_profile("x", ACCESS2, SECRET2, header="profile x"))
        self.assertConfigError(AWSConfigProvider(profile="x"), path="", contains=("x",))
        self.assertEqual(
            AWSConfigProvider(profile="profile x").retrieve(),
            Credentials(ACCESS2, SECRET2),
        )

    def test_credentials_file_wins_over_config_file(self):
        self.write_credentials(
            _profile("default", ACCESS, SECRET) + _profile("p", ACCESS, SECRET)
        )
        self.write_config(
            _profile("default", ACCESS2, SECRET2, TOKEN)
            + _profile("p", ACCESS3, SECRET3, header="profile p")
        )
        self.assertEqual(AWSConfigProvider().retrieve(), Credentials(ACCESS, SECRET))
        self.assertEqual(
            AWSConfigProvider(profile="p").retrieve(), Credentials(ACCESS, SECRET)
        )

    def test_other_profiles_from_either_file(self):
        self.write_credentials(_profile("c", ACCESS, SECRET))
        self.write_config(_profile("k", ACCESS2, SECRET2, header="profile k"))
        self.assertEqual(
            AWSConfigProvider(profile="c").retrieve(), Credentials(ACCESS, SECRET)
        )
        self.assertEqual(
            AWSConfigProvider(profile="k").retrieve(), Credentials(ACCESS2, SECRET2)
        )

    def test_config_keys_besides_credentials(self):
        # Non-credential settings in the config file do not disturb static keys.
        self.write_credentials(_profile("default"))
        self.write_config("[default]\nregion = eu-west-3\noutput = json\n")
        self.assertEqual(AWSConfigProvider().retrieve(), Credentials(ACCESS, SECRET))

    def test_profile_with_settings_only_is_not_credentials(self):
        self.write_config("[default]\nregion = eu-west-3\n")
        result = None
        try:
            result = AWSConfigProvider().retrieve()
        except ConfigError as exc:
            self.assertNoSecret(str(exc))
        self.assertIsNone(result)


class ValuesTest(_FilesTestCase):
    def test_session_token(self):
        self.write_credentials(_profile("default", token=TOKEN))
        self.assertEqual(AWSConfigProvider().retrieve().session_token, TOKEN)

    def test_legacy_security_token(self):
        self.write_credentials(
            f"[default]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n"
            f"aws_security_token = {TOKEN2}\n"
        )
        self.assertEqual(
            AWSConfigProvider().retrieve(), Credentials(ACCESS, SECRET, TOKEN2)
        )

    def test_session_token_wins_over_legacy(self):
        self.write_credentials(
            f"[default]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n"
            f"aws_security_token = {TOKEN2}\naws_session_token = {TOKEN}\n"
        )
        self.assertEqual(AWSConfigProvider().retrieve().session_token, TOKEN)

    def test_percent_is_raw(self):
        secret = "ab%cd%(x)s%%e%"
        self.write_credentials(
            f"[default]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {secret}\n"
        )
        self.write_config(
            "[profile p]\naws_access_key_id = {}\naws_secret_access_key = {}\n"
            "aws_session_token = {}\n".format(ACCESS2, secret, "t%(x)s%")
        )
        self.assertEqual(AWSConfigProvider().retrieve(), Credentials(ACCESS, secret))
        self.assertEqual(
            AWSConfigProvider(profile="p").retrieve(),
            Credentials(ACCESS2, secret, "t%(x)s%"),
        )

    def test_comments_and_whitespace(self):
        text = (
            "# leading comment aws_access_key_id = AKIACOMMENT\n"
            "; another comment\n"
            "\n"
            "[default]\n"
            "# aws_access_key_id = AKIANOTTHIS\n"
            "; aws_secret_access_key = not-this-either\n"
            f"aws_access_key_id={ACCESS}\n"
            f"aws_secret_access_key   =    {SECRET}   \n"
            f"aws_session_token\t=\t{TOKEN}\t\n"
            "\n"
            "   \n"
            "[other]\n"
            f"aws_access_key_id ={ACCESS2}\n"
            f"aws_secret_access_key= {SECRET2}\n"
        )
        self.write_credentials(text)
        self.assertEqual(
            AWSConfigProvider().retrieve(), Credentials(ACCESS, SECRET, TOKEN)
        )
        self.assertEqual(
            AWSConfigProvider(profile="other").retrieve(), Credentials(ACCESS2, SECRET2)
        )

    def test_crlf_line_endings(self):
        text = f"[default]\r\naws_access_key_id = {ACCESS}\r\naws_secret_access_key = {SECRET}\r\n"
        self.write(self.credentials_path, text.encode("ascii"), mode="wb")
        self.assertEqual(AWSConfigProvider().retrieve(), Credentials(ACCESS, SECRET))

    def test_sub_properties_beside_keys(self):
        # Blank lines inside the block are dropped, as botocore drops them.
        text = "[profile p]\ns3 =\n  addressing_style = path\n\t \n  region = x\n"
        self.write_config(text)
        self.write_credentials(_profile("p"))
        self.assertEqual(AWSConfigProvider(profile="p").retrieve().access_key, ACCESS)
        parsed = minicreds._parse_ini(text)
        self.assertEqual(
            parsed["profile p"]["s3"], "\naddressing_style = path\nregion = x"
        )

    def test_values_with_equals_and_spaces(self):
        secret = "a=b c==d/e+f"
        self.write_credentials(
            f"[default]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {secret}\n"
        )
        self.assertEqual(AWSConfigProvider().retrieve().secret_key, secret)

    def test_access_key_only(self):
        self.write_credentials(_profile("default", token=TOKEN, secret=None))
        err = self.assertConfigError(AWSConfigProvider(), path=self.credentials_path)
        self.assertIn("aws_secret_access_key", str(err))

    def test_secret_key_only(self):
        # botocore ignores a secret without its key (SharedCredentialProvider
        # looks for aws_access_key_id first): None, or a ConfigError, but never
        # credentials and never the secret in a message.
        self.write_credentials(_profile("default", access=None, token=TOKEN))
        for provider in (AWSConfigProvider(), AWSConfigProvider(profile="default")):
            try:
                result = provider.retrieve()
            except ConfigError as exc:
                self.assertNoSecret(str(exc))
                self.assertIn("aws_access_key_id", str(exc))
            else:
                self.assertIsNone(result)

    def test_access_key_only_in_config_file(self):
        self.write_config(_profile("p", secret=None, header="profile p"))
        self.assertConfigError(AWSConfigProvider(profile="p"), path=self.config_path)


class MalformedFileTest(_FilesTestCase):
    def test_line_without_equals_outside_section(self):
        path = self.write_credentials(
            f"# comment\n{ACCESS} {SECRET}\n[default]\naws_access_key_id = {ACCESS}\n"
        )
        self.assertConfigError(AWSConfigProvider(), path=path, line=2)

    def test_key_before_any_section(self):
        path = self.write_credentials(
            f"aws_secret_access_key = {SECRET}\n[default]\naws_access_key_id = {ACCESS}\n"
        )
        self.assertConfigError(AWSConfigProvider(), path=path, line=1)

    def test_line_without_equals_inside_section(self):
        path = self.write_credentials(
            f"[default]\naws_access_key_id = {ACCESS}\n\n{SECRET}\naws_secret_access_key = x\n"
        )
        self.assertConfigError(AWSConfigProvider(), path=path, line=4)

    def test_duplicate_section(self):
        # botocore (configparser, strict) refuses it: ConfigParseError.
        path = self.write_credentials(
            _profile("default", token=TOKEN)
            + "\n"
            + _profile("default", ACCESS2, SECRET2)
        )
        self.assertConfigError(AWSConfigProvider(), path=path, line=7)

    def test_duplicate_key(self):
        # botocore (configparser, strict) refuses it: ConfigParseError.
        path = self.write_credentials(
            f"[default]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n"
            f"aws_secret_access_key = {SECRET2}\n"
        )
        self.assertConfigError(AWSConfigProvider(), path=path, line=4)

    def test_sub_property_line_without_equals(self):
        # botocore's config loader reads an indented block under a key as
        # sub-properties: a line without "=" there makes the file an error.
        block = "s3 =\n  addressing_style = path\n  not-a-property\n"
        for write in (self.write_config, self.write_credentials):
            with self.subTest(file=write.__name__):
                self.tearDown_files()
                path = write(_profile("default") + block)
                self.assertConfigError(AWSConfigProvider(), path=path, contains=["s3"])

    def tearDown_files(self):
        for path in (self.config_path, self.credentials_path):
            if os.path.exists(path):
                os.remove(path)

    def test_malformed_config_file(self):
        path = self.write_config(f"[default\naws_secret_access_key = {SECRET}\n")
        self.assertConfigError(AWSConfigProvider(), path=path, line=1)

    def test_malformed_file_for_another_profile_still_fails(self):
        path = self.write_credentials(_profile("default") + f"[broken]\n{SECRET2}\n")
        self.assertConfigError(AWSConfigProvider(), path=path)

    def test_not_utf8(self):
        path = self.credentials_path
        self.write(
            path,
            b"[default]\naws_access_key_id = AKIA\xff\xfe\naws_secret_access_key = "
            + SECRET.encode()
            + b"\n",
            mode="wb",
        )
        self.assertConfigError(AWSConfigProvider(), path=path)

    def test_directory_instead_of_credentials_file(self):
        os.makedirs(self.credentials_path)
        self.assertConfigError(AWSConfigProvider(), path=self.credentials_path)

    def test_directory_instead_of_config_file(self):
        os.makedirs(self.config_path)
        self.assertConfigError(AWSConfigProvider(), path=self.config_path)

    @unittest.skipIf(
        not hasattr(os, "geteuid") or os.geteuid() == 0,
        "root reads a mode 000 file (the directory case covers unreadable files)",
    )
    def test_unreadable_file(self):
        path = self.write_credentials(_profile("default"))
        os.chmod(path, 0)
        self.addCleanup(os.chmod, path, 0o600)
        self.assertConfigError(AWSConfigProvider(), path=path)


class RereadTest(_FilesTestCase):
    def test_credentials_file_reread_when_modified(self):
        path = self.write_credentials(_profile("default"))
        provider = AWSConfigProvider()
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET))
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET))
        before = os.stat(path)
        self.write_credentials(_profile("default", ACCESS2, SECRET2 + "-longer", TOKEN))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 5 * 10**9))
        self.assertEqual(
            provider.retrieve(), Credentials(ACCESS2, SECRET2 + "-longer", TOKEN)
        )

    def test_config_file_reread_when_modified(self):
        path = self.write_config(_profile("p", header="profile p"))
        provider = AWSConfigProvider(profile="p")
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET))
        before = os.stat(path)
        self.write_config(_profile("p", ACCESS3, SECRET3 + "-x", header="profile p"))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 5 * 10**9))
        self.assertEqual(provider.retrieve(), Credentials(ACCESS3, SECRET3 + "-x"))

    def test_file_appears_and_disappears(self):
        provider = AWSConfigProvider()
        self.assertIsNone(provider.retrieve())
        self.write_credentials(_profile("default"))
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET))
        os.remove(self.credentials_path)
        self.assertIsNone(provider.retrieve())

    def test_repaired_file(self):
        path = self.write_credentials("[default\n")
        provider = AWSConfigProvider()
        with self.assertRaises(ConfigError):
            provider.retrieve()
        self.write_credentials(_profile("default"))
        os.utime(path, ns=(0, os.stat(path).st_mtime_ns + 5 * 10**9))
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET))


if __name__ == "__main__":
    unittest.main()
