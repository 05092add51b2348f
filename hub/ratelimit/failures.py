"""Failed attempts that anyone can repeat without credentials (a wrong
password, an unknown client, a bad camera credential) must be on record,
but a flood of them must not flood the ledger. Each kind of failure (on one
subject, if it has one) is counted per time window: the first of a window is
ledgered in full, the others only counted, and once the window has closed one
`failures.summarised` entry says how many there were. A flood of any size
thus writes two entries per kind and window, and the ledger still accounts
for every attempt."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from flask import current_app, g, has_request_context
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hub.clock import utcnow
from hub.extensions import db
from hub.ledger.services import Receipt, format_time, record, subject_ref
from hub.ratelimit.models import FailureWindow

_WINDOWS = FailureWindow.__table__
SUMMARY_ACTION = "failures.summarised"
KEEP_SUMMARISED = timedelta(days=1)


def window_start(at: datetime, seconds: int) -> datetime:
    epoch = int(at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=timezone.utc)


def _subject_key(subject: Any) -> str:
    kind, ident = subject_ref(subject)
    return f"{kind}:{ident}" if kind else ""


def _count_attempt(action: str, subject: str, start: datetime) -> int:
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_WINDOWS)
    statement = insert.values(action=action, subject=subject, window_start=start, attempts=1).on_conflict_do_update(
        index_elements=[_WINDOWS.c.action, _WINDOWS.c.subject, _WINDOWS.c.window_start],
        set_={"attempts": _WINDOWS.c.attempts + 1}).returning(_WINDOWS.c.attempts)
    return int(db.session.execute(statement).scalar_one())


def record_failure(action: str, *, actor: Any = None, subject: Any = None, details: dict | None = None,
                   private: dict | None = None, cameras: Iterable[int] = ()) -> Receipt | None:
    """Count a failed attempt, in the caller's transaction; ledger it (through
    `record`) when it is the first of its kind in the window. Returns the
    receipt of that entry, or None when the attempt was only counted."""
    seconds = current_app.config["FAILURE_WINDOW_SECONDS"]
    start = window_start(utcnow(), seconds)
    summarise_closed_windows(before=start)
    if has_request_context():
        g.failure_recorded = True
    if _count_attempt(action, _subject_key(subject), start) > 1:
        return None
    window = {"start": format_time(start), "seconds": seconds}
    return record(action, actor=actor, subject=subject, details={**(details or {}), "failure_window": window},
                  private=private, cameras=cameras)


def summarise_closed_windows(*, before: datetime | None = None) -> int:
    """One `failures.summarised` entry for each closed window that held more
    than one attempt; each window is summarised once, however many hub
    instances try at the same time."""
    seconds = current_app.config["FAILURE_WINDOW_SECONDS"]
    before = before or window_start(utcnow(), seconds)
    closed = db.session.execute(select(_WINDOWS.c.id, _WINDOWS.c.action, _WINDOWS.c.subject,
                                       _WINDOWS.c.window_start, _WINDOWS.c.attempts)
                                .where(_WINDOWS.c.window_start < before, _WINDOWS.c.summarised_at.is_(None))
                                .order_by(_WINDOWS.c.window_start, _WINDOWS.c.id).limit(500)).all()
    written = 0
    for window_id, action, subject, start, attempts in closed:
        claimed = db.session.execute(update(_WINDOWS).where(_WINDOWS.c.id == window_id,
                                                            _WINDOWS.c.summarised_at.is_(None))
                                     .values(summarised_at=utcnow())).rowcount
        if not claimed or attempts < 2:
            continue
        kind, _, ident = subject.partition(":")
        record(SUMMARY_ACTION, actor=None, subject=(kind, ident) if kind else None, details={
            "action": action, "window": {"start": format_time(start), "seconds": seconds},
            "attempts": attempts, "ledgered_in_full": 1})
        written += 1
    return written


def tidy_failure_windows() -> int:
    """The scheduler's step: summarise what has closed, drop windows summarised
    a day ago and rate-limit counters that have expired."""
    from hub.ratelimit.storage import purge_expired_counters

    written = summarise_closed_windows()
    db.session.execute(delete(_WINDOWS).where(_WINDOWS.c.summarised_at < utcnow() - KEEP_SUMMARISED))
    purge_expired_counters()
    return written
