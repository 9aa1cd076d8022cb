"""STS and MinIO STS providers (README, "Providers" and "Failure behaviour") against
fakes on 127.0.0.1.

Standard library only. The fake STS answers as AWS, moto and MinIO do; every request
is recorded, so parameters, headers and signatures are checked on the wire.
"""

import contextlib
import datetime
import functools
import os
import shutil
import sys
import tempfile
import time
import unittest
import urllib.parse
from unittest import mock
from xml.sax.saxutils import escape

import minicreds
from minicreds import (
    AssumeRoleProvider,
    CertificateIdentityProvider,
    ClientGrantsProvider,
    ConfigError,
    Credentials,
    CredentialsError,
    LdapIdentityProvider,
    RefreshingProvider,
    StaticProvider,
    STSError,
    TransportError,
    WebIdentityProvider,
)
from tests import support
from tests.fakes import (
    ACCOUNT,
    STS_NAMESPACE,
    FakeClock,
    xml_response,
)
from tests.sigv4_reference import (
    parse_authorization,
)
from tests.sts_support import (
    ALL_SECRETS,
    AWS_ERRORS,
    FAR_DT,
    JWT,
    LDAP_PASSWORD,
    LDAP_USER,
    MINIO_ERRORS,
    OUT_SECRET,
    OUT_TOKEN,
    ROLE,
    SRC_KEY,
    SRC_SECRET,
    SRC_TOKEN,
    UTC,
    CannedHttp,
    Sleepless,
    STSTestCase,
    answer_ok,
    check_signature,
    error_xml,
    ok_xml,
    short_budget,
)
from tests.support import FakeServer, Response, SecretWatch


class EndpointResolution(unittest.TestCase):
    L1, L2, L3 = "http://127.0.0.1:1/sts", "http://127.0.0.1:2/", "http://127.0.0.1:3/x"
    GLOBAL = "https://sts.amazonaws.com"
    TABLE = (
        # region argument, sts_endpoint, environment -> URL, signing region
        (None, None, {}, GLOBAL, "us-east-1"),
        ("", None, {"AWS_REGION": "", "AWS_ENDPOINT_URL_STS": ""}, GLOBAL, "us-east-1"),
        ("eu-west-1", None, {}, "https://sts.eu-west-1.amazonaws.com", "eu-west-1"),
        (None, None, {"AWS_REGION": "ap-south-1"}, "https://sts.ap-south-1.amazonaws.com", "ap-south-1"),
        (None, None, {"AWS_DEFAULT_REGION": "us-west-2"}, "https://sts.us-west-2.amazonaws.com", "us-west-2"),
        (None, None, {"AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "us-west-2"}, "https://sts.eu-north-1.amazonaws.com", "eu-north-1"),
        ("eu-west-3", None, {"AWS_REGION": "eu-north-1"}, "https://sts.eu-west-3.amazonaws.com", "eu-west-3"),
        ("us-east-1", None, {}, "https://sts.us-east-1.amazonaws.com", "us-east-1"),
        ("us-gov-west-1", None, {}, "https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
        ("cn-north-1", None, {}, "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ("aws-global", None, {}, GLOBAL, "us-east-1"),
        (None, None, {"AWS_REGION": "cn-northwest-1"}, "https://sts.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"),
        (None, None, {"AWS_ENDPOINT_URL_STS": L1}, L1, "us-east-1"),
        (None, None, {"AWS_ENDPOINT_URL": L2}, L2, "us-east-1"),
        (None, None, {"AWS_ENDPOINT_URL_STS": L1, "AWS_ENDPOINT_URL": L2}, L1, "us-east-1"),
        ("eu-west-1", None, {"AWS_ENDPOINT_URL_STS": L1}, L1, "eu-west-1"),
        (None, None, {"AWS_ENDPOINT_URL_STS": L1, "AWS_REGION": "ca-central-1"}, L1, "ca-central-1"),
        ("eu-west-1", L3, {"AWS_ENDPOINT_URL_STS": L1, "AWS_ENDPOINT_URL": L2}, L3, "eu-west-1"),
        (None, L3, {"AWS_DEFAULT_REGION": "sa-east-1"}, L3, "sa-east-1"),
        (None, L3, {}, L3, "us-east-1"),
        ("us-west-2", None, {"AWS_STS_REGIONAL_ENDPOINTS": "legacy"}, GLOBAL, "us-east-1"),
        ("us-east-1", None, {"AWS_STS_REGIONAL_ENDPOINTS": "LEGACY"}, GLOBAL, "us-east-1"),
        ("us-west-2", None, {"AWS_STS_REGIONAL_ENDPOINTS": "regional"}, "https://sts.us-west-2.amazonaws.com", "us-west-2"),
        ("eu-south-1", None, {"AWS_STS_REGIONAL_ENDPOINTS": "legacy"}, "https://sts.eu-south-1.amazonaws.com", "eu-south-1"),
        ("cn-north-1", None, {"AWS_STS_REGIONAL_ENDPOINTS": "legacy"}, "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ("us-west-2", L1, {"AWS_STS_REGIONAL_ENDPOINTS": "legacy"}, L1, "us-west-2"),
    )  # fmt: skip

    def resolve(self, cls, region, endpoint, environ, **settings):
        canned = CannedHttp()
        if cls is AssumeRoleProvider:
            provider = cls(
                StaticProvider(SRC_KEY, SRC_SECRET), ROLE, "s", None, None, region,
                sts_endpoint=endpoint, environ=environ, **settings,
            )  # fmt: skip
        else:
            provider = cls(
                JWT, ROLE, "s", region, sts_endpoint=endpoint, environ=environ,
                **settings,
            )  # fmt: skip
        with mock.patch.object(minicreds, "_http", canned):
            provider.retrieve()
        url, headers = canned.calls[0]
        scope = None
        if "Authorization" in headers:
            scope = parse_authorization(headers["Authorization"])[1]["Credential"]
            scope = scope.split("/")[2]
        return url, scope

    def test_table(self):
        for region, endpoint, environ, url, signing in self.TABLE:
            with self.subTest(region=region, endpoint=endpoint, environ=environ):
                got = self.resolve(AssumeRoleProvider, region, endpoint, environ)
                self.assertEqual(got, (url, signing))
                got = self.resolve(WebIdentityProvider, region, endpoint, environ)
                self.assertEqual(got, (url, None))  # unsigned

    def test_profile_settings(self):
        # The profile's region and sts_regional_endpoints, below the arguments and
        # the environment (botocore's config chain: variable, then profile).
        legacy = {"sts_regional_endpoints": "legacy"}
        cases = (
            ({}, {}, "https://sts.eu-central-1.amazonaws.com", "eu-central-1"),
            ({"AWS_REGION": "us-west-1"}, {}, "https://sts.us-west-1.amazonaws.com", "us-west-1"),
            ({}, legacy, self.GLOBAL, "us-east-1"),
            ({"AWS_REGION": "eu-south-1"}, legacy, "https://sts.eu-south-1.amazonaws.com", "eu-south-1"),
            ({"AWS_REGION": "eu-west-2"}, legacy, self.GLOBAL, "us-east-1"),
            ({"AWS_STS_REGIONAL_ENDPOINTS": "regional"}, legacy, "https://sts.eu-central-1.amazonaws.com", "eu-central-1"),
            ({"AWS_STS_REGIONAL_ENDPOINTS": "legacy"}, {"sts_regional_endpoints": "regional"}, self.GLOBAL, "us-east-1"),
        )  # fmt: skip
        for environ, settings, url, signing in cases:
            with self.subTest(environ=environ, settings=settings):
                settings = dict(settings, region="eu-central-1")
                got = self.resolve(
                    AssumeRoleProvider, None, None, environ, profile_settings=settings
                )
                self.assertEqual(got, (url, signing))

    def test_configured_endpoints_in_botocore_order(self):
        # AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the services section's sts block,
        # the profile's endpoint_url (botocore configprovider.py,
        # ConfiguredEndpointProvider); the ignore flag turns them all off.
        env_sts, env_all, profile = self.L1, self.L2, "http://127.0.0.1:4/profile"
        block = "http://127.0.0.1:5/services"
        services = {"sts": {"endpoint_url": block}, "s3": {"endpoint_url": "x"}}
        regional = "https://sts.eu-west-1.amazonaws.com"
        ignore = {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
        cases = (
            ({}, {"endpoint_url": profile}, {}, profile),
            ({}, {"endpoint_url": profile}, {"s3": {"endpoint_url": "x"}}, profile),
            ({}, {"endpoint_url": profile}, services, block),
            ({}, {}, services, block),
            ({"AWS_ENDPOINT_URL": env_all}, {"endpoint_url": profile}, services, env_all),
            ({"AWS_ENDPOINT_URL_STS": env_sts, "AWS_ENDPOINT_URL": env_all}, {}, services, env_sts),
            (ignore, {"endpoint_url": profile}, services, regional),
            (dict(ignore, AWS_ENDPOINT_URL_STS=env_sts), {}, {}, regional),
            ({}, {"endpoint_url": profile, "ignore_configured_endpoint_urls": "True"}, services, regional),
            ({"AWS_ENDPOINT_URL": env_all}, {"ignore_configured_endpoint_urls": "true"}, {}, regional),
            ({"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"}, {"endpoint_url": profile, "ignore_configured_endpoint_urls": "true"}, {}, profile),
        )  # fmt: skip
        for environ, settings, sections, url in cases:
            with self.subTest(environ=environ, settings=settings, services=sections):
                for cls in (AssumeRoleProvider, WebIdentityProvider):
                    got = self.resolve(
                        cls, "eu-west-1", None, environ, profile_settings=settings,
                        profile_services=sections,
                    )  # fmt: skip
                    self.assertEqual(got[0], url)

    def test_sts_endpoint_argument_is_never_ignored(self):
        environ = {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
        got = self.resolve(AssumeRoleProvider, "eu-west-1", self.L3, environ)
        self.assertEqual(got, (self.L3, "eu-west-1"))

    def test_fips_and_dual_stack(self):
        # botocore's endpoint ruleset for sts (data/sts/2011-06-15).
        fips = {"AWS_USE_FIPS_ENDPOINT": "true"}
        dual = {"AWS_USE_DUALSTACK_ENDPOINT": "true"}
        both = dict(fips, **dual)
        legacy = {"AWS_STS_REGIONAL_ENDPOINTS": "legacy"}
        cases = (
            ("us-east-1", fips, "https://sts-fips.us-east-1.amazonaws.com"),
            ("us-east-1", dual, "https://sts.us-east-1.api.aws"),
            ("us-east-1", both, "https://sts-fips.us-east-1.api.aws"),
            ("us-west-2", dict(fips, **legacy), "https://sts-fips.us-west-2.amazonaws.com"),
            ("eu-west-1", dict(dual, **legacy), "https://sts.eu-west-1.api.aws"),
            ("cn-north-1", fips, "https://sts-fips.cn-north-1.amazonaws.com.cn"),
            ("cn-north-1", dual, "https://sts.cn-north-1.api.amazonwebservices.com.cn"),
            ("cn-north-1", both, "https://sts-fips.cn-north-1.api.amazonwebservices.com.cn"),
            ("us-gov-west-1", fips, "https://sts.us-gov-west-1.amazonaws.com"),
            ("us-gov-west-1", both, "https://sts-fips.us-gov-west-1.api.aws"),
            ("us-east-1", {"AWS_USE_FIPS_ENDPOINT": "false"}, "https://sts.us-east-1.amazonaws.com"),
            ("us-east-1", dict(fips, AWS_ENDPOINT_URL_STS=self.L1), self.L1),
        )  # fmt: skip
        for region, environ, url in cases:
            with self.subTest(region=region, environ=environ):
                got = self.resolve(AssumeRoleProvider, region, None, environ)
                self.assertEqual(got, (url, region))

    def test_every_partitions_domains(self):
        # The URLs botocore 1.43's sts client sends to (partitions.json): the
        # isolated partitions of air-gapped regions and the European sovereign one.
        fips = {"AWS_USE_FIPS_ENDPOINT": "true"}
        dual = {"AWS_USE_DUALSTACK_ENDPOINT": "true"}
        cases = (
            ("us-iso-east-1", {}, "https://sts.us-iso-east-1.c2s.ic.gov"),
            ("us-iso-east-1", fips, "https://sts-fips.us-iso-east-1.c2s.ic.gov"),
            ("us-iso-east-1", dual, "https://sts.us-iso-east-1.api.aws.ic.gov"),
            ("us-isob-east-1", {}, "https://sts.us-isob-east-1.sc2s.sgov.gov"),
            ("us-isob-east-1", dual, "https://sts.us-isob-east-1.api.aws.scloud"),
            ("eu-isoe-west-1", fips, "https://sts-fips.eu-isoe-west-1.cloud.adc-e.uk"),
            ("us-isof-south-1", {}, "https://sts.us-isof-south-1.csp.hci.ic.gov"),
            ("eusc-de-east-1", {}, "https://sts.eusc-de-east-1.amazonaws.eu"),
            ("eusc-de-east-1", dict(fips, **dual),
             "https://sts-fips.eusc-de-east-1.api.amazonwebservices.eu"),
            ("il-central-1", {}, "https://sts.il-central-1.amazonaws.com"),
        )  # fmt: skip
        for region, environ, url in cases:
            with self.subTest(region=region, environ=environ):
                got = self.resolve(AssumeRoleProvider, region, None, environ)
                self.assertEqual(got, (url, region))

    def test_fips_and_dual_stack_from_the_profile(self):
        fips = {"use_fips_endpoint": "true", "use_dualstack_endpoint": "true"}
        cases = (
            ({}, fips, "https://sts-fips.us-east-1.api.aws"),
            ({"AWS_USE_FIPS_ENDPOINT": "false"}, fips, "https://sts.us-east-1.api.aws"),
            ({"AWS_USE_DUALSTACK_ENDPOINT": "true"}, {}, "https://sts.us-east-1.api.aws"),
        )  # fmt: skip
        for environ, settings, url in cases:
            with self.subTest(environ=environ, settings=settings):
                got = self.resolve(
                    AssumeRoleProvider, "us-east-1", None, environ,
                    profile_settings=settings,
                )  # fmt: skip
                self.assertEqual(got, (url, "us-east-1"))

    def test_fips_without_a_region_is_us_east_1(self):
        # botocore would name sts-fips.aws-global.amazonaws.com, which does not
        # exist; the global endpoint is served from us-east-1.
        for region in (None, "aws-global"):
            with self.subTest(region=region):
                environ = {"AWS_USE_FIPS_ENDPOINT": "true"}
                got = self.resolve(AssumeRoleProvider, region, None, environ)
                self.assertEqual(
                    got, ("https://sts-fips.us-east-1.amazonaws.com", "us-east-1")
                )

    def test_bad_regional_setting(self):
        environ = {"AWS_STS_REGIONAL_ENDPOINTS": "sometimes"}
        with self.assertRaises(ConfigError) as cm:
            self.resolve(AssumeRoleProvider, "eu-west-1", None, environ)
        self.assertIn("sometimes", str(cm.exception))

    def test_region_that_is_not_a_region_name_is_refused(self):
        # botocore's validate_region_name: a region that could change the host
        # ("evil.example#" makes https://sts.evil.example#...) is refused before any
        # call, wherever it comes from.
        for region in ("evil.example#", "us-east-1:8443", "a/b", "x@y", "-us", "us "):
            for args in ((region, {}), (None, {"AWS_REGION": region})):
                with self.subTest(region=region, source=args[1] and "environment"):
                    with self.assertRaises(ConfigError) as cm:
                        self.resolve(AssumeRoleProvider, args[0], None, args[1])
                    self.assertIn("not a valid region name", str(cm.exception))

    def test_os_environ_used_by_default(self):
        with support.env(AWS_ENDPOINT_URL_STS=self.L1, AWS_REGION="eu-west-1"):
            got = self.resolve(AssumeRoleProvider, None, None, None)
        self.assertEqual(got, (self.L1, "eu-west-1"))


# --------------------------------------------------------------------------- AssumeRole


class AssumeRole(STSTestCase):
    def test_parameters_signature_and_result(self):
        provider = self.assume_role(
            duration=datetime.timedelta(minutes=15),
            policy='{"Version": "2012-10-17", "Statement": []}',
            external_id="ext id&1",
            region="eu-west-1",
        )
        self.assertIsInstance(provider, RefreshingProvider)
        creds = provider.retrieve()
        self.assertEqual(
            creds,
            Credentials("ASIAOUT1", OUT_SECRET, OUT_TOKEN, FAR_DT, account_id=ACCOUNT),
        )
        self.assertEqual(creds.expiration.tzinfo, UTC)
        req = self.server.requests[0]
        self.assert_form(
            req,
            {
                "Action": "AssumeRole",
                "RoleArn": ROLE,
                "RoleSessionName": "session-1",
                "DurationSeconds": "900",
                "Policy": '{"Version": "2012-10-17", "Statement": []}',
                "ExternalId": "ext id&1",
            },
        )
        self.assertEqual(req.headers["X-Amz-Security-Token"], SRC_TOKEN)  # chained
        _, fields = parse_authorization(req.headers["Authorization"])
        self.assertTrue(fields["Credential"].startswith(SRC_KEY + "/"))
        self.assertIn("/eu-west-1/sts/aws4_request", fields["Credential"])
        self.assertIn("x-amz-security-token", fields["SignedHeaders"].split(";"))
        self.assertTrue(check_signature(req, SRC_SECRET))
        self.assertFalse(check_signature(req, SRC_SECRET + "x"))  # the check can fail

    def test_optional_parameters_omitted(self):
        self.assume_role(source=StaticProvider(SRC_KEY, SRC_SECRET)).retrieve()
        req = self.server.requests[0]
        self.assert_form(
            req,
            {"Action": "AssumeRole", "RoleArn": ROLE, "RoleSessionName": "session-1"},
        )
        self.assertNotIn("X-Amz-Security-Token", req.headers)
        self.assertTrue(check_signature(req, SRC_SECRET))

    def test_duration_in_seconds_and_empty_role_arn(self):
        provider = AssumeRoleProvider(
            StaticProvider(SRC_KEY, SRC_SECRET), "", "s", 1800,
            sts_endpoint=self.url, environ={},
        )  # fmt: skip
        provider.retrieve()
        self.assert_form(
            self.server.requests[0],
            {"Action": "AssumeRole", "RoleSessionName": "s", "DurationSeconds": "1800"},
        )

    def test_duration_forms(self):
        for duration, sent in (
            (900, "900"),
            (1200.0, "1200"),
            (datetime.timedelta(hours=1), "3600"),
        ):
            with self.subTest(duration=duration):
                self.server.reset_routes()
                self.server.route("POST", "*", self.answer)
                self.assume_role(duration=duration).retrieve()
                self.assertEqual(
                    self.server.requests[0].form["DurationSeconds"], [sent]
                )

    def test_role_chaining_signs_with_the_first_role(self):
        first = self.assume_role()
        second = AssumeRoleProvider(
            first, ROLE + "2", "hop2", sts_endpoint=self.url, environ={}
        )
        creds = second.retrieve()
        self.assertEqual(creds.access_key, "ASIAOUT2")
        req1, req2 = self.server.requests
        self.assertTrue(check_signature(req1, SRC_SECRET))
        self.assertEqual(req2.form["RoleArn"], [ROLE + "2"])
        self.assertEqual(req2.headers["X-Amz-Security-Token"], OUT_TOKEN)
        self.assertIn("Credential=ASIAOUT1/", req2.headers["Authorization"])
        self.assertTrue(check_signature(req2, OUT_SECRET))

    def test_cached(self):
        provider = self.assume_role()
        self.assertIs(provider.retrieve(), provider.retrieve())
        self.assertEqual(len(self.server.requests), 1)

    def test_source_without_credentials(self):
        class Nothing(minicreds.Provider):
            def retrieve(self):
                return None

        with self.assertRaises(ConfigError) as cm:
            self.assume_role(source=Nothing()).retrieve()
        self.assertIn("Nothing", str(cm.exception))
        self.assertEqual(self.server.requests, [])

    def test_endpoint_from_environment(self):
        provider = AssumeRoleProvider(
            StaticProvider(SRC_KEY, SRC_SECRET), ROLE, "s",
            environ={"AWS_ENDPOINT_URL_STS": self.url, "AWS_REGION": "ap-south-1"},
        )  # fmt: skip
        provider.retrieve()
        auth = self.server.requests[0].headers["Authorization"]
        self.assertIn("/ap-south-1/sts/aws4_request", auth)


class AssumeRoleOverTls(STSTestCase):
    tls = True

    def test_aws_ca_bundle(self):
        ca = support.certs()["ca"]
        provider = self.assume_role(environ={"AWS_CA_BUNDLE": ca})
        self.assertEqual(provider.retrieve().access_key, "ASIAOUT1")
        provider = self.assume_role(ca_file=ca)
        self.assertEqual(provider.retrieve().access_key, "ASIAOUT2")

    def test_unknown_ca_refused(self):
        with Sleepless(), self.assertRaises(TransportError) as cm:
            self.assume_role().retrieve()
        self.assertIn("certificate", str(cm.exception).lower())
        self.assertEqual(self.server.requests, [])
        environ = {"AWS_CA_BUNDLE": support.certs()["other_ca"]}
        with Sleepless(), self.assertRaises(TransportError):
            self.assume_role(environ=environ).retrieve()
        self.assertEqual(self.server.requests, [])

    def test_missing_ca_bundle_is_a_config_error(self):
        missing = os.path.join(tempfile.gettempdir(), "minicreds-no-such-bundle.pem")
        with self.assertRaises(ConfigError) as cm:
            self.assume_role(environ={"AWS_CA_BUNDLE": missing}).retrieve()
        self.assertIn("AssumeRoleProvider", str(cm.exception))
        self.assertIn(missing, str(cm.exception))


# --------------------------------------------------------------------------- web identity


class WebIdentity(STSTestCase):
    def provider(self, token=JWT, **kw):
        kw.setdefault("sts_endpoint", self.url)
        kw.setdefault("environ", {})
        return WebIdentityProvider(token, ROLE, "web-1", **kw)

    def test_parameters_unsigned(self):
        creds = self.provider(duration=3600, policy="{}").retrieve()
        self.assertEqual(
            creds,
            Credentials("ASIAOUT1", OUT_SECRET, OUT_TOKEN, FAR_DT, account_id=ACCOUNT),
        )
        req = self.server.requests[0]
        self.assert_form(
            req,
            {
                "Action": "AssumeRoleWithWebIdentity",
                "RoleArn": ROLE,
                "RoleSessionName": "web-1",
                "WebIdentityToken": JWT,
                "DurationSeconds": "3600",
                "Policy": "{}",
            },
        )
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            self.assertNotIn(name, req.headers)
        self.assertIsInstance(self.provider(), RefreshingProvider)

    def test_minimal_parameters(self):
        self.provider().retrieve()
        self.assert_form(
            self.server.requests[0],
            {
                "Action": "AssumeRoleWithWebIdentity",
                "RoleArn": ROLE,
                "RoleSessionName": "web-1",
                "WebIdentityToken": JWT,
            },
        )


# --------------------------------------------------------------------------- JWT callables


class JwtCallable(STSTestCase):
    def refreshing(self, make):
        """Retrieve, move the clock into the refresh window, retrieve again."""
        clock = FakeClock()
        provider = make(clock=clock)
        first = provider.retrieve()
        self.assertIs(provider.retrieve(), first)  # cached: no call
        clock.now = FAR_DT.timestamp() - 120  # early window of a long-lived credential
        second = provider.retrieve()
        self.assertNotEqual(first, second)
        return [r.form for r in self.server.requests]

    def test_called_at_every_refresh(self):
        makers = {
            "web": lambda fn, **kw: WebIdentityProvider(
                fn, ROLE, "s", sts_endpoint=self.url, environ={}, **kw
            ),
            "grants": lambda fn, **kw: ClientGrantsProvider(fn, self.url, **kw),
        }
        for name, make in makers.items():
            with self.subTest(name):
                self.server.reset_routes()
                self.server.route("POST", "*", self.answer)
                tokens = iter([JWT + "1", JWT + "2", JWT + "3"])
                calls = []

                def jwt(calls=calls, tokens=tokens):
                    calls.append(1)
                    return next(tokens)

                forms = self.refreshing(functools.partial(make, jwt))
                key = "WebIdentityToken" if name == "web" else "Token"
                self.assertEqual([f[key] for f in forms], [[JWT + "1"], [JWT + "2"]])
                self.assertEqual(len(calls), 2)

    def test_minio_dict_convention(self):
        answers = iter(
            [
                {"access_token": JWT + "a", "expires_in": 900},
                {"id_token": JWT + "b", "expires_in": "1200"},
            ]
        )
        forms = self.refreshing(
            lambda clock: ClientGrantsProvider(
                lambda: next(answers), self.url, clock=clock
            )
        )
        self.assertEqual(forms[0]["Token"], [JWT + "a"])
        self.assertEqual(forms[0]["DurationSeconds"], ["900"])
        self.assertEqual(forms[1]["Token"], [JWT + "b"])
        self.assertEqual(forms[1]["DurationSeconds"], ["1200"])

    def test_explicit_duration_wins(self):
        token = {"access_token": JWT, "expires_in": 900}
        ClientGrantsProvider(lambda: token, self.url, duration=3600).retrieve()
        WebIdentityProvider(
            lambda: token, ROLE, "s", sts_endpoint=self.url, environ={}, duration=1800
        ).retrieve()
        self.assertEqual(self.server.requests[0].form["DurationSeconds"], ["3600"])
        self.assertEqual(self.server.requests[1].form["DurationSeconds"], ["1800"])

    def test_minio_dict_with_an_expires_in_that_is_not_a_number(self):
        for expires_in in ("soon", "12.5", [3600], float("inf"), float("nan")):
            token = {"access_token": JWT, "expires_in": expires_in}
            with self.subTest(expires_in=expires_in):
                with self.assertRaises(ConfigError) as cm:
                    ClientGrantsProvider(lambda t=token: t, self.url).retrieve()
                self.assertIn("expires_in", str(cm.exception))
                self.assertNotIn(JWT, str(cm.exception))
        self.assertEqual(self.server.requests, [])

    def test_empty_token_refused_before_any_request(self):
        for token in ("", lambda: "", lambda: None, lambda: {"expires_in": 5}):
            with self.subTest(token=token), self.assertRaises(ConfigError):
                ClientGrantsProvider(token, self.url).retrieve()
        self.assertEqual(self.server.requests, [])


# --------------------------------------------------------------------------- MinIO STS


class MinioFlows(STSTestCase):
    def test_client_grants(self):
        provider = ClientGrantsProvider(
            JWT, self.url + "sts", datetime.timedelta(hours=2)
        )
        self.assertIsInstance(provider, RefreshingProvider)
        creds = provider.retrieve()
        self.assertEqual(
            creds,
            Credentials("ASIAOUT1", OUT_SECRET, OUT_TOKEN, FAR_DT, account_id=ACCOUNT),
        )
        req = self.server.requests[0]
        self.assertEqual(req.path, "/sts")
        self.assert_form(
            req,
            {
                "Action": "AssumeRoleWithClientGrants",
                "Token": JWT,
                "DurationSeconds": "7200",
            },
        )
        self.assertNotIn("Authorization", req.headers)

    def test_client_grants_without_duration(self):
        ClientGrantsProvider(JWT, self.url).retrieve()
        self.assert_form(
            self.server.requests[0],
            {"Action": "AssumeRoleWithClientGrants", "Token": JWT},
        )

    def test_ldap(self):
        provider = LdapIdentityProvider(LDAP_USER, LDAP_PASSWORD, self.url)
        self.assertIsInstance(provider, RefreshingProvider)
        self.assertEqual(provider.retrieve().access_key, "ASIAOUT1")
        req = self.server.requests[0]
        self.assert_form(
            req,
            {
                "Action": "AssumeRoleWithLDAPIdentity",
                "LDAPUsername": LDAP_USER,
                "LDAPPassword": LDAP_PASSWORD,
            },
        )
        self.assertNotIn("Authorization", req.headers)
        self.assertNotIn(LDAP_PASSWORD, repr(provider))

    def test_ldap_alternative_names(self):
        LdapIdentityProvider("u", "p", self.url, "uid=bob", "other-pass").retrieve()
        self.assertEqual(self.server.requests[0].form["LDAPUsername"], ["uid=bob"])
        self.assertEqual(self.server.requests[0].form["LDAPPassword"], ["other-pass"])

    def providers(self):
        return {
            "ClientGrantsProvider": lambda: ClientGrantsProvider(JWT, self.url),
            "LdapIdentityProvider": lambda: LdapIdentityProvider(
                LDAP_USER, LDAP_PASSWORD, self.url
            ),
        }

    def test_every_documented_error(self):
        for name, make in self.providers().items():
            for code, status in MINIO_ERRORS:
                with self.subTest(provider=name, code=code):
                    self.server.reset_routes()
                    self.respond(xml_response(status, error_xml(code, f"about {code}")))
                    with Sleepless() as sleeps, self.assertRaises(STSError) as cm:
                        make().retrieve()
                    exc = cm.exception
                    self.assertIsInstance(exc, CredentialsError)
                    self.assertIsInstance(exc, ValueError)
                    self.assertEqual(
                        (exc.code, exc.message, exc.request_id, exc.status),
                        (code, f"about {code}", "req-4242", status),
                    )
                    self.assertEqual(exc.provider, name)
                    self.assertEqual(exc.source, self.url)
                    self.assertIn(code, str(exc))
                    self.assertIn(name, str(exc))
                    retried = status >= 500
                    self.assertEqual(len(self.server.requests), 3 if retried else 1)
                    self.assertEqual(len(sleeps.sleeps), 2 if retried else 0)

    def test_internal_error_then_success(self):
        self.respond(xml_response(500, error_xml("InternalError")), answer_ok)
        with Sleepless():
            creds = LdapIdentityProvider(LDAP_USER, LDAP_PASSWORD, self.url).retrieve()
        self.assertEqual(creds.access_key, "ASIAOUT2")


class Certificate(STSTestCase):
    tls = True
    require_client_cert = True

    def setUp(self):
        super().setUp()
        self.certs = support.certs()

    def provider(self, cert=None, key=None, **kw):
        kw.setdefault("ca_file", self.certs["ca"])
        return CertificateIdentityProvider(
            cert or self.certs["client_cert"],
            key or self.certs["client_key"],
            self.url,
            **kw,
        )

    def test_mutual_tls(self):
        provider = self.provider(duration=datetime.timedelta(hours=1))
        self.assertIsInstance(provider, RefreshingProvider)
        self.assertEqual(provider.retrieve().access_key, "ASIAOUT1")
        req = self.server.requests[0]
        self.assertEqual(req.client_subject, "commonName=minicreds test client")
        self.assert_form(
            req, {"Action": "AssumeRoleWithCertificate", "DurationSeconds": "3600"}
        )
        self.assertNotIn("Authorization", req.headers)

    def test_without_duration_and_ca_from_environment(self):
        with support.env(AWS_CA_BUNDLE=self.certs["ca"]):
            CertificateIdentityProvider(
                self.certs["client_cert"], self.certs["client_key"], self.url
            ).retrieve()
        self.assert_form(
            self.server.requests[0], {"Action": "AssumeRoleWithCertificate"}
        )

    def test_combined_pem(self):
        pem = self.certs["client_pem"]
        self.assertEqual(self.provider(pem, pem).retrieve().access_key, "ASIAOUT1")

    def test_http_refused_before_any_connection(self):
        with FakeServer() as plain:
            for url in (plain.url + "/", "HTTP://127.0.0.1:1/"):
                with self.subTest(url=url), self.assertRaises(ConfigError) as cm:
                    c = self.certs
                    CertificateIdentityProvider(c["client_cert"], c["client_key"], url)
                self.assertIn("https", str(cm.exception))
            self.assertEqual(plain.requests, [])

    def test_unreadable_certificate(self):
        missing = os.path.join(tempfile.gettempdir(), "minicreds-missing-cert.pem")
        for cert, key in (
            (missing, missing),
            (self.certs["ca"], self.certs["client_key"]),
        ):
            with self.subTest(cert=cert), self.assertRaises(ConfigError) as cm:
                self.provider(cert, key).retrieve()
            self.assertIn("CertificateIdentityProvider", str(cm.exception))
        self.assertEqual(self.server.requests, [])

    def test_certificate_from_another_ca_refused(self):
        c = self.certs
        with Sleepless(), self.assertRaises(TransportError):
            self.provider(c["other_client_cert"], c["other_client_key"]).retrieve()
        self.assertEqual(self.server.requests, [])
        self.assertTrue(self.server.tls_errors)

    def test_server_not_trusted(self):
        with Sleepless(), self.assertRaises(TransportError):
            self.provider(ca_file=self.certs["other_ca"]).retrieve()
        self.assertEqual(self.server.requests, [])

    def test_every_documented_error(self):
        for code, status in MINIO_ERRORS:
            with self.subTest(code=code):
                self.server.reset_routes()
                self.respond(xml_response(status, error_xml(code)))
                with Sleepless(), self.assertRaises(STSError) as cm:
                    self.provider().retrieve()
                self.assertEqual(
                    (cm.exception.code, cm.exception.status), (code, status)
                )

    def test_rotated_certificate_is_used_at_the_next_refresh(self):
        c = self.certs
        both = os.path.join(self.tmp(), "cas.pem")
        with open(both, "w") as out:
            for name in ("ca", "other_ca"):
                with open(c[name]) as f:
                    out.write(f.read())
        server = FakeServer(tls=True, require_client_cert=True, ca=both).start()
        self.addCleanup(server.stop)
        server.route("POST", "*", lambda req: xml_response(200, ok_xml()))
        cert, key = os.path.join(self.tmp(), "c.pem"), os.path.join(self.tmp(), "k.pem")
        shutil.copy(c["client_cert"], cert)
        shutil.copy(c["client_key"], key)
        clock = FakeClock()
        provider = CertificateIdentityProvider(
            cert, key, server.url, ca_file=c["ca"], clock=clock
        )
        provider.retrieve()
        shutil.copy(c["other_client_cert"], cert)  # rotated in place
        shutil.copy(c["other_client_key"], key)
        future = time.time() + 5
        os.utime(cert, (future, future))
        os.utime(key, (future, future))
        clock.now = FAR_DT.timestamp() - 120
        provider.retrieve()
        subjects = [r.client_subject for r in server.requests]
        self.assertEqual(
            subjects,
            ["commonName=minicreds test client", "commonName=unrelated test client"],
        )

    @unittest.skipUnless(sys.platform.startswith("linux"), "needs a pseudo-terminal")
    def test_encrypted_key_never_prompts_on_the_terminal(self):
        import pty
        import select
        import subprocess

        key = os.path.join(self.tmp(), "encrypted.key")
        subprocess.run(
            ["openssl", "pkey", "-in", self.certs["client_key"], "-aes256"]
            + ["-passout", "pass:secret-pass", "-out", key],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        script = (
            "import sys, minicreds\n"
            "p = minicreds.CertificateIdentityProvider(*sys.argv[1:4], ca_file=sys.argv[4])\n"
            "try:\n    p.retrieve()\n"
            "except minicreds.ConfigError as e:\n    print('CONFIG-ERROR', e)\n"
        )
        args = [self.certs["client_cert"], key, self.url, self.certs["ca"]]
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal
            try:
                os.chdir(support.REPO)
                os.execv(sys.executable, [sys.executable, "-c", script, *args])
            finally:
                os._exit(127)
        output, end = b"", time.monotonic() + 10
        try:
            while time.monotonic() < end:
                if select.select([fd], [], [], 0.1)[0]:
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError:  # EIO: the child has exited
                        break
                    if not chunk:
                        break
                    output += chunk
        finally:
            with contextlib.suppress(OSError):
                os.kill(pid, 9)
            os.waitpid(pid, 0)
            os.close(fd)
        self.assertNotIn(b"pass phrase", output)
        self.assertIn(b"CONFIG-ERROR", output)
        self.assertEqual(self.server.requests, [])

    def tmp(self):
        if not hasattr(self, "_tmp"):
            self._tmp = tempfile.mkdtemp(prefix="minicreds-sts-")
            self.addCleanup(shutil.rmtree, self._tmp, True)
        return self._tmp


# --------------------------------------------------------------------------- errors


class ErrorMapping(STSTestCase):
    def test_aws_errors(self):
        for code, status in AWS_ERRORS:
            for ns in (STS_NAMESPACE, None):
                with self.subTest(code=code, ns=ns):
                    self.server.reset_routes()
                    self.respond(
                        xml_response(status, error_xml(code, "no", "rid-1", ns))
                    )
                    with Sleepless(), self.assertRaises(STSError) as cm:
                        self.assume_role().retrieve()
                    exc = cm.exception
                    self.assertEqual(
                        (exc.code, exc.message, exc.request_id, exc.status),
                        (code, "no", "rid-1", status),
                    )
                    self.assertEqual(len(self.server.requests), 1)

    def test_throttling_retried(self):
        for code in ("Throttling", "IDPCommunicationError", "RequestLimitExceeded"):
            with self.subTest(code=code):
                self.server.reset_routes()
                self.respond(xml_response(400, error_xml(code)))
                with Sleepless() as s, self.assertRaises(STSError) as cm:
                    self.assume_role().retrieve()
                self.assertEqual((cm.exception.code, cm.exception.status), (code, 400))
                self.assertEqual(len(self.server.requests), 3)
                self.assertEqual(len(s.sleeps), 2)
        self.server.reset_routes()
        self.respond(xml_response(400, error_xml("Throttling")), answer_ok)
        with Sleepless():
            self.assertEqual(self.assume_role().retrieve().access_key, "ASIAOUT2")

    def test_bare_error_element(self):
        body = "<Error><Code>AccessDenied</Code><Message>m</Message><RequestId>r</RequestId></Error>"
        self.respond(xml_response(403, body))
        with self.assertRaises(STSError) as cm:
            ClientGrantsProvider(JWT, self.url).retrieve()
        exc = cm.exception
        self.assertEqual(
            (exc.code, exc.message, exc.request_id), ("AccessDenied", "m", "r")
        )

    def test_moto_error_shape(self):
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Errors><Error>'
            "<Code>SignatureDoesNotMatch</Code><Message>sig</Message><Type>Sender</Type>"
            "</Error></Errors></ErrorResponse>"
        )
        headers = {"Content-Type": "text/html", "x-amzn-RequestId": "moto-rid"}
        self.respond(Response(403, body, headers))
        with self.assertRaises(STSError) as cm:
            self.assume_role().retrieve()
        exc = cm.exception
        self.assertEqual(
            (exc.code, exc.message, exc.request_id, exc.status),
            ("SignatureDoesNotMatch", "sig", "moto-rid", 403),
        )

    def test_request_id_from_minio_header(self):
        body = error_xml("AccessDenied", request_id="")
        self.respond(Response(403, body, {"X-Amz-Request-Id": "minio-rid"}))
        with self.assertRaises(STSError) as cm:
            ClientGrantsProvider(JWT, self.url).retrieve()
        self.assertEqual(cm.exception.request_id, "minio-rid")

    def test_server_text_with_control_characters_is_escaped(self):
        # CR and LF forge lines on a terminal and in a log; C1's CSI (\x9b) and a
        # right-to-left override (U+202E) change what a terminal shows. XML 1.0
        # carries all of these (not ESC or BEL: expat refuses them).
        message = "denied&#13;\nminicreds: error: fake line\x9b2J\u202e"
        body = error_xml("Den\x85ied", message, "rid&#13;2")
        self.respond(xml_response(403, body))
        with SecretWatch() as watch, self.assertRaises(STSError) as cm:
            ClientGrantsProvider(JWT, self.url).retrieve()
        exc = cm.exception
        self.assertEqual(exc.code, "Den\\x85ied")
        self.assertEqual(
            exc.message, "denied\\r\\nminicreds: error: fake line\\x9b2J\\u202e"
        )
        self.assertEqual(exc.request_id, "rid\\r2")
        self.assertTrue(str(exc).isprintable(), str(exc))
        self.assertTrue(all(text.isprintable() for text in watch.texts), watch.texts)

    def test_error_with_status_200(self):
        self.respond(xml_response(200, error_xml("AccessDenied", "nope")))
        with self.assertRaises(STSError) as cm:
            self.assume_role().retrieve()
        self.assertEqual(
            (cm.exception.code, cm.exception.status), ("AccessDenied", 200)
        )


# --------------------------------------------------------------------------- malformed


class Malformed(STSTestCase):
    """Each malformed answer gives its documented outcome, within the budget."""

    def outcome(self, *responses, error=TransportError, make=None):
        self.server.reset_routes()
        self.respond(*responses)
        make = make or (lambda: ClientGrantsProvider(JWT, self.url))
        start = time.monotonic()
        with Sleepless(), self.assertRaises(error) as cm:
            make().retrieve()
        # Stops a hang: a 5xx is given up within 5 s (README, "Failure behaviour").
        self.assertLess(time.monotonic() - start, 5.0)
        return cm.exception

    def test_truncated_xml(self):
        text = ok_xml()[:150]
        exc = self.outcome(xml_response(200, text))
        self.assertIn("malformed XML", str(exc))
        self.assertEqual(len(self.server.requests), 1)

    def test_truncated_transfer(self):
        exc = self.outcome(support.truncated(body=ok_xml()[:100], missing=500))
        self.assertIn("truncated", str(exc))

    def test_doctype_bomb(self):
        bomb = (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(
                f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                for i in range(1, 10)
            )
            + "]><ErrorResponse><Error><Code>&lol9;</Code></Error></ErrorResponse>"
        )
        exc = self.outcome(xml_response(200, bomb))
        self.assertIn("DTD", str(exc))
        self.assertEqual(len(self.server.requests), 1)

    def test_doctype_anywhere(self):
        padding = "<!--" + "x" * 5000 + "-->"
        doctypes = (
            '<?xml version="1.0"?>'
            + padding
            + '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/">',
            "<!DOCTYPE r>",
        )
        for doctype in doctypes:
            with self.subTest(doctype=doctype[-40:]):
                exc = self.outcome(
                    xml_response(200, doctype + ok_xml().split("?>", 1)[1])
                )
                self.assertIn("DTD", str(exc))

    def test_doctype_in_utf16(self):
        bomb = (
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "aaaa">'
            '<!ENTITY b "&a;&a;&a;&a;">]><ErrorResponse><Error><Code>&b;</Code>'
            "</Error></ErrorResponse>"
        )
        for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
            with self.subTest(encoding=encoding):
                exc = self.outcome(Response(200, bomb.encode(encoding)))
                self.assertIsInstance(exc, TransportError)
                self.assertNotIsInstance(exc, STSError)

    def test_missing_fields(self):
        full = ok_xml()
        for field in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
            with self.subTest(field=field):
                start, end = full.index(f"<{field}>"), full.index(f"</{field}>")
                text = full[:start] + full[end + len(field) + 3 :]
                exc = self.outcome(xml_response(200, text))
                self.assertIn(field, str(exc))
        no_credentials = "<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>"
        self.assertIn(
            "Credentials", str(self.outcome(xml_response(200, no_credentials)))
        )
        empty_code = error_xml("")
        exc = self.outcome(xml_response(400, empty_code), error=STSError)
        self.assertEqual(exc.code, "")

    def test_bad_expiration(self):
        for value in ("tomorrow", "2030-13-01T00:00:00Z", "1700000000", ""):
            with self.subTest(value=value):
                exc = self.outcome(xml_response(200, ok_xml(expiration=value)))
                self.assertIn("Expiration", str(exc))

    def test_expired_on_arrival(self):
        exc = self.outcome(
            xml_response(200, ok_xml(expiration="2001-01-01T00:00:00Z")),
            error=CredentialsError,
        )
        self.assertIn("expired", str(exc))

    def test_html_error_page(self):
        exc = self.outcome(support.html_error(502))
        self.assertIn("502", str(exc))
        self.assertEqual(len(self.server.requests), 3)  # a 5xx is retried
        exc = self.outcome(support.html_error(404))
        self.assertIn("404", str(exc))
        self.assertEqual(len(self.server.requests), 1)
        exc = self.outcome(Response(200, "<html><body>login</body></html>"))
        self.assertNotIsInstance(exc, STSError)

    def test_not_xml(self):
        for response in (
            Response(200, b""),
            Response(200, {"AccessKeyId": "x"}),
            support.non_utf8(),
            support.gzipped(200, ok_xml()),
        ):
            with self.subTest(response=response):
                exc = self.outcome(response)
                self.assertNotIsInstance(exc, STSError)

    def test_5xx_then_success(self):
        self.respond(Response(503, "busy"), support.html_error(502), answer_ok)
        with Sleepless() as s:
            creds = ClientGrantsProvider(JWT, self.url).retrieve()
        self.assertEqual(creds.access_key, "ASIAOUT3")
        self.assertEqual(len(s.sleeps), 2)

    def test_body_over_the_cap(self):
        huge = ok_xml(extra="<Pad>" + "x" * (1 << 20) + "</Pad>")
        exc = self.outcome(xml_response(200, huge))
        self.assertIn("1 MiB", str(exc))
        self.assertEqual(len(self.server.requests), 1)

    def test_hang_within_budget(self):
        with short_budget():
            exc = self.outcome(support.hang())
        self.assertIn("timed out", str(exc))

    def test_unreachable(self):
        url = f"http://127.0.0.1:{support.free_port()}/"
        exc = self.outcome(200, make=lambda: ClientGrantsProvider(JWT, url))
        self.assertEqual(exc.url, url)
        self.assertEqual(exc.kind, "connect")

    def test_redirect_not_followed(self):
        with FakeServer() as other:
            exc = self.outcome(support.redirect(other.url + "/sts", 307))
            self.assertIn("307", str(exc))
            self.assertEqual(other.requests, [])


# --------------------------------------------------------------------------- expiration


class ExpirationFormats(STSTestCase):
    CASES = (
        ("2030-01-02T03:04:05Z", (2030, 1, 2, 3, 4, 5, 0)),
        ("2030-01-02T03:04:05z", (2030, 1, 2, 3, 4, 5, 0)),
        ("2030-01-02T03:04:05.5Z", (2030, 1, 2, 3, 4, 5, 500000)),
        ("2030-01-02T03:04:05.123Z", (2030, 1, 2, 3, 4, 5, 123000)),
        ("2030-01-02T03:04:05.123456Z", (2030, 1, 2, 3, 4, 5, 123456)),
        ("2030-01-02T03:04:05.1234567Z", (2030, 1, 2, 3, 4, 5, 123456)),
        ("2030-01-02T03:04:05.123456789Z", (2030, 1, 2, 3, 4, 5, 123456)),
        ("2030-01-02T03:04:05+00:00", (2030, 1, 2, 3, 4, 5, 0)),
        ("2030-01-02T03:04:05.250+02:00", (2030, 1, 2, 1, 4, 5, 250000)),
        ("2030-01-02T03:04:05-0700", (2030, 1, 2, 10, 4, 5, 0)),
        ("2030-01-02T23:30:00.999999999-05:30", (2030, 1, 3, 5, 0, 0, 999999)),
        ("2030-01-02T03:04:05", (2030, 1, 2, 3, 4, 5, 0)),
        ("  2030-01-02T03:04:05Z\n", (2030, 1, 2, 3, 4, 5, 0)),
    )

    def test_formats(self):
        for text, fields in self.CASES:
            with self.subTest(text=text):
                self.server.reset_routes()
                self.respond(xml_response(200, ok_xml(expiration=text)))
                creds = ClientGrantsProvider(JWT, self.url).retrieve()
                self.assertEqual(
                    creds.expiration, datetime.datetime(*fields, tzinfo=UTC)
                )
                self.assertEqual(creds.expiration.utcoffset(), datetime.timedelta(0))


# --------------------------------------------------------------------------- secrets


class Secrets(STSTestCase):
    """No secret reaches an exception or a log line, even when a server echoes it."""

    def echo(self, status):
        def handler(req):
            body = req.body.decode()
            text = " | ".join(
                [body, urllib.parse.unquote_plus(body), *ALL_SECRETS]
                + [f"{k}={v}" for k, v in req.headers.items()]
            )
            fields = (f"Code{SRC_TOKEN}", text, f"rid{JWT}")
            return xml_response(status, error_xml(*map(escape, fields)))

        return handler

    def check(self, make, secrets):
        for status in (400, 403, 500):
            with self.subTest(status=status):
                self.server.reset_routes()
                self.respond(self.echo(status))
                with SecretWatch() as watch, Sleepless():
                    provider = make()
                    with self.assertRaises(STSError) as cm:
                        provider.retrieve()
                    chain = minicreds.ChainedProvider([make()])
                    self.assertIsNone(chain.retrieve())
                watch.assert_clean(
                    self,
                    *secrets,
                    extra_texts=[cm.exception, repr(provider), chain.attempts],
                )
                self.assertTrue(watch.records)  # the chain did log the failure

    def test_assume_role(self):
        self.check(lambda: self.assume_role(), (SRC_SECRET, SRC_TOKEN))

    def test_web_identity(self):
        make = lambda: WebIdentityProvider(
            JWT, ROLE, "s", sts_endpoint=self.url, environ={}
        )
        self.check(make, (JWT,))

    def test_client_grants(self):
        self.check(lambda: ClientGrantsProvider(JWT, self.url), (JWT,))

    def test_ldap(self):
        make = lambda: LdapIdentityProvider(LDAP_USER, LDAP_PASSWORD, self.url)
        self.check(make, (LDAP_PASSWORD,))

    def test_transport_errors_carry_no_secret(self):
        url = f"http://127.0.0.1:{support.free_port()}/sts?X-Amz-Security-Token={SRC_TOKEN}"
        with SecretWatch() as watch, Sleepless(), self.assertRaises(
            TransportError
        ) as cm:
            ClientGrantsProvider(JWT, url).retrieve()
        watch.assert_clean(self, JWT, SRC_TOKEN, extra_texts=[cm.exception])
        self.assertNotIn("X-Amz-Security-Token", str(cm.exception))

    def test_credentials_repr(self):
        creds = ClientGrantsProvider(JWT, self.url).retrieve()
        for text in (repr(creds), str(creds)):
            self.assertNotIn(OUT_SECRET, text)
            self.assertNotIn(OUT_TOKEN, text)


if __name__ == "__main__":
    unittest.main()
