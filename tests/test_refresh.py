"""The refresh engine (README, "Refreshing"; issue 3): RefreshingProvider.

Time is a fake clock the tests move by hand; nothing sleeps for more than a few ms.
Credentials of fetch number ``n`` carry ``AK-0000n`` / ``SECRET-0000n`` /
``TOKEN-0000n``, so a caller that got a torn pair would be seen.
"""

import datetime
import inspect
import sys
import threading
import time
import unittest

import minicreds
from minicreds import Credentials, CredentialsError, RefreshingProvider
from tests.fakes import FakeClock
from tests.support import SecretWatch

T0 = 1_700_000_000.0  # a whole second, exactly representable
SKEW = 10.0  # Credentials.is_expired() is true from 10 s before expiry
BLOCK = 60.0  # blocking window


class SpyLock:
    """Wraps the engine's lock: counts acquire attempts and tells when one starts."""

    def __init__(self, lock):
        self.lock = lock
        self.acquires = 0
        self.started = threading.Condition()

    def acquire(self, blocking=True, timeout=-1):
        with self.started:
            self.acquires += 1
            self.started.notify_all()
        return self.lock.acquire(blocking, timeout)

    def release(self):
        self.lock.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    def wait_for(self, count, timeout=5.0):
        with self.started:
            ok = self.started.wait_for(lambda: self.acquires >= count, timeout)
        if not ok:
            raise AssertionError(f"only {self.acquires} of {count} lock attempts")


def make_creds(n, expires=None):
    expiration = None
    if expires is not None:
        expiration = datetime.datetime.fromtimestamp(expires, datetime.timezone.utc)
    return Credentials(f"AK-{n:05d}", f"SECRET-{n:05d}", f"TOKEN-{n:05d}", expiration)


class Raw:
    """A script item that ``fetch()`` returns as it is."""

    def __init__(self, value):
        self.value = value


class Fetch:
    """A scripted ``fetch()``.

    Each call takes the next script item: a number is a lifetime in seconds (the
    credentials expire that long after the clock's time at return), ``None`` means no
    expiry, an exception is raised, ``Raw(x)`` returns x, a callable is called with the call number and its
    result used as the item. With the script exhausted, the last item repeats.
    """

    def __init__(self, clock, *script):
        self.clock = clock
        self.script = list(script)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if callable(item) and not isinstance(item, type):
            item = item(self.calls)
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, Raw):
            return item.value
        if item is None or isinstance(item, (int, float)):
            expires = None if item is None else self.clock.now + item
            return make_creds(self.calls, expires)
        return item


def provider(clock, *script):
    fetch = Fetch(clock, *script)
    return RefreshingProvider(fetch, clock=clock), fetch


def run_threads(targets):
    """Start one thread per callable; return their threads and a results list."""
    results = [None] * len(targets)

    def runner(i, target):
        try:
            results[i] = ("ok", target())
        except BaseException as exc:  # noqa: BLE001 - recorded for the test
            results[i] = ("error", exc)

    threads = [
        threading.Thread(target=runner, args=(i, t), daemon=True)
        for i, t in enumerate(targets)
    ]
    for thread in threads:
        thread.start()
    return threads, results


def join_all(threads, timeout=5.0):
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            raise AssertionError("a thread hung")


class Gate:
    """A fetch step that blocks until the test opens it, then yields ``item``."""

    def __init__(self, item):
        self.item = item
        self.entered = threading.Event()
        self.open = threading.Event()

    def __call__(self, n):
        self.entered.set()
        if not self.open.wait(5.0):
            raise AssertionError("gate never opened")
        item = self.item
        return item(n) if callable(item) and not isinstance(item, type) else item


class ApiTest(unittest.TestCase):
    def test_signature(self):
        params = inspect.signature(RefreshingProvider).parameters
        self.assertEqual(list(params), ["fetch", "clock"])
        self.assertIs(params["clock"].kind, inspect.Parameter.KEYWORD_ONLY)
        self.assertIs(params["clock"].default, time.time)
        self.assertIn("RefreshingProvider", minicreds.__all__)
        self.assertTrue(issubclass(RefreshingProvider, minicreds.Provider))

    def test_every_caching_provider_takes_clock(self):
        found = []
        for name in minicreds.__all__:
            obj = getattr(minicreds, name)
            if not (isinstance(obj, type) and issubclass(obj, RefreshingProvider)):
                continue
            if obj is RefreshingProvider:
                continue
            found.append(name)
            param = inspect.signature(obj).parameters.get("clock")
            self.assertIsNotNone(param, f"{name} takes no clock")
            self.assertIs(param.kind, inspect.Parameter.KEYWORD_ONLY, name)
            self.assertIs(param.default, time.time, name)
        self.assertIn("AssumeRoleProvider", found)

    def test_signatures_show_no_private_keywords(self):
        # Keywords named "_..." are minicreds's own plumbing between providers:
        # help() and inspect.signature() show every other parameter, unchanged.
        for name in minicreds.__all__:
            obj = getattr(minicreds, name)
            if not isinstance(obj, type) or obj.__init__ is object.__init__:
                continue
            with self.subTest(name):
                shown = inspect.signature(obj).parameters
                self.assertFalse([p for p in shown if p.startswith("_")])
                if "_own_form" in vars(obj):  # the MinIO forms: tests/test_minio_forms
                    continue
                init = list(inspect.signature(obj.__init__).parameters.values())[1:]
                public = [p for p in init if not p.name.startswith("_")]
                self.assertEqual(list(shown.values()), public)

    def test_default_clock_is_real_time(self):
        real = FakeClock(time.time())  # only used to date what fetch returns
        p = RefreshingProvider(Fetch(real, 3600))
        self.assertIs(p.retrieve(), p.retrieve())
        # Born inside the blocking window by the real clock: every call refreshes.
        fetch = Fetch(real, 30)
        p = RefreshingProvider(fetch)
        p.retrieve()
        p.retrieve()
        self.assertEqual(fetch.calls, 2)


class FastPathTest(unittest.TestCase):
    def test_cached_value_one_clock_call_no_lock(self):
        clock = FakeClock(T0)
        p, fetch = provider(clock, 3600)  # 15-minute early window: refresh at +2700 s
        first = p.retrieve()
        spy = p._lock = SpyLock(p._lock)
        for offset in (0.0, 1.0, 600.0, 2699.0, 2699.999):
            clock.now = T0 + offset
            before = clock.reads
            self.assertIs(p.retrieve(), first)
            self.assertEqual(clock.reads - before, 1, f"clock calls at +{offset}")
        self.assertEqual(spy.acquires, 0)
        self.assertEqual(fetch.calls, 1)

    def test_no_expiry_cached_for_good(self):
        clock = FakeClock(T0)
        p, fetch = provider(clock, None, 3600)
        first = p.retrieve()
        self.assertIsNone(first.expiration)
        spy = p._lock = SpyLock(p._lock)
        for years in (0, 1, 50, 1000):
            clock.now = T0 + years * 366 * 86400.0
            before = clock.reads
            self.assertIs(p.retrieve(), first)
            self.assertEqual(clock.reads - before, 1)
        self.assertEqual((fetch.calls, spy.acquires), (1, 0))

    def test_first_call_fetches_and_returns(self):
        clock = FakeClock(T0)
        p, fetch = provider(clock, 900)
        creds = p.retrieve()
        self.assertEqual(
            (creds.access_key, creds.secret_key, creds.session_token),
            ("AK-00001", "SECRET-00001", "TOKEN-00001"),
        )
        self.assertEqual(fetch.calls, 1)


class WindowTest(unittest.TestCase):
    # lifetime at fetch -> early window (seconds before expiry)
    CASES = (
        (120.0, 300.0),
        (900.0, 300.0),
        (1200.0, 300.0),  # 20 minutes or less
        (1201.0, 900.0),
        (3600.0, 900.0),
        (5399.0, 900.0),  # under 90 minutes
        (5400.0, 3600.0),
        (21600.0, 3600.0),
        (43200.0, 3600.0),
    )

    def test_early_window_by_lifetime(self):
        for life, early in self.CASES:
            if life <= early:
                continue  # see test_born_in_early_window_does_not_refetch_every_call
            with self.subTest(life=life):
                clock = FakeClock(T0)
                p, fetch = provider(clock, life)
                first = p.retrieve()
                clock.now = T0 + life - early - 0.001
                self.assertIs(p.retrieve(), first)
                self.assertEqual(fetch.calls, 1)
                clock.now = T0 + life - early
                second = p.retrieve()
                self.assertEqual(fetch.calls, 2)
                self.assertEqual(second.access_key, "AK-00002")
                self.assertIs(p.retrieve(), second)
                self.assertEqual(fetch.calls, 2)

    def test_blocking_window_refreshes(self):
        # Jump straight from the fast path into the blocking window.
        clock = FakeClock(T0)
        p, fetch = provider(clock, 3600)
        p.retrieve()
        clock.now = T0 + 3600 - BLOCK
        self.assertEqual(p.retrieve().access_key, "AK-00002")
        self.assertEqual(fetch.calls, 2)

    def test_expired_cache_refreshes(self):
        clock = FakeClock(T0)
        p, fetch = provider(clock, 3600)
        p.retrieve()
        clock.now = T0 + 7200
        self.assertEqual(p.retrieve().access_key, "AK-00002")
        self.assertEqual(fetch.calls, 2)

    def test_early_window_one_refresher_others_served(self):
        clock = FakeClock(T0)
        gate = Gate(3600)
        p, fetch = provider(clock, 3600, gate, 3600)
        first = p.retrieve()
        clock.now = T0 + 2700 + 1  # inside the 15-minute early window
        threads, results = run_threads([p.retrieve])
        self.assertTrue(gate.entered.wait(5.0))
        # While the refresh runs, everyone else gets the cached credentials at once.
        for _ in range(50):
            self.assertIs(p.retrieve(), first)
        self.assertEqual(fetch.calls, 2)
        gate.open.set()
        join_all(threads)
        self.assertEqual(results[0][0], "ok")
        self.assertEqual(results[0][1].access_key, "AK-00002")
        self.assertIs(p.retrieve(), results[0][1])
        self.assertEqual(fetch.calls, 2)

    def test_blocking_window_single_flight(self):
        clock = FakeClock(T0)
        gate = Gate(3600)
        p, fetch = provider(clock, 3600, gate, 3600)
        p.retrieve()
        spy = p._lock = SpyLock(p._lock)
        clock.now = T0 + 3600 - 30
        threads, results = run_threads([p.retrieve])
        self.assertTrue(gate.entered.wait(5.0))
        more, more_results = run_threads([p.retrieve] * 8)
        spy.wait_for(9)
        gate.open.set()
        join_all(threads + more)
        got = {r[1].access_key for r in results + more_results}
        self.assertEqual(got, {"AK-00002"})
        self.assertEqual(fetch.calls, 2)


class RaceTest(unittest.TestCase):
    """Another caller refreshes between this caller's first look and its lock.

    The clock's second read in a call (on the slow path, before the lock) first runs
    a whole other ``retrieve()``, so the interleaving is certain.
    """

    def other_caller_first(self, clock, p):
        got = []
        clock.hook = (clock.reads + 2, lambda: got.append(p.retrieve()))
        mine = p.retrieve()
        self.assertEqual(len(got), 1)
        return mine, got[0]

    def test_blocking_window_refreshed_before_lock(self):
        clock = FakeClock(T0)
        p, fetch = provider(clock, 3600)
        p.retrieve()
        clock.now = T0 + 3600 - 30
        mine, theirs = self.other_caller_first(clock, p)
        self.assertIs(mine, theirs)
        self.assertEqual((mine.access_key, fetch.calls), ("AK-00002", 2))

    def test_early_window_refreshed_before_lock(self):
        clock = FakeClock(T0)
        p, fetch = provider(clock, 3600)
        p.retrieve()
        clock.now = T0 + 2700 + 1
        mine, theirs = self.other_caller_first(clock, p)
        self.assertIs(mine, theirs)
        self.assertEqual((mine.access_key, fetch.calls), ("AK-00002", 2))

    def test_early_window_failed_before_lock_no_second_try(self):
        clock = FakeClock(T0)
        p, fetch = provider(clock, 3600, RuntimeError("down"), 3600)
        first = p.retrieve()
        clock.now = T0 + 2700 + 1
        with SecretWatch():
            mine, theirs = self.other_caller_first(clock, p)
        self.assertIs(mine, first)
        self.assertIs(theirs, first)
        self.assertEqual(fetch.calls, 2)  # the back-off holds for this caller too


class FailureTest(unittest.TestCase):
    def test_nothing_cached_error_raised(self):
        clock = FakeClock(T0)
        boom = CredentialsError("refused", "Test", "https://sts.example")
        p, fetch = provider(clock, boom, 900)
        with self.assertRaises(CredentialsError) as caught:
            p.retrieve()
        self.assertIs(caught.exception, boom)
        # Failures are not cached: the next call tries again.
        self.assertEqual(p.retrieve().access_key, "AK-00002")
        self.assertEqual(fetch.calls, 2)

    def test_other_exceptions_propagate(self):
        clock = FakeClock(T0)
        p, _ = provider(clock, OSError("disk"))
        with self.assertRaises(OSError):
            p.retrieve()

    def test_not_credentials_is_failure(self):
        for bad in (None, "AK-1:SECRET-1", ("AK", "SECRET"), {"access_key": "AK"}):
            with self.subTest(bad=bad):
                clock = FakeClock(T0)
                p, _ = provider(clock, Raw(bad))
                with self.assertRaises(CredentialsError) as caught:
                    p.retrieve()
                self.assertNotIn("SECRET", str(caught.exception))

    def test_expired_at_fetch_is_failure(self):
        clock = FakeClock(T0)
        for life in (-100.0, 0.0, SKEW - 1, SKEW):
            with self.subTest(life=life):
                p, _ = provider(clock, life)
                with self.assertRaises(CredentialsError) as caught:
                    p.retrieve()
                self.assertIn("expired", str(caught.exception))
        # Just past the skew is valid (and already in the blocking window).
        p, _ = provider(clock, SKEW + 1)
        self.assertEqual(p.retrieve().access_key, "AK-00001")

    def test_expired_at_fetch_keeps_cache_in_early_window(self):
        clock = FakeClock(T0)
        p, fetch = provider(clock, 3600, 0.0, 3600)
        first = p.retrieve()
        clock.now = T0 + 2800
        with SecretWatch() as watch:
            self.assertIs(p.retrieve(), first)
        self.assertEqual(fetch.calls, 2)
        self.assertTrue(any("expired" in t for t in watch.texts), watch.texts)

    def test_early_failure_keeps_cache_and_logs_without_secrets(self):
        clock = FakeClock(T0)
        leak = RuntimeError("bad answer with SECRET-00002 inside")
        p, fetch = provider(clock, 3600, leak, 3600)
        first = p.retrieve()
        clock.now = T0 + 2700
        with SecretWatch() as watch:
            self.assertIs(p.retrieve(), first)
        self.assertEqual(fetch.calls, 2)
        warnings = [r for r in watch.records if r[0] == "minicreds"]
        self.assertEqual(len(warnings), 1, watch.records)
        self.assertEqual(warnings[0][1], "WARNING")
        self.assertIn("RuntimeError", warnings[0][2])
        watch.assert_clean(self, "SECRET-00001", "TOKEN-00001", "SECRET-00002")

    def test_early_failure_waits_jittered_300_to_600(self):
        delays = set()
        for _ in range(12):
            clock = FakeClock(T0)
            # 6 h credentials: early window at -3600 s, blocking at -60 s.
            p, fetch = provider(clock, 21600, RuntimeError("down"), 21600)
            first = p.retrieve()
            clock.now = failed_at = T0 + 21600 - 3600
            with SecretWatch():
                self.assertIs(p.retrieve(), first)
            self.assertEqual(fetch.calls, 2)
            spy = p._lock = SpyLock(p._lock)
            clock.now = failed_at + 299.999
            self.assertIs(p.retrieve(), first)
            self.assertEqual((fetch.calls, spy.acquires), (2, 0))
            step = 0.5
            while fetch.calls == 2 and clock.now < failed_at + 700:
                clock.advance(step)
                p.retrieve()
            delay = clock.now - failed_at
            self.assertGreaterEqual(delay, 300.0)
            self.assertLessEqual(delay, 600.0 + step)
            self.assertEqual(p.retrieve().access_key, "AK-00003")
            delays.add(round(delay))
        self.assertGreater(len(delays), 3, f"no jitter: {sorted(delays)}")

    def test_early_retry_never_past_blocking_window(self):
        # 15-minute credentials: the 5-minute early window is 240 s before the
        # blocking window, less than the shortest back-off.
        clock = FakeClock(T0)
        p, fetch = provider(clock, 900, RuntimeError("down"), 900)
        first = p.retrieve()
        clock.now = T0 + 600
        with SecretWatch():
            self.assertIs(p.retrieve(), first)
        clock.now = T0 + 900 - BLOCK - 0.001
        self.assertIs(p.retrieve(), first)
        self.assertEqual(fetch.calls, 2)
        clock.now = T0 + 900 - BLOCK
        self.assertEqual(p.retrieve().access_key, "AK-00003")
        self.assertEqual(fetch.calls, 3)

    def test_blocking_failure_returns_cache_while_valid(self):
        clock = FakeClock(T0)
        boom = CredentialsError("refused", "Test")
        p, fetch = provider(clock, 3600, boom)
        first = p.retrieve()
        clock.now = T0 + 3600 - 30
        with SecretWatch() as watch:
            self.assertIs(p.retrieve(), first)
            self.assertEqual(fetch.calls, 2)
            # No back-off in the blocking window: every call tries again.
            self.assertIs(p.retrieve(), first)
            self.assertEqual(fetch.calls, 3)
            clock.now = T0 + 3600 - SKEW - 0.001
            self.assertIs(p.retrieve(), first)
            clock.now = T0 + 3600 - SKEW  # expired for Credentials.is_expired()
            with self.assertRaises(CredentialsError) as caught:
                p.retrieve()
        self.assertIs(caught.exception, boom)
        self.assertTrue(watch.records)
        self.assertTrue(all("refused" in t for t in watch.texts), watch.texts)
        watch.assert_clean(self, "SECRET-00001", "TOKEN-00001")

    def test_waiters_share_failure_of_fetch_they_waited_on(self):
        clock = FakeClock(T0)
        boom = CredentialsError("refused", "Test")
        gate = Gate(boom)
        p, fetch = provider(clock, gate, 3600)
        spy = p._lock = SpyLock(p._lock)
        threads, results = run_threads([p.retrieve])
        self.assertTrue(gate.entered.wait(5.0))
        # These arrive while the fetch runs, and queue behind it.
        more, more_results = run_threads([p.retrieve] * 6)
        spy.wait_for(7)
        gate.open.set()
        join_all(threads + more)
        self.assertEqual(fetch.calls, 1)
        for outcome, value in results + more_results:
            self.assertEqual(outcome, "error")
            self.assertIs(value, boom)
        # A caller arriving afterwards starts a new fetch.
        self.assertEqual(p.retrieve().access_key, "AK-00002")

    def test_back_to_back_failures(self):
        clock = FakeClock(T0)
        first_error = CredentialsError("first", "Test")
        second_error = CredentialsError("second", "Test")
        gate1, gate2 = Gate(first_error), Gate(second_error)
        p, fetch = provider(clock, gate1, gate2, 3600)
        spy = p._lock = SpyLock(p._lock)
        threads, results = run_threads([p.retrieve])
        self.assertTrue(gate1.entered.wait(5.0))
        more, more_results = run_threads([p.retrieve] * 4)
        spy.wait_for(5)
        gate1.open.set()
        join_all(threads + more)
        self.assertEqual(fetch.calls, 1)
        self.assertEqual({id(r[1]) for r in results + more_results}, {id(first_error)})
        # Second round: a new fetch, its own waiters, its own error.
        threads, results = run_threads([p.retrieve])
        self.assertTrue(gate2.entered.wait(5.0))
        more, more_results = run_threads([p.retrieve] * 4)
        spy.wait_for(10)
        gate2.open.set()
        join_all(threads + more)
        self.assertEqual(fetch.calls, 2)
        self.assertEqual({id(r[1]) for r in results + more_results}, {id(second_error)})
        self.assertEqual(p.retrieve().access_key, "AK-00003")
        self.assertEqual(fetch.calls, 3)

    def test_waiters_behind_blocking_failure_get_cache(self):
        clock = FakeClock(T0)
        gate = Gate(CredentialsError("refused", "Test"))
        p, fetch = provider(clock, 3600, gate, 3600)
        first = p.retrieve()
        spy = p._lock = SpyLock(p._lock)
        clock.now = T0 + 3600 - 30
        with SecretWatch() as watch:
            threads, results = run_threads([p.retrieve])
            self.assertTrue(gate.entered.wait(5.0))
            more, more_results = run_threads([p.retrieve] * 6)
            spy.wait_for(7)
            gate.open.set()
            join_all(threads + more)
        self.assertEqual(fetch.calls, 2)
        self.assertEqual({r[1] for r in results + more_results}, {first})
        # One failed fetch, one warning (not one per waiter).
        self.assertEqual(len(watch.records), 1, watch.texts)
        self.assertIn("refused", watch.texts[0])

    def test_waiters_behind_short_lived_success_do_not_fetch(self):
        # The fetch returns valid credentials that are already in their blocking
        # window: callers that queued behind it take them rather than fetch again.
        clock = FakeClock(T0)
        gate = Gate(40.0)
        p, fetch = provider(clock, gate, 3600)
        spy = p._lock = SpyLock(p._lock)
        threads, results = run_threads([p.retrieve])
        self.assertTrue(gate.entered.wait(5.0))
        more, more_results = run_threads([p.retrieve] * 6)
        spy.wait_for(7)
        gate.open.set()
        join_all(threads + more)
        self.assertEqual(fetch.calls, 1)
        self.assertEqual(
            {r[1].access_key for r in results + more_results}, {"AK-00001"}
        )

    def test_blocking_failure_after_slow_fetch_does_not_return_expired(self):
        # The fetch fails after the cached credentials expired: raise, do not hand
        # out expired credentials.
        clock = FakeClock(T0)
        boom = CredentialsError("timed out", "Test")

        def slow_failure(n):
            clock.now = T0 + 3600  # the fetch took 50 s
            return boom

        p, _ = provider(clock, 3600, slow_failure)
        p.retrieve()
        clock.now = T0 + 3600 - 50
        with SecretWatch(), self.assertRaises(CredentialsError) as caught:
            p.retrieve()
        self.assertIs(caught.exception, boom)

    def test_early_failure_after_slow_fetch_does_not_return_expired(self):
        clock = FakeClock(T0)
        boom = CredentialsError("timed out", "Test")

        def slow_failure(n):
            clock.now = T0 + 3600 - SKEW  # the fetch took 890 s
            return boom

        p, _ = provider(clock, 3600, slow_failure, 3600)
        p.retrieve()
        clock.now = T0 + 2700
        with SecretWatch(), self.assertRaises(CredentialsError) as caught:
            p.retrieve()
        self.assertIs(caught.exception, boom)
        self.assertEqual(p.retrieve().access_key, "AK-00003")

    def test_born_in_early_window_does_not_refetch_every_call(self):
        # Credentials that arrive already inside their early window (here 200 s of
        # life with a 5-minute window) are not fetched again on every call.
        clock = FakeClock(T0)
        p, fetch = provider(clock, 200.0)
        p.retrieve()
        for _ in range(20):
            clock.advance(5.0)
            p.retrieve()
        self.assertEqual(fetch.calls, 1)
        clock.now = T0 + 200.0 - BLOCK
        self.assertEqual(p.retrieve().access_key, "AK-00002")

    def test_base_exception_is_not_swallowed(self):
        clock = FakeClock(T0)
        p, _ = provider(clock, 3600, KeyboardInterrupt(), 3600)
        p.retrieve()
        clock.now = T0 + 2800
        with self.assertRaises(KeyboardInterrupt):
            p.retrieve()
        # The lock was released.
        self.assertEqual(p.retrieve().access_key, "AK-00003")


class StormTest(unittest.TestCase):
    """64 threads call ``retrieve()`` non-stop while a driver moves the clock.

    What is counted: for each generation the driver holds the clock just before
    the early window, then crosses into one refresh window (the early window, the
    blocking window, or past expiry) and waits. Each crossing must cost exactly one
    successful fetch: once the callers have run on at that time, the count of
    successful fetches equals 1 + crossings (and, without failures, so does the
    count of fetch calls).
    """

    THREADS = 64
    LIFE = 900.0  # 5-minute early window; blocking window 60 s
    # where each kind of crossing puts the clock, in seconds after the fetch
    TARGETS = (("early", 900.0 - 300.0), ("block", 900.0 - 50.0), ("expired", 901.0))

    def setUp(self):
        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(5e-4)  # interleave callers inside retrieve() more often

    def tearDown(self):
        sys.setswitchinterval(self._interval)

    def storm(self, crossings, flaky=False):
        clock = FakeClock(T0)
        cond = threading.Condition()
        fetched = []  # expiry of each successful fetch, in order
        attempts = [0]
        ended = [0]  # attempts whose outcome is known (fetched or failed)
        problems = []

        def fetch():
            with cond:
                attempts[0] += 1
                n = attempts[0]
            time.sleep(0.002)  # let callers pile up behind it
            with cond:
                ended[0] += 1
                cond.notify_all()
                if flaky and n % 2 == 0:  # every other fetch fails
                    if n % 4 == 0:
                        raise CredentialsError("flaky", "Test")
                    raise RuntimeError("flaky SECRET-99999")
                expires = clock.now + self.LIFE
                fetched.append(expires)
                return make_creds(len(fetched), expires)

        p = RefreshingProvider(fetch, clock=clock)
        stop = threading.Event()
        calls = [0] * self.THREADS

        def worker(i):
            last = 0
            deadline = time.monotonic() + 20.0
            while not stop.is_set() and time.monotonic() < deadline:
                for _ in range(100):
                    before = clock.now
                    try:
                        c = p.retrieve()
                    except Exception as exc:  # noqa: BLE001 - what we look for
                        problems.append(f"exception at +{before - T0}: {exc!r}")
                        return
                    gen = int(c.access_key[3:])
                    if c.secret_key != f"SECRET-{gen:05d}" or (
                        c.session_token != f"TOKEN-{gen:05d}"
                    ):
                        problems.append(f"torn credentials {c!r}")
                        return
                    if gen < last:
                        problems.append(f"went back from generation {last} to {gen}")
                        return
                    last = gen
                    if c.expiration.timestamp() - SKEW <= before:
                        problems.append(f"expired credentials at +{before - T0}")
                        return
                calls[i] += 100
                time.sleep(0)  # let the driver in now and then

        def wait_until(predicate, what):
            with cond:
                ok = cond.wait_for(lambda: predicate() or problems, 5.0)
            self.assertTrue(ok, f"timed out waiting for {what}")
            self.assertEqual(problems, [])

        def settle(expected, seconds=0.005):
            # Callers hammer on at a fixed time; no further fetch may start.
            time.sleep(seconds)
            self.assertEqual(problems, [])
            self.assertEqual(len(fetched), expected)

        with SecretWatch() as watch:
            threads = [
                threading.Thread(target=worker, args=(i,), daemon=True)
                for i in range(self.THREADS)
            ]
            for thread in threads:
                thread.start()
            try:
                wait_until(lambda: fetched, "the first fetch")
                settle(1)
                for done, how in enumerate(crossings, 1):
                    born = fetched[-1] - self.LIFE
                    clock.now = born + dict(self.TARGETS)["early"] - 1.0
                    settle(done)
                    tried, known = attempts[0], ended[0]
                    clock.now = born + dict(self.TARGETS)[how]
                    # Its outcome, not only its start: a fetch still in progress
                    # is no failed one.
                    wait_until(lambda k=known: ended[0] > k, f"a fetch ({how})")
                    if how == "early" and len(fetched) == done:
                        # The early refresh failed: no retry during the back-off...
                        settle(done)
                        self.assertEqual(attempts[0], tried + 1)
                        # ...which ends at the blocking window at the latest.
                        clock.now = born + self.LIFE - BLOCK
                    wait_until(
                        lambda d=done: len(fetched) > d,
                        f"generation {done + 1} ({how})",
                    )
                    settle(done + 1)
            finally:
                stop.set()
                join_all(threads, timeout=10.0)
        self.assertEqual(problems, [])
        self.assertEqual(len(fetched), 1 + len(crossings))
        self.assertGreater(min(calls), 0)
        secrets = [f"SECRET-{n:05d}" for n in range(1, len(fetched) + 1)]
        watch.assert_clean(self, "SECRET-99999", *secrets)
        return attempts[0]

    def test_storm(self):
        crossings = ("early", "block", "expired", "early", "block", "expired", "early")
        self.assertEqual(self.storm(crossings), 1 + len(crossings))

    def test_storm_flaky_fetch(self):
        # Every other fetch fails; valid credentials exist at each crossing, so no
        # caller may see an exception.
        crossings = ("early", "block", "early", "block", "early", "block")
        self.assertEqual(self.storm(crossings, flaky=True), 1 + 2 * len(crossings))


if __name__ == "__main__":
    unittest.main()
