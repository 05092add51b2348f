"""Transparency benchmark on PostgreSQL. Loads, with COPY, two years of the
records the portal and the audit read for 1,000 cameras: the log of use per
camera and day, the daily collection tallies, a purge run a day with its
counts per camera and day (a few days destroyed late), and a ledger of
searches and grant steps, sealed under a checkpoint; computes the usage
figures month by month as the aggregation job does. Then prints, beside the
targets:
- p95 of the portal's home, the log of use (a month, and one reader's), the
  usage page and the search record (target: under 200 ms each);
- the biennial audit report for the two years, built and kept with its PDF
  and CSV files (target: under 60 s), and how long the ledger's full
  verification inside it took.

    .venv/bin/python scripts/bench/transparency.py [--cameras 1000] [--days 730] [--entries 200000]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import bench_app, percentile, postgres_available  # noqa: E402

from sqlalchemy import func, select  # noqa: E402

from hub.audit import services as audit  # noqa: E402
from hub.audit.report import gather  # noqa: E402
from hub.cameras.models import Camera, CameraStatus, SharingMode  # noqa: E402
from hub.clock import clock  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.identity import services  # noqa: E402
from hub.identity.actors import operator  # noqa: E402
from hub.identity.roles import OrganisationKind  # noqa: E402
from hub.ledger import verifier  # noqa: E402
from hub.ledger.models import LedgerEntry  # noqa: E402
from hub.ledger.services import format_time  # noqa: E402
from hub.ledger.tree import seal_and_checkpoint  # noqa: E402
from hub.ledger.verification import verify_ledger  # noqa: E402
from hub.transparency.metrics import compute_month, months_between  # noqa: E402

BENCH = operator("bench")
PAGE_TARGET_MS, REPORT_TARGET_S = 200, 60
REASONS = ["theft", "burglary", "robbery", "stolen_vehicle", "missing_person"]
GRANT_ACTIONS = ["grant.requested", "grant.request_approved", "grant.request_denied", "grant.consented",
                 "grant.revoked", "grant.expired"]


def copy(table: str, columns: tuple[str, ...], rows) -> None:
    raw = db.session.connection().connection.driver_connection
    with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)


def cameras(count: int, installed: date, now: datetime) -> list[int]:
    agency = services.create_organisation(BENCH, name="Corcoran Police Department", kind=OrganisationKind.AGENCY)
    hoa = services.create_organisation(BENCH, name="Rush Creek HOA", kind=OrganisationKind.HOA)
    db.session.execute(Camera.__table__.insert(), [
        {"organisation_id": agency.id if n % 2 else hoa.id, "name": f"Camera {n}",
         "location_description": f"County Road {n}", "latitude": 45.0 + n / 5000, "longitude": -93.5 - (n % 40) / 200,
         "direction": "inbound", "fixed": True, "built_in": False, "vendor": "", "model": "", "installed_on": installed,
         "bca_notice_due_on": installed + timedelta(days=10), "bca_notice_sent_on": installed + timedelta(days=3),
         "status": CameraStatus.ACTIVE.value, "sharing_mode": SharingMode.SHARED.value, "created_at": now}
        for n in range(count)])
    ids = list(db.session.scalars(select(Camera.id).order_by(Camera.id)))
    copy("camera_locations", ("camera_id", "latitude", "longitude", "description", "from_date"),
         ((c, 45.0, -93.5, f"County Road {c}", installed) for c in ids))
    return ids


def daily_records(ids: list[int], first: date, days: int, rnd: random.Random) -> None:
    """The log of use, the tallies and the purge's counts, a row per camera and day."""
    hours = "0" * 5 + "1" * 17 + "00"
    by_hour = ",".join(["0"] * 5 + ["12"] * 17 + ["0", "0"])
    copy("log_of_use_days", ("camera_id", "day", "hours_active", "hours_heard", "reads_by_hour", "reads",
                             "hits_stolen", "hits_warrant", "hits_suspended_revoked", "hits_active_investigation",
                             "databases_compared"),
         ((c, first + timedelta(days=d), hours, "1" * 24, by_hour, 204, rnd.randrange(3), rnd.randrange(2), 0,
           rnd.randrange(2), "Minnesota license plate data file (state and NCIC hot file)")
          for d in range(days) for c in ids))
    copy("collection_tallies", ("camera_id", "day", "reads"),
         ((c, first + timedelta(days=d), 204) for d in range(days) for c in ids))
    runs = []
    for d in range(days - 30):
        day = first + timedelta(days=d)
        late = d % 97 == 0  # now and then the purge ran two days late
        finished = datetime.combine(day + timedelta(days=31 + 2 * late), datetime.min.time()) + timedelta(minutes=30)
        runs.append((d + 1, finished - timedelta(minutes=5), finished, "system:scheduler", 204 * len(ids),
                     0, 0, 0, 0, 0))
    copy("purge_runs", ("id", "started_at", "finished_at", "actor", "reads_destroyed", "reads_held", "alerts_destroyed",
                        "images_destroyed", "private_details_erased", "partitions_dropped"), runs)
    copy("purge_counts", ("run_id", "camera_id", "day", "destroyed", "held"),
         ((d + 1, c, first + timedelta(days=d), 204, 0) for d in range(days - 30) for c in ids))
    db.session.execute(db.text("SELECT setval('purge_runs_id_seq', (SELECT max(id) FROM purge_runs))"))


def ledger(ids: list[int], start: datetime, days: int, entries: int, rnd: random.Random) -> None:
    """Searches (with their reason, case and cameras) and grant steps, spread
    over the period, hashed as `record` hashes them; then sealed."""
    columns = ("created_at", "actor_id", "actor", "actor_org_id", "action", "subject_type", "subject_id", "purpose",
               "case_number", "details", "private_digest", "leaf_hash")
    step = timedelta(days=days) / entries
    rows, index = [], []
    first_id = (db.session.scalar(select(func.max(LedgerEntry.id))) or 0) + 1
    for n in range(entries):
        when = start + step * n
        if n % 10:
            action, purpose, searched = "reads.searched", rnd.choice(REASONS), sorted(rnd.sample(ids, 5))
            details = verifier.canonical_json({"cameras": searched, "page": 1 if n % 7 else 2,
                                               "warrant": None, "exigent_circumstances": n % 50 == 0})
            index += [(first_id + n, c) for c in searched]  # COPY numbers the entries in order
        else:
            action, purpose, details = rnd.choice(GRANT_ACTIONS), "theft", "{}"
        fields = {"at": format_time(when), "actor_id": 7, "actor": "demo-officer", "actor_org_id": 1,
                  "action": action, "subject_type": None, "subject_id": None, "purpose": purpose,
                  "case_number": f"CPD-26-{n % 90000:06d}", "details": details, "private_digest": None}
        leaf = verifier.leaf_hash(verifier.leaf_body(fields)).hex()
        rows.append((when.replace(tzinfo=None), 7, "demo-officer", 1, action, None, None, purpose,
                     fields["case_number"], details, None, leaf))
    copy("ledger_entries", columns, rows)
    copy("ledger_entry_cameras", ("entry_id", "camera_id"), index)


def timed_pages(client, paths: list[str], repeat: int) -> dict[str, list[float]]:
    timings = {}
    for path in paths:
        assert client.get(path).status_code == 200, path  # warm
        samples = []
        for _ in range(repeat):
            began = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - began)
            assert response.status_code == 200, (path, response.status_code)
        timings[path] = samples
    return timings


def run(count: int, days: int, entries: int, repeat: int) -> None:
    rnd = random.Random(7)
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    first = (today - timedelta(days=days)).date()
    with bench_app("postgresql") as app, app.app_context():
        began = time.perf_counter()
        ids = cameras(count, first - timedelta(days=20), today)
        daily_records(ids, first, days, rnd)
        ledger(ids, today - timedelta(days=days), days, entries, rnd)
        db.session.commit()
        clock.freeze(today - timedelta(hours=1))
        seal_and_checkpoint()
        db.session.commit()
        clock.unfreeze()
        loaded = time.perf_counter() - began
        began = time.perf_counter()
        months = months_between(first, today.date() + timedelta(days=1))
        for month in months:
            compute_month(BENCH, month)
        db.session.commit()
        print(f"loaded {count:,} cameras x {days} days ({count * days:,} log-of-use days, as many tallies and "
              f"purge counts) and {entries:,} ledger entries in {loaded:.0f} s; usage figures for {len(months)} "
              f"months computed in {time.perf_counter() - began:.1f} s")
        last_month = months[-2]
        client = app.test_client()
        paths = ["/transparency", f"/transparency/log-of-use?month={last_month:%Y-%m}",
                 f"/transparency/log-of-use?month={last_month:%Y-%m}&camera={ids[len(ids) // 2]}",
                 f"/transparency/usage?year={last_month.year}", f"/transparency/searches?year={last_month.year}"]
        print(f"\n{'page':<60} {'p50':>9} {'p95':>9}   target p95   (load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores)")
        for path, samples in timed_pages(client, paths, repeat).items():
            p95 = percentile(samples, 95) * 1000
            print(f"{path:<60} {percentile(samples, 50) * 1000:7.1f}ms {p95:7.1f}ms   < {PAGE_TARGET_MS} ms "
                  f"{'ok' if p95 < PAGE_TARGET_MS else 'MISSED'}")
        period_to = (today - timedelta(days=1)).date()
        period_from = period_to - timedelta(days=days - 1)
        began = time.perf_counter()
        problems = verify_ledger()
        verified = time.perf_counter() - began
        began = time.perf_counter()
        gather(period_from, period_to)
        gathered = time.perf_counter() - began
        db.session.rollback()
        began, cpu = time.perf_counter(), time.process_time()
        report = audit.issue_report(BENCH, period_from, period_to)
        db.session.commit()
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
        sizes = {f.name: len(f.content) for f in audit.issued_files(report)}
        print(f"\naudit report {period_from} to {period_to}: {elapsed:.1f} s   target < {REPORT_TARGET_S} s "
              f"{'ok' if elapsed < REPORT_TARGET_S else 'MISSED'} ({cpu:.1f} s of it on this process's CPU; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"  of which: the figures {gathered:.1f} s (the ledger's full verification of {entries:,} entries "
              f"alone {verified:.1f} s, {'intact' if not problems else problems[0]}), the HTML and PDF the rest")
        print(f"  files: {json.dumps(sizes)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable (HUB_BENCH_POSTGRES): this benchmark runs on PostgreSQL only")
    run(args.cameras, args.days, args.entries, args.repeat)


if __name__ == "__main__":
    main()
