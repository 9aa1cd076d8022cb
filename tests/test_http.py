"""The internal HTTP helper (README, "Failure behaviour"): retries, backoff, deadline,
size cap, redirects, TLS verification and proxies. Every server is on 127.0.0.1."""

import base64
import contextlib
import os
import select
import shutil
import socket
import socketserver
import ssl
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
from unittest import mock

import minicreds
from tests import support
from tests.support import FakeServer, Response

QUERY_SECRET = "QuErYsEcReT-token/with+chars"
MiB = 1 << 20
REAL_DEFAULT_CONTEXT = ssl.create_default_context
REAL_VERIFY_PATHS = ssl.get_default_verify_paths


def call(url, method="GET", **kw):
    """``_http`` with short budgets and no proxy from the real environment."""
    kw.setdefault("timeout", 2.0)
    kw.setdefault("deadline", 6.0)
    kw.setdefault("environ", {})
    return minicreds._http("TestProvider", method, url, **kw)


class Recorder:
    """Patches time.sleep and random.uniform to record the backoff (no real waits)."""

    def __init__(self):
        self.bounds, self.sleeps = [], []

    def uniform(self, low, high):
        self.bounds.append((low, high))
        return high

    def __enter__(self):
        self._patches = [
            mock.patch("random.uniform", self.uniform),
            mock.patch("time.sleep", self.sleeps.append),
        ]
        for p in self._patches:
            p.start()
        return self

    def __exit__(self, *exc):
        for p in self._patches:
            p.stop()


def failing(case, url, error=minicreds.TransportError, **kw):
    """``call`` that must raise ``error``: returns (the exception, its Recorder)."""
    with Recorder() as rec, case.assertRaises(error) as cm:
        call(url, **kw)
    return cm.exception, rec


class DripServer:
    """Answers every connection by sending ``head`` then ``body`` one byte every
    ``pause`` seconds: each read succeeds, so only an overall deadline stops it."""

    def __init__(self, head, body=b"", pause=0.2):
        self.head, self.body, self.pause = head, body, pause
        self.stopping = threading.Event()
        self.sock = socket.socket()
        self.sock.bind((support.HOST, 0))
        self.sock.listen(8)
        self.url = "http://{}:{}/drip".format(*self.sock.getsockname())
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn):
        with conn:
            try:
                conn.recv(65536)
                data = self.head + self.body
                for i in range(len(data)):
                    if self.stopping.wait(self.pause if i >= len(self.head) else 0):
                        return
                    conn.sendall(data[i : i + 1])
            except OSError:
                return

    def stop(self):
        self.stopping.set()
        self.sock.close()


class ConnectProxy(socketserver.ThreadingTCPServer):
    """A small HTTPS proxy (CONNECT only) on 127.0.0.1 that records each CONNECT."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.connects = []  # (target, headers as a lower-case dict)
        super().__init__((support.HOST, 0), _ConnectHandler)
        self.url = "http://{}:{}".format(*self.server_address)
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self):
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address):  # a client that hangs up
        pass


class _ConnectHandler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline().decode("latin-1").split()
        headers = {}
        while True:
            h = self.rfile.readline().decode("latin-1").strip()
            if not h:
                break
            name, _, value = h.partition(":")
            headers[name.strip().lower()] = value.strip()
        self.server.connects.append((line[1], headers))
        if line[0] != "CONNECT":
            self.wfile.write(
                b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"
            )
            return
        host, _, port = line[1].rpartition(":")
        with socket.create_connection((host, int(port)), timeout=5) as upstream:
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            pending = self.rfile.peek() if hasattr(self.rfile, "peek") else b""
            if pending:
                upstream.sendall(self.rfile.read(len(pending)))
            socks = [self.connection, upstream]
            while True:
                ready, _, _ = select.select(socks, [], [], 5)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (upstream if s is self.connection else self.connection).sendall(
                        data
                    )


class HttpBasics(unittest.TestCase):
    def setUp(self):
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)

    def test_answer_returned(self):
        self.server.route("POST", "/x", Response(201, b"hello", {"X-Thing": "1"}))
        status, headers, body = call(
            self.server.url + "/x?a=1", "POST", headers={"X-Req": "v"}, body=b"data"
        )
        self.assertEqual((status, body, headers["x-thing"]), (201, b"hello", "1"))
        req = self.server.requests[0]
        self.assertEqual(
            (req.path, req.body, req.headers["X-Req"]), ("/x?a=1", b"data", "v")
        )

    def test_5xx_retried_then_success(self):
        self.server.route("GET", "/x", 503, 500, (200, b"ok"))
        with Recorder() as rec:
            status, _, body = call(self.server.url + "/x")
        self.assertEqual((status, body), (200, b"ok"))
        self.assertEqual(len(self.server.requests), 3)
        self.assertEqual(len(rec.sleeps), 2)

    def test_5xx_given_up_after_attempts(self):
        self.server.route("GET", "/x", (502, b"bad gateway"))
        for attempts in (1, 2, 3):
            self.server.reset_routes()
            self.server.route("GET", "/x", (502, b"bad gateway"))
            with Recorder() as rec:
                status, _, body = call(self.server.url + "/x", attempts=attempts)
            self.assertEqual((status, body), (502, b"bad gateway"))
            self.assertEqual(len(self.server.requests), attempts)
            self.assertEqual(len(rec.sleeps), attempts - 1)

    def test_429_retried(self):
        self.server.route("GET", "/x", 429, (200, b"ok"))
        with Recorder():
            self.assertEqual(call(self.server.url + "/x")[0], 200)
        self.assertEqual(len(self.server.requests), 2)

    def test_throttling_code_retried_only_when_asked(self):
        throttled = (400, b"<ErrorResponse><Error><Code>Throttling</Code></Error>")
        self.server.route("GET", "/x", throttled, (200, b"ok"))
        with Recorder():
            self.assertEqual(call(self.server.url + "/x")[0], 400)
        self.assertEqual(len(self.server.requests), 1)
        self.server.reset_routes()
        self.server.route("GET", "/x", throttled, (200, b"ok"))
        with Recorder():
            got = call(self.server.url + "/x", retry_codes=minicreds._THROTTLE_CODES)
        self.assertEqual(got[0], 200)
        self.assertEqual(len(self.server.requests), 2)

    def test_4xx_not_retried(self):
        for status in (400, 401, 403, 404):
            self.server.reset_routes()
            self.server.route("GET", "/x", (status, b"<Code>AccessDenied</Code>"))
            with Recorder():
                got = call(
                    self.server.url + "/x", retry_codes=minicreds._THROTTLE_CODES
                )
            self.assertEqual(got[0], status)
            self.assertEqual(len(self.server.requests), 1)

    def test_reset_connection_retried(self):
        self.server.route("GET", "/x", support.reset("before"), (200, b"ok"))
        with Recorder():
            self.assertEqual(call(self.server.url + "/x")[2], b"ok")
        self.assertEqual(len(self.server.requests), 2)

    def test_truncated_answer_is_an_error(self):
        self.server.route("GET", "/x", support.truncated(body=b"<a>", missing=50))
        with Recorder(), self.assertRaises(minicreds.TransportError) as cm:
            call(self.server.url + "/x")
        self.assertIn("truncated", str(cm.exception))
        self.assertLessEqual(len(self.server.requests), 3)

    def test_backoff_is_full_jitter_exponential_and_bounded(self):
        self.server.route("GET", "/x", 503)
        with Recorder() as rec:
            call(self.server.url + "/x", attempts=8, deadline=60)
        self.assertEqual(len(rec.sleeps), 7)
        self.assertTrue(all(low == 0 for low, _ in rec.bounds), rec.bounds)
        highs = [high for _, high in rec.bounds]
        self.assertEqual(highs, sorted(highs))
        self.assertLess(highs[0], highs[2])  # it grows
        self.assertLessEqual(max(highs), 5.0)  # and is capped
        # The default three attempts give up on a 5xx well within 5 s (README,
        # "Failure behaviour").
        self.server.reset_routes()
        self.server.route("GET", "/x", 503)
        with Recorder() as rec:
            call(self.server.url + "/x", deadline=10)
        self.assertLess(sum(high for _, high in rec.bounds), 5.0)

    def test_real_backoff_sleeps_are_short(self):
        self.server.route("GET", "/x", 500)
        start = time.monotonic()
        call(self.server.url + "/x")
        self.assertLess(time.monotonic() - start, 5.0)  # generous: stops a hang only


class Ipv6Literals(unittest.TestCase):
    """A bracketed IPv6 literal without a port (IMDS's ``http://[fd00:ec2::254]``,
    EKS Pod Identity's ``http://[fd00:ec2::23]``) is dialled at the scheme's port:
    http.client, given the bare literal and no port, would read its last group as
    the port."""

    def setUp(self):
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)
        self.server.route("GET", "/x", (200, b"ok"))
        self.fake = (support.HOST, self.server.port)

    def test_literal_without_port_dials_port_80(self):
        with support.dial_only(("fd00:ec2::254", 80), self.fake) as dialled:
            status, _, body = call("http://[fd00:ec2::254]/x", attempts=1)
        self.assertEqual((status, body), (200, b"ok"))
        self.assertEqual(dialled, [("fd00:ec2::254", 80)])
        self.assertEqual(self.server.requests[0].headers["Host"], "[fd00:ec2::254]")

    def test_literal_with_port(self):
        where = ("fd00:ec2::254", 8080)
        with support.dial_only(where, self.fake) as dialled:
            status, _, _ = call("http://[fd00:ec2::254]:8080/x", attempts=1)
        self.assertEqual((status, dialled), (200, [where]))

    def test_https_literal_without_port_dials_port_443(self):
        with support.dial_only(("::1", 443), self.fake) as dialled:
            with self.assertRaises(minicreds.TransportError):  # a plain-http fake
                call("https://[::1]/x", attempts=1)
        self.assertEqual(dialled, [("::1", 443)])


class Errors(unittest.TestCase):
    def test_refused_connection(self):
        port = support.free_port()
        url = f"http://user:pw-SECRET@127.0.0.1:{port}/path?X-Amz-Security-Token={QUERY_SECRET}"
        exc, rec = failing(self, url)
        self.assertIsInstance(exc, minicreds.CredentialsError)
        self.assertEqual(exc.kind, "connect")
        self.assertEqual(exc.url, f"http://127.0.0.1:{port}/path")
        self.assertIn("TestProvider", str(exc))
        self.assertIn("/path", str(exc))
        self.assertEqual(len(rec.sleeps), 2)  # retried: 3 attempts
        for text in support.exception_texts(exc):
            self.assertNotIn(QUERY_SECRET, text)
            self.assertNotIn("pw-SECRET", text)
            self.assertNotIn("X-Amz-Security-Token", text)

    def test_not_http(self):
        for url in (
            "ftp://127.0.0.1/x",
            "file:///etc/passwd",
            "127.0.0.1:80",
            "http:///x",
        ):
            with self.assertRaises(minicreds.ConfigError, msg=url):
                call(url)

    def test_connect_timeout(self):
        try:
            ctx = support.full_backlog()
            addr = ctx.__enter__()
        except RuntimeError as exc:
            self.skipTest(str(exc))
        self.addCleanup(ctx.__exit__, None, None, None)
        start = time.monotonic()
        with self.assertRaises(minicreds.TransportError) as cm:
            call(addr.url + "/", connect_timeout=0.2, timeout=2, deadline=0.5)
        self.assertEqual(cm.exception.kind, "connect")
        self.assertIn("timed out", str(cm.exception))
        self.assertLess(time.monotonic() - start, 4.0)

    def test_read_timeout_and_deadline(self):
        with FakeServer() as server:
            server.route("GET", "/x", support.hang())
            start = time.monotonic()
            with self.assertRaises(minicreds.TransportError) as cm:
                call(server.url + "/x", timeout=0.2, deadline=0.5)
            elapsed = time.monotonic() - start
        self.assertEqual(cm.exception.kind, "read")
        self.assertIn("timed out", str(cm.exception))
        self.assertLessEqual(len(server.requests), 3)
        self.assertLess(elapsed, 3.0)  # the deadline, plus slack for a busy machine

    def test_blackhole(self):
        with support.blackhole() as addr:
            failing(self, addr.url + "/", timeout=0.2, deadline=0.5)

    def test_deadline_holds_against_a_body_that_drips(self):
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n"
        server = DripServer(head, b"x" * 60, pause=0.1)  # 6 s to send in all
        self.addCleanup(server.stop)
        start = time.monotonic()
        with self.assertRaises(minicreds.TransportError) as cm:
            call(server.url, timeout=0.4, deadline=0.6)
        self.assertLess(time.monotonic() - start, 3.0)
        self.assertIn("timed out", str(cm.exception))

    def test_deadline_holds_when_the_answer_closes_the_connection(self):
        # http.client gives the socket to the response and forgets it when the
        # answer says "Connection: close": the watchdog must still reach it.
        head = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 60\r\n\r\n"
        server = DripServer(head, b"x" * 60, pause=0.1)  # 6 s to send in all
        self.addCleanup(server.stop)
        with self.assertRaises(minicreds.TransportError) as cm:
            call(server.url, timeout=0.4, deadline=0.6, attempts=1)
        self.assertIn("timed out (deadline)", str(cm.exception))

    def test_deadline_holds_against_headers_that_drip(self):
        head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 60 + b"\r\n\r\n"
        server = DripServer(b"", head, pause=0.1)
        self.addCleanup(server.stop)
        start = time.monotonic()
        with self.assertRaises(minicreds.TransportError):
            call(server.url, timeout=0.4, deadline=0.6)
        self.assertLess(time.monotonic() - start, 3.0)


class BadInput(unittest.TestCase):
    """What the helper refuses before connecting: a ConfigError naming the URL
    (without userinfo or query) or the variable, never a value."""

    def setUp(self):
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)
        self.server.route("*", "*", (200, b"ok"))

    def test_header_values_http_client_would_quote(self):
        secret = "hdr-secret-Xy7Wq2"
        for value in (
            f"{secret}\n",  # a token read with its line end
            f"{secret}\npart two",  # wrapped onto two lines (configparser joins)
            f"{secret}\r\nX-Injected: 1",
            f"{secret}\x00",
            f"{secret}\x1b[2J",
            f"{secret}\u20ac",  # outside Latin-1
        ):
            with self.subTest(value=value):
                with self.assertRaises(minicreds.ConfigError) as cm:
                    call(
                        self.server.url + "/x", headers={"X-Amz-Security-Token": value}
                    )
                self.assertIn("X-Amz-Security-Token", str(cm.exception))
                self.assertEqual(cm.exception.source, self.server.url + "/x")
                for text in support.exception_texts(cm.exception):
                    self.assertNotIn(secret, text)
        self.assertEqual(self.server.requests, [])

    def test_header_values_that_are_sent(self):
        for value in ("plain", "tab\tinside", "caf\u00e9", "a b  c"):
            with self.subTest(value=value):
                got = call(self.server.url + "/x", headers={"X-Test": value})
                self.assertEqual(got[0], 200)
        sent = [r.headers["X-Test"] for r in self.server.requests]
        self.assertEqual(sent[:2], ["plain", "tab\tinside"])

    def test_bad_urls(self):
        for url in (
            "http://user:pw-SECRET@127.0.0.1:99999/p?token=q-SECRET",
            "http://127.0.0.1:port/p",
            "http://[::1/p?token=q-SECRET",
            "http://user:pw-SECRET@[::1:80/p#q-SECRET",
        ):
            with self.subTest(url=url):
                with self.assertRaises(minicreds.ConfigError) as cm:
                    call(url)
                self.assertIn("TestProvider", str(cm.exception))
                self.assertIn("/p", cm.exception.source)
                for text in support.exception_texts(cm.exception):
                    self.assertNotIn("SECRET", text)

    def test_bad_proxy_variables(self):
        url = self.server.url + "/x"
        for variable, proxy in (
            ("HTTP_PROXY", "http://user:pw-SECRET@127.0.0.1:99999"),
            ("http_proxy", "http://[::1"),
            ("HTTP_PROXY", "127.0.0.1:port"),
        ):
            with self.subTest(variable=variable, proxy=proxy):
                with self.assertRaises(minicreds.ConfigError) as cm:
                    call(url, environ={variable: proxy})
                self.assertEqual(cm.exception.source, variable)
                for text in support.exception_texts(cm.exception):
                    self.assertNotIn("SECRET", text)
        system = "http://user:pw-SECRET@[::1"  # from the macOS or Windows settings
        with support.env(), mock.patch.object(
            minicreds, "_system_proxy", return_value=system
        ), self.assertRaises(minicreds.ConfigError) as cm:
            minicreds._http("TestProvider", "GET", url, timeout=2.0, deadline=6.0)
        self.assertEqual(cm.exception.source, "the system proxy settings")
        self.assertNotIn("SECRET", str(cm.exception))
        self.assertEqual(self.server.requests, [])


class SizeCap(unittest.TestCase):
    def setUp(self):
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)

    def test_body_over_the_cap_refused_and_not_retried(self):
        for content_length in (True, False):
            with self.subTest(content_length=content_length):
                self.server.reset_routes()
                self.server.route(
                    "GET",
                    "/x",
                    support.oversized(2 * MiB, content_length=content_length),
                )
                exc, _ = failing(self, self.server.url + "/x")
                self.assertIn("1 MiB", str(exc))
                self.assertEqual(len(self.server.requests), 1)

    def test_body_at_the_cap_accepted(self):
        self.server.route("GET", "/x", (200, b"A" * MiB))
        self.assertEqual(len(call(self.server.url + "/x")[2]), MiB)
        self.server.route("GET", "/x", (200, b"A" * (MiB + 1)))
        with self.assertRaises(minicreds.TransportError):
            call(self.server.url + "/x", attempts=1)


class Redirects(unittest.TestCase):
    def test_redirect_refused_and_never_followed(self):
        with FakeServer() as here, FakeServer() as other:
            other.route("*", "*", (200, b"followed"))
            for status in (301, 302, 303, 307, 308):
                here.reset_routes()
                here.route(
                    "*", "/start", support.redirect(other.url + "/stolen", status)
                )
                for method, body in (("GET", None), ("POST", b"Token=secret")):
                    with self.subTest(status=status, method=method):
                        exc, rec = failing(
                            self,
                            here.url + "/start?q=" + QUERY_SECRET,
                            method=method,
                            body=body,
                            headers={"Authorization": "AWS4 x"},
                        )
                        self.assertIn(str(status), str(exc))
                        self.assertIn("redirect", str(exc))
                        self.assertNotIn(QUERY_SECRET, str(exc))
                        self.assertEqual(rec.sleeps, [])  # not retried
                        self.assertEqual(other.requests, [])
                        self.assertEqual(here.requests[-1].path_only, "/start")
                self.assertEqual(len(here.requests), 2)  # one GET, one POST


class Tls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = support.certs()

    def serve(self, **kw):
        server = FakeServer(tls=True, **kw).start()
        self.addCleanup(server.stop)
        server.route("GET", "/x", (200, b"secure"))
        return server

    def test_test_ca_via_ca_file(self):
        server = self.serve()
        self.assertEqual(
            call(server.url + "/x", ca_file=self.certs["ca"])[2], b"secure"
        )

    def test_unknown_ca_refused(self):
        server = self.serve()
        for ca_file in (None, self.certs["other_ca"]):
            with self.subTest(ca_file=ca_file):
                exc, rec = failing(self, server.url + "/x", ca_file=ca_file)
                self.assertIn("certificate_verify_failed", str(exc).lower())
                self.assertEqual(rec.sleeps, [])  # a verification failure: no retry
        self.assertEqual(server.requests, [])

    def test_wrong_host_refused(self):
        c = self.certs
        server = self.serve(cert=(c["wrong_host_cert"], c["wrong_host_key"]))
        with self.assertRaises(minicreds.TransportError):
            call(server.url + "/x", ca_file=c["ca"], attempts=1)
        self.assertEqual(server.requests, [])

    def test_client_certificate(self):
        c = self.certs
        server = self.serve(require_client_cert=True)
        got = call(
            server.url + "/x", ca_file=c["ca"], cert=(c["client_cert"], c["client_key"])
        )
        self.assertEqual(got[2], b"secure")
        self.assertEqual(
            server.requests[0].client_subject, "commonName=minicreds test client"
        )


class StrictVerification(unittest.TestCase):
    """Python 3.13 verifies certificates strictly (VERIFY_X509_STRICT): a refusal for
    that reason says so, and how to fix the certificate."""

    @unittest.skipIf(sys.version_info < (3, 13), "strict by default from Python 3.13")
    @unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
    def test_ca_without_critical_basic_constraints(self):
        tmp = tempfile.mkdtemp(prefix="minicreds-lenient-")
        self.addCleanup(shutil.rmtree, tmp, True)
        lenient = support.make_certs(tmp, ca_section="lenient_ca")
        cert = (lenient["server_cert"], lenient["server_key"])
        server = FakeServer(tls=True, cert=cert, ca=lenient["ca"]).start()
        self.addCleanup(server.stop)
        with Recorder() as rec, self.assertRaises(minicreds.TransportError) as cm:
            call(server.url + "/x", ca_file=lenient["ca"])
        self.assert_explained(str(cm.exception))
        self.assertEqual((server.requests, rec.sleeps), ([], []))

    def test_advice_follows_openssl_strict_codes_only(self):
        # OpenSSL 3 reports the strict checks of RFC 5280 with codes 78-94 (89: a CA
        # whose basicConstraints is not critical); other refusals get no advice.
        for code, explained in ((89, True), (78, True), (94, True), (20, False)):
            with self.subTest(code=code):
                exc = ssl.SSLCertVerificationError(1, "certificate verify failed")
                exc.verify_code = code
                text = minicreds._tls_refusal(exc)
                self.assertIn("certificate verify failed", text)
                if explained:
                    self.assert_explained(text)
                else:
                    self.assertNotIn("VERIFY_X509_STRICT", text)

    def assert_explained(self, text):
        for part in ("VERIFY_X509_STRICT", "basicConstraints=critical,CA:TRUE"):
            self.assertIn(part, text)


def _empty_default_store(purpose=None, *, cafile=None, capath=None, cadata=None):
    """``ssl.create_default_context`` of a python.org macOS build before its "Install
    Certificates.command" is run, or of a minimal container: no CA in the store."""
    if cafile or capath or cadata:
        return REAL_DEFAULT_CONTEXT(cafile=cafile, capath=capath, cadata=cadata)
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, loads no CA


class EmptyCaStore(unittest.TestCase):
    """No CA in Python's default store: the well-known system bundles are tried."""

    def setUp(self):
        self.certs = support.certs()
        self.server = FakeServer(tls=True).start()
        self.addCleanup(self.server.stop)
        self.server.route("GET", "/x", (200, b"secure"))
        self.tmp = tempfile.mkdtemp(prefix="minicreds-cas-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.not_pem = os.path.join(self.tmp, "not-a-bundle.pem")
        with open(self.not_pem, "w") as f:
            f.write("not a certificate\n")
        self.missing = os.path.join(self.tmp, "absent.pem")
        self.empty_folder = os.path.join(self.tmp, "certs")
        os.mkdir(self.empty_folder)
        for patch in (
            mock.patch("ssl.create_default_context", _empty_default_store),
            mock.patch.dict(minicreds._tls_contexts, clear=True),
            mock.patch("ssl.get_default_verify_paths", self.verify_paths),
        ):
            patch.start()
            self.addCleanup(patch.stop)

    def verify_paths(self):
        paths = REAL_VERIFY_PATHS()
        return paths._replace(cafile=None, capath=self.empty_folder)

    def bundles(self, *paths):
        return mock.patch.object(minicreds, "_CA_BUNDLES", paths)

    def test_the_first_bundle_that_loads_is_used(self):
        with self.bundles(self.missing, self.not_pem, self.certs["ca"]):
            self.assertEqual(call(self.server.url + "/x")[2], b"secure")

    def test_no_bundle_loads_an_error_says_what_was_tried_and_what_to_do(self):
        with self.bundles(self.missing, self.not_pem), Recorder() as rec:
            with self.assertRaises(minicreds.ConfigError) as cm:
                call(self.server.url + "/x")
        text = str(cm.exception)
        for part in (
            self.missing,
            self.not_pem,
            "AWS_CA_BUNDLE",
            "Certificates.command",
        ):
            self.assertIn(part, text)
        self.assertEqual((self.server.requests, rec.sleeps), ([], []))

    def test_a_ca_folder_in_use_is_left_to_the_handshake(self):
        # OpenSSL reads a hashed CA folder lazily: an empty store count is no proof.
        with open(os.path.join(self.empty_folder, "0a1b2c3d.0"), "w") as f:
            f.write("a CA would be here\n")
        with self.bundles(self.missing), Recorder():
            with self.assertRaises(minicreds.TransportError) as cm:
                call(self.server.url + "/x")
        self.assertIn("certificate_verify_failed", str(cm.exception).lower())

    def test_a_given_ca_file_is_used_alone(self):
        with self.bundles(self.certs["ca"]), Recorder():
            with self.assertRaises(minicreds.TransportError):
                call(self.server.url + "/x", ca_file=self.certs["other_ca"])
            got = call(self.server.url + "/x", ca_file=self.certs["ca"])
        self.assertEqual(got[2], b"secure")


class Proxies(unittest.TestCase):
    def setUp(self):
        self.target = FakeServer().start()
        self.addCleanup(self.target.stop)
        self.target.route("GET", "/x", (200, b"direct"))
        self.proxy = FakeServer().start()
        self.addCleanup(self.proxy.stop)
        self.proxy.route("GET", "*", (200, b"proxied"))

    def test_http_proxy(self):
        url = self.target.url + "/x?a=1"
        proxy = self.proxy.url.replace("http://", "http://pu:pp@")
        got = call(url, environ={"HTTP_PROXY": proxy})
        self.assertEqual(got[2], b"proxied")
        self.assertEqual(self.target.requests, [])
        req = self.proxy.requests[0]
        self.assertEqual(req.path, url)
        auth = "Basic " + base64.b64encode(b"pu:pp").decode()
        self.assertEqual(req.headers["Proxy-Authorization"], auth)
        got = call(url, environ={"http_proxy": self.proxy.url})
        self.assertEqual(got[2], b"proxied")

    def test_no_proxy_and_proxy_off(self):
        url = self.target.url + "/x"
        for environ in (
            {"HTTP_PROXY": self.proxy.url, "NO_PROXY": "127.0.0.1"},
            {"HTTP_PROXY": self.proxy.url, "NO_PROXY": "example.com, 127.0.0.1"},
            {"HTTP_PROXY": self.proxy.url, "no_proxy": "*"},
            {"HTTPS_PROXY": self.proxy.url},  # the https proxy is not for http URLs
        ):
            with self.subTest(environ=environ):
                self.assertEqual(call(url, environ=environ)[2], b"direct")
        got = minicreds._http(
            "P", "GET", url, environ={"HTTP_PROXY": self.proxy.url}, proxy=False
        )
        self.assertEqual(got[2], b"direct")
        self.assertEqual(self.proxy.requests, [])

    def test_https_proxy_tunnels(self):
        c = support.certs()
        server = FakeServer(tls=True).start()
        self.addCleanup(server.stop)
        server.route("GET", "/x", (200, b"tunnelled"))
        proxy = ConnectProxy()
        self.addCleanup(proxy.stop)
        environ = {"HTTPS_PROXY": proxy.url.replace("http://", "http://pu:pp@")}
        got = call(server.url + "/x", environ=environ, ca_file=c["ca"])
        self.assertEqual(got[2], b"tunnelled")
        target, headers = proxy.connects[0]
        self.assertEqual(target, f"127.0.0.1:{server.port}")
        auth = "Basic " + base64.b64encode(b"pu:pp").decode()
        self.assertEqual(headers.get("proxy-authorization"), auth)
        self.assertEqual(server.requests[0].path, "/x")
        # The certificate of the target is still verified through the tunnel.
        with self.assertRaises(minicreds.TransportError):
            call(server.url + "/x", environ=environ, ca_file=c["other_ca"], attempts=1)

    def system_proxy(self, platform="darwin", name="posix", bypass=False):
        """Simulates a platform whose system settings (macOS System Configuration,
        the Windows registry) name ``self.proxy`` for http; records the lookups."""
        self.lookups = []

        def getproxies():
            self.lookups.append("getproxies")
            return {"http": self.proxy.url, "https": "http://127.0.0.1:9"}

        def proxy_bypass(host):
            self.lookups.append(host)
            return bypass

        stack = contextlib.ExitStack()
        stack.enter_context(mock.patch.object(sys, "platform", platform))
        stack.enter_context(mock.patch.object(os, "name", name))
        stack.enter_context(mock.patch.object(urllib.request, "getproxies", getproxies))
        stack.enter_context(
            mock.patch.object(urllib.request, "proxy_bypass", proxy_bypass)
        )
        return stack

    def test_system_proxy_settings_when_no_variable_is_set(self):
        # botocore falls back to urllib's getproxies() and proxy_bypass().
        url = self.target.url + "/x"
        for platform, name in (("darwin", "posix"), ("win32", "nt")):
            with self.subTest(platform=platform), support.env():
                self.proxy.reset_routes()
                self.proxy.route("GET", "*", (200, b"proxied"))
                with self.system_proxy(platform, name):
                    got = minicreds._http("P", "GET", url, deadline=6.0)
                self.assertEqual(got[2], b"proxied")
                self.assertEqual(self.proxy.requests[0].path, url)
                self.assertEqual(self.lookups, ["127.0.0.1", "getproxies"])
        self.assertEqual(self.target.requests, [])

    def test_sts_calls_use_them(self):
        provider = minicreds.ClientGrantsProvider("a.jwt.here", self.target.url)
        with support.env(), self.system_proxy(), Recorder():
            with self.assertRaises(minicreds.CredentialsError):  # not an STS answer
                provider.retrieve()
        self.assertEqual(self.proxy.requests[0].method, "POST")
        self.assertTrue(self.proxy.requests[0].path.startswith(self.target.url))
        self.assertEqual(self.target.requests, [])

    def test_system_bypass_rules(self):
        url = self.target.url + "/x"
        with support.env(), self.system_proxy(bypass=True):
            self.assertEqual(minicreds._http("P", "GET", url)[2], b"direct")
        self.assertEqual(self.lookups, ["127.0.0.1"])
        self.assertEqual(self.proxy.requests, [])

    def test_system_settings_not_read(self):
        url = self.target.url + "/x"
        cases = {  # the call's keywords, the variables set, the answer expected
            "a proxy variable is set": ({}, {"HTTP_PROXY": self.proxy.url}, b"proxied"),
            "another environment is given": ({"environ": {}}, {}, b"direct"),
            "metadata addresses (proxy=False)": ({"proxy": False}, {}, b"direct"),
        }
        for case, (kw, variables, answer) in cases.items():
            with self.subTest(case), support.env(**variables):
                with self.system_proxy():
                    self.assertEqual(minicreds._http("P", "GET", url, **kw)[2], answer)
                self.assertEqual(self.lookups, [])
        with support.env(), self.system_proxy(platform="linux"):
            self.assertEqual(minicreds._http("P", "GET", url)[2], b"direct")
        self.assertEqual(self.lookups, [])  # elsewhere urllib reads only variables

    def test_proxy_unreachable(self):
        environ = {"HTTP_PROXY": f"http://127.0.0.1:{support.free_port()}"}
        with Recorder(), self.assertRaises(minicreds.TransportError) as cm:
            call(self.target.url + "/x", environ=environ)
        self.assertEqual(cm.exception.url, self.target.url + "/x")
        self.assertEqual(self.target.requests, [])


if __name__ == "__main__":
    unittest.main()
