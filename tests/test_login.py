"""LoginProvider: `aws login` sessions (README "aws login"), against a loopback
fake sign-in service that verifies each DPoP proof with minicreds' own verifier
(tests/interop checks the same proofs with ``cryptography``).

The token cache is laid out as the AWS CLI writes it:
``<cache>/<sha256 of the session name>.json``.
"""

import base64
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
import textwrap
import unittest

import minicreds
from tests import support
from tests.ec_keys import key_number, pem, sec1
from tests.fakes import ACCOUNT, FakeClock, iso
from tests.support import FakeServer

SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/console-user"
SECRET = "login-secret-key-Hq93kLzz"
TOKEN = "login-session-token-Pz18wE"
REFRESH = "login-refresh-token-Vb47nM"
NEW_SECRET = "login-new-secret-Ck62rTzz"
NEW_TOKEN = "login-new-session-token-Ux05yJ"
NEW_REFRESH = "login-new-refresh-token-Ga38dF"
PRIVATE = key_number(17)
DPOP_KEY = pem(sec1(PRIVATE))
SECRETS = (SECRET, TOKEN, REFRESH, NEW_SECRET, NEW_TOKEN, NEW_REFRESH, DPOP_KEY)
CLIENT = "arn:aws:signin:::devtools/same-device"


def decoded(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class SigninService:
    """POST /v1/token: checks the request and its DPoP proof, then hands out new
    keys and a new refresh token (or the answer in ``refusal``)."""

    def __init__(self, server, clock):
        self.server, self.clock = server, clock
        self.problems, self.issued, self.refusal = [], 0, None
        self.public = minicreds._p256_public_key(PRIVATE)
        self.refresh = REFRESH  # the refresh token it expects next
        server.route("POST", "/v1/token", self.answer)

    def answer(self, request):
        self.check(request)
        if self.refusal is not None:
            return self.refusal
        self.issued += 1
        self.refresh = f"{NEW_REFRESH}-{self.issued}"
        return 200, {
            "accessToken": {
                "accessKeyId": f"ASIALOGIN{self.issued}",
                "secretAccessKey": NEW_SECRET,
                "sessionToken": NEW_TOKEN,
            },
            "tokenType": "aws_sigv4",
            "expiresIn": 900,
            "refreshToken": self.refresh,
        }

    def check(self, request):
        body = request.json()
        want = {"clientId": CLIENT, "refreshToken": self.refresh}
        if body != dict(want, grantType="refresh_token"):
            self.problems.append(f"body {body}")
        if request.headers.get("Content-Type") != "application/json":
            self.problems.append("not JSON")
        if request.headers.get("Authorization"):
            self.problems.append("signed: the token call is unsigned")
        parts = request.headers.get("DPoP", "").split(".")
        header, claims = (json.loads(decoded(p)) for p in parts[:2])
        x, y = (int.from_bytes(decoded(header["jwk"][k]), "big") for k in "xy")
        url = self.server.url + "/v1/token"
        if (x, y) != self.public or header["alg"] != "ES256":
            self.problems.append(f"header {header}")
        if (claims["htm"], claims["htu"], claims["iat"]) != (
            "POST",
            url,
            int(self.clock()),
        ):
            self.problems.append(f"claims {claims}")
        signed = ".".join(parts[:2]).encode()
        if not minicreds._p256_verify(self.public, signed, decoded(parts[2])):
            self.problems.append("the DPoP signature does not verify")


class LoginCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="minicreds-login-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cache = os.path.join(self.dir, "cache")
        self.path = os.path.join(
            self.cache, hashlib.sha256(SESSION.encode()).hexdigest() + ".json"
        )
        self.clock = FakeClock()
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)
        self.signin = SigninService(self.server, self.clock)
        self.env = {"AWS_ENDPOINT_URL_SIGNIN": self.server.url}
        self.watch = support.SecretWatch().__enter__()
        self.addCleanup(self.watch.__exit__, None, None, None)

    def tearDown(self):
        self.assertEqual(self.signin.problems, [])

    def write_cache(self, left=3600, **changes):
        token = {
            "accessToken": {
                "accessKeyId": "ASIACACHED",
                "secretAccessKey": SECRET,
                "sessionToken": TOKEN,
                "accountId": ACCOUNT,
                "expiresAt": iso(self.clock() + left),
            },
            "tokenType": "aws_sigv4",
            "clientId": CLIENT,
            "refreshToken": REFRESH,
            "idToken": "header.claims.signature",
            "dpopKey": DPOP_KEY,
        }
        token.update(changes)
        token = {k: v for k, v in token.items() if v is not None}
        os.makedirs(self.cache, exist_ok=True)
        with open(self.path, "w") as f:
            json.dump(token, f)

    def read_cache(self):
        with open(self.path) as f:
            return json.load(f)

    def provider(self, **kw):
        return minicreds.LoginProvider(
            SESSION, cache_dir=self.cache, environ=self.env, clock=self.clock, **kw
        )

    def fails(self, provider, fragment):
        with self.assertRaises(minicreds.CredentialsError) as ctx:
            provider.retrieve()
        self.assertIn(fragment, str(ctx.exception))
        self.assertIn("aws login", str(ctx.exception))
        self.watch.assert_clean(self, *SECRETS, extra_texts=[ctx.exception])
        return ctx.exception


class CacheTest(LoginCase):
    def test_valid_credentials_without_a_call(self):
        self.write_cache()
        creds = self.provider().retrieve()
        self.assertEqual(
            (creds.access_key, creds.secret_key, creds.session_token),
            ("ASIACACHED", SECRET, TOKEN),
        )
        self.assertEqual(creds.account_id, ACCOUNT)
        self.assertEqual(self.server.requests, [])

    def test_cache_directory_variable(self):
        self.write_cache()
        self.env["AWS_LOGIN_CACHE_DIRECTORY"] = self.cache
        provider = minicreds.LoginProvider(SESSION, environ=self.env, clock=self.clock)
        self.assertEqual(provider.retrieve().access_key, "ASIACACHED")

    def test_no_session(self):
        self.fails(self.provider(), "no login session")

    def test_missing_fields(self):
        for field in ("accessToken", "refreshToken", "dpopKey", "clientId"):
            with self.subTest(field=field):
                self.write_cache(**{field: None})
                self.fails(self.provider(), f"lacks {field}")

    def test_tokens_that_are_not_text(self):
        for field in ("refreshToken", "dpopKey", "clientId"):
            with self.subTest(field=field):
                self.write_cache(left=-60, **{field: 12345})
                self.fails(self.provider(), "not text")

    def test_not_json(self):
        os.makedirs(self.cache)
        with open(self.path, "w") as f:
            f.write(f'{{"refreshToken": "{REFRESH}",')
        self.fails(self.provider(), "unusable login cache")

    def test_incomplete_access_token(self):
        self.write_cache(accessToken={"accessKeyId": "ASIA", "secretAccessKey": SECRET})
        self.fails(self.provider(), "accessToken is incomplete")

    def test_bad_key(self):
        self.write_cache(left=60, dpopKey=DPOP_KEY.replace("EC PRIVATE", "RSA PRIVATE"))
        with self.assertLogs("minicreds", logging.WARNING):
            self.provider().retrieve()  # still valid: served, the failure logged
        self.clock.advance(60)
        self.fails(self.provider(), "unusable P-256 private key")


class RefreshTest(LoginCase):
    def test_renewed_within_five_minutes_and_saved(self):
        self.write_cache(left=299)
        creds = self.provider().retrieve()
        self.assertEqual(creds.access_key, "ASIALOGIN1")
        self.assertEqual(creds.account_id, ACCOUNT)  # kept from the cache
        self.assertEqual(creds.expiration.timestamp(), int(self.clock()) + 900)
        saved = self.read_cache()
        self.assertEqual(saved["refreshToken"], f"{NEW_REFRESH}-1")
        self.assertEqual(
            saved["accessToken"],
            {
                "accessKeyId": "ASIALOGIN1",
                "secretAccessKey": NEW_SECRET,
                "sessionToken": NEW_TOKEN,
                "accountId": ACCOUNT,
                "expiresAt": iso(int(self.clock()) + 900),
            },
        )
        for kept in ("clientId", "idToken", "dpopKey", "tokenType"):
            self.assertIn(kept, saved)
        if os.name == "posix":
            self.assertEqual(stat.S_IMODE(os.stat(self.path).st_mode), 0o600)
        self.assertEqual(
            [n for n in os.listdir(self.cache) if not n.endswith(".json")], []
        )

    def test_not_renewed_with_more_than_five_minutes(self):
        self.write_cache(left=301)
        self.assertEqual(self.provider().retrieve().access_key, "ASIACACHED")
        self.assertEqual(self.server.requests, [])

    def test_refresh_tokens_rotate(self):
        self.write_cache(left=100)
        provider = self.provider()
        self.assertEqual(provider.retrieve().access_key, "ASIALOGIN1")
        self.clock.advance(900 - 250)  # inside the new credentials' last 5 minutes
        self.assertEqual(provider.retrieve().access_key, "ASIALOGIN2")
        self.assertEqual(self.read_cache()["refreshToken"], f"{NEW_REFRESH}-2")
        self.assertEqual(len(self.server.requests), 2)

    def test_another_process_renewal_is_picked_up(self):
        self.write_cache(left=100)
        provider = self.provider()
        provider.retrieve()
        self.clock.advance(700)
        self.write_cache(left=3600)  # `aws login` again, or another process
        self.assertEqual(provider.retrieve().access_key, "ASIACACHED")
        self.assertEqual(len(self.server.requests), 1)

    def test_failed_renewal_with_valid_credentials_logs_once(self):
        self.write_cache(left=200)
        self.signin.refusal = (500, {"message": "down"})
        provider = self.provider()
        with self.assertLogs("minicreds", logging.WARNING) as logs:
            first = provider.retrieve()
            again = provider.retrieve()
        self.assertEqual((first.access_key, again.access_key), ("ASIACACHED",) * 2)
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn("renewal failed", logs.output[0])
        self.watch.assert_clean(self, *SECRETS)

    def test_failed_renewal_with_expired_credentials(self):
        self.write_cache(left=-60)
        self.signin.refusal = (
            400,
            {"error": "TOKEN_EXPIRED", "message": f"bad {REFRESH}"},
            [("x-amzn-ErrorType", "AccessDeniedException")],
        )
        self.fails(self.provider(), "has expired or its credentials changed")

    def test_other_refusals_name_the_code_without_secrets(self):
        self.write_cache(left=-60)
        self.signin.refusal = (
            400,
            {"error": "INVALID_REQUEST", "message": f"echo {REFRESH} {DPOP_KEY}"},
            [("x-amzn-ErrorType", "ValidationException")],
        )
        error = self.fails(self.provider(), "ValidationException")
        self.assertIsInstance(error, minicreds.STSError)

    def test_unusable_answer(self):
        self.write_cache(left=-60)
        self.signin.refusal = (200, {"accessToken": {"accessKeyId": "A"}})
        self.fails(self.provider(), "answer is unusable")

    def test_lifetime_that_overflows_is_unusable(self):
        # 10**400 and 1e300 overflowed the expiry (OverflowError out of retrieve()),
        # as 1e999 (infinity) would have, had json not read it as a float.
        self.write_cache(left=-60)
        keys = {"accessKeyId": "A", "secretAccessKey": NEW_SECRET, "sessionToken": "t"}
        for life in ("1" + "0" * 400, "1e300", "1e999", "0", "true", "31622400"):
            with self.subTest(expiresIn=life):
                body = json.dumps({"accessToken": keys, "refreshToken": "r"})
                body = body[:-1] + f', "expiresIn": {life}}}'
                self.signin.refusal = (
                    200,
                    body,
                    [("Content-Type", "application/json")],
                )
                self.fails(self.provider(), "answer is unusable")


class EndpointTest(unittest.TestCase):
    def url(self, region=None, **env):
        provider = minicreds.LoginProvider(SESSION, region=region, environ=env)
        return provider._token_url(env, "LoginProvider")

    def test_region_hosts(self):
        self.assertEqual(
            self.url("eu-west-1"), "https://eu-west-1.signin.aws.amazon.com/v1/token"
        )
        self.assertEqual(
            self.url(AWS_REGION="cn-north-1"),
            "https://cn-north-1.signin.amazonaws.cn/v1/token",
        )
        self.assertEqual(
            self.url(AWS_DEFAULT_REGION="us-gov-west-1"),
            "https://us-gov-west-1.signin.amazonaws-us-gov.com/v1/token",
        )

    def test_other_partitions(self):
        # botocore 1.44's endpoint rules for signin (the URLs its client sends to).
        for region, url in (
            ("us-iso-east-1", "https://us-iso-east-1.signin.c2shome.ic.gov/v1/token"),
            ("us-isob-east-1",
             "https://us-isob-east-1.signin.sc2shome.sgov.gov/v1/token"),
            ("eu-isoe-west-1",
             "https://eu-isoe-west-1.signin.csphome.adc-e.uk/v1/token"),
            ("us-isof-south-1",
             "https://us-isof-south-1.signin.csphome.hci.ic.gov/v1/token"),
            ("eusc-de-east-1",
             "https://eusc-de-east-1.signin.amazonaws-eusc.eu/v1/token"),
        ):  # fmt: skip
            with self.subTest(region=region):
                self.assertEqual(self.url(region), url)

    def test_a_region_that_is_no_region_name_is_refused(self):
        # It would name another host, which would get the refresh token.
        for region in ("evil.example/x#", "us-east-1:8443", "a b"):
            with self.subTest(region=region), self.assertRaises(
                minicreds.ConfigError
            ) as caught:
                self.url(AWS_REGION=region)
            self.assertNotIn(region, str(caught.exception))

    def test_no_region(self):
        with self.assertRaises(minicreds.ConfigError):
            self.url()


class ProfileTest(LoginCase):
    def test_login_session_profile(self):
        self.write_cache()
        config = os.path.join(self.dir, "config")
        with open(config, "w") as f:
            f.write(
                textwrap.dedent(f"""\
                [profile console]
                login_session = {SESSION}
                region = us-west-2
                """)
            )
        env = dict(
            self.env,
            AWS_CONFIG_FILE=config,
            AWS_SHARED_CREDENTIALS_FILE=os.path.join(self.dir, "none"),
            AWS_LOGIN_CACHE_DIRECTORY=self.cache,
        )
        provider = minicreds.AWSConfigProvider(
            profile="console", environ=env, clock=self.clock
        )
        self.assertEqual(provider.retrieve().account_id, ACCOUNT)
        os.remove(self.path)
        provider = minicreds.AWSConfigProvider(
            profile="console", environ=env, clock=self.clock
        )
        self.fails(provider, "aws login --profile console")


if __name__ == "__main__":
    unittest.main()
