"""The owner's view of access: every ledger entry that touched a camera,
read from the ledger itself, so what the owner sees is what the auditors
verify (each row's proof covers the whole entry). Newest first, paged by
entry id. A partner sees who accessed what, when, under which grant or
standing share and for what category of purpose, in plain words; never the
investigation's content (free-text notes, plates, case numbers), which is
confidential active criminal investigative data. The agency's staff see the
entries as recorded."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select

from hub import csv_export, paging, policy
from hub.cameras import permissions
from hub.cameras.models import Camera
from hub.extensions import db
from hub.identity.models import Organisation, User
from hub.identity.roles import OrganisationKind
from hub.ledger import actions, holders
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
    under: str | None = None

    @property
    def label(self) -> str:
        return actions.label(self.action)

    @property
    def description(self) -> str:
        return actions.description(self.action)


# The kind of purpose an entry served, for owners: the category, never the words.
PURPOSE_CATEGORIES = (("reads.search", "Search"), ("reads.export", "Search"), ("data.search", "Search"),
                      ("reads.", "Collection"), ("read.", "Read verification"), ("alert", "Hotlist hit"),
                      ("grant.", "Partner access grant"), ("camera.", "Camera administration"))


def purpose_category(action: str, purpose: str | None, purposes: dict[str, str]) -> str | None:
    if purpose in purposes:
        return purposes[purpose]
    return next((label for prefix, label in PURPOSE_CATEGORIES if action.startswith(prefix)), None)


def under_what(action: str, subject_type: str | None, subject_id: str | None, details: dict) -> str | None:
    """The grant or standing share an access came under."""
    if subject_type == "grant" or "grant_id" in details:
        return f"Grant {details.get('grant_id') or subject_id}"
    if action.startswith("alert"):
        return "Alerts (sharing mode)"
    if details.get("granted_cameras"):
        return "Standing share or a grant to the case"
    if action.startswith(("reads.", "read.")):
        return "Standing share"
    return None


def owner_row(entry_id, at, actor, organisation, action, purpose, case_number, details: dict,
              subject_type, subject_id, *, sees_investigation: bool, own_words: bool = False) -> Row:
    """One entry as its viewer may see it: an owner reads its own people's
    words, and only the category of anyone else's purpose."""
    under = under_what(action, subject_type, subject_id, details)
    if sees_investigation:
        return Row(entry_id, at, actor, organisation, action, purpose, case_number, details.get("reads"), under)
    purposes = policy.engine().purposes
    shown = purposes.get(purpose) or (purpose if own_words else purpose_category(action, purpose, purposes))
    return Row(entry_id, at, actor, organisation, action, shown, None, details.get("reads"), under)


def sees_investigation(actor: Any) -> bool:
    """The agency's own staff see entries as recorded; a partner does not."""
    return isinstance(actor, User) and actor.organisation.kind is OrganisationKind.AGENCY


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


# The columns an owner may sort the page by.
SORTS = {"time": paging.Sort("When", (LedgerEntry.id,)), "actor": paging.Sort("Who", (LedgerEntry.actor,)),
         "action": paging.Sort("What", (LedgerEntry.action,))}


def _query(actor: Any, camera: Camera, filters: Filters):
    if not permissions.may_see_access_log(actor, camera):
        raise permissions.refuse(actor, camera, "camera.access_log")
    query = (select(LedgerEntry.id, LedgerEntry.created_at, LedgerEntry.actor, Organisation.name,
                    LedgerEntry.action, LedgerEntry.purpose, LedgerEntry.case_number, LedgerEntry.details,
                    LedgerEntry.subject_type, LedgerEntry.subject_id, LedgerEntry.actor_org_id)
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
    if filters.case_number and sees_investigation(actor):
        query = query.where(LedgerEntry.case_number == filters.case_number)
    if filters.before_id:
        query = query.where(LedgerEntry.id < filters.before_id)
    return query


def _rows(actor: Any, found) -> list[Row]:
    full, viewer_org = sees_investigation(actor), getattr(actor, "organisation_id", None)
    return [owner_row(entry_id, at, who, org, action, purpose, case, json.loads(details), subject_type, subject_id,
                      sees_investigation=full, own_words=org_id is not None and org_id == viewer_org)
            for entry_id, at, who, org, action, purpose, case, details, subject_type, subject_id, org_id in found]


def access_log(actor: Any, camera: Camera, filters: Filters, *, limit: int = PAGE_SIZE) -> list[Row]:
    """Newest first from `filters.before_id`: the API's and the downloads' order."""
    return _rows(actor, db.session.execute(_query(actor, camera, filters).order_by(LedgerEntry.id.desc()).limit(limit)))


def access_log_page(actor: Any, camera: Camera, filters: Filters, asked: paging.PageRequest) -> paging.Page:
    """One page of the log, sorted as the owner asked."""
    page = paging.paginate(_query(actor, camera, filters), asked, SORTS, LedgerEntry.id, scalars=False)
    page.items = _rows(actor, page.items)
    return page


CSV_HEADER = ["entry_id", "time_utc", "actor", "organisation", "action", "action_code", "purpose", "case_number",
              "reads", "under", "proof_url"]


def access_log_csv(actor: Any, camera: Camera, filters: Filters, proof_url) -> str:
    """Every matching row (not one page), for the owner's own records."""
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(CSV_HEADER)
    page = Filters(**{**filters.__dict__, "before_id": None})
    while rows := access_log(actor, camera, page, limit=5000):
        for r in rows:
            writer.writerow([r.entry_id, r.at.strftime("%Y-%m-%dT%H:%M:%SZ"), r.actor, r.organisation or "",
                             r.label, r.action, r.purpose or "", r.case_number or "", "" if r.reads is None else r.reads,
                             r.under or "", proof_url(r.entry_id)])
        page.before_id = rows[-1].entry_id
    return out.getvalue()


def proof_bundle(actor: Any, camera: Camera, filters: Filters) -> dict:
    """The access log's entries with their proofs into the latest checkpoint,
    and every checkpoint the viewer's organisation was shown (see
    `hub.ledger.holders`), for the owner's own records."""
    entry_ids = []
    page = Filters(**{**filters.__dict__, "before_id": None})
    while rows := access_log(actor, camera, page, limit=5000):
        entry_ids += [r.entry_id for r in rows]
        page.before_id = rows[-1].entry_id
    return {"camera_id": camera.id, **holders.proof_bundle(actor, actor.organisation_id, entry_ids)}


def shown_checkpoint(actor: Any):
    """The checkpoint the access-log page shows, kept for the viewer's organisation."""
    return holders.show_latest(actor, actor.organisation_id) if isinstance(actor, User) else None


def entry_proof(actor: Any, camera: Camera, entry_id: int) -> dict:
    """The inclusion proof of an entry in this camera's access log: the owner
    may check any access to its cameras without reading the rest of the ledger."""
    if not permissions.may_see_access_log(actor, camera):
        raise permissions.refuse(actor, camera, "camera.access_log")
    touches = db.session.scalar(select(LedgerEntryCamera.entry_id).where(
        LedgerEntryCamera.camera_id == camera.id, LedgerEntryCamera.entry_id == entry_id))
    if touches is None:
        raise EntryNotFound("No entry with that id touched this camera.")
    proof = inclusion_proof(entry_id)
    if not sees_investigation(actor):
        proof["entry"] = withhold_investigation(proof["entry"])
    return proof


WITHHELD_FIELDS = ("purpose", "case_number", "details")


def withhold_investigation(entry: dict) -> dict:
    """The entry as a partner may see it: the fields that may carry the
    investigation's content are withheld. The proof still shows that the
    entry's leaf, whose hash is given, is in the signed tree."""
    return {**{k: v for k, v in entry.items() if k not in WITHHELD_FIELDS},
            **{k: None for k in WITHHELD_FIELDS}, "withheld": list(WITHHELD_FIELDS)}
