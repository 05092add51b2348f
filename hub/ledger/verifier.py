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
with the algorithm of RFC 9162 section 2.1.3.2. An entry's leaf is its content;
its place is its `position` (1-based) in the tree, given when the hub seals it.
Beside the tree, sealed entries form a hash chain in position order,
chain[p] = SHA-256(chain[p-1] || leaf_hash[p]), with chain[0] = 32 zero bytes.
The hub's own code computes every hash through this module, so the hub and the
offline check cannot drift apart.
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
    if entry.get("withheld"):
        # Fields withheld from this reader: the leaf hash stands for the whole
        # entry, and what can be proven is that this leaf is in the tree.
        computed = bytes.fromhex(entry["leaf_hash"])
    else:
        computed = leaf_hash(leaf_body(entry))
        if computed.hex() != entry["leaf_hash"]:
            problems.append(f"entry {entry['id']}: its content does not match its leaf hash")
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    if not verify_inclusion(computed, entry["position"] - 1, cp["tree_size"], path, bytes.fromhex(cp["root_hash"])):
        problems.append(f"entry {entry['id']}: the audit path does not lead to the checkpoint's root")
    if not verify_checkpoint_signature(cp, public_key):
        problems.append(f"checkpoint at size {cp['tree_size']}: the signature does not verify")
    return problems


@dataclass
class Problem:
    entry_id: int | None
    position: int | None
    what: str

    def __str__(self) -> str:
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


def verify_rows(rows: Iterable[tuple], checkpoints: Iterable[dict], public_key,
                sealed_size: int | None = None) -> Iterator[Problem]:
    """Recompute every leaf, the chain and the roots of every checkpoint.

    `rows` are the sealed entries in position order, laid out as ROW_FIELDS.
    Stops at the first problem, which names the first entry that was altered,
    removed or reordered: nothing after a broken link can be trusted either.
    (One loop, no helper calls per entry: it runs a million times.)"""
    by_size: dict[int, list[dict]] = {}
    for cp in checkpoints:
        by_size.setdefault(cp["tree_size"], []).append(cp)
    sha256 = hashlib.sha256
    stack: list[bytes] = []
    chain = CHAIN_START
    size = 0
    for row in rows:
        position = size + 1
        if row[1] != position:
            what = "missing" if row[1] > position else "out of order"
            yield Problem(None, position, f"{what}: found entry {row[0]} (position {row[1]}) in its place")
            return
        leaf = sha256(b"\x00" + _body(row[2:12], row[12])).digest()
        if row[16] is not None or leaf.hex() != row[13]:
            problem = _leaf_problem(row, leaf.hex())
            if problem:
                yield problem
                return
        chain = sha256(chain + leaf).digest()
        if chain.hex() != row[14]:
            yield Problem(row[0], position, "altered or reordered: the hash chain breaks here")
            return
        stack.append(leaf)
        size = position
        n = size
        while not n & 1:
            right = stack.pop()
            stack[-1] = sha256(b"\x01" + stack[-1] + right).digest()
            n >>= 1
        if size in by_size:
            for cp in by_size.pop(size):
                problem = _check_checkpoint(cp, _root(stack), chain, public_key)
                if problem:
                    yield problem
                    return
    for tree_size in sorted(by_size):
        yield Problem(None, size + 1, f"missing: a signed checkpoint covers {tree_size} entries but only "
                                      f"{size} are sealed")
        return
    if sealed_size is not None and sealed_size != size:
        yield Problem(None, size + 1, f"missing: {sealed_size} entries were sealed but {size} remain")


def verify_entries(entries: Iterable[dict], checkpoints: Iterable[dict], public_key,
                   sealed_size: int | None = None) -> Iterator[Problem]:
    """`verify_rows` for entries given as dicts (an export, a proof)."""
    def rows():
        for entry in entries:
            private = entry.get("private")
            yield tuple(entry.get(k) for k in ROW_FIELDS[:-2]) + (
                (private["salt"], private["content"]) if private else (None, None))
    return verify_rows(rows(), checkpoints, public_key, sealed_size)


def _root(stack: list[bytes]) -> bytes:
    result = stack[-1]
    for left in reversed(stack[:-1]):
        result = node_hash(left, result)
    return result


def _check_checkpoint(cp: dict, root: bytes, chain: bytes, public_key) -> Problem | None:
    if not verify_checkpoint_signature(cp, public_key):
        return Problem(None, cp["tree_size"], f"the checkpoint at size {cp['tree_size']} has a bad signature")
    if root.hex() != cp["root_hash"] or chain.hex() != cp["chain_hash"]:
        return Problem(None, cp["tree_size"], "altered: the entries up to here no longer match the checkpoint "
                                              f"signed at {cp['created_at']}")
    return None


def _read_export(path: str):
    entries, checkpoints, sealed_size = [], [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            kind = record.pop("type")
            if kind == "entry":
                entries.append(record)
            elif kind == "checkpoint":
                checkpoints.append(record)
            elif kind == "sealed":
                sealed_size = record["size"]
    entries.sort(key=lambda e: e["position"])
    return entries, checkpoints, sealed_size


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
        entries, checkpoints, sealed_size = _read_export(args.file)
        problems = [str(p) for p in verify_entries(entries, checkpoints, key, sealed_size)]
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
