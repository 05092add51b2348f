"""Who may see and manage which cameras. The agency's staff see the whole
registry (an officer must be able to name a partner camera to ask for it);
a partner administrator sees and manages its own organisation's cameras;
the agency's cameras are managed by its ALPR and hub administrators."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from hub.cameras.errors import NotCameraOwner
from hub.cameras.models import Camera
from hub.errors import Refusal
from hub.identity.models import Organisation, User
from hub.identity.permissions import can
from hub.identity.roles import Capability, OrganisationKind, Role

AGENCY_CAMERA_MANAGERS = frozenset({Role.ALPR_ADMIN, Role.HUB_ADMIN})


def sees_whole_registry(actor: Any) -> bool:
    if not can(actor, Capability.VIEW_CAMERAS):
        return False
    return not isinstance(actor, User) or actor.organisation.kind is OrganisationKind.AGENCY


def may_view(actor: Any, camera: Camera) -> bool:
    if sees_whole_registry(actor):
        return True
    return can(actor, Capability.VIEW_CAMERAS) and actor.organisation_id == camera.organisation_id


def may_manage(actor: Any, organisation: Organisation) -> bool:
    """Register and edit cameras, rotate their credentials."""
    if not isinstance(actor, User):
        return can(actor, Capability.MANAGE_CAMERAS)
    if actor.organisation_id != organisation.id or not can(actor, Capability.MANAGE_CAMERAS):
        return False
    if organisation.left_at is not None:
        return False  # a partner that left registers no camera and changes none
    if organisation.kind is OrganisationKind.AGENCY:
        return actor.role in AGENCY_CAMERA_MANAGERS
    return actor.role is Role.PARTNER_ADMIN


def may_see_access_log(actor: Any, camera: Camera) -> bool:
    if not isinstance(actor, User):
        return can(actor, Capability.VIEW_ACCESS_LOG)
    if not can(actor, Capability.VIEW_ACCESS_LOG):
        return False
    return actor.organisation_id == camera.organisation_id or (
        actor.organisation.kind is OrganisationKind.AGENCY and actor.role is not Role.PARTNER_ADMIN)


def visible(actor: Any, query: Select) -> Select:
    if sees_whole_registry(actor):
        return query
    if not can(actor, Capability.VIEW_CAMERAS):
        return query.where(False)
    return query.where(Camera.organisation_id == actor.organisation_id)


def refuse(actor: Any, camera: Camera | None, action: str, message: str | None = None, **details) -> NotCameraOwner:
    """The error for a refused attempt on a camera, ledgered against it."""
    cameras = (camera.id,) if camera is not None and camera.id else ()
    return NotCameraOwner(message, refusal=Refusal(action, actor, camera, details, cameras))
