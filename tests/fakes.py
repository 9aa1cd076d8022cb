"""Fakes the tests share: a clock, AWS time stamps, STS answers, common names.

Standard library only and independent of ``minicreds.py``, like tests/support.py.

* :class:`FakeClock`: the ``clock=`` of the caching providers, moved by hand.
* :func:`iso`, :func:`iso_in`: times written as AWS writes them.
* :func:`sts_success_xml`, :func:`sts_error_xml`, :func:`xml_response`: STS answers
  in the shape AWS and MinIO send (``<ActionResponse><ActionResult><Credentials>``).
* :class:`NoNetwork`: refuses, and records, any name lookup or connection.
* Names several modules use: the STS namespace, the example account, role ARNs, the
  SSO start URL, the instance metadata paths.

What a fake service hands out (keys, secrets, tokens, JWTs) stays in each test
module on purpose: every module has secrets of its own, so a leak names the module
whose test let it out.
"""

import socket
import time
from unittest import mock

from tests.support import Response

# --------------------------------------------------------------------------- names

STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
ACCOUNT = "123456789012"  # the account of AWS's examples, and moto's default
SSO_START_URL = "https://d-1234567890.awsapps.com/start"
IMDS_TOKEN_PATH = "/latest/api/token"
IMDS_ROLES_PATH = "/latest/meta-data/iam/security-credentials/"
IMDS_EXTENDED_PATH = "/latest/meta-data/iam/security-credentials-extended/"


def role_arn(name, account=ACCOUNT):
    """The ARN of IAM role ``name``: ``arn:aws:iam::123456789012:role/NAME``."""
    return f"arn:aws:iam::{account}:role/{name}"


# --------------------------------------------------------------------------- time


class FakeClock:
    """A clock the test moves by hand, in POSIX seconds (what ``clock=`` takes).

    It starts at ``now`` (default: the real time, so answers dated by the real clock
    are valid at first) and moves only when the test sets ``now`` or calls
    :meth:`advance`. ``reads`` counts the calls. ``hook = (read number, action)``
    runs ``action`` inside that read, before it returns: a race made to happen on cue.
    """

    def __init__(self, now=None):
        self.now = time.time() if now is None else now
        self.reads = 0
        self.hook = None

    def __call__(self):
        self.reads += 1
        if self.hook is not None and self.hook[0] == self.reads:
            action, self.hook = self.hook[1], None
            action()
        return self.now

    def advance(self, seconds):
        self.now += seconds


def iso(stamp):
    """POSIX seconds as AWS writes a time: ``2030-01-02T03:04:05Z`` (UTC, whole s)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


def iso_in(seconds):
    """The AWS time stamp ``seconds`` from now (negative: in the past)."""
    return iso(time.time() + seconds)


# --------------------------------------------------------------------------- STS


def _xml_declaration(declaration):
    return '<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else ""


def _xmlns(namespace):
    return f' xmlns="{namespace}"' if namespace else ""


def sts_success_xml(
    action,
    access_key,
    secret_key,
    session_token,
    expiration,
    *,
    namespace=STS_NAMESPACE,
    declaration=False,
    credentials=True,
    extra="",
    request_id="req-ok",
):
    """The answer of STS ``action`` (``AssumeRole``, ``AssumeRoleWithWebIdentity``,
    ...) as AWS and MinIO send it: the assumed role, then the credentials.

    A field given as None is left out; ``credentials=False`` leaves out the whole
    ``Credentials`` element, and ``extra`` is XML added at its end. ``namespace``
    None: no namespace; ``declaration``: start with ``<?xml ...?>``.
    """
    fields = (
        ("AccessKeyId", access_key),
        ("SecretAccessKey", secret_key),
        ("SessionToken", session_token),
        ("Expiration", expiration),
    )
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in fields if v is not None)
    found = f"<Credentials>{inner}{extra}</Credentials>" if credentials else ""
    role = f"arn:aws:sts::{ACCOUNT}:assumed-role/fake-role/fake-session"
    return (
        f"{_xml_declaration(declaration)}<{action}Response{_xmlns(namespace)}>"
        f"<{action}Result><AssumedRoleUser><Arn>{role}</Arn></AssumedRoleUser>"
        f"{found}</{action}Result><ResponseMetadata><RequestId>{request_id}"
        f"</RequestId></ResponseMetadata></{action}Response>"
    )


def sts_error_xml(
    code,
    message="",
    *,
    request_id="req-err",
    namespace=STS_NAMESPACE,
    declaration=False,
):
    """An STS error answer as AWS and MinIO send it (MinIO, too, says ``Sender``).
    ``namespace`` None: no namespace; ``declaration``: start with ``<?xml ...?>``."""
    return (
        f"{_xml_declaration(declaration)}<ErrorResponse{_xmlns(namespace)}><Error>"
        f"<Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )


def xml_response(status, text):
    """A scripted answer carrying an XML document (``Content-Type: text/xml``)."""
    return Response(status, text, [("Content-Type", "text/xml")])


# --------------------------------------------------------------------------- network


class NoNetwork:
    """While active, every name lookup or connection attempt is refused with an
    ``OSError`` and recorded in ``calls`` as ``(function name, first argument)``."""

    SOCKET_FUNCTIONS = ("getaddrinfo", "gethostbyname", "create_connection")

    def __enter__(self):
        self.calls = []
        self._patches = [
            mock.patch.object(socket, name, self._refuse(name))
            for name in self.SOCKET_FUNCTIONS
        ]
        self._patches.append(
            mock.patch.object(socket.socket, "connect", self._refuse("connect"))
        )
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc):
        for patch in self._patches:
            patch.stop()

    def _refuse(self, name):
        def refused(*args, **kwargs):
            self.calls.append((name, args[:1]))
            raise OSError("network use refused by the test")

        return refused
