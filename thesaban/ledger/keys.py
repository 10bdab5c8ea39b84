"""Each municipality's Ed25519 signing key, kept encrypted in the database.

The private key never leaves this module unencrypted: it is stored as AES-256-GCM ciphertext
under a key derived with HKDF-SHA256 from the deployment's secret (`LEDGER_KEY_SECRET` in the
settings or the `THESABAN_LEDGER_KEY_SECRET` environment variable, else `SECRET_KEY`) and a
random salt per municipality; the municipality's id and the public key are bound in as
associated data, so a ciphertext copied onto another municipality's row does not decrypt.
Changing that secret makes the keys unreadable (signing then fails loudly): set
`THESABAN_LEDGER_KEY_SECRET` once and keep it across `SECRET_KEY` rotations (docs/ledger.md).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

INFO = b"thesaban ledger signing key v1"


@dataclass(frozen=True)
class SealedKey:
    public_key: bytes  # 32 raw bytes
    salt: bytes  # 16
    nonce: bytes  # 12
    ciphertext: bytes  # 32 + 16 (tag)


def _secret() -> bytes:
    secret = (
        getattr(settings, "LEDGER_KEY_SECRET", "")
        or os.environ.get("THESABAN_LEDGER_KEY_SECRET", "")
        or settings.SECRET_KEY
    )
    return secret.encode("utf-8")


def _wrapping_key(salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO).derive(_secret())


def _aad(municipality_id: int, public_key: bytes) -> bytes:
    return f"municipality:{municipality_id}:".encode() + public_key


def key_generate(municipality_id: int) -> SealedKey:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    salt, nonce = os.urandom(16), os.urandom(12)
    ciphertext = AESGCM(_wrapping_key(salt)).encrypt(nonce, raw, _aad(municipality_id, public))
    return SealedKey(public, salt, nonce, ciphertext)


def sign(sealed: SealedKey, municipality_id: int, message: bytes) -> bytes:
    try:
        raw = AESGCM(_wrapping_key(sealed.salt)).decrypt(
            sealed.nonce, sealed.ciphertext, _aad(municipality_id, sealed.public_key)
        )
    except InvalidTag:
        raise ImproperlyConfigured(
            "The ledger signing key cannot be decrypted: LEDGER_KEY_SECRET (or SECRET_KEY) is "
            "not the one it was sealed with."
        ) from None
    return Ed25519PrivateKey.from_private_bytes(raw).sign(message)


def signature_valid(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_pem(public_key: bytes) -> str:
    return (
        Ed25519PublicKey.from_public_bytes(public_key)
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def b64(value: bytes) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")
