"""HTTP fault matrix (issue 10; README, "Failure behaviour").

Every fault in ``FAULTS`` is run against every HTTP provider in ``TARGETS``
(tests/http_targets.py) and must end in its documented outcome: credentials after
the retries the README's "Failure behaviour" allows (connection errors, 5xx, 429,
throttling codes; 3 attempts), or a specific error class, within a generous bound
that only catches a hang. The matrix runs under ``instrumented_http``, so backoff
pauses are recorded and shortened, and the faults that wait for a timeout get
short ones.

Everything listens on 127.0.0.1. The "other host" of the redirect faults is a second
server on another port: it must receive nothing.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import socket
import time
import unittest
from unittest import mock

import minicreds
from minicreds import ConfigError, Credentials, CredentialsError, TransportError
from tests import support
from tests.fakes import NoNetwork
from tests.http_targets import (
    AUTH_TOKEN,
    NOT_APPLICABLE,
    SECRET,
    SECRETS,
    TARGETS,
    S,
    T,
    assume_role_at,
    fails,
    instrumented_http,
    json_bodies,
    ok,
    recording,
)
from tests.support import FakeServer, Response

BOUND = 20.0  # seconds: any case taking longer is a hang
# For faults that wait for a timeout, and for one timeout followed by a retry.
SHORT = {"timeout": 0.2, "connect_timeout": 0.2, "deadline": 0.6}
RETRY_SLOW = {"timeout": 1.0, "connect_timeout": 1.0, "deadline": 8.0}

# --------------------------------------------------------------------------- faults


class Fault:
    """``answers(target, other)``: the responses queued on the credentials path, in
    order (the last repeats); ``endpoint``: ``server`` (a FakeServer), ``blackhole``
    (a listener that never accepts), ``backlog`` (connect times out) or ``refused``
    (a closed port); ``short``: impose short timeouts (True: ``SHORT``, or a dict); ``needs``: body kinds used;
    ``other``: start the second server ("another host")."""

    def __init__(self, name, answers, outcome, *, endpoint="server", short=False,
                 needs=(), other=False):  # fmt: skip
        self.name, self.answers, self.outcome = name, answers, outcome
        self.endpoint, self.short, self.needs = endpoint, short, needs
        self.other = other

    def __repr__(self):
        return self.name


def _redirect(status):
    def answers(target, other):
        return [Response(status, b"", [("Location", other.url + target.path)])]

    return answers


def _over_cap(length):
    def answers(target, other):
        return [support.oversized(2 * support.MiB, content_length=length)]

    return answers


def _b(kind):
    return lambda target, other: [target.body(kind)]


def _seq(*parts):
    """Answers from parts: a body kind (str), a Response or a factory of one."""

    def answers(target, other):
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(target.body(part))
            elif isinstance(part, Response):
                out.append(part)
            else:
                out.append(part())
        return out

    return answers


FAULTS = [
    # Slow and silent endpoints.
    Fault("delay 0.3 s, then answer", lambda t, o: [_delayed(t.body("ok"), 0.3)],
          ok(1)),
    Fault("first answer slower than the timeout, then answer",
          _seq(lambda: Response(200, b"late", delay=3.0), "ok"), ok(2),
          short=RETRY_SLOW),
    Fault("never answers (request read, no reply)", lambda t, o: [support.hang()],
          fails(T, (1, 3)), short=True),
    Fault("listener that never accepts", None, fails(T, 0), endpoint="blackhole",
          short=True),
    Fault("connect times out (full backlog)", None, fails(T, 0), endpoint="backlog",
          short=True),
    Fault("connection refused", None, fails(T, 0), endpoint="refused"),
    # Broken connections.
    Fault("reset before any answer, then answer",
          _seq(lambda: support.reset("before"), "ok"), ok(2)),
    Fault("reset mid-body, then answer",
          _seq(lambda: support.reset("mid_body"), "ok"), ok(2)),
    Fault("reset mid-body every time", lambda t, o: [support.reset("mid_body")],
          fails(T, 3)),
    Fault("truncated body, then answer", _seq(lambda: support.truncated(), "ok"),
          ok(2)),
    Fault("truncated body every time", lambda t, o: [support.truncated()],
          fails(T, 3)),
    # Server errors and throttling.
    Fault("500, 502, then answer", _seq(Response(500), Response(502), "ok"), ok(3)),
    Fault("503, 429, then answer", _seq(Response(503), Response(429), "ok"), ok(3)),
    Fault("500, 502, 503, then answer (too late)",
          _seq(Response(500), Response(502), Response(503), "ok"), fails(T, 3)),
    Fault("503 error document every time", _b("unavailable"),
          fails(S, 3, status=503, code="ServiceUnavailable"), needs=("unavailable",)),
    Fault("throttling code twice, then answer", _seq("throttle", "throttle", "ok"),
          ok(3), needs=("throttle",)),
    Fault("throttling code every time", _b("throttle"),
          fails(S, 3, code="Throttling"), needs=("throttle",)),
    # Answers that are not what was asked for.
    Fault("HTML 502 page every time", lambda t, o: [support.html_error(502)],
          fails(T, 3)),
    Fault("HTML 403 page", lambda t, o: [support.html_error(403)], fails(T, 1)),
    Fault("HTML page with status 200", lambda t, o: [support.html_error(200)],
          fails(T, 1)),
    Fault("404 text", lambda t, o: [Response(404, "no such thing")], fails(T, 1)),
    Fault("empty 200", lambda t, o: [Response(200, b"")], fails(T, 1)),
    Fault("body over 1 MiB (Content-Length)", _over_cap(True), fails(T, 1)),
    Fault("body over 1 MiB (no Content-Length)", _over_cap(False), fails(T, 1)),
    Fault("non-UTF-8 bytes", lambda t, o: [support.non_utf8(200)], fails(T, 1)),
    Fault("gzip when not asked", lambda t, o: [support.gzipped(200, t.body("ok").body)],
          fails(T, 1)),
    Fault("302 to another host", _redirect(302), fails(T, 1, has="302"),
          other=True),
    Fault("307 to another host", _redirect(307), fails(T, 1, has="307"),
          other=True),
    Fault("308 to another host", _redirect(308), fails(T, 1, has="308"),
          other=True),
    Fault("DOCTYPE in the answer", _b("doctype"), fails(T, 1), needs=("doctype",)),
    # Well-formed answers with holes.
    Fault("secret key missing", _b("no-secret"), fails(T, 1)),
    Fault("access key empty", _b("empty-key"), fails(T, 1)),
    Fault("no credentials at all", _b("no-credentials"), fails(T, 1),
          needs=("no-credentials",)),
    Fault("expiration missing", _b("no-expiration"), fails(T, 1)),
    Fault("session token missing", _b("no-token"), fails(T, 1)),
    Fault("fields of the wrong type (JSON)", _b("wrong-types"), fails(T, 1),
          needs=("wrong-types",)),
    Fault("expiration not a date", _b("bad-expiration"), fails(T, 1)),
    Fault("expiration in the past", _b("past"),
          fails(CredentialsError, 1, has="expired")),
    # Refusals.
    Fault("refused (403 error document)", _b("refused"),
          fails(S, 1, status=403, code="AccessDenied")),
    Fault("error document with status 200", _b("refused-200"), fails(S, 1, status=200),
          needs=("refused-200",)),
    Fault("error document without a namespace", _b("refused-no-ns"),
          fails(S, 1, status=403, code="AccessDenied"), needs=("refused-no-ns",)),
]  # fmt: skip


def _delayed(response, seconds):
    response.delay = seconds
    return response


# --------------------------------------------------------------------------- runner


class Result:
    def __init__(self):
        self.creds = self.error = None
        self.seconds = 0.0
        self.requests = 0
        self.other_requests = []
        self.pauses = []
        self.calls = []
        self.skipped = ""
        self.crash = None


def run_case(target, fault):
    """Run one fault against one target in this thread; never raises."""
    result = Result()
    for kind in fault.needs:
        if target.body(kind) is None:
            result.skipped = f"{target.name} has no {kind!r} answer"
            return result
    try:
        with contextlib.ExitStack() as stack:
            other = FakeServer()  # the "other host" of the redirect faults
            if fault.other:
                stack.enter_context(other)
            server = None
            scheme = "https" if target.tls else "http"
            if fault.endpoint == "server":
                server = FakeServer(tls=target.tls, require_client_cert=target.tls)
                stack.enter_context(server)
                if target.routes:
                    target.routes(server)
                answers = fault.answers(target, other)
                server.route(target.method, target.path, *answers)
                base = server.url
            elif fault.endpoint == "refused":
                base = f"{scheme}://127.0.0.1:{support.free_port()}"
            else:
                maker = (
                    support.blackhole
                    if fault.endpoint == "blackhole"
                    else (support.full_backlog)
                )
                addr = stack.enter_context(maker())
                base = f"{scheme}://{addr.host}:{addr.port}"
            short = SHORT if fault.short is True else fault.short or None
            provider = target.make(base, None if target.shorten else short)
            overrides = short if short and target.shorten else None
            with recording(result.pauses, result.calls, overrides):
                start = time.monotonic()
                try:
                    result.creds = provider.retrieve()
                except Exception as exc:  # noqa: BLE001 - kept for the assertions
                    result.error = exc
                result.seconds = time.monotonic() - start
            if server is not None:
                result.requests = target.count(server)
            result.other_requests = list(other.requests)
    except Exception as exc:  # noqa: BLE001 - a bug in the harness
        result.crash = exc
    return result


def run_matrix(targets, faults, workers=16):
    cases = [(t, f) for t in targets for f in faults]
    slow = [c for c in cases if c[1].short]  # the waits overlap: start them first
    order = slow + [c for c in cases if not c[1].short]
    with instrumented_http(), concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = {c: pool.submit(run_case, *c) for c in order}
        return [(t, f, futures[t, f].result(timeout=120)) for t, f in cases]


class MatrixCase(unittest.TestCase):
    """Asserts one matrix result against its documented outcome."""

    def check(self, target, fault, result):
        expected = target.expect.get(fault.name, fault.outcome)
        if target.degrades and fault.endpoint == "server":
            expected = ok(expected.requests)
        if result.crash is not None:
            self.fail(f"harness error: {result.crash!r}")
        self.assertLess(result.seconds, BOUND, "took too long: a hang")
        self.assertEqual(result.other_requests, [], "the other host was contacted")
        for secret in SECRETS:
            for text in support.exception_texts(result.error) if result.error else ():
                self.assertNotIn(secret, text)
        low, high = (
            expected.requests
            if isinstance(expected.requests, tuple)
            else (expected.requests,) * 2
        )
        if expected.none:
            self.assertIsNone(result.error)
            self.assertIsNone(result.creds)
        elif expected.error is None:
            if result.error is not None:
                self.fail(f"expected credentials, got {result.error!r}")
            want = expected.creds or target.expected
            got = result.creds
            self.assertIsInstance(got, Credentials)
            self.assertEqual(
                (got.access_key, got.secret_key, got.session_token),
                (want.access_key, want.secret_key, want.session_token),
            )
            if expected.expires:  # the answer's expiration, in the future
                self.assertIsNotNone(got.expiration)
                self.assertFalse(got.is_expired())
            else:
                self.assertIsNone(got.expiration)
        else:
            self.assertIsNone(result.creds, "expected an error, got credentials")
            self.assertIsNotNone(result.error, "expected an error")
            if issubclass(expected.error, CredentialsError) and expected.error is not (
                CredentialsError
            ):
                self.assertIs(type(result.error), expected.error, repr(result.error))
            else:
                self.assertIsInstance(result.error, expected.error)
            message = str(result.error)
            self.assertIn(expected.has, message)
            if expected.status is not None:
                self.assertEqual(result.error.status, expected.status)
            if expected.code is not None:
                self.assertEqual(result.error.code, expected.code)
        if not (low <= result.requests <= high):
            self.fail(f"{result.requests} requests, expected {low} to {high}")
        # Backoff: a pause before each retry, none after the last attempt, each
        # jittered within the bounds of README, "Failure behaviour" (here at most 2 s).
        calls = max(1, len(result.calls))  # HTTP exchanges (a renewal, then a call)
        self.assertLessEqual(len(result.pauses), (target.attempts - 1) * calls)
        for pause in result.pauses:
            self.assertTrue(0 <= pause <= 2.0, pause)


class FaultMatrixTest(MatrixCase):
    """Every fault against every HTTP provider."""

    results = None

    @classmethod
    def setUpClass(cls):
        support.certs()  # made once, before the pool starts
        with support.SecretWatch() as cls.watch:  # the warnings, kept for a check
            cls.results = run_matrix(TARGETS, FAULTS)

    @classmethod
    def tearDownClass(cls):
        # Python 3.12.1 crashes in its final garbage collection when these results
        # (exceptions holding the pool threads' frames) live until shutdown.
        cls.results = cls.watch = None
        gc.collect()

    def test_logs_hold_no_secret(self):
        self.assertTrue(self.watch.records)  # e.g. the failed renewals' warnings
        self.watch.assert_clean(self, *SECRETS)

    def test_every_fault_against_every_provider(self):
        for target, fault, result in self.results:
            with self.subTest(provider=target.name, fault=fault.name):
                if not result.skipped:
                    self.check(target, fault, result)

    def test_only_faults_foreign_to_a_format_are_left_out(self):
        for target in TARGETS:
            with self.subTest(provider=target.name):
                skipped = {
                    f.name for t, f, r in self.results if t is target and r.skipped
                }
                self.assertEqual(skipped, NOT_APPLICABLE[target.family])

    def test_matrix_covers_every_provider_and_fault(self):
        self.assertEqual(len(self.results), len(TARGETS) * len(FAULTS))
        names = [t.name for t in TARGETS]
        self.assertEqual(len(set(names)), len(names))

    def test_providers_ask_for_the_documented_attempts_and_deadline(self):
        # The wrapper saw each provider's own arguments before any shortening.
        for target, fault, result in self.results:
            if fault.name != "500, 502, then answer":
                continue
            with self.subTest(provider=target.name):
                self.assertTrue(result.calls)
                for call in result.calls:
                    self.assertLessEqual(call["attempts"], target.attempts)
                    self.assertLessEqual(call["deadline"], target.deadline)

    def test_retries_pause_with_backoff(self):
        for target, fault, result in self.results:
            if fault.name != "500, 502, then answer" or not target.shorten:
                continue
            with self.subTest(provider=target.name):
                self.assertEqual(len(result.pauses), 2, result.pauses)


# --------------------------------------------------------------------------- redirects


class RedirectTest(unittest.TestCase):
    """No 3xx is ever followed, so no credential, token or header travels on."""

    def test_no_redirect_status_is_followed_with_credentials(self):
        with FakeServer() as other, FakeServer() as sts:
            for status in (301, 302, 303, 307, 308):
                for location in (
                    f"http://localhost:{other.port}/",
                    f"{other.url}/",
                    f"//127.0.0.1:{other.port}/",
                    "/elsewhere",
                ):
                    with self.subTest(status=status, location=location):
                        sts.reset_routes()
                        sts.route(
                            "*", "*", Response(status, b"", [("Location", location)])
                        )
                        provider = assume_role_at(sts.url)
                        with self.assertRaises(TransportError) as caught:
                            provider.retrieve()
                        self.assertIn(str(status), str(caught.exception))
                        self.assertEqual(len(sts.requests), 1)
                        self.assertEqual(other.requests, [])
            self.assertEqual(other.requests, [])


class ContainerAllowListTest(unittest.TestCase):
    """README, "Failure behaviour": over http, the full URI's host must be an exact IP
    literal in
    127.0.0.0/8 or ::1, 169.254.170.2, 169.254.170.23, fd00:ec2::23, or the name
    ``localhost``. Everything else is refused before any lookup or connection, and
    the authorization token goes nowhere."""

    BYPASSES = (
        # Names, including ones that resolve to loopback in public DNS.
        "http://localtest.me:{port}/",
        "http://127.0.0.1.nip.io:{port}/",
        "http://localhost.:{port}/",
        "http://localhost.localdomain:{port}/",
        # Odd IPv4 spellings that inet_aton (and so a connect()) would accept.
        "http://127.1:{port}/",
        "http://0x7f.1:{port}/",
        "http://0x7f000001:{port}/",
        "http://2130706433:{port}/",
        "http://0177.0.0.1:{port}/",
        "http://127.000.000.001:{port}/",
        "http://0251.0376.0252.02/",
        "http://169.254.43518/",
        # IPv6 forms that embed an allowed IPv4 address.
        "http://[::ffff:169.254.170.2]/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://[::ffff:7f00:1]:{port}/",
        "http://[0:0:0:0:0:ffff:a9fe:aa02]/",
        "http://[::127.0.0.1]:{port}/",
        "http://[64:ff9b::7f00:1]:{port}/",
        "http://[::1%25lo]:{port}/",
        # Userinfo and delimiter tricks: the real host is not an allowed one.
        "http://127.0.0.1@evil.example/",
        "http://127.0.0.1:{port}@evil.example/",
        "http://169.254.170.2@evil.example/",
        "http://localhost@evil.example/",
        "http://user:pw@127.0.0.1:{port}/",
        "http://127.0.0.1%2f@evil.example/",
        "http://127.0.0.1\\@evil.example/",
        "http://evil.example\\@127.0.0.1:{port}/",
        "http://evil.example?@127.0.0.1:{port}/",
        "http://127.0.0.1.evil.example/",
    )

    def test_bypasses_are_refused_before_any_lookup_or_connection(self):
        with FakeServer() as server:
            for template in self.BYPASSES:
                url = template.format(port=server.port)
                with self.subTest(url=url):
                    provider = minicreds.ContainerProvider(
                        environ={
                            "AWS_CONTAINER_CREDENTIALS_FULL_URI": url,
                            "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH_TOKEN,
                        }
                    )
                    with NoNetwork() as net, self.assertRaises(CredentialsError) as c:
                        provider.retrieve()
                    self.assertEqual(net.calls, [])
                    self.assertIsInstance(c.exception, ConfigError)
                    for text in support.exception_texts(c.exception):
                        self.assertNotIn(AUTH_TOKEN, text)
            self.assertEqual(server.requests, [])

    def test_the_allowed_spellings_reach_the_endpoint(self):
        body = json_bodies(code=False)("ok")
        for host in ("127.0.0.1", "localhost", "LOCALHOST"):
            with self.subTest(host=host), FakeServer() as server:
                server.route("GET", "/creds", body)
                url = f"http://{host}:{server.port}/creds"
                provider = minicreds.ContainerProvider(
                    environ={
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI": url,
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH_TOKEN,
                    }
                )
                self.assertEqual(provider.retrieve().secret_key, SECRET)
                self.assertEqual(
                    server.requests[0].headers["Authorization"], AUTH_TOKEN
                )


class SocketHygieneTest(unittest.TestCase):
    """No exchange, however it fails, leaves its socket open: a provider keeps its
    last failure, and with it the frames of the exchange that failed."""

    def test_every_fault_closes_its_socket(self):
        target = TARGETS[2]  # ClientGrants: unsigned, plain http
        faults = [f for f in FAULTS if f.endpoint == "server" and not f.short]
        made = []
        real = socket.create_connection

        def recording(*args, **kwargs):
            sock = real(*args, **kwargs)
            made.append(sock)
            return sock

        patch = mock.patch.object(socket, "create_connection", recording)
        with patch, support.SecretWatch():  # the watch keeps the run quiet
            results = run_matrix([target], faults)
        self.assertEqual([r.crash for _, _, r in results if r.crash], [])
        self.assertGreater(len(made), len(faults))
        # The errors (and their tracebacks) are still alive here, on purpose.
        still_open = [s for s in made if s.fileno() != -1]
        self.assertEqual(still_open, [])
        self.assertTrue(any(r.error for _, _, r in results))


class HttpDefaultsTest(unittest.TestCase):
    def test_http_helper_defaults(self):
        # README, "Failure behaviour": 3 attempts, a 10 s overall deadline, a 1 MiB cap.
        defaults = minicreds._http.__kwdefaults__
        self.assertEqual(defaults["attempts"], 3)
        self.assertEqual(defaults["deadline"], 10.0)
        self.assertEqual(minicreds._MAX_BODY, 1 << 20)


if __name__ == "__main__":
    unittest.main()
