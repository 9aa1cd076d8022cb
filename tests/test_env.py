"""Environment and static providers (README, "Providers")."""

from __future__ import annotations

import datetime
import os
import unittest
from unittest import mock

from minicreds import (
    ConfigError,
    Credentials,
    EnvAWSProvider,
    EnvMinioProvider,
    StaticProvider,
)

UTC = datetime.timezone.utc
ACCESS = "AKIAENVTESTACCESS01"
ACCESS2 = "AKIAENVTESTACCESS02"
SECRET = "sEcReT-env-61c0a2-wJalrXUtnFEMI"
SECRET2 = "sEcReT-env-second-3b7e9d-K7MDENG"
TOKEN = "ToKeN-env-0d4f51-FwoGZXIvYXdzEJr"
TOKEN2 = "ToKeN-env-legacy-a92b33-IQoJb3JpZ2lu"

AWS_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)


class _EnvTestCase(unittest.TestCase):
    """Each test starts from an environment without any credential variable."""

    def setUp(self):
        patcher = mock.patch.dict(os.environ, {}, clear=False)
        patcher.start()
        self.addCleanup(patcher.stop)
        for name in list(os.environ):
            if name.startswith(("AWS_", "MINIO_")):
                del os.environ[name]

    def set_env(self, **values):
        os.environ.update(values)


class EnvAWSProviderTest(_EnvTestCase):
    def test_primary_variables(self):
        self.set_env(
            AWS_ACCESS_KEY_ID=ACCESS,
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_SESSION_TOKEN=TOKEN,
        )
        creds = EnvAWSProvider().retrieve()
        self.assertIsInstance(creds, Credentials)
        self.assertEqual(creds.access_key, ACCESS)
        self.assertEqual(creds.secret_key, SECRET)
        self.assertEqual(creds.session_token, TOKEN)
        self.assertIsNone(creds.expiration)

    def test_no_token(self):
        self.set_env(AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET)
        creds = EnvAWSProvider().retrieve()
        self.assertEqual((creds.access_key, creds.secret_key), (ACCESS, SECRET))
        self.assertIsNone(creds.session_token)

    def test_fallback_variables(self):
        self.set_env(
            AWS_ACCESS_KEY=ACCESS, AWS_SECRET_KEY=SECRET, AWS_SECURITY_TOKEN=TOKEN2
        )
        creds = EnvAWSProvider().retrieve()
        self.assertEqual(creds, Credentials(ACCESS, SECRET, TOKEN2))

    def test_mixed_primary_and_fallback(self):
        self.set_env(AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_KEY=SECRET)
        self.assertEqual(EnvAWSProvider().retrieve(), Credentials(ACCESS, SECRET))
        os.environ.clear()
        self.set_env(AWS_ACCESS_KEY=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET)
        self.assertEqual(EnvAWSProvider().retrieve(), Credentials(ACCESS, SECRET))

    def test_primary_wins_over_fallback(self):
        self.set_env(
            AWS_ACCESS_KEY_ID=ACCESS,
            AWS_ACCESS_KEY=ACCESS2,
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_SECRET_KEY=SECRET2,
            AWS_SESSION_TOKEN=TOKEN,
            AWS_SECURITY_TOKEN=TOKEN2,
        )
        self.assertEqual(
            EnvAWSProvider().retrieve(), Credentials(ACCESS, SECRET, TOKEN)
        )

    def test_nothing_set(self):
        self.assertIsNone(EnvAWSProvider().retrieve())

    def test_only_token_or_expiration_is_not_configured(self):
        self.set_env(AWS_SESSION_TOKEN=TOKEN)
        self.assertIsNone(EnvAWSProvider().retrieve())

    def test_key_without_secret(self):
        for name in ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"):
            with self.subTest(name=name):
                os.environ.clear()
                self.set_env(**{name: ACCESS, "AWS_SESSION_TOKEN": TOKEN})
                with self.assertRaises(ConfigError) as cm:
                    EnvAWSProvider().retrieve()
                self.assertEqual(cm.exception.provider, "EnvAWSProvider")
                self.assertTrue(str(cm.exception).startswith("EnvAWSProvider: "))
                text = str(cm.exception)
                self.assertIn("AWS_SECRET_ACCESS_KEY", text)
                self.assertNotIn(ACCESS, text)
                self.assertNotIn(TOKEN, text)

    def test_secret_without_key(self):
        for name in ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"):
            with self.subTest(name=name):
                os.environ.clear()
                self.set_env(**{name: SECRET, "AWS_SESSION_TOKEN": TOKEN})
                with self.assertRaises(ConfigError) as cm:
                    EnvAWSProvider().retrieve()
                self.assertEqual(cm.exception.provider, "EnvAWSProvider")
                self.assertTrue(str(cm.exception).startswith("EnvAWSProvider: "))
                text = str(cm.exception)
                self.assertIn("AWS_ACCESS_KEY_ID", text)
                self.assertNotIn(SECRET, text)
                self.assertNotIn(TOKEN, text)
                self.assertNotIn(SECRET, repr(cm.exception))

    def test_read_at_every_call(self):
        provider = EnvAWSProvider()
        self.assertIsNone(provider.retrieve())
        self.set_env(AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET)
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET))
        self.set_env(
            AWS_ACCESS_KEY_ID=ACCESS2,
            AWS_SECRET_ACCESS_KEY=SECRET2,
            AWS_SESSION_TOKEN=TOKEN,
        )
        self.assertEqual(provider.retrieve(), Credentials(ACCESS2, SECRET2, TOKEN))
        del os.environ["AWS_SESSION_TOKEN"]
        self.assertEqual(provider.retrieve(), Credentials(ACCESS2, SECRET2))
        del os.environ["AWS_ACCESS_KEY_ID"]
        del os.environ["AWS_SECRET_ACCESS_KEY"]
        self.assertIsNone(provider.retrieve())

    def test_empty_values_count_as_unset(self):
        # An empty primary falls back to the legacy name, as botocore treats
        # an empty variable as absent.
        self.set_env(
            AWS_ACCESS_KEY_ID="",
            AWS_ACCESS_KEY=ACCESS,
            AWS_SECRET_ACCESS_KEY="",
            AWS_SECRET_KEY=SECRET,
            AWS_SESSION_TOKEN="",
            AWS_SECURITY_TOKEN=TOKEN2,
        )
        self.assertEqual(
            EnvAWSProvider().retrieve(), Credentials(ACCESS, SECRET, TOKEN2)
        )

    def test_all_empty_is_not_configured(self):
        self.set_env(
            AWS_ACCESS_KEY_ID="",
            AWS_SECRET_ACCESS_KEY="",
            AWS_SESSION_TOKEN="",
            AWS_CREDENTIAL_EXPIRATION="",
        )
        self.assertIsNone(EnvAWSProvider().retrieve())

    def test_empty_token_is_none(self):
        self.set_env(
            AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN=""
        )
        creds = EnvAWSProvider().retrieve()
        self.assertIsNone(creds.session_token)

    def test_empty_secret_with_key_is_error(self):
        self.set_env(AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY="")
        with self.assertRaises(ConfigError) as cm:
            EnvAWSProvider().retrieve()
        self.assertEqual(cm.exception.provider, "EnvAWSProvider")
        self.assertTrue(str(cm.exception).startswith("EnvAWSProvider: "))
        self.assertIn("AWS_SECRET_ACCESS_KEY", str(cm.exception))

    def test_expiration_formats(self):
        cases = {
            "2031-04-05T06:07:08Z": datetime.datetime(2031, 4, 5, 6, 7, 8, tzinfo=UTC),
            "2031-04-05T06:07:08+00:00": datetime.datetime(
                2031, 4, 5, 6, 7, 8, tzinfo=UTC
            ),
            "2031-04-05T08:07:08+02:00": datetime.datetime(
                2031, 4, 5, 6, 7, 8, tzinfo=UTC
            ),
            "2031-04-05T01:37:08-04:30": datetime.datetime(
                2031, 4, 5, 6, 7, 8, tzinfo=UTC
            ),
            "2031-04-05T06:07:08.5Z": datetime.datetime(
                2031, 4, 5, 6, 7, 8, 500000, tzinfo=UTC
            ),
            "2031-04-05T06:07:08.123Z": datetime.datetime(
                2031, 4, 5, 6, 7, 8, 123000, tzinfo=UTC
            ),
            "2031-04-05T06:07:08.123456Z": datetime.datetime(
                2031, 4, 5, 6, 7, 8, 123456, tzinfo=UTC
            ),
            "2031-04-05T06:07:08.123456789Z": datetime.datetime(
                2031, 4, 5, 6, 7, 8, 123456, tzinfo=UTC
            ),
            "2031-04-05T08:07:08.250+02:00": datetime.datetime(
                2031, 4, 5, 6, 7, 8, 250000, tzinfo=UTC
            ),
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                os.environ.clear()
                self.set_env(
                    AWS_ACCESS_KEY_ID=ACCESS,
                    AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_SESSION_TOKEN=TOKEN,
                    AWS_CREDENTIAL_EXPIRATION=text,
                )
                creds = EnvAWSProvider().retrieve()
                exp = creds.expiration
                self.assertIsNotNone(exp.tzinfo)
                self.assertEqual(exp.utcoffset(), datetime.timedelta(0))
                self.assertEqual(exp, expected)
                self.assertEqual(creds.session_token, TOKEN)
                self.assertFalse(creds.is_expired())

    def test_past_expiration_is_returned_expired(self):
        self.set_env(
            AWS_ACCESS_KEY_ID=ACCESS,
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_CREDENTIAL_EXPIRATION="2001-01-01T00:00:00Z",
        )
        try:
            creds = EnvAWSProvider().retrieve()
        except ConfigError as exc:
            # Refusing expired credentials is acceptable too; never a secret.
            self.assertNotIn(SECRET, str(exc))
        else:
            self.assertTrue(creds.is_expired())

    def test_bad_expiration_is_config_error(self):
        # Out of the calendar once moved to UTC, and non-ASCII digits: ConfigError too.
        edges = (
            "0001-01-01T00:00:00+01:00",
            "\u0662\u0660\u0662\u0664-01-02T03:04:05Z",
        )
        for text in ("next tuesday", *edges):
            with self.subTest(text=text):
                self._check_bad_expiration(text)

    def _check_bad_expiration(self, text):
        self.set_env(
            AWS_ACCESS_KEY_ID=ACCESS,
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_CREDENTIAL_EXPIRATION=text,
        )
        with self.assertRaises(ConfigError) as cm:
            EnvAWSProvider().retrieve()
        self.assertEqual(cm.exception.provider, "EnvAWSProvider")
        self.assertTrue(str(cm.exception).startswith("EnvAWSProvider: "))
        self.assertIn("AWS_CREDENTIAL_EXPIRATION", str(cm.exception))
        self.assertNotIn(SECRET, str(cm.exception))

    def test_environ_mapping_used_instead_of_os_environ(self):
        self.set_env(AWS_ACCESS_KEY_ID=ACCESS2, AWS_SECRET_ACCESS_KEY=SECRET2)
        environ = {
            "AWS_ACCESS_KEY_ID": ACCESS,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_SESSION_TOKEN": TOKEN,
        }
        provider = EnvAWSProvider(environ=environ)
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET, TOKEN))
        # The mapping is read at every call too.
        environ["AWS_SESSION_TOKEN"] = TOKEN2
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET, TOKEN2))
        # An empty mapping is "not configured", even though os.environ is set.
        self.assertIsNone(EnvAWSProvider(environ={}).retrieve())

    def test_environ_is_keyword_only(self):
        with self.assertRaises(TypeError):
            EnvAWSProvider({"AWS_ACCESS_KEY_ID": ACCESS})  # type: ignore[misc]


class EnvMinioProviderTest(_EnvTestCase):
    def test_root_user(self):
        self.set_env(MINIO_ROOT_USER=ACCESS, MINIO_ROOT_PASSWORD=SECRET)
        creds = EnvMinioProvider().retrieve()
        self.assertEqual(creds, Credentials(ACCESS, SECRET))
        self.assertIsNone(creds.session_token)

    def test_access_key(self):
        self.set_env(MINIO_ACCESS_KEY=ACCESS, MINIO_SECRET_KEY=SECRET)
        self.assertEqual(EnvMinioProvider().retrieve(), Credentials(ACCESS, SECRET))

    def test_root_user_wins(self):
        self.set_env(
            MINIO_ROOT_USER=ACCESS,
            MINIO_ROOT_PASSWORD=SECRET,
            MINIO_ACCESS_KEY=ACCESS2,
            MINIO_SECRET_KEY=SECRET2,
        )
        self.assertEqual(EnvMinioProvider().retrieve(), Credentials(ACCESS, SECRET))

    def test_none(self):
        self.assertIsNone(EnvMinioProvider().retrieve())
        # AWS variables are not MinIO's.
        self.set_env(AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET)
        self.assertIsNone(EnvMinioProvider().retrieve())

    def test_partial(self):
        cases = [
            ({"MINIO_ROOT_USER": ACCESS}, "MINIO_ROOT_PASSWORD"),
            ({"MINIO_ROOT_PASSWORD": SECRET}, "MINIO_ROOT_USER"),
            ({"MINIO_ACCESS_KEY": ACCESS}, "MINIO_SECRET_KEY"),
            ({"MINIO_SECRET_KEY": SECRET}, "MINIO_ACCESS_KEY"),
        ]
        for env, missing in cases:
            with self.subTest(env=sorted(env)):
                os.environ.clear()
                self.set_env(**env)
                with self.assertRaises(ConfigError) as cm:
                    EnvMinioProvider().retrieve()
                self.assertEqual(cm.exception.provider, "EnvMinioProvider")
                self.assertTrue(str(cm.exception).startswith("EnvMinioProvider: "))
                text = str(cm.exception)
                self.assertIn(missing, text)
                self.assertNotIn(SECRET, text)

    def test_read_at_every_call(self):
        provider = EnvMinioProvider()
        self.assertIsNone(provider.retrieve())
        self.set_env(MINIO_ACCESS_KEY=ACCESS, MINIO_SECRET_KEY=SECRET)
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET))
        self.set_env(MINIO_ROOT_USER=ACCESS2, MINIO_ROOT_PASSWORD=SECRET2)
        self.assertEqual(provider.retrieve(), Credentials(ACCESS2, SECRET2))

    def test_environ_mapping(self):
        self.set_env(MINIO_ROOT_USER=ACCESS2, MINIO_ROOT_PASSWORD=SECRET2)
        provider = EnvMinioProvider(
            environ={"MINIO_ACCESS_KEY": ACCESS, "MINIO_SECRET_KEY": SECRET}
        )
        self.assertEqual(provider.retrieve(), Credentials(ACCESS, SECRET))
        self.assertIsNone(EnvMinioProvider(environ={}).retrieve())


class StaticProviderTest(unittest.TestCase):
    def test_returns_given_credentials(self):
        creds = StaticProvider(ACCESS, SECRET, TOKEN).retrieve()
        self.assertEqual(creds, Credentials(ACCESS, SECRET, TOKEN))
        self.assertEqual(creds.session_token, TOKEN)
        self.assertIsNone(creds.expiration)
        self.assertFalse(creds.is_expired())

    def test_without_token(self):
        provider = StaticProvider(access_key=ACCESS, secret_key=SECRET)
        creds = provider.retrieve()
        self.assertEqual(creds, Credentials(ACCESS, SECRET))
        self.assertIsNone(creds.session_token)
        # Stable across calls.
        self.assertEqual(provider.retrieve(), creds)

    def test_ignores_environment(self):
        with mock.patch.dict(
            os.environ, {"AWS_ACCESS_KEY_ID": ACCESS2, "AWS_SECRET_ACCESS_KEY": SECRET2}
        ):
            self.assertEqual(
                StaticProvider(ACCESS, SECRET).retrieve(), Credentials(ACCESS, SECRET)
            )

    def test_empty_key_refused(self):
        with self.assertRaises(ValueError):
            StaticProvider("", SECRET).retrieve()
        with self.assertRaises(ValueError):
            StaticProvider(ACCESS, "").retrieve()

    def test_repr_hides_secret(self):
        provider = StaticProvider(ACCESS, SECRET, TOKEN)
        for text in (repr(provider), str(provider)):
            self.assertNotIn(SECRET, text)
            self.assertNotIn(TOKEN, text)


if __name__ == "__main__":
    unittest.main()
