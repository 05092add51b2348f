"""Random bearer secrets shown once and kept only as a hash: personal API
tokens (`hubpat_`), camera ingest credentials (`hubcam_`), invitations
(`hubinv_`). A secret reads `<prefix>_<lookup>_<secret>`: the lookup finds
the row, the secret is compared by SHA-256 in constant time. The secret is
256 random bits, so a fast hash is as safe as a slow one here."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

_LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


@dataclass(frozen=True)
class Issued:
    lookup: str
    digest: str
    text: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@lru_cache(maxsize=None)
def pattern(prefix: str) -> re.Pattern:
    return re.compile(rf"^{prefix}_([A-Za-z0-9]{{16}})_([A-Za-z0-9_-]{{43}})$")


def issue(prefix: str) -> Issued:
    lookup = "".join(secrets.choice(_LOOKUP_ALPHABET) for _ in range(16))
    secret = secrets.token_urlsafe(32)
    return Issued(lookup, digest(secret), f"{prefix}_{lookup}_{secret}")


def parse(prefix: str, value: str) -> tuple[str, str] | None:
    """(lookup, secret), or None when the value is not of this kind."""
    match = pattern(prefix).match((value or "").strip())
    return (match.group(1), match.group(2)) if match else None


def matches(stored_digest: str, secret: str) -> bool:
    return secrets.compare_digest(stored_digest, digest(secret))
