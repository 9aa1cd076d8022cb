"""Presigned URLs and EKS tokens (README "Presigned URLs", "EKS tokens").

Expected URLs are written out here, and their signatures computed with a small
reference signer (SigV4 as AWS documents it) or checked by
``support.presigned_problem``, a verifier that a loopback server runs the way S3 and
STS check a presigned request. Facts about the AWS CLI's ``aws eks get-token``
(awscli/customizations/eks/get_token.py): a presigned STS ``GetCallerIdentity`` GET
for the region's STS host (the global host, signed for us-east-1, without a region),
``X-Amz-Expires=60``, the header ``x-k8s-aws-id`` signed; the token is
``k8s-aws-v1.`` and the URL in URL-safe base64 without ``=`` padding.
"""

import base64
import datetime
import hashlib
import hmac
import unittest
import urllib.parse
from unittest import mock

import minicreds
from minicreds import ConfigError, Credentials, eks_token, presign_url
from tests import support

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLE/presign+token=="
NOW = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
AMZ_DATE = "20260304T050607Z"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
CREDS = Credentials(ACCESS_KEY, SECRET_KEY)
TOKEN_CREDS = Credentials(ACCESS_KEY, SECRET_KEY, TOKEN)
KEYS = {ACCESS_KEY: (SECRET_KEY, None)}
TOKEN_KEYS = {ACCESS_KEY: (SECRET_KEY, TOKEN)}


def reference_signature(creq, region, service, amz_date=AMZ_DATE, secret=SECRET_KEY):
    """The SigV4 signature of a canonical request, as AWS documents it."""
    key = ("AWS4" + secret).encode()
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    digest = hashlib.sha256(creq.encode()).hexdigest()
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    text = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{digest}"
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def split_signature(url):
    """(the URL up to ``&X-Amz-Signature=``, the signature)."""
    head, sep, signature = url.rpartition("&X-Amz-Signature=")
    assert sep, url
    return head, signature


def presign(url, service="s3", region="us-east-1", creds=CREDS, **kw):
    kw.setdefault("now", NOW)
    return presign_url(
        kw.pop("method", "GET"),
        url,
        credentials=creds,
        region=region,
        service=service,
        **kw,
    )


def decode_token(token):
    prefix, _, encoded = token.partition(".")
    assert prefix == "k8s-aws-v1", token
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()


class PresignUrlTests(unittest.TestCase):
    def test_aws_documented_example(self):
        # Amazon S3 API reference, "Authenticating Requests: Using Query Parameters".
        creds = Credentials(
            "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        )
        url = presign(
            "https://examplebucket.s3.amazonaws.com/test.txt",
            creds=creds,
            expires=86400,
            now=datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc),
        )
        self.assertEqual(
            url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm="
            "AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
            "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        )

    def test_query_order_encoding_and_token(self):
        url = presign(
            "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
            service="sts",
            creds=TOKEN_CREDS,
            expires=900,
        )
        head, signature = split_signature(url)
        credential = f"{ACCESS_KEY}%2F20260304%2Fus-east-1%2Fsts%2Faws4_request"
        token = urllib.parse.quote(TOKEN, safe="-_.~")
        self.assertEqual(
            head,
            "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
            f"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={credential}"
            f"&X-Amz-Date={AMZ_DATE}&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
            f"&X-Amz-Security-Token={token}",
        )
        query = (
            "Action=GetCallerIdentity&Version=2011-06-15"
            f"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={credential}"
            f"&X-Amz-Date={AMZ_DATE}&X-Amz-Expires=900"
            f"&X-Amz-Security-Token={token}&X-Amz-SignedHeaders=host"
        )
        creq = f"GET\n/\n{query}\nhost:sts.amazonaws.com\n\nhost\n{EMPTY_SHA256}"
        self.assertEqual(signature, reference_signature(creq, "us-east-1", "sts"))

    def test_given_query_reencoded_in_order_and_repeated_keys_kept(self):
        url = presign("https://h.example/k?b=2&a=1&a=0&c&&d=%7e+x&e=%2f", "sts")
        head, _ = split_signature(url)
        self.assertTrue(
            head.startswith("https://h.example/k?b=2&a=1&a=0&c=&d=~%2Bx&e=%2F&X-Amz-"),
            head,
        )

    def test_given_auth_parameters_replaced(self):
        first = presign("https://b.example/k?x=1", expires=60)
        again = presign(first, expires=60)  # a presigned URL presigned again
        self.assertEqual(again, first)

    def test_fragment_dropped(self):
        for url in ("https://b.example/k", "https://b.example/k?x=1"):
            with self.subTest(url=url):
                self.assertEqual(presign(url + "#part"), presign(url))

    def test_headers_signed_with_host(self):
        headers = [("X-Amz-Meta-Note", "  a   b "), ("x-k8s-aws-id", "c1")]
        url = presign("https://sts.example/", "sts", headers=headers)
        head, signature = split_signature(url)
        self.assertIn(
            "&X-Amz-SignedHeaders=host%3Bx-amz-meta-note%3Bx-k8s-aws-id", head
        )
        query = urllib.parse.urlsplit(head).query
        canonical_query = "&".join(sorted(query.split("&")))
        creq = (
            f"GET\n/\n{canonical_query}\nhost:sts.example\nx-amz-meta-note:a b\n"
            f"x-k8s-aws-id:c1\n\nhost;x-amz-meta-note;x-k8s-aws-id\n{EMPTY_SHA256}"
        )
        self.assertEqual(signature, reference_signature(creq, "us-east-1", "sts"))

    def test_s3_signs_unsigned_payload_others_the_empty_body(self):
        for service, payload in (("s3", "UNSIGNED-PAYLOAD"), ("sts", EMPTY_SHA256)):
            with self.subTest(service=service):
                url = presign("https://b.example/k", service)
                head, signature = split_signature(url)
                query = urllib.parse.urlsplit(head).query
                creq = f"GET\n/k\n{query}\nhost:b.example\n\nhost\n{payload}"
                self.assertEqual(
                    signature, reference_signature(creq, "us-east-1", service)
                )

    def test_s3_given_content_sha256_signed_as_the_payload(self):
        digest = hashlib.sha256(b"body").hexdigest()
        url = presign(
            "https://b.example/k",
            method="PUT",
            headers={"X-Amz-Content-Sha256": digest},
        )
        head, signature = split_signature(url)
        query = urllib.parse.urlsplit(head).query
        creq = (
            f"PUT\n/k\n{query}\nhost:b.example\nx-amz-content-sha256:{digest}\n\n"
            f"host;x-amz-content-sha256\n{digest}"
        )
        self.assertEqual(signature, reference_signature(creq, "us-east-1", "s3"))

    def test_path_kept_as_given_and_signed_as_sign_request_signs_it(self):
        for service, path, signed in (
            ("s3", "/my%20key/a+b", "/my%20key/a%2Bb"),
            ("sts", "/a/./b//c%20d", "/a/b/c%2520d"),
        ):
            with self.subTest(service=service):
                url = presign(f"https://b.example{path}?x=1", service)
                head, signature = split_signature(url)
                parts = urllib.parse.urlsplit(head)
                self.assertEqual(parts.path, path)
                query = "&".join(sorted(parts.query.split("&")))
                payload = "UNSIGNED-PAYLOAD" if service == "s3" else EMPTY_SHA256
                creq = f"GET\n{signed}\n{query}\nhost:b.example\n\nhost\n{payload}"
                self.assertEqual(
                    signature, reference_signature(creq, "us-east-1", service)
                )

    def test_expires_checked(self):
        for expires in (0, -1, 604801, "3600", None):
            with self.subTest(expires=expires):
                with self.assertRaises(ConfigError) as caught:
                    presign("https://b.example/k", expires=expires)
                self.assertIn("presign_url", str(caught.exception))
        for expires, text in (
            (1, "1"),
            (604800, "604800"),
            (datetime.timedelta(minutes=5), "300"),
            (90.9, "90"),
        ):
            with self.subTest(expires=expires):
                self.assertIn(
                    f"&X-Amz-Expires={text}&", presign("https://b/", expires=expires)
                )

    def test_now_as_datetime_or_posix_seconds(self):
        later = NOW.astimezone(datetime.timezone(datetime.timedelta(hours=-7)))
        self.assertEqual(
            presign("https://b.example/k", now=later), presign("https://b.example/k")
        )
        self.assertEqual(
            presign("https://b.example/k", now=NOW.timestamp()),
            presign("https://b.example/k"),
        )
        with mock.patch("time.time", lambda: NOW.timestamp()):
            self.assertEqual(
                presign("https://b.example/k", now=None), presign("https://b.example/k")
            )

    def test_no_secret_in_the_url(self):
        url = presign("https://b.example/k", creds=TOKEN_CREDS)
        self.assertNotIn(SECRET_KEY, urllib.parse.unquote(url))

    def test_session_token_encoded_as_quote_does(self):
        tokens = (TOKEN, "eyJh.eyJz-x_y~z", "==", "a b%c&d\u00e9/+", "\u00b2")
        for token in tokens:
            with self.subTest(token=token):
                creds = Credentials(ACCESS_KEY, SECRET_KEY, token)
                url = presign("https://b.example/k", creds=creds)
                encoded = urllib.parse.quote(token, safe="-_.~")
                self.assertIn(f"&X-Amz-Security-Token={encoded}&", url)

    def test_session_token_kept_in_no_cache(self):
        presign("https://b.example/k", creds=TOKEN_CREDS)
        eks_token("c", credentials=TOKEN_CREDS, region="us-east-1")
        encoded = urllib.parse.quote(TOKEN, safe="-_.~")
        for name, value in vars(minicreds).items():
            if isinstance(value, dict):
                with self.subTest(cache=name):
                    text = repr(list(value.items()))
                    self.assertNotIn(TOKEN, text)
                    self.assertNotIn(encoded, text)

    def test_caches_emptied_between_reads(self):
        url = "https://b.example/a?b=c"
        expected = presign(url, creds=TOKEN_CREDS)
        caches = ("_amz_dates", "_canonical_urls", "_signing_keys", "_query_values")
        for name in caches:
            with self.subTest(cache=name):
                cache = EmptiedAfterLookup(getattr(minicreds, name))
                self.assertTrue(cache, "the first presign filled it")
                with mock.patch.object(minicreds, name, cache):
                    self.assertEqual(presign(url, creds=TOKEN_CREDS), expected)


class EmptiedAfterLookup(dict):
    """A cache that another thread empties just after a membership test."""

    def __contains__(self, key):
        found = dict.__contains__(self, key)
        self.clear()
        return found


class LoopbackS3Tests(unittest.TestCase):
    """A loopback S3 that checks presigned requests as S3 does accepts ours."""

    def setUp(self):
        self.server = support.FakeServer().start()
        self.addCleanup(self.server.stop)
        self.objects = {}
        self.keys = TOKEN_KEYS
        self.clock = NOW.timestamp() + 10
        self.server.route("*", None, self.answer)

    def answer(self, request):
        problem = support.presigned_problem(
            request.method, request.path, request.headers, request.body,
            self.keys, self.clock,
        )  # fmt: skip
        if problem:
            return (
                403,
                f"<Error><Code>AccessDenied</Code><Message>{problem}</Message></Error>",
            )
        if request.method == "PUT":
            self.objects[request.path_only] = request.body
            return 200, b""
        return 200, self.objects.get(request.path_only, b"")

    def send(self, method, url, body=None, headers=None):
        import http.client

        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        try:
            conn.request(
                method, f"{parts.path}?{parts.query}", body=body, headers=headers or {}
            )
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def url(self, method, key, **kw):
        kw.setdefault("creds", TOKEN_CREDS)
        return presign(f"{self.server.url}/bucket/{key}", method=method, **kw)

    def test_put_then_get(self):
        put = self.url("PUT", "dir/my%20file.txt")
        self.assertEqual(self.send("PUT", put, b"hello"), (200, b""))
        get = self.url("GET", "dir/my%20file.txt")
        self.assertEqual(self.send("GET", get), (200, b"hello"))

    def test_signed_header_must_be_sent(self):
        url = self.url("PUT", "k", headers={"Content-Type": "text/plain"})
        self.assertEqual(
            self.send("PUT", url, b"x", {"Content-Type": "text/plain"})[0], 200
        )
        self.assertEqual(
            self.send("PUT", url, b"x", {"Content-Type": "text/html"})[0], 403
        )

    def test_refused_when_changed_or_expired(self):
        get = self.url("GET", "k", expires=60)
        self.assertEqual(self.send("GET", get)[0], 200)
        self.assertEqual(self.send("PUT", get, b"x")[0], 403)
        self.assertEqual(self.send("GET", get.replace("/k?", "/j?"))[0], 403)
        self.assertEqual(
            self.send("GET", get.replace("Expires=60", "Expires=61"))[0], 403
        )
        self.clock = NOW.timestamp() + 61
        self.assertEqual(self.send("GET", get)[0], 403)

    def test_without_a_session_token(self):
        self.keys = KEYS
        self.assertEqual(self.send("GET", self.url("GET", "k", creds=CREDS))[0], 200)
        self.assertEqual(self.send("GET", self.url("GET", "k"))[0], 403)


class EksTokenTests(unittest.TestCase):
    def token(self, cluster="my-cluster", region="us-west-2", creds=CREDS, now=NOW):
        return eks_token(cluster, credentials=creds, region=region, now=now)

    def test_token_as_the_aws_cli_makes_it(self):
        token = self.token()
        self.assertTrue(token.startswith("k8s-aws-v1."))
        self.assertNotIn("=", token)
        encoded = token[len("k8s-aws-v1.") :]
        self.assertEqual(encoded.strip(support_b64url_alphabet()), "")
        url = decode_token(token)
        head, signature = split_signature(url)
        credential = f"{ACCESS_KEY}%2F20260304%2Fus-west-2%2Fsts%2Faws4_request"
        self.assertEqual(
            head,
            "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity"
            "&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Credential={credential}&X-Amz-Date={AMZ_DATE}&X-Amz-Expires=60"
            "&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id",
        )
        query = head.partition("?")[2]
        creq = (
            f"GET\n/\n{query}\nhost:sts.us-west-2.amazonaws.com\n"
            f"x-k8s-aws-id:my-cluster\n\nhost;x-k8s-aws-id\n{EMPTY_SHA256}"
        )
        self.assertEqual(signature, reference_signature(creq, "us-west-2", "sts"))

    def test_session_token_before_the_signature(self):
        head, _ = split_signature(decode_token(self.token(creds=TOKEN_CREDS)))
        token = urllib.parse.quote(TOKEN, safe="-_.~")
        self.assertTrue(
            head.endswith(
                f"&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Security-Token={token}"
            ),
            head,
        )

    def test_endpoint_by_region(self):
        for region, host, scope in (
            ("us-west-2", "sts.us-west-2.amazonaws.com", "us-west-2"),
            ("cn-north-1", "sts.cn-north-1.amazonaws.com.cn", "cn-north-1"),
            ("us-east-1", "sts.us-east-1.amazonaws.com", "us-east-1"),
            (None, "sts.amazonaws.com", "us-east-1"),
            ("aws-global", "sts.amazonaws.com", "us-east-1"),
        ):
            with self.subTest(region=region):
                url = urllib.parse.urlsplit(decode_token(self.token(region=region)))
                self.assertEqual(url.netloc, host)
                self.assertIn(f"%2F{scope}%2Fsts%2F", url.query)

    def test_empty_cluster_refused(self):
        with self.assertRaises(ConfigError):
            self.token(cluster="")

    def test_loopback_sts_accepts_the_token(self):
        # What an EKS cluster does with a token (aws-iam-authenticator): decode it,
        # check the host is STS's, and send the GET with x-k8s-aws-id to STS.
        clock = [NOW.timestamp() + 5]
        keys = TOKEN_KEYS

        def sts(request):
            problem = support.presigned_problem(
                request.method,
                request.path,
                request.headers,
                request.body,
                keys,
                clock[0],
            )
            if problem:
                return 403, f"<ErrorResponse><Error><Message>{problem}</Message>"
            return 200, (
                "<GetCallerIdentityResponse><GetCallerIdentityResult>"
                "<Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>"
                "</GetCallerIdentityResult></GetCallerIdentityResponse>"
            )

        url = urllib.parse.urlsplit(decode_token(self.token(creds=TOKEN_CREDS)))
        self.assertRegex(url.netloc, r"^sts\.[a-z0-9-]+\.amazonaws\.com$")
        with support.FakeServer() as server:
            server.route("GET", "/", sts)

            def call(cluster):
                import http.client

                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
                try:
                    conn.request(
                        "GET", f"{url.path}?{url.query}",
                        headers={"Host": url.netloc, "x-k8s-aws-id": cluster},
                    )  # fmt: skip
                    response = conn.getresponse()
                    return response.status, response.read()
                finally:
                    conn.close()

            status, body = call("my-cluster")
            self.assertEqual(status, 200, body)
            self.assertIn(b"assumed-role/r/s", body)
            self.assertEqual(call("other-cluster")[0], 403)
            clock[0] = NOW.timestamp() + 61  # past X-Amz-Expires=60
            self.assertEqual(call("my-cluster")[0], 403)


def support_b64url_alphabet():
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


if __name__ == "__main__":
    unittest.main()
