"""Providers in other processes: a child made by fork() in the middle of a refresh,
and copies made by pickle for spawned workers (README "Failure behaviour", fork and
multiprocessing)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import unittest
import warnings
from unittest import mock

import minicreds
from minicreds import Credentials
from tests import support

HANG_GUARD = 20.0  # seconds: only stops a hang, says nothing about speed
SECRET = "copies-secret-Hq83Lw"
PARENT = Credentials("AKPARENT", SECRET)
CHILD = Credentials("AKCHILD", SECRET)


def fork_and_call(test, call):
    """Fork; the child calls ``call()`` and exits 0 if it returned true. The exit
    status of the child, under a hang guard (a child that hangs is killed)."""
    with warnings.catch_warnings():  # 3.12+ warns of fork() with threads running
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never back into unittest
        code = 3
        try:
            code = 0 if call() else 1
        finally:
            os._exit(code)
    end = time.monotonic() + HANG_GUARD
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    test.fail("the child hung")


class Blocked:
    """Something a thread of the parent is blocked in, holding a provider's lock;
    in a child it does not block."""

    def __init__(self):
        self.parent = os.getpid()
        self.entered = threading.Event()
        self.release = threading.Event()

    def block(self):
        if os.getpid() == self.parent:
            self.entered.set()
            self.release.wait(HANG_GUARD)

    def hold(self, test, call):
        """``call()`` in a thread of the parent, until it is inside ``block()``."""
        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        test.addCleanup(worker.join, HANG_GUARD)
        test.addCleanup(self.release.set)
        test.assertTrue(self.entered.wait(HANG_GUARD))


@unittest.skipUnless(hasattr(os, "fork"), "os.fork is POSIX only")
class ForkTest(unittest.TestCase):
    """A child made by fork() while a thread of the parent holds a provider's lock
    gets fresh locks: its first retrieve() returns."""

    def test_fork_during_a_refresh(self):
        blocked = Blocked()

        def fetch():
            blocked.block()
            return CHILD if os.getpid() != blocked.parent else PARENT

        provider = minicreds.RefreshingProvider(fetch)
        blocked.hold(self, provider.retrieve)
        status = fork_and_call(self, lambda: provider.retrieve() == CHILD)
        self.assertEqual(status, 0)

    def test_fork_during_a_profile_build(self):
        blocked = Blocked()
        build = minicreds._profile_source

        def slow_build(*args):
            blocked.block()
            return build(*args)

        with support.env() as home:
            os.mkdir(os.path.join(home, ".aws"))
            with open(os.path.join(home, ".aws", "credentials"), "w") as f:
                f.write("[default]\naws_access_key_id = AKCHILD\n")
                f.write(f"aws_secret_access_key = {SECRET}\n")
            provider = minicreds.AWSConfigProvider()
            with mock.patch.object(minicreds, "_profile_source", slow_build):
                blocked.hold(self, provider.retrieve)
                status = fork_and_call(self, lambda: provider.retrieve() == CHILD)
        self.assertEqual(status, 0)

    def test_fork_during_the_choice_of_source(self):
        blocked = Blocked()

        class Environ(dict):
            def get(self, key, default=None):
                blocked.block()
                return super().get(key, default)

        env = Environ(AWS_EC2_METADATA_DISABLED="true")
        provider = minicreds.IamAwsProvider(environ=env)
        blocked.hold(self, provider.retrieve)
        status = fork_and_call(self, lambda: provider.retrieve() is None)
        self.assertEqual(status, 0)

    def test_importing_registers_nothing(self):
        # The fork hook is registered when the first lock holder is made.
        code = (
            "import minicreds, sys\n"
            "before = dict(minicreds._AT_FORK)\n"
            "minicreds.StaticProvider('a', 'b')\n"
            "assert minicreds._AT_FORK == before == {}, before\n"
            "minicreds.ProcessProvider('true')\n"
            "assert len(minicreds._AT_FORK['holders']) == 1\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=support.REPO,
            capture_output=True,
            timeout=HANG_GUARD,
            check=False,
        )
        self.assertEqual(done.returncode, 0, done.stderr)


if __name__ == "__main__":
    unittest.main()
