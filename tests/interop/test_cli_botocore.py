"""botocore runs ``minicreds.py --format process`` as a profile's ``credential_process``.

botocore splits the command (by POSIX rules, by Windows rules on Windows), runs it,
and reads the JSON as every AWS SDK does; it must get back the credentials minicreds
found, expiry included.
"""

import datetime
import os
import sys
import unittest

from tests import support
from tests.fakes import iso

try:
    import botocore.session
except ImportError:  # pragma: no cover - tox -e interop installs it
    botocore = None

SCRIPT = os.path.join(support.REPO, "minicreds.py")
KEY = "AKIDVIAMINICREDS"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzPROCESS"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/PROCESS+TOKEN=="


@unittest.skipUnless(botocore, "botocore is not installed")
class CredentialProcess(unittest.TestCase):
    def botocore_credentials(self, profile, config, **variables):
        with support.env(AWS_EC2_METADATA_DISABLED="true", **variables) as home:
            path = os.path.join(home, "config")
            with open(path, "w") as handle:
                handle.write(config)
            os.environ["AWS_CONFIG_FILE"] = path
            os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(home, "none")
            os.environ.pop("MINICREDS_CLI_DEPTH", None)
            # An explicit profile turns botocore's environment provider off, so only
            # the credential_process can answer.
            credentials = botocore.session.Session(profile=profile).get_credentials()
            self.assertIsNotNone(credentials)
            return credentials, credentials.get_frozen_credentials()

    def command(self, *args):
        return support.command_line(sys.executable, SCRIPT, *args)

    def test_temporary_credentials_from_the_environment(self):
        expiry = datetime.datetime.now(datetime.timezone.utc).replace(
            microsecond=0
        ) + datetime.timedelta(hours=3)
        config = f"[profile viaminicreds]\ncredential_process = {self.command('--format', 'process')}\n"
        credentials, frozen = self.botocore_credentials(
            "viaminicreds",
            config,
            AWS_ACCESS_KEY_ID=KEY,
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_SESSION_TOKEN=TOKEN,
            AWS_CREDENTIAL_EXPIRATION=iso(expiry.timestamp()),
        )
        self.assertEqual(credentials.method, "custom-process")
        self.assertEqual(
            (frozen.access_key, frozen.secret_key, frozen.token), (KEY, SECRET, TOKEN)
        )
        self.assertEqual(credentials._expiry_time, expiry)

    def test_static_keys_of_another_profile(self):
        command = self.command(
            "--provider", "aws-config", "--profile", "keys", "--format", "process"
        )
        config = (
            f"[profile viaminicreds]\ncredential_process = {command}\n"
            f"[profile keys]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
        )
        credentials, frozen = self.botocore_credentials("viaminicreds", config)
        self.assertEqual(credentials.method, "custom-process")
        self.assertEqual(
            (frozen.access_key, frozen.secret_key, frozen.token), (KEY, SECRET, None)
        )


if __name__ == "__main__":
    unittest.main()
