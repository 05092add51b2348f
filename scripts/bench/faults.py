"""Faults benchmark on PostgreSQL: the hub served as `scripts/run` serves it
(gunicorn, 2 workers of 16 threads, and `hub scheduler`), under load for a
bounded time — 8 cameras ingesting at once (each client keeps every read id
the hub acknowledged), officers searching, grants revoked and granted again,
the retention purge destroying a camera's overdue reads — while the database
server goes away in the middle: restarted (`pg_ctlcluster 15 main
restart`, as root) or every session of the hub ended (`pg_terminate_backend`).

Prints each figure beside its target: reads acknowledged; acknowledged reads
lost (0: the cameras' reads are days younger than any retention, so none is
purged lawfully); requests answered 503 during the outage; answers 500 (0);
deadlocks PostgreSQL saw and conflicts the hub retried; the time from the
database being back to the hub answering again; `hub ledger verify` (clean).

CAUTION: the restart mode restarts the whole PostgreSQL server, breaking
every other database's sessions on it for a few seconds.

    .venv/bin/python scripts/bench/faults.py [--mode terminate|restart|both] [--seconds 30]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import PG_SERVER, postgres_available  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
INGEST_CLIENTS = 8
BATCH = 5
CASE = "CPD-26-000777"


class Tally:
    """Every answer by kind and time, shared by the load threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.events: list[tuple[float, str, int]] = []  # (time, what, status; 0 = no answer)
        self.acknowledged: dict[int, set[str]] = {}
        self.failures: list[str] = []
        self.scheduler_alive = False

    def note(self, what: str, status: int, detail: str = "") -> None:
        with self.lock:
            self.statuses[(what, status)] += 1
            self.events.append((time.monotonic(), what, status))
            if status >= 500 and status != 503 and len(self.failures) < 5:
                self.failures.append(f"{what} {status}: {detail[:300]}")


def hub_env(database: str, instance: Path, port: int) -> dict:
    return {**os.environ, "DATABASE_URL": f"{PG_SERVER}/{database}", "HUB_INSTANCE_PATH": str(instance),
            "HUB_BASE_URL": f"http://127.0.0.1:{port}", "HUB_DATA_KEK_FILE": str(instance / "data-kek"),
            "HUB_PASSWORD_HASH_PROFILE": "fast", "PYTHONPATH": str(ROOT),
            # Failed ingests during the outage must not lock the cameras out afterwards.
            "HUB_RATELIMIT_ENABLED": "0",
            # The scheduler's purge and checkpoints run several times within the bounded run.
            "HUB_RETENTION_JOB_SECONDS": "8", "HUB_LEDGER_CHECKPOINT_SECONDS": "5",
            "HUB_SCHEDULER_STANDBY_SECONDS": "1", "HUB_LOG_LEVEL": "WARNING"}


def seed(env: dict) -> dict:
    """Through the services: the agency and its officer with an API token,
    two HOAs with four cameras each (one per ingest client), a fifth camera
    whose reads are overdue (the purge's work), consented grants of every
    HOA camera to the officer's case."""
    os.environ.update(env)
    from hub import create_app
    from hub.cameras.credentials import issue_credential
    from hub.cameras.services import Location, register_camera
    from hub.extensions import db
    from hub.identity import access, services
    from hub.identity.actors import operator
    from hub.identity.roles import OrganisationKind, Role
    from hub.identity.tokens import create_token
    from hub.reads.ingest import ingest_batch

    bench = operator("bench")
    app = create_app()
    with app.app_context():
        agency = services.create_organisation(bench, name="Corcoran PD", kind=OrganisationKind.AGENCY)
        chief = services.create_user(bench, organisation=agency, username="chief", display_name="C", role=Role.CHIEF,
                                     password="benchmark password")
        officer = services.create_user(bench, organisation=agency, username="ofc", display_name="O",
                                       role=Role.OFFICER, password="benchmark password")
        today = datetime.now(timezone.utc).date()
        access.record_training(bench, officer, completed_on=today, course="ALPR")
        access.authorise_officer(bench, officer, text="Authorised.", signed_on=today, signed_by=chief)
        _, officer_token = create_token(bench, officer, name="bench searches")
        cameras, owners = [], {}
        for h in range(2):
            hoa = services.create_organisation(bench, name=f"Bench HOA {h}", kind=OrganisationKind.HOA)
            owners[hoa.id] = services.create_user(bench, organisation=hoa, username=f"owner{h}", display_name="P",
                                                  role=Role.PARTNER_ADMIN, password="benchmark password")
            for c in range(INGEST_CLIENTS // 2 + (1 if h == 0 else 0)):
                cameras.append(register_camera(bench, hoa, name=f"Gate {h}-{c}", location=Location(45 + c, -93, "G"),
                                               direction="inbound", fixed=True, vendor="", model="",
                                               installed_on=today))
        credentials = [issue_credential(bench, camera)[1] for camera in cameras[:INGEST_CLIENTS]]
        doomed = cameras[-1]
        two_days_ago = datetime.now(timezone.utc) - timedelta(days=2)
        for first in range(0, 3000, 1000):
            ingest_batch(doomed, [{"read_id": f"old{n}", "plate": f"OLD{n:04d}", "confidence": 0.95,
                                   "captured_at": (two_days_ago + timedelta(seconds=n)).isoformat()}
                                  for n in range(first, first + 1000)])
        doomed.retention_days = 1  # its reads are now overdue: the purge destroys them during the run
        db.session.commit()
        camera_ids = [camera.id for camera in cameras[:INGEST_CLIENTS]]
        for camera in cameras[:INGEST_CLIENTS]:
            grant(db, owners, camera)
        db.session.commit()
        doomed_id = doomed.id
    return {"app": app, "credentials": credentials, "cameras": camera_ids, "officer_token": officer_token,
            "doomed": doomed_id}


def grant(db, owners, camera) -> None:
    """A consented grant of one camera to the officer's case (as scripts/bench/grants.py makes them)."""
    from hub.grants.models import AccessRequest, Grant, RequestStatus
    from hub.identity.models import User
    from hub.identity.roles import Role
    from sqlalchemy import select

    now = datetime.now(timezone.utc)
    officer_id = db.session.scalar(select(User.id).where(User.role == Role.OFFICER))
    request = AccessRequest(officer_id=officer_id, organisation_id=camera.organisation_id,
                            camera_ids=str(camera.id), case_number=CASE, offense_type="theft",
                            factual_basis="bench", window_start=now - timedelta(days=1),
                            window_end=now + timedelta(hours=1), access_hours=48, status=RequestStatus.GRANTED,
                            created_at=now)
    db.session.add(request)
    db.session.flush()
    row = Grant(request_id=request.id, client_id="bench", organisation_id=camera.organisation_id,
                camera_ids=str(camera.id), window_start=request.window_start, window_end=request.window_end,
                expires_at=now + timedelta(hours=48), granted_by_id=owners[camera.organisation_id].id,
                granted_at=now)
    db.session.add(row)
    db.session.flush()


def ingest_client(base: str, credential: str, index: int, tally: Tally, stop: threading.Event) -> None:
    """A camera: batches of new reads; a batch that was not acknowledged is
    sent again (the hub stores it once), as cameras do."""
    acknowledged = tally.acknowledged.setdefault(index, set())
    session, n, pending = requests.Session(), 0, None
    while not stop.is_set():
        if pending is None:
            now = datetime.now(timezone.utc).isoformat()
            pending = [{"read_id": f"c{index}-{n + k}", "plate": f"F{index}{(n + k) % 10000:04d}", "confidence": 0.97,
                        "captured_at": now} for k in range(BATCH)]
            n += BATCH
        try:
            response = session.post(f"{base}/api/v1/reads", json={"reads": pending}, timeout=30,
                                    headers={"Authorization": f"Bearer {credential}"})
        except requests.RequestException as error:
            tally.note("ingest", 0, str(error))
            time.sleep(0.2)
            continue
        tally.note("ingest", response.status_code, response.text)
        if response.status_code == 200:
            body = response.json()
            with tally.lock:
                acknowledged.update(body["accepted"], body["duplicates"])
            pending = None
        elif response.status_code == 503:
            assert response.json()["code"] in ("database_unavailable", "database_busy") and \
                response.headers.get("Retry-After"), response.text
            time.sleep(0.2)
        else:
            time.sleep(0.2)


def searcher(base: str, token: str, tally: Tally, stop: threading.Event) -> None:
    session = requests.Session()
    while not stop.is_set():
        try:
            response = session.get(f"{base}/api/v1/search", timeout=30, headers={"Authorization": f"Bearer {token}"},
                                   params={"plate": "F100*", "reason": "burglary", "case_number": CASE,
                                           "basis": "Vehicle seen leaving the burglary at 14 Elm St"})
            tally.note("search", response.status_code, response.text)
        except requests.RequestException as error:
            tally.note("search", 0, str(error))
        time.sleep(0.1)


def grant_churn(app, tally: Tally, stop: threading.Event) -> None:
    """The owners revoke a grant and grant the camera again, through the
    services, in this process (a failure is an exception, not an answer)."""
    from sqlalchemy import select

    from hub.cameras.models import Camera
    from hub.db_faults import as_hub_error
    from hub.extensions import db
    from hub.grants.models import Grant
    from hub.grants.revocation import revoke_grant
    from hub.identity.models import User

    while not stop.is_set():
        with app.app_context():
            try:
                row = db.session.scalars(select(Grant).where(Grant.revoked_at.is_(None)).order_by(Grant.id)
                                         .limit(1)).first()
                if row is not None:
                    owner = db.session.scalar(select(User).where(User.organisation_id == row.organisation_id))
                    camera = db.session.get(Camera, int(row.camera_ids))
                    revoke_grant(owner, row, reason="bench churn")
                    grant(db, {owner.organisation_id: owner}, camera)
                    db.session.commit()
                tally.note("grant", 200)
            except Exception as error:  # the database's answer, as a request would have had it
                db.session.rollback()
                failure = as_hub_error(error)
                tally.note("grant", failure.status if failure else 500, f"{type(error).__name__}: {error}")
                time.sleep(0.2)
        time.sleep(0.2)


def retention_purge(env: dict, tally: Tally) -> None:
    """`hub retention purge` once, beside the scheduler's own purges."""
    done = subprocess.run(["hub", "retention", "purge"], env=env, capture_output=True, text=True, cwd=ROOT)
    # Exit status 3: the database went away under the command, which said so (the 503 of a command).
    tally.note("purge-command", {0: 200, 3: 503}.get(done.returncode, 500), done.stderr[-300:])


def deadlocks(database: str) -> int:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        return admin.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", (database,)).fetchone()[0]


def wait_for_database(timeout: float = 60) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=2).close()
            return time.monotonic()
        except psycopg.OperationalError:
            time.sleep(0.05)
    raise SystemExit("PostgreSQL did not come back")


def fault(mode: str, database: str) -> tuple[float, float]:
    """The outage: (when it began, when the database was back)."""
    began = time.monotonic()
    if mode == "restart":
        subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=True)
        return began, wait_for_database()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))
    return began, time.monotonic()


def wait_until_serving(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit("the hub did not start")


def run(mode: str, seconds: float) -> bool:
    database = f"hub_bench_faults_{os.getpid()}_{int(time.time())}"
    instance = Path(tempfile.mkdtemp(prefix="hub-bench-faults-"))
    from hub.keys.envelope import new_kek_text
    (instance / "data-kek").write_bytes(new_kek_text())
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = hub_env(database, instance, port)
    processes: list[subprocess.Popen] = []
    try:
        subprocess.run(["hub", "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True)
        world = seed(env)
        logs = {name: open(instance / f"{name}.log", "w") for name in ("gunicorn", "scheduler")}
        processes.append(subprocess.Popen(
            ["gunicorn", "--workers", "2", "--threads", "16", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=logs["gunicorn"], stderr=subprocess.STDOUT, start_new_session=True))
        processes.append(subprocess.Popen(["hub", "scheduler"], cwd=ROOT, env=env, stdout=logs["scheduler"],
                                          stderr=subprocess.STDOUT, start_new_session=True))
        wait_until_serving(base)
        deadlocks_before = deadlocks(database)
        tally, stop = Tally(), threading.Event()
        threads = [threading.Thread(target=ingest_client, args=(base, credential, i, tally, stop))
                   for i, credential in enumerate(world["credentials"])]
        threads += [threading.Thread(target=searcher, args=(base, world["officer_token"], tally, stop))
                    for _ in range(2)]
        threads.append(threading.Thread(target=grant_churn, args=(world["app"], tally, stop)))
        threads.append(threading.Thread(target=retention_purge, args=(env, tally)))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(seconds / 3)
        began, back = fault(mode, database)
        time.sleep(max(0.0, started + seconds - time.monotonic()))
        stop.set()
        for thread in threads:
            thread.join(60)
        deadlocks_seen = deadlocks(database) - deadlocks_before
        tally.scheduler_alive = processes[1].poll() is None
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for log in logs.values():
            log.close()
        return report(mode, database, instance, env, world, tally, began, back, deadlocks_seen, seconds)
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        if "world" in locals():
            from hub.extensions import db
            with world["app"].app_context():
                db.engine.dispose()
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(instance, ignore_errors=True)


def report(mode, database, instance, env, world, tally: Tally, began, back, deadlocks_seen, seconds) -> bool:
    with psycopg.connect(f"{PG_SERVER}/{database}") as connection:
        stored = {row[0] for row in connection.execute(
            "SELECT camera_read_id FROM reads WHERE camera_id = ANY(%s)", (world["cameras"],))}
        overdue_left = connection.execute("SELECT count(*) FROM reads WHERE camera_id = %s",
                                          (world["doomed"],)).fetchone()[0]
    acknowledged = set().union(*tally.acknowledged.values())
    lost = acknowledged - stored
    served = [e for e in tally.events if e[1] in ("ingest", "search")]
    unavailable = [e for e in served if e[2] == 503]
    errors = [e for e in tally.events if e[2] >= 500 and e[2] != 503]
    no_answer = [e for e in served if e[2] == 0]
    first_ok = min((t for t, what, status in served if t >= back and status == 200), default=None)
    last_bad = max((t for t, what, status in served if status in (503, 0)), default=None)
    log_text = "".join((instance / f"{name}.log").read_text(errors="replace") for name in ("gunicorn", "scheduler"))
    retried = len(re.findall(r"database conflict in", log_text))
    tracebacks = log_text.count("Traceback")
    checkpoint = subprocess.run(["hub", "ledger", "checkpoint"], env=env, cwd=ROOT, capture_output=True, text=True)
    verify = subprocess.run(["hub", "ledger", "verify"], env=env, cwd=ROOT, capture_output=True, text=True)
    verdict = (verify.stdout + verify.stderr).strip().splitlines()
    scheduler_runs = log_text.count("scheduler holds the lock")
    load = os.getloadavg()
    ok = (not lost and not errors and verify.returncode == 0 and checkpoint.returncode == 0
          and tally.scheduler_alive and scheduler_runs >= 2)
    print(f"== {mode}: {seconds:.0f} s of load, the fault at {began - min(e[0] for e in tally.events):.1f} s "
          f"(load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})")
    print(f"  answers: {dict(sorted((f'{w} {s}', n) for (w, s), n in tally.statuses.items()))}")
    print(f"  reads acknowledged: {len(acknowledged):,} by {INGEST_CLIENTS} cameras (target: > 0)")
    print(f"  acknowledged reads lost: {len(lost)} (target: 0; none purged lawfully: every camera's reads are "
          f"younger than its retention)")
    print(f"  overdue reads of the purged camera left: {overdue_left} of 3,000 (the purge ran during the load)")
    print(f"  requests answered 503 during the outage: {len(unavailable)}; with no answer (connection refused "
          f"or reset): {len(no_answer)} (target: every failure a 503, none a 500)")
    print(f"  answers 500 (or other 5xx): {len(errors)} (target: 0){'; e.g. ' + tally.failures[0] if errors else ''}")
    raised = sorted(set(re.findall(r"^([\w.]+(?:Error|Exception|Failure)\b[^\n]{0,160})", log_text, re.M)))
    print(f"  tracebacks in the hub's and the scheduler's logs: {tracebacks}"
          + "".join(f"\n    {line}" for line in raised[:5]))
    said = (instance / "scheduler.log").read_text(errors="replace").splitlines()
    print("  scheduler said: " + " | ".join(dict.fromkeys(line for line in said if not line.startswith(" "))))
    print(f"  deadlocks PostgreSQL saw: {deadlocks_seen}; conflicts the hub retried: {retried} "
          f"(target: each retried, none answered 500)")
    print(f"  the database back {back - began:.2f} s after the fault began; first request served "
          f"{(first_ok - back) if first_ok else float('nan'):.2f} s after that; last 503 "
          f"{(last_bad - back) if last_bad and last_bad > back else 0.0:.2f} s after it "
          f"(target: recovers by itself, within seconds)")
    print(f"  scheduler: {'running' if tally.scheduler_alive else 'DEAD'} at the end, took its lock "
          f"{scheduler_runs} time(s) (target: running, and took it again after the fault: it carries on)")
    print(f"  hub ledger verify: {verdict[0] if verdict else '?'} (target: clean)")
    print(f"  RESULT: {'PASS' if ok else 'FAIL'}")
    return ok


def free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("terminate", "restart", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable: nothing measured")
    modes = ["terminate", "restart"] if args.mode == "both" else [args.mode]
    if "restart" in modes and (os.geteuid() != 0 or not shutil.which("pg_ctlcluster")):
        print("restart mode needs root and pg_ctlcluster: running pg_terminate_backend only")
        modes = ["terminate"]
    results = [run(mode, args.seconds) for mode in modes]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
