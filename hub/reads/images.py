"""The image store: content-addressed by the SHA-256 of the image, encrypted
at rest with AES-GCM under a key kept in `instance/`, never in the database.
A read refers to its images by hash; the same image is stored once."""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

NONCE_BYTES = 12


def _key() -> bytes:
    return _key_at(current_app.config["IMAGE_KEY_PATH"])


@lru_cache(maxsize=4)
def _key_at(location: str) -> bytes:
    path = Path(location)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(fd, "wb") as f:
            f.write(AESGCM.generate_key(bit_length=256))
    return path.read_bytes()


def _path(digest: str) -> Path:
    return Path(current_app.config["IMAGE_STORE_PATH"]) / digest[:2] / digest[2:4] / digest


def put(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    path = _path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + AESGCM(_key()).encrypt(nonce, data, digest.encode())
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(sealed)
        os.replace(temporary, path)
    return digest


def get(digest: str) -> bytes:
    sealed = _path(digest).read_bytes()
    return AESGCM(_key()).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], digest.encode())


def delete(digest: str) -> bool:
    try:
        _path(digest).unlink()
        return True
    except FileNotFoundError:
        return False
