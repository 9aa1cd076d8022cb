"""The AWS SDKs' shared credential test data, one test per case (tests/conformance.py).

A case agrees, or is skipped with its reason (a deliberate deviation shared with
botocore, or pending on another issue), or is an expected failure (a known bug, listed
with its cause). A known failure that starts to pass, or a deviation that starts to
agree, fails the run until its entry is removed. Without ``../shared/sdk-test-data``
beside the repository, the cases are skipped with a reason naming the folder.
"""

import re
import unittest

import minicreds
from tests import conformance


class ConformanceTest(unittest.TestCase):
    """Generated below: ``test_<suite>_<number>_<case>``."""


def _known_failure(case):
    cause, what = conformance.KNOWN_FAILURES[case.key]

    @unittest.expectedFailure
    def test(self):
        diff = case.run()
        self.assertEqual(diff, "", f"known failure ({cause}: {what})")

    return test


def _deviation(case):
    reason = conformance.DEVIATIONS[case.key]

    def test(self):
        if not case.run():
            self.fail("agrees now: remove it from DEVIATIONS")
        self.skipTest(f"deviation: {reason}")

    return test


def _expected_to_agree(case):
    def test(self):
        diff = case.run()
        if diff:
            self.fail(diff)
        if case.pending:  # the rest of the expectation agrees
            self.skipTest(case.pending)

    return test


def _add_tests():
    if not conformance.available():

        def test(self):
            self.skipTest(f"{conformance.DATA} not found (the AWS SDKs' test data)")

        ConformanceTest.test_sdk_test_data = test
        return
    for number, case in enumerate(conformance.all_cases()):
        if case.key in conformance.KNOWN_FAILURES:
            test = _known_failure(case)
        elif case.key in conformance.DEVIATIONS:
            test = _deviation(case)
        else:
            test = _expected_to_agree(case)
        slug = re.sub(r"\W+", "_", case.name.lower()).strip("_")[:60]
        name = f"test_{case.suite.replace('-', '_')}_{number:03d}_{slug}"
        test.__name__ = name
        test.__doc__ = f"{case.suite}: {case.name}"
        setattr(ConformanceTest, name, test)


_add_tests()


@unittest.skipUnless(conformance.available(), f"{conformance.DATA} not found")
class TablesTest(unittest.TestCase):
    """The tables name cases that exist, once each, with a cause from the list."""

    def test_entries_name_cases(self):
        keys = {case.key for case in conformance.all_cases()}
        for table in (conformance.KNOWN_FAILURES, conformance.DEVIATIONS):
            self.assertEqual(set(table) - keys, set())
        both = set(conformance.KNOWN_FAILURES) & set(conformance.DEVIATIONS)
        self.assertEqual(both, set())

    def test_causes(self):
        causes = {conformance.OTHER}
        for cause, what in conformance.KNOWN_FAILURES.values():
            self.assertIn(cause, causes)
            self.assertTrue(what)


class FakeHttpTest(unittest.TestCase):
    """The stand-in for ``minicreds._http`` keeps its promises."""

    def test_normal_url(self):
        self.assertEqual(
            conformance.normal_url("HTTPS://Sts.Amazonaws.com:443?b=2&a=1"),
            "https://sts.amazonaws.com/?a=1&b=2",
        )
        self.assertEqual(
            conformance.normal_url("http://[FD00:EC2::254]:80/x"),
            "http://[fd00:ec2::254]/x",
        )

    def test_retries_as_http_does(self):
        answers = [(503, {}, b""), (200, {}, b"ok")]
        fake = conformance.FakeHttp(lambda *request: answers.pop(0))
        self.assertEqual(fake("P", "GET", "http://127.0.0.1:9/")[2], b"ok")
        answers = [(503, {}, b"no")] * 3
        fake = conformance.FakeHttp(lambda *request: answers.pop(0))
        self.assertEqual(fake("P", "GET", "http://127.0.0.1:9/")[0], 503)
        self.assertEqual(answers, [])

    def test_unrecorded_request_is_nothing_listening(self):
        fake = conformance.FakeHttp(lambda *request: None)
        with self.assertRaises(minicreds.TransportError) as ctx:
            fake("P", "GET", "http://127.0.0.1:9/", retry_connect=False)
        self.assertEqual(ctx.exception.kind, "connect")
        self.assertEqual(fake.calls, [("GET", "http://127.0.0.1:9/")])

    def test_connection_target(self):
        target = conformance.connection_target
        self.assertEqual(
            target("P", "GET", "http://127.0.0.1:9/", {}), ("127.0.0.1", 9)
        )
        self.assertEqual(
            target("P", "GET", "https://localhost/", {}), ("localhost", 443)
        )
        with self.assertRaises(minicreds.ConfigError):
            target("P", "GET", "not a url", {})


if __name__ == "__main__":
    unittest.main()
