"""IamAwsProvider: IMDSv2/v1, static stability, off-EC2 failure, delegation
(README, "Instance metadata timeouts" and "Providers").

Every test points the provider at a fake on 127.0.0.1 (``custom_endpoint`` or
``AWS_EC2_METADATA_SERVICE_ENDPOINT``) or disables IMDS: never the real address.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import unittest
from unittest import mock

import minicreds
from tests import support
from tests.fakes import (
    IMDS_EXTENDED_PATH,
    IMDS_ROLES_PATH,
    IMDS_TOKEN_PATH,
    FakeClock,
    iso,
    role_arn,
    sts_success_xml,
    xml_response,
)
from tests.support import FakeServer, Response, SecretWatch

POD_ROLE = role_arn("pod")
IMDS_TOKEN = "AQAEAImdsTokenSECRET-7f3e9a=="
SECRET_KEY = "imdsSecretKey/SECRET+0123456789abcdefghij"
SESSION_TOKEN = "IQoJb3JpZ2luSessionTokenSECRET//////////ABCDEF"
HANG_GUARD = 10.0  # seconds: only stops a hang, says nothing about speed


def header(request, name="X-aws-ec2-metadata-token"):
    return request.headers.get(name)


class ImdsCase(unittest.TestCase):
    """A fake IMDS: tokens from ``self.tokens``, one role, credentials valid for
    ``self.lifetime`` seconds of the fake clock. It serves the classic credentials
    path only: a provider's first look at the extended path gets a 404, which
    ``requests()`` leaves out (tests/test_account_id.py tests that fallback)."""

    def setUp(self):
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)
        self.clock = FakeClock()
        self.env = {}
        self.lifetime = 3600
        self.tokens = [IMDS_TOKEN]
        self.serial = 0
        self.server.route("PUT", IMDS_TOKEN_PATH, self._token)
        self.server.route("GET", IMDS_ROLES_PATH, (200, "web-role\n"))
        self.server.route("GET", IMDS_ROLES_PATH + "web-role", self._credentials)

    def _token(self, request):
        if header(request, "X-aws-ec2-metadata-token-ttl-seconds") != "21600":
            return 400
        token = self.tokens.pop(0) if len(self.tokens) > 1 else self.tokens[0]
        return 200, token

    def _credentials(self, request):
        self.serial += 1
        return 200, {
            "Code": "Success",
            "LastUpdated": iso(self.clock()),
            "Type": "AWS-HMAC",
            "AccessKeyId": "ASIAIMDS%04d" % self.serial,
            "SecretAccessKey": SECRET_KEY,
            "Token": SESSION_TOKEN,
            "Expiration": iso(self.clock() + self.lifetime),
        }

    def provider(self, **kw):
        url = self.server.url
        return minicreds.IamAwsProvider(url, environ=self.env, clock=self.clock, **kw)

    def requests(self, method=None, path=None):
        return [
            r
            for r in self.server.requests
            if (method is None or r.method == method)
            and (path is None or r.path_only == path)
            and not r.path_only.startswith(IMDS_EXTENDED_PATH)
        ]


class ImdsV2Test(ImdsCase):
    def test_happy_path_one_token_for_many_refreshes(self):
        p = self.provider()
        creds = p.retrieve()
        self.assertEqual(creds.access_key, "ASIAIMDS0001")
        self.assertEqual(creds.secret_key, SECRET_KEY)
        self.assertEqual(creds.session_token, SESSION_TOKEN)
        self.assertAlmostEqual(
            creds.expiration.timestamp(), self.clock() + 3600, delta=1
        )
        put, listing, get = self.requests()
        self.assertEqual((put.method, put.path), ("PUT", IMDS_TOKEN_PATH))
        self.assertEqual(header(put, "X-aws-ec2-metadata-token-ttl-seconds"), "21600")
        self.assertEqual((listing.method, listing.path), ("GET", IMDS_ROLES_PATH))
        self.assertEqual(get.path, IMDS_ROLES_PATH + "web-role")
        self.assertEqual(header(listing), IMDS_TOKEN)
        self.assertEqual(header(get), IMDS_TOKEN)
        self.assertIs(p.retrieve(), creds)  # cached: no request
        self.assertEqual(len(self.requests()), 3)
        for n in range(2, 7):  # five refreshes within the token's 6 hours
            self.clock.advance(3600 - 600)
            self.assertEqual(p.retrieve().access_key, "ASIAIMDS%04d" % n)
        self.assertEqual(len(self.requests("PUT")), 1)
        self.assertEqual(len(self.requests("GET", IMDS_ROLES_PATH + "web-role")), 6)
        # Past the token's lifetime, the next refresh fetches a new token first.
        self.tokens = ["second-token"]
        self.clock.advance(21600)
        self.assertEqual(p.retrieve().access_key, "ASIAIMDS0007")
        self.assertEqual(len(self.requests("PUT")), 2)
        self.assertEqual(header(self.requests()[-1]), "second-token")

    def test_401_renews_the_token_at_once(self):
        self.tokens = ["token-one", "token-two"]
        self.server.route(
            "GET",
            IMDS_ROLES_PATH,
            lambda r: (200, "web-role") if header(r) == "token-two" else 401,
        )
        self.server.route(
            "GET",
            IMDS_ROLES_PATH + "web-role",
            lambda r: self._credentials(r) if header(r) == "token-two" else 401,
        )
        creds = self.provider().retrieve()
        self.assertEqual(creds.access_key, "ASIAIMDS0001")
        methods = [(r.method, header(r)) for r in self.requests()]
        self.assertEqual(
            methods,
            [
                ("PUT", None),
                ("GET", "token-one"),
                ("PUT", None),
                ("GET", "token-two"),
                ("GET", "token-two"),
            ],
        )

    def test_401_with_a_cached_token_during_refresh(self):
        p = self.provider()
        p.retrieve()
        self.tokens = ["token-two"]
        self.server.route(
            "GET",
            IMDS_ROLES_PATH,
            lambda r: (200, "web-role") if header(r) == "token-two" else 401,
        )
        self.clock.advance(3600 - 600)
        self.assertEqual(p.retrieve().access_key, "ASIAIMDS0002")
        self.assertEqual(len(self.requests("PUT")), 2)

    def test_5xx_then_success(self):
        self.server.route("GET", IMDS_ROLES_PATH, 500, (503, "busy"), (200, "web-role"))
        self.assertEqual(self.provider().retrieve().access_key, "ASIAIMDS0001")
        self.assertEqual(len(self.requests("GET", IMDS_ROLES_PATH)), 3)

    def test_5xx_every_time_is_an_error_after_three_attempts(self):
        self.server.route("GET", IMDS_ROLES_PATH, (500, "down"))
        with self.assertRaises(minicreds.TransportError) as cm:
            self.provider().retrieve()
        self.assertIn("HTTP 500", str(cm.exception))
        self.assertEqual(len(self.requests("GET", IMDS_ROLES_PATH)), 3)

    def test_num_attempts_variable_wins_over_config(self):
        self.server.route("GET", IMDS_ROLES_PATH, (500, "down"))
        self.env["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] = "1"
        with self.assertRaises(minicreds.TransportError):
            self.provider(metadata_service_num_attempts=5).retrieve()
        self.assertEqual(len(self.requests("GET", IMDS_ROLES_PATH)), 1)

    def test_num_attempts_config(self):
        self.server.route("GET", IMDS_ROLES_PATH, (500, "down"))
        with self.assertRaises(minicreds.TransportError):
            self.provider(metadata_service_num_attempts=4).retrieve()
        self.assertEqual(len(self.requests("GET", IMDS_ROLES_PATH)), 4)

    def test_empty_role_list(self):
        for body in ("", "\n"):
            with self.subTest(body=body):
                self.server.route("GET", IMDS_ROLES_PATH, (200, body))
                with self.assertRaises(minicreds.TransportError) as cm:
                    self.provider().retrieve()
                self.assertIn("role list is empty", str(cm.exception))

    def test_no_role_attached_is_not_configured(self):
        self.server.route("GET", IMDS_ROLES_PATH, 404)
        p = self.provider()
        self.assertIsNone(p.retrieve())
        self.assertIn("no IAM role", p._reason)

    def test_bad_json(self):
        for body in (
            '{"AccessKeyId": "ASIA',
            "[1, 2]",
            b"\xff\xfe{",
            '{"Code": "Success"}',
        ):
            with self.subTest(body=body):
                self.server.route("GET", IMDS_ROLES_PATH + "web-role", (200, body))
                with self.assertRaises(minicreds.TransportError) as cm:
                    self.provider().retrieve()
                self.assertRegex(str(cm.exception), "JSON|AccessKeyId")

    def test_bad_expiration(self):
        doc = {"Code": "Success", "AccessKeyId": "A", "SecretAccessKey": "S"}
        doc["Expiration"] = "tomorrow"
        self.server.route("GET", IMDS_ROLES_PATH + "web-role", (200, doc))
        with self.assertRaisesRegex(minicreds.TransportError, "bad Expiration"):
            self.provider().retrieve()

    def test_code_other_than_success(self):
        doc = {
            "Code": "AssumeRoleUnauthorizedAccess",
            "Message": "EC2 cannot assume the role web-role (token %s)" % IMDS_TOKEN,
            "LastUpdated": "2026-01-01T00:00:00Z",
        }
        self.server.route("GET", IMDS_ROLES_PATH + "web-role", (200, doc))
        with SecretWatch() as watch, self.assertRaises(minicreds.STSError) as cm:
            self.provider().retrieve()
        self.assertEqual(cm.exception.code, "AssumeRoleUnauthorizedAccess")
        self.assertIn("cannot assume the role", cm.exception.message)
        watch.assert_clean(self, IMDS_TOKEN, extra_texts=[cm.exception])

    def test_role_name_is_quoted_in_the_path(self):
        self.server.route("GET", IMDS_ROLES_PATH, (200, "a/b?c\n"))
        self.server.route("GET", IMDS_ROLES_PATH + "a%2Fb%3Fc", self._credentials)
        self.assertEqual(self.provider().retrieve().access_key, "ASIAIMDS0001")

    def test_bad_token_answer_is_not_sent_as_a_header(self):
        self.server.route("PUT", IMDS_TOKEN_PATH, (200, "bad\x01token"))
        with self.assertRaisesRegex(minicreds.TransportError, "not a valid header"):
            self.provider().retrieve()
        self.assertEqual(len(self.requests("GET")), 0)

    def test_proxy_variables_are_ignored(self):
        self.env.update(HTTP_PROXY="http://127.0.0.1:9", http_proxy="127.0.0.1:9")
        self.assertIsNotNone(self.provider().retrieve())


class Ipv6Test(ImdsCase):
    """IPv6 mode reaches http://[fd00:ec2::254] on port 80 (the fake stands there
    through ``support.dial_only``)."""

    def test_ipv6_mode_from_the_environment(self):
        self.env["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] = "IPv6"
        p = minicreds.IamAwsProvider(environ=self.env, clock=self.clock)
        where = (support.HOST, self.server.port)
        with support.dial_only(("fd00:ec2::254", 80), where) as dialled:
            self.assertEqual(p.retrieve().access_key, "ASIAIMDS0001")
        self.assertEqual(set(dialled), {("fd00:ec2::254", 80)})
        self.assertEqual(len(self.requests()), 3)

    def test_ipv6_endpoint_without_port(self):
        p = minicreds.IamAwsProvider(
            environ=self.env, clock=self.clock,
            ec2_metadata_service_endpoint="http://[fd00:ec2::254]",
        )  # fmt: skip
        where = (support.HOST, self.server.port)
        with support.dial_only(("fd00:ec2::254", 80), where):
            self.assertEqual(p.retrieve().access_key, "ASIAIMDS0001")


class ImdsV1FallbackTest(ImdsCase):
    def test_token_403_404_405_fall_back_to_v1(self):
        for status in (403, 404, 405):
            with self.subTest(status=status):
                self.server.reset_routes()
                self.server.route("PUT", IMDS_TOKEN_PATH, status)
                self.server.route("GET", IMDS_ROLES_PATH, (200, "web-role"))
                self.server.route(
                    "GET", IMDS_ROLES_PATH + "web-role", self._credentials
                )
                puts = len(self.requests("PUT"))
                self.assertIsNotNone(self.provider().retrieve())
                gets = self.requests("GET")
                self.assertEqual(len(gets), 2)
                self.assertEqual([header(r) for r in gets], [None, None])
                # One token request per fetch: IMDSv1 for the rest of it.
                self.assertEqual(len(self.requests("PUT")), puts + 1)

    def test_token_timeout_falls_back_to_v1(self):
        self.server.route("PUT", IMDS_TOKEN_PATH, support.hang())
        start = time.monotonic()
        creds = self.provider().retrieve()
        self.assertLess(time.monotonic() - start, HANG_GUARD)
        self.assertEqual(creds.access_key, "ASIAIMDS0001")
        self.assertEqual([header(r) for r in self.requests("GET")], [None, None])
        self.assertEqual(len(self.requests("PUT")), 1)  # not one per GET

    def test_other_token_errors_after_a_200_are_errors(self):
        # The role listing's 200 proves the service AWS's: a 401 there renews the
        # token, and that request's 400 is then an error.
        self.server.route("PUT", IMDS_TOKEN_PATH, (200, IMDS_TOKEN), 400)
        self.server.route("GET", IMDS_ROLES_PATH, (200, "web-role"))
        self.server.route("GET", IMDS_ROLES_PATH + "web-role", 401)
        with self.assertRaisesRegex(minicreds.TransportError, "HTTP 400"):
            self.provider().retrieve()

    def test_v1_disabled_and_no_token_is_an_error(self):
        cases = [
            ({"AWS_EC2_METADATA_V1_DISABLED": "true"}, {}),
            ({}, {"ec2_metadata_v1_disabled": True}),
            ({}, {"ec2_metadata_v1_disabled": "TRUE"}),
        ]
        for env, kw in cases:
            with self.subTest(env=env, kw=kw):
                self.server.reset_routes()
                self.server.route("PUT", IMDS_TOKEN_PATH, 403)
                self.env = env
                with self.assertRaises(minicreds.TransportError) as cm:
                    self.provider(**kw).retrieve()
                self.assertIn("IMDSv1 is disabled", str(cm.exception))
                self.assertIn("HTTP 403", str(cm.exception))
                self.assertEqual(self.requests("GET"), [])

    def test_v1_disabled_false_in_the_environment_wins_over_config(self):
        self.server.route("PUT", IMDS_TOKEN_PATH, 405)
        self.env["AWS_EC2_METADATA_V1_DISABLED"] = "false"
        p = self.provider(ec2_metadata_v1_disabled=True)
        self.assertIsNotNone(p.retrieve())

    def test_v1_401_after_a_200_is_an_error(self):
        self.server.route("PUT", IMDS_TOKEN_PATH, 404)
        self.server.route("GET", IMDS_ROLES_PATH, (200, "web-role"))
        self.server.route("GET", IMDS_ROLES_PATH + "web-role", 401)
        with self.assertRaisesRegex(minicreds.TransportError, "HTTP 401"):
            self.provider().retrieve()


class NotAwsMetadataTest(ImdsCase):
    """Something that is not AWS's instance metadata answers at its address: until
    it has once answered 200 (a token, a role list), its errors mean "no instance
    role here" (README "Instance metadata timeouts")."""

    def assert_none(self, p):
        self.assertIsNone(p.retrieve())
        self.assertIn("not AWS's instance metadata", p._reason)

    def test_errors_to_the_role_listing_are_no_role(self):
        # A 403 to the token request falls back to IMDSv1, as EC2 with IMDS turned
        # off answers; then the role listing's answer.
        for status in (400, 403, 407, 502):
            with self.subTest(status=status):
                self.server.reset_routes()
                self.server.route("GET", None, status)
                self.server.route("PUT", IMDS_TOKEN_PATH, 403)
                self.assert_none(self.provider())
                gets = {r.path for r in self.server.requests if r.method == "GET"}
                self.assertEqual(gets, {IMDS_EXTENDED_PATH})  # the listing only

    def test_errors_to_the_token_request_are_no_role(self):
        # Azure's metadata service answers 400 without its Metadata header; a proxy
        # 407 or 502. Only 403, 404 and 405 fall back to IMDSv1.
        for status in (400, 407, 502):
            with self.subTest(status=status):
                self.server.reset_routes()
                self.server.route("PUT", IMDS_TOKEN_PATH, status)
                self.assert_none(self.provider())
                self.assertEqual(self.requests("GET"), [])

    def test_openstack_405_then_404_is_no_role(self):
        self.server.route("PUT", IMDS_TOKEN_PATH, 405)
        self.server.route("GET", IMDS_ROLES_PATH, 404)
        p = self.provider()
        self.assertIsNone(p.retrieve())
        self.assertIn("HTTP 404", p._reason)

    def test_working_imds_is_unchanged(self):
        self.assertEqual(self.provider().retrieve().access_key, "ASIAIMDS0001")

    def test_after_a_token_errors_stay_errors(self):
        for status in (400, 403, 502):
            with self.subTest(status=status):
                self.server.route("GET", IMDS_ROLES_PATH, status)
                with self.assertRaisesRegex(minicreds.TransportError, f"HTTP {status}"):
                    self.provider().retrieve()

    def test_with_credentials_in_hand_static_stability(self):
        p = self.provider()
        creds = p.retrieve()
        self.server.route("*", None, 403)
        self.clock.advance(3600 - 30)  # in the blocking window
        with self.assertLogs("minicreds", "WARNING") as logs:
            stable = p.retrieve()
        self.assertIn("static stability", logs.output[0])
        self.assertEqual(stable.access_key, creds.access_key)
        self.assertGreater(stable.expiration.timestamp(), self.clock())

    def test_chain_moves_on(self):
        self.server.route("*", None, 403)
        last = minicreds.StaticProvider("AKIDNEXT", "next-secret")
        chain = minicreds.ChainedProvider([self.provider(), last], strict=True)
        self.assertEqual(chain.retrieve().access_key, "AKIDNEXT")
        self.assertEqual(chain.attempts[0][1], "not configured")


class StaticStabilityTest(ImdsCase):
    def test_expired_credentials_served_when_imds_fails(self):
        p = self.provider()
        first = p.retrieve()
        self.server.route("GET", IMDS_ROLES_PATH, (500, "down"))
        self.clock.advance(3600 + 120)  # past expiry
        with self.assertLogs("minicreds", "WARNING") as logs:
            creds = p.retrieve()
        self.assertEqual(creds.access_key, first.access_key)
        self.assertEqual(creds.session_token, first.session_token)
        left = creds.expiration.timestamp() - self.clock()
        self.assertTrue(300 <= left <= 600, left)
        self.assertIs(p.retrieve(), creds)  # cached until the extension's window
        # The provider named once, then what failed and where.
        url = self.server.url + IMDS_ROLES_PATH
        line = (
            f"WARNING:minicreds:IamAwsProvider: HTTP 500 [{url}]; static "
            "stability: serving the last credentials 5-10 min more"
        )
        self.assertEqual(logs.output, [line])

    def test_imds_unreachable_with_credentials_in_hand(self):
        p = self.provider()
        first = p.retrieve()
        self.server.stop()  # nothing listens any more: connection refused
        self.clock.advance(3600)
        with self.assertLogs("minicreds", "WARNING"):
            creds = p.retrieve()
        self.assertEqual(creds.access_key, first.access_key)
        self.assertGreater(creds.expiration.timestamp(), self.clock() + 299)

    def test_imds_returns_expired_credentials(self):
        p = self.provider()
        first = p.retrieve()
        self.lifetime = -60  # IMDS now serves credentials that have already expired
        self.clock.advance(3600 - 30)
        with self.assertLogs("minicreds", "WARNING") as logs:
            creds = p.retrieve()
        self.assertEqual(creds.access_key, "ASIAIMDS0002")
        self.assertNotEqual(creds.access_key, first.access_key)
        left = creds.expiration.timestamp() - self.clock()
        self.assertTrue(300 <= left <= 600, left)
        self.assertIn("expired", "\n".join(logs.output))

    def test_expired_credentials_with_nothing_in_hand_are_an_error(self):
        self.lifetime = -60
        with self.assertRaisesRegex(minicreds.TransportError, "expired"):
            self.provider().retrieve()

    def test_without_credentials_in_hand_the_error_is_raised(self):
        self.server.route("GET", IMDS_ROLES_PATH, (500, "down"))
        with self.assertRaises(minicreds.TransportError):
            self.provider().retrieve()

    def test_no_secret_in_logs_or_errors(self):
        p = self.provider()
        p.retrieve()
        self.server.route("GET", IMDS_ROLES_PATH + "web-role", 401)
        self.clock.advance(4000)
        with SecretWatch() as watch:
            creds = p.retrieve()
            q = self.provider()
            with self.assertRaises(minicreds.CredentialsError) as cm:
                q.retrieve()
        self.assertTrue(watch.records)
        watch.assert_clean(
            self,
            IMDS_TOKEN,
            SECRET_KEY,
            SESSION_TOKEN,
            extra_texts=[cm.exception, repr(creds), repr(p), repr(q)],
        )


class OffEc2Test(unittest.TestCase):
    """Nothing answers at the metadata address: None (not on EC2), quickly."""

    def retrieve(self, url, **env):
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = url
        p = minicreds.IamAwsProvider(environ=env)
        start = time.monotonic()
        try:
            return p, p.retrieve()
        finally:
            self.assertLess(time.monotonic() - start, HANG_GUARD)

    def test_connection_refused(self):
        p, creds = self.retrieve("http://127.0.0.1:%d" % support.free_port())
        self.assertIsNone(creds)
        self.assertIn("cannot connect", p._reason)

    def test_listener_that_never_answers(self):
        with support.blackhole() as addr:
            p, creds = self.retrieve(addr.url)
        self.assertIsNone(creds)
        self.assertIn("no instance metadata service", p._reason)

    def test_full_connection_queue(self):
        with support.full_backlog() as addr:
            p, creds = self.retrieve(addr.url)
        self.assertIsNone(creds)
        self.assertIn("cannot connect", p._reason)

    def test_never_answers_with_v1_disabled_is_an_error(self):
        with support.blackhole() as addr:
            with self.assertRaisesRegex(minicreds.TransportError, "IMDSv1 is disabled"):
                self.retrieve(addr.url, AWS_EC2_METADATA_V1_DISABLED="true")

    def test_disabled_by_variable(self):
        with FakeServer() as server:
            for value in ("true", "TRUE", "True"):
                p = minicreds.IamAwsProvider(
                    server.url, environ={"AWS_EC2_METADATA_DISABLED": value}
                )
                self.assertIsNone(p.retrieve())
                self.assertIn("AWS_EC2_METADATA_DISABLED", p._reason)
            self.assertEqual(server.requests, [])

    def test_chain_records_the_reason(self):
        env = {"AWS_EC2_METADATA_DISABLED": "true"}
        chain = minicreds.ChainedProvider([minicreds.IamAwsProvider(environ=env)])
        self.assertIsNone(chain.retrieve())
        name, outcome, detail, _ = chain.attempts[0]
        self.assertEqual((name, outcome), ("IamAwsProvider", "not configured"))
        self.assertIn("AWS_EC2_METADATA_DISABLED", detail)


class LookupDeadlineTest(ImdsCase):
    """One deadline bounds a whole lookup, however many calls it makes (README
    "Instance metadata timeouts"): here 0.5 s, and every answer takes 0.3 s."""

    def setUp(self):
        super().setUp()
        slow = Response(200, "web-role\n", delay=0.3)
        self.server.route("PUT", IMDS_TOKEN_PATH, Response(200, IMDS_TOKEN, delay=0.3))
        self.server.route("GET", IMDS_ROLES_PATH, slow)
        patch = mock.patch.object(minicreds, "_LOOKUP_DEADLINE", 0.5)
        patch.start()
        self.addCleanup(patch.stop)

    def test_a_slow_but_answering_service(self):
        # Each call alone is well within its own timeouts and deadline.
        p = self.provider(metadata_service_timeout=5)
        with self.assertRaises(minicreds.TransportError) as raised:
            p.retrieve()
        self.assertEqual(raised.exception.kind, "read")  # timed out
        self.assertEqual(self.requests("GET", IMDS_ROLES_PATH + "web-role"), [])


class SettingsTest(unittest.TestCase):
    """Endpoint and settings resolution, checked without connecting anywhere."""

    def settings(self, env, endpoint=None, **kw):
        return minicreds.IamAwsProvider(endpoint, environ=env, **kw)._imds_settings(env)

    def test_default_endpoints(self):
        self.assertEqual(self.settings({}).base, "http://169.254.169.254")
        env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"}
        self.assertEqual(self.settings(env).base, "http://[fd00:ec2::254]")
        self.assertEqual(
            self.settings({}, ec2_metadata_service_endpoint_mode="ipv6").base,
            "http://[fd00:ec2::254]",
        )
        env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv4"}
        self.assertEqual(
            self.settings(env, ec2_metadata_service_endpoint_mode="IPv6").base,
            "http://169.254.169.254",
        )

    def test_bad_endpoint_mode(self):
        env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv5"}
        with self.assertRaises(minicreds.ConfigError) as cm:
            self.settings(env)
        self.assertIn("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", str(cm.exception))
        self.assertIn("'IPv5' is not IPv4 or IPv6", str(cm.exception))

    def test_endpoint_precedence(self):
        env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1"}
        kw = {"ec2_metadata_service_endpoint": "http://127.0.0.1:2"}
        self.assertEqual(self.settings({}, **kw).base, "http://127.0.0.1:2")
        self.assertEqual(self.settings(env, **kw).base, "http://127.0.0.1:1")
        self.assertEqual(
            self.settings(env, "http://127.0.0.1:3", **kw).base, "http://127.0.0.1:3"
        )

    def test_timeout_and_attempts(self):
        got = self.settings({})
        self.assertEqual(
            (got.timeout, got.attempts, got.v1_disabled), (None, None, False)
        )
        kw = {"metadata_service_timeout": 3, "metadata_service_num_attempts": "2"}
        got = self.settings({}, **kw)
        self.assertEqual((got.timeout, got.attempts), (3.0, 2))
        env = {
            "AWS_METADATA_SERVICE_TIMEOUT": "0.5",
            "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "4",
        }
        got = self.settings(env, **kw)
        self.assertEqual((got.timeout, got.attempts), (0.5, 4))

    def test_bad_numbers(self):
        for name, value in [
            ("AWS_METADATA_SERVICE_TIMEOUT", "soon"),
            ("AWS_METADATA_SERVICE_TIMEOUT", "-1"),
            ("AWS_METADATA_SERVICE_TIMEOUT", "nan"),
            ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1.5"),
            ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0"),
        ]:
            with self.subTest(name=name, value=value):
                with self.assertRaises(minicreds.ConfigError) as cm:
                    self.settings({name: value})
                self.assertIn(name, str(cm.exception))
                self.assertIn("is not a positive number", str(cm.exception))

    def test_timeout_setting_applies_to_the_probe(self):
        # With AWS_METADATA_SERVICE_TIMEOUT the per-request timeout is the user's.
        with support.blackhole() as addr:
            env = {
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": addr.url,
                "AWS_METADATA_SERVICE_TIMEOUT": "0.1",
            }
            start = time.monotonic()
            self.assertIsNone(minicreds.IamAwsProvider(environ=env).retrieve())
            self.assertLess(time.monotonic() - start, HANG_GUARD)


class WebIdentityCase(ImdsCase):
    """Also a fake STS and a web identity token file."""

    def setUp(self):
        super().setUp()
        self.sts = FakeServer().start()
        self.addCleanup(self.sts.stop)
        self.sts.route("POST", "/", self._sts)
        self.calls = 0
        folder = tempfile.TemporaryDirectory(prefix="minicreds-imds-")
        self.addCleanup(folder.cleanup)
        self.token_file = os.path.join(folder.name, "token")
        self.write_token("jwt-one-SECRET")

    def _sts(self, request):
        self.calls += 1
        body = sts_success_xml(
            "AssumeRoleWithWebIdentity",
            f"ASIAWEBID{self.calls}",
            SECRET_KEY,
            SESSION_TOKEN,
            iso(self.clock() + 3600),
        )
        return xml_response(200, body)

    def write_token(self, text):
        with open(self.token_file, "w") as f:
            f.write(text + "\n")


class DelegationTest(WebIdentityCase):
    def test_web_identity_from_the_environment(self):
        self.env.update(
            AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file,
            AWS_ROLE_ARN=POD_ROLE,
            AWS_ROLE_SESSION_NAME="pod-session",
            AWS_ENDPOINT_URL_STS=self.sts.url,
        )
        p = self.provider()
        self.assertEqual(p.retrieve().access_key, "ASIAWEBID1")
        self.assertEqual(p.retrieve().access_key, "ASIAWEBID1")  # cached
        self.assertEqual(len(self.sts.requests), 1)
        form = self.sts.requests[0].form
        self.assertEqual(form["Action"], ["AssumeRoleWithWebIdentity"])
        self.assertEqual(form["WebIdentityToken"], ["jwt-one-SECRET"])
        self.assertEqual(form["RoleArn"], [POD_ROLE])
        self.assertEqual(form["RoleSessionName"], ["pod-session"])
        # The token file rotates; the next refresh reads the new one.
        self.write_token("jwt-two-SECRET")
        self.clock.advance(3600 - 600)
        self.assertEqual(p.retrieve().access_key, "ASIAWEBID2")
        self.assertEqual(
            self.sts.requests[1].form["WebIdentityToken"], ["jwt-two-SECRET"]
        )
        self.assertEqual(self.server.requests, [])  # IMDS never asked
        # The delegate is kept: a changed environment does not switch sources.
        self.env.clear()
        self.env["AWS_EC2_METADATA_DISABLED"] = "true"
        self.assertEqual(p.retrieve().access_key, "ASIAWEBID2")

    def test_web_identity_default_session_name(self):
        self.env.update(
            AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file,
            AWS_ROLE_ARN=POD_ROLE,
            AWS_ENDPOINT_URL_STS=self.sts.url,
        )
        self.provider().retrieve()
        name = self.sts.requests[0].form["RoleSessionName"][0]
        self.assertRegex(name, r"^minicreds-\d+$")

    def test_token_file_without_role_arn(self):
        self.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = self.token_file
        with self.assertRaisesRegex(minicreds.ConfigError, "AWS_ROLE_ARN"):
            self.provider().retrieve()

    def test_missing_token_file(self):
        self.env.update(
            AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file + ".missing",
            AWS_ROLE_ARN=POD_ROLE,
            AWS_ENDPOINT_URL_STS=self.sts.url,
        )
        with self.assertRaises(minicreds.ConfigError) as cm:
            self.provider().retrieve()
        self.assertIn(self.token_file + ".missing", str(cm.exception))
        self.assertEqual(self.sts.requests, [])

    def test_role_arn_alone_is_not_web_identity(self):
        self.env["AWS_ROLE_ARN"] = POD_ROLE
        self.assertEqual(self.provider().retrieve().access_key, "ASIAIMDS0001")

    def test_container_from_the_environment(self):
        with FakeServer() as container:
            container.route("GET", "/creds", Response(200, {
                "AccessKeyId": "ASIACONTAINER", "SecretAccessKey": SECRET_KEY,
                "Token": SESSION_TOKEN, "Expiration": iso(self.clock() + 3600),
            }))  # fmt: skip
            self.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = container.url + "/creds"
            p = self.provider()
            self.assertEqual(p.retrieve().access_key, "ASIACONTAINER")
            self.assertEqual(p.retrieve().access_key, "ASIACONTAINER")
            self.assertEqual(len(container.requests), 1)
        self.assertEqual(self.server.requests, [])

    def test_web_identity_comes_before_the_container(self):
        self.env.update(
            AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file,
            AWS_ROLE_ARN=POD_ROLE,
            AWS_ENDPOINT_URL_STS=self.sts.url,
            AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:9/never",
        )
        self.assertEqual(self.provider().retrieve().access_key, "ASIAWEBID1")

    def test_the_chains_link_is_instance_metadata_alone(self):
        # default_provider has links of its own for web identity and containers.
        self.env.update(
            AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file,
            AWS_ROLE_ARN="arn:aws:iam::123456789012:role/pod",
            AWS_ENDPOINT_URL_STS=self.sts.url,
            AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:9/never",
        )
        settings = {"ec2_metadata_service_endpoint": self.server.url}
        imds = minicreds._imds(settings, environ=self.env)
        self.assertEqual(imds.retrieve().access_key, "ASIAIMDS0001")
        self.assertEqual(self.sts.requests, [])


class SlowEnviron(dict):
    """An environment whose every read lets the other threads run: callers racing
    to a first retrieve() all read it before any of them has chosen a source."""

    def get(self, key, default=None):
        time.sleep(0.002)
        return super().get(key, default)


class FirstUseTest(WebIdentityCase):
    """16 callers at once on a new provider: one choice of source, one fetch."""

    THREADS = 16

    def all_at_once(self, retrieve):
        barrier = threading.Barrier(self.THREADS)
        found, errors = [], []

        def call():
            try:
                barrier.wait(HANG_GUARD)
                found.append(retrieve())
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=call) for _ in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(HANG_GUARD)
        self.assertEqual(errors, [])
        self.assertEqual(len(found), self.THREADS)
        return found

    def test_container_source_chosen_once(self):
        with FakeServer() as container:
            container.route("GET", "/creds", Response(200, {
                "AccessKeyId": "ASIACONTAINER", "SecretAccessKey": SECRET_KEY,
                "Token": SESSION_TOKEN, "Expiration": iso(self.clock() + 3600),
            }))  # fmt: skip
            env = SlowEnviron(
                AWS_CONTAINER_CREDENTIALS_FULL_URI=container.url + "/creds"
            )
            p = minicreds.IamAwsProvider(self.server.url, environ=env, clock=self.clock)
            found = self.all_at_once(p.retrieve)
            self.assertEqual({c.access_key for c in found}, {"ASIACONTAINER"})
            self.assertEqual(len(container.requests), 1)
        self.assertEqual(self.server.requests, [])

    def test_web_identity_source_chosen_once(self):
        env = SlowEnviron(
            AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file,
            AWS_ROLE_ARN=POD_ROLE,
            AWS_ENDPOINT_URL_STS=self.sts.url,
        )
        p = minicreds.IamAwsProvider(self.server.url, environ=env, clock=self.clock)
        self.all_at_once(p.retrieve)
        self.assertEqual(len(self.sts.requests), 1)

    def test_web_identity_link_of_the_chain_built_once(self):
        env = SlowEnviron(
            AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file,
            AWS_ROLE_ARN=POD_ROLE,
            AWS_ENDPOINT_URL_STS=self.sts.url,
        )
        link = minicreds._EnvWebIdentity({}, environ=env, clock=self.clock)
        self.all_at_once(link.retrieve)
        self.assertEqual(len(self.sts.requests), 1)


if __name__ == "__main__":
    unittest.main()
