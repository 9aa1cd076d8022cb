"""Hostile input to the parsers (README, "Failure behaviour"): time stamps and config
lines built to make a regular expression backtrack, JSON nested past the recursion
limit, SSO lifetimes that overflow, and an SSO cache write-back that fails.

What could hang runs in a child Python bounded by ``HANG_GUARD``: a regular
expression holds the GIL, so a thread cannot be timed out from another.
"""

from __future__ import annotations

import configparser
import contextlib
import io
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from unittest import mock

import minicreds
import tests.sso_support as sso
from tests import support
from tests.fakes import (
    ACCOUNT,
    IMDS_ROLES_PATH,
    IMDS_TOKEN_PATH,
    SSO_START_URL,
    FakeClock,
    iso,
)
from tests.sso_support import ACCESS_TOKEN, NEW_ACCESS_TOKEN, SESSION, SSOTestBase
from tests.support import Response

HANG_GUARD = 60.0  # seconds: only stops a hang, says nothing about speed
NESTED = "[" * 100000  # past any recursion limit
SECRET = "hostile-parse-secret-Rt5Yu8Io"


def run_guarded(testcase, code):
    """Run ``code`` (given on stdin: it may be longer than an argument may be) in a
    child Python that can import minicreds; its stdout.

    Fails ``testcase`` if the child has not ended within HANG_GUARD seconds."""
    try:
        done = subprocess.run(
            [sys.executable, "-"], input=textwrap.dedent(code), check=False,
            cwd=support.REPO, capture_output=True, text=True, timeout=HANG_GUARD,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        testcase.fail(f"still running after {HANG_GUARD:g} s: {code.strip()[-300:]}")
    testcase.assertEqual(done.returncode, 0, done.stderr)
    return done.stdout


# The child prints how each call ended: "ValueError: message" or "ok: result".
OUTCOME = """
import minicreds

def outcome(call, *args):
    try:
        result = call(*args)
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}")
    else:
        print(f"ok: {result!r}")
"""


class ParseTimeTest(unittest.TestCase):
    """Item: an Expiration of a date, 200 KB of blanks and one more character."""

    def test_long_blank_runs_are_refused_at_once(self):
        stamp = "2024-01-01T00:00:00"
        texts = [
            stamp + " " * 200_000 + "x",
            stamp + "Z" + " " * 200_000 + "x",
            " " * 200_000 + stamp,
            stamp + "\t" * 200_000,
        ]
        lines = run_guarded(
            self,
            OUTCOME
            + f"for text in {texts!r}:\n    outcome(minicreds._parse_time, text)",
        ).splitlines()
        self.assertEqual(len(lines), len(texts))
        for line in lines:
            self.assertTrue(line.startswith("ValueError: "), line)
            self.assertIn("longer than", line)

    def test_the_longest_stamps_are_read(self):
        # 9 fractional digits and an offset, with blanks around: within the bound.
        for text, expected in [
            (" 2024-02-29T23:59:59.123456789+05:30 \n", "2024-02-29T18:29:59.123456"),
            ("\t2024-02-29 23:59:59,5 -01:00\r\n", "2024-03-01T00:59:59.500000"),
            ("2024-02-29T23:59:59.000000001 Z", "2024-02-29T23:59:59"),
        ]:
            with self.subTest(text=text):
                found = minicreds._parse_time(text)
                self.assertEqual(found.isoformat(), expected + "+00:00")

    def test_a_container_answer_with_such_an_expiration(self):
        # The whole path: a server sends it, the provider refuses it.
        expiration = "2024-01-01T00:00:00" + " " * 200_000 + "x"
        code = f"""
            from tests.support import FakeServer
            server = FakeServer().start()
            server.route("GET", "/creds", (200, {{
                "AccessKeyId": "ASIAHOSTILE", "SecretAccessKey": {SECRET!r},
                "Expiration": {expiration!r},
            }}))
            url = server.url + "/creds"
            provider = minicreds.ContainerProvider(
                environ={{"AWS_CONTAINER_CREDENTIALS_FULL_URI": url}}
            )
            outcome(provider.retrieve)
            server.stop()
        """
        (line,) = run_guarded(self, OUTCOME + textwrap.dedent(code)).splitlines()
        self.assertTrue(line.startswith("TransportError: "), line)
        self.assertIn("bad Expiration", line)
        self.assertNotIn(SECRET, line)


def _ini_outcome(text):
    """What configparser makes of ``text``: "ok", or the class of its error and,
    for a ParsingError, the line of the first bad line."""
    parser = configparser.RawConfigParser()
    try:  # as botocore reads the file: text mode, universal newlines
        parser.read_file(io.StringIO(text, newline=None))
    except configparser.MissingSectionHeaderError:  # a ParsingError, fatal at once
        return "MissingSectionHeaderError"
    except configparser.ParsingError as exc:
        return f"parsing error at line {exc.errors[0][0]}"
    except configparser.Error as exc:
        return type(exc).__name__
    return "ok"


class ConfigParseTest(unittest.TestCase):
    """Item: configparser is quadratic in a long run of blanks inside a setting
    name, and in the number of lines it refuses (it joins their text as it goes):
    minicreds's reader, which reads as configparser does, is not."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="minicreds-hostile-ini-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def outcomes(self, *paths):
        """How AWSConfigProvider ends with each path as its config file, in a child."""
        code = "\n".join(
            "outcome(minicreds.AWSConfigProvider(environ={"
            f"'AWS_CONFIG_FILE': {path!r}, 'AWS_SHARED_CREDENTIALS_FILE': "
            f"{os.path.join(self.tmp, 'absent')!r}}}).retrieve)"
            for path in paths
        )
        return run_guarded(self, OUTCOME + code).splitlines()

    def test_hostile_lines_are_read_or_refused_in_linear_time(self):
        blanks = " " * (1 << 20)
        cases = [
            # (file contents, line the error names; 0: read, the profile keyless)
            ("[default]\na" + blanks + "b\n", 2),  # one line, no delimiter
            ("[default]\nx = 1\na" + blanks + "b = 1\n", 0),  # blanks in the name
            ("[default]\n" + "ab\n" * 1_000_000, 2),  # a million bad lines
            ("[default]\n" + "  ab\n" * 700_000, 2),  # indented, no value to continue
            ("[default]\nx = 1\n" + "\n" * 4_000_000, 0),  # blank lines in a value
            ("[default]\nx = 1\n" + "  ab\n" * 800_000, 0),  # one long value
        ]
        paths = [self.write(f"config-{n}", text) for n, (text, _) in enumerate(cases)]
        for path, (_, line), found in zip(paths, cases, self.outcomes(*paths)):
            with self.subTest(line=line):
                if not line:
                    self.assertEqual(found, "ok: None")
                    continue
                self.assertTrue(found.startswith("ConfigError: "), found)
                self.assertIn(f"at line {line}", found)
                self.assertIn(path, found)
                self.assertNotIn("ab", found.replace(path, ""))  # no line quoted

    def test_default_section_values_are_read_once_for_all_sections(self):
        # Every section inherits [DEFAULT]'s values: a long value, or a block of
        # sub-properties, read again for each of 150,000 sections never ends.
        sections = "".join(f"[s{n}]\n" for n in range(150_000))
        long_value = "[DEFAULT]\nk = v\n" + "  x\n" * 300_000 + sections
        sub_properties = "[DEFAULT]\nk =\n" + "  a = b\n" * 200_000 + sections
        paths = [self.write("long", long_value), self.write("block", sub_properties)]
        self.assertEqual(self.outcomes(*paths), ["ok: None", "ok: None"])

    def test_default_settings_times_sections_are_bounded(self):
        # 200,000 [DEFAULT] settings inherited by 200,000 sections would be 4e10
        # values (botocore would build them all): refused, naming no line.
        many = "".join(f"k{n} = v\n" for n in range(200_000))
        text = "[DEFAULT]\n" + many + "".join(f"[s{n}]\n" for n in range(200_000))
        [found] = self.outcomes(self.write("config", text))
        self.assertTrue(found.startswith("ConfigError: "), found)
        self.assertIn("[DEFAULT]", found)
        self.assertNotIn("k1", found)

    def test_long_setting_names_are_read_as_configparser_reads_them(self):
        # botocore has no limit on a name's length, nor has minicreds.
        name = "a" + " " * 1000 + "b"
        text = f"[default]\n{name} = 1\nregion = eu-west-1\n"
        self.assertEqual(_ini_outcome(text), "ok")
        found = minicreds._parse_ini(text)
        self.assertEqual(found["default"], {name: "1", "region": "eu-west-1"})

    def test_blanks_before_the_delimiter_are_no_part_of_the_name(self):
        # Aligned "=" signs: the name is what comes before the blanks.
        text = "[default]\naws_access_key_id" + " " * 300 + "= AKIAALIGNED\n"
        self.assertEqual(
            minicreds._parse_ini(text),
            {"default": {"aws_access_key_id": "AKIAALIGNED"}},
        )

    def test_the_first_bad_line_is_the_one_configparser_names(self):
        # minicreds's reader follows configparser's rules (continuation lines,
        # comments, section headers, blank lines), so a file it reads is read and
        # a file it refuses is refused at the same line. Random small files.
        pieces = [
            "[a]", "[b c]", "[]]", "[", " [d]", "a=1", "b = 2", "  c = 3", "\td:4",
            "=x", ":y", " = z", "ab", "  ab", "\tab", "# c", "; c", "  # c", "",
            "   ", "\x0bq", "\xa0r = 1", "s\x0c=1", "e\u3000= 5", "[f] x", "t : u = v",
        ]  # fmt: skip
        chance = random.Random(16)
        for _ in range(3000):
            lines = [chance.choice(pieces) for _ in range(chance.randint(1, 7))]
            text = "\n".join(["[s]"] * (chance.random() < 0.9) + lines)
            with self.subTest(text=text):
                expected = _ini_outcome(text)
                try:
                    minicreds._parse_ini(text)
                    found = "ok"
                except minicreds.ConfigError as exc:
                    found = exc.what.replace("cannot parse (", "").rstrip(")")
                if expected.startswith("parsing") or expected == "ok":
                    self.assertEqual(found, expected)
                else:  # fatal at once: a duplicate, or no section header
                    self.assertNotEqual(found, "ok")


class NullDeviceTest(unittest.TestCase):
    """AWS_CONFIG_FILE=/dev/null, a common way to turn a file off, reads as empty."""

    @unittest.skipUnless(os.path.exists(os.devnull), "no null device")
    def test_null_device_reads_as_an_empty_file(self):
        minicreds._file_cache.clear()
        environ = {"AWS_CONFIG_FILE": os.devnull}
        environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        self.assertIsNone(minicreds.AWSConfigProvider(environ=environ).retrieve())
        with self.assertRaisesRegex(minicreds.ConfigError, "empty"):
            minicreds._read_token("Test", os.devnull)


class NestedJsonTest(SSOTestBase):
    """Item: JSON nested past the recursion limit, on every path that reads JSON."""

    def assert_refused(self, call, cls, fragment):
        with self.assertRaises(cls) as ctx:
            call()
        self.assertIs(type(ctx.exception), cls, repr(ctx.exception))
        self.assertIn(fragment, str(ctx.exception))
        self.assertIsNone(ctx.exception.__context__)
        self.assertNotIn("[[", str(ctx.exception))

    def test_container_answer(self):
        self.fake.route("GET", "/creds", (200, NESTED))
        environ = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.fake.url + "/creds"}
        provider = minicreds.ContainerProvider(environ=environ)
        self.assert_refused(provider.retrieve, minicreds.TransportError, "JSON")

    def test_imds_answer_without_and_with_credentials_in_hand(self):
        clock = FakeClock()
        good = {
            "Code": "Success", "AccessKeyId": "ASIAIMDSNESTED",
            "SecretAccessKey": SECRET, "Expiration": iso(clock() + 3600),
        }  # fmt: skip
        self.fake.route("PUT", IMDS_TOKEN_PATH, (200, "imds-token"))
        self.fake.route("GET", IMDS_ROLES_PATH, (200, "role"))
        self.fake.route("GET", IMDS_ROLES_PATH + "role", (200, NESTED))
        provider = minicreds.IamAwsProvider(self.fake.url, environ={}, clock=clock)
        self.assert_refused(provider.retrieve, minicreds.TransportError, "JSON")
        self.fake.route("GET", IMDS_ROLES_PATH + "role", (200, good))
        first = provider.retrieve()
        self.fake.route("GET", IMDS_ROLES_PATH + "role", (200, NESTED))
        clock.advance(3600 + 120)  # past expiry: static stability serves them
        with self.assertLogs("minicreds", "WARNING") as logs:
            creds = provider.retrieve()
        self.assertEqual(creds.access_key, first.access_key)
        self.assertGreater(creds.expiration.timestamp(), clock() + 299)
        self.assertIn("static stability", "\n".join(logs.output))

    def test_sso_portal_answer(self):
        self.fake.route("GET", "/federation/credentials", (200, NESTED))
        self.write_token(SSO_START_URL, refresh=False)
        provider = minicreds.SSOProvider(SSO_START_URL, "us-east-1", ACCOUNT, "Role")
        self.assert_refused(provider.retrieve, minicreds.TransportError, "")

    def test_sso_token_cache(self):
        path = self.token_path(SSO_START_URL)
        with open(path, "w") as handle:
            handle.write(NESTED)
        provider = minicreds.SSOProvider(SSO_START_URL, "us-east-1", ACCOUNT, "Role")
        self.assert_refused(provider.retrieve, minicreds.CredentialsError, "bad cached")

    def test_sso_token_renewal_answer(self):
        self.config(SESSION)
        self.write_token("corp", expires_in=600)
        self.fake.route("POST", "/token", (200, NESTED))
        with self.assertLogs("minicreds", "WARNING") as logs:
            creds = minicreds.AWSConfigProvider(profile="dev").retrieve()
        self.assertEqual(creds.access_key, "ASIASSOROLE")
        (portal,) = self.portal_requests()
        self.assertEqual(portal.headers["x-amz-sso_bearer_token"], ACCESS_TOKEN)
        self.assertIn("cannot renew", logs.output[0])

    def test_mc_config(self):
        path = os.path.join(self.home, "config.json")
        with open(path, "w") as handle:
            handle.write(NESTED)
        provider = minicreds.MinioClientConfigProvider(path)
        self.assert_refused(provider.retrieve, minicreds.ConfigError, "nested too deep")

    def test_credential_process_output(self):
        code = "import sys; sys.stdout.write('[' * 100000)"
        command = shlex.join([sys.executable, "-c", code])
        provider = minicreds.ProcessProvider(command, timeout=30.0)
        self.assert_refused(
            provider.retrieve, minicreds.TransportError, "nested too deep"
        )


class SSORenewalHostileAnswerTest(SSOTestBase):
    """Items: an expiresIn that overflows, and a cache write-back that fails."""

    def renew(self, answer, during=None):
        """Renew a token due in 10 minutes, with the token endpoint's ``answer``
        and the patch ``during`` in force; the warnings logged."""
        self.config(SESSION)
        self.write_token("corp", expires_in=600)
        self.fake.route("POST", "/token", answer)
        with during or contextlib.nullcontext():
            with self.assertLogs("minicreds", "WARNING") as logs:
                creds = minicreds.AWSConfigProvider(profile="dev").retrieve()
        self.assertEqual(creds.access_key, "ASIASSOROLE")
        self.watch.assert_clean(self, *sso.SECRETS, extra_texts=logs.output)
        return logs.output

    def test_expires_in_that_overflows_is_a_failed_renewal(self):
        for life in ("1e999", "1e300", "Infinity", "NaN", "-5", "0.5", "true"):
            with self.subTest(expiresIn=life):
                body = f'{{"accessToken": "{NEW_ACCESS_TOKEN}", "expiresIn": {life}}}'
                logs = self.renew(Response(200, body))
                self.assertIn("cannot renew", logs[0])
                # The cached token, still valid, is used; the cache is untouched.
                portal = self.portal_requests()[-1]
                self.assertEqual(portal.headers["x-amz-sso_bearer_token"], ACCESS_TOKEN)
                with open(self.token_path("corp")) as handle:
                    self.assertEqual(json.load(handle)["accessToken"], ACCESS_TOKEN)

    def test_failed_write_back_leaves_no_temporary_file(self):
        answer = (200, {"accessToken": NEW_ACCESS_TOKEN, "expiresIn": 900})
        refusing = mock.Mock(side_effect=PermissionError(13, "Permission denied"))
        logs = self.renew(answer, mock.patch.object(minicreds.os, "replace", refusing))
        self.assertEqual(
            os.listdir(self.cache), [os.path.basename(self.token_path("corp"))]
        )
        self.assertEqual(refusing.call_count, 5)  # tried again: Windows sharing
        self.assertIn("cannot renew or save the SSO token", logs[0])
        (portal,) = self.portal_requests()  # renewed, not saved: still used
        self.assertEqual(portal.headers["x-amz-sso_bearer_token"], NEW_ACCESS_TOKEN)

    def test_failed_write_leaves_no_temporary_file(self):
        answer = (200, {"accessToken": NEW_ACCESS_TOKEN, "expiresIn": 900})
        full = OSError(28, "No space left on device")
        logs = self.renew(answer, mock.patch("os.fsync", side_effect=full))
        self.assertIn("cannot renew or save the SSO token", logs[0])
        self.assertEqual(
            os.listdir(self.cache), [os.path.basename(self.token_path("corp"))]
        )

    def test_write_back_retried_while_another_process_holds_the_file(self):
        self.config(SESSION)
        self.write_token("corp", expires_in=600)
        self.fake.route(
            "POST", "/token", (200, {"accessToken": NEW_ACCESS_TOKEN, "expiresIn": 900})
        )
        real, calls = os.replace, []

        def busy_twice(source, target):  # another process holds it, then lets go
            calls.append(target)
            if len(calls) < 3:
                raise PermissionError(13, "Permission denied")
            real(source, target)

        with mock.patch.object(minicreds.os, "replace", busy_twice):
            minicreds.AWSConfigProvider(profile="dev").retrieve()
        self.assertEqual(len(calls), 3)
        self.assertEqual(
            os.listdir(self.cache), [os.path.basename(self.token_path("corp"))]
        )
        with open(self.token_path("corp")) as handle:
            self.assertEqual(json.load(handle)["accessToken"], NEW_ACCESS_TOKEN)


if __name__ == "__main__":
    unittest.main()
