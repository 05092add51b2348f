"""The auditor's view of the whole ledger: entries paged, sorted and filtered,
the latest signed checkpoint, and verification run on request. Reading the
ledger is itself on record."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select

from hub import paging
from hub.errors import Forbidden, Refusal
from hub.extensions import db
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record

# The columns an auditor may sort by.
SORTS = {"id": paging.Sort("#", (LedgerEntry.id,)), "actor": paging.Sort("Who", (LedgerEntry.actor,)),
         "action": paging.Sort("What", (LedgerEntry.action,))}


@dataclass
class LedgerFilters:
    action: str | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None


def _require(actor: Any, action: str) -> None:
    if not can(actor, Capability.READ_LEDGER):
        raise Forbidden("The ledger is read by auditors, the chief and the hub's administrators.",
                        refusal=Refusal(action, actor, None))


def entries(actor: Any, filters: LedgerFilters, asked: paging.PageRequest | None = None) -> paging.Page:
    """Newest first unless asked otherwise. The private details beside an
    entry are never shown."""
    _require(actor, "ledger.browse")
    asked = asked or paging.PageRequest(1, paging.PAGE_SIZES[-1], "id", True)
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
    page = paging.paginate(query, asked, SORTS, LedgerEntry.id)
    record("ledger.browsed", actor=actor, details={"entries": len(page.items), "action": filters.action,
                                                   "page": page.page, "sort": asked.sort})
    return page


def verify(actor: Any) -> list:
    """The full verification, as `hub ledger verify` runs it."""
    from hub.ledger.verification import verify_ledger

    _require(actor, "ledger.verify")
    problems = verify_ledger()
    record("ledger.verified", actor=actor, details={"problems": len(problems)})
    return problems
