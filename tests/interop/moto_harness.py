"""A moto server with signature checking, for end-to-end STS tests (127.0.0.1 only).

Importing this module never fails: check ``HAVE_MOTO`` / ``HAVE_BOTO3`` and skip.

How moto authenticates (moto 5.x, as observed with moto_server): a counter of *unauthenticated* actions
starts at 0; while it is below ``INITIAL_NO_AUTH_ACTION_COUNT`` an action skips the signature
and permission checks and increments it; afterwards every action must be SigV4-signed by a
key moto knows and be allowed by the caller's policies. ``POST /moto-api/reset-auth`` (body:
the new count, sent as text/plain, not as a form) sets the limit and resets the counter; it
is not itself counted. ``GET /`` *is* counted (it is S3 ListBuckets; :meth:`MotoServer.start`
compensates). boto3 setup clients here make one attempt per call (no retries), so a setup
spends exactly :func:`setup_action_count` actions: 3 per user (CreateUser, PutUserPolicy,
CreateAccessKey), 2 per role (CreateRole, PutRolePolicy). A failed unauthenticated action
still counts. Alternatively start with ``no_auth_count=0`` and do the setup inside
``with server.unauthenticated():``, which needs no counting.

Role chaining: moto checks assumed-role (session token) signatures too. For a second hop,
the first role needs a permission policy allowing ``sts:AssumeRole`` (:meth:`create_role`
adds one) and the second role's trust policy must name the first role's *session*:
``arn:aws:sts::123456789012:assumed-role/ROLE/SESSION-NAME`` (see :func:`session_arn`).
moto does not enforce ``sts:ExternalId`` conditions nor check JWTs: check those on the wire.
"""

import atexit
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from tests.fakes import ACCOUNT
from tests.support import free_port

try:
    import boto3
    import botocore.config

    HAVE_BOTO3 = True
except ImportError:  # pragma: no cover
    boto3 = None
    HAVE_BOTO3 = False


def _installed(*names):
    import importlib.util

    try:
        return all(importlib.util.find_spec(n) is not None for n in names)
    except (ImportError, ValueError):  # pragma: no cover
        return False


HAVE_MOTO = _installed("moto", "flask")  # moto.server needs its "server" extras (flask)

REGION = "us-east-1"
SETUP_KEY_ID = (
    "AKIDMOTOSETUP0000000"  # fake keys for setup clients (unchecked while the
)
SETUP_SECRET = "moto-setup-secret-not-used-for-auth"  # no-auth count lasts)
ASSUME_ANY_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
    }
)


def setup_action_count(users=0, roles=0):
    """Unauthenticated actions spent by ``users`` :func:`create_user_with_keys` and
    ``roles`` :func:`create_role` calls."""
    return 3 * users + 2 * roles


def session_arn(role_arn, session_name):
    """The assumed-role ARN of a session: what a chained role's trust policy must name."""
    account = role_arn.split(":")[4]
    return "arn:aws:sts::%s:assumed-role/%s/%s" % (
        account,
        role_arn.rsplit("/", 1)[1],
        session_name,
    )


class MotoServer:
    """``python -m moto.server`` on 127.0.0.1 with ``INITIAL_NO_AUTH_ACTION_COUNT=N``.

    ``start()`` (or the context manager) waits until ``GET /`` answers (``timeout`` s; 200,
    or 500 when N is 0, as ``GET /`` is S3 ListBuckets: an action, counted or checked), then
    re-arms the budget to exactly N with reset-auth, as the probe spent one action;
    ``stop()`` kills the process and is registered with ``atexit``. Output goes to
    ``log_path`` (a temp file, removed on stop; ``log()`` reads it, e.g. for a failure
    message). ``url``: ``http://127.0.0.1:PORT``.
    """

    def __init__(self, no_auth_count=0, timeout=30.0):
        self.no_auth_count, self.timeout = no_auth_count, timeout
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.log_path = None

    def start(self):
        if not HAVE_MOTO:
            raise RuntimeError("moto is not installed")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.upper().startswith(("AWS_", "MOTO_"))
        }
        env.update(
            INITIAL_NO_AUTH_ACTION_COUNT=str(self.no_auth_count),
            AWS_ACCESS_KEY_ID=SETUP_KEY_ID,
            AWS_SECRET_ACCESS_KEY=SETUP_SECRET,
            AWS_DEFAULT_REGION=REGION,
        )
        fd, self.log_path = tempfile.mkstemp(prefix="moto-", suffix=".log")
        with os.fdopen(fd, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "moto.server",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        atexit.register(self.stop)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    r.read()
                break
            except urllib.error.HTTPError:  # up, but checking is on (500 when N is 0)
                break
            except OSError:  # URLError included: not listening yet
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                text = self.log()
                self.stop()
                raise RuntimeError("moto server did not start:\n" + text[-2000:])
            time.sleep(0.05)
        self.reset_auth(
            self.no_auth_count
        )  # the probe (S3 ListBuckets) spent an action
        return self

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(10)
            self.proc = None
        if self.log_path:
            with contextlib.suppress(OSError):
                os.remove(self.log_path)
            self.log_path = None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset_auth(self, n):
        """Let the next ``n`` actions through unauthenticated (0: check everything now)."""
        # not as a form (urllib's default type): Flask would eat the body, moto answer 500
        req = urllib.request.Request(
            self.url + "/moto-api/reset-auth",
            data=str(n).encode(),
            headers={"Content-Type": "text/plain"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read().decode())

    @contextlib.contextmanager
    def unauthenticated(self):
        """Inside: no checking (any number of actions); on exit: checking on again."""
        self.reset_auth("inf")
        try:
            yield self
        finally:
            self.reset_auth(0)

    def client(
        self,
        service,
        access_key=SETUP_KEY_ID,
        secret_key=SETUP_SECRET,
        session_token=None,
    ):
        """A boto3 client for this server (region us-east-1, one attempt per call)."""
        session = boto3.session.Session(
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            aws_session_token=session_token,
            region_name=REGION,
        )
        cfg = botocore.config.Config(retries={"total_max_attempts": 1})
        return session.client(service, endpoint_url=self.url, config=cfg)

    def create_user_with_keys(self, name):
        """An IAM user allowed ``sts:AssumeRole`` on ``*``, with a new access key
        (3 actions). Returns ``(access_key, secret_key)``."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName=name, PolicyName="assume-any", PolicyDocument=ASSUME_ANY_POLICY
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    def create_role(
        self, name, trust_principal_arn, external_id=None, allow_assume=True
    ):
        """A role trusting ``trust_principal_arn`` (optionally with an ``sts:ExternalId``
        condition, which moto does not enforce) and, if ``allow_assume``, allowed
        ``sts:AssumeRole`` on ``*`` so it can chain (2 actions, 1 without). Returns its ARN."""
        statement = {
            "Effect": "Allow",
            "Principal": {"AWS": trust_principal_arn},
            "Action": "sts:AssumeRole",
        }
        if external_id is not None:
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
        iam = self.client("iam")
        arn = iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [statement]}
            ),
        )["Role"]["Arn"]
        if allow_assume:
            iam.put_role_policy(
                RoleName=name, PolicyName="assume-any", PolicyDocument=ASSUME_ANY_POLICY
            )
        return arn


def user_arn(name, account=ACCOUNT):
    return "arn:aws:iam::%s:user/%s" % (account, name)
