"""Credentials and the error classes (README, "Credentials", "Errors", and "Where
minicreds differs from the MinIO SDK")."""

from __future__ import annotations

import copy
import datetime
import os
import pickle
import time
import unittest

import minicreds
from minicreds import (
    ConfigError,
    Credentials,
    CredentialsError,
    STSError,
    TransportError,
)

UTC = datetime.timezone.utc
ACCESS = "AKIAEXAMPLEACCESS01"
# Distinctive fake secrets: any of these in a repr or a message is a leak.
SECRET = "sEcReT-4f9b2c-wJalrXUtnFEMI-K7MDENG"
TOKEN = "ToKeN-8e1d77-FwoGZXIvYXdzEJr-session"


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(UTC)


class CredentialsValueTest(unittest.TestCase):
    def test_fields(self):
        exp = datetime.datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
        creds = Credentials(ACCESS, SECRET, TOKEN, exp)
        self.assertEqual(creds.access_key, ACCESS)
        self.assertEqual(creds.secret_key, SECRET)
        self.assertEqual(creds.session_token, TOKEN)
        self.assertEqual(creds.expiration, exp)

    def test_keywords_and_defaults(self):
        creds = Credentials(access_key=ACCESS, secret_key=SECRET)
        self.assertIsNone(creds.session_token)
        self.assertIsNone(creds.expiration)

    def test_setattr_raises(self):
        creds = Credentials(ACCESS, SECRET, TOKEN)
        for name in ("access_key", "secret_key", "session_token", "expiration"):
            with self.subTest(name=name), self.assertRaises(
                (AttributeError, TypeError)
            ):
                setattr(creds, name, "other")
        with self.assertRaises((AttributeError, TypeError)):
            creds.new_attribute = 1
        self.assertEqual(creds.secret_key, SECRET)
        self.assertEqual(creds.session_token, TOKEN)

    def test_delattr_raises(self):
        creds = Credentials(ACCESS, SECRET, TOKEN)
        for name in ("access_key", "secret_key", "session_token", "expiration"):
            with self.subTest(name=name), self.assertRaises(
                (AttributeError, TypeError)
            ):
                delattr(creds, name)
        self.assertEqual(creds.access_key, ACCESS)

    def test_equality_by_value(self):
        exp = datetime.datetime(2031, 1, 1, tzinfo=UTC)
        a = Credentials(ACCESS, SECRET, TOKEN, exp)
        b = Credentials(ACCESS, SECRET, TOKEN, exp)
        self.assertIsNot(a, b)
        self.assertEqual(a, b)
        self.assertFalse(a != b)
        self.assertEqual(hash(a), hash(b))
        self.assertEqual(len({a, b}), 1)
        self.assertEqual({a: 1}[b], 1)

    def test_inequality(self):
        exp = datetime.datetime(2031, 1, 1, tzinfo=UTC)
        base = Credentials(ACCESS, SECRET, TOKEN, exp)
        others = [
            Credentials("AKIAOTHER", SECRET, TOKEN, exp),
            Credentials(ACCESS, SECRET + "x", TOKEN, exp),
            Credentials(ACCESS, SECRET, None, exp),
            Credentials(ACCESS, SECRET, TOKEN + "x", exp),
            Credentials(ACCESS, SECRET, TOKEN, None),
            Credentials(ACCESS, SECRET, TOKEN, exp + datetime.timedelta(seconds=1)),
        ]
        for other in others:
            with self.subTest(other=other):
                self.assertNotEqual(base, other)
                self.assertTrue(base != other)
        self.assertEqual(len(set(others + [base])), len(others) + 1)
        self.assertNotEqual(base, (ACCESS, SECRET, TOKEN, exp))

    def test_equal_instants_in_other_zones_are_equal(self):
        naive = datetime.datetime(2031, 1, 1, 12, 0, 0)
        aware = datetime.datetime(
            2031, 1, 1, 14, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
        )
        a = Credentials(ACCESS, SECRET, expiration=naive)
        b = Credentials(ACCESS, SECRET, expiration=aware)
        self.assertEqual(a, b)
        self.assertEqual(hash(a), hash(b))

    def test_copy_keeps_value(self):
        creds = Credentials(ACCESS, SECRET, TOKEN, _utcnow())
        self.assertEqual(copy.copy(creds), creds)
        self.assertEqual(copy.deepcopy(creds), creds)
        self.assertEqual(pickle.loads(pickle.dumps(creds)), creds)

    def test_empty_access_key(self):
        with self.assertRaises(ValueError) as cm:
            Credentials("", SECRET)
        self.assertNotIn(SECRET, str(cm.exception))

    def test_empty_secret_key(self):
        with self.assertRaises(ValueError) as cm:
            Credentials(ACCESS, "", TOKEN)
        self.assertNotIn(TOKEN, str(cm.exception))

    def test_session_token_must_be_text(self):
        for token in ([TOKEN], 7, b"token"):
            with self.subTest(token=token), self.assertRaises(ValueError) as cm:
                Credentials(ACCESS, SECRET, token)
            self.assertNotIn(str(token), str(cm.exception))
        self.assertIsNone(Credentials(ACCESS, SECRET, "").session_token)


class AccountIdTest(unittest.TestCase):
    """``account_id``: an optional keyword, part of the value, not a secret."""

    def test_default_none(self):
        self.assertIsNone(Credentials(ACCESS, SECRET, TOKEN).account_id)

    def test_keyword_kept(self):
        creds = Credentials(ACCESS, SECRET, TOKEN, account_id="123456789012")
        self.assertEqual(creds.account_id, "123456789012")
        with self.assertRaises(AttributeError):
            creds.account_id = "210987654321"

    def test_empty_is_none_and_text_only(self):
        self.assertIsNone(Credentials(ACCESS, SECRET, account_id="").account_id)
        for bad in (123456789012, b"123456789012", ["1"]):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                Credentials(ACCESS, SECRET, account_id=bad)

    def test_part_of_equality_and_hash(self):
        exp = datetime.datetime(2031, 1, 1, tzinfo=UTC)
        one = Credentials(ACCESS, SECRET, TOKEN, exp, account_id="123456789012")
        same = Credentials(ACCESS, SECRET, TOKEN, exp, account_id="123456789012")
        other = Credentials(ACCESS, SECRET, TOKEN, exp, account_id="210987654321")
        none = Credentials(ACCESS, SECRET, TOKEN, exp)
        self.assertEqual(one, same)
        self.assertEqual(hash(one), hash(same))
        self.assertNotEqual(one, other)
        self.assertNotEqual(one, none)
        self.assertEqual(len({one, same, other, none}), 3)

    def test_every_copy_keeps_it(self):
        creds = Credentials(ACCESS, SECRET, TOKEN, _utcnow(), account_id="1234")
        for copied in (
            copy.copy(creds),
            copy.deepcopy(creds),
            pickle.loads(pickle.dumps(creds)),
        ):
            with self.subTest(copied=copied):
                self.assertEqual(copied.account_id, "1234")
                self.assertEqual(copied, creds)

    def test_shown_in_repr(self):
        creds = Credentials(ACCESS, SECRET, TOKEN, account_id="123456789012")
        self.assertIn("account_id='123456789012'", repr(creds))
        self.assertIn("account_id=None", repr(Credentials(ACCESS, SECRET)))


class ExpirationTest(unittest.TestCase):
    def test_naive_taken_as_utc(self):
        creds = Credentials(
            ACCESS, SECRET, expiration=datetime.datetime(2031, 2, 3, 4, 5, 6, 7)
        )
        exp = creds.expiration
        self.assertIsNotNone(exp.tzinfo)
        self.assertEqual(exp.utcoffset(), datetime.timedelta(0))
        self.assertEqual(exp, datetime.datetime(2031, 2, 3, 4, 5, 6, 7, tzinfo=UTC))
        self.assertEqual(
            (exp.year, exp.month, exp.day, exp.hour, exp.minute), (2031, 2, 3, 4, 5)
        )

    @unittest.skipUnless(hasattr(time, "tzset"), "time.tzset is Unix only")
    def test_naive_taken_as_utc_whatever_the_local_zone(self):
        # A local zone far from UTC shows an implementation that reads a naive
        # value as local time (datetime.astimezone on a naive value does).
        saved = os.environ.get("TZ")

        def restore():
            if saved is None:
                os.environ.pop("TZ", None)
            else:
                os.environ["TZ"] = saved
            time.tzset()

        self.addCleanup(restore)
        os.environ["TZ"] = "IST-5:30"
        time.tzset()
        naive = datetime.datetime(2031, 2, 3, 4, 5, 6)
        exp = Credentials(ACCESS, SECRET, expiration=naive).expiration
        self.assertEqual(exp, naive.replace(tzinfo=UTC))
        soon = datetime.datetime.now(UTC).replace(tzinfo=None)
        ahead = Credentials(
            ACCESS, SECRET, expiration=soon + datetime.timedelta(hours=1)
        )
        self.assertFalse(ahead.is_expired())

    def test_aware_utc_kept(self):
        value = datetime.datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
        creds = Credentials(ACCESS, SECRET, expiration=value)
        self.assertEqual(creds.expiration, value)
        self.assertEqual(creds.expiration.utcoffset(), datetime.timedelta(0))

    def test_aware_non_utc_converted(self):
        plus2 = datetime.timezone(datetime.timedelta(hours=2), "CEST")
        value = datetime.datetime(2031, 2, 3, 12, 0, 0, tzinfo=plus2)
        creds = Credentials(ACCESS, SECRET, expiration=value)
        exp = creds.expiration
        # Same instant ...
        self.assertEqual(exp, value)
        # ... expressed in UTC.
        self.assertEqual(exp.utcoffset(), datetime.timedelta(0))
        self.assertEqual(exp.tzinfo.utcoffset(exp), datetime.timedelta(0))
        self.assertEqual(exp.hour, 10)
        self.assertEqual(exp.replace(tzinfo=None), datetime.datetime(2031, 2, 3, 10))

    def test_negative_offset_converted(self):
        minus5 = datetime.timezone(-datetime.timedelta(hours=5, minutes=30))
        value = datetime.datetime(2031, 12, 31, 20, 0, 0, tzinfo=minus5)
        exp = Credentials(ACCESS, SECRET, expiration=value).expiration
        self.assertEqual(exp.utcoffset(), datetime.timedelta(0))
        self.assertEqual(exp.replace(tzinfo=None), datetime.datetime(2032, 1, 1, 1, 30))

    def test_no_expiration_never_expires(self):
        self.assertFalse(Credentials(ACCESS, SECRET).is_expired())
        self.assertFalse(Credentials(ACCESS, SECRET, TOKEN).is_expired())

    def test_not_expired_11_seconds_before(self):
        started = time.monotonic()
        creds = Credentials(
            ACCESS, SECRET, TOKEN, _utcnow() + datetime.timedelta(seconds=11)
        )
        result = creds.is_expired()
        if time.monotonic() - started > 0.9:
            self.skipTest("the machine stalled for more than the 1 s margin")
        self.assertFalse(result)

    def test_not_expired_far_ahead(self):
        creds = Credentials(
            ACCESS, SECRET, TOKEN, _utcnow() + datetime.timedelta(hours=1)
        )
        self.assertFalse(creds.is_expired())

    def test_expired_9_seconds_before(self):
        # Time only moves forward, so this holds however slow the machine is.
        creds = Credentials(
            ACCESS, SECRET, TOKEN, _utcnow() + datetime.timedelta(seconds=9)
        )
        self.assertTrue(creds.is_expired())

    def test_expired_after(self):
        for seconds in (1, 3600):
            with self.subTest(seconds=seconds):
                creds = Credentials(
                    ACCESS,
                    SECRET,
                    TOKEN,
                    _utcnow() - datetime.timedelta(seconds=seconds),
                )
                self.assertTrue(creds.is_expired())

    def test_naive_expiration_compared_as_utc(self):
        # A naive value 1 h ahead in UTC is not expired, whatever the local zone.
        naive = datetime.datetime.now(UTC).replace(tzinfo=None)
        ahead = Credentials(
            ACCESS, SECRET, expiration=naive + datetime.timedelta(hours=1)
        )
        behind = Credentials(
            ACCESS, SECRET, expiration=naive - datetime.timedelta(hours=1)
        )
        self.assertFalse(ahead.is_expired())
        self.assertTrue(behind.is_expired())


class MaskingTest(unittest.TestCase):
    def test_repr_and_str_hide_secrets(self):
        samples = [
            Credentials(ACCESS, SECRET),
            Credentials(ACCESS, SECRET, TOKEN),
            Credentials(ACCESS, SECRET, TOKEN, _utcnow()),
        ]
        for creds in samples:
            for text in (
                repr(creds),
                str(creds),
                format(creds),
                f"{creds} {creds!r}",
            ):
                with self.subTest(text=text):
                    self.assertNotIn(SECRET, text)
                    self.assertNotIn(TOKEN, text)
                    # Not even a long piece of either.
                    self.assertNotIn(SECRET[:12], text)
                    self.assertNotIn(TOKEN[:12], text)

    def test_repr_in_containers_hides_secrets(self):
        creds = Credentials(ACCESS, SECRET, TOKEN)
        text = repr([creds, {"c": creds}, (creds,)])
        self.assertNotIn(SECRET, text)
        self.assertNotIn(TOKEN, text)

    def test_repr_says_what_it_is(self):
        self.assertIn("Credentials", repr(Credentials(ACCESS, SECRET, TOKEN)))


class ErrorClassesTest(unittest.TestCase):
    def test_hierarchy(self):
        self.assertTrue(issubclass(CredentialsError, ValueError))
        for cls in (ConfigError, STSError, TransportError):
            with self.subTest(cls=cls.__name__):
                self.assertTrue(issubclass(cls, CredentialsError))
                self.assertTrue(issubclass(cls, ValueError))
        self.assertFalse(issubclass(ConfigError, STSError))
        self.assertFalse(issubclass(STSError, TransportError))
        self.assertFalse(issubclass(TransportError, ConfigError))

    def test_pickle_round_trip(self):
        # Errors cross process boundaries (concurrent.futures, multiprocessing).
        errors = (
            _make_sts_error(),
            TransportError("timed out", "P", "http://127.0.0.1/", kind="read"),
            ConfigError("bad", "P", "file"),
            CredentialsError("plain"),
        )
        for err in errors:
            with self.subTest(cls=type(err).__name__):
                copy_ = pickle.loads(pickle.dumps(err))
                self.assertIs(type(copy_), type(err))
                self.assertEqual(str(copy_), str(err))
                self.assertEqual(vars(copy_), vars(err))

    def test_public(self):
        for cls in (CredentialsError, ConfigError, STSError, TransportError):
            self.assertIs(getattr(minicreds, cls.__name__), cls)
            self.assertIn(cls.__name__, minicreds.__all__)

    def test_sts_error_attributes(self):
        err = _make_sts_error()
        self.assertIsInstance(err, ValueError)
        self.assertEqual(err.code, "AccessDenied")
        self.assertEqual(err.message, "Not authorized to perform sts:AssumeRole")
        self.assertEqual(err.request_id, "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
        self.assertEqual(err.status, 403)
        text = str(err)
        self.assertIn("AccessDenied", text)

    def test_sts_error_catchable_as_value_error(self):
        with self.assertRaises(ValueError):
            raise _make_sts_error()


def _make_sts_error() -> STSError:
    """Build an STSError with the constructor minicreds defines."""
    return STSError(
        "AccessDenied",
        "Not authorized to perform sts:AssumeRole",
        "AssumeRoleProvider",
        "https://sts.example.invalid/",
        request_id="c6104cbe-af31-11e0-8154-cbc7ccf896c7",
        status=403,
    )


if __name__ == "__main__":
    unittest.main()
