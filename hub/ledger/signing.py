"""The Ed25519 key that signs checkpoints. It lives under `instance/`, never
in the database, so someone who can rewrite the database still cannot sign a
rewritten history."""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from hub.instance_keys import read_or_create


def _key_path() -> Path:
    return Path(current_app.config["LEDGER_SIGNING_KEY_PATH"])


def _new_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption())


def signing_key() -> Ed25519PrivateKey:
    return serialization.load_pem_private_key(read_or_create(_key_path(), _new_key_pem), password=None)


def public_key_pem() -> str:
    return signing_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id() -> str:
    raw = signing_key().public_key().public_bytes(serialization.Encoding.Raw,
                                                  serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(message: bytes) -> str:
    return base64.b64encode(signing_key().sign(message)).decode()
