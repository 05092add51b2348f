"""Intake of outside agencies' written data requests, whichever way they
arrive (form, API, a scanned letter once its fields are confirmed), and who
may see them.

The written request must carry five elements (Minn. Stat. 13.824 subd. 4
and the department policies that implement it): the agency, the person
asking, the intended purpose, the factual basis with a case, complaint or
incident number, and a statement that the head of the agency or a designee
authorised it. The policy engine decides (`data.share` at stage `intake`):
a missing element is named to the requester and nothing is created; a body
that is not a law-enforcement or prosecutorial agency is routed to records
staff; the state's cross-border rules (an out-of-state declaration, purposes
a state forbids) refuse with their citation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from hub import policy
from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.data_requests.errors import DataRequestInvalid, DataRequestNotFound
from hub.data_requests.models import Channel, DataRequest, RequestStatus
from hub.errors import Forbidden, Refusal
from hub.extensions import db
from hub.identity.actors import RequestingClient
from hub.identity.models import Organisation, User
from hub.identity.permissions import can, require_capability
from hub.identity.roles import Capability, OrganisationKind
from hub.ledger.services import record
from hub.policy import PolicyRefused
from hub.search.patterns import PatternError, PlatePattern
from policies.vocabulary import BOOLEAN

SHARE = policy.declare("data.share", {
    "stage": ("intake", "release"), "recipient_is_law_enforcement": BOOLEAN, "agency_name": None,
    "requester_name": None, "purpose": None, "purpose_statement": None, "factual_basis": None,
    "case_number": None, "head_of_agency_statement": None, "approved_by_chief": BOOLEAN,
    "active_investigation": BOOLEAN, "recipient_state": None, "home_state": None,
    "recipient_out_of_state": BOOLEAN, "out_of_state_declaration": BOOLEAN})

# The request's fields, by the facts the rules read from them.
FIELDS = {"agency_name": "agency_name", "requester_name": "requester_name", "purpose_statement": "purpose",
          "factual_basis": "factual_basis", "case_number": "case_number",
          "head_of_agency_statement": "authorization_statement",
          "out_of_state_declaration": "out_of_state_declaration"}
ELEMENT_WORDS = {
    "agency_name": "Name the requesting agency (element 1 of the written request).",
    "requester_name": "Name the person making the request (element 2).",
    "purpose": "State the intended purpose of obtaining the data (element 3).",
    "factual_basis": "Record the factual basis for the request (element 4).",
    "case_number": "Give the case, complaint or incident number the request rests on (element 4).",
    "authorization_statement": "State that the head of the agency or a designee authorised the request (element 5).",
    "out_of_state_declaration": "An agency outside the state signs the declaration.",
}
LAW_ENFORCEMENT_FACT = "recipient_is_law_enforcement"
MAX_PLATES = 20
CLOCK_SKEW = timedelta(minutes=2)
# Who in the agency sees every request: those who handle a step of it, and auditors.
STAFF_CAPABILITIES = (Capability.PREPARE_DATA_REQUESTS, Capability.DECIDE_DATA_REQUESTS,
                      Capability.HANDLE_RECORDS_REQUESTS, Capability.READ_LEDGER)


@dataclass(frozen=True)
class Asked:
    """A written request as submitted: the five elements, the purpose's
    category, and what is asked for."""

    agency_name: str = ""
    requester_name: str = ""
    purpose: str = ""
    offense_type: str = ""
    factual_basis: str = ""
    case_number: str = ""
    authorization_statement: str = ""
    out_of_state_declaration: bool = False
    plates: tuple[str, ...] = ()
    cameras: tuple[int, ...] = ()
    window_start: datetime | None = None
    window_end: datetime | None = None
    follows_request_id: int | None = None

    def cleaned(self) -> "Asked":
        text = {name: getattr(self, name).strip() for name in (
            "agency_name", "requester_name", "purpose", "offense_type", "factual_basis", "authorization_statement")}
        return Asked(**text, case_number=self.case_number.strip().upper(),
                     out_of_state_declaration=bool(self.out_of_state_declaration), plates=tuple(self.plates),
                     cameras=tuple(self.cameras), window_start=self.window_start, window_end=self.window_end,
                     follows_request_id=self.follows_request_id)


def purposes() -> dict[str, str]:
    """The agency's closed list of purposes (offense categories)."""
    return policy.engine().purposes


def home_state() -> str:
    return policy.engine().state.jurisdiction


def organisation_of(actor: Any) -> Organisation:
    """The outside body a requester acts for."""
    if isinstance(actor, RequestingClient):
        return db.session.get(Organisation, actor.organisation_id)
    return actor.organisation


def share_context(request_or_asked, organisation: Organisation, *, stage: str, **facts) -> dict:
    """The facts `data.share` is decided on, from the request as written."""
    home = home_state()
    return {
        "stage": stage, "recipient_is_law_enforcement": organisation.kind is OrganisationKind.OUTSIDE_AGENCY,
        "agency_name": request_or_asked.agency_name or None, "requester_name": request_or_asked.requester_name or None,
        "purpose": request_or_asked.offense_type or None, "purpose_statement": request_or_asked.purpose or None,
        "factual_basis": request_or_asked.factual_basis or None, "case_number": request_or_asked.case_number or None,
        "head_of_agency_statement": request_or_asked.authorization_statement or None,
        "recipient_state": organisation.state, "home_state": home,
        "recipient_out_of_state": organisation.state != home,
        "out_of_state_declaration": bool(request_or_asked.out_of_state_declaration), **facts}


def _plates(plates, errors: dict) -> list[str]:
    if not plates:
        errors["plates"] = ["Name at least one plate (a full plate, or part of one with ? and *)."]
        return []
    if len(plates) > MAX_PLATES:
        errors["plates"] = [f"Name at most {MAX_PLATES} plates in one request."]
        return []
    found = []
    for typed in plates:
        try:
            found.append(PlatePattern.parse(typed).text)
        except PatternError as error:
            errors["plates"] = [f"'{str(typed)[:20]}': {error}"]
            return []
    return sorted(set(found))


def check_window(start: datetime | None, end: datetime | None, errors: dict, *, name: str = "window") -> None:
    """A window of reads that can exist: not in the future, not older than
    the retention period (older reads are destroyed)."""
    now = utcnow()
    if start is None or end is None:
        errors[name] = ["Give the window of reads asked for: a start and an end."]
        return
    retention = policy.engine().obligation("read.retain", "retention_days")
    if start >= end:
        errors[name] = ["The window must start before it ends."]
    elif end > now + CLOCK_SKEW:
        errors[name] = ["The window cannot reach into the future."]
    elif retention and start < now - timedelta(days=retention):
        errors[name] = [f"Reads are kept {retention} days at most: start the window after "
                        f"{(now - timedelta(days=retention)):%Y-%m-%d %H:%M} UTC."]


def check_cameras(camera_ids, errors: dict, *, name: str = "cameras") -> list[int]:
    ids = sorted(set(camera_ids))
    if ids:
        known = set(db.session.scalars(select(Camera.id).where(Camera.id.in_(ids))))
        unknown = [c for c in ids if c not in known]
        if unknown:
            errors[name] = [f"No camera has the number(s) {', '.join(map(str, unknown))}: see the readers listed "
                            "on the transparency portal, or leave cameras out to ask for every camera."]
    return ids


def validated_asked(asked: Asked, organisation: Organisation) -> tuple[dict, list[str], list[int]]:
    """What is wrong with what a request asks for (plates, cameras, window,
    category, an earlier request), and the plates and cameras as kept."""
    errors: dict[str, list[str]] = {}
    plates = _plates(asked.plates, errors)
    cameras = check_cameras(asked.cameras, errors)
    check_window(asked.window_start, asked.window_end, errors)
    if not asked.offense_type:
        errors["offense_type"] = [f"Choose the offense category: {', '.join(purposes())}."]
    if asked.follows_request_id is not None:
        earlier = db.session.get(DataRequest, asked.follows_request_id)
        if earlier is None or earlier.organisation_id != organisation.id:
            errors["follows_request_id"] = [f"No request of {organisation.name} has the number "
                                            f"{asked.follows_request_id}."]
    return errors, plates, cameras


def _refusal(actor, organisation: Organisation, asked: Asked, decision=None) -> Refusal:
    details = {"case_number": asked.case_number or None, "agency_name": asked.agency_name[:200] or None}
    if decision is not None:
        details["policy"] = decision.on_record()
    return Refusal("data_request.submit", actor, organisation, details)


def route(actor: Any, asked: Asked, organisation: Organisation) -> tuple[RequestStatus, list[str], list[int]]:
    """Where a complete request goes, as the rules say: to records staff when
    the requester is not a law-enforcement or prosecutorial agency, on to the
    search otherwise; refused, citing the rule, when the rules forbid it.
    A missing element is named field by field. Returns the status, and the
    plates and cameras as they will be kept."""
    errors, plates, cameras = validated_asked(asked, organisation)
    decision = policy.decide(SHARE, share_context(asked, organisation, stage="intake"))
    for reason in decision.reasons:
        name = FIELDS.get(reason.field)
        if name and name not in errors:
            errors[name] = [f"{ELEMENT_WORDS[name]} ({reason.cite})"]
    if errors:
        raise DataRequestInvalid(errors=errors, refusal=_refusal(actor, organisation, asked, decision))
    if any(reason.field == LAW_ENFORCEMENT_FACT for reason in decision.reasons):
        return RequestStatus.WITH_RECORDS, plates, cameras
    if not decision.allowed:
        raise PolicyRefused(decision, actor=actor, subject=organisation,
                            details=_refusal(actor, organisation, asked).details)
    if asked.offense_type not in purposes():
        raise DataRequestInvalid(errors={"offense_type": [f"Choose one of the agency's offense categories: "
                                                          f"{', '.join(purposes())}."]},
                                 refusal=_refusal(actor, organisation, asked, decision))
    return RequestStatus.AWAITING_PREPARATION, plates, cameras


def submit(actor: Any, asked: Asked, *, channel: Channel = Channel.FORM) -> DataRequest:
    """A written request from an outside body's requester or its client.
    Nothing is created unless the whole request is complete; what is
    created is routed at once, and the submission is ledgered with the rules
    that routed it. The plates asked for are kept beside the entry."""
    require_capability(actor, Capability.SUBMIT_DATA_REQUESTS, action="data_request.submit")
    organisation = organisation_of(actor)
    if organisation is None or not organisation.kind.is_outside:
        raise Forbidden("Requests come from outside agencies.", refusal=Refusal("data_request.submit", actor))
    asked = asked.cleaned()
    status, plates, cameras = route(actor, asked, organisation)
    request = DataRequest(
        organisation_id=organisation.id, submitted_by_id=actor.id if isinstance(actor, User) else None,
        submitted_by_client=actor.client_id if isinstance(actor, RequestingClient) else None, channel=channel,
        status=status, created_at=utcnow(), follows_request_id=asked.follows_request_id,
        agency_name=asked.agency_name, requester_name=asked.requester_name, purpose=asked.purpose,
        offense_type=asked.offense_type, factual_basis=asked.factual_basis, case_number=asked.case_number,
        authorization_statement=asked.authorization_statement,
        out_of_state_declaration=asked.out_of_state_declaration, recipient_state=organisation.state,
        plates=",".join(plates), camera_ids=",".join(map(str, cameras)), window_start=asked.window_start,
        window_end=asked.window_end)
    db.session.add(request)
    db.session.flush()
    record("data_request.submitted", actor=actor, subject=request, case_number=request.case_number,
           purpose=request.offense_type, private={"plates": plates},
           details={"channel": channel.value, "status": status.value, "organisation_id": organisation.id,
                    "agency_name": request.agency_name, "requester_name": request.requester_name,
                    "plates": len(plates), "cameras_asked": cameras, "window_start": asked.window_start.isoformat(),
                    "window_end": asked.window_end.isoformat(), "follows_request_id": asked.follows_request_id})
    return request


def is_staff(actor: Any) -> bool:
    return isinstance(actor, User) and actor.organisation.kind is OrganisationKind.AGENCY and \
        any(can(actor, c) for c in STAFF_CAPABILITIES)


def get_request(actor: Any, request_id: int) -> DataRequest:
    """The requesting body's people and client see their own requests; the
    agency's staff who handle requests, and auditors, see every one. Anyone
    else asking for a number is told no such request of theirs exists (and
    the attempt is on record), whether or not it does."""
    request = db.session.get(DataRequest, request_id)
    if request is not None:
        if is_staff(actor):
            return request
        if can(actor, Capability.SUBMIT_DATA_REQUESTS) and organisation_of(actor).id == request.organisation_id:
            return request
    raise DataRequestNotFound(refusal=Refusal("data_request.view", actor, ("data_request", request_id), {}))


def requests_of(actor: Any, *, limit: int = 200) -> list[DataRequest]:
    """The requesting body's requests, newest first."""
    require_capability(actor, Capability.SUBMIT_DATA_REQUESTS, action="data_request.list")
    return list(db.session.scalars(select(DataRequest).where(DataRequest.organisation_id == organisation_of(actor).id)
                                   .order_by(DataRequest.created_at.desc(), DataRequest.id.desc()).limit(limit)))


def in_status(*statuses: RequestStatus, limit: int = 200) -> list[DataRequest]:
    """Requests waiting at a step, oldest first: a queue."""
    return list(db.session.scalars(select(DataRequest).where(DataRequest.status.in_(statuses))
                                   .order_by(DataRequest.created_at, DataRequest.id).limit(limit)))
