"""Ingest benchmark on PostgreSQL. Prints:
(a) sustained reads/s through the real HTTP endpoint (gunicorn, 2 workers)
    with 1,000 cameras and a 1,000,000-entry hotlist, beside the raw COPY
    rate of the same kind of rows into the same table;
(b) alert latency to the SSE event, from the request's acknowledgement and
    from its sending, p50 and p99;
(c) resident memory of a worker holding the 1,000,000-entry hotlist;
(d) with `--encryption both` (the default), (a) with owner-keyed encryption
    at rest beside the same with plates kept in clear (a switch of this
    benchmark only, `_plaintext`), and how much slower encryption is.
    Target: at most 15 % slower.

    .venv/bin/python scripts/bench/ingest.py [--seconds 30] [--hotlist 1000000] [--encryption both|on|off]
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
from datetime import datetime, timezone
from pathlib import Path

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import bench_app, each_encryption_mode, encryption_ratio, percentile, postgres_available  # noqa: E402,E501

from hub.cameras.credentials import issue_credential  # noqa: E402
from hub.cameras.services import Location, register_camera  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.hotlists.services import import_hot_file  # noqa: E402
from hub.identity import access, services, tokens  # noqa: E402
from hub.identity.roles import OrganisationKind, Role  # noqa: E402
from hub.reads.models import new_read_id  # noqa: E402
from hub.identity.actors import operator  # noqa: E402

BENCH = operator("bench")

ROOT = Path(__file__).resolve().parents[2]
BATCH = 200
CLIENTS = 4
HIT_EVERY = 500


def hot_plate(n: int) -> str:
    return f"H{n:06d}"


def build(app, hotlist: int) -> dict:
    with app.app_context():
        agency = services.create_organisation(BENCH, name="Corcoran Police Department", kind=OrganisationKind.AGENCY)
        officer = services.create_user(BENCH, organisation=agency, username="ofc", display_name="Officer",
                                       role=Role.OFFICER, password="benchmark password")
        access.record_training(BENCH, officer, completed_on=datetime.now(timezone.utc).date(), course="ALPR")
        chief = services.create_user(BENCH, organisation=agency, username="chief", display_name="Chief",
                                     role=Role.CHIEF, password="benchmark password")
        access.authorise_officer(BENCH, officer, text="Authorised.", signed_on=datetime.now(timezone.utc).date(),
                                 signed_by=chief)
        credentials = []
        for n in range(1000):
            camera = register_camera(BENCH, agency, name=f"Camera {n}",
                                     location=Location(45 + n / 10000, -93.5, f"Site {n}"), direction="inbound",
                                     fixed=True, vendor="Flock Safety", model="Falcon",
                                     installed_on=datetime.now(timezone.utc).date())
            credentials.append(issue_credential(BENCH, camera)[1])
        lines = ["plate,state,reason,case_number,priority,expires,non_encounter,instructions"]
        lines += [f"{hot_plate(n)},MN,stolen_vehicle,S-{n},medium,,," for n in range(hotlist)]
        start = time.perf_counter()
        import_hot_file(BENCH, "\n".join(lines).encode(), file_name="bench-hot.csv")
        print(f"  (hot file of {hotlist:,} entries imported in {time.perf_counter() - start:.0f} s)")
        token = tokens.create_token(BENCH, officer, name="bench")[1]
        db.session.commit()
        return {"credentials": credentials, "token": token}


def start_server(app, port: int, *, encrypted: bool) -> subprocess.Popen:
    config = app.config
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"], "HUB_INSTANCE_PATH": app.instance_path,
           "SECRET_KEY": "bench", "HUB_LEDGER_KEY": config["LEDGER_SIGNING_KEY_PATH"],
           "HUB_BASE_URL": f"http://127.0.0.1:{port}", "HUB_DATA_KEK_FILE": config["DATA_KEK_PATH"],
           "HUB_DATA_KEY_STORE": config["DATA_KEY_STORE_PATH"], "HUB_IMAGE_STORE": config["IMAGE_STORE_PATH"],
           "HUB_IMAGE_KEY": config["IMAGE_KEY_PATH"], "HUB_PLATE_HASH_KEY": config["PLATE_HASH_KEY_PATH"],
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "scripts" / "bench")])}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b",
                               f"127.0.0.1:{port}", "--timeout", "120",
                               "wsgi:app" if encrypted else "_plaintext_wsgi:app"], cwd=ROOT, env=env,
                              start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("the hub did not start")


def worker_rss_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def make_batch(rnd: random.Random, counter: list[int]) -> list[dict]:
    now = datetime.now(timezone.utc).isoformat()
    batch = []
    for _ in range(BATCH):
        counter[0] += 1
        n = counter[0]
        plate = hot_plate(rnd.randrange(1_000_000)) if n % HIT_EVERY == 0 else f"N{n % 999_999:06d}"
        batch.append({"read_id": f"b{n}", "plate": plate, "captured_at": now, "confidence": 0.95})
    return batch


def load(url, credentials, seconds, sent_at, acked_at, totals, stop):
    rnd = random.Random(threading.get_ident())
    session = requests.Session()
    counter = [threading.get_ident() % 1000 * 10_000_000]
    while not stop.is_set():
        batch = make_batch(rnd, counter)
        started = time.perf_counter()
        for read in batch:
            if read["plate"].startswith("H"):
                sent_at.setdefault(read["plate"], started)
        response = session.post(url, json={"reads": batch}, timeout=60,
                                headers={"Authorization": f"Bearer {rnd.choice(credentials)}"})
        if response.status_code == 200:
            acknowledged = time.perf_counter()
            for read in batch:
                if read["plate"].startswith("H"):
                    acked_at.setdefault(read["plate"], acknowledged)
            totals.append(len(response.json()["accepted"]))


def listen(url, token, received_at, stop):
    with requests.get(url, headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=600) as response:
        for line in response.iter_lines(decode_unicode=True):
            if stop.is_set():
                return
            if line and line.startswith("data: "):
                received_at.setdefault(json.loads(line[6:])["plate"], time.perf_counter())


def copy_rate(app, rows: int) -> float:
    with app.app_context():
        raw = db.session.connection().connection.driver_connection
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        start = time.perf_counter()
        with raw.cursor().copy("COPY reads (id, captured_at, camera_id, organisation_id, camera_read_id, "
                               "plate_sealed, plate_hash, key_id, confidence, verified, recognised_by, latitude, "
                               "longitude, received_at, classification) FROM STDIN") as copy:
            for n in range(rows):
                plate = f"C{n % 999_999:06d}"
                copy.write_row((new_read_id(), now, 1, 1, f"copy{n}", plate.encode(), plate, 0, 0.95, True,
                                "camera", 45.0, -93.5, now, "alpr_data"))
        db.session.commit()
        return rows / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--hotlist", type=int, default=1_000_000)
    parser.add_argument("--encryption", choices=("both", "on", "off"), default="both")
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable: nothing measured")
    if args.encryption == "both":
        rates = each_encryption_mode([__file__, "--seconds", str(args.seconds), "--hotlist", str(args.hotlist)])
        encryption_ratio("(d) HTTP ingest", rates["on"], rates["off"], higher_is_better=True, unit="reads/s")
        return
    print(f"FIGURE {run(args, encrypted=args.encryption == 'on')}")


def run(args, *, encrypted: bool) -> float:
    with bench_app("postgresql") as app:
        print(f"== postgresql, encryption {'on' if encrypted else 'off'}: 1,000 cameras, {args.hotlist:,}-entry "
              f"hotlist, batches of {BATCH}, {CLIENTS} client threads, 2 gunicorn workers with 4 threads each "
              "(as scripts/run serves)")
        world = build(app, args.hotlist)
        port = 18000 + os.getpid() % 1000 + (0 if encrypted else 1)
        server = start_server(app, port, encrypted=encrypted)
        try:
            url = f"http://127.0.0.1:{port}/api/v1/reads"
            for credential in world["credentials"][:8]:  # every worker builds its hotlist index
                requests.post(url, json={"reads": [{"read_id": f"warm{credential[-6:]}", "plate": "WARM1",
                                                    "captured_at": datetime.now(timezone.utc).isoformat()}]},
                              headers={"Authorization": f"Bearer {credential}"}, timeout=120)
            rss = worker_rss_mb(server.pid)
            sent_at, acked_at, received_at, totals, stop = {}, {}, {}, [], threading.Event()
            listener = threading.Thread(target=listen, daemon=True, args=(
                f"http://127.0.0.1:{port}/api/v1/alerts/stream", world["token"], received_at, stop))
            listener.start()
            time.sleep(1)
            clients = [threading.Thread(target=load, args=(url, world["credentials"], args.seconds, sent_at, acked_at,
                                                           totals, stop)) for _ in range(CLIENTS)]
            start = time.perf_counter()
            for c in clients:
                c.start()
            time.sleep(args.seconds)
            stop.set()
            for c in clients:
                c.join()
            elapsed = time.perf_counter() - start
            time.sleep(1)
            ingested = sum(totals)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        raw = copy_rate(app, max(ingested, 100_000))
        print(f"  (a) HTTP ingest: {ingested / elapsed:,.0f} reads/s ({ingested:,} reads in {elapsed:.0f} s); "
              f"raw COPY: {raw:,.0f} rows/s; the hub reaches {100 * ingested / elapsed / raw:.0f} % of COPY")
        for label, start_at in (("request acknowledged", acked_at), ("request sent", sent_at)):
            ms = [max(0.0, received_at[p] - start_at[p]) * 1000 for p in received_at if p in start_at]
            if ms:
                print(f"  (b) alert latency, {label} to SSE event received: p50 {percentile(ms, 50):.0f} ms, "
                      f"p99 {percentile(ms, 99):.0f} ms (n={len(ms)})")
        print(f"  (c) worker resident memory with the hotlist loaded: {', '.join(f'{r:.0f} MB' for r in rss)}")
        return ingested / elapsed


if __name__ == "__main__":
    main()
