"""Data keys: made on first use for an organisation's day, opened only for
what the scope function lets through (`hub.scope.Scope.open`) and for the
hub's own jobs that need the text (matching happens before sealing),
destroyed with the data they guard, and re-wrapped when the KEK rotates."""
from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date, datetime, timezone
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import delete, event, insert, inspect, select, update
from sqlalchemy.exc import DBAPIError, TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from sqlalchemy.dialects import postgresql, sqlite

from hub.clock import utcnow
from hub.config import ConfigurationError
from hub.errors import HubError
from hub.db_faults import is_unavailable
from hub.extensions import db
from hub.keys.envelope import (PREVIOUS_SETTING, SETTING, DataKeyHandle, KeyStore, KeyUnavailable, load_kek)
from hub.keys.models import DataKey
from hub.ledger.services import record

REWRAP_BATCH = 500


class KeyRing:
    """The app's key store and the data keys this process has unwrapped,
    each remembered with the row it was unwrapped for (a key is used only
    while its row, live, says the same)."""

    def __init__(self, store: KeyStore):
        self.store = store
        self._handles: dict[int, tuple[tuple, DataKeyHandle]] = {}
        self._lock = threading.Lock()

    def handle(self, key) -> DataKeyHandle:
        """The unwrapped key of a `DataKey` (or of a row of its `_STAMP` columns)."""
        stamp = (key.organisation_id, key.day, key.created_at)
        cached = self._handles.get(key.id)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        fresh = DataKeyHandle(key.id, key.organisation_id, key.day, self.store.open(key.organisation_id, key.day))
        with self._lock:
            self._handles[key.id] = (stamp, fresh)
        return fresh

    def forget(self, key_ids: Iterable[int]) -> None:
        with self._lock:
            for key_id in key_ids:
                self._handles.pop(key_id, None)


def init_app(app) -> None:
    """Load the KEK (and, during a rotation, the previous one), then make
    sure they open the data keys the database says exist: a missing or
    wrong KEK stops the hub here, naming the setting. A hub (or a worker)
    that starts while the database is unavailable starts all the same,
    answering 503, and checks on the first request that finds it back,
    serving nothing until the check has passed."""
    current = load_kek(app.config.get("DATA_KEK_PATH"), SETTING)
    previous_path = app.config.get("DATA_KEK_PREVIOUS_PATH")
    previous = load_kek(previous_path, PREVIOUS_SETTING) if previous_path else None
    app.extensions["data_keys"] = KeyRing(KeyStore(app.config["DATA_KEY_STORE_PATH"], current, previous))
    try:
        check_keks(app, current)
    except (DBAPIError, PoolTimeout) as error:
        if not is_unavailable(error):
            raise
        app.logger.warning("the database is unavailable at start: the data keys are checked when it returns")
        pending = threading.Lock()
        checked = []

        @app.before_request
        def check_keks_once_back():
            if checked:
                return
            with pending:
                if not checked:
                    try:
                        check_keks(app, current)
                    except ConfigurationError as wrong:
                        app.logger.error("%s", wrong)
                        raise KeksNotChecked() from wrong
                    checked.append(True)


class KeksNotChecked(HubError):
    status = 503
    code = "configuration_error"
    message = "The hub cannot serve: its key-encryption key does not open its data keys (see its log)."


def check_keks(app, current) -> None:
    with app.app_context():
        try:
            if not inspect(db.engine).has_table(DataKey.__tablename__):
                return  # a database not migrated yet holds no key
            used = set(db.session.scalars(select(DataKey.kek_fingerprint).where(
                DataKey.destroyed_at.is_(None)).distinct()))
        finally:
            db.session.remove()
    unknown = sorted(used - set(app.extensions["data_keys"].store.keks))
    if unknown:
        raise ConfigurationError(
            f"{SETTING}: the key-encryption key configured ({current.path}, fingerprint {current.fingerprint}) is "
            f"not the one that wrapped this hub's data keys (fingerprint {', '.join(unknown)}). Configure that key; "
            f"during a rotation, give the old one as {PREVIOUS_SETTING} until `hub keys rotate-kek` has finished.")


def ring() -> KeyRing:
    return current_app.extensions["data_keys"]


def _insert_ignoring_existing(rows: list[dict]) -> set[tuple[int, date]]:
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(DataKey.__table__).on_conflict_do_nothing(
        index_elements=["organisation_id", "day"]).returning(DataKey.organisation_id, DataKey.day)
    return {(o, d) for o, d in db.session.execute(statement, rows)}


def keys_for_days(organisation_id: int, days: set[date]) -> dict[date, DataKeyHandle | None]:
    """The organisation's data key for each day, made when missing; None for
    a day whose key was destroyed (its data can no longer be stored)."""
    rows = {k.day: k for k in db.session.scalars(select(DataKey).where(
        DataKey.organisation_id == organisation_id, DataKey.day.in_(sorted(days))))}
    missing = sorted(days - set(rows))
    if missing:
        store = ring().store
        for day in missing:
            store.create(organisation_id, day)
        made = _insert_ignoring_existing([{"organisation_id": organisation_id, "day": day, "created_at": utcnow(),
                                           "kek_fingerprint": store.current.fingerprint} for day in missing])
        if made:
            record("keys.data_key_created", actor=None, subject=("organisation", organisation_id),
                   details={"days": [d.isoformat() for _, d in sorted(made)]})
        new_keys = {k.day: k for k in db.session.scalars(select(DataKey).where(
            DataKey.organisation_id == organisation_id, DataKey.day.in_(missing)))}
        rows.update(new_keys)
        hash_hold_plates(keys=[ring().handle(k) for k in new_keys.values() if not k.destroyed_at])
    return {day: None if key.destroyed_at else ring().handle(key) for day, key in rows.items()}


# What `KeyRing.handle` needs of a key's row: read as plain columns, since a
# search over a week of 300 organisations asks for thousands of keys and
# building an ORM object for each cost more than the search itself.
_STAMP = (DataKey.id, DataKey.organisation_id, DataKey.day, DataKey.created_at)


def handles(key_ids: Iterable[int]) -> dict[int, DataKeyHandle]:
    """Unwrapped keys by id, as their rows say now; a destroyed key is absent
    (even one this process still remembers)."""
    found = {}
    for key in db.session.execute(select(*_STAMP).where(DataKey.id.in_(sorted(set(key_ids))),
                                                        DataKey.destroyed_at.is_(None))):
        try:
            found[key.id] = ring().handle(key)
        except KeyUnavailable:
            continue
    return found


def live_keys(*, since: datetime | None = None, until: datetime | None = None,
              organisation_ids: Iterable[int] | None = None) -> list[DataKeyHandle]:
    query = select(*_STAMP).where(DataKey.destroyed_at.is_(None))
    if since is not None:
        query = query.where(DataKey.day >= since.astimezone(timezone.utc).date())
    if until is not None:
        query = query.where(DataKey.day <= until.astimezone(timezone.utc).date())
    if organisation_ids is not None:
        query = query.where(DataKey.organisation_id.in_(sorted(set(organisation_ids))))
    keyring = ring()
    return [keyring.handle(key) for key in db.session.execute(query)]


def plate_hashes(plates: Iterable[str], keys: Iterable[DataKeyHandle]) -> list[str]:
    """Every hash the plates can have under these keys: a lookup by plate
    never compares clear text."""
    plates = list(plates)
    return [key.plate_hash(plate) for key in keys for plate in plates]


_TO_SHRED = "data_keys_to_shred"


@event.listens_for(Session, "after_commit")
def _shred_committed(session) -> None:
    """The files of keys whose destruction has just committed."""
    pending = session.info.pop(_TO_SHRED, None)
    if pending:
        store = current_app.extensions["data_keys"].store
        for organisation_id, day in pending:
            store.shred(organisation_id, day)


@event.listens_for(Session, "after_soft_rollback")
def _keep_rolled_back(session, *args) -> None:
    session.info.pop(_TO_SHRED, None)


def destroy(actor: Any, keys: list[DataKey], *, reason: str, action: str = "keys.destroyed") -> dict:
    """Mark data keys destroyed, on record in the caller's transaction; their
    files go as soon as it commits (and any a crash left behind, with the
    next purge run: `shred_destroyed`), so a rolled-back destruction never
    leaves data without its key."""
    if not keys:
        return {}
    now = utcnow()
    from hub.retention.models import HoldPlateHash

    for key in keys:
        key.destroyed_at, key.destroyed_reason, key.kek_fingerprint = now, reason[:200], None
    db.session.flush()
    db.session.execute(delete(HoldPlateHash).where(HoldPlateHash.key_id.in_([k.id for k in keys])))
    ring().forget(k.id for k in keys)
    db.session().info.setdefault(_TO_SHRED, []).extend((k.organisation_id, k.day) for k in keys)
    days: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        days[str(key.organisation_id)].append(key.day.isoformat())
    details = {"keys": len(keys), "days": {o: sorted(d) for o, d in days.items()}, "reason": reason}
    record(action, actor=actor, subject=("organisation", keys[0].organisation_id) if len(days) == 1 else None,
           details=details)
    return details


def shred_destroyed() -> int:
    """Remove the files of keys destroyed in committed transactions."""
    store, removed = ring().store, 0
    pending = db.session.scalars(select(DataKey).where(DataKey.destroyed_at.is_not(None), DataKey.shredded_at.is_(None)))
    done = []
    for key in pending:
        removed += store.shred(key.organisation_id, key.day)
        done.append(key.id)
    if done:
        ring().forget(done)
        db.session.execute(update(DataKey).where(DataKey.id.in_(done)).values(shredded_at=utcnow()))
    return removed


def rewrap_batch(actor: Any, *, batch: int = REWRAP_BATCH) -> int:
    """Re-wrap up to `batch` live data keys not yet under the current KEK,
    on record; how many were looked at. Each file is replaced atomically and
    names its KEK, so a run stopped anywhere is finished by the next."""
    store = ring().store
    keys = list(db.session.scalars(select(DataKey).where(
        DataKey.destroyed_at.is_(None),
        (DataKey.kek_fingerprint.is_(None)) | (DataKey.kek_fingerprint != store.current.fingerprint))
        .order_by(DataKey.id).limit(batch)))
    if not keys:
        return 0
    previous = sorted({k.kek_fingerprint for k in keys if k.kek_fingerprint})
    for key in keys:
        store.rewrap(key.organisation_id, key.day)
        key.kek_fingerprint = store.current.fingerprint
    db.session.flush()
    record("keys.rewrapped", actor=actor, details={"keys": len(keys), "from": previous,
                                                   "to": store.current.fingerprint})
    return len(keys)


def status() -> dict:
    store = ring().store
    by_kek = dict(db.session.execute(select(DataKey.kek_fingerprint, db.func.count()).where(
        DataKey.destroyed_at.is_(None)).group_by(DataKey.kek_fingerprint)).all())
    destroyed = db.session.scalar(select(db.func.count()).select_from(DataKey).where(DataKey.destroyed_at.is_not(None)))
    return {"current": store.current.fingerprint, "configured": sorted(store.keks),
            "live_keys_by_kek": by_kek, "destroyed_keys": destroyed}


def read_aad(read_id: int) -> bytes:
    """A sealed plate is bound to its read: moved to another row it does not open."""
    return b"read:%d" % read_id


def plate_texts(rows, *, read_id=lambda row: row.id) -> list[str]:
    """The plates of rows with `key_id` and `plate_sealed`. Called only by
    `Scope` (which has checked every row is in scope) and by the retention
    jobs that must know which plates they destroy."""
    keys = handles({row.key_id for row in rows})
    texts = []
    for row in rows:
        key = keys.get(row.key_id)
        if key is None:
            raise KeyUnavailable(f"the data key of read {read_id(row)} is destroyed")
        texts.append(key.open(row.plate_sealed, read_aad(read_id(row))).decode())
    return texts


def open_plates(rows: list) -> list:
    """Put the plate in clear on each row (reads or alerts), for `Scope.open`."""
    for row, text in zip(rows, plate_texts(rows, read_id=lambda row: row.sealed_read_id)):
        row.put_opened_plate(text)
    return rows


def hash_hold_plates(*, hold_ids: Iterable[int] | None = None, keys: list[DataKeyHandle] | None = None) -> int:
    """Index active holds' plates under live data keys (all of either when
    not given), adding what is missing; how many hashes were added."""
    from hub.retention.models import Hold, HoldPlateHash

    query = select(Hold.id, Hold.plate).where(Hold.released_at.is_(None), Hold.plate.is_not(None))
    if hold_ids is not None:
        query = query.where(Hold.id.in_(sorted(set(hold_ids))))
    holds = db.session.execute(query).all()
    if not holds:
        return 0
    keys = live_keys() if keys is None else keys
    if not keys:
        return 0
    known = set(db.session.execute(select(HoldPlateHash.hold_id, HoldPlateHash.plate_hash).where(
        HoldPlateHash.hold_id.in_([h for h, _ in holds]), HoldPlateHash.key_id.in_([k.id for k in keys]))).all())
    fresh = [{"hold_id": hold_id, "plate_hash": key.plate_hash(plate), "key_id": key.id}
             for hold_id, plate in holds for key in keys if (hold_id, key.plate_hash(plate)) not in known]
    if fresh:
        db.session.execute(insert(HoldPlateHash), fresh)
    return len(fresh)
