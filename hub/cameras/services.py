"""Registering cameras. The agency's own cameras are shared with it by
definition; a partner's start private until the owner says otherwise."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from hub import policy
from hub.cameras.models import Camera, CameraStatus, SharingMode
from hub.clock import utcnow
from hub.errors import Forbidden, Refusal, ValidationFailed
from hub.extensions import db
from hub.identity.models import Organisation, User
from hub.identity.roles import OrganisationKind, Role
from hub.ledger.services import record

CITY_CAMERA_ROLES = frozenset({Role.ALPR_ADMIN, Role.HUB_ADMIN})


def _may_register(actor: Any, organisation: Organisation) -> bool:
    if not isinstance(actor, User):
        return True
    if organisation.kind is OrganisationKind.AGENCY:
        return actor.role in CITY_CAMERA_ROLES and actor.organisation_id == organisation.id
    return actor.role is Role.PARTNER_ADMIN and actor.organisation_id == organisation.id


def find_camera(organisation: Organisation, name: str) -> Camera | None:
    return db.session.scalar(select(Camera).where(Camera.organisation_id == organisation.id, Camera.name == name))


def register_camera(actor: Any, organisation: Organisation, *, name: str, location_description: str,
                    latitude: float, longitude: float, direction: str, fixed: bool, vendor: str,
                    model: str, installed_on: date) -> Camera:
    if not _may_register(actor, organisation):
        raise Forbidden("Only the organisation's own administrators register its cameras.",
                        refusal=Refusal("camera.register", actor, organisation))
    if organisation.kind is OrganisationKind.OUTSIDE_AGENCY:
        raise ValidationFailed(errors={"organisation": ["Outside agencies do not enrol cameras in this hub."]})
    errors = {}
    if not name.strip():
        errors["name"] = ["A camera needs a name."]
    elif find_camera(organisation, name.strip()):
        errors["name"] = [f"{organisation.name} already has a camera named '{name.strip()}'."]
    if not -90 <= latitude <= 90:
        errors["latitude"] = ["Latitude is between -90 and 90."]
    if not -180 <= longitude <= 180:
        errors["longitude"] = ["Longitude is between -180 and 180."]
    if errors:
        raise ValidationFailed(errors=errors)
    notice_days = policy.engine().obligation("camera.install", "bca_notice_days", {"fixed": fixed})
    camera = Camera(
        organisation=organisation, name=name.strip(), location_description=location_description.strip(),
        latitude=latitude, longitude=longitude, direction=direction, fixed=fixed, vendor=vendor, model=model,
        installed_on=installed_on, status=CameraStatus.ACTIVE,
        sharing_mode=SharingMode.SHARED if organisation.kind is OrganisationKind.AGENCY else SharingMode.PRIVATE,
        bca_notice_due_on=installed_on + timedelta(days=notice_days) if notice_days else None,
        created_at=utcnow(),
    )
    db.session.add(camera)
    db.session.flush()
    record("camera.registered", actor=actor, subject=camera,
           details={"organisation_id": organisation.id, "name": camera.name, "fixed": fixed,
                    "latitude": latitude, "longitude": longitude, "direction": direction,
                    "sharing_mode": camera.sharing_mode.value})
    return camera
