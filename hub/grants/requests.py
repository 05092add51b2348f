"""An officer asks for a partner's camera data for one case, over a data
window, for a time; the chief approves or denies with a written finding;
only approved requests reach the partner, whose consent (OAuth, next) makes
the grant. Every refusal, bad input included, is ledgered."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from hub import policy
from hub.cameras.models import Camera, CameraStatus
from hub.clock import utcnow
from hub.errors import Forbidden, Refusal
from hub.extensions import db
from hub.grants.errors import AccessRequestInvalid, AccessRequestNotFound
from hub.grants.models import AccessRequest, OAuthClient, RequestStatus
from hub.identity.access import require_data_access
from hub.identity.models import User
from hub.identity.permissions import can, require_capability
from hub.identity.roles import Capability
from hub.ledger.services import record
from hub.notifications.services import notify
from hub.suspension.services import Activity, require_use

GRANT_REQUEST = policy.declare("grant.request", {"case_number": None, "purpose": None, "factual_basis": None,
                                                 "access_hours": None, "window_age_days": None})


def purposes() -> dict[str, str]:
    """The agency's closed list of purposes (offense categories): id → label."""
    return policy.engine().purposes

PARTNER_VISIBLE = (RequestStatus.AWAITING_PARTNER, RequestStatus.GRANTED, RequestStatus.DECLINED)


def _refuse(actor, camera_ids, errors: dict, **details) -> AccessRequestInvalid:
    """Bad input to a request is a refused attempt: it is ledgered too."""
    return AccessRequestInvalid(errors=errors, refusal=Refusal("grant.request", actor, None, details,
                                                               tuple(sorted(set(camera_ids)))))


def create_request(actor: User, *, camera_ids: list[int], case_number: str, offense_type: str, factual_basis: str,
                   window_start: datetime, window_end: datetime, access_hours: int) -> AccessRequest:
    require_capability(actor, Capability.REQUEST_PARTNER_ACCESS, action="grant.request")
    require_data_access(actor)
    require_use(actor, Activity.GRANT, cameras=camera_ids)
    cameras = list(db.session.scalars(select(Camera).where(Camera.id.in_(camera_ids)))) if camera_ids else []
    errors: dict[str, list[str]] = {}
    if not cameras or len(cameras) != len(set(camera_ids)):
        errors["camera_ids"] = ["Name one or more cameras that exist."]
    owners = {c.organisation_id for c in cameras}
    if len(owners) > 1:
        errors["camera_ids"] = ["A request goes to one partner: these cameras belong to several."]
    if any(not c.organisation.kind.is_partner for c in cameras):
        errors["camera_ids"] = ["Requests are for partner cameras; the agency's own are shared already."]
    if any(c.status is CameraStatus.RETIRED for c in cameras):
        errors["camera_ids"] = ["A retired camera cannot be requested."]
    now = utcnow()
    if window_start >= window_end:
        errors["window_end"] = ["The data window ends after it starts."]
    if window_end > now:
        errors["window_end"] = ["The data window cannot reach into the future."]
    if access_hours < 1:
        errors["access_hours"] = ["Access lasts at least an hour (24 h and 48 h are the usual choices)."]
    if offense_type not in purposes():
        errors["offense_type"] = [f"Choose one of the agency's offense categories: {', '.join(purposes())}."]
    if errors:
        raise _refuse(actor, camera_ids, errors, case_number=case_number)
    policy.require(GRANT_REQUEST, {
        "case_number": case_number, "purpose": offense_type, "factual_basis": factual_basis,
        "access_hours": access_hours, "window_age_days": (now - window_start) / timedelta(days=1)},
        actor=actor, details={"case_number": case_number}, cameras=camera_ids)
    request = AccessRequest(officer_id=actor.id, organisation_id=owners.pop(),
                            camera_ids=",".join(str(c.id) for c in sorted(cameras, key=lambda c: c.id)),
                            case_number=case_number.strip(), offense_type=offense_type.strip(),
                            factual_basis=factual_basis.strip(), window_start=window_start, window_end=window_end,
                            access_hours=access_hours, status=RequestStatus.AWAITING_CHIEF, created_at=now)
    db.session.add(request)
    db.session.flush()
    record("grant.requested", actor=actor, subject=request, case_number=request.case_number,
           purpose=request.offense_type, cameras=request.cameras,
           details={"window_start": window_start.isoformat(), "window_end": window_end.isoformat(),
                    "access_hours": access_hours, "organisation_id": request.organisation_id})
    return request


def get_request(actor: Any, request_id: int) -> AccessRequest:
    """The requesting officer, the chief and, once approved, the partner's
    administrators (also after they decided it) see a request; an OAuth
    client reaches it to hand over its consent link; nobody else."""
    request = db.session.get(AccessRequest, request_id)
    if request is None:
        raise AccessRequestNotFound()
    if isinstance(actor, OAuthClient):
        return request  # only to hand over a consent link: `binding.check_client` decides which client
    if not isinstance(actor, User):
        raise Forbidden("Requests are seen by people and by the agency's OAuth client.")
    allowed = (actor.id == request.officer_id or can(actor, Capability.APPROVE_ACCESS_REQUESTS)
               or (actor.organisation_id == request.organisation_id
                   and request.status in PARTNER_VISIBLE))
    if not allowed:
        raise Forbidden("This request is not yours to see.",
                        refusal=Refusal("grant.request_view", actor, request, {}, tuple(request.cameras)))
    return request


def require_decider(actor: Any, request: AccessRequest) -> None:
    """Asked by the service and, before its form is read, by the review page."""
    require_capability(actor, Capability.APPROVE_ACCESS_REQUESTS, action="grant.request_decision", subject=request)


def decide_request(actor: Any, request: AccessRequest, *, approve: bool, finding: str) -> AccessRequest:
    """The chief's written finding; an approval sends the request to the partner."""
    require_decider(actor, request)
    if request.status is not RequestStatus.AWAITING_CHIEF:
        raise AccessRequestInvalid(errors={"status": [f"The request is {request.status.value.replace('_', ' ')}."]})
    if not finding.strip():
        raise AccessRequestInvalid(errors={"finding": ["Write the finding: it is kept with the request."]})
    if approve:
        require_use(actor, Activity.GRANT, subject=request, cameras=request.cameras)
    request.status = RequestStatus.AWAITING_PARTNER if approve else RequestStatus.DENIED
    request.decided_by_id, request.decided_at, request.finding = getattr(actor, "id", None), utcnow(), finding.strip()
    db.session.flush()
    record("grant.request_approved" if approve else "grant.request_denied", actor=actor, subject=request,
           case_number=request.case_number, purpose=finding.strip(), cameras=request.cameras)
    if approve:
        notify(request.organisation, subject=f"Access request {request.id}",
               body=(f"{request.officer.organisation.name} asks to see {len(request.cameras)} of your cameras' "
                     f"reads from {request.window_start:%Y-%m-%d %H:%M} to {request.window_end:%Y-%m-%d %H:%M} UTC, "
                     f"for {request.access_hours} hours, about: {purposes().get(request.offense_type)}. "
                     "The chief approved it."),
               link=f"/grants/requests/{request.id}")
    return request


def awaiting_chief() -> list[AccessRequest]:
    return list(db.session.scalars(select(AccessRequest).where(AccessRequest.status == RequestStatus.AWAITING_CHIEF)
                                   .order_by(AccessRequest.created_at)))


def same_case(request: AccessRequest) -> list[AccessRequest]:
    """The officer's other requests for the same case: the chief weighs them."""
    return list(db.session.scalars(select(AccessRequest).where(
        AccessRequest.officer_id == request.officer_id, AccessRequest.case_number == request.case_number,
        AccessRequest.id != request.id).order_by(AccessRequest.created_at.desc()).limit(20)))


def requests_of(officer: User) -> list[AccessRequest]:
    return list(db.session.scalars(select(AccessRequest).where(AccessRequest.officer_id == officer.id)
                                   .order_by(AccessRequest.created_at.desc()).limit(100)))
