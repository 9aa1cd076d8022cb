"""What the SSO tests share: tokens, role answers and a base class with a fake portal
and a token cache."""

import hashlib
import json
import os
import textwrap
import time
import unittest

import minicreds
from tests import support
from tests.fakes import SSO_START_URL, iso_in

ACCESS_TOKEN = "sso-access-token-Hq93kL"
NEW_ACCESS_TOKEN = "sso-new-access-token-Pz18wE"
REFRESH_TOKEN = "sso-refresh-token-Vb47nM"
NEW_REFRESH_TOKEN = "sso-new-refresh-token-Ck62rT"
CLIENT_SECRET = "sso-client-secret-Ux05yJ"
ROLE_SECRET = "sso-role-secret-Ga38dF"
ROLE_TOKEN = "sso-role-session-token-Wn71sQ"
SECRETS = (
    ACCESS_TOKEN,
    NEW_ACCESS_TOKEN,
    REFRESH_TOKEN,
    NEW_REFRESH_TOKEN,
    CLIENT_SECRET,
    ROLE_SECRET,
    ROLE_TOKEN,
)


def role_credentials(req, key="ASIASSOROLE", life=3600):
    return 200, {
        "roleCredentials": {
            "accessKeyId": key,
            "secretAccessKey": ROLE_SECRET,
            "sessionToken": ROLE_TOKEN,
            "expiration": int((time.time() + life) * 1000),
        }
    }


class SSOTestBase(unittest.TestCase):
    def setUp(self):
        self.fake = support.FakeServer().start()
        self.addCleanup(self.fake.stop)
        self.fake.route("GET", "/federation/credentials", role_credentials)
        ctx = support.env(
            AWS_ENDPOINT_URL_SSO=self.fake.url, AWS_ENDPOINT_URL_SSO_OIDC=self.fake.url
        )
        self.home = ctx.__enter__()
        self.addCleanup(ctx.__exit__, None, None, None)
        self.cache = os.path.join(self.home, ".aws", "sso", "cache")
        os.makedirs(self.cache)
        self.watch = support.SecretWatch().__enter__()
        self.addCleanup(self.watch.__exit__, None, None, None)

    def config(self, text):
        with open(os.path.join(self.home, ".aws", "config"), "w") as f:
            f.write(textwrap.dedent(text))

    def token_path(self, key):
        return os.path.join(
            self.cache, hashlib.sha1(key.encode()).hexdigest() + ".json"
        )

    def write_token(self, key, expires_in=3600, refresh=True, **extra):
        token = {
            "startUrl": SSO_START_URL,
            "region": "us-east-1",
            "accessToken": ACCESS_TOKEN,
            "expiresAt": iso_in(expires_in),
        }
        if refresh:
            token.update(
                refreshToken=REFRESH_TOKEN,
                clientId="client-id-123",
                clientSecret=CLIENT_SECRET,
                registrationExpiresAt=iso_in(86400 * 30),
            )
        token.update(extra)
        with open(self.token_path(key), "w") as f:
            json.dump(token, f)
        return token

    def portal_requests(self):
        return [
            r for r in self.fake.requests if r.path_only == "/federation/credentials"
        ]

    def oidc_requests(self):
        return [r for r in self.fake.requests if r.path_only == "/token"]

    def fails(self, provider, fragment, cls=minicreds.CredentialsError):
        with self.assertRaises(cls) as ctx:
            provider.retrieve()
        self.assertIn(fragment, str(ctx.exception))
        self.watch.assert_clean(self, *SECRETS, extra_texts=[ctx.exception])
        return ctx.exception


LEGACY = f"""\
    [profile legacy]
    sso_start_url = {SSO_START_URL}
    sso_region = us-east-1
    sso_account_id = 111122223333
    sso_role_name = ReadOnly
    region = eu-west-1
"""

SESSION = f"""\
    [profile dev]
    sso_session = corp
    sso_account_id = 444455556666
    sso_role_name = Developer

    [sso-session corp]
    sso_start_url = {SSO_START_URL}
    sso_region = eu-central-1
    sso_registration_scopes = sso:account:access
"""
