"""File-level faults against every provider that reads a file (issue 10;
README, "Failure behaviour", the table of files).

Each row of ``SOURCES`` is one file a provider reads: a factory that builds the
provider for a path, the valid contents, and how to tell the credentials it must
find. Each fault of ``FAULTS`` damages that file (empty, binary, huge, unreadable,
a directory, a symlink loop) or changes its encoding (BOM, CRLF line ends, non-UTF-8
bytes), and the provider must end in the documented outcome: the credentials, None
(not configured), or a ``ConfigError`` that names the file and quotes none of it.

"Unreadable" uses ``chmod 000`` when the tests do not run as root; as root (CI),
where permissions do not stop a read, ``open()`` in minicreds is made to raise the
``PermissionError`` the kernel would.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import unittest
from unittest import mock

import minicreds
from minicreds import (
    AWSConfigProvider,
    ConfigError,
    Credentials,
    CredentialsError,
    MinioClientConfigProvider,
)
from tests import support
from tests.fakes import ACCOUNT, SSO_START_URL, iso_in, role_arn, sts_success_xml
from tests.support import FakeServer, Response

ACCESS = "AKIAFILEFAULTS000001"
SECRET = "file-fault-secret-Wq8Ez3Rt6Y"
TOKEN = "file-fault-token-Ui1Op4As7D"
JWT = "eyJhbGciOiJSUzI1NiJ9.file-fault-jwt.Gh2Jk5Lz8X"
AUTH_TOKEN = "file-fault-container-auth-Cv3Bn6Mq"
STS_ACCESS = "ASIAFILEFAULTSTS0001"
STS_SECRET = "file-fault-sts-secret-Pl0Ok9Ij"
SSO_TOKEN = "file-fault-sso-access-token-Zx9Cv8"
SECRETS = (SECRET, TOKEN, JWT, AUTH_TOKEN, STS_SECRET, SSO_TOKEN)
HUGE = 5 * 1024 * 1024  # over the 4 MiB a file may hold
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0  # root reads a mode-0 file


def _sts_answer(request):
    action = "AssumeRoleWithWebIdentity"
    document = sts_success_xml(action, STS_ACCESS, STS_SECRET, TOKEN, iso_in(3600))
    return Response(200, document)


def _container_answer(request):
    return Response(
        200,
        {
            "AccessKeyId": STS_ACCESS,
            "SecretAccessKey": STS_SECRET,
            "Token": TOKEN,
            "Expiration": iso_in(3600),
        },
    )


def _sso_answer(request):
    expires = int(time.time() + 3600) * 1000
    found = {"accessKeyId": STS_ACCESS, "secretAccessKey": STS_SECRET}
    found.update(sessionToken=TOKEN, expiration=expires)
    return Response(200, {"roleCredentials": found})


class Source:
    """A file some provider reads.

    ``make(path, ctx)`` returns the provider reading ``path`` (``ctx``: the test
    case, for its temp dir and fake servers); ``text``: valid contents; ``check(ctx,
    creds)``: asserts the credentials found are the ones in (or got with) the file;
    ``empty``: the outcome of an empty file (``None`` or ``ConfigError``);
    ``broken``: contents with a syntax error on the line of a secret (token files
    have no syntax: None); ``error``: the class of the error a damaged file gives.
    """

    def __init__(self, name, make, text, check, *, empty, broken=None,
                 error=ConfigError):  # fmt: skip
        self.name, self.make, self.text, self.check = name, make, text, check
        self.empty, self.broken, self.error = empty, broken, error

    def __repr__(self):
        return self.name


def _static(ctx, creds):
    ctx.assertEqual(creds, Credentials(ACCESS, SECRET, TOKEN))


def _from_sts(ctx, creds):
    ctx.assertEqual((creds.access_key, creds.secret_key), (STS_ACCESS, STS_SECRET))


def _jwt_sent(ctx, creds):
    _from_sts(ctx, creds)
    form = ctx.server.requests[-1].form
    ctx.assertEqual(form["WebIdentityToken"], [JWT])


def _auth_sent(ctx, creds):
    _from_sts(ctx, creds)
    ctx.assertEqual(ctx.server.requests[-1].headers["Authorization"], AUTH_TOKEN)


INI = (
    "# minicreds file-fault test\n"
    "[default]\n"
    f"aws_access_key_id = {ACCESS}\n"
    f"aws_secret_access_key = {SECRET}\n"
    f"aws_session_token = {TOKEN}\n"
)
MC_JSON = (
    '{\n  "version": "10",\n  "aliases": {\n    "s3": {\n'
    '      "url": "https://s3.amazonaws.com",\n'
    f'      "accessKey": "{ACCESS}",\n      "secretKey": "{SECRET}",\n'
    f'      "sessionToken": "{TOKEN}",\n'
    '      "api": "s3v4",\n      "path": "auto"\n    }\n  }\n}\n'
)

# The parsers' own exceptions quote the line (configparser) or hold the document
# (json): none of that may reach the error raised, its cause or its context.
BROKEN_INI = INI.replace("aws_secret_access_key = ", "aws_secret_access_key ")
BROKEN_JSON = MC_JSON.replace(f'"{SECRET}",', f'"{SECRET}" "x",')


def _aws_credentials_file(path, ctx, profile=None):
    environ = {"AWS_SHARED_CREDENTIALS_FILE": path}
    environ["AWS_CONFIG_FILE"] = os.path.join(ctx.tmp, "absent-config")
    if profile:
        environ["AWS_PROFILE"] = profile
    return AWSConfigProvider(environ=environ)


def _aws_config_file(path, ctx):
    environ = {"AWS_CONFIG_FILE": path}
    environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(ctx.tmp, "absent-creds")
    return AWSConfigProvider(environ=environ)


def _web_identity_file(path, ctx):
    return minicreds.IamAwsProvider(
        environ={
            "AWS_WEB_IDENTITY_TOKEN_FILE": path,
            "AWS_ROLE_ARN": role_arn("file-fault"),
            "AWS_ENDPOINT_URL_STS": ctx.server.url + "/sts",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )


def _container_token_file(path, ctx):
    return minicreds.ContainerProvider(
        environ={
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": ctx.server.url + "/container",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": path,
        }
    )


def _profile_web_identity_file(path, ctx):
    config = os.path.join(ctx.tmp, "config-web-identity")
    with open(config, "w") as handle:
        handle.write(
            f"[profile wi]\nrole_arn = {role_arn('file-fault')}\n"
            f"web_identity_token_file = {path}\n"
        )
    environ = {"AWS_CONFIG_FILE": config, "AWS_PROFILE": "wi"}
    environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(ctx.tmp, "absent-creds")
    environ["AWS_ENDPOINT_URL_STS"] = ctx.server.url + "/sts"
    return AWSConfigProvider(environ=environ)


SSO_CACHE = json.dumps(
    {
        "startUrl": SSO_START_URL,
        "region": "us-east-1",
        "accessToken": SSO_TOKEN,
        "expiresAt": "2099-01-01T00:00:00Z",
    },
    indent=2,
)


def _sso_cache_file(path, ctx):
    # The cache file is named after the start URL's SHA-1: make that name the path.
    name = hashlib.sha1(SSO_START_URL.encode()).hexdigest() + ".json"
    link = os.path.join(os.path.dirname(path), name)
    os.symlink(os.path.basename(path), link)
    return minicreds.SSOProvider(
        SSO_START_URL, "us-east-1", ACCOUNT, "FaultRole",
        cache_dir=os.path.dirname(path),
        environ={"AWS_ENDPOINT_URL_SSO": ctx.server.url + "/sso"},
    )  # fmt: skip


def _sso_token_sent(ctx, creds):
    _from_sts(ctx, creds)
    sent = ctx.server.requests[-1].headers["x-amz-sso_bearer_token"]
    ctx.assertEqual(sent, SSO_TOKEN)


SOURCES = [
    Source("AWS credentials file (implicit default profile)", _aws_credentials_file,
           INI, _static, empty=None, broken=BROKEN_INI),
    Source("AWS credentials file (AWS_PROFILE=default)",
           lambda path, ctx: _aws_credentials_file(path, ctx, "default"),
           INI, _static, empty=ConfigError, broken=BROKEN_INI),
    Source("AWS config file", _aws_config_file, INI, _static, empty=None,
           broken=BROKEN_INI),
    Source("mc config.json", lambda path, ctx: MinioClientConfigProvider(path),
           MC_JSON, _static, empty=ConfigError, broken=BROKEN_JSON),
    Source("AWS_WEB_IDENTITY_TOKEN_FILE", _web_identity_file, JWT + "\n", _jwt_sent,
           empty=ConfigError),
    Source("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", _container_token_file,
           AUTH_TOKEN + "\n", _auth_sent, empty=ConfigError),
    Source("web_identity_token_file of a profile", _profile_web_identity_file,
           JWT, _jwt_sent, empty=ConfigError),
    # An unusable token cache is reported as such, with the advice to log in again.
    Source("SSO token cache", _sso_cache_file, SSO_CACHE, _sso_token_sent,
           empty=CredentialsError, broken=SSO_CACHE.replace('",', '" "', 1),
           error=CredentialsError),
]  # fmt: skip


# --------------------------------------------------------------------------- faults


def _write(path, data):
    with open(path, "wb") as handle:
        handle.write(data)


def _empty(path, text):
    _write(path, b"")


def _binary(path, text):
    _write(path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x01\x80\x81")


def _huge(path, text):
    # Valid contents first, then 5 MiB: bounded reads must refuse, not parse.
    with open(path, "wb") as handle:
        handle.write(text.encode())
        handle.write(b"#" * HUGE + b"\n")


def _directory(path, text):
    os.mkdir(path)


def _loop(path, text):
    os.symlink(path + ".other", path)
    os.symlink(path, path + ".other")


def _bom(path, text):
    _write(path, b"\xef\xbb\xbf" + text.encode())


def _crlf(path, text):
    _write(path, text.replace("\n", "\r\n").encode())


def _non_utf8(path, text):
    # A Latin-1 byte before the secrets, after the first line if there are several.
    data = text.encode()
    start = data.index(b"\n") + 1 if b"\n" in data[:-1] else 0
    _write(path, data[:start] + b"caf\xe9\n" + data[start:])


@contextlib.contextmanager
def _unreadable(path, text):
    _write(path, text.encode())
    if not AS_ROOT:
        os.chmod(path, 0)
        try:
            yield
        finally:
            os.chmod(path, 0o600)
        return
    real_open = builtins.open

    def refusing_open(file, *args, **kwargs):
        if os.path.realpath(file) == os.path.realpath(path):
            raise PermissionError(13, "Permission denied", path)
        return real_open(file, *args, **kwargs)

    with mock.patch.object(minicreds, "open", refusing_open, create=True):
        yield


def _broken(path, text):
    _write(path, text.encode())


def _fifo(path, text):
    # Before minicreds opened files without blocking, each of these waited for the
    # guard to hand the FIFO the valid text, and found credentials.
    return support.fifo(path, text)


FOUND = "credentials"
FAULTS = [
    ("empty", _empty, "empty"),
    ("binary", _binary, ConfigError),
    ("huge (5 MiB)", _huge, ConfigError),
    ("unreadable", _unreadable, ConfigError),
    ("a directory", _directory, ConfigError),
    ("a symlink loop", _loop, ConfigError),
    ("UTF-8 BOM", _bom, FOUND),
    ("CRLF line ends", _crlf, FOUND),
    ("non-UTF-8 bytes", _non_utf8, ConfigError),
    ("syntax error beside a secret", _broken, ConfigError),
    ("a FIFO (named pipe)", _fifo, ConfigError),
]


class FileFaultTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="minicreds-file-faults-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)
        self.server.route("POST", "/sts", _sts_answer)
        self.server.route("GET", "/container", _container_answer)
        self.server.route("GET", "/sso/federation/credentials", _sso_answer)
        minicreds._file_cache.clear()

    def test_every_fault_against_every_file_provider(self):
        for source in SOURCES:
            for name, damage, outcome in FAULTS:
                with self.subTest(file=source.name, fault=name):
                    self._case(source, damage, outcome)

    def test_the_valid_files_work(self):
        # The baseline each fault departs from.
        for source in SOURCES:
            with self.subTest(file=source.name):
                path = os.path.join(self.tmp, "valid-" + str(SOURCES.index(source)))
                _write(path, source.text.encode())
                source.check(self, source.make(path, self).retrieve())

    def _case(self, source, damage, outcome):
        folder = tempfile.mkdtemp(dir=self.tmp)
        path = os.path.join(folder, "the-file")
        if outcome == "empty":
            outcome = source.empty
        provider = source.make(path, self)
        text = source.text
        if damage is _broken:
            if source.broken is None:
                return  # no syntax to break
            text = source.broken
        damaged = damage(path, text)
        damaged = damaged if damaged is not None else contextlib.nullcontext()
        with damaged, support.SecretWatch() as watch:
            try:
                found, error = provider.retrieve(), None
            except Exception as exc:  # noqa: BLE001 - checked below
                found, error = None, exc
        watch.assert_clean(self, *SECRETS, extra_texts=[error] if error else [])
        if outcome is FOUND:
            self.assertIsNone(error)
            source.check(self, found)
        elif outcome is None:
            self.assertIsNone(error)
            self.assertIsNone(found)
        else:
            if outcome is ConfigError:
                outcome = source.error
            self.assertIs(type(error), outcome, repr(error))
            self.assertIn(path if source.error is ConfigError else "", str(error))


if __name__ == "__main__":
    unittest.main()


# --------------------------------------------------------------------------- process

PROCESS_ARG = "process-arg-secret-Ed4Rf5Tg"  # on the command line: never in a message


def _output(data, *, status=0, sleep=0.0):
    """A credential_process command (this Python) printing ``data`` (bytes)."""
    code = (
        "import sys, time\n"
        f"time.sleep({sleep!r})\n"
        f"sys.stdout.buffer.write({bytes(data)!r})\n"
        "sys.stdout.flush()\n"
        f"sys.exit({status})\n"
    )
    return support.command_line(sys.executable, "-c", code, "--token", PROCESS_ARG)


def _process_doc(**fields):
    doc = {"Version": 1, "AccessKeyId": ACCESS, "SecretAccessKey": SECRET}
    doc.update(SessionToken=TOKEN, Expiration=iso_in(3600))
    doc.update(fields)
    return json.dumps({k: v for k, v in doc.items() if v is not None}, indent=2)


_GOOD = _process_doc().encode()
PROCESS_FAULTS = [
    # (name, command, outcome, text the message must hold)
    ("valid output", _output(_GOOD), FOUND, ""),
    ("UTF-8 BOM", _output(b"\xef\xbb\xbf" + _GOOD), FOUND, ""),
    ("CRLF line ends", _output(_GOOD.replace(b"\n", b"\r\n")), FOUND, ""),
    ("empty output", _output(b""), minicreds.TransportError, "not JSON"),
    ("binary output", _output(b"\x89PNG\r\n\x1a\n\x00\xff" + SECRET.encode()),
     minicreds.TransportError, "not JSON"),
    ("non-UTF-8 output", _output(_GOOD.replace(b"{", b"{\xe9", 1)),
     minicreds.TransportError, "not JSON"),
    ("truncated JSON", _output(_GOOD[: len(_GOOD) // 2 + 40]),
     minicreds.TransportError, "not JSON"),
    ("Version 2", _output(_process_doc(Version=2).encode()),
     minicreds.TransportError, "Version"),
    ("secret key missing", _output(_process_doc(SecretAccessKey=None).encode()),
     minicreds.TransportError, "SecretAccessKey"),
    ("expiration not a date", _output(_process_doc(Expiration="soon").encode()),
     minicreds.TransportError, "invalid"),
    ("expiration in the past",
     _output(_process_doc(Expiration="2001-01-01T00:00:00Z").encode()),
     minicreds.CredentialsError, "expired"),
    ("exit status 3 after printing secrets", _output(_GOOD, status=3),
     minicreds.CredentialsError, "status 3"),
    ("no such program", f"/nonexistent/minicreds-helper --token {PROCESS_ARG}",
     ConfigError, "cannot run"),
    ("badly quoted", f"helper 'unclosed --token {PROCESS_ARG}", ConfigError, ""),
    ("hangs past the timeout", _output(_GOOD, sleep=30.0),
     minicreds.TransportError, "killed"),
]  # fmt: skip


class ProcessOutputFaultTest(unittest.TestCase):
    """``credential_process``: the command's output is the file it reads (README,
    "Failure behaviour")."""

    def test_every_output_fault(self):
        for name, command, outcome, text in PROCESS_FAULTS:
            with self.subTest(fault=name):
                # Long enough for a Python to start on a loaded machine; the hang
                # is cut short.
                timeout = 0.5 if "hangs" in name else 10.0
                provider = minicreds.ProcessProvider(command, timeout=timeout)
                with support.SecretWatch() as watch:
                    try:
                        found, error = provider.retrieve(), None
                    except Exception as exc:  # noqa: BLE001 - checked below
                        found, error = None, exc
                secrets = (*SECRETS, PROCESS_ARG)
                watch.assert_clean(self, *secrets, extra_texts=[error] if error else [])
                if outcome is FOUND:
                    self.assertIsNone(error)
                    triple = (found.access_key, found.secret_key, found.session_token)
                    self.assertEqual(triple, (ACCESS, SECRET, TOKEN))
                    self.assertFalse(found.is_expired())
                else:
                    self.assertIs(type(error), outcome, repr(error))
                    self.assertIn(text, str(error))
