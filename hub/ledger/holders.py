"""Checkpoints held by those who rely on the ledger. Each organisation that
is shown a checkpoint (a partner reading its cameras' access log) keeps it:
the portal lists every one, and the access-log download carries them with
the proofs that today's ledger extends each, so the partner holds evidence
the hub cannot later take back by rolling its database back."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.ledger import tree
from hub.ledger.errors import NoCheckpoint
from hub.ledger.models import LedgerCheckpoint, LedgerCheckpointKept
from hub.ledger.services import record


def show_latest(actor: Any, organisation_id: int) -> LedgerCheckpoint | None:
    """The latest checkpoint, kept for the organisation the first time it
    is shown to it (and that keeping is on record)."""
    try:
        checkpoint = tree.latest_checkpoint()
    except NoCheckpoint:
        return None
    if db.session.get(LedgerCheckpointKept, (organisation_id, checkpoint.id)) is None:
        db.session.add(LedgerCheckpointKept(organisation_id=organisation_id, checkpoint_id=checkpoint.id,
                                            kept_at=utcnow()))
        record("ledger.checkpoint_kept", actor=actor, subject=("organisation", organisation_id),
               details={"tree_size": checkpoint.tree_size, "root_hash": checkpoint.root_hash})
    return checkpoint


def kept_checkpoints(organisation_id: int) -> list[LedgerCheckpoint]:
    return list(db.session.scalars(
        select(LedgerCheckpoint).join(LedgerCheckpointKept, LedgerCheckpointKept.checkpoint_id == LedgerCheckpoint.id)
        .where(LedgerCheckpointKept.organisation_id == organisation_id).order_by(LedgerCheckpoint.tree_size)))


def proof_bundle(actor: Any, organisation_id: int, entry_ids: list[int]) -> dict:
    """What a partner takes away: the latest checkpoint (with cosignatures),
    the ledger's public keys, every checkpoint it was shown with a
    consistency proof to the latest, and for each of its entries the leaf
    hash and audit path into the latest tree. Check it with
    `verifier.py bundle`. Entry content is in the access log beside it."""
    from hub.ledger import signing
    from hub.ledger.models import LedgerEntry

    latest = show_latest(actor, organisation_id)
    if latest is None:
        raise NoCheckpoint()
    size = latest.tree_size
    entries = []
    rows = db.session.execute(select(LedgerEntry.id, LedgerEntry.position, LedgerEntry.leaf_hash)
                              .where(LedgerEntry.id.in_(entry_ids)).order_by(LedgerEntry.id)).all() if entry_ids else []
    for entry_id, position, leaf in rows:
        sealed = position is not None and position <= size
        entries.append({"entry_id": entry_id, "position": position, "leaf_hash": leaf,
                        "audit_path": [h.hex() for h in tree.audit_path(position - 1, size)] if sealed else None})
    return {
        "origin": latest.origin, "verifier_keys": [k.vkey for k in signing.verifier_keys()],
        "checkpoint": tree.served_note(latest),
        "kept": [{"checkpoint": cp.note, "consistency_path": [h.hex() for h in tree.consistency_path(cp.tree_size, size)]}
                 for cp in kept_checkpoints(organisation_id) if cp.note],
        "entries": entries,
    }
