"""The owner's view of access: every ledger entry that touched a camera,
read from the ledger itself, so what the owner sees is what the auditors
verify. Newest first, paged by entry id."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select

from hub import csv_export
from hub.cameras import permissions
from hub.cameras.models import Camera
from hub.extensions import db
from hub.identity.models import Organisation
from hub.ledger.errors import EntryNotFound
from hub.ledger.models import LedgerEntry, LedgerEntryCamera
from hub.ledger.tree import inclusion_proof

PAGE_SIZE = 100


@dataclass
class Filters:
    since: date | None = None
    until: date | None = None
    action: str | None = None
    actor: str | None = None
    case_number: str | None = None
    before_id: int | None = None


@dataclass
class Row:
    entry_id: int
    at: datetime
    actor: str
    organisation: str | None
    action: str
    purpose: str | None
    case_number: str | None
    reads: int | None


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def access_log(actor: Any, camera: Camera, filters: Filters, *, limit: int = PAGE_SIZE) -> list[Row]:
    if not permissions.may_see_access_log(actor, camera):
        raise permissions.refuse(actor, camera, "camera.access_log")
    query = (select(LedgerEntry.id, LedgerEntry.created_at, LedgerEntry.actor, Organisation.name,
                    LedgerEntry.action, LedgerEntry.purpose, LedgerEntry.case_number, LedgerEntry.details)
             .join(LedgerEntryCamera, LedgerEntryCamera.entry_id == LedgerEntry.id)
             .outerjoin(Organisation, Organisation.id == LedgerEntry.actor_org_id)
             .where(LedgerEntryCamera.camera_id == camera.id))
    if filters.since:
        query = query.where(LedgerEntry.created_at >= _start(filters.since))
    if filters.until:
        query = query.where(LedgerEntry.created_at < _start(filters.until + timedelta(days=1)))
    if filters.action:
        query = query.where(LedgerEntry.action == filters.action)
    if filters.actor:
        query = query.where(LedgerEntry.actor == filters.actor)
    if filters.case_number:
        query = query.where(LedgerEntry.case_number == filters.case_number)
    if filters.before_id:
        query = query.where(LedgerEntry.id < filters.before_id)
    rows = db.session.execute(query.order_by(LedgerEntry.id.desc()).limit(limit))
    return [Row(entry_id, at, who, org, action, purpose, case, json.loads(details).get("reads"))
            for entry_id, at, who, org, action, purpose, case, details in rows]


CSV_HEADER = ["entry_id", "time_utc", "actor", "organisation", "action", "purpose", "case_number", "reads",
              "proof_url"]


def access_log_csv(actor: Any, camera: Camera, filters: Filters, proof_url) -> str:
    """Every matching row (not one page), for the owner's own records."""
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(CSV_HEADER)
    page = Filters(**{**filters.__dict__, "before_id": None})
    while rows := access_log(actor, camera, page, limit=5000):
        for r in rows:
            writer.writerow([r.entry_id, r.at.strftime("%Y-%m-%dT%H:%M:%SZ"), r.actor, r.organisation or "",
                             r.action, r.purpose or "", r.case_number or "", "" if r.reads is None else r.reads,
                             proof_url(r.entry_id)])
        page.before_id = rows[-1].entry_id
    return out.getvalue()


def entry_proof(actor: Any, camera: Camera, entry_id: int) -> dict:
    """The inclusion proof of an entry in this camera's access log: the owner
    may check any access to its cameras without reading the rest of the ledger."""
    if not permissions.may_see_access_log(actor, camera):
        raise permissions.refuse(actor, camera, "camera.access_log")
    touches = db.session.scalar(select(LedgerEntryCamera.entry_id).where(
        LedgerEntryCamera.camera_id == camera.id, LedgerEntryCamera.entry_id == entry_id))
    if touches is None:
        raise EntryNotFound("No entry with that id touched this camera.")
    return inclusion_proof(entry_id)
