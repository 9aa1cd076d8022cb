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
``credential_process``, SSO, EC2 instance metadata, ECS/EKS container endpoints and
STS (AssumeRole with a built-in SigV4 signer, web identity, and MinIO's client
grants, LDAP and certificate flavours), behind the MinIO SDK's provider interface::

    import minicreds
    creds = minicreds.default_provider().retrieve()

Importing the module does nothing but define names: no network, file or
environment access. Run ``python3 minicreds.py --help`` for the command line.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # type checkers only: importing typing costs ~12 ms at run time
    import datetime
    import ssl
    from typing import Any, Callable, Dict, Iterable, Mapping, Protocol, Tuple, Union

    Clock = Callable[[], float]
    Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]
    Ini = Dict[str, Dict[str, str]]

__version__ = "0.1.0"

__all__ = [
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
    # Container and instance metadata
    # STS
    "sign_request",
    "AssumeRoleProvider",
    "WebIdentityProvider",
    "ClientGrantsProvider",
    "LdapIdentityProvider",
    "CertificateIdentityProvider",
    # Chain
    "ChainedProvider",
    "__version__",
]

# =====================================================================================
# Constants
# =====================================================================================

_EXPIRY_SKEW = 10.0  # Credentials.is_expired() is true from 10 s before expiry (SPEC 3)
_BLOCKING_WINDOW = 60.0  # refresh blocks callers from 60 s before expiry (SPEC 7)
_MAX_BODY = 1 << 20  # largest HTTP response body read (SPEC 5)
_MAX_FILE = 4 << 20  # largest config file read
_STS_VERSION = "2011-06-15"
_FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
# Regions that AWS_STS_REGIONAL_ENDPOINTS=legacy sends to the global STS host.
_LEGACY_STS_REGIONS = frozenset(  # noqa: SIM905 - a list of 16 names, kept short
    "ap-northeast-1 ap-south-1 ap-southeast-1 ap-southeast-2 aws-global ca-central-1"
    " eu-central-1 eu-north-1 eu-west-1 eu-west-2 eu-west-3 sa-east-1 us-east-1"
    " us-east-2 us-west-1 us-west-2".split()
)
# Error codes that mean "slow down": retried like a 5xx (botocore's list, abridged).
_THROTTLE_CODES = (
    b"Throttling",
    b"ThrottlingException",
    b"ThrottledException",
    b"RequestThrottledException",
    b"TooManyRequestsException",
    b"RequestLimitExceeded",
    b"RequestThrottled",
    b"SlowDown",
    b"PriorRequestNotComplete",
    b"IDPCommunicationError",
)
_MASK = "****************"

# =====================================================================================
# Errors
# =====================================================================================


class CredentialsError(ValueError):
    """A configured source failed. The message names the provider and the source.

    Subclasses ``ValueError`` as the MinIO SDK's errors do. Messages never carry a
    secret: no key, token, password or line of a credentials file.
    """

    def __init__(self, what: str, provider: str = "", source: str = "") -> None:
        self.provider = provider
        self.source = source
        text = f"{provider}: {what}" if provider else what
        super().__init__(f"{text} [{source}]" if source else text)


class ConfigError(CredentialsError):
    """Bad configuration: a file, an environment variable or an argument."""


class TransportError(CredentialsError):
    """The service could not be reached, or answered with something unusable."""

    def __init__(
        self, what: str, provider: str = "", source: str = "", *, kind: str = "other"
    ) -> None:
        super().__init__(what, provider, source)
        self.url = source
        # "connect": nothing accepted the connection; "read": it connected, then
        # the answer timed out or broke; "other": a bad answer.
        self.kind = kind


class STSError(CredentialsError):
    """A security token service (or another credentials service) refused."""

    def __init__(
        self,
        code: str,
        message: str,
        provider: str = "",
        source: str = "",
        *,
        request_id: str | None = None,
        status: int | None = None,
    ) -> None:
        what = f"{code or 'error'} (HTTP {status})" + (
            f": {message}" if message else ""
        )
        super().__init__(what, provider, source)
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status = status


# =====================================================================================
# Credentials and Provider
# =====================================================================================


class Credentials:
    """Access key, secret key, optional session token and expiry. Immutable.

    ``expiration`` is an aware UTC datetime (a naive one is taken as UTC).
    ``repr()`` shows the access key only.
    """

    __slots__ = ("_expires", "access_key", "expiration", "secret_key", "session_token")
    access_key: str
    secret_key: str
    session_token: str | None
    expiration: datetime.datetime | None
    _expires: float | None

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        session_token: str | None = None,
        expiration: datetime.datetime | None = None,
    ) -> None:
        if not access_key or not isinstance(access_key, str):
            raise ValueError("access key must be a non-empty string")
        if not secret_key or not isinstance(secret_key, str):
            raise ValueError("secret key must be a non-empty string")
        expires = None
        if expiration is not None:
            from datetime import timezone

            if expiration.tzinfo is None:
                expiration = expiration.replace(tzinfo=timezone.utc)
            else:
                expiration = expiration.astimezone(timezone.utc)
            expires = expiration.timestamp()
        put = object.__setattr__
        put(self, "access_key", access_key)
        put(self, "secret_key", secret_key)
        put(self, "session_token", session_token or None)
        put(self, "expiration", expiration)
        put(self, "_expires", expires)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Credentials are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Credentials are immutable")

    def _key(self) -> tuple[str, str, str | None, float | None]:
        return (self.access_key, self.secret_key, self.session_token, self._expires)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Credentials):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return (Credentials, self._key()[:3] + (self.expiration,))

    def __repr__(self) -> str:
        token = "'****'" if self.session_token else "None"
        expiry = self.expiration.isoformat() if self.expiration else None
        return (
            f"Credentials(access_key={self.access_key!r}, secret_key='****',"
            f" session_token={token}, expiration={expiry!r})"
        )

    __str__ = __repr__

    def is_expired(self) -> bool:
        """True from 10 seconds before ``expiration``; never without one."""
        return self._expires is not None and time.time() >= self._expires - _EXPIRY_SKEW


if TYPE_CHECKING:

    class Provider(Protocol):
        """Anything with ``retrieve()`` is a provider."""

        def retrieve(self) -> Credentials | None: ...

else:

    class Provider:
        """Base of all providers (a ``Protocol`` for type checkers).

        ``retrieve()`` returns ``Credentials``, or ``None`` when this source is not
        configured here; a configured source that fails raises ``CredentialsError``.
        """

        __slots__ = ()

        def retrieve(self):
            raise NotImplementedError


def _name(provider: object) -> str:
    return type(provider).__name__


def _logger() -> Any:
    import logging

    return logging.getLogger("minicreds")


def _scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Remove any secret from text a server sent back (it may echo a request)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "****")
    return text[:500]


def _parse_time(text: str) -> datetime.datetime:
    """ISO 8601 with 0-9 fractional digits and ``Z`` or an offset, on every Python.

    ``datetime.fromisoformat`` takes ``Z`` and 7-9 digits only from 3.11.
    """
    import re
    from datetime import datetime, timedelta, timezone

    m = re.fullmatch(
        r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?"
        r"\s*(?:([Zz])|([+-])(\d\d):?(\d\d))?",
        text.strip(),
    )
    if not m:
        raise ValueError("not an ISO 8601 date and time")
    fields = [int(g) for g in m.group(1, 2, 3, 4, 5, 6)]
    micro = int((m.group(7) or "0")[:6].ljust(6, "0"))
    tz = timezone.utc
    if m.group(9):
        offset = timedelta(hours=int(m.group(10)), minutes=int(m.group(11)))
        tz = timezone(-offset if m.group(9) == "-" else offset)
    year, month, day, hour, minute, second = fields
    stamp = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    return stamp.astimezone(timezone.utc)


# =====================================================================================
# Refresh engine
# =====================================================================================


class RefreshingProvider(Provider):
    """Caches what ``fetch()`` returns and refreshes it by the AWS SDKs' rules.

    A cached value is returned without a lock. From an early window before expiry
    (5, 15 or 60 minutes, by the lifetime seen at fetch) one caller refreshes while
    the others keep the cached credentials; a failed early refresh is tried again
    after a jittered 300-600 s. From 60 s before expiry callers wait for one
    refresh (single flight); if it fails they get the cached credentials while they
    are valid, else its error. ``clock`` returns POSIX seconds.
    """

    def __init__(self, fetch: Callable[[], Credentials], *, clock: Clock = time.time):
        import threading

        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        # (credentials, refresh_at, block_at, expires_at): replaced whole, read
        # without the lock.
        self._state: tuple[Credentials, float, float, float] | None = None
        self._generation = 0
        self._failure: tuple[int, BaseException] | None = None

    def retrieve(self) -> Credentials:
        """The cached credentials, refreshed first when they are due."""
        state = self._state
        if state is not None and self._clock() < state[1]:
            return state[0]
        return self._refresh(state)

    def _refresh(
        self, state: tuple[Credentials, float, float, float] | None
    ) -> Credentials:
        if state is not None and self._clock() < state[2]:
            # Early window: whoever gets the lock refreshes; nobody waits.
            if not self._lock.acquire(blocking=False):
                return state[0]
            try:
                if self._state is state:
                    self._refresh_early(state)
                return self._state[0]  # type: ignore[index]
            finally:
                self._lock.release()
        seen = self._generation
        with self._lock:
            current = self._state
            now = self._clock()
            if current is not None and now < current[2]:
                return current[0]  # refreshed while this caller waited
            failure = self._failure
            if failure is None or seen == self._generation or failure[0] != seen + 1:
                try:
                    return self._install()
                except Exception as exc:
                    failure = (self._generation, exc)
            # The refresh failed (this caller's, or the one it waited on).
            if current is not None and now < current[3] - _EXPIRY_SKEW:
                _logger().warning(
                    "%s: refresh failed, using credentials valid for %d s more: %s",
                    _name(self),
                    current[3] - now,
                    _describe(failure[1]),
                )
                return current[0]
            raise failure[1]

    def _refresh_early(self, state: tuple[Credentials, float, float, float]) -> None:
        import random

        try:
            self._install()
        except Exception as exc:  # noqa: BLE001 - any failure keeps the cache
            now = self._clock()
            retry = min(now + random.uniform(300.0, 600.0), state[2])
            self._state = (state[0], retry, state[2], state[3])
            _logger().warning(
                "%s: early refresh failed, retrying in %d s: %s",
                _name(self),
                retry - now,
                _describe(exc),
            )

    def _install(self) -> Credentials:
        self._generation += 1
        try:
            creds = self._fetch()
            if not isinstance(creds, Credentials):
                raise CredentialsError("fetch() returned no credentials", _name(self))
            now = self._clock()
            expires = creds._expires
            if expires is None:
                inf = float("inf")
                state = (creds, inf, inf, inf)
            else:
                if expires - _EXPIRY_SKEW <= now:
                    raise CredentialsError(
                        "fetched credentials have already expired", _name(self)
                    )
                life = expires - now
                early = 300.0 if life <= 1200 else 900.0 if life < 5400 else 3600.0
                state = (creds, expires - early, expires - _BLOCKING_WINDOW, expires)
        except Exception as exc:
            self._failure = (self._generation, exc)
            raise
        self._failure = None
        self._state = state
        return creds


def _describe(exc: BaseException) -> str:
    """An exception as a log line: our messages are secret-free, others may not be."""
    if isinstance(exc, CredentialsError):
        return str(exc)
    return type(exc).__name__


# =====================================================================================
# HTTP
# =====================================================================================


def _safe_url(url: str) -> str:
    """The URL without userinfo, query or fragment, fit for a message."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid URL>"
    return f"{parts.scheme}://{host}{port}{parts.path}"


_tls_contexts: dict[tuple[Any, ...], ssl.SSLContext] = {}


def _tls_context(
    provider: str, ca_file: str | None, cert: tuple[str, str] | None = None
) -> ssl.SSLContext:
    """A verifying TLS context, cached while its files are unchanged (loading the
    system CAs takes milliseconds; a client certificate may be rotated)."""
    source = ca_file
    try:
        files = (ca_file, *(cert or ()))
        stats = [os.stat(f) for f in files if f]
        key = files + tuple(
            (s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns) for s in stats
        )
        ctx = _tls_contexts.get(key)
        if ctx is None:
            import ssl

            ctx = ssl.create_default_context(cafile=ca_file)
            if cert:
                source = cert[0]  # an encrypted key fails, never prompts on a tty
                ctx.load_cert_chain(cert[0], cert[1], password="")
            if len(_tls_contexts) > 8:
                _tls_contexts.clear()
            _tls_contexts[key] = ctx
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        source = getattr(exc, "filename", None) or source or ""
        what = f"cannot load TLS files ({_os_reason(exc)})"
        raise ConfigError(what, provider, source) from None
    return ctx


def _proxy_for(scheme: str, host: str, environ: Mapping[str, str]) -> str | None:
    """``HTTPS_PROXY``/``HTTP_PROXY`` for this host unless ``NO_PROXY`` names it."""
    proxy = environ.get(f"{scheme}_proxy") or environ.get(f"{scheme.upper()}_PROXY")
    if not proxy:
        return None
    no_proxy = environ.get("no_proxy") or environ.get("NO_PROXY") or ""
    for entry in no_proxy.replace(" ", "").split(","):
        entry = entry.lstrip(".").lower()
        if entry == "*" or (entry and (host == entry or host.endswith("." + entry))):
            return None
    return proxy


def _http(
    provider: str,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 5.0,
    connect_timeout: float | None = None,
    attempts: int = 3,
    deadline: float = 10.0,
    retry_connect: bool = True,
    retry_codes: tuple[bytes, ...] = (),
    ca_file: str | None = None,
    cert: tuple[str, str] | None = None,
    proxy: bool = True,
    environ: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP exchange with a timeout, bounded retries and an overall deadline.

    Retries with full-jitter exponential backoff on connection errors, 5xx, 429 and
    answers carrying one of ``retry_codes``; after the last attempt such an answer
    is returned for the caller to report. Never follows a redirect. Raises
    ``TransportError`` naming the URL without its query.
    """
    import random
    from urllib.parse import urlsplit

    source = _safe_url(url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("not an http(s) URL", provider, source)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    env = os.environ if environ is None else environ
    via = _proxy_for(parts.scheme, parts.hostname, env) if proxy else None
    context = _tls_context(provider, ca_file, cert) if parts.scheme == "https" else None
    end = time.monotonic() + deadline
    error: TransportError | None = None
    last: tuple[int, dict[str, str], bytes] | None = None
    for attempt in range(max(1, attempts)):
        left = end - time.monotonic()
        if left <= 0:
            break
        try:
            status, answer_headers, data = _http_once(
                method, parts, target, dict(headers or {}), body, via,
                min(connect_timeout or timeout, left), min(timeout, left), left,
                context,
            )  # fmt: skip
        except TransportError as exc:
            error, last = (
                TransportError(exc.args[0], provider, source, kind=exc.kind),
                None,
            )
            if exc.kind == "other" or (exc.kind == "connect" and not retry_connect):
                raise error from None  # a bad answer or a refused certificate
        else:
            if 300 <= status < 400:
                raise TransportError(
                    f"HTTP {status} redirect refused (redirects are never followed)",
                    provider,
                    source,
                )
            retry = status >= 500 or status == 429
            if not retry and retry_codes and status >= 400:
                retry = any(b"<Code>" + c + b"</Code>" in data for c in retry_codes)
            if not retry:
                return status, answer_headers, data
            error, last = None, (status, answer_headers, data)
        pause = random.uniform(0, min(2.0, 0.1 * 2**attempt))
        if attempt == attempts - 1 or time.monotonic() + pause >= end:
            break
        time.sleep(pause)
    if last is not None:
        return last
    raise error or TransportError(f"no answer within {deadline:g} s", provider, source)


def _http_once(
    method: str,
    parts: Any,
    target: str,
    headers: dict[str, str],
    body: bytes | None,
    via: str | None,
    connect_timeout: float,
    read_timeout: float,
    budget: float,
    context: ssl.SSLContext | None,
) -> tuple[int, dict[str, str], bytes]:
    import http.client
    from urllib.parse import unquote, urlsplit

    host, port, https = parts.hostname, parts.port, parts.scheme == "https"
    conn: http.client.HTTPConnection
    if via:
        proxy = urlsplit(via if "://" in via else f"http://{via}")
        if proxy.username:
            import base64

            user = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}"
            auth = "Basic " + base64.b64encode(user.encode()).decode()
        if https:
            conn = http.client.HTTPSConnection(
                proxy.hostname or "", proxy.port or 8080, context=context
            )
            tunnel = {"Proxy-Authorization": auth} if proxy.username else None
            conn.set_tunnel(host, port or 443, headers=tunnel)
        else:
            conn = http.client.HTTPConnection(proxy.hostname or "", proxy.port or 8080)
            target = parts.geturl().split("#")[0]
            if proxy.username:
                headers["Proxy-Authorization"] = auth
    elif https:
        conn = http.client.HTTPSConnection(host, port, context=context)
    else:
        conn = http.client.HTTPConnection(host, port)
    conn.timeout = connect_timeout
    # Socket timeouts bound each read, not a server that drips bytes: a watchdog
    # breaks the connection when the overall deadline passes.
    import threading

    fired: list[bool] = []
    watchdog = threading.Timer(budget, _cut, (conn, fired))
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            conn.connect()
        except OSError as exc:  # refused, unreachable, timed out, TLS handshake
            import ssl

            bad_cert = isinstance(exc, ssl.SSLCertVerificationError)
            raise TransportError(
                f"cannot connect ({_os_reason(exc)})",
                kind="other" if bad_cert else "connect",
            ) from None
        conn.sock.settimeout(read_timeout)
        conn.request(method, target, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read(_MAX_BODY + 1)
        if len(data) > _MAX_BODY:
            raise TransportError("response larger than 1 MiB", kind="other")
        if response.length:  # Content-Length promised more than arrived
            raise TransportError("response truncated", kind="read")
        answer = {k.lower(): v for k, v in response.getheaders()}
        return response.status, answer, data
    except TransportError as exc:
        if fired and exc.kind != "connect":
            raise TransportError("timed out (deadline)", kind="read") from None
        raise
    except (OSError, http.client.HTTPException) as exc:
        why = (
            "timed out (deadline)" if fired else f"no usable answer ({_os_reason(exc)})"
        )
        raise TransportError(why, kind="read") from None
    finally:
        watchdog.cancel()
        conn.close()


def _cut(conn: Any, fired: list[bool]) -> None:
    import socket

    fired.append(True)
    if conn.sock is not None:
        try:  # the plain socket's shutdown, also under TLS: wakes a blocked read
            socket.socket.shutdown(conn.sock, socket.SHUT_RDWR)
        except OSError:
            pass


def _os_reason(exc: BaseException) -> str:
    import socket

    if isinstance(exc, socket.timeout):
        return "timed out"
    reason = getattr(exc, "strerror", None) or type(exc).__name__
    return str(reason)


# =====================================================================================
# SigV4
# =====================================================================================

# Derived keys kept as the HMAC-SHA256 inner and outer hashes already fed their
# padded key (RFC 2104): signing then costs two copies and two updates.
_signing_keys: dict[tuple[str, str, str, str], tuple[Any, Any]] = {}


def _signing_key(secret: str, date: str, region: str, service: str) -> tuple[Any, Any]:
    key = (secret, date, region, service)
    pads = _signing_keys.get(key)
    if pads is None:
        import hashlib
        import hmac

        derived = b"AWS4" + secret.encode()
        for part in (date, region, service, "aws4_request"):
            derived = hmac.digest(derived, part.encode(), "sha256")
        block = derived.ljust(64, b"\0")
        inner, outer = (hashlib.sha256(bytes(b ^ x for b in block)) for x in (54, 92))
        pads = (inner, outer)
        if len(_signing_keys) > 64:
            _signing_keys.clear()
        _signing_keys[key] = pads
    return pads


def _normalize_path(path: str) -> str:
    """Remove dot segments and empty segments, keeping a trailing slash."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    out = "/" + "/".join(segments)
    return out + "/" if path.endswith("/") and out != "/" else out


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
    ``Authorization``; every header but ``Authorization`` is signed. ``url`` is the
    URL as it will be sent.
    """
    import hashlib

    if isinstance(body, str):
        body = body.encode()
    if now is None:
        stamp = time.time()
    elif isinstance(now, (int, float)):
        stamp = float(now)
    else:
        stamp = now.timestamp()
    amz_date = _amz_dates.get(int(stamp))
    if amz_date is None:
        if len(_amz_dates) > 8:
            _amz_dates.clear()
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(int(stamp)))
        _amz_dates[int(stamp)] = amz_date
    s3 = service == "s3"
    parts = _canonical_urls.get((url, s3)) or _canonical_url(url, s3)

    out: dict[str, str] = {}
    names: dict[str, str] = {}  # lower-case name -> name as given
    pairs: Any = ()
    if headers is not None:
        items = getattr(headers, "items", None)
        pairs = items() if items is not None else headers
    for name, value in pairs:
        low = name.lower()
        if low in names:
            out[names[low]] += "," + value
        elif low != "authorization":
            names[low] = name
            out[name] = value
    added = [] if "host" in names else [("host", "Host", parts[0])]
    added.append(("x-amz-date", "X-Amz-Date", amz_date))
    if credentials.session_token:
        added.append(
            ("x-amz-security-token", "X-Amz-Security-Token", credentials.session_token)
        )
    if s3 and "x-amz-content-sha256" in names:
        payload = out[names["x-amz-content-sha256"]]
    else:
        payload = hashlib.sha256(body).hexdigest()
        if s3:
            added.append(("x-amz-content-sha256", "X-Amz-Content-Sha256", payload))
    for low, name, value in added:
        old = names.get(low)
        if old is not None:
            del out[old]
        names[low] = name
        out[name] = value

    signed = sorted(names)
    canonical_headers = "".join(
        [f"{low}:{' '.join(out[names[low]].split())}\n" for low in signed]
    )
    signed_headers = ";".join(signed)
    canonical = f"{method}\n{parts[1]}\n{parts[2]}\n{canonical_headers}\n{signed_headers}\n{payload}"
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = (
        f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n"
        + hashlib.sha256(canonical.encode()).hexdigest()
    )
    inner, outer = _signing_key(credentials.secret_key, amz_date[:8], region, service)
    inner, outer = inner.copy(), outer.copy()
    inner.update(to_sign.encode())
    outer.update(inner.digest())
    signature = outer.hexdigest()
    out["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope},"
        f" SignedHeaders={signed_headers}, Signature={signature}"
    )
    return out


_amz_dates: dict[int, str] = {}
_canonical_urls: dict[tuple[str, bool], tuple[str, str, str]] = {}


def _canonical_url(url: str, s3: bool) -> tuple[str, str, str]:
    """The ``Host`` value, canonical path and canonical query of a URL, cached."""
    from urllib.parse import quote, unquote, urlsplit

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if s3:  # S3 paths are signed as sent: encoded once, not normalised
        if "%" in path:
            import re

            path = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", path)
        path = quote(path, safe="/~%")
    else:
        path = quote(_normalize_path(path), safe="/~")
    items = []
    for item in parts.query.split("&"):
        if item:
            key, _, value = item.partition("=")
            items.append((quote(unquote(key), safe="~"), quote(unquote(value), "~")))
    query = "&".join(f"{k}={v}" for k, v in sorted(items))
    if len(_canonical_urls) > 64:
        _canonical_urls.clear()
    _canonical_urls[url, s3] = (host, path, query)
    return host, path, query


# =====================================================================================
# STS
# =====================================================================================


def _parse_xml(provider: str, source: str, data: bytes) -> Any:
    """Parse a service's XML answer, refusing DTDs (no entity expansion attacks).

    Decoded first and parsed as text, so no encoding (UTF-16...) hides a DTD.
    """
    import xml.etree.ElementTree as ET

    try:
        text = data.decode()
        if "\0" in text:  # expat would still detect UTF-16 from NULs
            raise UnicodeError
    except UnicodeError:
        raise TransportError("XML answer not in UTF-8", provider, source) from None
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise TransportError("XML answer with a DTD refused", provider, source)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise TransportError(
            f"malformed XML answer (line {exc.position[0]})", provider, source
        ) from None
    for element in root.iter():
        if isinstance(element.tag, str):  # strip the namespace: AWS, MinIO, moto
            element.tag = element.tag.rpartition("}")[2]
    return root


def _text(element: Any, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _sts_call(
    provider: str,
    url: str,
    params: dict[str, str],
    *,
    signer: Credentials | None = None,
    region: str = "us-east-1",
    secrets: tuple[str | None, ...] = (),
    ca_file: str | None = None,
    cert: tuple[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """POST one STS action as a form and read the credentials from its answer."""
    from urllib.parse import urlencode

    params["Version"] = _STS_VERSION
    body = urlencode(params).encode()
    headers: dict[str, str] = {"Content-Type": _FORM_TYPE, "Accept": "application/xml"}
    if signer is not None:
        headers = sign_request(
            "POST", url, headers, body, credentials=signer, region=region, service="sts"
        )
        secrets += (signer.secret_key, signer.session_token)
    source = _safe_url(url)
    status, answer, data = _http(
        provider,
        "POST",
        url,
        headers=headers,
        body=body,
        retry_codes=_THROTTLE_CODES,
        ca_file=ca_file,
        cert=cert,
        environ=environ,
    )
    root = None
    if data.lstrip().startswith(b"<"):
        try:
            root = _parse_xml(provider, source, data)
        except TransportError:
            if status == 200:
                raise  # else: an HTML page from a proxy...; report the status
    if root is not None and root.tag in ("ErrorResponse", "Error"):
        from urllib.parse import quote, quote_plus

        # A server may echo the request: its secrets also as the form sent them.
        secrets += tuple(f(s, "") for s in secrets if s for f in (quote, quote_plus))
        error = root.find(".//Error") if root.tag == "ErrorResponse" else root
        request_id = (  # moto: <Errors><Error>, the id in a header only
            _text(root, "RequestId")
            or _text(error, "RequestId")
            or answer.get("x-amzn-requestid", answer.get("x-amz-request-id", ""))
        )
        raise STSError(
            _scrub(_text(error, "Code"), secrets)[:100],
            _scrub(_text(error, "Message"), secrets),
            provider,
            source,
            request_id=_scrub(request_id, secrets)[:100] or None,
            status=status,
        )
    if root is None or status != 200:
        what = "an error document" if status != 200 else "an XML answer"
        raise TransportError(f"HTTP {status} without {what}", provider, source)
    # Temporary credentials: without a token or an expiry they are unusable, or
    # would be cached forever.
    found = root.find(".//Credentials")
    names = ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
    fields = [_text(found, k) for k in names]
    missing = [k for k, v in zip(names, fields) if not v]
    if found is None or missing:
        missing = missing if found is not None else ["Credentials"]
        raise TransportError(f"answer lacks {', '.join(missing)}", provider, source)
    try:
        expiry = _parse_time(fields[3])
    except ValueError:
        raise TransportError("answer has a bad Expiration", provider, source) from None
    return Credentials(fields[0], fields[1], fields[2], expiry)


def _seconds(duration: datetime.timedelta | float | None) -> int | None:
    if duration is None:
        return None
    if isinstance(duration, (int, float)):
        return int(duration)
    return int(duration.total_seconds())


def _sts_endpoint(
    provider: str,
    region: str | None,
    explicit: str | None,
    environ: Mapping[str, str],
    profile_region: str | None = None,
    regional: str | None = None,
) -> tuple[str, str]:
    """The AWS STS URL and its signing region (SPEC 5)."""
    url = (
        explicit
        or environ.get("AWS_ENDPOINT_URL_STS")
        or environ.get("AWS_ENDPOINT_URL")
    )
    resolved = (
        region
        or environ.get("AWS_REGION")
        or environ.get("AWS_DEFAULT_REGION")
        or profile_region
    )
    if url:
        return url, region or resolved or "us-east-1"
    mode = (regional or environ.get("AWS_STS_REGIONAL_ENDPOINTS") or "regional").lower()
    legacy = mode == "legacy" and resolved in _LEGACY_STS_REGIONS
    if not resolved or resolved == "aws-global" or legacy:
        return "https://sts.amazonaws.com", "us-east-1"
    if mode not in ("legacy", "regional"):
        raise ConfigError(
            f"sts_regional_endpoints {mode!r} is not legacy or regional", provider
        )
    suffix = ".amazonaws.com.cn" if resolved.startswith("cn-") else ".amazonaws.com"
    return f"https://sts.{resolved}{suffix}", resolved


class _Jwt:
    """A JWT given as a string or as a callable called at each refresh."""

    def __init__(self, token: str | Callable[[], Any]) -> None:
        self._token = token

    def get(self, provider: str) -> tuple[str, int | None]:
        value = self._token() if callable(self._token) else self._token
        expires_in = None
        if isinstance(value, dict):  # the MinIO SDK's convention
            expires_in = int(value.get("expires_in") or 0) or None
            value = value.get("access_token") or value.get("id_token")
        if not value or not isinstance(value, str):
            raise ConfigError("the JWT is empty", provider)
        return value, expires_in


class AssumeRoleProvider(RefreshingProvider):
    """Credentials from STS ``AssumeRole``, signed with the source's credentials.

    The source's session token is signed in, so roles chain. An empty ``role_arn``
    is left out (MinIO).
    """

    def __init__(
        self,
        credentials: Provider,
        role_arn: str,
        role_session_name: str,
        duration: datetime.timedelta | int | None = None,
        policy: str | None = None,
        region: str | None = None,
        *,
        sts_endpoint: str | None = None,
        external_id: str | None = None,
        mfa_serial: str | None = None,
        mfa_prompt: Callable[[str], str] | None = None,
        ca_file: str | None = None,
        clock: Clock = time.time,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(self._assume, clock=clock)
        self._source = credentials
        self._params = {"RoleArn": role_arn, "RoleSessionName": role_session_name}
        self._params.update(
            DurationSeconds=str(_seconds(duration) or ""), Policy=policy or ""
        )
        self._params.update(ExternalId=external_id or "", SerialNumber=mfa_serial or "")
        self._params = {k: v for k, v in self._params.items() if v}
        self._mfa_prompt = mfa_prompt
        self._region = region
        self._endpoint = sts_endpoint
        self._ca_file = ca_file
        self._environ = environ
        self.profile_region: str | None = None  # set by the config file provider
        self.regional: str | None = None

    def _assume(self) -> Credentials:
        name = _name(self)
        env = os.environ if self._environ is None else self._environ
        url, region = _sts_endpoint(
            name, self._region, self._endpoint, env, self.profile_region, self.regional
        )
        source = self._source.retrieve()
        if source is None:
            raise ConfigError(
                f"the source {_name(self._source)} has no credentials", name
            )
        params = dict(self._params, Action="AssumeRole")
        if "SerialNumber" in params:
            if self._mfa_prompt is None:
                raise ConfigError(
                    "the role needs an MFA code and no mfa_prompt was given", name
                )
            params["TokenCode"] = self._mfa_prompt(params["SerialNumber"])
        return _sts_call(
            name, url, params, signer=source, region=region,
            ca_file=self._ca_file or env.get("AWS_CA_BUNDLE"), environ=env,
        )  # fmt: skip


class WebIdentityProvider(RefreshingProvider):
    """Credentials from STS ``AssumeRoleWithWebIdentity`` (unsigned)."""

    def __init__(
        self,
        jwt_token: str | Callable[[], Any],
        role_arn: str,
        role_session_name: str,
        region: str | None = None,
        *,
        sts_endpoint: str | None = None,
        duration: datetime.timedelta | int | None = None,
        policy: str | None = None,
        ca_file: str | None = None,
        clock: Clock = time.time,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(self._assume, clock=clock)
        self._jwt = _Jwt(jwt_token)
        self._params = {"RoleArn": role_arn, "RoleSessionName": role_session_name}
        self._params.update(
            DurationSeconds=str(_seconds(duration) or ""), Policy=policy or ""
        )
        self._params = {k: v for k, v in self._params.items() if v}
        self._region = region
        self._endpoint = sts_endpoint
        self._ca_file = ca_file
        self._environ = environ
        self.profile_region: str | None = None
        self.regional: str | None = None

    def _assume(self) -> Credentials:
        name = _name(self)
        env = os.environ if self._environ is None else self._environ
        url, _ = _sts_endpoint(
            name, self._region, self._endpoint, env, self.profile_region, self.regional
        )
        token, expires_in = self._jwt.get(name)
        params = dict(self._params, Action="AssumeRoleWithWebIdentity")
        params["WebIdentityToken"] = token
        if expires_in and "DurationSeconds" not in params:
            params["DurationSeconds"] = str(expires_in)
        return _sts_call(
            name, url, params, secrets=(token,),
            ca_file=self._ca_file or env.get("AWS_CA_BUNDLE"), environ=env,
        )  # fmt: skip


# =====================================================================================
# MinIO STS
# =====================================================================================


class _MinioSTS(RefreshingProvider):
    """The MinIO STS flavours: an unsigned form POST to the endpoint as given."""

    _action = ""

    def __init__(self, sts_endpoint: str, clock: Clock, ca_file: str | None) -> None:
        super().__init__(self._assume, clock=clock)
        self._endpoint = sts_endpoint
        self._ca_file = ca_file
        self._cert: tuple[str, str] | None = None

    def _params(self) -> tuple[dict[str, str], tuple[str | None, ...]]:
        raise NotImplementedError

    def _assume(self) -> Credentials:
        params, secrets = self._params()
        params["Action"] = self._action
        return _sts_call(
            _name(self), self._endpoint, params, secrets=secrets,
            ca_file=self._ca_file or os.environ.get("AWS_CA_BUNDLE"), cert=self._cert,
        )  # fmt: skip


class ClientGrantsProvider(_MinioSTS):
    """Credentials from MinIO's ``AssumeRoleWithClientGrants``."""

    _action = "AssumeRoleWithClientGrants"

    def __init__(
        self,
        jwt_token: str | Callable[[], Any],
        sts_endpoint: str,
        duration: datetime.timedelta | int | None = None,
        *,
        ca_file: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(sts_endpoint, clock, ca_file)
        self._jwt = _Jwt(jwt_token)
        self._duration = _seconds(duration)

    def _params(self) -> tuple[dict[str, str], tuple[str | None, ...]]:
        token, expires_in = self._jwt.get(_name(self))
        params = {"Token": token}
        duration = self._duration or expires_in
        if duration:
            params["DurationSeconds"] = str(duration)
        return params, (token,)


class LdapIdentityProvider(_MinioSTS):
    """Credentials from MinIO's ``AssumeRoleWithLDAPIdentity``."""

    _action = "AssumeRoleWithLDAPIdentity"

    def __init__(
        self,
        username: str,
        password: str,
        sts_endpoint: str,
        ldap_username: str | None = None,
        ldap_password: str | None = None,
        *,
        ca_file: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(sts_endpoint, clock, ca_file)
        self._username = ldap_username or username
        self._password = ldap_password or password

    def __repr__(self) -> str:
        return f"LdapIdentityProvider(username={self._username!r}, password='****')"

    def _params(self) -> tuple[dict[str, str], tuple[str | None, ...]]:
        params = {"LDAPUsername": self._username, "LDAPPassword": self._password}
        return params, (self._password,)


class CertificateIdentityProvider(_MinioSTS):
    """Credentials from MinIO's ``AssumeRoleWithCertificate`` over mutual TLS."""

    _action = "AssumeRoleWithCertificate"

    def __init__(
        self,
        certificate_file: str,
        private_key_file: str,
        sts_endpoint: str,
        duration: datetime.timedelta | int | None = None,
        *,
        ca_file: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        if not sts_endpoint.lower().startswith("https://"):
            # A client certificate can only be presented over TLS.
            raise ConfigError(
                "the STS endpoint must be https://",
                _name(self),
                _safe_url(sts_endpoint),
            )
        super().__init__(sts_endpoint, clock, ca_file)
        self._cert = (certificate_file, private_key_file)
        self._duration = _seconds(duration)

    def _params(self) -> tuple[dict[str, str], tuple[str | None, ...]]:
        params = {"DurationSeconds": str(self._duration)} if self._duration else {}
        return params, ()


# =====================================================================================
# Environment
# =====================================================================================


class StaticProvider(Provider):
    """The same credentials every time."""

    def __init__(
        self, access_key: str, secret_key: str, session_token: str | None = None
    ) -> None:
        self._credentials = Credentials(access_key, secret_key, session_token)

    def retrieve(self) -> Credentials:
        """The credentials given at construction."""
        return self._credentials

    def __repr__(self) -> str:
        return f"StaticProvider(access_key={self._credentials.access_key!r})"


def _env_pair(
    provider: Provider,
    env: Mapping[str, str],
    keys: tuple[str, ...],
    secrets: tuple[str, ...],
) -> tuple[str, str] | None:
    """The first (key, secret) variable pair set; one without the other is an error."""
    key_var = next((v for v in keys if env.get(v)), None)
    secret_var = next((v for v in secrets if env.get(v)), None)
    if key_var is None and secret_var is None:
        provider._reason = f"{keys[0]} and {secrets[0]} are not set"  # type: ignore[attr-defined]
        return None
    if key_var is None or secret_var is None:
        missing, present = (
            (keys[0], secret_var) if key_var is None else (secrets[0], key_var)
        )
        raise ConfigError(
            f"{missing} is not set but {present} is", _name(provider), "environment"
        )
    return env[key_var], env[secret_var]


class EnvAWSProvider(Provider):
    """``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``.

    Also the legacy ``AWS_ACCESS_KEY``, ``AWS_SECRET_KEY`` and ``AWS_SECURITY_TOKEN``,
    and ``AWS_CREDENTIAL_EXPIRATION`` (ISO 8601). Read at every call.
    """

    def __init__(self, *, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ

    def retrieve(self) -> Credentials | None:
        """Credentials from the environment, or None when none are set."""
        env = os.environ if self._environ is None else self._environ
        pair = _env_pair(
            self,
            env,
            ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"),
            ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"),
        )
        if pair is None:
            return None
        token = env.get("AWS_SESSION_TOKEN") or env.get("AWS_SECURITY_TOKEN")
        expiry = env.get("AWS_CREDENTIAL_EXPIRATION")
        try:
            when = _parse_time(expiry) if expiry else None
        except ValueError:
            raise ConfigError(
                "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time",
                _name(self),
                "environment",
            ) from None
        return Credentials(pair[0], pair[1], token, when)


class EnvMinioProvider(Provider):
    """``MINIO_ROOT_USER``/``MINIO_ROOT_PASSWORD``, else ``MINIO_ACCESS_KEY``/``MINIO_SECRET_KEY``."""

    def __init__(self, *, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ

    def retrieve(self) -> Credentials | None:
        """Credentials from the environment, or None when none are set."""
        env = os.environ if self._environ is None else self._environ
        for user, password in (
            ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"),
            ("MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"),
        ):
            pair = _env_pair(self, env, (user,), (password,))
            if pair is not None:
                return Credentials(*pair)
        self._reason = "MINIO_ROOT_USER and MINIO_ACCESS_KEY are not set"
        return None


# =====================================================================================
# Files
# =====================================================================================

_file_cache: dict[str, tuple[tuple[int, int, int], Any]] = {}


def _read_file(provider: str, path: str, parse: Callable[[str, str], Any]) -> Any:
    """Parse a file, cached until its modification time, size or inode changes.

    Returns None when the file does not exist. Parse errors must not quote the file.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read ({_os_reason(exc)})", provider, path) from None
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    cached = _file_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    if st.st_size > _MAX_FILE:
        raise ConfigError("file larger than 4 MiB", provider, path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(_MAX_FILE + 1)
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"not UTF-8 (line {line})", provider, path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read ({_os_reason(exc)})", provider, path) from None
    value = parse(text, path)
    _file_cache[path] = (stamp, value)
    return value


def _parse_ini(text: str, path: str) -> Ini:
    """Sections of an AWS config or credentials file, read as botocore reads them."""
    import configparser

    parser = configparser.RawConfigParser()  # raw: a % in a secret is literal
    try:
        parser.read_string(text, path)
    except configparser.Error as exc:
        # The exception's text quotes the offending line, which may hold a secret.
        lineno = getattr(exc, "lineno", None)
        if lineno is None and getattr(exc, "errors", None):
            lineno = exc.errors[0][0]  # type: ignore[attr-defined]
        what = type(exc).__name__.replace("Error", "").lower() or "syntax"
        raise ConfigError(
            f"cannot parse ({what} error at line {lineno})", "", path
        ) from None
    return {name: dict(parser.items(name)) for name in parser.sections()}


def _aws_profiles(
    provider: str, credentials_path: str, config_path: str
) -> tuple[Ini, Ini]:
    """(credentials-file profiles, config-file profiles and other sections)."""

    def load(path: str) -> Ini:
        try:
            return _read_file(provider, path, _parse_ini) or {}
        except ConfigError as exc:
            raise ConfigError(
                str(exc.args[0]).lstrip(": "), provider, exc.source
            ) from None

    config: Ini = {}
    for section, values in load(config_path).items():
        words = section.split()
        if section == "default":
            config["default"] = values
        elif len(words) == 2 and words[0] == "profile":
            config[words[1]] = values
        elif len(words) == 2 and words[0] == "sso-session":
            config[f"sso-session {words[1]}"] = values
    return load(credentials_path), config


class AWSConfigProvider(Provider):
    """Credentials from the AWS shared credentials and config files.

    Profile: ``profile``, else ``AWS_PROFILE``, else ``AWS_DEFAULT_PROFILE``, else
    ``default``, looked up at each call. Files are re-read when they change.
    """

    def __init__(
        self,
        filename: str | None = None,
        profile: str | None = None,
        *,
        mfa_prompt: Callable[[str], str] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._filename = filename
        self._profile = profile
        self._mfa_prompt = mfa_prompt
        self._environ = environ

    def _env(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    def _paths(self) -> tuple[str, str]:
        env = self._env()
        credentials = self._filename or env.get("AWS_SHARED_CREDENTIALS_FILE")
        config = env.get("AWS_CONFIG_FILE")
        return (
            os.path.expanduser(credentials or os.path.join("~", ".aws", "credentials")),
            os.path.expanduser(config or os.path.join("~", ".aws", "config")),
        )

    def retrieve(self) -> Credentials | None:
        """Credentials of the selected profile, or None when it is not configured."""
        env = self._env()
        profile = (
            self._profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE")
        )
        explicit = bool(profile)
        profile = profile or "default"
        credentials_path, config_path = self._paths()
        creds_file, config_file = _aws_profiles(
            _name(self), credentials_path, config_path
        )
        if profile not in creds_file and profile not in config_file:
            if explicit:
                raise ConfigError(
                    f"profile {profile!r} not found",
                    _name(self),
                    f"{credentials_path}, {config_path}",
                )
            self._reason = "no default profile"
            return None
        found = _profile_credentials(
            self, profile, creds_file, config_file, config_path
        )
        if found is None:
            self._reason = f"profile {profile!r} has no credentials"
        return found


def _static_keys(
    provider: str, values: dict[str, str], source: str
) -> Credentials | None:
    key = values.get("aws_access_key_id")
    if key is None:
        return None
    secret = values.get("aws_secret_access_key")
    if not key or not secret:
        missing = "aws_secret_access_key" if key else "aws_access_key_id"
        raise ConfigError(f"{missing} is missing or empty", provider, source)
    token = values.get("aws_session_token") or values.get("aws_security_token")
    return Credentials(key, secret, token)


def _profile_credentials(
    provider: AWSConfigProvider,
    profile: str,
    creds_file: Ini,
    config_file: Ini,
    config_path: str,
) -> Credentials | None:
    """Pick the profile's source in botocore's order (SPEC 4)."""
    name = _name(provider)
    from_creds = creds_file.get(profile, {})
    from_config = config_file.get(profile, {})
    merged = {**from_config, **from_creds}
    where = f"profile {profile!r}"
    for key in ("role_arn", "sso_session", "sso_start_url"):
        if key in merged:
            raise ConfigError(f"{key} profiles are not supported yet", name, where)
    found = _static_keys(name, from_creds, f"{provider._paths()[0]}, {where}")
    if found is None and "credential_process" in merged:
        raise ConfigError(
            "credential_process profiles are not supported yet", name, where
        )
    return found or _static_keys(name, from_config, f"{config_path}, {where}")


class MinioClientConfigProvider(Provider):
    """Credentials of an alias in mc's ``config.json`` (versions 9 and 10)."""

    def __init__(
        self,
        filename: str | None = None,
        alias: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._filename = filename
        self._alias = alias
        self._environ = environ

    def retrieve(self) -> Credentials | None:
        """Credentials of the alias, or None when the file or default alias is absent."""
        env = os.environ if self._environ is None else self._environ
        name = _name(self)
        path = self._filename
        if not path and env.get("MC_CONFIG_DIR"):
            path = os.path.join(env["MC_CONFIG_DIR"], "config.json")
        if not path:
            folder = "mc" if sys.platform == "win32" else ".mc"
            path = os.path.join(os.path.expanduser("~"), folder, "config.json")
        alias = self._alias or env.get("MINIO_ALIAS")
        explicit = bool(alias)
        alias = alias or "s3"
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
        where = f"{path}, alias {alias!r}"
        if not isinstance(entry, dict):
            raise ConfigError("the alias is not a JSON object", name, where)
        key, secret = entry.get("accessKey"), entry.get("secretKey")
        if (
            not key
            or not secret
            or not isinstance(key, str)
            or not isinstance(secret, str)
        ):
            missing = "secretKey" if key else "accessKey"
            raise ConfigError(f"{missing} is missing or empty", name, where)
        token = entry.get("sessionToken")
        return Credentials(key, secret, token if isinstance(token, str) else None)


def _parse_json(text: str, path: str) -> dict[str, Any]:
    import json

    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", "?")
        raise ConfigError(f"not valid JSON (line {line})", "", path) from None
    if not isinstance(data, dict):
        raise ConfigError("not a JSON object", "", path)
    return data


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

    def __init__(self, providers: Iterable[Provider], *, strict: bool = False) -> None:
        self._providers = list(providers)
        self._strict = strict
        self.attempts: tuple[tuple[str, str, str, float], ...] = ()

    def retrieve(self) -> Credentials | None:
        """The first provider's credentials, or None when no provider has any."""
        record: list[tuple[str, str, str, float]] = []
        clock = time.perf_counter
        try:
            for provider in self._providers:
                name, start = _name(provider), clock()
                try:
                    found = provider.retrieve()
                except Exception as exc:
                    record.append((name, "error", _describe(exc), clock() - start))
                    if self._strict:
                        raise
                    _logger().warning("%s skipped: %s", name, _describe(exc))
                    continue
                if found is None:
                    why = getattr(provider, "_reason", "")
                    record.append((name, "not configured", why, clock() - start))
                    continue
                record.append((name, "found", "", clock() - start))
                return found
            return None
        finally:
            self.attempts = tuple(record)
