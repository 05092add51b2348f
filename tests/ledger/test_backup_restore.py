"""A backup restored into a fresh database is the hub it was: the ledger
verifies with the public keys alone and extends a checkpoint saved before
the backup, every read opens with the data keys, images open, a search
finds what it found before. A restore that lost entries, or a copy
altered, fails verification. The procedure is the one in
docs/operations.md: the database with pg_dump/pg_restore (the SQLite
backup API on SQLite), the image store and the instance secrets copied
beside it, and the key store taken from its live mirror, never from a
backup, so a day key destroyed after the backup stays destroyed."""
from __future__ import annotations

import base64
import shutil
import sqlite3
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import make_url

from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.models import User
from hub.keys import services as data_keys
from hub.keys.envelope import KeyUnavailable
from hub.keys.models import DataKey
from hub.ledger.models import LedgerEntry, LedgerEntryCamera, LedgerPrivateDetail
from hub.ledger.tree import latest_checkpoint, seal_and_checkpoint
from hub.ledger.verification import verify_ledger
from hub.reads.ingest import ingest_batch
from hub.reads.models import Read
from hub.search.services import search
from tests.conftest import OPERATOR, build_app, is_postgres, render_plate, stored_image, stored_plates
from tests.network import build_network

IMAGE_PLATE = "BKP4417"
SEARCH = {"plate": IMAGE_PLATE, "reason": "burglary", "case_number": "CPD-26-000301",
          "basis": "Vehicle seen leaving the burglary at 14 Elm St"}
# The instance secrets backed up apart from the data (docs/operations.md).
SECRETS = ("LEDGER_SIGNING_KEY_PATH", "LEDGER_VERIFIER_KEYS_PATH", "IMAGE_KEY_PATH", "PLATE_HASH_KEY_PATH",
           "WEBHOOK_KEY_PATH", "DATA_KEK_PATH")


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


class Backup:
    """One backup of the running hub, taken as the operations guide says,
    and restores of it into a fresh database."""

    def __init__(self, app, folder: Path, database: str | None):
        self.app, self.folder, self.database = app, folder, database
        self.folder.mkdir()

    def take(self) -> None:
        url = self.app.config["SQLALCHEMY_DATABASE_URI"]
        if is_postgres(self.app):
            subprocess.run(["pg_dump", "--format=custom", "--file", str(self.folder / "hub.dump"), _plain(url)],
                           check=True, capture_output=True)
        else:
            with sqlite3.connect(url.removeprefix("sqlite:///")) as live, \
                    sqlite3.connect(self.folder / "hub.sqlite3") as copy:
                live.backup(copy)
        # After the database: an image of a read purged in between is missing
        # from the copy, and that read is past retention in the restore too.
        shutil.copytree(self.app.config["IMAGE_STORE_PATH"], self.folder / "images")
        secrets = self.folder / "secrets"
        secrets.mkdir()
        for name in SECRETS:  # each made on first use: those this hub has made so far
            if Path(self.app.config[name]).exists():
                shutil.copy2(self.app.config[name], secrets / Path(self.app.config[name]).name)

    def _fresh_database(self) -> str:
        """An empty database, as on a new server, with the backup restored into it."""
        if not is_postgres(self.app):
            target = self.folder / f"restored-{uuid.uuid4().hex[:8]}.sqlite3"
            with sqlite3.connect(self.folder / "hub.sqlite3") as copy, sqlite3.connect(target) as fresh:
                copy.backup(fresh)
            return f"sqlite:///{target}"
        url = make_url(self.app.config["SQLALCHEMY_DATABASE_URI"]).set(database=self.database)
        url = url.render_as_string(hide_password=False)
        empty_database(_plain(url))
        subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", _plain(url),
                        str(self.folder / "hub.dump")], check=True, capture_output=True)
        return url

    def restore(self, config: dict, key_store_mirror: Path):
        """A hub on a fresh database restored from this backup, its image store
        and secrets restored beside it, its key store the live mirror."""
        instance = self.folder / f"instance-{uuid.uuid4().hex[:8]}"
        shutil.copytree(self.folder / "secrets", instance)
        shutil.copytree(self.folder / "images", instance / "images")
        restored = {name: str(instance / Path(self.app.config[name]).name) for name in SECRETS}
        return build_app({**config, **restored, "INSTANCE": str(instance), "IMAGE_STORE_PATH": str(instance / "images"),
                          "SQLALCHEMY_DATABASE_URI": self._fresh_database(),
                          "DATA_KEY_STORE_PATH": str(key_store_mirror)})


def empty_database(url: str) -> None:
    """The restore database as a new server's: nothing in it."""
    import psycopg
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


@pytest.fixture(scope="module")
def restore_database(app):
    """On PostgreSQL, one database made for this module's restores (each
    restore empties it first: creating and dropping a database per restore
    costs a checkpoint each), dropped at the end."""
    if not is_postgres(app):
        yield None
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed (Debian: postgresql-client): "
                    "a PostgreSQL backup cannot be taken and restored here")
    name = f"{make_url(app.config['SQLALCHEMY_DATABASE_URI']).database}_restore_{uuid.uuid4().hex[:8]}"
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield name
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def backup(app, tmp_path, restore_database):
    return Backup(app, tmp_path / "backup", restore_database)


def mirror(key_store: str, target: Path) -> Path:
    """The key store's mirror: a copy that follows deletions (rsync --delete),
    never a backup that keeps old files."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(key_store, target)
    return target


@pytest.fixture
def running_hub(app, ctx):
    """A small hub built through services: users in every role, a camera in
    each sharing mode, hotlisted reads and their alerts, a live grant, a
    read with its plate image, a search, a checkpoint saved by an auditor,
    and entries after it that no checkpoint covers yet."""
    world = build_network("active")
    camera = db.session.get(Camera, world["cameras"]["shared"])
    image = render_plate(IMAGE_PLATE)
    result = ingest_batch(camera, [{"read_id": "bkp-1", "plate": IMAGE_PLATE, "plate_state": "MN",
                                    "captured_at": (utcnow() - timedelta(hours=2)).isoformat(), "confidence": 0.99,
                                    "plate_image": base64.b64encode(image).decode()}])
    assert result.accepted == ["bkp-1"]
    db.session.commit()
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    assert search(officer, SEARCH).total == 1
    db.session.commit()
    checkpoint = seal_and_checkpoint()
    db.session.commit()
    saved = latest_checkpoint().note
    assert checkpoint is not None and checkpoint.tree_size > 20
    assert search(officer, SEARCH).total == 1  # after the checkpoint: in the backup, not yet sealed
    db.session.commit()
    reads = db.session.scalars(select(Read).order_by(Read.id)).all()
    return {"saved": saved, "image": image, "plates": dict(zip((r.camera_read_id for r in reads), stored_plates(reads))),
            "entries": db.session.scalar(select(db.func.count()).select_from(LedgerEntry)),
            "agency": world["organisations"]["agency"], "partner": world["organisations"]["own"]}


def latest_checkpoint_size(note: str) -> int:
    return int(note.splitlines()[1])


def cli_verify(restored, saved: Path):
    """`hub ledger verify --against` on the restored hub (its context pushed:
    the command runs in the current application's)."""
    with restored.app_context():
        db.session.remove()
        return restored.test_cli_runner().invoke(args=["ledger", "verify", "--against", str(saved)])


def finished(restored) -> None:
    with restored.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_restored_backup_verifies_and_its_reads_open_but_no_destroyed_day(app, app_config, running_hub, backup,
                                                                                tmp_path):
    backup.take()
    restored = backup.restore(app_config, mirror(app.config["DATA_KEY_STORE_PATH"], tmp_path / "key-mirror"))
    saved = tmp_path / "auditor-checkpoint.txt"
    saved.write_text(running_hub["saved"])
    with restored.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(LedgerEntry)) == running_hub["entries"]
        assert verify_ledger([running_hub["saved"]]) == []
        reads = db.session.scalars(select(Read).order_by(Read.id)).all()
        assert dict(zip((r.camera_read_id for r in reads), stored_plates(reads))) == running_hub["plates"]
        [with_image] = [r for r in reads if r.camera_read_id == "bkp-1"]
        assert stored_image(with_image, with_image.plate_image) == running_hub["image"]
        officer = db.session.scalar(select(User).where(User.username == "officer"))
        assert [r.plate for r in search(officer, SEARCH).reads] == [IMAGE_PLATE]
        db.session.commit()
        signed = seal_and_checkpoint()  # the restored hub signs on, with the restored key
        db.session.commit()
        assert signed.tree_size > latest_checkpoint_size(running_hub["saved"])
    result = cli_verify(restored, saved)
    assert result.exit_code == 0, result.output
    assert f"ledger intact: {signed.tree_size} entries" in result.output
    assert "consistent with the checkpoint" in result.output
    finished(restored)

    # A day key destroyed after the backup (the partner left): the key
    # store's mirror follows, and the restored copy's reads of that
    # partner no longer open; the agency's still do, and the ledger verifies.
    partner_keys = list(db.session.scalars(select(DataKey).where(DataKey.organisation_id == running_hub["partner"])))
    assert partner_keys
    data_keys.destroy(OPERATOR, partner_keys, reason="the partner left the network")
    db.session.commit()
    restored = backup.restore(app_config, mirror(app.config["DATA_KEY_STORE_PATH"], tmp_path / "key-mirror"))
    with restored.app_context():
        assert verify_ledger([running_hub["saved"]]) == []
        reads = db.session.scalars(select(Read).order_by(Read.id)).all()
        partner = [r for r in reads if r.organisation_id == running_hub["partner"]]
        agency = [r for r in reads if r.organisation_id == running_hub["agency"]]
        assert partner and agency
        with pytest.raises(KeyUnavailable):
            stored_plates(partner[:1])
        assert dict(zip((r.camera_read_id for r in agency), stored_plates(agency))) == \
            {r.camera_read_id: running_hub["plates"][r.camera_read_id] for r in agency}
        db.session.remove()

    # A key store that holds none of the live keys is a wrong setting, not a
    # restore: nothing is destroyed.
    same = (*SECRETS, "INSTANCE", "IMAGE_STORE_PATH", "SQLALCHEMY_DATABASE_URI")
    elsewhere = build_app({**app_config, **{name: restored.config[name] for name in same},
                           "DATA_KEY_STORE_PATH": str(tmp_path / "empty-key-store")})
    with elsewhere.app_context():
        refused = elsewhere.test_cli_runner().invoke(args=["keys", "reconcile", "--destroy"])
        assert refused.exit_code == 1 and "holds none of the" in refused.output
        assert db.session.scalar(select(db.func.count()).select_from(Read)) == len(reads)
    finished(elsewhere)

    with restored.app_context():
        # `hub keys reconcile` lists those days, then destroys them on record.
        runner = restored.test_cli_runner()
        listed = runner.invoke(args=["keys", "reconcile"])
        assert listed.exit_code == 0 and f"organisation {running_hub['partner']}, " in listed.output
        assert f"{len(partner)} read(s) sealed under it" in listed.output
        assert db.session.scalar(select(db.func.count()).select_from(Read)) == len(reads)
        done = runner.invoke(args=["keys", "reconcile", "--destroy"])
        assert done.exit_code == 0 and f"{len(partner)} read(s) destroyed" in done.output, done.output
        assert runner.invoke(args=["keys", "reconcile"]).output.strip() == "every live data key is in the key store"
        left = db.session.scalars(select(Read).order_by(Read.id)).all()
        assert {r.organisation_id for r in left} == {running_hub["agency"]}
        officer = db.session.scalar(select(User).where(User.username == "officer"))
        assert search(officer, {**SEARCH, "plate": "PLN*"}).total == 1  # the city's plain read; the partner's gone
        db.session.commit()
        assert verify_ledger([running_hub["saved"]]) == []
    finished(restored)


def test_a_restore_missing_entries_or_altered_fails_verification(app, app_config, running_hub, backup, tmp_path):
    backup.take()
    saved = tmp_path / "auditor-checkpoint.txt"
    saved.write_text(running_hub["saved"])
    size = latest_checkpoint_size(running_hub["saved"])
    restored = backup.restore(app_config, mirror(app.config["DATA_KEY_STORE_PATH"], tmp_path / "key-mirror"))
    with restored.app_context():
        # As if the restore lost its last entries.
        lost = select(LedgerEntry.id).where(LedgerEntry.position > size - 3)
        for table in (LedgerEntryCamera, LedgerPrivateDetail):
            db.session.execute(delete(table).where(table.entry_id.in_(lost)))
        db.session.execute(delete(LedgerEntry).where(LedgerEntry.position > size - 3))
        db.session.commit()
        assert str(verify_ledger()[0]).startswith(f"position {size - 2}: missing")
        # With the auditor's saved checkpoint too, the first problem is the same loss, named by whichever
        # checkpoint the walk meets first: the database's own or the saved one.
        first = str(verify_ledger([running_hub["saved"]])[0])
        assert first.startswith(f"position {size - 2}: ") and ("missing" in first or "rolled back" in first)
    result = cli_verify(restored, saved)
    assert result.exit_code == 1 and f"position {size - 2}: " in result.output

    with restored.app_context():
        # And someone changed a case number, earlier on.
        changed = db.session.scalar(select(LedgerEntry).where(LedgerEntry.case_number.is_not(None),
                                                              LedgerEntry.position < size - 3)
                                    .order_by(LedgerEntry.position.desc()))
        db.session.execute(update(LedgerEntry).where(LedgerEntry.id == changed.id)
                           .values(case_number="CPD-26-999999"))
        db.session.commit()
        named = f"entry {changed.id} (position {changed.position}): altered"
        assert str(verify_ledger([running_hub["saved"]])[0]).startswith(named)
    result = cli_verify(restored, saved)
    assert result.exit_code == 1 and named in result.output
    finished(restored)
