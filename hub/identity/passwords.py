"""Argon2id password hashing, and what a password must be. Hashing
parameters come from the app config so the test suite can use a cheap
profile; production uses the library's defaults. A password is long enough
(NIST SP 800-63B asks for at least 8; the hub 12) and is not one of the
30,000 passwords that leaked password lists show most often, whatever its
case, nor one of them followed by digits or signs, nor one repeated: the
list is the one zxcvbn ships (`zxcvbn.frequency_lists`, MIT), from the
leaked-password corpora its authors ranked."""
from __future__ import annotations

import re
from functools import lru_cache

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


@lru_cache(maxsize=1)
def banned_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


_TRAILING = re.compile(r"[^a-z]+$")
_REPEATED = re.compile(r"^(.+?)\1+$")


def is_common(password: str) -> bool:
    """In the list, or a listed password with digits or signs after it
    ("password2024!"), or one repeated ("passwordpassword")."""
    lowered = password.lower()
    candidates = {lowered, _TRAILING.sub("", lowered)}
    candidates |= {match.group(1) for match in map(_REPEATED.match, list(candidates)) if match}
    return bool(candidates & banned_passwords())


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
    if is_common(password):
        return "This password is one of the most common ones in leaked password lists: choose another."
    return None
