"""The one function that writes to the ledger, and what builds on it.

`record` runs inside the caller's transaction: it locks the ledger head,
appends the entry and moves the head, so the change it records and the entry
commit or roll back together, and two writers can never both extend the same
head. Call it after the change itself has been flushed: the head stays locked
until the caller commits."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update

from hub.clock import utcnow
from hub.errors import Refusal
from hub.extensions import db
from hub.ledger import verifier
from hub.ledger.models import LedgerEntry, LedgerHead, LedgerPrivateDetail

SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class Receipt:
    entry_id: int
    leaf_hash: str


def format_time(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def subject_ref(subject: Any) -> tuple[str | None, str | None]:
    """A subject is a model with `ledger_subject`, a (type, id) pair or None."""
    if subject is None:
        return None, None
    if isinstance(subject, tuple):
        kind, ident = subject
        return kind, None if ident is None else str(ident)
    kind, ident = subject.ledger_subject
    return kind, str(ident)


def actor_ref(actor: Any) -> tuple[int | None, str, int | None]:
    if actor is None:
        return None, SYSTEM_ACTOR, None
    if isinstance(actor, str):
        return None, f"{SYSTEM_ACTOR}:{actor}", None
    return actor.id, actor.username, actor.organisation_id


def record(action: str, *, actor: Any, subject: Any = None, purpose: str | None = None,
           case_number: str | None = None, details: dict | None = None,
           private: dict | None = None) -> Receipt:
    """Append one entry: who (`actor`: a user, a job's name, or None for the
    hub itself), what (`action`, `subject`), why (`purpose`, `case_number`)
    and `details`. `private` holds data that may later have to be destroyed;
    the entry commits to it by a salted hash."""
    session = db.session
    head = session.execute(
        update(LedgerHead).where(LedgerHead.id == 1).values(size=LedgerHead.size + 1)
        .returning(LedgerHead.size, LedgerHead.chain_hash, LedgerHead.last_at)
    ).one()
    entry_id, previous_chain, last_at = head
    at = utcnow()
    if last_at is not None and at < last_at:
        at = last_at
    actor_id, actor_label, actor_org_id = actor_ref(actor)
    subject_type, subject_id = subject_ref(subject)
    salt = private_text = digest = None
    if private:
        salt = os.urandom(16)
        private_text = verifier.canonical_json(private)
        digest = verifier.private_digest(salt, private_text)
    fields = {
        "id": entry_id, "at": format_time(at), "actor_id": actor_id, "actor": actor_label,
        "actor_org_id": actor_org_id, "action": action, "subject_type": subject_type,
        "subject_id": subject_id, "purpose": purpose, "case_number": case_number,
        "details": verifier.canonical_json(details or {}), "private_digest": digest,
    }
    leaf = verifier.leaf_hash(verifier.leaf_body(fields))
    chain = verifier.chain_next(bytes.fromhex(previous_chain), leaf)
    session.execute(insert(LedgerEntry), [{
        "id": entry_id, "created_at": at, "actor_id": actor_id, "actor": actor_label,
        "actor_org_id": actor_org_id, "action": action, "subject_type": subject_type,
        "subject_id": subject_id, "purpose": purpose, "case_number": case_number,
        "details": fields["details"], "private_digest": digest,
        "leaf_hash": leaf.hex(), "chain_hash": chain.hex(),
    }])
    if private:
        session.execute(insert(LedgerPrivateDetail),
                        [{"entry_id": entry_id, "salt": salt, "content": private_text}])
    session.execute(update(LedgerHead).where(LedgerHead.id == 1)
                    .values(chain_hash=chain.hex(), last_at=at))
    return Receipt(entry_id, leaf.hex())


def record_refusal(refusal: Refusal, *, reason: str, errors: Any) -> Receipt:
    """A refused attempt is itself on record: the attempt was rolled back,
    this entry stands alone in its own transaction."""
    return record(f"{refusal.action}.refused", actor=refusal.actor, subject=refusal.subject,
                  details={**refusal.details, "reason": reason, "errors": errors})


def erase_private_details(actor: Any, entry_ids: list[int], *, reason: str) -> int:
    """Destroy the private details of the given entries (a lawful destruction).
    The entries keep their digests, so the ledger still verifies."""
    existing = list(db.session.scalars(
        select(LedgerPrivateDetail.entry_id).where(LedgerPrivateDetail.entry_id.in_(entry_ids))))
    if existing:
        db.session.execute(delete(LedgerPrivateDetail).where(LedgerPrivateDetail.entry_id.in_(existing)))
    record("ledger.private_details_erased", actor=actor,
           details={"entry_ids": sorted(existing), "reason": reason})
    return len(existing)


def initialise_head() -> None:
    """The head row exists from the first migration on; this is for test
    databases built with create_all."""
    if db.session.get(LedgerHead, 1) is None:
        db.session.add(LedgerHead(id=1, size=0, chain_hash=verifier.CHAIN_START.hex()))
        from hub.ledger.models import LedgerTreeState
        db.session.add(LedgerTreeState(id=1, size=0))
        db.session.flush()
