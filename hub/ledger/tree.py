"""Sealing, the stored Merkle tree, checkpoints and inclusion proofs.

`seal_and_checkpoint` is the only writer of positions and chain links: it
locks the one `LedgerState` row, takes the committed entries that have no
position yet (in id order), numbers them after the sealed ones, links the
chain, stores the new complete subtrees, and signs a checkpoint. Writers
never wait for it, and it never waits for them."""
from __future__ import annotations

from sqlalchemy import and_, bindparam, insert, or_, select, update

from hub.clock import utcnow
from hub.extensions import db
from hub.ledger import signing, verifier
from hub.ledger.errors import BadTreeSize, EntryNotCheckpointed, EntryNotFound, NoCheckpoint
from hub.ledger.models import LedgerCheckpoint, LedgerCosignature, LedgerEntry, LedgerState, LedgerTreeNode
from hub.ledger.services import format_time

SEAL_BATCH = 20000
_ENTRIES = LedgerEntry.__table__


def _leaf_hashes(first_index: int, last_index: int) -> list[bytes]:
    rows = db.session.execute(
        select(LedgerEntry.leaf_hash).where(LedgerEntry.position.between(first_index + 1, last_index + 1))
        .order_by(LedgerEntry.position))
    return [bytes.fromhex(h) for (h,) in rows]


def _nodes(level: int, first: int, last: int) -> list[bytes]:
    if level == 0:
        return _leaf_hashes(first, last)
    rows = db.session.execute(
        select(LedgerTreeNode.hash).where(LedgerTreeNode.level == level,
                                          LedgerTreeNode.idx.between(first, last))
        .order_by(LedgerTreeNode.idx))
    return [h for (h,) in rows]


def _store_nodes(built: int, size: int) -> None:
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


def _parts(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees, largest first, whose right fold is MTH(D[start:end])
    (RFC 6962 splits at the largest power of two below the size, so the
    pieces are the binary digits of the size)."""
    parts = []
    while start < end:
        n = end - start
        size = n if n & (n - 1) == 0 and start % n == 0 else 1 << ((n - 1).bit_length() - 1)
        level = size.bit_length() - 1
        parts.append((level, start >> level))
        start += size
    return parts


def _path_ranges(index: int, start: int, end: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form RFC 6962 PATH(index, D[start:end]), leaf first."""
    ranges = []
    while end - start > 1:
        k = 1 << ((end - start - 1).bit_length() - 1)
        if index - start < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def _subtree_hashes(ranges: list[tuple[int, int]]) -> list[bytes]:
    """MTH of each range, from stored subtrees fetched in two queries."""
    wanted = {part for r in ranges for part in _parts(*r)}
    leaves = [idx + 1 for level, idx in wanted if level == 0]
    nodes = [(level, idx) for level, idx in wanted if level > 0]
    found: dict[tuple[int, int], bytes] = {}
    if leaves:
        found.update(((0, position - 1), bytes.fromhex(h)) for position, h in db.session.execute(
            select(LedgerEntry.position, LedgerEntry.leaf_hash).where(LedgerEntry.position.in_(leaves))))
    if nodes:
        by_level: dict[int, list[int]] = {}
        for level, idx in nodes:
            by_level.setdefault(level, []).append(idx)
        found.update(((level, idx), h) for level, idx, h in db.session.execute(
            select(LedgerTreeNode.level, LedgerTreeNode.idx, LedgerTreeNode.hash).where(or_(*(
                and_(LedgerTreeNode.level == level, LedgerTreeNode.idx.in_(idxs))
                for level, idxs in by_level.items())))))
    hashes = []
    for r in ranges:
        pieces = [found[part] for part in _parts(*r)]
        result = pieces[-1]
        for left in reversed(pieces[:-1]):
            result = verifier.node_hash(left, result)
        hashes.append(result)
    return hashes


def _consistency_ranges(m: int, start: int, end: int, whole: bool = True) -> list[tuple[int, int]]:
    """The ranges whose hashes form RFC 9162 SUBPROOF(m, D[start:end], whole)."""
    n = end - start
    if m == n:
        return [] if whole else [(start, end)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return _consistency_ranges(m, start, start + k, whole) + [(start + k, end)]
    return _consistency_ranges(m - k, start + k, end, False) + [(start, start + k)]


def consistency_path(first: int, second: int) -> list[bytes]:
    """RFC 6962 section 2.1.2 PROOF(first, D[second]); empty when first is 0
    or equals second."""
    if first == 0 or first == second:
        return []
    return _subtree_hashes(_consistency_ranges(first, 0, second))


def subtree_hash(start: int, end: int) -> bytes:
    return _subtree_hashes([(start, end)])[0]


def audit_path(index: int, size: int) -> list[bytes]:
    return _subtree_hashes(_path_ranges(index, 0, size))


def _seal(state: LedgerState) -> int:
    """Give positions and chain links to committed, unsealed entries."""
    sealed = 0
    chain = bytes.fromhex(state.chain_hash)
    while True:
        batch = db.session.execute(
            select(_ENTRIES.c.id, _ENTRIES.c.leaf_hash).where(_ENTRIES.c.position.is_(None))
            .order_by(_ENTRIES.c.id).limit(SEAL_BATCH)).all()
        if not batch:
            break
        updates = []
        for entry_id, leaf in batch:
            chain = verifier.chain_next(chain, bytes.fromhex(leaf))
            sealed += 1
            updates.append({"entry_id": entry_id, "new_position": state.size + sealed, "new_chain": chain.hex()})
        db.session.execute(update(_ENTRIES).where(_ENTRIES.c.id == bindparam("entry_id"))
                           .values(position=bindparam("new_position"), chain_hash=bindparam("new_chain")),
                           updates)
    state.chain_hash = chain.hex()
    return sealed


def seal_and_checkpoint() -> LedgerCheckpoint | None:
    """Seal what has been committed and sign a checkpoint of it. Returns None
    when nothing was added since the last checkpoint."""
    db.session.execute(update(LedgerState).where(LedgerState.id == 1).values(size=LedgerState.size))
    state = db.session.get(LedgerState, 1, populate_existing=True)
    built = state.size
    added = _seal(state)
    if added == 0:
        return None
    state.size = built + added
    _store_nodes(built, state.size)
    db.session.add(checkpoint := sign_checkpoint(state.size, subtree_hash(0, state.size), state.chain_hash))
    db.session.flush()
    return checkpoint


def sign_checkpoint(size: int, root: bytes, chain_hash: str) -> LedgerCheckpoint:
    """A C2SP checkpoint note of the tree, with the chain head and the time as
    extension lines, signed by the log's key under its origin."""
    now = utcnow()
    created = format_time(now)
    body = verifier.Checkpoint(signing.origin(), size, root, (f"chain {chain_hash}", f"time {created}")).body
    line = verifier.sign_note(body, signing.origin(), signing.signing_key())
    return LedgerCheckpoint(
        origin=signing.origin(), tree_size=size, root_hash=root.hex(), chain_hash=chain_hash, created_at=now,
        created_at_text=created, key_id=line.key_id.hex(), signature=line.line.split(" ")[-1].strip(),
        note=body + "\n" + line.line)


def sealed_size_or_zero() -> int:
    return db.session.scalar(select(LedgerState.size).where(LedgerState.id == 1)) or 0


def latest_checkpoint() -> LedgerCheckpoint:
    checkpoint = db.session.scalars(
        select(LedgerCheckpoint).order_by(LedgerCheckpoint.tree_size.desc(), LedgerCheckpoint.id.desc())
        .limit(1)).first()
    if checkpoint is None:
        raise NoCheckpoint()
    return checkpoint


def checkpoint_at(size: int) -> LedgerCheckpoint:
    checkpoint = db.session.scalars(select(LedgerCheckpoint).where(LedgerCheckpoint.tree_size == size)
                                    .order_by(LedgerCheckpoint.id.desc()).limit(1)).first()
    if checkpoint is None:
        raise NoCheckpoint(f"The ledger signed no checkpoint at size {size}.")
    return checkpoint


def served_note(checkpoint: LedgerCheckpoint) -> str:
    """The checkpoint's note with every witness cosignature it has gathered."""
    lines = db.session.scalars(select(LedgerCosignature.line).where(LedgerCosignature.checkpoint_id == checkpoint.id)
                               .order_by(LedgerCosignature.id))
    return checkpoint.note + "".join(lines)


def checkpoint_document(checkpoint: LedgerCheckpoint) -> dict:
    return {**checkpoint.as_document(), "note": served_note(checkpoint)}


def _sizes(first: int | None, second: int | None, latest: int) -> tuple[int, int]:
    second = latest if second is None else second
    first = 0 if first is None else first
    if first < 0 or second < 0:
        raise BadTreeSize("A tree size cannot be negative.")
    if second > latest:
        raise BadTreeSize(f"The ledger's latest signed checkpoint covers {latest} entries, not {second}.")
    if first > second:
        raise BadTreeSize(f"The first size ({first}) is larger than the second ({second}).")
    return first, second


def consistency_proof(first: int, second: int | None = None) -> dict:
    """Proof that the tree at `second` (by default the latest checkpoint)
    extends the tree at `first`, with both roots and the signed checkpoint.
    Every hash comes from one look-up of stored subtrees."""
    checkpoint = latest_checkpoint()
    first, second = _sizes(first, second, checkpoint.tree_size)
    path = _consistency_ranges(first, 0, second) if 0 < first < second else []
    roots = [(0, size) for size in (first, second) if size]
    hashes = _subtree_hashes(roots + path)
    empty = verifier.MerkleStack().root()
    return {
        "first": first, "second": second,
        "first_root": (hashes[0] if first else empty).hex(),
        "second_root": (hashes[len(roots) - 1] if second else empty).hex(),
        "proof": [h.hex() for h in hashes[len(roots):]],
        "checkpoint": checkpoint_document(checkpoint),
    }


def inclusion_proof(entry_id: int, size: int | None = None) -> dict:
    """An entry's audit path in the tree of `size` entries (by default the
    latest checkpoint's), and a consistency path from that tree to the latest
    signed checkpoint, so the proof holds by itself and against any
    checkpoint of that size saved elsewhere."""
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None:
        raise EntryNotFound()
    checkpoint = latest_checkpoint()
    if entry.position is None or entry.position > checkpoint.tree_size:
        raise EntryNotCheckpointed()
    _, size = _sizes(0, size, checkpoint.tree_size)
    if entry.position > size:
        raise BadTreeSize(f"The entry is at position {entry.position}, outside a tree of {size} entries.")
    audit = _path_ranges(entry.position - 1, 0, size)
    extension = _consistency_ranges(size, 0, checkpoint.tree_size) if size < checkpoint.tree_size else []
    hashes = _subtree_hashes([(0, size)] + audit + extension)
    return {
        "entry": entry_document(entry),
        "leaf_index": entry.position - 1,
        "tree_size": size,
        "root_hash": hashes[0].hex(),
        "audit_path": [h.hex() for h in hashes[1:1 + len(audit)]],
        "consistency_path": [h.hex() for h in hashes[1 + len(audit):]],
        "checkpoint": checkpoint_document(checkpoint),
    }


def entry_document(entry: LedgerEntry) -> dict:
    """An entry as the verifier reads it (private details never included)."""
    return {
        "id": entry.id, "position": entry.position, "at": format_time(entry.created_at),
        "actor_id": entry.actor_id, "actor": entry.actor, "actor_org_id": entry.actor_org_id,
        "action": entry.action, "subject_type": entry.subject_type, "subject_id": entry.subject_id,
        "purpose": entry.purpose, "case_number": entry.case_number, "details": entry.details,
        "private_digest": entry.private_digest, "leaf_hash": entry.leaf_hash, "chain_hash": entry.chain_hash,
    }
