"""The partner's side of a grant: what the consent screen shows (read from
the request's `authorization_details`), consenting to all or fewer cameras
or a shorter window or time, and declining. Revocation is in `revocation`;
using a grant, in `access`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.errors import Forbidden, Refusal, ValidationFailed
from hub.extensions import db
from hub.grants.models import AccessRequest, Grant, RequestStatus

from hub.identity.models import User
from hub.identity.roles import Role
from hub.ledger.services import record

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
