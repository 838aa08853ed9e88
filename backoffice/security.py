"""Secrets handling: kiosk token hashes and the argon2id PIN hasher."""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from backoffice.settings import Settings


def token_hash(token: str) -> str:
    """SHA-256 hex of a kiosk bearer token: all the database ever keeps of it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_match(stored_hash: str, presented_token: str) -> bool:
    return hmac.compare_digest(stored_hash, token_hash(presented_token))


def make_hasher(settings: Settings | None = None) -> PasswordHasher:
    s = settings or Settings()
    return PasswordHasher(
        time_cost=s.argon2_time_cost,
        memory_cost=s.argon2_memory_kib,
        parallelism=s.argon2_parallelism,
        type=Type.ID,
    )


def verify_pin(hasher: PasswordHasher, pin_hash: str, pin: str) -> bool:
    try:
        return hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False
