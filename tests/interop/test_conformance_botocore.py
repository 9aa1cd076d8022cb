"""botocore's side of each deviation listed in tests/conformance.py.

A case of the AWS SDKs' shared test data is a deliberate deviation only if botocore
does what minicreds does. For each one, this runs botocore in a subprocess on the same
staged files and variables, with its HTTP answered from the same recording (botocore's
``URLLib3Session.send`` replaced: nothing leaves the process), and checks that it
reaches the same outcome as minicreds: the same credentials, none, or an error.

The profile-provider and assume-role cases run botocore's chain without its
environment, container and instance metadata providers, as AWSConfigProvider stands
alone. botocore's clock is not frozen: no deviation depends on it.
"""

import json
import os
import subprocess
import sys
import unittest

from tests import conformance

try:
    import botocore  # noqa: F401

    HAVE_BOTOCORE = True
except ImportError:  # pragma: no cover
    HAVE_BOTOCORE = False

TIMEOUT = 60  # only stops a hang
# botocore's providers that AWSConfigProvider has no counterpart of.
NOT_PROFILE = [
    "env",
    "container-role",
    "iam-role",
    "boto-config",
    "ec2-credentials-file",
]

# Reads a job (JSON) on stdin and prints botocore's outcome as JSON:
# {"kind": "ok" | "not loaded" | "error", "value": ...}.
DRIVER = r"""
import json, os, sys
job = json.loads(sys.stdin.read())
sys.path.insert(0, job["repo"])
from tests.conformance import normal_url

import botocore.awsrequest, botocore.exceptions, botocore.httpsession


class Raw:
    def __init__(self, data):
        self.data = data

    def stream(self, **kw):
        yield self.data


used = set()


def send(self, request):
    key = [request.method, normal_url(request.url)]
    for i, exchange in enumerate(job.get("exchanges", [])):
        if i not in used and exchange["key"] == key:
            used.add(i)
            body = exchange["body"].encode("latin-1")
            return botocore.awsrequest.AWSResponse(
                request.url, exchange["status"], exchange["headers"], Raw(body)
            )
    raise botocore.exceptions.EndpointConnectionError(endpoint_url=request.url)


botocore.httpsession.URLLib3Session.send = send


def parse():
    from botocore.configloader import load_config, raw_config_parse

    config = load_config(job["config"])
    profiles = {name: dict(values) for name, values in config["profiles"].items()}
    for name, values in raw_config_parse(job["credentials"]).items():
        if name != job["probe"]:
            profiles.setdefault(name, {}).update(values)
    return {"profiles": profiles, "sso_sessions": config.get("sso_sessions", {})}


def credentials():
    import botocore.credentials, botocore.session

    session = botocore.session.Session(profile=job["profile"])
    resolver = botocore.credentials.create_credential_resolver(session)
    for name in job["without"]:
        resolver.remove(name)
    found = resolver.load_credentials()
    if found is None:
        return None
    frozen = found.get_frozen_credentials()
    return {
        "access_key_id": frozen.access_key,
        "secret_access_key": frozen.secret_key,
        "session_token": frozen.token,
    }


try:
    value = parse() if job["mode"] == "parser" else credentials()
    out = {"kind": "not loaded"} if value is None else {"kind": "ok", "value": value}
except Exception as exc:
    out = {"kind": "error", "value": f"{type(exc).__name__}: {exc}"}
print(json.dumps(out))
"""


def run_botocore(job, env):
    """botocore's outcome for ``job``, in a process with the case's variables (and
    PATH, for credential_process)."""
    env = dict(env, PATH=os.environ.get("PATH", ""))
    job = dict(job, repo=conformance.REPO)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode:
        raise AssertionError(f"the botocore driver failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def _exchanges(case_dir):
    path = os.path.join(case_dir, "http-traffic.json")
    if not os.path.exists(path):
        return []
    return [
        {
            "key": list(e["key"]),
            "status": e["status"],
            "headers": e["headers"],
            "body": e["body"].decode("latin-1"),
        }
        for e in conformance.Recording(path).exchanges
        if "key" in e
    ]


def botocore_outcome(case):
    """botocore on the case's staged files, variables and recording."""
    if case.suite in ("default-chain", "profile-provider"):
        environ = conformance._load_json(os.path.join(case.data, "env.json"))
        files = os.path.join(case.data, "fs")
        with conformance.staged(files, environ) as (env, _):
            job = {
                "mode": "credentials",
                "profile": None,
                "without": NOT_PROFILE if case.suite == "profile-provider" else [],
                "exchanges": _exchanges(case.data),
            }
            return run_botocore(job, env)
    if case.suite == "assume-role":
        with conformance.staged_profile_set(case.data) as env:
            profile = case.data["input"]["selected_profile"]
            job = {"mode": "credentials", "profile": profile, "without": NOT_PROFILE}
            return run_botocore(job, env)
    if case.suite == "profile-parser":
        with conformance.staged_parser_files(case.data) as env:
            job = {
                "mode": "parser",
                "config": env["AWS_CONFIG_FILE"],
                "credentials": env["AWS_SHARED_CREDENTIALS_FILE"],
                "probe": conformance._PROBE,
            }
            return run_botocore(job, env)
    raise AssertionError(f"no botocore runner for {case.suite}")


def same_parse(mine, theirs):
    """Parsed profiles alike; botocore parses a block of sub-properties into a dict
    where minicreds keeps its text, so such values are not compared."""
    if mine["profiles"].keys() != theirs["profiles"].keys():
        return False
    for name, values in mine["profiles"].items():
        other = theirs["profiles"][name]
        if values.keys() != other.keys():
            return False
        if any(
            not isinstance(other[k], dict) and values[k] != other[k] for k in values
        ):
            return False
    return True


def same_credentials(mine, theirs):
    names = ("access_key_id", "secret_access_key", "session_token")
    return all(mine[n] == theirs[n] for n in names)


@unittest.skipUnless(HAVE_BOTOCORE, "botocore is not installed")
@unittest.skipUnless(conformance.available(), f"{conformance.DATA} not found")
class BotocoreSharesEachDeviation(unittest.TestCase):
    def test_each_deviation(self):
        cases = [c for c in conformance.all_cases() if c.key in conformance.DEVIATIONS]
        self.assertTrue(cases)
        for case in cases:
            with self.subTest(suite=case.suite, case=case.name):
                mine = case.play()[1]
                theirs = botocore_outcome(case)
                message = f"minicreds: {mine!r}; botocore: {theirs}"
                self.assertEqual(mine.kind, theirs["kind"], message)
                if mine.kind == "ok":
                    same = (
                        same_parse
                        if case.suite == "profile-parser"
                        else same_credentials
                    )
                    self.assertTrue(same(mine.value, theirs["value"]), message)


if __name__ == "__main__":
    unittest.main()
