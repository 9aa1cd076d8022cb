"""Hostile input to the parsers (README, "Failure behaviour"): time stamps and config
lines built to make a regular expression backtrack, JSON nested past the recursion
limit, SSO lifetimes that overflow, and an SSO cache write-back that fails.

What could hang runs in a child Python bounded by ``HANG_GUARD``: a regular
expression holds the GIL, so a thread cannot be timed out from another.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import unittest

import minicreds
from tests import support

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


if __name__ == "__main__":
    unittest.main()
