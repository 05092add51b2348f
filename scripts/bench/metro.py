"""Metro-scale benchmark on PostgreSQL: the network DESIGN.md section 6 names,
with ingest, search, alerting and the retention purge running together.

The world: one agency, 300 partner organisations (each with its
administrator), 1,000 cameras (100 the agency's, 900 the partners', two in
three shared standing, the rest reached by grants), 5,000 grants (each asked
by an officer, approved by the chief and consented to by the partner through
the agency's OAuth client), a 1,000,000-entry hot file, all made through the
hub's services; then the reads over 60 days, loaded by COPY in streamed chunks
(never all in memory), each row as ingest stores it: the plate sealed under
its owner's data key of the day and hashed under it (`hub.keys`), one daily
partition per day. The two secondary indexes are built after the load.

After 30 s of the searches alone, together for `--seconds`: HTTP ingest through gunicorn (as scripts/run
serves it) from 4 clients, one read in 500 a hot plate; an officer's alert
stream (the latency of each alert); officer searches through /api/v1/search
(an exact plate over 7 days, a partial plate over 1 day, and 50 cameras over
7 days with a partial plate and the state, a full page each); and the
retention purge, which destroys the days past the agency's 30. Last, the
ledger is verified. One table: each figure beside the target the product
names (scripts/bench/search.py, retention.py, ingest.py, ledger.py).

    .venv/bin/python scripts/bench/metro.py [--scale 10M|1M|100k] [--seconds 120]

`--scale 1M` is the same network with 1,000,000 reads; `100k`, for
development, has 100,000 reads, 30 partners, 500 grants and a
100,000-entry hot file. docs/performance.md holds the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import bench_app, percentile, postgres_available  # noqa: E402

from sqlalchemy import func, select, text  # noqa: E402

from hub.cameras.credentials import issue_credential  # noqa: E402
from hub.cameras.models import SharingMode  # noqa: E402
from hub.cameras.services import Location, register_camera  # noqa: E402
from hub.cameras.sharing import set_sharing_mode  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.grants.clients import create_client  # noqa: E402
from hub.grants.consent import consent, read_details  # noqa: E402
from hub.grants.requests import create_request, decide_request  # noqa: E402
from hub.hotlists.services import import_hot_file  # noqa: E402
from hub.identity import access, services, tokens  # noqa: E402
from hub.identity.actors import operator  # noqa: E402
from hub.identity.roles import OrganisationKind, Role  # noqa: E402
from hub.keys import services as data_keys  # noqa: E402
from hub.ledger.tree import seal_and_checkpoint  # noqa: E402
from hub.ledger.verification import verify_ledger  # noqa: E402
from hub.reads.classification import classify  # noqa: E402
from hub.reads.models import Read, new_read_id  # noqa: E402
from hub.reads.partitions import ensure_partitions, partition_name  # noqa: E402
from hub.retention.purge import run_purge  # noqa: E402

BENCH = operator("bench")
ROOT = Path(__file__).resolve().parents[2]
DAYS = 60
AGENCY_CAMERAS = 100
SCALES = {  # reads, hot file entries, partner organisations, grants
    "10M": (10_000_000, 1_000_000, 300, 5000),
    "1M": (1_000_000, 1_000_000, 300, 5000),
    "100k": (100_000, 100_000, 30, 500),
}
CAMERAS = 1000
CHUNK = 100_000  # reads per COPY: one transaction each, streamed
# Plates are issued in series (the first three letters), as a state issues them.
SERIES = [f"FK{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"] + [f"FL{c}" for c in "ABCDEFGHIJKLMN"]
BATCH, CLIENTS, HIT_EVERY = 200, 4, 500
QUIET_SECONDS = 30  # the searches alone, before the load starts
TARGETS = {"exact": 50.0, "partial": 300.0, "cameras": 300.0}
COLUMNS = ("id", "captured_at", "camera_id", "organisation_id", "camera_read_id", "plate_sealed", "plate_hash",
           "key_id", "plate_state", "confidence", "verified", "recognised_by", "latitude", "longitude",
           "received_at", "classification")
SECONDARY_INDEXES = {
    "ix_reads_plate_hash_time": "CREATE INDEX ix_reads_plate_hash_time ON reads (plate_hash, captured_at)",
    "ix_reads_camera_time": "CREATE INDEX ix_reads_camera_time ON reads (camera_id, captured_at)",
}
PASSWORD = "benchmark password"
CASE = "MPD-26-{:06d}"


def vehicle(n: int) -> str:
    return f"{SERIES[n % len(SERIES)]}{n // len(SERIES):04d}"


def hot_plate(n: int) -> str:
    return f"H{n:06d}"


def build_world(app, partners: int, grants: int, hotlist: int, now: datetime) -> dict:
    """Everything but the reads, through the hub's services."""
    rnd = random.Random(11)
    today = now.date()
    with app.app_context():
        agency = services.create_organisation(BENCH, name="Metro Police Department", kind=OrganisationKind.AGENCY)
        officer = services.create_user(BENCH, organisation=agency, username="ofc", display_name="Officer",
                                       role=Role.OFFICER, password=PASSWORD)
        chief = services.create_user(BENCH, organisation=agency, username="chief", display_name="Chief",
                                     role=Role.CHIEF, password=PASSWORD)
        access.record_training(BENCH, officer, completed_on=today - timedelta(days=3), course="ALPR training")
        access.record_training(BENCH, chief, completed_on=today - timedelta(days=3), course="ALPR training")
        access.authorise_officer(BENCH, officer, text="Authorised.", signed_on=today, signed_by=chief)
        access.authorise_officer(BENCH, chief, text="Authorised.", signed_on=today, signed_by=chief)
        owners, admins = [agency], {}
        for n in range(partners):
            kind = OrganisationKind.HOA if n % 2 else OrganisationKind.BUSINESS
            partner = services.create_organisation(BENCH, name=f"Partner {n}", kind=kind)
            admins[partner.id] = services.create_user(BENCH, organisation=partner, username=f"partner-{n}",
                                                      display_name=f"Admin {n}", role=Role.PARTNER_ADMIN,
                                                      password=PASSWORD)
            owners.append(partner)
        cameras, credentials, private = [], [], []
        for n in range(CAMERAS):
            owner = agency if n < AGENCY_CAMERAS else owners[1 + (n - AGENCY_CAMERAS) % partners]
            camera = register_camera(BENCH, owner, name=f"Camera {n}", location=Location(
                44.9 + rnd.random() / 5, -93.4 + rnd.random() / 5, f"Site {n}"), direction="inbound", fixed=True,
                vendor="Flock Safety", model="Falcon", installed_on=today - timedelta(days=DAYS + 1))
            if owner is not agency:
                if n % 3:
                    set_sharing_mode(admins[owner.id], camera, SharingMode.SHARED, reason="Standing share")
                else:
                    private.append(camera)
            credentials.append(issue_credential(BENCH, camera)[1])
            cameras.append((camera.id, owner.id, camera.latitude, camera.longitude, classify(owner.kind).code,
                            camera.sharing_mode is SharingMode.SHARED))
        db.session.commit()
        started = time.perf_counter()
        client = create_client(BENCH, name="Metro records", redirect_uris=["https://records.example/cb"],
                               organisation=agency)[0]
        for n in range(grants):
            camera = private[n % len(private)]
            request = create_request(officer, camera_ids=[camera.id], case_number=CASE.format(n),
                                     offense_type="theft", factual_basis="Seen near the scene",
                                     window_start=now - timedelta(days=7), window_end=now - timedelta(minutes=5),
                                     access_hours=48)
            decide_request(chief, request, approve=True, finding="Pertinent to the case")
            partner = admins[camera.organisation_id]
            offer = read_details(json.dumps([{"type": "alpr_camera_access", "request_id": request.id}]), partner,
                                 client=client)
            consent(partner, offer, camera_ids=[camera.id], window_start=offer.window_start,
                    window_end=offer.window_end, hours=48)
            if n % 100 == 99:
                db.session.commit()
        db.session.commit()
        grant_seconds = time.perf_counter() - started
        started = time.perf_counter()
        lines = ["plate,state,reason,case_number,priority,expires,non_encounter,instructions"]
        lines += [f"{hot_plate(n)},MN,stolen_vehicle,S-{n},medium,,," for n in range(hotlist)]
        import_hot_file(BENCH, "\n".join(lines).encode(), file_name="metro-hot.csv")
        del lines
        hot_seconds = time.perf_counter() - started
        token = tokens.create_token(BENCH, officer, name="metro")[1]
        db.session.commit()
        return {"cameras": cameras, "credentials": credentials, "token": token, "grant_seconds": grant_seconds,
                "hot_seconds": hot_seconds}


def make_partitions(now: datetime) -> int:
    """A partition for each day of the load (those the scheduler has not made
    yet: it makes them ahead, `ensure_partitions`), and the days ahead."""
    made = 0
    for offset in range(DAYS + 1):
        day = (now - timedelta(days=DAYS - offset)).date()
        name = partition_name(day)
        if db.session.scalar(text("SELECT to_regclass(:n)"), {"n": name}) is None:
            db.session.execute(text(f"CREATE TABLE {name} PARTITION OF reads FOR VALUES FROM ('{day}') "
                                    f"TO ('{day + timedelta(days=1)}')"))
            made += 1
    return made + len(ensure_partitions())


def load_reads(app, world: dict, reads: int, now: datetime) -> dict:
    """`reads` reads evenly over the 60 days before `now`, from random cameras,
    of a pool of vehicles (about 25 reads each), sealed and hashed as ingest
    does, COPY'd a chunk at a time."""
    rnd = random.Random(7)
    cameras = world["cameras"]
    pool = max(reads // 25, 1000)
    start = now - timedelta(days=DAYS)
    span = (now - timedelta(minutes=10) - start).total_seconds()
    with app.app_context():
        partitions = make_partitions(now)
        for index in SECONDARY_INDEXES:
            db.session.execute(text(f"DROP INDEX IF EXISTS {index}"))
        db.session.commit()
        days = {(start + timedelta(days=d)).date() for d in range(DAYS + 1)}
        started = time.perf_counter()
        keys = {}
        for organisation_id in sorted({c[1] for c in cameras}):
            for day, key in data_keys.keys_for_days(organisation_id, days).items():
                keys[organisation_id, day] = key
            db.session.commit()
        key_seconds = time.perf_counter() - started
        started = time.perf_counter()
        raw = db.session.connection().connection.driver_connection
        statement = f"COPY reads ({', '.join(COLUMNS)}) FROM STDIN"
        for first in range(0, reads, CHUNK):
            with raw.cursor().copy(statement) as copy:
                for n in range(first, min(reads, first + CHUNK)):
                    camera_id, organisation_id, lat, lon, classification, _ = cameras[rnd.randrange(CAMERAS)]
                    at = start + timedelta(seconds=span * n / reads)
                    key, read_id, plate = keys[organisation_id, at.date()], new_read_id(), vehicle(rnd.randrange(pool))
                    copy.write_row((read_id, at, camera_id, organisation_id, f"m{n}",
                                    key.seal(plate.encode(), data_keys.read_aad(read_id)), key.plate_hash(plate),
                                    key.id, "MN", 0.95, True, "camera", lat, lon, at + timedelta(seconds=2),
                                    classification))
            raw.commit()
            print(f"  loaded {min(reads, first + CHUNK):,} reads", end="\r", flush=True)
        copy_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for sql in SECONDARY_INDEXES.values():
            db.session.execute(text(sql))
        db.session.commit()
        index_seconds = time.perf_counter() - started
        db.session.execute(text("ANALYZE reads"))
        db.session.commit()
        print()
        return {"partitions": partitions, "key_seconds": key_seconds, "copy_seconds": copy_seconds,
                "index_seconds": index_seconds, "pool": pool}


def start_server(app, port: int) -> subprocess.Popen:
    """gunicorn as scripts/run starts it (2 workers, 16 threads each)."""
    config = app.config
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"], "HUB_INSTANCE_PATH": app.instance_path,
           "SECRET_KEY": "bench", "HUB_LEDGER_KEY": config["LEDGER_SIGNING_KEY_PATH"],
           "HUB_BASE_URL": f"http://127.0.0.1:{port}", "HUB_DATA_KEK_FILE": config["DATA_KEK_PATH"],
           "HUB_DATA_KEY_STORE": config["DATA_KEY_STORE_PATH"], "HUB_IMAGE_STORE": config["IMAGE_STORE_PATH"],
           "HUB_IMAGE_KEY": config["IMAGE_KEY_PATH"], "HUB_PLATE_HASH_KEY": config["PLATE_HASH_KEY_PATH"],
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "16", "-b",
                               f"127.0.0.1:{port}", "--timeout", "300", "wsgi:app"], cwd=ROOT, env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("the hub did not start")


def worker_peak_mb(master: int) -> list[float]:
    """Each worker's peak resident memory (VmHWM)."""
    sizes = []
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


class Run:
    """What the concurrent parts measure, shared between their threads."""

    def __init__(self):
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent, self.acked, self.received = {}, {}, {}
        self.accepted, self.batch_ms, self.errors = 0, [], []
        self.searches = {"exact": [], "partial": [], "cameras": []}
        self.rows = {"exact": [], "partial": [], "cameras": []}
        self.purge: dict = {}
        self.purging = threading.Event()
        self.during_purge = {"exact": [], "partial": [], "cameras": []}
        self.load = []


def ingest_client(run: Run, url: str, credentials: list[str], pool: int, seed: int) -> None:
    rnd = random.Random(seed)
    session = requests.Session()
    n = seed * 100_000_000
    while not run.stop.is_set():
        now = datetime.now(timezone.utc).isoformat()
        batch = []
        for _ in range(BATCH):
            n += 1
            plate = hot_plate(rnd.randrange(1_000_000)) if n % HIT_EVERY == 0 else vehicle(rnd.randrange(pool))
            batch.append({"read_id": f"i{n}", "plate": plate, "captured_at": now, "confidence": 0.95})
        started = time.perf_counter()
        hot = [r["plate"] for r in batch if r["plate"].startswith("H")]
        with run.lock:
            for plate in hot:
                run.sent.setdefault(plate, started)
        response = session.post(url, json={"reads": batch}, timeout=300,
                                 headers={"Authorization": f"Bearer {rnd.choice(credentials)}"})
        done = time.perf_counter()
        with run.lock:
            if response.status_code == 200:
                run.accepted += len(response.json()["accepted"])
                run.batch_ms.append((done - started) * 1000)
                for plate in hot:
                    run.acked.setdefault(plate, done)
            else:
                run.errors.append(f"ingest {response.status_code}")


def alert_listener(run: Run, url: str, token: str) -> None:
    with requests.get(url, headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=3600) as response:
        for line in response.iter_lines(decode_unicode=True):
            if run.stop.is_set():
                return
            if line and line.startswith("data: "):
                run.received.setdefault(json.loads(line[6:])["plate"], time.perf_counter())


def searcher(run: Run, url: str, token: str, world: dict, grants: int, pool: int) -> None:
    """An officer searching in turn by exact plate, partial plate, and
    cameras and time, each under a case with a grant (its grant's camera is
    searched too), with a warrant on record."""
    rnd = random.Random(5)
    session = requests.Session()
    visible = [c[0] for c in world["cameras"] if c[5]]
    kinds = ["exact", "partial", "cameras"]
    turn = 0
    while not run.stop.is_set():
        kind = kinds[turn % 3]
        turn += 1
        now = datetime.now(timezone.utc)
        plate = vehicle(rnd.randrange(pool))
        arguments = {"reason": "theft", "case_number": CASE.format(rnd.randrange(grants)),
                     "basis": "Seen leaving the scene", "warrant": "SW-26-0001", "to": now.isoformat()}
        if kind == "exact":
            arguments.update({"plate": plate, "from": (now - timedelta(days=7)).isoformat()})
        elif kind == "partial":
            arguments.update({"plate": plate[:3] + "*", "from": (now - timedelta(days=1)).isoformat()})
        else:
            end = now - timedelta(days=rnd.randrange(0, 20))
            arguments.update({"plate": rnd.choice(SERIES) + "*", "state": "MN", "from": (end - timedelta(days=7))
                              .isoformat(), "to": min(end, now).isoformat(),
                              "cameras": ",".join(map(str, rnd.sample(visible, 50)))})
        started = time.perf_counter()
        purging = run.purging.is_set()
        response = session.get(url, params=arguments, headers={"Authorization": f"Bearer {token}"}, timeout=300)
        elapsed = (time.perf_counter() - started) * 1000
        with run.lock:
            if response.status_code == 200:
                run.searches[kind].append(elapsed)
                run.rows[kind].append(len(response.json()["items"]))
                if purging or run.purging.is_set():
                    run.during_purge[kind].append(elapsed)
            else:
                run.errors.append(f"search {kind} {response.status_code} {response.text[:200]}")


def purger(run: Run, app) -> None:
    """The retention purge, as the scheduler runs it, during the load."""
    time.sleep(5)
    with app.app_context():
        started = time.perf_counter()
        run.purging.set()
        try:
            report = run_purge(BENCH)
        except Exception as error:  # shown in the table, as a failed request is
            run.errors.append(f"purge {type(error).__name__}: {error}")
            return
        finally:
            run.purging.clear()
        run.purge = {"seconds": time.perf_counter() - started, "reads": report.reads_destroyed,
                     "partitions": len(report.partitions), "keys": report.keys_destroyed}


def sample_load(run: Run) -> None:
    while not run.stop.wait(2):
        run.load.append(os.getloadavg()[0])


def database_mb(app) -> float:
    with app.app_context():
        return db.session.scalar(text("SELECT pg_database_size(current_database())")) / 2 ** 20


def mixed(app, world: dict, seconds: float, grants: int, pool: int) -> Run:
    port = 19000 + os.getpid() % 1000
    server = start_server(app, port)
    base = f"http://127.0.0.1:{port}/api/v1"
    run = Run()
    try:
        for credential in world["credentials"][:8]:  # each worker builds its hotlist index
            requests.post(f"{base}/reads", json={"reads": [{"read_id": f"warm{credential[-6:]}", "plate": "WARM1",
                                                            "captured_at": datetime.now(timezone.utc).isoformat()}]},
                          headers={"Authorization": f"Bearer {credential}"}, timeout=300)
        alone = Run()  # the searches by themselves first: what the load adds is the difference
        quiet = threading.Thread(target=searcher, args=(alone, f"{base}/search", world["token"], world, grants, pool))
        quiet.start()
        time.sleep(QUIET_SECONDS)
        alone.stop.set()
        quiet.join()
        run.alone = alone.searches
        threads = [threading.Thread(target=alert_listener, args=(run, f"{base}/alerts/stream", world["token"]),
                                    daemon=True)]
        threads[0].start()
        time.sleep(1)
        workers = [threading.Thread(target=ingest_client, args=(run, f"{base}/reads", world["credentials"], pool, s))
                   for s in range(1, CLIENTS + 1)]
        workers += [threading.Thread(target=searcher, args=(run, f"{base}/search", world["token"], world, grants,
                                                            pool)),
                    threading.Thread(target=purger, args=(run, app)), threading.Thread(target=sample_load, args=(run,))]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        time.sleep(seconds)
        run.stop.set()
        for worker in workers:
            worker.join()
        run.elapsed = time.perf_counter() - started
        time.sleep(1)
        run.memory = worker_peak_mb(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    return run


def row(label: str, figure: str, target: str = "", verdict: str = "") -> None:
    print(f"  {label:<46}{figure:<58} {target:<35}{verdict}")


def p95_row(label: str, samples: list[float], rows: list[int], during: list[float], alone: list[float],
            target: float) -> None:
    """All the searches of a kind during the load, the same searches alone,
    and those of the load that ran while no purge did (a day's partition is
    dropped under a lock on the reads table)."""
    if not samples:
        row(label, "no search finished", f"p95 <= {target:.0f} ms", "MISSED")
        return
    p95 = percentile(samples, 95)
    full = sum(1 for r in rows if r >= 50)
    row(label, f"p50 {percentile(samples, 50):,.0f} ms, p95 {p95:,.0f} ms (n={len(samples)}, {full} full pages)",
        f"p95 <= {target:.0f} ms", "met" if p95 <= target else "MISSED")
    if alone:
        p95 = percentile(alone, 95)
        row("  the same searches alone, before the load", f"p50 {percentile(alone, 50):,.0f} ms, p95 {p95:,.0f} ms "
            f"(n={len(alone)})", f"p95 <= {target:.0f} ms", "met" if p95 <= target else "MISSED")
    outside = list(samples)
    for sample in during:
        outside.remove(sample)
    if outside:
        p95 = percentile(outside, 95)
        row("  during the load, while no purge ran", f"p50 {percentile(outside, 50):,.0f} ms, p95 {p95:,.0f} ms "
            f"(n={len(outside)})", f"p95 <= {target:.0f} ms", "met" if p95 <= target else "MISSED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="10M")
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable (HUB_BENCH_POSTGRES): this benchmark needs it.")
    reads, hotlist, partners, grants = SCALES[args.scale]
    print(f"== metro benchmark, {args.scale}: {reads:,} reads over {DAYS} days, {CAMERAS:,} cameras, "
          f"{partners} partner organisations, {grants:,} grants, {hotlist:,} hot file entries; "
          f"load average at start {os.getloadavg()[0]:.1f}", flush=True)
    now = datetime.now(timezone.utc)
    with bench_app("postgresql") as app:
        started = time.perf_counter()
        world = build_world(app, partners, grants, hotlist, now)
        world_seconds = time.perf_counter() - started
        print(f"  world built through the services in {world_seconds:.0f} s (grants {world['grant_seconds']:.0f} s, "
              f"hot file {world['hot_seconds']:.0f} s)", flush=True)
        loaded = load_reads(app, world, reads, now)
        load_seconds = time.perf_counter() - started
        size_loaded = database_mb(app)
        print(f"  reads: {loaded['key_seconds']:.0f} s data keys, {loaded['copy_seconds']:.0f} s COPY "
              f"({reads / loaded['copy_seconds']:,.0f} rows/s), {loaded['index_seconds']:.0f} s indexes; "
              f"database {size_loaded:,.0f} MB", flush=True)
        run = mixed(app, world, args.seconds, grants, loaded["pool"])
        with app.app_context():
            left = db.session.scalar(select(func.count()).select_from(Read))
            started = time.perf_counter()
            seal_and_checkpoint()  # what the scheduler does every few minutes
            db.session.commit()
            seal_seconds = time.perf_counter() - started
            started = time.perf_counter()
            problems = verify_ledger()
            verify_seconds = time.perf_counter() - started
            entries = db.session.scalar(text("SELECT count(*) FROM ledger_entries"))
        size_after = database_mb(app)
    latency = {label: [max(0.0, run.received[p] - at[p]) * 1000 for p in run.received if p in at]
               for label, at in (("acknowledged", run.acked), ("sent", run.sent))}
    load = run.load or [os.getloadavg()[0]]
    print(f"\n== metro benchmark, {args.scale} ({reads:,} reads), {args.seconds:.0f} s of ingest, search, "
          f"alerting and purge together; load average {min(load):.1f} to {max(load):.1f} "
          f"(mean {sum(load) / len(load):.1f}) on {os.cpu_count()} cores")
    row("figure", "measured", "target", "")
    row("world (services) + reads (COPY) + indexes", f"{world_seconds:,.0f} s + {loaded['copy_seconds']:,.0f} s + "
        f"{loaded['index_seconds']:,.0f} s = {load_seconds:,.0f} s", "none named")
    row("database size", f"{size_loaded:,.0f} MB loaded, {size_after:,.0f} MB after", "none named")
    rate = run.accepted / run.elapsed
    row("HTTP ingest (4 clients, batches of 200)", f"{rate:,.0f} reads/s, batch p95 "
        f"{percentile(run.batch_ms, 95) if run.batch_ms else 0:,.0f} ms", "several million a day (58/s = 5M)",
        "met" if rate >= 58 else "MISSED")
    for label, samples in latency.items():
        if samples:
            row(f"alert latency, {label} to SSE event", f"p50 {percentile(samples, 50):,.0f} ms, p99 "
                f"{percentile(samples, 99):,.0f} ms (n={len(samples)})", "none named")
        else:
            row(f"alert latency, {label} to SSE event", "no alert received", "none named")
    for kind, label in (("exact", "search, exact plate, 7 days"), ("partial", "search, partial plate (ABC*), 1 day"),
                        ("cameras", "search, 50 cameras, 7 days, MN, ABC*")):
        p95_row(label, run.searches[kind], run.rows[kind], run.during_purge[kind], run.alone[kind], TARGETS[kind])
    if run.purge:
        per_day = run.purge["seconds"] / max(1, run.purge["partitions"])
        row("purge past 30 days (during the load)", f"{run.purge['seconds']:,.1f} s: {run.purge['reads']:,} reads, "
            f"{run.purge['partitions']} days", "< 5 s a day dropped", "met" if per_day < 5 else "MISSED")
    else:
        row("purge past 30 days (during the load)", "did not finish in the run", "< 5 s a day dropped", "MISSED")
    row("gunicorn worker peak memory (VmHWM)", ", ".join(f"{m:,.0f} MB" for m in run.memory), "none named")
    row("ledger seal + checkpoint, then verify", f"{seal_seconds:,.1f} s, then {verify_seconds:,.1f} s "
        f"({entries:,} entries, {'intact' if not problems else 'PROBLEM'})", "none named at this size")
    if problems:
        print(f"  ledger: {problems[0]}")
    print(f"  reads left after the purge: {left:,}; load average at the end {os.getloadavg()[0]:.1f}")
    if run.errors:
        print(f"  {len(run.errors)} requests failed, first: {run.errors[0]}")


if __name__ == "__main__":
    main()
