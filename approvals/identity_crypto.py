"""The only place identity numbers are encrypted, decrypted and hashed (PIPL: a database dump must
not reveal them).

Keys. ``KAIMEN_IDENTITY_KEY`` (environment) is the master secret; when it is unset, ``SECRET_KEY``
is used instead. Two keys are derived from it with HKDF-SHA256, each under its own fixed context
label, so neither is ever the master secret itself:

* the **encryption key** (AES-256-GCM): each value gets a random 96-bit nonce and is bound, as
  associated data, to its row and column (``purpose``), so a ciphertext copied into another row
  does not decrypt. Stored as ``version byte ‖ nonce ‖ ciphertext+tag``; the version byte leaves
  room for a key rotation.
* the **lookup key** (HMAC-SHA256): a keyed hash of a normalised number finds it and keeps it
  unique without decrypting anything, and cannot be reversed by trying every ID number without
  the key (there are only ~10^11 plausible ones).

Changing ``KAIMEN_IDENTITY_KEY`` (or ``SECRET_KEY`` while it is unset) makes stored numbers
unreadable: set it once in production and keep it apart from the database backups.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

VERSION = 1
_NONCE_BYTES = 12
_SALT = b"kaimen.approvals.identity"
_ENCRYPTION_LABEL = b"kaimen identity number encryption v1"
_LOOKUP_LABEL = b"kaimen identity number lookup v1"


class IdentityKeyError(RuntimeError):
    """No key material, or a ciphertext that does not decrypt under the configured key."""


def _master_secret(config) -> bytes:
    secret = config.get("KAIMEN_IDENTITY_KEY") or config.get("SECRET_KEY")
    if not secret:
        raise IdentityKeyError("neither KAIMEN_IDENTITY_KEY nor SECRET_KEY is set")
    return secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)


def derive_key(master: bytes, label: bytes) -> bytes:
    """A 32-byte key for one purpose (``label``) from the master secret (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=label).derive(master)


@functools.lru_cache(maxsize=4)
def _derived(master: bytes) -> tuple[bytes, bytes]:
    return derive_key(master, _ENCRYPTION_LABEL), derive_key(master, _LOOKUP_LABEL)


def _keys(config) -> tuple[bytes, bytes]:
    return _derived(_master_secret(config))


def encrypt(value: str, purpose: str, *, config=None) -> bytes:
    """Encrypt ``value`` for the place named by ``purpose`` (e.g. ``"identity:7:id_number"``)."""
    key, _ = _keys(config if config is not None else current_app.config)
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, value.encode("utf-8"), purpose.encode("utf-8"))
    return bytes([VERSION]) + nonce + sealed


def decrypt(blob: bytes, purpose: str, *, config=None) -> str:
    """The value :func:`encrypt` sealed for ``purpose``; IdentityKeyError if it does not open."""
    key, _ = _keys(config if config is not None else current_app.config)
    blob = bytes(blob)
    if not blob or blob[0] != VERSION:
        raise IdentityKeyError("unknown ciphertext version")
    nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, sealed, purpose.encode("utf-8")).decode("utf-8")
    except InvalidTag as error:
        raise IdentityKeyError("the identity number does not decrypt under this key") from error


def keyed_hash(kind: str, value: str, *, config=None) -> str:
    """HMAC-SHA256 of ``kind:value`` under the lookup key, as 64 hex digits."""
    _, key = _keys(config if config is not None else current_app.config)
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def same_hash(left: str | None, right: str | None) -> bool:
    """Compare two keyed hashes in constant time."""
    return bool(left and right) and hmac.compare_digest(left, right)
