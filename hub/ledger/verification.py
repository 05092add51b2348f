"""Whole-ledger verification and export, for `hub ledger verify` and for
auditors who check the ledger offline with `verifier.py`."""
from __future__ import annotations

import json
from typing import Iterator

from sqlalchemy import select

from hub.extensions import db
from hub.ledger import signing, verifier
from hub.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerPrivateDetail
from hub.ledger.services import format_time

_COLUMNS = (LedgerEntry.id, LedgerEntry.created_at, LedgerEntry.actor_id, LedgerEntry.actor,
            LedgerEntry.actor_org_id, LedgerEntry.action, LedgerEntry.subject_type,
            LedgerEntry.subject_id, LedgerEntry.purpose, LedgerEntry.case_number,
            LedgerEntry.details, LedgerEntry.private_digest, LedgerEntry.leaf_hash,
            LedgerEntry.chain_hash)
_KEYS = ("id", "at", "actor_id", "actor", "actor_org_id", "action", "subject_type", "subject_id",
         "purpose", "case_number", "details", "private_digest", "leaf_hash", "chain_hash")


def stream_entries(batch: int = 20000) -> Iterator[dict]:
    """Entries in id order, with their private details where still held.
    Paged by id so memory stays flat at any ledger size."""
    after = 0
    while True:
        rows = db.session.execute(
            select(*_COLUMNS).where(LedgerEntry.id > after).order_by(LedgerEntry.id).limit(batch)).all()
        if not rows:
            return
        private = {}
        with_private = [r[0] for r in rows if r[11] is not None]
        if with_private:
            private = {
                entry_id: {"salt": salt.hex(), "content": content}
                for entry_id, salt, content in db.session.execute(
                    select(LedgerPrivateDetail.entry_id, LedgerPrivateDetail.salt, LedgerPrivateDetail.content)
                    .where(LedgerPrivateDetail.entry_id.in_(with_private)))
            }
        for row in rows:
            entry = dict(zip(_KEYS, row))
            entry["at"] = format_time(entry["at"])
            if entry["id"] in private:
                entry["private"] = private[entry["id"]]
            yield entry
        after = rows[-1][0]


def checkpoints() -> list[dict]:
    return [c.as_document() for c in db.session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id))]


def head() -> dict:
    size, chain_hash = db.session.execute(select(LedgerHead.size, LedgerHead.chain_hash)).one()
    return {"size": size, "chain_hash": chain_hash}


def verify_ledger() -> list[verifier.Problem]:
    """Every problem found, first one first (verification stops at the first
    broken link: what follows it cannot be trusted either)."""
    public_key = signing.signing_key().public_key()
    return list(verifier.verify_entries(stream_entries(), checkpoints(), public_key, head()))


def export_lines() -> Iterator[str]:
    """The ledger as JSON lines, without private details: what an auditor
    takes away to check with `verifier.py export`."""
    for entry in stream_entries():
        entry.pop("private", None)
        yield json.dumps({"type": "entry", **entry}, ensure_ascii=False)
    for cp in checkpoints():
        yield json.dumps({"type": "checkpoint", **cp})
    yield json.dumps({"type": "head", **head()})
