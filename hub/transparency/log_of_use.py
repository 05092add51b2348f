"""The log of use (Minn. Stat. 13.824 subd. 5): per camera and day, the hours
it collected, how many reads, the lists they were compared against, and the
hits by category. The aggregation job computes each day from the reads and
alerts while they exist, and keeps the figures after the reads are destroyed.
What the log must hold is the pack's `log_includes` obligation: a column the
pack asks for and this code cannot give stops the page, never a silent gap."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import delete, extract, func, insert, select

from hub import policy
from hub.alerts.models import Alert
from hub.cameras import health
from hub.cameras.models import Camera, SharingMode
from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists.models import EntrySource, HotlistEntry, HotlistImport
from hub.identity.models import Organisation
from hub.identity.roles import OrganisationKind
from hub.ledger.services import record
from hub.reads.classification import classify
from hub.reads.models import Read
from hub.transparency.models import LogOfUseDay
from policies import PolicyPackError

LOG_OF_USE = policy.declare("log_of_use.publish", {})
HIT_COLUMNS = {"stolen_vehicle": "hits_stolen", "stolen_plate": "hits_stolen", "warrant": "hits_warrant",
               "suspended_revoked_license": "hits_suspended_revoked"}
OTHER_HITS = "hits_active_investigation"  # every other listing names an active investigation
STATE_FILE = "Minnesota license plate data file (state and NCIC hot file)"
MANUAL = "Manual entries for active criminal investigations"
# What each item of the pack's obligation is, in this log.
COLUMNS = {"collection_times": "Hours it collected (UTC)", "reads_per_period": "Reads",
           "databases_compared": "Compared against", "hits_stolen": "Hits: stolen vehicles or plates",
           "hits_warrant": "Hits: warrants", "hits_suspended_revoked": "Hits: suspended or revoked licences",
           "hits_active_investigation": "Hits: active investigations",
           "fixed_locations_with_dates": "Locations with dates"}


def required_columns(engine) -> list[str]:
    """The pack's list of what the log must show. An item the hub does not
    compute stops the hub from starting (checked in `init_app`)."""
    return list(engine.obligation(LOG_OF_USE, "log_includes") or [])


def init_app(app) -> None:
    engine = app.extensions["policy_engine"]
    unknown = [item for item in required_columns(engine) if item not in COLUMNS]
    if unknown:
        raise PolicyPackError(engine.state.path, "public-log-of-use",
                              f"asks the log of use for {unknown}, which the hub does not compute")


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def _lists_compared(day: date) -> str:
    start, end = _bounds(day)
    lists = []
    if db.session.scalar(select(func.count()).select_from(HotlistImport).where(HotlistImport.imported_at < end)):
        lists.append(STATE_FILE)
    if db.session.scalar(select(func.count()).select_from(HotlistEntry).where(
            HotlistEntry.source == EntrySource.MANUAL, HotlistEntry.created_at < end,
            (HotlistEntry.removed_at.is_(None)) | (HotlistEntry.removed_at >= start))):
        lists.append(MANUAL)
    return "; ".join(lists)


def _read_hours(start: datetime, end: datetime) -> dict[int, list[int]]:
    """Each camera's reads per hour of the day."""
    by_hour: dict[int, list[int]] = defaultdict(lambda: [0] * 24)
    for camera_id, hour, n in db.session.execute(
            select(Read.camera_id, extract("hour", Read.captured_at), func.count())
            .where(Read.captured_at >= start, Read.captured_at < end)
            .group_by(Read.camera_id, extract("hour", Read.captured_at))):
        by_hour[camera_id][int(hour)] += n
    return by_hour


def aggregate_day(actor: Any, day: date) -> int:
    """Compute (or recompute, while its reads exist) one day for every camera
    that collected, was heard from, or had hits."""
    start, end = _bounds(day)
    by_hour = _read_hours(start, end)
    heard = health.heard_hours(day)
    hits: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for camera_id, category, n in db.session.execute(
            select(Alert.camera_id, HotlistEntry.reason_category, func.count())
            .join(HotlistEntry, HotlistEntry.id == Alert.hotlist_entry_id)
            .where(Alert.captured_at >= start, Alert.captured_at < end)
            .group_by(Alert.camera_id, HotlistEntry.reason_category)):
        hits[camera_id][HIT_COLUMNS.get(category, OTHER_HITS)] += n
    compared = _lists_compared(day)
    matched = {camera_id for camera_id, mode, kind in db.session.execute(
        select(Camera.id, Camera.sharing_mode, Organisation.kind).join(Organisation))
        if kind is OrganisationKind.AGENCY or mode is not SharingMode.PRIVATE}
    cameras = set(by_hour) | set(hits) | set(heard)
    db.session.execute(delete(LogOfUseDay).where(LogOfUseDay.day == day))
    if cameras:
        db.session.execute(insert(LogOfUseDay), [{
            "camera_id": c, "day": day, "reads": sum(by_hour.get(c, ())),
            "hours_active": "".join("1" if n else "0" for n in by_hour.get(c, [0] * 24)),
            "hours_heard": "".join("1" if heard.get(c, 0) >> h & 1 else "0" for h in range(24)),
            "reads_by_hour": ",".join(map(str, by_hour.get(c, [0] * 24))),
            "hits_stolen": hits[c]["hits_stolen"], "hits_warrant": hits[c]["hits_warrant"],
            "hits_suspended_revoked": hits[c]["hits_suspended_revoked"],
            "hits_active_investigation": hits[c][OTHER_HITS],
            "databases_compared": compared if c in matched else "none (the owner shares no hotlist hits)"}
            for c in sorted(cameras)])
    record("log_of_use.aggregated", actor=actor, details={"day": day.isoformat(), "cameras": len(cameras),
                                                          "reads": sum(map(sum, by_hour.values()))})
    return len(cameras)


def aggregate_recent(actor: Any) -> int:
    """Yesterday (complete now) and today (so far): the scheduler's job."""
    today = utcnow().date()
    return aggregate_day(actor, today - timedelta(days=1)) + aggregate_day(actor, today)


@dataclass
class CollectionPeriod:
    """An unbroken run of hours in which a camera was actively collecting,
    with the reads it collected then (None for days kept before reads were
    counted by the hour)."""

    camera_id: int
    start: datetime
    end: datetime
    reads: int | None


def _runs(hours: list[int]) -> list[tuple[int, int]]:
    """Consecutive hours as [start, end) runs: [1, 2, 3, 7] gives (1, 4), (7, 8)."""
    runs: list[tuple[int, int]] = []
    for h in hours:
        if runs and runs[-1][1] == h:
            runs[-1] = (runs[-1][0], h + 1)
        else:
            runs.append((h, h + 1))
    return runs


def collection_periods(days: Iterable[LogOfUseDay]) -> list[CollectionPeriod]:
    """The periods of active use, from days ordered by camera and day; a
    period running past midnight into the next day stays one period."""
    periods: list[CollectionPeriod] = []
    for row in days:
        base = datetime.combine(row.day, time.min, tzinfo=timezone.utc)
        hourly = row.hourly_reads if row.reads_by_hour else None
        for first, end in _runs(row.collecting_hours):
            start, reads = base + timedelta(hours=first), None if hourly is None else sum(hourly[first:end])
            last = periods[-1] if periods else None
            if last and last.camera_id == row.camera_id and last.end == start:
                last.end = base + timedelta(hours=end)
                last.reads = None if last.reads is None or reads is None else last.reads + reads
            else:
                periods.append(CollectionPeriod(row.camera_id, start, base + timedelta(hours=end), reads))
    return periods


@dataclass
class CameraLog:
    camera_id: int
    owner: str
    location: str
    days: list[LogOfUseDay]
    problems: list = field(default_factory=list)
    reader: str = ""  # what the statute makes of the camera (a partner's device is a reader, subd. 1)

    @property
    def reads(self) -> int:
        return sum(d.reads for d in self.days)

    @cached_property
    def periods(self) -> list[CollectionPeriod]:
        return collection_periods(self.days)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def month_cameras(month: date) -> list[int]:
    """The readers installed by the end of the month and not retired before
    it began, in order: what the log's pages run over (one that collected
    nothing that month shows so)."""
    first, after = month_bounds(month)
    return list(db.session.scalars(select(Camera.id).where(Camera.installed_on < after,
                                                           (Camera.retired_on.is_(None)) | (Camera.retired_on >= first))
                                   .order_by(Camera.id)))


def month_log(month: date, camera_ids: list[int] | None = None) -> list[CameraLog]:
    """Cameras' days in a month (every camera's, or those named), the public
    way: owners by kind, never by name; problems by their dates only."""
    first, after = month_bounds(month)
    query = select(LogOfUseDay).where(LogOfUseDay.day >= first, LogOfUseDay.day < after)
    if camera_ids is not None:
        query = query.where(LogOfUseDay.camera_id.in_(camera_ids))
    days = defaultdict(list)
    for row in db.session.scalars(query.order_by(LogOfUseDay.camera_id, LogOfUseDay.day)):
        days[row.camera_id].append(row)
    shown = list(days) if camera_ids is None else camera_ids
    cameras = db.session.scalars(select(Camera).where(Camera.id.in_(shown))).all() if shown else []
    problems = defaultdict(list)
    for problem in health.problems_between(_bounds(first)[0], _bounds(after)[0], camera_ids=shown):
        problems[problem.camera_id].append(problem)
    readers = {kind: classify(kind).words for kind in {c.organisation.kind for c in cameras}}
    return [CameraLog(c.id, public_owner(c), c.location_description, days[c.id], problems[c.id],
                      readers[c.organisation.kind])
            for c in sorted(cameras, key=lambda c: c.id)]


OWNER_KINDS = {OrganisationKind.AGENCY: "City", OrganisationKind.HOA: "Homeowners association",
               OrganisationKind.BUSINESS: "Business"}


def public_owner(camera: Camera) -> str:
    """A camera's owner as the public sees it: by kind, never by name."""
    return OWNER_KINDS.get(camera.organisation.kind, "Other")
