"""The retention purge: every read is destroyed once it is older than its
camera's limit — the earliest of the state's, the agency's and, for a partner
camera, the owner's shorter choice, as the policy engine decides — unless a
hold keeps it. Destroying a read removes the row, its alerts (and their
webhook deliveries), its images from the encrypted store, and, once no read
it could concern is left, the private details of ledger entries naming its
plate (the entries keep their digests, so the ledger still verifies). Once
nothing of an organisation's day is left, its data key is destroyed too, so
the day cannot be read from any copy of the database (crypto-shredding).

Each batch is one unit of work with its ledger entry and its counts per
camera and day. Image files are removed only after the batch has committed,
from a list of tombstones written inside it: a crash leaves files to remove,
which the next run removes first, never a read whose image is gone. On
PostgreSQL a whole day past every camera's limit, with nothing held in it,
goes by dropping its partition."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

from sqlalchemy import case, delete, exists, false, func, insert, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from hub import policy
from hub.alerts.models import Alert, WebhookDelivery
from hub.cameras.models import Camera
from hub.cameras.sharing import READ_RETAIN, agency_retention_days
from hub.clock import utcnow
from hub.db import unit_of_work
from hub.db_faults import retry_units
from hub.errors import HubError
from hub.extensions import db
from hub.keys import services as data_keys
from hub.keys.models import DataKey
from hub.ledger.models import LedgerEntry, LedgerPrivateDetail
from hub.ledger.services import actor_ref, erase_private_details, record
from hub.reads import images
from hub.reads.models import Read
from hub.reads.partitions import partition_name
from hub.retention.models import Hold, HoldCamera, HoldPlateHash, ImageTombstone, PurgeCount, PurgeRun

BATCH = 5000


class RetentionRefused(HubError):
    status = 409
    code = "retention_refused"


def retention_days(owner_choice: int | None) -> int:
    """A camera's limit: the agency's (itself within the state's), or the
    owner's shorter choice; the engine must accept it."""
    days = min(filter(None, [agency_retention_days(), owner_choice]))
    decision = policy.decide(READ_RETAIN, {"retention_days": days, "active_investigation_hold": False,
                                           "exculpatory_hold": False})
    if not decision.allowed:
        raise RetentionRefused(f"A {days}-day retention is not lawful here: {decision.summary()}",
                               errors={"rules": decision.as_errors()})
    return days


def held(read=Read):
    """True for a read that an active hold keeps (a correlated condition)."""
    return exists().where(*hold_matches(read))


def hold_matches(read=Read) -> list:
    """A hold's selection, as conditions on a read. A hold carried over from
    before holds named their plate in clear (only its keyed hash) cannot be
    matched here and keeps nothing from the purge."""
    cameras = select(HoldCamera.camera_id).where(HoldCamera.hold_id == Hold.id)
    return [
        Hold.released_at.is_(None),
        or_(Hold.plate_hash.is_(None), Hold.plate.is_not(None)),
        or_(Hold.plate.is_(None), read.plate_hash.in_(select(HoldPlateHash.plate_hash).where(
            HoldPlateHash.hold_id == Hold.id))),
        or_(Hold.window_start.is_(None), read.captured_at >= Hold.window_start),
        or_(Hold.window_end.is_(None), read.captured_at <= Hold.window_end),
        or_(~exists(cameras), read.camera_id.in_(cameras))]


@dataclass
class PurgeReport:
    run_id: int | None = None
    destroyed: dict[tuple[int, date], int] = field(default_factory=lambda: defaultdict(int))
    held: dict[tuple[int, date], int] = field(default_factory=lambda: defaultdict(int))
    alerts: int = 0
    images: int = 0
    private_details: int = 0
    partitions: list[str] = field(default_factory=list)
    # The plate hashes destroyed, by data key: which plates went, without opening them.
    hashes: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    keys_destroyed: int = 0

    @property
    def reads_destroyed(self) -> int:
        return sum(self.destroyed.values())

    @property
    def reads_held(self) -> int:
        return sum(self.held.values())

    def add(self, step: PurgeReport) -> None:
        """Take in what one committed step destroyed (a step that lost a
        deadlock and ran again counts once)."""
        for key, n in step.destroyed.items():
            self.destroyed[key] += n
        for key_id, hashes in step.hashes.items():
            self.hashes[key_id] |= hashes
        self.alerts += step.alerts
        self.partitions += step.partitions


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def cutoffs_at(now: datetime) -> dict[int, datetime]:
    """Each camera's cutoff; cameras share a few limits, each decided once."""
    limits: dict[int | None, int] = {}
    cutoffs = {}
    for camera_id, owner_choice in db.session.execute(select(Camera.id, Camera.retention_days)):
        if owner_choice not in limits:
            limits[owner_choice] = retention_days(owner_choice)
        cutoffs[camera_id] = now - timedelta(days=limits[owner_choice])
    return cutoffs


def _overdue(cutoffs: dict[int, datetime], extra=None):
    """Reads past their camera's limit (optionally narrowed), held or not.
    Cameras share a few limits, so the condition has one term per limit."""
    by_cutoff: dict[datetime, list[int]] = defaultdict(list)
    for camera_id, cutoff in cutoffs.items():
        by_cutoff[cutoff].append(camera_id)
    conditions = [or_(*[Read.camera_id.in_(sorted(ids)) & (Read.captured_at < cutoff)
                        for cutoff, ids in by_cutoff.items()])] if cutoffs else [false()]
    if extra is not None:
        conditions.append(extra)
    return conditions


def start_run(actor: Any) -> PurgeRun:
    run = PurgeRun(started_at=utcnow(), actor=actor_ref(actor)[1])
    db.session.add(run)
    db.session.flush()
    return run


def count_held(run: PurgeRun, cutoffs: dict[int, datetime], report: PurgeReport) -> None:
    """What holds keep past retention, per camera, day and hold: kept with the run."""
    rows = db.session.execute(select(Read.id, Read.camera_id, Read.captured_at, Hold.id)
                              .where(*_overdue(cutoffs), *hold_matches())).all()
    seen: set[int] = set()
    holds: dict[tuple[int, date], set[int]] = defaultdict(set)
    for read_id, camera_id, captured_at, hold_id in rows:
        key = (camera_id, _day(captured_at))
        holds[key].add(hold_id)
        if read_id not in seen:
            seen.add(read_id)
            report.held[key] += 1
    _write_counts(run, {key: {"held": report.held[key], "holds": ids} for key, ids in holds.items()})


def _write_counts(run: PurgeRun, rows: dict[tuple[int, date], dict]) -> None:
    """Add to the run's counts per camera and day, in one statement."""
    if not rows:
        return
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = PurgeCount.__table__
    statement = dialect.insert(table)
    excluded = statement.excluded
    db.session.execute(statement.on_conflict_do_update(index_elements=["run_id", "camera_id", "day"], set_={
        "destroyed": table.c.destroyed + excluded.destroyed,
        "held": case((table.c.held > excluded.held, table.c.held), else_=excluded.held),
        "holds": func.coalesce(excluded.holds, table.c.holds)}), [
        {"run_id": run.id, "camera_id": camera_id, "day": day, "destroyed": row.get("destroyed", 0),
         "held": row.get("held", 0), "holds": ",".join(map(str, sorted(row["holds"]))) if row.get("holds") else None}
        for (camera_id, day), row in rows.items()])


def destroy_batch(actor: Any, run: PurgeRun, cutoffs: dict[int, datetime], report: PurgeReport, *,
                  extra=None, limit: int = BATCH) -> int:
    """Destroy up to `limit` overdue, unheld reads; returns how many were
    looked at. The DELETE asks again whether each read is held, so a hold
    placed since the reads were chosen still keeps them, and what is counted
    is what was deleted."""
    chosen = db.session.execute(select(Read.id, Read.captured_at).where(*_overdue(cutoffs, extra), ~held())
                                .limit(limit)).all()
    if not chosen:
        return 0
    # The time range lets PostgreSQL touch only the day partitions concerned.
    earliest, latest = min(r.captured_at for r in chosen), max(r.captured_at for r in chosen)
    gone = db.session.execute(delete(Read).where(Read.id.in_([r.id for r in chosen]),
                                                 Read.captured_at >= earliest, Read.captured_at <= latest, ~held())
                              .returning(Read.id, Read.camera_id, Read.captured_at, Read.key_id, Read.plate_hash,
                                         Read.plate_image, Read.vehicle_image)).all()
    ids = [row.id for row in gone]
    alert_ids = list(db.session.scalars(select(Alert.id).where(Alert.read_id.in_(ids)))) if ids else []
    if alert_ids:
        db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.alert_id.in_(alert_ids)))
        db.session.execute(delete(Alert).where(Alert.id.in_(alert_ids)))
    digests = {d for row in gone for d in (row.plate_image, row.vehicle_image) if d}
    tombstone(digests)
    batch: dict[tuple[int, date], int] = defaultdict(int)
    for row in gone:
        batch[(row.camera_id, _day(row.captured_at))] += 1
    for key, n in batch.items():
        report.destroyed[key] += n
    for row in gone:
        report.hashes[row.key_id].add(row.plate_hash)
    _write_counts(run, {key: {"destroyed": n} for key, n in batch.items()})
    report.alerts += len(alert_ids)
    run.reads_destroyed += len(ids)
    run.alerts_destroyed += len(alert_ids)
    if ids:
        _record(actor, run, batch, alerts=len(alert_ids), images=len(digests))
    return len(chosen)


def tombstone(digests: set[str]) -> None:
    """Mark image files for removal once the destruction that frees them commits."""
    if not digests:
        return
    known = set(db.session.scalars(select(ImageTombstone.digest).where(ImageTombstone.digest.in_(digests))))
    fresh = sorted(digests - known)
    if fresh:
        db.session.execute(insert(ImageTombstone), [{"digest": d, "created_at": utcnow()} for d in fresh])


def _record(actor: Any, run: PurgeRun, counts: dict[tuple[int, date], int], *, alerts: int, images: int,
            partition: str | None = None) -> None:
    """Counts per camera and day, never plates; the cameras' owners see it."""
    by_camera: dict[str, dict[str, int]] = defaultdict(dict)
    for (camera_id, day), n in sorted(counts.items()):
        by_camera[str(camera_id)][day.isoformat()] = n
    details = {"run_id": run.id, "destroyed": by_camera, "alerts": alerts, "images": images,
               "reads": sum(counts.values())}
    if partition:
        details["partition"] = partition
    record("retention.reads_destroyed", actor=actor, subject=run, cameras=sorted({c for c, _ in counts}),
           details=details)


def droppable_days(now: datetime, cutoffs: dict[int, datetime]) -> Iterator[tuple[date, str]]:
    """PostgreSQL day partitions wholly past every camera's limit."""
    if db.engine.dialect.name != "postgresql" or not cutoffs:
        return
    earliest_cutoff = min(cutoffs.values())
    names = db.session.scalars(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'reads' AND c.relname ~ '^reads_[0-9]{8}$'"))
    for name in sorted(names):
        day = datetime.strptime(name[6:], "%Y%m%d").date()
        if datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo) <= earliest_cutoff:
            yield day, name


def drop_partition(actor: Any, run: PurgeRun, day: date, name: str, report: PurgeReport) -> bool:
    """Destroy a whole day at once when nothing in it is held."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
    end = start + timedelta(days=1)
    in_day = (Read.captured_at >= start) & (Read.captured_at < end)
    db.session.execute(text("LOCK TABLE holds IN SHARE MODE"))  # no hold can be placed until the day is gone
    if db.session.scalar(select(exists().where(in_day, held()))):
        return False
    for key_id, plate_hash in db.session.execute(select(Read.key_id, Read.plate_hash).where(in_day).distinct()):
        report.hashes[key_id].add(plate_hash)
    counts = {(camera_id, day): n for camera_id, n in db.session.execute(
        select(Read.camera_id, func.count()).where(in_day).group_by(Read.camera_id))}
    digests = {d for pair in db.session.execute(select(Read.plate_image, Read.vehicle_image).where(
        in_day, (Read.plate_image.is_not(None)) | (Read.vehicle_image.is_not(None)))) for d in pair if d}
    alert_ids = list(db.session.scalars(select(Alert.id).where(Alert.captured_at >= start, Alert.captured_at < end)))
    if alert_ids:
        db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.alert_id.in_(alert_ids)))
        db.session.execute(delete(Alert).where(Alert.id.in_(alert_ids)))
    tombstone(digests)
    db.session.execute(text(f'DROP TABLE "{name}"'))
    for key, n in counts.items():
        report.destroyed[key] += n
    _write_counts(run, {key: {"destroyed": n} for key, n in counts.items()})
    report.alerts += len(alert_ids)
    report.partitions.append(name)
    run.reads_destroyed += sum(counts.values())
    run.alerts_destroyed += len(alert_ids)
    run.partitions_dropped += 1
    _record(actor, run, counts, alerts=len(alert_ids), images=len(digests), partition=name)
    return True


def erase_private_details_of(actor: Any, run: PurgeRun, destroyed: dict[int, set[str]]) -> int:
    """Once no read of a plate is stored any more, the private details of
    ledger entries that name it are erased (the entries keep their digests).
    The hotlists and holds that name a plate are not reads: theirs stay.
    The plates destroyed are known by their hashes under the keys of the
    reads destroyed (`destroyed`), which are still there at this step."""
    if not destroyed:
        return 0
    rows = db.session.execute(select(LedgerPrivateDetail.entry_id, LedgerPrivateDetail.content)
                              .join(LedgerEntry, LedgerEntry.id == LedgerPrivateDetail.entry_id)
                              .where(LedgerPrivateDetail.content.like('%"plate"%'),
                                     ~LedgerEntry.action.like("hotlist.%"), ~LedgerEntry.action.like("hold.%"))).all()
    naming = {entry_id: json.loads(content).get("plate") for entry_id, content in rows}
    keys = data_keys.handles(destroyed)
    named = {plate for plate in set(naming.values()) if isinstance(plate, str)
             and any(key.plate_hash(plate) in destroyed[key_id] for key_id, key in keys.items())}
    if not named:
        return 0
    live = data_keys.live_keys()
    still_stored = {plate for plate in named if db.session.scalar(select(exists().where(
        Read.plate_hash.in_(data_keys.plate_hashes([plate], live)))))}
    doomed = [entry_id for entry_id, plate in naming.items() if plate in named - still_stored]
    if not doomed:
        return 0
    erased = erase_private_details(actor, doomed, reason=f"retention purge run {run.id}")
    run.private_details_erased += erased
    return erased


def destroy_spent_keys(actor: Any, run: PurgeRun, cutoffs: dict[int, datetime]) -> int:
    """Destroy the data keys of days no camera may still collect (wholly
    before every camera's cutoff) and of which no read or alert is left:
    from now on that day is unreadable in every copy of the database."""
    if not cutoffs:
        return 0
    last_day = min(cutoffs.values()).date() - timedelta(days=1)
    candidates = list(db.session.scalars(select(DataKey).where(DataKey.destroyed_at.is_(None),
                                                               DataKey.day <= last_day)))
    spent = []
    for day in sorted({k.day for k in candidates}):
        start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
        end = start + timedelta(days=1)
        in_use = set(db.session.scalars(select(Read.key_id).where(Read.captured_at >= start, Read.captured_at < end)
                                        .distinct())) | \
            set(db.session.scalars(select(Alert.key_id).where(Alert.captured_at >= start, Alert.captured_at < end)
                                   .distinct()))
        spent += [k for k in candidates if k.day == day and k.id not in in_use]
    if spent:
        data_keys.destroy(actor, spent, reason=f"retention purge run {run.id}: nothing of the day is left")
    return len(spent)


def remove_tombstoned_images(limit: int = 10000) -> tuple[int, int]:
    """Remove the files of destroyed reads, after their destruction committed:
    (tombstones handled, files removed). An image still used by a kept read
    (the store is content-addressed) stays."""
    digests = list(db.session.scalars(select(ImageTombstone.digest).limit(limit)))
    if not digests:
        return 0, 0
    in_use = set(db.session.scalars(select(Read.plate_image).where(Read.plate_image.in_(digests)))) | \
        set(db.session.scalars(select(Read.vehicle_image).where(Read.vehicle_image.in_(digests))))
    removed = sum(1 for digest in digests if digest not in in_use and images.delete(digest))
    db.session.execute(delete(ImageTombstone).where(ImageTombstone.digest.in_(digests)))
    return len(digests), removed


def remove_all_tombstoned_images() -> int:
    """Every pending file removal, each chunk its own unit of work."""

    removed = 0
    while True:
        with unit_of_work():
            handled, files = remove_tombstoned_images()
        removed += files
        if not handled:
            return removed


def preview(actor: Any, now: datetime | None = None) -> PurgeReport:
    """What a purge would destroy and keep now, without destroying anything
    (counts derived from reads: the look is ledgered)."""
    now = now or utcnow()
    cutoffs = cutoffs_at(now)
    report = PurgeReport()
    for camera_id, day, is_held, n in db.session.execute(
            select(Read.camera_id, func.date(Read.captured_at), held().label("held"), func.count())
            .where(*_overdue(cutoffs)).group_by(Read.camera_id, func.date(Read.captured_at), "held")):
        (report.held if is_held else report.destroyed)[(camera_id, _day(day))] += n
    record("retention.purge_previewed", actor=actor, cameras=sorted({c for c, _ in report.destroyed}),
           details={"would_destroy": report.reads_destroyed, "held": report.reads_held})
    return report


def run_purge(actor: Any, *, now: datetime | None = None, extra=None, batch: int = BATCH,
              progress=None) -> PurgeReport:
    """A whole purge, each step its own unit of work: leftover image files of
    an interrupted run first, then whole days (PostgreSQL), then batches of
    overdue reads, then stale private details, then the files."""
    from hub.scheduler.lock import PurgeLock

    lock = PurgeLock()
    if not lock.acquire():
        raise RetentionRefused("Another retention purge is running; try again when it has finished.")
    try:
        return _run_purge(actor, now=now or utcnow(), extra=extra, batch=batch, progress=progress)
    finally:
        lock.release()


def _step(report: PurgeReport, work):
    """One step of the purge, its own unit of work, run again from the start
    when it loses a deadlock to concurrent writers; what it destroyed joins
    the report once it has committed."""
    def attempt():
        step = PurgeReport(run_id=report.run_id)
        return work(db.session.get(PurgeRun, report.run_id), step), step

    result, step = retry_units(attempt, what="retention purge")
    report.add(step)
    return result


def _run_purge(actor: Any, *, now: datetime, extra, batch: int, progress) -> PurgeReport:

    report = PurgeReport()
    remove_all_tombstoned_images()
    with unit_of_work():
        data_keys.shred_destroyed()  # keys an interrupted run destroyed but did not remove
        data_keys.hash_hold_plates()
    with unit_of_work():
        run = start_run(actor)
        report.run_id = run.id
        cutoffs = cutoffs_at(now)
        count_held(run, cutoffs, report)
    if extra is None:
        for day, name in list(droppable_days(now, cutoffs)):
            _step(report, lambda run, step: drop_partition(actor, run, day, name, step))
            if progress:
                progress(report.reads_destroyed)
    while True:
        done = _step(report, lambda run, step: destroy_batch(actor, run, cutoffs, step, extra=extra, limit=batch))
        if progress and done:
            progress(report.reads_destroyed)
        if done < batch:
            break
    with unit_of_work():
        run = db.session.get(PurgeRun, report.run_id)
        report.private_details = erase_private_details_of(actor, run, report.hashes)
        report.keys_destroyed = destroy_spent_keys(actor, run, cutoffs)
        run.keys_destroyed = report.keys_destroyed
        run.reads_held = report.reads_held
        run.finished_at = utcnow()
        record("retention.purge_run", actor=actor, subject=run, cameras=sorted({c for c, _ in report.destroyed}),
               details={"reads_destroyed": report.reads_destroyed, "reads_held": report.reads_held,
                        "keys_destroyed": report.keys_destroyed,
                        "alerts_destroyed": report.alerts, "partitions_dropped": len(report.partitions),
                        "private_details_erased": report.private_details})
    report.images = remove_all_tombstoned_images()
    with unit_of_work():
        db.session.get(PurgeRun, report.run_id).images_destroyed = report.images
        data_keys.shred_destroyed()
    return report
