"""The STS, SSO portal, OIDC and sign-in hosts of every AWS partition, next to the
URLs botocore's clients send requests to for the same region and FIPS/dual-stack
settings.

Each botocore client is stopped in its ``before-send`` event, so nothing leaves the
process. A region and variant that botocore refuses (dual-stack in some isolated
partitions: its endpoint data has no such host) is left out: minicreds builds the
host from the partition's dual-stack domain there.
"""

import unittest

import minicreds

try:
    import botocore.session
    from botocore.config import Config

    HAVE_BOTOCORE = True
except ImportError:  # pragma: no cover
    HAVE_BOTOCORE = False

REGIONS = (
    "us-east-1", "eu-west-1", "il-central-1", "cn-north-1", "us-gov-west-1",
    "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1",
    "eusc-de-east-1",
)  # fmt: skip
VARIANTS = ((False, False), (True, False), (False, True), (True, True))
CALLS = {  # botocore's service name: minicreds's host prefix, a call to stop
    "sts": ("sts", lambda client: client.get_caller_identity()),
    "sso": ("portal.sso", lambda client: client.get_role_credentials(
        roleName="r", accountId="123456789012", accessToken="t")),
    "sso-oidc": ("oidc", lambda client: client.create_token(
        clientId="c", clientSecret="s", grantType="refresh_token",
        refreshToken="r")),
    "signin": (None, lambda client: client.create_o_auth2_token(
        tokenInput={"clientId": "c", "grantType": "refresh_token"})),
}  # fmt: skip


class Sent(Exception):
    """Raised in before-send with the URL of the request botocore would send."""


def botocore_host(session, service, region, fips, dualstack):
    """The host botocore sends ``service``'s request to, or None if it refuses."""
    config = Config(use_fips_endpoint=fips, use_dualstack_endpoint=dualstack)
    try:
        client = session.create_client(
            service, region_name=region, config=config,
            aws_access_key_id="AKIDPARTITIONS", aws_secret_access_key="not-a-secret",
        )  # fmt: skip
    except botocore.exceptions.EndpointVariantError:
        return None

    def stop(request, **_):
        raise Sent(request.url)

    client.meta.events.register("before-send", stop)
    try:
        CALLS[service][1](client)
    except Sent as sent:
        return sent.args[0].split("/")[2]
    raise AssertionError("botocore sent nothing")


@unittest.skipUnless(HAVE_BOTOCORE, "needs botocore")
class PartitionHostsTest(unittest.TestCase):
    def test_every_partition_as_botocore(self):
        session = botocore.session.get_session()
        compared = 0
        for service, (prefix, _) in CALLS.items():
            if prefix is None:  # signin: a host of its own, see below
                continue
            for region in REGIONS:
                for fips, dualstack in VARIANTS:
                    theirs = botocore_host(session, service, region, fips, dualstack)
                    if theirs is None:
                        continue
                    compared += 1
                    ours = minicreds._aws_host(prefix, region, fips, dualstack)
                    with self.subTest(service, region=region, fips=fips,
                                      dualstack=dualstack):  # fmt: skip
                        self.assertEqual(ours, theirs)
        self.assertGreater(compared, 100)

    def test_the_sign_in_host_of_aws_login(self):
        # minicreds's LoginProvider calls the regular host (no FIPS, no dual-stack).
        session = botocore.session.get_session()
        if "signin" not in session.get_available_services():
            self.skipTest("this botocore has no signin service (before aws login)")
        for region in REGIONS:
            with self.subTest(region=region):
                theirs = botocore_host(session, "signin", region, False, False)
                if theirs.startswith("signin."):
                    # Before 1.44 botocore's rules had no sign-in host for the
                    # isolated and sovereign partitions: a generic one instead.
                    self.skipTest(f"this botocore has no sign-in host for {region}")
                self.assertEqual(minicreds._signin_host(region), theirs)


if __name__ == "__main__":
    unittest.main()
