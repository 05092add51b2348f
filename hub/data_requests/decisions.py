"""The agency's side of a written request: an officer prepares the search,
the chief (or a designee) approves it, approves it in part or denies it with
a written finding on reasonable suspicion, and records staff handle what is
not this workflow's. Separation of duties: whoever prepared the search does
not decide it. Every step is ledgered against the request."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub import policy
from hub.clock import utcnow
from hub.data_requests import release, webhooks
from hub.data_requests.errors import DataRequestConflict, DataRequestInvalid, SeparationOfDuties
from hub.data_requests.models import DataRequest, Decision, RequestStatus
from hub.data_requests.services import SHARE, check_cameras, check_window, share_context
from hub.errors import Refusal
from hub.identity.access import require_data_access
from hub.identity.models import User
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability
from hub.ledger.services import record
from hub.notifications.services import notify
from hub.scope import Purpose, scope_for
from hub.search.patterns import PatternError, PlatePattern

MAX_TEXT = 5000


@dataclass(frozen=True)
class SearchTerms:
    """What a search for a request covers: plates, cameras (none: every
    camera the agency may search), and the window."""

    plates: tuple[str, ...]
    cameras: tuple[int, ...]
    start: datetime | None
    end: datetime | None


def _status(request: DataRequest, expected: RequestStatus) -> None:
    if request.status is not expected:
        raise DataRequestConflict(f"Request {request.id} is {request.status_words}.",
                                  errors={"status": [request.status.value]})


def _plates(typed, errors: dict) -> list[str]:
    plates = []
    for text in typed:
        try:
            plates.append(PlatePattern.parse(text).text)
        except PatternError as error:
            errors["plates"] = [f"'{str(text)[:20]}': {error}"]
    if not typed:
        errors["plates"] = ["Keep at least one plate."]
    return sorted(set(plates))


def _within(terms: SearchTerms, plates: list[str], cameras: list[int], start: datetime, end: datetime,
            errors: dict, *, what: str) -> None:
    """Terms may narrow what they rest on, never widen it."""
    if set(terms.plates) - set(plates):
        errors["plates"] = [f"Only plates {what}: {', '.join(plates)}."]
    if cameras and (not terms.cameras or set(terms.cameras) - set(cameras)):
        errors["cameras"] = [f"Only cameras {what}: {', '.join(map(str, cameras))}."]
    if "window" not in errors and (terms.start < start or terms.end > end):
        errors["window"] = [f"The window stays inside the one {what}: {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC."]


def _checked(actor: Any, request: DataRequest, terms: SearchTerms, *, action: str, plates: list[str],
             cameras: list[int], start: datetime, end: datetime, what: str) -> SearchTerms:
    errors: dict[str, list[str]] = {}
    checked = SearchTerms(tuple(_plates(terms.plates, errors)), tuple(check_cameras(terms.cameras, errors)),
                          terms.start, terms.end)
    check_window(terms.start, terms.end, errors)
    if not errors:
        _within(checked, plates, cameras, start, end, errors, what=what)
    if not errors and checked.cameras:
        standing = scope_for(actor, Purpose.SEARCH).cameras
        outside = sorted(set(checked.cameras) - standing)
        if outside:
            errors["cameras"] = [f"Cameras {', '.join(map(str, outside))} are neither the agency's nor shared "
                                 "with it: their data cannot be released to another agency."]
    if errors:
        raise DataRequestInvalid(errors=errors, refusal=Refusal(action, actor, request, {"fields": sorted(errors)}))
    return checked


def prepare(actor: Any, request: DataRequest, terms: SearchTerms) -> DataRequest:
    """An officer fixes the search that would answer the request, inside
    what was asked; the request then waits for the chief."""
    require_capability(actor, Capability.PREPARE_DATA_REQUESTS, action="data_request.prepare", subject=request)
    require_data_access(actor, subject=request)
    _status(request, RequestStatus.AWAITING_PREPARATION)
    checked = _checked(actor, request, terms, action="data_request.prepare", plates=request.plate_list,
                       cameras=request.cameras, start=request.window_start, end=request.window_end,
                       what="the request asks for")
    request.search_plates, request.search_camera_ids = ",".join(checked.plates), ",".join(map(str, checked.cameras))
    request.search_start, request.search_end = checked.start, checked.end
    request.prepared_by_id, request.prepared_at = actor.id, utcnow()
    request.status = RequestStatus.AWAITING_DECISION
    record("data_request.prepared", actor=actor, subject=request, case_number=request.case_number,
           purpose=request.offense_type, private={"plates": list(checked.plates)}, cameras=checked.cameras,
           details={"plates": len(checked.plates), "window_start": checked.start.isoformat(),
                    "window_end": checked.end.isoformat(), "status": request.status.value})
    return request


def decide(actor: Any, request: DataRequest, *, decision: Decision, finding: str, reasonable_suspicion: bool,
           terms: SearchTerms | None = None) -> DataRequest:
    """The chief's decision with a written finding on whether reasonable
    suspicion exists that the data are pertinent to an active criminal
    investigation. An approval (in part: narrower plates, cameras or
    window) is decided by the rules at stage `release` and releases the
    package in the same unit of work: both stand, or neither does."""
    require_capability(actor, Capability.DECIDE_DATA_REQUESTS, action="data_request.decide", subject=request)
    _status(request, RequestStatus.AWAITING_DECISION)
    if isinstance(actor, User) and actor.id == request.prepared_by_id:
        raise SeparationOfDuties(refusal=Refusal("data_request.decide", actor, request,
                                                 {"prepared_by": request.prepared_by_id}))
    finding = (finding or "").strip()
    if not finding or len(finding) > MAX_TEXT:
        raise DataRequestInvalid(errors={"finding": [f"Write the finding (at most {MAX_TEXT:,} characters): it is "
                                                     "kept with the request."]})
    now = utcnow()
    if decision is not Decision.DENIED:
        require_data_access(actor, subject=request)
        approved = _approved_terms(actor, request, decision, terms)
        policy.require(SHARE, share_context(request, request.organisation, stage="release", approved_by_chief=True,
                                            active_investigation=bool(reasonable_suspicion)),
                       actor=actor, subject=request, details={"case_number": request.case_number})
        request.approved_plates, request.approved_camera_ids = ",".join(approved.plates), \
            ",".join(map(str, approved.cameras))
        request.approved_start, request.approved_end = approved.start, approved.end
    request.decision, request.finding, request.reasonable_suspicion = decision, finding, bool(reasonable_suspicion)
    request.decided_by_id, request.decided_at = actor.id, now
    request.status = RequestStatus.DENIED if decision is Decision.DENIED else request.status
    record(f"data_request.{decision.value}", actor=actor, subject=request, case_number=request.case_number,
           purpose=finding, details={"decision": decision.value, "reasonable_suspicion": bool(reasonable_suspicion)})
    if decision is not Decision.DENIED:
        release.release(actor, request)
    webhooks.queue_decision(request)
    notify(request.organisation, subject=f"Data request {request.id}: {request.status_words}",
           body=f"Your request {request.id} (case {request.case_number}) was {decision.value.replace('_', ' ')}.",
           link=f"/requests/{request.id}")
    return request


def _approved_terms(actor: Any, request: DataRequest, decision: Decision, terms: SearchTerms | None) -> SearchTerms:
    prepared = SearchTerms(tuple(request.search_plate_list), tuple(request.search_cameras), request.search_start,
                           request.search_end)
    if decision is Decision.APPROVED:
        return prepared
    if terms is None:
        raise DataRequestInvalid(errors={"plates": ["An approval in part names the narrower plates, cameras or "
                                                    "window."]})
    approved = _checked(actor, request, terms, action="data_request.decide", plates=list(prepared.plates),
                        cameras=list(prepared.cameras), start=prepared.start, end=prepared.end,
                        what="the prepared search covers")
    if approved == prepared:
        raise DataRequestInvalid(errors={"plates": ["An approval in part narrows the plates, the cameras or the "
                                                    "window; this is the whole prepared search: approve it."]})
    return approved


def close(actor: Any, request: DataRequest, *, note: str) -> DataRequest:
    """Records staff close a request that is not a law-enforcement request,
    saying what they did under the Data Practices Act."""
    require_capability(actor, Capability.HANDLE_RECORDS_REQUESTS, action="data_request.close", subject=request)
    _status(request, RequestStatus.WITH_RECORDS)
    note = (note or "").strip()
    if not note or len(note) > MAX_TEXT:
        raise DataRequestInvalid(errors={"note": [f"Say what was done (at most {MAX_TEXT:,} characters)."]})
    request.status, request.records_note = RequestStatus.CLOSED, note
    request.closed_by_id, request.closed_at = actor.id, utcnow()
    record("data_request.closed", actor=actor, subject=request, purpose=note,
           details={"status": request.status.value})
    notify(request.organisation, subject=f"Data request {request.id}: closed",
           body="Records staff answered your request under the Data Practices Act.", link=f"/requests/{request.id}")
    return request
