"""The one function that writes to the ledger, and what builds on it.

`record` runs inside the caller's transaction and only inserts: the entry
commits or rolls back with the change it records, and writers never wait for
one another. The sealer (`hub.ledger.tree.seal_and_checkpoint`) later gives
committed entries their positions and chain links, one sealer at a time, so
the chain cannot fork however many writers there are."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import Integer, bindparam, delete, func, insert, literal, select
from sqlalchemy.types import ARRAY

from hub.clock import utcnow
from hub.errors import Refusal
from hub.policy import drain_decisions
from hub.extensions import db
from hub.ledger import verifier
from hub.ledger.models import LedgerEntry, LedgerEntryCamera, LedgerPrivateDetail

SYSTEM_ACTOR = "system"
_ENTRIES = LedgerEntry.__table__
_PRIVATE = LedgerPrivateDetail.__table__
_INSERT_ENTRY = insert(_ENTRIES).returning(_ENTRIES.c.id)
_INSERT_PRIVATE = insert(_PRIVATE)
_INSERT_CAMERA = insert(LedgerEntryCamera.__table__)


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
    """(user id, label, organisation id) of whoever acts: the hub itself
    (None), a labelled system party (text), or an actor that says who it is
    in the ledger (users, jobs, cameras, clients acting for an officer)."""
    if actor is None:
        return None, SYSTEM_ACTOR, None
    if isinstance(actor, str):
        return None, f"{SYSTEM_ACTOR}:{actor}", None
    return getattr(actor, "ledger_actor", None) or (None, "anonymous", None)


def record(action: str, *, actor: Any, subject: Any = None, purpose: str | None = None,
           case_number: str | None = None, details: dict | None = None,
           private: dict | None = None, cameras: Iterable[int] = ()) -> Receipt:
    """Append one entry: who (`actor`: a user, a job's name, or None for the
    hub itself), what (`action`, `subject`), why (`purpose`, `case_number`)
    and `details`. `private` holds data that may later have to be destroyed;
    the entry commits to it by a salted hash. `cameras` are the ids of the
    cameras the action touched: they go into the details and into the index
    behind each owner's access log."""
    session = db.session
    session.flush()  # the change first, so the subject has its id and the order is the caller's
    decisions = drain_decisions()
    at = utcnow()
    actor_id, actor_label, actor_org_id = actor_ref(actor)
    subject_type, subject_id = subject_ref(subject)
    salt = private_text = digest = None
    if private:
        salt = os.urandom(16)
        private_text = verifier.canonical_json(private)
        digest = verifier.private_digest(salt, private_text)
    fields = {
        "at": format_time(at), "actor_id": actor_id, "actor": actor_label, "actor_org_id": actor_org_id,
        "action": action, "subject_type": subject_type, "subject_id": subject_id, "purpose": purpose,
        "case_number": case_number, "private_digest": digest,
    }
    camera_ids = sorted(set(cameras))
    body = dict(details or {})
    if camera_ids:
        body["cameras"] = camera_ids
    if decisions:
        body["policy_decisions"] = decisions
    via = getattr(actor, "ledger_via", None)
    if via:
        body["via"] = via
    fields["details"] = verifier.canonical_json(body)
    leaf = verifier.leaf_hash(verifier.leaf_body(fields)).hex()
    del fields["at"]
    connection = session.connection()
    entry_id = connection.execute(_INSERT_ENTRY, {**fields, "created_at": at, "leaf_hash": leaf}).scalar_one()
    if private:
        connection.execute(_INSERT_PRIVATE, {"entry_id": entry_id, "salt": salt, "content": private_text})
    if camera_ids:
        _index_cameras(connection, entry_id, camera_ids)
    return Receipt(entry_id, leaf)


def _index_cameras(connection, entry_id: int, camera_ids: list[int]) -> None:
    """The entry's rows in the owners' index, in one statement: a search
    names every camera it searched, hundreds of them. On PostgreSQL the ids
    go as one array, unnested by the database, rather than a row each."""
    if connection.dialect.name == "postgresql":
        ids = func.unnest(bindparam(None, camera_ids, type_=ARRAY(Integer)))
        connection.execute(_INSERT_CAMERA.from_select(["entry_id", "camera_id"], select(literal(entry_id), ids)))
    else:
        connection.execute(_INSERT_CAMERA, [{"entry_id": entry_id, "camera_id": c} for c in camera_ids])


def record_refusal(refusal: Refusal, *, reason: str, errors: Any) -> Receipt | None:
    """A refused attempt is itself on record: the attempt was rolled back,
    this entry stands alone in its own transaction. A refusal that names no
    signed-in user, no subject and no camera is one that anyone can repeat
    (an unknown OAuth client, say): it is counted per window and ledgered
    once for the window (`hub.ratelimit.failures`), so floods stay out."""
    from hub.identity.models import User
    from hub.ratelimit.failures import record_failure

    details = {**refusal.details, "reason": reason, "errors": errors}
    if not isinstance(refusal.actor, User) and refusal.subject is None and not refusal.cameras:
        return record_failure(f"{refusal.action}.refused", actor=refusal.actor, details=details)
    return record(f"{refusal.action}.refused", actor=refusal.actor, subject=refusal.subject,
                  details=details, cameras=refusal.cameras)


def erase_private_details(actor: Any, entry_ids: list[int], *, reason: str) -> int:
    """Destroy the private details of the given entries (a lawful destruction).
    The entries keep their digests, so the ledger still verifies."""
    existing = list(db.session.scalars(select(_PRIVATE.c.entry_id).where(_PRIVATE.c.entry_id.in_(entry_ids))))
    if existing:
        db.session.execute(delete(_PRIVATE).where(_PRIVATE.c.entry_id.in_(existing)))
    record("ledger.private_details_erased", actor=actor,
           details={"entry_ids": sorted(existing), "reason": reason})
    return len(existing)


def rotate_signing_key(actor: Any) -> tuple[str, str]:
    """Sign checkpoints with a new key from now on; the old public key stays
    listed, so every checkpoint it signed still verifies. The key file is
    replaced before the caller commits this entry."""
    from hub.ledger import signing

    old, new = signing.rotate()
    record("ledger.key_rotated", actor=actor, details={"old_key": old.vkey, "new_key": new.vkey})
    return old.vkey, new.vkey
