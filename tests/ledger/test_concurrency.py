"""Concurrent writers never fork the chain: 8 threads, each with its own
connection, append at once; the ledger stays one contiguous, verifiable chain."""
import threading

from sqlalchemy import func, select

from hub.extensions import db
from hub.ledger.models import LedgerEntry, LedgerHead
from hub.ledger.services import record
from hub.ledger.tree import make_checkpoint
from hub.ledger.verification import verify_ledger

WRITERS = 8
PER_WRITER = 40


def test_eight_concurrent_writers_leave_one_chain(app):
    barrier = threading.Barrier(WRITERS)
    failures = []

    def writer(n):
        try:
            with app.app_context():
                barrier.wait()
                for i in range(PER_WRITER):
                    record("test.concurrent", actor=f"writer-{n}", details={"writer": n, "i": i})
                    db.session.commit()
                    if i % 10 == 0 and n == 0:
                        make_checkpoint()
                        db.session.commit()
        except Exception as exc:  # reported below, with the thread that raised it
            failures.append((n, repr(exc)))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with app.app_context():
        ids = list(db.session.scalars(select(LedgerEntry.id).order_by(LedgerEntry.id)))
        assert ids == list(range(1, WRITERS * PER_WRITER + 1))
        assert db.session.get(LedgerHead, 1).size == WRITERS * PER_WRITER
        per_writer = dict(db.session.execute(
            select(LedgerEntry.actor, func.count()).group_by(LedgerEntry.actor)).all())
        assert per_writer == {f"system:writer-{n}": PER_WRITER for n in range(WRITERS)}
        make_checkpoint()
        db.session.commit()
        assert verify_ledger() == []
