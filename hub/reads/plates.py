"""Plate text: one normal form everywhere, and the keyed hash under which a
plate is kept where it must not be kept in clear (Safe at Home requests,
investigation holds). The key lives in `instance/`, so the hashes cannot be
reversed by trying every plate without it."""
from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app

from hub.instance_keys import random_key

PLATE = re.compile(r"^[A-Z0-9]{1,10}$")


def normalise(plate: str) -> str:
    return re.sub(r"[\s\-·.]", "", (plate or "").upper())


def is_plate(plate: str) -> bool:
    return bool(PLATE.match(plate))


def keyed_hash(plate: str) -> str:
    key = random_key(current_app.config["PLATE_HASH_KEY_PATH"])
    return hmac.new(key, normalise(plate).encode(), hashlib.sha256).hexdigest()
