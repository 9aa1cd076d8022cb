"""AWSConfigProvider: profile selection, role chains and web identity profiles.

Standard library only; STS is a loopback fake that records what it is sent.
"""

import json
import os
import textwrap
import time
import unittest
from unittest import mock

import minicreds
from tests import support
from tests.fakes import (
    IMDS_ROLES_PATH,
    IMDS_TOKEN_PATH,
    iso_in,
    sts_success_xml,
    xml_response,
)
from tests.sigv4_reference import signing_access_key

SOURCE_SECRET = "profile-source-secret-Kd82mN"
ROLE_SECRET = "profile-role-secret-Tf51qP"
ROLE_TOKEN = "profile-role-token-Lr30xB"
JWT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJwcm9maWxlIn0.jwt-secret-Qa19"
SECRETS = (SOURCE_SECRET, ROLE_SECRET, ROLE_TOKEN, JWT)


def sts_answer(req):
    """An AssumeRole(WithWebIdentity) answer with a numbered key, valid one hour."""
    action = req.form["Action"][0]
    n = sum(1 for r in sts_answer.server.requests if r.method == "POST")
    body = sts_success_xml(
        action, f"ASIAROLE{n}", ROLE_SECRET, f"{ROLE_TOKEN}-{n}", iso_in(3600)
    )
    return xml_response(200, body)


class ProfileTestBase(unittest.TestCase):
    env_vars: dict = {}  # noqa: RUF012 - read only

    def setUp(self):
        self.sts = support.FakeServer().start()
        self.addCleanup(self.sts.stop)
        sts_answer.server = self.sts
        self.sts.route("POST", "/", sts_answer)
        ctx = support.env(AWS_ENDPOINT_URL_STS=self.sts.url, **self.env_vars)
        self.home = ctx.__enter__()
        self.addCleanup(ctx.__exit__, None, None, None)
        os.mkdir(os.path.join(self.home, ".aws"))
        self.watch = support.SecretWatch().__enter__()
        self.addCleanup(self.watch.__exit__, None, None, None)

    def write(self, name, text):
        with open(os.path.join(self.home, ".aws", name), "w") as f:
            f.write(textwrap.dedent(text))

    def get(self, profile=None, **kw):
        return minicreds.AWSConfigProvider(profile=profile, **kw).retrieve()

    def calls(self):
        return [r for r in self.sts.requests if r.method == "POST"]

    def fails(self, profile, fragment, cls=minicreds.ConfigError, **kw):
        with self.assertRaises(cls) as ctx:
            self.get(profile, **kw)
        self.assertIn(fragment, str(ctx.exception))
        self.watch.assert_clean(self, *SECRETS, extra_texts=[ctx.exception])
        return ctx.exception


class SelectionTest(ProfileTestBase):
    def test_sections_as_botocore_reads_them(self):
        self.write(
            "config",
            """\
            # a comment
            [default]
            aws_access_key_id = AKDEFAULT
            aws_secret_access_key = s1
            [profile  spaced ]
            aws_access_key_id=AKSPACED
            aws_secret_access_key   =   s2
            [bare]
            aws_access_key_id = AKBARE
            aws_secret_access_key = s3
            [profile "quoted name"]
            ; another comment
            aws_access_key_id = AKQUOTED
            aws_secret_access_key = s4
        """,
        )
        self.write(
            "credentials",
            """\
            [profile x]
            aws_access_key_id = AKVERBATIM
            aws_secret_access_key = s5
        """,
        )
        self.assertEqual(self.get().access_key, "AKDEFAULT")
        self.assertEqual(self.get("spaced").secret_key, "s2")
        self.assertEqual(self.get("quoted name").access_key, "AKQUOTED")
        self.assertEqual(self.get("profile x").access_key, "AKVERBATIM")
        self.fails(
            "bare", "not found"
        )  # a bare [NAME] in the config file is no profile
        self.fails("x", "not found")

    def test_credentials_file_wins_and_default_absent(self):
        self.assertIsNone(self.get())
        self.write(
            "config",
            "[profile p]\naws_access_key_id = AKCONFIG\naws_secret_access_key = c\n",
        )
        self.write(
            "credentials",
            "[p]\naws_access_key_id = AKCREDS\naws_secret_access_key = k\n",
        )
        self.assertEqual(self.get("p").access_key, "AKCREDS")
        self.assertIsNone(self.get())  # no default profile: not configured
        with support.env(HOME=self.home, AWS_PROFILE="p"):
            self.assertEqual(self.get().access_key, "AKCREDS")

    def test_home_read_at_every_call_and_expanded_once(self):
        # HOME is read at every call; "~/.aws/" is expanded once per HOME value.
        self.write("credentials", "[default]\naws_access_key_id = AKHOME1\n"
                   "aws_secret_access_key = k\n")  # fmt: skip
        provider = minicreds.AWSConfigProvider()
        with support.temp_home() as other:
            os.mkdir(os.path.join(other, ".aws"))
            with open(os.path.join(other, ".aws", "credentials"), "w") as f:
                f.write("[default]\naws_access_key_id = AKHOME2\n"
                        "aws_secret_access_key = k\n")  # fmt: skip
            with mock.patch("os.path.expanduser", wraps=os.path.expanduser) as expand:
                for _ in range(3):
                    self.assertEqual(provider.retrieve().access_key, "AKHOME1")
                with support.env(HOME=other, USERPROFILE=other):
                    self.assertEqual(provider.retrieve().access_key, "AKHOME2")
                    self.assertEqual(provider.retrieve().access_key, "AKHOME2")
        homes = [c for c in expand.call_args_list if str(c.args[0]).startswith("~")]
        self.assertLessEqual(len(homes), 2)

    def test_parse_error_names_the_line_only(self):
        self.write(
            "credentials",
            f"[a]\naws_secret_access_key = {SOURCE_SECRET}\n  broken line\n[\n",
        )
        exc = self.fails("a", "line", minicreds.ConfigError)
        self.assertIn("credentials", str(exc))
        self.assertIn("AWSConfigProvider", str(exc))


class RoleTest(ProfileTestBase):
    def test_role_from_static_source(self):
        self.write(
            "credentials",
            "[src]\naws_access_key_id = AKSOURCE\n"
            f"aws_secret_access_key = {SOURCE_SECRET}\n",
        )
        self.write(
            "config",
            """\
            [profile role]
            role_arn = arn:aws:iam::123456789012:role/one
            source_profile = src
            external_id = ext-123
            duration_seconds = 1800
            region = eu-west-3
        """,
        )
        provider = minicreds.AWSConfigProvider(profile="role")
        creds = provider.retrieve()
        self.assertEqual(
            (creds.access_key, creds.secret_key), ("ASIAROLE1", ROLE_SECRET)
        )
        (call,) = self.calls()
        form = {k: v[0] for k, v in call.form.items()}
        self.assertEqual(form["Action"], "AssumeRole")
        self.assertEqual(form["RoleArn"], "arn:aws:iam::123456789012:role/one")
        self.assertEqual(form["ExternalId"], "ext-123")
        self.assertEqual(form["DurationSeconds"], "1800")
        self.assertRegex(form["RoleSessionName"], r"^minicreds-\d+$")
        self.assertEqual(signing_access_key(call), "AKSOURCE")
        self.assertIn("/eu-west-3/sts/aws4_request", call.headers["Authorization"])
        # One STS call per credential lifetime, not per retrieve().
        self.assertIs(provider.retrieve(), creds)
        self.assertEqual(len(self.calls()), 1)
        self.watch.assert_clean(self, *SECRETS)

    def test_duration_seconds_not_a_short_ascii_number_is_ignored(self):
        # botocore ignores a duration_seconds int() refuses; minicreds also ignores
        # digits of other scripts and numbers of more than 9 digits (int() refuses
        # over 4300 on Python 3.11+), so no ValueError escapes.
        self.write("credentials", "[src]\naws_access_key_id = AKSOURCE\n"
                   f"aws_secret_access_key = {SOURCE_SECRET}\n")  # fmt: skip
        for value in ("\u00b2", "\u0661\u0662\u0660\u0660", "9" * 5000, "12x"):
            with self.subTest(value=value[:5]):
                self.sts.requests.clear()
                self.write("config", "[profile role]\nsource_profile = src\n"
                           "role_arn = arn:aws:iam::1:role/a\n"
                           f"duration_seconds = {value}\n")  # fmt: skip
                self.assertEqual(self.get("role").access_key, "ASIAROLE1")
                (call,) = self.calls()
                self.assertNotIn("DurationSeconds", call.form)

    def test_source_session_token_wrapped_onto_two_lines(self):
        # configparser joins an indented continuation line with a line break: the
        # token would reach http.client, whose exception quotes it.
        self.write(
            "credentials",
            "[src]\naws_access_key_id = AKSOURCE\n"
            f"aws_secret_access_key = {SOURCE_SECRET}\n"
            f"aws_session_token = {ROLE_TOKEN}\n  second-line\n",
        )
        self.write(
            "config",
            "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/one\n"
            "source_profile = src\n",
        )
        error = self.fails("role", "X-Amz-Security-Token")
        self.assertEqual(error.provider, "AssumeRoleProvider")
        self.assertEqual(self.calls(), [])

    def test_concurrent_first_calls_make_one_sts_call(self):
        import threading

        self.write("credentials", "[src]\naws_access_key_id = AKSOURCE\n"
                   f"aws_secret_access_key = {SOURCE_SECRET}\n")  # fmt: skip
        self.write("config", "[profile role]\nrole_arn = arn:aws:iam::1:role/a\n"
                   "source_profile = src\n")  # fmt: skip
        gate = threading.Event()

        def slow(req):
            gate.wait(10)  # let every caller arrive first
            return sts_answer(req)

        self.sts.route("POST", "/", slow)
        provider = minicreds.AWSConfigProvider(profile="role")
        found = []
        threads = [
            threading.Thread(target=lambda: found.append(provider.retrieve()))
            for _ in range(6)
        ]
        for thread in threads:
            thread.start()
        self.assertTrue(self.sts.wait_for_requests(1))
        gate.set()
        for thread in threads:
            thread.join(30)
        self.assertEqual(len(found), 6)
        self.assertEqual({c.access_key for c in found}, {"ASIAROLE1"})
        self.assertEqual(len(self.calls()), 1)

    def test_configuration_change_rebuilds_the_source(self):
        self.write(
            "credentials",
            "[src]\naws_access_key_id = AKSOURCE\n"
            f"aws_secret_access_key = {SOURCE_SECRET}\n",
        )
        self.write(
            "config",
            "[profile role]\nrole_arn = arn:aws:iam::1:role/a\n"
            "source_profile = src\nrole_session_name = first\n",
        )
        provider = minicreds.AWSConfigProvider(profile="role")
        self.assertEqual(provider.retrieve().access_key, "ASIAROLE1")
        # Another profile changes: the role source and its cache are kept.
        self.write(
            "config",
            "[profile role]\nrole_arn = arn:aws:iam::1:role/a\n"
            "source_profile = src\nrole_session_name = first\n"
            "[profile other]\nregion = us-west-2\n",
        )
        self.assertEqual(provider.retrieve().access_key, "ASIAROLE1")
        self.assertEqual(len(self.calls()), 1)
        # The source profile changes: rebuilt, STS asked again with the new key.
        self.write(
            "credentials",
            "[src]\naws_access_key_id = AKSOURCE2\n"
            f"aws_secret_access_key = {SOURCE_SECRET}\n",
        )
        self.assertEqual(provider.retrieve().access_key, "ASIAROLE2")
        self.assertEqual(signing_access_key(self.calls()[-1]), "AKSOURCE2")
        self.assertEqual(self.calls()[-1].form["RoleSessionName"], ["first"])

    def test_chain_of_roles(self):
        self.write(
            "config",
            f"""\
            [profile base]
            aws_access_key_id = AKBASE
            aws_secret_access_key = {SOURCE_SECRET}
            [profile one]
            role_arn = arn:aws:iam::123456789012:role/one
            source_profile = base
            [profile two]
            role_arn = arn:aws:iam::123456789012:role/two
            source_profile = one
            [profile three]
            role_arn = arn:aws:iam::123456789012:role/three
            source_profile = two
        """,
        )
        creds = self.get("three")
        self.assertEqual(creds.access_key, "ASIAROLE3")
        calls = self.calls()
        self.assertEqual(
            [c.form["RoleArn"][0].rsplit("/", 1)[1] for c in calls],
            ["one", "two", "three"],
        )
        self.assertEqual(
            [signing_access_key(c) for c in calls], ["AKBASE", "ASIAROLE1", "ASIAROLE2"]
        )
        self.assertEqual(calls[1].headers["X-Amz-Security-Token"], ROLE_TOKEN + "-1")
        self.watch.assert_clean(self, *SECRETS)

    def test_loops(self):
        self.write(
            "config",
            """\
            [profile a]
            role_arn = arn:aws:iam::1:role/a
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::1:role/b
            source_profile = c
            [profile c]
            role_arn = arn:aws:iam::1:role/c
            source_profile = a
            [profile selfish]
            role_arn = arn:aws:iam::1:role/s
            source_profile = selfish
        """,
        )
        self.fails("a", "a -> b -> c -> a")
        self.fails("b", "b -> c -> a -> b")
        self.fails("selfish", "selfish -> selfish")
        self.assertEqual(self.calls(), [])

    def test_self_reference_with_static_keys(self):
        self.write(
            "credentials",
            "[me]\naws_access_key_id = AKME\n"
            f"aws_secret_access_key = {SOURCE_SECRET}\n",
        )
        self.write(
            "config",
            "[profile me]\nrole_arn = arn:aws:iam::1:role/me\nsource_profile = me\n",
        )
        self.assertEqual(self.get("me").access_key, "ASIAROLE1")
        self.assertEqual(signing_access_key(self.calls()[0]), "AKME")

    def test_source_with_static_keys_is_not_followed(self):
        # botocore: a source profile with keys is used for them, even if it is a role.
        self.write(
            "config",
            f"""\
            [profile top]
            role_arn = arn:aws:iam::1:role/top
            source_profile = mid
            [profile mid]
            role_arn = arn:aws:iam::1:role/mid
            source_profile = top
            aws_access_key_id = AKMID
            aws_secret_access_key = {SOURCE_SECRET}
        """,
        )
        self.assertEqual(self.get("top").access_key, "ASIAROLE1")
        self.assertEqual(signing_access_key(self.calls()[0]), "AKMID")

    def test_bad_role_configurations(self):
        self.write(
            "config",
            """\
            [profile none]
            role_arn = arn:aws:iam::1:role/x
            [profile both]
            role_arn = arn:aws:iam::1:role/x
            source_profile = none
            credential_source = Environment
            [profile missing]
            role_arn = arn:aws:iam::1:role/x
            source_profile = ghost
            [profile empty]
            region = us-east-1
            [profile hollow]
            role_arn = arn:aws:iam::1:role/x
            source_profile = empty
            [profile weird]
            role_arn = arn:aws:iam::1:role/x
            credential_source = Environmnet
        """,
        )
        self.fails("none", "source_profile and credential_source")
        self.fails("both", "source_profile and credential_source")
        self.fails("missing", "'ghost' does not exist")
        self.fails("hollow", "'empty' has no credentials")
        self.fails("weird", "Environmnet")
        self.assertEqual(self.calls(), [])

    def test_credential_source_environment(self):
        self.write(
            "config",
            "[profile env]\nrole_arn = arn:aws:iam::1:role/e\n"
            "credential_source = Environment\n",
        )
        environ = dict(
            os.environ,
            AWS_ACCESS_KEY_ID="AKFROMENV",
            AWS_SECRET_ACCESS_KEY=SOURCE_SECRET,
        )
        self.assertEqual(self.get("env", environ=environ).access_key, "ASIAROLE1")
        self.assertEqual(signing_access_key(self.calls()[0]), "AKFROMENV")
        self.fails("env", "no credentials")  # os.environ has none

    def test_mfa(self):
        self.write(
            "credentials",
            "[src]\naws_access_key_id = AKSOURCE\n"
            f"aws_secret_access_key = {SOURCE_SECRET}\n",
        )
        self.write(
            "config",
            "[profile mfa]\nrole_arn = arn:aws:iam::1:role/m\n"
            "source_profile = src\n"
            "mfa_serial = arn:aws:iam::1:mfa/user\n",
        )
        self.fails("mfa", "mfa_prompt")
        self.assertEqual(self.calls(), [])
        asked = []
        creds = self.get(
            "mfa", mfa_prompt=lambda serial: asked.append(serial) or "123456"
        )
        self.assertEqual(creds.access_key, "ASIAROLE1")
        self.assertEqual(asked, ["arn:aws:iam::1:mfa/user"])
        form = self.calls()[0].form
        self.assertEqual(form["SerialNumber"], ["arn:aws:iam::1:mfa/user"])
        self.assertEqual(form["TokenCode"], ["123456"])


class WebIdentityProfileTest(ProfileTestBase):
    def test_web_identity_token_file(self):
        token_file = os.path.join(self.home, "token")
        with open(token_file, "w") as f:
            f.write(JWT + "\n")
        self.write(
            "config",
            f"""\
            [profile wi]
            role_arn = arn:aws:iam::123456789012:role/web
            web_identity_token_file = {token_file}
            role_session_name = pod-1
        """,
        )
        creds = self.get("wi")
        self.assertEqual(creds.access_key, "ASIAROLE1")
        (call,) = self.calls()
        form = {k: v[0] for k, v in call.form.items()}
        self.assertEqual(form["Action"], "AssumeRoleWithWebIdentity")
        self.assertEqual(form["WebIdentityToken"], JWT)
        self.assertEqual(form["RoleSessionName"], "pod-1")
        self.assertIsNone(call.headers.get("Authorization"))
        self.watch.assert_clean(self, *SECRETS)

    def test_web_identity_errors(self):
        self.write(
            "config",
            "[profile wi]\nweb_identity_token_file = /nonexistent/token\n"
            "[profile gone]\nrole_arn = arn:aws:iam::1:role/w\n"
            "web_identity_token_file = /nonexistent/token\n",
        )
        self.fails("wi", "without role_arn")
        self.fails("gone", "/nonexistent/token")
        self.assertEqual(self.calls(), [])


if __name__ == "__main__":
    unittest.main()


def imds_routes(server, key="ASIAIMDS"):
    answer = {
        "Code": "Success",
        "AccessKeyId": key,
        "SecretAccessKey": ROLE_SECRET,
        "Token": ROLE_TOKEN,
        "Expiration": iso_in(3600),
    }
    server.route("PUT", IMDS_TOKEN_PATH, (200, "imds-token"))
    server.route("GET", IMDS_ROLES_PATH, (200, "r"))
    server.route("GET", IMDS_ROLES_PATH + "r", (200, answer))
    server.route("GET", "/container", (200, dict(answer, AccessKeyId="ASIACONTAINER")))


class CredentialSourceTest(ProfileTestBase):
    def test_ec2_instance_metadata_with_profile_settings(self):
        imds_routes(self.sts)
        self.write(
            "config",
            f"""\
            [profile ec2]
            role_arn = arn:aws:iam::1:role/e
            credential_source = Ec2InstanceMetadata
            ec2_metadata_service_endpoint = {self.sts.url}
            metadata_service_num_attempts = 1
        """,
        )
        provider = minicreds.AWSConfigProvider(profile="ec2")
        self.assertEqual(provider.retrieve().access_key, "ASIAROLE1")
        source = provider._source._source  # white box: instance metadata alone
        self.assertIsInstance(source, minicreds.IamAwsProvider)
        self.assertEqual(signing_access_key(self.calls()[0]), "ASIAIMDS")
        self.assertEqual(self.sts.requests[0].path, IMDS_TOKEN_PATH)

    def test_ecs_container(self):
        imds_routes(self.sts)
        self.write(
            "config",
            "[profile ecs]\nrole_arn = arn:aws:iam::1:role/c\n"
            "credential_source = EcsContainer\n",
        )
        environ = dict(
            os.environ, AWS_CONTAINER_CREDENTIALS_FULL_URI=self.sts.url + "/container"
        )
        self.assertEqual(self.get("ecs", environ=environ).access_key, "ASIAROLE1")
        self.assertEqual(signing_access_key(self.calls()[0]), "ASIACONTAINER")
        self.fails("ecs", "no credentials")  # os.environ has no container URI


class DefaultProviderTest(ProfileTestBase):
    env_vars = {"AWS_EC2_METADATA_DISABLED": "true"}  # noqa: RUF012 - read only

    def names(self, chain):
        return [type(p).__name__ for p in chain._providers]

    def test_links(self):
        chain = minicreds.default_provider()
        self.assertIsInstance(chain, minicreds.ChainedProvider)
        self.assertTrue(chain._strict)
        self.assertEqual(
            self.names(chain),
            ["EnvAWSProvider", "EnvMinioProvider", "AWSConfigProvider", "_EnvWebIdentity",
             "AWSConfigProvider", "ContainerProvider", "IamAwsProvider"],
        )  # fmt: skip
        # A profile given explicitly turns the environment sources off (botocore).
        self.assertEqual(
            self.names(minicreds.default_provider(profile="p")),
            ["AWSConfigProvider", "AWSConfigProvider", "ContainerProvider",
             "IamAwsProvider"],
        )  # fmt: skip

    def test_sources_in_order(self):
        self.write("credentials", "[default]\naws_access_key_id = AKFILE\n"
                   f"aws_secret_access_key = {SOURCE_SECRET}\n")  # fmt: skip
        chain = minicreds.default_provider()
        self.assertEqual(chain.retrieve().access_key, "AKFILE")
        self.assertEqual(
            [a[:2] for a in chain.attempts],
            [("EnvAWSProvider", "not configured"), ("EnvMinioProvider", "not configured"),
             ("AWSConfigProvider", "not configured"), ("_EnvWebIdentity", "not configured"),
             ("AWSConfigProvider", "found")],
        )  # fmt: skip
        off = {"HOME": self.home, "AWS_EC2_METADATA_DISABLED": "true"}
        with support.env(MINIO_ROOT_USER="minio", MINIO_ROOT_PASSWORD="m", **off):
            self.assertEqual(chain.retrieve().access_key, "minio")
        with support.env(AWS_ACCESS_KEY_ID="AKENV", AWS_SECRET_ACCESS_KEY="e",
                         MINIO_ROOT_USER="minio", MINIO_ROOT_PASSWORD="m",
                         **off):  # fmt: skip
            self.assertEqual(chain.retrieve().access_key, "AKENV")
            self.assertEqual(
                minicreds.default_provider(profile="default").retrieve().access_key,
                "AKFILE",
            )

    def test_strict(self):
        self.write("config", "[default]\nrole_arn = arn:aws:iam::1:role/x\n")
        chain = minicreds.default_provider()
        with self.assertRaises(minicreds.ConfigError):
            chain.retrieve()
        self.assertEqual(chain.attempts[-1][:2], ("AWSConfigProvider", "error"))

    def test_mfa_prompt_and_instance_metadata_settings(self):
        imds_routes(self.sts)
        self.write("credentials", "[src]\naws_access_key_id = AKSOURCE\n"
                   f"aws_secret_access_key = {SOURCE_SECRET}\n")  # fmt: skip
        self.write(
            "config",
            f"""\
            [profile mfa]
            role_arn = arn:aws:iam::1:role/m
            source_profile = src
            mfa_serial = arn:aws:iam::1:mfa/u
            [profile empty]
            ec2_metadata_service_endpoint = {self.sts.url}
            metadata_service_timeout = 2
        """,
        )
        chain = minicreds.default_provider(profile="mfa", mfa_prompt=lambda s: "654321")
        self.assertEqual(chain.retrieve().access_key, "ASIAROLE1")
        self.assertEqual(self.calls()[0].form["TokenCode"], ["654321"])
        # The profile's instance metadata settings are read when the chain is made.
        with support.env(HOME=self.home, AWS_ENDPOINT_URL_STS=self.sts.url):
            chain = minicreds.default_provider(profile="empty")
            imds = chain._providers[-1]  # white box, checked before any request
            self.assertEqual(
                imds._config["ec2_metadata_service_endpoint"], self.sts.url
            )
            self.assertEqual(imds._config["metadata_service_timeout"], "2")
            self.assertEqual(chain.retrieve().access_key, "ASIAIMDS")


class EndpointSettingsTest(ProfileTestBase):
    """The selected profile's endpoint settings (README "The AWS config files"):
    endpoint_url, its services section, ignore_configured_endpoint_urls, FIPS and
    dual-stack, for every role of its chain."""

    ROLE = "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = src\n"

    def setUp(self):
        super().setUp()
        del os.environ["AWS_ENDPOINT_URL_STS"]  # restored by support.env
        self.write(
            "credentials",
            "[src]\naws_access_key_id = AKSOURCE\n"
            f"aws_secret_access_key = {SOURCE_SECRET}\n",
        )

    def first_url(self, profile="role"):
        """The URL of the first STS call, which is not made (no network)."""
        calls = []

        def fake_http(provider, method, url, **kw):
            calls.append(url)
            raise minicreds.TransportError("stopped by the test", provider, url)

        with mock.patch.object(minicreds, "_http", fake_http):
            with self.assertRaises(minicreds.TransportError):
                self.get(profile)
        return calls[0]

    def test_profile_endpoint_url(self):
        self.write("config", self.ROLE + f"endpoint_url = {self.sts.url}\n")
        self.assertEqual(self.get("role").access_key, "ASIAROLE1")
        self.assertEqual(len(self.calls()), 1)

    def test_services_section_wins_over_the_profile(self):
        self.write(
            "config",
            self.ROLE
            + "endpoint_url = http://127.0.0.1:1/never\nservices = local\n"
            + "[services local]\ns3 =\n  addressing_style = path\n"
            + f"sts =\n  endpoint_url = {self.sts.url}\n  region = x\n",
        )
        self.assertEqual(self.get("role").access_key, "ASIAROLE1")

    def test_variables_win_over_the_files(self):
        self.write(
            "config",
            self.ROLE + "endpoint_url = http://127.0.0.1:1/never\nservices = s\n"
            "[services s]\nsts =\n  endpoint_url = http://127.0.0.1:1/never\n",
        )
        os.environ["AWS_ENDPOINT_URL"] = self.sts.url
        self.assertEqual(self.get("role").access_key, "ASIAROLE1")

    def test_ignore_configured_endpoint_urls(self):
        self.write(
            "config",
            self.ROLE + "region = eu-west-1\nignore_configured_endpoint_urls = true\n"
            "endpoint_url = http://127.0.0.1:1/never\n",
        )
        os.environ["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:1/never"
        self.assertEqual(self.first_url(), "https://sts.eu-west-1.amazonaws.com")

    def test_fips_and_dual_stack(self):
        self.write(
            "config",
            self.ROLE + "region = us-east-1\nuse_fips_endpoint = true\n"
            "use_dualstack_endpoint = true\n",
        )
        self.assertEqual(self.first_url(), "https://sts-fips.us-east-1.api.aws")

    def test_the_selected_profiles_settings_apply_along_the_chain(self):
        # As botocore's session settings: the source role's own are not read.
        self.write(
            "config",
            self.ROLE.replace("source_profile = src", "source_profile = mid")
            + f"endpoint_url = {self.sts.url}\n"
            + "[profile mid]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = src\n"
            + "endpoint_url = http://127.0.0.1:1/never\n",
        )
        self.assertEqual(self.get("role").access_key, "ASIAROLE2")
        self.assertEqual(len(self.calls()), 2)

    def test_services_section_that_does_not_exist(self):
        # botocore: InvalidConfigError when it makes a client.
        self.write("config", self.ROLE + "services = nowhere\n")
        self.fails("role", "services section 'nowhere' does not exist")
        self.assertEqual(self.calls(), [])

    def test_services_section_change_rebuilds_the_source(self):
        config = self.ROLE + "services = s\n[services s]\nsts =\n  endpoint_url = {}\n"
        self.write("config", config.format(self.sts.url))
        provider = minicreds.AWSConfigProvider(profile="role")
        self.assertEqual(provider.retrieve().access_key, "ASIAROLE1")
        with support.FakeServer() as other:
            other.route("POST", "/", (200, "not xml"))
            self.write("config", config.format(other.url) + "# changed\n")
            with self.assertRaises(minicreds.TransportError):
                provider.retrieve()
            self.assertEqual(len(other.requests), 1)


class EnvWebIdentitySettingsTest(unittest.TestCase):
    """default_provider()'s web identity from the environment takes the profile's
    region, STS endpoint mode and CA bundle, as botocore's session does."""

    def test_profile_settings_apply(self):
        ca = os.path.join(os.path.dirname(__file__), "no-such-ca.pem")
        cases = {
            "region = eu-west-3\n": ("https://sts.eu-west-3.amazonaws.com", None),
            "region = cn-north-1\n": ("https://sts.cn-north-1.amazonaws.com.cn", None),
            "region = eu-west-1\nsts_regional_endpoints = legacy\n": (
                "https://sts.amazonaws.com",
                None,
            ),
            f"region = us-west-2\nca_bundle = {ca}\n": (
                "https://sts.us-west-2.amazonaws.com",
                ca,
            ),
            "endpoint_url = http://127.0.0.1:7/profile\n": (
                "http://127.0.0.1:7/profile",
                None,
            ),
            "services = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:8/\n": (
                "http://127.0.0.1:8/",
                None,
            ),
            "region = us-east-1\nuse_fips_endpoint = true\n": (
                "https://sts-fips.us-east-1.amazonaws.com",
                None,
            ),
        }
        for settings, (url, ca_file) in cases.items():
            with self.subTest(settings=settings):
                self.assertEqual(self.first_call(settings), (url, ca_file))

    def first_call(self, settings):
        calls = []

        def fake_http(provider, method, url, **kw):  # no network at all
            calls.append((url, kw.get("ca_file")))
            raise minicreds.TransportError("stopped by the test", provider, url)

        with support.env(
            AWS_WEB_IDENTITY_TOKEN_FILE=__file__,
            AWS_ROLE_ARN="arn:aws:iam::123456789012:role/wi",
            AWS_EC2_METADATA_DISABLED="true",
        ) as home:
            os.mkdir(os.path.join(home, ".aws"))
            with open(os.path.join(home, ".aws", "config"), "w") as f:
                f.write("[default]\n" + settings)
            with mock.patch.object(minicreds, "_http", fake_http):
                with self.assertRaises(minicreds.TransportError):
                    minicreds.default_provider().retrieve()
        return calls[0]


class DefaultProviderEnvironClockTest(unittest.TestCase):
    """default_provider(environ=, clock=) hands both to every link it builds: each
    source below is configured in the given mapping only (os.environ is clean) and
    answers credentials that had expired long before the real time, but are valid
    at the frozen clock."""

    NOW = 1_000_000_000.0  # 2001-09-09T01:46:40Z

    def setUp(self):
        ctx = support.env()
        self.home = ctx.__enter__()
        self.addCleanup(ctx.__exit__, None, None, None)
        self.urls = []
        patch = mock.patch.object(minicreds, "_http", self.fake_http)
        patch.start()
        self.addCleanup(patch.stop)

    def fake_http(self, provider, method, url, **kw):
        """STS, container and instance metadata answers, valid at NOW for 1 hour."""
        self.urls.append(url)
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.NOW + 3600))
        if method == "POST":  # STS: AssumeRole or AssumeRoleWithWebIdentity
            body = (
                "<R><Credentials><AccessKeyId>ASIASTS</AccessKeyId>"
                f"<SecretAccessKey>{ROLE_SECRET}</SecretAccessKey>"
                f"<SessionToken>{ROLE_TOKEN}</SessionToken>"
                f"<Expiration>{expires}</Expiration></Credentials></R>"
            )
            return 200, {}, body.encode()
        if method == "PUT":  # the IMDSv2 token
            return 200, {}, b"imds-token"
        if url.endswith("/security-credentials/"):
            return 200, {}, b"r"
        answer = {
            "Code": "Success",
            "AccessKeyId": "ASIAIMDS" if "/latest/" in url else "ASIACONTAINER",
            "SecretAccessKey": ROLE_SECRET,
            "Token": ROLE_TOKEN,
            "Expiration": expires,
        }
        return 200, {}, json.dumps(answer).encode()

    def found(self, environ):
        chain = minicreds.default_provider(environ=environ, clock=lambda: self.NOW)
        creds = chain.retrieve()
        return creds and creds.access_key

    def test_environment_keys_from_the_mapping(self):
        mapping = {"AWS_ACCESS_KEY_ID": "AKMAP", "AWS_SECRET_ACCESS_KEY": "s"}
        self.assertEqual(self.found(mapping), "AKMAP")
        mapping = {"MINIO_ROOT_USER": "minio-map", "MINIO_ROOT_PASSWORD": "p"}
        self.assertEqual(self.found(mapping), "minio-map")
        self.assertEqual(self.urls, [])

    def test_profile_role_from_files_named_in_the_mapping(self):
        config = os.path.join(self.home, "elsewhere-config")
        with open(config, "w") as f:
            f.write(
                "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = s\n"
                "[profile s]\naws_access_key_id = AKS\naws_secret_access_key = k\n"
            )
        mapping = {"AWS_CONFIG_FILE": config, "AWS_PROFILE": "r"}
        self.assertEqual(self.found(mapping), "ASIASTS")
        self.assertEqual(self.urls, ["https://sts.amazonaws.com"])

    def test_web_identity_from_the_mapping(self):
        mapping = {
            "AWS_WEB_IDENTITY_TOKEN_FILE": __file__,
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/wi",
            "AWS_REGION": "eu-west-3",
        }
        self.assertEqual(self.found(mapping), "ASIASTS")
        self.assertEqual(self.urls, ["https://sts.eu-west-3.amazonaws.com"])

    def test_container_from_the_mapping(self):
        mapping = {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/creds"}
        self.assertEqual(self.found(mapping), "ASIACONTAINER")
        self.assertEqual(self.urls, ["http://169.254.170.2/creds"])

    def test_instance_metadata_from_the_mapping(self):
        mapping = {"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[::1]:9"}
        self.assertEqual(self.found(mapping), "ASIAIMDS")
        self.assertEqual(self.urls[0], "http://[::1]:9/latest/api/token")
        mapping = {"AWS_EC2_METADATA_DISABLED": "true"}
        self.assertIsNone(self.found(mapping))
