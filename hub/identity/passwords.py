"""Argon2id password hashing. Parameters come from the app config so the
test suite can use a cheap profile; production uses the library's defaults."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

PROFILES = {
    "default": {},
    "fast": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
}
MIN_PASSWORD_LENGTH = 12


def _hasher() -> PasswordHasher:
    return PasswordHasher(**PROFILES[current_app.config["PASSWORD_HASH_PROFILE"]])


def hash_secret(secret: str) -> str:
    return _hasher().hash(secret)


def verify_secret(stored_hash: str, secret: str) -> bool:
    try:
        return _hasher().verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
    return None
