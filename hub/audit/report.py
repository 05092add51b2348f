"""What the biennial audit report holds for a period (Minn. Stat. 13.824
subd. 6): when data were collected and how they are classified; whether
every read was destroyed on time, with the holds that justified keeping
some; how data were used (searches, exports, grants, outside agencies'
requests) with their authorisations; the BCA notices; the training and
written authorisation of everyone who touched data; and the ledger's
verification with the signed checkpoints that cover the period. Counts and
ids only: no plate, no case number, no partner's name."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select

from hub.cameras import health
from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.extensions import db
from hub.grants.models import AccessRequest, Grant
from hub.identity.models import TrainingAcknowledgement, User, WrittenAuthorisation
from hub.ledger import tree
from hub.ledger.models import LedgerCheckpoint, LedgerEntry
from hub.ledger.verification import verify_ledger
from hub.retention.models import Hold, HoldKind, PurgeCount, PurgeRun, ReadsCollected
from hub.transparency import metrics
from hub.transparency.log_of_use import public_owner
from hub.transparency.models import NO_HOURS, LogOfUseDay

# Entries that enter, read, change or destroy ALPR data: whoever wrote one
# in the period touched data, and the report shows their training and
# written authorisation.
DATA_ACTIONS = ("reads.searched", "reads.exported", "grant.reads_accessed", "alerts.delivered", "alert.viewed",
                "alert.verified", "alert.rejected", "read.confirmed", "reads.unverified_listed", "hold.created",
                "hold.viewed", "holds.listed", "hold.reviewed", "hold.released", "hotlist.entry_added",
                "hotlist.entry_removed", "safe_at_home.request_recorded", "retention.destruction_record_viewed")
CLASSIFICATION = ("Reads not tied to an active criminal investigation are private data on individuals or "
                  "nonpublic data (Minn. Stat. 13.824 subd. 2(b)); reads kept by an investigation hold are active "
                  "criminal investigative data (Minn. Stat. 13.82 subd. 7).")


def instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


@dataclass
class CameraFigures:
    camera_id: int
    name: str
    owner: str
    reader_kind: str
    installed_on: date
    days_collected: int = 0
    first_day: date | None = None
    last_day: date | None = None
    reads: int = 0
    hours_collecting: int = 0
    periods: int = 0
    problems: int = 0
    destroyed_on_time: int = 0
    destroyed_late: int = 0
    held: int = 0
    bca_due_on: date | None = None
    bca_sent_on: date | None = None

    @property
    def bca_status(self) -> str:
        if self.bca_due_on is None:
            return "not required"
        if self.bca_sent_on is None:
            return "outstanding" if self.bca_due_on >= utcnow().date() else "overdue"
        return "on time" if self.bca_sent_on <= self.bca_due_on else "late"


@dataclass
class LateDestruction:
    camera_id: int
    day: date
    reads: int
    deadline: datetime
    destroyed_at: datetime


@dataclass
class Person:
    username: str
    name: str
    role: str
    entries: int
    trained_on: date | None
    authorised_on: date | None
    authorisation_withdrawn: datetime | None

    @property
    def status(self) -> str:
        if self.trained_on is None or self.authorised_on is None:
            return "missing " + " and ".join(n for n, v in (("training", self.trained_on),
                                                           ("written authorisation", self.authorised_on)) if v is None)
        return "trained and authorised"


@dataclass
class LedgerFindings:
    intact: bool
    problems: list[str]
    sealed_size: int
    entries_in_period: int
    first_entry: int | None
    last_entry: int | None
    checkpoints_in_period: int
    opening: dict | None  # the last checkpoint signed before the period began
    closing: dict | None  # the first checkpoint covering every entry of the period
    consistency: dict | None  # RFC 6962 proof from opening to closing


@dataclass
class AuditReportData:
    period_from: date
    period_to: date
    built_at: datetime
    cameras: list[CameraFigures]
    late: list[LateDestruction]
    holds: list[dict]
    searches: dict[str, dict[date, int]]
    search_authorities: dict[str, int]
    uses: dict[str, dict[str, int]]
    grants: list[dict]
    refusals: dict[str, int]
    people: list[Person]
    ledger: LedgerFindings
    months: list[date]
    classification: str = CLASSIFICATION
    recipients: list[str] = field(default_factory=list)
    due_days: int = 30

    @property
    def by_owner(self) -> dict[str, dict[str, int]]:
        """The readers' figures added up by kind of owner: the report's summary."""
        sums: dict[str, dict[str, int]] = {}
        for c in self.cameras:
            row = sums.setdefault(c.owner, Counter())
            row.update({"readers": 1, "days_collected": c.days_collected, "reads": c.reads,
                        "hours_collecting": c.hours_collecting, "periods": c.periods, "problems": c.problems,
                        "destroyed_on_time": c.destroyed_on_time, "destroyed_late": c.destroyed_late,
                        "held": c.held, f"bca {c.bca_status}": 1})
        return sums

    @property
    def exceptions(self) -> list[CameraFigures]:
        """Readers with something to look at: reads destroyed late, problems
        reported, or a BCA notice not sent on time."""
        return [c for c in self.cameras if c.destroyed_late or c.problems
                or c.bca_status in ("late", "overdue", "outstanding")]

    @property
    def totals(self) -> dict[str, int]:
        return {"reads": sum(c.reads for c in self.cameras),
                "destroyed_on_time": sum(c.destroyed_on_time for c in self.cameras),
                "destroyed_late": sum(c.destroyed_late for c in self.cameras),
                "held": sum(c.held for c in self.cameras),
                "searches": sum(sum(m.values()) for m in self.searches.values())}


def _cameras(first: date, last: date) -> dict[int, CameraFigures]:
    cameras = {c.id: CameraFigures(c.id, c.name, public_owner(c), c.reader_kind, c.installed_on,
                                   bca_due_on=c.bca_notice_due_on, bca_sent_on=c.bca_notice_sent_on)
               for c in db.session.scalars(select(Camera).where(Camera.installed_on <= last).order_by(Camera.id))}
    for camera_id, days, first_day, last_day, reads in db.session.execute(
            select(ReadsCollected.camera_id, func.count(), func.min(ReadsCollected.day), func.max(ReadsCollected.day),
                   func.sum(ReadsCollected.reads))
            .where(ReadsCollected.day >= first, ReadsCollected.day <= last).group_by(ReadsCollected.camera_id)):
        if camera_id in cameras:
            figures = cameras[camera_id]
            figures.days_collected, figures.first_day, figures.last_day, figures.reads = days, first_day, last_day, reads
    return cameras


def _collection(cameras: dict[int, CameraFigures], first: date, last: date) -> None:
    """Hours collecting and periods of collection, from the log of use's hour
    masks as plain rows (two years of a thousand cameras is 730,000 days): a
    period starts at each hour collecting after one that was not, unless it
    runs on from the end of the day before."""
    previous: tuple[int, date, str] | None = None
    for camera_id, day, active, heard in db.session.execute(
            select(LogOfUseDay.camera_id, LogOfUseDay.day, LogOfUseDay.hours_active, LogOfUseDay.hours_heard)
            .where(LogOfUseDay.day >= first, LogOfUseDay.day <= last)
            .order_by(LogOfUseDay.camera_id, LogOfUseDay.day)):
        hours = format(int(active, 2) | int(heard or NO_HOURS, 2), "024b")
        figures = cameras.get(camera_id)
        if figures is not None:
            runs_on = previous is not None and previous[0] == camera_id and previous[1] == day - timedelta(days=1) \
                and previous[2][-1] == "1" and hours[0] == "1"
            figures.hours_collecting += hours.count("1")
            figures.periods += ("0" + hours).count("01") - runs_on
        previous = (camera_id, day, hours)
    for problem in health.problems_between(instant(first), instant(last + timedelta(days=1))):
        if problem.camera_id in cameras:
            cameras[problem.camera_id].problems += 1


def _destruction(cameras: dict[int, CameraFigures], first: date, last: date) -> list[LateDestruction]:
    """Reads destroyed in the period, each day's against its deadline; what
    the latest run before the period's end found held."""
    limits, grace = metrics.destruction_deadlines()
    late, held_by_day = [], {}
    for camera_id, day, destroyed, held, finished_at, run_id in db.session.execute(
            select(PurgeCount.camera_id, PurgeCount.day, PurgeCount.destroyed, PurgeCount.held, PurgeRun.finished_at,
                   PurgeRun.id).join(PurgeRun, PurgeRun.id == PurgeCount.run_id)
            .where(PurgeRun.finished_at >= instant(first), PurgeRun.finished_at < instant(last + timedelta(days=1)))
            .order_by(PurgeRun.id)):
        if camera_id not in cameras:
            continue
        held_by_day[(camera_id, day)] = held
        if not destroyed:
            continue
        if metrics.on_time(day, finished_at, limits[camera_id], grace):
            cameras[camera_id].destroyed_on_time += destroyed
        else:
            cameras[camera_id].destroyed_late += destroyed
            late.append(LateDestruction(camera_id, day, destroyed,
                                        instant(day + timedelta(days=1 + limits[camera_id])), finished_at))
    for (camera_id, _), held in held_by_day.items():
        cameras[camera_id].held += held
    return late


def _holds(first: date, last: date) -> list[dict]:
    """Holds in force at any time in the period: what justified keeping reads."""
    holds = db.session.scalars(select(Hold).where(Hold.created_at < instant(last + timedelta(days=1)),
                                                  (Hold.released_at.is_(None)) | (Hold.released_at >= instant(first)))
                               .order_by(Hold.id))
    return [{"id": h.id, "kind": "active investigation" if h.kind is HoldKind.INVESTIGATION else
             "exculpatory evidence (written request)", "placed": h.created_at.date(), "review_on": h.review_on,
             "released": h.released_at.date() if h.released_at else None,
             "cameras": ", ".join(map(str, h.camera_ids)) or "all",
             "window": "whole retention" if h.window_start is None and h.window_end is None else
             f"{h.window_start:%Y-%m-%d} – {h.window_end:%Y-%m-%d}" if h.window_start and h.window_end else "open"}
            for h in holds]


def _entries(first: date, last: date, *conditions):
    return (select(LedgerEntry).where(LedgerEntry.created_at >= instant(first),
                                      LedgerEntry.created_at < instant(last + timedelta(days=1)), *conditions))


def _searches(first: date, last: date) -> tuple[dict[str, dict[date, int]], dict[str, int]]:
    """The period's searches by reason and month, from the ledger itself, and
    how they were authorised: every one names a reason and a case; some also
    a warrant or exigent circumstances."""
    by_reason: dict[str, dict[date, int]] = defaultdict(dict)
    authorities = Counter()
    for row in metrics.searches_between(instant(first), instant(last + timedelta(days=1))):
        month = row["day"].replace(day=1)
        by_reason[row["reason"]][month] = by_reason[row["reason"]].get(month, 0) + 1
        authorities["with a reason" + (" and a case number" if row["case_number_present"] else "")] += 1
        authorities["with a warrant"] += row["warrant"]
        authorities["in exigent circumstances"] += row["exigent"]
    return dict(by_reason), dict(authorities)


def _uses(first: date, last: date) -> dict[str, dict[str, int]]:
    start, end = instant(first), instant(last + timedelta(days=1))
    exports = db.session.scalar(_entries(first, last, LedgerEntry.action == "reads.exported")
                                .with_only_columns(func.count()))
    return {"grants": metrics.steps_between(start, end, metrics.GRANT_STEPS),
            "outside_agency_requests": metrics.steps_between(start, end, metrics.OUTSIDE_AGENCY_REQUEST_STEPS),
            "exports": {"search results exported (CSV or evidence sheet)": exports}}


def _grants(first: date, last: date) -> list[dict]:
    """Each partner grant asked for in the period, with the chief's decision
    and the partner's: the authorisations behind every use of a partner's data."""
    requests = list(db.session.scalars(select(AccessRequest).where(
        AccessRequest.created_at >= instant(first), AccessRequest.created_at < instant(last + timedelta(days=1)))
        .order_by(AccessRequest.id)))
    by_request = defaultdict(list)
    for grant in db.session.scalars(select(Grant).where(Grant.request_id.in_([r.id for r in requests]))):
        by_request[grant.request_id].append(grant)
    rows = []
    for r in requests:
        grants = by_request[r.id]
        rows.append({"request": r.id, "asked": r.created_at.date(), "offense": r.offense_type,
                     "chief_decided": r.decided_at.date() if r.decided_at else None, "status": r.status.value,
                     "cameras": len(r.cameras), "granted": ", ".join(f"{g.granted_at:%Y-%m-%d}" for g in grants),
                     "ended": ", ".join("revoked" if g.revoked_at else "expired" if g.expires_at <= utcnow() else
                                        "live" for g in grants)})
    return rows


def _refusals(first: date, last: date) -> dict[str, int]:
    from hub.ledger.actions import label
    rows = db.session.execute(_entries(first, last, LedgerEntry.action.like("%.refused"))
                              .with_only_columns(LedgerEntry.action, func.count()).group_by(LedgerEntry.action))
    return {label(action): n for action, n in rows}


def _people(first: date, last: date) -> list[Person]:
    touched = dict(db.session.execute(_entries(first, last, LedgerEntry.action.in_(DATA_ACTIONS),
                                               LedgerEntry.actor_id.is_not(None))
                                      .with_only_columns(LedgerEntry.actor_id, func.count())
                                      .group_by(LedgerEntry.actor_id)).all())
    people = []
    for user in db.session.scalars(select(User).where(User.id.in_(list(touched))).order_by(User.username)):
        trained = db.session.scalar(select(func.max(TrainingAcknowledgement.completed_on))
                                    .where(TrainingAcknowledgement.user_id == user.id,
                                           TrainingAcknowledgement.completed_on <= last))
        authorisation = db.session.scalars(select(WrittenAuthorisation).where(
            WrittenAuthorisation.user_id == user.id, WrittenAuthorisation.signed_on <= last)
            .order_by(WrittenAuthorisation.signed_on.desc()).limit(1)).first()
        people.append(Person(user.username, user.display_name, user.role.label, touched[user.id], trained,
                             authorisation.signed_on if authorisation else None,
                             authorisation.withdrawn_at if authorisation else None))
    return people


def _checkpoint(condition, order) -> dict | None:
    found = db.session.scalars(select(LedgerCheckpoint).where(condition).order_by(order).limit(1)).first()
    return None if found is None else {"tree_size": found.tree_size, "signed": found.created_at_text,
                                       "note": tree.served_note(found)}


def _ledger(first: date, last: date) -> LedgerFindings:
    problems = [str(p) for p in verify_ledger()]
    count, first_id, last_id, last_position = db.session.execute(
        _entries(first, last).with_only_columns(func.count(), func.min(LedgerEntry.id), func.max(LedgerEntry.id),
                                                func.max(LedgerEntry.position))).one()
    start, end = instant(first), instant(last + timedelta(days=1))
    signed = db.session.scalar(select(func.count()).select_from(LedgerCheckpoint)
                               .where(LedgerCheckpoint.created_at >= start, LedgerCheckpoint.created_at < end))
    opening = _checkpoint(LedgerCheckpoint.created_at < start, LedgerCheckpoint.tree_size.desc())
    covered = last_position if last_position is not None else (opening or {}).get("tree_size", 0)
    closing = _checkpoint(LedgerCheckpoint.tree_size >= max(covered, 1), LedgerCheckpoint.tree_size)
    consistency = None
    if closing is not None:
        consistency = tree.consistency_proof((opening or {}).get("tree_size", 0), closing["tree_size"])
    return LedgerFindings(not problems, problems, tree.sealed_size_or_zero(), count, first_id, last_id, signed,
                          opening, closing, consistency)


def gather(period_from: date, period_to: date) -> AuditReportData:
    """Every figure of the report, read from the stored records and the ledger."""
    cameras = _cameras(period_from, period_to)
    _collection(cameras, period_from, period_to)
    late = _destruction(cameras, period_from, period_to)
    months = metrics.months_between(period_from, period_to + timedelta(days=1))
    searches, authorities = _searches(period_from, period_to)
    return AuditReportData(
        period_from, period_to, utcnow(), list(cameras.values()), late, _holds(period_from, period_to),
        searches, authorities, _uses(period_from, period_to),
        _grants(period_from, period_to), _refusals(period_from, period_to), _people(period_from, period_to),
        _ledger(period_from, period_to), months)
