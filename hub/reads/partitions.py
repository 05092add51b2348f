"""Daily partitions of the reads table on PostgreSQL, made ahead of time by
the scheduler. A day without its partition still works (the default
partition takes it); retention will drop whole days."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from hub.clock import utcnow
from hub.extensions import db

DAYS_AHEAD = 7


def partition_name(day) -> str:
    return f"reads_{day:%Y%m%d}"


def ensure_partitions(days_ahead: int = DAYS_AHEAD) -> list[str]:
    if db.engine.dialect.name != "postgresql":
        return []
    made = []
    today = utcnow().date()
    for offset in range(days_ahead + 1):
        day = today + timedelta(days=offset)
        name = partition_name(day)
        exists = db.session.scalar(text("SELECT to_regclass(:n)"), {"n": name})
        if exists is not None:
            continue
        # Ingest waits while the default partition is looked at and the day's
        # made (a read of that day arriving in between would fail the CREATE);
        # the parent first, in the order an insert takes its locks.
        db.session.execute(text("LOCK TABLE reads IN SHARE ROW EXCLUSIVE MODE"))
        waiting = db.session.scalar(text("SELECT count(*) FROM reads_default WHERE captured_at >= :a AND "
                                         "captured_at < :b"), {"a": day, "b": day + timedelta(days=1)})
        if not waiting:
            db.session.execute(text(f"CREATE TABLE {name} PARTITION OF reads FOR VALUES FROM ('{day}') "
                                    f"TO ('{day + timedelta(days=1)}')"))
            made.append(name)
    return made


def known_to_models(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's comparisons: the day partitions and the default
    partition exist only on PostgreSQL, made by SQL, not models."""
    if type_ == "table" and reflected and name.startswith("reads_"):
        return False
    if type_ == "index" and reflected and getattr(getattr(obj, "table", None), "name", "").startswith("reads_"):
        return False
    return True
