"""Each camera's ingest credential: shown once, stored as a hash, rotatable,
revocable by the owner or a hub administrator; a revoked credential is
refused on its very next use (see `hub.secret_tokens`)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from hub import secret_tokens
from hub.cameras import permissions
from hub.cameras.errors import CameraInvalid, CredentialInvalid
from hub.cameras.models import Camera, CameraCredential, CameraStatus
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.models import User
from hub.identity.roles import Role
from hub.ledger.services import record

PREFIX = "hubcam"
CREDENTIAL_PATTERN = secret_tokens.pattern(PREFIX)


def may_handle(actor: Any, camera: Camera) -> bool:
    return permissions.may_manage(actor, camera.organisation) or (
        isinstance(actor, User) and actor.role is Role.HUB_ADMIN and actor.is_active)


def require_handler(actor: Any, camera: Camera, action: str) -> None:
    if not may_handle(actor, camera):
        raise permissions.refuse(actor, camera, action)


def active_credential(camera: Camera) -> CameraCredential | None:
    return db.session.scalar(select(CameraCredential).where(CameraCredential.camera_id == camera.id,
                                                            CameraCredential.revoked_at.is_(None)))


def revoke_all(camera: Camera) -> int:
    result = db.session.execute(update(CameraCredential).where(CameraCredential.camera_id == camera.id,
                                                               CameraCredential.revoked_at.is_(None))
                                .values(revoked_at=utcnow()))
    return result.rowcount


def issue_credential(actor: Any, camera: Camera) -> tuple[CameraCredential, str]:
    """A new credential; any earlier one is revoked in the same transaction."""
    require_handler(actor, camera, "camera.credential_issue")
    if camera.status is CameraStatus.RETIRED:
        raise CameraInvalid(errors={"status": ["A retired camera gets no credential."]})
    replaced = revoke_all(camera)
    issued = secret_tokens.issue(PREFIX)
    credential = CameraCredential(camera_id=camera.id, lookup=issued.lookup, secret_hash=issued.digest,
                                  created_at=utcnow())
    db.session.add(credential)
    db.session.flush()
    record("camera.credential_issued", actor=actor, subject=camera, cameras=[camera.id],
           details={"credential_id": credential.id, "replaced": replaced})
    return credential, issued.text


def revoke_credential(actor: Any, camera: Camera, *, reason: str) -> int:
    require_handler(actor, camera, "camera.credential_revoke")
    if not reason.strip():
        raise CameraInvalid(errors={"reason": ["Say why the credential is revoked."]})
    revoked = revoke_all(camera)
    if not revoked:
        raise CameraInvalid(errors={"credential": ["The camera has no active credential."]})
    record("camera.credential_revoked", actor=actor, subject=camera, purpose=reason.strip(), cameras=[camera.id])
    return revoked


def authenticate_camera(value: str) -> Camera:
    """The camera behind an ingest credential; refused when malformed,
    unknown, revoked, or when the camera is retired."""
    parts = secret_tokens.parse(PREFIX, value)
    if parts is None:
        raise CredentialInvalid()
    credential = db.session.scalar(select(CameraCredential).where(CameraCredential.lookup == parts[0]))
    if credential is None or not secret_tokens.matches(credential.secret_hash, parts[1]):
        raise CredentialInvalid()
    if credential.revoked_at is not None:
        raise CredentialInvalid("This camera credential has been revoked.")
    if credential.camera.status is CameraStatus.RETIRED:
        raise CredentialInvalid("The camera is retired.")
    return credential.camera
