"""SigV4 signing (README, "Quick start" and "Tested against"): AWS's SigV4 test
vectors and sign_request's contract.

Every expected ``Authorization`` value is either read from the vectors or computed
from an expected canonical request by the reference signer in
tests/sigv4_reference.py (key derivation and string to sign as AWS documents them),
so no private API of minicreds is needed (but by CacheTests, which empties
sign_request's caches under it).

The vectors (AWS's aws4_testsuite) are not part of the repository: they are read from
``aws4_testsuite`` in the ``shared`` folder beside it (``<repository>/../shared``), or
in the folder that ``MINICREDS_SHARED`` names. Without them, the vector tests skip.
"""

import datetime
import hashlib
import os
import sys
import threading
import unittest
from unittest import mock

import minicreds
from minicreds import Credentials, sign_request
from tests.sigv4_reference import (
    ACCESS_KEY,
    AMZ_DATE,
    EMPTY_SHA256,
    NOW,
    REGION,
    SECRET_KEY,
    SERVICE,
    build_creq,
    parse_authorization,
    reference_authorization,
    reference_string_to_sign,
)
from tests.support import REPO

EXPECTED_CASE_COUNT = 34
TOKEN = "FwoGZXIvYXdzEXAMPLE-test-token/with+odd=chars"
# Headers that proxies and HTTP libraries add or rewrite: returned, never signed
# (botocore auth.py, SIGNED_HEADERS_BLACKLIST).
UNSIGNED_HEADERS = (
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
)
TOKEN_CASES = (
    "get-vanilla-with-session-token",
    "post-sts-token/post-sts-header-before",
)


def vector_folder(environ=os.environ):
    """Where AWS's SigV4 test vectors should be: ``aws4_testsuite`` in the folder
    ``MINICREDS_SHARED`` names, else in ``shared`` beside the repository."""
    shared = environ.get("MINICREDS_SHARED") or os.path.join(
        os.path.dirname(REPO), "shared"
    )
    return os.path.join(shared, "aws4_testsuite")


SUITE = vector_folder()
NO_VECTORS = (
    f"AWS's SigV4 test vectors are not in {SUITE} (the aws4_testsuite folder of "
    "shared/ beside the repository, or of $MINICREDS_SHARED)"
)
need_vectors = unittest.skipUnless(os.path.isdir(SUITE), NO_VECTORS)


# --- the test suite files -------------------------------------------------------------


def find_cases(root=SUITE):
    """Relative folder names ("get-vanilla", "normalize-path/get-space", ...)."""
    cases = []
    for dirpath, dirnames, filenames in os.walk(root):
        name = os.path.basename(dirpath)
        if name + ".req" in filenames:
            cases.append(os.path.relpath(dirpath, root).replace(os.sep, "/"))
    return sorted(cases)


def read_case(case, ext):
    name = case.rsplit("/", 1)[-1]
    path = os.path.join(SUITE, *case.split("/"), name + "." + ext)
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def parse_request(text):
    """(method, path, headers as (name, value) pairs, body bytes) of a ``.req`` file.

    The request line may hold a raw space in the path: the method is its first word
    and the HTTP version its last. Folded lines join the previous value with one space;
    repeated names stay in order.
    """
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    words = lines[0].split(" ")
    method, path = words[0], " ".join(words[1:-1])
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t":
            name, value = headers[-1]
            headers[-1] = (name, value.rstrip() + " " + line.strip())
        else:
            name, _, value = line.partition(":")
            headers.append((name, value))
    return method, path, headers, body.encode("utf-8")


def creq_token(creq):
    """The session token the canonical request signs, or None."""
    for line in creq.split("\n"):
        if line.startswith("x-amz-security-token:"):
            return line.partition(":")[2]
    return None


CASES = find_cases() if os.path.isdir(SUITE) else []


# --- helpers for the contract tests ---------------------------------------------------

# The Authorization of the get-vanilla vector, from the reference signer, so the tests
# of ``now`` run without the vectors too (ReferenceTests checks it against the vector).
GET_VANILLA_AUTHZ = reference_authorization(
    build_creq(
        "GET", "/", "", [("host", "example.amazonaws.com"), ("x-amz-date", AMZ_DATE)]
    )
)


def sign(url, headers=None, body=b"", service=SERVICE, token=None, method="GET", **kw):
    kw.setdefault("now", NOW)
    kw.setdefault("region", REGION)
    creds = Credentials(ACCESS_KEY, SECRET_KEY, token)
    return sign_request(
        method, url, headers, body, credentials=creds, service=service, **kw
    )


class VectorFolderTest(unittest.TestCase):
    """Where the vectors are looked for (the other tests skip when they are absent)."""

    def test_beside_the_repository(self):
        expected = os.path.join(os.path.dirname(REPO), "shared", "aws4_testsuite")
        self.assertEqual(vector_folder({}), expected)

    def test_named_by_the_environment(self):
        folder = vector_folder({"MINICREDS_SHARED": "/nonexistent/shared"})
        self.assertEqual(folder, os.path.join("/nonexistent/shared", "aws4_testsuite"))


@need_vectors
class ReferenceTests(unittest.TestCase):
    """The test's own pieces agree with the vectors (so the other tests can fail)."""

    def test_case_count(self):
        self.assertEqual(len(CASES), EXPECTED_CASE_COUNT, CASES)
        for case in (
            "normalize-path/get-space",
            "post-sts-token/post-sts-header-after",
            "post-sts-token/post-sts-header-before",
            "get-vanilla-query-order-key",
        ):
            self.assertIn(case, CASES)
        for name in ("LICENSE", "NOTICE", "README.md"):
            self.assertTrue(os.path.isfile(os.path.join(SUITE, name)), name)

    def test_reference_signer_reproduces_every_vector(self):
        for case in CASES:
            with self.subTest(case=case):
                creq = read_case(case, "creq")
                self.assertEqual(reference_string_to_sign(creq), read_case(case, "sts"))
                self.assertEqual(
                    reference_authorization(creq), read_case(case, "authz")
                )

    def test_get_vanilla_authorization(self):
        self.assertEqual(GET_VANILLA_AUTHZ, read_case("get-vanilla", "authz"))

    def test_token_cases(self):
        found = [case for case in CASES if creq_token(read_case(case, "creq"))]
        self.assertEqual(sorted(found), sorted(TOKEN_CASES))

    def test_parser(self):
        method, path, headers, body = parse_request(
            read_case("normalize-path/get-space", "req")
        )
        self.assertEqual((method, path), ("GET", "/example space/"))
        self.assertEqual(body, b"")
        _, _, headers, _ = parse_request(read_case("get-header-value-multiline", "req"))
        self.assertIn(("My-Header1", "value1 value2 value3"), headers)
        _, _, headers, _ = parse_request(read_case("get-header-key-duplicate", "req"))
        values = [v for n, v in headers if n == "My-Header1"]
        self.assertEqual(values, ["value2", "value2", "value1"])
        text = read_case("post-x-www-form-urlencoded-parameters", "req")
        method, path, headers, body = parse_request(text)
        self.assertEqual((method, path, body), ("POST", "/", b"Param1=value1"))
        self.assertEqual(len(headers), 3)


@need_vectors
class VectorTests(unittest.TestCase):
    """sign_request reproduces every ``.authz`` of aws4_testsuite."""

    def test_all_vectors(self):
        self.assertEqual(len(CASES), EXPECTED_CASE_COUNT)
        for case in CASES:
            with self.subTest(case=case):
                creq = read_case(case, "creq")
                method, path, headers, body = parse_request(read_case(case, "req"))
                token = creq_token(creq)
                if token is None:
                    # post-sts-header-after: the token is added after signing.
                    headers = [
                        (n, v)
                        for n, v in headers
                        if n.lower() != "x-amz-security-token"
                    ]
                host = next(v for n, v in headers if n.lower() == "host")
                result = sign_request(
                    method,
                    "https://" + host + path,
                    headers=headers,
                    body=body,
                    credentials=Credentials(ACCESS_KEY, SECRET_KEY, token),
                    region=REGION,
                    service=SERVICE,
                    now=NOW,
                )
                self.assertEqual(
                    result.get("Authorization"),
                    read_case(case, "authz"),
                    f"expected canonical request:\n{creq}",
                )


class SignRequestTests(unittest.TestCase):
    """The contract of sign_request beyond the vectors."""

    def lower_map(self, result):
        """Returned headers by lowercase name, checking no name appears twice."""
        self.assertIsInstance(result, dict)
        names = [name.lower() for name in result]
        self.assertEqual(len(names), len(set(names)), sorted(result))
        return {name.lower(): value for name, value in result.items()}

    def assert_signed(self, result, creq, service=SERVICE, region=REGION):
        expected = reference_authorization(creq, AMZ_DATE, region, service)
        self.assertEqual(
            result.get("Authorization"),
            expected,
            f"expected canonical request:\n{creq}",
        )

    def assert_signs_all_returned(self, result):
        """Every returned header is signed but Authorization and the volatile ones
        botocore leaves unsigned."""
        _, fields = parse_authorization(result["Authorization"])
        returned = sorted(n.lower() for n in result if n.lower() != "authorization")
        signed = [n for n in returned if n not in UNSIGNED_HEADERS]
        self.assertEqual(fields["SignedHeaders"].split(";"), signed)

    # Host

    def test_host_added_when_absent(self):
        result = sign("https://sts.example.com/")
        self.assertEqual(result["Host"], "sts.example.com")
        creq = build_creq(
            "GET", "/", "", [("host", "sts.example.com"), ("x-amz-date", AMZ_DATE)]
        )
        self.assert_signed(result, creq)

    def test_host_port(self):
        cases = [
            ("https://h.example:443/", "h.example"),
            ("http://h.example:80/", "h.example"),
            ("https://h.example:8443/", "h.example:8443"),
            ("http://h.example:443/", "h.example:443"),
            ("https://h.example:80/", "h.example:80"),
            ("http://127.0.0.1:9000/", "127.0.0.1:9000"),
        ]
        for url, host in cases:
            with self.subTest(url=url):
                result = sign(url)
                self.assertEqual(result["Host"], host)
                creq = build_creq(
                    "GET", "/", "", [("host", host), ("x-amz-date", AMZ_DATE)]
                )
                self.assert_signed(result, creq)

    def test_given_host_kept(self):
        result = sign("https://127.0.0.1:8443/", {"host": "bucket.example"})
        self.assertEqual(self.lower_map(result)["host"], "bucket.example")
        creq = build_creq(
            "GET", "/", "", [("host", "bucket.example"), ("x-amz-date", AMZ_DATE)]
        )
        self.assert_signed(result, creq)

    # Added headers

    def test_date_and_no_token(self):
        result = sign("https://sts.example.com/")
        self.assertEqual(result["X-Amz-Date"], AMZ_DATE)
        self.assertNotIn("x-amz-security-token", self.lower_map(result))

    def test_token_header_signed(self):
        result = sign("https://sts.example.com/", token=TOKEN)
        self.assertEqual(result["X-Amz-Security-Token"], TOKEN)
        creq = build_creq(
            "GET",
            "/",
            "",
            [
                ("host", "sts.example.com"),
                ("x-amz-date", AMZ_DATE),
                ("x-amz-security-token", TOKEN),
            ],
        )
        self.assert_signed(result, creq)

    def test_input_names_case_insensitive(self):
        given = {
            "x-amz-date": AMZ_DATE,
            "HOST": "sts.example.com",
            "x-AMZ-security-TOKEN": TOKEN,
        }
        result = sign("https://sts.example.com/", given, token=TOKEN)
        lower = self.lower_map(result)
        self.assertEqual(
            sorted(lower),
            ["authorization", "host", "x-amz-date", "x-amz-security-token"],
        )
        self.assertEqual(lower["x-amz-date"], AMZ_DATE)
        self.assertEqual(lower["x-amz-security-token"], TOKEN)
        creq = build_creq(
            "GET",
            "/",
            "",
            [
                ("host", "sts.example.com"),
                ("x-amz-date", AMZ_DATE),
                ("x-amz-security-token", TOKEN),
            ],
        )
        self.assert_signed(result, creq)

    def test_repeated_names_joined(self):
        pairs = [("My-Header", "a"), ("my-header", "b"), ("MY-HEADER", "c")]
        result = sign("https://sts.example.com/", pairs)
        self.assertEqual(self.lower_map(result)["my-header"], "a,b,c")
        creq = build_creq(
            "GET",
            "/",
            "",
            [
                ("host", "sts.example.com"),
                ("my-header", "a,b,c"),
                ("x-amz-date", AMZ_DATE),
            ],
        )
        self.assert_signed(result, creq)

    def test_values_trimmed_for_signing(self):
        given = {"X-Odd": "  a   b  c  ", "Content-Type": "text/plain"}
        result = sign("https://sts.example.com/", given)
        creq = build_creq(
            "GET",
            "/",
            "",
            [
                ("content-type", "text/plain"),
                ("host", "sts.example.com"),
                ("x-amz-date", AMZ_DATE),
                ("x-odd", "a b c"),
            ],
        )
        self.assert_signed(result, creq)

    def test_input_not_mutated(self):
        given = {"Content-Type": "text/plain", "x-amz-date": AMZ_DATE}
        before = dict(given)
        result = sign("https://sts.example.com/", given, token=TOKEN)
        self.assertEqual(given, before)
        self.assertIsNot(result, given)
        pairs = [("X-A", "1"), ("x-a", "2")]
        sign("https://sts.example.com/", pairs, token=TOKEN)
        self.assertEqual(pairs, [("X-A", "1"), ("x-a", "2")])

    def test_no_other_header_added(self):
        base = {"authorization", "host", "x-amz-date", "content-type", "x-custom"}
        given = {"Content-Type": "application/json", "X-Custom": "1"}
        for service in ("sts", "execute-api", "s3"):
            for token in (None, TOKEN):
                with self.subTest(service=service, token=bool(token)):
                    result = sign(
                        "https://h.example/p", given, b"{}", service, token, "POST"
                    )
                    expected = set(base)
                    if token:
                        expected.add("x-amz-security-token")
                    if service == "s3":
                        expected.add("x-amz-content-sha256")
                    self.assertEqual(set(self.lower_map(result)), expected)
                    self.assertEqual(result["Content-Type"], "application/json")
                    self.assertEqual(result["X-Custom"], "1")
                    self.assert_signs_all_returned(result)

    def test_volatile_headers_are_returned_unsigned(self):
        given = [(name.title(), f"v-{name}") for name in UNSIGNED_HEADERS]
        for service in ("sts", "s3"):
            with self.subTest(service=service):
                result = sign("https://h.example/", [*given, ("X-Kept", "k")],
                              service=service)  # fmt: skip
                for name, value in given:
                    self.assertEqual(result[name], value)
                self.assert_signs_all_returned(result)
                signed = [("host", "h.example"), ("x-amz-date", AMZ_DATE)]
                signed.append(("x-kept", "k"))
                payload = EMPTY_SHA256
                if service == "s3":
                    signed.append(("x-amz-content-sha256", EMPTY_SHA256))
                creq = build_creq("GET", "/", "", signed, payload)
                self.assert_signed(result, creq, service=service)

    def test_signed_headers_list_every_returned_header(self):
        inputs = [
            ("https://h.example/", None, None),
            ("https://h.example:8443/x?y=1", [("A", "1"), ("a", "2")], TOKEN),
            ("http://h.example/", {"Host": "other.example", "Z": "z"}, None),
        ]
        for url, headers, token in inputs:
            for service in ("sts", "s3"):
                with self.subTest(url=url, service=service):
                    result = sign(url, headers, service=service, token=token)
                    self.assert_signs_all_returned(result)
                    algorithm, fields = parse_authorization(result["Authorization"])
                    self.assertEqual(algorithm, "AWS4-HMAC-SHA256")
                    self.assertEqual(
                        fields["Credential"],
                        f"{ACCESS_KEY}/20150830/{REGION}/{service}/aws4_request",
                    )

    # s3 and paths

    def test_s3_content_sha256(self):
        binary = b"\x00\xffhello world\n"
        for body in (binary, b""):
            digest = hashlib.sha256(body).hexdigest()
            with self.subTest(body=body):
                result = sign("https://b.s3.example/k", body=body, service="s3")
                self.assertEqual(result["X-Amz-Content-Sha256"], digest)
                creq = build_creq(
                    "GET",
                    "/k",
                    "",
                    [
                        ("host", "b.s3.example"),
                        ("x-amz-content-sha256", digest),
                        ("x-amz-date", AMZ_DATE),
                    ],
                    digest,
                )
                self.assert_signed(result, creq, service="s3")

    def test_non_s3_body_hash(self):
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        result = sign("https://sts.example.com/", body=body, method="POST")
        creq = build_creq(
            "POST",
            "/",
            "",
            [("host", "sts.example.com"), ("x-amz-date", AMZ_DATE)],
            hashlib.sha256(body).hexdigest(),
        )
        self.assert_signed(result, creq)

    def check_path(self, url_path, service, canonical_path):
        result = sign("https://h.example" + url_path, service=service)
        headers = [("host", "h.example"), ("x-amz-date", AMZ_DATE)]
        if service == "s3":
            headers.append(("x-amz-content-sha256", EMPTY_SHA256))
        creq = build_creq("GET", canonical_path, "", headers)
        self.assert_signed(result, creq, service=service)

    def test_canonical_paths(self):
        cases = [
            # (path in the URL, service, canonical path)
            ("/a//b/../c", "s3", "/a//b/../c"),
            ("/a//b/../c", "sts", "/a/c"),
            ("/a/./b//", "s3", "/a/./b//"),
            ("/a/./b//", "execute-api", "/a/b/"),
            ("/a%20b", "s3", "/a%20b"),
            ("/a%20b", "sts", "/a%2520b"),
            ("/a b", "s3", "/a%20b"),
            ("/a b", "sts", "/a%20b"),
            ("/caf\u00e9/\u1234", "s3", "/caf%C3%A9/%E1%88%B4"),
            ("/caf\u00e9/\u1234", "sts", "/caf%C3%A9/%E1%88%B4"),
            ("/x%2Fy z", "s3", "/x%2Fy%20z"),
            ("/x%2Fy z", "sts", "/x%252Fy%20z"),
            ("/a$b+c=d", "s3", "/a%24b%2Bc%3Dd"),
            ("/a$b+c=d", "sts", "/a%24b%2Bc%3Dd"),
            ("/-._~az09", "s3", "/-._~az09"),
            ("/-._~az09", "sts", "/-._~az09"),
            ("", "sts", "/"),
        ]
        for url_path, service, canonical in cases:
            with self.subTest(path=url_path, service=service):
                self.check_path(url_path, service, canonical)

    # query

    def check_query(self, query, canonical_query, service=SERVICE):
        result = sign("https://h.example/?" + query, service=service)
        headers = [("host", "h.example"), ("x-amz-date", AMZ_DATE)]
        if service == "s3":
            headers.append(("x-amz-content-sha256", EMPTY_SHA256))
        creq = build_creq("GET", "/", canonical_query, headers)
        self.assert_signed(result, creq, service=service)

    def test_query_sorted_by_key_then_value(self):
        cases = [
            ("b=2&a=2&a=1&a=10", "a=1&a=10&a=2&b=2"),
            # by key first: "a" sorts before "a-" although "a-=" < "a=" as text
            ("a-=0&a=1", "a=1&a-=0"),
            ("acl&x=", "acl=&x="),
            ("k=%E1%88%B4&k=%20", "k=%20&k=%E1%88%B4"),
            ("Z=1&z=1&Z=0", "Z=0&Z=1&z=1"),
        ]
        for query, canonical in cases:
            for service in ("sts", "s3"):
                with self.subTest(query=query, service=service):
                    self.check_query(query, canonical, service)

    # now

    def test_now_aware_datetime_in_other_offset(self):
        offset = datetime.timezone(datetime.timedelta(hours=2, minutes=30))
        now = NOW.astimezone(offset)
        self.assertEqual(now.hour, 15)
        result = sign("https://example.amazonaws.com/", now=now)
        self.assertEqual(result["X-Amz-Date"], AMZ_DATE)
        self.assertEqual(result["Authorization"], GET_VANILLA_AUTHZ)

    def test_now_posix_float(self):
        now = 1440938160.0
        self.assertEqual(now, NOW.timestamp())
        result = sign("https://example.amazonaws.com/", now=now)
        self.assertEqual(result["X-Amz-Date"], AMZ_DATE)
        self.assertEqual(result["Authorization"], GET_VANILLA_AUTHZ)

    def test_mapping_headers(self):
        given = {"Host": "example.amazonaws.com", "X-Amz-Date": AMZ_DATE}
        result = sign("https://example.amazonaws.com/", given)
        self.assertEqual(result["Authorization"], GET_VANILLA_AUTHZ)

    def test_secret_not_returned(self):
        result = sign("https://h.example/", token=TOKEN)
        for name, value in result.items():
            self.assertNotIn(SECRET_KEY, value, name)


class EmptiedAfterLookup(dict):
    """A cache that another thread empties just after a membership test (as
    ``_cache_put`` empties a full one): only a single read finds its entry."""

    def __contains__(self, key):
        found = dict.__contains__(self, key)
        self.clear()
        return found


ROUNDS = 25  # per thread, over the 80 requests


class CacheTests(unittest.TestCase):
    """sign_request's caches may be emptied by another thread at any moment."""

    def test_cache_emptied_between_reads(self):
        url = "https://sts.example.com/a?b=c"
        expected = sign(url, token=TOKEN)  # fills every cache
        for name in ("_amz_dates", "_canonical_urls", "_signing_keys"):
            with self.subTest(cache=name):
                cache = EmptiedAfterLookup(getattr(minicreds, name))
                self.assertTrue(cache, "the first signature filled it")
                with mock.patch.object(minicreds, name, cache):
                    self.assertEqual(sign(url, token=TOKEN), expected)

    def test_threads_with_a_tiny_switch_interval(self):
        # 8 threads over 80 requests: more URLs, seconds and regions than the caches
        # hold (64), so they are emptied while other threads read them. A switch
        # interval of a microsecond makes the interleavings that free-threaded
        # builds make real (before the single reads: KeyError on 3.8).
        requests = [
            (f"https://sts.example.com/p{i}?q={i}", NOW.timestamp() + i, f"r-{i}")
            for i in range(80)
        ]
        expected = [sign(u, token=TOKEN, now=t, region=r) for u, t, r in requests]
        failures = []

        def worker(start):  # each thread starts at a different request
            for n in range(start, start + ROUNDS * len(requests)):
                n %= len(requests)
                url, now, region = requests[n]
                try:
                    if sign(url, token=TOKEN, now=now, region=region) != expected[n]:
                        failures.append(url)
                except Exception as exc:
                    failures.append(repr(exc))

        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            threads = [
                threading.Thread(target=worker, args=(i * 10,)) for i in range(8)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(interval)
        self.assertEqual(failures, [])


if __name__ == "__main__":
    unittest.main()
