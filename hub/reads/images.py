"""The image store, encrypted at rest with AES-GCM. A read's images are
sealed under its owner's data key for the day and named by a hash keyed by
that key (so destroying the key leaves files nobody can open or recognise);
other documents (a hold's written request, a Safe at Home request) are
sealed under the store's own key in `instance/` and named by their SHA-256.
A row refers to its images by name; the same image under the same key is
stored once."""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from PIL import Image

from hub.instance_keys import random_key
from hub.keys.envelope import DataKeyHandle

NONCE_BYTES = 12


def _key() -> bytes:
    return random_key(current_app.config["IMAGE_KEY_PATH"])


def _path(digest: str) -> Path:
    return Path(current_app.config["IMAGE_STORE_PATH"]) / digest[:2] / digest[2:4] / digest


def put(data: bytes, key: DataKeyHandle | None = None) -> str:
    """Store an image (a read's under its data `key`), returning its name."""
    if key is None:
        digest = hashlib.sha256(data).hexdigest()
    else:
        digest = hmac.digest(key.name_key, data, "sha256").hex()
    path = _path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        if key is None:
            nonce = os.urandom(NONCE_BYTES)
            sealed = nonce + AESGCM(_key()).encrypt(nonce, data, digest.encode())
        else:
            sealed = key.seal(data, digest.encode())
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(sealed)
        os.replace(temporary, path)
    return digest


def get(digest: str, key: DataKeyHandle | None = None) -> bytes:
    sealed = _path(digest).read_bytes()
    if key is not None:
        return key.open(sealed, digest.encode())
    return AESGCM(_key()).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], digest.encode())


def get_many(wanted: list[tuple[str, DataKeyHandle | None]], workers: int = 8) -> dict[str, bytes]:
    """Many read images at once (a release package's thousands), each
    opened under its data key (the store's own key for `None`): files are read and opened on a few threads,
    since reading waits on the disk. Reached through `Scope.images`."""
    from concurrent.futures import ThreadPoolExecutor

    store = Path(current_app.config["IMAGE_STORE_PATH"])  # the threads have no application context
    cipher = AESGCM(_key()) if any(key is None for _, key in wanted) else None

    def one(item: tuple[str, DataKeyHandle | None]) -> bytes:
        digest, key = item
        sealed = (store / digest[:2] / digest[2:4] / digest).read_bytes()
        if key is not None:
            return key.open(sealed, digest.encode())
        return cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], digest.encode())

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip((digest for digest, _ in wanted), pool.map(one, wanted)))


def delete(digest: str) -> bool:
    try:
        _path(digest).unlink()
        return True
    except FileNotFoundError:
        return False


THUMBNAIL_SIZE = (200, 120)


def thumbnail(scope, row, *digests: str | None) -> str | None:
    """The first of a row's stored pictures (a read's plate, else its
    vehicle), opened now through `scope` (`Scope.image`, which refuses a row
    outside it) and shrunk, as a data URI for a page: it never gets an
    address of its own."""
    digest = next((d for d in digests if d), None)
    if digest is None:
        return None
    try:
        data = scope.image(row, digest)
    except OSError:  # a missing image: the row shows without one
        return None
    try:
        picture = Image.open(io.BytesIO(data))
        picture.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        picture.convert("RGB").save(out, "JPEG", quality=80)
    except Exception:  # an unreadable image: the row shows without one
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
