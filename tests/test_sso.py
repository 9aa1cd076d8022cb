"""SSOProvider and SSO profiles against a loopback fake portal (standard library only).

The token cache is laid out as ``aws sso login`` writes it:
``~/.aws/sso/cache/<sha1 of the sso-session name, or of the start URL>.json``.
"""

import json
import os
import time
import unittest
from unittest import mock

import minicreds
from tests.fakes import SSO_START_URL, FakeClock
from tests.sso_support import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    LEGACY,
    NEW_ACCESS_TOKEN,
    NEW_REFRESH_TOKEN,
    REFRESH_TOKEN,
    ROLE_SECRET,
    ROLE_TOKEN,
    SECRETS,
    SESSION,
    SSOTestBase,
)


class SSOProfileTest(SSOTestBase):
    def test_legacy_profile(self):
        self.config(LEGACY)
        self.write_token(SSO_START_URL)
        provider = minicreds.AWSConfigProvider(profile="legacy")
        creds = provider.retrieve()
        self.assertEqual(
            (creds.access_key, creds.secret_key, creds.session_token),
            ("ASIASSOROLE", ROLE_SECRET, ROLE_TOKEN),
        )
        self.assertAlmostEqual(
            creds.expiration.timestamp(), time.time() + 3600, delta=60
        )
        (req,) = self.portal_requests()
        self.assertEqual(req.method, "GET")
        self.assertEqual(
            req.query, {"role_name": ["ReadOnly"], "account_id": ["111122223333"]}
        )
        self.assertEqual(req.headers["x-amz-sso_bearer_token"], ACCESS_TOKEN)
        self.assertIsNone(req.headers.get("Authorization"))
        self.assertIs(
            provider.retrieve(), creds
        )  # cached: the portal is not asked again
        self.assertEqual(len(self.portal_requests()), 1)
        self.watch.assert_clean(self, *SECRETS)

    def test_session_profile_valid_token_is_not_renewed(self):
        self.config(SESSION)
        self.write_token("corp")  # keyed on the session name, not the start URL
        creds = minicreds.AWSConfigProvider(profile="dev").retrieve()
        self.assertEqual(creds.access_key, "ASIASSOROLE")
        (req,) = self.portal_requests()
        self.assertEqual(req.query["account_id"], ["444455556666"])
        self.assertEqual(req.query["role_name"], ["Developer"])
        self.assertEqual(self.oidc_requests(), [])

    def test_session_token_due_is_renewed_and_saved(self):
        self.config(SESSION)
        old = self.write_token("corp", expires_in=300)
        self.fake.route(
            "POST",
            "/token",
            (
                200,
                {
                    "accessToken": NEW_ACCESS_TOKEN,
                    "expiresIn": 28800,
                    "tokenType": "Bearer",
                    "refreshToken": NEW_REFRESH_TOKEN,
                },
            ),
        )
        creds = minicreds.AWSConfigProvider(profile="dev").retrieve()
        self.assertEqual(creds.access_key, "ASIASSOROLE")
        (oidc,) = self.oidc_requests()
        self.assertEqual(oidc.method, "POST")
        self.assertEqual(
            oidc.json(),
            {
                "clientId": "client-id-123",
                "clientSecret": CLIENT_SECRET,
                "refreshToken": REFRESH_TOKEN,
                "grantType": "refresh_token",
            },
        )
        (portal,) = self.portal_requests()
        self.assertEqual(portal.headers["x-amz-sso_bearer_token"], NEW_ACCESS_TOKEN)
        with open(self.token_path("corp")) as f:
            saved = json.load(f)
        self.assertEqual(saved["accessToken"], NEW_ACCESS_TOKEN)
        self.assertEqual(saved["refreshToken"], NEW_REFRESH_TOKEN)
        self.assertEqual(saved["clientId"], old["clientId"])
        self.assertEqual(saved["startUrl"], SSO_START_URL)
        expires = minicreds._parse_time(saved["expiresAt"]).timestamp()
        self.assertAlmostEqual(expires, time.time() + 28800, delta=60)
        self.assertEqual(
            sorted(os.listdir(self.cache)), [os.path.basename(self.token_path("corp"))]
        )  # no temp file left
        self.watch.assert_clean(self, *SECRETS)

    def test_expired_session_token_renewal_refused(self):
        self.config(SESSION)
        self.write_token("corp", expires_in=-60)
        self.fake.route(
            "POST",
            "/token",
            (400, {"error": "invalid_grant", "error_description": REFRESH_TOKEN}),
        )
        exc = self.fails(
            minicreds.AWSConfigProvider(profile="dev"), "aws sso login --profile dev"
        )
        self.assertIn("expired", str(exc))
        self.assertEqual(self.portal_requests(), [])
        self.assertEqual(len(self.oidc_requests()), 1)

    def test_renewal_failure_keeps_a_valid_token(self):
        self.config(SESSION)
        self.write_token("corp", expires_in=600)
        self.fake.route("POST", "/token", (400, {"error": "invalid_grant"}))
        creds = minicreds.AWSConfigProvider(profile="dev").retrieve()
        self.assertEqual(creds.access_key, "ASIASSOROLE")
        self.assertEqual(
            self.portal_requests()[0].headers["x-amz-sso_bearer_token"], ACCESS_TOKEN
        )
        with open(self.token_path("corp")) as f:
            self.assertEqual(json.load(f)["accessToken"], ACCESS_TOKEN)
        self.watch.assert_clean(self, *SECRETS)

    def test_renewed_token_is_used_when_it_cannot_be_saved(self):
        self.config(SESSION)
        self.write_token("corp", expires_in=-60)
        self.fake.route(
            "POST", "/token", (200, {"accessToken": NEW_ACCESS_TOKEN, "expiresIn": 900})
        )
        denied = OSError(13, "Permission denied")
        with mock.patch.object(minicreds.os, "replace", side_effect=denied):
            with self.assertLogs("minicreds", "WARNING") as logs:
                creds = minicreds.AWSConfigProvider(profile="dev").retrieve()
        self.assertEqual(creds.access_key, "ASIASSOROLE")
        (portal,) = self.portal_requests()
        self.assertEqual(portal.headers["x-amz-sso_bearer_token"], NEW_ACCESS_TOKEN)
        self.assertIn(
            "cannot renew or save the SSO token: PermissionError", logs.output[0]
        )
        with open(self.token_path("corp")) as f:
            self.assertEqual(json.load(f)["accessToken"], ACCESS_TOKEN)
        self.watch.assert_clean(self, *SECRETS, extra_texts=logs.output)

    def test_legacy_expired_token_is_not_renewed(self):
        self.config(LEGACY)
        self.write_token(SSO_START_URL, expires_in=-5)
        self.fails(
            minicreds.AWSConfigProvider(profile="legacy"),
            "aws sso login --profile legacy",
        )
        self.assertEqual(self.fake.requests, [])

    def test_old_cli_expiry_format(self):
        self.config(LEGACY)
        when = time.strftime("%Y-%m-%dT%H:%M:%SUTC", time.gmtime(time.time() + 3600))
        self.write_token(SSO_START_URL, refresh=False, expiresAt=when)
        self.assertEqual(
            minicreds.AWSConfigProvider(profile="legacy").retrieve().access_key,
            "ASIASSOROLE",
        )

    def test_no_cache_file_or_bad_one(self):
        self.config(SESSION)
        self.fails(minicreds.AWSConfigProvider(profile="dev"), "no cached SSO token")
        with open(self.token_path("corp"), "w") as f:
            f.write(f'{{"accessToken": "{ACCESS_TOKEN}", ')
        self.fails(
            minicreds.AWSConfigProvider(profile="dev"), "aws sso login --profile dev"
        )
        self.assertEqual(self.fake.requests, [])

    def test_portal_refuses_the_token(self):
        self.config(LEGACY)
        self.write_token(SSO_START_URL)
        self.fake.route(
            "GET",
            "/federation/credentials",
            (
                401,
                {"message": "Session token not found or invalid " + ACCESS_TOKEN},
                {"x-amzn-ErrorType": "UnauthorizedException"},
            ),
        )
        self.fails(minicreds.AWSConfigProvider(profile="legacy"), "aws sso login")

    def test_cached_token_that_cannot_be_a_header_is_refused(self):
        # A line end kept in accessToken would reach http.client, whose exception
        # quotes the header value.
        self.config(LEGACY)
        for token in (ACCESS_TOKEN + "\n", ACCESS_TOKEN + "\u20ac"):
            with self.subTest(token=token):
                self.write_token(SSO_START_URL, accessToken=token)
                provider = minicreds.AWSConfigProvider(profile="legacy")
                self.fails(provider, "x-amz-sso_bearer_token", minicreds.ConfigError)
        self.assertEqual(self.portal_requests(), [])

    def test_portal_error_text_is_escaped(self):
        self.config(LEGACY)
        self.write_token(SSO_START_URL)
        self.fake.route(
            "GET",
            "/federation/credentials",
            (403, {"message": "\x1b]0;title\x07no"}, {"x-amzn-ErrorType": "Bad\x1b"}),
        )
        provider = minicreds.AWSConfigProvider(profile="legacy")
        error = self.fails(provider, "\\x1b]0;title\\x07no", minicreds.STSError)
        self.assertEqual(error.code, "Bad\\x1b")
        self.assertTrue(str(error).isprintable(), str(error))

    def test_portal_error_is_an_sts_error(self):
        self.config(LEGACY)
        self.write_token(SSO_START_URL)
        self.fake.route(
            "GET",
            "/federation/credentials",
            (
                403,
                {"message": "No access " + ACCESS_TOKEN},
                {"x-amzn-ErrorType": "ForbiddenException:http://internal.amazon.com/"},
            ),
        )
        exc = self.fails(
            minicreds.AWSConfigProvider(profile="legacy"),
            "No access",
            minicreds.STSError,
        )
        self.assertEqual((exc.code, exc.status), ("ForbiddenException", 403))

    def test_portal_answer_without_credentials(self):
        self.config(LEGACY)
        self.write_token(SSO_START_URL)
        self.fake.route("GET", "/federation/credentials", (200, {"other": 1}))
        self.fails(
            minicreds.AWSConfigProvider(profile="legacy"),
            "roleCredentials",
            minicreds.TransportError,
        )

    def test_profile_configuration_errors(self):
        cases = [
            (
                "[profile p]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n",
                "'nope' does not exist",
            ),
            (
                SESSION.replace(
                    "sso_account_id = 444455556666",
                    "sso_account_id = 444455556666\n    sso_region = us-west-2",
                ),
                "sso_region differs",
            ),
            (
                "[profile p]\nsso_start_url = u\nsso_region = r\nsso_account_id = 1\n",
                "sso_role_name",
            ),
        ]
        for text, fragment in cases:
            with self.subTest(fragment):
                self.config(text)
                profile = "dev" if "[profile dev]" in text else "p"
                self.fails(
                    minicreds.AWSConfigProvider(profile=profile),
                    fragment,
                    minicreds.ConfigError,
                )
        self.assertEqual(self.fake.requests, [])


class SSOProviderTest(SSOTestBase):
    def test_direct_use_with_clock_and_cache_dir(self):
        folder = os.path.join(self.home, "elsewhere")
        os.mkdir(folder)
        self.cache = folder
        self.write_token("my-session", expires_in=100, refresh=False)
        clock = FakeClock()
        provider = minicreds.SSOProvider(
            SSO_START_URL,
            "us-east-1",
            "111122223333",
            "Admin",
            session_name="my-session",
            cache_dir=folder,
            clock=clock,
        )
        self.assertEqual(provider.retrieve().access_key, "ASIASSOROLE")
        clock.advance(4000)  # token and credentials expired: login needed
        self.fails(provider, "aws sso login --sso-session my-session")
        self.assertEqual(len(self.portal_requests()), 1)


class SSOEndpointTest(SSOTestBase):
    """The portal's and OIDC's hosts: configured endpoints, FIPS and dual-stack, as
    botocore's endpoint rulesets for sso and sso-oidc name them. No request is
    made: ``_http`` records the URL and refuses."""

    def setUp(self):
        super().setUp()
        del os.environ["AWS_ENDPOINT_URL_SSO"]  # restored by support.env
        del os.environ["AWS_ENDPOINT_URL_SSO_OIDC"]

    def called(self, provider):
        """The URLs (without query) ``provider.retrieve()`` calls."""
        calls = []

        def fake_http(name, method, url, **kw):
            calls.append(url.partition("?")[0])
            raise minicreds.TransportError("stopped by the test", name, url)

        with mock.patch.object(minicreds, "_http", fake_http):
            with self.assertRaises(minicreds.TransportError):
                provider.retrieve()
        return calls

    def session_provider(self, region, **kw):
        self.write_token("s", expires_in=60)  # due: renewed at OIDC first
        return minicreds.SSOProvider(
            SSO_START_URL, region, "111122223333", "Admin", session_name="s", **kw
        )

    def test_fips_and_dual_stack(self):
        fips = {"AWS_USE_FIPS_ENDPOINT": "true"}
        dual = {"AWS_USE_DUALSTACK_ENDPOINT": "true"}
        both = dict(fips, **dual)
        cases = (
            ("us-east-2", {}, "portal.sso.us-east-2.amazonaws.com", "oidc.us-east-2.amazonaws.com"),
            ("us-east-2", both, "portal.sso-fips.us-east-2.api.aws", "oidc-fips.us-east-2.api.aws"),
            ("eu-west-1", fips, "portal.sso-fips.eu-west-1.amazonaws.com", "oidc-fips.eu-west-1.amazonaws.com"),
            ("eu-west-1", dual, "portal.sso.eu-west-1.api.aws", "oidc.eu-west-1.api.aws"),
            ("cn-north-1", dual, "portal.sso.cn-north-1.api.amazonwebservices.com.cn", "oidc.cn-north-1.api.amazonwebservices.com.cn"),
            ("cn-north-1", fips, "portal.sso-fips.cn-north-1.amazonaws.com.cn", "oidc-fips.cn-north-1.amazonaws.com.cn"),
            ("us-gov-west-1", fips, "portal.sso.us-gov-west-1.amazonaws.com", "oidc.us-gov-west-1.amazonaws.com"),
            ("us-gov-west-1", both, "portal.sso-fips.us-gov-west-1.api.aws", "oidc-fips.us-gov-west-1.api.aws"),
            ("us-iso-east-1", {}, "portal.sso.us-iso-east-1.c2s.ic.gov", "oidc.us-iso-east-1.c2s.ic.gov"),
            ("us-isob-east-1", fips, "portal.sso-fips.us-isob-east-1.sc2s.sgov.gov", "oidc-fips.us-isob-east-1.sc2s.sgov.gov"),
            ("eusc-de-east-1", dual, "portal.sso.eusc-de-east-1.api.amazonwebservices.eu", "oidc.eusc-de-east-1.api.amazonwebservices.eu"),
        )  # fmt: skip
        for region, environ, portal, oidc in cases:
            with self.subTest(region=region, environ=environ):
                provider = self.session_provider(region, environ=environ)
                self.assertEqual(
                    self.called(provider),
                    [
                        f"https://{oidc}/token",
                        f"https://{portal}/federation/credentials",
                    ],
                )

    def test_profile_settings(self):
        self.config(
            LEGACY + "use_fips_endpoint = true\nuse_dualstack_endpoint = true\n"
        )
        self.write_token(SSO_START_URL)
        provider = minicreds.AWSConfigProvider(profile="legacy")
        self.assertEqual(
            self.called(provider),
            ["https://portal.sso-fips.us-east-1.api.aws/federation/credentials"],
        )
        os.environ["AWS_USE_FIPS_ENDPOINT"] = "false"
        self.assertEqual(
            self.called(provider),
            ["https://portal.sso.us-east-1.api.aws/federation/credentials"],
        )

    def test_configured_endpoints(self):
        self.config(
            SESSION.replace(
                "sso_role_name = Developer\n",
                "sso_role_name = Developer\n    services = local\n"
                "    endpoint_url = http://127.0.0.1:1/profile\n",
            )
            + "    [services local]\n"
            + "    sso =\n      endpoint_url = http://127.0.0.1:2/sso\n"
        )
        self.write_token("corp", expires_in=60)
        provider = minicreds.AWSConfigProvider(profile="dev")
        self.assertEqual(
            self.called(provider),
            ["http://127.0.0.1:1/profile/token", "http://127.0.0.1:2/sso/federation/credentials"],
        )  # fmt: skip
        os.environ["AWS_ENDPOINT_URL_SSO_OIDC"] = "http://127.0.0.1:3/oidc"
        self.assertEqual(self.called(provider)[0], "http://127.0.0.1:3/oidc/token")
        os.environ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        self.assertEqual(
            self.called(provider),
            ["https://oidc.eu-central-1.amazonaws.com/token",
             "https://portal.sso.eu-central-1.amazonaws.com/federation/credentials"],
        )  # fmt: skip


if __name__ == "__main__":
    unittest.main()
