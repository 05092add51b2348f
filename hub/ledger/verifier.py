"""Offline verifier for the hub's audit ledger.

This file depends only on the Python standard library and `cryptography`, so an
auditor, a partner or a neighbouring hub can copy it and check, without trusting
the hub, with the ledger's public keys obtained out of band (`hub ledger
public-key`, one note verifier key a line)::

    python verifier.py checkpoint checkpoint.txt --keys keys.txt
    python verifier.py consistency old.txt new.txt consistency.json --keys keys.txt
    python verifier.py proof proof.json --keys keys.txt
    python verifier.py bundle access-log-proofs.json --keys keys.txt
    python verifier.py export ledger.jsonl --keys keys.txt [--against saved.txt] [--sign-sample N]

Hashing follows RFC 6962 section 2.1: a leaf hash is SHA-256(0x00 || leaf) and
an interior node SHA-256(0x01 || left || right); inclusion and consistency
proofs are checked with the algorithms of RFC 9162 sections 2.1.3.2 and
2.1.4.2. An entry's leaf is its content; its place is its `position`
(1-based) in the tree, given when the hub seals it. Beside the tree, sealed
entries form a hash chain in position order, chain[p] = SHA-256(chain[p-1] ||
leaf_hash[p]), with chain[0] = 32 zero bytes.

Checkpoints are C2SP tlog-checkpoints in the C2SP signed-note format (origin,
size, base64 root, then `chain <hex>` and `time <UTC>` extension lines; Ed25519
signature lines with the note key id); witnesses add C2SP tlog-cosignature
`cosignature/v1` lines. The notes code is here rather than in a module of its
own so that the verifier stays one file to copy. The hub's own code computes
every hash and reads every note through this module, so the hub and the
offline check cannot drift apart.
"""
from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import json
import operator
import os
import random
import re
import sys
from dataclasses import dataclass
from typing import Iterable, Iterator

LEAF_VERSION = 1
CHAIN_START = bytes(32)
LEAF_FIELDS = ("at", "actor_id", "actor", "actor_org_id", "action", "subject_type", "subject_id", "purpose",
               "case_number", "private_digest")
# A sealed entry as `verify_rows` reads it: its leaf fields in leaf order, then
# details, the stored hashes, and its private details (salt hex, content) if held.
ROW_FIELDS = ("id", "position", *LEAF_FIELDS, "details", "leaf_hash", "chain_hash", "salt", "content")
_QUOTE = json.encoder.encode_basestring  # the JSON string escaper that json.dumps(ensure_ascii=False) uses


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return _QUOTE(value)
    if type(value) is int:
        return str(value)
    raise TypeError(f"a leaf field must be text, an integer or null, not {type(value).__name__}")


def _body(values, details: str) -> bytes:
    """Exactly `json.dumps([LEAF_VERSION, *values, details], ensure_ascii=False,
    separators=(",", ":"))` with `details` already JSON: written out by hand
    because the json module's per-call set-up costs more than the encoding."""
    return f"[{LEAF_VERSION},{','.join(map(_scalar, values))},{details}]".encode()


def leaf_body(entry: dict) -> bytes:
    """The exact bytes an entry's leaf hash commits to: a JSON array of the
    version and the leaf fields, then `details`, the entry's canonical JSON
    text, spliced in as stored."""
    return _body([entry[k] for k in LEAF_FIELDS], entry["details"])


def leaf_hash(body: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + body).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def chain_next(previous: bytes, leaf: bytes) -> bytes:
    return hashlib.sha256(previous + leaf).digest()


def private_digest(salt: bytes, content: str) -> str:
    """Commitment to private details: salted, so a low-entropy value such as a
    plate cannot be guessed back from the digest once the details are erased."""
    return hashlib.sha256(salt + content.encode()).hexdigest()


class MerkleStack:
    """The compact range of an RFC 6962 tree: the roots of its perfect
    subtrees, largest first. Appending is amortised O(1); the root is a fold."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []

    def append(self, leaf: bytes) -> None:
        self._stack.append(leaf)
        self.size += 1
        n = self.size
        while n & 1 == 0:
            right = self._stack.pop()
            self._stack[-1] = node_hash(self._stack[-1], right)
            n >>= 1

    def root(self) -> bytes:
        return _root(self._stack) if self._stack else hashlib.sha256(b"").digest()


def verify_inclusion(leaf: bytes, index: int, tree_size: int, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if index >= tree_size:
        return False
    fn, sn, r = index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


# --- Signed notes (C2SP signed-note), checkpoints (C2SP tlog-checkpoint) and
# witness cosignatures (C2SP tlog-cosignature, Ed25519 "cosignature/v1") ------

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")
_KEY_NAME = re.compile(r"[^+\s]+")


class NoteError(ValueError):
    """A note, checkpoint or key that is malformed or does not verify; the
    message says what is wrong in words an operator can act on."""


def key_id(name: str, alg: int, public_key: bytes) -> bytes:
    """SHA-256(key name || 0x0A || signature type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


def valid_key_name(name: str) -> bool:
    """Non-empty, without '+' or white space (`\\s` is exactly `str.isspace`)."""
    return _KEY_NAME.fullmatch(name) is not None


def _raw_public(public_key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class VerifierKey:
    """A note verifier key: who signs (`name`), with what (`alg`, the raw
    32-byte Ed25519 `public_key`), and the 4-byte id that names it in
    signature lines."""

    name: str
    alg: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.alg, self.public_key)

    @property
    def vkey(self) -> str:
        """`<name>+<hex key id>+<base64(type || public key)>`."""
        encoded = base64.b64encode(bytes([self.alg]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        return _ed25519_holds(self.public_key, message, signature)


@functools.lru_cache(maxsize=64)
def _ed25519_public(raw: bytes):
    """The `cryptography` key of raw public key bytes, made once per key: a
    month of checkpoints is a quarter of a million checks by the same key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(raw)


def _ed25519_holds(raw: bytes, message: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        _ed25519_public(raw).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def verifier_key(name: str, public_key, alg: int = ALG_ED25519) -> VerifierKey:
    """The verifier key of an Ed25519 public key (a `cryptography` key or raw bytes)."""
    if not valid_key_name(name):
        raise NoteError(f"{name!r} cannot name a key: it must be non-empty, without spaces or '+'")
    raw = public_key if isinstance(public_key, bytes) else _raw_public(public_key)
    return VerifierKey(name, alg, raw)


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise NoteError(f"{what} is not valid base64") from None


def parse_vkey(text: str) -> VerifierKey:
    """Read `<name>+<hex key id>+<base64(type || key)>`, checking that the id
    is the one the key and name give."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError(f"{text.strip()!r} is not a verifier key (name+keyid+key)")
    name, hex_id, encoded = parts
    if not valid_key_name(name) or len(hex_id) != 8 or any(c not in "0123456789abcdef" for c in hex_id):
        raise NoteError(f"{text.strip()!r} is not a verifier key (name+keyid+key)")
    raw = _b64decode(encoded, "the verifier key")
    if len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise NoteError(f"the verifier key of {name} is not an Ed25519 key")
    key = VerifierKey(name, raw[0], raw[1:])
    if key.key_id.hex() != hex_id:
        raise NoteError(f"the verifier key of {name} names id {hex_id} but its key has id {key.key_id.hex()}")
    return key


def read_vkeys(text: str) -> list[VerifierKey]:
    """Verifier keys one a line; blank lines and `#` comments are skipped."""
    return [parse_vkey(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes

    @property
    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


def split_note(text: str) -> tuple[str, list[NoteSignature]]:
    """A note's text (with its final newline) and its signature lines, or
    NoteError saying what is malformed."""
    if not isinstance(text, str):
        raise NoteError("a note must be text")
    bad = None if text.replace("\n", "").isprintable() else _CONTROL.search(text)
    if bad is not None:
        raise NoteError(f"the note contains the control character {bad.group()!r}")
    cut = text.rfind("\n\n")
    if cut < 0:
        raise NoteError("the note is truncated: no blank line between its text and its signatures")
    body, lines = text[:cut + 1], text[cut + 2:]
    if not lines:
        raise NoteError("the note is truncated: it has no signature lines")
    if not lines.endswith("\n"):
        raise NoteError("the note is truncated: its last signature line does not end with a newline")
    signatures = []
    for line in lines[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"not a signature line (it must start with an em dash): {line[:60]!r}")
        fields = line[len(SIGNATURE_PREFIX):].split(" ")
        if len(fields) != 2 or not valid_key_name(fields[0]):
            raise NoteError(f"malformed signature line: {line[:60]!r}")
        raw = _b64decode(fields[1], f"the signature by {fields[0]}")
        if len(raw) < 5:
            raise NoteError(f"the signature by {fields[0]} is too short")
        signatures.append(NoteSignature(fields[0], raw[:4], raw[4:]))
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError(f"the note has more than {MAX_SIGNATURES} signatures")
    return body, signatures


def cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def sign_note(body: str, name: str, private_key) -> NoteSignature:
    """The Ed25519 signature line of `private_key`, named `name`, over `body`."""
    if not body.endswith("\n"):
        raise NoteError("a note's text must end with a newline")
    key = verifier_key(name, private_key.public_key())
    return NoteSignature(name, key.key_id, private_key.sign(body.encode()))


def cosign_note(body: str, name: str, private_key, timestamp: int) -> NoteSignature:
    """A witness's timestamped cosignature (tlog-cosignature, Ed25519 v1)."""
    key = verifier_key(name, private_key.public_key(), ALG_COSIGNATURE_V1)
    signature = private_key.sign(cosigned_message(body, timestamp))
    return NoteSignature(name, key.key_id, timestamp.to_bytes(8, "big") + signature)


def _signed_message(key: VerifierKey, body: str, signature: bytes) -> tuple[bytes, bytes] | None:
    """The message and the bare Ed25519 signature that `key` must verify for
    a signature line over `body` (None when the line cannot hold)."""
    if key.alg == ALG_COSIGNATURE_V1:
        timestamp = int.from_bytes(signature[:8], "big")
        if len(signature) != 72 or timestamp >= 2 ** 63:
            return None
        return cosigned_message(body, timestamp), signature[8:]
    return body.encode(), signature


def _signature_holds(key: VerifierKey, body: str, signature: bytes) -> bool:
    signed = _signed_message(key, body, signature)
    return signed is not None and key.verify(*signed)


def open_note(text: str, keys: Iterable[VerifierKey]) -> tuple[str, list[VerifierKey]]:
    """The text of a signed note and the known keys whose signatures verify.
    As the signed-note specification says: signatures by unknown keys are
    ignored, a known key's bad signature rejects the note, and a note that
    no known key signed is rejected."""
    body, signatures = split_note(text)
    known = {(k.name, k.key_id): k for k in keys}
    verified, unknown = [], []
    for sig in signatures:
        key = known.get((sig.name, sig.key_id))
        if key is None:
            unknown.append(f"{sig.name}+{sig.key_id.hex()}")
        elif not _signature_holds(key, body, sig.signature):
            raise NoteError(f"the signature by {sig.name}+{sig.key_id.hex()} does not verify")
        elif key not in verified:
            verified.append(key)
    if not verified:
        raise NoteError("no signature by a known key (signed by " + ", ".join(unknown) + ")")
    return body, verified


@dataclass(frozen=True)
class Checkpoint:
    """A C2SP tlog-checkpoint: origin, tree size, RFC 6962 root, and optional
    extension lines (this hub writes `chain <hex>` and `time <UTC time>`)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    def extension(self, key: str) -> str | None:
        return next((line[len(key) + 1:] for line in self.extensions if line.startswith(key + " ")), None)


def parse_checkpoint(body: str) -> Checkpoint:
    if not body.endswith("\n"):
        raise NoteError("the checkpoint text does not end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("the checkpoint is truncated: it needs an origin, a size and a root hash")
    if "" in lines:
        raise NoteError("the checkpoint has an empty line inside its text")
    origin, size_text, root_text = lines[:3]
    if not size_text.isascii() or not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise NoteError(f"the checkpoint's tree size {size_text!r} is not a decimal number")
    root = _b64decode(root_text, "the checkpoint's root hash")
    if len(root) != 32:
        raise NoteError("the checkpoint's root hash is not 32 bytes")
    return Checkpoint(origin, int(size_text), root, tuple(lines[3:]))


def open_checkpoint(text: str, keys: Iterable[VerifierKey], origin: str | None = None
                    ) -> tuple[Checkpoint, list[VerifierKey]]:
    """A checkpoint note verified by the log's keys (and any witness keys in
    `keys`), for the expected `origin` if one is given."""
    keys = list(keys)
    body, verified = open_note(text, keys)
    checkpoint = parse_checkpoint(body)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for another log: origin {checkpoint.origin!r}, not {origin!r}")
    if not any(k.name == checkpoint.origin and k.alg == ALG_ED25519 for k in verified):
        raise NoteError(f"no signature by a known key of the log {checkpoint.origin!r}")
    return checkpoint, verified


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: list[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2: does the tree of `second` leaves extend the
    tree of `first` leaves? (An empty first tree is extended by any tree.)"""
    if first > second or first < 0:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


LEGACY_CHECKPOINT_HEADER = "alpr-hub-ledger-checkpoint/v1"


def _legacy_message(cp: dict) -> bytes:
    """What checkpoints signed before notes signed: the hub's own text."""
    return "\n".join([LEGACY_CHECKPOINT_HEADER, cp["origin"], str(cp["tree_size"]), cp["root_hash"],
                      cp["chain_hash"], cp["created_at"]]).encode() + b"\n"


def _legacy_holds(cp: dict, keys: Iterable[VerifierKey]) -> bool:
    """Checkpoints signed before notes: the hub's own text, same Ed25519 key."""
    message = _legacy_message(cp)
    try:
        signature = base64.b64decode(cp["signature"])
    except ValueError:
        return False
    return any(k.alg == ALG_ED25519 and k.verify(message, signature) for k in keys)


def signed_checkpoint(cp: dict, keys: Iterable[VerifierKey], origin: str | None = None) -> Checkpoint:
    """A stored checkpoint document (its note, or a legacy signature) checked
    against the known keys; NoteError if it does not hold."""
    if cp.get("note"):
        checkpoint, _ = open_checkpoint(cp["note"], keys, origin)
        return checkpoint
    if not _legacy_holds(cp, list(keys)):
        raise NoteError("no signature by a known key")
    return Checkpoint(cp["origin"], cp["tree_size"], bytes.fromhex(cp["root_hash"]), (f"chain {cp['chain_hash']}",))


def verify_proof_document(proof: dict, keys: Iterable[VerifierKey], origin: str | None = None) -> list[str]:
    """Problems with an inclusion-proof document; an empty list means it
    holds. The entry's leaf leads by its audit path to the root at
    `tree_size`, and that tree is extended (consistency path) by the signed
    checkpoint carried with it."""
    keys = list(keys)
    try:
        entry, document = proof["entry"], proof["checkpoint"]
        checkpoint = signed_checkpoint(document, keys, origin)
    except NoteError as error:
        return [f"checkpoint: {error}"]
    except (KeyError, TypeError):
        return ["not an inclusion proof: it needs an entry and a checkpoint"]
    problems = []
    if entry.get("withheld"):
        # Fields withheld from this reader: the leaf hash stands for the whole
        # entry, and what can be proven is that this leaf is in the tree.
        computed = bytes.fromhex(entry["leaf_hash"])
    else:
        computed = leaf_hash(leaf_body(entry))
        if computed.hex() != entry["leaf_hash"]:
            problems.append(f"entry {entry['id']}: its content does not match its leaf hash")
    size = proof.get("tree_size", checkpoint.size)
    root = bytes.fromhex(proof["root_hash"]) if proof.get("root_hash") else checkpoint.root
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    if not verify_inclusion(computed, entry["position"] - 1, size, path, root):
        problems.append(f"entry {entry['id']}: the audit path does not lead to the root at size {size}")
    consistency = [bytes.fromhex(h) for h in proof.get("consistency_path", [])]
    if not verify_consistency(size, checkpoint.size, root, checkpoint.root, consistency):
        problems.append(f"the tree at size {size} is not extended by the signed checkpoint at size "
                        f"{checkpoint.size}")
    return problems

@dataclass
class Problem:
    entry_id: int | None
    position: int | None
    what: str

    def __str__(self) -> str:
        if self.entry_id is None and self.position is None:
            return self.what
        if self.entry_id is None:
            return f"position {self.position}: {self.what}"
        where = f" (position {self.position})" if self.position else ""
        return f"entry {self.entry_id}{where}: {self.what}"


def check_leaf(entry: dict) -> Problem | None:
    """An entry's own content against its leaf hash and private commitment."""
    private = entry.get("private")
    row = tuple(entry.get(k) for k in ROW_FIELDS[:-2]) + (
        (private["salt"], private["content"]) if private else (None, None))
    return _leaf_problem(row, leaf_hash(_body(row[2:12], row[12])).hex())


def _leaf_problem(row: tuple, computed_hex: str) -> Problem | None:
    if computed_hex != row[13]:
        return Problem(row[0], row[1], "altered: its content does not match its leaf hash")
    if row[16] is not None and private_digest(bytes.fromhex(row[15]), row[16]) != row[11]:
        return Problem(row[0], row[1], "altered: its private details do not match their commitment")
    return None


@dataclass
class Coverage:
    """What a verification covered, for its report: the stored checkpoints
    met, and on how many of them the signatures were verified (all of them,
    unless a sample was asked for)."""

    checkpoints: int = 0
    signatures_checked: int = 0
    sampled: bool = False

    def describe(self) -> str:
        met = f"{self.checkpoints:,} checkpoint{'' if self.checkpoints == 1 else 's'}"
        if not self.sampled:
            return f"{met}, every signature verified"
        return (f"{met}, signatures verified on a random sample of "
                f"{self.signatures_checked:,} (the latest included): every checkpoint's root was checked against "
                "the entries, but a signature outside the sample was not checked")


@dataclass
class _Claim:
    """A checkpoint the walk must meet: the size, root and chain head it
    states (the chain head may be absent from a checkpoint saved elsewhere),
    whether it was saved outside the ledger, and the first problem with it."""

    size: int
    root: bytes
    chain: str | None
    saved: bool
    signed_at: str
    problem: Problem | None = None


def _read_stored(cp: dict, known: dict, origin: str | None) -> tuple[Checkpoint, list[tuple]]:
    """A stored checkpoint read but not yet trusted, and the signature checks
    it needs, each (raw public keys any of which must verify, message,
    signature, what to say if none does); NoteError if it cannot hold."""
    if not cp.get("note"):
        message = _legacy_message(cp)
        try:
            signature = base64.b64decode(cp["signature"])
        except ValueError:
            raise NoteError("no signature by a known key") from None
        raws = tuple(k.public_key for k in known.values() if k.alg == ALG_ED25519)
        return (Checkpoint(cp["origin"], cp["tree_size"], bytes.fromhex(cp["root_hash"]),
                           (f"chain {cp['chain_hash']}",)),
                [(raws, message, signature, "no signature by a known key")])
    body, signatures = split_note(cp["note"])
    checkpoint = parse_checkpoint(body)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for another log: origin {checkpoint.origin!r}, not {origin!r}")
    checks, unknown, by_log = [], [], False
    for sig in signatures:
        key = known.get((sig.name, sig.key_id))
        if key is None:
            unknown.append(f"{sig.name}+{sig.key_id.hex()}")
            continue
        failed = f"the signature by {sig.name}+{sig.key_id.hex()} does not verify"
        signed = _signed_message(key, body, sig.signature)
        if signed is None:
            raise NoteError(failed)
        checks.append(((key.public_key,), *signed, failed))
        by_log = by_log or (key.name == checkpoint.origin and key.alg == ALG_ED25519)
    if not checks:
        raise NoteError("no signature by a known key (signed by " + ", ".join(unknown) + ")")
    if not by_log:
        raise NoteError(f"no signature by a known key of the log {checkpoint.origin!r}")
    return checkpoint, checks


def _failing(checks: list[tuple]) -> list[int]:
    """Which of `checks` (raw keys, message, signature) no key verifies; run
    in a worker process for a month of checkpoints."""
    return [i for i, (raws, message, signature) in enumerate(checks)
            if not any(_ed25519_holds(raw, message, signature) for raw in raws)]


class _Signatures:
    """The Ed25519 checks of the stored checkpoints, verified in worker
    processes while the caller walks the leaves, or in the caller when they
    are few. (Threads would not do: a thread that has verified a signature
    waits for the walking thread to release the interpreter before it can
    take the next one.) Chunks go out in the checkpoints' order, so a walk
    that stops early cancels the checks it no longer needs."""

    CHUNK = 4096
    PARALLEL_FROM = 2 * CHUNK

    def __init__(self, expected: int, workers: int | None) -> None:
        workers = (os.cpu_count() or 1) if workers is None else workers
        self._pool = None
        if workers > 1 and expected >= self.PARALLEL_FROM:
            import multiprocessing
            import threading
            from concurrent.futures import ProcessPoolExecutor

            # Forking is quickest, and safe while this is the process's only thread (the command line,
            # the offline verifier: the caller has not started reading rows yet). In a threaded server
            # the workers come from a clean fork server instead.
            methods = multiprocessing.get_all_start_methods()
            method = "fork" if "fork" in methods and threading.active_count() == 1 else \
                "forkserver" if "forkserver" in methods else None
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
        self._chunks: list[tuple[int, list[tuple[int, str]], object]] = []
        self._filling: list[tuple] = []
        self.count = 0

    def add(self, claim: int, size: int, checks: list[tuple]) -> None:
        self._filling.extend((claim, size, *check) for check in checks)
        self.count += 1
        if len(self._filling) >= self.CHUNK:
            self._send()

    def _send(self) -> None:
        chunk, self._filling = self._filling, []
        if not chunk:
            return
        work = [(raws, message, signature) for _, _, raws, message, signature, _ in chunk]
        pending = self._pool.submit(_failing, work) if self._pool else work
        self._chunks.append((min(size for _, size, *_ in chunk), [(c[0], c[5]) for c in chunk], pending))

    def failures(self, upto: float) -> dict[int, str]:
        """Claim index -> what failed, among the checkpoints of at most
        `upto` entries (the others are cancelled)."""
        self._send()
        failed: dict[int, str] = {}
        try:
            for smallest, labels, pending in self._chunks:
                if smallest > upto:
                    if self._pool:
                        pending.cancel()
                    continue
                for i in (pending.result() if self._pool else _failing(pending)):
                    failed.setdefault(labels[i][0], labels[i][1])
        finally:
            if self._pool:
                self._pool.shutdown(wait=True, cancel_futures=True)
        return failed

    def close(self) -> None:
        if self._pool:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _stopping_on_error(rows: Iterable[tuple], signatures: _Signatures) -> Iterator[tuple]:
    """The rows; if reading them fails (a broken export line, a lost
    database), the signature workers are stopped before the error goes on."""
    try:
        yield from rows
    except Exception:
        signatures.close()
        raise


def _claims(checkpoints: list[dict], saved: Iterable[Checkpoint], keys: list[VerifierKey], origin: str | None,
            sample: int | None, workers: int | None, coverage: Coverage) -> tuple[list[_Claim], _Signatures]:
    """Every checkpoint as a claim on the tree (stored ones in the order the
    ledger lists them, which is the order they were signed), their signature
    checks handed to `_Signatures` (all of them, or a random `sample` and the
    latest), and what is wrong with one before any entry is read."""
    known = {(k.name, k.key_id): k for k in keys}
    chosen = None
    if sample is not None and checkpoints:
        latest = max(range(len(checkpoints)), key=lambda i: checkpoints[i]["tree_size"])
        chosen = set(random.SystemRandom().sample(range(len(checkpoints)), min(sample, len(checkpoints))))
        chosen.add(latest)
    signatures = _Signatures(len(checkpoints) if chosen is None else len(chosen), workers)
    claims, previous = [], None
    for index, cp in enumerate(checkpoints):
        size = cp["tree_size"]
        try:
            signed, checks = _read_stored(cp, known, origin)
        except NoteError as error:
            claims.append(_Claim(size, b"", None, False, cp["created_at"],
                                 Problem(None, size, f"the checkpoint at size {size} does not verify: {error}")))
            continue
        claim = _Claim(size, signed.root, signed.extension("chain"), False, cp["created_at"])
        if (signed.size, signed.root.hex(), claim.chain) != (size, cp["root_hash"], cp["chain_hash"]):
            claim.problem = Problem(None, size, f"altered: the stored checkpoint at size {size} differs from its "
                                                "signed note")
        elif previous is not None and size < previous.size:
            claim.problem = Problem(None, size, f"out of order: the checkpoint signed at {claim.signed_at} covers "
                                                f"{size} entries, fewer than the {previous.size} of the checkpoint "
                                                f"listed before it (signed at {previous.signed_at})")
        if chosen is None or index in chosen:
            signatures.add(index, size, checks)
        claims.append(claim)
        previous = claim
    coverage.checkpoints, coverage.signatures_checked, coverage.sampled = len(claims), signatures.count, \
        chosen is not None
    for cp in saved:
        claims.append(_Claim(cp.size, cp.root, cp.extension("chain"), True, ""))
    return claims, signatures


def _meet(claim: _Claim, root: bytes, chain: str) -> Problem | None:
    """The tree at the claim's size (its root and chain head) against it."""
    if claim.saved:
        if root != claim.root or claim.chain not in (None, chain):
            return Problem(None, claim.size, f"re-written: the ledger's tree at size {claim.size} has root "
                                             f"{base64.b64encode(root).decode()}, not the root "
                                             f"{base64.b64encode(claim.root).decode()} of the checkpoint saved "
                                             "earlier")
    elif root != claim.root or chain != claim.chain:
        return Problem(None, claim.size, "altered: the entries up to here no longer match the checkpoint "
                                         f"signed at {claim.signed_at}")
    return None


def verify_rows(rows: Iterable[tuple], checkpoints: Iterable[dict], keys: Iterable[VerifierKey],
                sealed_size: int | None = None, *, origin: str | None = None,
                saved: Iterable[Checkpoint] = (), sign_sample: int | None = None, workers: int | None = None,
                coverage: Coverage | None = None) -> Iterator[Problem]:
    """Recompute every leaf and the chain, and check every checkpoint the
    ledger holds (signed by one of the known public `keys`, listed in the
    order signed) and every `saved` checkpoint kept outside it (already
    verified by the caller) against the tree, in one pass over the leaves:
    the walk keeps the tree's compact frontier and, at each checkpoint's
    size, folds it into the root the checkpoint must state. The signatures
    are verified beside the walk, in `workers` processes (by default one a
    core); with `sign_sample`, only that many drawn at random and the latest.

    `rows` are the sealed entries in position order, laid out as ROW_FIELDS.
    Yields the first problem, which names the first entry altered, removed
    or reordered, or the first checkpoint that does not hold: nothing after
    it can be trusted either. (One loop, no helper calls per entry: it runs
    a million times.)"""
    coverage = coverage if coverage is not None else Coverage()
    claims, signatures = _claims(list(checkpoints), saved, list(keys), origin, sign_sample, workers, coverage)
    by_size: dict[int, list[_Claim]] = {}
    for claim in claims:
        by_size.setdefault(claim.size, []).append(claim)
    # Past the smallest checkpoint already known to be wrong, the walk can only find later problems.
    horizon = min((c.size for c in claims if c.problem), default=float("inf"))
    stop: Problem | None = None
    for claim in by_size.pop(0, ()):
        claim.problem = claim.problem or _meet(claim, MerkleStack().root(), CHAIN_START.hex())
    sha256 = hashlib.sha256
    stack: list[bytes] = []
    chain = CHAIN_START
    size = 0
    for row in _stopping_on_error(rows, signatures) if horizon > 0 else ():
        position = size + 1
        if row[1] != position:
            what = "missing" if row[1] > position else "out of order"
            stop = Problem(None, position, f"{what}: found entry {row[0]} (position {row[1]}) in its place")
            break
        leaf = sha256(b"\x00" + _body(row[2:12], row[12])).digest()
        if row[16] is not None or leaf.hex() != row[13]:
            stop = _leaf_problem(row, leaf.hex())
            if stop:
                break
        chain = sha256(chain + leaf).digest()
        if chain.hex() != row[14]:
            stop = Problem(row[0], position, "altered or reordered: the hash chain breaks here")
            break
        stack.append(leaf)
        size = position
        n = size
        while not n & 1:
            right = stack.pop()
            stack[-1] = sha256(b"\x01" + stack[-1] + right).digest()
            n >>= 1
        if size in by_size:
            root, head = _root(stack), chain.hex()
            for claim in by_size.pop(size):
                claim.problem = claim.problem or _meet(claim, root, head)
                horizon = min(horizon, size) if claim.problem else horizon
            if size >= horizon:
                break
    else:
        for claim in (c for found in by_size.values() for c in found):
            claim.problem = claim.problem or Problem(None, size + 1, (
                f"rolled back: a checkpoint saved earlier covers {claim.size} entries but the ledger holds only "
                f"{size} sealed entries") if claim.saved else (
                f"missing: a signed checkpoint covers {claim.size} entries but only {size} are sealed"))
    for index, what in signatures.failures(upto=stop.position if stop else horizon).items():
        claims[index].problem = Problem(None, claims[index].size,
                                        f"the checkpoint at size {claims[index].size} does not verify: {what}")
    found = [(stop.position, 0, stop)] if stop else []
    found += [(c.problem.position, 1, c.problem) for c in claims if c.problem]
    if found:
        yield min(found, key=lambda f: f[:2])[2]
    elif sealed_size is not None and sealed_size != size:
        yield Problem(None, size + 1, f"missing: {sealed_size} entries were sealed but {size} remain")


def verify_entries(entries: Iterable[dict], checkpoints: Iterable[dict], keys: Iterable[VerifierKey],
                   sealed_size: int | None = None, **kwargs) -> Iterator[Problem]:
    """`verify_rows` for entries given as dicts (an export, a proof)."""
    def rows():
        for entry in entries:
            private = entry.get("private")
            yield tuple(entry.get(k) for k in ROW_FIELDS[:-2]) + (
                (private["salt"], private["content"]) if private else (None, None))
    return verify_rows(rows(), checkpoints, keys, sealed_size, **kwargs)


def _root(stack: list[bytes]) -> bytes:
    result = stack[-1]
    for left in reversed(stack[:-1]):
        result = node_hash(left, result)
    return result


_ENTRY_FIELDS = operator.itemgetter(*ROW_FIELDS[:-2])


def _read_export(path: str):
    """The export's checkpoints and sealed size (a first, cheap pass), and
    its entries as ROW_FIELDS tuples streamed in file order, which is
    position order (a second pass), so a million entries need no sorting
    and no list of dicts."""
    checkpoints, sealed_size = [], None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.startswith('{"type": "entry"'):
                continue
            try:
                record = json.loads(line)
                kind = record.pop("type")
            except (ValueError, KeyError, AttributeError):
                raise NoteError(f"line {number} of the export is not a ledger record") from None
            if kind == "checkpoint":
                checkpoints.append(record)
            elif kind == "sealed":
                sealed_size = record["size"]

    def rows():
        loads, fields, empty = json.loads, _ENTRY_FIELDS, (None, None)
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if line.startswith(('{"type": "checkpoint"', '{"type": "sealed"')):
                    continue  # read by the first pass
                try:
                    entry = loads(line)
                    if not line.startswith('{"type": "entry"') and entry.get("type") != "entry":
                        continue
                    private = entry.get("private")
                    yield fields(entry) + ((private["salt"], private["content"]) if private else empty)
                except (ValueError, KeyError, TypeError):
                    raise NoteError(f"line {number} of the export is not a ledger entry") from None
    return rows(), checkpoints, sealed_size


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def verify_bundle(bundle: dict, keys: list[VerifierKey], origin: str | None = None) -> list[str]:
    """An access-log download with proofs: the latest checkpoint verifies,
    it extends every checkpoint kept before, and each entry's leaf is in it.
    (Entries not sealed when it was made carry no path and are listed.)"""
    checkpoint, _ = open_checkpoint(bundle["checkpoint"], keys, origin)
    problems = []
    for kept in bundle.get("kept", []):
        old, _ = open_checkpoint(kept["checkpoint"], keys, checkpoint.origin)
        path = [bytes.fromhex(h) for h in kept["consistency_path"]]
        if not verify_consistency(old.size, checkpoint.size, old.root, checkpoint.root, path):
            problems.append(f"the checkpoint kept at size {old.size} is not extended by the latest one "
                            f"(size {checkpoint.size}): the ledger was rolled back or rewritten")
    for entry in bundle.get("entries", []):
        if entry["audit_path"] is None:
            print(f"entry {entry['entry_id']}: not yet sealed when this was downloaded")
            continue
        path = [bytes.fromhex(h) for h in entry["audit_path"]]
        if not verify_inclusion(bytes.fromhex(entry["leaf_hash"]), entry["position"] - 1, checkpoint.size, path,
                                checkpoint.root):
            problems.append(f"entry {entry['entry_id']}: not in the tree of the signed checkpoint")
    return problems


def load_keys(paths: list[str], vkeys: list[str]) -> list[VerifierKey]:
    keys = [parse_vkey(v) for v in vkeys]
    for path in paths:
        keys.extend(read_vkeys(_read_text(path)))
    if not keys:
        raise NoteError("no verifier keys: give --keys FILE or --key VKEY")
    return keys


def _check(args, keys: list[VerifierKey]) -> list[str]:
    if args.what == "proof":
        return verify_proof_document(json.loads(_read_text(args.file)), keys, args.origin)
    if args.what == "checkpoint":
        checkpoint, signers = open_checkpoint(_read_text(args.file), keys, args.origin)
        print(f"checkpoint of {checkpoint.origin} at size {checkpoint.size}, signed by "
              + ", ".join(f"{k.name}+{k.key_id.hex()}" for k in signers))
        return []
    if args.what == "consistency":
        old, _ = open_checkpoint(_read_text(args.file), keys, args.origin)
        new, _ = open_checkpoint(_read_text(args.new), keys, args.origin or old.origin)
        proof = [bytes.fromhex(h) for h in json.loads(_read_text(args.proof))["proof"]]
        if not verify_consistency(old.size, new.size, old.root, new.root, proof):
            return [f"the checkpoint at size {new.size} is not consistent with the one at size {old.size}"]
        return []
    if args.what == "bundle":
        return verify_bundle(json.loads(_read_text(args.file)), keys, args.origin)
    saved = [open_checkpoint(_read_text(path), keys, args.origin)[0] for path in args.against]
    rows, checkpoints, sealed_size = _read_export(args.file)
    coverage = Coverage()
    problems = [str(p) for p in verify_rows(rows, checkpoints, keys, sealed_size, origin=args.origin, saved=saved,
                                            sign_sample=args.sign_sample, coverage=coverage)]
    if not problems:
        print(f"checked against {coverage.describe()}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the hub's audit ledger offline.")
    parser.add_argument("what", choices=["proof", "export", "checkpoint", "consistency", "bundle"])
    parser.add_argument("file", help="the proof, export, or checkpoint (the older one, for consistency)")
    parser.add_argument("new", nargs="?", help="consistency: the newer checkpoint")
    parser.add_argument("proof", nargs="?", help="consistency: the proof from /api/v1/ledger/consistency")
    parser.add_argument("--keys", "--public-key", action="append", default=[], dest="keys",
                        help="a file of verifier keys (`hub ledger public-key`), one a line; may repeat")
    parser.add_argument("--key", action="append", default=[], help="a verifier key itself; may repeat")
    parser.add_argument("--origin", help="the log's origin line, when you know it")
    parser.add_argument("--against", action="append", default=[],
                        help="export: a checkpoint saved earlier that the ledger must extend; may repeat")
    parser.add_argument("--sign-sample", type=int, metavar="N",
                        help="export: verify the signatures of only N checkpoints drawn at random, and of the "
                             "latest, instead of every one (every root is still checked against the entries; a "
                             "signature outside the sample is not checked)")
    args = parser.parse_args(argv)
    if args.what == "consistency" and not (args.new and args.proof):
        parser.error("consistency needs OLD_CHECKPOINT NEW_CHECKPOINT PROOF_JSON")
    if args.sign_sample is not None and args.sign_sample < 0:
        parser.error("--sign-sample needs a number of checkpoints, 0 or more")
    try:
        problems = _check(args, load_keys(args.keys, args.key))
    except (NoteError, OSError, ValueError, KeyError, TypeError) as error:
        problems = [f"cannot check: {error}"]
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
