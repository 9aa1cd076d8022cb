"""Quick self-tests of the shared fakes in tests/support.py."""

import gzip
import http.client
import io
import logging
import os
import shlex
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from unittest import mock

from tests import support
from tests.support import FakeServer, Response

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRET+x"


def get(url, timeout=2.0, context=None, **kw):
    return urllib.request.urlopen(
        urllib.request.Request(url, **kw), timeout=timeout, context=context
    )


class FakeServerTest(unittest.TestCase):
    def setUp(self):
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)

    def test_route_sequence_and_recording(self):
        s = self.server
        s.route("POST", "/sts", (500, "busy"), Response(200, {"ok": 1}))
        codes = []
        for _ in range(3):
            try:
                with get(
                    s.url + "/sts?a=1&b=",
                    data=b"Action=X&k=v+w",
                    headers={"X-Test": "t"},
                ) as r:
                    codes.append((r.status, r.read()))
            except urllib.error.HTTPError as e:
                codes.append((e.code, e.read()))
        self.assertEqual(
            codes, [(500, b"busy"), (200, b'{"ok": 1}'), (200, b'{"ok": 1}')]
        )
        req = s.requests[0]
        self.assertEqual(
            (req.method, req.path, req.path_only), ("POST", "/sts?a=1&b=", "/sts")
        )
        self.assertEqual(req.headers["x-test"], "t")
        self.assertEqual(req.query, {"a": ["1"], "b": [""]})
        self.assertEqual(req.form, {"Action": ["X"], "k": ["v w"]})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            get(s.url + "/unknown")
        self.assertEqual(cm.exception.code, 404)

    def test_handler_and_match(self):
        s = self.server
        s.route(
            "GET",
            "/x",
            lambda req: (200 if req.headers.get("T") == "good" else 401, "hi"),
        )
        s.route("GET", "/x", (299, "matched"), match=lambda req: "special" in req.path)
        with get(s.url + "/x", headers={"T": "good"}) as r:
            self.assertEqual(r.status, 200)
        with get(s.url + "/x?special") as r:
            self.assertEqual(r.status, 299)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            get(s.url + "/x", headers={"T": "bad"})
        self.assertEqual(cm.exception.code, 401)

    def test_keepalive_two_requests_one_connection(self):
        self.server.route("GET", "/k", (200, "a"))
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=2)
        self.addCleanup(conn.close)
        for _ in range(2):
            conn.request("GET", "/k")
            self.assertEqual(conn.getresponse().read(), b"a")
        self.assertEqual(len(self.server.requests), 2)

    def test_hang_times_out_and_does_not_block_stop(self):
        self.server.route("GET", "/hang", support.hang())
        with self.assertRaises((socket.timeout, urllib.error.URLError)):
            get(self.server.url + "/hang", timeout=0.5)
        self.assertEqual(len(self.server.requests), 1)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        conn.request("GET", "/hang")  # a second hung request still pending at stop()
        self.assertTrue(self.server.wait_for_requests(2))
        started = time.monotonic()
        self.server.stop()
        self.assertLess(time.monotonic() - started, 3)  # only a guard against a hang
        with self.assertRaises((http.client.HTTPException, OSError)):
            conn.getresponse()  # the connection was closed by stop()
        conn.close()

    def test_delay(self):
        self.server.route("GET", "/slow", Response(200, "late", delay=2))
        with self.assertRaises((socket.timeout, urllib.error.URLError)):
            get(self.server.url + "/slow", timeout=0.3)

    def test_resets(self):
        for when in ("before", "after_headers", "mid_body"):
            with self.subTest(when=when):
                self.server.route("GET", "/r", support.reset(when))
                with self.assertRaises(
                    (ConnectionError, http.client.HTTPException, urllib.error.URLError)
                ):
                    with get(self.server.url + "/r") as r:
                        r.read()

    def test_truncated(self):
        self.server.route("GET", "/t", support.truncated(body=b"12345", missing=10))
        with get(self.server.url + "/t") as r:
            with self.assertRaises(http.client.IncompleteRead) as cm:
                r.read()
        self.assertEqual(cm.exception.partial, b"12345")

    def test_gzip_redirect_oversized_bad_bodies(self):
        s = self.server
        s.route("GET", "/gz", support.gzipped(body="plain"))
        s.route("GET", "/redir", support.redirect())
        s.route("GET", "/big", support.oversized(content_length=False))
        s.route("GET", "/bytes", support.non_utf8())
        s.route("GET", "/html", support.html_error(502))
        with get(s.url + "/gz") as r:
            self.assertEqual(r.headers["Content-Encoding"], "gzip")
            self.assertEqual(gzip.decompress(r.read()), b"plain")
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=2)
        conn.request("GET", "/redir")
        r = conn.getresponse()
        self.assertEqual(r.status, 302)
        self.assertEqual(
            r.getheader("Location"), "http://localhost:%d/redirected" % s.port
        )
        conn.close()
        with get(s.url + "/big") as r:
            self.assertIsNone(r.headers["Content-Length"])
            self.assertEqual(len(r.read()), 2 * support.MiB)
        with get(s.url + "/bytes") as r:
            self.assertRaises(UnicodeDecodeError, r.read().decode, "utf-8")
        with self.assertRaises(urllib.error.HTTPError) as cm:
            get(s.url + "/html")
        self.assertIn(b"<html>", cm.exception.read())

    def test_handler_error_is_kept(self):
        self.server.route("GET", "/boom", lambda req: 1 / 0)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            get(self.server.url + "/boom")
        self.assertEqual(cm.exception.code, 500)
        self.assertIsInstance(self.server.errors[0], ZeroDivisionError)


class TLSTest(unittest.TestCase):
    def test_client_certificate_required(self):
        with FakeServer(tls=True, require_client_cert=True) as s:
            s.route("GET", "/", (200, "tls"))
            conn = http.client.HTTPSConnection(
                "127.0.0.1", s.port, timeout=3, context=support.client_context(True)
            )
            conn.request("GET", "/")
            self.assertEqual(conn.getresponse().read(), b"tls")
            conn.close()
            self.assertEqual(
                s.requests[0].client_subject, "commonName=minicreds test client"
            )
            for cert in (False, "other"):
                with self.subTest(cert=cert):
                    conn = http.client.HTTPSConnection(
                        "127.0.0.1",
                        s.port,
                        timeout=3,
                        context=support.client_context(cert),
                    )
                    with self.assertRaises((ssl.SSLError, OSError)):
                        conn.request("GET", "/")
                        conn.getresponse().read()
                    conn.close()
            self.assertEqual(len(s.requests), 1)

    def test_optional_client_cert_and_hostname_check(self):
        with FakeServer(tls=True) as s:
            s.route("GET", "/", (200, "ok"))
            with get(s.url + "/", context=support.client_context()) as r:
                self.assertEqual(r.read(), b"ok")
            self.assertIsNone(s.requests[0].client_subject)
        c = support.certs()
        with FakeServer(
            tls=True, cert=(c["wrong_host_cert"], c["wrong_host_key"])
        ) as s:
            with self.assertRaises(urllib.error.URLError) as cm:
                get(s.url + "/", context=support.client_context())
            self.assertIsInstance(cm.exception.reason, ssl.SSLCertVerificationError)

    def test_default_context_in_subprocess(self):
        """The running interpreter's default context (strict on 3.13) accepts the server."""
        code = (
            "import ssl, sys, urllib.request; ctx = ssl.create_default_context("
            "cafile=sys.argv[1]); print(urllib.request.urlopen(sys.argv[2], timeout=5,"
            " context=ctx).read().decode(), bool(ctx.verify_flags & ssl.VERIFY_X509_STRICT))"
        )
        with FakeServer(tls=True) as s:
            s.route("GET", "/", (200, "verified"))
            out = subprocess.run(
                [sys.executable, "-c", code, support.certs()["ca"], s.url],
                stdout=subprocess.PIPE,
                timeout=20,
                check=True,
            ).stdout
        self.assertEqual(out.split()[0], b"verified")
        if sys.version_info >= (3, 13):
            self.assertEqual(out.split()[1], b"True")


class DeadEndTest(unittest.TestCase):
    def test_blackhole_read_times_out(self):
        with support.blackhole() as addr:
            with socket.create_connection(addr, timeout=0.5) as c:
                c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertRaises(socket.timeout, c.recv, 1)

    def test_full_backlog_connect_times_out(self):
        with support.full_backlog() as addr, self.assertRaises(socket.timeout):
            socket.create_connection(addr, timeout=0.5).close()

    @unittest.skipUnless(hasattr(os, "mkfifo"), "no FIFOs here")
    def test_fifo_guard_hands_a_blocked_reader_the_text(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "pipe")
            with support.fifo(path, "guarded", hang_guard=0.2) as guard:
                self.assertTrue(stat.S_ISFIFO(os.stat(path).st_mode))
                with open(path) as handle:  # blocks until the guard writes
                    self.assertEqual(handle.read(), "guarded")
            self.assertTrue(guard.fired)

    def test_free_port_is_closed(self):
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(
                ("127.0.0.1", support.free_port()), timeout=2
            ).close()


class SecretsAndEnvTest(unittest.TestCase):
    def test_secret_watch_catches_leaks(self):
        log = logging.getLogger("minicreds")
        with support.SecretWatch() as watch:
            log.debug("fine %s", "AKIDEXAMPLE")
            watch.assert_clean(self, SECRET)
            log.debug("token=%s", SECRET.replace("/", "%2F").replace("+", "%2B"))
        self.assertIn("AKIDEXAMPLE", watch.texts[0])
        with self.assertRaises(AssertionError):
            watch.assert_clean(self, SECRET)
        with support.SecretWatch() as watch:
            logging.getLogger("other.lib").info("x")
        with self.assertRaises(AssertionError):
            watch.assert_clean(self, "hidden", extra_texts=[self._chained()])
        watch.assert_clean(self, "absent", extra_texts=[self._chained(), "text"])
        self.assertEqual(watch.records, [("other.lib", "INFO", "x")])

    @staticmethod
    def _chained():
        try:
            try:
                raise KeyError("hidden")
            except KeyError as inner:
                raise ValueError("outer") from inner
        except ValueError as exc:
            return exc

    def test_env_restores(self):
        before = dict(os.environ)
        os.environ["AWS_PROFILE"] = "leak"
        try:
            with support.env(MINIO_ROOT_USER="u") as home:
                self.assertNotIn("AWS_PROFILE", os.environ)
                self.assertEqual(os.environ["HOME"], home)
                self.assertEqual(os.environ["MINIO_ROOT_USER"], "u")
                self.assertTrue(os.path.isdir(home))
            self.assertFalse(os.path.exists(home))
            self.assertEqual(os.environ["AWS_PROFILE"], "leak")
        finally:
            del os.environ["AWS_PROFILE"]
        self.assertEqual(dict(os.environ), before)


class PortableChildrenTest(unittest.TestCase):
    """Command lines and child environments that work on Windows too."""

    ARGV = ("C:\\Program Files\\Python\\python.exe", "-c", 'print("a b")', "it's")

    def test_command_line_posix(self):
        line = support.command_line(*self.ARGV)
        self.assertEqual(shlex.split(line), list(self.ARGV))

    def test_command_line_windows(self):
        with mock.patch.object(os, "name", "nt"):
            line = support.command_line(*self.ARGV)
        # As CreateProcess splits it: double quotes, backslashes kept, no single quotes.
        self.assertEqual(
            line,
            '"C:\\Program Files\\Python\\python.exe" -c "print(\\"a b\\")" it\'s',
        )

    def test_home_is_also_userprofile(self):
        self.assertEqual(support.clean_environ(HOME="/h")["USERPROFILE"], "/h")
        both = support.clean_environ(HOME="/h", USERPROFILE="/u")
        self.assertEqual((both["HOME"], both["USERPROFILE"]), ("/h", "/u"))
        with mock.patch.dict(os.environ, {"SYSTEMROOT": "C:\\Windows"}):
            small = support.minimal_environ("/h", AWS_PROFILE="p")
        self.assertEqual(small["USERPROFILE"], "/h")
        self.assertEqual(small["SYSTEMROOT"], "C:\\Windows")
        self.assertEqual(small["AWS_PROFILE"], "p")


class PresignedVerifierTest(unittest.TestCase):
    """presigned_problem accepts AWS's documented example of a presigned S3 GET
    (Amazon S3 API reference, "Authenticating Requests: Using Query Parameters")."""

    TARGET = (
        "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
        "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature="
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )
    SIGNED_AT = 1369353600  # 2013-05-24T00:00:00Z

    def problem(self, target=TARGET, host="examplebucket.s3.amazonaws.com", now=0):
        headers = http.client.parse_headers(
            io.BytesIO(b"Host: %s\r\n\r\n" % host.encode())
        )
        keys = {
            "AKIAIOSFODNN7EXAMPLE": ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None)
        }
        return support.presigned_problem(
            "GET", target, headers, b"", keys, self.SIGNED_AT + now
        )

    def test_documented_example_accepted(self):
        self.assertIsNone(self.problem())
        self.assertIsNone(self.problem(now=86400))

    def test_changes_refused(self):
        self.assertEqual(self.problem(now=86401), "expired")
        self.assertEqual(self.problem(now=-301), "signed in the future")
        for changed in (
            self.TARGET.replace("/test.txt", "/test2.txt"),
            self.TARGET.replace("86400", "86401"),
            self.TARGET + "&extra=1",
        ):
            self.assertEqual(self.problem(changed), "signature does not match")
        self.assertEqual(self.problem(host="other.example"), "signature does not match")
        self.assertIn("repeated", self.problem(self.TARGET + "&X-Amz-Date=x"))


if __name__ == "__main__":
    unittest.main()
