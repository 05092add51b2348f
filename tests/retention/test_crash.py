"""Killing a purge mid-run leaves no read without its image and no image
without a read to account for it; the next run finishes the work."""
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from hub.clock import clock, utcnow
from hub.extensions import db
from hub.identity.actors import operator
from hub.reads.ingest import ingest_batch
from hub.reads.models import Read
from hub.retention.models import ImageTombstone
from hub.retention.purge import run_purge
from tests.conftest import hub_process_env, make_camera, make_organisation

ROOT = Path(__file__).resolve().parents[2]
READS = 800


def tiny_png(n: int) -> bytes:
    image = Image.new("L", (8, 8), 0)
    image.putpixel((n % 8, (n // 8) % 8), 255)
    image.putpixel(((n // 64) % 8, 7), (n // 512) * 40 % 256)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def image_path(app, digest: str) -> Path:
    return Path(app.config["IMAGE_STORE_PATH"]) / digest[:2] / digest[2:4] / digest


def test_a_killed_purge_leaves_nothing_half_destroyed(app, app_config, tmp_path):
    import base64
    with app.app_context():
        camera = make_camera(make_organisation(), "CR 30")
        clock.freeze(utcnow() - timedelta(days=45))
        for start in range(0, READS, 500):
            ingest_batch(camera, [{"read_id": f"k{n}", "plate": f"KIL{n:04d}", "captured_at": utcnow().isoformat(),
                                   "plate_image": base64.b64encode(tiny_png(n)).decode()}
                                  for n in range(start, min(READS, start + 500))])
        clock.unfreeze()
        db.session.commit()
    env = hub_process_env(app_config)
    hub = os.path.join(os.path.dirname(sys.executable), "hub")
    purge = subprocess.Popen([hub, "retention", "purge", "--batch", "10"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    with app.app_context():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and db.session.scalar(select(func.count()).select_from(Read)) > READS // 2:
            db.session.rollback()
            time.sleep(0.05)
        os.killpg(purge.pid, signal.SIGKILL)
        purge.wait(timeout=10)
        db.session.rollback()
        left = list(db.session.scalars(select(Read.plate_image)))
        assert 0 < len(left) < READS, "the purge was not caught mid-run"
        assert all(image_path(app, digest).exists() for digest in left), "a read lost its image"
        report = run_purge(operator("test"))
        assert db.session.scalar(select(func.count()).select_from(Read)) == 0
        assert db.session.scalar(select(func.count()).select_from(ImageTombstone)) == 0
        ours = [hashlib.sha256(tiny_png(n)).hexdigest() for n in range(READS)]
        assert not [d for d in ours if image_path(app, d).exists()], "an image outlived its read"
        assert report.reads_destroyed == len(left)
