"""The auditor's view of the whole ledger: entries paged by id and filtered,
the latest signed checkpoint, and verification run on request. Reading the
ledger is itself on record."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select

from hub.errors import Forbidden, Refusal
from hub.extensions import db
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record

PAGE_SIZE = 100


@dataclass
class LedgerFilters:
    action: str | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None
    before_id: int | None = None


def _require(actor: Any, action: str) -> None:
    if not can(actor, Capability.READ_LEDGER):
        raise Forbidden("The ledger is read by auditors, the chief and the hub's administrators.",
                        refusal=Refusal(action, actor, None))


def entries(actor: Any, filters: LedgerFilters, *, limit: int = PAGE_SIZE) -> list[LedgerEntry]:
    """Newest first. The private details beside an entry are never shown."""
    _require(actor, "ledger.browse")
    query = select(LedgerEntry)
    if filters.action:
        query = query.where(LedgerEntry.action == filters.action)
    if filters.actor:
        query = query.where(LedgerEntry.actor == filters.actor)
    if filters.since:
        query = query.where(LedgerEntry.created_at >= datetime.combine(filters.since, time.min, tzinfo=timezone.utc))
    if filters.until:
        query = query.where(LedgerEntry.created_at < datetime.combine(filters.until + timedelta(days=1), time.min,
                                                                      tzinfo=timezone.utc))
    if filters.before_id:
        query = query.where(LedgerEntry.id < filters.before_id)
    found = list(db.session.scalars(query.order_by(LedgerEntry.id.desc()).limit(limit)))
    record("ledger.browsed", actor=actor, details={"entries": len(found), "action": filters.action,
                                                   "before": filters.before_id})
    return found


def verify(actor: Any) -> list:
    """The full verification, as `hub ledger verify` runs it."""
    from hub.ledger.verification import verify_ledger

    _require(actor, "ledger.verify")
    problems = verify_ledger()
    record("ledger.verified", actor=actor, details={"problems": len(problems)})
    return problems
