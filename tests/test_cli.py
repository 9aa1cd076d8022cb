"""The command line (README, "Command line"), run as ``python minicreds.py`` in a
subprocess.

Every run gets a controlled environment: a fresh empty HOME, no ``AWS_*``, ``MINIO_*``
or ``MC_*`` variable but those a test sets, ``AWS_EC2_METADATA_DISABLED=true`` so that
nothing reaches the instance metadata address, and stdin not a terminal.

The export formats are asserted byte for byte as AWS CLI v2's ``aws configure
export-credentials --format ...`` prints them (facts from its source; AWS CLI v2 is not
on PyPI, where ``awscli`` is v1 and has no such command, so this cannot be a
differential test):

- ``env``: ``export NAME=value`` lines, ``env-no-export``: ``NAME=value``,
  ``powershell``: ``$Env:NAME="value"``, ``windows-cmd``: ``set NAME=value``; one line
  per variable, ``\\n`` after each, in the order AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (only with a token),
  AWS_CREDENTIAL_EXPIRATION (only with an expiry). Values are not quoted.
- ``process``: ``json.dumps(doc, indent=2)`` (two-space indent, ``", "`` inside lines,
  ``": "`` after keys) and a newline; keys Version (1), AccessKeyId, SecretAccessKey,
  SessionToken and Expiration (each only when there is one).
- The expiry is Python's ``isoformat()`` of an aware UTC datetime:
  ``2030-01-02T03:04:05+00:00`` (microseconds only when there are some).

Where minicreds departs on purpose: a value that a POSIX shell would split or expand is
single-quoted (``shlex.quote``) in the ``env`` formats, where the AWS CLI would print a
line that ``eval`` runs as code; ``powershell`` and ``windows-cmd`` refuse such a value
(exit 2). AWS keys, tokens and expiries never need it, so for them the bytes are the
AWS CLI's.

``json`` is minicreds's own: the ``process`` document with SessionToken, Expiration and
AccountId always present (null when absent) and ``Provider``, the class that answered.
The account ID, which AWS CLI v2 does not print, is tested in tests/test_account_id.py.
"""

import ast
import base64
import calendar
import contextlib
import datetime
import http.client
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import urllib.parse

import minicreds
from tests import support

SCRIPT = os.path.join(support.REPO, "minicreds.py")
KEY = "AKIDCLITESTKEY"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzCLISECRET"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/CLI+TOKEN=="
EXPIRY = "2030-01-02T03:04:05Z"
EXPIRY_OUT = "2030-01-02T03:04:05+00:00"
ENV_CREDS = {
    "AWS_ACCESS_KEY_ID": KEY,
    "AWS_SECRET_ACCESS_KEY": SECRET,
    "AWS_SESSION_TOKEN": TOKEN,
    "AWS_CREDENTIAL_EXPIRATION": EXPIRY,
}
EXPECTED = {
    "env": (
        f"export AWS_ACCESS_KEY_ID={KEY}\n"
        f"export AWS_SECRET_ACCESS_KEY={SECRET}\n"
        f"export AWS_SESSION_TOKEN={TOKEN}\n"
        f"export AWS_CREDENTIAL_EXPIRATION={EXPIRY_OUT}\n"
    ),
    "env-no-export": (
        f"AWS_ACCESS_KEY_ID={KEY}\n"
        f"AWS_SECRET_ACCESS_KEY={SECRET}\n"
        f"AWS_SESSION_TOKEN={TOKEN}\n"
        f"AWS_CREDENTIAL_EXPIRATION={EXPIRY_OUT}\n"
    ),
    "powershell": (
        f'$Env:AWS_ACCESS_KEY_ID="{KEY}"\n'
        f'$Env:AWS_SECRET_ACCESS_KEY="{SECRET}"\n'
        f'$Env:AWS_SESSION_TOKEN="{TOKEN}"\n'
        f'$Env:AWS_CREDENTIAL_EXPIRATION="{EXPIRY_OUT}"\n'
    ),
    "windows-cmd": (
        f"set AWS_ACCESS_KEY_ID={KEY}\n"
        f"set AWS_SECRET_ACCESS_KEY={SECRET}\n"
        f"set AWS_SESSION_TOKEN={TOKEN}\n"
        f"set AWS_CREDENTIAL_EXPIRATION={EXPIRY_OUT}\n"
    ),
    "process": (
        "{\n"
        '  "Version": 1,\n'
        f'  "AccessKeyId": "{KEY}",\n'
        f'  "SecretAccessKey": "{SECRET}",\n'
        f'  "SessionToken": "{TOKEN}",\n'
        f'  "Expiration": "{EXPIRY_OUT}"\n'
        "}\n"
    ),
    "json": (
        "{\n"
        '  "Version": 1,\n'
        f'  "AccessKeyId": "{KEY}",\n'
        f'  "SecretAccessKey": "{SECRET}",\n'
        f'  "SessionToken": "{TOKEN}",\n'
        f'  "Expiration": "{EXPIRY_OUT}",\n'
        '  "AccountId": null,\n'
        '  "Provider": "EnvAWSProvider"\n'
        "}\n"
    ),
}
# An explain line: "  3. AWSConfigProvider  found   0.1 ms  [detail]"
EXPLAIN_LINE = re.compile(
    r"  (\d+)\. (\w+) +(found|not configured|error) +\d+\.\d ms(?:  (.*))?"
)
SH = shutil.which("sh")


class CliCase(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="minicreds-cli-")
        self.addCleanup(shutil.rmtree, self.home, True)

    def environ(self, **variables):
        defaults = {"AWS_EC2_METADATA_DISABLED": "true", "MINICREDS_CLI_DEPTH": ""}
        return support.clean_environ(
            HOME=self.home, USERPROFILE=self.home, **dict(defaults, **variables)
        )

    def run_cli(self, *args, module=False, **variables):
        command = [sys.executable, "-m", "minicreds"] if module else [sys.executable]
        proc = subprocess.run(
            command + ([] if module else [SCRIPT]) + list(args),
            env=self.environ(**variables),
            cwd=support.REPO,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertNotIn("Traceback", proc.stderr)
        return proc

    def write(self, relative, text):
        path = os.path.join(self.home, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def assert_one_error_line(self, proc, status, pattern):
        self.assertEqual(proc.returncode, status, proc.stderr)
        self.assertEqual(proc.stdout, "")
        lines = proc.stderr.splitlines()
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertRegex(lines[0], pattern)

    def explain_rows(self, stderr):
        rows = [
            m.groups() for m in map(EXPLAIN_LINE.fullmatch, stderr.splitlines()) if m
        ]
        self.assertTrue(rows, stderr)
        self.assertEqual([int(r[0]) for r in rows], list(range(1, len(rows) + 1)))
        return [(name, outcome, detail or "") for _, name, outcome, detail in rows]


class Summary(CliCase):
    def test_default_format_masks_the_secret(self):
        proc = self.run_cli(**ENV_CREDS)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        lines = dict(line.split(":", 1) for line in proc.stdout.splitlines())
        self.assertEqual(lines["provider"].strip(), "EnvAWSProvider")
        self.assertEqual(lines["access key"].strip(), KEY)
        self.assertEqual(lines["secret key"].strip(), "****************" + SECRET[-4:])
        self.assertEqual(lines["session token"].strip(), "present")
        self.assertRegex(
            lines["expiration"].strip(),
            r"^2030-01-02 03:04:05 UTC \(\d+d \d+h left\)$",
        )
        for secret in (SECRET, TOKEN, SECRET[:-4]):
            self.assertNotIn(secret, proc.stdout + proc.stderr)

    def test_no_token_no_expiry(self):
        proc = self.run_cli(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("session token: none\n", proc.stdout)
        self.assertIn("expiration:    none\n", proc.stdout)

    def test_expired(self):
        proc = self.run_cli(
            AWS_ACCESS_KEY_ID=KEY,
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_CREDENTIAL_EXPIRATION="2001-02-03T04:05:06Z",
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("expiration:    2001-02-03 04:05:06 UTC (expired)\n", proc.stdout)

    def test_short_secret_shows_no_characters(self):
        proc = self.run_cli(MINIO_ROOT_USER="minio", MINIO_ROOT_PASSWORD="pw-9876")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("secret key:    ****************\n", proc.stdout)
        self.assertNotIn("9876", proc.stdout)


class ExportFormats(CliCase):
    def test_every_format_byte_for_byte(self):
        for fmt, expected in EXPECTED.items():
            with self.subTest(fmt=fmt):
                proc = self.run_cli("--format", fmt, **ENV_CREDS)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(proc.stdout, expected)
                self.assertEqual(proc.stderr, "")

    def test_without_token_and_expiry_the_lines_are_left_out(self):
        static = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET}
        for fmt, expected in EXPECTED.items():
            with self.subTest(fmt=fmt):
                proc = self.run_cli("--format", fmt, **static)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                kept = [
                    line
                    for line in expected.splitlines(True)
                    if TOKEN not in line and EXPIRY_OUT not in line
                ]
                if fmt == "process":
                    kept[3] = kept[3].replace(",", "")  # the last key has no comma
                if fmt == "json":
                    kept[4:4] = ['  "SessionToken": null,\n', '  "Expiration": null,\n']
                self.assertEqual(proc.stdout, "".join(kept))

    def source_in_sh(self, text):
        """Source ``text`` in sh; (the four values as sh sees them, the secret as a
        child process sees it)."""
        path = self.write("exports.sh", text)
        script = (
            '. "$1" && printf "%s\\036" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"'
            ' "$AWS_SESSION_TOKEN" "$AWS_CREDENTIAL_EXPIRATION" && "$2" -c'
            ' \'import os; print(os.environ.get("AWS_SECRET_ACCESS_KEY", "<unset>"))\''
        )
        proc = subprocess.run(
            [SH, "-c", script, "sh", path, sys.executable],
            env=self.environ(),
            cwd=self.home,
            stdout=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertEqual(proc.returncode, 0)
        *values, child = proc.stdout.split("\036")
        return values, child.rstrip("\n")

    @unittest.skipUnless(SH, "no sh")
    def test_env_sourced_in_sh_exports(self):
        proc = self.run_cli("--format", "env", **ENV_CREDS)
        values, child = self.source_in_sh(proc.stdout)
        self.assertEqual(values, [KEY, SECRET, TOKEN, EXPIRY_OUT])
        self.assertEqual(child, SECRET)

    @unittest.skipUnless(SH, "no sh")
    def test_env_no_export_sourced_in_sh_does_not_export(self):
        proc = self.run_cli("--format", "env-no-export", **ENV_CREDS)
        values, child = self.source_in_sh(proc.stdout)
        self.assertEqual(values, [KEY, SECRET, TOKEN, EXPIRY_OUT])
        self.assertEqual(child, "<unset>")

    @unittest.skipUnless(SH, "no sh")
    def test_a_secret_the_shell_would_run_is_quoted(self):
        # A MinIO password may hold anything; `eval "$(minicreds --format env)"` must
        # not run it. The AWS CLI would print it as is.
        awkward = 'it\'s $(touch pwned); `touch pwned` "a  b"\nc\\d'
        for fmt in ("env", "env-no-export"):
            with self.subTest(fmt=fmt):
                proc = self.run_cli(
                    "--format",
                    fmt,
                    AWS_ACCESS_KEY_ID=KEY,
                    AWS_SECRET_ACCESS_KEY=awkward,
                )
                self.assertEqual(proc.returncode, 0, proc.stderr)
                values, _ = self.source_in_sh(proc.stdout)
                self.assertEqual(values[:2], [KEY, awkward])
                self.assertFalse(os.path.exists(os.path.join(self.home, "pwned")))

    def test_windows_formats_refuse_a_secret_they_cannot_hold(self):
        awkward = 'pass"word$x%PATH%&calc'
        for fmt in ("powershell", "windows-cmd"):
            with self.subTest(fmt=fmt):
                proc = self.run_cli(
                    "--format",
                    fmt,
                    AWS_ACCESS_KEY_ID=KEY,
                    AWS_SECRET_ACCESS_KEY=awkward,
                )
                self.assert_one_error_line(
                    proc, 2, "^minicreds: error: AWS_SECRET_ACCESS_KEY cannot be"
                )
                self.assertNotIn(awkward, proc.stderr)

    def test_process_output_parsed_as_sdks_do(self):
        # What botocore's ProcessProvider (and the other SDKs) require: UTF-8 JSON,
        # Version 1, non-empty AccessKeyId and SecretAccessKey strings, optional
        # SessionToken and an RFC 3339 Expiration.
        proc = self.run_cli("--format", "process", **ENV_CREDS)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        doc = json.loads(proc.stdout.encode("utf-8").decode("utf-8"))
        self.assertEqual(doc["Version"], 1)
        self.assertEqual((doc["AccessKeyId"], doc["SecretAccessKey"]), (KEY, SECRET))
        self.assertEqual(doc.get("SessionToken"), TOKEN)
        self.assertRegex(
            doc["Expiration"],
            r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$",
        )
        when = datetime.datetime.fromisoformat(doc["Expiration"])
        self.assertEqual(
            when, datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        )


class ExitStatus(CliCase):
    def test_nothing_found_is_1(self):
        for fmt in ("summary", "env", "process", "json"):
            with self.subTest(fmt=fmt):
                proc = self.run_cli("--format", fmt)
                self.assert_one_error_line(
                    proc, 1, r"^minicreds: no credentials found \(--explain"
                )

    def test_bad_usage_is_2_in_one_line(self):
        cases = [
            (["--format", "yaml"], "argument --format: invalid choice: 'yaml'"),
            (["--provider", "sso"], "argument --provider: invalid choice: 'sso'"),
            (["--bogus"], "unrecognized arguments: --bogus"),
            (["--provider", "env", "--profile", "p"], "--profile does not apply"),
            (["extra"], "unrecognized arguments: extra"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                proc = self.run_cli(*args, **ENV_CREDS)
                self.assert_one_error_line(
                    proc, 2, "^minicreds: error: " + re.escape(message)
                )

    def test_configuration_error_is_2_without_the_secret(self):
        self.write(
            ".aws/credentials",
            f"[default]\naws_access_key_id = {KEY}\n{SECRET} on a line of its own\n",
        )
        for fmt in ("summary", "env", "process"):
            with self.subTest(fmt=fmt):
                proc = self.run_cli("--format", fmt)
                self.assert_one_error_line(
                    proc, 2, r"^minicreds: error: AWSConfigProvider: cannot parse"
                )
                self.assertNotIn(SECRET, proc.stderr)

    def test_explicit_profile_not_found_is_2(self):
        proc = self.run_cli("--profile", "nosuch")
        self.assert_one_error_line(
            proc, 2, r"^minicreds: error: .*profile 'nosuch' not found"
        )

    def test_half_set_environment_is_2(self):
        proc = self.run_cli(AWS_SECRET_ACCESS_KEY=SECRET)
        self.assert_one_error_line(proc, 2, "AWS_ACCESS_KEY_ID is not set")
        self.assertNotIn(SECRET, proc.stderr)

    def test_server_text_cannot_forge_lines_or_redraw_the_terminal(self):
        body = {"Code": "Denied\x07", "Message": "\x1b[2J\r\nfake line"}
        with support.FakeServer() as server:
            server.route("GET", "/creds", (403, body))
            proc = self.run_cli(
                "--provider",
                "container",
                "--explain",
                AWS_CONTAINER_CREDENTIALS_FULL_URI=server.url + "/creds",
            )
        self.assertEqual(proc.returncode, 2, proc.stderr)
        lines = proc.stderr.split("\n")
        self.assertEqual(lines[-1], "")  # the last line ends with a line break
        self.assertEqual(len(lines), 4, proc.stderr)  # heading, row, error line
        for line in lines:
            self.assertTrue(line.isprintable(), line)
        self.assertIn("\\x1b[2J\\r\\nfake line", lines[1])
        self.assertRegex(lines[2], r"^minicreds: error: .*\\x1b\[2J\\r\\nfake line")
        # Not only a server's text: a file name from a variable is escaped too.
        path = os.path.join(self.home, "credentials\nfake line")
        proc = self.run_cli(
            "--profile", "nosuch", "--explain", AWS_SHARED_CREDENTIALS_FILE=path
        )
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(len(proc.stderr.splitlines()), 3, proc.stderr)
        self.assertIn("credentials\\nfake line", proc.stderr)

    def test_a_credential_process_loop_stops(self):
        proc = self.run_cli(MINICREDS_CLI_DEPTH="3", **ENV_CREDS)
        self.assert_one_error_line(proc, 2, "^minicreds: error: .* loop")
        proc = self.run_cli(MINICREDS_CLI_DEPTH="2", **ENV_CREDS)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_a_depth_that_is_not_an_ascii_number_counts_as_none(self):
        # "\u00b2".isdigit() is true, but int() refuses it.
        for depth in ("\u00b2", "\u0663", "-1", "9" * 5000, "x"):
            with self.subTest(depth=depth[:5]):
                proc = self.run_cli(MINICREDS_CLI_DEPTH=depth, **ENV_CREDS)
                self.assertEqual(proc.returncode, 0, proc.stderr)


class Explain(CliCase):
    def test_lists_each_provider_tried_in_order(self):
        self.write(
            ".aws/credentials",
            f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
        )
        proc = self.run_cli("--explain")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        rows = self.explain_rows(proc.stderr)
        self.assertEqual(
            rows[:2],
            [
                (
                    "EnvAWSProvider",
                    "not configured",
                    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
                ),
                (
                    "EnvMinioProvider",
                    "not configured",
                    "MINIO_ROOT_USER and MINIO_ACCESS_KEY are not set",
                ),
            ],
        )
        self.assertEqual(rows[-1][1], "found")
        self.assertTrue(all(row[1] == "not configured" for row in rows[:-1]))
        self.assertIn(f"provider:      {rows[-1][0]}\n", proc.stdout)
        self.assertNotIn(SECRET, proc.stdout + proc.stderr)

    def test_nothing_found(self):
        proc = self.run_cli("--explain")
        self.assertEqual(proc.returncode, 1)
        rows = self.explain_rows(proc.stderr)
        self.assertTrue(all(row[1] == "not configured" for row in rows), rows)
        self.assertIn(
            ("AWSConfigProvider", "not configured", "no default profile"), rows
        )
        self.assertEqual(
            proc.stderr.splitlines()[-1], "minicreds: no credentials found"
        )

    def test_error_is_listed_then_reported(self):
        proc = self.run_cli("--explain", AWS_ACCESS_KEY_ID=KEY)
        self.assertEqual(proc.returncode, 2)
        rows = self.explain_rows(proc.stderr)
        self.assertEqual(rows[-1][:2], ("EnvAWSProvider", "error"))
        self.assertIn("AWS_SECRET_ACCESS_KEY is not set", rows[-1][2])
        self.assertRegex(proc.stderr.splitlines()[-1], "^minicreds: error: ")

    def test_single_provider(self):
        proc = self.run_cli(
            "--explain",
            "--provider",
            "minio-env",
            MINIO_ROOT_USER="minioadmin",
            MINIO_ROOT_PASSWORD="minio-secret-1234",
            **ENV_CREDS,
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(
            self.explain_rows(proc.stderr), [("EnvMinioProvider", "found", "")]
        )
        self.assertIn("access key:    minioadmin\n", proc.stdout)

    def test_stdout_stays_sourceable(self):
        proc = self.run_cli("--explain", "--format", "env", **ENV_CREDS)
        self.assertEqual(proc.stdout, EXPECTED["env"])
        self.assertEqual(
            self.explain_rows(proc.stderr), [("EnvAWSProvider", "found", "")]
        )


class Providers(CliCase):
    def access_key(self, *args, **variables):
        proc = self.run_cli("--format", "json", *args, **variables)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        doc = json.loads(proc.stdout)
        return doc["AccessKeyId"], doc["Provider"]

    def test_each_local_provider(self):
        self.write(
            ".aws/credentials",
            "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s-file\n"
            "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s-dev\n",
        )
        self.write(
            ".mc/config.json",
            json.dumps(
                {
                    "version": "10",
                    "aliases": {
                        "s3": {"accessKey": "MCS3", "secretKey": "mc-s3-secret"},
                        "play": {"accessKey": "MCPLAY", "secretKey": "mc-play-secret"},
                    },
                }
            ),
        )
        minio = {"MINIO_ROOT_USER": "MINIOENV", "MINIO_ROOT_PASSWORD": "minio-pass"}
        cases = [
            (["--provider", "env"], dict(ENV_CREDS, **minio), (KEY, "EnvAWSProvider")),
            (["--provider", "minio-env"], dict(ENV_CREDS, **minio), ("MINIOENV", "EnvMinioProvider")),
            (["--provider", "aws-config"], ENV_CREDS, ("AKIDFILE", "AWSConfigProvider")),
            (["--provider", "aws-config", "--profile", "dev"], {}, ("AKIDDEV", "AWSConfigProvider")),
            (["--provider", "mc-config"], ENV_CREDS, ("MCS3", "MinioClientConfigProvider")),
            (["--provider", "mc-config", "--profile", "play"], {}, ("MCPLAY", "MinioClientConfigProvider")),
            ([], minio, ("MINIOENV", "EnvMinioProvider")),
        ]  # fmt: skip
        for args, variables, expected in cases:
            with self.subTest(args=args):
                self.assertEqual(self.access_key(*args, **variables), expected)

    def test_explicit_profile_turns_the_environment_off(self):
        self.write(
            ".aws/credentials",
            "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s-dev\n",
        )
        key, _ = self.access_key("--profile", "dev", **ENV_CREDS)
        self.assertEqual(key, "AKIDDEV")

    def test_container(self):
        body = {
            "AccessKeyId": "AKIDCONTAINER",
            "SecretAccessKey": SECRET,
            "Token": TOKEN,
            "Expiration": EXPIRY,
        }
        with support.FakeServer() as server:
            server.route("GET", "/creds", (200, body))
            proc = self.run_cli(
                "--provider",
                "container",
                "--format",
                "process",
                AWS_CONTAINER_CREDENTIALS_FULL_URI=server.url + "/creds",
            )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, EXPECTED["process"].replace(KEY, "AKIDCONTAINER"))

    def test_metadata_address_answering_403_finds_nothing(self):
        # Something that is not AWS's instance metadata service (EC2 with IMDS
        # turned off, a proxy, another cloud's service): exit 1, not 2.
        with support.FakeServer() as server:
            server.route("*", None, 403)
            proc = self.run_cli(
                "--explain",
                AWS_EC2_METADATA_DISABLED=None,
                AWS_EC2_METADATA_SERVICE_ENDPOINT=server.url,
            )
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn(
            ("IamAwsProvider", "not configured"),
            [row[:2] for row in self.explain_rows(proc.stderr)],
        )

    def test_iam_with_metadata_disabled_finds_nothing(self):
        proc = self.run_cli("--provider", "iam", "--explain")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual(
            self.explain_rows(proc.stderr)[0][:2], ("IamAwsProvider", "not configured")
        )


class EksToken(CliCase):
    """``--format eks-token --cluster NAME`` prints what ``aws eks get-token
    --cluster-name NAME`` prints (awscli/customizations/eks/get_token.py): an
    ExecCredential as JSON with a 4-space indent, a newline and an empty line;
    ``expirationTimestamp`` 14 minutes on, in UTC; the apiVersion that
    KUBERNETES_EXEC_INFO asks for when it is v1 or v1beta1 (v1alpha1 too, with a
    warning), else v1beta1 (with a warning when the variable is set but unusable)."""

    def token_url(self, doc):
        token = doc["status"]["token"]
        self.assertTrue(token.startswith("k8s-aws-v1."), token)
        encoded = token[len("k8s-aws-v1.") :]
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()

    def run_eks(self, *args, **variables):
        before = time.time()
        proc = self.run_cli("--format", "eks-token", "--cluster", "my-cluster", *args,
                            **dict(ENV_CREDS, **variables))  # fmt: skip
        after = time.time()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc, (before, after)

    def test_region_that_is_not_a_region_name_is_a_one_line_error(self):
        for region in ("us-east-1:x", "evil.example#"):
            proc = self.run_cli("--format", "eks-token", "--cluster", "c",
                                "--region", region, **ENV_CREDS)  # fmt: skip
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertNotIn("Traceback", proc.stderr)
            self.assertIn("not a valid region name", proc.stderr)
            self.assertEqual(proc.stdout, "")

    def test_exec_credential_as_the_aws_cli_prints_it(self):
        proc, (before, after) = self.run_eks("--region", "us-west-2")
        self.assertEqual(proc.stderr, "")
        doc = json.loads(proc.stdout)
        self.assertEqual(proc.stdout, json.dumps(doc, indent=4) + "\n\n")
        self.assertEqual(list(doc), ["kind", "apiVersion", "spec", "status"])
        self.assertEqual(list(doc["status"]), ["expirationTimestamp", "token"])
        self.assertEqual(doc["kind"], "ExecCredential")
        self.assertEqual(doc["apiVersion"], "client.authentication.k8s.io/v1beta1")
        self.assertEqual(doc["spec"], {})
        stamp = doc["status"]["expirationTimestamp"]
        self.assertRegex(stamp, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        expires = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
        self.assertLessEqual(int(before) + 14 * 60, expires)
        self.assertLessEqual(expires, after + 14 * 60)
        url = urllib.parse.urlsplit(self.token_url(doc))
        self.assertEqual(url.netloc, "sts.us-west-2.amazonaws.com")
        query = urllib.parse.parse_qs(url.query)
        self.assertEqual(query["X-Amz-Credential"][0].split("/")[0], KEY)
        self.assertEqual(query["X-Amz-Security-Token"], [TOKEN])
        self.assertEqual(query["X-Amz-SignedHeaders"], ["host;x-k8s-aws-id"])
        self.assertNotIn(SECRET, proc.stdout)

    def test_region_from_the_environment_then_the_profile(self):
        self.write(".aws/config", "[default]\nregion = eu-west-1\n\n"
                   "[profile other]\nregion = ap-south-1\n")  # fmt: skip
        for args, variables, host in (
            ((), {}, "sts.eu-west-1.amazonaws.com"),
            ((), {"AWS_PROFILE": "other"}, "sts.ap-south-1.amazonaws.com"),
            ((), {"AWS_DEFAULT_REGION": "us-east-2"}, "sts.us-east-2.amazonaws.com"),
            ((), {"AWS_REGION": "cn-north-1", "AWS_DEFAULT_REGION": "us-east-2"},
             "sts.cn-north-1.amazonaws.com.cn"),
            (("--region", "ca-central-1"), {"AWS_REGION": "us-east-2"},
             "sts.ca-central-1.amazonaws.com"),
        ):  # fmt: skip
            with self.subTest(args=args, variables=variables):
                proc, _ = self.run_eks(*args, **variables)
                url = urllib.parse.urlsplit(self.token_url(json.loads(proc.stdout)))
                self.assertEqual(url.netloc, host)

    def test_no_region_anywhere_is_the_global_endpoint(self):
        proc, _ = self.run_eks()
        url = self.token_url(json.loads(proc.stdout))
        self.assertTrue(url.startswith("https://sts.amazonaws.com/?"), url)
        self.assertIn("%2Fus-east-1%2Fsts%2Faws4_request", url)

    def test_api_version_from_kubernetes_exec_info(self):
        v1, beta = (
            "client.authentication.k8s.io/v1",
            "client.authentication.k8s.io/v1beta1",
        )
        alpha = "client.authentication.k8s.io/v1alpha1"
        for info, expected, warned in (
            ("", beta, False),
            (json.dumps({"apiVersion": v1, "kind": "ExecCredential"}), v1, False),
            (json.dumps({"apiVersion": beta}), beta, False),
            (json.dumps({"apiVersion": alpha}), alpha, True),
            (json.dumps({"apiVersion": "client.authentication.k8s.io/v2"}), beta, True),
            ("{not json", beta, True),
            ("[1, 2]", beta, True),
            ("[" * 100000, beta, True),  # deeper than the JSON parser goes
        ):
            with self.subTest(info=info[:60]):
                proc, _ = self.run_eks(KUBERNETES_EXEC_INFO=info)
                self.assertEqual(json.loads(proc.stdout)["apiVersion"], expected)
                if warned:
                    self.assertRegex(proc.stderr, r"^minicreds: warning: .*\n$")
                else:
                    self.assertEqual(proc.stderr, "")

    def test_token_accepted_by_a_loopback_sts(self):
        proc, (before, _) = self.run_eks("--region", "eu-central-1")
        url = urllib.parse.urlsplit(self.token_url(json.loads(proc.stdout)))
        headers = http.client.parse_headers(io.BytesIO(
            f"Host: {url.netloc}\r\nx-k8s-aws-id: my-cluster\r\n\r\n".encode()
        ))  # fmt: skip
        problem = support.presigned_problem(
            "GET", f"{url.path}?{url.query}", headers, b"", {KEY: (SECRET, TOKEN)},
            before + 1,
        )  # fmt: skip
        self.assertIsNone(problem)

    def test_usage_errors(self):
        for args, message in (
            (["--format", "eks-token"], "--format eks-token needs --cluster"),
            (["--format", "eks-token", "--cluster", ""], "--format eks-token needs"),
            (["--cluster", "c"], "--cluster and --region apply to --format eks-token"),
            (["--format", "json", "--region", "us-east-1"], "--cluster and --region"),
        ):
            with self.subTest(args=args):
                proc = self.run_cli(*args, **ENV_CREDS)
                self.assert_one_error_line(
                    proc, 2, "^minicreds: error: " + re.escape(message)
                )

    def test_nothing_found_is_1(self):
        proc = self.run_cli("--format", "eks-token", "--cluster", "c")
        self.assert_one_error_line(proc, 1, r"^minicreds: no credentials found")


class Output(CliCase):
    """What the command line does when stdout cannot take what it prints."""

    def run_bytes(self, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **env):
        return subprocess.run(
            [sys.executable, SCRIPT, *args],
            env=self.environ(**env),
            cwd=support.REPO,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            timeout=60,
            check=False,
        )

    def run_into_closed_pipe(self, *args, stream="stdout", **env):
        """Run with ``stream`` a pipe whose reader has gone (``| head -c1`` once
        head has exited): every write to it fails with EPIPE."""
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            return self.run_bytes(*args, **{stream: write_end}, **env)
        finally:
            os.close(write_end)

    def test_a_reader_that_went_away_ends_it_quietly(self):
        for unbuffered in ("", "1"):  # the write fails at once, or at the flush
            for args in (("--format", "env"), ("--format", "json"), ()):
                with self.subTest(args=args, unbuffered=unbuffered):
                    proc = self.run_into_closed_pipe(
                        *args, PYTHONUNBUFFERED=unbuffered, **ENV_CREDS
                    )
                    self.assertEqual(proc.returncode, 141, proc.stderr)
                    self.assertEqual(proc.stderr, b"")
            with self.subTest(stream="stderr", unbuffered=unbuffered):
                proc = self.run_into_closed_pipe(
                    "--explain", stream="stderr", PYTHONUNBUFFERED=unbuffered,
                    **ENV_CREDS,
                )  # fmt: skip
                self.assertEqual(proc.returncode, 141)
            # argparse (3.9+) ignores a failed write of --help: then it ends with 0.
            proc = self.run_into_closed_pipe("--help", PYTHONUNBUFFERED=unbuffered)
            self.assertIn(proc.returncode, (0, 141))
            self.assertEqual(proc.stderr, b"")

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_an_error_line_that_cannot_be_written_keeps_its_status(self):
        # As argparse's exit() does: the status says what happened even when
        # stderr cannot take the line (a full disk).
        for args, status in ((["--provider", "env", "--profile", "p"], 2), ([], 1)):
            with self.subTest(args=args), open("/dev/full", "wb") as full:
                proc = self.run_bytes(*args, stderr=full, PYTHONUNBUFFERED="1")
                self.assertEqual(proc.returncode, status)

    def test_stdout_encoding_that_cannot_hold_a_value(self):
        # A MinIO user name outside cp1252 (Windows' pipes and consoles).
        minio = {"MINIO_ROOT_USER": "user-\u0142", "MINIO_ROOT_PASSWORD": SECRET}
        for fmt in ("summary", "env"):
            with self.subTest(fmt=fmt):
                proc = self.run_bytes(
                    "--provider", "minio-env", "--format", fmt,
                    PYTHONIOENCODING="cp1252", **minio,
                )  # fmt: skip
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertEqual(proc.stdout, b"")
                lines = proc.stderr.decode("ascii").splitlines()
                self.assertEqual(len(lines), 1, lines)
                self.assertRegex(
                    lines[0], r"^minicreds: error: .*cp1252.*PYTHONIOENCODING"
                )
                self.assertNotIn(SECRET, lines[0])
        # JSON escapes it; a value cp1252 holds is written in cp1252.
        proc = self.run_bytes(
            "--provider", "minio-env", "--format", "process",
            PYTHONIOENCODING="cp1252", **minio,
        )  # fmt: skip
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["AccessKeyId"], "user-\u0142")
        minio["MINIO_ROOT_USER"] = "user-\u00e9"
        proc = self.run_bytes(
            "--provider", "minio-env", "--format", "env",
            PYTHONIOENCODING="cp1252", **minio,
        )  # fmt: skip
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(b"export AWS_ACCESS_KEY_ID='user-\xe9'\n", proc.stdout)


class Entry(CliCase):
    def test_version(self):
        for module in (False, True):
            with self.subTest(module=module):
                proc = self.run_cli("--version", module=module)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(proc.stdout, f"minicreds {minicreds.__version__}\n")

    def test_module_runs_the_command(self):
        proc = self.run_cli("--format", "process", module=True, **ENV_CREDS)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, EXPECTED["process"])

    def test_help_has_examples(self):
        proc = self.run_cli("--help")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("examples:", proc.stdout)
        self.assertIn("credential_process = ", proc.stdout)
        for name in list(EXPECTED) + ["summary", "--explain", "--profile", "container"]:
            self.assertIn(name, proc.stdout)

    def test_import_does_not_load_argparse(self):
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, minicreds; print('argparse' in sys.modules)",
            ],
            cwd=support.REPO,
            stdout=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertEqual(proc.stdout, "False\n")

    def test_a_plain_run_loads_no_parser_and_no_pure_python_datetime(self):
        # A credential_process run: argparse (with gettext and locale) and the
        # pure-Python twin that datetime.py builds on 3.8-3.11 cost ~3 ms of it.
        child = textwrap.dedent(
            """\
            import contextlib, io, sys
            import minicreds
            before = set(sys.modules)
            with contextlib.redirect_stdout(io.StringIO()):
                minicreds._main(["--format", "process", "--no-cache"])
            print(sorted(set(sys.modules) - before))
            """
        )
        proc = subprocess.run(
            [sys.executable, "-c", child],
            env=self.environ(**ENV_CREDS),
            cwd=support.REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        loaded = set(ast.literal_eval(proc.stdout))
        self.assertTrue(loaded, "the run loads modules of its own")
        self.assertFalse(loaded & {"argparse", "gettext", "locale", "datetime"})

    def test_main_in_process_restores_the_environment(self):
        import contextlib
        import io

        with support.env(**ENV_CREDS):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                status = minicreds._main(["--format", "env-no-export"])
            self.assertNotIn("MINICREDS_CLI_DEPTH", os.environ)
        self.assertEqual(status, 0)
        self.assertEqual(out.getvalue(), EXPECTED["env-no-export"])


class ArgumentScan(unittest.TestCase):
    """A plain command line is read without argparse; argparse reads the rest."""

    OPTIONS = ("--profile", "--provider", "--format", "--cluster", "--region")
    FLAGS = ("--no-cache", "--explain")
    WORDS = (
        "dev", "", "env", "aws-config", "mc-config", "default", "process", "json",
        "eks-token", "yaml", "-x", "--", "--prof", "--format=json", "--version",
        "-h", "--explain=1", "us-east-1", "\u00e9t\u00e9",
    )  # fmt: skip

    def argparse_reads(self, argv):
        """What argparse makes of ``argv``, or None when it refuses it."""
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(
                io.StringIO()
            ):
                return self.fields(minicreds._cli_argparse(argv))
        except SystemExit:
            return None

    @staticmethod
    def fields(args):
        names = ("profile", "provider", "format", "cluster", "region", "no_cache",
                 "explain")  # fmt: skip
        return {name: getattr(args, name) for name in names}

    def test_every_plain_command_line_reads_as_argparse_reads_it(self):
        rng = random.Random(20261207)
        tokens = self.OPTIONS + self.FLAGS + self.WORDS
        scanned = 0
        for _ in range(3000):
            argv = [rng.choice(tokens) for _ in range(rng.randrange(7))]
            args = minicreds._cli_scan(argv)
            if args is None:
                continue
            scanned += 1
            with self.subTest(argv=argv):
                self.assertEqual(self.fields(args), self.argparse_reads(argv))
        self.assertGreater(scanned, 300)  # the scan is not a refusal of everything

    def test_each_option_is_scanned(self):
        for option in self.OPTIONS:
            value = {"--provider": "aws-config", "--format": "json"}.get(option, "x")
            with self.subTest(option=option):
                args = minicreds._cli_scan([option, value])
                self.assertIsNotNone(args)
                self.assertEqual(
                    self.fields(args), self.argparse_reads([option, value])
                )
        for flag in self.FLAGS:
            with self.subTest(flag=flag):
                self.assertEqual(
                    self.fields(minicreds._cli_scan([flag])),
                    self.argparse_reads([flag]),
                )

    def test_the_scan_and_argparse_know_the_same_options(self):
        parser = minicreds._cli_parser()
        known = {
            option: action
            for action in parser._actions
            for option in action.option_strings
            if option not in ("-h", "--help", "--version")
        }
        self.assertEqual(
            set(known), set(minicreds._CLI_VALUES) | set(minicreds._CLI_FLAGS)
        )
        for option, action in known.items():
            with self.subTest(option=option):
                self.assertEqual(action.dest, minicreds._cli_attribute(option))
                self.assertTrue(hasattr(minicreds._CliArgs, action.dest))
                if option in minicreds._CLI_VALUES:
                    self.assertEqual(action.choices, minicreds._CLI_VALUES[option])

    def test_help_version_and_abbreviations_go_to_argparse(self):
        for argv in (["--help"], ["-h"], ["--version"], ["--prof", "x"],
                     ["--format=json"], ["--format", "yaml"], ["--profile"]):  # fmt: skip
            with self.subTest(argv=argv):
                self.assertIsNone(minicreds._cli_scan(argv))


if __name__ == "__main__":
    unittest.main()
