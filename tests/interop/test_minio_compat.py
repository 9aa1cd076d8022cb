"""minicreds against the MinIO SDK's own providers, on the same environment and files.

The inputs follow the MinIO SDK's credential unit tests (an mc config with
``hosts``, a credentials file with ``default``, ``no_token`` and a ``key: value``
profile, environment variables for both conventions, a static provider), built
here with this suite's own values. Where minicreds deliberately behaves otherwise,
the test asserts the difference and its docstring names the README section that says
so.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
import unittest
import warnings
from unittest import mock

import minicreds
from tests import support

try:
    import minio
    from minio.credentials import providers as sdk
    from minio.credentials.credentials import Credentials as SdkCredentials
except ImportError:  # the suite runs with nothing installed
    minio = sdk = SdkCredentials = None

UTC = datetime.timezone.utc
ACCESS = "AKIACOMPATACCESS0001"
ACCESS2 = "AKIACOMPATACCESS0002"
SECRET = "sEcReT-compat-6f1a2b-wJalrXUtnFEMI"
SECRET2 = "sEcReT-compat-second-93cd0e-K7MDENG"
TOKEN = "ToKeN-compat-0a9b8c-FwoGZXIvYXdzEJr"
PLAY_ACCESS = "PLAYCOMPATACCESS0001"
PLAY_SECRET = "sEcReT-compat-play-e1d2c3+tfteSlsw/Ru7"

# mc's config as the SDK's sample has it: an old version with a "hosts" table.
MC_CONFIG = {
    "version": "8",
    "hosts": {
        "play": {
            "url": "https://127.0.0.1:9000",
            "accessKey": PLAY_ACCESS,
            "secretKey": PLAY_SECRET,
            "api": "S3v2",
        },
        "s3": {
            "url": "https://127.0.0.1:9001",
            "accessKey": ACCESS,
            "secretKey": SECRET,
            "api": "S3v4",
        },
    },
}
CREDENTIALS_FILE = (
    "[default]\n"
    f"aws_access_key_id = {ACCESS}\n"
    f"aws_secret_access_key = {SECRET}\n"
    f"aws_session_token = {TOKEN}\n"
    "\n"
    "[no_token]\n"
    f"aws_access_key_id = {ACCESS}\n"
    f"aws_secret_access_key = {SECRET}\n"
    "\n"
    "[with_colon]\n"
    f"aws_access_key_id: {ACCESS2}\n"
    f"aws_secret_access_key: {SECRET2}\n"
)


def _sdk_expiration(sdk_creds):
    """The SDK's expiry: a field from 7.2.11 (a dataclass), private before."""
    return getattr(sdk_creds, "expiration", getattr(sdk_creds, "_expiration", None))


def _same(sdk_creds, creds):
    """The fields the MinIO client reads, as a comparable tuple."""
    if sdk_creds is None or creds is None:
        return sdk_creds, creds
    return (
        (sdk_creds.access_key, sdk_creds.secret_key, sdk_creds.session_token),
        (creds.access_key, creds.secret_key, creds.session_token),
    )


@unittest.skipUnless(sdk is not None, "the minio package is not installed")
class _CompatTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="minicreds-compat-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.mc_config = self.write("mc/config.json", json.dumps(MC_CONFIG))
        self.credentials = self.write("aws/credentials", CREDENTIALS_FILE)
        self.empty = self.write("aws/credentials.empty", "")
        self.env({})
        # The SDK's Credentials.is_expired() calls datetime.utcnow() (deprecated).
        catcher = warnings.catch_warnings()
        catcher.__enter__()
        self.addCleanup(catcher.__exit__, None, None, None)
        warnings.simplefilter("ignore", DeprecationWarning)

    def write(self, relative, text):
        path = os.path.join(self.tmp, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    def env(self, values):
        """Replace the whole environment, as the SDK's tests do with clear()."""
        base = support.minimal_environ(self.home, **values)
        patcher = mock.patch.dict(os.environ, base, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)

    def both(self, make_sdk, make_ours):
        """(SDK result or exception, minicreds result or exception)."""
        results = []
        for make in (make_sdk, make_ours):
            try:
                results.append(make().retrieve())
            except Exception as exc:  # noqa: BLE001 (compared by the caller)
                results.append(exc)
        return results

    def assertAgree(self, make_sdk, make_ours, expected):
        theirs, ours = self.both(make_sdk, make_ours)
        for result in (theirs, ours):
            self.assertNotIsInstance(result, Exception, repr(result))
        self.assertEqual(*_same(theirs, ours))
        self.assertEqual(
            (ours.access_key, ours.secret_key, ours.session_token), expected
        )

    def assertBothValueError(self, make_sdk, make_ours):
        theirs, ours = self.both(make_sdk, make_ours)
        self.assertIsInstance(theirs, ValueError)
        self.assertIsInstance(ours, ValueError)
        self.assertIsInstance(ours, minicreds.CredentialsError)
        for secret in (SECRET, SECRET2, TOKEN, PLAY_SECRET):
            self.assertNotIn(secret, str(ours))


class McConfigCompatTest(_CompatTestCase):
    def test_alias_argument(self):
        self.assertAgree(
            lambda: sdk.MinioClientConfigProvider(
                filename=self.mc_config, alias="play"
            ),
            lambda: minicreds.MinioClientConfigProvider(
                filename=self.mc_config, alias="play"
            ),
            (PLAY_ACCESS, PLAY_SECRET, None),
        )

    def test_default_alias(self):
        self.assertAgree(
            lambda: sdk.MinioClientConfigProvider(filename=self.mc_config),
            lambda: minicreds.MinioClientConfigProvider(filename=self.mc_config),
            (ACCESS, SECRET, None),
        )

    def test_minio_alias_variable(self):
        self.env({"MINIO_ALIAS": "play"})
        self.assertAgree(
            lambda: sdk.MinioClientConfigProvider(filename=self.mc_config),
            lambda: minicreds.MinioClientConfigProvider(filename=self.mc_config),
            (PLAY_ACCESS, PLAY_SECRET, None),
        )

    def test_home_default(self):
        path = os.path.join(self.home, ".mc", "config.json")
        os.makedirs(os.path.dirname(path))
        shutil.copy(self.mc_config, path)
        self.assertAgree(
            sdk.MinioClientConfigProvider,
            minicreds.MinioClientConfigProvider,
            (ACCESS, SECRET, None),
        )

    def test_version_10_aliases(self):
        path = self.write(
            "mc10.json",
            json.dumps({"version": "10", "aliases": MC_CONFIG["hosts"]}),
        )
        self.assertAgree(
            lambda: sdk.MinioClientConfigProvider(filename=path, alias="play"),
            lambda: minicreds.MinioClientConfigProvider(filename=path, alias="play"),
            (PLAY_ACCESS, PLAY_SECRET, None),
        )

    def test_missing_explicit_alias(self):
        self.assertBothValueError(
            lambda: sdk.MinioClientConfigProvider(filename=self.mc_config, alias="x"),
            lambda: minicreds.MinioClientConfigProvider(
                filename=self.mc_config, alias="x"
            ),
        )

    def test_bad_json(self):
        path = self.write(
            "bad.json", f'{{"hosts": {{"s3": {{"secretKey": "{SECRET}",}}}}'
        )
        theirs, ours = self.both(
            lambda: sdk.MinioClientConfigProvider(filename=path),
            lambda: minicreds.MinioClientConfigProvider(filename=path),
        )
        # json.JSONDecodeError is a ValueError in both.
        self.assertIsInstance(theirs, ValueError)
        self.assertIsInstance(ours, minicreds.ConfigError)
        self.assertNotIn(SECRET, str(ours))

    def test_missing_file_is_none(self):
        """README, "Providers" (None when not configured): the SDK raises ValueError."""
        missing = os.path.join(self.tmp, "missing.json")
        theirs, ours = self.both(
            lambda: sdk.MinioClientConfigProvider(filename=missing),
            lambda: minicreds.MinioClientConfigProvider(filename=missing),
        )
        self.assertIsInstance(theirs, ValueError)
        self.assertIsNone(ours)

    def test_missing_default_alias_is_none(self):
        """README, "Where minicreds differs from the MinIO SDK" (absent implicit alias:
        None): the SDK raises ValueError."""
        path = self.write(
            "play-only.json",
            json.dumps(
                {"version": "10", "aliases": {"play": MC_CONFIG["hosts"]["play"]}}
            ),
        )
        theirs, ours = self.both(
            lambda: sdk.MinioClientConfigProvider(filename=path),
            lambda: minicreds.MinioClientConfigProvider(filename=path),
        )
        self.assertIsInstance(theirs, ValueError)
        self.assertIsNone(ours)

    def test_mc_config_dir(self):
        """README, "Providers" ($MC_CONFIG_DIR/config.json): the SDK ignores it."""
        self.env({"MC_CONFIG_DIR": os.path.dirname(self.mc_config)})
        theirs, ours = self.both(
            sdk.MinioClientConfigProvider, minicreds.MinioClientConfigProvider
        )
        self.assertIsInstance(theirs, ValueError)  # no ~/.mc/config.json
        self.assertEqual(ours.access_key, ACCESS)

    def test_session_token(self):
        """mc's sessionToken is read by minicreds; the SDK drops it."""
        hosts = dict(MC_CONFIG["hosts"])
        hosts["s3"] = dict(hosts["s3"], sessionToken=TOKEN)
        path = self.write("token.json", json.dumps({"version": "10", "aliases": hosts}))
        theirs, ours = self.both(
            lambda: sdk.MinioClientConfigProvider(filename=path),
            lambda: minicreds.MinioClientConfigProvider(filename=path),
        )
        self.assertIsNone(theirs.session_token)
        self.assertEqual(ours.session_token, TOKEN)
        self.assertEqual(ours.secret_key, theirs.secret_key)


class EnvCompatTest(_CompatTestCase):
    def test_env_aws(self):
        self.env(
            {
                "AWS_ACCESS_KEY_ID": ACCESS,
                "AWS_SECRET_ACCESS_KEY": SECRET,
                "AWS_SESSION_TOKEN": TOKEN,
            }
        )
        self.assertAgree(
            sdk.EnvAWSProvider, minicreds.EnvAWSProvider, (ACCESS, SECRET, TOKEN)
        )

    def test_env_aws_no_token(self):
        self.env({"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET})
        self.assertAgree(
            sdk.EnvAWSProvider, minicreds.EnvAWSProvider, (ACCESS, SECRET, None)
        )

    def test_env_aws_legacy_key_names(self):
        self.env({"AWS_ACCESS_KEY": ACCESS, "AWS_SECRET_KEY": SECRET})
        self.assertAgree(
            sdk.EnvAWSProvider, minicreds.EnvAWSProvider, (ACCESS, SECRET, None)
        )

    def test_env_aws_primary_wins(self):
        self.env(
            {
                "AWS_ACCESS_KEY_ID": ACCESS,
                "AWS_SECRET_ACCESS_KEY": SECRET,
                "AWS_ACCESS_KEY": ACCESS2,
                "AWS_SECRET_KEY": SECRET2,
            }
        )
        self.assertAgree(
            sdk.EnvAWSProvider, minicreds.EnvAWSProvider, (ACCESS, SECRET, None)
        )

    def test_env_aws_partial(self):
        for values in (
            {"AWS_ACCESS_KEY_ID": ACCESS},
            {"AWS_SECRET_ACCESS_KEY": SECRET},
        ):
            with self.subTest(values=sorted(values)):
                self.env(values)
                self.assertBothValueError(sdk.EnvAWSProvider, minicreds.EnvAWSProvider)

    def test_env_aws_nothing_set_is_none(self):
        """README, "Providers" and "Where minicreds differs from the MinIO SDK" (None
        when not configured): the SDK raises ValueError."""
        theirs, ours = self.both(sdk.EnvAWSProvider, minicreds.EnvAWSProvider)
        self.assertIsInstance(theirs, ValueError)
        self.assertIsNone(ours)

    def test_env_aws_security_token_and_expiration(self):
        """README, "Providers": AWS_SECURITY_TOKEN and AWS_CREDENTIAL_EXPIRATION; the
        SDK reads neither."""
        self.env(
            {
                "AWS_ACCESS_KEY_ID": ACCESS,
                "AWS_SECRET_ACCESS_KEY": SECRET,
                "AWS_SECURITY_TOKEN": TOKEN,
                "AWS_CREDENTIAL_EXPIRATION": "2031-01-02T03:04:05Z",
            }
        )
        theirs, ours = self.both(sdk.EnvAWSProvider, minicreds.EnvAWSProvider)
        self.assertIsNone(theirs.session_token)
        self.assertIsNone(_sdk_expiration(theirs))
        self.assertEqual(ours.session_token, TOKEN)
        self.assertEqual(
            ours.expiration, datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
        )

    def test_env_minio(self):
        self.env({"MINIO_ACCESS_KEY": ACCESS, "MINIO_SECRET_KEY": SECRET})
        self.assertAgree(
            sdk.EnvMinioProvider, minicreds.EnvMinioProvider, (ACCESS, SECRET, None)
        )

    def test_env_minio_root_user(self):
        """README, "Providers": MINIO_ROOT_USER/MINIO_ROOT_PASSWORD first; the SDK reads
        only MINIO_ACCESS_KEY/MINIO_SECRET_KEY."""
        self.env(
            {
                "MINIO_ROOT_USER": ACCESS2,
                "MINIO_ROOT_PASSWORD": SECRET2,
                "MINIO_ACCESS_KEY": ACCESS,
                "MINIO_SECRET_KEY": SECRET,
            }
        )
        theirs, ours = self.both(sdk.EnvMinioProvider, minicreds.EnvMinioProvider)
        self.assertEqual(theirs.access_key, ACCESS)
        self.assertEqual((ours.access_key, ours.secret_key), (ACCESS2, SECRET2))

    def test_env_minio_nothing_set_is_none(self):
        """README, "Providers" (None when not configured): the SDK raises ValueError."""
        theirs, ours = self.both(sdk.EnvMinioProvider, minicreds.EnvMinioProvider)
        self.assertIsInstance(theirs, ValueError)
        self.assertIsNone(ours)

    def test_static(self):
        self.assertAgree(
            lambda: sdk.StaticProvider(ACCESS, SECRET),
            lambda: minicreds.StaticProvider(ACCESS, SECRET),
            (ACCESS, SECRET, None),
        )
        self.assertAgree(
            lambda: sdk.StaticProvider(ACCESS, SECRET, TOKEN),
            lambda: minicreds.StaticProvider(ACCESS, SECRET, TOKEN),
            (ACCESS, SECRET, TOKEN),
        )

    def test_static_empty_key(self):
        for args in (("", SECRET), (ACCESS, "")):
            with self.subTest(args=args):
                for make in (sdk.StaticProvider, minicreds.StaticProvider):
                    with self.assertRaises(ValueError):
                        make(*args).retrieve()


class AWSConfigCompatTest(_CompatTestCase):
    def test_filename(self):
        self.assertAgree(
            lambda: sdk.AWSConfigProvider(self.credentials),
            lambda: minicreds.AWSConfigProvider(self.credentials),
            (ACCESS, SECRET, TOKEN),
        )

    def test_shared_credentials_file_variable(self):
        self.env({"AWS_SHARED_CREDENTIALS_FILE": self.credentials})
        self.assertAgree(
            sdk.AWSConfigProvider, minicreds.AWSConfigProvider, (ACCESS, SECRET, TOKEN)
        )

    def test_aws_profile_variable(self):
        self.env({"AWS_PROFILE": "no_token"})
        self.assertAgree(
            lambda: sdk.AWSConfigProvider(self.credentials),
            lambda: minicreds.AWSConfigProvider(self.credentials),
            (ACCESS, SECRET, None),
        )

    def test_profile_argument(self):
        self.assertAgree(
            lambda: sdk.AWSConfigProvider(self.credentials, "no_token"),
            lambda: minicreds.AWSConfigProvider(self.credentials, "no_token"),
            (ACCESS, SECRET, None),
        )

    def test_colon_delimiter(self):
        self.assertAgree(
            lambda: sdk.AWSConfigProvider(self.credentials, "with_colon"),
            lambda: minicreds.AWSConfigProvider(self.credentials, "with_colon"),
            (ACCESS2, SECRET2, None),
        )

    def test_home_default(self):
        os.makedirs(os.path.join(self.home, ".aws"))
        shutil.copy(self.credentials, os.path.join(self.home, ".aws", "credentials"))
        self.assertAgree(
            sdk.AWSConfigProvider, minicreds.AWSConfigProvider, (ACCESS, SECRET, TOKEN)
        )

    def test_empty_file_explicit_profile(self):
        self.assertBothValueError(
            lambda: sdk.AWSConfigProvider(self.empty, "no_token"),
            lambda: minicreds.AWSConfigProvider(self.empty, "no_token"),
        )

    def test_empty_file_default_profile_is_none(self):
        """README, "Where minicreds differs from the MinIO SDK" (absent implicit
        default: None): the SDK raises ValueError."""
        theirs, ours = self.both(
            lambda: sdk.AWSConfigProvider(self.empty),
            lambda: minicreds.AWSConfigProvider(self.empty),
        )
        self.assertIsInstance(theirs, ValueError)
        self.assertIsNone(ours)

    def test_raw_percent(self):
        """README, "Choices where the AWS SDKs differ or are silent" (raw values, no %
        interpolation): the SDK's ConfigParser
        interpolates and fails on a secret with a lone %."""
        secret = "ab%cd%(x)s"
        path = self.write(
            "percent",
            f"[default]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {secret}\n",
        )
        theirs, ours = self.both(
            lambda: sdk.AWSConfigProvider(path),
            lambda: minicreds.AWSConfigProvider(path),
        )
        self.assertIsInstance(theirs, Exception)
        self.assertEqual(ours.secret_key, secret)

    def test_config_file(self):
        """README, "The AWS config files" (the config file too): the SDK reads the
        credentials file only."""
        os.makedirs(os.path.join(self.home, ".aws"))
        with open(os.path.join(self.home, ".aws", "config"), "w") as handle:
            handle.write(f"[profile cfg]\naws_access_key_id = {ACCESS2}\n")
            handle.write(f"aws_secret_access_key = {SECRET2}\n")
        theirs, ours = self.both(
            lambda: sdk.AWSConfigProvider(self.credentials, "cfg"),
            lambda: minicreds.AWSConfigProvider(self.credentials, "cfg"),
        )
        self.assertIsInstance(theirs, ValueError)
        self.assertEqual((ours.access_key, ours.secret_key), (ACCESS2, SECRET2))

    def test_aws_default_profile(self):
        """README, "Providers" (AWS_DEFAULT_PROFILE after AWS_PROFILE): the SDK ignores
        it."""
        self.env({"AWS_DEFAULT_PROFILE": "no_token"})
        theirs, ours = self.both(
            lambda: sdk.AWSConfigProvider(self.credentials),
            lambda: minicreds.AWSConfigProvider(self.credentials),
        )
        self.assertEqual(theirs.session_token, TOKEN)  # still [default]
        self.assertIsNone(ours.session_token)  # [no_token]

    def test_profile_looked_up_at_each_call(self):
        """README, "Providers" (the profile variables read at each call): the SDK fixes
        the profile at construction."""
        theirs = sdk.AWSConfigProvider(self.credentials)
        ours = minicreds.AWSConfigProvider(self.credentials)
        self.env({"AWS_PROFILE": "no_token"})
        self.assertEqual(theirs.retrieve().session_token, TOKEN)
        self.assertIsNone(ours.retrieve().session_token)


class ChainCompatTest(_CompatTestCase):
    def test_chain_first_wins(self):
        self.env(
            {
                "AWS_ACCESS_KEY_ID": ACCESS,
                "AWS_SECRET_ACCESS_KEY": SECRET,
                "AWS_SESSION_TOKEN": TOKEN,
                "MINIO_ACCESS_KEY": ACCESS2,
                "MINIO_SECRET_KEY": SECRET2,
            }
        )
        self.assertAgree(
            lambda: sdk.ChainedProvider([sdk.EnvAWSProvider(), sdk.EnvMinioProvider()]),
            lambda: minicreds.ChainedProvider(
                [minicreds.EnvAWSProvider(), minicreds.EnvMinioProvider()]
            ),
            (ACCESS, SECRET, TOKEN),
        )

    def test_chain_skips_unconfigured(self):
        self.env({"MINIO_ACCESS_KEY": ACCESS2, "MINIO_SECRET_KEY": SECRET2})
        self.assertAgree(
            lambda: sdk.ChainedProvider([sdk.EnvAWSProvider(), sdk.EnvMinioProvider()]),
            lambda: minicreds.ChainedProvider(
                [minicreds.EnvAWSProvider(), minicreds.EnvMinioProvider()]
            ),
            (ACCESS2, SECRET2, None),
        )

    def test_chain_all_empty_is_none(self):
        """README, "Quick start" (a non-strict chain that finds nothing returns None):
        the SDK raises."""
        theirs, ours = self.both(
            lambda: sdk.ChainedProvider([sdk.EnvAWSProvider(), sdk.EnvMinioProvider()]),
            lambda: minicreds.ChainedProvider(
                [minicreds.EnvAWSProvider(), minicreds.EnvMinioProvider()]
            ),
        )
        self.assertIsInstance(theirs, ValueError)
        self.assertIsNone(ours)

    def test_chain_skips_failing_provider(self):
        """README, "Where minicreds differs from the MinIO SDK" (a configured, failing
        provider raises; the chain skips it)."""
        self.env(
            {
                "AWS_ACCESS_KEY_ID": ACCESS,
                "MINIO_ACCESS_KEY": ACCESS2,
                "MINIO_SECRET_KEY": SECRET2,
            }
        )
        with self.assertRaises(minicreds.ConfigError):
            minicreds.EnvAWSProvider().retrieve()
        with self.assertLogs("minicreds"):
            self.assertAgree(
                lambda: sdk.ChainedProvider(
                    [sdk.EnvAWSProvider(), sdk.EnvMinioProvider()]
                ),
                lambda: minicreds.ChainedProvider(
                    [minicreds.EnvAWSProvider(), minicreds.EnvMinioProvider()]
                ),
                (ACCESS2, SECRET2, None),
            )

    def test_chain_asks_again(self):
        """README, "Command line" (every call tries the providers and records them, as
        ``--explain`` shows): the SDK's chain
        keeps the first credentials it found while they have not expired."""
        self.env({"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET})
        theirs = sdk.ChainedProvider([sdk.EnvAWSProvider()])
        ours = minicreds.ChainedProvider([minicreds.EnvAWSProvider()])
        self.assertEqual(*_same(theirs.retrieve(), ours.retrieve()))
        os.environ["AWS_ACCESS_KEY_ID"] = ACCESS2
        self.assertEqual(theirs.retrieve().access_key, ACCESS)
        self.assertEqual(ours.retrieve().access_key, ACCESS2)

    def test_mixed_chain(self):
        """The SDK's providers raise ValueError when unconfigured: minicreds's chain
        skips them as errors (README, "Where minicreds differs from the MinIO SDK"), so
        SDK providers can sit in a minicreds chain."""
        self.env({"MINIO_ACCESS_KEY": ACCESS2, "MINIO_SECRET_KEY": SECRET2})
        chain = minicreds.ChainedProvider(
            [sdk.EnvAWSProvider(), sdk.EnvMinioProvider()]
        )
        with self.assertLogs("minicreds"):
            creds = chain.retrieve()
        self.assertEqual((creds.access_key, creds.secret_key), (ACCESS2, SECRET2))
        self.assertEqual([a[1] for a in chain.attempts], ["error", "found"])
        # And minicreds providers in the SDK's chain: its errors are ValueErrors.
        self.env(
            {
                "AWS_ACCESS_KEY_ID": ACCESS,
                "MINIO_ACCESS_KEY": ACCESS2,
                "MINIO_SECRET_KEY": SECRET2,
            }
        )
        creds = sdk.ChainedProvider(
            [minicreds.EnvAWSProvider(), minicreds.EnvMinioProvider()]
        ).retrieve()
        self.assertEqual(creds.access_key, ACCESS2)


class CredentialsCompatTest(_CompatTestCase):
    def test_same_fields(self):
        exp = datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
        theirs = SdkCredentials(ACCESS, SECRET, TOKEN, exp)
        ours = minicreds.Credentials(ACCESS, SECRET, TOKEN, exp)
        self.assertEqual(*_same(theirs, ours))

    def test_expiration_is_aware(self):
        """README, "Credentials" (an aware UTC expiration): the SDK stores a naive UTC
        datetime."""
        plus2 = datetime.timezone(datetime.timedelta(hours=2))
        exp = datetime.datetime(2031, 1, 2, 5, 4, 5, tzinfo=plus2)
        theirs = SdkCredentials(ACCESS, SECRET, TOKEN, exp)
        ours = minicreds.Credentials(ACCESS, SECRET, TOKEN, exp)
        self.assertIsNone(_sdk_expiration(theirs).tzinfo)
        self.assertEqual(ours.expiration.utcoffset(), datetime.timedelta(0))
        self.assertEqual(_sdk_expiration(theirs).replace(tzinfo=UTC), ours.expiration)

    def test_is_expired_agrees(self):
        now = datetime.datetime.now(UTC)
        for seconds, expired in ((3600, False), (30, False), (9, True), (-5, True)):
            with self.subTest(seconds=seconds):
                exp = now + datetime.timedelta(seconds=seconds)
                theirs = SdkCredentials(ACCESS, SECRET, TOKEN, exp)
                ours = minicreds.Credentials(ACCESS, SECRET, TOKEN, exp)
                self.assertEqual(theirs.is_expired(), expired)
                self.assertEqual(ours.is_expired(), expired)

    def test_repr_masked(self):
        """README, "Credentials" (repr shows the access key only): the SDK's
        Credentials, a dataclass
        from 7.2.11, shows them in its repr."""
        theirs = SdkCredentials(ACCESS, SECRET, TOKEN)
        ours = minicreds.Credentials(ACCESS, SECRET, TOKEN)
        if hasattr(theirs, "__dataclass_fields__"):
            self.assertIn(SECRET, repr(theirs))
        for text in (repr(ours), str(ours)):
            self.assertNotIn(SECRET, text)
            self.assertNotIn(TOKEN, text)

    def test_empty_keys_refused_by_both(self):
        for args in (("", SECRET), (ACCESS, "")):
            for cls in (SdkCredentials, minicreds.Credentials):
                with self.subTest(cls=cls.__module__, args=args), self.assertRaises(
                    ValueError
                ):
                    cls(*args)


class MinioClientTest(_CompatTestCase):
    """A minio.Minio client signs with a minicreds provider as with its own."""

    def presign(self, provider):
        client = minio.Minio(
            "127.0.0.1:9000", credentials=provider, secure=False, region="us-east-1"
        )
        return client.presigned_get_object(
            "bucket",
            "some/object.txt",
            expires=datetime.timedelta(hours=1),
            request_date=datetime.datetime(2031, 1, 2, 3, 4, 5),
        )

    def test_presigned_url_identical(self):
        cases = [
            (
                sdk.StaticProvider(ACCESS, SECRET),
                minicreds.StaticProvider(ACCESS, SECRET),
            ),
            (
                sdk.StaticProvider(ACCESS, SECRET, TOKEN),
                minicreds.StaticProvider(ACCESS, SECRET, TOKEN),
            ),
        ]
        for theirs, ours in cases:
            with self.subTest(token=theirs.retrieve().session_token is not None):
                url = self.presign(ours)
                self.assertEqual(url, self.presign(theirs))
                self.assertIn("X-Amz-Signature=", url)

    def test_presigned_url_from_environment(self):
        self.env(
            {
                "AWS_ACCESS_KEY_ID": ACCESS,
                "AWS_SECRET_ACCESS_KEY": SECRET,
                "AWS_SESSION_TOKEN": TOKEN,
            }
        )
        self.assertEqual(
            self.presign(minicreds.EnvAWSProvider()), self.presign(sdk.EnvAWSProvider())
        )

    def test_unconfigured_provider_is_anonymous(self):
        """README, "Quick start": with minio.Minio, a provider returning None makes
        requests anonymous (the README warns); the URL carries no signature."""
        url = self.presign(minicreds.EnvAWSProvider(environ={}))
        self.assertNotIn("X-Amz-Signature", url)


if __name__ == "__main__":
    unittest.main()
