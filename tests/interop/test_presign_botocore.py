"""presign_url and eks_token next to botocore's and the AWS CLI's, byte for byte.

A seeded generator (``SEED``, or ``MINICREDS_SIGV4_SEED`` from the environment) makes a
few hundred requests from the same pieces as test_sigv4_botocore.py. Each is presigned
by ``presign_url`` and by botocore's ``SigV4QueryAuth`` (``S3SigV4QueryAuth`` for s3)
at the same instant; the two URLs must have the same query, signature included, and
the verifier a loopback server runs (``support.presigned_problem``) must accept ours.

Inputs where the two legitimately differ, and which are therefore not generated:

- Repeated query keys: botocore keeps the first value only (it parses the query into a
  dict); minicreds keeps every value, as SigV4 signs them all.
- An s3 path with raw characters: botocore takes it verbatim (its serializer has
  encoded it), minicreds encodes raw characters once, as ``sign_request`` does. Both
  keep the path as given in the URL, so minicreds gets the raw form and botocore the
  encoded one, and only the queries are compared; likewise an empty s3 path, which
  botocore signs empty and minicreds as ``/``.
- A repeated header whose values have spaces at their ends: botocore trims each value,
  then joins them with ``,``; minicreds joins them, then trims (both are what a
  server does with the one joined header that ``sign_request`` returns).
- Headers botocore never signs (User-Agent, Expect, X-Amzn-Trace-Id...), and a
  ``Content-Type`` of exactly the form type, which botocore's presigner drops.
- ``X-Amz-Content-Sha256`` given for another service than s3: botocore signs it as
  the payload hash whatever the service.
"""

import contextlib
import datetime
import http.client
import io
import os
import random
import string
import unittest
import urllib.parse
from unittest import mock

try:
    import botocore.auth
    import botocore.session
    from botocore.auth import S3SigV4QueryAuth, SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials
except ImportError:  # pragma: no cover - depends on the machine
    botocore = None

try:
    from awscli.customizations.eks import get_token
except ImportError:  # pragma: no cover - depends on the machine
    get_token = None

import minicreds
from tests import support
from tests.interop.sigv4_cases import (
    B64,
    ENDPOINTS,
    HEADER_NAMES,
    REGIONS,
    SERVICES,
    header_value,
    make_path,
    make_query,
    mixed_case,
)

SEED = int(os.environ.get("MINICREDS_SIGV4_SEED", "20150830"))
COUNT = 400


def unique_query(rng):
    """A query as sent, without repeated keys (the first of each is kept)."""
    query = make_query(rng)
    if not query:
        return query
    seen, kept = set(), []
    for piece in query.split("&"):
        key = piece.partition("=")[0]
        if key not in seen:
            seen.add(key)
            kept.append(piece)
    return "&".join(kept)


def make_headers(rng):
    """(name, value) pairs to sign; a repeated name's values have no outer spaces."""
    pairs = []
    for _ in range(rng.randint(0, 3)):
        name = rng.choice(HEADER_NAMES)
        pairs.append((mixed_case(rng, name), header_value(rng)))
    if pairs and rng.random() < 0.3:
        pairs.append((mixed_case(rng, pairs[0][0]), header_value(rng)))
    if rng.random() < 0.1:
        pairs.append(("Host", "virtual.example"))
    names = [name.lower() for name, _ in pairs]
    pairs = [  # the values of a repeated name, without outer spaces
        (name, value.strip() or "v") if names.count(name.lower()) > 1 else (name, value)
        for name, value in pairs
    ]
    if len(names) == len(set(names)) and rng.random() < 0.5:
        return dict(pairs)
    return pairs


def make_case(rng):
    service = rng.choice(SERVICES)
    scheme, host, port = rng.choice(ENDPOINTS)
    netloc = host if port is None else f"{host}:{port}"
    default = {"http": 80, "https": 443}[scheme]
    host_header = host if port in (None, default) else netloc
    signed_path, wire_path = make_path(rng, service)
    query = unique_query(rng)
    suffix = "" if query is None else "?" + query
    when = rng.randint(946684800, 1893456000)  # 2000 .. 2030
    token = None
    if rng.random() < 0.4:
        token = "".join(rng.choice(B64) for _ in range(rng.randint(16, 300))) + "=="
    return {
        "method": rng.choice(("GET", "PUT", "HEAD", "DELETE")),
        "url": f"{scheme}://{netloc}{signed_path}{suffix}",
        "wire_url": f"{scheme}://{netloc}{wire_path}{suffix}",
        "host": host_header,
        "headers": make_headers(rng),
        "service": service,
        "region": rng.choice(REGIONS),
        "access_key": "AKIA"
        + "".join(rng.choice(string.ascii_uppercase) for _ in range(16)),
        "secret_key": "".join(rng.choice(B64) for _ in range(40)),
        "token": token,
        "when": when,
        "expires": rng.choice(
            (1, 60, 900, 3600, 86400, 604800, rng.randint(1, 604800))
        ),
    }


def generate(seed=SEED, count=COUNT):
    rng = random.Random(seed)
    return [make_case(rng) for _ in range(count)]


def pairs(headers):
    return list(headers.items()) if isinstance(headers, dict) else list(headers)


def ours(case):
    return minicreds.presign_url(
        case["method"],
        case["url"],
        credentials=minicreds.Credentials(
            case["access_key"], case["secret_key"], case["token"]
        ),
        region=case["region"],
        service=case["service"],
        expires=case["expires"],
        headers=case["headers"],
        now=case["when"],
    )


def at(when):
    """botocore's clock stopped at POSIX second ``when`` (naive UTC, as it keeps it)."""
    moment = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
    return mock.patch.object(
        botocore.auth, "get_current_datetime", lambda: moment.replace(tzinfo=None)
    )


def theirs(case):
    request = AWSRequest(method=case["method"], url=case["wire_url"])
    for name, value in pairs(case["headers"]):
        request.headers[name] = value  # HTTPHeaders adds: repeated names stay
    signer = S3SigV4QueryAuth if case["service"] == "s3" else SigV4QueryAuth
    auth = signer(
        BotoCredentials(case["access_key"], case["secret_key"], case["token"]),
        case["service"],
        case["region"],
        expires=case["expires"],
    )
    with at(case["when"]):
        auth.add_auth(request)
    return request.url


def server_problem(case, url):
    """What the loopback verifier says of our URL, sent as the wire form."""
    parts = urllib.parse.urlsplit(url)
    wire = urllib.parse.urlsplit(case["wire_url"]).path or "/"
    lines = [f"{name}: {value}" for name, value in pairs(case["headers"])]
    if not any(name.lower() == "host" for name, _ in pairs(case["headers"])):
        lines.append(f"Host: {case['host']}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
    headers = http.client.parse_headers(io.BytesIO(raw))
    keys = {case["access_key"]: (case["secret_key"], case["token"])}
    target = f"{wire}?{parts.query}"
    return support.presigned_problem(
        case["method"], target, headers, b"", keys, case["when"]
    )


@unittest.skipUnless(botocore is not None, "botocore is not installed")
class PresignDifferentialTests(unittest.TestCase):
    def test_generator_covers_the_input_classes(self):
        cases = generate()
        self.assertEqual(cases, generate(), "the generator is not deterministic")

        def count(predicate):
            return sum(1 for case in cases if predicate(case))

        def query(case):
            return urllib.parse.urlsplit(case["wire_url"]).query

        classes = {
            "s3 signed raw": lambda c: (
                c["service"] == "s3" and c["url"] != c["wire_url"]
            ),
            "no query": lambda c: "?" not in c["url"],
            "several query keys": lambda c: query(c).count("&") >= 2,
            "key without =": lambda c: any(
                "=" not in p for p in query(c).split("&") if p
            ),
            "unicode in query": lambda c: "%C3%A9" in query(c),
            "repeated header": lambda c: (
                len({n.lower() for n, _ in pairs(c["headers"])})
                < len(pairs(c["headers"]))
            ),
            "no header": lambda c: not c["headers"],
            "host given": lambda c: any(
                n.lower() == "host" for n, _ in pairs(c["headers"])
            ),
            "token": lambda c: c["token"] is not None,
            "no token": lambda c: c["token"] is None,
            "7 days": lambda c: c["expires"] == 604800,
        }
        for service in SERVICES:
            classes[service] = lambda c, s=service: c["service"] == s
        for name, predicate in classes.items():
            with self.subTest(input_class=name):
                self.assertGreater(count(predicate), 3, name)

    def test_same_url_as_botocore(self):
        failures = []
        for index, case in enumerate(generate()):
            try:
                mine, boto = ours(case), theirs(case)
            except Exception as exc:  # noqa: BLE001 - report the case, then go on
                failures.append(f"case {index}: raised {exc!r}: {case!r}")
                continue
            mine_parts = urllib.parse.urlsplit(mine)
            boto_parts = urllib.parse.urlsplit(boto)
            same_path = mine_parts.path == urllib.parse.urlsplit(case["url"]).path
            if mine_parts.query != boto_parts.query or not same_path:
                failures.append(f"case {index}:\n  {mine}\n  {boto}\n  {case!r}")
            elif case["url"] == case["wire_url"] and mine != boto:
                failures.append(f"case {index}:\n  {mine}\n  {boto}")
        if failures:
            self.fail(
                f"{len(failures)} of {COUNT} cases differ (seed {SEED}; rerun with "
                f"MINICREDS_SIGV4_SEED={SEED}). First ones:\n\n"
                + "\n\n".join(failures[:5])
            )

    def test_loopback_verifier_accepts_every_url(self):
        failures = []
        for index, case in enumerate(generate()):
            problem = server_problem(case, ours(case))
            if problem:
                failures.append(f"case {index}: {problem}: {case!r}")
        self.assertEqual(failures[:5], [], f"{len(failures)} refused")


STS_ENV = {"AWS_EC2_METADATA_DISABLED": "true"}


@unittest.skipUnless(get_token is not None, "the AWS CLI (awscli) is not installed")
class EksTokenTests(unittest.TestCase):
    """eks_token is the token of the AWS CLI's own TokenGenerator, byte for byte."""

    def cli_token(self, cluster, region, creds, when):
        with support.env(**STS_ENV):
            session = botocore.session.Session()
            session.set_credentials(
                creds.access_key, creds.secret_key, creds.session_token
            )
            client = get_token.STSClientFactory(session).get_sts_client(
                region_name=region
            )
            with at(when):
                return get_token.TokenGenerator(client).get_token(cluster)

    def test_same_token_as_the_aws_cli(self):
        rng = random.Random(SEED)
        for region in (*REGIONS, None, "aws-global", "us-west-2", "eu-central-1"):
            for token in (None, "IQoJb3JpZ2luX2VjEXAMPLE/eks+token=="):
                creds = minicreds.Credentials("AKIDEKSEXAMPLE", "eks/secret+key", token)
                cluster = rng.choice(("my-cluster", "prod_1", "a" * 100, "Dev-2"))
                when = rng.randint(946684800, 1893456000)
                with self.subTest(region=region, token=bool(token), cluster=cluster):
                    expected = self.cli_token(cluster, region, creds, when)
                    mine = minicreds.eks_token(
                        cluster, credentials=creds, region=region, now=when
                    )
                    self.assertEqual(mine, expected)

    def test_same_exec_credential_as_aws_eks_get_token(self):
        from awscli.clidriver import create_clidriver

        when = 1780000000
        moment = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
        creds = {
            "AWS_ACCESS_KEY_ID": "AKIDEKSEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "eks/secret+key",
            "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEXAMPLE/eks+token==",
        }
        # Importing awscli points AWS_DATA_PATH at its data; support.env clears it.
        creds["AWS_DATA_PATH"] = os.environ.get("AWS_DATA_PATH")
        v1 = '{"apiVersion": "client.authentication.k8s.io/v1"}'
        for region, info in (("us-west-2", ""), ("cn-north-1", v1), (None, v1)):
            with self.subTest(region=region, info=info):
                where = ["--region", region] if region else []
                with support.env(KUBERNETES_EXEC_INFO=info, **creds, **STS_ENV):
                    aws = io.StringIO()
                    with at(when), contextlib.redirect_stdout(aws), mock.patch.object(
                        get_token, "get_current_datetime",
                        lambda: moment.replace(tzinfo=None),
                    ):  # fmt: skip
                        argv = ["eks", "get-token", "--cluster-name", "c1", *where]
                        self.assertEqual(create_clidriver().main(argv), 0)
                    mine = io.StringIO()
                    with mock.patch("time.time", lambda: float(when)):
                        with contextlib.redirect_stdout(mine):
                            argv = ["--format", "eks-token", "--cluster", "c1", *where]
                            self.assertEqual(minicreds._main(argv), 0)
                self.assertTrue(aws.getvalue().startswith('{\n    "kind": "ExecC'))
                self.assertEqual(mine.getvalue(), aws.getvalue())


if __name__ == "__main__":
    unittest.main()
