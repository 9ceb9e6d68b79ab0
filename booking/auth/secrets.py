"""Unguessable tokens: the raw value goes to its holder, only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# The test suite hashes many demo passwords: it uses argon2's cheapest profile.
_hasher = (PasswordHasher.from_parameters(profiles.CHEAPEST)
           if os.environ.get("CRENEAU_ENV") == "test" else PasswordHasher())
# Verified when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("créneau-no-such-account")


def new_token(nbytes: int = 24) -> tuple[str, str]:
    """A URL-safe token of ``nbytes`` random bytes (192 bits by default) and its hash."""
    raw = secrets.token_urlsafe(nbytes)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
