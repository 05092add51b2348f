"""The partner's side of a grant: what the consent screen shows (read from
the request's `authorization_details`), consenting to all or fewer cameras
or a shorter window or time, and declining. Revocation is in `revocation`;
using a grant, in `access`."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.errors import Forbidden, Refusal, ValidationFailed
from hub.extensions import db
from hub.grants.models import AccessRequest, Grant, OAuthClient, RequestStatus

from hub.identity.models import User
from hub.identity.roles import Role
from hub.ledger.services import record
from hub.notifications.services import notify

DETAILS_TYPE = "alpr_camera_access"


class ConsentInvalid(ValidationFailed):
    code = "consent_invalid"


@dataclass
class ConsentRequest:
    access_request: AccessRequest
    cameras: list[Camera]
    window_start: datetime
    window_end: datetime
    hours: int


def _time(value) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def read_details(raw: str | None, partner: User) -> ConsentRequest:
    """The RFC 9396 details the client sent, checked against the request the
    chief approved: the partner sees exactly what the chief approved, or less."""
    try:
        details = json.loads(raw or "")
        item = details[0] if isinstance(details, list) and len(details) == 1 else None
    except ValueError:
        item = None
    if not isinstance(item, dict) or item.get("type") != DETAILS_TYPE:
        raise ConsentInvalid(f'authorization_details must be one object of type "{DETAILS_TYPE}" (RFC 9396).')
    request = db.session.get(AccessRequest, item.get("request_id") or 0)
    if request is None:
        raise ConsentInvalid("authorization_details names no access request.")
    if partner.role is not Role.PARTNER_ADMIN or partner.organisation_id != request.organisation_id:
        raise Forbidden("Only the cameras' owner consents.", refusal=Refusal("grant.consent", partner, request, {},
                                                                             tuple(request.cameras)))
    if request.status is not RequestStatus.AWAITING_PARTNER:
        raise ConsentInvalid(f"The request is {request.status.value.replace('_', ' ')}: there is nothing to consent to.")
    cameras = item.get("cameras") or request.cameras
    window = item.get("window") or {}
    start = _time(window.get("start")) or request.window_start
    end = _time(window.get("end")) or request.window_end
    if not set(cameras) <= set(request.cameras) or start < request.window_start or end > request.window_end:
        raise ConsentInvalid("authorization_details asks for more than the chief approved.")
    found = list(db.session.scalars(select(Camera).where(Camera.id.in_(cameras)).order_by(Camera.id)))
    return ConsentRequest(request, found, start, end, request.access_hours)


def consent(partner: User, offer: ConsentRequest, *, client_id: str, camera_ids: list[int],
            window_start: datetime, window_end: datetime, hours: int) -> Grant:
    """The partner grants all it was asked, or less; never more."""
    request = offer.access_request
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
    now = utcnow()
    grant = Grant(request_id=request.id, client_id=client_id, organisation_id=request.organisation_id,
                  camera_ids=",".join(map(str, sorted(set(camera_ids)))), window_start=window_start,
                  window_end=window_end, expires_at=now + timedelta(hours=hours), granted_by_id=partner.id,
                  granted_at=now)
    request.status = RequestStatus.GRANTED
    db.session.add(grant)
    db.session.flush()
    record("grant.consented", actor=partner, subject=grant, case_number=request.case_number,
           purpose=request.offense_type, cameras=grant.cameras,
           details={"request_id": request.id, "asked": sorted(offered), "hours": hours,
                    "window": [window_start.isoformat(), window_end.isoformat()]})
    return grant


def decline(partner: User, offer: ConsentRequest, *, message: str) -> AccessRequest:
    request = offer.access_request
    request.status, request.partner_message = RequestStatus.DECLINED, message.strip() or None
    db.session.flush()
    record("grant.declined", actor=partner, subject=request, case_number=request.case_number,
           purpose=message.strip() or None, cameras=request.cameras)
    return request


def grants_of(organisation_id: int) -> list[Grant]:
    return list(db.session.scalars(select(Grant).where(Grant.organisation_id == organisation_id)
                                   .order_by(Grant.granted_at.desc())))


def set_consent_link(client: OAuthClient, request: AccessRequest, url: str) -> AccessRequest:
    """The agency's client hands over the authorisation address it built for
    this request (it holds the PKCE verifier); the hub checks that the address
    asks for exactly this request, by this client, with PKCE, to a registered
    redirect, and sends it to the partner."""
    parts = urlsplit(url or "")
    params = dict(parse_qsl(parts.query))
    problems = []
    if parts.path != "/oauth/authorize":
        problems.append("The address must be this hub's /oauth/authorize.")
    if params.get("client_id") != client.client_id:
        problems.append("The address must name your own client_id.")
    if params.get("response_type") != "code":
        problems.append("response_type must be code.")
    if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
        problems.append("PKCE is required: code_challenge with method S256.")
    if params.get("redirect_uri") not in client.redirect_uri_list:
        problems.append("redirect_uri must be one your client registered.")
    try:
        details = json.loads(params.get("authorization_details", ""))
        asked_for = details[0].get("request_id") if isinstance(details, list) and details else None
    except (ValueError, AttributeError):
        asked_for = None
    if asked_for != request.id:
        problems.append(f"authorization_details must name request {request.id}.")
    if request.status is not RequestStatus.AWAITING_PARTNER:
        problems.append(f"The request is {request.status.value.replace('_', ' ')}.")
    if problems:
        raise ConsentInvalid(errors={"authorization_url": problems})
    request.consent_url = f"{parts.path}?{parts.query}"
    db.session.flush()
    record("grant.consent_link_prepared", actor=f"client:{client.client_id}", subject=request,
           case_number=request.case_number, cameras=request.cameras)
    notify(request.organisation, subject=f"Decide on access request {request.id}",
           body="The department's request is ready for your decision: open it to grant all, part or none of it.",
           link=request.consent_url)
    return request
