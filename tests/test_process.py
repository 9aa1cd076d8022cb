"""ProcessProvider and credential_process profiles (standard library only)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from unittest import mock

import minicreds
from tests import support
from tests.fakes import FakeClock

SECRET = "process-secret-Zq81xV"
TOKEN = "process-token-Yw72uT"


def script(directory, body, name="helper.py"):
    """A Python script file in ``directory``; returns the command line running it."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(textwrap.dedent(body))
    return support.command_line(sys.executable, path)


def printer(directory, data, name="helper.py", extra=""):
    """A command printing ``data`` (JSON-encoded unless a str) to stdout."""
    text = data if isinstance(data, str) else json.dumps(data)
    return script(directory, f"import sys\n{extra}\nsys.stdout.write({text!r})\n", name)


class ProcessProviderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="minicreds-proc-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_version_1_static(self):
        cmd = printer(
            self.dir, {"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": SECRET}
        )
        creds = minicreds.ProcessProvider(cmd).retrieve()
        self.assertEqual(creds, minicreds.Credentials("AKPROC", SECRET))

    def test_session_token_and_expiration_refresh(self):
        counter = os.path.join(self.dir, "count")
        cmd = script(
            self.dir,
            f"""
            import json, os, sys
            path = {counter!r}
            n = int(open(path).read()) + 1 if os.path.exists(path) else 1
            open(path, "w").write(str(n))
            print(json.dumps({{"Version": 1, "AccessKeyId": "AK%d" % n,
                              "SecretAccessKey": {SECRET!r}, "SessionToken": {TOKEN!r},
                              "Expiration": "2030-01-01T00:00:00Z"}}))
        """,
        )
        clock = FakeClock(1893456000.0 - 7200)  # two hours before expiry
        provider = minicreds.ProcessProvider(cmd, clock=clock)
        first = provider.retrieve()
        self.assertEqual(first.access_key, "AK1")
        self.assertEqual(first.session_token, TOKEN)
        self.assertEqual(first.expiration.isoformat(), "2030-01-01T00:00:00+00:00")
        self.assertIs(provider.retrieve(), first)  # cached: not run again
        clock.now = 1893456000.0 - 30  # inside the blocking window: runs again
        self.assertEqual(provider.retrieve().access_key, "AK2")
        with open(counter) as f:
            self.assertEqual(f.read(), "2")

    def test_quoted_arguments_without_shell(self):
        spaced = os.path.join(self.dir, "dir with space")
        os.mkdir(spaced)
        cmd = (
            script(
                spaced,
                """
            import json, sys
            print(json.dumps({"Version": 1, "AccessKeyId": sys.argv[1],
                              "SecretAccessKey": sys.argv[2]}))
        """,
            )
            + " "
            + support.command_line("AK $HOME;x", "sec ret|`id`")
        )
        creds = minicreds.ProcessProvider(cmd).retrieve()
        self.assertEqual(creds.access_key, "AK $HOME;x")  # no shell expansion
        self.assertEqual(creds.secret_key, "sec ret|`id`")

    def assertFails(self, cmd, cls, fragment, **kw):
        with support.SecretWatch() as watch, self.assertRaises(cls) as ctx:
            minicreds.ProcessProvider(cmd, **kw).retrieve()
        self.assertIn(fragment, str(ctx.exception))
        self.assertIn("ProcessProvider", str(ctx.exception))
        watch.assert_clean(self, SECRET, TOKEN, extra_texts=[ctx.exception])
        return ctx.exception

    def test_non_zero_exit(self):
        cmd = script(
            self.dir,
            f"""
            import sys
            sys.stdout.write('{{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "{SECRET}"}}')
            sys.exit(3)
        """,
        )
        exc = self.assertFails(cmd, minicreds.CredentialsError, "status 3")
        self.assertNotIsInstance(exc, minicreds.TransportError)

    def test_bad_json(self):
        self.assertFails(
            printer(self.dir, f'{{"Version": 1, "SecretAccessKey": "{SECRET}"'),
            minicreds.TransportError,
            "not JSON",
        )

    def test_wrong_version(self):
        for version in (2, "1", None):
            data = {"Version": version, "AccessKeyId": "A", "SecretAccessKey": SECRET}
            if version is None:
                del data["Version"]
            self.assertFails(
                printer(self.dir, data), minicreds.TransportError, "Version"
            )

    def test_missing_key_and_bad_expiration(self):
        self.assertFails(
            printer(self.dir, {"Version": 1, "SecretAccessKey": SECRET}),
            minicreds.TransportError,
            "AccessKeyId",
        )
        data = {
            "Version": 1,
            "AccessKeyId": "A",
            "SecretAccessKey": SECRET,
            "SessionToken": TOKEN,
            "Expiration": "tomorrow",
        }
        self.assertFails(printer(self.dir, data), minicreds.TransportError, "invalid")

    def test_session_token_of_the_wrong_type(self):
        data = {"Version": 1, "AccessKeyId": "A", "SecretAccessKey": SECRET}
        for token in ([TOKEN], 12, {"t": TOKEN}):
            with self.subTest(token=token):
                cmd = printer(self.dir, dict(data, SessionToken=token))
                self.assertFails(cmd, minicreds.TransportError, "invalid")

    def test_nul_in_the_command(self):
        cmd = "prog --password " + SECRET + "\0x"
        self.assertFails(cmd, minicreds.ConfigError, "cannot run")

    def test_windows_command_line_goes_to_createprocess_whole(self):
        # On Windows the line is not split here: CreateProcess applies Windows rules
        # (a quoted path with spaces, backslashes kept). Only the program is named.
        line = '"C:\\Program Files\\Tools\\creds.exe" --name "a b" --key ' + SECRET
        seen = []

        def run(argv, **kw):
            seen.append(argv)
            return subprocess.CompletedProcess(argv, 3, b"")

        with mock.patch.object(minicreds.os, "name", "nt"):
            with mock.patch.object(subprocess, "run", run):
                error = self.assertFails(line, minicreds.CredentialsError, "status 3")
        self.assertEqual(seen, [line])
        self.assertEqual(error.source, "C:\\Program Files\\Tools\\creds.exe")

    def test_expired_output_is_an_error(self):
        data = {
            "Version": 1,
            "AccessKeyId": "A",
            "SecretAccessKey": SECRET,
            "Expiration": "2001-01-01T00:00:00Z",
        }
        self.assertFails(printer(self.dir, data), minicreds.CredentialsError, "expired")

    def test_program_missing_or_command_empty(self):
        self.assertFails(
            os.path.join(self.dir, "no-such-program") + " --secret " + SECRET,
            minicreds.ConfigError,
            "cannot run",
        )
        self.assertFails("   ", minicreds.ConfigError, "empty")
        self.assertFails("prog 'unbalanced " + SECRET, minicreds.ConfigError, "quoted")

    def test_arguments_stay_out_of_messages(self):
        cmd = script(self.dir, "import sys; sys.exit(1)") + " --password " + SECRET
        self.assertFails(cmd, minicreds.CredentialsError, sys.executable)

    def test_killed_at_timeout(self):
        pidfile = os.path.join(self.dir, "pid")
        cmd = script(
            self.dir,
            f"""
            import os, time
            open({pidfile!r}, "w").write(str(os.getpid()))
            time.sleep(60)
        """,
        )
        # 0.3 s lets the child write its pid, unless the machine is loaded: then
        # again with more time (the kill is under test, not the start-up).
        for timeout in (0.3, 1.0, 5.0):
            self.assertFails(cmd, minicreds.TransportError, "killed", timeout=timeout)
            if os.path.exists(pidfile):
                break
        with open(pidfile) as f:
            pid = int(f.read())
        with self.assertRaises(ProcessLookupError):  # killed and reaped
            os.kill(pid, 0)

    def test_stderr_passes_through_and_stdin_is_inherited(self):
        cmd = script(
            self.dir,
            """
            import json, sys
            sys.stderr.write("MFA code please: ")
            sys.stderr.flush()
            code = sys.stdin.readline().strip()
            print(json.dumps({"Version": 1, "AccessKeyId": "AK" + code,
                              "SecretAccessKey": "s"}))
        """,
        )
        driver = (
            f"import sys; sys.path.insert(0, {os.getcwd()!r}); import minicreds; "
            f"print(minicreds.ProcessProvider({cmd!r}).retrieve().access_key)"
        )
        done = subprocess.run(
            [sys.executable, "-c", driver],
            check=False,
            input=b"123456\n",
            capture_output=True,
            timeout=60,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.strip(), b"AK123456")
        self.assertIn(b"MFA code please: ", done.stderr)


class CredentialProcessProfileTest(unittest.TestCase):
    def setUp(self):
        ctx = support.env()
        self.home = ctx.__enter__()
        self.addCleanup(ctx.__exit__, None, None, None)
        os.mkdir(os.path.join(self.home, ".aws"))
        self.count = os.path.join(self.home, "count")
        self.cmd = script(
            self.home,
            f"""
            import json, os
            path = {self.count!r}
            n = int(open(path).read()) + 1 if os.path.exists(path) else 1
            open(path, "w").write(str(n))
            print(json.dumps({{"Version": 1, "AccessKeyId": "AKPROC%d" % n,
                              "SecretAccessKey": "s", "SessionToken": "t",
                              "Expiration": "2099-01-01T00:00:00Z"}}))
        """,
        )

    def write(self, name, text):
        with open(os.path.join(self.home, ".aws", name), "w") as f:
            f.write(textwrap.dedent(text))

    def runs(self):
        with open(self.count) as f:
            return int(f.read())

    def test_profile_process_is_kept_between_calls(self):
        self.write("config", f"[profile p]\ncredential_process = {self.cmd}\n")
        provider = minicreds.AWSConfigProvider(profile="p")
        self.assertEqual(provider.retrieve().access_key, "AKPROC1")
        self.assertEqual(provider.retrieve().access_key, "AKPROC1")
        self.assertEqual(self.runs(), 1)
        # A change elsewhere in the file keeps the source; a change to it rebuilds it.
        self.write(
            "config",
            f"[profile p]\ncredential_process = {self.cmd}\n[profile q]\nregion = x\n",
        )
        self.assertEqual(provider.retrieve().access_key, "AKPROC1")
        self.write(
            "config",
            f"[profile p]\ncredential_process = {self.cmd}  \nregion = eu-west-1\n",
        )
        self.assertEqual(provider.retrieve().access_key, "AKPROC2")

    def test_order_against_static_keys(self):
        # Static keys of the credentials file win over credential_process, which wins
        # over static keys of the config file (botocore's order).
        self.write(
            "config",
            f"[profile p]\ncredential_process = {self.cmd}\n"
            "aws_access_key_id = AKCONFIG\naws_secret_access_key = s\n",
        )
        self.assertEqual(
            minicreds.AWSConfigProvider(profile="p").retrieve().access_key, "AKPROC1"
        )
        self.write(
            "credentials",
            "[p]\naws_access_key_id = AKCREDS\naws_secret_access_key = s\n",
        )
        self.assertEqual(
            minicreds.AWSConfigProvider(profile="p").retrieve().access_key, "AKCREDS"
        )


if __name__ == "__main__":
    unittest.main()
