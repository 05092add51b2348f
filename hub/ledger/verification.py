"""Whole-ledger verification and export, for `hub ledger verify` and for
auditors who check the ledger offline with `verifier.py`.

Verification trusts neither the database nor the signing key: it reads the
public verifier keys only, checks every stored checkpoint and any checkpoint
saved elsewhere (`against`) that the caller hands it, and recomputes the
owners' access-log index from the entries it is derived from."""
from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator

from flask import current_app
from sqlalchemy import func, literal, select

from hub.clock import utcnow
from hub.extensions import db
from hub.ledger import signing, verifier
from hub.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerEntryCamera, LedgerPrivateDetail, LedgerState

_E = LedgerEntry.__table__
_P = LedgerPrivateDetail.__table__


def _time_text():
    """`created_at` as the leaf hashes it (see services.format_time), made by
    the database so that a million rows need no Python date handling."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(_E.c.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    return func.replace(_E.c.created_at, " ", "T").concat(literal("Z"))


def _rows_query():
    """Entries laid out as `verifier.ROW_FIELDS`."""
    salt = func.lower(func.hex(_P.c.salt)) if db.engine.dialect.name == "sqlite" else func.encode(_P.c.salt, "hex")
    return (select(_E.c.id, _E.c.position, _time_text(), _E.c.actor_id, _E.c.actor, _E.c.actor_org_id,
                   _E.c.action, _E.c.subject_type, _E.c.subject_id, _E.c.purpose, _E.c.case_number,
                   _E.c.private_digest, _E.c.details, _E.c.leaf_hash, _E.c.chain_hash, salt, _P.c.content)
            .select_from(_E.outerjoin(_P, _P.c.entry_id == _E.c.id)))


def stream_sealed(batch: int = 10000) -> Iterator[tuple]:
    """Sealed entries in position order, as plain tuples straight from the
    driver (a server-side cursor on PostgreSQL), so a million rows stream in
    flat memory without per-row ORM work. A reader thread fetches the next
    batch while the caller hashes this one: the database works in parallel."""
    query = _rows_query().where(_E.c.position.is_not(None)).order_by(_E.c.position)
    sql = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    dbapi = db.session.connection().connection.dbapi_connection
    postgres = db.engine.dialect.name == "postgresql"
    cursor = dbapi.cursor(name="ledger_verification") if postgres else dbapi.cursor()
    batches: queue.Queue = queue.Queue(maxsize=3)
    stop = threading.Event()

    def read():
        try:
            cursor.execute(sql)
            while not stop.is_set() and (rows := cursor.fetchmany(batch)):
                batches.put(rows)
            batches.put(None)
        except Exception as exc:  # handed to the consumer, which raises it
            batches.put(exc)

    reader = threading.Thread(target=read, name="ledger-verification-reader", daemon=True)
    reader.start()
    try:
        while (rows := batches.get()) is not None:
            if isinstance(rows, Exception):
                raise rows
            yield from rows
    finally:
        stop.set()
        while reader.is_alive():
            try:
                batches.get(timeout=0.1)
            except queue.Empty:
                pass
        cursor.close()


def unsealed_problems() -> list[verifier.Problem]:
    rows = db.session.execute(_rows_query().where(_E.c.position.is_(None)).order_by(_E.c.id)).all()
    return [p for p in (verifier.check_leaf(_as_entry(row)) for row in rows) if p]


def _as_entry(row) -> dict:
    entry = dict(zip(verifier.ROW_FIELDS, row))
    salt, content = entry.pop("salt"), entry.pop("content")
    if content is not None:
        entry["private"] = {"salt": salt, "content": content}
    return entry


_CP = LedgerCheckpoint.__table__


def checkpoints() -> list[dict]:
    """Every stored checkpoint as `LedgerCheckpoint.as_document` lays it out,
    in the order signed, read as plain rows: a month is 259,200 of them."""
    rows = db.session.execute(select(_CP.c.origin, _CP.c.tree_size, _CP.c.root_hash, _CP.c.chain_hash,
                                     _CP.c.created_at_text.label("created_at"), _CP.c.key_id, _CP.c.signature,
                                     _CP.c.note).order_by(_CP.c.id))
    return [dict(row) for row in rows.mappings()]


def sealed_size() -> int:
    return db.session.scalar(select(LedgerState.size).where(LedgerState.id == 1))


def saved_checkpoints(texts: Iterable[str], keys: list[verifier.VerifierKey]) -> list[verifier.Checkpoint]:
    """Checkpoints kept outside the hub, verified by the public keys and
    checked to be this log's; NoteError says what is wrong with one."""
    return [verifier.open_checkpoint(text, keys, signing.origin())[0] for text in texts]


def verify_ledger(against: Iterable[str] = (), *, sign_sample: int | None = None,
                  coverage: verifier.Coverage | None = None) -> list[verifier.Problem]:
    """The first problem among the sealed entries (against the chain, every
    signed checkpoint and every checkpoint saved elsewhere in `against`),
    then any among entries not sealed yet (against their own leaf hashes),
    then rows of the owners' access-log index that the entries do not give.
    Every checkpoint's signature is verified unless `sign_sample` asks for
    that many drawn at random (and the latest); `coverage` says which."""
    keys = signing.verifier_keys()
    if not keys:
        return [verifier.Problem(None, None, "no verifier keys are listed in "
                                 f"{current_app.config['LEDGER_VERIFIER_KEYS_PATH']}: "
                                 "the ledger's checkpoints cannot be checked")]
    try:
        saved = saved_checkpoints(against, keys)
    except verifier.NoteError as error:
        return [verifier.Problem(None, None, f"the checkpoint saved earlier cannot be used: {error}")]
    problems = list(verifier.verify_rows(stream_sealed(), checkpoints(), keys, sealed_size(),
                                         origin=signing.origin(), saved=saved, sign_sample=sign_sample,
                                         coverage=coverage))
    return problems + unsealed_problems() + index_problems()


def index_problems(limit: int = 50) -> list[verifier.Problem]:
    """The owners' access-log index (`ledger_entry_cameras`) recomputed from
    each entry's `cameras`: rows missing (an access hidden from an owner)
    and rows extra (an access shown that the entry does not record)."""
    expected = set()
    for entry_id, details in db.session.execute(select(_E.c.id, _E.c.details)
                                                .where(_E.c.details.contains('"cameras":'))):
        cameras = json.loads(details).get("cameras")
        if isinstance(cameras, list):
            expected.update((entry_id, c) for c in cameras if type(c) is int)
    _C = LedgerEntryCamera.__table__
    actual = set(db.session.execute(select(_C.c.entry_id, _C.c.camera_id)).all())
    problems = [verifier.Problem(e, None, f"the owners' access-log index lacks camera {c}, which the entry names")
                for e, c in sorted(expected - actual)]
    problems += [verifier.Problem(e, None, f"the owners' access-log index lists camera {c}, which the entry "
                                           "does not name") for e, c in sorted(actual - expected)]
    return problems[:limit]


@dataclass(frozen=True)
class UnsealedWindow:
    """Entries committed but not yet under a signed checkpoint: the only ones
    whose removal no checkpoint could reveal."""

    count: int
    oldest: datetime | None

    def describe(self, period_seconds: int) -> str:
        if not self.count:
            return "every entry is sealed under a signed checkpoint"
        age = (utcnow() - self.oldest).total_seconds()
        return (f"{self.count} entries not yet sealed, the oldest {age:.0f} s old: until the next checkpoint "
                f"(every {period_seconds} s) their removal could not be proven")


def unsealed_window() -> UnsealedWindow:
    count, oldest = db.session.execute(select(func.count(), func.min(_E.c.created_at))
                                       .where(_E.c.position.is_(None))).one()
    return UnsealedWindow(count, oldest)


def export_lines() -> Iterator[str]:
    """The sealed ledger as JSON lines, without private details: what an
    auditor takes away to check with `verifier.py export`."""
    for row in stream_sealed():
        entry = _as_entry(row)
        entry.pop("private", None)
        yield json.dumps({"type": "entry", **entry}, ensure_ascii=False)
    for cp in checkpoints():
        yield json.dumps({"type": "checkpoint", **cp})
    yield json.dumps({"type": "sealed", "size": sealed_size()})
