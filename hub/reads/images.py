"""The image store: content-addressed by the SHA-256 of the image, encrypted
at rest with AES-GCM under a key kept in `instance/`, never in the database.
A read refers to its images by hash; the same image is stored once."""
from __future__ import annotations

import base64
import hashlib
import io
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from PIL import Image

from hub.instance_keys import random_key

NONCE_BYTES = 12


def _key() -> bytes:
    return random_key(current_app.config["IMAGE_KEY_PATH"])


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


def get_many(digests: list[str], workers: int = 8) -> dict[str, bytes]:
    """Many images at once (a release package's thousands): files are read
    and opened on a few threads, since reading waits on the disk."""
    from concurrent.futures import ThreadPoolExecutor

    cipher, store = AESGCM(_key()), Path(current_app.config["IMAGE_STORE_PATH"])

    def one(digest: str) -> bytes:
        sealed = (store / digest[:2] / digest[2:4] / digest).read_bytes()
        return cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], digest.encode())

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(digests, pool.map(one, digests)))


def delete(digest: str) -> bool:
    try:
        _path(digest).unlink()
        return True
    except FileNotFoundError:
        return False


THUMBNAIL_SIZE = (200, 120)


def thumbnail(*digests: str | None) -> str | None:
    """The first of these stored pictures (a read's plate, else its vehicle),
    decrypted now and shrunk, as a data URI for a page: it never gets an
    address of its own. The caller has already checked that the viewer may
    see the read it belongs to."""
    digest = next((d for d in digests if d), None)
    if digest is None:
        return None
    try:
        picture = Image.open(io.BytesIO(get(digest)))
        picture.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        picture.convert("RGB").save(out, "JPEG", quality=80)
    except Exception:  # a missing or unreadable image: the row shows without one
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
