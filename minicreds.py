# minicreds.py - AWS and MinIO credentials in one file, standard library only.
#
# Copyright (c) 2026 The minicreds authors
#
# Permission is hereby granted, free of charge, to any person obtaining a copy of this
# software and associated documentation files (the "Software"), to deal in the Software
# without restriction, including without limitation the rights to use, copy, modify,
# merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
# permit persons to whom the Software is furnished to do so, subject to the following
# conditions:
#
# The above copyright notice and this permission notice shall be included in all copies
# or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
# INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
# PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT
# HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
# CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE
# OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""minicreds: every way of getting AWS and MinIO credentials, in one file.

One module, standard library only, CPython 3.8 to 3.13. Copy ``minicreds.py`` into
any project (a Lambda package, an image, an air-gapped host) and it is installed.

It reads credentials from the environment, the AWS and mc config files,
``credential_process``, SSO, ``aws login``, EC2 instance metadata, ECS/EKS container
endpoints and STS (AssumeRole with a built-in SigV4 signer, web identity, and MinIO's
client grants, LDAP and certificate flavours), behind the MinIO SDK's provider
interface::

    import minicreds
    creds = minicreds.default_provider().retrieve()

With them it signs requests (``sign_request``), presigns URLs (``presign_url``) and
makes EKS tokens (``eks_token``).

Importing the module does nothing but define names: no network, file or
environment access. Run ``python3 minicreds.py --help`` for the command line.
"""

# Conventions, for a reader new to this file:
# - Injection: providers that read the environment take `environ=` (a mapping used
#   instead of os.environ; by default os.environ is read at each call, never kept),
#   and providers that cache take `clock=` (POSIX seconds; by default time.time).
# - Importing costs nothing: `import minicreds` only defines names. Heavy modules
#   (json, re, datetime, http.client, ...) are imported inside the functions that use
#   them; tests/test_module.py checks which modules an import loads.
# - Secrets never appear in a message, repr or log line. Errors are raised outside
#   `except` blocks (or `from None`), so no chained exception quotes a secret.
# - Time is aware UTC: every datetime carries timezone.utc; a naive one given to us
#   is taken as UTC.
# - Threads (free-threaded builds included): a module cache is read once, with
#   dict.get(), as another thread may empty it at any time; state read without a
#   lock is one attribute holding an object replaced whole; every check-then-act on
#   shared state (a refresh, a profile's source, a choice of source) holds a lock.
#   Lock holders get fresh locks in a child made by fork() and in a pickled copy.
# - Sections, each opened by a banner, in this order: Constants; Errors; Credentials
#   and Provider; Refresh engine; HTTP; SigV4; STS; then one per provider family:
#   Environment, Files, Process and SSO (with `aws login`), Container and instance
#   metadata, STS roles, MinIO STS; then Chain (with default_provider); ES256 (the
#   P-256 signer for DPoP proofs); Command line.

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # type checkers only: importing typing costs ~12 ms at run time
    import argparse
    import datetime
    import ssl
    from typing import (
        Any,
        Callable,
        Dict,
        Iterable,
        Mapping,
        NoReturn,
        Tuple,
        TypedDict,
        Union,
    )

    Clock = Callable[[], float]
    Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]  # as sign_request
    HeaderMap = Mapping[str, str]  # headers as a mapping only, as _http sends them
    Ini = Dict[str, Dict[str, str]]
    # Named so that signatures stay short: the compiler turns every annotation into
    # a string (PEP 563), and a cold import pays for it.
    Env = Union[Mapping[str, str], None]
    Reply = Tuple[int, Dict[str, str], bytes]
    Duration = Union[datetime.timedelta, int, None]
    Prompt = Union[Callable[[str], str], None]
    Jwt = Union[str, Callable[[], Any]]
    Fields = Tuple[Tuple[str, str], ...]  # a query's (name, value) pairs, encoded
    # A client certificate: its file, its key's file, and the key's password if any.
    Cert = Union[Tuple[str, str], Tuple[str, str, str]]
    # A profile's services section: each service's sub-properties, by service id.
    Services = Mapping[str, Mapping[str, str]]

    class Session(TypedDict, total=False):  # a profile's keywords for STS and SSO
        profile_settings: Mapping[str, str]
        profile_services: Services


__version__ = "0.1.0"

__all__ = [  # noqa: RUF022 - grouped by section, not sorted
    # Credentials, the provider interface and errors
    "Credentials",
    "Provider",
    "CredentialsError",
    "ConfigError",
    "STSError",
    "TransportError",
    "RefreshingProvider",
    # Static, environment and file providers
    "StaticProvider",
    "EnvAWSProvider",
    "EnvMinioProvider",
    "AWSConfigProvider",
    "MinioClientConfigProvider",
    # Process and SSO
    "ProcessProvider",
    "SSOProvider",
    "LoginProvider",
    # Container and instance metadata
    "ContainerProvider",
    "IamAwsProvider",
    # SigV4 and STS
    "sign_request",
    "presign_url",
    "eks_token",
    "AssumeRoleProvider",
    "WebIdentityProvider",
    "ClientGrantsProvider",
    "LdapIdentityProvider",
    "CertificateIdentityProvider",
    "CustomTokenIdentityProvider",
    # Chain
    "ChainedProvider",
    "default_provider",
    "__version__",
]

# =====================================================================================
# Constants
# =====================================================================================

_EXPIRY_SKEW = 10.0  # is_expired() from 10 s before expiry: README "Credentials"
_BLOCKING_WINDOW = 60.0  # callers wait for a refresh from here: README "Refreshing"
_MAX_BODY = 1 << 20  # largest HTTP response body read: README "Failure behaviour"
_MAX_FILE = 4 << 20  # largest file read (config, token): README "Failure behaviour"
_MAX_TIME_TEXT = 64  # longest time stamp read: README "Failure behaviour"
# The AWS partitions whose hosts are not under amazonaws.com and api.aws (botocore's
# partitions.json): the start of their region names, their domain and their
# dual-stack domain. China, the European sovereign cloud, the isolated regions.
_PARTITION_DOMAINS = (
    ("cn-", "amazonaws.com.cn", "api.amazonwebservices.com.cn"),
    ("eusc-de-", "amazonaws.eu", "api.amazonwebservices.eu"),
    ("us-iso-", "c2s.ic.gov", "api.aws.ic.gov"),
    ("us-isob-", "sc2s.sgov.gov", "api.aws.scloud"),
    ("eu-isoe-", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"),
    ("us-isof-", "csp.hci.ic.gov", "api.aws.hci.ic.gov"),
)
# The sign-in service of `aws login` has domains of its own (botocore 1.44's endpoint
# rules for signin); aws: aws.amazon.com.
_SIGNIN_DOMAINS = (
    ("cn-", "amazonaws.cn"),
    ("us-gov-", "amazonaws-us-gov.com"),
    ("eusc-de-", "amazonaws-eusc.eu"),
    ("us-iso-", "c2shome.ic.gov"),
    ("us-isob-", "sc2shome.sgov.gov"),
    ("eu-isoe-", "csphome.adc-e.uk"),
    ("us-isof-", "csphome.hci.ic.gov"),
)
# Most values that sections inherit from [DEFAULT] (settings x sections), which
# botocore would build one by one: README "Failure behaviour".
_MAX_INI_INHERITED = 1_000_000
_STS_VERSION = "2011-06-15"
_FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
# Regions that AWS_STS_REGIONAL_ENDPOINTS=legacy sends to the global STS host.
_LEGACY_STS_REGIONS = frozenset(
    "ap-northeast-1 ap-south-1 ap-southeast-1 ap-southeast-2 aws-global ca-central-1"  # noqa: SIM905
    " eu-central-1 eu-north-1 eu-west-1 eu-west-2 eu-west-3 sa-east-1 us-east-1"
    " us-east-2 us-west-1 us-west-2".split()
)
# Error codes that mean "slow down": retried like a 5xx (botocore's list, abridged).
_THROTTLE_CODES = tuple(
    b"Throttling ThrottlingException ThrottledException RequestThrottledException"
    b" TooManyRequestsException RequestLimitExceeded RequestThrottled SlowDown"
    b" PriorRequestNotComplete IDPCommunicationError".split()
)
# Error codes that may mean a signature's clock is off (the AWS SDK for JavaScript
# v3's list): README "Clock skew".
_SKEW_CODES = tuple(
    b"AuthFailure InvalidSignatureException RequestExpired RequestInTheFuture"
    b" RequestTimeTooSkewed SignatureDoesNotMatch".split()
)
_MASK = "****************"
# An entry of the AWS CLI's credential cache is used until 15 minutes before it
# expires (botocore's CachedCredentialFetcher): README "The AWS CLI's cache".
_SHARED_CACHE_MARGIN = 900.0
_SHARED_CACHE_DIR = os.path.join("~", ".aws", "cli", "cache")  # the AWS CLI's
# Where systems keep their CA bundle, tried when Python's default store holds no CA:
# macOS and Alpine, Debian and Ubuntu, Fedora and RHEL, openSUSE.
_CA_BUNDLES = (
    "/etc/ssl/cert.pem",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
)
_EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
# The query parameters presign_url writes: a given URL's own are replaced.
_PRESIGN_PARAMS = frozenset(
    "X-Amz-Algorithm X-Amz-Credential X-Amz-Date X-Amz-Expires"  # noqa: SIM905
    " X-Amz-SignedHeaders X-Amz-Security-Token X-Amz-Signature".split()
)
# The bytes of base64 (AWS's session tokens) and JWTs (MinIO's), which
# presign_url encodes with three replacements.
_TOKEN_BYTES = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/=-._~"
# What shlex reads as more than a letter (blanks, quotes, escape): a config section's
# name without them splits on its first blank (see _shell_words).
_SHELL_SPECIAL = frozenset(" \t\r\n'\"\\")
# Headers that proxies and HTTP libraries add, drop or rewrite on the way: returned
# by sign_request but never signed, as botocore leaves them (auth.py,
# SIGNED_HEADERS_BLACKLIST), so that a proxy rewriting User-Agent breaks nothing.
_UNSIGNED_HEADERS = frozenset(
    "connection expect keep-alive proxy-authenticate proxy-authorization te"  # noqa: SIM905
    " trailer transfer-encoding upgrade user-agent x-amzn-trace-id".split()
)

# =====================================================================================
# Errors
# =====================================================================================


class CredentialsError(ValueError):
    """A configured source failed. The message names the provider and the source.

    Subclasses ``ValueError`` as the MinIO SDK's errors do. Messages never carry a
    secret: no key, token, password or line of a credentials file.
    """

    def __init__(self, what: str, provider: str = "", source: str = ""):
        self.provider, self.source, self.what = provider, source, what
        text = f"{provider}: {what}" if provider else what
        super().__init__(f"{text} [{source}]" if source else text)


class ConfigError(CredentialsError):
    """Bad configuration: a file, an environment variable or an argument."""


class TransportError(CredentialsError):
    """The service could not be reached, or answered with something unusable."""

    def __init__(
        self, what: str, provider: str = "", source: str = "", *, kind: str = "other"
    ):
        super().__init__(what, provider, source)
        # kind: "connect": nothing accepted the connection; "read": it connected,
        # then the answer timed out or broke; "other": a bad answer.
        self.url, self.kind = source, kind


class STSError(CredentialsError):
    """A security token service (or another credentials service) refused.

    ``code``, ``message`` and ``request_id`` are the service's text with every
    character that is not printable escaped (``\\x1b``, ``\\r\\n``...): they reach
    terminals and logs.
    """

    def __init__(
        self,
        code: str,
        message: str,
        provider: str = "",
        source: str = "",
        *,
        request_id: str | None = None,
        status: int | None = None,
    ):
        code, message = _printable(code), _printable(message)
        what = f"{code or 'error'} (HTTP {status}){': ' if message else ''}{message}"
        super().__init__(what, provider, source)
        self.code, self.message, self.status = code, message, status
        self.request_id = request_id and _printable(request_id)

    def __reduce__(self) -> Any:  # picklable, as for concurrent.futures
        from functools import partial

        build = partial(type(self), request_id=self.request_id, status=self.status)
        return build, (self.code, self.message, self.provider, self.source)


def _printable(text: str) -> str:
    """Text from a server, fit for a terminal or a log line: each character that is
    not printable (ESC, BEL, CR, LF, C1 controls, direction overrides...) escaped as
    Python would show it, so that it can neither forge a line nor drive a terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


# =====================================================================================
# Credentials and Provider
# =====================================================================================


class Credentials:
    """Access key, secret key, optional session token and expiry. Immutable.

    ``expiration`` is an aware UTC datetime (a naive one is taken as UTC).
    ``account_id`` is the AWS account the keys belong to, where the source says
    (README "Account ID"); it is not a secret. ``repr()`` shows the access key and
    the account ID only.
    """

    __slots__ = (
        "_expires", "access_key", "account_id", "expiration", "secret_key",
        "session_token",
    )  # fmt: skip
    access_key: str
    secret_key: str
    session_token: str | None
    expiration: datetime.datetime | None
    account_id: str | None
    _expires: float | None

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        session_token: str | None = None,
        expiration: datetime.datetime | None = None,
        *,
        account_id: str | None = None,
    ):
        for what, key in (("access", access_key), ("secret", secret_key)):
            if not key or not isinstance(key, str):
                raise ValueError(f"{what} key must be a non-empty string")
        for what, text in (
            ("session token", session_token),
            ("account ID", account_id),
        ):
            if text and not isinstance(text, str):
                raise ValueError(f"the {what} must be a string")
        stamp = None
        if expiration is not None:
            utc = _datetime_utc()[1]  # a naive expiration is taken as UTC
            expiration = expiration.replace(tzinfo=expiration.tzinfo or utc)
            expiration = expiration.astimezone(utc)
            stamp = expiration.timestamp()
        values = (stamp, access_key, account_id or None, expiration, secret_key)
        for name, value in zip(self.__slots__, (*values, session_token or None)):
            object.__setattr__(self, name, value)  # in __slots__'s order

    def __setattr__(self, name: str, value: object = None) -> None:
        raise AttributeError("Credentials are immutable")

    __delattr__ = __setattr__

    def _key(self) -> tuple[Any, ...]:
        """The value: the four positional arguments, then the account ID."""
        return (
            self.access_key, self.secret_key, self.session_token, self.expiration,
            self.account_id,
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Credentials):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> Any:
        from functools import partial

        return partial(Credentials, account_id=self.account_id), self._key()[:4]

    def __repr__(self) -> str:
        token = "'****'" if self.session_token else "None"
        expiry = self.expiration.isoformat() if self.expiration else None
        return (
            f"Credentials(access_key={self.access_key!r}, secret_key='****',"
            f" session_token={token}, expiration={expiry!r},"
            f" account_id={self.account_id!r})"
        )

    def is_expired(self) -> bool:
        """True from 10 seconds before ``expiration``; never without one."""
        return self._expires is not None and time.time() >= self._expires - _EXPIRY_SKEW


if TYPE_CHECKING:
    from typing import Protocol as _Protocol
else:
    _Protocol = object  # a Protocol for type checkers only: typing costs ~12 ms


class Provider(_Protocol):
    """Base of all providers (a ``Protocol`` for type checkers).

    ``retrieve()`` returns ``Credentials``, or ``None`` when this source is not
    configured here; a configured source that fails raises ``CredentialsError``.
    """

    __slots__ = ()

    def retrieve(self) -> Credentials | None:
        raise NotImplementedError


def _name(provider: object) -> str:
    return type(provider).__name__


def _logger() -> Any:
    import logging

    return logging.getLogger("minicreds")


def _without_frames(exc: BaseException) -> BaseException:
    """``exc`` as it leaves a provider: without the frames below the provider's
    ``retrieve()`` and without the exceptions chained to it.

    Their local variables hold forms, tokens, keys and file contents, and error
    reporters that capture local variables (Sentry;
    ``traceback.TracebackException(capture_locals=True)``) would show them. The
    message says what failed and where (README "Errors").
    """
    exc.__cause__ = exc.__context__ = None
    return exc.with_traceback(None)


if TYPE_CHECKING:
    from typing import TypeVar

    _Retrieve = TypeVar("_Retrieve", bound=Callable[[Any], Any])


def _boundary(retrieve: _Retrieve) -> _Retrieve:
    """A provider's public ``retrieve()``, as the boundary that errors cross
    without the frames below it (see ``_without_frames``)."""

    def guarded(self: Any) -> Any:
        try:
            return retrieve(self)
        except BaseException as exc:  # noqa: BLE001 - raised again, frames cut
            raise _without_frames(exc) from None

    guarded.__name__, guarded.__qualname__ = retrieve.__name__, retrieve.__qualname__
    guarded.__doc__ = retrieve.__doc__
    return guarded  # type: ignore[return-value]


def _scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Remove any secret from text a server sent back (it may echo a request)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "****")
    return text[:500]


def _datetime_utc() -> tuple[type[datetime.datetime], datetime.timezone]:
    """The ``datetime`` class and UTC, from CPython's C module where there is one:
    ``import datetime`` on Python 3.8-3.11 builds the module's pure-Python twin
    first, ~0.8 ms of every command-line run. They are the very classes that
    ``datetime`` exports (which, from 3.12, imports the C module alone)."""
    try:
        from _datetime import datetime, timezone  # type: ignore[import-not-found]
    except ImportError:  # another Python, or a build without it
        from datetime import datetime, timezone
    return datetime, timezone.utc


def _parse_time(text: str) -> datetime.datetime:
    """ISO 8601 with 0-9 fractional digits and ``Z`` or an offset, on every Python.

    ``datetime.fromisoformat`` takes ``Z`` and 7-9 digits only from 3.11. The longest
    stamp is 35 characters: a text over 64 is refused unread, and blanks around the
    stamp are stripped before the pattern sees it, so that no run of blanks can make
    the pattern backtrack (a server sends the text: README "Failure behaviour").
    """
    import re

    if len(text) > _MAX_TIME_TEXT:
        raise ValueError(f"longer than {_MAX_TIME_TEXT} characters")
    m = re.fullmatch(
        r"(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?"
        r"\s*(?:[Zz]|([+-]\d\d):?(\d\d))?",
        text.strip(" \t\n\r\f\v"),  # the blanks \s stands for, with re.ASCII
        re.ASCII,  # \d: ASCII digits only, as fromisoformat() takes
    )
    if not m:
        raise ValueError("not an ISO 8601 date and time")
    day, clock, fraction, hours, minutes = m.groups("")
    # In the one form that fromisoformat() takes on every Python.
    stamp = (
        f"{day}T{clock}.{fraction.ljust(6, '0')[:6]}{hours or '+00'}:{minutes or '00'}"
    )
    datetime, utc = _datetime_utc()
    try:
        return datetime.fromisoformat(stamp).astimezone(utc)
    except OverflowError:  # year 1 or 9999 moved past the calendar by its offset
        raise ValueError("date out of range") from None


# =====================================================================================
# Refresh engine
# =====================================================================================


class _Cached:
    """What a ``RefreshingProvider`` holds: built whole, replaced whole, read
    without the lock (so a reader never sees half of an update)."""

    __slots__ = ("block_at", "credentials", "expires_at", "refresh_at")

    def __init__(
        self,
        credentials: Credentials,
        refresh_at: float,  # from here one caller refreshes, the others don't wait
        block_at: float,  # from here callers wait for the refresh
        expires_at: float,  # by the provider's clock; inf: they never expire
    ):
        self.credentials, self.refresh_at = credentials, refresh_at
        self.block_at, self.expires_at = block_at, expires_at


# The providers that hold locks, by weak reference, and whether the fork hook that
# gives them fresh locks in a child is registered: set up when the first of them is
# made (importing the module registers nothing).
_AT_FORK: dict[str, Any] = {}


def _fork_safe(holder: Any) -> None:
    """Have a child made by ``os.fork()`` call ``holder._make_locks()``: a lock that
    a thread of the parent held at the fork stays held in the child, where that
    thread does not exist, and the child's first caller would wait for ever."""
    import weakref

    holders = _AT_FORK.get("holders")
    if holders is None:
        new: weakref.WeakSet[Any] = weakref.WeakSet()
        holders = _AT_FORK.setdefault("holders", new)  # one wins, even in a race
        if holders is new and hasattr(os, "register_at_fork"):  # POSIX only
            os.register_at_fork(after_in_child=_new_locks_after_fork)
    holders.add(holder)


def _new_locks_after_fork() -> None:
    """In a child made by ``os.fork()``: fresh locks for every provider."""
    for holder in list(_AT_FORK["holders"]):
        holder._make_locks()


def _copied_state(holder: Any) -> dict[str, Any]:
    """``__getstate__`` of the providers that hold locks: a copy (pickle, a worker
    process) takes their configuration; what ``_uncopied`` names stays behind."""
    uncopied = holder._uncopied
    return {k: v for k, v in holder.__dict__.items() if k not in uncopied}


def _restore_copy(holder: Any, state: dict[str, Any]) -> None:
    """``__setstate__`` of the providers that hold locks: the configuration, fresh
    locks, and the cache of a new provider (the class's defaults)."""
    holder.__dict__.update(state)
    holder._make_locks()
    _fork_safe(holder)


class RefreshingProvider(Provider):
    """Caches what ``fetch()`` returns and refreshes it by the AWS SDKs' rules.

    A cached value is returned without a lock. From an early window before expiry
    (5, 15 or 60 minutes, by the lifetime seen at fetch) one caller refreshes while
    the others keep the cached credentials; a failed early refresh is tried again
    after a jittered 300-600 s. From 60 s before expiry callers wait for one
    refresh (single flight); if it fails they get the cached credentials while they
    are valid, else its error. ``clock`` returns POSIX seconds.
    """

    _state: _Cached | None = None
    # Fetches ended (success or failure) and the error of the last one, if it
    # failed: a caller that saw the count change while it waited for the lock
    # waited on that fetch and shares its outcome (single flight).
    _fetches = 0
    _failure: BaseException | None = None
    # What a copy (pickle) leaves behind: it starts with fresh locks, empty.
    _uncopied: tuple[str, ...] = ("_lock", "_state", "_fetches", "_failure")
    __getstate__ = _copied_state
    __setstate__ = _restore_copy

    def __init__(self, fetch: Callable[[], Credentials], *, clock: Clock = time.time):
        self._fetch = fetch
        self._clock = clock
        self._make_locks()
        _fork_safe(self)

    def _make_locks(self) -> None:
        """Fresh locks, unheld (a subclass adds its own): at construction and in a
        child made by fork(), where a lock held by a thread of the parent would
        never be released."""
        import threading

        self._lock = threading.Lock()

    def retrieve(self) -> Credentials:
        """The cached credentials, refreshed first when they are due."""
        state = self._state  # the fast path: one read of the state, one of the clock
        if state is not None and self._clock() < state.refresh_at:
            return state.credentials
        try:  # as _boundary does, past the fast path: it stays a read and a call
            return self._refresh_when_due(state)
        except BaseException as exc:  # noqa: BLE001 - raised again, frames cut
            raise _without_frames(exc) from None

    def _refresh_when_due(self, state: _Cached | None) -> Credentials:
        """Past the fast path: a refresh by this caller, or the outcome of another
        caller's (single flight); in the early window, nobody waits."""
        seen = self._fetches
        early = state is not None and self._clock() < state.block_at
        lock = self._lock  # released below even if replaced meanwhile
        # Early window: whoever gets the lock refreshes; nobody waits.
        if not lock.acquire(blocking=not early):
            return state.credentials  # type: ignore[union-attr]
        try:
            # The count moved: a fetch ended while this caller waited for the lock.
            return self._refresh(early, waited=seen != self._fetches)
        finally:
            lock.release()

    def _refresh(self, early: bool, waited: bool) -> Credentials:
        """Under the lock: the cache if it still serves, else a fetch, or the
        outcome of the failed fetch this caller waited on. ``early``: the caller
        came in the early window (and did not wait for the lock)."""
        current, now, failure = self._state, self._clock(), self._failure
        if current is not None and _still_serves(current, now, waited, failure):
            return current.credentials
        if failure is not None and waited:  # that fetch's caller logged it
            return _valid_or_raise(current, now, failure).credentials
        try:
            return self._fetch_and_install()
        except Exception as exc:  # noqa: BLE001 - served or raised below, outside
            failure = exc
        return self._serve_after_failure(current, failure, early)

    def _fetch_and_install(self) -> Credentials:
        """One fetch; its credentials become the cache. Counted either way, and its
        error kept, for the callers waiting on it."""
        try:
            creds = self._fetch()
            if not isinstance(creds, Credentials):
                raise CredentialsError("fetch() returned no credentials", _name(self))
            self._state = self._with_windows(creds, self._clock())
            self._failure = None
            return creds
        except Exception as exc:
            self._failure = exc
            raise
        finally:
            self._fetches += 1

    def _with_windows(self, creds: Credentials, now: float) -> _Cached:
        """New credentials with their early and blocking windows, by their lifetime."""
        expires = float("inf") if creds._expires is None else creds._expires
        if expires - _EXPIRY_SKEW <= now:
            what = "fetched credentials have already expired"
            raise CredentialsError(what, _name(self))
        life = expires - now  # picks the early window: 5, 15 or 60 min
        refresh = expires - (
            300.0 if life <= 1200 else 900.0 if life < 5400 else 3600.0
        )
        block = expires - _BLOCKING_WINDOW
        if refresh <= now:
            # Born inside its early window: asking again at once gains nothing, so
            # back off as after a failed early refresh.
            refresh = _retry_at(now, block)
        return _Cached(creds, refresh, block, expires)

    def _serve_after_failure(
        self, current: _Cached | None, failure: BaseException, early: bool
    ) -> Credentials:
        """This caller's refresh failed: log it and serve the cached credentials
        while they are valid (an early refresh backs off), else raise its error."""
        now = self._clock()  # the fetch may have taken a while
        current = _valid_or_raise(current, now, failure)
        log = "%s: refresh failed, using credentials valid for %d s more: %s"
        left = current.expires_at - now
        if early:
            retry = _retry_at(now, current.block_at)
            self._state = _Cached(
                current.credentials, retry, current.block_at, current.expires_at
            )
            log = "%s: early refresh failed, retrying in %d s: %s"
            left = max(retry - now, 0.0)
        _logger().warning(log, _name(self), left, _describe(failure))
        return current.credentials


def _still_serves(
    current: _Cached, now: float, waited: bool, failure: BaseException | None
) -> bool:
    """Whether the cache serves a caller that got the lock: not yet due, or just
    fetched by the caller it waited on (even if born inside its early window)."""
    if now < current.refresh_at:
        return True
    return waited and failure is None and now < current.expires_at - _EXPIRY_SKEW


def _valid_or_raise(
    current: _Cached | None, now: float, failure: BaseException
) -> _Cached:
    """After a failed refresh: the cache while it is valid, else the failure."""
    if current is None or now >= current.expires_at - _EXPIRY_SKEW:
        raise failure
    return current


def _retry_at(now: float, block: float) -> float:
    """The next early refresh: a jittered 300-600 s on, never past the blocking
    window."""
    import random

    return min(now + random.uniform(300.0, 600.0), block)


def _describe(exc: BaseException) -> str:
    """An exception as a log line: our messages are secret-free, others may not be."""
    return str(exc) if isinstance(exc, CredentialsError) else type(exc).__name__


# =====================================================================================
# HTTP
# =====================================================================================


def _safe_url(url: str) -> str:
    """The URL without userinfo, query or fragment, fit for a message."""
    from urllib.parse import urlsplit

    try:
        scheme, netloc, path, _, _ = urlsplit(url)
    except ValueError:  # an unbalanced "[" or "]" in an http(s) host: cut by hand
        scheme, found, rest = url.split("?")[0].split("#")[0].partition("://")
        if not found or scheme.lower() not in ("http", "https"):
            return "<invalid URL>"
        netloc, slash, path = rest.partition("/")
        path = slash + path
    if not scheme or not netloc:
        # Not a URL, so never shown: a caller may have put a secret where the URL
        # goes (minio-py's LDAP order puts the password third, where minicreds's own
        # order takes the endpoint).
        return "<not a URL>"
    return f"{scheme}://{netloc.rpartition('@')[2]}{path}"


def _cache_put(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """Store ``value`` in a small cache, emptied when full."""
    if len(cache) > 64:
        cache.clear()
    cache[key] = value


def _http(
    provider: str,
    method: str,
    url: str,
    *,
    headers: HeaderMap | None = None,
    body: bytes | None = None,
    timeout: float = 5.0,
    connect_timeout: float | None = None,
    attempts: int = 3,
    deadline: float = 10.0,
    retry_connect: bool = True,
    retry_codes: tuple[bytes, ...] = (),
    ca_file: str | None = None,
    cert: Cert | None = None,
    proxy: bool = True,
    environ: Env = None,
) -> Reply:
    """One HTTP exchange with a timeout, bounded retries and an overall deadline.

    Retries what ``_worth_retrying`` names; after the last attempt a 5xx, 429 or
    throttling answer is returned for the caller to report. Never follows a
    redirect. Raises ``TransportError`` naming the URL without its query.
    """
    where = (provider, _safe_url(url))  # what every error names
    parts, host, port = _split_url(url, where)
    https = parts.scheme == "https"
    route = _proxy_route(parts.scheme, host, environ, provider) if proxy else None
    # Through a tunnel (https), the request is the same as without a proxy.
    target, headers = _target_and_headers(parts, headers, None if https else route)
    _check_header_values(headers, where)
    conn = _connection(host, port, https, route, ca_file, cert, provider)

    def attempt(left: float) -> Reply | TransportError:
        return _attempt(
            conn, method, target, body, headers, left, timeout, connect_timeout, where
        )

    return _with_retries(attempt, attempts, deadline, retry_connect, retry_codes, where)


def _split_url(url: str, where: tuple[str, str]) -> tuple[Any, str, int | None]:
    """The parts of an http(s) URL, its host and its port; a ConfigError for any
    other URL, or one urlsplit cannot read (a bad port, an unbalanced bracket)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port  # a bad port raises ValueError
    except ValueError:
        host = port = None
        what = "not a valid URL (a bad port or bracket)"
    else:
        what = "not an http(s) URL"
        if parts.scheme in ("http", "https") and host:
            return parts, host, port
    raise ConfigError(what, *where)


def _check_header_values(headers: Mapping[str, str], where: tuple[str, str]) -> None:
    """Refuse a header value that RFC 9110 (section 5.5) does not allow: one with a
    line break or another control character (tab aside), or with a character
    outside Latin-1. http.client raises an exception that quotes such a value (a
    token, say) or sends it; the error here names the header only."""
    for name, value in headers.items():
        if value.isascii() and value.isprintable():
            continue  # the usual value, checked without a loop
        if any(c < " " and c != "\t" or c == "\x7f" or c > "\xff" for c in value):
            what = (
                f"the {name} header value has a line break, a control character "
                "or a character outside Latin-1"
            )
            raise ConfigError(what, *where)


def _proxy_route(
    scheme: str, host: str, environ: Env, provider: str
) -> tuple[tuple[str, int], dict[str, str]] | None:
    """The proxy's address and Proxy-Authorization header (the proxy that
    ``_proxy_setting`` finds); None to connect directly."""
    from urllib.parse import unquote, urlsplit

    setting = _proxy_setting(scheme, host, environ)
    if setting is None:
        return None
    via, where = setting
    try:
        proxied = urlsplit(via if "://" in via else f"http://{via}")
        address = (proxied.hostname or "", proxied.port or 8080)
    except ValueError:  # a bad port or bracket
        address = ("", 0)
    if not address[0]:  # named, not quoted: the value may hold a password
        raise ConfigError("not a valid proxy URL", provider, where)
    auth = {}
    if proxied.username:
        import base64

        user = f"{unquote(proxied.username)}:{unquote(proxied.password or '')}"
        token = base64.b64encode(user.encode()).decode()
        auth["Proxy-Authorization"] = f"Basic {token}"
    return address, auth


def _proxy_setting(scheme: str, host: str, environ: Env) -> tuple[str, str] | None:
    """The proxy URL for the scheme and where it was found: https_proxy or
    http_proxy (either case; README, "Choices where the AWS SDKs differ or are
    silent"), else the system's settings; None to connect directly."""
    env = os.environ if environ is None else environ
    variable = f"{scheme}_proxy"  # the lower-case name first, as urllib reads them
    variable = variable if env.get(variable) else variable.upper()
    via = env.get(variable)
    if via:
        return None if _bypasses_proxy(host, env) else (via, variable)
    if env is os.environ:  # a mapping given instead is the whole story
        via = _system_proxy(scheme, host)
    return (via, "the system proxy settings") if via else None


def _system_proxy(scheme: str, host: str) -> str | None:
    """The proxy that macOS's System Configuration or the Windows registry names for
    the scheme, asked as botocore asks (utils.py, get_environ_proxies): urllib's
    proxy_bypass(), then getproxies(). Elsewhere these read only the environment."""
    if os.name != "nt" and sys.platform != "darwin":
        return None
    import urllib.request

    try:  # botocore, too, goes on when the bypass check fails
        if urllib.request.proxy_bypass(f"[{host}]" if ":" in host else host):
            return None
    except (OSError, TypeError):
        pass
    return urllib.request.getproxies().get(scheme)


def _bypasses_proxy(host: str, env: Mapping[str, str]) -> bool:
    """Whether NO_PROXY names the host or a parent domain of it, or is "*"."""
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
    for entry in no_proxy.replace(" ", "").lower().split(","):
        entry = entry.lstrip(".")
        if entry == "*" or (entry and f".{host}".endswith(f".{entry}")):
            return True
    return False


def _target_and_headers(
    parts: Any,
    headers: HeaderMap | None,
    plain_proxy: tuple[tuple[str, int], dict[str, str]] | None,
) -> tuple[str, dict[str, str]]:
    """The request target and headers: a plain http proxy takes the whole URL (no
    fragment) and its own credentials."""
    if plain_proxy is None:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return target, dict(headers or {})
    _, auth = plain_proxy
    return parts.geturl().split("#")[0], {**dict(headers or {}), **auth}


def _connection(
    host: str,
    port: int | None,
    https: bool,
    route: tuple[tuple[str, int], dict[str, str]] | None,
    ca_file: str | None,
    cert: Cert | None,
    provider: str,
) -> Any:
    """An unopened connection to the host, or to the proxy: for https, through a
    CONNECT tunnel, so the proxy never sees the request."""
    import http.client

    # The port always goes explicitly: given none, http.client reads it from the
    # host, and takes the last group of an IPv6 literal ("fd00:ec2::254") for one.
    port = port or (443 if https else 80)
    address, auth = route or ((host, port), {})
    if not https:
        return http.client.HTTPConnection(*address)
    context = _tls_context(ca_file, cert, provider)
    conn = http.client.HTTPSConnection(*address, context=context)
    if route:
        conn.set_tunnel(host, port, headers=auth)
    return conn


_tls_contexts: dict[tuple[Any, ...], ssl.SSLContext] = {}


def _tls_context(
    ca_file: str | None, cert: Cert | None, provider: str
) -> ssl.SSLContext:
    """A verifying TLS context, cached while its files are unchanged (loading the
    system CAs takes milliseconds; a client certificate may be rotated)."""
    import hashlib
    import ssl

    files = (ca_file, *(cert or ())[:2])
    password = cert[2] if cert and len(cert) > 2 else ""
    loading = ca_file
    try:
        stats = map(os.stat, filter(None, files))
        key = files + tuple(
            (s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns) for s in stats
        )
        # A wrong password must not find the context loaded with the right one.
        key += (hashlib.sha256(password.encode()).digest(),)
        context = _tls_contexts.get(key)
        if context is not None:
            return context
        context = ssl.create_default_context(cafile=ca_file)
        if cert:
            loading = cert[0]
            # An encrypted key without its password fails: never a tty prompt.
            context.load_cert_chain(cert[0], cert[1], password=password)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        loading = getattr(exc, "filename", None) or loading or ""
        what = f"cannot load TLS files ({_os_reason(exc)})"
        raise ConfigError(what, provider, loading) from None
    if ca_file is None:
        _add_system_cas(context, provider)
    _cache_put(_tls_contexts, key, context)
    return context


def _add_system_cas(context: ssl.SSLContext, provider: str) -> None:
    """Gives a context built on Python's default store some CA to trust. A python.org
    macOS build (until its "Install Certificates.command" is run) and minimal
    containers have none, where botocore would use the bundle it ships: the first
    system bundle that loads is used, else a ConfigError says what was tried."""
    import ssl

    if context.cert_store_stats()["x509_ca"]:
        return
    for path in _CA_BUNDLES:
        try:
            context.load_verify_locations(cafile=path)
            return
        except (OSError, ValueError):  # absent, unreadable or not PEM
            pass
    defaults = ssl.get_default_verify_paths()
    if _holds_files(defaults.capath):  # read lazily, so not counted above
        return
    what = (
        "no CA certificates: Python's default store is empty and none of "
        f"{', '.join(_CA_BUNDLES)} loads; set AWS_CA_BUNDLE (or ca_file) to a PEM "
        'bundle of CAs, or on macOS run "Install Certificates.command" in the '
        "Python folder"
    )
    raise ConfigError(what, provider, defaults.openssl_cafile)


def _holds_files(folder: str | None) -> bool:
    """Whether ``folder`` is given, exists and is not empty."""
    if not folder:
        return False
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return False


def _with_retries(
    attempt: Callable[[float], Reply | TransportError],
    attempts: int,
    deadline: float,
    retry_connect: bool,
    retry_codes: tuple[bytes, ...],
    where: tuple[str, str],
) -> Reply:
    """Calls ``attempt(seconds left)`` until its outcome is final, the attempts are
    spent or the deadline is near; then returns the last reply or raises the last
    error (README, Failure behaviour). The pauses grow exponentially with full
    jitter, as in botocore retries/standard.py, ExponentialBackoff, but shorter."""
    import random

    end = time.monotonic() + deadline
    outcome: Reply | TransportError | None = None
    for number in range(attempts):
        left = end - time.monotonic()
        if left <= 0:
            break
        outcome = attempt(left)
        final = not _worth_retrying(outcome, retry_connect, retry_codes)
        if final or number == attempts - 1:
            break
        pause = random.uniform(0, min(2.0, 0.1 * 2**number))
        if time.monotonic() + pause >= end:
            break
        time.sleep(pause)
    if outcome is None:
        raise TransportError(f"no answer within {deadline:g} s", *where)
    if isinstance(outcome, TransportError):
        raise outcome
    return outcome


def _worth_retrying(
    outcome: Reply | TransportError, retry_connect: bool, retry_codes: tuple[bytes, ...]
) -> bool:
    """Whether another attempt may fare better: after a failed or broken connection
    (unless ``retry_connect`` is false), a 5xx, a 429 or a throttling error code."""
    if isinstance(outcome, TransportError):
        return retry_connect and outcome.kind != "other"  # "other": a bad answer
    status, _, data = outcome
    # The first <Code> of an error document (AWS, MinIO and moto send one).
    code = data.partition(b"<Code>")[2].partition(b"</Code>")[0]
    return status >= 500 or status == 429 or (status >= 400 and code in retry_codes)


def _attempt(
    conn: Any,
    method: str,
    target: str,
    body: bytes | None,
    headers: dict[str, str],
    left: float,
    timeout: float,
    connect_timeout: float | None,
    where: tuple[str, str],
) -> Reply | TransportError:
    """One try within ``left`` seconds: the reply, or the TransportError it ended in."""
    conn.timeout = min(connect_timeout or timeout, left)
    watchdog = _Watchdog(left)
    read_timeout = min(timeout, left)
    try:
        outcome = _converse(
            conn, method, target, body, headers, read_timeout, where, watchdog
        )
    finally:
        watchdog.cancel()
        conn.close()
    fired = watchdog.fired
    if fired and isinstance(outcome, TransportError) and outcome.kind != "other":
        # The watchdog broke the connection: that, not the broken read, is why.
        return TransportError("timed out (deadline)", *where, kind=outcome.kind)
    return outcome


def _converse(
    conn: Any,
    method: str,
    target: str,
    body: bytes | None,
    headers: dict[str, str],
    read_timeout: float,
    where: tuple[str, str],
    watchdog: _Watchdog,
) -> Reply | TransportError:
    """Connects, sends the request and reads the answer: the reply, or why not."""
    import http.client
    import ssl

    kind = "connect"  # refused, unreachable, timed out, TLS handshake
    try:
        conn.connect()
        watchdog.watch(conn.sock)
        kind = "read"
        conn.sock.settimeout(read_timeout)
        conn.request(method, target, body=body, headers=headers)
        reply, short = _read_reply(conn.getresponse())
    except (OSError, http.client.HTTPException) as exc:
        what = "cannot connect" if kind == "connect" else "no usable answer"
        reason = _os_reason(exc)
        if isinstance(exc, ssl.SSLCertVerificationError):
            kind = "other"  # a refused certificate: no retry can help
            reason = _tls_refusal(exc)
        return TransportError(f"{what} ({reason})", *where, kind=kind)
    status, _, data = reply
    if len(data) > _MAX_BODY:
        return TransportError("response larger than 1 MiB", *where)
    if short:  # Content-Length promised more than arrived
        return TransportError("response truncated", *where, kind="read")
    if 300 <= status < 400:
        what = f"HTTP {status} redirect refused (redirects are never followed)"
        return TransportError(what, *where)
    return reply


def _read_reply(response: Any) -> tuple[Reply, bool]:
    """The answer, read up to one byte past the size cap, and whether it is shorter
    than its Content-Length said."""
    try:
        data = response.read(_MAX_BODY + 1)
        headers = {k.lower(): v for k, v in response.getheaders()}
        return (response.status, headers, data), bool(response.length)
    finally:
        response.close()  # it holds the socket after a "Connection: close"


class _Watchdog:
    """Shuts a connection down when the overall deadline passes: socket timeouts
    bound each read, not a server that drips bytes.

    It is given the socket once connected: after an answer saying "Connection:
    close", http.client hands the socket to the response and forgets it.
    """

    def __init__(self, seconds: float):
        import threading

        self.fired = False
        self._socket: Any = None
        self._lock = threading.Lock()  # fired and _socket: each sees the other's
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: Any) -> None:
        """The socket to shut down at the deadline, or now if it has passed."""
        with self._lock:
            self._socket = sock
            if self.fired:
                _shut_down(sock)

    def cancel(self) -> None:
        self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            _shut_down(self._socket)


def _shut_down(sock: Any) -> None:
    """Shut a socket down, so that a read blocked on it returns at once."""
    import socket

    try:  # the plain socket's shutdown, also under TLS
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, TypeError):  # closed, or not connected yet (None)
        pass


def _tls_refusal(exc: ssl.SSLCertVerificationError) -> str:
    """Why the server's certificate was refused, with the fix when the strict checks
    of RFC 5280 refused it: Python 3.13 turns them on (VERIFY_X509_STRICT, as urllib3
    2 does), and OpenSSL 3 reports them with codes 78 to 94."""
    reason = _os_reason(exc)
    if not 78 <= (getattr(exc, "verify_code", 0) or 0) <= 94:
        return reason
    return (
        f"{reason}; Python 3.13 and later check certificates strictly "
        "(VERIFY_X509_STRICT), so reissue them: a CA needs "
        "basicConstraints=critical,CA:TRUE, keyUsage=critical,keyCertSign,cRLSign "
        "and a subjectKeyIdentifier, a server certificate an authorityKeyIdentifier "
        "(README, Platforms)"
    )


def _os_reason(exc: BaseException) -> str:
    """A short reason for an OS or HTTP error, fit for a message: its strerror,
    "timed out", or its type's name."""
    import socket

    if isinstance(exc, socket.timeout):
        return "timed out"
    return str(getattr(exc, "strerror", None) or type(exc).__name__)


# =====================================================================================
# SigV4
# =====================================================================================


# Small caches (emptied when full) keep signing cheap: the date text of a second,
# the canonical parts of a URL, derived keys kept as HMAC-SHA256 objects already fed
# their padded key (RFC 2104), so that signing costs a copy and an update, and the
# credential scopes and header lists presign_url encodes (no session token). Each is
# read once with .get(): another thread may empty it between two reads.
_amz_dates: dict[int, str] = {}
_canonical_urls: dict[tuple[str, bool], tuple[str, str, str, Fields]] = {}
_signing_keys: dict[tuple[str, str, str, str], Any] = {}
_query_values: dict[str, str] = {}
# What each host that refused a signature for clock skew taught: the seconds to add
# to the local clock to sign for it (by Host header; README "Clock skew").
_clock_offsets: dict[str, float] = {}


def sign_request(
    method: str,
    url: str,
    headers: Headers | None = None,
    body: bytes | str = b"",
    *,
    credentials: Credentials,
    region: str,
    service: str,
    now: datetime.datetime | float | None = None,
) -> dict[str, str]:
    """Sign a request with AWS Signature Version 4; return the headers to send.

    The result holds the given headers (repeated names joined with ``,``) plus
    ``Host`` when absent, ``X-Amz-Date``, ``X-Amz-Security-Token`` when the
    credentials carry a token, ``X-Amz-Content-Sha256`` for ``s3``, and
    ``Authorization``. Every header but ``Authorization`` is signed, except the
    volatile ones that botocore leaves unsigned (``User-Agent``, ``Connection``,
    ``Expect``, ``X-Amzn-Trace-Id``... README "Quick start"). ``url`` is the URL
    as it will be sent. ``now`` (POSIX seconds or a datetime) is the signing time;
    None: the current time, corrected for a host that refused a signature for clock
    skew (README "Clock skew").
    """
    if isinstance(body, str):
        body = body.encode()
    s3 = service == "s3"
    host, path, query, _ = _canonical_url(url, s3)
    amz_date = _amz_date(_host_time(host) if now is None else now)
    given = _headers_to_sign(headers, host, amz_date, credentials.session_token)
    payload = _payload_hash(body, given, s3)
    canonical_headers, signed_headers = _canonical_headers(given)
    canonical_request = (
        f"{method}\n{path}\n{query}\n{canonical_headers}\n{signed_headers}\n{payload}"
    )
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    mac = _signing_key(credentials.secret_key, amz_date[:8], region, service).copy()
    mac.update(_string_to_sign(amz_date, scope, canonical_request))
    out = dict(given.values())
    out["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope},"
        f" SignedHeaders={signed_headers}, Signature={mac.hexdigest()}"
    )
    return out


def presign_url(
    method: str,
    url: str,
    *,
    credentials: Credentials,
    region: str,
    service: str,
    expires: datetime.timedelta | float = 3600,
    headers: Headers | None = None,
    now: datetime.datetime | float | None = None,
) -> str:
    """Presign a request with AWS Signature Version 4 in its query; return the URL.

    The URL is ``url`` (the URL as it will be sent; its fragment dropped) with its
    query re-encoded in SigV4's encoding, in its order, then ``X-Amz-Algorithm``,
    ``X-Amz-Credential``, ``X-Amz-Date``, ``X-Amz-Expires``, ``X-Amz-SignedHeaders``,
    ``X-Amz-Security-Token`` when the credentials carry a token, and
    ``X-Amz-Signature``, as botocore's presigned URLs have them. ``Host`` and
    ``headers`` are signed (but the volatile ones, as in ``sign_request``): the
    request must send those headers. ``s3`` signs ``UNSIGNED-PAYLOAD`` (or a given
    ``X-Amz-Content-Sha256``), other services the empty body. ``expires``: seconds
    (or a timedelta), 1 to 604800 (7 days). ``now`` as in ``sign_request``.
    """
    seconds = _presign_seconds(expires)
    s3 = service == "s3"
    host, path, _, given_fields = _canonical_url(url, s3)
    amz_date = _amz_date(_host_time(host) if now is None else now)
    given = _given_headers(headers, host)
    canonical_headers, signed_headers = _canonical_headers(given)
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    auth = _presign_fields(credentials, scope, amz_date, seconds, signed_headers)
    fields = [*(f for f in given_fields if f[0] not in _PRESIGN_PARAMS), *auth]
    signed_query = "&".join(map("=".join, sorted(fields)))
    payload = _presign_payload(given, s3)
    canonical_request = (
        f"{method}\n{path}\n{signed_query}\n"
        f"{canonical_headers}\n{signed_headers}\n{payload}"
    )
    mac = _signing_key(credentials.secret_key, amz_date[:8], region, service).copy()
    mac.update(_string_to_sign(amz_date, scope, canonical_request))
    base = url.partition("#")[0].partition("?")[0]
    query = "&".join(map("=".join, fields))
    return f"{base}?{query}&X-Amz-Signature={mac.hexdigest()}"


def _presign_seconds(expires: datetime.timedelta | float) -> int:
    """``expires`` in whole seconds, checked: SigV4 presigned URLs last 1 second to
    7 days."""
    seconds: Any = expires
    if hasattr(seconds, "total_seconds"):  # a timedelta
        seconds = seconds.total_seconds()
    if not isinstance(seconds, (int, float)) or not 1 <= seconds <= 604800:
        raise ConfigError("expires must be 1 to 604800 seconds", "presign_url")
    return int(seconds)


def _presign_fields(
    credentials: Credentials,
    scope: str,
    amz_date: str,
    seconds: int,
    signed_headers: str,
) -> list[tuple[str, str]]:
    """The query fields that authenticate a presigned URL, encoded, in botocore's
    order (all but the signature, which signs them)."""
    fields = [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Credential", _query_encoded(f"{credentials.access_key}/{scope}")),
        ("X-Amz-Date", amz_date),
        ("X-Amz-Expires", str(seconds)),
        ("X-Amz-SignedHeaders", _query_encoded(signed_headers)),
    ]
    token = credentials.session_token
    if token:
        fields.append(("X-Amz-Security-Token", _token_encoded(token)))
    return fields


def _query_encoded(text: str) -> str:
    """``text`` in SigV4's query encoding, cached: the same credential scope is
    encoded again at each presign, and urllib's quote is slow. Nothing secret
    goes through here (see ``_token_encoded``)."""
    encoded = _query_values.get(text)
    if encoded is None:
        from urllib.parse import quote

        encoded = quote(text, "~")
        _cache_put(_query_values, text, encoded)
    return encoded


def _token_encoded(token: str) -> str:
    """A session token in SigV4's query encoding, not cached, so that no module
    cache keeps a token. For base64 and JWTs, three replacements do quote's work
    (~27 µs for 800 characters) in ~2 µs."""
    if not token.encode().translate(None, _TOKEN_BYTES):
        return token.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    from urllib.parse import quote

    return quote(token, "~")


def _presign_payload(given: dict[str, tuple[str, str]], s3: bool) -> str:
    """The payload hash a presigned URL signs: S3's ``UNSIGNED-PAYLOAD`` unless an
    ``X-Amz-Content-Sha256`` header is given, else the empty body's (a presigned
    request of another service has no body)."""
    if not s3:
        return _EMPTY_SHA256
    header = given.get("x-amz-content-sha256")
    return header[1] if header else "UNSIGNED-PAYLOAD"


def _host_time(host: str) -> float:
    """The current time as ``host`` reckons it: the local clock, plus the offset
    learned when the host refused a signature for clock skew (README "Clock skew")."""
    return time.time() + _clock_offsets.get(host, 0.0)


def _amz_date(now: datetime.datetime | float) -> str:
    """``now`` (POSIX seconds or a datetime) as SigV4's ``X-Amz-Date`` text, to the
    second."""
    if not isinstance(now, (int, float)):
        now = now.timestamp()
    stamp = int(now)
    text = _amz_dates.get(stamp)
    if text is None:
        text = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(stamp))
        _cache_put(_amz_dates, stamp, text)
    return text


def _canonical_url(url: str, s3: bool) -> tuple[str, str, str, Fields]:
    """The ``Host`` header of ``url``, its canonical path, its canonical query, and
    its query's fields in SigV4's encoding, in their order."""
    canonical = _canonical_urls.get((url, s3))
    if canonical is None:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = parts.port  # a default port is left out of Host
        if port and f"{parts.scheme}:{port}" not in ("http:80", "https:443"):
            host = f"{host}:{port}"
        path = _canonical_path(parts.path or "/", s3)
        fields = _query_fields(parts.query)
        query = "&".join(map("=".join, sorted(fields)))
        canonical = (host, path, query, fields)
        _cache_put(_canonical_urls, (url, s3), canonical)
    return canonical


def _canonical_path(path: str, s3: bool) -> str:
    """The path as SigV4 signs it.

    S3 signs a path as it is sent: raw characters encoded once, existing escapes
    kept, nothing normalised. Every other service signs it normalised (dot segments
    and repeated slashes removed, a trailing slash kept), then encoded once as a
    whole, so that an existing ``%XX`` becomes ``%25XX`` (botocore's SigV4Auth).
    """
    from urllib.parse import quote

    if s3:
        if "%" in path:  # a lone % is encoded, a %XX escape kept
            import re

            path = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", path)
        return quote(path, safe="/~%")
    import posixpath

    norm = posixpath.normpath("/" + path.lstrip("/"))
    trailing = path.endswith("/") and norm != "/"
    return quote(norm + "/" if trailing else norm, "/~")


def _query_fields(query: str) -> Fields:
    """The query's names and values re-encoded in SigV4's encoding, in their order;
    empty pieces (``a&&b``) dropped. SigV4 signs them sorted by name, then value."""
    from urllib.parse import quote, unquote

    fields = []
    for item in query.split("&"):
        if item:
            name, _, value = item.partition("=")
            fields.append((quote(unquote(name), "~"), quote(unquote(value), "~")))
    return tuple(fields)


def _headers_to_sign(
    headers: Headers | None, host: str, amz_date: str, token: str | None
) -> dict[str, tuple[str, str]]:
    """The headers that sign_request signs and returns, by lower-case name: (name as
    given, value). The given ones and ``Host``, ``X-Amz-Date`` and the session token.
    """
    given = _given_headers(headers, host)
    given["x-amz-date"] = ("X-Amz-Date", amz_date)
    if token:
        given["x-amz-security-token"] = ("X-Amz-Security-Token", token)
    return given


def _given_headers(headers: Headers | None, host: str) -> dict[str, tuple[str, str]]:
    """The given headers by lower-case name: (name as given, value).

    Repeated names are joined with ``,`` and a given ``Authorization`` is dropped
    (it is replaced); ``Host`` is added when absent.
    """
    given: dict[str, tuple[str, str]] = {}
    pairs: Any = headers or ()
    for name, value in pairs.items() if hasattr(pairs, "items") else pairs:
        low = name.lower()
        seen = given.get(low)
        if seen is not None:
            given[low] = (seen[0], seen[1] + "," + value)
        elif low != "authorization":
            given[low] = (name, value)
    given.setdefault("host", ("Host", host))
    return given


def _payload_hash(body: bytes, given: dict[str, tuple[str, str]], s3: bool) -> str:
    """The payload hash that is signed: the body's SHA-256. S3 also sends it as
    ``X-Amz-Content-Sha256`` (added to ``given``), and a given one, such as
    ``UNSIGNED-PAYLOAD``, is signed as it stands."""
    import hashlib

    header = given.get("x-amz-content-sha256") if s3 else None
    if header is not None:
        return header[1]
    payload = hashlib.sha256(body).hexdigest()
    if s3:
        given["x-amz-content-sha256"] = ("X-Amz-Content-Sha256", payload)
    return payload


def _canonical_headers(given: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """The canonical headers and the signed-headers list of SigV4's canonical
    request: names sorted, values trimmed and inner whitespace runs made one space.
    Volatile headers are left out (``_UNSIGNED_HEADERS``)."""
    signed = sorted(low for low in given if low not in _UNSIGNED_HEADERS)
    canonical = "".join(
        [f"{low}:{' '.join(given[low][1].split())}\n" for low in signed]
    )
    return canonical, ";".join(signed)


def _string_to_sign(amz_date: str, scope: str, canonical_request: str) -> bytes:
    """SigV4's string to sign: the date, the scope and the canonical request's hash."""
    import hashlib

    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{digest}".encode()


def _signing_key(secret_key: str, date: str, region: str, service: str) -> Any:
    """The signing key of a scope as an HMAC-SHA256 object already fed it: sign
    with a copy."""
    key = (secret_key, date, region, service)
    mac = _signing_keys.get(key)
    if mac is None:
        import hmac

        derived = b"AWS4" + secret_key.encode()
        for part in (date, region, service, "aws4_request"):
            derived = hmac.digest(derived, part.encode(), "sha256")
        mac = hmac.new(derived, digestmod="sha256")
        _cache_put(_signing_keys, key, mac)
    return mac


# =====================================================================================
# STS
# =====================================================================================


class _STS(RefreshingProvider):
    """A provider calling one STS action: what varies between actions is data."""

    _action = ""
    # The endpoint is resolved as AWS's (botocore's rules, README "Providers" and
    # "The AWS config files"): configured endpoints, region, FIPS, dual-stack and
    # sts_regional_endpoints. Else it is used as given.
    _resolves_aws_endpoint = False
    # The form field holding the action's secret (the JWT goes there, when there is
    # one): scrubbed from an error answer that echoes the request.
    _secret_field = ""

    def __init__(
        self,
        endpoint: str | None,
        ca_file: str | None,
        clock: Clock,
        environ: Env = None,
        region: str | None = None,
        jwt: Jwt | None = None,
        *,
        profile_settings: Mapping[str, str] | None = None,
        profile_services: Services | None = None,
        source: Provider | None = None,
        mfa_prompt: Prompt = None,
        cert: Cert | None = None,
        sign_for: str | None = None,
        jwt_duration: int = 0,
        shared_cache: _SharedCache | None = None,
        **params: Any,
    ):
        """``profile_settings``: a profile's keys (``region``,
        ``sts_regional_endpoints``, ``endpoint_url``, ``use_fips_endpoint``,
        ``use_dualstack_endpoint``, ``ignore_configured_endpoint_urls``), below the
        arguments and the environment, as in botocore; ``profile_services``: its
        services section, each service's sub-properties (``{"sts": {"endpoint_url":
        ...}}``); ``source``: the provider whose credentials sign the call (unsigned
        without); ``cert``: the client certificate and key files for mutual TLS;
        ``sign_for``: the region that signs, as given, no variable read (minio-py's
        ``AssumeRoleProvider``); ``jwt_duration``: minio-py's ``duration_seconds``
        for a JWT (see ``_clamped_jwt_duration``); ``shared_cache``: the AWS CLI
        cache entry tried before each call and written after it; ``params``: the
        form fields, empty ones left out, ``DurationSeconds`` a duration (whole
        seconds sent)."""
        import functools

        fetch: Callable[[], Credentials] = self._assume
        if shared_cache is not None:
            through = shared_cache.fetch_through
            fetch = functools.partial(through, self._assume, self._service_clock)
        # The local clock, so the fast path stays one read and one call: the
        # windows move onto it when credentials arrive (_with_windows).
        super().__init__(fetch, clock=clock)
        self._host = ""  # the Host of the last call: its clock offset applies
        self._profile = profile_settings or {}
        self._services = profile_services or {}
        self._endpoint = endpoint
        self._ca_file = ca_file
        self._environ = environ
        self._region = region
        self._jwt = jwt
        self._source = source
        self._mfa_prompt = mfa_prompt
        self._cert = cert
        self._sign_for = sign_for
        self._jwt_duration = jwt_duration
        seconds = _seconds(params.get("DurationSeconds"), "duration")
        params["DurationSeconds"] = str(seconds or "")
        self._params = {k: v for k, v in params.items() if v}

    def _assume(self) -> Credentials:
        """One call of the action: the form, signed when there is a source. A
        signed call refused for clock skew is signed again on the server's time
        and sent once more (README "Clock skew")."""
        from urllib.parse import urlencode

        name = _name(self)
        env = os.environ if self._environ is None else self._environ
        url, region = self._url_and_region(env, name)
        self._host = _canonical_url(url, False)[0]
        signer = self._source_credentials(name)
        form = self._form(name)
        body = urlencode(form).encode()
        secrets = [form.get(self._secret_field)]
        if signer is not None:
            secrets += (signer.secret_key, signer.session_token)
        region = "us-east-1" if region is None else region  # "": minio-py's form
        reply = self._post(url, body, signer, region, env, name)
        if signer is not None and _learn_clock_offset(self._host, reply):
            reply = self._post(url, body, signer, region, env, name)
        return _sts_answer(name, url, reply, secrets)

    def _post(
        self,
        url: str,
        body: bytes,
        signer: Credentials | None,
        region: str,
        env: Mapping[str, str],
        name: str,
    ) -> Reply:
        """POSTs the form, signed by ``signer`` for ``region`` (at the host's time)
        unless ``signer`` is None."""
        headers = {"Content-Type": _FORM_TYPE, "Accept": "application/xml"}
        if signer is not None:
            headers = sign_request(
                "POST",
                url,
                headers,
                body,
                credentials=signer,
                region=region,
                service="sts",
            )
        return _http(
            name, "POST", url, headers=headers, body=body, retry_codes=_THROTTLE_CODES,
            ca_file=self._ca_file or env.get("AWS_CA_BUNDLE"), cert=self._cert,
            environ=env,
        )  # fmt: skip

    def _service_clock(self) -> float:
        """The clock that judges this service's credentials: the local one, plus the
        offset learned from the service's host (README "Clock skew")."""
        return self._clock() + _clock_offsets.get(self._host, 0.0)

    def _with_windows(self, creds: Credentials, now: float) -> _Cached:
        """New credentials with their windows placed by the service's clock (README
        "Clock skew"), then moved onto the local clock that reads them."""
        offset = _clock_offsets.get(self._host, 0.0)
        served = super()._with_windows(creds, now + offset)
        refresh, block = served.refresh_at - offset, served.block_at - offset
        return _Cached(creds, refresh, block, served.expires_at - offset)

    def _url_and_region(
        self, env: Mapping[str, str], name: str
    ) -> tuple[str, str | None]:
        """The STS URL and the region that signs for it (None: ``us-east-1``).

        MinIO's actions use the endpoint as given, and so does a region to sign for
        given as is. AWS's: the region is the argument, else ``AWS_REGION``, else
        ``AWS_DEFAULT_REGION``, else the profile's; the URL is the argument, else
        the configured endpoint (``_configured_endpoint``), else the region's STS
        host (``_aws_sts_host``) in the ``AWS_STS_REGIONAL_ENDPOINTS`` mode, else the
        profile's.
        """
        if self._sign_for is not None or not self._resolves_aws_endpoint:
            return self._endpoint or "", self._sign_for
        profile, services = self._profile, self._services
        region = (
            self._region
            or env.get("AWS_REGION")
            or env.get("AWS_DEFAULT_REGION")
            or profile.get("region")
            or None
        )
        url = self._endpoint or _configured_endpoint(env, "STS", profile, services)
        if url:
            return url, region
        mode = (
            env.get("AWS_STS_REGIONAL_ENDPOINTS")
            or profile.get("sts_regional_endpoints")
            or "regional"
        )
        variant = _endpoint_variant(env, profile)
        return _aws_sts_host(region, mode.lower(), name, variant)

    def _source_credentials(self, name: str) -> Credentials | None:
        """The source's credentials, which sign the call; None when unsigned."""
        if self._source is None:
            return None
        signer = self._source.retrieve()
        if signer is None:
            what = f"the source {_name(self._source)} has no credentials"
            raise ConfigError(what, name)
        return signer

    def _form(self, name: str) -> dict[str, str]:
        """The form fields of one call: the parameters, the JWT as it reads now,
        the MFA code when a signed call names an MFA device, and ``Version``."""
        form = dict(self._params, Action=self._action)
        if self._jwt is not None:
            token, expires_in = _read_jwt(self._jwt, name)
            # A duration= given to minicreds's own form is sent as given; else
            # minio-py's rule, for its duration_seconds or the token's lifetime.
            if "DurationSeconds" not in form:
                seconds = _clamped_jwt_duration(self._jwt_duration or expires_in)
                if seconds:
                    form["DurationSeconds"] = str(seconds)
            form[self._secret_field] = token
        if self._source is not None and "SerialNumber" in form:
            if self._mfa_prompt is None:
                what = "the role needs an MFA code and no mfa_prompt was given"
                raise ConfigError(what, name)
            form["TokenCode"] = self._mfa_prompt(form["SerialNumber"])
        form["Version"] = _STS_VERSION
        return form


def _aws_sts_host(
    region: str | None,
    mode: str,
    name: str,
    variant: tuple[bool, bool] = (False, False),
) -> tuple[str, str | None]:
    """AWS's STS URL for ``region`` and the region that signs for it, as botocore
    picks them (``sts_regional_endpoints``, its endpoint ruleset for sts): the
    global host, signed as ``us-east-1``, with no region, for ``aws-global`` and,
    in ``legacy`` mode, for the legacy regions; else the regional host. With FIPS or
    dual-stack (``variant``), always the regional host: us-east-1's without a
    region (botocore names a host of "aws-global", which does not exist)."""
    if region:
        _check_region(region, name)
    legacy = mode == "legacy" and region in _LEGACY_STS_REGIONS
    if any(variant):  # FIPS and dual-stack hosts are regional only
        region = region if region and region != "aws-global" else "us-east-1"
    elif not region or region == "aws-global" or legacy:
        return "https://sts.amazonaws.com", None
    if mode not in ("legacy", "regional"):
        what = f"sts_regional_endpoints {mode!r} is not legacy or regional"
        raise ConfigError(what, name)
    return f"https://{_aws_host('sts', region, *variant)}", region


def _check_region(region: str, name: str) -> None:
    """A region goes into a host name: refuse one that could name another host
    ("evil.example#", "us-east-1:8443"), as botocore's validate_region_name does."""
    stripped = region.replace("-", "")
    if not (
        len(region) <= 63
        and stripped.isascii()
        and stripped.isalnum()
        and region[0] != "-"
        and region[-1] != "-"
    ):
        # Not echoed: a call with its arguments out of order may put a secret here.
        what = "the region is not a valid region name (letters, digits, inner -)"
        raise ConfigError(what, name)


def _aws_host(service: str, region: str, fips: bool, dualstack: bool) -> str:
    """The host of an AWS service in a region, as botocore's endpoint rulesets for
    sts, sso and sso-oidc build it: ``SERVICE[-fips].REGION.`` and the domain, or
    the dual-stack domain, of the region's partition (``_PARTITION_DOMAINS``).
    GovCloud's regular hosts are FIPS hosts: no ``-fips`` there without dual-stack.
    """
    domain, dualstack_domain = "amazonaws.com", "api.aws"  # aws and aws-us-gov
    for prefix, partition_domain, partition_dualstack in _PARTITION_DOMAINS:
        if region.startswith(prefix):
            domain, dualstack_domain = partition_domain, partition_dualstack
    if fips and (dualstack or not region.startswith("us-gov-")):
        service += "-fips"
    return f"{service}.{region}.{dualstack_domain if dualstack else domain}"


def _configured_endpoint(
    env: Mapping[str, str],
    service: str,
    profile: Mapping[str, str],
    services: Services,
) -> str:
    """The endpoint configured for an AWS service ("" for none), in botocore's order
    (configprovider.py, ConfiguredEndpointProvider): ``AWS_ENDPOINT_URL_<SERVICE>``,
    ``AWS_ENDPOINT_URL``, the ``endpoint_url`` of the service's block in the
    profile's services section, the profile's ``endpoint_url``. None of them when
    ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` (else the profile's
    ``ignore_configured_endpoint_urls``) is true."""
    if _setting_is_true(env, profile, "ignore_configured_endpoint_urls"):
        return ""
    block = services.get(service.lower(), {})
    return (
        env.get(f"AWS_ENDPOINT_URL_{service}")
        or env.get("AWS_ENDPOINT_URL")
        or block.get("endpoint_url")
        or profile.get("endpoint_url")
        or ""
    )


def _endpoint_variant(
    env: Mapping[str, str], profile: Mapping[str, str]
) -> tuple[bool, bool]:
    """Whether to use AWS's FIPS endpoints, and its dual-stack ones:
    ``AWS_USE_FIPS_ENDPOINT``, ``AWS_USE_DUALSTACK_ENDPOINT``, else the profile's
    ``use_fips_endpoint``, ``use_dualstack_endpoint`` (botocore)."""
    fips = _setting_is_true(env, profile, "use_fips_endpoint")
    return fips, _setting_is_true(env, profile, "use_dualstack_endpoint")


def _setting_is_true(
    env: Mapping[str, str], profile: Mapping[str, str], key: str
) -> bool:
    """Whether a true-or-false setting is "true" (any case): ``AWS_<KEY>`` when set,
    else the profile's ``key``, as botocore's config chain reads them."""
    value = env.get(f"AWS_{key.upper()}") or profile.get(key) or ""
    return value.strip().lower() == "true"


def _learn_clock_offset(host: str, reply: Reply) -> bool:
    """Whether ``reply`` refused a signature for clock skew, and if so learn the
    host's clock offset (README "Clock skew").

    A refusal for skew has an error code of the AWS SDK for JavaScript v3's list
    (whatever its message) and a ``Date`` more than 4 minutes from the time that
    signed the request.
    """
    status, headers, data = reply
    code = data.partition(b"<Code>")[2].partition(b"</Code>")[0].strip()
    if status < 400 or code not in _SKEW_CODES or not headers.get("date"):
        return False
    import email.utils

    try:
        date = email.utils.parsedate_to_datetime(headers["date"])
    except (TypeError, ValueError, IndexError, OverflowError):  # not an HTTP date
        return False
    if date.tzinfo is None:  # "-0000": UTC, of unknown origin
        date = date.replace(tzinfo=_datetime_utc()[1])
    server = date.timestamp()
    if abs(server - _host_time(host)) <= 240:
        return False
    _cache_put(_clock_offsets, host, server - time.time())
    return True


def _seconds(duration: Duration, argument: str) -> int:
    """A duration (a ``timedelta`` or seconds; None: 0) in whole seconds; another
    type is a TypeError naming the ``argument`` that gave it."""
    if not duration:
        return 0
    if isinstance(duration, (int, float)):
        return int(duration)
    if not hasattr(duration, "total_seconds"):  # not a timedelta
        raise TypeError(f"{argument} must be seconds or a datetime.timedelta")
    return int(duration.total_seconds())


def _read_jwt(jwt: Jwt, name: str) -> tuple[str, int]:
    """The JWT as it reads now, and the lifetime in seconds it asks for (0: none).

    ``jwt`` is a string, or a callable called at each refresh that returns one, or
    the MinIO SDK's dict (``access_token`` or ``id_token``, and ``expires_in``: a
    number or its text).
    """
    token = jwt() if callable(jwt) else jwt
    expires_in = 0
    if isinstance(token, dict):  # the MinIO SDK's convention
        expires_in = token.get("expires_in") or 0
        token = token.get("access_token") or token.get("id_token")
    if not token or not isinstance(token, str):
        raise ConfigError("the token is empty", name)
    try:
        return token, int(expires_in)
    except (TypeError, ValueError, OverflowError):
        pass  # raised below, outside the handler: int() quotes what it was given
    raise ConfigError("expires_in is not a whole number of seconds", name)


def _clamped_jwt_duration(seconds: int) -> int:
    """minio-py's DurationSeconds for a JWT's lifetime (its ``duration_seconds``,
    else the token's ``expires_in``): at most 7 days, at least 15 minutes; 0 (sent
    as nothing) and less kept as they are (minio-py,
    ``WebIdentityClientGrantsProvider._get_duration_seconds``)."""
    if seconds <= 0:
        return seconds
    return min(max(seconds, 900), 7 * 24 * 3600)


def _sts_answer(
    name: str, url: str, reply: Reply, secrets: list[str | None]
) -> Credentials:
    """The credentials in an STS answer; its error document as an ``STSError``."""
    status, headers, data = reply
    source = _safe_url(url)
    root = _sts_xml(data, status, name, source)
    if root is not None and root.tag in ("ErrorResponse", "Error"):
        raise _sts_error(root, status, headers, secrets, name, source)
    if root is None or status != 200:
        what = "an error document" if status != 200 else "an XML answer"
        raise TransportError(f"HTTP {status} without {what}", name, source)
    return _sts_credentials(root, name, source)


def _sts_xml(data: bytes, status: int, name: str, source: str) -> Any:
    """The answer's XML root, namespaces stripped (AWS, MinIO and moto differ), or
    None when the body is not XML.

    XML not in UTF-8, with a DTD or malformed is refused: a ``TransportError`` on a
    200, else None, so that the status is reported (an HTML page from a proxy...).
    """
    if not data.lstrip().startswith(b"<"):
        return None
    import xml.etree.ElementTree as ET

    # Decoded first and parsed as text, so no encoding (UTF-16...) hides a
    # DTD; a DTD is refused (no entity expansion attacks).
    try:
        text = data.decode()
    except UnicodeError:
        text = "\0"
    root = None
    if "\0" in text:  # expat would still detect UTF-16 from NULs
        problem = "XML answer not in UTF-8"
    elif "<!DOCTYPE" in text.upper():  # entities are declared in a DTD only
        problem = "XML answer with a DTD refused"
    else:
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            problem = f"malformed XML answer (line {exc.position[0]})"
    if root is None:
        if status == 200:
            raise TransportError(problem, name, source)
        return None
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    return root


def _sts_error(
    root: Any,
    status: int,
    headers: dict[str, str],
    secrets: list[str | None],
    name: str,
    source: str,
) -> STSError:
    """The error document as an ``STSError``, with no secret of the request in it."""
    from urllib.parse import quote, quote_plus

    # A server may echo the request: its secrets also as the form sent them.
    encoded = [f(s, "") for s in secrets if s for f in (quote, quote_plus)]
    secrets = [*secrets, *encoded]
    error = next(root.iter("Error"), root)
    request_id = (  # moto: <Errors><Error>, the id in a header only
        (root.findtext(".//RequestId") or "").strip()
        or headers.get("x-amzn-requestid", headers.get("x-amz-request-id", ""))
    )
    return STSError(
        _scrub((error.findtext("Code") or "").strip(), secrets)[:100],
        _scrub((error.findtext("Message") or "").strip(), secrets),
        name,
        source,
        request_id=_scrub(request_id, secrets)[:100] or None,
        status=status,
    )


def _sts_credentials(root: Any, name: str, source: str) -> Credentials:
    """The temporary credentials of a success answer: without a token or an expiry
    they are unusable, or would be cached forever."""
    names = ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
    fields = [(root.findtext(f".//Credentials/{k}") or "").strip() for k in names]
    missing = [k for k, v in zip(names, fields) if not v]
    if missing:
        found = root.find(".//Credentials") is not None
        what = ", ".join(missing) if found else "Credentials"
        raise TransportError(f"answer lacks {what}", name, source)
    try:
        expiry = _parse_time(fields[3])
    except ValueError:
        raise TransportError("answer has a bad Expiration", name, source) from None
    account = _arn_account(root.findtext(".//AssumedRoleUser/Arn") or "")
    return Credentials(fields[0], fields[1], fields[2], expiry, account_id=account)


def _arn_account(arn: str) -> str | None:
    """The account of an ARN (``arn:PARTITION:SERVICE:REGION:ACCOUNT:...``), as
    botocore reads the assumed-role user's; None when there is none."""
    parts = arn.strip().split(":", 5)
    return parts[4] or None if len(parts) == 6 and parts[0] == "arn" else None


def eks_token(
    cluster: str,
    *,
    credentials: Credentials,
    region: str | None,
    now: datetime.datetime | float | None = None,
) -> str:
    """A token for an Amazon EKS cluster, as ``aws eks get-token`` makes it.

    ``k8s-aws-v1.`` and, in URL-safe base64 without padding, a presigned STS
    ``GetCallerIdentity`` URL for the region's STS host (the global one, signed for
    ``us-east-1``, for ``None`` or ``aws-global``) that signs the header
    ``x-k8s-aws-id: <cluster>`` with ``X-Amz-Expires=60``. ``now`` as in
    ``sign_request``. README "EKS tokens".
    """
    if not cluster:
        raise ConfigError("the cluster name is empty", "eks_token")
    host, signing_region = _aws_sts_host(region, "regional", "eks_token")
    url = presign_url(
        "GET",
        f"{host}/?Action=GetCallerIdentity&Version={_STS_VERSION}",
        credentials=credentials,
        region=signing_region or "us-east-1",
        service="sts",
        expires=60,
        headers={"x-k8s-aws-id": cluster},
        now=now,
    )
    return "k8s-aws-v1." + _b64url(url.encode())


# Two call forms. The STS and IAM providers take their own arguments and minio-py
# 7.2.20's (README "Compatibility with the MinIO SDK"): each class keeps them as two
# methods, ``_own_form`` and ``_minio_form``. Its ``__init__`` takes any call and
# tries the forms a small function per class names, from where the http(s):// URL
# sits; a keyword that only minio-py has makes their own form refuse the call.

_OWN_THEN_MINIO = ("_own_form", "_minio_form")  # a call that fits both: minicreds's
_MINIO_ONLY = ("_minio_form",)


class _PublicSignature:
    """``inspect.signature(cls)``, and so ``help()``, shows ``cls.__init__`` without
    ``self`` and without the keywords named "_...": minicreds's own plumbing
    between providers, no part of their interface."""

    _shown = "__init__"

    def __get__(self, provider: object, cls: type) -> Any:
        import inspect

        signature = inspect.signature(getattr(cls, self._shown))
        params = [
            param
            for param in list(signature.parameters.values())[1:]
            if not param.name.startswith("_")
        ]
        return signature.replace(parameters=params, return_annotation=signature.empty)


class _OwnSignature(_PublicSignature):
    """``inspect.signature(cls)`` shows minicreds's own form (``cls._own_form``),
    although ``__init__`` takes any arguments to accept minio-py's too."""

    _shown = "_own_form"


def _init_in_form(
    provider: Any, forms: tuple[str, ...], args: tuple[Any, ...], kwargs: Any
) -> None:
    """Initialises ``provider`` by the first of ``forms`` the call binds to; a call
    that binds to none is a TypeError showing both forms."""
    for form in forms:
        try:
            getattr(provider, form)(*args, **kwargs)
            return
        except TypeError as exc:
            # The arguments did not bind when the error comes from the call itself
            # (its traceback ends in this frame); one from inside the form is its own.
            if exc.__traceback__ is None or exc.__traceback__.tb_next is not None:
                raise
    raise _neither_form(provider)


def _neither_form(provider: Any) -> TypeError:
    """The TypeError for a call fitting neither form: both, by name, no value."""
    name = _name(provider)
    own, minio = (_form_text(name, getattr(provider, f)) for f in _OWN_THEN_MINIO)
    what = f"{name}() takes its own form or minio-py 7.2.20's:\n  {own}\n  {minio}"
    return TypeError(what)


def _form_text(name: str, form: Callable[..., None]) -> str:
    """``name(parameters)`` as a form is called: names and defaults, no types, and
    no private keyword (minicreds's own, for its profiles)."""
    import inspect

    signature = inspect.signature(form)
    params = [
        p.replace(annotation=p.empty)
        for p in signature.parameters.values()
        if not p.name.startswith("_")
    ]
    text = str(signature.replace(parameters=params, return_annotation=signature.empty))
    return name + text.replace("<built-in function time>", "time.time")


def _url_at(args: tuple[Any, ...], index: int) -> bool:
    """Whether the positional argument at ``index`` is an http(s) URL."""
    value = args[index] if len(args) > index else None
    return isinstance(value, str) and value[:8].lower().startswith(
        ("http://", "https://")
    )


def _refuse_http_client(http_client: object, name: str, instead: str) -> None:
    """minio-py's ``http_client``: None is accepted; a client is refused, as
    minicreds has its own HTTP, with ``instead`` naming what to use."""
    if http_client is not None:
        what = f"http_client is not supported (minicreds has its own HTTP): {instead}"
        raise ConfigError(what, name)


# =====================================================================================
# Environment
# =====================================================================================


class StaticProvider(Provider):
    """The same credentials every time."""

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        session_token: str | None = None,
        *,
        account_id: str | None = None,
    ):
        self._credentials = Credentials(
            access_key, secret_key, session_token, account_id=account_id
        )

    def retrieve(self) -> Credentials:
        """The credentials given at construction."""
        return self._credentials

    def __repr__(self) -> str:
        return f"StaticProvider(access_key={self._credentials.access_key!r})"


class EnvAWSProvider(Provider):
    """``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``.

    Also the legacy ``AWS_ACCESS_KEY``, ``AWS_SECRET_KEY`` and ``AWS_SECURITY_TOKEN``,
    ``AWS_CREDENTIAL_EXPIRATION`` (ISO 8601) and ``AWS_ACCOUNT_ID``. Read at every
    call.
    """

    # The sets of variables tried in order: (access key, secret key, session token,
    # expiry, account ID), each a tuple of names in order of preference. A key
    # without its secret, or the reverse, is an error.
    _names = (
        (
            ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"),
            ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"),
            ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"),
            ("AWS_CREDENTIAL_EXPIRATION",),
            ("AWS_ACCOUNT_ID",),
        ),
    )
    _reason = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"

    def __init__(self, *, environ: Env = None):
        self._environ = environ

    @_boundary
    def retrieve(self) -> Credentials | None:
        """Credentials from the environment, or None when none are set."""
        env = os.environ if self._environ is None else self._environ
        for keys, secrets, tokens, expiries, accounts in self._names:
            key = next(filter(env.get, keys), "")
            secret = next(filter(env.get, secrets), "")
            if key and secret:
                token = next(filter(None, map(env.get, tokens)), None)
                expiry = next(filter(None, map(env.get, expiries)), None)
                account = next(filter(None, map(env.get, accounts)), None)
                try:  # the pair is valid: only the time can raise
                    expiration = _parse_time(expiry) if expiry else None
                    return Credentials(
                        env[key], env[secret], token, expiration, account_id=account
                    )
                except ValueError:
                    what = "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time"
            elif key or secret:
                unset = secrets[0] if key else keys[0]
                what = f"{unset} is not set but {key or secret} is"
            else:
                continue
            raise ConfigError(what, _name(self), "environment")
        return None


class EnvMinioProvider(Provider):
    """``MINIO_ROOT_USER``/``MINIO_ROOT_PASSWORD``, else
    ``MINIO_ACCESS_KEY``/``MINIO_SECRET_KEY``."""

    _names = (
        (("MINIO_ROOT_USER",), ("MINIO_ROOT_PASSWORD",), (), (), ()),
        (("MINIO_ACCESS_KEY",), ("MINIO_SECRET_KEY",), (), (), ()),
    )
    _reason = "MINIO_ROOT_USER and MINIO_ACCESS_KEY are not set"
    __init__ = EnvAWSProvider.__init__
    retrieve = EnvAWSProvider.retrieve


# =====================================================================================
# Files
# =====================================================================================

# Parsed files, shared by every provider in the process: (path, parser): ((mtime,
# size, inode), what the parser made of the file). The parser is in the key as one
# file can be read as both the config file and the credentials file.
_file_cache: dict[tuple[str, Any], Any] = {}


def _read_file(provider: str, path: str, parse: Callable[[str], Any]) -> Any:
    """Parse a file, cached until its modification time, size or inode changes;
    None when it does not exist. ``parse`` raises ConfigError, never quoting it.
    While the file is unchanged every call returns the same object."""
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        cached = _file_cache.get((path, parse))
        if cached is None or cached[0] != stamp:
            if st.st_size > _MAX_FILE:
                raise ConfigError("file larger than 4 MiB")
            raw = _read_regular_file(path)
            parsed = parse(_utf8_text(raw))
            cached = _file_cache[path, parse] = (stamp, parsed)
        return cached[1]
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        error = f"not UTF-8 (line {raw[: exc.start].count(10) + 1})"
    except OSError as exc:
        error = f"cannot read ({_os_reason(exc)})"
    except ConfigError as exc:  # the reader or the parser says what, quoting nothing
        error = exc.what
    # Raised outside the handler, so no chained exception quotes the file.
    raise ConfigError(error, provider, path)


def _utf8_text(raw: bytes) -> str:
    """UTF-8 text without a leading byte order mark, as the ``utf-8-sig`` codec
    reads it, without loading that codec's module (~0.2 ms of a command-line run).
    """
    text = raw.decode()
    return text[1:] if text.startswith("\ufeff") else text


def _read_regular_file(path: str) -> bytes:
    """Up to _MAX_FILE + 1 bytes of a regular file; the null device reads as empty
    (``AWS_CONFIG_FILE=/dev/null`` turns a file off); anything else is refused: a
    FIFO, a terminal or another device may never end (README "Failure behaviour").
    """
    import stat

    with open(path, "rb", opener=_unblocked_opener) as handle:
        st = os.fstat(handle.fileno())
        if stat.S_ISREG(st.st_mode):
            return handle.read(_MAX_FILE + 1)
        if stat.S_ISCHR(st.st_mode) and st.st_rdev == os.stat(os.devnull).st_rdev:
            return b""
    raise ConfigError("not a regular file")


def _unblocked_opener(path: str, flags: int) -> int:
    """An ``open()`` opener that does not wait: opening a FIFO waits for a writer, for
    ever if none comes. The caller checks what it opened (``os.fstat``) before it
    reads. Windows has no O_NONBLOCK, and opens no FIFO."""
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | nonblocking)
    if nonblocking:  # reads block again: POSIX leaves its effect on files unspecified
        os.set_blocking(fd, True)
    return fd


def _parse_ini(text: str) -> Ini:
    """Sections of an AWS config or credentials file, read as botocore reads them
    (configloader.py, ``raw_config_parse``), sub-properties checked. The values of
    a ``[DEFAULT]`` section reach every section, as configparser's ``items`` gives
    them; it is no section itself."""
    sections = _ini_sections(text)
    defaults = {
        key: "\n".join(lines).rstrip()
        for key, lines in sections.pop("DEFAULT", {}).items()
    }
    if len(defaults) * len(sections) > _MAX_INI_INHERITED:
        raise ConfigError("cannot parse (too many [DEFAULT] settings for its sections)")
    checked: dict[str, str] = {}  # [DEFAULT]'s values, each checked once
    return {
        name: _section_values(name, options, defaults, checked)
        for name, options in sections.items()
    }


def _section_values(
    name: str,
    options: dict[str, list[str]],
    defaults: dict[str, str],
    checked: dict[str, str],
) -> dict[str, str]:
    """A section's values in configparser's order (``[DEFAULT]``'s first), each
    joined and checked. An inherited value is checked once, for the first section
    that inherits it, where configparser's reader would refuse it."""
    values = {}
    for key in {**defaults, **options}:
        if key in options:
            values[key] = _checked_value(name, key, "\n".join(options[key]).rstrip())
        elif key in checked:
            values[key] = checked[key]
        else:
            values[key] = checked[key] = _checked_value(name, key, defaults[key])
    return values


# Where a section header's name ends: at its last "]" since Python 3.10 (bpo-38741,
# configparser's SECTCRE), at its first before. Breakpoint: Python 3.9.
_INI_NAME_END = str.rfind if sys.version_info >= (3, 10) else str.find


def _ini_sections(text: str) -> dict[str, dict[str, list[str]]]:
    """Each section's options, a value as its lines ([DEFAULT] as "DEFAULT"), read
    as botocore's parser reads them: ``configparser.RawConfigParser()``, strict, "="
    and ":", "#" and ";" comments on lines of their own, blank lines kept in values.
    A text is read, or refused at a line, as configparser reads or refuses it, in
    time linear in its length: configparser's own grows with the square of a run of
    blanks inside a name and of the number of bad lines (README "Failure behaviour").
    """
    import io

    sections: dict[str, dict[str, list[str]]] = {}  # [DEFAULT] as "DEFAULT"
    section: dict[str, list[str]] | None = None  # the options of the last header
    lines: list[str] | None = None  # the lines of the value an indent continues
    indent = 0  # of the last line that was not blank, a comment or a continuation
    bad = 0  # the first bad line
    # Lines end at "\n", "\r\n" or "\r", as in the file botocore's configparser reads
    # in text mode; read one at a time: 4 MiB of short lines is never a list of
    # millions.
    for number, line in enumerate(io.StringIO(text, newline=None), 1):
        clean = line.strip()
        if not clean or clean[0] in "#;":
            if not clean and lines is not None:
                lines.append("")  # trailing blank lines are dropped when joined
            continue
        # The first non-blank, measured only when the line starts with a blank.
        here = len(line) - len(line.lstrip()) if line[0].isspace() else 0
        if lines is not None and here > indent:
            lines.append(clean)
            continue
        indent = here
        end = _INI_NAME_END(clean, "]") if clean[0] == "[" else -1
        if end >= 2:  # "[", a name of one character or more, "]", anything
            name = clean[1:end]
            if name in sections and name != "DEFAULT":  # [DEFAULT] may repeat
                raise _ini_error("duplicatesection", number)
            section, lines = sections.setdefault(name, {}), None
            continue
        if section is None:
            raise _ini_error("missingsectionheader", number)
        # The name ends at the first "=" or ":".
        equals, colon = clean.find("="), clean.find(":")
        at = equals if colon < 0 or 0 <= equals < colon else colon
        if at < 0:
            # A bad line: configparser notes it and reads on; blank and indented
            # lines after it still continue the last option's value.
            bad = bad or number
            continue
        key = clean[:at].rstrip().lower()
        if key in section:
            raise _ini_error("duplicateoption", number)
        lines = section[key] = [clean[at + 1 :].lstrip()]
        if not key:
            # A bad line too ("= value"), but configparser keeps it as the option
            # "": a second one is a duplicate; no line continues its value.
            bad, lines = bad or number, None
    if bad:
        raise _ini_error("parsing", bad)
    return sections


def _ini_error(kind: str, number: int) -> ConfigError:
    """A refusal by the name configparser gives it, at a line, never quoting it."""
    return ConfigError(f"cannot parse ({kind} error at line {number})")


def _checked_value(section: str, key: str, value: str) -> str:
    """A value as botocore reads it. One that starts on the next line (``s3 =`` and
    an indented block) holds sub-properties: each line must be ``key = value``;
    it is kept as text, a stripped line each, blank lines dropped."""
    if not value.startswith("\n"):
        return value
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if not all("=" in line for line in lines):
        where = f"the sub-properties of {key!r} in [{section}]"
        raise ConfigError(f"cannot parse (a line without '=' in {where})")
    return "\n" + "\n".join(lines)


def _sub_properties(block: str) -> dict[str, str]:
    """A block of sub-properties as a mapping (none in a plain value)."""
    pairs = [line.partition("=") for line in block.splitlines()]
    return {key.strip(): value.strip() for key, sep, value in pairs if sep}


class AWSConfigProvider(Provider):
    """Credentials from the AWS shared credentials and config files.

    Profile: ``profile``, else ``AWS_PROFILE``, else ``AWS_DEFAULT_PROFILE``, else
    ``default``, looked up at each call. Files are re-read when they change. Role,
    web identity, SSO and ``credential_process`` profiles are honoured; the source
    built for a profile is kept, with its cached credentials, until that profile's
    configuration changes. ``mfa_prompt(serial)`` returns an MFA code for roles
    with ``mfa_serial``. ``clock`` goes to every source built from a profile.
    ``credential_cache_dir``: a folder shared with the AWS CLI (its own is
    ``~/.aws/cli/cache``) where role and SSO credentials are looked up before they
    are fetched, and saved after (README "The AWS CLI's cache"); none by default.
    """

    __signature__ = _PublicSignature()

    def __init__(
        self,
        filename: str | None = None,
        profile: str | None = None,
        *,
        mfa_prompt: Prompt = None,
        environ: Env = None,
        clock: Clock = time.time,
        credential_cache_dir: str | None = None,
        _link: str = "",
        _loaded_by: AWSConfigProvider | None = None,
    ):
        # default_provider() splits a profile in two links of its chain: "role"
        # (role_arn without web_identity_token_file) and "other" (the rest). The
        # "other" link runs only in a call of the chain where the "role" link has
        # just loaded the files and found no role: it takes what that link loaded
        # (_loaded_by), so that a call of the chain reads each file's stat once.
        self._link, self._loaded_by = _link, _loaded_by
        self._filename, self._profile = filename, profile
        self._mfa_prompt, self._environ, self._clock = mfa_prompt, environ, clock
        self._credential_cache_dir = credential_cache_dir
        self._make_locks()
        _fork_safe(self)

    _loaded: tuple[str, _ProfileFiles] | None = None  # the last _load()
    # The source built for the profile, and what it was built from (see
    # _source_inputs): rebuilt only when that changes.
    _source: Provider | None = None
    _built_from: list[Any] | None = None
    # What a copy (pickle) leaves behind: it starts with a fresh lock, unbuilt.
    _uncopied = ("_lock", "_loaded", "_source", "_built_from")
    __getstate__ = _copied_state
    __setstate__ = _restore_copy

    def _make_locks(self) -> None:
        """A fresh lock, unheld: one build at a time, so one STS call, not two."""
        import threading

        self._lock = threading.Lock()

    def _load(self) -> tuple[str, _ProfileFiles] | None:
        """(profile name, the files as profiles read them); None when no profile is
        named and there is no default one."""
        env = os.environ if self._environ is None else self._environ
        name = _name(self)
        chosen = (
            self._profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE")
        )
        paths = self._paths(env)
        files = _profile_files(name, paths)
        profile = chosen or "default"
        if profile in files.creds or profile in files.config:
            return profile, files
        if chosen:
            raise ConfigError(f"profile {profile!r} not found", name, ", ".join(paths))
        return None

    def _paths(self, env: Mapping[str, str]) -> tuple[str, str]:
        """(credentials file, config file), "~" expanded."""
        folder = _aws_folder()
        creds = self._filename or env.get("AWS_SHARED_CREDENTIALS_FILE")
        config = env.get("AWS_CONFIG_FILE")
        return (
            os.path.expanduser(creds) if creds else folder + "credentials",
            os.path.expanduser(config) if config else folder + "config",
        )

    @_boundary
    def retrieve(self) -> Credentials | None:
        """Credentials of the selected profile, or None when it is not configured."""
        by = self._loaded_by
        loaded = self._loaded = self._load() if by is None else by._loaded
        if loaded is None:
            self._reason = "no default profile"
            return None
        profile, files = loaded
        # The same list while the files are unchanged, so that the comparison below
        # costs nothing; after a change, equal when the profile's sections are.
        inputs = files.source_inputs(profile)
        with self._lock:  # one build at a time: one STS call, not two
            if inputs != self._built_from:
                creds, config, paths = files.creds, files.config, files.paths
                self._source = _profile_source(self, profile, creds, config, paths)
                self._built_from = inputs
            source = self._source
        found = None if source is None else source.retrieve()
        if found is None:
            what = "role" if self._link == "role" else "credentials"
            self._reason = f"profile {profile!r} has no {what}"
        return found


class _ProfileFiles:
    """The credentials and config files at two paths, as profiles read them: one
    object while neither file changes, shared by every provider that reads them."""

    def __init__(self, paths: tuple[str, str], creds: Ini, config: Ini):
        self.paths = paths  # (credentials file, config file)
        self.creds = creds  # the credentials file's sections, named as written
        self.config = config  # the config file's, as _config_sections names them
        self._inputs: dict[str, list[Any]] = {}  # profile: its _source_inputs

    def source_inputs(self, profile: str) -> list[Any]:
        """What the profile's source is built from, worked out once per profile."""
        inputs = self._inputs.get(profile)
        if inputs is None:
            inputs = _source_inputs(profile, self.creds, self.config)
            self._inputs[profile] = inputs
        return inputs


# (credentials path, config path): the files' latest _ProfileFiles.
_profile_files_cache: dict[tuple[str, str], _ProfileFiles] = {}
_NO_SECTIONS: Ini = {}  # a missing file, the same object at each call; never written


# HOME (USERPROFILE on Windows): "~/.aws/" expanded.
_aws_folders: dict[str | None, str] = {}


def _aws_folder() -> str:
    """``~/.aws/`` as Python expands it, cached by the home variable read at this
    call (expanduser costs ~2 µs); USERPROFILE on Windows, where Python's
    expanduser ignores HOME since 3.8."""
    home = os.environ.get("USERPROFILE" if sys.platform == "win32" else "HOME")
    folder = _aws_folders.get(home)
    if folder is None:
        folder = os.path.expanduser(os.path.join("~", ".aws", ""))
        _cache_put(_aws_folders, home, folder)
    return folder


def _profile_files(provider: str, paths: tuple[str, str]) -> _ProfileFiles:
    """The files at ``paths`` (credentials, config): the last object made for them
    while neither file has changed (one os.stat each), else a new one."""
    config = _read_file(provider, paths[1], _parse_config) or _NO_SECTIONS
    creds = _read_file(provider, paths[0], _parse_ini) or _NO_SECTIONS
    files = _profile_files_cache.get(paths)
    if files is None or files.creds is not creds or files.config is not config:
        files = _profile_files_cache[paths] = _ProfileFiles(paths, creds, config)
    return files


def _parse_config(text: str) -> Ini:
    """The config file's profiles and sso-sessions, as _read_file's parser."""
    return _config_sections(_parse_ini(text))


def _config_sections(sections: Ini) -> Ini:
    """The config file's profiles by name, its sso-sessions as "sso-session NAME" and
    its services sections as "services NAME".

    As botocore reads them: "default", else a section starting with "profile",
    "sso-session" or "services" that splits, as a shell line, into exactly two words.
    """
    kinds = ("profile", "sso-session", "services")
    found = {}
    for section, values in sections.items():
        if section == "default":
            found[section] = values
        elif section.startswith(kinds):
            words = _shell_words(section)
            if len(words) == 2:
                kind = next(k for k in kinds if section.startswith(k))
                found[("" if kind == "profile" else f"{kind} ") + words[1]] = values
    return found


def _shell_words(section: str) -> list[str]:
    """A section's name split as shlex splits a shell line; [] when its quotes do not
    balance. A plain "KIND NAME", as nearly all are, is split without shlex, whose
    cost for one name is about twice the reader's for one section."""
    kind, _, name = section.partition(" ")
    name = name.strip(" \t\r\n")  # the blanks of shlex, not those of str.strip
    plain = _SHELL_SPECIAL.isdisjoint
    if kind and name and plain(kind) and plain(name):
        return [kind, name]
    import shlex

    try:
        return shlex.split(section)
    except ValueError:  # unbalanced quotes
        return []


def _profile_settings(profile: str, creds: Ini, config: Ini) -> dict[str, str]:
    """A profile's settings: the credentials file's keys win over the config file's."""
    return {**config.get(profile, {}), **creds.get(profile, {})}


def _source_inputs(profile: str, creds: Ini, config: Ini) -> list[Any]:
    """What a profile's source is built from: the names and sections of the profiles
    along its source_profile links, with their sso-session and services sections."""
    inputs: list[Any] = []
    visited: list[str] = []
    name: str | None = profile
    while name is not None and name not in visited:
        visited.append(name)
        settings = _profile_settings(name, creds, config)
        session = f"sso-session {settings.get('sso_session')}"
        services = f"services {settings.get('services')}"
        inputs += [name, creds.get(name), config.get(name), config.get(session)]
        inputs.append(config.get(services))
        name = settings.get("source_profile")
    return inputs


def _profile_source(
    config_provider: AWSConfigProvider,
    profile: str,
    creds: Ini,
    config: Ini,
    paths: tuple[str, str],
) -> Provider | None:
    """The source of a profile's credentials, in botocore's order (README, "The AWS
    config files"); None when it has none, or belongs to the other link of
    default_provider's chain."""
    name = _name(config_provider)
    selected = _profile_settings(profile, creds, config)
    session = _session(name, profile, selected, config)
    is_role = "role_arn" in selected and "web_identity_token_file" not in selected
    link = config_provider._link  # default_provider's "role" link, or the "other"
    if link and (link == "role") != is_role:
        return None
    # The environ= and clock= keywords every source built from the profile gets.
    inject = {"environ": config_provider._environ, "clock": config_provider._clock}
    chain = [profile]  # the profiles followed through source_profile, in order
    roles = []  # the settings of the roles to assume, the outermost first
    settings = selected
    while _takes_source_profile(settings, is_source=len(chain) > 1):
        _validate_source_profile(name, chain, settings, creds, config)
        roles.append(settings)
        chain.append(settings["source_profile"])
        settings = _profile_settings(chain[-1], creds, config)
    # The chain ends at a web identity role, a credential_source role, or no role.
    if _assumes_role(settings, is_source=len(chain) > 1):
        roles.append(settings)
    cache_dir = config_provider._credential_cache_dir
    source = _innermost_source(
        name, chain, settings, creds, config, paths, session, inject, cache_dir
    )
    mfa_prompt = config_provider._mfa_prompt
    return _wrap_in_roles(source, roles, session, mfa_prompt, inject, cache_dir)


def _session(
    provider: str, profile: str, settings: Mapping[str, str], config: Ini
) -> Session:
    """The selected profile's settings and services section, as the keywords of the
    STS and SSO providers: they apply along the whole chain, as botocore applies
    its session's (region, endpoints, CA bundle...)."""
    return {
        "profile_settings": settings,
        "profile_services": _services_section(provider, profile, settings, config),
    }


def _services_section(
    provider: str, profile: str, settings: Mapping[str, str], config: Ini
) -> dict[str, dict[str, str]]:
    """The sub-properties of each service in the profile's services section
    (``services = NAME``, ``[services NAME]``); none without one. A section named
    but missing or empty is an error (botocore's ConfiguredEndpointProvider)."""
    section = settings.get("services")
    if section is None:
        return {}
    blocks = config.get(f"services {section}")
    if not blocks:
        what = f"services section {section!r} does not exist"
        raise ConfigError(what, provider, f"profile {profile!r}")
    return {service: _sub_properties(block) for service, block in blocks.items()}


def _has_static_keys(settings: Mapping[str, str]) -> bool:
    """Whether a profile holds keys (botocore, AssumeRoleProvider's rule: either key
    counts)."""
    return "aws_access_key_id" in settings or "aws_secret_access_key" in settings


def _assumes_role(settings: Mapping[str, str], is_source: bool) -> bool:
    """Whether a profile's credentials come from a role: with web identity, always;
    with role_arn, unless the profile is another's source_profile and holds keys,
    which it then uses (botocore)."""
    if "web_identity_token_file" in settings:
        return True
    return "role_arn" in settings and not (is_source and _has_static_keys(settings))


def _takes_source_profile(settings: Mapping[str, str], is_source: bool) -> bool:
    """Whether a profile is a role whose source is its source_profile alone."""
    return (
        _assumes_role(settings, is_source)
        and "web_identity_token_file" not in settings
        and "source_profile" in settings
        and "credential_source" not in settings
    )


def _validate_source_profile(
    provider: str,
    chain: list[str],
    settings: Mapping[str, str],
    creds: Ini,
    config: Ini,
) -> None:
    """A role's source_profile exists and leads nowhere along the chain already
    followed, except to the role's own profile when it holds keys (botocore,
    AssumeRoleProvider._validate_source_profile)."""
    source, where = settings["source_profile"], f"profile {chain[-1]!r}"
    if source not in creds and source not in config:
        raise ConfigError(f"source_profile {source!r} does not exist", provider, where)
    itself = source == chain[-1] and _has_static_keys(settings)
    if source in chain and not itself:
        loop = " -> ".join([*chain, source])
        raise ConfigError(f"source_profile loop: {loop}", provider, where)


def _innermost_source(
    provider: str,
    chain: list[str],
    settings: Mapping[str, str],
    creds: Ini,
    config: Ini,
    paths: tuple[str, str],
    session: Session,
    inject: Mapping[str, Any],
    cache_dir: str | None,
) -> Any:
    """The source at the end of the chain: a web identity token reader, or a
    Provider (a role's credential_source, SSO, keys or credential_process), or None
    when the selected profile has none of them. ``cache_dir``: the AWS CLI cache
    that SSO uses, if any."""
    profile = chain[-1]
    if "web_identity_token_file" in settings:
        return _web_identity_token(provider, profile, settings)
    if _assumes_role(settings, is_source=len(chain) > 1):
        selected = session["profile_settings"]
        return _credential_source(provider, profile, settings, selected, inject)
    if "sso_account_id" in settings or "sso_role_name" in settings:
        return _sso_source(
            provider, profile, settings, config, session, inject, cache_dir
        )
    return _keys_or_process(provider, chain, settings, creds, config, paths, inject)


def _web_identity_token(
    provider: str, profile: str, settings: Mapping[str, str]
) -> Callable[[], str]:
    """A web identity profile's token, read from its file at each refresh."""
    import functools

    if not settings.get("role_arn"):
        what = "web_identity_token_file without role_arn"
        raise ConfigError(what, provider, f"profile {profile!r}")
    path = os.path.expanduser(settings["web_identity_token_file"])
    return functools.partial(_read_token, provider, path)


def _credential_source(
    provider: str,
    profile: str,
    settings: Mapping[str, str],
    selected: Mapping[str, str],
    inject: Mapping[str, Any],
) -> Provider:
    """A role's credential_source: the environment, instance metadata alone (with
    the selected profile's metadata settings) or the container endpoint."""
    import functools

    where = f"profile {profile!r}"
    # One source per role, as botocore's AssumeRoleProvider._get_role_config checks.
    if ("source_profile" in settings) == ("credential_source" in settings):
        what = "a role needs one of source_profile and credential_source"
        raise ConfigError(what, provider, where)
    kinds: dict[str, Callable[..., Provider]] = {
        "Environment": lambda environ, clock: EnvAWSProvider(environ=environ),
        "Ec2InstanceMetadata": functools.partial(_imds, selected),
        "EcsContainer": ContainerProvider,
    }
    kind = settings["credential_source"]
    if kind not in kinds:
        what = f"credential_source {kind!r} is not one of {', '.join(kinds)}"
        raise ConfigError(what, provider, where)
    return kinds[kind](**inject)


def _sso_source(
    provider: str,
    profile: str,
    settings: Mapping[str, str],
    config: Ini,
    session: Session,
    inject: Mapping[str, Any],
    cache_dir: str | None,
) -> SSOProvider:
    """An SSO profile's source, with the settings of its sso-session, if it names
    one, and the selected profile's (``session``); ``aws sso login --profile
    PROFILE`` renews its token. Its credentials go through the AWS CLI cache in
    ``cache_dir``, if given."""
    where = f"profile {profile!r}"
    shared = _sso_session_settings(provider, where, settings, config)
    values = {**settings, **shared}
    need = ("sso_start_url", "sso_region", "sso_account_id", "sso_role_name")
    missing = ", ".join(sorted(set(need).difference(values)))
    if missing:
        raise ConfigError(f"SSO needs {missing}", provider, where)
    start_url, sso_region, account_id, role_name = map(values.__getitem__, need)
    session_name = settings.get("sso_session")
    entry = None
    if cache_dir is not None:
        key = _sso_cache_key(start_url, account_id, role_name, session_name)
        entry = _SharedCache(cache_dir, key, account_id)
    ca_file = session["profile_settings"].get("ca_bundle")
    return SSOProvider(
        start_url, sso_region, account_id, role_name, session_name=session_name,
        ca_file=ca_file, _login_profile=profile, _shared_cache=entry, **session,
        **inject,
    )  # fmt: skip


def _sso_cache_key(
    start_url: str, account_id: str, role_name: str, session: str | None
) -> str:
    """botocore's SSOCredentialFetcher key: the role, the account, and the
    sso-session's name, or the start URL without one."""
    args = {"roleName": role_name, "accountId": account_id}
    if session:
        args["sessionName"] = session
    else:
        args["startUrl"] = start_url
    return _shared_cache_key(args, compact=True)


def _sso_session_settings(
    provider: str, where: str, settings: Mapping[str, str], config: Ini
) -> dict[str, str]:
    """The settings of the profile's sso-session, none without one. The section
    must exist and agree with the profile's own keys (botocore, SSOProvider's
    _resolve_sso_session_reference)."""
    session = settings.get("sso_session")
    shared = config.get(f"sso-session {session}", {}) if session else {}
    if session is not None and not shared:
        raise ConfigError(f"sso-session {session!r} does not exist", provider, where)
    for key, value in shared.items():
        if settings.get(key, value) != value:
            what = f"{key} differs in sso-session {session!r}"
            raise ConfigError(what, provider, where)
    return shared


def _keys_or_process(
    provider: str,
    chain: list[str],
    settings: Mapping[str, str],
    creds: Ini,
    config: Ini,
    paths: tuple[str, str],
    inject: Mapping[str, Any],
) -> Provider | None:
    """Keys of the credentials file, else an `aws login` session, else
    credential_process, else keys of the config file (botocore's order); None for
    the selected profile without any, an error for a source_profile without any."""
    profile = chain[-1]
    in_creds, in_config = creds.get(profile, {}), config.get(profile, {})
    if "aws_access_key_id" in in_creds:
        return _static_keys(provider, profile, in_creds, paths[0])
    if settings.get("login_session"):
        return LoginProvider(
            settings["login_session"], _profile_region=settings.get("region"),
            _login_profile=profile, **inject,
        )  # fmt: skip
    if "credential_process" in settings:
        return ProcessProvider(
            settings["credential_process"], clock=inject["clock"],
            account_id=settings.get("aws_account_id"),
        )  # fmt: skip
    if "aws_access_key_id" in in_config:
        return _static_keys(provider, profile, in_config, paths[1])
    if len(chain) > 1:
        what = f"source_profile {profile!r} has no credentials"
        raise ConfigError(what, provider, f"profile {chain[-2]!r}")
    return None


def _static_keys(
    provider: str, profile: str, section: Mapping[str, str], path: str
) -> StaticProvider:
    """The keys of a profile's section in one file: both must be non-empty."""
    key = section["aws_access_key_id"]
    secret = section.get("aws_secret_access_key", "")
    if not (key and secret):
        what = "needs non-empty aws_access_key_id and aws_secret_access_key"
        raise ConfigError(what, provider, f"{path}, profile {profile!r}")
    # aws_session_token wins over the legacy aws_security_token (README, "The AWS
    # config files").
    token = section.get("aws_session_token") or section.get("aws_security_token")
    return StaticProvider(key, secret, token, account_id=section.get("aws_account_id"))


def _wrap_in_roles(
    source: Any,
    roles: list[dict[str, str]],
    session: Session,
    mfa_prompt: Prompt,
    inject: Mapping[str, Any],
    cache_dir: str | None,
) -> Provider | None:
    """The source wrapped in the roles to assume, the innermost first; each role
    has its own entry in the AWS CLI cache in ``cache_dir``, if given."""
    for role in reversed(roles):
        shared = None if cache_dir is None else _role_cache(cache_dir, role)
        source = _role_provider(source, role, session, mfa_prompt, inject, shared)
    return source  # type: ignore[no-any-return]


def _role_provider(
    source: Any,
    role: Mapping[str, str],
    session: Session,
    mfa_prompt: Prompt,
    inject: Mapping[str, Any],
    shared: _SharedCache | None,
) -> Provider:
    """One role of the chain, assumed with ``source``: a web identity token reader
    or a Provider. The selected profile's settings (``session``: region, endpoints,
    CA bundle) apply to every role, as botocore applies its session's. ``shared``:
    the role's entry in the AWS CLI cache, if any."""
    session_name = role.get("role_session_name") or f"minicreds-{int(time.time())}"
    ca_file = session["profile_settings"].get("ca_bundle")
    if "web_identity_token_file" in role:
        return WebIdentityProvider(
            source, role["role_arn"], session_name, ca_file=ca_file,
            _shared_cache=shared, **session, **inject,
        )  # fmt: skip
    return AssumeRoleProvider(
        source,
        role["role_arn"],
        session_name,
        _duration_seconds(role),
        external_id=role.get("external_id"),
        mfa_serial=role.get("mfa_serial"),
        mfa_prompt=mfa_prompt,
        ca_file=ca_file,
        _shared_cache=shared,
        **session,
        **inject,
    )


def _duration_seconds(role: Mapping[str, str]) -> int | None:
    """A role's duration_seconds; None when absent or not a number (botocore
    ignores it then)."""
    seconds = role.get("duration_seconds", "").strip()
    # ASCII digits only, and few: int() refuses "\u00b2" (isdigit() is true) and,
    # from Python 3.11, numbers of over 4300 digits.
    number = seconds.isascii() and seconds.isdigit() and len(seconds) <= 9
    return int(seconds) if number else None


def _role_cache(cache_dir: str, role: Mapping[str, str]) -> _SharedCache:
    """A role's entry in the AWS CLI cache, named by the key botocore's
    AssumeRoleCredentialFetcher computes: RoleArn, and what the profile sets of
    RoleSessionName, ExternalId, SerialNumber and DurationSeconds (a name
    minicreds makes up is left out, as botocore leaves out its own). A web
    identity role sends, and so keys, the ARN and session name alone."""
    args: dict[str, Any] = {"RoleArn": role["role_arn"]}
    names = {"RoleSessionName": "role_session_name"}
    if "web_identity_token_file" not in role:
        names.update(ExternalId="external_id", SerialNumber="mfa_serial")
        if _duration_seconds(role):
            args["DurationSeconds"] = _duration_seconds(role)
    for arg, setting in names.items():
        if role.get(setting):  # minicreds sends no empty parameter
            args[arg] = role[setting]
    return _SharedCache(cache_dir, _shared_cache_key(args, compact=False))


def _read_token(provider: str, path: str) -> str:
    """A token file (web identity, container authorization), read at each refresh."""
    try:
        raw = _read_regular_file(path)
        token = _utf8_text(raw).strip()  # a BOM is no part of a token
        error = "the token file is empty" if not token else ""
        if len(raw) > _MAX_FILE:
            error = "file larger than 4 MiB"
    except OSError as exc:
        error = f"cannot read the token ({_os_reason(exc)})"
    except ConfigError as exc:
        error = exc.what
    except UnicodeDecodeError:  # raised outside the handler, which quotes the token
        error = "the token is not UTF-8"
    if error:
        raise ConfigError(error, provider, path)
    return token


class MinioClientConfigProvider(Provider):
    """Credentials of an alias in mc's ``config.json`` (versions 9 and 10)."""

    def __init__(
        self,
        filename: str | None = None,
        alias: str | None = None,
        *,
        environ: Env = None,
    ) -> None:
        self._filename, self._alias, self._environ = filename, alias, environ

    @_boundary
    def retrieve(self) -> Credentials | None:
        """Credentials of the alias; None when the file or default alias is absent."""
        env = os.environ if self._environ is None else self._environ
        name = _name(self)
        mc = "mc" if sys.platform == "win32" else ".mc"
        folder = env.get("MC_CONFIG_DIR") or os.path.join(_mc_home(env), mc)
        path = self._filename or os.path.join(folder, "config.json")
        explicit = self._alias or env.get("MINIO_ALIAS")
        alias = explicit or "s3"
        data = _read_file(name, path, _parse_json)
        if data is None:
            self._reason = f"{path} does not exist"
            return None
        table = data.get("aliases", data.get("hosts", {}))
        if not isinstance(table, dict):
            raise ConfigError("'aliases' is not a JSON object", name, path)
        entry = table.get(alias)
        if entry is None:
            if explicit:
                raise ConfigError(f"alias {alias!r} not found", name, path)
            self._reason = f"no alias {alias!r} in {path}"
            return None
        try:  # Credentials() checks the keys are non-empty strings
            token = entry.get("sessionToken")
            token = token if isinstance(token, str) else None
            return Credentials(entry["accessKey"], entry["secretKey"], token)
        except (AttributeError, KeyError, ValueError):
            pass  # raised below, outside the handler: no chained exception
        what = "the alias needs non-empty accessKey and secretKey strings"
        raise ConfigError(what, name, f"{path}, alias {alias!r}")


def _mc_home(env: Mapping[str, str]) -> str:
    """The home folder as mc finds it (go-homedir's Dir): HOME, then on Windows
    USERPROFILE, then HOMEDRIVE and HOMEPATH; Python's expanduser ignores HOME on
    Windows since 3.8."""
    home = env.get("HOME")
    if not home and sys.platform == "win32":
        drive, path = env.get("HOMEDRIVE"), env.get("HOMEPATH")
        home = env.get("USERPROFILE") or (drive and path and drive + path)
    return home or os.path.expanduser("~")


def _json_or_error(data: str | bytes) -> tuple[Any, str]:
    """(JSON value, "") or (None, where or why it is not JSON), never quoting it."""
    import json

    try:
        return json.loads(data), ""
    except ValueError as exc:  # its text quotes the data
        line = getattr(exc, "lineno", 0)  # none when bytes are not UTF-8
        return None, f"line {line}" if line else "not UTF-8"
    except RecursionError:  # "[" * 100000: json's parser recurses
        return None, "nested too deeply"


def _parse_json(text: str) -> dict[str, Any]:
    """A JSON object, as _read_file's parser: errors give the line, never the text."""
    data, error = _json_or_error(text)
    if not isinstance(data, dict):
        raise ConfigError(f"not valid JSON ({error})" if error else "not a JSON object")
    return data


class _SharedCache:
    """One entry of the credential cache the AWS CLI keeps in ``~/.aws/cli/cache``
    (botocore's JSONFileCache): ``<key>.json`` holding an AssumeRole answer or SSO
    role credentials. README "The AWS CLI's cache".

    An entry is used only if it is this user's regular file, not writable by others,
    holds credentials with a session token and lives 15 more minutes; anything else
    is ignored, and replaced by the next fetch. Writes go through a temporary file
    and ``os.replace``, so a reader never sees half an entry.
    """

    __slots__ = ("_account_id", "path")

    def __init__(self, folder: str, key: str, account_id: str | None = None):
        """``account_id``: an SSO role's account, written as the AWS CLI writes it
        in SSO entries (role entries have none)."""
        self.path = os.path.join(os.path.expanduser(folder), f"{key}.json")
        self._account_id = account_id

    def fetch_through(
        self, fetch: Callable[[], Credentials], clock: Clock
    ) -> Credentials:
        """The entry's credentials if it serves at ``clock()``, else ``fetch()``'s,
        saved as the entry."""
        found = self._load(clock())
        if found is not None:
            return found
        creds = fetch()
        self._save(creds)
        return creds

    def _load(self, now: float) -> Credentials | None:
        """The entry's credentials; None when it is missing, foreign, corrupt or
        expires within 15 minutes."""
        document = _read_own_json(self.path)
        try:
            found = document["Credentials"]
            expiry = str(found["Expiration"])
            if expiry.endswith("UTC"):  # botocore's "2026-12-07T14:49:17UTC"
                expiry = expiry[:-3] + "Z"
            creds = Credentials(
                found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"],
                _parse_time(expiry), account_id=found.get("AccountId"),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError):
            return None  # no credentials in it: ignored, replaced by the next fetch
        left = (creds._expires or 0.0) - now
        if not creds.session_token or left < _SHARED_CACHE_MARGIN:
            return None
        return creds

    def _save(self, creds: Credentials) -> None:
        """The credentials written as the entry, as the AWS CLI writes them; a
        failure is logged, never raised: the credentials serve all the same."""
        import json

        found = {
            "AccessKeyId": creds.access_key,
            "SecretAccessKey": creds.secret_key,
            "SessionToken": creds.session_token,
        }
        document: dict[str, Any] = {"Credentials": found}
        stamp = time.gmtime(creds._expires or 0)
        if self._account_id is None:  # botocore writes an AssumeRole answer's date so
            found["Expiration"] = time.strftime("%Y-%m-%dT%H:%M:%SUTC", stamp)
            if creds.account_id:  # from the assumed role's ARN, as botocore adds it
                found["AccountId"] = creds.account_id
        else:  # and an SSO role's so (SSOCredentialFetcher)
            found["Expiration"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp)
            found["AccountId"] = self._account_id
            document["ProviderType"] = "sso"
        try:
            _write_atomically(self.path, json.dumps(document))
        except OSError as exc:
            log = "%s: cannot write the AWS CLI cache entry %s: %s"
            _logger().warning(log, "_SharedCache", self.path, _os_reason(exc))


def _read_own_json(path: str) -> Any:
    """The JSON in ``path``, if it is a regular file of this user that no one else
    may write (where the system has owners); else None."""
    import json
    import stat

    try:
        with open(path, "rb", opener=_unblocked_opener) as handle:  # FIFO: no wait
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode) or _foreign(status):
                return None
            raw = handle.read(_MAX_BODY + 1)
    except OSError:  # missing or unreadable: no entry
        return None
    try:
        return json.loads(raw) if len(raw) <= _MAX_BODY else None
    except (ValueError, RecursionError):  # not JSON, or nested too deep for json
        return None


def _foreign(status: os.stat_result) -> bool:
    """Whether a file belongs to another user or others may write it: its contents
    cannot be trusted. (Windows: no owners to compare.)"""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return False
    return status.st_uid != getuid() or bool(status.st_mode & 0o022)


def _write_atomically(path: str, text: str) -> None:
    """``text`` as the file ``path``, mode 0600, in a folder created 0700: written
    to a temporary file beside it, then renamed over it."""
    import contextlib
    import tempfile

    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=folder, suffix=".tmp")  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the rename makes it the entry
        _replace_patiently(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):  # renamed: gone already
            os.unlink(temp)


def _replace_patiently(source: str, target: str) -> None:
    """``os.replace``, tried 5 times over half a second while it raises
    PermissionError: Windows refuses to replace a file another process has open
    (the AWS CLI reading the same cache), and lets go soon after."""
    for pause in (0.05, 0.1, 0.15, 0.2):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            time.sleep(pause)
    os.replace(source, target)


def _shared_cache_key(args: Mapping[str, Any], compact: bool) -> str:
    """The name botocore gives a cache entry: the SHA-1 of the arguments as JSON
    with sorted keys; with json's default separators for roles
    (AssumeRoleCredentialFetcher), compact for SSO (SSOCredentialFetcher)."""
    import json

    try:  # CPython's own SHA-1: hashlib would load OpenSSL, ~2 ms of every start
        from _sha1 import sha1  # type: ignore[import-not-found]
    except ImportError:  # a build without it
        from hashlib import sha1

    separators = (",", ":") if compact else None
    text = json.dumps(args, sort_keys=True, separators=separators)
    digest: str = sha1(text.encode()).hexdigest()
    return digest


# =====================================================================================
# Process and SSO
# =====================================================================================

# README "Failure behaviour", credential_process.
_PROCESS_GRACE = 0.5  # seconds its stdout may stay open once the command has exited
_PROCESS_POLL = 0.05  # seconds between looks at whether the command has exited


class ProcessProvider(RefreshingProvider):
    """Credentials printed by a command, as ``credential_process`` runs it.

    The command is split like a shell line (Windows rules on Windows) and run without
    a shell; its stdin and stderr are the caller's, so it can prompt. It must print
    the version 1 JSON (``Version``, ``AccessKeyId``, ``SecretAccessKey``, optional
    ``SessionToken``, ``Expiration`` and ``AccountId``), at most 1 MiB, within
    ``timeout`` seconds, or it is killed. Credentials with an ``Expiration`` are
    refreshed by running it again. ``account_id``: the account ID when the output
    has none (botocore: the profile's ``aws_account_id``).
    """

    def __init__(
        self,
        command: str,
        *,
        timeout: float = 60.0,
        clock: Clock = time.time,
        account_id: str | None = None,
    ):
        super().__init__(self._run, clock=clock)
        self._command, self._timeout = command, timeout
        self._account_id = account_id

    def _run(self) -> Credentials:
        """Credentials from one run of the command."""
        name = _name(self)
        argv, program = self._argv(name)
        output, status = self._output(name, argv, program)
        data = self._json(name, program, output, status)
        return self._credentials(name, program, data)

    def _argv(self, name: str) -> tuple[Any, str]:
        """What to run (on Windows, the line itself) and the program's name, the only
        part of the command a message names: the arguments may hold a secret."""
        import shlex

        try:
            if os.name == "nt":  # CreateProcess splits the line by Windows rules
                program = shlex.split(self._command, posix=False)[0].strip('"')
                return self._command, program
            argv = shlex.split(self._command)
            return argv, argv[0]
        except (ValueError, IndexError):
            pass  # raised below, outside the handler: no chained exception
        what = "the command is empty or badly quoted"
        raise ConfigError(what, name, "credential_process")

    def _output(self, name: str, argv: Any, program: str) -> tuple[bytes, int]:
        """What the command printed, and its exit status. A TransportError when it
        is stopped: no answer within the timeout, or more than 1 MiB of output."""
        # Its own session (a group to kill whole) unless a person may be typing to
        # it: then it stays where ^C reaches it and a prompt can read the terminal.
        session = os.name != "nt" and not _stdin_is_terminal()
        command = _start(name, argv, program, session)
        pipe = _pipe_reader(command.stdout)
        end = time.monotonic() + self._timeout
        try:
            output, stopped = _read_output(command, pipe, end)
            stopped = stopped or _wait_for_exit(command, end)
        finally:
            _stop(command, session)
            pipe.close()
        if stopped == "timeout":
            raise TransportError(
                f"no answer in {self._timeout:g} s, killed", name, program
            )
        if stopped:
            raise TransportError("output larger than 1 MiB, stopped", name, program)
        return output, command.returncode

    def _json(self, name: str, program: str, output: bytes, status: int) -> Any:
        """The output as JSON, from a command that exited with status 0."""
        if status:
            what = f"exited with status {status} (see its stderr)"
            raise CredentialsError(what, name, program)
        data, error = _json_or_error(output)
        if error:
            raise TransportError(f"output is not JSON ({error})", name, program)
        return data

    def _credentials(self, name: str, program: str, data: Any) -> Credentials:
        """Credentials from the version 1 JSON the command printed."""
        bad = "is not a Version 1 JSON object"
        try:
            if data["Version"] == 1:
                bad = "is invalid"
                expiry = data.get("Expiration")
                return Credentials(
                    data["AccessKeyId"], data["SecretAccessKey"],
                    data.get("SessionToken"), _parse_time(expiry) if expiry else None,
                    account_id=data.get("AccountId") or self._account_id,
                )  # fmt: skip
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            bad = f"lacks {exc.args[0]}" if isinstance(exc, KeyError) else bad
        raise TransportError(f"output {bad}", name, program)


def _stdin_is_terminal() -> bool:
    """Whether the caller's stdin, which a command inherits, is a terminal."""
    return os.isatty(0)


def _start(name: str, argv: Any, program: str, session: bool) -> Any:
    """The command started with its stdout piped to us; stdin and stderr are the
    caller's, so that a prompt shows. Raised outside the handler: the exception
    quotes the command line, which may hold a secret."""
    import subprocess

    try:
        return subprocess.Popen(argv, stdout=subprocess.PIPE, start_new_session=session)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the command
        error = f"cannot run ({_os_reason(exc)})"
    raise ConfigError(error, name, program)


def _pipe_reader(pipe: Any) -> _SelectPipe | _ThreadPipe:
    """A reader of a command's stdout that waits a bounded time for each chunk."""
    return _ThreadPipe(pipe) if os.name == "nt" else _SelectPipe(pipe)


def _read_output(command: Any, pipe: Any, end: float) -> tuple[bytes, str]:
    """What the command printed, and why reading stopped short: "timeout", "too
    large", or "" when it did not.

    Reads to the end of the output, or until the ``end`` deadline (monotonic time),
    or past 1 MiB. Once the command has exited, what it printed within a short grace
    period is taken even if a background child of it holds the pipe open.
    """
    output = bytearray()
    exited_at = None
    while len(output) <= _MAX_BODY:
        now = time.monotonic()
        if exited_at is None and command.poll() is not None:
            exited_at = now
        limit = end if exited_at is None else min(end, exited_at + _PROCESS_GRACE)
        if now >= limit:
            return bytes(output), "" if exited_at is not None else "timeout"
        chunk = pipe.read(min(limit - now, _PROCESS_POLL))
        if chunk == b"":  # the end of the output
            return bytes(output), ""
        output += chunk or b""
    return bytes(output), "too large"


def _wait_for_exit(command: Any, end: float) -> str:
    """After the end of its output, the command's exit, awaited until ``end``:
    "" once it has exited, else "timeout"."""
    import subprocess

    try:
        command.wait(max(end - time.monotonic(), 0.0))
    except subprocess.TimeoutExpired:
        return "timeout"
    return ""


def _stop(command: Any, session: bool) -> None:
    """Kill the command if it still runs, with its whole group when it leads one,
    and reap it; every wait is bounded (on Windows, subprocess.run() waits on the
    pipes without a time-out after kill())."""
    import subprocess

    if command.poll() is None:
        try:
            if session:
                import signal

                os.killpg(command.pid, signal.SIGKILL)
            else:
                command.kill()
        except OSError:  # it has exited meanwhile
            pass
    try:
        command.wait(5.0)  # SIGKILL is not refused: only a stuck kernel call waits
    except subprocess.TimeoutExpired:
        pass  # left to the OS; the caller has its answer


class _SelectPipe:
    """A command's stdout, read as it comes with select (POSIX)."""

    def __init__(self, pipe: Any):
        import selectors

        self._pipe = pipe
        self._selector = selectors.DefaultSelector()
        self._selector.register(pipe, selectors.EVENT_READ)

    def read(self, seconds: float) -> bytes | None:
        """The next chunk: b"" at the end of the output, None if none came in time."""
        if not self._selector.select(seconds):
            return None
        return os.read(self._pipe.fileno(), 65536)

    def close(self) -> None:
        """Close the pipe: a background child still writing to it gets EPIPE."""
        self._selector.close()
        self._pipe.close()


class _ThreadPipe:
    """A command's stdout, read as it comes by a thread: Windows cannot select on a
    pipe. The thread closes the pipe itself, after its last read returns, so that no
    read is cut from under it."""

    def __init__(self, pipe: Any):
        import queue
        import threading

        self._chunks: queue.Queue[bytes] = queue.Queue()
        self._closed = threading.Event()
        threading.Thread(target=self._pump, args=(pipe,), daemon=True).start()

    def _pump(self, pipe: Any) -> None:
        """The thread: chunks into the queue until the end, or until closed."""
        chunk = b"..."
        try:
            while chunk and not self._closed.is_set():
                chunk = os.read(pipe.fileno(), 65536)
                self._chunks.put(chunk)
        except OSError:
            self._chunks.put(b"")
        finally:
            pipe.close()

    def read(self, seconds: float) -> bytes | None:
        """The next chunk: b"" at the end of the output, None if none came in time."""
        import queue

        try:
            return self._chunks.get(timeout=seconds)
        except queue.Empty:
            return None

    def close(self) -> None:
        """Stop reading: the thread closes the pipe when its read returns."""
        self._closed.set()


class SSOProvider(RefreshingProvider):
    """Role credentials from IAM Identity Center (SSO), with ``aws sso login``'s token.

    The token is read from ``~/.aws/sso/cache/<sha1>.json`` (sha1 of ``session_name``
    for an ``[sso-session]``, else of ``start_url``) and traded at the SSO portal
    (``AWS_ENDPOINT_URL_SSO``, else ``AWS_ENDPOINT_URL``, else AWS's, FIPS or
    dual-stack as ``AWS_USE_FIPS_ENDPOINT`` and ``AWS_USE_DUALSTACK_ENDPOINT`` say).
    With a ``session_name``, a token due within 15 minutes is renewed with its
    refresh token (``AWS_ENDPOINT_URL_SSO_OIDC``...) and written back to the cache.
    ``profile_settings`` and ``profile_services``: a profile's, as for
    ``AssumeRoleProvider``.
    """

    __signature__ = _PublicSignature()

    def __init__(
        self,
        start_url: str,
        sso_region: str,
        account_id: str,
        role_name: str,
        *,
        session_name: str | None = None,
        cache_dir: str | None = None,
        ca_file: str | None = None,
        clock: Clock = time.time,
        environ: Env = None,
        profile_settings: Mapping[str, str] | None = None,
        profile_services: Services | None = None,
        _login_profile: str | None = None,
        _shared_cache: _SharedCache | None = None,
    ):
        import functools
        import hashlib

        fetch: Callable[[], Credentials] = self._fetch
        if _shared_cache is not None:  # the AWS CLI's entry, before the token
            fetch = functools.partial(_shared_cache.fetch_through, self._fetch, clock)
        super().__init__(fetch, clock=clock)
        self._query = {"role_name": role_name, "account_id": account_id}
        self._account_id = account_id
        self._session, self._region = session_name, sso_region
        self._profile = profile_settings or {}
        self._services = profile_services or {}
        self._ca_file, self._environ = ca_file, environ
        digest = hashlib.sha1((session_name or start_url).encode()).hexdigest()
        folder = cache_dir or os.path.join("~", ".aws", "sso", "cache")
        self._path = os.path.join(os.path.expanduser(folder), f"{digest}.json")
        # What gets a new token: a login with the profile the provider was built from
        # (AWSConfigProvider passes it), else with its session.
        login = "aws sso login"
        if _login_profile is not None:
            login += f" --profile {_login_profile}"
        elif session_name:
            login += f" --sso-session {session_name}"
        self._login_advice = f"run '{login}'"

    def _fetch(self) -> Credentials:
        """The role's credentials for the cached token, renewed first when due."""
        name = _name(self)
        token, access, expires = self._cached_token(name)
        now = self._clock()
        if self._renewal_due(token, expires, now):
            access, expires = self._renewed_token(name, token, now) or (access, expires)
        if expires <= now:
            what = f"the SSO token has expired, {self._login_advice}"
            raise CredentialsError(what, name, self._path)
        return self._role_credentials(name, access)

    def _cached_token(self, name: str) -> tuple[dict[str, Any], str, float]:
        """The cache file's contents, its access token and the token's expiry."""
        token = False  # None: no file; False: unreadable
        try:
            token = _read_file(name, self._path, _parse_json)
            # Older AWS CLI versions wrote "...T12:00:00UTC".
            when = _parse_time(str(token["expiresAt"]).replace("UTC", "Z"))
            return token, str(token["accessToken"]), when.timestamp()
        except (KeyError, TypeError, ValueError):  # ConfigError included
            pass  # raised below, outside the handler: no chained exception
        what = "no cached SSO token" if token is None else "bad cached SSO token"
        raise CredentialsError(f"{what}, {self._login_advice}", name, self._path)

    def _renewal_due(self, token: dict[str, Any], expires: float, now: float) -> bool:
        """With a session, a token due within 15 minutes (botocore's margin) is
        renewed, if the cache holds what renewing takes."""
        keys = ("registrationExpiresAt", "clientId", "clientSecret", "refreshToken")
        strings = all(isinstance(token.get(key), str) for key in keys)
        return bool(self._session) and expires - now < 900 and strings

    def _renewed_token(
        self, name: str, token: dict[str, Any], now: float
    ) -> tuple[str, float] | None:
        """A new access token and its expiry, saved to the cache; None when the
        client registration has expired or renewing failed. A failure (ours are
        ValueErrors) is only logged; a token renewed but not saved is still used."""
        renewed = None
        try:
            if _parse_time(token["registrationExpiresAt"]).timestamp() > now:
                access, life, refresh = self._exchange_refresh_token(name, token)
                renewed = access, now + life
                self._save_token(token, access, now + life, refresh)
        except (AttributeError, TypeError, ValueError, OSError) as exc:
            log = "%s: cannot renew or save the SSO token: %s"
            _logger().warning(log, name, _describe(exc))
        return renewed

    def _exchange_refresh_token(
        self, name: str, token: dict[str, Any]
    ) -> tuple[str, int, str]:
        """(access token, its lifetime in seconds, refresh token) from the OIDC
        endpoint's CreateToken, for the cached refresh token."""
        import json

        keys = ("clientId", "clientSecret", "refreshToken")
        body = {key: token[key] for key in keys}
        body["grantType"] = "refresh_token"
        (status, _, data), url = self._call(
            name, "POST", "SSO_OIDC", "oidc", "/token", body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        answer = _json_or_error(data)[0] if status == 200 else None
        answer = answer if isinstance(answer, dict) else {}
        access, life = answer.get("accessToken"), _token_lifetime(answer)
        if not (access and isinstance(access, str) and life):
            what = f"no usable token (HTTP {status})"
            raise TransportError(what, name, _safe_url(url))
        return access, life, answer.get("refreshToken") or body["refreshToken"]

    def _save_token(
        self, token: dict[str, Any], access: str, expires: float, refresh: str
    ) -> None:
        """The renewed token written to the cache, as the AWS CLI writes it."""
        import json

        saved = dict(  # a copy: _read_file's cache holds what the file says
            token,
            accessToken=access,
            expiresAt=_aws_time(expires),
            refreshToken=refresh,
        )
        _write_atomically(self._path, json.dumps(saved))

    def _role_credentials(self, name: str, access: str) -> Credentials:
        """The role's credentials from the portal's GetRoleCredentials."""
        from urllib.parse import urlencode

        datetime, utc = _datetime_utc()
        (status, headers, data), url = self._call(
            name, "GET", "SSO", "portal.sso", "/federation/credentials",
            query=urlencode(self._query),
            headers={"x-amz-sso_bearer_token": access, "Accept": "application/json"},
        )  # fmt: skip
        answer, url = _json_or_error(data)[0], _safe_url(url)
        if status == 401:
            what = f"the SSO token was refused, {self._login_advice}"
            raise CredentialsError(what, name, url)
        if status != 200:
            raise _portal_error(name, url, status, headers, answer, access)
        try:
            found = answer["roleCredentials"]
            when = datetime.fromtimestamp(found["expiration"] / 1000, utc)
            return Credentials(
                found["accessKeyId"], found["secretAccessKey"],
                found.get("sessionToken"), when, account_id=self._account_id,
            )  # fmt: skip
        except (KeyError, TypeError, ValueError, OverflowError):
            pass  # raised below, outside the handler: no chained exception
        raise TransportError("answer lacks roleCredentials", name, url)

    def _call(
        self,
        name: str,
        method: str,
        service: str,
        host: str,
        path: str,
        *,
        query: str = "",
        **options: Any,
    ) -> tuple[Reply, str]:
        """One call to an SSO service, and its URL without the query: the endpoint
        configured (``_configured_endpoint``), else AWS's; the CA bundle is the one
        given, else AWS_CA_BUNDLE."""
        env = os.environ if self._environ is None else self._environ
        base = _configured_endpoint(env, service, self._profile, self._services)
        if not base:
            variant = _endpoint_variant(env, self._profile)
            _check_region(self._region, name)
            base = f"https://{_aws_host(host, self._region, *variant)}"
        url = base.rstrip("/") + path
        ca_file = self._ca_file or env.get("AWS_CA_BUNDLE")
        target = f"{url}?{query}" if query else url
        reply = _http(name, method, target, environ=env, ca_file=ca_file, **options)
        return reply, url


def _aws_time(stamp: float) -> str:
    """POSIX seconds as the AWS CLI writes a time: ``2030-01-02T03:04:05Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


def _token_lifetime(answer: dict[str, Any]) -> int:
    """A token answer's ``expiresIn`` (SSO's CreateToken, the sign-in service's):
    a JSON number of seconds, from 1 s to a year; 0 for anything else. Unbounded,
    1e300, 10**400 or 1e999 (read as infinity) would overflow the expiry (README
    "Failure behaviour")."""
    life = answer.get("expiresIn")
    if isinstance(life, bool) or not isinstance(life, (int, float)):
        return 0
    return int(life) if 1 <= life <= 365 * 86400 else 0


def _portal_error(
    name: str, url: str, status: int, headers: dict[str, str], answer: Any, token: str
) -> CredentialsError:
    """The SSO portal's refusal: its error code and message, without the token."""
    text = answer.get("message") if isinstance(answer, dict) else ""
    text = text if isinstance(text, str) else ""  # a repr() escapes secrets
    code = headers.get("x-amzn-errortype", "").split(":")[0][:100]
    if not code and not isinstance(answer, dict):  # no error document
        return TransportError(f"answer HTTP {status}, no JSON", name, url)
    return STSError(
        _scrub(code, (token,)), _scrub(text, (token,)), name, url, status=status
    )


# `aws login` (botocore credentials.py, LoginProvider and LoginCredentialFetcher):
# the AWS CLI keeps a console session's credentials, a refresh token and a P-256 key
# in ~/.aws/login/cache; the keys are renewed at the sign-in service with a DPoP
# proof signed by that key (README "aws login").
_LOGIN_FIELDS = ("accessToken", "refreshToken", "dpopKey", "clientId")
_LOGIN_KEYS = ("accessKeyId", "secretAccessKey", "sessionToken")
_LOGIN_REFRESH = 300.0  # seconds before expiry: botocore's _REFRESH_THRESHOLD
# The sign-in service's refusals that only a new `aws login` cures.
_LOGIN_EXPIRED = ("TOKEN_EXPIRED", "USER_CREDENTIALS_CHANGED")


class LoginProvider(RefreshingProvider):
    """Credentials of an ``aws login`` session (profiles with ``login_session``).

    Read from ``<sha256 of session_name>.json`` in ``cache_dir``, else
    ``AWS_LOGIN_CACHE_DIRECTORY``, else ``~/.aws/login/cache``. From 5 minutes
    before they expire, they are renewed at the sign-in service of ``region`` (else
    ``AWS_REGION``, else ``AWS_DEFAULT_REGION``; ``AWS_ENDPOINT_URL_SIGNIN`` or
    ``AWS_ENDPOINT_URL`` overrides the host) with the cached refresh token and a
    DPoP proof signed by the cached key, and the cache is rewritten. A renewal that
    fails while the credentials are valid is logged and they are served.
    """

    __signature__ = _PublicSignature()

    def __init__(
        self,
        session_name: str,
        *,
        region: str | None = None,
        cache_dir: str | None = None,
        environ: Env = None,
        clock: Clock = time.time,
        _profile_region: str | None = None,
        _login_profile: str | None = None,
    ):
        super().__init__(self._fetch, clock=clock)
        self._session, self._environ = session_name, environ
        self._region, self._profile_region = region, _profile_region
        self._cache_dir = cache_dir
        login = "aws login" if _login_profile is None else "aws login --profile "
        self._advice = f"run '{login}{_login_profile or ''}'"

    def _fetch(self) -> Credentials:
        """The cached credentials, renewed first within 5 minutes of expiry."""
        name, path = _name(self), self._path()
        token = self._cached(name, path)
        creds = _login_credentials(token["accessToken"], name, path, self._advice)
        left = creds._expires - self._clock()  # type: ignore[operator]
        if left > _LOGIN_REFRESH:  # also how another process's renewal is seen
            return creds
        try:
            return self._renew(name, path, token)
        except CredentialsError as exc:
            if left <= _EXPIRY_SKEW:
                raise
            error = exc
        log = "%s: renewal failed, using credentials valid for %d s more: %s"
        _logger().warning(log, name, left, _describe(error))
        return creds

    def _path(self) -> str:
        """The session's cache file (botocore utils.py,
        get_login_token_cache_directory and generate_login_cache_key)."""
        import hashlib

        env = os.environ if self._environ is None else self._environ
        folder = self._cache_dir or env.get("AWS_LOGIN_CACHE_DIRECTORY")
        folder = os.path.expandvars(folder) if folder else None
        folder = folder or os.path.join("~", ".aws", "login", "cache")
        digest = hashlib.sha256(self._session.encode("utf-8")).hexdigest()
        return os.path.join(os.path.expanduser(folder), f"{digest}.json")

    def _cached(self, name: str, path: str) -> dict[str, Any]:
        """The cache file's contents, with every field a renewal needs."""
        token: Any = None
        try:
            token = _read_file(name, path, _parse_json)
        except ConfigError as exc:  # unreadable: as botocore, no session
            what = f"unusable login cache ({exc.what}), {self._advice}"
            raise CredentialsError(what, name, path) from None
        if token is None:
            what = f"no login session {self._session!r}, {self._advice}"
            raise CredentialsError(what, name, path)
        missing = [key for key in _LOGIN_FIELDS if not token.get(key)]
        if missing:
            what = f"the login cache lacks {', '.join(missing)}, {self._advice}"
            raise CredentialsError(what, name, path)
        texts = ("refreshToken", "dpopKey", "clientId")
        if not all(isinstance(token[key], str) for key in texts):
            what = f"the login cache holds a token that is not text, {self._advice}"
            raise CredentialsError(what, name, path)
        return token  # type: ignore[no-any-return]

    def _renew(self, name: str, path: str, token: dict[str, Any]) -> Credentials:
        """New credentials from the sign-in service, saved to the cache as the AWS
        CLI writes it (botocore JSONFileCache: 0600, renamed over the old file)."""
        import json

        access, life, refresh = self._exchange(name, path, token)
        expires = self._clock() + life
        fresh = dict(access, accountId=token["accessToken"].get("accountId"))
        fresh["expiresAt"] = _aws_time(expires)
        saved = dict(token, accessToken=fresh, refreshToken=refresh)
        creds = _login_credentials(fresh, name, path, self._advice)
        try:
            _write_atomically(path, json.dumps(saved))
        except OSError as exc:
            log = "%s: cannot save the renewed login session: %s"
            _logger().warning(log, name, _os_reason(exc))
        return creds

    def _exchange(
        self, name: str, path: str, token: dict[str, Any]
    ) -> tuple[dict[str, str], int, str]:
        """(new keys, their lifetime in seconds, new refresh token) from the
        sign-in service's CreateOAuth2Token, an unsigned JSON POST with a DPoP
        proof (botocore: the signin service model, 2023-01-01)."""
        import json

        env = os.environ if self._environ is None else self._environ
        url = self._token_url(env, name)
        key_pem = token["dpopKey"]
        key = _login_key(key_pem, name, path, self._advice)
        proof = _dpop_proof(key, _p256_public_key(key), "POST", url, int(self._clock()))
        refresh = token["refreshToken"]
        body = {
            "clientId": token["clientId"],
            "refreshToken": refresh,
            "grantType": "refresh_token",
        }
        reply = _http(
            name, "POST", url, body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "DPoP": proof},
            ca_file=env.get("AWS_CA_BUNDLE"), environ=env,
        )  # fmt: skip
        return _login_answer(
            name, _safe_url(url), reply, (refresh, key_pem), self._advice
        )

    def _token_url(self, env: Mapping[str, str], name: str) -> str:
        """The sign-in service's token URL for the region (botocore's endpoint
        rules for signin): AWS_ENDPOINT_URL_SIGNIN, else AWS_ENDPOINT_URL, else
        AWS's host in the region's partition."""
        base = env.get("AWS_ENDPOINT_URL_SIGNIN") or env.get("AWS_ENDPOINT_URL")
        if base:
            return base.rstrip("/") + "/v1/token"
        region = (
            self._region
            or env.get("AWS_REGION")
            or env.get("AWS_DEFAULT_REGION")
            or self._profile_region
        )
        if not region:
            what = "no region for the sign-in service: set the profile's region"
            raise ConfigError(what, name, "login")
        _check_region(region, name)  # else it could name a host for the token
        return f"https://{_signin_host(region)}/v1/token"


def _signin_host(region: str) -> str:
    """The sign-in service's host in a region, ``REGION.signin.`` and the domain
    botocore's endpoint rules for signin give the region's partition."""
    domain = "aws.amazon.com"
    for prefix, partition_domain in _SIGNIN_DOMAINS:
        if region.startswith(prefix):
            domain = partition_domain
    return f"{region}.signin.{domain}"


def _login_key(pem: str, name: str, path: str, advice: str) -> int:
    """The session's P-256 private key (``dpopKey``, PEM)."""
    try:
        return _p256_key_from_pem(pem)
    except ConfigError as exc:  # its text names the flaw, never the key
        reason = exc.what
    raise ConfigError(f"{reason}, {advice}", name, path)


def _login_credentials(access: Any, name: str, path: str, advice: str) -> Credentials:
    """Credentials from a login cache's ``accessToken``: keys, expiry, account."""
    try:
        key, secret, token = (access[field] for field in _LOGIN_KEYS)
        expiry = _parse_time(access["expiresAt"])
        return Credentials(
            key, secret, token, expiry, account_id=access.get("accountId")
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        pass  # raised below, outside the handler: no chained exception
    what = f"the login cache's accessToken is incomplete, {advice}"
    raise CredentialsError(what, name, path)


def _login_answer(
    name: str, url: str, reply: Reply, secrets: tuple[str, str], advice: str
) -> tuple[dict[str, str], int, str]:
    """The sign-in service's new keys, their lifetime and the new refresh token;
    its refusal as an error that says to log in again."""
    status, headers, data = reply
    answer = _json_or_error(data)[0]
    answer = answer if isinstance(answer, dict) else {}
    if status == 200:
        access, life = answer.get("accessToken"), _token_lifetime(answer)
        refresh = answer.get("refreshToken")
        if (
            isinstance(access, dict)
            and all(isinstance(access.get(key), str) for key in _LOGIN_KEYS)
            and life
            and isinstance(refresh, str)
            and refresh
        ):
            return {key: access[key] for key in _LOGIN_KEYS}, life, refresh
        what = f"the sign-in service's answer is unusable, {advice}"
        raise TransportError(what, name, url)
    raise _login_refusal(name, url, status, headers, answer, secrets, advice)


def _login_refusal(
    name: str,
    url: str,
    status: int,
    headers: dict[str, str],
    answer: dict[str, Any],
    secrets: tuple[str, str],
    advice: str,
) -> CredentialsError:
    """The sign-in service's refusal (an OAuth 2 error code in ``error``), with no
    secret of the request in it (botocore: LoginRefreshRequired...)."""
    error = answer.get("error")
    error = _scrub(error, secrets)[:100] if isinstance(error, str) else ""
    if error in _LOGIN_EXPIRED:
        what = f"the login session has expired or its credentials changed, {advice}"
        return CredentialsError(what, name, url)
    kind = headers.get("x-amzn-errortype") or answer.get("__type") or ""
    code = _scrub(str(kind).split(":")[0].rpartition("#")[2], secrets)[:100]
    message = answer.get("message")
    message = _scrub(message, secrets) if isinstance(message, str) else ""
    if error == "INSUFFICIENT_PERMISSIONS":
        message = "signin:CreateOAuth2Token is not allowed; " + message
    return STSError(
        code or error, f"{message}; {advice}".lstrip("; "), name, url, status=status
    )


# =====================================================================================
# Container and instance metadata
# =====================================================================================

# Plain-http hosts a full URI may name besides loopback (ECS, EKS Pod Identity).
_CONTAINER_HOSTS = ("169.254.170.2", "169.254.170.23", "fd00:ec2::23")
_IMDS_ROLES = "/latest/meta-data/iam/security-credentials/"
# The same with the account ID in the credentials; a service without it answers 404
# (the AWS SDK for Rust, ImdsCredentialsProvider: README "Account ID").
_IMDS_EXTENDED = "/latest/meta-data/iam/security-credentials-extended/"
_IMDS_TOKEN = "/latest/api/token"
_IMDS_TTL = 21600  # seconds: the longest an IMDSv2 token lives
# (connect, read) timeouts, README "Instance metadata timeouts". Until IMDS answers
# in a lookup, fail fast: off EC2 nothing does (0.25 s when SYNs are dropped, 0.8 s
# when a listener never replies). Once it has answered, be patient.
_IMDS_PROBE = (0.25, 0.4)
_IMDS_PATIENT = (1.0, 1.0)
# Why an error answer is "no instance role here" until the service has once answered
# 200: EC2 with IMDS turned off (403), another cloud's metadata service (Azure: 400),
# a proxy (407, 502) answer at the address too (README "Instance metadata timeouts").
_NOT_AWS_METADATA = "before any 200: not AWS's instance metadata"
# One deadline for a whole lookup, every call and retry of it included (an IMDS
# lookup makes up to five calls): README "Instance metadata timeouts".
_LOOKUP_DEADLINE = 10.0

if TYPE_CHECKING:
    from typing import TypeVar

    _Number = TypeVar("_Number", int, float)


class _Absent(CredentialsError):
    """Not here: IMDS disabled or silent, or no role attached; retrieve() -> None."""


def _json_credentials(
    provider: str, url: str, status: int, data: bytes, secret: str | None
) -> Credentials:
    """Credentials from a container or IMDS JSON answer, or the error it carries."""
    source, doc = (
        _safe_url(url),
        _json_or_error(data)[0],
    )  # not UTF-8: a ValueError too
    if not isinstance(doc, dict):
        what = "not a JSON object" if status == 200 else f"HTTP {status}, no JSON"
        raise TransportError(f"answer {what}", provider, source)
    code = doc.get("Code", doc.get("code", "Success" if status == 200 else ""))
    if status != 200 or code != "Success":  # IMDS: 200 and a Code, role unusable
        message = doc.get("Message", doc.get("message"))
        # Only strings: a repr() would escape a secret out of _scrub's reach.
        message = message if isinstance(message, str) else ""
        code = _scrub(code if isinstance(code, str) else "", (secret,))[:100]
        raise STSError(
            code, _scrub(message, (secret,)), provider, source, status=status
        )
    token, expiration = doc.get("Token"), doc.get("Expiration")
    what = "answer has a bad Expiration"
    try:
        expiry = _parse_time(expiration) if expiration else None
        what = "no AccessKeyId or SecretAccessKey"  # Credentials() refuses them empty
        token = token if isinstance(token, str) else None
        account = doc.get("AccountId")  # container; IMDS's extended path
        return Credentials(
            doc["AccessKeyId"], doc["SecretAccessKey"], token, expiry,
            account_id=account if isinstance(account, str) else None,
        )  # fmt: skip
    except (AttributeError, KeyError, TypeError, ValueError):
        raise TransportError(what, provider, source) from None


def _container_url_allowed(url: str) -> bool:
    """https anywhere; plain http only to loopback, localhost, ECS and EKS.

    botocore's rule (utils.py, ``ContainerMetadataFetcher._validate_allowed_url``),
    made stricter: the host must be an exact IP literal or ``localhost`` (README
    "Failure behaviour", container endpoints over plain http).
    """
    import ipaddress
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host, _ = parts.hostname or "", parts.port  # a bad port raises ValueError
        if "@" in parts.netloc or "%" in host or parts.scheme not in ("http", "https"):
            return False  # userinfo tricks, zone ids
        if parts.scheme == "https" or host == "localhost":
            return bool(host)
        ip = ipaddress.ip_address(host)  # refuses names, 127.1, 0x7f.1, 2130706433
    except ValueError:
        return False
    if ip.version == 4:  # the exact literal only: "127.0.0.010" is octal to inet_aton
        return str(ip) == host and (ip.is_loopback or host in _CONTAINER_HOSTS)
    return str(ip) in ("::1", *_CONTAINER_HOSTS)  # never IPv4-mapped addresses


class _RefreshingIfPresent(RefreshingProvider):
    """A refreshing source that may be absent here: its fetch raises ``_Absent``,
    then ``retrieve()`` returns None and keeps why in ``_reason`` (which
    ``ChainedProvider`` reports)."""

    def retrieve(self) -> Credentials | None:  # type: ignore[override]
        """The cached credentials, or None when this source is not configured here."""
        try:
            return super().retrieve()
        except _Absent as exc:
            self._reason = str(exc)
            return None


class ContainerProvider(_RefreshingIfPresent):
    """Credentials from the ECS or EKS Pod Identity container endpoint.

    ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` under ``http://169.254.170.2``, else
    ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (plain http only to loopback addresses,
    ``localhost``, 169.254.170.2, 169.254.170.23 and fd00:ec2::23). The
    ``Authorization`` header comes from ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE``
    (re-read at each refresh), else ``AWS_CONTAINER_AUTHORIZATION_TOKEN``.
    """

    def __init__(self, *, environ: Env = None, clock: Clock = time.time):
        super().__init__(self._fetch_container, clock=clock)
        self._environ = environ
        self._base = "http://169.254.170.2"  # tests point it at a local fake

    def _fetch_container(self) -> Credentials:
        env = os.environ if self._environ is None else self._environ
        name, relative = _name(self), env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        url = self._base + relative if relative else full
        if not url:
            raise _Absent("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI not set")
        # Checked before any lookup or connection. A relative URI not starting with
        # "/" ("@host/", "3/", ":8080/") would change the base's host or port.
        if relative and not relative.startswith("/"):
            what = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with /"
            raise ConfigError(what, name, "environment")
        if not _container_url_allowed(url):
            hosts = ", ".join(_CONTAINER_HOSTS)
            what = f"URI refused: plain http only to loopback, localhost, {hosts}"
            raise ConfigError(what, name, _safe_url(url))
        path = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")  # rotated: re-read
        source = path or "AWS_CONTAINER_AUTHORIZATION_TOKEN"
        token = _read_token(name, path) if path else env.get(source)
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = token
        status, _, data = _http(
            name, "GET", url, timeout=2.0, connect_timeout=1.0, proxy=False,
            headers=headers, deadline=_LOOKUP_DEADLINE,
        )  # fmt: skip
        return _json_credentials(name, url, status, data, token)


class _ImdsSettings:
    """One fetch's instance metadata settings, each checked (see
    ``IamAwsProvider._imds_settings``)."""

    __slots__ = ("attempts", "base", "end", "timeout", "v1_disabled")

    def __init__(
        self,
        base: str,  # the service's URL, without a trailing slash
        timeout: float | None,  # connect and read; None: _IMDS_PROBE, _IMDS_PATIENT
        attempts: int | None,  # for every kind of failure; None: 3, answered ones
        v1_disabled: bool,  # no IMDSv1 fallback when no token comes
        end: float,  # time.monotonic() at which the whole lookup gives up
    ):
        self.base, self.timeout = base, timeout
        self.attempts, self.v1_disabled = attempts, v1_disabled
        self.end = end


def _iam_aws_forms(args: tuple[Any, ...]) -> tuple[str, ...]:
    """Both forms take ``custom_endpoint`` first: minicreds's own form, unless the
    call does not fit it (a second argument, or a keyword only minio-py has)."""
    return _OWN_THEN_MINIO


class IamAwsProvider(_RefreshingIfPresent):
    """Credentials of the role given to this pod, container or EC2 instance.

    Tried in order: web identity (``AWS_WEB_IDENTITY_TOKEN_FILE`` and
    ``AWS_ROLE_ARN``, the token file re-read at each refresh), the container
    endpoint (as ``ContainerProvider``), then EC2 instance metadata (IMDSv2, falling
    back to IMDSv1). ``custom_endpoint`` is the instance metadata base URL. The
    keyword-only settings are those of the AWS config file; the ``AWS_*`` variables
    of the same names win over them, as in botocore. Off EC2, ``retrieve()`` returns
    None within about a second.

    Also takes minio-py 7.2.20's form, ``(custom_endpoint=None, http_client=None,
    auth_token=None, relative_uri=None, full_uri=None, token_file=None,
    role_arn=None, role_session_name=None, region=None)``, with its choice of source
    (see ``_minio_source``).
    """

    __signature__ = _OwnSignature()
    _minio: dict[str, str | None] | None = None  # minio-py's keywords, when given

    def __init__(self, *args: Any, **kwargs: Any):
        _init_in_form(self, _iam_aws_forms(args), args, kwargs)

    def _own_form(
        self,
        custom_endpoint: str | None = None,
        *,
        environ: Env = None,
        clock: Clock = time.time,
        metadata_service_timeout: float | str | None = None,
        metadata_service_num_attempts: int | str | None = None,
        ec2_metadata_service_endpoint: str | None = None,
        ec2_metadata_service_endpoint_mode: str | None = None,
        ec2_metadata_v1_disabled: bool | str | None = None,
        _metadata_only: bool = False,  # no web identity or container (the chain's)
    ) -> None:
        super().__init__(self._fetch_imds, clock=clock)
        self._endpoint, self._environ = custom_endpoint, environ
        # The config file's settings, by name (AWS_<NAME> variables win over them).
        self._config = {
            "metadata_service_timeout": metadata_service_timeout,
            "metadata_service_num_attempts": metadata_service_num_attempts,
            "ec2_metadata_service_endpoint": ec2_metadata_service_endpoint,
            "ec2_metadata_service_endpoint_mode": ec2_metadata_service_endpoint_mode,
            "ec2_metadata_v1_disabled": ec2_metadata_v1_disabled,
        }
        self._metadata_only = _metadata_only

    # The source, picked at the first retrieve() and kept with its cache: web
    # identity, the container endpoint, or this instance's metadata (self).
    _picked: Provider | None = None
    _token = ("", 0.0)  # IMDSv2 token ("": none, IMDSv1), renew time
    # The credentials path this service serves: None until known (the extended
    # one is tried first), then _IMDS_EXTENDED or _IMDS_ROLES for good.
    _roles_path: str | None = None
    _answered = False  # during a fetch (one at a time): has IMDS answered?
    # Has the service ever answered 200 (a token, a role list)? Then it is AWS's
    # instance metadata, and its error answers are errors.
    _proven = False
    _uncopied = (  # what a copy (pickle) leaves behind: all of the above
        *RefreshingProvider._uncopied, "_choosing", "_picked", "_token",
        "_roles_path", "_answered", "_proven",
    )  # fmt: skip

    def _make_locks(self) -> None:
        """The refresh lock, and the lock of the choice of source."""
        import threading

        super()._make_locks()
        self._choosing = threading.Lock()  # one choice of source: one fetch

    def _minio_form(
        self,
        custom_endpoint: str | None = None,
        http_client: object = None,
        auth_token: str | None = None,
        relative_uri: str | None = None,
        full_uri: str | None = None,
        token_file: str | None = None,
        role_arn: str | None = None,
        role_session_name: str | None = None,
        region: str | None = None,
        *,
        environ: Env = None,
        clock: Clock = time.time,
    ) -> None:
        _refuse_http_client(http_client, _name(self), "leave it out")
        self._own_form(custom_endpoint, environ=environ, clock=clock)
        self._minio = {
            "auth_token": auth_token, "relative_uri": relative_uri,
            "full_uri": full_uri, "token_file": token_file, "role_arn": role_arn,
            "role_session_name": role_session_name, "region": region,
        }  # fmt: skip

    @_boundary
    def retrieve(self) -> Credentials | None:  # type: ignore[override]
        """The picked source's credentials, or None when there is none here."""
        picked = self._picked or self._pick_source()
        if picked is self:
            return super().retrieve()
        return picked.retrieve()

    def _pick_source(self) -> Provider:
        """The source, picked once under a lock: callers racing to the first
        retrieve() share one choice, so one fetch."""
        with self._choosing:
            if self._picked is None:
                self._picked = self if self._metadata_only else self._source_here()
            return self._picked

    def _source_here(self) -> Provider:
        """Web identity, else the container endpoint, else instance metadata, by the
        environment (botocore's default chain tries them in that order); minio-py's
        choice for its form."""
        env = os.environ if self._environ is None else self._environ
        if self._minio is not None:
            return self._minio_source(env, self._minio)
        if env.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
            return _web_identity(_name(self), env, {}, self._clock, self._environ)
        if env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") or env.get(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI"
        ):
            return ContainerProvider(environ=self._environ, clock=self._clock)
        return self

    def _minio_source(
        self, env: Mapping[str, str], given: Mapping[str, str | None]
    ) -> Provider:
        """minio-py 7.2.20's choice, each variable winning over its keyword: web
        identity with a token file (``custom_endpoint``: the STS endpoint), else the
        container endpoint (see ``_minio_container``), else instance metadata
        (``custom_endpoint``: its base URL), with minicreds's own rules for each."""
        from functools import partial

        def setting(variable: str, keyword: str) -> str | None:
            return env.get(variable) or given[keyword]

        token_file = setting("AWS_WEB_IDENTITY_TOKEN_FILE", "token_file")
        if token_file:
            region = setting("AWS_REGION", "region")
            endpoint = (
                self._endpoint or _aws_sts_host(region, "regional", _name(self))[0]
            )
            return WebIdentityProvider(
                jwt_provider_func=partial(_read_token, _name(self), token_file),
                sts_endpoint=endpoint, role_arn=setting("AWS_ROLE_ARN", "role_arn"),
                role_session_name=setting("AWS_ROLE_SESSION_NAME", "role_session_name"),
                clock=self._clock, environ=self._environ,
            )  # fmt: skip
        variables = _minio_container(env, given, self._endpoint)
        if variables:
            return ContainerProvider(environ=variables, clock=self._clock)
        return self

    def _imds_settings(self, env: Mapping[str, str]) -> _ImdsSettings:
        """The settings for a fetch; the ``AWS_*`` variables win over the config
        file, as in botocore."""
        timeout = self._positive(env, "metadata_service_timeout", float)
        attempts = self._positive(env, "metadata_service_num_attempts", int)
        endpoint = self._setting(env, "ec2_metadata_service_endpoint")[0]
        host = self._mode_host(env)  # checked even when an endpoint is given
        base = (self._endpoint or endpoint or f"http://{host}").rstrip("/")
        v1 = self._setting(env, "ec2_metadata_v1_disabled")[0]
        v1_disabled = str(v1).strip().lower() == "true"  # True, or "true" in any case
        end = time.monotonic() + _LOOKUP_DEADLINE
        return _ImdsSettings(base, timeout, attempts, v1_disabled, end)

    def _setting(self, env: Mapping[str, str], key: str) -> tuple[Any, str]:
        """A setting and where it comes from: ``AWS_<KEY>`` if set, else the file."""
        var = "AWS_" + key.upper()
        return (env[var], var) if env.get(var) else (self._config[key], key)

    def _positive(
        self, env: Mapping[str, str], key: str, kind: Callable[[Any], _Number]
    ) -> _Number | None:
        """A number setting: unset, or a positive ``kind`` under a million."""
        value, where = self._setting(env, key)
        if value is None or value == "":
            return None
        try:
            number = kind(value)
            if 0 < number < 1e6:  # false for NaN too
                return number
            value = number  # the message shows the number read: -1.0, 0
        except (TypeError, ValueError):
            pass
        raise ConfigError(f"{value!r} is not a positive number", _name(self), where)

    def _mode_host(self, env: Mapping[str, str]) -> str:
        """The service's address for the endpoint mode, IPv4 (the default) or IPv6."""
        mode, where = self._setting(env, "ec2_metadata_service_endpoint_mode")
        hosts = {"ipv4": "169.254.169.254", "ipv6": "[fd00:ec2::254]"}
        host = hosts.get(str(mode or "IPv4").lower())
        if host is None:
            raise ConfigError(f"{mode!r} is not IPv4 or IPv6", _name(self), where)
        return host

    def _fetch_imds(self) -> Credentials:
        """The role's credentials; None (``_Absent``) when nothing answered at all.

        With credentials in hand, an outage or expired credentials get static
        stability (botocore utils.py, ``InstanceMetadataFetcher._evaluate_expiration``;
        README "Instance metadata timeouts").
        """
        env = os.environ if self._environ is None else self._environ
        if env.get("AWS_EC2_METADATA_DISABLED", "").strip().lower() == "true":
            raise _Absent("AWS_EC2_METADATA_DISABLED is true")
        settings = self._imds_settings(env)
        self._answered = False
        try:
            creds, url = self._role_credentials(settings)
        except CredentialsError as exc:
            error = exc
        else:
            if creds._expires is None or creds._expires - _EXPIRY_SKEW > self._clock():
                return creds
            why = "it served expired credentials"
            if self._state is None:  # nothing in hand to be stable with
                raise TransportError(why, _name(self), _safe_url(url))
            # The new ones, not those in hand: IMDS still honours what it served.
            return self._static_stability(creds, why, _safe_url(url))
        if not self._answered and getattr(error, "kind", "other") != "other":
            # Nothing answered at all: not on EC2, which is None, not an error
            # (README "Providers" and "Instance metadata timeouts").
            error = _Absent(f"no instance metadata service: {error.what}")
        if self._state is None:
            raise error from None
        credentials = self._state.credentials
        return self._static_stability(credentials, error.what, error.source)

    def _role_credentials(self, settings: _ImdsSettings) -> tuple[Credentials, str]:
        """The first role's credentials and their URL: the role list, then its JSON."""
        from urllib.parse import quote

        name, base = _name(self), settings.base
        # A token first when none is held (or IMDSv1 was used) or it is due: one
        # token request up front per fetch (IMDSv1 for the rest of it if that
        # fails), and another only after a 401.
        due = self._clock() >= self._token[1]
        status, data, path = self._credentials_get(settings, "", new_token=due)
        if status == 404:
            raise _Absent("no IAM role is attached to this instance (HTTP 404)")
        if status != 200 and not self._proven:
            raise _Absent(f"role listing: HTTP {status}, {_NOT_AWS_METADATA}")
        roles = data.split()
        if status != 200 or not roles:
            what = f"HTTP {status}" if status != 200 else "the role list is empty"
            raise TransportError(what, name, _safe_url(base + path))
        role = quote(roles[0], safe="")
        status, data, path = self._credentials_get(settings, role, new_token=False)
        if status == 200 and self._roles_path is None:
            self._roles_path = path[: -len(role)]  # credentials came: it is served
        creds = _json_credentials(name, base + path, status, data, self._token[0])
        return creds, base + path

    def _credentials_get(
        self, settings: _ImdsSettings, role: str, *, new_token: bool
    ) -> tuple[int, bytes, str]:
        """GET the role list (``role`` "") or a role's credentials, and the path
        asked: on the extended path until a 404 there says the service lacks it,
        then on the classic path from then on (the AWS SDK for Rust)."""
        path = (self._roles_path or _IMDS_EXTENDED) + role
        status, data = self._imds_get(settings, path, new_token=new_token)
        if status == 404 and self._roles_path is None:
            self._roles_path = _IMDS_ROLES
            path = _IMDS_ROLES + role
            status, data = self._imds_get(settings, path, new_token=False)
        return status, data, path

    def _static_stability(
        self, creds: Credentials, why: str, source: str
    ) -> Credentials:
        """In an IMDS outage, serve these credentials a jittered 5-10 minutes more
        rather than fail every caller at once (the refresh engine retries sooner)."""
        datetime, utc = _datetime_utc()
        log = "%s: %s%s; static stability: serving the last credentials 5-10 min more"
        where = f" [{source}]" if source else ""
        _logger().warning(log, _name(self), why, where)
        expiry = datetime.fromtimestamp(_retry_at(self._clock(), 1e300), utc)
        return Credentials(
            creds.access_key, creds.secret_key, creds.session_token, expiry,
            account_id=creds.account_id,
        )  # fmt: skip

    def _imds_get(
        self, settings: _ImdsSettings, path: str, *, new_token: bool
    ) -> tuple[int, bytes]:
        """GET ``path`` with the IMDSv2 token, asked for first if ``new_token``; a
        401 (the token expired or was revoked) gets a new token and one more try."""
        if new_token:
            self._request_token(settings)
        token = self._token[0]
        status, data = self._imds_request(settings, "GET", path, _token_header(token))
        if status == 401 and token:
            self._request_token(settings)
            header = _token_header(self._token[0])
            status, data = self._imds_request(settings, "GET", path, header)
        return status, data

    def _request_token(self, settings: _ImdsSettings) -> None:
        """PUT a token request; ``self._token`` holds the new token, or none (use
        IMDSv1) after a 403, 404 or 405 or a read timeout, unless IMDSv1 is
        disabled (botocore utils.py, ``IMDSFetcher._fetch_metadata_token``)."""
        name, now, self._token = _name(self), self._clock(), ("", 0.0)
        headers = {"X-aws-ec2-metadata-token-ttl-seconds": str(_IMDS_TTL)}
        try:
            status, data = self._imds_request(settings, "PUT", _IMDS_TOKEN, headers)
        except TransportError as exc:
            if exc.kind != "read":
                raise
            # Connected, then silence: the hop limit keeps IMDSv2 answers from a
            # container on a bridge network, where IMDSv1 still works.
            status, data = 0, b""
        token = data.decode("latin-1").strip()
        if status == 200 and token and token.isascii() and token.isprintable():
            self._token = (token, now + _IMDS_TTL - 60)  # renewed a minute early
            return
        why = f"HTTP {status}" if status else "no answer"
        if status in (0, 403, 404, 405):  # 403/404/405: IMDSv1-only services
            if not settings.v1_disabled:
                _logger().debug("%s: no IMDSv2 token (%s), using IMDSv1", name, why)
                return
            why += "; IMDSv1 is disabled"
        elif status == 200:
            why = "not a valid header value"
        elif not self._proven:
            raise _Absent(f"token request: {why}, {_NOT_AWS_METADATA}")
        url = _safe_url(settings.base + _IMDS_TOKEN)
        raise TransportError(f"token request: {why}", name, url)

    def _imds_request(
        self,
        settings: _ImdsSettings,
        method: str,
        path: str,
        headers: Mapping[str, str],
    ) -> tuple[int, bytes]:
        """One IMDS exchange. Answered errors are retried; transport errors too once
        IMDS has answered in this fetch, or when the number of attempts is set. It
        ends by the lookup's deadline at the latest."""
        usual = _IMDS_PATIENT if self._answered else _IMDS_PROBE
        limit, attempts = settings.timeout, settings.attempts
        connect, read = (limit, limit) if limit else usual
        tries = attempts or 3
        url, left = settings.base + path, settings.end - time.monotonic()
        if left <= 0:
            what = f"timed out (lookup deadline, {_LOOKUP_DEADLINE:g} s)"
            raise TransportError(what, _name(self), _safe_url(url), kind="read")
        status, _, data = _http(
            _name(self), method, url, headers=headers, timeout=read,
            connect_timeout=connect, attempts=tries,
            deadline=min(tries * (connect + read + 1.0), left),
            retry_connect=bool(attempts) or self._answered, proxy=False,
        )  # fmt: skip
        self._answered = True
        self._proven = self._proven or status == 200
        return status, data


def _minio_container(
    env: Mapping[str, str], given: Mapping[str, str | None], custom: str | None
) -> dict[str, str]:
    """The container endpoint minio-py 7.2.20 calls, as the variables that
    ``ContainerProvider`` reads (so its allow-list and timeouts apply); empty for
    none. A relative URI is put under ``http://169.254.170.2`` (with a leading /
    added), or ``custom`` is the whole URL; a full URI is used with the token file
    variable, else ``custom`` replaces it. The token: the variable, else
    ``auth_token`` (7.2.20 opens ``auth_token`` as a file: a bug minio-py's main
    branch fixed)."""
    relative = (
        env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") or given["relative_uri"]
    )
    full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") or given["full_uri"]
    token = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN") or given["auth_token"]
    token_file = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if relative:
        slash = "" if relative.startswith("/") else "/"
        url = custom or f"http://169.254.170.2{slash}{relative}"
    elif full and token_file:
        return {"AWS_CONTAINER_CREDENTIALS_FULL_URI": full,
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file}  # fmt: skip
    elif full:
        url = custom or full
    else:
        return {}
    variables = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": url}
    if token:
        variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
    return variables


def _token_header(token: str) -> dict[str, str]:
    """The IMDSv2 token header, or none for IMDSv1."""
    return {"X-aws-ec2-metadata-token": token} if token else {}


# =====================================================================================
# STS roles
# =====================================================================================


def _assume_role_forms(args: tuple[Any, ...]) -> tuple[str, ...]:
    """minio-py's ``(sts_endpoint, access_key, ...)`` when a URL comes first, where
    minicreds's own form takes the source provider."""
    return _MINIO_ONLY if _url_at(args, 0) else _OWN_THEN_MINIO


class AssumeRoleProvider(_STS):
    """Credentials from STS ``AssumeRole``, signed with the source's credentials.

    The source's session token is signed in, so roles chain. An empty ``role_arn``
    is left out (MinIO). Also takes minio-py 7.2.20's form, ``(sts_endpoint,
    access_key, secret_key, duration_seconds=0, policy=None, region=None,
    role_arn=None, role_session_name=None, external_id=None, http_client=None)``,
    with its rules: at least an hour, and signed for ``region`` as given ("" when
    none).
    """

    _action = "AssumeRole"
    _resolves_aws_endpoint = True
    __signature__ = _OwnSignature()

    def __init__(self, *args: Any, **kwargs: Any):
        _init_in_form(self, _assume_role_forms(args), args, kwargs)

    def _own_form(
        self,
        credentials: Provider,
        role_arn: str,
        role_session_name: str,
        duration: Duration = None,
        policy: str | None = None,
        region: str | None = None,
        *,
        sts_endpoint: str | None = None,
        external_id: str | None = None,
        mfa_serial: str | None = None,
        mfa_prompt: Prompt = None,
        ca_file: str | None = None,
        clock: Clock = time.time,
        environ: Env = None,
        profile_settings: Mapping[str, str] | None = None,
        profile_services: Services | None = None,
        _shared_cache: _SharedCache | None = None,
    ) -> None:
        # minio-py's form with an endpoint lacking http(s):// lands here too.
        if not hasattr(credentials, "retrieve"):
            raise TypeError("credentials must be a Provider (it has no retrieve())")
        super().__init__(
            sts_endpoint, ca_file, clock, environ, region,
            profile_settings=profile_settings, profile_services=profile_services,
            source=credentials, mfa_prompt=mfa_prompt, shared_cache=_shared_cache,
            RoleArn=role_arn,
            RoleSessionName=role_session_name, DurationSeconds=duration,
            Policy=policy, ExternalId=external_id, SerialNumber=mfa_serial,
        )  # fmt: skip

    def _minio_form(
        self,
        sts_endpoint: str,
        access_key: str,
        secret_key: str,
        duration_seconds: int = 0,
        policy: str | None = None,
        region: str | None = None,
        role_arn: str | None = None,
        role_session_name: str | None = None,
        external_id: str | None = None,
        http_client: object = None,
        *,
        ca_file: str | None = None,
        clock: Clock = time.time,
        environ: Env = None,
    ) -> None:
        _refuse_http_client(http_client, _name(self), "give ca_file= for a CA bundle")
        super().__init__(
            sts_endpoint, ca_file, clock, environ,
            source=StaticProvider(access_key, secret_key), sign_for=region or "",
            DurationSeconds=max(_seconds(duration_seconds, "duration_seconds"), 3600),
            Policy=policy, RoleArn=role_arn, RoleSessionName=role_session_name,
            ExternalId=external_id,
        )  # fmt: skip


def _web_identity_forms(args: tuple[Any, ...]) -> tuple[str, ...]:
    """minio-py's ``(jwt_provider_func, sts_endpoint, ...)`` when a URL comes
    second, where minicreds's own form takes the role ARN."""
    return _MINIO_ONLY if _url_at(args, 1) else _OWN_THEN_MINIO


class WebIdentityProvider(_STS):
    """Credentials from STS ``AssumeRoleWithWebIdentity`` (unsigned).

    Also takes minio-py 7.2.20's form, ``(jwt_provider_func, sts_endpoint,
    duration_seconds=0, policy=None, role_arn=None, role_session_name=None,
    http_client=None)``, with its rules: the session named after the time when a
    role is given without a name, neither sent without a role.
    """

    _action = "AssumeRoleWithWebIdentity"
    _resolves_aws_endpoint = True
    _secret_field = "WebIdentityToken"
    __signature__ = _OwnSignature()

    def __init__(self, *args: Any, **kwargs: Any):
        _init_in_form(self, _web_identity_forms(args), args, kwargs)

    def _own_form(
        self,
        jwt_token: Jwt,
        role_arn: str,
        role_session_name: str,
        region: str | None = None,
        *,
        sts_endpoint: str | None = None,
        duration: Duration = None,
        policy: str | None = None,
        token_revoke_type: str | None = None,
        ca_file: str | None = None,
        clock: Clock = time.time,
        environ: Env = None,
        profile_settings: Mapping[str, str] | None = None,
        profile_services: Services | None = None,
        _shared_cache: _SharedCache | None = None,
    ) -> None:
        super().__init__(
            sts_endpoint, ca_file, clock, environ, region, jwt_token,
            profile_settings=profile_settings, profile_services=profile_services,
            shared_cache=_shared_cache, RoleArn=role_arn,
            RoleSessionName=role_session_name, DurationSeconds=duration, Policy=policy,
            TokenRevokeType=token_revoke_type,
        )  # fmt: skip

    def _minio_form(
        self,
        jwt_provider_func: Callable[[], Any],
        sts_endpoint: str,
        duration_seconds: int = 0,
        policy: str | None = None,
        role_arn: str | None = None,
        role_session_name: str | None = None,
        http_client: object = None,
        *,
        token_revoke_type: str | None = None,
        ca_file: str | None = None,
        clock: Clock = time.time,
        environ: Env = None,
    ) -> None:
        _refuse_http_client(http_client, _name(self), "give ca_file= for a CA bundle")
        if role_arn and not role_session_name:  # minio-py: the time, without its dot
            role_session_name = str(clock()).replace(".", "")
        super().__init__(
            sts_endpoint, ca_file, clock, environ, jwt=jwt_provider_func,
            jwt_duration=_seconds(duration_seconds, "duration_seconds"),
            Policy=policy, RoleArn=role_arn,
            RoleSessionName=role_session_name if role_arn else None,
            TokenRevokeType=token_revoke_type,
        )  # fmt: skip


# =====================================================================================
# MinIO STS
# =====================================================================================


def _client_grants_forms(args: tuple[Any, ...]) -> tuple[str, ...]:
    """Both forms take ``(token, sts_endpoint, duration)`` first: minicreds's own
    form, unless the call does not fit it (a fourth argument, or a keyword only
    minio-py has)."""
    return _OWN_THEN_MINIO


class ClientGrantsProvider(_STS):
    """Credentials from MinIO's ``AssumeRoleWithClientGrants``.

    Also takes minio-py 7.2.20's form, ``(jwt_provider_func, sts_endpoint,
    duration_seconds=0, policy=None, http_client=None)``.
    """

    _action = "AssumeRoleWithClientGrants"
    _secret_field = "Token"
    __signature__ = _OwnSignature()

    def __init__(self, *args: Any, **kwargs: Any):
        _init_in_form(self, _client_grants_forms(args), args, kwargs)

    def _own_form(
        self,
        jwt_token: Jwt,
        sts_endpoint: str,
        duration: Duration = None,
        *,
        token_revoke_type: str | None = None,
        ca_file: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(
            sts_endpoint, ca_file, clock, jwt=jwt_token, DurationSeconds=duration,
            TokenRevokeType=token_revoke_type,
        )  # fmt: skip

    def _minio_form(
        self,
        jwt_provider_func: Callable[[], Any],
        sts_endpoint: str,
        duration_seconds: int = 0,
        policy: str | None = None,
        http_client: object = None,
        *,
        token_revoke_type: str | None = None,
        ca_file: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        _refuse_http_client(http_client, _name(self), "give ca_file= for a CA bundle")
        super().__init__(
            sts_endpoint, ca_file, clock, jwt=jwt_provider_func,
            jwt_duration=_seconds(duration_seconds, "duration_seconds"), Policy=policy,
            TokenRevokeType=token_revoke_type,
        )  # fmt: skip


def _ldap_forms(args: tuple[Any, ...]) -> tuple[str, ...]:
    """minio-py's ``(sts_endpoint, ldap_username, ldap_password, ...)`` when a URL
    comes first and not third, where minicreds's own form takes it."""
    minio = _url_at(args, 0) and not _url_at(args, 2)
    return _MINIO_ONLY if minio else _OWN_THEN_MINIO


class LdapIdentityProvider(_STS):
    """Credentials from MinIO's ``AssumeRoleWithLDAPIdentity``.

    Also takes minio-py 7.2.20's form, ``(sts_endpoint, ldap_username,
    ldap_password, duration_seconds=None, policy=None, token_revoke_type=None,
    http_client=None)``.
    """

    _action = "AssumeRoleWithLDAPIdentity"
    _secret_field = "LDAPPassword"
    __signature__ = _OwnSignature()

    def __init__(self, *args: Any, **kwargs: Any):
        _init_in_form(self, _ldap_forms(args), args, kwargs)

    def _own_form(
        self,
        username: str,
        password: str,
        sts_endpoint: str,
        ldap_username: str | None = None,
        ldap_password: str | None = None,
        *,
        token_revoke_type: str | None = None,
        ca_file: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        self._username = ldap_username or username
        super().__init__(
            sts_endpoint, ca_file, clock, LDAPUsername=self._username,
            LDAPPassword=ldap_password or password, TokenRevokeType=token_revoke_type,
        )  # fmt: skip

    def _minio_form(
        self,
        sts_endpoint: str,
        ldap_username: str,
        ldap_password: str,
        duration_seconds: int | None = None,
        policy: str | None = None,
        token_revoke_type: str | None = None,
        http_client: object = None,
        *,
        ca_file: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        _refuse_http_client(http_client, _name(self), "give ca_file= for a CA bundle")
        self._username = ldap_username
        super().__init__(
            sts_endpoint, ca_file, clock, LDAPUsername=ldap_username,
            LDAPPassword=ldap_password, DurationSeconds=duration_seconds,
            Policy=policy, TokenRevokeType=token_revoke_type,
        )  # fmt: skip

    def __repr__(self) -> str:
        return f"LdapIdentityProvider(username={self._username!r}, password='****')"


def _certificate_forms(args: tuple[Any, ...]) -> tuple[str, ...]:
    """minio-py's ``(sts_endpoint, cert_file, key_file, ...)`` when a URL comes
    first and not third, where minicreds's own form takes it."""
    minio = _url_at(args, 0) and not _url_at(args, 2)
    return _MINIO_ONLY if minio else _OWN_THEN_MINIO


class CertificateIdentityProvider(_STS):
    """Credentials from MinIO's ``AssumeRoleWithCertificate`` over mutual TLS.

    Also takes minio-py 7.2.20's form, ``(sts_endpoint, cert_file=None,
    key_file=None, key_password=None, ca_certs=None, duration_seconds=0,
    http_client=None)``, with its rule: at least an hour. ``key_password`` opens an
    encrypted key; without ``ca_certs``, the system's CAs (or ``AWS_CA_BUNDLE``).
    """

    _action = "AssumeRoleWithCertificate"
    __signature__ = _OwnSignature()

    def __init__(self, *args: Any, **kwargs: Any):
        _init_in_form(self, _certificate_forms(args), args, kwargs)

    def _own_form(
        self,
        certificate_file: str,
        private_key_file: str,
        sts_endpoint: str,
        duration: Duration = None,
        *,
        token_revoke_type: str | None = None,
        ca_file: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        self._require_https(sts_endpoint)
        super().__init__(
            sts_endpoint, ca_file, clock, cert=(certificate_file, private_key_file),
            DurationSeconds=duration, TokenRevokeType=token_revoke_type,
        )  # fmt: skip

    def _minio_form(
        self,
        sts_endpoint: str,
        cert_file: str | None = None,
        key_file: str | None = None,
        key_password: str | None = None,
        ca_certs: str | None = None,
        duration_seconds: int = 0,
        http_client: object = None,
        *,
        token_revoke_type: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        self._require_https(sts_endpoint)
        instead = "give cert_file=, key_file= and ca_certs="
        _refuse_http_client(http_client, _name(self), instead)
        if not (cert_file and key_file):
            raise ConfigError("cert_file and key_file are both needed", _name(self))
        cert = (cert_file, key_file, key_password or "")
        super().__init__(
            sts_endpoint, ca_certs, clock, cert=cert,
            DurationSeconds=max(_seconds(duration_seconds, "duration_seconds"), 3600),
            TokenRevokeType=token_revoke_type,
        )  # fmt: skip

    def _require_https(self, sts_endpoint: str) -> None:
        """A client certificate can only be presented over TLS: refused at once."""
        if not sts_endpoint.lower().startswith("https://"):
            what = "the STS endpoint must be https://"
            raise ConfigError(what, _name(self), _safe_url(sts_endpoint))


class CustomTokenIdentityProvider(_STS):
    """Credentials from MinIO's ``AssumeRoleWithCustomToken``, for an identity
    management plugin (the MinIO Go SDK's ``CustomTokenIdentity``).

    ``token`` is a string, or a callable called at each refresh that returns one.
    """

    _action = "AssumeRoleWithCustomToken"
    _secret_field = "Token"

    def __init__(
        self,
        token: Jwt,
        role_arn: str,
        sts_endpoint: str,
        duration: Duration = None,
        *,
        token_revoke_type: str | None = None,
        ca_file: str | None = None,
        environ: Env = None,
        clock: Clock = time.time,
    ):
        super().__init__(
            sts_endpoint, ca_file, clock, environ, jwt=token, RoleArn=role_arn,
            DurationSeconds=duration, TokenRevokeType=token_revoke_type,
        )  # fmt: skip


# =====================================================================================
# Chain
# =====================================================================================


class ChainedProvider(Provider):
    """Tries each provider in order and returns the first credentials found.

    A provider that returns None is skipped; one that raises is logged and skipped
    (raised with ``strict=True``). After each call ``attempts`` holds a tuple of
    ``(name, outcome, detail, seconds)``, outcome ``found``, ``not configured`` or
    ``error``.
    """

    def __init__(self, providers: Iterable[Provider], *, strict: bool = False):
        self._providers = list(providers)
        self._strict = strict
        self.attempts: tuple[tuple[str, str, str, float], ...] = ()

    def retrieve(self) -> Credentials | None:
        """The first provider's credentials, or None when no provider has any."""
        record = []
        try:
            for provider in self._providers:
                name, start = _name(provider), time.perf_counter()
                try:
                    found = provider.retrieve()
                except Exception as exc:
                    why = _describe(exc)
                    record.append((name, "error", why, time.perf_counter() - start))
                    if self._strict:
                        raise
                    _logger().warning("%s skipped: %s", name, why)
                    continue
                why = "" if found else getattr(provider, "_reason", "")
                outcome = "found" if found else "not configured"
                record.append((name, outcome, why, time.perf_counter() - start))
                if found:
                    return found
            return None
        finally:
            self.attempts = tuple(record)


def default_provider(
    *,
    profile: str | None = None,
    mfa_prompt: Prompt = None,
    environ: Env = None,
    clock: Clock = time.time,
    credential_cache_dir: str | None = None,
) -> ChainedProvider:
    """The standard chain, strict, picking the source botocore's default chain picks.

    Environment keys (AWS, then MinIO); the profile's role; web identity from
    ``AWS_WEB_IDENTITY_TOKEN_FILE``; the rest of the profile (as ``AWSConfigProvider``
    picks it); container credentials; EC2 instance metadata with the profile's
    ``metadata_service_*`` settings. A profile given here turns the environment
    sources off, as in botocore. ``mfa_prompt(serial)`` returns MFA codes.
    ``environ`` (the variables, default ``os.environ``) and ``clock`` go to every link.
    ``credential_cache_dir``: the AWS CLI cache the profile's roles and SSO share,
    as in ``AWSConfigProvider``.
    """

    from functools import partial

    linked = partial(
        AWSConfigProvider, profile=profile, mfa_prompt=mfa_prompt, environ=environ,
        clock=clock, credential_cache_dir=credential_cache_dir,
    )  # fmt: skip
    role = linked(_link="role")
    other = linked(_link="other", _loaded_by=role)
    settings: Mapping[str, str] = {}
    session: Session = {}
    try:  # botocore too reads the instance metadata settings when it makes the chain
        loaded = role._load()
        if loaded is not None:
            name, files = loaded
            settings = _profile_settings(name, files.creds, files.config)
            session = _session(_name(role), name, settings, files.config)
    except CredentialsError:
        pass  # the profile's links will report it
    container = ContainerProvider(environ=environ, clock=clock)
    links = [role, other, container, _imds(settings, environ=environ, clock=clock)]
    if not profile:  # a profile given explicitly turns the environment sources off
        keys = [EnvAWSProvider(environ=environ), EnvMinioProvider(environ=environ)]
        web_identity = _EnvWebIdentity(session, environ=environ, clock=clock)
        links[:1] = [*keys, role, web_identity]
    return ChainedProvider(links, strict=True)


class _EnvWebIdentity(Provider):
    """Web identity from ``AWS_WEB_IDENTITY_TOKEN_FILE`` and ``AWS_ROLE_ARN``, with
    the profile's settings (``session``, as ``_session`` makes it: region,
    endpoints, CA bundle)."""

    def __init__(
        self,
        session: Session,
        *,
        environ: Env = None,
        clock: Clock = time.time,
    ):
        self._session, self._environ, self._clock = session, environ, clock
        self._make_locks()
        _fork_safe(self)

    # The source and the variables it was built from, replaced whole.
    _built: tuple[tuple[str | None, ...], WebIdentityProvider] | None = None
    _uncopied = ("_lock", "_built")  # a copy (pickle) starts unbuilt
    __getstate__ = _copied_state
    __setstate__ = _restore_copy

    def _make_locks(self) -> None:
        """A fresh lock, unheld: one build at a time, so one STS call, not many."""
        import threading

        self._lock = threading.Lock()

    @_boundary
    def retrieve(self) -> Credentials | None:
        names = ("AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME")
        env = os.environ if self._environ is None else self._environ
        variables = tuple(map(env.get, names))
        if not variables[0]:
            self._reason = "AWS_WEB_IDENTITY_TOKEN_FILE is not set"
            return None
        built = self._built  # one read: another thread may replace it
        if built is None or built[0] != variables:
            built = self._build(variables, env)
        return built[1].retrieve()

    def _build(
        self, variables: tuple[str | None, ...], env: Mapping[str, str]
    ) -> tuple[tuple[str | None, ...], WebIdentityProvider]:
        """The source for these variables, built under the lock unless a caller that
        held it first has just built it."""
        with self._lock:
            built = self._built
            if built is None or built[0] != variables:
                source = _web_identity(
                    _name(self), env, self._session, self._clock, self._environ
                )
                built = self._built = (variables, source)
            return built


def _web_identity(
    name: str,
    env: Mapping[str, str],
    session: Session,
    clock: Clock = time.time,
    environ: Env = None,
) -> WebIdentityProvider:
    """Web identity from the environment's token file and role, as botocore's
    ``AssumeRoleWithWebIdentityProvider`` reads them (README "Providers"), with a
    profile's settings (``session``, as ``_session`` makes it; may be empty)."""
    from functools import partial

    path = env["AWS_WEB_IDENTITY_TOKEN_FILE"]
    if not env.get("AWS_ROLE_ARN"):
        what = "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"
        raise ConfigError(what, name, "environment")
    session_name = env.get("AWS_ROLE_SESSION_NAME") or f"minicreds-{time.time():.0f}"
    ca_file = session.get("profile_settings", {}).get("ca_bundle")
    return WebIdentityProvider(
        partial(_read_token, name, path), env["AWS_ROLE_ARN"], session_name,
        ca_file=ca_file, clock=clock, environ=environ, **session,
    )  # fmt: skip


def _imds(
    settings: Mapping[str, str], *, environ: Env = None, clock: Clock = time.time
) -> Provider:
    """Instance metadata alone, with a profile's ``metadata_service_*`` settings."""
    get = settings.get
    return IamAwsProvider(
        environ=environ,
        clock=clock,
        metadata_service_timeout=get("metadata_service_timeout"),
        metadata_service_num_attempts=get("metadata_service_num_attempts"),
        ec2_metadata_service_endpoint=get("ec2_metadata_service_endpoint"),
        ec2_metadata_service_endpoint_mode=get("ec2_metadata_service_endpoint_mode"),
        ec2_metadata_v1_disabled=get("ec2_metadata_v1_disabled"),
        _metadata_only=True,  # not its web identity and container sources
    )


# =====================================================================================
# ES256 (P-256 ECDSA) for DPoP proofs
# =====================================================================================

# `aws login` keeps a P-256 key beside its tokens and proves that it holds it with an
# ES256-signed DPoP proof (RFC 9449) on every token request (botocore credentials.py,
# _build_dpop_header). The curve is NIST P-256 (SEC 2 secp256r1), with a = -3.
# Python integers do not compute in constant time: this signer is for a key that
# signs a few proofs an hour on the user's own machine, not for a busy server.
_P256_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
_P256_G = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)
# Points in Jacobian coordinates (X, Y, Z) stand for (X/Z^2, Y/Z^3), so that adding
# needs no inversion; formulas from the Explicit-Formulas Database (EFD).
_P256_INFINITY = (1, 1, 0)  # Z = 0
# The DER object identifiers (RFC 5480): id-ecPublicKey and prime256v1 (P-256).
_DER_EC_KEY_OID = b"\x06\x07\x2a\x86\x48\xce\x3d\x02\x01"
_DER_P256_OID = b"\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"
_PEM_KEY_LABELS = ("EC PRIVATE KEY", "PRIVATE KEY")  # SEC1 (`aws login`), PKCS#8

if TYPE_CHECKING:
    from typing import Iterator


def _p256_double(point: tuple[int, int, int]) -> tuple[int, int, int]:
    """2P in Jacobian coordinates (EFD dbl-2001-b, a = -3); infinity stays put."""
    x, y, z = point
    p = _P256_P
    delta = z * z % p
    gamma = y * y % p
    beta = x * gamma % p
    alpha = 3 * (x - delta) * (x + delta) % p
    x3 = (alpha * alpha - 8 * beta) % p
    z3 = ((y + z) * (y + z) - gamma - delta) % p
    y3 = (alpha * (4 * beta - x3) - 8 * gamma * gamma) % p
    return x3, y3, z3


def _p256_add(
    one: tuple[int, int, int], two: tuple[int, int, int]
) -> tuple[int, int, int]:
    """P + Q in Jacobian coordinates (EFD add-1998-cmo-2), for any two points."""
    x1, y1, z1 = one
    x2, y2, z2 = two
    if not z1:
        return two
    if not z2:
        return one
    p = _P256_P
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    s1 = y1 * z2 * z2z2 % p
    h = (x2 * z1z1 - u1) % p
    r = (y2 * z1 * z1z1 - s1) % p
    if not h:  # same x: the same point (double it) or its negation (sum infinity)
        return _p256_double(one) if not r else _P256_INFINITY
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - s1 * hhh) % p
    return x3, y3, z1 * z2 * h % p


def _p256_multiply(scalar: int, point: tuple[int, int]) -> tuple[int, int, int]:
    """scalar * point: an affine point in, Jacobian coordinates out."""
    base = (point[0], point[1], 1)
    result = _P256_INFINITY
    for bit in bin(scalar)[2:]:  # most significant bit first
        result = _p256_double(result)
        if bit == "1":
            result = _p256_add(result, base)
    return result


def _p256_affine(point: tuple[int, int, int]) -> tuple[int, int]:
    """(x, y) of a finite point given in Jacobian coordinates."""
    x, y, z = point
    p = _P256_P
    z_inverse = pow(z, -1, p)  # Python 3.8+
    zz = z_inverse * z_inverse % p
    return x * zz % p, y * zz * z_inverse % p


def _p256_on_curve(point: tuple[int, int]) -> bool:
    """Whether (x, y) lies on P-256: y^2 = x^3 - 3x + b (mod p)."""
    x, y = point
    p = _P256_P
    on_curve = (y * y - x * x * x + 3 * x - _P256_B) % p == 0
    return 0 <= x < p and 0 <= y < p and on_curve


def _p256_public_key(private_key: int) -> tuple[int, int]:
    """The public point (x, y) of a P-256 private key."""
    return _p256_affine(_p256_multiply(private_key, _P256_G))


def _rfc6979_nonces(private_key: int, digest: bytes) -> Iterator[int]:
    """Deterministic ECDSA nonces for P-256 and SHA-256 (RFC 6979 section 3.2).

    With SHA-256 and P-256, hlen = qlen = 256: bits2int is a plain conversion and
    each HMAC output is one candidate. Yields candidates until the caller stops.
    """
    import hmac

    h1 = int.from_bytes(digest, "big") % _P256_N  # bits2octets
    seed = private_key.to_bytes(32, "big") + h1.to_bytes(32, "big")
    v = b"\x01" * 32
    k = b"\x00" * 32
    k = hmac.digest(k, v + b"\x00" + seed, "sha256")
    v = hmac.digest(k, v, "sha256")
    k = hmac.digest(k, v + b"\x01" + seed, "sha256")
    v = hmac.digest(k, v, "sha256")
    while True:
        v = hmac.digest(k, v, "sha256")
        candidate = int.from_bytes(v, "big")
        if 0 < candidate < _P256_N:
            yield candidate
        k = hmac.digest(k, v + b"\x00", "sha256")
        v = hmac.digest(k, v, "sha256")


def _p256_sign(private_key: int, message: bytes) -> bytes:
    """ES256: the 64-byte r || s signature of SHA-256(message) (RFC 7518 3.4).

    Nonces follow RFC 6979, so a message always gets the same signature. s is not
    normalised to the lower half: JWS does not ask for it, and botocore's signer
    (awscrt, OpenSSL's ECDSA_sign) does not do it either, so the service takes both.
    """
    import hashlib

    digest = hashlib.sha256(message).digest()
    z = int.from_bytes(digest, "big")  # as long as n: nothing to truncate
    nonces = _rfc6979_nonces(private_key, digest)
    while True:
        k = next(nonces)
        x, _ = _p256_affine(_p256_multiply(k, _P256_G))
        r = x % _P256_N
        s = pow(k, -1, _P256_N) * (z + r * private_key) % _P256_N
        if r and s:  # else the next nonce, as RFC 6979 section 3.4 says
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _p256_verify(public_key: tuple[int, int], message: bytes, signature: bytes) -> bool:
    """Whether signature (raw r || s) is public_key's ES256 signature of message."""
    import hashlib

    if len(signature) != 64 or not _p256_on_curve(public_key):
        return False
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < _P256_N and 0 < s < _P256_N):
        return False
    z = int.from_bytes(hashlib.sha256(message).digest(), "big")
    w = pow(s, -1, _P256_N)
    point = _p256_add(
        _p256_multiply(z * w % _P256_N, _P256_G),
        _p256_multiply(r * w % _P256_N, public_key),
    )
    return bool(point[2]) and _p256_affine(point)[0] % _P256_N == r


def _der_take(data: bytes, tag: int) -> tuple[bytes, bytes]:
    """Split the DER element at the start of data: (its contents, what follows).

    Only what a P-256 key needs: one-byte tags, lengths below 64 KiB (X.690 8.1.3).
    """
    if len(data) < 2 or data[0] != tag:
        raise ValueError("unexpected DER structure")
    size, start = data[1], 2
    if size & 0x80:  # long form: the next one or two bytes hold the length
        count = size & 0x7F
        if count not in (1, 2):
            raise ValueError("unexpected DER length")
        size = int.from_bytes(data[2 : 2 + count], "big")
        start += count
    if len(data) < start + size:
        raise ValueError("truncated DER")
    return data[start : start + size], data[start + size :]


def _sec1_private_key(der: bytes, *, curve_named: bool) -> int:
    """The private key of a DER ECPrivateKey (SEC1, RFC 5915) on P-256.

    ``curve_named``: the [0] parameters must be there, as in the AWS CLI's keys and
    as awscrt demands of a bare SEC1 key; inside PKCS#8 they may be left out.
    """
    fields, rest = _der_take(der, 0x30)
    version, fields = _der_take(fields, 0x02)
    secret, fields = _der_take(fields, 0x04)
    if rest or version != b"\x01" or len(secret) != 32:
        raise ValueError("not a P-256 ECPrivateKey")
    if fields[:1] == b"\xa0":
        parameters, fields = _der_take(fields, 0xA0)
        if parameters != _DER_P256_OID:
            raise ValueError("not a P-256 key")
    elif curve_named:
        raise ValueError("the key does not name its curve")
    if fields[:1] == b"\xa1":  # the public key, which is derived again anyway
        _, fields = _der_take(fields, 0xA1)
    private_key = int.from_bytes(secret, "big")
    if fields or not 0 < private_key < _P256_N:
        raise ValueError("not a P-256 ECPrivateKey")
    return private_key


def _pkcs8_ec_private_key(fields: bytes) -> bytes:
    """The ECPrivateKey inside a PKCS#8 PrivateKeyInfo (RFC 5208, RFC 5915 section 4),
    given the fields after its version."""
    algorithm, fields = _der_take(fields, 0x30)
    inner, fields = _der_take(fields, 0x04)
    if algorithm != _DER_EC_KEY_OID + _DER_P256_OID:
        raise ValueError("not a P-256 key")
    if fields:  # attributes: never written for these keys
        raise ValueError("unexpected DER structure")
    return inner


def _p256_key_from_der(der: bytes) -> int:
    """The private key of a DER P-256 key: SEC1 (version 1) or PKCS#8 (version 0),
    the two forms botocore's login provider loads (through awscrt)."""
    fields, rest = _der_take(der, 0x30)
    version, fields = _der_take(fields, 0x02)
    if rest:
        raise ValueError("unexpected DER structure")
    if version == b"\x00":
        return _sec1_private_key(_pkcs8_ec_private_key(fields), curve_named=False)
    return _sec1_private_key(der, curve_named=True)


def _pem_der(pem: str, labels: tuple[str, ...]) -> bytes:
    """The DER inside PEM armour bearing one of these labels (RFC 7468)."""
    import base64

    lines = [line.strip() for line in pem.strip().splitlines()]
    label = lines[0][11:-5] if lines else ""  # -----BEGIN {label}-----
    armour = (f"-----BEGIN {label}-----", f"-----END {label}-----")
    if label not in labels or (lines[0], lines[-1]) != armour:
        raise ValueError(f"not a PEM {' or '.join(labels)}")
    try:
        return base64.b64decode("".join(lines[1:-1]), validate=True)
    except ValueError:  # binascii.Error or non-ASCII text, in the stdlib's words
        pass
    raise ValueError("the PEM body is not base64")


def _p256_key_from_pem(pem: str, provider: str = "", source: str = "") -> int:
    """The private key of a PEM P-256 key, such as ``dpopKey`` in an `aws login` cache.

    Takes "EC PRIVATE KEY" (SEC1, what the AWS CLI writes) and "PRIVATE KEY"
    (PKCS#8). Anything else raises ConfigError naming the flaw, never the key.
    """
    try:
        return _p256_key_from_der(_pem_der(pem, _PEM_KEY_LABELS))
    except ValueError as exc:
        reason = str(exc)  # the fixed texts of the helpers above: no key material
    raise ConfigError(f"unusable P-256 private key: {reason}", provider, source)


def _b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _dpop_proof(
    private_key: int,
    public_key: tuple[int, int],
    method: str,
    url: str,
    issued_at: int,
    jti: str = "",
) -> str:
    """A DPoP proof JWT (RFC 9449 section 4.2), signed with ES256.

    The header, the claims and their order and compact JSON are those of botocore's
    login provider (credentials.py, _build_dpop_header). ``url`` is the request URL
    without query or fragment; ``jti`` is a fresh uuid4 unless given.
    """
    import json
    import uuid

    x, y = (_b64url(n.to_bytes(32, "big")) for n in public_key)
    jwk = {"kty": "EC", "x": x, "y": y, "crv": "P-256"}
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}
    jti = jti or str(uuid.uuid4())
    claims = {"htm": method, "htu": url, "iat": issued_at, "jti": jti}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode())
        for part in (header, claims)
    )
    signature = _p256_sign(private_key, signing_input.encode())
    return f"{signing_input}.{_b64url(signature)}"


# =====================================================================================
# Command line
# =====================================================================================

_CLI_EPILOG = """\
examples:
  minicreds                         which credentials, and from where (secret masked)
  minicreds --explain               every source tried, its outcome and time (stderr)
  eval "$(minicreds --format env)"  export them into a POSIX shell
  minicreds --profile dev --provider aws-config --format json
  credential_process = python3 -m minicreds --profile NAME --format process
                                    in ~/.aws/config: minicreds serves any AWS SDK
                                    (role and SSO profiles share ~/.aws/cli/cache
                                    with the AWS CLI unless --no-cache)
  minicreds --format eks-token --cluster NAME
                                    a token for kubectl, as `aws eks get-token`

exit status: 0 found, 1 nothing found, 2 error or bad usage, 141 output pipe closed
"""
# What `aws configure export-credentials --format ...` (AWS CLI v2) prints per line.
_CLI_LINES = {"env": "export {}={}\n", "env-no-export": "{}={}\n",
              "powershell": '$Env:{}="{}"\n', "windows-cmd": "set {}={}\n"}  # fmt: skip
_CLI_CLASSES = {"env": EnvAWSProvider, "minio-env": EnvMinioProvider,
                "iam": IamAwsProvider, "container": ContainerProvider}  # fmt: skip
_CLI_PROVIDERS = ("default", "aws-config", "mc-config", *_CLI_CLASSES)
_CLI_FORMATS = ("summary", *_CLI_LINES, "process", "json", "eks-token")
# What a plain command line holds, read without argparse: options that take a value
# (from their choices; None: any) and flags.
_CLI_VALUES = {"--profile": None, "--provider": _CLI_PROVIDERS,
               "--format": _CLI_FORMATS, "--cluster": None, "--region": None}  # fmt: skip
_CLI_FLAGS = ("--no-cache", "--explain")
_K8S_AUTH = "client.authentication.k8s.io/"  # kubectl's exec plugin API group


def _ask_mfa(serial: str) -> str:
    """An MFA code for the device ``serial``, asked on the terminal."""
    import getpass

    return getpass.getpass(f"MFA code for {serial}: ", sys.stderr).strip()


def _main(argv: list[str] | None = None) -> int:
    """The command line (README "Command line").

    Returns 0 once the credentials are printed; exits with 1 when none are found, 2
    on an error or bad usage, with one line on stderr.
    """
    args = _cli_parse(sys.argv[1:] if argv is None else argv)
    if not _cli_enter():
        _cli_exit(2, "minicreds: error: credential_process loops into minicreds\n")
    cache_dir = None if args.no_cache else _SHARED_CACHE_DIR
    chain, creds, error = _cli_retrieve(args.provider, args.profile, cache_dir)
    if args.explain and chain is not None:
        _cli_explain(chain.attempts)
    if error:
        _cli_exit(2, f"minicreds: error: {error}\n")
    if creds is None or chain is None:  # no chain comes without an error
        hint = "" if args.explain else " (--explain shows where minicreds looked)"
        _cli_exit(1, f"minicreds: no credentials found{hint}\n")
    text, error = _cli_render(args, creds, source=chain.attempts[-1][0])
    error = error or _cli_write(args.format, text)
    if error:
        _cli_exit(2, f"minicreds: error: {error}\n")
    return 0


def _cli_exit(status: int, message: str) -> NoReturn:
    """End the run with ``status`` and a message on stderr, as argparse's exit():
    a message that stderr cannot take (a full disk, no stderr under pythonw) is
    dropped, so that the status still says what happened."""
    try:
        sys.stderr.write(message)
    except (AttributeError, OSError):
        pass
    raise SystemExit(status)


class _CliArgs:
    """The command line's options, at their defaults until the command line sets
    them (``_cli_scan``, or argparse as this object's namespace). Each option is
    named in three places that go together: here, in _CLI_VALUES or _CLI_FLAGS, and
    in _cli_parser (tests/test_cli.py checks that they agree)."""

    profile: str | None = None
    provider = "default"
    format = "summary"
    cluster: str | None = None
    region: str | None = None
    no_cache = False
    explain = False


def _cli_parse(argv: list[str]) -> _CliArgs:
    """The arguments, checked; bad usage exits with 2 and one line."""
    args = _cli_scan(argv)
    if args is None:
        args = _cli_argparse(argv)
    problem = _cli_usage_problem(args)
    if problem:
        _cli_exit(2, f"minicreds: error: {problem} (see --help)\n")
    return args


def _cli_scan(argv: list[str]) -> _CliArgs | None:
    """A plain command line (whole option names, each value after its option and
    among its choices) read without argparse, whose import and set-up cost ~2 ms of
    every credential_process run; None for anything else (--help, --version, an
    abbreviation, ``--name=value``, an error), which argparse reads as it always has.
    """
    args = _CliArgs()
    words = iter(argv)
    for word in words:
        if word in _CLI_FLAGS:
            setattr(args, _cli_attribute(word), True)
            continue
        if word not in _CLI_VALUES:
            return None
        value = next(words, None)
        choices = _CLI_VALUES[word]
        if value is None or value.startswith("-") or choices and value not in choices:
            return None  # argparse says what is wrong, or reads "-1" as a value
        setattr(args, _cli_attribute(word), value)
    return args


def _cli_attribute(option: str) -> str:
    """The attribute an option sets, named as argparse names it: ``--no-cache``,
    ``no_cache``."""
    return option[2:].replace("-", "_")


def _cli_argparse(argv: list[str]) -> _CliArgs:
    """The arguments as argparse reads them (it prints --help and --version, and
    exits with 2 and one line on an error)."""
    return _cli_parser().parse_args(argv, namespace=_CliArgs())


def _cli_parser() -> argparse.ArgumentParser:
    """argparse's parser of the command line. Its defaults are _CliArgs's, the
    namespace it parses into: argparse sets no default on an attribute the
    namespace already has."""
    import argparse

    parser = argparse.ArgumentParser(
        "minicreds",
        description="Find AWS or MinIO credentials the way an SDK does and show where "
        "they came from, or print them for a shell or for an SDK's credential_process.",
        epilog=_CLI_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Errors in one line, without argparse's usage lines before them.
    parser.error = lambda message: _cli_exit(  # type: ignore[method-assign]
        2, f"minicreds: error: {message} (see --help)\n"
    )
    add = parser.add_argument
    add("--profile", help="the AWS profile (the mc alias with --provider mc-config)")
    add("--provider", metavar="NAME", choices=_CLI_PROVIDERS,
        help="one source instead of the default chain: %(choices)s")  # fmt: skip
    add("--format", choices=_CLI_FORMATS,
        help="summary (the default; secret masked); the others print the secrets, "
        "the export formats as `aws configure export-credentials` does, eks-token "
        "an EKS token as `aws eks get-token` does")  # fmt: skip
    add("--cluster", metavar="NAME", help="the EKS cluster of --format eks-token")
    add("--region", help="the STS region of --format eks-token (default: "
        "AWS_REGION, AWS_DEFAULT_REGION, the AWS profile's region)")  # fmt: skip
    add("--no-cache", action="store_true",
        help="fetch role and SSO credentials anew: do not use or fill the cache "
        "shared with the AWS CLI (~/.aws/cli/cache)")  # fmt: skip
    add("--explain", action="store_true", help="list each provider tried, on stderr")
    add("--version", action="version", version=f"minicreds {__version__}")
    return parser


def _cli_usage_problem(args: _CliArgs) -> str:
    """What is wrong with a combination of options, or ""."""
    if args.profile and args.provider in _CLI_CLASSES:
        return f"--profile does not apply to --provider {args.provider}"
    if args.format == "eks-token" and not args.cluster:
        return "--format eks-token needs --cluster NAME"
    if args.format != "eks-token" and (args.cluster or args.region):
        return "--cluster and --region apply to --format eks-token only"
    return ""


def _cli_enter() -> bool:
    """Count this run in ``MINICREDS_CLI_DEPTH``; False from the third nested run.

    A credential_process that runs minicreds with its own profile would start copies
    for ever: children see the depth (putenv: os.environ stays as is) and stop at 3.
    """
    depth = os.environ.get("MINICREDS_CLI_DEPTH", "")
    # Only what a parent wrote counts: int() refuses "\u00b2" (isdigit() is true)
    # and numbers of over 4300 digits.
    short_number = depth.isascii() and depth.isdecimal() and len(depth) < 10
    level = int(depth) if short_number else 0
    if level >= 3:
        return False
    os.putenv("MINICREDS_CLI_DEPTH", str(level + 1))
    return True


def _cli_provider(
    provider: str, profile: str | None, cache_dir: str | None
) -> ChainedProvider:
    """The chain that ``--provider`` names, strict: errors are reported, not skipped.
    Profiles' roles and SSO share the AWS CLI cache in ``cache_dir``, if given."""
    prompt = _ask_mfa if sys.stdin and sys.stdin.isatty() else None  # a person types
    shared: dict[str, Any] = {"mfa_prompt": prompt, "credential_cache_dir": cache_dir}
    if provider == "default":
        return default_provider(profile=profile, **shared)
    if provider == "aws-config":
        one: Provider = AWSConfigProvider(profile=profile, **shared)
    elif provider == "mc-config":
        one = MinioClientConfigProvider(alias=profile)
    else:
        one = _CLI_CLASSES[provider]()
    return ChainedProvider([one], strict=True)  # a chain of one: --explain lists it


def _cli_retrieve(
    provider: str, profile: str | None, cache_dir: str | None
) -> tuple[ChainedProvider | None, Credentials | None, str]:
    """The chain (None if it could not be built), its credentials and an error line.

    Any failure, ^C included, becomes one line without a traceback: the exception's
    class name unless it is a CredentialsError, whose message is secret-free.
    """
    chain = None
    try:
        chain = _cli_provider(provider, profile, cache_dir)
        return chain, chain.retrieve(), ""
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - one line, no trace
        error = "interrupted" if isinstance(exc, KeyboardInterrupt) else _describe(exc)
        error = _printable(error)  # a path or a variable may hold anything
    return chain, None, error


def _cli_explain(attempts: Iterable[tuple[str, str, str, float]]) -> None:
    """``--explain``: each provider tried, its outcome, time and detail, on stderr."""
    print("minicreds: providers tried, in order:", file=sys.stderr)
    for i, (name, outcome, detail, took) in enumerate(attempts, 1):
        if detail.startswith(name + ": "):  # the name is in its own column
            detail = detail[len(name) + 2 :]
        # 25: the longest name the command line can list (MinioClientConfigProvider)
        detail = _printable(detail)  # a path or a variable may hold anything
        line = f"  {i}. {name:<25}  {outcome:<14}  {took * 1e3:7.1f} ms  {detail}"
        print(line.rstrip(), file=sys.stderr)


def _cli_render(args: _CliArgs, creds: Credentials, source: str) -> tuple[str, str]:
    """The credentials in the ``--format`` asked for, and an error line (or "")."""
    fmt = args.format
    if fmt == "summary":
        return _cli_summary(creds, source), ""
    if fmt == "eks-token":
        return _cli_exec_credential(args, creds)
    expiry = creds.expiration.isoformat() if creds.expiration else None
    rows = (
        ("AWS_ACCESS_KEY_ID", "AccessKeyId", creds.access_key),
        ("AWS_SECRET_ACCESS_KEY", "SecretAccessKey", creds.secret_key),
        ("AWS_SESSION_TOKEN", "SessionToken", creds.session_token),
        ("AWS_CREDENTIAL_EXPIRATION", "Expiration", expiry),
        # Not printed by AWS CLI v2: what botocore's providers read back (README
        # "Account ID").
        ("AWS_ACCOUNT_ID", "AccountId", creds.account_id),
    )
    if fmt in _CLI_LINES:
        return _cli_export_lines(fmt, [(var, value) for var, _, value in rows])
    return _cli_json(fmt, [(key, value) for _, key, value in rows], source), ""


def _cli_summary(creds: Credentials, source: str) -> str:
    """Where the credentials came from, with the secret masked."""
    expires = creds.expiration
    when = (
        f"{expires:%Y-%m-%d %H:%M:%S UTC} ({_cli_left(expires)})" if expires else "none"
    )
    secret = creds.secret_key  # its last 4 characters only if it can spare them
    return (
        f"provider:      {source}\naccess key:    {creds.access_key}\n"
        f"secret key:    {_MASK}{secret[-4:] if len(secret) >= 12 else ''}\n"
        f"session token: {'present' if creds.session_token else 'none'}\n"
        f"expiration:    {when}\n"
        f"account ID:    {creds.account_id or 'none'}\n"
    )


def _cli_left(expires: datetime.datetime) -> str:
    """The time left before ``expires``, to the two largest units, or "expired"."""
    s = int(expires.timestamp() - time.time())
    d, h, m = s // 86400, s // 3600 % 24, s // 60 % 60
    left = f"{d}d {h}h" if d else f"{h}h {m:02d}m" if h else f"{m}m {s % 60:02d}s"
    return f"{left} left" if s > 0 else "expired"


def _cli_export_lines(fmt: str, rows: list[tuple[str, str | None]]) -> tuple[str, str]:
    """``export VAR=value`` lines (or a shell's equivalent), and an error line (or "").

    A value is written as is, unless a shell would split it: then it is quoted for
    sh, and refused for PowerShell and cmd (where "%" expands too).
    """
    import shlex

    text = ""
    for var, value in rows:
        if value is None:
            continue
        quoted = shlex.quote(value)
        if not fmt.startswith("env") and (quoted != value or "%" in value):
            return "", f"{var} cannot be written safely as {fmt}"
        text += _CLI_LINES[fmt].format(var, quoted)
    return text, ""


def _cli_json(fmt: str, rows: list[tuple[str, str | None]], source: str) -> str:
    """The ``credential_process`` JSON; ``json`` keeps empty keys and adds Provider."""
    import json

    doc: dict[str, Any] = {"Version": 1}
    for key, value in rows:
        if value or fmt == "json":
            doc[key] = value
    if fmt == "json":
        doc["Provider"] = source
    return json.dumps(doc, indent=2) + "\n"


def _cli_exec_credential(args: _CliArgs, creds: Credentials) -> tuple[str, str]:
    """``--format eks-token``: the ExecCredential that ``aws eks get-token`` prints
    (its JSON, a newline and an empty line), and an error line (or "")."""
    import json

    try:
        region = args.region or _cli_region(args.provider, args.profile)
        # Signed on STS's time, should STS have refused this host's clock.
        cluster = args.cluster or ""  # never empty: _cli_usage_problem checks
        token = eks_token(cluster, credentials=creds, region=region)
    except CredentialsError as exc:
        return "", str(exc)
    api_version, warning = _cli_exec_api_version()
    if warning:
        print(f"minicreds: warning: {warning}", file=sys.stderr)
    # On the local clock, which kubectl judges it by; kubectl asks for a new token
    # then, and an EKS cluster accepts one for 15 minutes.
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 840))
    doc = {
        "kind": "ExecCredential",
        "apiVersion": api_version,
        "spec": {},
        "status": {"expirationTimestamp": expires, "token": token},
    }
    return json.dumps(doc, indent=4, ensure_ascii=False) + "\n\n", ""


def _cli_region(provider: str, profile: str | None) -> str | None:
    """The region of an EKS token, as minicreds's STS providers pick it:
    ``AWS_REGION``, else ``AWS_DEFAULT_REGION``, else the AWS profile's ``region``
    (``--profile`` names an mc alias with ``--provider mc-config``)."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        return region
    aws_profile = None if provider == "mc-config" else profile
    loaded = AWSConfigProvider(profile=aws_profile)._load()
    if loaded is None:
        return None
    name, files = loaded
    return _profile_settings(name, files.creds, files.config).get("region")


def _cli_exec_api_version() -> tuple[str, str]:
    """The apiVersion of the ExecCredential, as ``aws eks get-token`` answers
    ``KUBERNETES_EXEC_INFO``, and a warning (or ""): v1 and v1beta1 as asked,
    v1alpha1 as asked but deprecated, anything else v1beta1."""
    import json

    default = _K8S_AUTH + "v1beta1"
    info = os.environ.get("KUBERNETES_EXEC_INFO", "")
    if not info:  # kubectl before 1.20 may not set it
        return default, ""
    try:
        asked = json.loads(info).get("apiVersion")
    except (ValueError, AttributeError, RecursionError):  # not a JSON object
        return default, f"KUBERNETES_EXEC_INFO is not a JSON object; using {default}"
    if asked in (_K8S_AUTH + "v1", default):
        return asked, ""
    if asked == _K8S_AUTH + "v1alpha1":
        return asked, f"the kubeconfig asks for the deprecated {asked}"
    return (
        default,
        f"KUBERNETES_EXEC_INFO asks for an unknown apiVersion; using {default}",
    )


def _cli_write(fmt: str, text: str) -> str:
    """Print the rendered credentials on stdout, with LF line ends for the shells;
    an error line instead (or "") when stdout's encoding cannot hold them (a MinIO
    key outside cp1252 on Windows): a changed value would be wrong credentials."""
    stdout = sys.stdout
    encoding = getattr(stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding, getattr(stdout, "errors", None) or "strict")
    except UnicodeEncodeError:
        return (
            f"the credentials cannot be written in {encoding}, the encoding of "
            "stdout (PYTHONIOENCODING=utf-8 changes it)"
        )
    reconfigure = getattr(stdout, "reconfigure", None)
    if fmt.startswith("env") and reconfigure:  # a wrapped stdout may have it too
        reconfigure(newline="\n")  # LF even on Windows, as the AWS CLI does
    stdout.write(text)
    return ""


def _cli_run() -> int:
    """The command line as a program: ``_main()``, then its output flushed. When the
    reader of stdout or stderr has gone (``| head -c1``), it ends quietly with status
    141, as a program stopped by SIGPIPE ends in a shell."""
    try:
        try:
            return _main()
        finally:  # also after an exit: written here, not at the interpreter's end
            for stream in (sys.stdout, sys.stderr):
                if stream:
                    stream.flush()
    except BrokenPipeError:
        # What is still buffered goes to devnull, so that the interpreter's last
        # flush succeeds (the Python documentation's recipe, signal module).
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            try:
                os.dup2(devnull, stream.fileno())
            except (AttributeError, OSError, ValueError):  # no file descriptor
                pass
        return 141


if __name__ == "__main__":
    sys.exit(_cli_run())
