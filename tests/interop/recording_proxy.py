"""A recording pass-through proxy on 127.0.0.1, to see on the wire what reaches a peer.

``RecordingProxy(target_url)`` is a :class:`tests.support.FakeServer` whose one route
forwards every request to ``target_url`` (a loopback URL such as a moto server's) with
the same method, path, query, headers (``Host`` included, so a SigV4 signature made for
the proxy's address still verifies at the target) and body, and answers with the target's
status, headers and body. Each request is recorded in ``requests`` as FakeServer records
it; each answer's status in ``statuses``.
"""

import http.client
import urllib.parse

from tests.support import FakeServer, Response

_HOP_BY_HOP = frozenset(
    (
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "content-length",
    )
)


class RecordingProxy(FakeServer):
    def __init__(self, target_url, timeout=15.0):
        super().__init__()
        target = urllib.parse.urlsplit(target_url)
        if target.hostname != "127.0.0.1" or target.scheme != "http":
            raise ValueError("the proxy only forwards to http://127.0.0.1")
        self.target = (target.hostname, target.port)
        self.timeout = timeout
        self.statuses = []
        self.route("*", None, self._forward)

    def _forward(self, req):
        conn = http.client.HTTPConnection(*self.target, timeout=self.timeout)
        try:
            conn.putrequest(
                req.method, req.path, skip_host=True, skip_accept_encoding=True
            )
            for name, value in req.headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(req.body)))
            conn.endheaders(req.body)
            answer = conn.getresponse()
            body = answer.read()
            headers = [
                (k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP
            ]
        finally:
            conn.close()
        self.statuses.append(answer.status)
        return Response(answer.status, body, headers)
