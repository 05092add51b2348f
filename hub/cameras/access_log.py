"""The owner's view of access: every ledger entry that touched a camera,
read from the ledger itself, so what the owner sees is what the auditors
verify (each row's proof covers the whole entry). Newest first, paged by
entry id. A partner sees who accessed what, when, under which grant or
standing share and for what category of purpose, in plain words; never the
investigation's content (free-text notes, plates, case numbers), which is
confidential active criminal investigative data. The agency's staff see the
entries as recorded."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select

from hub import policy
from hub.cameras import permissions
from hub.cameras.models import Camera
from hub.extensions import db
from hub.identity.models import Organisation, User
from hub.identity.roles import OrganisationKind
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


ACTION_WORDS = {
    "reads.ingested": "Reads collected", "reads.unverified_listed": "Unconfirmed reads listed for checking",
    "read.confirmed": "A read's plate confirmed", "alerts.raised": "Hotlist hit raised an alert",
    "alerts.possible_raised": "Possible hotlist hit (look-alike characters) raised an alert",
    "alerts.delivered": "Alerts shown to an officer", "alert.viewed": "Alert opened",
    "alert.verified": "Alert checked and verified", "alert.rejected": "Alert checked and rejected",
    "alert.shared_by_webhook": "Alert sent to the agency's dispatch system",
    "alert.webhook_withheld": "Alert withheld from the dispatch system",
    "grant.requested": "Access requested", "grant.request_approved": "Request approved by the chief",
    "grant.request_denied": "Request denied by the chief", "grant.consented": "Access granted",
    "grant.declined": "Access declined", "grant.token_issued": "Access token issued",
    "grant.reads_accessed": "Reads viewed under a grant", "grant.revoked": "Grant revoked",
    "grant.consent_link_prepared": "Request sent for your decision",
    "camera.sharing_mode_changed": "Sharing changed", "camera.registered": "Camera registered",
    "camera.updated": "Camera details changed", "camera.retired": "Camera retired",
    "camera.credential_issued": "Ingest credential issued", "camera.credential_revoked": "Ingest credential revoked",
    "camera.bca_notice_sent": "BCA notice sent",
}
# The kind of purpose an entry served, for owners: the category, never the words.
PURPOSE_CATEGORIES = (("reads.", "Collection"), ("read.", "Read verification"), ("alert", "Hotlist hit"),
                      ("grant.", "Partner access grant"), ("camera.", "Camera administration"))


def plain_action(action: str) -> str:
    if action.endswith(".refused"):
        return f"Refused: {plain_action(action[:-len('.refused')]).lower()}"
    return ACTION_WORDS.get(action) or action.replace(".", ": ").replace("_", " ").capitalize()


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
    shown = purpose if own_words else purpose_category(action, purpose, policy.engine().purposes)
    return Row(entry_id, at, actor, organisation, plain_action(action), shown, None, details.get("reads"), under)


def sees_investigation(actor: Any) -> bool:
    """The agency's own staff see entries as recorded; a partner does not."""
    return isinstance(actor, User) and actor.organisation.kind is OrganisationKind.AGENCY


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def access_log(actor: Any, camera: Camera, filters: Filters, *, limit: int = PAGE_SIZE) -> list[Row]:
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
    full = sees_investigation(actor)
    if filters.case_number and full:
        query = query.where(LedgerEntry.case_number == filters.case_number)
    if filters.before_id:
        query = query.where(LedgerEntry.id < filters.before_id)
    rows = db.session.execute(query.order_by(LedgerEntry.id.desc()).limit(limit))
    viewer_org = getattr(actor, "organisation_id", None)
    return [owner_row(entry_id, at, who, org, action, purpose, case, json.loads(details), subject_type, subject_id,
                      sees_investigation=full, own_words=org_id is not None and org_id == viewer_org)
            for entry_id, at, who, org, action, purpose, case, details, subject_type, subject_id, org_id in rows]


CSV_HEADER = ["entry_id", "time_utc", "actor", "organisation", "action", "purpose", "case_number", "reads",
              "under", "proof_url"]


def access_log_csv(actor: Any, camera: Camera, filters: Filters, proof_url) -> str:
    """Every matching row (not one page), for the owner's own records."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    page = Filters(**{**filters.__dict__, "before_id": None})
    while rows := access_log(actor, camera, page, limit=5000):
        for r in rows:
            writer.writerow([r.entry_id, r.at.strftime("%Y-%m-%dT%H:%M:%SZ"), r.actor, r.organisation or "",
                             r.action, r.purpose or "", r.case_number or "", "" if r.reads is None else r.reads,
                             r.under or "", proof_url(r.entry_id)])
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
