"""Stored Merkle tree: complete-subtree hashes, checkpoints and inclusion
proofs. Nodes are built incrementally when a checkpoint is made, never on the
write path, so recording an entry stays three statements."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import insert, select, update

from hub.clock import utcnow
from hub.extensions import db
from hub.ledger import signing, verifier
from hub.ledger.errors import EntryNotCheckpointed, EntryNotFound, NoCheckpoint
from hub.ledger.models import (LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerTreeNode,
                               LedgerTreeState)
from hub.ledger.services import format_time


def _leaf_hashes(first_index: int, last_index: int) -> list[bytes]:
    rows = db.session.execute(
        select(LedgerEntry.leaf_hash).where(LedgerEntry.id.between(first_index + 1, last_index + 1))
        .order_by(LedgerEntry.id))
    return [bytes.fromhex(h) for (h,) in rows]


def _nodes(level: int, first: int, last: int) -> list[bytes]:
    if level == 0:
        return _leaf_hashes(first, last)
    rows = db.session.execute(
        select(LedgerTreeNode.hash).where(LedgerTreeNode.level == level,
                                          LedgerTreeNode.idx.between(first, last))
        .order_by(LedgerTreeNode.idx))
    return [h for (h,) in rows]


def _extend_nodes(built: int, size: int) -> None:
    """Store every complete subtree of the first `size` leaves that the first
    `built` leaves did not already complete."""
    level = 1
    while (size >> level) > (built >> level):
        first, last = built >> level, (size >> level) - 1
        children = _nodes(level - 1, 2 * first, 2 * last + 1)
        rows = [{"level": level, "idx": first + i, "hash": verifier.node_hash(children[2 * i], children[2 * i + 1])}
                for i in range(last - first + 1)]
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(LedgerTreeNode), rows[start:start + 5000])
        level += 1


def subtree_hash(start: int, end: int) -> bytes:
    """MTH of leaves [start, end), from stored complete subtrees."""
    n = end - start
    if n & (n - 1) == 0 and start % n == 0:
        level = n.bit_length() - 1
        return _nodes(level, start >> level, start >> level)[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return verifier.node_hash(subtree_hash(start, start + k), subtree_hash(start + k, end))


def audit_path(index: int, start: int, end: int) -> list[bytes]:
    """RFC 6962 PATH(m, D[start:end]), leaf first."""
    n = end - start
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if index - start < k:
        return audit_path(index, start, start + k) + [subtree_hash(start + k, end)]
    return audit_path(index, start + k, end) + [subtree_hash(start, start + k)]


def make_checkpoint() -> LedgerCheckpoint | None:
    """Sign the ledger as it stands. Returns None when nothing was added
    since the last checkpoint."""
    db.session.execute(update(LedgerTreeState).where(LedgerTreeState.id == 1)
                       .values(size=LedgerTreeState.size))
    built = db.session.scalar(select(LedgerTreeState.size).where(LedgerTreeState.id == 1))
    size, chain_hash = db.session.execute(
        select(LedgerHead.size, LedgerHead.chain_hash).where(LedgerHead.id == 1)).one()
    if size == 0 or size == built:
        return None
    _extend_nodes(built, size)
    db.session.execute(update(LedgerTreeState).where(LedgerTreeState.id == 1).values(size=size))
    now = utcnow()
    document = {
        "origin": current_app.config["LEDGER_ORIGIN"], "tree_size": size,
        "root_hash": subtree_hash(0, size).hex(), "chain_hash": chain_hash,
        "created_at": format_time(now),
    }
    checkpoint = LedgerCheckpoint(
        origin=document["origin"], tree_size=size, root_hash=document["root_hash"],
        chain_hash=chain_hash, created_at=now, created_at_text=document["created_at"],
        key_id=signing.key_id(), signature=signing.sign(verifier.checkpoint_message(document)),
    )
    db.session.add(checkpoint)
    db.session.flush()
    return checkpoint


def latest_checkpoint() -> LedgerCheckpoint:
    checkpoint = db.session.scalars(
        select(LedgerCheckpoint).order_by(LedgerCheckpoint.tree_size.desc(), LedgerCheckpoint.id.desc())
        .limit(1)).first()
    if checkpoint is None:
        raise NoCheckpoint()
    return checkpoint


def inclusion_proof(entry_id: int) -> dict:
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None:
        raise EntryNotFound()
    checkpoint = latest_checkpoint()
    if entry_id > checkpoint.tree_size:
        raise EntryNotCheckpointed()
    path = audit_path(entry_id - 1, 0, checkpoint.tree_size)
    return {
        "entry": entry_document(entry),
        "leaf_index": entry_id - 1,
        "audit_path": [h.hex() for h in path],
        "checkpoint": checkpoint.as_document(),
    }


def entry_document(entry: LedgerEntry) -> dict:
    """An entry as the verifier reads it (private details never included)."""
    return {
        "id": entry.id, "at": format_time(entry.created_at), "actor_id": entry.actor_id,
        "actor": entry.actor, "actor_org_id": entry.actor_org_id, "action": entry.action,
        "subject_type": entry.subject_type, "subject_id": entry.subject_id,
        "purpose": entry.purpose, "case_number": entry.case_number, "details": entry.details,
        "private_digest": entry.private_digest, "leaf_hash": entry.leaf_hash,
        "chain_hash": entry.chain_hash,
    }
