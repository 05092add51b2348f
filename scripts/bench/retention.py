"""Retention benchmark on PostgreSQL. Loads reads over 60 daily partitions
(1,000 cameras, loaded with COPY), then destroys whole days three ways:
- the purge, which drops the oldest day's partition (nothing held in it);
- the same purge kept to row-by-row destruction, on the next day (as many
  rows), which is what a day with held reads in it gets;
- a plain DELETE of a copy of a day's rows, with the VACUUM that reclaims them.
Prints each beside the targets: the purge under 5 s and at least 20x faster
than deleting the rows.

    .venv/bin/python scripts/bench/retention.py [--reads 10000000] [--days 60]
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import bench_app, postgres_available  # noqa: E402

from sqlalchemy import func, select, text  # noqa: E402

from hub.cameras.models import Camera, CameraStatus, SharingMode  # noqa: E402
from hub.clock import clock  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.identity import services  # noqa: E402
from hub.identity.actors import operator  # noqa: E402
from hub.identity.roles import OrganisationKind  # noqa: E402
from hub.reads.models import Read  # noqa: E402
from hub.reads.partitions import partition_name  # noqa: E402
from hub.retention.purge import run_purge  # noqa: E402

BENCH = operator("bench")
CAMERAS = 1000
COLUMNS = ("id", "captured_at", "camera_id", "organisation_id", "camera_read_id", "plate", "plate_state",
           "confidence", "verified", "recognised_by", "latitude", "longitude", "received_at")


def build(app, reads: int, days: int, now: datetime) -> tuple[datetime.date, int]:
    """Cameras, day partitions and `reads` reads spread evenly over `days`
    days ending yesterday. Returns the oldest day and its row count."""
    with app.app_context():
        agency = services.create_organisation(BENCH, name="Corcoran Police Department", kind=OrganisationKind.AGENCY)
        db.session.execute(Camera.__table__.insert(), [
            {"organisation_id": agency.id, "name": f"Camera {n}", "location_description": f"Road {n}",
             "latitude": 45.0 + n / 10000, "longitude": -93.5, "direction": "inbound", "fixed": True,
             "built_in": False, "vendor": "", "model": "", "installed_on": now.date() - timedelta(days=days + 1),
             "status": CameraStatus.ACTIVE.value, "sharing_mode": SharingMode.SHARED.value, "created_at": now}
            for n in range(CAMERAS)])
        db.session.commit()
        camera_ids = list(db.session.scalars(select(Camera.id).order_by(Camera.id)))
        first_day = (now - timedelta(days=days)).date()
        for d in range(days + 2):
            day = first_day + timedelta(days=d)
            db.session.execute(text(f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF reads "
                                    f"FOR VALUES FROM ('{day}') TO ('{day + timedelta(days=1)}')"))
        db.session.commit()
        connection = db.session.connection().connection.driver_connection
        per_day = reads // days
        start = datetime.combine(first_day, datetime.min.time())
        step = 86400 / per_day
        ident = 1
        for d in range(days):
            buffer = io.StringIO()
            for n in range(per_day):
                at = start + timedelta(days=d, seconds=n * step)
                camera = camera_ids[n % CAMERAS]
                buffer.write(f"{ident}\t{at.isoformat(sep=' ')}\t{camera}\t{agency.id}\tr{ident}\tP{ident % 9999999:07d}"
                             f"\tMN\t0.99\tt\tcamera\t45.0\t-93.5\t{at.isoformat(sep=' ')}\n")
                ident += 1
            with connection.cursor().copy(f"COPY reads ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            db.session.commit()
            print(f"  loaded day {d + 1}/{days}", end="\r", flush=True)
        db.session.execute(text("ANALYZE reads"))
        db.session.commit()
        return first_day, per_day


def time_delete(app, day) -> tuple[float, float]:
    """DELETE of a day's rows on a copy made beside it (the same rows, the
    same indexes), and the VACUUM that gives the space back, timed alone."""
    with app.app_context():
        db.session.execute(text(f"CREATE TABLE bench_day_copy (LIKE {partition_name(day)} INCLUDING ALL)"))
        db.session.execute(text(f"INSERT INTO bench_day_copy SELECT * FROM {partition_name(day)}"))
        db.session.execute(text("ANALYZE bench_day_copy"))
        db.session.commit()
        start = time.perf_counter()
        db.session.execute(text("DELETE FROM bench_day_copy WHERE captured_at >= :a AND captured_at < :b"),
                           {"a": day, "b": day + timedelta(days=1)})
        db.session.commit()
        deleted = time.perf_counter() - start
        connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        start = time.perf_counter()
        connection.execute(text("VACUUM bench_day_copy"))
        vacuumed = time.perf_counter() - start
        connection.close()
        db.session.execute(text("DROP TABLE bench_day_copy"))
        db.session.commit()
        return deleted, vacuumed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reads", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=60)
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable: this benchmark needs it.")
    now = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    with bench_app("postgresql") as app:
        print(f"loading {args.reads:,} reads over {args.days} days on {CAMERAS:,} cameras")
        started = time.perf_counter()
        oldest, per_day = build(app, args.reads, args.days, now)
        print(f"\nloaded in {time.perf_counter() - started:.0f} s; the oldest day holds {per_day:,} reads")
        delete_seconds, vacuum_seconds = time_delete(app, oldest)
        # The agency keeps 30 days: move the clock so that only the oldest day is past everyone's limit.
        clock.freeze(datetime.combine(oldest + timedelta(days=31), datetime.min.time(), tzinfo=timezone.utc))
        with app.app_context():
            before = db.session.scalar(select(func.count()).select_from(Read))
            start = time.perf_counter()
            report = run_purge(BENCH)
            purge_seconds = time.perf_counter() - start
            after = db.session.scalar(select(func.count()).select_from(Read))
        # The next day, row by row: what the purge does for a day it may not drop.
        second = oldest + timedelta(days=1)
        clock.freeze(datetime.combine(second + timedelta(days=31), datetime.min.time(), tzinfo=timezone.utc))
        with app.app_context():
            start = time.perf_counter()
            rows = run_purge(BENCH, extra=Read.captured_at >= datetime.combine(second, datetime.min.time(),
                                                                               tzinfo=timezone.utc))
            row_seconds = time.perf_counter() - start
        clock.unfreeze()
        print(f"purge: {report.reads_destroyed:,} reads destroyed ({before - after:,} rows gone), "
              f"partitions dropped {report.partitions}")
        print(f"purge by partition drop:             {purge_seconds:8.3f} s   (target < 5 s)")
        print(f"the purge row by row, same-size day: {row_seconds:8.3f} s   ({rows.reads_destroyed:,} reads)")
        print(f"plain DELETE of the day's rows:      {delete_seconds:8.3f} s, then VACUUM {vacuum_seconds:.3f} s")
        for name, seconds in (("row-by-row purge", row_seconds), ("DELETE + VACUUM", delete_seconds + vacuum_seconds)):
            ratio = seconds / purge_seconds if purge_seconds else float("inf")
            print(f"speed-up over {name}: {ratio:.1f}x   (target >= 20x)")


if __name__ == "__main__":
    main()
