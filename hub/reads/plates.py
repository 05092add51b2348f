"""Plate text: one normal form everywhere, and the keyed hash under which a
plate is kept where it must not be kept in clear (Safe at Home requests,
investigation holds). The key lives in `instance/`, so the hashes cannot be
reversed by trying every plate without it."""
from __future__ import annotations

import hashlib
import hmac
import os
import re
from functools import lru_cache
from pathlib import Path

from flask import current_app

PLATE = re.compile(r"^[A-Z0-9]{1,10}$")


def normalise(plate: str) -> str:
    return re.sub(r"[\s\-·.]", "", (plate or "").upper())


def is_plate(plate: str) -> bool:
    return bool(PLATE.match(plate))


def _key() -> bytes:
    return _key_at(current_app.config["PLATE_HASH_KEY_PATH"])


@lru_cache(maxsize=4)
def _key_at(location: str) -> bytes:
    path = Path(location)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(os.urandom(32))
        except FileExistsError:
            pass
    return path.read_bytes()


def keyed_hash(plate: str) -> str:
    return hmac.new(_key(), normalise(plate).encode(), hashlib.sha256).hexdigest()
