"""The AWS SDKs' shared credential test data, replayed against minicreds.

The data is the AWS SDK for Rust's (``aws-config/test-data`` and
``aws-runtime/test-data`` of smithy-lang/smithy-rs, Apache-2.0). It is read at run
time from ``../shared/sdk-test-data`` beside the repository and never copied into it;
without that folder every case is skipped with a reason naming it.

Each case runs the minicreds provider that plays the Rust provider's part, with:

* the case's variables as ``environ=`` and its file system staged in a temporary
  folder: absolute paths of the data (``/home``, ``/token.jwt``) are rewritten into
  it, in the variables and in the profile keys that name files;
* ``minicreds._http`` replaced by :class:`FakeHttp`, which notes the URL minicreds
  meant to call and answers from the recording (or, for the suites without one, as
  the service would), so the choice of endpoint is tested too; it answers only where
  the real ``_http`` would connect (:func:`connection_target`);
* the clock frozen through ``clock=`` (:func:`recording_clock`).

Outcomes are compared as the Rust harness compares them, except that error texts are
the Rust SDK's own and are not compared: an expected error agrees with any
``CredentialsError``, and an expected "not loaded" with ``None`` (the chain moving
on); any other exception never agrees. Where minicreds differs on purpose, and botocore does the same, the case is in
:data:`DEVIATIONS`; where it differs because of a bug to fix, in
:data:`KNOWN_FAILURES`. The ``aws login`` cases also check the DPoP proof of each
refresh and the token cache left behind.

``python3 -m tests.conformance`` prints the summary per suite (``--details``: every
case that does not simply agree, with its reason).
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import http.client
import json
import operator
import os
import re
import shutil
import sys
import tempfile
import time
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import minicreds

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "sdk-test-data"))
CONFIG_DATA = os.path.join(DATA, "aws-config", "test-data")
PARSER_DATA = os.path.join(
    DATA, "aws-runtime", "test-data", "profile-parser-tests.json"
)

# Causes of the known failures, one per bug to fix: none at present (the IPv6,
# endpoint_url, FIPS/dual-stack and sub-property bugs this harness found are fixed).
OTHER = "other"

# (suite, case): (cause, what goes wrong). Each case runs as an expected failure: once
# fixed, it passes, the run reports an unexpected success, and the entry goes.
KNOWN_FAILURES: dict[tuple[str, str], tuple[str, str]] = {}

# (suite, case): why minicreds differs on purpose, with botocore. Skipped with that
# reason; a listed case that agrees fails, so that the entry goes.
# tests/interop/test_conformance_botocore.py checks botocore's side of each claim.
_CREDENTIAL_SOURCE = (
    "a role whose credential_source has no credentials is an error, not 'nothing"
    " here' (botocore: CredentialRetrievalError)"
)
_NO_SHELL = (
    "credential_process runs without a shell, so '| base64 --decode' is echoed as"
    " arguments (botocore's ProcessProvider: no shell either)"
)
_SSO_TOKEN_PROFILE = (
    "a profile with neither sso_account_id nor sso_role_name has no SSO"
    " credentials: not configured, the chain moves on (botocore's SSOProvider)"
)
_INLINE_COMMENT = (
    "a comment after a value is part of the value: configparser, as botocore reads"
    " the files, has no inline comments"
)
_REPEATED_SECTION = (
    "a section repeated in one file makes the file unreadable: configparser's strict"
    " mode (botocore: ConfigParseError)"
)
_VERBATIM_CREDENTIALS = (
    "a section of the credentials file is the profile of exactly that name"
    " (botocore's SharedCredentialProvider)"
)
DEVIATIONS: dict[tuple[str, str], str] = {
    ("default-chain", "environment_variables_blank"): (
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of blanks are set: only empty"
        " means unset (botocore's EnvProvider)"
    ),
    ("default-chain", "imds_no_iam_role"): _CREDENTIAL_SOURCE,
    ("default-chain", "profile_overrides_web_identity"): _CREDENTIAL_SOURCE,
    ("profile-provider", "credential_process"): _NO_SHELL,
    ("profile-provider", "credential_process_account_id_fallback"): _NO_SHELL,
    ("profile-provider", "invalid_sso_credentials_config"): _SSO_TOKEN_PROFILE,
    ("profile-provider", "sso_token"): _SSO_TOKEN_PROFILE,
    (
        "assume-role",
        "invalid SSO token configuration: sso_region must be in sso-session",
    ): _SSO_TOKEN_PROFILE,
    ("assume-role", "SSO token profile selected"): _SSO_TOKEN_PROFILE,
    ("assume-role", "invalid SSO token configuration: sso-session not found"): (
        _SSO_TOKEN_PROFILE
    ),
    ("assume-role", "missing credentials error (empty source profile)"): (
        "a source_profile without credentials is a configuration error, not 'not"
        " loaded' (botocore: InvalidConfigError)"
    ),
    ("assume-role", "missing root profile (should never happen in practice)"): (
        "a profile named explicitly that does not exist is an error (botocore:"
        " ProfileNotFound)"
    ),
    (
        "profile-parser",
        "Profile names support alphanumeric characters and - / . % @ _ : +",
    ): (
        "[profile foo!bar] is a profile: any name that splits in two words, as"
        " botocore's config loader takes it"
    ),
    ("profile-parser", "Property definitions must contain an equals sign."): (
        "'key : value' is a property: configparser, as botocore reads the files,"
        " takes ':' as well as '='"
    ),
    ("profile-parser", "Pound sign comments are ignored."): _INLINE_COMMENT,
    ("profile-parser", "Semicolon sign comments are ignored."): _INLINE_COMMENT,
    ("profile-parser", "All comment types can be used together."): _INLINE_COMMENT,
    ("profile-parser", "Comments can be empty."): _INLINE_COMMENT,
    ("profile-parser", "Duplicate profiles in the same file merge properties."): (
        _REPEATED_SECTION
    ),
    ("profile-parser", "Duplicate properties in a profile use the last one defined."): (
        "a key repeated in one section makes the file unreadable: configparser's"
        " strict mode (botocore: ConfigParseError)"
    ),
    (
        "profile-parser",
        "Duplicate properties in duplicate profiles use the last one defined.",
    ): _REPEATED_SECTION,
    (
        "profile-parser",
        (
            "Duplicate properties in duplicate profiles use the last one defined"
            " (case insensitive)."
        ),
    ): _REPEATED_SECTION,
    (
        "profile-parser",
        (
            "Default profiles with mixed prefixes in the config file ignore the one"
            " without prefix when merging."
        ),
    ): _REPEATED_SECTION,
    ("profile-parser", "Default profiles with mixed prefixes merge with credentials"): (
        _REPEATED_SECTION
    ),
    (
        "profile-parser",
        (
            "Default profile with profile prefix overrides default profile without"
            " prefix when profile prefix is first."
        ),
    ): (
        "[default] and [profile default] are the same profile: the later section"
        " wins, as in botocore's config loader"
    ),
    ("profile-parser", "Invalid profile names are ignored."): _VERBATIM_CREDENTIALS,
    ("profile-parser", "Invalid property names are ignored."): (
        "a key with a space in it is kept, as configparser (botocore) keeps it"
    ),
    ("profile-parser", "Credentials profiles with prefix are ignored."): (
        _VERBATIM_CREDENTIALS
    ),
    ("profile-parser", "profile name with extra whitespace"): (
        "[   profile foo    ] is no profile: the section must start with 'profile'"
        " (botocore's config loader)"
    ),
    ("profile-parser", "profile name with extra whitespace in credentials"): (
        _VERBATIM_CREDENTIALS
    ),
    ("profile-parser", "Sub-property definitions cannot have an empty name."): (
        "an empty name in a sub-property block is accepted (botocore's config loader"
        " keeps it as the key '')"
    ),
}

# The Rust SDK's CredentialsNotLoaded texts: the provider found nothing to use.
_NOT_LOADED = ("was not enabled", "No environment variables were set")
# Variables and profile keys that name files: their absolute paths are staged.
_PATH_VARIABLES = (
    "HOME",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CA_BUNDLE",
)
_PATH_KEYS = re.compile(
    r"^(\s*(?:web_identity_token_file|ca_bundle)\s*=\s*)(/.*)$", re.MULTILINE
)
# A time for the cases whose recording carries none: the recordings date from 2021.
_RECORDING_ERA = 1_630_000_000.0
_HOUR = 3600.0
_REAL_HTTP = minicreds._http
_IMDS_EXTENDED = "/latest/meta-data/iam/security-credentials-extended/"


# =====================================================================================
# Outcomes
# =====================================================================================


class Outcome:
    """What a provider did: ``kind`` "ok" (with ``value``), "not loaded", "error"
    (``value``: the message) or "crash" (an exception other than CredentialsError)."""

    def __init__(self, kind: str, value: object = None):
        self.kind, self.value = kind, value

    def __repr__(self) -> str:
        return f"{self.kind}: {self.value!r}" if self.value is not None else self.kind


def outcome_of(call, found=lambda value: value):
    """Run ``call``; ``found`` turns what it returned (not None) into the ok value."""
    try:
        value = call()
    except minicreds.CredentialsError as exc:
        return Outcome("error", str(exc))
    except Exception as exc:  # a traceback from deep inside: never right
        return Outcome("crash", f"{type(exc).__name__}: {exc}")
    return Outcome("not loaded") if value is None else Outcome("ok", found(value))


def expected_result(result: dict) -> Outcome:
    """The Rust harness's result: ``Ok``, ``ErrorContains`` or ``Err``."""
    if "Ok" in result:
        return Outcome("ok", result["Ok"])
    text = result.get("ErrorContains", result.get("Err", ""))
    if any(words in text for words in _NOT_LOADED):
        return Outcome("not loaded")
    return Outcome("error", text)


def credentials_fields(creds: minicreds.Credentials) -> dict:
    """Credentials as the Rust harness writes them."""
    expiry = creds.expiration
    return {
        "access_key_id": creds.access_key,
        "secret_access_key": creds.secret_key,
        "session_token": creds.session_token,
        "expiry": int(expiry.timestamp()) if expiry else None,
        "account_id": creds.account_id,
    }


def expected_credentials(fields: dict) -> dict:
    """The expected fields, absent ones as None."""
    names = ("access_key_id", "secret_access_key", "session_token", "expiry")
    names += ("account_id",)
    return {name: fields.get(name) for name in names}


def difference(expected: Outcome, actual: Outcome, same=None) -> str:
    """Why ``actual`` does not agree with ``expected``; "" when it does.

    ``same(expected value, actual value)`` compares two ok values (default ==).
    Error texts are not compared: the data's are the Rust SDK's.
    """
    if expected.kind != actual.kind:
        return f"expected {expected!r}, got {actual!r}"
    if expected.kind == "ok" and not (same or operator.eq)(
        expected.value, actual.value
    ):
        return f"expected {expected.value!r}, got {actual.value!r}"
    return ""


# =====================================================================================
# The fake transport
# =====================================================================================


def normal_url(url: str) -> str:
    """A URL compared by meaning: lower-case scheme and host, no default port, "/" for
    an empty path, the query's pairs sorted."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    port = "" if parts.port in (None, default) else f":{parts.port}"
    query = "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(parts.query, True)))
    path = parts.path or "/"
    return f"{parts.scheme.lower()}://{host}{port}{path}" + (
        f"?{query}" if query else ""
    )


class FakeHttp:
    """Stands in for ``minicreds._http``: notes each URL minicreds meant to call and
    answers with ``answer(method, url, headers, body)``, which returns (status,
    headers, body), or None for nothing listening there (a "connect" failure).

    It keeps ``_http``'s promises: ``attempts`` tries on connection failures (unless
    ``retry_connect`` is false), 5xx, 429 and ``retry_codes``, the last such answer
    returned; a 3xx refused. And it only answers a URL that ``_http`` would really
    reach: :func:`connection_target` asks the real ``_http`` where it connects.
    """

    def __init__(self, answer):
        self.answer = answer
        self.calls: list[tuple[str, str]] = []  # (method, URL) as minicreds asked

    def __call__(
        self,
        provider,
        method,
        url,
        *,
        headers=None,
        body=None,
        attempts=3,
        retry_connect=True,
        retry_codes=(),
        **kw,
    ):
        source = minicreds._safe_url(url)
        target = connection_target(provider, method, url, kw)
        self.calls.append((method, url))
        last = None
        for _ in range(attempts):
            reply = None
            if target == _host_and_port(url):
                reply = self.answer(method, url, dict(headers or {}), body or b"")
            if reply is None:
                what = "nothing listening there"
                if target != _host_and_port(url):
                    what = f"http.client connects to {target[0]!r} port {target[1]}"
                last = minicreds.TransportError(what, provider, source, kind="connect")
                if not retry_connect:
                    raise last
            elif 300 <= reply[0] < 400:
                what = (
                    f"HTTP {reply[0]} redirect refused (redirects are never followed)"
                )
                raise minicreds.TransportError(what, provider, source)
            elif _worth_a_retry(reply, retry_codes):
                last = reply
            else:
                return reply
        if isinstance(last, tuple):
            return last
        raise last


def _worth_a_retry(reply, retry_codes) -> bool:
    """5xx, 429, or an error whose first <Code> is in ``retry_codes``."""
    status, _, data = reply
    code = data.partition(b"<Code>")[2].partition(b"</Code>")[0]
    return status >= 500 or status == 429 or (status >= 400 and code in retry_codes)


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


class _Connected(Exception):
    """Raised instead of connecting, with the (host, port) it would connect to."""


def _refuse(connection):
    host = connection._tunnel_host or connection.host
    raise _Connected(host, connection._tunnel_port or connection.port)


def connection_target(provider, method, url, kw) -> tuple[str, int]:
    """(host, port) that the real ``_http`` connects to for ``url`` (no socket is
    opened: http.client's connections raise instead of connecting). What ``_http``
    raises before it connects (a URL that is not http(s), a CA file it cannot load)
    is raised."""
    settings = {k: kw[k] for k in ("ca_file", "cert") if k in kw}
    with contextlib.ExitStack() as stack:
        for cls in (http.client.HTTPConnection, http.client.HTTPSConnection):
            stack.enter_context(mock.patch.object(cls, "connect", _refuse))
        try:
            _REAL_HTTP(
                provider, method, url, attempts=1, retry_connect=False, proxy=False,
                **settings,
            )  # fmt: skip
        except _Connected as where:
            return where.args
    raise AssertionError("_http answered without connecting")  # pragma: no cover


class Recording:
    """The exchanges of an ``http-traffic.json``, answered in order: each request is
    answered by the first unused exchange with the same method and URL."""

    def __init__(self, path: str):
        with open(path, encoding="utf-8") as f:
            events = json.load(f)["events"]
        connections: dict[int, dict] = {}
        for event in events:
            exchange = connections.setdefault(event["connection_id"], {"body": b""})
            action = event["action"]
            if "Request" in action:
                request = action["Request"]["request"]
                exchange["key"] = (request["method"], normal_url(request["uri"]))
            elif "Response" in action:
                response = action["Response"]["response"]["Ok"]
                exchange["status"] = response["status"]
                exchange["headers"] = {
                    k.lower(): ", ".join(v) for k, v in response["headers"].items()
                }
            elif "Data" in action and action["Data"]["direction"] == "Response":
                exchange["body"] += action["Data"]["data"].get("Utf8", "").encode()
        self.exchanges = [connections[k] for k in sorted(connections)]
        self.used: set[int] = set()

    def answer(self, method, url, headers, body):
        key = (method, normal_url(url))
        for i, exchange in enumerate(self.exchanges):
            if i not in self.used and exchange.get("key") == key:
                self.used.add(i)
                return exchange["status"], exchange["headers"], exchange["body"]
        if _IMDS_EXTENDED in url:
            # The recordings predate the instance metadata service's extended
            # credentials path; the service of their day answers 404 there.
            return 404, {}, b""
        return None

    def times(self) -> tuple[list[float], list[float]]:
        """(the Date headers of the answers, every expiry their bodies carry)."""
        dates = [
            email.utils.parsedate_to_datetime(e["headers"]["date"]).timestamp()
            for e in self.exchanges
            if "date" in e.get("headers", {})
        ]
        expiries = [t for e in self.exchanges for t in _expiries(e["body"])]
        return dates, expiries


def _expiries(body: bytes) -> list[float]:
    """Expiry times in an STS, container, IMDS or SSO answer."""
    text = body.decode("utf-8", "replace")
    stamps = re.findall(
        r"Expiration\W+(\d{4}-\d\d-\d\d[T ][^\"<\s]+)", text, re.IGNORECASE
    )
    found = [minicreds._parse_time(s).timestamp() for s in stamps]
    millis = re.findall(r'"expiration"\s*:\s*(\d+)', text)
    return found + [int(m) / 1000 for m in millis]


def recording_clock(recording: Recording | None, expiry: float | None) -> float:
    """The recording's time: the first Date header of its answers, moved back an hour
    before the first expiry among its answers and the expected credentials if that
    comes earlier. The Rust harness calls each provider below any cache, so some
    recordings hand out credentials that had expired when they were made; minicreds
    refuses those (botocore too), which would hide the rest of the comparison."""
    dates, expiries = recording.times() if recording else ([], [])
    now = min(dates) if dates else _RECORDING_ERA
    expiries += [expiry] if expiry else []
    return min([now] + [t - _HOUR for t in expiries])


# =====================================================================================
# The staged file system
# =====================================================================================


def _staged_path(root: str, value: str) -> str:
    """A path of the data (absolute, or relative to its file system) in the copy."""
    return os.path.join(root, value.lstrip("/")) if value else value


@contextlib.contextmanager
def staged(files_dir: str | None, environ: dict, files: dict | None = None):
    """A temporary copy of a case's file system (the ``fs/`` folder, and ``files``:
    {path: text}), and the case's variables with their paths moved into it.

    The process's HOME points at the staged home meanwhile: minicreds expands "~"
    with ``os.path.expanduser``, which reads the process environment, not
    ``environ``. Yields (variables, root of the copy)."""
    tmp = tempfile.mkdtemp(prefix="minicreds-conformance-")
    try:
        root = os.path.join(tmp, "fs")
        if files_dir and os.path.isdir(files_dir):
            shutil.copytree(files_dir, root)
        os.makedirs(root, exist_ok=True)
        for name, text in (files or {}).items():
            path = _staged_path(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        _stage_profile_paths(root)
        env = {
            k: _staged_path(root, v) if k in _PATH_VARIABLES else v
            for k, v in environ.items()
        }
        # No HOME in the data: no home folder at all.
        env.setdefault("HOME", os.path.join(root, "no-home"))
        home = {"HOME": env["HOME"], "USERPROFILE": env["HOME"]}
        with mock.patch.dict(os.environ, home):
            yield env, root
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _stage_profile_paths(root: str) -> None:
    """Rewrite the file paths named in the staged config and credentials files."""
    for folder, _, names in os.walk(root):
        for name in names:
            if name in ("config", "credentials"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                text = _PATH_KEYS.sub(lambda m: m[1] + _staged_path(root, m[2]), text)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)


@contextlib.contextmanager
def transport(answer):
    """``minicreds._http`` replaced by a :class:`FakeHttp` answering with ``answer``."""
    fake = FakeHttp(answer)
    with mock.patch.object(minicreds, "_http", fake):
        yield fake


# =====================================================================================
# Cases
# =====================================================================================


class Case:
    """One case of a suite. ``play()`` runs it: (expected outcome, minicreds'
    outcome, the comparison of two ok values); ``data`` is the case's folder or JSON
    object; ``pending`` (a reason) when part of the expectation waits for another
    issue."""

    def __init__(self, suite: str, name: str, play, data, pending: str = ""):
        self.suite, self.name, self.data, self.pending = suite, name, data, pending
        self._play = play

    def play(self) -> tuple[Outcome, Outcome, object]:
        return self._play(self.data)

    def run(self) -> str:
        """How minicreds differs from the expected outcome; "" when it agrees."""
        return difference(*self.play())

    @property
    def key(self) -> tuple[str, str]:
        return self.suite, self.name


def _unique(names: list[str]) -> list[str]:
    """Names made unique: a repeated one gets " #2", " #3"..."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return out


def _load_json(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --- default-chain and profile-provider: a folder per case ------------------------


def directory_cases(suite: str, folder: str, make_provider) -> list[Case]:
    """The cases of ``folder`` (``env.json``, ``fs/``, ``http-traffic.json``,
    ``test-case.json``), each run through ``make_provider(environ, clock)``."""
    base = os.path.join(CONFIG_DATA, folder)
    cases = []
    for name in sorted(os.listdir(base)):
        case_dir = os.path.join(base, name)
        play = functools.partial(_play_directory_case, make_provider)
        cases.append(Case(suite, name, play, case_dir))
    return cases


def _play_directory_case(make_provider, case_dir: str):
    test = _load_json(os.path.join(case_dir, "test-case.json"))
    expected = expected_result(test["result"])
    if expected.kind == "ok":
        expected.value = expected_credentials(expected.value)
    traffic = os.path.join(case_dir, "http-traffic.json")
    recording = Recording(traffic) if os.path.exists(traffic) else None
    expiry = expected.value["expiry"] if expected.kind == "ok" else None
    clock = recording_clock(recording, expiry)
    environ = _load_json(os.path.join(case_dir, "env.json"))
    with staged(os.path.join(case_dir, "fs"), environ) as (env, _):
        answer = recording.answer if recording else lambda *request: None
        with transport(answer):
            provider = make_provider(env, lambda: clock)
            actual = outcome_of(provider.retrieve, credentials_fields)
    return expected, actual, None


def default_chain_cases() -> list[Case]:
    """default_provider(), as the Rust SDK's DefaultCredentialsChain."""
    return directory_cases(
        "default-chain",
        "default-credential-provider-chain",
        lambda env, clock: minicreds.default_provider(environ=env, clock=clock),
    )


def profile_provider_cases() -> list[Case]:
    """AWSConfigProvider, as the Rust SDK's ProfileFileCredentialsProvider."""
    return directory_cases(
        "profile-provider",
        "profile-provider",
        lambda env, clock: minicreds.AWSConfigProvider(environ=env, clock=clock),
    )


# --- URL suites: ecs-tests.json and imds-endpoint-tests.json -----------------------

_FROZEN = 1_600_000_000.0  # the clock of the suites without a recording


def _service_answer(method, url, headers, body):
    """What a container endpoint or an instance metadata service answers."""
    return _metadata_answer(urlsplit(url).path, "ASIASERVICE")


def _metadata_answer(path: str, key: str):
    """An IMDS token, role list or credentials, or container credentials (``key``),
    valid an hour from the frozen clock."""
    if path.endswith("/api/token"):
        return 200, {}, b"imds-token"
    if path.endswith("/security-credentials/"):
        return 200, {}, b"role"
    answer = {
        "Code": "Success",
        "AccessKeyId": key,
        "SecretAccessKey": "service-secret",
        "Token": "service-token",
        "Expiration": _an_hour_on(),
    }
    return 200, {}, json.dumps(answer).encode()


def _an_hour_on() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_FROZEN + _HOUR))


def _first_url(provider_of, environ: dict) -> Outcome:
    """Run ``provider_of(environ)``; ok value: the first URL it meant to call."""
    with transport(_service_answer) as fake:
        actual = outcome_of(provider_of(environ).retrieve)
    if actual.kind == "ok":
        actual.value = normal_url(fake.calls[0][1]) if fake.calls else None
    return actual


def _expected_url(test: dict) -> Outcome:
    expected = expected_result(test["result"])
    if expected.kind == "ok":
        expected.value = normal_url(expected.value)
    return expected


def ecs_cases() -> list[Case]:
    """ContainerProvider: the container variables and the URI they give."""
    tests = _load_json(os.path.join(CONFIG_DATA, "ecs-tests.json"))["tests"]
    names = _unique([t["docs"] for t in tests])
    return [Case("ecs", name, _play_ecs_case, test) for name, test in zip(names, tests)]


def _play_ecs_case(test: dict):
    def provider_of(env):
        return minicreds.ContainerProvider(environ=env, clock=lambda: _FROZEN)

    with staged(None, test["env"]) as (env, _):
        actual = _first_url(provider_of, env)
    return _expected_url(test), actual, None


def imds_endpoint_cases() -> list[Case]:
    """Instance metadata endpoint settings and the token URL they give: through
    default_provider() (which reads the profile's settings), or IamAwsProvider with
    the Rust test's explicit endpoint or mode as its arguments."""
    path = os.path.join(CONFIG_DATA, "imds-config", "imds-endpoint-tests.json")
    tests = _load_json(path)["tests"]
    names = _unique([t["docs"] for t in tests])
    return [
        Case("imds-endpoint", name, _play_imds_case, test)
        for name, test in zip(names, tests)
    ]


def _play_imds_case(test: dict):
    def provider_of(env):
        clock = lambda: _FROZEN  # noqa: E731
        if "endpoint_override" in test or "mode_override" in test:
            return minicreds.IamAwsProvider(
                test.get("endpoint_override"), environ=env, clock=clock,
                ec2_metadata_service_endpoint_mode=test.get("mode_override"),
            )  # fmt: skip
        return minicreds.default_provider(environ=env, clock=clock)

    with staged(None, test["env"], test["fs"]) as (env, _):
        actual = _first_url(provider_of, env)
    return _expected_url(test), actual, None


# --- assume-role-tests.json: the chain a profile set resolves to -------------------

# The keys each named source hands out, so that the chain can be read back from the
# access key that signed each AssumeRole call.
_NAMED_KEYS = {
    "AKIDENVIRONMENT": "Environment",
    "ASIAFROMIMDS": "Ec2InstanceMetadata",
    "ASIAFROMECS": "EcsContainer",
}
_ROLE_ENVIRON = {
    "AWS_ACCESS_KEY_ID": "AKIDENVIRONMENT",
    "AWS_SECRET_ACCESS_KEY": "environment-secret",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/conformance",
}
_FAR = "2199-01-01T00:00:00Z"


class RoleWorld:
    """Every service a profile can lead to (STS, SSO, instance metadata, container),
    noting each call as a step of the chain in the Rust data's terms."""

    def __init__(self):
        self.steps: list[dict] = []
        # The account ID of each source's credentials that signed a call, by access
        # key: it is never sent, so it is read where minicreds hands it over.
        self.accounts: dict[str, str | None] = {}

    def note_signer(self, source_credentials):
        """Wraps ``_STS._source_credentials`` to note the signer's account ID."""

        def noted(provider, name):
            creds = source_credentials(provider, name)
            if creds is not None:
                self.accounts[creds.access_key] = creds.account_id
            return creds

        return noted

    def answer(self, method, url, headers, body):
        parts = urlsplit(url)
        host = parts.hostname or ""
        headers = {k.lower(): v for k, v in headers.items()}
        if host == "169.254.169.254":
            return _metadata_answer(parts.path, "ASIAFROMIMDS")
        if host == "169.254.170.2":
            return _metadata_answer(parts.path, "ASIAFROMECS")
        if host.startswith("portal.sso."):
            return self._sso(host, dict(parse_qsl(parts.query)), headers)
        if host.startswith("sts."):
            return self._sts(method, url, headers, body)
        return None

    def _sso(self, host, query, headers):
        token = headers.get("x-amz-sso_bearer_token", "")
        kind, _, name = token.partition(":")
        step = {
            "sso_region": host.split(".")[2],
            "sso_account_id": query.get("account_id"),
            "sso_role_name": query.get("role_name"),
            kind: name,  # sso_session, or sso_start_url: the token cache's key
        }
        self.steps.append({"Sso": step, "key": "ASIAFROMSSO"})
        answer = {
            "roleCredentials": {
                "accessKeyId": "ASIAFROMSSO",
                "secretAccessKey": "sso-secret",
                "sessionToken": "sso-token",
                "expiration": int(_FROZEN + _HOUR) * 1000,
            }
        }
        return 200, {}, json.dumps(answer).encode()

    def _sts(self, method, url, headers, body):
        form = dict(parse_qsl(body.decode()))
        key = f"ASIAROLE{len(self.steps) + 1}"
        role = {"role_arn": form.get("RoleArn")}
        if form.get("RoleSessionName"):
            role["role_session_name"] = form["RoleSessionName"]
        if form.get("Action") == "AssumeRoleWithWebIdentity":
            token = form.get("WebIdentityToken", "")
            role["web_identity_token_file"] = token.partition("jwt-from:")[2]
            self.steps.append({"WebIdentityToken": role, "key": key})
        else:
            role["external_id"] = form.get("ExternalId")
            auth = headers.get("authorization", "")
            signer = auth.partition("Credential=")[2].partition("/")[0]
            request = (method, url, headers, body)
            self.steps.append(
                {"AssumeRole": role, "key": key, "signer": signer, "request": request}
            )
        xml = (
            f"<R><Credentials><AccessKeyId>{key}</AccessKeyId>"
            "<SecretAccessKey>role-secret</SecretAccessKey>"
            "<SessionToken>role-token</SessionToken>"
            f"<Expiration>{_an_hour_on()}</Expiration></Credentials></R>"
        )
        return 200, {}, xml.encode()


def _signing_secret(request, secrets) -> str | None:
    """Which of ``secrets`` signed the AssumeRole ``request`` (None: none of them)."""
    import calendar

    method, url, headers, body = request
    auth = headers.get("authorization", "")
    access, _, region = auth.partition("Credential=")[2].split("/")[:3]
    stamp = time.strptime(headers.get("x-amz-date", ""), "%Y%m%dT%H%M%SZ")
    unsigned = {
        k: v
        for k, v in headers.items()
        if k not in ("authorization", "x-amz-date", "x-amz-security-token")
    }
    for secret in secrets:
        creds = minicreds.Credentials(
            access, secret, headers.get("x-amz-security-token")
        )
        signed = minicreds.sign_request(
            method, url, unsigned, body, credentials=creds, region=region,
            service="sts", now=calendar.timegm(stamp),
        )  # fmt: skip
        if signed["Authorization"] == auth:
            return secret
    return None


def _static_keys(access_key, secret_key, session_token, account_id=None) -> dict:
    fields = {"access_key_id": access_key, "secret_access_key": secret_key}
    if session_token:
        fields["session_token"] = session_token
    if account_id:
        fields["account_id"] = account_id
    return {"AccessKey": fields}


def _signer(step: dict, secrets, accounts) -> dict:
    """The source of a first AssumeRole call, from the key that signed it."""
    if step["signer"] in _NAMED_KEYS:
        return {"NamedSource": _NAMED_KEYS[step["signer"]]}
    request = step["request"]
    secret = _signing_secret(request, secrets)
    token = request[2].get("x-amz-security-token")
    return _static_keys(step["signer"], secret, token, accounts.get(step["signer"]))


def observed_chain(world: RoleWorld, creds: minicreds.Credentials, secrets) -> list:
    """The chain minicreds followed, in the data's terms: the base source, then each
    role. A role not signed with the previous step's key, or credentials other than
    the last step's, show as extra elements, so that the chain cannot match."""
    if not world.steps:  # static keys, returned as they are
        return [
            _static_keys(
                creds.access_key, creds.secret_key, creds.session_token,
                creds.account_id,
            )
        ]  # fmt: skip
    chain = []
    if "signer" in world.steps[0]:  # AssumeRole first: signed by the base source
        chain.append(_signer(world.steps[0], secrets, world.accounts))
    previous = None
    for step in world.steps:
        kind = next(k for k in ("AssumeRole", "WebIdentityToken", "Sso") if k in step)
        if previous and step.get("signer") != previous:
            chain.append({"signed by": step.get("signer"), "not by": previous})
        chain.append({kind: step[kind]})
        previous = step["key"]
    if previous != creds.access_key:
        chain.append({"returned": creds.access_key})
    return chain


def same_chain(expected: list, observed: list) -> bool:
    """Element by element; a role's session name is compared only when the data sets
    one (each SDK names sessions its own way), the SSO start URL only without an
    sso_session (the token cache is then found by the session's name)."""
    if len(expected) != len(observed):
        return False
    for want, got in zip(expected, observed):
        if list(want) != list(got):
            return False
        kind = next(iter(want))
        want, got = want[kind], got[kind]
        if not isinstance(want, dict):
            if want != got:
                return False
            continue
        names = set(want) | set(got)
        if "role_session_name" not in want:
            names.discard("role_session_name")
        if "sso_session" in want:
            names.discard("sso_start_url")
        if kind == "Sso":
            names &= set(want)  # only what the data asks for
        for name in names:
            if want.get(name) != got.get(name):
                return False
    return True


def assume_role_cases() -> list[Case]:
    """AWSConfigProvider on a profile set: the chain it follows (read from the calls
    it makes) against the chain the Rust SDK's profile resolution builds."""
    tests = _load_json(os.path.join(CONFIG_DATA, "assume-role-tests.json"))
    names = _unique([t["docs"] for t in tests])
    cases = []
    for name, test in zip(names, tests):
        cases.append(Case("assume-role", name, _play_assume_role_case, test))
    return cases


def _expected_chain(test: dict) -> Outcome:
    output = test["output"]
    if "ProfileChain" in output:
        return Outcome("ok", output["ProfileChain"])
    # The Rust SDK's profile provider turns these two resolution errors into "not
    # loaded" (ProfileFileCredentialsProvider::load_credentials).
    text = output["Error"]
    if text == "No profiles were defined" or text.endswith(
        "did not contain credential information"
    ):
        return Outcome("not loaded")
    return Outcome("error", text)


def _profile_file(test: dict) -> str:
    """The profiles and sso-sessions of the test as a config file."""
    lines = []
    for name, values in test["input"]["profiles"].items():
        lines.append("[default]" if name == "default" else f"[profile {name}]")
        lines += [f"{key} = {value}" for key, value in values.items()]
    for name, values in test["input"].get("sso_sessions", {}).items():
        lines.append(f"[sso-session {name}]")
        lines += [f"{key} = {value}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def _web_identity_tokens(test: dict) -> dict:
    """A token file for each web_identity_token_file, saying which file it is."""
    paths = [
        values["web_identity_token_file"]
        for values in test["input"]["profiles"].values()
        if "web_identity_token_file" in values
    ]
    return {path: "jwt-from:" + path for path in paths}


def _sso_token_caches(test: dict) -> dict:
    """A valid token in the SSO cache (of HOME /home) for every start URL and
    session of the test, saying which key found it."""
    import hashlib

    keys = [("sso_session", name) for name in test["input"].get("sso_sessions", {})]
    for values in test["input"]["profiles"].values():
        if "sso_start_url" in values:
            keys.append(("sso_start_url", values["sso_start_url"]))
        if "sso_session" in values:
            keys.append(("sso_session", values["sso_session"]))
    files = {}
    for kind, name in keys:
        digest = hashlib.sha1(name.encode()).hexdigest()
        token = {"accessToken": f"{kind}:{name}", "expiresAt": _FAR}
        files[f"/home/.aws/sso/cache/{digest}.json"] = json.dumps(token)
    return files


@contextlib.contextmanager
def staged_profile_set(test: dict):
    """The test's profiles staged as a config file (an empty credentials file
    beside it), with its token files and a token in the SSO cache for each start
    URL and session, and variables for the named sources. Yields the variables."""
    files = {
        "/config": _profile_file(test),
        "/credentials": "",
        **_web_identity_tokens(test),
        **_sso_token_caches(test),
    }
    paths = {
        "HOME": "/home",
        "AWS_CONFIG_FILE": "/config",
        "AWS_SHARED_CREDENTIALS_FILE": "/credentials",
    }
    with staged(None, dict(_ROLE_ENVIRON, **paths), files) as (env, _):
        yield env


def _play_assume_role_case(test: dict):
    secrets = [
        values["aws_secret_access_key"]
        for values in test["input"]["profiles"].values()
        if "aws_secret_access_key" in values
    ]
    world = RoleWorld()
    noted = world.note_signer(minicreds._STS._source_credentials)
    with contextlib.ExitStack() as stack:
        env = stack.enter_context(staged_profile_set(test))
        stack.enter_context(transport(world.answer))
        stack.enter_context(
            mock.patch.object(minicreds._STS, "_source_credentials", noted)
        )
        provider = minicreds.AWSConfigProvider(
            profile=test["input"]["selected_profile"], environ=env,
            clock=lambda: _FROZEN,
        )  # fmt: skip
        chain = functools.partial(observed_chain, world, secrets=secrets)
        actual = outcome_of(provider.retrieve, chain)
    return _expected_chain(test), actual, same_chain


# --- profile-parser-tests.json ------------------------------------------------------

# A profile added to every credentials file, so that the loader, which returns the
# parsed files only when the selected profile exists, always returns them.
_PROBE = "conformance-probe"


def parsed_profiles(env: dict) -> dict:
    """The profiles and sso-sessions AWSConfigProvider's loader reads from the files
    named in ``env`` (the same profile in both files: the credentials file's keys
    win, as the providers merge them)."""
    _, files = minicreds.AWSConfigProvider(profile=_PROBE, environ=env)._load()
    creds, config = files.creds, files.config
    sessions = {
        name[len("sso-session ") :]: values
        for name, values in config.items()
        if name.startswith("sso-session ")
    }
    names = [n for n in config if not n.startswith(("sso-session ", "services "))]
    names += [n for n in creds if n not in config and n != _PROBE]
    profiles = {n: {**config.get(n, {}), **creds.get(n, {})} for n in names}
    return {"profiles": profiles, "sso_sessions": sessions}


def profile_parser_cases() -> list[Case]:
    """The config and credentials file parser, through AWSConfigProvider's loader."""
    tests = _load_json(PARSER_DATA)["tests"]
    names = _unique([t["name"] for t in tests])
    return [
        Case("profile-parser", name, _play_parser_case, test)
        for name, test in zip(names, tests)
    ]


@contextlib.contextmanager
def staged_parser_files(test: dict):
    """The test's config and credentials files (the latter with the probe profile),
    and the variables naming them. Yields the variables."""
    credentials = test["input"].get("credentialsFile", "")
    files = {
        "/config": test["input"].get("configFile", ""),
        "/credentials": credentials + f"\n[{_PROBE}]\n",
    }
    paths = {
        "AWS_CONFIG_FILE": "/config",
        "AWS_SHARED_CREDENTIALS_FILE": "/credentials",
    }
    with staged(None, paths, files) as (env, _):
        yield env


def same_profiles(want: dict, got: dict) -> bool:
    """The profiles, and the sso-sessions when the data lists them."""
    return want["profiles"] == got["profiles"] and (
        "sso_sessions" not in want or want["sso_sessions"] == got["sso_sessions"]
    )


def _play_parser_case(test: dict):
    output = test["output"]
    if "errorContaining" in output:
        expected = Outcome("error", output["errorContaining"])
    else:
        expected = Outcome("ok", output["config"])
    with staged_parser_files(test) as env:
        actual = outcome_of(functools.partial(parsed_profiles, env))
    return expected, actual, same_profiles


# --- login-provider-test-cases.json -------------------------------------------------

# The time of the data's refresh (its new expiresAt, less the 900 s it was given).
_LOGIN_NOW = 1_763_510_400.0  # 2025-11-19T00:00:00Z
_LOGIN_CACHE = "/home/.aws/login/cache"


def login_cases() -> list[Case]:
    """The ``aws login`` provider, through a profile with ``login_session``: its
    credentials, its error, and the cache it leaves."""
    tests = _load_json(os.path.join(CONFIG_DATA, "login-provider-test-cases.json"))
    names = _unique([t["documentation"] for t in tests])
    return [
        Case("login", name, _play_login_case, test) for name, test in zip(names, tests)
    ]


class SigninWorld:
    """The sign-in service of the data's ``mockApiCalls``: each call answered in
    order, once its body is the one expected and its DPoP proof verifies with the
    cached key (minicreds' own verifier)."""

    def __init__(self, test: dict):
        self.calls = list(test.get("mockApiCalls", []))
        self.problems: list[str] = []
        self.key = None
        for token in test["cacheContents"].values():
            if isinstance(token.get("dpopKey"), str):
                private = minicreds._p256_key_from_pem(token["dpopKey"])
                self.key = minicreds._p256_public_key(private)

    def answer(self, method, url, headers, body):
        if not self.calls or urlsplit(url).path != "/v1/token":
            return None
        call = self.calls.pop(0)
        if json.loads(body) != call["request"]["tokenInput"]:
            self.problems.append(f"unexpected body {body!r}")
        problem = dpop_problem(headers.get("DPoP", ""), self.key, method, url)
        if problem:
            self.problems.append(problem)
        if "response" in call:
            return 200, {}, json.dumps(call["response"]["tokenOutput"]).encode()
        status = call.get("responseCode", 400)
        answer = {"error": "INVALID_REQUEST", "message": "refused"}
        return (
            status,
            {"x-amzn-errortype": "ValidationException"},
            json.dumps(answer).encode(),
        )


def dpop_problem(proof: str, key, method: str, url: str) -> str:
    """What is wrong with a DPoP proof for ``method`` ``url``; "" when it is right."""
    import base64

    def decoded(part):
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    parts = proof.split(".")
    if len(parts) != 3 or key is None:
        return "no DPoP proof"
    header, claims = (json.loads(decoded(part)) for part in parts[:2])
    if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
        return f"DPoP header {header}"
    if (claims.get("htm"), claims.get("htu")) != (method, url):
        return f"DPoP claims {claims}"
    signed = ".".join(parts[:2]).encode()
    if not minicreds._p256_verify(key, signed, decoded(parts[2])):
        return "DPoP signature does not verify"
    return ""


def _login_outcome(test: dict) -> Outcome:
    """The data's first outcome: credentials, or an error."""
    first = test["outcomes"][0]
    if first["result"] != "credentials":
        return Outcome("error", first["result"])
    return Outcome("ok", {k: v for k, v in first.items() if k != "result"})


def _login_fields(creds: minicreds.Credentials) -> dict:
    expiry = (
        creds.expiration.strftime("%Y-%m-%dT%H:%M:%SZ") if creds.expiration else None
    )
    return {
        "accessKeyId": creds.access_key,
        "secretAccessKey": creds.secret_key,
        "sessionToken": creds.session_token,
        "accountId": creds.account_id,
        "expiresAt": expiry,
    }


def _play_login_case(test: dict):
    files = {"/config": test["configContents"], "/credentials": ""}
    for name, token in test["cacheContents"].items():
        files[f"{_LOGIN_CACHE}/{name}"] = json.dumps(token)
    paths = {
        "HOME": "/home",
        "AWS_CONFIG_FILE": "/config",
        "AWS_SHARED_CREDENTIALS_FILE": "/credentials",
        "AWS_REGION": "us-east-1",
    }
    world = SigninWorld(test)
    with staged(None, paths, files) as (env, root), transport(world.answer):
        provider = minicreds.AWSConfigProvider(
            profile="signin", environ=env, clock=lambda: _LOGIN_NOW
        )
        actual = outcome_of(provider.retrieve, _login_fields)
        cache = os.path.join(root, _LOGIN_CACHE.lstrip("/"))
        names = sorted(os.listdir(cache)) if os.path.isdir(cache) else []
        left = {name: _load_json(os.path.join(cache, name)) for name in names}
    expected = _login_outcome(test)
    problems = world.problems + [f"call not made: {c}" for c in world.calls]
    for outcome in test["outcomes"][1:]:
        if outcome["result"] == "cacheContents":
            want = {k: v for k, v in outcome.items() if k != "result"}
            if want != left:
                problems.append(f"cache left {left}, expected {want}")
    if problems and actual.kind == expected.kind:
        actual = Outcome("crash", "; ".join(problems))
    return expected, actual, None


# =====================================================================================
# All suites, and the summary
# =====================================================================================

SUITES = {
    "default-chain": default_chain_cases,
    "profile-provider": profile_provider_cases,
    "assume-role": assume_role_cases,
    "profile-parser": profile_parser_cases,
    "ecs": ecs_cases,
    "imds-endpoint": imds_endpoint_cases,
    "login": login_cases,
}


def available() -> bool:
    """Whether the data folder is there."""
    return os.path.isdir(CONFIG_DATA) and os.path.isfile(PARSER_DATA)


def all_cases() -> list[Case]:
    """Every case of every suite, in order ([] without the data)."""
    if not available():
        return []
    return [case for make in SUITES.values() for case in make()]


def verdict(case: Case) -> tuple[str, str]:
    """(status, detail): status "agree", "pending", "differ deliberately", "known
    failure", or, for a table to update, "unexpected difference", "deviation agrees"
    or "known failure agrees"."""
    diff = case.run()
    if case.key in DEVIATIONS:
        reason = DEVIATIONS[case.key]
        return ("differ deliberately", reason) if diff else ("deviation agrees", reason)
    if case.key in KNOWN_FAILURES:
        cause, what = KNOWN_FAILURES[case.key]
        detail = f"{cause}: {what}"
        return ("known failure", detail) if diff else ("known failure agrees", detail)
    if diff:
        return "unexpected difference", diff
    if case.pending:
        return "pending", case.pending
    return "agree", ""


COLUMNS = ("agree", "differ deliberately", "pending", "known failure")


def summary(cases=None) -> list[tuple[str, dict, list]]:
    """Per suite: (suite, {status: count}, [(case, status, detail) not agreeing])."""
    rows: dict[str, tuple[dict, list]] = {}
    for case in all_cases() if cases is None else cases:
        status, detail = verdict(case)
        counts, others = rows.setdefault(case.suite, ({}, []))
        counts[status] = counts.get(status, 0) + 1
        if status != "agree":
            others.append((case.name, status, detail))
    return [(suite, counts, others) for suite, (counts, others) in rows.items()]


def print_summary(details: bool = False, out=sys.stdout) -> None:
    """The summary as a Markdown table (for the README), then, with ``details``,
    every case that does not simply agree."""
    rows = summary()
    if not rows:
        print(f"no data: {DATA} not found", file=out)
        return
    extra = sorted({s for _, counts, _ in rows for s in counts} - set(COLUMNS))
    header = ("suite", "cases", *COLUMNS, *extra)
    print("| " + " | ".join(header) + " |", file=out)
    print("|" + "|".join(" --- " for _ in header) + "|", file=out)
    for suite, counts, _ in rows:
        cells = [suite, str(sum(counts.values()))]
        cells += [str(counts.get(status, 0)) for status in (*COLUMNS, *extra)]
        print("| " + " | ".join(cells) + " |", file=out)
    if details:
        for suite, _, others in rows:
            for name, status, detail in others:
                print(f"{suite}: {name}: {status}: {detail}", file=out)


if __name__ == "__main__":
    print_summary(details="--details" in sys.argv[1:])
