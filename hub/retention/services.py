"""Holds: an ALPR administrator keeps the reads an active criminal
investigation needs (a plate, cameras, a time window; reviewed by a date),
and records staff keep what the subject of a criminal charge asked for in
writing, until the matter is resolved (Minn. Stat. 13.824 subd. 3). Held
reads survive the purge; a released hold puts them back under normal
retention, so reads already overdue are destroyed at once."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, func, select

from hub import policy
from hub.cameras.models import Camera
from hub.cameras.sharing import agency_retention_days
from hub.clock import utcnow
from hub.errors import Forbidden, NotFound, Refusal, ValidationFailed
from hub.extensions import db
from hub.identity.access import require_data_access
from hub.identity.models import User
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.keys import services as data_keys
from hub.ledger.services import record
from hub.reads import images, plates
from hub.reads.models import Read
from hub.retention import purge
from hub.retention.models import Hold, HoldCamera, HoldKind, HoldPlateHash

DOCUMENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}
HOLD_EXCULPATORY = policy.declare("hold.exculpatory", {"requester_name": None, "case_number": None,
                                                       "exculpatory_statement": None, "request_document": None})
MANAGES = {HoldKind.INVESTIGATION: Capability.MANAGE_HOLDS,
           HoldKind.EXCULPATORY: Capability.MANAGE_EXCULPATORY_HOLDS}


class HoldInvalid(ValidationFailed):
    code = "hold_invalid"


def _require(actor: Any, kind: HoldKind, action: str, subject: Any = None) -> None:
    if not can(actor, MANAGES[kind]):
        who = "ALPR administrators" if kind is HoldKind.INVESTIGATION else "records staff"
        raise Forbidden(f"Only {who} manage {kind.value} holds.",
                        refusal=Refusal(action, actor, subject, {"kind": kind.value}))


def _selection(hold: Hold):
    """The reads a hold selects: it names a plate, a window or both. A hold
    carried over with only its plate's keyed hash selects none (as in the
    purge). A plate is matched by its hashes under the live data keys."""
    if hold.plate is None and hold.window_start is None and hold.window_end is None:
        return [false()]
    hashes = select(HoldPlateHash.plate_hash).where(HoldPlateHash.hold_id == hold.id)
    return [*([Read.plate_hash.in_(hashes)] if hold.plate else []),
            *([Read.captured_at >= hold.window_start] if hold.window_start else []),
            *([Read.captured_at <= hold.window_end] if hold.window_end else []),
            *([Read.camera_id.in_(hold.camera_ids)] if hold.cameras else [])]


def held_reads(hold: Hold) -> int:
    return db.session.scalar(select(func.count()).select_from(Read).where(*_selection(hold)))


def place_hold(actor: Any, *, kind: HoldKind, case_number: str, reason: str, review_on: date,
               plate: str | None = None, camera_ids: list[int] = (), window_start: datetime | None = None,
               window_end: datetime | None = None, requester_name: str | None = None,
               exculpatory_statement: str | None = None, document: bytes | None = None,
               document_type: str | None = None) -> Hold:
    _require(actor, kind, "hold.create")
    require_data_access(actor)
    now = utcnow()
    errors: dict[str, list[str]] = {}
    normal = plates.normalise(plate) if plate else None
    if normal is not None and not plates.is_plate(normal):
        errors["plate"] = ["A plate is 1 to 10 letters and digits."]
    if not (case_number or "").strip():
        errors["case_number"] = ["A hold names its case or complaint number."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why the reads must be kept."]
    if normal is None and window_start is None and window_end is None:
        errors["plate"] = ["Name a plate, a time window, or both: a hold never keeps everything."]
    if window_start and window_end and window_start >= window_end:
        errors["window_end"] = ["The window ends after it starts."]
    if review_on <= now.date():
        errors["review_on"] = ["The review date is in the future."]
    known = set(db.session.scalars(select(Camera.id).where(Camera.id.in_(camera_ids)))) if camera_ids else set()
    if set(camera_ids) - known:
        errors["camera_ids"] = [f"No camera {sorted(set(camera_ids) - known)}."]
    if kind is HoldKind.EXCULPATORY and document and document_type not in DOCUMENT_TYPES:
        errors["document"] = ["The written request must be a PDF, PNG or JPEG file."]
    if errors:
        raise HoldInvalid(errors=errors)
    if kind is HoldKind.EXCULPATORY:
        policy.require(HOLD_EXCULPATORY, {"requester_name": requester_name, "case_number": case_number,
                                          "exculpatory_statement": exculpatory_statement,
                                          "request_document": "attached" if document else None}, actor=actor)
    hold = Hold(kind=kind, case_number=case_number.strip(), reason=reason.strip(), plate=normal,
                plate_hash=plates.keyed_hash(normal) if normal else None, window_start=window_start,
                window_end=window_end, review_on=review_on, requester_name=(requester_name or "").strip() or None,
                request_document=images.put(document) if document else None,
                request_document_type=document_type if document else None,
                created_by_id=getattr(actor, "id", None), created_at=now,
                cameras=[HoldCamera(camera_id=c) for c in sorted(set(camera_ids))])
    db.session.add(hold)
    db.session.flush()
    data_keys.hash_hold_plates(hold_ids=[hold.id])
    reads = held_reads(hold)
    oldest_kept = now - timedelta(days=agency_retention_days())
    if reads == 0 and window_end is not None and window_end < oldest_kept:
        raise HoldInvalid("Nothing to hold: reads of that time were destroyed under the retention rules.",
                          errors={"window_end": [f"Reads before {oldest_kept:%Y-%m-%d} no longer exist."]})
    record("hold.created", actor=actor, subject=hold, case_number=hold.case_number, purpose=hold.reason,
           cameras=hold.camera_ids, private={"plate": normal} if normal else None,
           details={"kind": kind.value, "review_on": review_on.isoformat(), "reads": reads,
                    "window": [w.isoformat() if w else None for w in (window_start, window_end)]})
    return hold


def _reach_holds(actor: Any, action: str, subject: Any = None) -> list[HoldKind]:
    """The kinds of hold the actor keeps; a hold names a plate and a case, so
    reaching it is reaching ALPR data: the data-access rules apply."""
    kinds = [kind for kind, capability in MANAGES.items() if can(actor, capability)]
    if not kinds:
        raise Forbidden("Holds are kept by ALPR administrators and records staff.",
                        refusal=Refusal(action, actor, subject))
    if isinstance(actor, User):
        require_data_access(actor, subject=subject)
    return kinds


def get_hold(actor: Any, hold_id: int) -> Hold:
    hold = db.session.get(Hold, hold_id)
    if hold is None:
        raise NotFound("No such hold.")
    if hold.kind not in _reach_holds(actor, "hold.view", hold):
        raise Forbidden("This kind of hold is kept by others.", refusal=Refusal("hold.view", actor, hold))
    record("hold.viewed", actor=actor, subject=hold, case_number=hold.case_number, cameras=hold.camera_ids)
    return hold


def release_hold(actor: Any, hold: Hold, *, reason: str) -> int:
    """Release a hold; its reads that are past their limit and kept by no
    other hold are destroyed in this same unit of work (their image files by
    the next purge run). Returns how many were destroyed."""
    _require(actor, hold.kind, "hold.release", hold)
    if hold.released_at is not None:
        raise HoldInvalid(errors={"hold": ["The hold was already released."]})
    if not (reason or "").strip():
        raise HoldInvalid(errors={"reason": ["Say why the hold ends (the investigation closed, the matter resolved)."]})
    hold.released_at, hold.released_by_id, hold.release_reason = utcnow(), getattr(actor, "id", None), reason.strip()
    db.session.flush()
    record("hold.released", actor=actor, subject=hold, case_number=hold.case_number, purpose=hold.release_reason,
           cameras=hold.camera_ids, details={"kind": hold.kind.value})
    run = purge.start_run(actor)
    report = purge.PurgeReport(run_id=run.id)
    cutoffs = purge.cutoffs_at(utcnow())
    while purge.destroy_batch(actor, run, cutoffs, report, extra=and_(*_selection(hold))):
        pass
    purge.erase_private_details_of(actor, run, report.hashes)
    run.finished_at = utcnow()
    return report.reads_destroyed


def review_hold(actor: Any, hold: Hold, *, review_on: date, note: str) -> Hold:
    """The periodic review: the hold is still needed until the next date."""
    _require(actor, hold.kind, "hold.review", hold)
    errors = {}
    if review_on <= utcnow().date():
        errors["review_on"] = ["The next review date is in the future."]
    if not (note or "").strip():
        errors["note"] = ["Say why the reads are still needed."]
    if hold.released_at is not None:
        errors["hold"] = ["The hold was released."]
    if errors:
        raise HoldInvalid(errors=errors)
    before = hold.review_on
    hold.review_on = review_on
    db.session.flush()
    record("hold.reviewed", actor=actor, subject=hold, case_number=hold.case_number, purpose=note.strip(),
           details={"review_on": [before.isoformat(), review_on.isoformat()]})
    return hold


def list_holds(actor: Any, *, active_only: bool = False) -> list[Hold]:
    kinds = _reach_holds(actor, "hold.list")
    query = select(Hold).where(Hold.kind.in_(kinds))
    if active_only:
        query = query.where(Hold.released_at.is_(None))
    holds = list(db.session.scalars(query.order_by(Hold.released_at.is_not(None), Hold.review_on)))
    record("holds.listed", actor=actor, details={"holds": len(holds), "kinds": [k.value for k in kinds]})
    return holds


def overdue_reviews(actor: Any) -> list[Hold]:
    """Active holds past their review date, for a reminder (no plates shown)."""
    kinds = [kind for kind, capability in MANAGES.items() if can(actor, capability)]
    return list(db.session.scalars(select(Hold).where(Hold.kind.in_(kinds), Hold.released_at.is_(None),
                                                      Hold.review_on < utcnow().date()).order_by(Hold.review_on)))


def plate_holds(plate_hashes: set[str]) -> set[str]:
    """The plate hashes an active investigation hold names (the Safe at Home
    exception)."""
    if not plate_hashes:
        return set()
    return set(db.session.scalars(select(Hold.plate_hash).where(
        Hold.plate_hash.in_(plate_hashes), Hold.released_at.is_(None), Hold.kind == HoldKind.INVESTIGATION)))
