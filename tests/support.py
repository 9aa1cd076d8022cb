"""Shared test infrastructure for minicreds (standard library only, Python 3.8-3.13).

Independent of ``minicreds.py``. Everything listens on 127.0.0.1 only.

* :class:`FakeServer`: scripted HTTP/1.1 (or HTTPS) server with faults (:func:`hang`,
  :func:`reset`, :func:`truncated`, :func:`gzipped`, :func:`redirect`, :func:`oversized`,
  :func:`non_utf8`, :func:`html_error`, ``delay=``) and recorded :class:`Request` objects.
* :func:`certs` / :func:`make_certs`: a test PKI made with the ``openssl`` command, good for
  Python 3.13's strict verification; :func:`client_context` builds a client ``SSLContext``.
* :func:`blackhole` / :func:`full_backlog`: endpoints that never answer / never accept;
  :func:`fifo`: a named pipe that blocks a reader opening it.
* :func:`dial_only`: a fixed service address (``[fd00:ec2::254]:80``) dialled to a
  loopback fake instead.
* :class:`SecretWatch`, :func:`exception_texts`: check that no secret leaks into logs or errors.
* :func:`env`, :func:`clean_environ`, :func:`minimal_environ`, :func:`temp_home`,
  :func:`free_port`; :func:`command_line` quotes a command line for this system; ``REPO``,
  the repository's folder.

Fakes of what services answer (a clock, STS documents, time stamps) are in
tests/fakes.py; a SigV4 reference signer in tests/sigv4_reference.py.
"""

import atexit
import calendar
import contextlib
import gzip
import hashlib
import hmac
import http.server
import json
import logging
import os
import posixpath
import shlex
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
import traceback
import urllib.parse
from unittest import mock

HOST = "127.0.0.1"
MiB = 1024 * 1024
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- responses


class Response:
    """A scripted answer.

    ``body``: bytes, str (UTF-8) or a dict/list (sent as JSON with ``application/json``).
    ``headers``: mapping or (name, value) pairs; ``Content-Length`` is added unless given
    (a given one is sent as is, so it may lie). ``delay``: seconds to wait before answering
    (interrupted by ``stop()``). ``close``: close the connection after answering.
    ``fault``: None, ``"hang"``, ``"reset_before"``, ``"reset_after_headers"``,
    ``"reset_mid_body"``, ``"truncate"`` (Content-Length ``missing`` bytes too large, then
    close) or ``"no_length"`` (no Content-Length, body delimited by closing). Prefer the
    factory functions below.
    """

    def __init__(
        self,
        status=200,
        body=b"",
        headers=None,
        *,
        delay=0.0,
        fault=None,
        close=False,
        missing=0,
    ):
        headers = list(headers.items() if hasattr(headers, "items") else headers or ())
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            if not any(k.lower() == "content-type" for k, _ in headers):
                headers.append(("Content-Type", "application/json"))
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.status, self.body, self.headers = int(status), bytes(body), headers
        self.delay, self.fault, self.close, self.missing = delay, fault, close, missing

    def __repr__(self):
        return "Response(%d, %d bytes, fault=%r)" % (
            self.status,
            len(self.body),
            self.fault,
        )


def as_response(spec):
    """Normalise ``Response`` | int status | tuple ``(status, body[, headers])`` | None (404)."""
    if isinstance(spec, Response):
        return spec
    if spec is None:
        return Response(404, "not found")
    if isinstance(spec, int):
        return Response(spec)
    if isinstance(spec, tuple):
        return Response(*spec)
    raise TypeError("not a response: %r" % (spec,))


def hang(**kw):
    """Read the request, never answer (until the server stops)."""
    return Response(fault="hang", **kw)


def reset(when="before", status=200, body=b"x" * 4096, headers=None, **kw):
    """Close abruptly with RST: ``when`` is ``"before"`` (no byte of answer),
    ``"after_headers"`` or ``"mid_body"`` (half the body sent)."""
    if when not in ("before", "after_headers", "mid_body"):
        raise ValueError(when)
    return Response(status, body, headers, fault="reset_" + when, **kw)


def truncated(
    status=200, body=b'{"AccessKeyId": "AKIA', headers=None, missing=100, **kw
):
    """Announce ``len(body) + missing`` bytes, send ``body``, close the connection."""
    return Response(status, body, headers, fault="truncate", missing=missing, **kw)


def gzipped(status=200, body=b"", headers=None, **kw):
    """Body gzip-compressed with ``Content-Encoding: gzip`` whatever the request asked."""
    r = Response(status, body, headers, **kw)
    r.body = gzip.compress(r.body)
    r.headers.append(("Content-Encoding", "gzip"))
    return r


def redirect(location="http://localhost:{port}/redirected", status=302, **kw):
    """A 3xx to another host name. ``{port}`` in ``location`` becomes this server's port;
    the default points back at this server as ``localhost``, so a client that follows it
    shows up in ``server.requests`` with path ``/redirected``."""
    return Response(status, b"", [("Location", location)], **kw)


def oversized(size=2 * MiB, status=200, content_length=True, **kw):
    """A ``size``-byte body; without Content-Length (close-delimited) if ``content_length``
    is false, so only a reader that caps what it reads is protected."""
    return Response(
        status, b"A" * size, None, fault=None if content_length else "no_length", **kw
    )


NON_UTF8 = b"<Error>\xff\xfe\xc3\x28 caf\xe9 \x80\x81</Error>"


def non_utf8(status=200, content_type="text/xml", **kw):
    """A body that is not valid UTF-8 (nor JSON/XML a strict parser accepts)."""
    return Response(status, NON_UTF8, [("Content-Type", content_type)], **kw)


def html_error(status=502, **kw):
    """An HTML error page, as a proxy or load balancer sends it."""
    page = (
        "<html><head><title>%d Bad Gateway</title></head><body><center><h1>%d Bad "
        "Gateway</h1></center><hr><center>nginx</center></body></html>\n"
        % (status, status)
    )
    return Response(status, page, [("Content-Type", "text/html")], **kw)


# --------------------------------------------------------------------------- server


class Request:
    """A recorded request. ``headers`` is an ``http.client.HTTPMessage`` (case-insensitive
    ``[]``/``get``/``get_all``/``items``); ``path`` includes the query."""

    def __init__(
        self, method, path, headers, body, version, client_address, tls, peer_cert
    ):
        self.method, self.path, self.headers, self.body = method, path, headers, body
        self.version, self.client_address, self.tls = version, client_address, tls
        self.client_cert = (
            peer_cert or None
        )  # dict from SSLSocket.getpeercert(), or None
        self.client_subject = _subject(
            peer_cert
        )  # e.g. "commonName=minicreds test client"

    @property
    def path_only(self):
        """The path without the query."""
        return self.path.split("?", 1)[0]

    @property
    def query(self):
        """The query parsed: name -> list of values (blank values kept)."""
        return urllib.parse.parse_qs(
            urllib.parse.urlsplit(self.path).query, keep_blank_values=True
        )

    @property
    def form(self):
        """The body parsed as application/x-www-form-urlencoded: name -> list of values."""
        return urllib.parse.parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "<Request %s %s %d bytes>" % (self.method, self.path, len(self.body))


def _subject(cert):
    if not cert:
        return None
    return ",".join("%s=%s" % kv for rdn in cert.get("subject", ()) for kv in rdn)


class _Route:
    def __init__(self, method, path, match, responses):
        self.method, self.path, self.match = method, path, match
        self.queue = list(responses)

    def matches(self, req):
        return (
            (self.method == "*" or self.method == req.method)
            and (self.path in (None, "*") or self.path == req.path_only)
            and (self.match is None or self.match(req))
        )

    def next(self):
        return self.queue.pop(0) if len(self.queue) > 1 else self.queue[0]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = (
        10  # socket timeout while reading a request: no handler thread lives forever
    )
    _dead = False

    def log_message(self, *args):  # silence the default stderr log
        pass

    def setup(self):
        fake = self.server.fake
        fake._track(self.request, True)
        self.request.settimeout(self.timeout)
        if fake.ssl_context is not None:
            raw = self.request
            try:
                self.request = fake.ssl_context.wrap_socket(raw, server_side=True)
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                fake.tls_errors.append(exc)
                fake._track(raw, False)
                raw.close()
                self._dead = True
                return
            fake._track(raw, False)
            fake._track(self.request, True)
        super().setup()

    def handle(self):
        if self._dead:
            return
        try:
            super().handle()
        except OSError:
            pass

    def finish(self):
        if self._dead:
            return
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.fake._track(self.request, False)
            if self.server.fake.ssl_context is not None:
                self.request.close()

    def handle_one_request(self):
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (OSError, ValueError):
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        fake = self.server.fake
        peer = None
        if isinstance(self.connection, ssl.SSLSocket):
            peer = self.connection.getpeercert()
        req = Request(
            self.command,
            self.path,
            self.headers,
            self._read_body(),
            self.request_version,
            self.client_address,
            fake.tls,
            peer,
        )
        fake._record(req)
        try:
            spec = fake._pick(req)
            if callable(spec) and not isinstance(spec, Response):
                spec = spec(req)
            resp = as_response(spec)
        except (
            Exception
        ) as exc:  # a bug in a test handler: answer 500, keep it for the test
            fake.errors.append(exc)
            resp = Response(500, "handler error: %r" % (exc,))
        self._answer(resp)

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _rst(self):
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        self.connection.close()

    def _answer(self, resp):
        stopping = self.server.fake._stopping
        if resp.delay and stopping.wait(resp.delay):
            self.close_connection = True
            return
        fault = resp.fault
        if fault == "hang":
            stopping.wait()
            self.close_connection = True
            return
        if fault == "reset_before":
            return self._rst()
        headers = [
            (k, str(v).replace("{port}", str(self.server.fake.port)))
            for k, v in resp.headers
        ]
        if (
            not any(k.lower() == "content-length" for k, _ in headers)
            and fault != "no_length"
        ):
            headers.append(("Content-Length", str(len(resp.body) + resp.missing)))
        if resp.close or fault in ("no_length", "truncate") or self.close_connection:
            headers.append(("Connection", "close"))
            self.close_connection = True
        reason = self.responses.get(resp.status, ("Unknown",))[0]
        head = "HTTP/1.1 %d %s\r\n" % (resp.status, reason)
        head += "".join("%s: %s\r\n" % kv for kv in headers) + "\r\n"
        body = b"" if self.command == "HEAD" else resp.body
        if fault in ("reset_after_headers", "reset_mid_body"):
            part = body[: len(body) // 2] if fault == "reset_mid_body" else b""
            self.wfile.write(head.encode("latin-1") + part)
            stopping.wait(
                0.05
            )  # let the client read what was sent before the RST lands
            return self._rst()
        self.wfile.write(head.encode("latin-1") + body)


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def server_bind(self):  # skip HTTPServer's getfqdn() (a reverse lookup)
        import socketserver

        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(
        self, request, client_address
    ):  # keep it quiet, keep it for the test
        import sys

        self.fake.errors.append(sys.exc_info()[1])


class FakeServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 (free port) answering scripted responses.

    ``route(method, path, *responses, match=None)`` queues responses for requests whose
    method (``"*"``: any) and path without query (``None``/``"*"``: any) match, and for
    which ``match(request)`` is true if given. They are used in order, the last one
    repeated. A response is a :class:`Response`, a status int, a tuple
    ``(status, body[, headers])``, or a callable ``handler(request) -> response``. The route
    registered last wins; no match gives ``default`` (404). Every request is recorded in
    ``requests`` before it is answered. With ``tls=True`` it serves HTTPS with the test
    server certificate (``cert=(certfile, keyfile)`` to change it), asks for a client
    certificate signed by the test CA (required if ``require_client_cert``) and records it.
    TLS handshake failures go to ``tls_errors``; exceptions in handlers to ``errors``.

    Use as a context manager or with ``start()``/``stop()``; ``stop()`` ends hangs and delays,
    closes every connection and the listening socket, and never blocks.
    """

    def __init__(self, *, tls=False, require_client_cert=False, cert=None, ca=None):
        self.tls = tls
        self.requests, self.errors, self.tls_errors = [], [], []
        self.default = Response(404, "not found", [("Content-Type", "text/plain")])
        self._routes, self._lock, self._conns = [], threading.Lock(), set()
        self._stopping = threading.Event()
        self._httpd = self._thread = None
        self.ssl_context = None
        if tls:
            c = certs()
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*(cert or (c["server_cert"], c["server_key"])))
            ctx.load_verify_locations(ca or c["ca"])
            ctx.verify_mode = (
                ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL
            )
            self.ssl_context = ctx
        self.port = None
        self.url = None

    def route(self, method, path, *responses, match=None):
        """Queue ``responses`` for ``method`` + ``path``; returns self."""
        if not responses:
            raise ValueError("route() needs at least one response")
        with self._lock:
            self._routes.insert(0, _Route(method.upper(), path, match, responses))
        return self

    def reset_routes(self):
        """Forget routes and recorded requests."""
        with self._lock:
            del self._routes[:], self.requests[:]

    def _pick(self, req):
        with self._lock:
            for r in self._routes:
                if r.matches(req):
                    return r.next()
        return self.default

    def _record(self, req):
        with self._lock:
            self.requests.append(req)

    def _track(self, sock, add):
        with self._lock:
            (self._conns.add if add else self._conns.discard)(sock)

    def wait_for_requests(self, n=1, timeout=5.0):
        """Wait until at least ``n`` requests are recorded; returns whether they were."""
        end = time.monotonic() + timeout
        while len(self.requests) < n and time.monotonic() < end:
            time.sleep(0.005)
        return len(self.requests) >= n

    def start(self):
        self._httpd = _HTTPServer((HOST, 0), _Handler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self.url = "%s://%s:%d" % ("https" if self.tls else "http", HOST, self.port)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is None:
            return
        self._stopping.set()
        try:
            self._httpd.shutdown()
        finally:
            self._httpd.server_close()
            with self._lock:
                conns = list(self._conns)
            for s in conns:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            self._thread.join(5)
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------------------- TLS

_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[lenient_ca]
basicConstraints = CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
[wronghost]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong-host.invalid
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
"""


def make_certs(directory, ca_section="ca"):
    """Create a test PKI in ``directory`` with the ``openssl`` command (P-256 keys).

    Returns paths: ``ca``, ``ca_key``, ``server_cert``/``server_key`` (SAN IP:127.0.0.1,
    DNS:localhost), ``wrong_host_cert``/``wrong_host_key`` (SAN DNS:wrong-host.invalid only),
    ``client_cert``/``client_key``/``client_pem`` (cert + key in one file; subject
    ``CN=minicreds test client``), ``other_ca`` and ``other_client_cert``/``other_client_key``
    (a client certificate from an unrelated CA). Valid for Python 3.13's VERIFY_X509_STRICT,
    unless ``ca_section="lenient_ca"``: then the CA's basicConstraints is not critical,
    as in many self-made CAs, which strict verification refuses.
    """
    import random

    d = lambda name: os.path.join(directory, name)
    with open(d("openssl.cnf"), "w") as f:
        f.write(_CNF)

    def run(*args):
        subprocess.run(
            ("openssl",) + args,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=dict(os.environ, OPENSSL_CONF=d("openssl.cnf")),
        )

    newkey = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")

    def ca(name, cn):
        run(
            "req",
            "-x509",
            "-config",
            d("openssl.cnf"),
            "-extensions",
            ca_section,
            *newkey,
            "-keyout",
            d(name + ".key"),
            "-out",
            d(name + ".pem"),
            "-days",
            "3650",
            "-subj",
            "/CN=" + cn,
        )

    def leaf(name, cn, section, issuer):
        run(
            "req",
            "-new",
            "-config",
            d("openssl.cnf"),
            *newkey,
            "-keyout",
            d(name + ".key"),
            "-out",
            d(name + ".csr"),
            "-subj",
            "/CN=" + cn,
        )
        run(
            "x509",
            "-req",
            "-in",
            d(name + ".csr"),
            "-CA",
            d(issuer + ".pem"),
            "-CAkey",
            d(issuer + ".key"),
            "-set_serial",
            str(random.getrandbits(62) | 1 << 62),
            "-days",
            "3650",
            "-extfile",
            d("openssl.cnf"),
            "-extensions",
            section,
            "-out",
            d(name + ".pem"),
        )

    ca("ca", "minicreds test CA")
    ca("other_ca", "unrelated test CA")
    leaf("server", "localhost", "server", "ca")
    leaf("wrong_host", "wrong-host.invalid", "wronghost", "ca")
    leaf("client", "minicreds test client", "client", "ca")
    leaf("other_client", "unrelated test client", "client", "other_ca")
    with open(d("client_pem.pem"), "w") as out:
        for part in ("client.pem", "client.key"):
            with open(d(part)) as f:
                out.write(f.read())
    paths = {
        "ca": d("ca.pem"),
        "ca_key": d("ca.key"),
        "other_ca": d("other_ca.pem"),
        "client_pem": d("client_pem.pem"),
    }
    for name in ("server", "wrong_host", "client", "other_client"):
        paths[name + "_cert"], paths[name + "_key"] = d(name + ".pem"), d(name + ".key")
    return paths


_certs = None
_certs_lock = threading.Lock()


def certs():
    """:func:`make_certs` once per process, in a temp dir removed at exit."""
    global _certs
    with _certs_lock:
        if _certs is None:
            directory = tempfile.mkdtemp(prefix="minicreds-certs-")
            atexit.register(shutil.rmtree, directory, True)
            _certs = make_certs(directory)
        return dict(_certs)


def client_context(client_cert=False, *, strict=True):
    """A client ``SSLContext`` trusting the test CA (hostname checked), with the test client
    certificate if ``client_cert`` (or ``"other"`` for the unrelated CA's one), and
    VERIFY_X509_STRICT on every Python version if ``strict`` (as 3.13 does by default)."""
    c = certs()
    ctx = ssl.create_default_context(cafile=c["ca"])
    if strict:
        ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    if client_cert:
        prefix = "other_client" if client_cert == "other" else "client"
        ctx.load_cert_chain(c[prefix + "_cert"], c[prefix + "_key"])
    return ctx


# --------------------------------------------------------------------------- dead ends


class Address(tuple):
    """``(host, port)`` with a ``url`` attribute (``http://host:port``)."""

    def __new__(cls, host, port):
        return tuple.__new__(cls, (host, port))

    host = property(lambda self: self[0])
    port = property(lambda self: self[1])
    url = property(lambda self: "http://%s:%d" % self)


@contextlib.contextmanager
def blackhole():
    """A listening socket that is never accepted from: connect() succeeds (the kernel
    completes the handshake), nothing is ever read or answered, so reads time out.
    Yields an :class:`Address`."""
    s = socket.socket()
    try:
        s.bind((HOST, 0))
        s.listen(64)
        yield Address(*s.getsockname()[:2])
    finally:
        s.close()


@contextlib.contextmanager
def dial_only(address, to):
    """While active, ``socket.create_connection`` (which http.client dials with)
    connects to the loopback address ``to`` when asked for ``address`` (a (host,
    port) pair such as ``("fd00:ec2::254", 80)``), and refuses any other address.
    Tests reach a service's fixed address and port this way without leaving
    loopback. Yields the list of (host, port) pairs dialled."""
    real = socket.create_connection
    dialled = []

    def dial(where, *args, **kwargs):
        dialled.append(tuple(where[:2]))
        if tuple(where[:2]) != tuple(address):
            raise ConnectionRefusedError(111, "refused by the test")
        return real(tuple(to), *args, **kwargs)

    with mock.patch.object(socket, "create_connection", dial):
        yield dialled


@contextlib.contextmanager
def full_backlog(fill_timeout=0.1):
    """A listening socket (backlog 0) never accepted from, whose queue is pre-filled so a
    further connect() gets no answer to its SYN and times out (Linux: SYNs to a listener
    whose accept queue is full are dropped). Yields an :class:`Address`.

    Raises ``RuntimeError`` if the queue could not be filled (not the Linux behaviour)."""
    s = socket.socket()
    fillers = []
    try:
        s.bind((HOST, 0))
        s.listen(0)
        addr = Address(*s.getsockname()[:2])
        for _ in range(16):
            c = socket.socket()
            fillers.append(c)
            c.settimeout(fill_timeout)
            try:
                c.connect(addr)
            except socket.timeout:
                break
        else:
            raise RuntimeError("could not fill the accept queue of a listening socket")
        yield addr
    finally:
        for c in fillers:
            c.close()
        s.close()


@contextlib.contextmanager
def fifo(path, text, hang_guard=10.0):
    """A FIFO (named pipe) made at ``path``, for a reader that must refuse it at once.

    Opening a FIFO to read blocks until a writer comes. A guard thread is that writer:
    should a reader still be waiting after ``hang_guard`` seconds, it is handed
    ``text`` (str), so the test fails on what it then reads instead of hanging. The
    guard says nothing about speed. Yields an object whose ``fired`` tells whether the
    guard had to write. Raises ``unittest.SkipTest`` where there are no FIFOs
    (Windows)."""
    import types
    import unittest

    if not hasattr(os, "mkfifo"):
        raise unittest.SkipTest("no FIFOs here")
    os.mkfifo(path, 0o600)
    done, state = threading.Event(), types.SimpleNamespace(fired=False)

    def guard():
        if done.wait(hang_guard):
            return
        with contextlib.suppress(OSError):  # ENXIO: nobody is reading
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            state.fired = True
            os.write(fd, text.encode())
            os.close(fd)

    thread = threading.Thread(target=guard, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        done.set()
        thread.join()


# ------------------------------------------------------------- presigned requests


def _sigv4_key(secret_key, date, region, service):
    key = ("AWS4" + secret_key).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def presigned_problem(method, target, headers, body, keys, now):
    """Why a server would refuse a SigV4 query-signed (presigned) request, or None.

    Written from AWS's description of query-string authentication, independently of
    ``minicreds.py``. ``target``: the request target as received (path and query);
    ``headers``: the received headers (``get_all``/``get`` as an ``HTTPMessage``);
    ``keys``: access key -> (secret key, session token or None); ``now``: the server's
    clock in POSIX seconds. S3 signs the path as received and ``UNSIGNED-PAYLOAD``
    (or the ``X-Amz-Content-Sha256`` header sent); other services sign the path
    normalised and encoded again, and the body's SHA-256.
    """
    path, _, query = target.partition("?")
    fields = [
        tuple(urllib.parse.unquote(x) for x in piece.partition("=")[::2])
        for piece in query.split("&")
        if piece
    ]
    given = dict(fields)
    names = [name for name, _ in fields if name.startswith("X-Amz-")]
    need = ("Algorithm", "Credential", "Date", "Expires", "SignedHeaders", "Signature")
    missing = [n for n in need if "X-Amz-" + n not in given]
    if missing or len(names) != len(set(names)):
        return "missing or repeated X-Amz-* parameters: %s" % (missing or names)
    if given["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
        return "bad algorithm"
    access_key, date, region, service, end = (
        given["X-Amz-Credential"].split("/") + [""]
    )[:5]
    amz_date, expires = given["X-Amz-Date"], given["X-Amz-Expires"]
    if access_key not in keys or end != "aws4_request" or amz_date[:8] != date:
        return "bad credential scope"
    secret, token = keys[access_key]
    if given.get("X-Amz-Security-Token") != token:
        return "bad or missing session token"
    signed = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    if not expires.isdigit() or not 1 <= int(expires) <= 604800:
        return "bad X-Amz-Expires"
    if now < signed - 300:
        return "signed in the future"
    if now > signed + int(expires):
        return "expired"
    canonical_headers = ""
    for name in given["X-Amz-SignedHeaders"].split(";"):
        values = headers.get_all(name)
        if not values:
            return "signed header %r not sent" % name
        canonical_headers += "%s:%s\n" % (
            name,
            ",".join(" ".join(v.split()) for v in values),
        )
    if service == "s3":
        canonical_path = path
        payload = headers.get("X-Amz-Content-Sha256") or "UNSIGNED-PAYLOAD"
    else:
        # The path as received, normalised, then encoded again (so %20 is %2520).
        normal = posixpath.normpath("/" + path.lstrip("/"))
        if path.endswith("/") and normal != "/":
            normal += "/"
        canonical_path = urllib.parse.quote(normal, safe="/~")
        payload = hashlib.sha256(body).hexdigest()
    canonical_query = "&".join(
        "%s=%s" % pair
        for pair in sorted(
            tuple(urllib.parse.quote(x, safe="-_.~") for x in field)
            for field in fields
            if field[0] != "X-Amz-Signature"
        )
    )
    canonical_request = "\n".join(
        (method, canonical_path, canonical_query, canonical_headers,
         given["X-Amz-SignedHeaders"], payload)
    )  # fmt: skip
    scope = f"{date}/{region}/{service}/aws4_request"
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    string_to_sign = "AWS4-HMAC-SHA256\n%s\n%s\n%s" % (amz_date, scope, digest)
    key = _sigv4_key(secret, date, region, service)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given["X-Amz-Signature"]):
        return "signature does not match"
    return None


# --------------------------------------------------------------------------- secrets


def exception_texts(exc):
    """Every text an exception shows: ``str``/``repr``/``args``/attributes of it and of each
    exception in its ``__cause__``/``__context__`` chain, plus the full formatted traceback."""
    texts, seen, todo = [], set(), [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        texts += [str(e), repr(e), repr(e.args), repr(getattr(e, "__dict__", {}))]
        todo += [e.__cause__, e.__context__]
    texts.append("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return texts


class _Capture(logging.Handler):
    def __init__(self, watch):
        super().__init__(logging.DEBUG)
        self.watch = watch

    def emit(self, record):
        self.watch._emit(record)


class SecretWatch:
    """Capture every log record (DEBUG and up, every logger) while active.

    On entry: ``logging.disable`` is lifted, disabled loggers are enabled, the root logger,
    the ``minicreds`` logger and every existing logger with a level are set to DEBUG, and a
    capturing handler is put on the root logger and on every logger that does not propagate
    (``minicreds`` included).
    All is restored on exit. ``records`` holds ``(logger name, level name, text)``, where
    text is the message with its args, plus any exception and stack text.
    """

    def __init__(self):
        self.records = []
        self._seen, self._ids = [], set()  # records kept alive so their ids stay unique

    def __enter__(self):
        mgr = logging.Logger.manager
        self._disable = mgr.disable
        logging.disable(logging.NOTSET)
        logging.getLogger("minicreds")
        self._handler = _Capture(self)
        loggers = [logging.getLogger()] + [
            lg for lg in list(mgr.loggerDict.values()) if isinstance(lg, logging.Logger)
        ]
        self._saved = [(lg, lg.level, lg.disabled) for lg in loggers]
        self._attached = []
        for lg in loggers:
            lg.disabled = False
            if (
                lg.level != logging.NOTSET
                or lg is logging.root
                or lg.name == "minicreds"
            ):
                lg.setLevel(logging.DEBUG)
            if lg is logging.root or not lg.propagate or lg.name == "minicreds":
                lg.addHandler(self._handler)
                self._attached.append(lg)
        return self

    def __exit__(self, *exc):
        for lg in self._attached:
            lg.removeHandler(self._handler)
        for lg, level, disabled in self._saved:
            lg.setLevel(level)
            lg.disabled = disabled
        logging.disable(self._disable)

    def _emit(self, record):
        if id(record) in self._ids:  # reached us through two loggers
            return
        self._ids.add(id(record))
        self._seen.append(record)
        try:
            text = record.getMessage()
        except Exception:
            text = "%r %% %r" % (record.msg, record.args)
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + record.stack_info
        self.records.append((record.name, record.levelname, text))

    @property
    def texts(self):
        return [t for _, _, t in self.records]

    def assert_clean(self, testcase, *secrets, extra_texts=()):
        """Fail ``testcase`` if a secret (raw, or percent-encoded as in a URL) appears in a
        captured record or in ``extra_texts`` (strings, or exceptions, expanded with
        :func:`exception_texts`). Empty/None secrets are ignored."""
        texts = [("log %s %s" % (n, lv), t) for n, lv, t in self.records]
        for item in extra_texts:
            if isinstance(item, BaseException):
                texts += [
                    ("exception %r" % type(item).__name__, t)
                    for t in exception_texts(item)
                ]
            else:
                texts.append(("text", item if isinstance(item, str) else repr(item)))
        for secret in secrets:
            if not secret:
                continue
            if isinstance(secret, bytes):
                secret = secret.decode("latin-1")
            forms = {
                secret,
                urllib.parse.quote(secret, safe=""),
                urllib.parse.quote_plus(secret, safe=""),
            }
            for where, text in texts:
                for form in forms:
                    if form in text:
                        testcase.fail(
                            "secret %r leaked in %s: %r" % (secret, where, text)
                        )


# --------------------------------------------------------------------------- environment

_CLEARED_PREFIXES = ("AWS_", "MINIO_", "MC_")
_CLEARED_NAMES = (
    "HOME",
    "USERPROFILE",
    "HOMEDRIVE",
    "HOMEPATH",
    "XDG_CONFIG_HOME",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
)


def clean_environ(**variables):
    """A copy of ``os.environ`` without ``AWS_*``, ``MINIO_*``, ``MC_*``, home and proxy
    variables (any case), plus ``variables`` (a value of None leaves the name out).
    PATH, SYSTEMROOT, PYENV_* and the rest are kept so subprocesses still run. A HOME
    given is also USERPROFILE unless that is given: Windows finds ``~`` there."""
    out = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(_CLEARED_PREFIXES)
        and k.upper() not in _CLEARED_NAMES
    }
    if variables.get("HOME") is not None:
        variables.setdefault("USERPROFILE", variables["HOME"])
    out.update((k, str(v)) for k, v in variables.items() if v is not None)
    return out


def minimal_environ(home, **variables):
    """An environment with little more than ``variables``: PATH, HOME and USERPROFILE
    (``home``: Windows finds ``~`` in USERPROFILE), and SYSTEMROOT where it is set
    (Windows cannot start a Python without it)."""
    out = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": home,
        "USERPROFILE": home,
    }
    if "SYSTEMROOT" in os.environ:
        out["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
    out.update(variables)
    return out


def command_line(*argv):
    """A command line that runs ``argv`` here: quoted by the rules CreateProcess splits
    with on Windows (``subprocess.list2cmdline``), as a POSIX shell line elsewhere."""
    if os.name == "nt":
        return subprocess.list2cmdline(argv)
    return shlex.join(argv)


@contextlib.contextmanager
def temp_home():
    """A fresh empty directory to serve as HOME; removed afterwards. Yields its path."""
    home = tempfile.mkdtemp(prefix="minicreds-home-")
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def env(**variables):
    """Set ``os.environ`` to :func:`clean_environ` ``(**variables)``, with HOME (and
    USERPROFILE) pointing at a fresh temp dir unless HOME is given; restore everything
    afterwards. Yields the HOME path."""
    saved = dict(os.environ)
    with contextlib.ExitStack() as stack:
        if "HOME" not in variables:
            home = stack.enter_context(temp_home())
            variables.update(HOME=home, USERPROFILE=home)
        new = clean_environ(**variables)
        try:
            os.environ.clear()
            os.environ.update(new)
            yield variables["HOME"]
        finally:
            os.environ.clear()
            os.environ.update(saved)
