"""The key-encryption key (KEK) from configuration and the key store it
guards. Each data key is 32 random bytes, wrapped with AES-GCM under the
KEK (bound to its organisation and day) and written to its own file in the
key store, outside the database: a copy of the database never holds a key,
and unlinking the file destroys the day's data for every copy at once.

The hub never makes a KEK itself: one that is missing or not the one that
wrapped the stored data keys stops the hub at start (`check_at_start`),
naming the setting, rather than stranding what is stored. During a
rotation the previous KEK is configured beside the new one, and every file
says which KEK wrapped it, so no key is unreadable at any moment."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.config import ConfigurationError
from hub.instance_keys import write_once

KEY_BYTES = 32
NONCE_BYTES = 12
FINGERPRINT_CHARS = 32
SETTING = "HUB_DATA_KEK_FILE"
PREVIOUS_SETTING = "HUB_DATA_KEK_PREVIOUS_FILE"


class KeyUnavailable(RuntimeError):
    """A data key that was destroyed, or that no configured KEK can open."""


def new_kek_text() -> bytes:
    """A fresh KEK as its file holds it: base64 of 32 random bytes."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)) + b"\n"


@dataclass(frozen=True)
class Kek:
    key: bytes
    path: str

    @property
    def fingerprint(self) -> str:
        """Names the KEK without revealing it (kept in the database to tell a wrong KEK at start)."""
        return hmac.new(self.key, b"alpr-hub key-encryption key", hashlib.sha256).hexdigest()[:FINGERPRINT_CHARS]


def load_kek(location: str | None, setting: str) -> Kek:
    if not location:
        raise ConfigurationError(f"{setting} is not set: the hub needs its key-encryption key to open stored reads.")
    path = Path(location)
    if not path.is_file():
        raise ConfigurationError(
            f"{setting}: no key-encryption key at {path}. Restore the file the hub was started with; a new key "
            "is made only for a new hub (scripts/run does it when no data key exists yet), never to replace a lost one.")
    try:
        key = base64.urlsafe_b64decode(path.read_bytes().strip())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ConfigurationError(f"{setting}: {path} does not hold a key-encryption key (base64 of 32 bytes).")
    return Kek(key, str(path))


def _aad(organisation_id: int, day: date) -> bytes:
    return f"data-key:{organisation_id}:{day.isoformat()}".encode()


class KeyStore:
    """The wrapped data keys on disk, one file per organisation and day."""

    def __init__(self, root: str, current: Kek, previous: Kek | None = None):
        self.root = Path(root)
        self.current = current
        self.keks = {k.fingerprint: k for k in (previous, current) if k is not None}

    def path(self, organisation_id: int, day: date) -> Path:
        return self.root / str(organisation_id) / f"{day.isoformat()}.key"

    def _wrap(self, key: bytes, organisation_id: int, day: date) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.current.key).encrypt(nonce, key, _aad(organisation_id, day))
        return self.current.fingerprint.encode() + nonce + sealed

    def _unwrap(self, blob: bytes, organisation_id: int, day: date) -> tuple[bytes, str]:
        fingerprint = blob[:FINGERPRINT_CHARS].decode("ascii", "replace")
        kek = self.keks.get(fingerprint)
        if kek is None:
            raise KeyUnavailable(f"the data key of organisation {organisation_id} for {day} was wrapped by a "
                                 f"key-encryption key that is not configured ({fingerprint})")
        body = blob[FINGERPRINT_CHARS:]
        try:
            return AESGCM(kek.key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], _aad(organisation_id, day)), \
                fingerprint
        except InvalidTag:
            raise KeyUnavailable(f"the data key of organisation {organisation_id} for {day} does not open") from None

    def create(self, organisation_id: int, day: date) -> None:
        """Write a new wrapped key unless one is there: the first writer wins
        a race, and the others, opening it at once, find it whole."""
        path = self.path(organisation_id, day)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            write_once(path, lambda: self._wrap(os.urandom(KEY_BYTES), organisation_id, day))

    def open(self, organisation_id: int, day: date) -> bytes:
        try:
            blob = self.path(organisation_id, day).read_bytes()
        except FileNotFoundError:
            raise KeyUnavailable(f"the data key of organisation {organisation_id} for {day} is destroyed") from None
        return self._unwrap(blob, organisation_id, day)[0]

    def rewrap(self, organisation_id: int, day: date) -> bool:
        """Wrap the key under the current KEK (atomically); False when it already was."""
        path = self.path(organisation_id, day)
        key, fingerprint = self._unwrap(path.read_bytes(), organisation_id, day)
        if fingerprint == self.current.fingerprint:
            return False
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "wb") as f:
            f.write(self._wrap(key, organisation_id, day))
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
        return True

    def shred(self, organisation_id: int, day: date) -> bool:
        try:
            self.path(organisation_id, day).unlink()
            return True
        except FileNotFoundError:
            return False


@dataclass(frozen=True)
class DataKeyHandle:
    """An unwrapped data key, held in memory: it seals and opens one
    organisation's data of one day and computes that day's plate hashes."""

    id: int
    organisation_id: int
    day: date
    key: bytes

    @cached_property
    def _aead(self) -> AESGCM:
        return AESGCM(self.key)

    @cached_property
    def _hash_key(self) -> bytes:
        return hmac.digest(self.key, b"plate-hash", "sha256")

    @cached_property
    def name_key(self) -> bytes:
        """Names this day's images in the content-addressed store."""
        return hmac.digest(self.key, b"image-name", "sha256")

    def seal(self, text: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, text, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)

    def plate_hash(self, plate: str) -> str:
        """The plate's hash under this day's key: lookups by plate use it, and
        it means nothing once the key is destroyed (a global key would let an
        old backup be tested plate by plate)."""
        return hmac.digest(self._hash_key, plate.encode(), "sha256").hex()[:32]
