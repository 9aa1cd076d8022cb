"""A thread storm through a ChainedProvider over refreshing STS credentials (issue 10).

64 threads call a strict ``ChainedProvider`` (two environment providers that are not
configured, then an ``AssumeRoleProvider``) for several refresh cycles while the STS
fake is flaky: the first attempt of every fetch fails (503, a reset connection, a
throttling code, a truncated body, in turn) and the retry succeeds; in the early
refresh window the service is down altogether. The clock is injected; each phase
moves it, releases the threads together and waits for them.

It must hold that: no caller sees an exception or ``None`` while valid credentials
exist; each refresh cycle makes one fetch (the request count is exact); every
credentials object returned is one the service issued, whole (no key from one answer
with the secret or token of another), and valid at the time it was returned; the
chain's ``attempts`` record is always whole; no log line carries a secret.
(RefreshingProvider alone is covered by tests/test_refresh.py.)
"""

from __future__ import annotations

import datetime
import threading
import time
import unittest

from minicreds import (
    AssumeRoleProvider,
    ChainedProvider,
    Credentials,
    CredentialsError,
    EnvAWSProvider,
    EnvMinioProvider,
    StaticProvider,
)
from tests import support
from tests.fakes import (
    ACCOUNT,
    FakeClock,
    iso,
    role_arn,
    sts_error_xml,
    sts_success_xml,
)
from tests.support import FakeServer, Response

THREADS = 64
CALLS = 4  # retrieve() calls per thread per phase
CYCLES = 4
LIFETIME = 900  # seconds: early window 5 min, blocking 60 s (README, "Refreshing")
SOURCE_SECRET = "storm-source-secret-Vb7Nq2Xe"
SOURCE_TOKEN = "storm-source-token-Kc3Lp9Wd"


class FlakySTS:
    """Issues fresh credentials on every success; fails the first attempt of every
    fetch while ``mode`` is ``flaky``, and every attempt while it is ``down``."""

    FAILURES = (
        lambda: Response(503, "busy"),
        lambda: support.reset("before"),
        lambda: Response(400, sts_error_xml("Throttling", "Rate exceeded")),
        lambda: support.truncated(body=b"<AssumeRoleResponse>"),
    )

    def __init__(self, clock):
        self.clock = clock
        self.mode = "flaky"
        self.lock = threading.Lock()
        self.issued = {}  # access key -> Credentials
        self.requests = []
        self.failures = 0
        self.fail_next = True

    def __call__(self, request):
        with self.lock:
            self.requests.append(request)
            if self.mode == "down" or self.fail_next:
                self.fail_next = self.mode == "down"
                self.failures += 1
                return self.FAILURES[self.failures % len(self.FAILURES)]()
            self.fail_next = True
            n = len(self.issued) + 1
            expires = self.clock.now + LIFETIME
            creds = Credentials(
                f"ASIASTORM{n:011d}",
                f"storm-secret-{n}-Hq5Rt8Yz",
                f"storm-token-{n}-Mw2Jf6Bs",
                datetime.datetime.fromtimestamp(expires, datetime.timezone.utc),
                account_id=ACCOUNT,  # the account of the assumed role's ARN
            )
            self.issued[creds.access_key] = creds
        document = sts_success_xml(
            "AssumeRole",
            creds.access_key,
            creds.secret_key,
            creds.session_token,
            iso(expires),
        )
        return Response(200, document)


class ChainedStormTest(unittest.TestCase):
    def test_storm_through_a_chain_over_flaky_sts(self):
        clock = FakeClock(float(int(time.time())))
        sts = FlakySTS(clock)
        with FakeServer() as server, support.SecretWatch() as watch:
            server.route("POST", "/", sts)
            role = AssumeRoleProvider(
                StaticProvider("AKIASTORMSOURCE00001", SOURCE_SECRET, SOURCE_TOKEN),
                role_arn("storm"),
                "storm",
                region="us-east-1",
                sts_endpoint=server.url + "/",
                clock=clock,
                environ={},
            )
            chain = ChainedProvider(
                [EnvAWSProvider(environ={}), EnvMinioProvider(environ={}), role],
                strict=True,
            )
            results = self._storm(chain, clock, sts)
            self.assertEqual(server.errors, [])
        issued = sts.issued
        secrets = [SOURCE_SECRET, SOURCE_TOKEN]
        secrets += [c.secret_key for c in issued.values()]
        secrets += [c.session_token for c in issued.values()]

        # One fetch per refresh: the first, then one per cycle.
        self.assertEqual(len(issued), CYCLES + 1)
        posts = [r for r in server.requests if r.method == "POST"]
        self.assertTrue(all(r.headers["Authorization"] for r in posts))
        self.assertEqual(sum(r[2] for r in results), len(posts))

        # What each caller saw, phase by phase.
        for phase, expected_key, requests, seen in results:
            with self.subTest(phase=phase):
                if "flaky" in phase:  # one fetch: a failure, then the answer
                    self.assertEqual(requests, 2)
                elif "early" in phase:  # one failed fetch of 3 attempts, then a pause
                    self.assertEqual(requests, 3)
                else:  # failed fetches of 3 attempts; the callers keep the cache
                    self.assertEqual(requests % 3, 0)
                    self.assertGreaterEqual(requests, 3)
                errors = [x for x in seen if not isinstance(x, tuple)]
                self.assertEqual(errors, [], f"{len(errors)} failures: {errors[:3]}")
                calls = 1 if "blocking window, service down" in phase else CALLS
                self.assertEqual(len(seen), THREADS * calls)
                for creds, now, attempts in seen:
                    self.assertIsInstance(creds, Credentials)
                    # Whole: exactly what the service issued under that key.
                    self.assertEqual(creds, issued.get(creds.access_key))
                    self.assertLess(now, creds.expiration.timestamp() - 10)
                    self.assertEqual(
                        [a[0] for a in attempts],
                        ["EnvAWSProvider", "EnvMinioProvider", "AssumeRoleProvider"],
                    )
                    self.assertEqual(
                        [a[1] for a in attempts],
                        ["not configured", "not configured", "found"],
                    )
                keys = {creds.access_key for creds, _, _ in seen}
                self.assertEqual(keys, {expected_key})
                # One fetch: every caller holds the very object it produced.
                self.assertEqual(len({id(creds) for creds, _, _ in seen}), 1)

        # The failed early refreshes were logged, without a secret.
        warned = [t for _, level, t in watch.records if level == "WARNING"]
        self.assertGreaterEqual(len(warned), CYCLES)
        watch.assert_clean(self, *secrets)

    def _storm(self, chain, clock, sts):
        """Run the phases; return (phase, access key expected, requests, [seen])."""
        barrier = threading.Barrier(THREADS + 1, timeout=60)
        seen = []
        seen_lock = threading.Lock()
        stop = []
        calls = [CALLS]

        def worker():
            while True:
                barrier.wait()  # phase start
                if stop:
                    return
                mine = []
                for _ in range(calls[0]):
                    try:
                        creds = chain.retrieve()
                        mine.append((creds, clock.now, chain.attempts))
                    except Exception as exc:  # noqa: BLE001 - reported by the test
                        mine.append(exc)
                with seen_lock:
                    seen.extend(mine)
                barrier.wait()  # phase end

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
        for t in threads:
            t.start()
        results = []

        def phase(name, now, mode, key, n=CALLS):
            clock.now, sts.mode, calls[0] = now, mode, n
            del seen[:]
            before = len(sts.requests)
            barrier.wait()
            barrier.wait()
            results.append((name, key(), len(sts.requests) - before, list(seen)))

        def newest():
            return max(sts.issued)

        try:
            start = clock.now
            phase("first fetch, flaky", start, "flaky", newest)
            for cycle in range(CYCLES):
                expires = sts.issued[newest()].expiration.timestamp()
                current = newest()
                # Early window, service down: the cached credentials, one failed fetch.
                phase(
                    f"cycle {cycle}: early window, service down",
                    expires - 200,
                    "down",
                    lambda current=current: current,
                )
                # Blocking window, service down: still valid, so the cached ones.
                # (One call each: in this window every call that finds no fetch in
                # flight starts one, and each failed fetch takes three attempts.)
                phase(
                    f"cycle {cycle}: blocking window, service down",
                    expires - 40,
                    "down",
                    lambda current=current: current,
                    1,
                )
                # Blocking window, flaky service: everybody waits for one fetch.
                phase(
                    f"cycle {cycle}: blocking window, flaky",
                    expires - 30,
                    "flaky",
                    newest,
                )
        finally:
            stop.append(True)
            barrier.wait()
            for t in threads:
                t.join(10)
        return results


class ChainedStormErrorsTest(unittest.TestCase):
    def test_with_nothing_valid_every_caller_gets_the_error(self):
        # The other side of the promise: once nothing valid is in hand, a strict
        # chain raises a CredentialsError (never returns None or stale credentials).
        clock = FakeClock(float(int(time.time())))
        sts = FlakySTS(clock)
        with FakeServer() as server:
            server.route("POST", "/", sts)
            role = AssumeRoleProvider(
                StaticProvider("AKIASTORMSOURCE00001", SOURCE_SECRET),
                role_arn("storm"),
                "storm",
                sts_endpoint=server.url + "/",
                clock=clock,
                environ={},
            )
            chain = ChainedProvider([EnvAWSProvider(environ={}), role], strict=True)
            first = chain.retrieve()
            clock.now = first.expiration.timestamp() + 1  # expired
            sts.mode = "down"
            out = []

            def call():
                try:
                    out.append(chain.retrieve())
                except Exception as exc:  # noqa: BLE001
                    out.append(exc)

            threads = [threading.Thread(target=call) for _ in range(16)]
            with support.SecretWatch():
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(30)
        self.assertEqual(len(out), 16)
        for item in out:
            self.assertIsInstance(item, CredentialsError)


if __name__ == "__main__":
    unittest.main()
