"""Ingest benchmark on PostgreSQL, against the server scripts/run serves
(scripts/serve: gunicorn, the same workers, threads and access log) with the
one scheduler (`hub scheduler`) running beside it, 1,000 cameras and a
1,000,000-entry hotlist. The load comes from several processes of their own
(`_load`), each keeping keep-alive connections busy. Prints each figure
beside its target:

(a) one read per request (what most cameras send), from many cameras at once:
    reads/s. Target: at least 1,000 reads/s.
(b) batches of 10 reads, each with a plate image (~20 KB JPEG) and a vehicle
    image (~150 KB JPEG): reads/s. Target: at least 1,000 reads/s.
(c) batches of 200 reads without images, beside a raw COPY of as many rows
    of the same kind into the same table. Target: at least 50 % of COPY.
(d) each worker's resident memory, its peak sampled during the load and
    after it, with the hotlist loaded. Target: at most 300 MB per worker.
(e) alert latency, from the request's acknowledgement and from its sending
    to the officer's SSE event, p50 and p99 (every 500th read is listed).

    .venv/bin/python scripts/bench/ingest.py [--seconds 30] [--hotlist 1000000] [--phases abc]
                                             [--processes 4] [--connections 8]

Encryption at rest is on, as served; the on/off comparison is not repeated
here (it would run the whole benchmark twice).
"""
from __future__ import annotations

import argparse
import base64
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import numpy
import requests
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _load  # noqa: E402
from _support import bench_app, percentile, postgres_available  # noqa: E402

from hub.cameras.credentials import issue_credential  # noqa: E402
from hub.cameras.services import Location, register_camera  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.hotlists.services import import_hot_file  # noqa: E402
from hub.identity import access, services, tokens  # noqa: E402
from hub.identity.actors import operator  # noqa: E402
from hub.identity.roles import OrganisationKind, Role  # noqa: E402
from hub.reads.models import new_read_id  # noqa: E402

BENCH = operator("bench")
ROOT = Path(__file__).resolve().parents[2]
CAMERAS = 1000
HIT_EVERY = 500
MEMORY_TARGET_MB = 300
# phase -> (label, reads per request, with images, target in reads/s)
PHASES = {"a": ("one read per request", 1, False, 1000),
          "b": ("batches of 10 reads with a plate and a vehicle image", 10, True, 1000),
          "c": ("batches of 200 reads without images", 200, False, None)}


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
        for n in range(CAMERAS):
            camera = register_camera(BENCH, agency, name=f"Camera {n}",
                                     location=Location(45 + n / 10000, -93.5, f"Site {n}"), direction="inbound",
                                     fixed=True, vendor="Flock Safety", model="Falcon",
                                     installed_on=datetime.now(timezone.utc).date())
            credentials.append(issue_credential(BENCH, camera)[1])
        lines = ["plate,state,reason,case_number,priority,expires,non_encounter,instructions"]
        lines += [f"{_load.hot_plate(n)},MN,stolen_vehicle,S-{n},medium,,," for n in range(hotlist)]
        start = time.perf_counter()
        import_hot_file(BENCH, "\n".join(lines).encode(), file_name="bench-hot.csv")
        print(f"  (hot file of {hotlist:,} entries imported in {time.perf_counter() - start:.0f} s)")
        token = tokens.create_token(BENCH, officer, name="bench")[1]
        db.session.commit()
        return {"credentials": credentials, "token": token}


def jpeg(width: int, height: int, target_bytes: int) -> bytes:
    """A photo-like JPEG (a gradient with sensor noise) of about the target
    size: the quality is searched for, as a camera's encoder would be set."""
    rng = numpy.random.default_rng(width)
    y, x = numpy.mgrid[0:height, 0:width]
    base = numpy.stack([x * 255 // width, y * 255 // height, (x + y) * 255 // (width + height)], -1)
    image = Image.fromarray(numpy.clip(base + rng.normal(0, 24, (height, width, 3)), 0, 255).astype(numpy.uint8))
    low, high, best = 5, 95, b""
    while low <= high:
        quality = (low + high) // 2
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        data = buffer.getvalue()
        if not best or abs(len(data) - target_bytes) < abs(len(best) - target_bytes):
            best = data
        low, high = (quality + 1, high) if len(data) < target_bytes else (low, quality - 1)
    return best


def server_env(app, port: int) -> dict:
    config = app.config
    return {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"], "HUB_INSTANCE_PATH": app.instance_path,
            "SECRET_KEY": "bench", "HUB_LEDGER_KEY": config["LEDGER_SIGNING_KEY_PATH"],
            "HUB_BASE_URL": f"http://127.0.0.1:{port}", "HUB_DATA_KEK_FILE": config["DATA_KEK_PATH"],
            "HUB_DATA_KEY_STORE": config["DATA_KEY_STORE_PATH"], "HUB_IMAGE_STORE": config["IMAGE_STORE_PATH"],
            "HUB_IMAGE_KEY": config["IMAGE_KEY_PATH"], "HUB_PLATE_HASH_KEY": config["PLATE_HASH_KEY_PATH"],
            "HUB_HOST": "127.0.0.1", "HUB_PORT": str(port), "PYTHONPATH": str(ROOT),
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """The access log is written as served (to nothing); errors to `log`."""
    with log.open("ab") as errors:
        return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=errors)


def wait_until_serving(port: int) -> None:
    for _ in range(600):
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("the hub did not start")


def worker_rss_mb(master: int) -> dict[int, float]:
    sizes = {}
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[int(pid)] = int(line.split()[1]) / 1024
        except FileNotFoundError:
            pass
    return sizes


class MemorySampler(threading.Thread):
    """Each worker's resident memory, four times a second: the peak seen."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.peak, self.stop = master, {}, threading.Event()

    def run(self):
        while not self.stop.wait(0.25):
            for pid, mb in worker_rss_mb(self.master).items():
                self.peak[pid] = max(mb, self.peak.get(pid, 0.0))


def listen(url: str, token: str, received_at: dict, stop: threading.Event) -> None:
    with requests.get(url, headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=3600) as response:
        for line in response.iter_lines(decode_unicode=True):
            if stop.is_set():
                return
            if line and line.startswith("data: "):
                received_at.setdefault(json.loads(line[6:])["plate"], time.time())


def warm(port: int, credentials: list[str]) -> None:
    """Every worker builds its hotlist index before anything is measured."""
    def one(n):
        requests.post(f"http://127.0.0.1:{port}/api/v1/reads", timeout=600, headers={
            "Authorization": f"Bearer {credentials[n]}"}, json={"reads": [{
                "read_id": f"warm{n}", "plate": "WARM1", "captured_at": datetime.now(timezone.utc).isoformat()}]})
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, range(32)))


def load(args, port: int, credentials: list[str], phase: str, images: str) -> tuple[dict, float]:
    label, per_request, with_images, _ = PHASES[phase]
    work = _load.Workload(port=port, credentials=credentials, reads_per_request=per_request, seconds=args.seconds,
                          connections=args.connections, hotlist=args.hotlist, hit_every=HIT_EVERY,
                          images=images if with_images else "")
    start_at = time.time() + 3.0  # spawned processes start together
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        parts = pool.starmap(_load.run, [(work, f"{phase}{n}", start_at) for n in range(args.processes)])
    total = {"accepted": 0, "requests": 0, "failures": 0, "latencies": [], "sent": {}, "acked": {}}
    for part in parts:
        for key in ("accepted", "requests", "failures", "latencies"):
            total[key] += part[key]
        for key in ("sent", "acked"):
            for plate, at in part[key].items():
                total[key].setdefault(plate, at)
    return total, max(part["ended"] for part in parts) - min(part["began"] for part in parts)


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


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report_phase(phase: str, total: dict, seconds: float, args) -> float:
    label, _, _, target = PHASES[phase]
    rate = total["accepted"] / seconds
    ms = [s * 1000 for s in total["latencies"]] or [0.0]
    line = (f"  ({phase}) {label}: {rate:,.0f} reads/s ({total['accepted']:,} reads in {total['requests']:,} requests "
            f"over {seconds:.0f} s, {total['failures']} refused; request p50 {percentile(ms, 50):.0f} ms, "
            f"p99 {percentile(ms, 99):.0f} ms; load average {os.getloadavg()[0]:.2f})")
    if target:
        line += f"; target at least {target:,} reads/s: {verdict(rate >= target)}"
    print(line, flush=True)
    return rate


def run(args) -> None:
    with bench_app("postgresql") as app:
        print(f"== PostgreSQL: {CAMERAS:,} cameras, a {args.hotlist:,}-entry hotlist; scripts/serve (gunicorn "
              f"{os.environ.get('HUB_WORKERS', '2')} workers x {os.environ.get('HUB_THREADS', '16')} threads) and "
              f"`hub scheduler`; load from {args.processes} processes x {args.connections} keep-alive connections; "
              f"{args.seconds:.0f} s per phase; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}",
              flush=True)
        world = build(app, args.hotlist)
        plate_jpeg, vehicle_jpeg = jpeg(400, 130, 20_000), jpeg(1280, 720, 150_000)
        images = (f'"plate_image": "{base64.b64encode(plate_jpeg).decode()}", '
                  f'"vehicle_image": "{base64.b64encode(vehicle_jpeg).decode()}"')
        port = 18000 + os.getpid() % 1000
        env = server_env(app, port)
        log = Path(app.instance_path) / "bench-errors.log"
        print(f"  (the server's and the scheduler's errors: {log})")
        server = start([str(ROOT / "scripts" / "serve")], env, log)
        scheduler = start([str(Path(sys.executable).parent / "hub"), "scheduler"], env, log)
        sampler = None
        try:
            wait_until_serving(port)
            warm(port, world["credentials"])
            sampler = MemorySampler(server.pid)
            sampler.start()
            received_at, stop = {}, threading.Event()
            threading.Thread(target=listen, daemon=True, args=(
                f"http://127.0.0.1:{port}/api/v1/alerts/stream", world["token"], received_at, stop)).start()
            time.sleep(1)
            sent_at, acked_at, rates = {}, {}, {}
            if "b" in args.phases:
                print(f"  (images: plate {len(plate_jpeg):,} bytes, vehicle {len(vehicle_jpeg):,} bytes)")
            for phase in args.phases:
                total, seconds = load(args, port, world["credentials"], phase, images)
                rates[phase] = (report_phase(phase, total, seconds, args), total["accepted"])
                sent_at.update(total["sent"])
                acked_at.update(total["acked"])
            time.sleep(2)
            sampler.stop.set()
            after = worker_rss_mb(server.pid)
            stop.set()
        finally:
            for process in (server, scheduler):
                os.killpg(process.pid, signal.SIGTERM)
            for process in (server, scheduler):
                process.wait()
        if "c" in rates:
            rows = max(rates["c"][1], 20_000)
            raw = copy_rate(app, rows)
            share = 100 * rates["c"][0] / raw
            print(f"  (c) raw COPY of {rows:,} rows of the same kind: {raw:,.0f} rows/s; the hub reaches {share:.0f} % "
                  f"of COPY; target at least 50 %: {verdict(share >= 50)}")
        peak = sampler.peak if sampler else {}
        print(f"  (d) worker resident memory with the {args.hotlist:,}-entry hotlist: peak during the load "
              f"{', '.join(f'{mb:.0f} MB' for mb in peak.values())}; after it "
              f"{', '.join(f'{mb:.0f} MB' for mb in after.values())}; target at most {MEMORY_TARGET_MB} MB per "
              f"worker: {verdict(bool(peak) and max(peak.values()) <= MEMORY_TARGET_MB)}")
        for label, start_at in (("request acknowledged", acked_at), ("request sent", sent_at)):
            ms = [max(0.0, received_at[p] - start_at[p]) * 1000 for p in received_at if p in start_at]
            if ms:
                print(f"  (e) alert latency, {label} to SSE event received: p50 {percentile(ms, 50):.0f} ms, "
                      f"p99 {percentile(ms, 99):.0f} ms (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="how long each phase lasts")
    parser.add_argument("--hotlist", type=int, default=1_000_000)
    parser.add_argument("--phases", default="abc", help="which of a, b, c to run, in order")
    parser.add_argument("--processes", type=int, default=4, help="load-generating processes")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections per process")
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable: nothing measured")
    if set(args.phases) - set(PHASES):
        sys.exit("--phases takes letters among a, b, c")
    run(args)


if __name__ == "__main__":
    main()
