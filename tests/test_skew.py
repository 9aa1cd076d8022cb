"""Clock-skew correction (README "Clock skew") against a loopback STS on its own clock.

The fake STS checks the ``X-Amz-Date`` of each signed request against its clock (the
real one), as AWS does with a 5-minute tolerance, refuses a skewed one with the error
code under test, and sends its time in a ``Date`` header on every answer. minicreds
sees a skewed clock: its ``time`` module is replaced by one whose ``time()`` is off
by ``SKEW`` seconds, and each provider gets that clock too. Requests are counted.
"""

import base64
import calendar
import email.utils
import time
import unittest
from unittest import mock

import minicreds
from minicreds import AssumeRoleProvider, StaticProvider, STSError, WebIdentityProvider
from tests.fakes import role_arn, sts_error_xml, sts_success_xml
from tests.support import FakeServer, Response

SKEW_CODES = (
    "AuthFailure",
    "InvalidSignatureException",
    "RequestExpired",
    "RequestInTheFuture",
    "RequestTimeTooSkewed",
    "SignatureDoesNotMatch",
)
ROLE = role_arn("skewed")
LIFETIME = 3600  # of the credentials the fake STS hands out


class SkewedTime:
    """The ``time`` module as a machine whose clock is off by ``skew`` seconds sees
    it: every name is the real module's but ``time()``."""

    def __init__(self, skew):
        self.skew = skew

    def __getattr__(self, name):
        return getattr(time, name)

    def time(self):
        return time.time() + self.skew


class FakeSTS:
    """A loopback STS on the real clock. ``code``: the error for a skewed signature;
    ``date``: the ``Date`` header to send, from the server's time (None: none)."""

    def __init__(self, server, code="SignatureDoesNotMatch"):
        self.code = code
        self.date = lambda now: email.utils.formatdate(now, usegmt=True)
        self.refuse_all = False
        server.route("POST", "/", self.answer)

    def answer(self, request):
        now = time.time()
        date = self.date(now)
        headers = [("Content-Type", "text/xml")] + ([("Date", date)] if date else [])
        signed = request.headers.get("X-Amz-Date")
        at = calendar.timegm(time.strptime(signed, "%Y%m%dT%H%M%SZ")) if signed else now
        if self.refuse_all or abs(at - now) > 300:
            text = sts_error_xml(self.code, f"Signature expired: {signed}")
            return Response(403, text, headers)
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + LIFETIME))
        text = sts_success_xml("AssumeRole", "ASIAOUT", "out-secret", "tok", expires)
        return Response(200, text, headers)


class SkewCase(unittest.TestCase):
    def setUp(self):
        offsets = mock.patch.dict(minicreds._clock_offsets, clear=True)
        offsets.start()
        self.addCleanup(offsets.stop)
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)
        self.sts = FakeSTS(self.server)

    def skew(self, seconds):
        """minicreds's clock, off by ``seconds`` until the test ends."""
        clock = SkewedTime(seconds)
        patch = mock.patch.object(minicreds, "time", clock)
        patch.start()
        self.addCleanup(patch.stop)
        return clock

    def provider(self, clock):
        return AssumeRoleProvider(
            StaticProvider("AKIDSOURCE", "source-secret"),
            ROLE,
            "session",
            sts_endpoint=self.server.url + "/",
            region="us-east-1",
            clock=clock.time,
        )

    def requests(self):
        return len(self.server.requests)


class Correction(SkewCase):
    def test_fast_clock_retried_once_on_the_servers_time(self):
        clock = self.skew(2 * LIFETIME)  # fast by more than the credentials' life
        provider = self.provider(clock)
        creds = provider.retrieve()
        self.assertEqual(creds.access_key, "ASIAOUT")
        self.assertEqual(self.requests(), 2)
        # Judged by the corrected clock, the credentials are fresh: no new call.
        self.assertIs(provider.retrieve(), creds)
        self.assertEqual(self.requests(), 2)

    def test_slow_clock_retried_once(self):
        provider = self.provider(self.skew(-1800))
        self.assertEqual(provider.retrieve().access_key, "ASIAOUT")
        self.assertEqual(self.requests(), 2)

    def test_the_offset_serves_later_providers(self):
        clock = self.skew(-1800)
        self.provider(clock).retrieve()
        self.assertEqual(self.requests(), 2)
        self.provider(clock).retrieve()  # a fresh provider: one request
        self.assertEqual(self.requests(), 3)

    def test_windows_fixed_when_the_credentials_arrive(self):
        # The offset learned by the fetch places the windows on the local clock
        # then: losing it later (the table is emptied when full) does not stretch
        # credentials past their expiry.
        clock = self.skew(-1800)  # slow: the offset learned is +1800
        provider = self.provider(clock)
        creds = provider.retrieve()
        self.assertEqual(self.requests(), 2)
        minicreds._clock_offsets.clear()
        clock.skew += LIFETIME  # an hour on, by the local clock: expired
        self.assertIsNot(provider.retrieve(), creds)
        self.assertEqual(self.requests(), 4)  # refused for skew, then signed again

    def test_every_skew_code_whatever_the_message(self):
        for code in SKEW_CODES:
            with self.subTest(code=code):
                minicreds._clock_offsets.clear()
                self.server.requests.clear()
                self.sts.code = code
                self.provider(self.skew(900)).retrieve()
                self.assertEqual(self.requests(), 2)

    def test_sign_request_uses_the_offset_learned_from_that_host(self):
        clock = self.skew(-1800)
        self.provider(clock).retrieve()
        creds = minicreds.Credentials("AKID", "secret")

        def signed_at(url):
            headers = minicreds.sign_request(
                "GET", url, credentials=creds, region="us-east-1", service="sts"
            )
            stamp = headers["X-Amz-Date"]
            return calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))

        self.assertLess(abs(signed_at(self.server.url + "/?a=b") - time.time()), 60)
        other = f"http://127.0.0.2:{self.server.port}/"  # another host: local clock
        self.assertLess(abs(signed_at(other) - clock.time()), 60)

    def test_eks_token_signed_on_the_sts_hosts_time(self):
        minicreds._clock_offsets["sts.us-west-2.amazonaws.com"] = -3600.0
        creds = minicreds.Credentials("AKID", "secret")
        for region, offset in (("us-west-2", -3600), ("eu-west-1", 0)):
            with self.subTest(region=region):
                token = minicreds.eks_token("c", credentials=creds, region=region)
                encoded = token.partition(".")[2]
                url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
                stamp = url.decode().partition("X-Amz-Date=")[2][:16]
                at = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
                self.assertLess(abs(at - (time.time() + offset)), 60)


class NoCorrection(SkewCase):
    def assert_refused_after(self, provider, count):
        with self.assertRaises(STSError):
            provider.retrieve()
        self.assertEqual(self.requests(), count)

    def test_other_error_codes(self):
        for code in ("AccessDenied", "InvalidClientTokenId", "ExpiredToken"):
            with self.subTest(code=code):
                self.server.requests.clear()
                self.sts.code = code
                self.assert_refused_after(self.provider(self.skew(900)), 1)
        self.assertEqual(minicreds._clock_offsets, {})

    def test_a_date_within_4_minutes(self):
        self.sts.refuse_all = True  # a bad signature, not a skewed clock
        self.assert_refused_after(self.provider(self.skew(200)), 1)
        self.assertEqual(minicreds._clock_offsets, {})

    def test_no_or_bad_date(self):
        for date in (lambda now: None, lambda now: "yesterday", lambda now: "Mon, 99"):
            with self.subTest(date=date(0)):
                self.server.requests.clear()
                self.sts.date = date
                self.assert_refused_after(self.provider(self.skew(900)), 1)

    def test_one_retry_only(self):
        self.sts.refuse_all = True
        dates = iter((3600, -3600, 3600))  # the server's clock jumps about
        self.sts.date = lambda now: email.utils.formatdate(
            now + next(dates), usegmt=True
        )
        self.assert_refused_after(self.provider(self.skew(0)), 2)

    def test_unsigned_calls(self):
        # No signature, so no clock to correct: the refusal is final.
        self.sts.refuse_all = True
        self.sts.date = lambda now: email.utils.formatdate(now + 3600, usegmt=True)
        provider = WebIdentityProvider(
            "a.jwt.token", ROLE, "s", sts_endpoint=self.server.url + "/",
            clock=self.skew(0).time,
        )  # fmt: skip
        self.assert_refused_after(provider, 1)
        self.assertEqual(minicreds._clock_offsets, {})


if __name__ == "__main__":
    unittest.main()
