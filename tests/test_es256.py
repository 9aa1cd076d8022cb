"""ES256 (P-256 ECDSA) for DPoP proofs: the signer, the key loader, the proof.

The signer is checked against the RFC 6979 appendix A.2.5 vectors (P-256, SHA-256),
which pin the public key, the deterministic nonce and the signature; the loader
against keys made by the ``openssl`` command at test time (skipped when absent) and
by hand; the DPoP proof against RFC 9449 and the claims botocore's login provider
sends. Only the standard library is needed.
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import uuid

import minicreds
from minicreds import ConfigError
from tests.ec_keys import (
    EC_KEY_OID,
    N,
    b64url_decode,
    der,
    der_integer,
    key_number,
    pem,
    pkcs8,
    sec1,
)

TIMEOUT = 60  # only stops a hang

# RFC 6979 appendix A.2.5: the P-256 key pair.
RFC_KEY = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
RFC_PUBLIC = (
    0x60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6,
    0x7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299,
)
# RFC 6979 appendix A.2.5, SHA-256: message -> (k, r, s).
RFC_VECTORS = {
    b"sample": (
        0xA6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60,
        0xEFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716,
        0xF7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8,
    ),
    b"test": (
        0xD16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0,
        0xF1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367,
        0x019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083,
    ),
}
TOKEN_URL = "https://us-east-1.signin.aws.amazon.com/v1/token"


def raw(r, s):
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


class RFC6979VectorsTest(unittest.TestCase):
    def test_public_key(self):
        self.assertEqual(minicreds._p256_public_key(RFC_KEY), RFC_PUBLIC)

    def test_nonce(self):
        for message, (k, _, _) in RFC_VECTORS.items():
            with self.subTest(message=message):
                digest = hashlib.sha256(message).digest()
                nonces = minicreds._rfc6979_nonces(RFC_KEY, digest)
                self.assertEqual(next(nonces), k)

    def test_signature(self):
        for message, (_, r, s) in RFC_VECTORS.items():
            with self.subTest(message=message):
                signature = minicreds._p256_sign(RFC_KEY, message)
                self.assertEqual(signature, raw(r, s))

    def test_vectors_verify(self):
        for message, (_, r, s) in RFC_VECTORS.items():
            with self.subTest(message=message):
                self.assertTrue(minicreds._p256_verify(RFC_PUBLIC, message, raw(r, s)))


class CurveTest(unittest.TestCase):
    G = (
        0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
        0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    )

    def affine(self, point):
        return minicreds._p256_affine(point)

    def test_order_of_the_generator(self):
        self.assertEqual(minicreds._p256_multiply(N, self.G)[2], 0)  # infinity
        self.assertEqual(minicreds._p256_multiply(0, self.G)[2], 0)

    def test_n_minus_one_times_g_is_minus_g(self):
        x, y = self.affine(minicreds._p256_multiply(N - 1, self.G))
        self.assertEqual((x, y), (self.G[0], minicreds._P256_P - self.G[1]))

    def test_adding_a_point_to_itself_doubles_it(self):
        point = minicreds._p256_multiply(12345, self.G)
        self.assertEqual(
            self.affine(minicreds._p256_add(point, point)),
            self.affine(minicreds._p256_double(point)),
        )

    def test_adding_a_point_to_its_negation_gives_infinity(self):
        x, y = self.affine(minicreds._p256_multiply(7, self.G))
        minus = (x, minicreds._P256_P - y, 1)
        self.assertEqual(minicreds._p256_add((x, y, 1), minus)[2], 0)

    def test_addition_agrees_with_multiplication(self):
        a = minicreds._p256_multiply(1000, self.G)
        b = minicreds._p256_multiply(2345, self.G)
        self.assertEqual(
            self.affine(minicreds._p256_add(a, b)),
            self.affine(minicreds._p256_multiply(3345, self.G)),
        )

    def test_public_keys_are_on_the_curve(self):
        for i in range(10):
            with self.subTest(i=i):
                public = minicreds._p256_public_key(key_number(i))
                self.assertTrue(minicreds._p256_on_curve(public))

    def test_points_off_the_curve(self):
        x, y = RFC_PUBLIC
        p = minicreds._P256_P
        for point in ((x, y + 1), (x + p, y), (x, y + p), (-1, y), (0, 0)):
            with self.subTest(point=point):
                self.assertFalse(minicreds._p256_on_curve(point))


class SignVerifyTest(unittest.TestCase):
    def test_round_trip(self):
        for i in range(8):
            key = key_number(i)
            public = minicreds._p256_public_key(key)
            message = os.urandom(i * 37)
            with self.subTest(i=i):
                signature = minicreds._p256_sign(key, message)
                self.assertEqual(len(signature), 64)
                self.assertTrue(minicreds._p256_verify(public, message, signature))

    def test_deterministic(self):
        first = minicreds._p256_sign(key_number(1), b"same message")
        self.assertEqual(first, minicreds._p256_sign(key_number(1), b"same message"))
        self.assertNotEqual(first, minicreds._p256_sign(key_number(2), b"same message"))

    def test_extreme_keys(self):
        for key in (1, 2, N - 1):
            public = minicreds._p256_public_key(key)
            with self.subTest(key=key):
                signature = minicreds._p256_sign(key, b"edge")
                self.assertTrue(minicreds._p256_verify(public, b"edge", signature))

    def test_tampered_signatures_refused(self):
        message = b"sample"
        good = minicreds._p256_sign(RFC_KEY, message)
        r, s = int.from_bytes(good[:32], "big"), int.from_bytes(good[32:], "big")
        bad = {
            "r bit flipped": bytes([good[0] ^ 1]) + good[1:],
            "s bit flipped": good[:63] + bytes([good[63] ^ 0x80]),
            "r and s swapped": good[32:] + good[:32],
            "s plus one": raw(r, s + 1),
            "r zero": raw(0, s),
            "s zero": raw(r, 0),
            "r is n": raw(N, s),
            "s above n": raw(r, s + N) if s + N < 1 << 256 else raw(r, N),
            "short": good[:63],
            "long": good + b"\x00",
            "empty": b"",
            "DER": bytes.fromhex("3044") + good,
        }
        for name, signature in bad.items():
            with self.subTest(name):
                self.assertFalse(minicreds._p256_verify(RFC_PUBLIC, message, signature))

    def test_high_s_verifies_too(self):
        # ECDSA itself accepts (r, n - s): minicreds does not normalise s, and JWS
        # ES256 (RFC 7518 section 3.4) asks for no particular half.
        good = minicreds._p256_sign(RFC_KEY, b"sample")
        r, s = int.from_bytes(good[:32], "big"), int.from_bytes(good[32:], "big")
        self.assertTrue(minicreds._p256_verify(RFC_PUBLIC, b"sample", raw(r, N - s)))

    def test_sum_at_infinity_refused(self):
        # r = -z/d makes u1*G + u2*Q the point at infinity, which has no x.
        z = int.from_bytes(hashlib.sha256(b"sample").digest(), "big")
        r = -z * pow(RFC_KEY, -1, N) % N
        signature = raw(r, 1)
        self.assertFalse(minicreds._p256_verify(RFC_PUBLIC, b"sample", signature))

    def test_other_message_or_key_refused(self):
        good = minicreds._p256_sign(RFC_KEY, b"sample")
        self.assertFalse(minicreds._p256_verify(RFC_PUBLIC, b"Sample", good))
        other = minicreds._p256_public_key(key_number(3))
        self.assertFalse(minicreds._p256_verify(other, b"sample", good))

    def test_public_key_off_the_curve_refused(self):
        good = minicreds._p256_sign(RFC_KEY, b"sample")
        x, y = RFC_PUBLIC
        self.assertFalse(minicreds._p256_verify((x, y + 1), b"sample", good))


class HandMadeKeyTest(unittest.TestCase):
    """The loader on DER built here: runs without openssl."""

    def load(self, text):
        return minicreds._p256_key_from_pem(text, "login", "cache.json")

    def test_sec1_as_the_aws_cli_writes_it(self):
        self.assertEqual(self.load(pem(sec1(RFC_KEY))), RFC_KEY)

    def test_sec1_without_public_key(self):
        self.assertEqual(self.load(pem(sec1(RFC_KEY, public=False))), RFC_KEY)

    def test_pkcs8(self):
        inner = sec1(RFC_KEY, parameters=None)
        self.assertEqual(self.load(pem(pkcs8(inner), "PRIVATE KEY")), RFC_KEY)
        inner = sec1(RFC_KEY)  # parameters repeated inside: allowed when they agree
        self.assertEqual(self.load(pem(pkcs8(inner), "PRIVATE KEY")), RFC_KEY)

    def test_crlf_unwrapped_and_indented_pem(self):
        text = pem(sec1(RFC_KEY)).replace("\n", "\r\n")
        self.assertEqual(self.load(text), RFC_KEY)
        body = base64.b64encode(sec1(RFC_KEY)).decode()
        text = f"  -----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----"
        self.assertEqual(self.load(text), RFC_KEY)

    def test_the_json_cache_form(self):
        # What `aws login` stores: the PEM as a JSON string, newlines escaped.
        cached = json.loads(json.dumps({"dpopKey": pem(sec1(RFC_KEY))}))
        self.assertEqual(self.load(cached["dpopKey"]), RFC_KEY)

    def bad_inputs(self):
        good = sec1(RFC_KEY)
        zero = (0).to_bytes(32, "big")
        p384 = bytes.fromhex("06052b81040022")
        return {
            "empty": ("", "not a PEM"),
            "words": ("hello world", "not a PEM"),
            "public key label": (pem(good, "PUBLIC KEY"), "not a PEM"),
            "encrypted label": (pem(good, "ENCRYPTED PRIVATE KEY"), "not a PEM"),
            "no end line": (pem(good).rsplit("-----END", 1)[0], "not a PEM"),
            "mismatched end": (
                pem(good).replace("END EC PRIVATE", "END RSA PRIVATE"),
                "not a PEM",
            ),
            "not base64": (pem(good).replace("M", "*", 1), "not base64"),
            "not ASCII": (pem(good).replace("M", "\u00e9", 1), "not base64"),
            "a character short": (pem(good)[:-40] + pem(good)[-39:], "not base64"),
            "empty body": (pem(b""), "DER"),
            "truncated DER": (pem(good[:-5]), "truncated DER"),
            "trailing bytes": (pem(good + b"\x00\x00"), "DER"),
            "not a sequence": (pem(b"\x04\x20" + zero), "DER"),
            "indefinite length": (pem(b"\x30\x80" + good[2:] + b"\0\0"), "DER"),
            "version 2": (pem(sec1(RFC_KEY, version=2)), "ECPrivateKey"),
            "short secret": (pem(sec1(RFC_KEY, secret=zero[:31])), "ECPrivateKey"),
            "zero key": (pem(sec1(RFC_KEY, secret=zero)), "ECPrivateKey"),
            "key is n": (
                pem(sec1(RFC_KEY, secret=N.to_bytes(32, "big"))),
                "ECPrivateKey",
            ),
            "no curve": (pem(sec1(RFC_KEY, parameters=None)), "name its curve"),
            "P-384 curve": (pem(sec1(RFC_KEY, parameters=p384)), "not a P-256"),
            "PKCS#8 P-384": (
                pem(
                    pkcs8(sec1(RFC_KEY, parameters=None), algorithm=EC_KEY_OID + p384),
                    "PRIVATE KEY",
                ),
                "not a P-256",
            ),
            "PKCS#8 curve disagrees": (
                pem(pkcs8(sec1(RFC_KEY, parameters=p384)), "PRIVATE KEY"),
                "not a P-256",
            ),
            "PKCS#8 attributes": (
                pem(pkcs8(good, extra=der(0xA0, b"")), "PRIVATE KEY"),
                "DER",
            ),
        }

    def test_bad_inputs_refused_without_key_material(self):
        secrets = (
            format(RFC_KEY, "x"),
            format(RFC_KEY, "X"),
            str(RFC_KEY),
            base64.b64encode(RFC_KEY.to_bytes(32, "big")).decode()[:16],
        )
        for name, (text, reason) in self.bad_inputs().items():
            with self.subTest(name):
                with self.assertRaises(ConfigError) as caught:
                    self.load(text)
                error = caught.exception
                message = f"{error} {error!r}"
                self.assertIn(reason, message)
                self.assertIn("login", message)
                self.assertIn("cache.json", message)
                for secret in secrets:
                    self.assertNotIn(secret, message)
                for line in text.splitlines()[1:-1]:
                    if len(line) >= 8:
                        self.assertNotIn(line, message)
                # Raised outside the except block: no chained error quotes input.
                self.assertIsNone(error.__cause__)
                self.assertIsNone(error.__context__)


def _openssl(*args, cwd):
    return subprocess.run(
        ["openssl", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    ).stdout


def _private_value(path, cwd):
    """The private key openssl reads from a file, from its text dump."""
    text = _openssl("pkey", "-in", path, "-text", "-noout", cwd=cwd)
    block = text.split("priv:", 1)[1].split("pub:", 1)[0]
    return int("".join(block.split()).replace(":", ""), 16)


@unittest.skipUnless(shutil.which("openssl"), "the openssl command is not installed")
class OpenSSLKeyTest(unittest.TestCase):
    """Keys made by the openssl command, in the forms it writes."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        run = cls.run_openssl
        # SEC1 with parameters and public key: the form `aws login` writes.
        run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem")
        run("ec", "-in", "sec1.pem", "-no_public", "-out", "nopub.pem")
        run("pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-out", "pkcs8.pem")
        run(
            "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", "genpkey.pem",
        )  # fmt: skip
        run("ec", "-in", "sec1.pem", "-param_enc", "explicit", "-out", "explicit.pem")
        run("ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "p384.pem")
        run(
            "pkcs8", "-topk8", "-in", "sec1.pem", "-v2", "aes-128-cbc",
            "-passout", "pass:secret", "-out", "encrypted.pem",
        )  # fmt: skip
        run(
            "ec", "-in", "sec1.pem", "-aes128", "-passout", "pass:secret",
            "-out", "legacy-encrypted.pem",
        )  # fmt: skip

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def run_openssl(cls, *args):
        return _openssl(*args, cwd=cls.tmp)

    def read(self, name):
        with open(os.path.join(self.tmp, name)) as f:
            return f.read()

    def load(self, name):
        return minicreds._p256_key_from_pem(self.read(name), "login", name)

    def test_keys_openssl_writes(self):
        for name in ("sec1.pem", "nopub.pem", "pkcs8.pem", "genpkey.pem"):
            with self.subTest(name):
                expected = _private_value(name, self.tmp)
                self.assertEqual(self.load(name), expected)

    def test_public_key_agrees_with_openssl(self):
        text = self.run_openssl("pkey", "-in", "sec1.pem", "-text", "-noout")
        block = text.split("pub:", 1)[1].split("ASN1 OID", 1)[0]
        point = bytes.fromhex("".join(block.split()).replace(":", ""))
        x, y = minicreds._p256_public_key(self.load("sec1.pem"))
        self.assertEqual(point, b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big"))

    def test_openssl_verifies_a_signature(self):
        key = self.load("sec1.pem")
        message = b"signed by minicreds, checked by openssl"
        signature = minicreds._p256_sign(key, message)
        r, s = signature[:32], signature[32:]
        ints = b"".join(der(0x02, der_integer(n)) for n in (r, s))
        paths = {"message": message, "signature.der": der(0x30, ints)}
        for name, data in paths.items():
            with open(os.path.join(self.tmp, name), "wb") as f:
                f.write(data)
        self.run_openssl("ec", "-in", "sec1.pem", "-pubout", "-out", "pub.pem")
        out = self.run_openssl(
            "dgst", "-sha256", "-verify", "pub.pem", "-signature", "signature.der",
            "message",
        )  # fmt: skip
        self.assertIn("Verified OK", out)

    def test_keys_refused(self):
        expected = {
            "explicit.pem": "not a P-256",
            "p384.pem": "ECPrivateKey",
            "encrypted.pem": "not a PEM",
            "legacy-encrypted.pem": "not base64",
        }
        secret = format(_private_value("sec1.pem", self.tmp), "064x")
        for name, reason in expected.items():
            with self.subTest(name):
                with self.assertRaises(ConfigError) as caught:
                    self.load(name)
                message = str(caught.exception)
                self.assertIn(reason, message)
                self.assertIn(name, message)
                self.assertNotIn(secret, message.lower())
                for line in self.read(name).splitlines()[1:-1]:
                    if len(line) >= 8:
                        self.assertNotIn(line, message)


class DPoPProofTest(unittest.TestCase):
    public = RFC_PUBLIC

    def proof(self, **kw):
        args = {"method": "POST", "url": TOKEN_URL, "issued_at": 1700000000}
        args.update(kw)
        return minicreds._dpop_proof(RFC_KEY, self.public, **args)

    def parts(self, proof):
        header, claims, signature = proof.split(".")
        return (
            json.loads(b64url_decode(header)),
            json.loads(b64url_decode(claims)),
            b64url_decode(signature),
        )

    def test_header(self):
        header, _, _ = self.parts(self.proof())
        x, y = (n.to_bytes(32, "big") for n in RFC_PUBLIC)
        self.assertEqual(list(header), ["typ", "alg", "jwk"])
        self.assertEqual(header["typ"], "dpop+jwt")
        self.assertEqual(header["alg"], "ES256")
        self.assertEqual(list(header["jwk"]), ["kty", "x", "y", "crv"])
        self.assertEqual(header["jwk"]["kty"], "EC")
        self.assertEqual(header["jwk"]["crv"], "P-256")
        self.assertEqual(b64url_decode(header["jwk"]["x"]), x)
        self.assertEqual(b64url_decode(header["jwk"]["y"]), y)
        self.assertNotIn("d", header["jwk"])  # never the private key

    def test_claims(self):
        _, claims, _ = self.parts(self.proof())
        self.assertEqual(list(claims), ["htm", "htu", "iat", "jti"])
        self.assertEqual(claims["htm"], "POST")
        self.assertEqual(claims["htu"], TOKEN_URL)
        self.assertEqual(claims["iat"], 1700000000)
        self.assertEqual(uuid.UUID(claims["jti"]).version, 4)

    def test_fresh_jti_each_time(self):
        one = self.parts(self.proof())[1]["jti"]
        self.assertNotEqual(one, self.parts(self.proof())[1]["jti"])
        self.assertEqual(self.parts(self.proof(jti="fixed"))[1]["jti"], "fixed")

    def test_compact_json_base64url_without_padding(self):
        proof = self.proof(jti="0f0e0d0c-0b0a-4908-8706-050403020100")
        header, claims, signature = proof.split(".")
        self.assertNotIn("=", proof)
        expected = (
            '{"htm":"POST","htu":"%s","iat":1700000000,'
            '"jti":"0f0e0d0c-0b0a-4908-8706-050403020100"}' % TOKEN_URL
        )
        self.assertEqual(b64url_decode(claims).decode(), expected)
        self.assertTrue(b64url_decode(header).startswith(b'{"typ":"dpop+jwt",'))
        self.assertEqual(len(b64url_decode(signature)), 64)

    def test_signature_verifies(self):
        proof = self.proof()
        signing_input, _, signature = proof.rpartition(".")
        self.assertTrue(
            minicreds._p256_verify(
                RFC_PUBLIC, signing_input.encode(), b64url_decode(signature)
            )
        )
        other = signing_input.replace(".", ".e", 1)
        self.assertFalse(
            minicreds._p256_verify(RFC_PUBLIC, other.encode(), b64url_decode(signature))
        )


if __name__ == "__main__":
    unittest.main()
