"""Hotlist index benchmark on PostgreSQL. Lists 1,000,000 state-file entries
(plus a few partial plates), then, in a fresh process that stands for a hub
worker, prints:
(a) how long the worker takes to build its index, and the index's size;
(b) the process's resident memory before and after building, and its peak;
    target: a worker at most 300 MB, with headroom;
(c) matching time per read, p50 and p99, for batches of 1 and of 200 reads:
    the whole step an ingest takes (the version check, the lookup, and the
    confirmation of candidates against the stored entries), and the lookup
    in memory alone; target: well under 1 ms per read.
Reads are the ingest benchmark's mix: one in 500 is a listed plate, one in
500 differs from a listed plate by a look-alike character; the rest are
random plates of the same shape.

    .venv/bin/python scripts/bench/hotlist.py [--entries 1000000] [--partials 100] [--batches 2000]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import bench_app, percentile, postgres_available  # noqa: E402

from hub import create_app  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.hotlists.matching import LOOK_ALIKE_GROUPS  # noqa: E402

WORKER_MB = 300
PER_READ_MS = 1.0
HIT_EVERY = 500
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CONFIG_KEYS = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "PASSWORD_HASH_PROFILE", "BASE_URL", "LEDGER_SIGNING_KEY_PATH",
               "DATA_KEK_PATH", "DATA_KEY_STORE_PATH", "IMAGE_STORE_PATH", "IMAGE_KEY_PATH", "PLATE_HASH_KEY_PATH")


def plate_of(number: int) -> str:
    """Three letters and four digits, as Minnesota prints most plates."""
    letters, digits = divmod(number, 10_000)
    return "".join(LETTERS[letters // 26 ** i % 26] for i in range(3)) + f"{digits:04d}"


def fill(app, entries: int, partials: int) -> None:
    """The state-file entries, written with COPY (the import's own speed is
    the ingest benchmark's business), and the lists' version moved."""
    rnd = random.Random(7)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    expires = now + timedelta(days=30)
    start = time.perf_counter()
    with app.app_context():
        raw = db.session.connection().connection.driver_connection
        with raw.cursor().copy("COPY hotlist_entries (source, plate, partial, plate_state, reason_category, "
                               "case_number, priority, non_encounter, expires_at, created_at) FROM STDIN") as copy:
            for n, number in enumerate(rnd.sample(range(26 ** 3 * 10_000), entries)):
                copy.write_row(("state_file", plate_of(number), False, "MN", "stolen_vehicle", f"S-{n}", "medium",
                                n % 50 == 0, expires if n % 3 == 0 else None, now))
            for n in range(partials):
                pattern = f"{LETTERS[n % 26]}{LETTERS[n // 26 % 26]}?{n % 100:02d}*"
                copy.write_row(("state_file", pattern, True, "MN", "vehicle_used_in_crime", f"P-{n}", "high",
                                False, None, now))
        db.session.execute(db.text("UPDATE hotlist_version SET version = 1 WHERE id = 1"))
        db.session.commit()
    print(f"  ({entries:,} entries and {partials} partial plates listed in {time.perf_counter() - start:.0f} s)")


def look_alike_of(plate: str) -> str:
    """The plate with its first look-alike character printed as another of its group."""
    for i, ch in enumerate(plate):
        for group in LOOK_ALIKE_GROUPS:
            if ch in group:
                return plate[:i] + group[(group.index(ch) + 1) % len(group)] + plate[i + 1:]
    return plate


def reads(rnd: random.Random, listed: list[str], count: int, counter: list[int]) -> list[str]:
    batch = []
    for _ in range(count):
        counter[0] += 1
        if counter[0] % HIT_EVERY == 0:
            batch.append(rnd.choice(listed))
        elif counter[0] % HIT_EVERY == HIT_EVERY // 2:
            batch.append(look_alike_of(rnd.choice(listed)))
        else:
            batch.append(plate_of(rnd.randrange(26 ** 3 * 10_000)))
    return batch


def memory_mb() -> dict[str, float]:
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return {name: int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM")}


def worker(config: dict, batches: int) -> None:
    """What one hub worker does: build the index, then match batches."""
    from hub.hotlists import matching

    app = create_app(config)
    with app.app_context():
        listed = list(db.session.scalars(db.text(
            "SELECT plate FROM hotlist_entries WHERE NOT partial ORDER BY random() LIMIT 2000")))
        db.session.rollback()
        gc.collect()
        before = memory_mb()["VmRSS"]
        start, cpu = time.perf_counter(), time.process_time()
        built = matching.index()
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        gc.collect()
        after = memory_mb()
        print(f"  (a) index build: {took:.1f} s ({cpu:.1f} s of CPU) for {len(built):,} entries; "
              f"index size {built.nbytes / 1e6:.1f} MB of arrays, {len(built.partial)} partial patterns beside them")
        print(f"  (b) process RSS: {before:.0f} MB before building, {after['VmRSS']:.0f} MB after "
              f"(+{after['VmRSS'] - before:.0f} MB), peak {after['VmHWM']:.0f} MB "
              f"(target: a worker at most {WORKER_MB} MB, with headroom; "
              f"{'within' if after['VmHWM'] <= WORKER_MB else 'OVER'})")
        match(matching, built, listed, batches)
        final = memory_mb()
        print(f"  (b) process RSS after matching: {final['VmRSS']:.0f} MB, peak {final['VmHWM']:.0f} MB "
              f"(target: at most {WORKER_MB} MB; {'within' if final['VmHWM'] <= WORKER_MB else 'OVER'})")


def match(matching, built, listed: list[str], batches: int) -> None:
    """Per read, the whole step an ingest takes (with its round trips to the
    database) and the lookup in memory alone, for batches of 1 and 200."""
    rnd, counter = random.Random(11), [0]
    for size, count in ((1, batches), (200, max(50, batches // 10))):
        whole, lookup, hits = [], [], [0, 0]
        for _ in range(count):
            plates = reads(rnd, listed, size, counter)
            start = time.perf_counter()
            found = matching.find(plates)
            whole.append((time.perf_counter() - start) / size * 1000)
            db.session.rollback()
            start = time.perf_counter()
            built.candidates(plates)
            lookup.append((time.perf_counter() - start) / size * 1000)
            for hit in (hit for per_read in found for hit in per_read):
                hits[hit.possible] += 1
        for label, samples in (("whole match step", whole), ("lookup in memory", lookup)):
            p99 = percentile(samples, 99)
            print(f"  (c) batches of {size:>3}, {label}: p50 {percentile(samples, 50):.3f} ms, p99 {p99:.3f} ms "
                  f"per read (target: well under {PER_READ_MS:.0f} ms; {'within' if p99 < PER_READ_MS else 'OVER'})")
        print(f"      ({count:,} batches, {count * size:,} reads: {hits[0]} exact and {hits[1]} possible hits)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--partials", type=int, default=100)
    parser.add_argument("--batches", type=int, default=2000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(json.loads(args.worker), args.batches)
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable: nothing measured")
    with bench_app("postgresql") as app:
        print(f"== postgresql: {args.entries:,}-entry hotlist, one worker process; "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores, shared)")
        fill(app, args.entries, args.partials)
        config = {key: app.config[key] for key in CONFIG_KEYS}
        subprocess.run([sys.executable, __file__, "--worker", json.dumps(config), "--batches", str(args.batches)],
                       check=True)
        print(f"  (load average afterwards {' '.join(f'{x:.2f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
