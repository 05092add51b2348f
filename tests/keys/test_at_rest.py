"""Plates at rest: a read pushed from a private camera leaves no plate in
clear in the database (the SQLite file's bytes, a PostgreSQL dump), nor in
the image store; a plate opens only through the scope function; a copy of
the database taken before the purge yields no plate once the day's key is
gone; a missing or wrong key-encryption key stops the hub at start; an
interrupted rotation leaves every read readable and is finished by the next run."""
from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import clock, utcnow
from hub.config import ConfigurationError
from hub.extensions import db
from hub.identity.actors import operator
from hub.identity.roles import Role
from hub.keys import services as data_keys
from hub.keys.envelope import KeyUnavailable, new_kek_text
from hub.keys.models import DataKey, PlateSealed
from hub.reads.ingest import ingest_batch
from hub.reads.models import Read
from hub.retention.proof import destruction_record
from hub.retention.purge import run_purge
from hub.scope import OutOfScope, Purpose, scope_for
from tests.conftest import (build_app, is_postgres, make_camera, make_organisation, make_partner, make_user,
                            render_plate, stored_plates, wipe)

PLATE = "QZX4417"


def database_bytes(app) -> bytes:
    """Everything the database holds, as a backup would: the SQLite file, or
    a pg_dump of the PostgreSQL database (each table COPYed out when the
    machine has no pg_dump matching the server)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not is_postgres(app):
        return open(url.removeprefix("sqlite:///"), "rb").read()
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    if shutil.which("pg_dump"):
        done = subprocess.run(["pg_dump", "--data-only", plain], capture_output=True, check=False)
        if done.returncode == 0:
            return done.stdout
    import psycopg
    out = bytearray()
    with psycopg.connect(plain) as connection:
        for table in db.metadata.sorted_tables:
            with connection.cursor().copy(f"COPY {table.name} TO STDOUT") as copy:  # names from the models
                for chunk in copy:
                    out += bytes(chunk)
    return bytes(out)


def test_a_private_cameras_read_leaves_no_plate_in_clear(app, ctx):
    hoa = make_partner()
    camera = make_camera(hoa, "Private gate")
    image = render_plate(PLATE)
    result = ingest_batch(camera, [{"read_id": "p1", "plate": PLATE, "captured_at": utcnow().isoformat(),
                                    "plate_image": base64.b64encode(image).decode()}])
    assert result.accepted == ["p1"]
    db.session.commit()
    everything = database_bytes(app)
    assert b"p1" in everything  # the dump is real: the camera's own read id is there
    assert PLATE.encode() not in everything and PLATE.encode("utf-16-le") not in everything
    read = db.session.scalar(select(Read))
    files = [p.read_bytes() for p in (app.config["IMAGE_STORE_PATH"] and
                                      __import__("pathlib").Path(app.config["IMAGE_STORE_PATH"]).rglob("*")) if p.is_file()]
    assert files and all(image not in f and b"PNG" not in f[:40] for f in files)
    assert stored_plates([read]) == [PLATE]  # and it is there, under the owner's key


def test_a_plate_opens_only_through_the_scope(app, ctx):
    agency, hoa = make_organisation(), make_partner()
    officer = make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
    owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
    private, shared = make_camera(hoa, "Private"), make_camera(hoa, "Shared")
    set_sharing_mode(owner, shared, SharingMode.SHARED, reason="board vote")
    for camera, read_id in ((private, "a"), (shared, "b")):
        ingest_batch(camera, [{"read_id": read_id, "plate": PLATE, "captured_at": utcnow().isoformat()}])
    reads = {r.camera_read_id: r for r in db.session.scalars(select(Read))}
    with pytest.raises(PlateSealed):
        reads["a"].plate
    search_scope = scope_for(officer, Purpose.SEARCH)
    assert search_scope.open([reads["b"]])[0].plate == PLATE
    with pytest.raises(OutOfScope):
        search_scope.open([reads["a"]])
    own = scope_for(owner, Purpose.OWNER)
    assert [r.plate for r in own.open([reads["a"], reads["b"]])] == [PLATE, PLATE]
    assert scope_for(officer, Purpose.OWNER).empty


def test_a_copy_taken_before_the_purge_yields_no_plate_once_the_key_is_gone(app, ctx, frozen_clock, tmp_path):
    T = utcnow()
    clock.freeze(T - timedelta(days=45))
    camera = make_camera(make_partner(), "Gate")
    ingest_batch(camera, [{"read_id": "old", "plate": PLATE, "captured_at": utcnow().isoformat()}])
    db.session.commit()
    clock.freeze(T)
    before = database_bytes(app)
    copied = {}
    if is_postgres(app):
        copied["rows"] = db.session.execute(text(
            "SELECT r.id, r.plate_sealed, r.plate_hash, k.organisation_id, k.day FROM reads r "
            "JOIN data_keys k ON k.id = r.key_id")).all()
    else:
        backup = tmp_path / "backup.sqlite3"
        backup.write_bytes(before)
    key = db.session.scalar(select(DataKey))
    assert data_keys.ring().store.path(key.organisation_id, key.day).exists()

    report = run_purge(operator("test"))
    assert report.reads_destroyed == 1 and report.keys_destroyed == 1
    db.session.expire_all()
    key = db.session.get(DataKey, key.id)
    assert key.destroyed_at is not None and key.shredded_at is not None
    assert not data_keys.ring().store.path(key.organisation_id, key.day).exists()
    entry = db.session.execute(text("SELECT details FROM ledger_entries WHERE action = 'keys.destroyed'")).scalar_one()
    assert json.loads(entry)["days"] == {str(key.organisation_id): [key.day.isoformat()]}
    auditor = make_user("aud", Role.AUDITOR, make_organisation())
    [day] = [d for d in destruction_record(auditor) if d.destroyed]
    assert (day.camera_id, day.day, day.destroyed, day.key_destroyed_at) == (camera.id, key.day, 1, key.destroyed_at)

    if not is_postgres(app):
        with sqlite3.connect(tmp_path / "backup.sqlite3") as restored:
            copied["rows"] = restored.execute(
                "SELECT r.id, r.plate_sealed, r.plate_hash, k.organisation_id, k.day FROM reads r "
                "JOIN data_keys k ON k.id = r.key_id").fetchall()
    assert len(copied["rows"]) == 1 and PLATE.encode() not in before
    for read_id, sealed, plate_hash, organisation_id, day in copied["rows"]:
        day = day if not isinstance(day, str) else __import__("datetime").date.fromisoformat(day)
        with pytest.raises(KeyUnavailable):
            data_keys.ring().store.open(organisation_id, day)


@pytest.fixture
def wiped_after(app):
    """A test that leaves data keys under another KEK wipes them: the next
    session's app starts on this database with the suite's own KEK."""
    yield
    wipe(app)


def _kek_file(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(new_kek_text())
    return str(path)


def test_a_missing_key_encryption_key_stops_the_hub_naming_the_setting(app_config, tmp_path):
    with pytest.raises(ConfigurationError, match="HUB_DATA_KEK_FILE"):
        build_app({**app_config, "DATA_KEK_PATH": str(tmp_path / "nowhere")})
    (tmp_path / "short").write_bytes(b"c2hvcnQ=\n")
    with pytest.raises(ConfigurationError, match="HUB_DATA_KEK_FILE.*base64 of 32 bytes"):
        build_app({**app_config, "DATA_KEK_PATH": str(tmp_path / "short")})


def test_a_wrong_key_encryption_key_stops_the_hub(app, app_config, tmp_path):
    with app.app_context():
        ingest_batch(make_camera(make_partner(), "Gate"), [{"read_id": "a", "plate": PLATE,
                                                            "captured_at": utcnow().isoformat()}])
        db.session.commit()
    with pytest.raises(ConfigurationError, match="HUB_DATA_KEK_FILE.*not the one that wrapped"):
        build_app({**app_config, "DATA_KEK_PATH": _kek_file(tmp_path, "other-kek")})


def test_an_interrupted_rotation_leaves_every_read_readable_and_the_next_run_finishes_it(app, app_config, tmp_path,
                                                                                        wiped_after):
    with app.app_context():
        camera = make_camera(make_partner(), "Gate")
        for days in (1, 2, 3):
            ingest_batch(camera, [{"read_id": f"r{days}", "plate": f"ROT{days}",
                                   "captured_at": (utcnow() - timedelta(days=days)).isoformat()}])
        db.session.commit()
    new_kek = _kek_file(tmp_path, "new-kek")
    rotating = build_app({**app_config, "DATA_KEK_PATH": new_kek, "DATA_KEK_PREVIOUS_PATH": app_config["DATA_KEK_PATH"]})
    with rotating.app_context():
        assert data_keys.rewrap_batch(operator("test"), batch=1) == 1  # then the run is cut short
        db.session.commit()
        assert sorted(stored_plates(db.session.scalars(select(Read)).all())) == ["ROT1", "ROT2", "ROT3"]
    with pytest.raises(ConfigurationError, match="HUB_DATA_KEK_PREVIOUS_FILE"):
        build_app({**app_config, "DATA_KEK_PATH": new_kek})  # two keys are still under the old KEK
    with rotating.app_context():
        assert data_keys.rewrap_batch(operator("test"), batch=500) == 2
        db.session.commit()
        assert data_keys.rewrap_batch(operator("test"), batch=500) == 0
    after = build_app({**app_config, "DATA_KEK_PATH": new_kek})
    with after.app_context():
        assert sorted(stored_plates(db.session.scalars(select(Read)).all())) == ["ROT1", "ROT2", "ROT3"]
        actions = db.session.scalars(text("SELECT action FROM ledger_entries WHERE action = 'keys.rewrapped'")).all()
        assert len(actions) == 2


def test_the_keys_commands_show_and_finish_a_rotation(app, app_config, tmp_path, wiped_after):
    with app.app_context():
        ingest_batch(make_camera(make_partner(), "Gate"), [{"read_id": "a", "plate": PLATE,
                                                            "captured_at": utcnow().isoformat()}])
        db.session.commit()
    rotating = build_app({**app_config, "DATA_KEK_PATH": _kek_file(tmp_path, "new-kek"),
                          "DATA_KEK_PREVIOUS_PATH": app_config["DATA_KEK_PATH"]})
    runner = rotating.test_cli_runner()
    before = runner.invoke(args=["keys", "status"])
    assert before.exit_code == 0 and "1 live data key(s) wrapped by" in before.output
    done = runner.invoke(args=["keys", "rotate-kek"])
    assert done.exit_code == 0 and "1 data key(s) re-wrapped" in done.output
    with rotating.app_context():
        current = data_keys.ring().store.current.fingerprint
    after = runner.invoke(args=["keys", "status"])
    assert f"1 live data key(s) wrapped by {current}" in after.output
