"""Proof of destruction, per camera and day: how many reads were collected,
how many destroyed and when, how many are held and by which holds, and when
the owner's data key for the day was destroyed (from then on no copy of the
database can show that day's plates) — what the biennial audit needs, kept
after the reads themselves are gone."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from hub.cameras.models import Camera
from hub.extensions import db
from hub.keys.models import DataKey
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.errors import Forbidden, Refusal
from hub.ledger.services import record
from hub.retention.models import PurgeCount, PurgeRun, ReadsCollected


def count_collected(rows: list[dict]) -> None:
    """Add a batch's new reads to the per-camera, per-day tallies, in the
    order of their keys: concurrent batches then lock the tally rows in one
    order and cannot deadlock on them."""
    tally: dict[tuple[int, date], int] = defaultdict(int)
    for row in rows:
        tally[(row["camera_id"], row["captured_at"].date())] += 1
    if not tally:
        return
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = ReadsCollected.__table__
    statement = dialect.insert(table).values([{"camera_id": c, "day": d, "reads": n}
                                              for (c, d), n in sorted(tally.items())])
    db.session.execute(statement.on_conflict_do_update(index_elements=["camera_id", "day"],
                                                       set_={"reads": table.c.reads + statement.excluded.reads}))


@dataclass
class DayRecord:
    camera_id: int
    day: date
    collected: int = 0
    destroyed: int = 0
    held: int = 0
    destroyed_at: list[datetime] = field(default_factory=list)
    holds: set[int] = field(default_factory=set)
    key_destroyed_at: datetime | None = None


def destruction_record(actor: Any, *, since: date | None = None, until: date | None = None,
                       camera_id: int | None = None) -> list[DayRecord]:
    """Collected, destroyed (and when) and held, per camera and day. Counts
    only, never plates; reading it is ledgered like any access to counts
    derived from reads."""
    if not (can(actor, Capability.READ_LEDGER) or can(actor, Capability.MANAGE_HOLDS)):
        raise Forbidden("The destruction record is for auditors, the chief and ALPR administrators.",
                        refusal=Refusal("retention.destruction_record", actor, None))
    days: dict[tuple[int, date], DayRecord] = {}

    def entry(key) -> DayRecord:
        return days.setdefault(key, DayRecord(*key))

    collected = select(ReadsCollected.camera_id, ReadsCollected.day, ReadsCollected.reads)
    counts = (select(PurgeCount.camera_id, PurgeCount.day, PurgeCount.destroyed, PurgeCount.held, PurgeCount.holds,
                     PurgeRun.finished_at, PurgeRun.id).join(PurgeRun, PurgeRun.id == PurgeCount.run_id))
    for model, query in ((ReadsCollected, collected), (PurgeCount, counts)):
        if since:
            query = query.where(model.day >= since)
        if until:
            query = query.where(model.day <= until)
        if camera_id is not None:
            query = query.where(model.camera_id == camera_id)
        if model is ReadsCollected:
            for cam, day, reads in db.session.execute(query):
                entry((cam, day)).collected += reads
        else:
            latest_run: dict[tuple[int, date], int] = {}
            for cam, day, destroyed, held, holds, finished_at, run_id in db.session.execute(query.order_by(PurgeRun.id)):
                record_ = entry((cam, day))
                record_.destroyed += destroyed
                if destroyed:
                    record_.destroyed_at.append(finished_at)
                if run_id >= latest_run.get((cam, day), 0):
                    latest_run[(cam, day)] = run_id
                    record_.held = held
                    record_.holds = {int(h) for h in (holds or "").split(",") if h}
    _key_destruction(days)
    result = sorted(days.values(), key=lambda r: (r.day, r.camera_id))
    record("retention.destruction_record_viewed", actor=actor, cameras=sorted({r.camera_id for r in result}),
           details={"days": len({r.day for r in result}), "since": since.isoformat() if since else None,
                    "until": until.isoformat() if until else None})
    return result


def _key_destruction(days: dict[tuple[int, date], DayRecord]) -> None:
    """When each camera's owner's key for the day was destroyed."""
    if not days:
        return
    owners = dict(db.session.execute(select(Camera.id, Camera.organisation_id).where(
        Camera.id.in_({camera for camera, _ in days}))).all())
    destroyed = {(o, d): at for o, d, at in db.session.execute(
        select(DataKey.organisation_id, DataKey.day, DataKey.destroyed_at).where(
            DataKey.destroyed_at.is_not(None), DataKey.organisation_id.in_(set(owners.values())),
            DataKey.day.in_({day for _, day in days})))}
    for (camera, day), record_ in days.items():
        record_.key_destroyed_at = destroyed.get((owners.get(camera), day))


def purge_runs(limit: int = 100) -> list[PurgeRun]:
    return list(db.session.scalars(select(PurgeRun).order_by(PurgeRun.id.desc()).limit(limit)))
