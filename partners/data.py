"""A partner's own data: what the hub holds of each of its cameras (how
many reads, from when, until when each is kept, under which mode, what holds
keep), and the export of its cameras' reads and access log, with the
ledger's proofs. Reads are opened through the scope function, for the owner;
each look and each export is ledgered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from hub import csv_export
from hub.cameras import access_log as log
from hub.cameras.models import Camera
from hub.errors import Forbidden, Refusal
from hub.extensions import db
from hub.identity.models import Organisation, User
from hub.identity.roles import Role
from hub.ledger import holders
from hub.ledger.errors import NoCheckpoint
from hub.ledger.services import record
from hub.reads.classification import describe
from hub.reads.models import Read
from hub.retention.purge import retention_days
from hub.scope import Purpose, scope_for
from partners.leaving import held_by_holds

READS_HEADER = ["camera", "camera_read_id", "captured_at_utc", "plate", "plate_state", "confidence", "verified",
                "classification", "latitude", "longitude", "has_image"]


@dataclass
class CameraHoldings:
    camera: Camera
    reads: int
    oldest: datetime | None
    newest: datetime | None
    retention_days: int

    @property
    def kept_until(self) -> datetime | None:
        """When the oldest read held goes, unless a hold keeps it."""
        return self.oldest + timedelta(days=self.retention_days) if self.oldest else None


def _require_owner(actor: Any, organisation: Organisation, action: str, cameras=()) -> None:
    if not (isinstance(actor, User) and actor.role is Role.PARTNER_ADMIN
            and actor.organisation_id == organisation.id):
        raise Forbidden("Only the partner's administrators see and export its data.",
                        refusal=Refusal(action, actor, organisation, {}, tuple(cameras)))


def holdings(actor: Any, organisation: Organisation) -> tuple[list[CameraHoldings], list[dict]]:
    """Per camera, what is held and until when; and what holds keep (never their case)."""
    _require_owner(actor, organisation, "partner.data_view")
    cameras = list(db.session.scalars(select(Camera).where(Camera.organisation_id == organisation.id)
                                      .order_by(Camera.name)))
    scope = scope_for(actor, Purpose.OWNER)
    counts = {camera_id: (n, oldest, newest) for camera_id, n, oldest, newest in db.session.execute(
        select(Read.camera_id, func.count(), func.min(Read.captured_at), func.max(Read.captured_at))
        .where(scope.clause(Read.camera_id, Read.captured_at)).group_by(Read.camera_id))}
    rows = [CameraHoldings(c, *counts.get(c.id, (0, None, None)), retention_days(c.retention_days)) for c in cameras]
    record("partner.data_viewed", actor=actor, subject=organisation, cameras=[c.id for c in cameras],
           details={"reads": sum(r.reads for r in rows)})
    return rows, held_by_holds([c.id for c in cameras])


def _owned(actor: Any, organisation: Organisation, camera_ids: list[int] | None) -> list[Camera]:
    """The cameras asked for, all the organisation's own; a camera of anyone
    else is refused on record, never silently dropped."""
    own = {c.id: c for c in db.session.scalars(select(Camera).where(Camera.organisation_id == organisation.id))}
    wanted = sorted(set(camera_ids)) if camera_ids else sorted(own)
    foreign = [c for c in wanted if c not in own]
    if foreign:
        raise Forbidden(f"Cameras {foreign} are not {organisation.name}'s: you export only your own cameras' data.",
                        errors={"camera_id": foreign},
                        refusal=Refusal("partner.export", actor, organisation, {"cameras": foreign}, tuple(foreign)))
    return [own[c] for c in wanted]


@dataclass
class OwnerExport:
    organisation: Organisation
    cameras: list[Camera]
    reads: list[Read]
    access_log: list[tuple[Camera, log.Row]]
    proofs: dict | None

    def reads_csv(self) -> str:
        names = {c.id: c.name for c in self.cameras}
        return csv_export.to_csv(READS_HEADER, ([
            names[r.camera_id], r.camera_read_id, r.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ"), r.plate,
            r.plate_state or "", r.confidence, r.verified, describe(r.classification), r.latitude, r.longitude,
            bool(r.plate_image or r.vehicle_image)] for r in self.reads))

    def access_log_csv(self, proof_url) -> str:
        return csv_export.to_csv(["camera", *log.CSV_HEADER], ([
            camera.name, r.entry_id, r.at.strftime("%Y-%m-%dT%H:%M:%SZ"), r.actor, r.organisation or "", r.label,
            r.action, r.purpose or "", r.case_number or "", "" if r.reads is None else r.reads, r.under or "",
            proof_url(camera.id, r.entry_id)] for camera, r in self.access_log))

    def as_json(self, proof_url) -> dict:
        names = {c.id: c.name for c in self.cameras}
        return {
            "organisation": self.organisation.name,
            "cameras": [{"id": c.id, "name": c.name, "sharing_mode": c.sharing_mode.value, "status": c.status.value}
                        for c in self.cameras],
            "reads": [{"camera": names[r.camera_id], "camera_read_id": r.camera_read_id,
                       "captured_at": r.captured_at.isoformat(), "plate": r.plate, "plate_state": r.plate_state,
                       "confidence": r.confidence, "verified": r.verified,
                       "classification": describe(r.classification)} for r in self.reads],
            "access_log": [{"camera": camera.name, "entry_id": r.entry_id, "at": r.at.isoformat(), "actor": r.actor,
                            "organisation": r.organisation, "action": r.label, "action_code": r.action,
                            "purpose": r.purpose, "reads": r.reads, "under": r.under,
                            "proof_url": proof_url(camera.id, r.entry_id)} for camera, r in self.access_log],
            "proofs": self.proofs}


def export(actor: Any, organisation: Organisation, *, camera_ids: list[int] | None = None,
           kind: str) -> OwnerExport:
    """The organisation's cameras' reads (opened for their owner) and access
    log, with the proofs of every access-log entry into the latest checkpoint."""
    _require_owner(actor, organisation, "partner.export", camera_ids or ())
    cameras = _owned(actor, organisation, camera_ids)
    ids = [c.id for c in cameras]
    scope = scope_for(actor, Purpose.OWNER)
    reads = scope.open(db.session.scalars(select(Read).where(Read.camera_id.in_(ids), scope.clause(
        Read.camera_id, Read.captured_at)).order_by(Read.captured_at, Read.id))) if ids else []
    rows = []
    for camera in cameras:
        page = log.Filters()
        while found := log.access_log(actor, camera, page, limit=5000):
            rows += [(camera, r) for r in found]
            page.before_id = found[-1].entry_id
    try:
        proofs = holders.proof_bundle(actor, organisation.id, sorted({r.entry_id for _, r in rows}))
    except NoCheckpoint:
        proofs = None
    record("partner.data_exported", actor=actor, subject=organisation, cameras=ids,
           details={"reads": len(reads), "access_log_entries": len(rows), "format": kind})
    return OwnerExport(organisation, cameras, reads, rows, proofs)
