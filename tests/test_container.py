"""ContainerProvider: ECS and EKS Pod Identity endpoints (README, "Providers",
"Instance metadata timeouts" and "Failure behaviour").

Every request goes to a fake on 127.0.0.1; the relative-URI case points the
provider's base URL at the fake, so 169.254.170.2 is never contacted.
"""

from __future__ import annotations

import os
import tempfile
import unittest
from unittest import mock

import minicreds
from tests import support
from tests.fakes import FakeClock, NoNetwork, iso, role_arn
from tests.support import FakeServer, SecretWatch

AUTH_TOKEN = "Bearer-eks-pod-identity-SECRET-0123456789"
SECRET_KEY = "containerSecretKey/SECRET+abcdefghijklmnop"
SESSION_TOKEN = "IQoJb3JpZ2luContainerSECRET//////////XYZ"
FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
RELATIVE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"


class ContainerTest(unittest.TestCase):
    def setUp(self):
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)
        self.server.route("GET", "/creds", self._credentials)
        self.clock = FakeClock()
        self.serial = 0
        self.env = {FULL: self.server.url + "/creds"}
        folder = tempfile.TemporaryDirectory(prefix="minicreds-container-")
        self.addCleanup(folder.cleanup)
        self.token_file = os.path.join(folder.name, "token")

    def _credentials(self, request):
        self.serial += 1
        return 200, {
            "AccessKeyId": "ASIACONT%04d" % self.serial,
            "SecretAccessKey": SECRET_KEY,
            "Token": SESSION_TOKEN,
            "Expiration": iso(self.clock() + 3600),
            "RoleArn": role_arn("task"),
        }

    def provider(self):
        return minicreds.ContainerProvider(environ=self.env, clock=self.clock)

    def write_token(self, text):
        with open(self.token_file, "w") as f:
            f.write(text)

    def auth_headers(self):
        return [r.headers.get("Authorization") for r in self.server.requests]

    def test_one_deadline_for_the_lookup(self):
        # Within the read timeout (2 s), past the lookup's deadline (0.3 s here).
        self.server.route("GET", "/creds", support.Response(200, {}, delay=0.6))
        with mock.patch.object(minicreds, "_LOOKUP_DEADLINE", 0.3):
            with self.assertRaises(minicreds.TransportError) as raised:
                self.provider().retrieve()
        self.assertEqual(raised.exception.kind, "read")  # timed out

    def test_not_configured(self):
        self.env.clear()
        p = self.provider()
        self.assertIsNone(p.retrieve())
        self.assertIn("AWS_CONTAINER_CREDENTIALS", p._reason)

    def test_full_uri_with_token_variable(self):
        self.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = AUTH_TOKEN
        p = self.provider()
        creds = p.retrieve()
        self.assertEqual(creds.access_key, "ASIACONT0001")
        self.assertEqual(creds.secret_key, SECRET_KEY)
        self.assertEqual(creds.session_token, SESSION_TOKEN)
        self.assertIs(p.retrieve(), creds)
        (request,) = self.server.requests
        self.assertEqual(request.headers.get("Authorization"), AUTH_TOKEN)
        self.assertEqual(request.headers.get("Accept"), "application/json")

    def test_without_a_token_no_authorization_header(self):
        self.provider().retrieve()
        self.assertEqual(self.auth_headers(), [None])

    def test_token_file_rotation_is_picked_up_at_refresh(self):
        self.write_token("token-one\n")
        self.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = self.token_file
        self.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "from-the-variable"
        p = self.provider()
        self.assertEqual(p.retrieve().access_key, "ASIACONT0001")
        self.write_token("token-two\r\n")
        self.assertEqual(p.retrieve().access_key, "ASIACONT0001")  # cached
        self.clock.now += 3600 - 600
        self.assertEqual(p.retrieve().access_key, "ASIACONT0002")
        self.assertEqual(self.auth_headers(), ["token-one", "token-two"])

    def test_missing_token_file(self):
        self.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = self.token_file
        with self.assertRaises(minicreds.ConfigError) as cm:
            self.provider().retrieve()
        self.assertIn(self.token_file, str(cm.exception))
        self.assertEqual(self.server.requests, [])

    def test_line_break_inside_the_token_is_refused(self):
        for where, token in [
            ("file", "abc\r\nX-Injected: 1"),
            ("file", "abc\ndef\n"),
            ("variable", "abc\rdef"),
            ("variable", "abc\n"),
            ("variable", "caf\u00e9\u20ac"),
        ]:
            with self.subTest(where=where, token=token):
                env = {FULL: self.server.url + "/creds"}
                if where == "file":
                    self.write_token(token)
                    env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = self.token_file
                else:
                    env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
                p = minicreds.ContainerProvider(environ=env)
                with self.assertRaises(minicreds.ConfigError) as cm:
                    p.retrieve()
                self.assertNotIn(token.strip(), str(cm.exception))
                self.assertEqual(self.server.requests, [])

    def test_disallowed_hosts_refused_before_any_connection(self):
        port = self.server.port
        refused = [
            "http://example.com/creds",
            "http://169.254.169.254/latest/meta-data/",
            "http://169.254.170.3/creds",
            "http://127.1:%d/creds" % port,
            "http://0x7f.0.0.1:%d/creds" % port,
            "http://2130706433:%d/creds" % port,
            "http://127.0.0.01:%d/creds" % port,
            "http://169.254.170.023/creds",
            "http://[::ffff:127.0.0.1]:%d/creds" % port,
            "http://[::ffff:169.254.170.2]/creds",
            "http://169.254.170.2@example.com/creds",
            "http://user:pw@127.0.0.1:%d/creds" % port,
            "http://localhost.example.com/creds",
            "http://localhost./creds",
            "http://[fe80::1%%25eth0]/creds",
            "http://127.0.0.1:notaport/creds",
            "ftp://127.0.0.1/creds",
            "file:///etc/passwd",
            "//127.0.0.1/creds",
        ]
        for url in refused:
            with self.subTest(url=url):
                self.env[FULL] = url
                with NoNetwork() as net, self.assertRaises(minicreds.ConfigError) as cm:
                    self.provider().retrieve()
                self.assertEqual(net.calls, [])
                self.assertIn("refused", str(cm.exception))
        self.assertEqual(self.server.requests, [])

    def test_allowed_hosts(self):
        allowed = [
            "http://127.0.0.1/creds",
            "http://127.1.2.3:8080/creds",
            "http://[::1]:8080/creds",
            "http://[0:0:0:0:0:0:0:1]/creds",
            "http://localhost:8080/creds",
            "http://LOCALHOST/creds",
            "http://169.254.170.2/v2/credentials/x",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://example.com/creds",
            "https://169.254.169.254/anything",
        ]
        for url in allowed:
            with self.subTest(url=url):
                self.assertTrue(minicreds._container_url_allowed(url))

    def test_localhost_name_connects(self):
        self.env[FULL] = "http://localhost:%d/creds" % self.server.port
        self.assertEqual(self.provider().retrieve().access_key, "ASIACONT0001")

    def test_eks_pod_identity_over_ipv6(self):
        # http://[fd00:ec2::23] is port 80 (the fake stands there through dial_only).
        self.env[FULL] = "http://[fd00:ec2::23]/creds"
        where = (support.HOST, self.server.port)
        with support.dial_only(("fd00:ec2::23", 80), where) as dialled:
            self.assertEqual(self.provider().retrieve().access_key, "ASIACONT0001")
        self.assertEqual(dialled, [("fd00:ec2::23", 80)])
        self.assertEqual(self.server.requests[0].headers["Host"], "[fd00:ec2::23]")

    def test_relative_uri(self):
        p = self.provider()
        self.assertEqual(p._base, "http://169.254.170.2")  # never contacted here
        p._base = self.server.url
        self.env.clear()
        self.env[RELATIVE] = "/creds?id=task-1"
        self.env[FULL] = "http://127.0.0.1:9/ignored"  # the relative URI wins
        self.assertEqual(p.retrieve().access_key, "ASIACONT0001")
        self.assertEqual(self.server.requests[0].path, "/creds?id=task-1")

    def test_relative_uri_must_start_with_a_slash(self):
        cases = ("@example.com/creds", "creds", ".evil.example/x", "3/creds")
        for relative in (*cases, ":8080/creds", "?id=1", "#f"):
            with self.subTest(relative=relative):
                p = self.provider()
                p._base = self.server.url
                self.env[RELATIVE] = relative
                with NoNetwork() as net, self.assertRaises(minicreds.ConfigError) as cm:
                    p.retrieve()
                self.assertEqual(net.calls, [])
                self.assertIn("must start with /", str(cm.exception))

    def test_5xx_then_success(self):
        self.server.route("GET", "/creds", 500, (503, "busy"), self._credentials)
        self.assertEqual(self.provider().retrieve().access_key, "ASIACONT0001")
        self.assertEqual(len(self.server.requests), 3)

    def test_bounded_retries(self):
        self.server.route("GET", "/creds", (500, "down"))
        with self.assertRaisesRegex(minicreds.TransportError, "HTTP 500"):
            self.provider().retrieve()
        self.assertEqual(len(self.server.requests), 3)

    def test_error_answer_is_not_retried_and_is_scrubbed(self):
        self.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = AUTH_TOKEN
        body = {"code": "AccessDenied", "message": "bad token %s" % AUTH_TOKEN}
        self.server.route("GET", "/creds", (403, body))
        with SecretWatch() as watch, self.assertRaises(minicreds.STSError) as cm:
            self.provider().retrieve()
        self.assertEqual(
            (cm.exception.code, cm.exception.status), ("AccessDenied", 403)
        )
        self.assertEqual(len(self.server.requests), 1)
        watch.assert_clean(self, AUTH_TOKEN, extra_texts=[cm.exception])

    def test_server_text_is_escaped_in_errors_and_logs(self):
        # ESC, BEL, CR and LF in an error answer would redraw a terminal or forge a
        # line of a log; a failed refresh logs the error.
        body = {"Code": "Denied\x07", "Message": "\x1b[2J\r\nfake line"}
        provider = self.provider()
        provider.retrieve()
        self.server.route("GET", "/creds", (403, body))
        self.clock.now += 3600 - 600  # the early window: the refresh fails, logged
        with self.assertLogs("minicreds", "WARNING") as logs:
            provider.retrieve()
        self.clock.now += 600  # expired: the error is raised
        with self.assertRaises(minicreds.STSError) as cm:
            provider.retrieve()
        self.assertEqual(cm.exception.message, "\\x1b[2J\\r\\nfake line")
        self.assertEqual(cm.exception.code, "Denied\\x07")
        for text in (str(cm.exception), *logs.output):
            self.assertTrue(text.isprintable(), text)
            self.assertIn("\\x1b[2J\\r\\nfake line", text)

    def test_message_that_is_not_text_is_dropped(self):
        # Its repr() would escape the backslash and slip the token past scrubbing.
        token = "Bearer\\eks'SECRET-0123456789"
        self.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
        bodies = (
            {"Code": "AccessDenied", "Message": {"youSent": [token]}},
            {"Code": {"youSent": [token]}, "Message": "denied"},
            {"code": [token]},
        )
        for body in bodies:
            with self.subTest(body=body):
                self.server.route("GET", "/creds", (403, body))
                with SecretWatch() as watch:
                    with self.assertRaises(minicreds.STSError) as cm:
                        self.provider().retrieve()
                for text in (token, repr(token)[1:-1], "SECRET"):
                    self.assertNotIn(text, str(cm.exception))
                watch.assert_clean(self, token, extra_texts=[cm.exception])

    def test_bad_json(self):
        for body in ("<html>", '{"AccessKeyId": "A"}', "[]"):
            with self.subTest(body=body):
                self.server.route("GET", "/creds", (200, body))
                with self.assertRaises(minicreds.TransportError):
                    self.provider().retrieve()

    def test_unreachable_endpoint_is_an_error(self):
        self.env[FULL] = "http://127.0.0.1:%d/creds" % support.free_port()
        with self.assertRaisesRegex(minicreds.TransportError, "cannot connect"):
            self.provider().retrieve()

    def test_proxy_variables_are_ignored(self):
        self.env.update(HTTP_PROXY="http://127.0.0.1:9", http_proxy="127.0.0.1:9")
        self.assertIsNotNone(self.provider().retrieve())

    def test_no_secret_in_logs_errors_or_repr(self):
        self.write_token(AUTH_TOKEN + "\n")
        self.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = self.token_file
        p = self.provider()
        with SecretWatch() as watch:
            creds = p.retrieve()
            self.server.route("GET", "/creds", (500, "token was %s" % AUTH_TOKEN))
            self.clock.now += 3600 - 30  # blocking window: the failed refresh is logged
            self.assertIs(p.retrieve(), creds)
        self.assertTrue(watch.records)
        watch.assert_clean(
            self, AUTH_TOKEN, SECRET_KEY, SESSION_TOKEN, extra_texts=[repr(creds)]
        )


if __name__ == "__main__":
    unittest.main()
