"""minicreds' ES256 signer and DPoP proofs checked by ``cryptography`` and botocore.

A seeded generator (``SEED``, or ``MINICREDS_ES256_SEED`` from the environment) makes
keys with ``cryptography`` and messages of every length up to a few hundred bytes:

- minicreds' signatures (raw r || s, turned into DER with cryptography's utils) must
  verify with cryptography's ECDSA P-256 / SHA-256, and minicreds' public key must
  equal cryptography's;
- cryptography's signatures (random nonces) must verify with minicreds, and fail when
  the message changes;
- keys that cryptography writes as PEM, SEC1 and PKCS#8, must load to the same number.

A DPoP proof is verified with cryptography, and its header and claims must be the
bytes botocore's login provider builds (``botocore.credentials._build_dpop_header``)
for the same key, URL, time and jti. botocore signs through awscrt, which is not
installed here: a stand-in with cryptography takes its place for the signature only.
Skipped cleanly where cryptography (or, for the last test, botocore) is missing.
"""

import base64
import json
import os
import random
import unittest
from unittest import mock

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, utils
except ImportError:  # pragma: no cover - depends on the machine
    ec = None

try:
    import botocore.credentials as boto_credentials
except ImportError:  # pragma: no cover - depends on the machine
    boto_credentials = None

import minicreds

SEED = int(os.environ.get("MINICREDS_ES256_SEED", "9449"))
COUNT = 150
TOKEN_URL = "https://us-east-1.signin.aws.amazon.com/v1/token"


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def to_der(signature):
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    return utils.encode_dss_signature(r, s)


def to_raw(der):
    r, s = utils.decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify_with_cryptography(public_key, message, signature):
    try:
        public_key.verify(to_der(signature), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


@unittest.skipIf(ec is None, "cryptography is not installed")
class CryptographyTest(unittest.TestCase):
    def setUp(self):
        self.rng = random.Random(SEED)

    def keys_and_messages(self):
        for i in range(COUNT):
            key = ec.generate_private_key(ec.SECP256R1())
            size = self.rng.randrange(300) if i else 0
            message = bytes(self.rng.getrandbits(8) for _ in range(size))
            yield i, key, message

    def test_minicreds_signatures_verify_with_cryptography(self):
        for i, key, message in self.keys_and_messages():
            number = key.private_numbers().private_value
            signature = minicreds._p256_sign(number, message)
            with self.subTest(i=i):
                self.assertTrue(
                    verify_with_cryptography(key.public_key(), message, signature)
                )
                self.assertFalse(
                    verify_with_cryptography(
                        key.public_key(), message + b"!", signature
                    )
                )

    def test_public_keys_agree(self):
        for i, key, _ in self.keys_and_messages():
            numbers = key.public_key().public_numbers()
            number = key.private_numbers().private_value
            with self.subTest(i=i):
                self.assertEqual(
                    minicreds._p256_public_key(number), (numbers.x, numbers.y)
                )

    def test_cryptography_signatures_verify_with_minicreds(self):
        for i, key, message in self.keys_and_messages():
            numbers = key.public_key().public_numbers()
            public = (numbers.x, numbers.y)
            signature = to_raw(key.sign(message, ec.ECDSA(hashes.SHA256())))
            with self.subTest(i=i):
                self.assertTrue(minicreds._p256_verify(public, message, signature))
                self.assertFalse(
                    minicreds._p256_verify(public, message + b"!", signature)
                )

    def test_pem_keys_written_by_cryptography_load(self):
        formats = {
            "SEC1": serialization.PrivateFormat.TraditionalOpenSSL,
            "PKCS#8": serialization.PrivateFormat.PKCS8,
        }
        for i, key, _ in self.keys_and_messages():
            if i >= 20:
                break
            for name, form in formats.items():
                text = key.private_bytes(
                    serialization.Encoding.PEM, form, serialization.NoEncryption()
                ).decode()
                with self.subTest(i=i, form=name):
                    self.assertEqual(
                        minicreds._p256_key_from_pem(text),
                        key.private_numbers().private_value,
                    )

    def test_dpop_proof_verifies_with_cryptography(self):
        key = ec.generate_private_key(ec.SECP256R1())
        number = key.private_numbers().private_value
        public = minicreds._p256_public_key(number)
        proof = minicreds._dpop_proof(number, public, "POST", TOKEN_URL, 1700000000)
        header_b64, claims_b64, signature_b64 = proof.split(".")
        jwk = json.loads(b64url_decode(header_b64))["jwk"]
        # The verifier's view: the key comes from the proof's own jwk header.
        from_jwk = ec.EllipticCurvePublicNumbers(
            int.from_bytes(b64url_decode(jwk["x"]), "big"),
            int.from_bytes(b64url_decode(jwk["y"]), "big"),
            ec.SECP256R1(),
        ).public_key()
        self.assertEqual(from_jwk.public_numbers(), key.public_key().public_numbers())
        signing_input = f"{header_b64}.{claims_b64}".encode()
        signature = b64url_decode(signature_b64)
        self.assertTrue(verify_with_cryptography(from_jwk, signing_input, signature))
        self.assertFalse(
            verify_with_cryptography(from_jwk, signing_input + b"x", signature)
        )


class _CrtKeyStandIn:
    """The two methods botocore calls on an awscrt EC key, done with cryptography."""

    def __init__(self, key):
        self.key = key

    def get_public_coords(self):
        numbers = self.key.public_key().public_numbers()
        return numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")

    def sign(self, digest):  # awscrt signs a digest and returns DER
        algorithm = ec.ECDSA(utils.Prehashed(hashes.SHA256()))
        return self.key.sign(digest, algorithm)


class _CrtECStandIn:
    @staticmethod
    def decode_der_signature_to_padded_pair(signature, pad_to):
        r, s = utils.decode_dss_signature(signature)
        return r.to_bytes(pad_to, "big") + s.to_bytes(pad_to, "big")


@unittest.skipIf(ec is None, "cryptography is not installed")
@unittest.skipIf(
    boto_credentials is None or not hasattr(boto_credentials, "_build_dpop_header"),
    "botocore with a login provider is not installed",
)
class BotocoreDPoPTest(unittest.TestCase):
    def test_same_header_and_claims_as_botocore(self):
        key = ec.generate_private_key(ec.SECP256R1())
        number = key.private_numbers().private_value
        public = minicreds._p256_public_key(number)
        jti = "6a1f7f8e-0d4c-4b8e-9a55-3c2f1e0d9b7a"
        urls = (TOKEN_URL, "https://cn-north-1.signin.amazonaws.cn/v1/token")
        for url in urls:
            with self.subTest(url=url):
                with mock.patch.object(boto_credentials, "EC", _CrtECStandIn):
                    theirs = boto_credentials._build_dpop_header(
                        _CrtKeyStandIn(key), url, uid=jti, ts=1700000000
                    )
                ours = minicreds._dpop_proof(
                    number, public, "POST", url, 1700000000, jti
                )
                self.assertEqual(
                    ours.rsplit(".", 1)[0], theirs.rsplit(".", 1)[0]
                )  # the signature differs: botocore's nonces are random
                signing_input = ours.rsplit(".", 1)[0].encode()
                their_signature = b64url_decode(theirs.rsplit(".", 1)[1])
                self.assertTrue(
                    minicreds._p256_verify(public, signing_input, their_signature)
                )


if __name__ == "__main__":
    unittest.main()
