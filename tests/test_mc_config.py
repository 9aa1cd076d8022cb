"""MinioClientConfigProvider: the MinIO client's config.json (README, "Providers")."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import unittest
from unittest import mock

from minicreds import ConfigError, Credentials, MinioClientConfigProvider
from tests import support

ACCESS = "MINIOMCTESTACCESS01"
ACCESS2 = "MINIOMCTESTACCESS02"
ACCESS3 = "MINIOMCTESTACCESS03"
SECRET = "sEcReT-mc-2e7a90-zuf+tfteSlswRu7BJ86"
SECRET2 = "sEcReT-mc-second-5d0c1b-wekitnifILb"
SECRET3 = "sEcReT-mc-third-f00d42-Zam1KYY3TG"
TOKEN = "ToKeN-mc-7c3e18-eyJhbGciOiJIUzUxMiJ9"
ALL_SECRETS = (SECRET, SECRET2, SECRET3, TOKEN)


def _entry(access, secret, token=None, url="http://127.0.0.1:9000"):
    entry = {
        "url": url,
        "accessKey": access,
        "secretKey": secret,
        "api": "s3v4",
        "path": "auto",
    }
    if token is not None:
        entry["sessionToken"] = token
    return entry


def _v10(**aliases):
    return {"version": "10", "aliases": aliases}


def _v9(**hosts):
    return {"version": "9", "hosts": hosts}


class _McTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="minicreds-mc-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        env = support.minimal_environ(self.home)
        patcher = mock.patch.dict(os.environ, env, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)

    @property
    def default_path(self):
        return os.path.join(self.home, ".mc", "config.json")

    def write(self, path, content):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content, indent="\t")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    def assertConfigError(self, provider, path, contains=()):
        with self.assertRaises(ConfigError) as cm:
            provider.retrieve()
        text = str(cm.exception)
        for secret in ALL_SECRETS:
            self.assertNotIn(secret, text)
            self.assertNotIn(secret, repr(cm.exception))
        # README, "Errors": the message names the provider and the source, once.
        self.assertEqual(cm.exception.provider, "MinioClientConfigProvider")
        self.assertTrue(text.startswith("MinioClientConfigProvider: "), text)
        self.assertEqual(text.count("MinioClientConfigProvider"), 1, text)
        self.assertIn(path, text)
        self.assertIn(path, cm.exception.source)
        self.assertEqual(text.count(path), 1, text)
        for piece in contains:
            self.assertIn(piece, text)
        return cm.exception


class FormatTest(_McTestCase):
    def test_version_10_aliases(self):
        path = self.write(
            self.default_path,
            _v10(s3=_entry(ACCESS, SECRET), play=_entry(ACCESS2, SECRET2)),
        )
        creds = MinioClientConfigProvider(path).retrieve()
        self.assertEqual(creds, Credentials(ACCESS, SECRET))
        self.assertIsNone(creds.session_token)
        self.assertIsNone(creds.expiration)

    def test_version_9_hosts(self):
        path = self.write(
            self.default_path,
            _v9(s3=_entry(ACCESS, SECRET), play=_entry(ACCESS2, SECRET2)),
        )
        self.assertEqual(
            MinioClientConfigProvider(path).retrieve(), Credentials(ACCESS, SECRET)
        )
        self.assertEqual(
            MinioClientConfigProvider(path, "play").retrieve(),
            Credentials(ACCESS2, SECRET2),
        )

    def test_session_token(self):
        path = self.write(self.default_path, _v10(s3=_entry(ACCESS, SECRET, TOKEN)))
        self.assertEqual(
            MinioClientConfigProvider(path).retrieve(),
            Credentials(ACCESS, SECRET, TOKEN),
        )

    def test_extra_fields_ignored(self):
        entry = _entry(ACCESS, SECRET)
        entry.update({"api": "S3v2", "lookup": "auto", "license": "x", "apiKey": ""})
        path = self.write(self.default_path, _v10(s3=entry))
        self.assertEqual(
            MinioClientConfigProvider(path).retrieve(), Credentials(ACCESS, SECRET)
        )


class LocationTest(_McTestCase):
    def test_filename_argument(self):
        path = self.write(
            os.path.join(self.tmp, "custom", "mc.json"), _v10(s3=_entry(ACCESS, SECRET))
        )
        self.write(self.default_path, _v10(s3=_entry(ACCESS2, SECRET2)))
        self.assertEqual(
            MinioClientConfigProvider(filename=path).retrieve(),
            Credentials(ACCESS, SECRET),
        )

    def test_mc_config_dir(self):
        directory = os.path.join(self.tmp, "mcdir")
        self.write(
            os.path.join(directory, "config.json"), _v10(s3=_entry(ACCESS3, SECRET3))
        )
        self.write(self.default_path, _v10(s3=_entry(ACCESS2, SECRET2)))
        os.environ["MC_CONFIG_DIR"] = directory
        self.assertEqual(
            MinioClientConfigProvider().retrieve(), Credentials(ACCESS3, SECRET3)
        )

    def test_filename_wins_over_mc_config_dir(self):
        directory = os.path.join(self.tmp, "mcdir")
        self.write(
            os.path.join(directory, "config.json"), _v10(s3=_entry(ACCESS3, SECRET3))
        )
        path = self.write(
            os.path.join(self.tmp, "mc.json"), _v10(s3=_entry(ACCESS, SECRET))
        )
        os.environ["MC_CONFIG_DIR"] = directory
        self.assertEqual(
            MinioClientConfigProvider(path).retrieve(), Credentials(ACCESS, SECRET)
        )

    def test_home_default(self):
        self.write(self.default_path, _v10(s3=_entry(ACCESS2, SECRET2)))
        self.assertEqual(
            MinioClientConfigProvider().retrieve(), Credentials(ACCESS2, SECRET2)
        )

    def test_no_file(self):
        self.assertIsNone(MinioClientConfigProvider().retrieve())
        missing = os.path.join(self.tmp, "missing.json")
        self.assertIsNone(MinioClientConfigProvider(missing).retrieve())
        os.environ["MC_CONFIG_DIR"] = os.path.join(self.tmp, "nodir")
        self.assertIsNone(MinioClientConfigProvider().retrieve())

    def test_environ_mapping(self):
        directory = os.path.join(self.tmp, "mcdir")
        self.write(
            os.path.join(directory, "config.json"),
            _v10(s3=_entry(ACCESS3, SECRET3), other=_entry(ACCESS, SECRET)),
        )
        self.write(self.default_path, _v10(s3=_entry(ACCESS2, SECRET2)))
        environ = {
            "HOME": self.home,
            "MC_CONFIG_DIR": directory,
            "MINIO_ALIAS": "other",
        }
        self.assertEqual(
            MinioClientConfigProvider(environ=environ).retrieve(),
            Credentials(ACCESS, SECRET),
        )


class WindowsHomeTest(_McTestCase):
    """mc on Windows finds home as go-homedir does: %HOME%, then %USERPROFILE%, then
    %HOMEDRIVE%%HOMEPATH%; its folder there is ``mc``, not ``.mc``. Python's
    expanduser ignores HOME on Windows since 3.8."""

    def setUp(self):
        super().setUp()
        for patch in (
            mock.patch.object(sys, "platform", "win32"),
            mock.patch.object(os, "name", "nt"),
        ):
            patch.start()
            self.addCleanup(patch.stop)
        self.homes = {}
        for n, name in enumerate(("HOME", "USERPROFILE", "HOMEDRIVE")):
            home = os.path.join(self.tmp, f"from-{name.lower()}")
            self.homes[name] = home
            path = os.path.join(
                home, "drive-path" if n == 2 else "", "mc", "config.json"
            )
            self.write(path, _v10(s3=_entry(f"ACCESSFROM{name}", SECRET)))

    def found(self, **environ):
        creds = MinioClientConfigProvider(environ=environ).retrieve()
        return creds.access_key if creds else None

    def test_order(self):
        home, profile = self.homes["HOME"], self.homes["USERPROFILE"]
        drive = {"HOMEDRIVE": self.homes["HOMEDRIVE"], "HOMEPATH": "/drive-path"}
        self.assertEqual(
            self.found(HOME=home, USERPROFILE=profile, **drive), "ACCESSFROMHOME"
        )
        self.assertEqual(
            self.found(USERPROFILE=profile, **drive), "ACCESSFROMUSERPROFILE"
        )
        self.assertEqual(self.found(**drive), "ACCESSFROMHOMEDRIVE")

    def test_mc_config_dir_still_first(self):
        directory = os.path.join(self.tmp, "mcdir")
        self.write(
            os.path.join(directory, "config.json"), _v10(s3=_entry(ACCESS, SECRET))
        )
        found = self.found(MC_CONFIG_DIR=directory, HOME=self.homes["HOME"])
        self.assertEqual(found, ACCESS)


class AliasTest(_McTestCase):
    def setUp(self):
        super().setUp()
        self.path = self.write(
            self.default_path,
            _v10(
                s3=_entry(ACCESS, SECRET),
                play=_entry(ACCESS2, SECRET2),
                local=_entry(ACCESS3, SECRET3, TOKEN),
            ),
        )

    def test_default_alias_s3(self):
        self.assertEqual(
            MinioClientConfigProvider().retrieve(), Credentials(ACCESS, SECRET)
        )

    def test_alias_argument(self):
        self.assertEqual(
            MinioClientConfigProvider(alias="play").retrieve(),
            Credentials(ACCESS2, SECRET2),
        )
        self.assertEqual(
            MinioClientConfigProvider(None, "local").retrieve(),
            Credentials(ACCESS3, SECRET3, TOKEN),
        )

    def test_minio_alias_variable(self):
        os.environ["MINIO_ALIAS"] = "play"
        self.assertEqual(
            MinioClientConfigProvider().retrieve(), Credentials(ACCESS2, SECRET2)
        )

    def test_argument_wins_over_variable(self):
        os.environ["MINIO_ALIAS"] = "play"
        self.assertEqual(
            MinioClientConfigProvider(alias="local").retrieve(),
            Credentials(ACCESS3, SECRET3, TOKEN),
        )

    def test_missing_explicit_alias(self):
        self.assertConfigError(
            MinioClientConfigProvider(alias="nosuchalias"),
            self.path,
            contains=("nosuchalias",),
        )

    def test_missing_alias_from_variable(self):
        os.environ["MINIO_ALIAS"] = "ghostalias"
        self.assertConfigError(
            MinioClientConfigProvider(), self.path, contains=("ghostalias",)
        )

    def test_missing_default_alias(self):
        path = self.write(self.default_path, _v10(play=_entry(ACCESS2, SECRET2)))
        self.assertIsNone(MinioClientConfigProvider().retrieve())
        self.assertIsNone(MinioClientConfigProvider(path).retrieve())


class BadFileTest(_McTestCase):
    def check(self, content, alias=None):
        path = self.write(self.default_path, content)
        return self.assertConfigError(MinioClientConfigProvider(alias=alias), path)

    def test_bad_json(self):
        self.check(
            f'{{"version": "10", "aliases": {{"s3": {{"secretKey": "{SECRET}",,}}}}}}'
        )

    def test_truncated_json(self):
        self.check(
            f'{{"version": "10", "aliases": {{"s3": {{"accessKey": "A", "secretKey": "{SECRET}"'
        )

    def test_json_list(self):
        self.check(json.dumps([{"accessKey": ACCESS, "secretKey": SECRET}]))

    def test_json_scalar(self):
        self.check(json.dumps(SECRET))

    def test_aliases_not_an_object(self):
        self.check({"version": "10", "aliases": [_entry(ACCESS, SECRET)]})

    def test_alias_entry_not_an_object(self):
        self.check(_v10(s3=[ACCESS, SECRET]))
        self.check(_v10(s3=f"{ACCESS}:{SECRET}"))

    def test_missing_secret_key(self):
        entry = _entry(ACCESS, SECRET)
        del entry["secretKey"]
        entry["sessionToken"] = TOKEN
        self.check(_v10(s3=entry))

    def test_missing_access_key(self):
        entry = _entry(ACCESS, SECRET)
        del entry["accessKey"]
        self.check(_v10(s3=entry))

    def test_secret_key_not_a_string(self):
        entry = _entry(ACCESS, SECRET)
        entry["secretKey"] = [SECRET]
        self.check(_v10(s3=entry))

    def test_directory_instead_of_file(self):
        os.makedirs(self.default_path)
        self.assertConfigError(MinioClientConfigProvider(), self.default_path)

    def test_not_utf8(self):
        os.makedirs(os.path.dirname(self.default_path))
        with open(self.default_path, "wb") as handle:
            handle.write(b'{"aliases": {"s3": {"accessKey": "\xff\xfe", "secretKey": "')
            handle.write(SECRET.encode() + b'"}}}')
        self.assertConfigError(MinioClientConfigProvider(), self.default_path)


if __name__ == "__main__":
    unittest.main()
