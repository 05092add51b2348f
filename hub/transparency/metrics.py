"""Usage figures per month for the public portal: searches by reason,
partner grants at each step, outside agencies' requests, and reads destroyed
on time or late; and the anonymised record of each search. The aggregation
job computes them from the ledger and the stored records (never typed in),
a month at a time, so a month can always be computed again from its sources."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, insert, select

from hub import policy
from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.extensions import db
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record
from hub.retention.models import PurgeCount, PurgeRun
from hub.retention.purge import retention_days
from hub.transparency.models import PublicSearch, UsageFigure

# The steps of a partner grant, by the ledger action that records each.
GRANT_STEPS = {"asked": "grant.requested", "approved by the chief": "grant.request_approved",
               "denied by the chief": "grant.request_denied", "granted by the partner": "grant.consented",
               "declined by the partner": "grant.declined", "revoked": "grant.revoked", "expired": "grant.expired"}
# The outside-agency request workflow's ledger actions, counted as received, approved and denied.
# A letter is received when it is uploaded; a form or the API, when submitted.
OUTSIDE_AGENCY_REQUEST_STEPS = {"received": ("data_request.submitted", "data_request.letter_received"),
                                "approved": ("data_request.approved", "data_request.approved_in_part"),
                                "denied": "data_request.denied"}
FIGURES = {"searches": "Searches, by reason", "grants": "Access to partners' cameras",
           "outside_agency_requests": "Requests from outside agencies",
           "destruction": "Reads destroyed, on time or late"}
ON_TIME, LATE = "on time", "late"
PUBLIC_COLUMNS = ("entry_id", "day", "reason", "case_number_present", "cameras_searched", "officer")


def _month_start(month: date) -> date:
    return month.replace(day=1)


def next_month(month: date) -> date:
    return (_month_start(month) + timedelta(days=32)).replace(day=1)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def steps_between(first: datetime, after: datetime, steps: dict[str, str | tuple[str, ...]]) -> dict[str, int]:
    """Entries per step; a step may be counted from several actions."""
    actions = {step: (names,) if isinstance(names, str) else names for step, names in steps.items()}
    by_action = dict(db.session.execute(
        select(LedgerEntry.action, func.count()).where(LedgerEntry.action.in_([a for n in actions.values() for a in n]),
                                                       LedgerEntry.created_at >= first, LedgerEntry.created_at < after)
        .group_by(LedgerEntry.action)).all())
    return {step: sum(by_action.get(action, 0) for action in names) for step, names in actions.items()}


def publishes_officer_names() -> bool:
    """Whether the agency's pack names officers in the public search record."""
    return bool(policy.engine().public_search_audit.get("officer_names", False))


def searches_between(first: datetime, after: datetime) -> list[dict]:
    """One row per search (its first page: later pages repeat it), from the
    ledger's `reads.searched` entries, with the public columns and whether a
    warrant or exigent circumstances were on record; the plate beside each
    entry is never read."""
    names = publishes_officer_names()
    rows = []
    for entry_id, at, actor, reason, case_number, details in db.session.execute(
            select(LedgerEntry.id, LedgerEntry.created_at, LedgerEntry.actor, LedgerEntry.purpose,
                   LedgerEntry.case_number, LedgerEntry.details)
            .where(LedgerEntry.action == "reads.searched", LedgerEntry.created_at >= first,
                   LedgerEntry.created_at < after).order_by(LedgerEntry.id)):
        body = json.loads(details)
        if body.get("page", 1) != 1:
            continue
        rows.append({"entry_id": entry_id, "day": at.date(), "reason": reason or "not recorded",
                     "case_number_present": bool((case_number or "").strip()),
                     "cameras_searched": len(body.get("cameras") or []), "officer": actor if names else None,
                     "warrant": bool(body.get("warrant")), "exigent": bool(body.get("exigent_circumstances"))})
    return rows


def destruction_deadlines() -> tuple[dict[int, int], timedelta]:
    """Each camera's retention limit in days, and the purge's period: a day's
    reads are due by the end of the day plus the limit, and the hourly purge
    destroys them within one period of that."""
    limits: dict[int | None, int] = {}
    by_camera = {}
    for camera_id, owner_choice in db.session.execute(select(Camera.id, Camera.retention_days)):
        if owner_choice not in limits:
            limits[owner_choice] = retention_days(owner_choice)
        by_camera[camera_id] = limits[owner_choice]
    return by_camera, timedelta(seconds=current_app.config["RETENTION_JOB_SECONDS"])


def on_time(day: date, destroyed_at: datetime, limit_days: int, grace: timedelta) -> bool:
    return destroyed_at <= _instant(day + timedelta(days=1 + limit_days)) + grace


def _destruction(first: datetime, after: datetime) -> dict[str, int]:
    limits, grace = destruction_deadlines()
    counts = Counter({ON_TIME: 0, LATE: 0})
    for camera_id, day, destroyed, finished_at in db.session.execute(
            select(PurgeCount.camera_id, PurgeCount.day, PurgeCount.destroyed, PurgeRun.finished_at)
            .join(PurgeRun, PurgeRun.id == PurgeCount.run_id)
            .where(PurgeRun.finished_at >= first, PurgeRun.finished_at < after, PurgeCount.destroyed > 0)):
        counts[ON_TIME if on_time(day, finished_at, limits[camera_id], grace) else LATE] += destroyed
    return dict(counts)


def compute_month(actor: Any, month: date) -> int:
    """Compute (or recompute) one month's figures and search records."""
    first_day, after_day = _month_start(month), next_month(month)
    first, after = _instant(first_day), _instant(after_day)
    searches = searches_between(first, after)
    figures = {("searches", reason): n for reason, n in Counter(r["reason"] for r in searches).items()}
    for name, steps in (("grants", GRANT_STEPS), ("outside_agency_requests", OUTSIDE_AGENCY_REQUEST_STEPS)):
        figures.update({(name, step): n for step, n in steps_between(first, after, steps).items()})
    figures.update({("destruction", kind): n for kind, n in _destruction(first, after).items()})
    db.session.execute(delete(UsageFigure).where(UsageFigure.month == first_day))
    db.session.execute(delete(PublicSearch).where(PublicSearch.day >= first_day, PublicSearch.day < after_day))
    db.session.execute(insert(UsageFigure), [{"month": first_day, "figure": f, "category": c, "value": v}
                                             for (f, c), v in sorted(figures.items())])
    if searches:
        db.session.execute(insert(PublicSearch), [{c: row[c] for c in PUBLIC_COLUMNS} for row in searches])
    record("transparency.figures_computed", actor=actor,
           details={"month": first_day.isoformat(), "searches": len(searches), "figures": len(figures)})
    return len(searches)


def compute_recent(actor: Any) -> int:
    """This month so far, and last month (its last entries may be new)."""
    this_month = _month_start(utcnow().date())
    return compute_month(actor, this_month - timedelta(days=1)) + compute_month(actor, this_month)


def figures_for(first: date, after: date) -> dict[str, dict[str, dict[date, int]]]:
    """figure → category → month → value, for the months in [first, after)."""
    table: dict[str, dict[str, dict[date, int]]] = {name: {} for name in FIGURES}
    for month, figure, category, value in db.session.execute(
            select(UsageFigure.month, UsageFigure.figure, UsageFigure.category, UsageFigure.value)
            .where(UsageFigure.month >= first, UsageFigure.month < after)):
        table.setdefault(figure, {}).setdefault(category, {})[month] = value
    return table


def months_between(first: date, after: date) -> list[date]:
    months, month = [], _month_start(first)
    while month < after:
        months.append(month)
        month = next_month(month)
    return months


def public_searches(first: date, after: date, *, offset: int = 0, limit: int | None = None) -> list[PublicSearch]:
    query = (select(PublicSearch).where(PublicSearch.day >= first, PublicSearch.day < after)
             .order_by(PublicSearch.day, PublicSearch.entry_id).offset(offset))
    return list(db.session.scalars(query if limit is None else query.limit(limit)))


def count_public_searches(first: date, after: date) -> int:
    return db.session.scalar(select(func.count()).select_from(PublicSearch)
                             .where(PublicSearch.day >= first, PublicSearch.day < after))
