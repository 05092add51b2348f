"""Offline verifier for the hub's audit ledger.

This file depends only on the Python standard library and `cryptography`, so an
auditor or a partner can copy it and check, without trusting the hub:

* an inclusion proof (`GET /api/v1/ledger/entries/<id>/proof`) against the
  signed checkpoint it carries, with a public key obtained out of band::

      python verifier.py proof proof.json --public-key ledger-key.pub

* a full export of the ledger (`hub ledger export > ledger.jsonl`): every leaf,
  the hash chain and every signed checkpoint are recomputed::

      python verifier.py export ledger.jsonl --public-key ledger-key.pub

Hashing follows RFC 6962 section 2.1: a leaf hash is SHA-256(0x00 || leaf) and
an interior node SHA-256(0x01 || left || right); inclusion proofs are checked
with the algorithm of RFC 9162 section 2.1.3.2. Beside the tree, each entry
extends a hash chain, chain[n] = SHA-256(chain[n-1] || leaf_hash[n]), with
chain[0] = 32 zero bytes. The hub's own code computes every hash through this
module, so the hub and the offline check cannot drift apart.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from dataclasses import dataclass
from typing import Iterable, Iterator

LEAF_VERSION = 1
CHAIN_START = bytes(32)
CHECKPOINT_HEADER = "alpr-hub-ledger-checkpoint/v1"


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def leaf_body(entry: dict) -> bytes:
    """The exact bytes an entry's leaf hash commits to. `details` is the
    entry's canonical JSON text, spliced in as stored."""
    head = json.dumps(
        [LEAF_VERSION, entry["id"], entry["at"], entry["actor_id"], entry["actor"],
         entry["actor_org_id"], entry["action"], entry["subject_type"], entry["subject_id"],
         entry["purpose"], entry["case_number"], entry["private_digest"]],
        ensure_ascii=False, separators=(",", ":"),
    )
    return (head[:-1] + "," + entry["details"] + "]").encode()


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
        if not self._stack:
            return hashlib.sha256(b"").digest()
        result = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            result = node_hash(left, result)
        return result


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


def checkpoint_message(cp: dict) -> bytes:
    return "\n".join([
        CHECKPOINT_HEADER, cp["origin"], str(cp["tree_size"]), cp["root_hash"],
        cp["chain_hash"], cp["created_at"],
    ]).encode() + b"\n"


def load_public_key(data: bytes):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(data)


def verify_checkpoint_signature(cp: dict, public_key) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(base64.b64decode(cp["signature"]), checkpoint_message(cp))
    except (InvalidSignature, ValueError, KeyError):
        return False
    return True


def verify_proof_document(proof: dict, public_key) -> list[str]:
    """Problems with an inclusion-proof document; an empty list means it holds."""
    problems = []
    entry, cp = proof["entry"], proof["checkpoint"]
    computed = leaf_hash(leaf_body(entry))
    if computed.hex() != entry["leaf_hash"]:
        problems.append(f"entry {entry['id']}: its content does not match its leaf hash")
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    if not verify_inclusion(computed, entry["id"] - 1, cp["tree_size"], path, bytes.fromhex(cp["root_hash"])):
        problems.append(f"entry {entry['id']}: the audit path does not lead to the checkpoint's root")
    if not verify_checkpoint_signature(cp, public_key):
        problems.append(f"checkpoint at size {cp['tree_size']}: the signature does not verify")
    return problems


@dataclass
class Problem:
    entry_id: int
    what: str

    def __str__(self) -> str:
        return f"entry {self.entry_id}: {self.what}"


def verify_entries(entries: Iterable[dict], checkpoints: Iterable[dict], public_key,
                   head: dict | None = None) -> Iterator[Problem]:
    """Recompute every leaf, the chain and the roots of every checkpoint.

    `entries` must come in id order with `leaf_hash` and `chain_hash` as
    stored. Yields the problems in ledger order, so the first one names the
    first entry that was altered, removed or reordered."""
    by_size = {}
    for cp in checkpoints:
        by_size.setdefault(cp["tree_size"], []).append(cp)
    stack = MerkleStack()
    chain = CHAIN_START
    expected_id = 1
    for entry in entries:
        if entry["id"] != expected_id:
            what = "missing" if entry["id"] > expected_id else "out of order"
            yield Problem(expected_id, f"{what} (found entry {entry['id']} in its place)")
            return
        computed = leaf_hash(leaf_body(entry))
        if computed.hex() != entry["leaf_hash"]:
            yield Problem(entry["id"], "altered: its content does not match its leaf hash")
            return
        stored_private = entry.get("private")
        if stored_private is not None and private_digest(
                bytes.fromhex(stored_private["salt"]), stored_private["content"]) != entry["private_digest"]:
            yield Problem(entry["id"], "altered: its private details do not match their commitment")
            return
        chain = chain_next(chain, computed)
        if chain.hex() != entry["chain_hash"]:
            yield Problem(entry["id"], "altered: the hash chain breaks here")
            return
        stack.append(computed)
        for cp in by_size.pop(stack.size, []):
            yield from _check_checkpoint(cp, stack, chain, public_key)
        expected_id += 1
    for size in sorted(by_size):
        yield Problem(size, f"missing: a signed checkpoint covers {size} entries but the ledger ends at {stack.size}")
        return
    if head is not None and head["size"] != stack.size:
        yield Problem(stack.size + 1, f"missing: the ledger records {head['size']} entries but holds {stack.size}")


def _check_checkpoint(cp: dict, stack: MerkleStack, chain: bytes, public_key) -> Iterator[Problem]:
    if not verify_checkpoint_signature(cp, public_key):
        yield Problem(cp["tree_size"], f"checkpoint at size {cp['tree_size']} has a bad signature")
    elif stack.root().hex() != cp["root_hash"] or chain.hex() != cp["chain_hash"]:
        yield Problem(cp["tree_size"],
                      f"altered: the ledger up to here no longer matches the checkpoint signed at {cp['created_at']}")


def _read_export(path: str):
    entries, checkpoints, head = [], [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            kind = record.pop("type")
            if kind == "entry":
                entries.append(record)
            elif kind == "checkpoint":
                checkpoints.append(record)
            elif kind == "head":
                head = record
    entries.sort(key=lambda e: e["id"])
    return entries, checkpoints, head


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the hub's audit ledger offline.")
    parser.add_argument("what", choices=["proof", "export"])
    parser.add_argument("file")
    parser.add_argument("--public-key", required=True, help="the hub's ledger public key (PEM)")
    args = parser.parse_args(argv)
    with open(args.public_key, "rb") as f:
        key = load_public_key(f.read())
    if args.what == "proof":
        with open(args.file, encoding="utf-8") as f:
            problems = [str(p) for p in verify_proof_document(json.load(f), key)]
    else:
        entries, checkpoints, head = _read_export(args.file)
        problems = [str(p) for p in verify_entries(entries, checkpoints, key, head)]
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
