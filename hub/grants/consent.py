"""The partner's side of a grant: what the consent screen shows (read from
the request's `authorization_details`), consenting to all or fewer cameras
or a shorter window or time, and declining. Revocation is in `revocation`;
using a grant, in `access`."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import select, update

from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.errors import Forbidden, NotFound, Refusal, ValidationFailed
from hub.extensions import db
from hub.grants.binding import bind_client, check_client
from hub.grants.models import AccessRequest, Grant, OAuthClient, RequestStatus
from hub.identity.models import User
from hub.identity.roles import Role
from hub.ledger.services import record
from hub.notifications.services import notify
from hub.suspension.services import Activity, require_use

DETAILS_TYPE = "alpr_camera_access"
MAX_ID = 2**63 - 1
MESSAGE_MAX = 2000
CODE_CHALLENGE = re.compile(r"[A-Za-z0-9._~-]{43,128}")


class ConsentInvalid(ValidationFailed):
    code = "consent_invalid"


class ConsentLinkNotFound(NotFound):
    code = "consent_link_not_found"
    message = "There is no consent link for this request now: the client has not sent one, or it was decided."


@dataclass
class ConsentRequest:
    access_request: AccessRequest
    cameras: list[Camera]
    window_start: datetime
    window_end: datetime
    hours: int
    client: OAuthClient | None = None


def _time(value) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _details_item(raw: str | None) -> dict:
    """The one RFC 9396 object of our type, its fields of the types they must have."""
    try:
        details = json.loads(raw or "")
    except ValueError:
        details = None
    item = details[0] if isinstance(details, list) and len(details) == 1 else None
    if not isinstance(item, dict) or item.get("type") != DETAILS_TYPE:
        raise ConsentInvalid(f'authorization_details must be one object of type "{DETAILS_TYPE}" (RFC 9396).',
                             errors={"authorization_details": [f'One object of type "{DETAILS_TYPE}".']})
    problems = []
    if not _whole_number(item.get("request_id")):
        problems.append("request_id must be the access request's number.")
    cameras = item.get("cameras")
    if cameras is not None and not (isinstance(cameras, list) and all(map(_whole_number, cameras))):
        problems.append("cameras must be a list of camera numbers.")
    window = item.get("window")
    if window is not None and not (isinstance(window, dict) and all(
            isinstance(window.get(k), (str, type(None))) and _time(window.get(k)) is not None
            for k in ("start", "end") if window.get(k) is not None)):
        problems.append('window must be an object {"start", "end"} of ISO 8601 times with a UTC offset.')
    if problems:
        raise ConsentInvalid("authorization_details is not valid.", errors={"authorization_details": problems})
    return item


def read_details(raw: str | None, partner: User, client: OAuthClient | None = None) -> ConsentRequest:
    """The RFC 9396 details the client sent, checked against the request the
    chief approved: the partner sees exactly what the chief approved, or less,
    and only through the client the request is bound to."""
    item = _details_item(raw)
    request = db.session.get(AccessRequest, item["request_id"])
    if request is None:
        raise ConsentInvalid("authorization_details names no access request.",
                             errors={"authorization_details": ["No such access request."]})
    if partner.role is not Role.PARTNER_ADMIN or partner.organisation_id != request.organisation_id:
        raise Forbidden("Only the cameras' owner consents.", refusal=Refusal("grant.consent", partner, request, {},
                                                                             tuple(request.cameras)))
    if request.status is not RequestStatus.AWAITING_PARTNER:
        raise ConsentInvalid(f"The request is {request.status.value.replace('_', ' ')}: there is nothing to consent to.",
                             errors={"status": [request.status.value]})
    if client is not None:
        check_client(f"client:{client.client_id}", request, client, action="grant.consent")
    cameras = item.get("cameras") or request.cameras
    window = item.get("window") or {}
    start = _time(window.get("start")) or request.window_start
    end = _time(window.get("end")) or request.window_end
    if not set(cameras) <= set(request.cameras) or start < request.window_start or end > request.window_end:
        raise ConsentInvalid("authorization_details asks for more than the chief approved.",
                             errors={"authorization_details": ["More than the chief approved."]})
    found = list(db.session.scalars(select(Camera).where(Camera.id.in_(cameras)).order_by(Camera.id)))
    return ConsentRequest(request, found, start, end, request.access_hours, client)


def consent(partner: User, offer: ConsentRequest, *, camera_ids: list[int],
            window_start: datetime, window_end: datetime, hours: int) -> Grant:
    """The partner grants all it was asked, or less; never more; and only to
    the client the request is bound to."""
    request = offer.access_request
    if offer.client is None:
        raise ConsentInvalid("A consent is given to an OAuth client: none is named.",
                             errors={"client_id": ["Name the client."]})
    offered = {c.id for c in offer.cameras}
    problems = {}
    if not camera_ids or not set(camera_ids) <= offered:
        problems["camera_ids"] = ["Choose among the cameras asked for."]
    if window_start < offer.window_start or window_end > offer.window_end or window_start >= window_end:
        problems["window"] = ["The window may only be shortened."]
    if not 1 <= hours <= offer.hours:
        problems["hours"] = [f"Access lasts between 1 and {offer.hours} hours."]
    if problems:
        raise ConsentInvalid(errors=problems, refusal=Refusal("grant.consent", partner, request, {},
                                                              tuple(sorted(set(camera_ids) | offered))))
    require_use(partner, Activity.GRANT, subject=request, cameras=camera_ids)
    client = offer.client
    bound_now = bind_client(f"client:{client.client_id}", request, client, action="grant.consent")
    now = utcnow()
    grant = Grant(request_id=request.id, client_id=client.client_id, organisation_id=request.organisation_id,
                  camera_ids=",".join(map(str, sorted(set(camera_ids)))), window_start=window_start,
                  window_end=window_end, expires_at=now + timedelta(hours=hours), granted_by_id=partner.id,
                  granted_at=now)
    _decide(request, partner, RequestStatus.GRANTED, now=now)
    db.session.add(grant)
    db.session.flush()
    record("grant.consented", actor=partner, subject=grant, case_number=request.case_number,
           purpose=request.offense_type, cameras=grant.cameras,
           details={"request_id": request.id, "asked": sorted(offered), "hours": hours,
                    "window": [window_start.isoformat(), window_end.isoformat()],
                    "client_id": client.client_id, "client_bound_now": bound_now})
    return grant


# Requests still awaiting an answer, the chief's or the partner's: a partner
# consents only after the chief approved, but may leave the network before.
OPEN_STATUSES = (RequestStatus.AWAITING_CHIEF, RequestStatus.AWAITING_PARTNER)


def decline(partner: User, offer: ConsentRequest, *, message: str) -> AccessRequest:
    """The partner's refusal is a decision like a consent: kept with the
    request, ledgered as the partner's, and told to the officer and the chief.
    Nothing can be consented to afterwards."""
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ConsentInvalid(errors={"message": [f"At most {MESSAGE_MAX} characters."]})
    return _declined(offer.access_request, partner, message or None,
                     {"client_id": offer.client.client_id if offer.client else None})


def decline_open_requests(partner: User, *, message: str) -> list[int]:
    """A partner that leaves the network answers every request still open for
    it, as declined on its behalf: one the chief has not yet decided would
    otherwise be sent to an organisation that is gone, one awaiting the
    partner would wait for ever. The officer and the chief are told."""
    open_requests = db.session.scalars(select(AccessRequest).where(
        AccessRequest.organisation_id == partner.organisation_id,
        AccessRequest.status.in_(OPEN_STATUSES)).order_by(AccessRequest.id)).all()
    return [_declined(request, partner, message, {"partner_left": True}, allowed=OPEN_STATUSES).id
            for request in open_requests]


def _declined(request: AccessRequest, partner: User, message: str | None, details: dict,
              allowed=(RequestStatus.AWAITING_PARTNER,)) -> AccessRequest:
    _decide(request, partner, RequestStatus.DECLINED, now=utcnow(), message=message, allowed=allowed)
    record("grant.declined", actor=partner, subject=request, case_number=request.case_number,
           purpose=message, cameras=request.cameras, details=details)
    told = {request.officer.organisation}
    if request.decided_by_id is not None:
        told.add(db.session.get(User, request.decided_by_id).organisation)
    for organisation in sorted(told, key=lambda o: o.id):
        notify(organisation, subject=f"{request.organisation.name} declined the access request for case "
                                     f"{request.case_number}",
               body=(f"{partner.display_name} for {request.organisation.name} declined request {request.id} "
                     f"(officer {request.officer.display_name})."
                     + (f" Their message: {message}" if message else " They left no message.")),
               link=f"/grants/requests/{request.id}")
    return request


def _decide(request: AccessRequest, partner: User, status: RequestStatus, *, now: datetime,
            message: str | None = None, allowed=(RequestStatus.AWAITING_PARTNER,)) -> None:
    """The partner decides once: of two decisions made at the same moment
    (two administrators, two tabs), the second is refused."""
    decided = db.session.execute(update(AccessRequest).where(
        AccessRequest.id == request.id, AccessRequest.status.in_(allowed)).values(
        status=status, partner_message=message, partner_decided_by_id=partner.id, partner_decided_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(request)
    if decided != 1:
        raise ConsentInvalid(f"The request was {request.status.value.replace('_', ' ')} meanwhile.",
                             errors={"status": [request.status.value]})


def grants_of(organisation_id: int) -> list[Grant]:
    return list(db.session.scalars(select(Grant).where(Grant.organisation_id == organisation_id)
                                   .order_by(Grant.granted_at.desc())))


def consent_link(request_id: int) -> str:
    """The short address the partner's message carries; it leads to the
    stored authorisation address, however long that is."""
    return f"/grants/requests/{request_id}/consent"


def set_consent_link(client: OAuthClient, request: AccessRequest, url: str) -> AccessRequest:
    """The agency's client hands over the authorisation address it built for
    this request (it holds the PKCE verifier); the hub checks that the address
    asks for exactly this request, by this client (the one the request is
    bound to), with PKCE, to a registered redirect, and sends it to the partner."""
    actor = f"client:{client.client_id}"
    check_client(actor, request, client, action="grant.consent_link")
    parts = urlsplit(url or "")
    params = dict(parse_qsl(parts.query))
    problems = []
    if parts.path != "/oauth/authorize":
        problems.append("The address must be this hub's /oauth/authorize.")
    if params.get("client_id") != client.client_id:
        problems.append("The address must name your own client_id.")
    if params.get("response_type") != "code":
        problems.append("response_type must be code.")
    if not CODE_CHALLENGE.fullmatch(params.get("code_challenge", "")) or params.get("code_challenge_method") != "S256":
        problems.append("PKCE is required: code_challenge (43 to 128 characters, RFC 7636) with method S256.")
    if params.get("redirect_uri") not in client.redirect_uri_list:
        problems.append("redirect_uri must be one your client registered.")
    try:
        asked_for = _details_item(params.get("authorization_details")).get("request_id")
    except ConsentInvalid:
        asked_for = None
    if asked_for != request.id:
        problems.append(f"authorization_details must name request {request.id}.")
    if request.status is not RequestStatus.AWAITING_PARTNER:
        problems.append(f"The request is {request.status.value.replace('_', ' ')}.")
    if problems:
        raise ConsentInvalid(errors={"authorization_url": problems})
    bound_now = bind_client(actor, request, client, action="grant.consent_link")
    request.consent_url = f"{parts.path}?{parts.query}"
    db.session.flush()
    record("grant.consent_link_prepared", actor=actor, subject=request,
           case_number=request.case_number, cameras=request.cameras,
           details={"client_id": client.client_id, "client_bound_now": bound_now})
    notify(request.organisation, subject=f"Decide on access request {request.id}",
           body="The department's request is ready for your decision: open it to grant all, part or none of it.",
           link=consent_link(request.id))
    return request


def consent_url(request: AccessRequest) -> str:
    """Where the partner's short link leads: the authorisation address the
    bound client prepared, while the request still awaits the partner."""
    if request.consent_url is None or request.status is not RequestStatus.AWAITING_PARTNER:
        raise ConsentLinkNotFound()
    return request.consent_url
