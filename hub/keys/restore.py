"""After a restore: a database restored from a backup older than a key's
destruction still lists that key as live, while the key store (never
restored from a backup) no longer holds its file. The day is unreadable,
as its destruction meant, but the restored rows do not know it, and any
path that tries to open them fails. This brings the database in line, on
record, the way a purge would have: the reads and alerts of those days
destroyed (a hold keeps its reads, unreadable as they are), then the keys."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from hub.alerts.models import Alert
from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.errors import HubError
from hub.extensions import db
from hub.keys import services as data_keys
from hub.keys.models import DataKey
from hub.reads.models import Read
from hub.retention import purge

REASON = ("its file is gone from the key store: the key was destroyed after the backup this database was "
          "restored from")


class KeyStoreLooksWrong(HubError):
    status = 409
    code = "key_store_looks_wrong"


@dataclass(frozen=True)
class MissingKey:
    key: DataKey
    reads: int


def missing_keys() -> list[MissingKey]:
    """Live data keys whose file the key store does not hold, with how many
    reads each still seals. A store that holds none of the live keys is far
    more likely a wrong `HUB_DATA_KEY_STORE` than a restore: refused."""
    store = data_keys.ring().store
    live = list(db.session.scalars(select(DataKey).where(DataKey.destroyed_at.is_(None)).order_by(DataKey.id)))
    missing = [k for k in live if not store.path(k.organisation_id, k.day).exists()]
    if live and len(missing) == len(live):
        raise KeyStoreLooksWrong(f"HUB_DATA_KEY_STORE ({store.root}) holds none of the {len(live)} live data keys: "
                                 "point it at the hub's key store (or its mirror) before anything is destroyed.")
    counts = dict(db.session.execute(select(Read.key_id, func.count()).where(
        Read.key_id.in_([k.id for k in missing])).group_by(Read.key_id)).all()) if missing else {}
    return [MissingKey(k, counts.get(k.id, 0)) for k in missing]


def destroy_missing(actor: Any, missing: list[MissingKey]) -> dict:
    """Destroy, in the caller's unit of work, the reads and alerts sealed
    under keys whose files are gone (as a purge run, so the destruction
    record shows it), then those keys that nothing held still uses."""
    if not missing:
        return {"reads_destroyed": 0, "keys_destroyed": 0, "reads_held": 0}
    key_ids = [m.key.id for m in missing]
    run = purge.start_run(actor)
    report = purge.PurgeReport(run_id=run.id)
    everything = {camera_id: utcnow() + timedelta(days=1) for camera_id in db.session.scalars(select(Camera.id))}
    while purge.destroy_batch(actor, run, everything, report, extra=Read.key_id.in_(key_ids)):
        pass
    purge.erase_private_details_of(actor, run, report.hashes)
    in_use = set(db.session.scalars(select(Read.key_id).where(Read.key_id.in_(key_ids)).distinct())) | \
        set(db.session.scalars(select(Alert.key_id).where(Alert.key_id.in_(key_ids)).distinct()))
    spent = [m.key for m in missing if m.key.id not in in_use]
    data_keys.destroy(actor, spent, reason=REASON)
    held = db.session.scalar(select(func.count()).select_from(Read).where(Read.key_id.in_(key_ids)))
    run.keys_destroyed, run.reads_held, run.finished_at = len(spent), held, utcnow()
    return {"reads_destroyed": report.reads_destroyed, "keys_destroyed": len(spent), "reads_held": held}
