"""The camera registry: registering, editing, moving and retiring cameras.
A camera's location history is kept (the public log of use lists current and
previous fixed locations with dates); retiring keeps everything."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from hub.cameras import permissions
from hub.cameras.bca import bca_deadline, reader_kind
from hub.cameras.credentials import revoke_all
from hub.cameras.errors import CameraInvalid, CameraNotFound
from hub.cameras.models import Camera, CameraLocation, CameraStatus, SharingMode
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.models import Organisation
from hub.identity.roles import OrganisationKind
from hub.ledger.services import record

DIRECTIONS = ("northbound", "southbound", "eastbound", "westbound", "inbound", "outbound", "both")


@dataclass
class Location:
    latitude: float
    longitude: float
    description: str

    def problems(self) -> dict[str, list[str]]:
        errors = {}
        if not isinstance(self.latitude, (int, float)) or not -90 <= self.latitude <= 90:
            errors["latitude"] = ["Latitude is a number between -90 and 90."]
        if not isinstance(self.longitude, (int, float)) or not -180 <= self.longitude <= 180:
            errors["longitude"] = ["Longitude is a number between -180 and 180."]
        if not (self.description or "").strip():
            errors["location_description"] = ["Describe where the camera stands (road, nearest crossing)."]
        return errors


def find_camera(organisation: Organisation, name: str) -> Camera | None:
    """The organisation's camera of that name, whatever its case. Compared
    here, not by the database's `lower()`, which on SQLite folds ASCII only."""
    wanted = name.strip().casefold()
    return next((camera for camera in db.session.scalars(select(Camera).where(
        Camera.organisation_id == organisation.id)) if camera.name.casefold() == wanted), None)


def camera_names(ids: list[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Camera.id, Camera.name).where(Camera.id.in_(ids))).all())


def camera_list(ids: list[int]) -> str:
    """Cameras named in words, for a page that would otherwise say "2 camera(s)"."""
    names = camera_names(ids)
    return ", ".join(names.get(i, f"camera {i}") for i in ids)


def get_camera(actor: Any, camera_id: int) -> Camera:
    camera = db.session.get(Camera, camera_id)
    if camera is None:
        raise CameraNotFound()
    if not permissions.may_view(actor, camera):
        raise permissions.refuse(actor, camera, "camera.view", "This camera belongs to another organisation.")
    return camera


def list_cameras(actor: Any, *, organisation_id: int | None = None, status: CameraStatus | None = None,
                 limit: int = 500, offset: int = 0) -> list[Camera]:
    query = permissions.visible(actor, select(Camera))
    if organisation_id is not None:
        query = query.where(Camera.organisation_id == organisation_id)
    if status is not None:
        query = query.where(Camera.status == status)
    return list(db.session.scalars(query.order_by(Camera.organisation_id, Camera.name).limit(limit).offset(offset)))


def _check_fields(organisation: Organisation, *, name: str, direction: str, location: Location,
                  installed_on: date | None, camera: Camera | None = None) -> None:
    errors = location.problems()
    if not name.strip():
        errors["name"] = ["A camera needs a name."]
    else:
        twin = find_camera(organisation, name)
        if twin is not None and twin is not camera:
            errors["name"] = [f"{organisation.name} already has a camera named '{twin.name}'."]
    if direction not in DIRECTIONS:
        errors["direction"] = [f"Choose one of: {', '.join(DIRECTIONS)}."]
    if installed_on is not None and installed_on > utcnow().date() + timedelta(days=366):
        errors["installed_on"] = ["The installation date is too far in the future."]
    if errors:
        raise CameraInvalid(errors=errors)


def register_camera(actor: Any, organisation: Organisation, *, name: str, location: Location, direction: str,
                    fixed: bool, vendor: str, model: str, installed_on: date, built_in: bool = False) -> Camera:
    if not permissions.may_manage(actor, organisation):
        raise permissions.refuse(actor, None, "camera.register",
                                 "Only the organisation's own administrators register its cameras.",
                                 organisation_id=organisation.id)
    if organisation.kind.is_outside:
        raise CameraInvalid(errors={"organisation": ["Outside agencies do not enrol cameras in this hub."]})
    if not organisation.is_approved:
        raise CameraInvalid("The partnership is not approved yet.",
                            errors={"organisation": ["Cameras can be registered once the agency approves "
                                                     "the partnership."]})
    _check_fields(organisation, name=name, direction=direction, location=location, installed_on=installed_on)
    camera = Camera(
        organisation=organisation, name=name.strip(), location_description=location.description.strip(),
        latitude=location.latitude, longitude=location.longitude, direction=direction, fixed=fixed,
        built_in=built_in, vendor=vendor.strip(), model=model.strip(), installed_on=installed_on, status=CameraStatus.ACTIVE,
        sharing_mode=SharingMode.SHARED if organisation.kind is OrganisationKind.AGENCY else SharingMode.PRIVATE,
        bca_notice_due_on=bca_deadline(installed_on, reader_kind(fixed, built_in)), created_at=utcnow(),
    )
    db.session.add(camera)
    db.session.flush()
    camera.locations.append(CameraLocation(latitude=location.latitude, longitude=location.longitude,
                                           description=camera.location_description, from_date=installed_on))
    record("camera.registered", actor=actor, subject=camera, cameras=[camera.id],
           details={"organisation_id": organisation.id, "name": camera.name, "fixed": fixed,
                    "reader_kind": camera.reader_kind,
                    "latitude": location.latitude, "longitude": location.longitude, "direction": direction,
                    "sharing_mode": camera.sharing_mode.value})
    return camera


EDITABLE = ("name", "direction", "fixed", "built_in", "vendor", "model", "status")


def require_manager(actor: Any, camera: Camera, action: str) -> None:
    """The organisation's camera managers change its cameras; pages ask this
    before reading their form, so a refusal is never hidden behind a form error."""
    if not permissions.may_manage(actor, camera.organisation):
        raise permissions.refuse(actor, camera, action)


def update_camera(actor: Any, camera: Camera, *, reason: str, location: Location | None = None,
                  moved_on: date | None = None, **changes) -> Camera:
    """Edit a camera. A new location closes the current entry of its history
    and opens another from `moved_on` (today by default)."""
    require_manager(actor, camera, "camera.update")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CameraInvalid(errors={k: ["This field cannot be changed here."] for k in sorted(unknown)})
    if camera.status is CameraStatus.RETIRED:
        raise CameraInvalid("A retired camera is kept as it was.", errors={"status": ["The camera is retired."]})
    if changes.get("status") is CameraStatus.RETIRED:
        raise CameraInvalid(errors={"status": ["Retire a camera with the retire action, which records why."]})
    if not reason.strip():
        raise CameraInvalid(errors={"reason": ["Say why the camera changes."]})
    new_location = location or Location(camera.latitude, camera.longitude, camera.location_description)
    _check_fields(camera.organisation, name=changes.get("name", camera.name),
                  direction=changes.get("direction", camera.direction), location=new_location,
                  installed_on=None, camera=camera)
    before = {k: _plain(getattr(camera, k)) for k in changes}
    old_location = {"latitude": camera.latitude, "longitude": camera.longitude,
                    "description": camera.location_description}
    for key, value in changes.items():
        setattr(camera, key, value.strip() if type(value) is str else value)  # an enum member stays one
    if camera.bca_notice_due_on is None:
        camera.bca_notice_due_on = bca_deadline(utcnow().date(), camera.reader_kind)
    moved = location is not None and (location.latitude, location.longitude, location.description.strip()) != (
        camera.latitude, camera.longitude, camera.location_description)
    if moved:
        _move(camera, location, moved_on or utcnow().date())
        before["location"] = old_location
    db.session.flush()
    after = {k: _plain(getattr(camera, k)) for k in changes}
    if moved:
        after["location"] = {"latitude": camera.latitude, "longitude": camera.longitude,
                             "description": camera.location_description}
    record("camera.updated", actor=actor, subject=camera, purpose=reason.strip(), cameras=[camera.id],
           details={"before": before, "after": after})
    return camera


def _plain(value):
    return value.value if hasattr(value, "value") else value


def _move(camera: Camera, location: Location, moved_on: date) -> None:
    current = camera.locations[0] if camera.locations else None
    if current is not None and moved_on < current.from_date:
        raise CameraInvalid(errors={"moved_on": [f"The camera has stood at its current place since "
                                                 f"{current.from_date}; a move cannot be earlier."]})
    if current is not None:
        current.to_date = moved_on
    camera.latitude, camera.longitude = location.latitude, location.longitude
    camera.location_description = location.description.strip()
    camera.locations.insert(0, CameraLocation(latitude=location.latitude, longitude=location.longitude,
                                              description=camera.location_description, from_date=moved_on))
    if camera.fixed:
        camera.bca_notice_due_on, camera.bca_notice_sent_on = bca_deadline(moved_on, camera.reader_kind), None


def retire_camera(actor: Any, camera: Camera, *, reason: str) -> Camera:
    """A retired camera collects nothing more; its history and ledger stay."""
    require_manager(actor, camera, "camera.retire")
    if not reason.strip():
        raise CameraInvalid(errors={"reason": ["Say why the camera is retired."]})
    if camera.status is CameraStatus.RETIRED:
        return camera
    camera.status, camera.retired_on = CameraStatus.RETIRED, utcnow().date()
    if camera.locations and camera.locations[0].to_date is None:
        camera.locations[0].to_date = camera.retired_on
    revoke_all(camera)
    db.session.flush()
    record("camera.retired", actor=actor, subject=camera, purpose=reason.strip(), cameras=[camera.id])
    return camera


def apply_changes(actor: Any, camera: Camera, changes: dict) -> Camera:
    """One API PATCH: the sharing mode (the owner's) and the camera's own
    fields (its managers'), in one unit of work."""
    from hub.cameras.sharing import set_sharing_mode

    changes = dict(changes)
    reason = changes.pop("reason")
    if "sharing_mode" in changes or "retention_days" in changes:
        mode = SharingMode(changes.pop("sharing_mode", camera.sharing_mode.value))
        set_sharing_mode(actor, camera, mode, reason=reason,
                         retention_days=changes.pop("retention_days", camera.retention_days))
    location = None
    if "latitude" in changes:
        location = Location(changes.pop("latitude"), changes.pop("longitude"), changes.pop("location_description"))
    moved_on = changes.pop("moved_on", None)
    if "status" in changes:
        changes["status"] = CameraStatus(changes["status"])
    if changes or location:
        update_camera(actor, camera, reason=reason, location=location, moved_on=moved_on, **changes)
    return camera
