"""LoginProvider's token call checked with ``cryptography``: a loopback sign-in
service verifies each DPoP proof with cryptography's ECDSA P-256 / SHA-256 against
the public key of the cached ``dpopKey`` (a key cryptography made and wrote as SEC1
PEM, as the AWS CLI writes it). Skipped where cryptography is missing."""

import hashlib
import json
import os
import shutil
import tempfile
import time
import unittest

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, utils
except ImportError:  # pragma: no cover - depends on the machine
    ec = None

import minicreds
from tests.fakes import FakeClock, iso
from tests.support import FakeServer

SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/interop"


def b64url_decode(text):
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@unittest.skipIf(ec is None, "cryptography is not installed")
class LoginProofTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="minicreds-login-interop-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,  # SEC1 "EC PRIVATE KEY"
            serialization.NoEncryption(),
        ).decode()
        self.server = FakeServer().start()
        self.addCleanup(self.server.stop)
        self.verdicts = []
        self.server.route("POST", "/v1/token", self.answer)

    def answer(self, request):
        header, claims, signature = request.headers["DPoP"].split(".")
        try:
            self.key.public_key().verify(
                utils.encode_dss_signature(
                    int.from_bytes(b64url_decode(signature)[:32], "big"),
                    int.from_bytes(b64url_decode(signature)[32:], "big"),
                ),
                f"{header}.{claims}".encode(),
                ec.ECDSA(hashes.SHA256()),
            )
            verdict = "verified"
        except InvalidSignature:
            verdict = "invalid"
        jwk = json.loads(b64url_decode(header))["jwk"]
        numbers = self.key.public_key().public_numbers()
        if (b64url_decode(jwk["x"]), b64url_decode(jwk["y"])) != (
            numbers.x.to_bytes(32, "big"),
            numbers.y.to_bytes(32, "big"),
        ):
            verdict = "wrong jwk"
        self.verdicts.append(verdict)
        return 200, {
            "accessToken": {
                "accessKeyId": "ASIAINTEROP",
                "secretAccessKey": "interop-secret",
                "sessionToken": "interop-token",
            },
            "expiresIn": 900,
            "refreshToken": f"refresh-{len(self.verdicts)}",
        }

    def test_each_refresh_proof_verifies_with_cryptography(self):
        cache = os.path.join(self.dir, "cache")
        os.makedirs(cache)
        path = os.path.join(
            cache, hashlib.sha256(SESSION.encode()).hexdigest() + ".json"
        )
        clock = FakeClock()
        with open(path, "w") as f:
            json.dump(
                {
                    "accessToken": {
                        "accessKeyId": "ASIAOLD",
                        "secretAccessKey": "old-secret",
                        "sessionToken": "old-token",
                        "accountId": "123456789012",
                        "expiresAt": iso(time.time() - 60),
                    },
                    "clientId": "arn:aws:signin:::devtools/same-device",
                    "refreshToken": "refresh-0",
                    "dpopKey": self.pem,
                },
                f,
            )
        provider = minicreds.LoginProvider(
            SESSION, cache_dir=cache, clock=clock,
            environ={"AWS_ENDPOINT_URL_SIGNIN": self.server.url},
        )  # fmt: skip
        for _ in range(3):
            self.assertEqual(provider.retrieve().access_key, "ASIAINTEROP")
            clock.advance(900)
        self.assertEqual(self.verdicts, ["verified"] * 3)


if __name__ == "__main__":
    unittest.main()
