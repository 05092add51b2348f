"""The log of use (Minn. Stat. 13.824 subd. 5): per camera and day, the hours
it collected, how many reads, the lists they were compared against, and the
hits by category. The aggregation job computes each day from the reads and
alerts while they exist, and keeps the figures after the reads are destroyed.
What the log must hold is the pack's `log_includes` obligation: a column the
pack asks for and this code cannot give stops the page, never a silent gap."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import delete, extract, func, insert, select

from hub import policy
from hub.alerts.models import Alert
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


def aggregate_day(actor: Any, day: date) -> int:
    """Compute (or recompute, while its reads exist) one day for every camera."""
    start, end = _bounds(day)
    hours: dict[int, set[int]] = defaultdict(set)
    counts: dict[int, int] = defaultdict(int)
    for camera_id, hour, n in db.session.execute(
            select(Read.camera_id, extract("hour", Read.captured_at), func.count())
            .where(Read.captured_at >= start, Read.captured_at < end)
            .group_by(Read.camera_id, extract("hour", Read.captured_at))):
        hours[camera_id].add(int(hour))
        counts[camera_id] += n
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
    cameras = set(counts) | set(hits)
    db.session.execute(delete(LogOfUseDay).where(LogOfUseDay.day == day))
    if cameras:
        db.session.execute(insert(LogOfUseDay), [{
            "camera_id": c, "day": day, "reads": counts.get(c, 0),
            "hours_active": "".join("1" if h in hours.get(c, ()) else "0" for h in range(24)),
            "hits_stolen": hits[c]["hits_stolen"], "hits_warrant": hits[c]["hits_warrant"],
            "hits_suspended_revoked": hits[c]["hits_suspended_revoked"],
            "hits_active_investigation": hits[c][OTHER_HITS],
            "databases_compared": compared if c in matched else "none (the owner shares no hotlist hits)"}
            for c in sorted(cameras)])
    record("log_of_use.aggregated", actor=actor, details={"day": day.isoformat(), "cameras": len(cameras),
                                                          "reads": sum(counts.values())})
    return len(cameras)


def aggregate_recent(actor: Any) -> int:
    """Yesterday (complete now) and today (so far): the scheduler's job."""
    today = utcnow().date()
    return aggregate_day(actor, today - timedelta(days=1)) + aggregate_day(actor, today)


@dataclass
class CameraLog:
    camera_id: int
    owner: str
    location: str
    days: list[LogOfUseDay]
    reader: str = ""  # what the statute makes of the camera (a partner's device is a reader, subd. 1)

    @property
    def reads(self) -> int:
        return sum(d.reads for d in self.days)


def month_log(month: date) -> list[CameraLog]:
    """Every camera's days in a month, the public way: owners by kind, never by name."""
    first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    days = defaultdict(list)
    for row in db.session.scalars(select(LogOfUseDay).where(LogOfUseDay.day >= first, LogOfUseDay.day < after)
                                  .order_by(LogOfUseDay.camera_id, LogOfUseDay.day)):
        days[row.camera_id].append(row)
    cameras = db.session.scalars(select(Camera).where(Camera.id.in_(list(days)))).all() if days else []
    readers = {kind: classify(kind).words for kind in {c.organisation.kind for c in cameras}}
    return [CameraLog(c.id, public_owner(c), c.location_description, days[c.id], readers[c.organisation.kind])
            for c in sorted(cameras, key=lambda c: c.id)]


def public_owner(camera: Camera) -> str:
    return {OrganisationKind.AGENCY: "City", OrganisationKind.HOA: "Homeowners association",
            OrganisationKind.BUSINESS: "Business"}.get(camera.organisation.kind, "Other")
