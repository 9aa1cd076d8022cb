"""Providers in other processes: a child made by fork() in the middle of a refresh,
and copies made by pickle for spawned workers (README "Failure behaviour", fork and
multiprocessing)."""

from __future__ import annotations

import json
import os
import pickle
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
from tests.fakes import (
    ACCOUNT,
    SSO_START_URL,
    iso_in,
    role_arn,
    sts_success_xml,
    xml_response,
)

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


def fetch_child():
    """A fetch a copy can take along: a module-level function pickles by name."""
    return CHILD


def retrieve(provider):
    """What a worker process does with the provider it was handed."""
    return provider.retrieve()


class PickleTest(unittest.TestCase):
    """Every public provider pickles: its configuration travels, its locks and cache
    start fresh in the copy (spawned workers, concurrent.futures)."""

    def setUp(self):
        self.sts = support.FakeServer().start()
        self.addCleanup(self.sts.stop)
        self.sts.route("POST", "/", self._sts)
        self.dir = self.enterContext_(support.temp_home())

    def enterContext_(self, context):  # TestCase.enterContext is 3.11+
        value = context.__enter__()
        self.addCleanup(context.__exit__, None, None, None)
        return value

    def _sts(self, request):
        action = request.form["Action"][0]
        body = sts_success_xml(action, "ASIASTS", SECRET, "token", iso_in(3600))
        return xml_response(200, body)

    def file(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def providers(self):
        """One of each public provider class, by name."""
        env = {"AWS_ACCESS_KEY_ID": "AKCHILD", "AWS_SECRET_ACCESS_KEY": SECRET}
        minio_env = {"MINIO_ROOT_USER": "AKCHILD", "MINIO_ROOT_PASSWORD": SECRET}
        keys = f"[p]\naws_access_key_id = AKCHILD\naws_secret_access_key = {SECRET}\n"
        mc = {"version": "10", "aliases": {"s3": {"url": "http://x",
              "accessKey": "AKCHILD", "secretKey": SECRET, "api": "s3v4"}}}  # fmt: skip
        doc = {"Version": 1, "AccessKeyId": "AKCHILD", "SecretAccessKey": SECRET}
        printer = self.file("printer.py", f"print({json.dumps(doc)!r})")
        cert = support.certs()
        url = self.sts.url
        return {
            "StaticProvider": minicreds.StaticProvider("AKCHILD", SECRET),
            "EnvAWSProvider": minicreds.EnvAWSProvider(environ=env),
            "EnvMinioProvider": minicreds.EnvMinioProvider(environ=minio_env),
            "AWSConfigProvider": minicreds.AWSConfigProvider(
                self.file("credentials", keys), "p", environ={}
            ),
            "MinioClientConfigProvider": minicreds.MinioClientConfigProvider(
                self.file("config.json", json.dumps(mc)), environ={}
            ),
            "ProcessProvider": minicreds.ProcessProvider(f"{sys.executable} {printer}"),
            "LoginProvider": minicreds.LoginProvider(
                "arn:aws:iam::123456789012:user/u", cache_dir=self.dir
            ),
            "SSOProvider": minicreds.SSOProvider(
                SSO_START_URL, "us-east-1", ACCOUNT, "role", cache_dir=self.dir
            ),
            "ContainerProvider": minicreds.ContainerProvider(environ={}),
            "IamAwsProvider": minicreds.IamAwsProvider(
                environ={"AWS_EC2_METADATA_DISABLED": "true"}
            ),
            "AssumeRoleProvider": minicreds.AssumeRoleProvider(
                minicreds.StaticProvider("AKSOURCE", SECRET),
                role_arn("r"),
                "s",
                sts_endpoint=url,
            ),
            "WebIdentityProvider": minicreds.WebIdentityProvider(
                "jwt", role_arn("r"), "s", sts_endpoint=url
            ),
            "ClientGrantsProvider": minicreds.ClientGrantsProvider("jwt", url),
            "LdapIdentityProvider": minicreds.LdapIdentityProvider("u", SECRET, url),
            "CustomTokenIdentityProvider": minicreds.CustomTokenIdentityProvider(
                "token", role_arn("r"), url
            ),
            "CertificateIdentityProvider": minicreds.CertificateIdentityProvider(
                cert["client_cert"], cert["client_key"], "https://127.0.0.1:1"
            ),
            "ChainedProvider": minicreds.ChainedProvider(
                [minicreds.EnvAWSProvider(environ={}), fetched()]
            ),
            "RefreshingProvider": fetched(),
            "default_provider": minicreds.default_provider(
                environ={**env, "AWS_CONFIG_FILE": os.path.join(self.dir, "none")}
            ),
        }

    def test_every_public_provider(self):
        names = {n for n in minicreds.__all__ if n.endswith("Provider")} - {"Provider"}
        providers = self.providers()
        self.assertEqual(names, set(providers) - {"default_provider"})
        for name, provider in providers.items():
            with self.subTest(provider=name):
                copy = pickle.loads(pickle.dumps(provider))
                self.assertIs(type(copy), type(provider))

    def test_configuration_travels_and_the_cache_stays(self):
        providers = self.providers()
        offline = [
            "StaticProvider", "EnvAWSProvider", "EnvMinioProvider", "AWSConfigProvider",
            "MinioClientConfigProvider", "ProcessProvider", "ChainedProvider",
            "RefreshingProvider", "default_provider",
        ]  # fmt: skip
        for name in offline:
            with self.subTest(provider=name):
                provider = providers[name]
                provider.retrieve()  # fills the caches
                copy = pickle.loads(pickle.dumps(provider))
                self.assertEqual(copy.retrieve(), CHILD)

    def test_a_copy_fetches_anew_with_its_own_lock(self):
        provider = self.providers()["AssumeRoleProvider"]
        self.assertEqual(provider.retrieve().access_key, "ASIASTS")
        with provider._lock:  # held here: a copy does not share it
            copy = pickle.loads(pickle.dumps(provider))
            self.assertEqual(copy.retrieve().access_key, "ASIASTS")
        self.assertEqual(len(self.sts.requests), 2)  # the cache stayed behind
        self.assertEqual(self.sts.requests[1].form["RoleArn"], [role_arn("r")])

    def test_a_spawned_worker(self):
        import multiprocessing

        env = {"AWS_ACCESS_KEY_ID": "AKCHILD", "AWS_SECRET_ACCESS_KEY": SECRET}
        providers = (
            minicreds.EnvAWSProvider(environ=env),
            minicreds.StaticProvider("AKCHILD", SECRET),
            fetched(),  # a RefreshingProvider: it holds a lock
        )
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            found = pool.map_async(retrieve, providers).get(HANG_GUARD)
        self.assertEqual(found, [CHILD, CHILD, CHILD])


def fetched():
    return minicreds.RefreshingProvider(fetch_child)


if __name__ == "__main__":
    unittest.main()
