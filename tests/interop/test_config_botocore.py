"""AWSConfigProvider against botocore on a corpus of AWS config and credentials files.

Each case writes its files into a fresh HOME and runs botocore (a ``Session`` with the
case's profile, as ``aws --profile`` does) and minicreds (``AWSConfigProvider(profile=)``)
in separate subprocesses with the same environment, so nothing leaks between cases.
They must find the
same credentials, or both report an error; each case also states which of the two it
expects, so a broken harness cannot pass. Instance metadata is disabled: nothing may
leave 127.0.0.1.

Role chains are resolved by moto_server with signature checking on. Assumed-role keys
differ between two calls, so for those cases both answers are taken to moto's
``GetCallerIdentity`` and must name the same assumed-role session.

Where the two legitimately differ (not in the corpus): a profile holding both
``aws_session_token`` and the legacy ``aws_security_token`` (botocore takes the legacy
one, minicreds the standard one); ``AWS_DEFAULT_PROFILE`` beside ``AWS_PROFILE``
(botocore reads the former first). Both are the known differences listed in the
README's "The AWS config files".
"""

import concurrent.futures
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
from unittest import mock

from tests import support
from tests.fakes import SSO_START_URL, iso_in, role_arn, sts_success_xml, xml_response
from tests.interop import moto_harness as mh

try:
    import botocore  # noqa: F401

    HAVE_BOTOCORE = True
except ImportError:  # pragma: no cover
    HAVE_BOTOCORE = False

TIMEOUT = 60  # only stops a hang

# Each driver imports its library once, then forks a fresh child per case, which
# takes the case's environment (HOME included) and prints one JSON line: a list
# [access key, secret key, token], null, {"error": class name} or {"crash": traceback}.
DRIVER = """
import json, os, sys, traceback
sys.path.insert(0, %r)
%s
for line in sys.stdin:
    profile, env = json.loads(line)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.environ.clear()
        os.environ.update(env)
        try:
            out = lookup(profile or None)
        except Exception:
            out = {"crash": traceback.format_exc()}
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        data = f.read()
    os.waitpid(pid, 0)
    print(data or json.dumps({"crash": "no output"}), flush=True)
"""

BOTOCORE = """
import botocore.session
def lookup(profile):
    try:
        found = botocore.session.Session(profile=profile).get_credentials()
        return found and list(found.get_frozen_credentials())[:3]
    except Exception as exc:  # botocore has no common base for these errors
        return {"error": type(exc).__name__}
"""

MINICREDS = """
import minicreds
def lookup(profile):
    try:
        found = minicreds.AWSConfigProvider(profile=profile).retrieve()
        return found and [found.access_key, found.secret_key, found.session_token]
    except minicreds.CredentialsError as exc:
        return {"error": type(exc).__name__}
"""

MINICREDS_DEFAULT = """
import minicreds
def lookup(profile):
    try:
        found = minicreds.default_provider(profile=profile).retrieve()
        return found and [found.access_key, found.secret_key, found.session_token]
    except minicreds.CredentialsError as exc:
        return {"error": type(exc).__name__}
"""

PROCESS = """
import json, sys
mode = sys.argv[1]
data = {"Version": 1, "AccessKeyId": "AKPROC" + mode, "SecretAccessKey": "proc-secret"}
if mode == "token":
    data.update(SessionToken="proc-token", Expiration="2099-01-01T00:00:00Z")
elif mode == "v2":
    data["Version"] = 2
elif mode == "fail":
    sys.exit(2)
elif mode == "junk":
    print("not json")
    sys.exit(0)
print(json.dumps(data))
"""

ROLE1 = role_arn("first")
ROLE2 = role_arn("second")

# (name, credentials file, config file, profile ("" = none), extra env, expected)
# expected: "creds", "none", "error", or the assumed-role ARN a role chain ends in.
CASES = [
    (
        "default in credentials",
        "[default]\naws_access_key_id = AKD1\naws_secret_access_key = d1\n",
        None,
        "",
        {},
        "creds",
    ),
    (
        "default in config",
        None,
        (
            "[default]\naws_access_key_id = AKD2\n"
            "aws_secret_access_key = d2\naws_session_token = t2\n"
        ),
        "",
        {},
        "creds",
    ),
    (
        "profile prefix in config",
        None,
        "[profile x]\naws_access_key_id = AKX\naws_secret_access_key = x\n",
        "x",
        {},
        "creds",
    ),
    (
        "bare section in config",
        None,
        "[x]\naws_access_key_id = AKX\naws_secret_access_key = x\n",
        "x",
        {},
        "error",
    ),
    (
        "profile prefix verbatim in credentials",
        "[profile x]\naws_access_key_id = AKPX\naws_secret_access_key = px\n",
        None,
        "profile x",
        {},
        "creds",
    ),
    (
        "credentials over config",
        "[p]\naws_access_key_id = AKCRED\naws_secret_access_key = c\n",
        "[profile p]\naws_access_key_id = AKCONF\naws_secret_access_key = f\n",
        "p",
        {},
        "creds",
    ),
    (
        "key in one file, secret in the other",
        "[p]\naws_access_key_id = AKSPLIT\n",
        "[profile p]\naws_secret_access_key = split\n",
        "p",
        {},
        "error",
    ),
    (
        "comments and odd whitespace",
        (
            "# top comment\n; another\n[ws]\n"
            "aws_access_key_id=AKWS\n  \naws_secret_access_key   =\tws-secret  \n"
            "aws_session_token = tok # not a comment\n"
        ),
        None,
        "ws",
        {},
        "creds",
    ),
    (
        "spaced and quoted section names",
        None,
        (
            "[profile  spaced ]\n"
            "aws_access_key_id = AKSP\naws_secret_access_key = sp\n"
            '[profile "two words"]\naws_access_key_id = AKTW\naws_secret_access_key = tw\n'
        ),
        "two words",
        {},
        "creds",
    ),
    (
        "spaced section name",
        None,
        "[profile  spaced ]\naws_access_key_id = AKSP\naws_secret_access_key = sp\n",
        "spaced",
        {},
        "creds",
    ),
    (
        "no default profile",
        None,
        "[profile other]\nregion = us-east-1\n",
        "",
        {},
        "none",
    ),
    ("no files", None, None, "", {}, "none"),
    (
        "old Mac line ends (a lone CR)",
        "[default]\raws_access_key_id = AKCR\raws_secret_access_key = a\r",
        None,
        "",
        {},
        "creds",
    ),
    (
        "explicit profile missing",
        "[a]\naws_access_key_id = A\naws_secret_access_key = a\n",
        None,
        "b",
        {},
        "error",
    ),
    (
        "AWS_PROFILE",
        "[a]\naws_access_key_id = AKENVP\naws_secret_access_key = a\n",
        None,
        "",
        {"AWS_PROFILE": "a"},
        "creds",
    ),
    ("AWS_PROFILE missing", None, None, "", {"AWS_PROFILE": "ghost"}, "error"),
    ("key without secret", "[k]\naws_access_key_id = AKONLY\n", None, "k", {}, "error"),
    (
        "profile with settings only",
        None,
        "[profile s]\nregion = eu-west-1\n",
        "s",
        {},
        "none",
    ),
    (
        "credential_process",
        None,
        "[profile p]\ncredential_process = {python} {home}/proc.py plain\n",
        "p",
        {},
        "creds",
    ),
    (
        "credential_process with token and expiry",
        None,
        "[profile p]\ncredential_process = {python} {home}/proc.py token\n",
        "p",
        {},
        "creds",
    ),
    (
        "credentials file keys over credential_process",
        "[p]\naws_access_key_id = AKF\naws_secret_access_key = f\n",
        "[profile p]\ncredential_process = {python} {home}/proc.py plain\n",
        "p",
        {},
        "creds",
    ),
    (
        "credential_process over config file keys",
        None,
        (
            "[profile p]\n"
            "aws_access_key_id = AKCONF\naws_secret_access_key = f\n"
            "credential_process = {python} {home}/proc.py plain\n"
        ),
        "p",
        {},
        "creds",
    ),
    (
        "credential_process failing",
        None,
        "[profile p]\ncredential_process = {python} {home}/proc.py fail\n",
        "p",
        {},
        "error",
    ),
    (
        "credential_process version 2",
        None,
        "[profile p]\ncredential_process = {python} {home}/proc.py v2\n",
        "p",
        {},
        "error",
    ),
    (
        "credential_process junk",
        None,
        "[profile p]\ncredential_process = {python} {home}/proc.py junk\n",
        "p",
        {},
        "error",
    ),
    (
        "source_profile loop",
        None,
        (
            "[profile a]\nrole_arn = {role1}\nsource_profile = b\n"
            "[profile b]\nrole_arn = {role2}\nsource_profile = a\n"
        ),
        "a",
        {},
        "error",
    ),
    (
        "self reference without keys",
        None,
        "[profile a]\nrole_arn = {role1}\nsource_profile = a\n",
        "a",
        {},
        "error",
    ),
    (
        "source_profile missing",
        None,
        "[profile a]\nrole_arn = {role1}\nsource_profile = ghost\n",
        "a",
        {},
        "error",
    ),
    (
        "role without source",
        None,
        "[profile a]\nrole_arn = {role1}\n",
        "a",
        {},
        "error",
    ),
    (
        "source_profile and credential_source",
        None,
        (
            "[profile a]\nrole_arn = {role1}\n"
            "source_profile = a\ncredential_source = Environment\n"
        ),
        "a",
        {},
        "error",
    ),
    (
        "unknown credential_source",
        None,
        "[profile a]\nrole_arn = {role1}\ncredential_source = Environmnet\n",
        "a",
        {},
        "error",
    ),
    (
        "source_profile without credentials",
        None,
        (
            "[profile a]\nrole_arn = {role1}\n"
            "source_profile = e\n[profile e]\nregion = us-east-1\n"
        ),
        "a",
        {},
        "error",
    ),
]

# Role chains resolved by moto; {alice_key}/{alice_secret} are the IAM user's keys.
ROLE_CASES = [
    (
        "role from static source",
        (
            "[alice]\naws_access_key_id = {alice_key}\n"
            "aws_secret_access_key = {alice_secret}\n"
        ),
        (
            "[profile one]\nrole_arn = {role1}\n"
            "source_profile = alice\nrole_session_name = s1\n"
        ),
        "one",
        {},
        mh.session_arn(ROLE1, "s1"),
    ),
    (
        "chain of two roles",
        (
            "[alice]\naws_access_key_id = {alice_key}\n"
            "aws_secret_access_key = {alice_secret}\n"
        ),
        (
            "[profile one]\nrole_arn = {role1}\n"
            "source_profile = alice\nrole_session_name = s1\n[profile two]\n"
            "role_arn = {role2}\nsource_profile = one\nrole_session_name = s2\n"
        ),
        "two",
        {},
        mh.session_arn(ROLE2, "s2"),
    ),
    (
        "self reference with static keys",
        (
            "[me]\naws_access_key_id = {alice_key}\n"
            "aws_secret_access_key = {alice_secret}\n"
        ),
        (
            "[profile me]\nrole_arn = {role1}\n"
            "source_profile = me\nrole_session_name = s1\n"
        ),
        "me",
        {},
        mh.session_arn(ROLE1, "s1"),
    ),
    (
        "source profile keys win over its role",
        None,
        (
            "[profile top]\n"
            "role_arn = {role1}\nsource_profile = mid\nrole_session_name = s1\n"
            "[profile mid]\nrole_arn = {role2}\nsource_profile = top\n"
            "aws_access_key_id = {alice_key}\naws_secret_access_key = {alice_secret}\n"
        ),
        "top",
        {},
        mh.session_arn(ROLE1, "s1"),
    ),
    (
        "credential_source Environment",
        None,
        (
            "[profile env]\nrole_arn = {role1}\n"
            "credential_source = Environment\nrole_session_name = s1\nregion = eu-west-1\n"
        ),
        "env",
        {"AWS_ACCESS_KEY_ID": "{alice_key}", "AWS_SECRET_ACCESS_KEY": "{alice_secret}"},
        mh.session_arn(ROLE1, "s1"),
    ),
    (
        "source profile from credential_process",
        None,
        (
            "[profile p]\n"
            "credential_process = {python} {home}/alice.py\n[profile one]\n"
            "role_arn = {role1}\nsource_profile = p\nrole_session_name = s1\n"
        ),
        "one",
        {},
        mh.session_arn(ROLE1, "s1"),
    ),
]


def run_all(library, cases, home):
    """Run one driver over ``cases`` (profile, environment) and return its answers.

    ``home`` is the driver's HOME: botocore fixes its SSO token cache folder at import.
    """
    stdin = "".join(json.dumps(case) + "\n" for case in cases)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER % (support.REPO, library)],
        check=False,
        input=stdin.encode(),
        capture_output=True,
        env=support.clean_environ(HOME=home),
        timeout=TIMEOUT,
    )
    lines = done.stdout.decode().splitlines()
    if done.returncode or len(lines) != len(cases):
        raise AssertionError(f"driver failed: {done.stderr.decode()[-2000:]}")
    return [json.loads(line) for line in lines]


def verdict(out):
    if out is None:
        return "none"
    return (out.get("error") and "error" or out) if isinstance(out, dict) else "creds"


@unittest.skipUnless(HAVE_BOTOCORE and hasattr(os, "fork"), "needs botocore and fork")
class ConfigDifferentialTest(unittest.TestCase):
    subs: dict = {"role1": ROLE1, "role2": ROLE2}  # noqa: RUF012 - read only

    def prepare(self, home, case):
        """Write the case's files into ``home``; return (profile, environment)."""
        _name, creds, config, profile, env_vars, _ = case
        subs = dict(self.subs, home=home, python=support.command_line(sys.executable))
        os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
        for filename, text in (("credentials", creds), ("config", config)):
            if text is not None:
                with open(os.path.join(home, ".aws", filename), "w") as f:
                    f.write(text.format(**subs))
        with open(os.path.join(home, "proc.py"), "w") as f:
            f.write(PROCESS)
        if "alice_key" in subs:
            with open(os.path.join(home, "alice.py"), "w") as f:
                f.write(
                    "import json\nprint(json.dumps({"
                    f'"Version": 1, "AccessKeyId": {subs["alice_key"]!r}, '
                    f'"SecretAccessKey": {subs["alice_secret"]!r}}}))\n'
                )
        variables = {k: v.format(**subs) for k, v in env_vars.items()}
        env = support.clean_environ(
            HOME=home,
            AWS_EC2_METADATA_DISABLED=subs.get("imds_disabled", "true"),
            AWS_EC2_METADATA_SERVICE_ENDPOINT=subs.get("imds"),
            AWS_ENDPOINT_URL_STS=subs.get("sts"),
            AWS_DEFAULT_REGION=subs.get("region"),
            **variables,
        )
        return profile, env

    ours = MINICREDS
    exact = False  # the same credentials, not only the same identity

    def check(self, cases, same=None):
        with tempfile.TemporaryDirectory(prefix="minicreds-diff-") as root:
            runs = []
            for i, case in enumerate(cases):
                home = os.path.join(root, str(i))
                os.mkdir(home)
                runs.append(self.prepare(home, case))
            libraries = (BOTOCORE, self.ours)
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                theirs, ours = pool.map(run_all, libraries, (runs, runs), (root, root))
        for case, their, our in zip(cases, theirs, ours):
            with self.subTest(case[0]):
                expected = case[-1]
                self.assertEqual(verdict(their), verdict(our), (their, our))
                if expected in ("creds", "none", "error"):
                    self.assertEqual(verdict(our), expected, our)
                    if expected == "creds":
                        self.assertEqual(their, our)
                else:
                    self.assertEqual(verdict(our), "creds", our)
                    self.assertEqual(same(their), expected)
                    self.assertEqual(same(our), expected)
                    if self.exact:
                        self.assertEqual(their, our)

    def test_corpus(self):
        self.check(CASES)


@unittest.skipUnless(HAVE_BOTOCORE and mh.HAVE_MOTO and mh.HAVE_BOTO3, "needs moto")
class RoleDifferentialTest(ConfigDifferentialTest):
    @classmethod
    def setUpClass(cls):
        cls.server = mh.MotoServer(no_auth_count=0).start()
        try:
            with cls.server.unauthenticated():
                key, secret = cls.server.create_user_with_keys("alice")
                cls.server.create_role("first", mh.user_arn("alice"))
                cls.server.create_role("second", mh.session_arn(ROLE1, "s1"))
        except Exception:
            cls.server.stop()
            raise
        cls.subs = {
            "sts": cls.server.url,
            "region": "us-east-1",  # botocore needs one beside an endpoint URL
            "role1": ROLE1,
            "role2": ROLE2,
            "alice_key": key,
            "alice_secret": secret,
        }

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def identity(self, creds):
        return self.server.client("sts", *creds).get_caller_identity()["Arn"]

    def test_corpus(self):
        self.check(ROLE_CASES, self.identity)

    def test_endpoint_settings(self):
        # No AWS_ENDPOINT_URL_STS: the files (or AWS_ENDPOINT_URL) lead to moto.
        subs = dict(self.subs, endpoint=self.server.url)
        del subs["sts"]
        with mock.patch.object(self, "subs", subs):
            self.check(ENDPOINT_CASES, self.identity)

    def test_roles_need_no_sts_call_per_retrieve(self):
        # Not a botocore comparison: the answer of moto is kept for its lifetime.
        sys.path.insert(0, support.REPO)
        import minicreds

        with support.temp_home() as home:
            config = os.path.join(home, "config")
            with open(config, "w") as f:
                f.write(
                    f"[profile alice]\naws_access_key_id = {self.subs['alice_key']}\n"
                    f"aws_secret_access_key = {self.subs['alice_secret']}\n"
                    f"[profile one]\nrole_arn = {ROLE1}\nsource_profile = alice\n"
                    "role_session_name = s1\n"
                    f"[profile two]\nrole_arn = {ROLE2}\nsource_profile = one\n"
                    "role_session_name = s2\n"
                )
            environ = support.clean_environ(
                HOME=home, AWS_CONFIG_FILE=config, AWS_ENDPOINT_URL_STS=self.server.url
            )
            provider = minicreds.AWSConfigProvider(profile="two", environ=environ)
            first = provider.retrieve()
            self.assertIs(provider.retrieve(), first)
            self.assertGreater(first.expiration.timestamp(), time.time() + 600)
            self.assertEqual(
                self.identity(
                    [first.access_key, first.secret_key, first.session_token]
                ),
                mh.session_arn(ROLE2, "s2"),
            )


ALICE = (
    "[alice]\naws_access_key_id = {alice_key}\naws_secret_access_key = {alice_secret}\n"
)
ONE = "[profile one]\nrole_arn = {role1}\nsource_profile = alice\nrole_session_name = s1\n"
NEVER = "http://127.0.0.1:9/never"  # the discard port: nothing answers there
# AWS's own https hosts, were either library to choose one, reached only through a
# proxy where nothing answers: no request leaves 127.0.0.1.
GUARD = {"HTTPS_PROXY": NEVER}
# (name, credentials, config, profile, env, identity or "error"): STS is reached only
# through the endpoint settings of the files or of the variables the case sets.
ENDPOINT_CASES = [
    ("the profile's endpoint_url", ALICE, ONE + "endpoint_url = {endpoint}\n", "one",
     GUARD, mh.session_arn(ROLE1, "s1")),
    ("the services section's sts block over the profile's", ALICE,
     ONE + f"endpoint_url = {NEVER}\nservices = local\n[services local]\n"
     "s3 =\n  addressing_style = path\nsts =\n  endpoint_url = {endpoint}\n",
     "one", GUARD, mh.session_arn(ROLE1, "s1")),
    ("AWS_ENDPOINT_URL over the files", ALICE,
     ONE + f"endpoint_url = {NEVER}\nservices = s\n[services s]\nsts =\n"
     f"  endpoint_url = {NEVER}\n", "one", dict(GUARD, AWS_ENDPOINT_URL="{endpoint}"),
     mh.session_arn(ROLE1, "s1")),
    ("the selected profile's endpoint along the chain", ALICE,
     ONE + f"endpoint_url = {NEVER}\n[profile two]\nrole_arn = {{role2}}\n"
     "source_profile = one\nrole_session_name = s2\nendpoint_url = {endpoint}\n",
     "two", GUARD, mh.session_arn(ROLE2, "s2")),
    ("a services section that does not exist", ALICE, ONE + "services = nowhere\n",
     "one", GUARD, "error"),
    ("a sub-property line without =", ALICE,
     ONE + "endpoint_url = {endpoint}\ns3 =\n  addressing_style = path\n  bad\n",
     "one", GUARD, "error"),
]  # fmt: skip

KEYS = "[p]\naws_access_key_id = AKPROFILE\naws_secret_access_key = profile-secret\n"
DEFAULT_KEYS = KEYS.replace("[p]", "[default]")
ROLE = (
    "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = p\n"
    "role_session_name = rs\n"
)
ENV_KEYS = {"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "env-secret"}
WEB = {
    "AWS_WEB_IDENTITY_TOKEN_FILE": "{home}/token",
    "AWS_ROLE_ARN": role_arn("web"),
    "AWS_ROLE_SESSION_NAME": "web",
}
CONTAINER = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{fake}/container"}
PROC = "[profile p]\ncredential_process = {python} {home}/proc.py token\n"


def both(*mappings):
    return {k: v for m in mappings for k, v in m.items()}


# (name, credentials, config, profile, env, access key botocore's chain must find)
DEFAULT_CASES = [
    ("nothing: instance metadata", None, None, "", {}, "ASIAIMDS"),
    ("environment keys", DEFAULT_KEYS, None, "", ENV_KEYS, "AKENV"),
    ("environment keys over AWS_PROFILE", KEYS, None, "",
     both(ENV_KEYS, {"AWS_PROFILE": "p"}), "AKENV"),
    ("explicit profile turns the environment off", KEYS, None, "p",
     both(ENV_KEYS, WEB), "AKPROFILE"),
    ("AWS_PROFILE", KEYS, None, "", {"AWS_PROFILE": "p"}, "AKPROFILE"),
    ("web identity variables", None, None, "", WEB, "ASIAWEB"),
    ("environment keys over web identity", None, None, "", both(ENV_KEYS, WEB),
     "AKENV"),
    ("web identity over the default profile", DEFAULT_KEYS, None, "", WEB, "ASIAWEB"),
    ("web identity over container", None, None, "", both(WEB, CONTAINER), "ASIAWEB"),
    ("role profile over web identity", KEYS, ROLE, "", both(WEB, {"AWS_PROFILE": "r"}),
     "ASIAROLE"),
    ("container variables", None, None, "", CONTAINER, "ASIACONTAINER"),
    ("default profile over container", DEFAULT_KEYS, None, "", CONTAINER, "AKPROFILE"),
    ("credential_process over container", None, PROC, "", both(CONTAINER,
     {"AWS_PROFILE": "p"}), "AKPROCtoken"),
    ("explicit empty profile: container", None, "[profile e]\nregion = eu-west-1\n",
     "e", both(ENV_KEYS, WEB, CONTAINER), "ASIACONTAINER"),
    ("explicit empty profile: instance metadata", None,
     "[profile e]\nregion = eu-west-1\n", "e", both(ENV_KEYS, WEB), "ASIAIMDS"),
    ("AWS_PROFILE missing", None, None, "", {"AWS_PROFILE": "ghost"}, "error"),
    ("explicit profile missing", KEYS, None, "ghost", CONTAINER, "error"),
]  # fmt: skip


def sts_answer(req):
    action = req.form["Action"][0]
    key = "ASIAWEB" if action == "AssumeRoleWithWebIdentity" else "ASIAROLE"
    expiration = "2099-01-01T00:00:00Z"
    body = sts_success_xml(action, key, "sts-secret", "sts-token", expiration)
    return xml_response(200, body)


def json_credentials(key):
    return 200, {
        "Code": "Success",
        "AccessKeyId": key,
        "SecretAccessKey": "json-secret",
        "Token": "json-token",
        "Expiration": "2099-01-01T00:00:00Z",
    }


@unittest.skipUnless(HAVE_BOTOCORE and hasattr(os, "fork"), "needs botocore and fork")
class DefaultChainDifferentialTest(ConfigDifferentialTest):
    """default_provider() picks the source botocore's default chain picks.

    One loopback fake plays STS (web identity and AssumeRole), the container endpoint
    and instance metadata (IMDSv2), each answering with its own access key. MinIO
    variables are left out: botocore does not know them.
    """

    ours = MINICREDS_DEFAULT
    exact = True

    @classmethod
    def setUpClass(cls):
        fake = cls.fake = support.FakeServer().start()
        fake.route("POST", "/", sts_answer)
        fake.route("GET", "/container", json_credentials("ASIACONTAINER"))
        fake.route("PUT", "/latest/api/token", (200, "imds-token"))
        fake.route("GET", "/latest/meta-data/iam/security-credentials/", (200, "r"))
        fake.route(
            "GET",
            "/latest/meta-data/iam/security-credentials/r",
            json_credentials("ASIAIMDS"),
        )
        cls.subs = {
            "fake": fake.url,
            "sts": fake.url,
            "imds": fake.url,
            "imds_disabled": None,  # on, and pointed at the fake
            "region": "us-east-1",
        }

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def prepare(self, home, case):
        with open(os.path.join(home, "token"), "w") as f:
            f.write("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
        return super().prepare(home, case)

    def test_corpus(self):
        self.check(DEFAULT_CASES, lambda creds: creds[0])
        hosts = {r.headers.get("Host") for r in self.fake.requests}
        self.assertEqual(hosts, {f"127.0.0.1:{self.fake.port}"})


SSO_KEYS = "sso_account_id = 111122223333\nsso_role_name = Reader\n"
# (name, config, profile, token cache name, token expiry in seconds or None, expected)
SSO_CASES = [
    ("legacy keys", (f"[profile l]\nsso_start_url = {SSO_START_URL}\n"
     f"sso_region = us-east-1\n{SSO_KEYS}"), "l", SSO_START_URL, 3600, "ASIASSO"),
    ("sso-session", (f"[profile s]\nsso_session = corp\n{SSO_KEYS}"
     f"[sso-session corp]\nsso_start_url = {SSO_START_URL}\nsso_region = us-east-1\n"),
     "s", "corp", 3600, "ASIASSO"),
    ("sso-session token renewed", (f"[profile s]\nsso_session = renew\n{SSO_KEYS}"
     f"[sso-session renew]\nsso_start_url = {SSO_START_URL}/r\n"
     "sso_region = us-east-1\n"), "s", "renew", 300, "ASIASSO"),
    ("legacy token expired", (f"[profile l]\nsso_start_url = {SSO_START_URL}/x\n"
     f"sso_region = us-east-1\n{SSO_KEYS}"), "l", SSO_START_URL + "/x", -60, "error"),
    ("no cached token", (f"[profile l]\nsso_start_url = {SSO_START_URL}/none\n"
     f"sso_region = us-east-1\n{SSO_KEYS}"), "l", None, None, "error"),
    ("sso-session missing", f"[profile s]\nsso_session = ghost\n{SSO_KEYS}", "s",
     None, None, "error"),
    ("role name missing", (f"[profile l]\nsso_start_url = {SSO_START_URL}\n"
     "sso_region = us-east-1\nsso_account_id = 1\n"), "l", SSO_START_URL, 3600,
     "error"),
    ("SSO before static keys", (f"[profile l]\n"
     f"sso_start_url = {SSO_START_URL}\nsso_region = us-east-1\n{SSO_KEYS}"
     "aws_access_key_id = AKSTATIC\naws_secret_access_key = s\n"), "l", SSO_START_URL,
     3600, "ASIASSO"),
]  # fmt: skip


def portal_answer(req):
    if req.headers.get("x-amz-sso_bearer_token") not in ("access-1", "access-2"):
        return (
            401,
            {"message": "bad token"},
            {"x-amzn-ErrorType": "UnauthorizedException"},
        )
    return 200, {
        "roleCredentials": {
            "accessKeyId": "ASIASSO",
            "secretAccessKey": "sso-secret",
            "sessionToken": "sso-token",
            "expiration": 4070908800000,  # 2099-01-01
        }
    }


@unittest.skipUnless(HAVE_BOTOCORE and hasattr(os, "fork"), "needs botocore and fork")
class SSODifferentialTest(ConfigDifferentialTest):
    """SSO profiles against a loopback fake portal and OIDC service, with the token
    cache as ``aws sso login`` writes it (botocore's folder is the driver's HOME)."""

    exact = True

    @classmethod
    def setUpClass(cls):
        fake = cls.fake = support.FakeServer().start()
        fake.route("GET", "/federation/credentials", portal_answer)
        fake.route("POST", "/token", (200, {"accessToken": "access-2",
                                             "expiresIn": 3600, "tokenType": "Bearer"}))  # fmt: skip

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def prepare(self, home, case):
        name, config, profile, cache_key, expires_in, expected = case
        if cache_key is not None:
            token = {
                "startUrl": SSO_START_URL,
                "region": "us-east-1",
                "accessToken": "access-1",
                "expiresAt": iso_in(expires_in),
                "clientId": "client",
                "clientSecret": "client-secret",
                "registrationExpiresAt": "2099-01-01T00:00:00Z",
                "refreshToken": "refresh-1",
            }
            digest = hashlib.sha1(cache_key.encode()).hexdigest()
            # botocore reads the driver's HOME, minicreds the case's.
            for top in (home, os.path.dirname(home)):
                folder = os.path.join(top, ".aws", "sso", "cache")
                os.makedirs(folder, exist_ok=True)
                with open(os.path.join(folder, digest + ".json"), "w") as f:
                    json.dump(token, f)
        self.subs = {"region": "us-east-1"}
        profile, env = super().prepare(
            home, (name, None, config, profile, {}, expected)
        )
        env.update(AWS_ENDPOINT_URL_SSO=self.fake.url,
                   AWS_ENDPOINT_URL_SSO_OIDC=self.fake.url)  # fmt: skip
        return profile, env

    def test_corpus(self):
        self.check(SSO_CASES, lambda creds: creds[0])
        renewals = [r for r in self.fake.requests if r.path_only == "/token"]
        self.assertEqual(len(renewals), 2)  # botocore and minicreds, one each
        self.assertEqual(
            {r.json()["refreshToken"] for r in renewals}, {"refresh-1"}
        )  # fmt: skip


if __name__ == "__main__":
    unittest.main()
