"""P-256 private keys built by hand for the tests (SEC1 and PKCS#8 DER, PEM), shared
by the ES256 and aws login tests."""

import base64
import hashlib
import textwrap

import minicreds

N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # the order
P256_OID = bytes.fromhex("06082a8648ce3d030107")
EC_KEY_OID = bytes.fromhex("06072a8648ce3d0201")


def key_number(i):
    """A private key from a counter: reproducible, spread over [1, n)."""
    return int.from_bytes(hashlib.sha256(b"key %d" % i).digest(), "big") % (N - 1) + 1


def der(tag, content):
    """One DER element (short or two-byte long length form)."""
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    return bytes([tag, 0x81, size]) + content


def sec1(key, *, version=1, secret=None, parameters=P256_OID, public=True):
    """An ECPrivateKey (RFC 5915) built by hand."""
    fields = der(0x02, bytes([version]))
    fields += der(0x04, key.to_bytes(32, "big") if secret is None else secret)
    if parameters is not None:
        fields += der(0xA0, parameters)
    if public:
        x, y = minicreds._p256_public_key(key)
        point = b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")
        fields += der(0xA1, der(0x03, b"\x00" + point))
    return der(0x30, fields)


def pkcs8(inner, *, algorithm=EC_KEY_OID + P256_OID, extra=b""):
    """A PrivateKeyInfo (RFC 5208) around an ECPrivateKey, as OpenSSL writes it."""
    fields = der(0x02, b"\x00") + der(0x30, algorithm) + der(0x04, inner) + extra
    return der(0x30, fields)


def der_integer(big_endian):
    """Minimal DER INTEGER contents of an unsigned number (X.690 8.3.2)."""
    digits = big_endian.lstrip(b"\x00") or b"\x00"
    return b"\x00" + digits if digits[0] & 0x80 else digits


def pem(data, label="EC PRIVATE KEY"):
    body = textwrap.fill(base64.b64encode(data).decode(), 64)
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
