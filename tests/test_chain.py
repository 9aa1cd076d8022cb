"""ChainedProvider (README, "Providers", and "Where minicreds differs from the MinIO
SDK, on purpose")."""

from __future__ import annotations

import unittest

from minicreds import (
    ChainedProvider,
    ConfigError,
    Credentials,
    EnvAWSProvider,
    EnvMinioProvider,
    StaticProvider,
    TransportError,
)

ACCESS = "AKIACHAINTESTACCESS1"
ACCESS2 = "AKIACHAINTESTACCESS2"
SECRET = "sEcReT-chain-9a8b7c-wJalrXUtnFEMI"
SECRET2 = "sEcReT-chain-second-1f2e3d-K7MDENG"
TOKEN = "ToKeN-chain-4d5e6f-FwoGZXIvYXdzEJr"
HELD_SECRET = "sEcReT-held-by-failing-provider-0b1c"
ALL_SECRETS = (SECRET, SECRET2, TOKEN, HELD_SECRET)
OUTCOMES = ("found", "not configured", "error")


class Found:
    """A provider that has credentials (any object with retrieve() will do)."""

    def __init__(self, creds):
        self.creds = creds
        self.calls = 0

    def retrieve(self):
        self.calls += 1
        return self.creds


class NotConfigured:
    def __init__(self):
        self.calls = 0

    def retrieve(self):
        self.calls += 1


class Failing:
    def __init__(self, error):
        self.error = error
        self.calls = 0
        # A provider holds secrets; the chain must not print them.
        self._password = HELD_SECRET

    def __repr__(self):
        return f"Failing(password={self._password!r})"

    def retrieve(self):
        self.calls += 1
        raise self.error


def _config_error():
    return ConfigError("cannot parse (line 3)", "Failing", "/nonexistent/credentials")


class ChainOrderTest(unittest.TestCase):
    def test_first_with_credentials_wins(self):
        first = Found(Credentials(ACCESS, SECRET, TOKEN))
        second = Found(Credentials(ACCESS2, SECRET2))
        chain = ChainedProvider([first, second])
        self.assertEqual(chain.retrieve(), Credentials(ACCESS, SECRET, TOKEN))
        self.assertEqual(first.calls, 1)
        self.assertEqual(second.calls, 0)

    def test_none_skipped(self):
        empty = NotConfigured()
        found = Found(Credentials(ACCESS2, SECRET2))
        chain = ChainedProvider([empty, NotConfigured(), found])
        self.assertEqual(chain.retrieve(), Credentials(ACCESS2, SECRET2))
        self.assertEqual(empty.calls, 1)
        self.assertEqual(found.calls, 1)

    def test_all_empty(self):
        providers = [NotConfigured(), NotConfigured()]
        chain = ChainedProvider(providers)
        self.assertIsNone(chain.retrieve())
        self.assertEqual([p.calls for p in providers], [1, 1])

    def test_empty_list(self):
        self.assertIsNone(ChainedProvider([]).retrieve())

    def test_accepts_any_iterable(self):
        chain = ChainedProvider(iter([NotConfigured(), StaticProvider(ACCESS, SECRET)]))
        self.assertEqual(chain.retrieve(), Credentials(ACCESS, SECRET))
        # The providers were kept, not consumed by the first call.
        self.assertEqual(chain.retrieve(), Credentials(ACCESS, SECRET))

    def test_real_providers(self):
        environ = {"MINIO_ROOT_USER": ACCESS2, "MINIO_ROOT_PASSWORD": SECRET2}
        chain = ChainedProvider(
            [EnvAWSProvider(environ=environ), EnvMinioProvider(environ=environ)]
        )
        self.assertEqual(chain.retrieve(), Credentials(ACCESS2, SECRET2))
        environ.update(AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET)
        self.assertEqual(chain.retrieve(), Credentials(ACCESS, SECRET))
        names = [attempt[0] for attempt in chain.attempts]
        self.assertEqual(names, ["EnvAWSProvider"])


class ChainErrorTest(unittest.TestCase):
    def test_error_logged_and_skipped(self):
        failing = Failing(_config_error())
        found = Found(Credentials(ACCESS, SECRET, TOKEN))
        chain = ChainedProvider([failing, found])
        with self.assertLogs("minicreds", level="DEBUG") as logs:
            creds = chain.retrieve()
        self.assertEqual(creds, Credentials(ACCESS, SECRET, TOKEN))
        self.assertEqual((failing.calls, found.calls), (1, 1))
        output = "\n".join(logs.output)
        self.assertIn("Failing", output)
        records = "\n".join(
            str(r.getMessage()) + str(r.exc_info) + str(r.args) for r in logs.records
        )
        for secret in ALL_SECRETS:
            self.assertNotIn(secret, output)
            self.assertNotIn(secret, records)

    def test_errors_of_every_kind_skipped(self):
        errors = [
            _config_error(),
            TransportError("cannot connect", "Failing", "http://127.0.0.1:9/"),
            ValueError("plain ValueError from a MinIO-SDK-style provider"),
        ]
        for error in errors:
            with self.subTest(error=type(error).__name__):
                chain = ChainedProvider(
                    [Failing(error), StaticProvider(ACCESS, SECRET)]
                )
                with self.assertLogs("minicreds", level="DEBUG"):
                    self.assertEqual(chain.retrieve(), Credentials(ACCESS, SECRET))
                self.assertEqual(chain.attempts[0][1], "error")

    def test_all_failing_is_none(self):
        chain = ChainedProvider([Failing(_config_error()), NotConfigured()])
        with self.assertLogs("minicreds", level="DEBUG"):
            self.assertIsNone(chain.retrieve())
        self.assertEqual([a[1] for a in chain.attempts], ["error", "not configured"])

    def test_strict_reraises(self):
        error = _config_error()
        found = Found(Credentials(ACCESS, SECRET))
        chain = ChainedProvider([NotConfigured(), Failing(error), found], strict=True)
        with self.assertRaises(ConfigError) as cm:
            chain.retrieve()
        self.assertIs(cm.exception, error)
        self.assertEqual(found.calls, 0)

    def test_strict_still_skips_none(self):
        chain = ChainedProvider(
            [NotConfigured(), StaticProvider(ACCESS, SECRET)], strict=True
        )
        self.assertEqual(chain.retrieve(), Credentials(ACCESS, SECRET))

    def test_strict_is_keyword_only(self):
        with self.assertRaises(TypeError):
            ChainedProvider([NotConfigured()], True)  # type: ignore[misc]


class AttemptsTest(unittest.TestCase):
    def assertAttempt(self, attempt, name, outcome):
        self.assertIsInstance(attempt, tuple)
        self.assertEqual(len(attempt), 4)
        got_name, got_outcome, detail, seconds = attempt
        self.assertEqual(got_name, name)
        self.assertEqual(got_outcome, outcome)
        self.assertIn(got_outcome, OUTCOMES)
        self.assertIsInstance(detail, str)
        self.assertIsInstance(seconds, float)
        self.assertGreaterEqual(seconds, 0.0)
        for secret in ALL_SECRETS:
            self.assertNotIn(secret, detail)
            self.assertNotIn(secret, repr(attempt))

    def test_record_of_each_call(self):
        failing = Failing(_config_error())
        chain = ChainedProvider(
            [
                NotConfigured(),
                failing,
                StaticProvider(ACCESS, SECRET, TOKEN),
                Found(None),
            ]
        )
        with self.assertLogs("minicreds", level="DEBUG"):
            chain.retrieve()
        attempts = chain.attempts
        self.assertIsInstance(attempts, tuple)
        self.assertEqual(len(attempts), 3)
        self.assertAttempt(attempts[0], "NotConfigured", "not configured")
        self.assertAttempt(attempts[1], "Failing", "error")
        self.assertAttempt(attempts[2], "StaticProvider", "found")

    def test_providers_after_winner_not_recorded(self):
        later = Found(Credentials(ACCESS2, SECRET2))
        chain = ChainedProvider(
            [StaticProvider(ACCESS, SECRET), later, NotConfigured()]
        )
        chain.retrieve()
        self.assertEqual(len(chain.attempts), 1)
        self.assertAttempt(chain.attempts[0], "StaticProvider", "found")
        self.assertEqual(later.calls, 0)

    def test_replaced_whole_after_each_call(self):
        environ = {}
        chain = ChainedProvider(
            [EnvAWSProvider(environ=environ), EnvMinioProvider(environ=environ)]
        )
        self.assertIsNone(chain.retrieve())
        first = chain.attempts
        self.assertEqual(
            [(a[0], a[1]) for a in first],
            [
                ("EnvAWSProvider", "not configured"),
                ("EnvMinioProvider", "not configured"),
            ],
        )
        environ.update(AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET)
        self.assertEqual(chain.retrieve(), Credentials(ACCESS, SECRET))
        second = chain.attempts
        self.assertIsNot(second, first)
        # The earlier record did not change under its holder's feet.
        self.assertEqual(len(first), 2)
        self.assertEqual(first[0][1], "not configured")
        self.assertEqual(len(second), 1)
        self.assertAttempt(second[0], "EnvAWSProvider", "found")
        # An error in a real provider: a key without its secret.
        environ.pop("AWS_SECRET_ACCESS_KEY")
        with self.assertLogs("minicreds", level="DEBUG"):
            self.assertIsNone(chain.retrieve())
        third = chain.attempts
        self.assertAttempt(third[0], "EnvAWSProvider", "error")
        self.assertIn("AWS_SECRET_ACCESS_KEY", third[0][2])
        self.assertAttempt(third[1], "EnvMinioProvider", "not configured")

    def test_attempts_immutable(self):
        chain = ChainedProvider([StaticProvider(ACCESS, SECRET)])
        chain.retrieve()
        attempts = chain.attempts
        with self.assertRaises(TypeError):
            attempts[0] = ("x", "found", "", 0.0)  # type: ignore[index]
        with self.assertRaises((TypeError, AttributeError)):
            attempts[0][1] = "error"  # type: ignore[index]

    def test_error_detail_names_the_problem(self):
        chain = ChainedProvider([Failing(_config_error())])
        with self.assertLogs("minicreds", level="DEBUG"):
            chain.retrieve()
        detail = chain.attempts[0][2]
        self.assertTrue(detail)
        self.assertIn("line 3", detail)


if __name__ == "__main__":
    unittest.main()
