"""The metro benchmark's officer searches, in process, on a world kept
between runs: where a search's time goes, for development.

The first run builds the world with metro.py's own builders (its network,
with as many partners, grants, hot-file entries and reads as asked) into
a database and an instance folder that it keeps; later runs with the same
`--instance` reuse them. Each kind of search metro.py runs (an exact plate
over 7 days, a partial plate over 1 day, 50 cameras over 7 days with a
partial plate and the state) is then asked through /api/v1/search with
the Flask test client, and its p50 and p95 are printed beside the target.
`--profile` adds a cProfile of one search of each kind; `--explain` the
EXPLAIN ANALYZE of each statement that search sends.

    .venv/bin/python scripts/bench/metro_search.py --instance /tmp/metro-world \\
        [--partners 300] [--grants 500] [--reads 100000] [--hotlist 1000] [--samples 20] [--profile] [--explain]
    .venv/bin/python scripts/bench/metro_search.py --instance /tmp/metro-world --drop
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import PG_SERVER, percentile, postgres_available  # noqa: E402
import metro  # noqa: E402

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from hub import create_app  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.keys.envelope import new_kek_text  # noqa: E402


def make_app(instance: Path, database: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"{PG_SERVER}/{database}", "SECRET_KEY": "bench",
                      "PASSWORD_HASH_PROFILE": "fast", "BASE_URL": "http://127.0.0.1",
                      "LEDGER_SIGNING_KEY_PATH": f"{instance}/ledger-key.pem", "DATA_KEK_PATH": f"{instance}/data-kek",
                      "DATA_KEY_STORE_PATH": f"{instance}/data-keys", "IMAGE_STORE_PATH": f"{instance}/images",
                      "IMAGE_KEY_PATH": f"{instance}/image-key", "PLATE_HASH_KEY_PATH": f"{instance}/plate-hash-key"})
    app.instance_path = str(instance)
    return app


def build(instance: Path, args) -> dict:
    """A new world in a new database, described in instance/world.json."""
    instance.mkdir(parents=True)
    database = f"hub_metro_{int(time.time())}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    (instance / "data-kek").write_bytes(new_kek_text())
    app = make_app(instance, database)
    with app.app_context():
        upgrade()
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    world = metro.build_world(app, args.partners, args.grants, args.hotlist, now)
    print(f"  world built in {time.perf_counter() - started:.0f} s (grants {world['grant_seconds']:.0f} s)", flush=True)
    loaded = metro.load_reads(app, world, args.reads, now)
    print(f"  reads loaded: {loaded['key_seconds']:.0f} s data keys, {loaded['copy_seconds']:.0f} s COPY", flush=True)
    described = {"database": database, "token": world["token"], "cameras": world["cameras"], "pool": loaded["pool"],
                 "grants": args.grants, "partners": args.partners, "reads": args.reads, "built": now.isoformat()}
    (instance / "world.json").write_text(json.dumps(described))
    with app.app_context():
        db.engine.dispose()
    return described


def drop(instance: Path) -> None:
    world = json.loads((instance / "world.json").read_text())
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {world['database']} WITH (FORCE)")
    shutil.rmtree(instance)


def arguments(kind: str, world: dict, rnd: random.Random) -> dict:
    """One search of `kind` as metro.py's searcher asks it."""
    now = datetime.now(timezone.utc)
    plate = metro.vehicle(rnd.randrange(world["pool"]))
    asked = {"reason": "theft", "case_number": metro.CASE.format(rnd.randrange(world["grants"])),
             "basis": "Seen leaving the scene", "warrant": "SW-26-0001", "to": now.isoformat()}
    if kind == "exact":
        asked.update({"plate": plate, "from": (now - timedelta(days=7)).isoformat()})
    elif kind == "partial":
        asked.update({"plate": plate[:3] + "*", "from": (now - timedelta(days=1)).isoformat()})
    else:
        visible = [c[0] for c in world["cameras"] if c[5]]
        end = now - timedelta(days=rnd.randrange(0, 20))
        asked.update({"plate": rnd.choice(metro.SERIES) + "*", "state": "MN",
                      "from": (end - timedelta(days=7)).isoformat(), "to": min(end, now).isoformat(),
                      "cameras": ",".join(map(str, rnd.sample(visible, 50)))})
    return asked


def explain(app, client, headers, asked) -> None:
    """Each statement of one search, with EXPLAIN ANALYZE's summary."""
    sent = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not executemany:
            sent.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        client.get("/api/v1/search", query_string=asked, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        for statement, parameters in sent:
            plan = [r[0] for r in raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).fetchall()]
            total = next((line for line in reversed(plan) if "Execution Time" in line), "")
            print(f"    {total.strip():<32} {' '.join(statement.split())[:150]}")
            if any(w in statement for w in ("FROM reads", "found")):
                print("      " + "\n      ".join(plan[:40]))
        raw.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", required=True, type=Path)
    parser.add_argument("--partners", type=int, default=300)
    parser.add_argument("--grants", type=int, default=500)
    parser.add_argument("--reads", type=int, default=100_000)
    parser.add_argument("--hotlist", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the kept world's database and folder")
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable (HUB_BENCH_POSTGRES): this benchmark needs it.")
    if args.drop:
        drop(args.instance)
        return
    world = (json.loads((args.instance / "world.json").read_text()) if (args.instance / "world.json").exists()
             else build(args.instance, args))
    app = make_app(args.instance, world["database"])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {world['token']}"}
    print(f"== metro searches in process: {world['partners']} partners, {world['grants']:,} grants, "
          f"{world['reads']:,} reads (built {world['built'][:16]}); load average {os.getloadavg()[0]:.1f}")
    rnd = random.Random(5)
    for kind in ("exact", "partial", "cameras"):
        client.get("/api/v1/search", query_string=arguments(kind, world, rnd), headers=headers)  # warm
        times, rows = [], []
        for _ in range(args.samples):
            asked = arguments(kind, world, rnd)
            started = time.perf_counter()
            response = client.get("/api/v1/search", query_string=asked, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"search {kind}: {response.status_code} {response.get_data(as_text=True)[:300]}")
            rows.append(len(response.get_json()["items"]))
        print(f"  {kind:<8} p50 {percentile(times, 50):7.1f} ms  p95 {percentile(times, 95):7.1f} ms  "
              f"(n={len(times)}, rows p50 {percentile(rows, 50):.0f})  target p95 <= {metro.TARGETS[kind]:.0f} ms")
        asked = arguments(kind, world, rnd)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            client.get("/api/v1/search", query_string=asked, headers=headers)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats("hub/", 25)
            stats.sort_stats("tottime").print_stats(15)
        if args.explain:
            explain(app, client, headers, asked)
    print(f"  load average at the end {os.getloadavg()[0]:.1f}")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
