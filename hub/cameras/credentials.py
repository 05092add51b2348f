"""Each camera's ingest credential: shown once, stored as a hash, rotatable,
revocable by the owner or a hub administrator; a revoked credential is
refused on its very next use. It reads `hubcam_<lookup>_<secret>`."""
from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from sqlalchemy import select, update

from hub.cameras import permissions
from hub.cameras.errors import CameraInvalid, CredentialInvalid
from hub.cameras.models import Camera, CameraCredential, CameraStatus
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.models import User
from hub.identity.roles import Role
from hub.ledger.services import record

CREDENTIAL_PATTERN = re.compile(r"^hubcam_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$")
_LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _may_handle(actor: Any, camera: Camera) -> bool:
    return permissions.may_manage(actor, camera.organisation) or (
        isinstance(actor, User) and actor.role is Role.HUB_ADMIN)


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
    if not _may_handle(actor, camera):
        raise permissions.refuse(actor, camera, "camera.credential_issue")
    if camera.status is CameraStatus.RETIRED:
        raise CameraInvalid(errors={"status": ["A retired camera gets no credential."]})
    replaced = revoke_all(camera)
    lookup = "".join(secrets.choice(_LOOKUP_ALPHABET) for _ in range(16))
    secret = secrets.token_urlsafe(32)
    credential = CameraCredential(camera_id=camera.id, lookup=lookup, secret_hash=_digest(secret),
                                  created_at=utcnow())
    db.session.add(credential)
    db.session.flush()
    record("camera.credential_issued", actor=actor, subject=camera, cameras=[camera.id],
           details={"credential_id": credential.id, "replaced": replaced})
    return credential, f"hubcam_{lookup}_{secret}"


def revoke_credential(actor: Any, camera: Camera, *, reason: str) -> int:
    if not _may_handle(actor, camera):
        raise permissions.refuse(actor, camera, "camera.credential_revoke")
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
    match = CREDENTIAL_PATTERN.match(value.strip())
    if not match:
        raise CredentialInvalid()
    credential = db.session.scalar(select(CameraCredential).where(CameraCredential.lookup == match.group(1)))
    if credential is None or not secrets.compare_digest(credential.secret_hash, _digest(match.group(2))):
        raise CredentialInvalid()
    if credential.revoked_at is not None:
        raise CredentialInvalid("This camera credential has been revoked.")
    if credential.camera.status is CameraStatus.RETIRED:
        raise CredentialInvalid("The camera is retired.")
    return credential.camera
