"""An acknowledged read is never lost, and a retried one never stored twice:
kill the server (SIGKILL) in the middle of a long ingest run, check every
acknowledged read id is stored exactly once, then resend everything."""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import func, select

from hub.cameras.credentials import issue_credential
from hub.clock import utcnow
from hub.extensions import db
from hub.reads.models import Read
from tests.conftest import free_port, hub_process_env, make_camera, make_organisation
from tests.conftest import OPERATOR

ROOT = Path(__file__).resolve().parents[2]
BATCH = 50




def start_server(app_config, port):
    env = hub_process_env(app_config, HUB_BASE_URL=f"http://127.0.0.1:{port}")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the hub did not start")


def batches(total: int) -> list[list[dict]]:
    now = utcnow().isoformat()
    reads = [{"read_id": f"k{n:05d}", "plate": f"KIL{n % 1000:03d}", "captured_at": now} for n in range(total)]
    return [reads[i:i + BATCH] for i in range(0, total, BATCH)]


def send(url, credential, work, acknowledged, stop):
    session = requests.Session()
    for batch in work:
        if stop.is_set():
            return
        try:
            response = session.post(url, json={"reads": batch}, timeout=10,
                                    headers={"Authorization": f"Bearer {credential}"})
        except requests.RequestException:
            return
        if response.status_code == 200:
            body = response.json()
            acknowledged.update(body["accepted"] + body["duplicates"])


def stored_counts(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(Read.camera_read_id, func.count()).group_by(Read.camera_read_id)).all())


def test_sigkill_mid_ingest_loses_no_acknowledged_read(app, app_config):
    with app.app_context():
        camera = make_camera(make_organisation(), "CR 30")
        credential = issue_credential(OPERATOR, camera)[1]
        db.session.commit()
    work = batches(4000)
    port = free_port()
    server = start_server(app_config, port)
    acknowledged, stop = set(), threading.Event()
    sender = threading.Thread(target=send, args=(f"http://127.0.0.1:{port}/api/v1/reads", credential, work,
                                                 acknowledged, stop))
    sender.start()
    while len(acknowledged) < 1000 and sender.is_alive():
        time.sleep(0.01)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    stop.set()
    sender.join()
    counts = stored_counts(app)
    assert acknowledged and len(acknowledged) < 4000, "the kill should land mid-run"
    assert all(counts.get(read_id) == 1 for read_id in acknowledged)
    assert all(n == 1 for n in counts.values())

    server = start_server(app_config, port)
    try:
        again = set()
        send(f"http://127.0.0.1:{port}/api/v1/reads", credential, work, again, threading.Event())
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    counts = stored_counts(app)
    assert len(counts) == 4000 and set(counts.values()) == {1}
