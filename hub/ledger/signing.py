"""The Ed25519 keys of the ledger. The signing key lives under `instance/`,
never in the database, so someone who can rewrite the database still cannot
sign a rewritten history. Only the sealer (and key rotation) reads it.

Verification never touches it: it reads the list of verifier keys (note
`vkey` lines) kept beside it, which holds every key the ledger has ever
signed with, so checkpoints signed before a rotation still verify. The list
is public; hand it to anyone who checks the ledger (`hub ledger public-key`).

A witness key, distinct from the log's, cosigns other hubs' checkpoints."""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from hub.instance_keys import read_or_create
from hub.ledger import verifier


def _new_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption())


def origin() -> str:
    return current_app.config["LEDGER_ORIGIN"]


def _keys_path() -> Path:
    return Path(current_app.config["LEDGER_VERIFIER_KEYS_PATH"])


def signing_key() -> Ed25519PrivateKey:
    """The log's signing key (made on first use), its verifier key listed."""
    key = serialization.load_pem_private_key(
        read_or_create(current_app.config["LEDGER_SIGNING_KEY_PATH"], _new_key_pem), password=None)
    _list(verifier.verifier_key(origin(), key.public_key()))
    return key


def current_verifier_key() -> verifier.VerifierKey:
    return verifier.verifier_key(origin(), signing_key().public_key())


def _list(key: verifier.VerifierKey) -> None:
    path = _keys_path()
    if path.exists() and key.vkey in path.read_text().split():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(key.vkey + "\n")


def verifier_keys() -> list[verifier.VerifierKey]:
    """Every public key the ledger has signed with (none if the list is
    missing: verification then fails, saying so, rather than make a key)."""
    path = _keys_path()
    if not path.exists():
        return []
    return verifier.read_vkeys(path.read_text(encoding="utf-8"))


def rotate() -> tuple[verifier.VerifierKey, verifier.VerifierKey]:
    """Replace the signing key; the old public key stays listed."""
    old = current_verifier_key()
    path = Path(current_app.config["LEDGER_SIGNING_KEY_PATH"])
    replacement = path.with_name(path.name + ".new")
    replacement.unlink(missing_ok=True)
    read_or_create(replacement, _new_key_pem)
    os.replace(replacement, path)
    return old, current_verifier_key()


def witness_key() -> Ed25519PrivateKey:
    return serialization.load_pem_private_key(
        read_or_create(current_app.config["LEDGER_WITNESS_KEY_PATH"], _new_key_pem), password=None)


def witness_name() -> str:
    return current_app.config["LEDGER_WITNESS_NAME"]


def witness_verifier_key() -> verifier.VerifierKey:
    return verifier.verifier_key(witness_name(), witness_key().public_key(), verifier.ALG_COSIGNATURE_V1)
