"""A request's history, read from the ledger: every state change of a
request is an entry naming it, so the ledger is the history and nothing
keeps a second copy that could disagree with it."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hub.data_requests.models import DataRequest
from hub.extensions import db
from hub.ledger import actions
from hub.ledger.models import LedgerEntry

# What the requesting agency is shown of an entry's details; staff see them all.
REQUESTER_DETAILS = ("channel", "status", "decision", "reads", "package_sha256")


@dataclass
class Event:
    entry_id: int
    at: datetime
    what: str
    who: str
    details: dict


def entries(request: DataRequest) -> list[LedgerEntry]:
    return list(db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.subject_type == "data_request", LedgerEntry.subject_id == str(request.id))
        .order_by(LedgerEntry.id)))


def of(request: DataRequest, *, staff: bool) -> list[Event]:
    """The request's events, oldest first: all of each for the agency's
    staff; for the requester, what happened and when, without the names of
    the agency's people or its internal notes."""
    events = []
    for entry in entries(request):
        details = json.loads(entry.details)
        details.pop("policy_decisions", None)
        if not staff:
            if entry.action.endswith(".refused"):
                continue
            details = {k: v for k, v in details.items() if k in REQUESTER_DETAILS}
        events.append(Event(entry.id, entry.created_at, actions.label(entry.action),
                            entry.actor if staff else "", details))
    return events
