"""Daily partitions on PostgreSQL: a day whose reads are being written to
the default partition while the scheduler makes partitions is left there,
never a failed job (the partition's CREATE would find the new read)."""
import threading
import time

import pytest
from sqlalchemy import text

from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.extensions import db
from hub.reads.ingest import ingest_batch
from hub.reads.partitions import ensure_partitions, partition_name
from tests.conftest import make_camera, make_organisation


def test_a_day_written_to_the_default_partition_meanwhile_keeps_it(app):
    today = utcnow().date()
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("day partitions exist on PostgreSQL only")
        camera_id = make_camera(make_organisation(), "CR 30").id
        db.session.execute(text(f"DROP TABLE IF EXISTS {partition_name(today)}"))
        db.session.commit()
    inserted, release, made, failures = threading.Event(), threading.Event(), [], []

    def writer():
        with app.app_context():
            try:
                ingest_batch(db.session.get(Camera, camera_id), [
                    {"read_id": "r1", "plate": "ABC123", "captured_at": utcnow().isoformat()}])
                db.session.flush()
                inserted.set()
                release.wait(20)
                db.session.commit()
            except Exception as error:  # reported below
                failures.append(error)
                inserted.set()

    def partitioner():
        with app.app_context():
            try:
                made.extend(ensure_partitions())
                db.session.commit()
            except Exception as error:
                failures.append(error)

    threads = [threading.Thread(target=writer)]
    threads[0].start()
    assert inserted.wait(20)
    threads.append(threading.Thread(target=partitioner))
    threads[1].start()
    time.sleep(0.5)  # the partitioner now waits for the writer's transaction
    release.set()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert partition_name(today) not in made
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM reads_default")) == 1
        assert db.session.scalar(text("SELECT to_regclass(:n)"), {"n": partition_name(today)}) is None
