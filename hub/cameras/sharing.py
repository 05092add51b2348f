"""Per-camera sharing modes, set only by the camera's owner. The mode is read
from the database on every request that depends on it, so a change takes
effect on the very next request; each change is ledgered with who and why."""
from __future__ import annotations

from typing import Any

from hub import policy
from hub.cameras import permissions
from hub.cameras.errors import CameraInvalid
from hub.cameras.models import Camera, CameraStatus, SharingMode
from hub.extensions import db
from hub.identity.models import User
from hub.identity.roles import OrganisationKind, Role
from hub.ledger.services import record
from policies.vocabulary import BOOLEAN

READ_RETAIN = policy.declare("read.retain", {"retention_days": None, "active_investigation_hold": BOOLEAN,
                                             "exculpatory_hold": BOOLEAN})


def agency_retention_days() -> int:
    return policy.engine().obligation(READ_RETAIN, "retention_days")


def is_owner(actor: Any, camera: Camera) -> bool:
    """The owner's administrators: a partner camera's mode is theirs alone."""
    return isinstance(actor, User) and actor.role is Role.PARTNER_ADMIN and actor.organisation_id == camera.organisation_id


def require_owner(actor: Any, camera: Camera, **details) -> None:
    """Asked by the service and, before its form is read, by the camera page."""
    if camera.organisation.kind is OrganisationKind.AGENCY and permissions.may_manage(actor, camera.organisation):
        raise CameraInvalid(errors={"sharing_mode": ["The agency's own cameras are shared with it by definition."]})
    if not is_owner(actor, camera):
        raise permissions.refuse(actor, camera, "camera.sharing_mode",
                                 "Only the camera's owner chooses how the police may see it.", **details)


def set_sharing_mode(actor: Any, camera: Camera, mode: SharingMode, *, reason: str,
                     retention_days: int | None = None) -> Camera:
    require_owner(actor, camera, requested_mode=mode.value)
    errors = {}
    if camera.status is CameraStatus.RETIRED:
        errors["status"] = ["The camera is retired."]
    if not reason.strip():
        errors["reason"] = ["Say why the sharing changes: the reason is kept in the audit ledger."]
    ceiling = agency_retention_days()
    if retention_days is not None and not 1 <= retention_days <= ceiling:
        errors["retention_days"] = [f"Choose between 1 and {ceiling} days (the agency keeps reads {ceiling} days)."]
    if errors:
        raise CameraInvalid(errors=errors)
    before = {"sharing_mode": camera.sharing_mode.value, "retention_days": camera.retention_days}
    camera.sharing_mode = mode
    camera.retention_days = retention_days
    db.session.flush()
    record("camera.sharing_mode_changed", actor=actor, subject=camera, purpose=reason.strip(), cameras=[camera.id],
           details={"before": before, "after": {"sharing_mode": mode.value, "retention_days": retention_days}})
    return camera


def agency_access(camera: Camera) -> dict:
    """What the agency may do with this camera's data right now, from its
    mode alone (time-limited grants add to this for private cameras)."""
    active = camera.status is CameraStatus.ACTIVE
    mode = camera.sharing_mode
    return {
        "search": active and mode is SharingMode.SHARED,
        "alerts": active and mode in (SharingMode.SHARED, SharingMode.ALERTS_ONLY),
        "retention_days": min(filter(None, [camera.retention_days, agency_retention_days()])),
    }
