"""Concurrent writers never fork the chain: 8 threads, each with its own
connection, append at once while two of them also seal; the ledger ends as
one contiguous, verifiable chain holding every entry exactly once."""
import threading

from sqlalchemy import func, select

from hub.extensions import db
from hub.ledger.models import LedgerEntry, LedgerState
from hub.ledger.services import record
from hub.ledger.tree import seal_and_checkpoint
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
                    if i % 10 == 0 and n < 2:  # two sealers race the writers and each other
                        seal_and_checkpoint()
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
        seal_and_checkpoint()
        db.session.commit()
        positions = list(db.session.scalars(select(LedgerEntry.position).order_by(LedgerEntry.position)))
        assert positions == list(range(1, WRITERS * PER_WRITER + 1))
        assert db.session.get(LedgerState, 1).size == WRITERS * PER_WRITER
        per_writer = dict(db.session.execute(
            select(LedgerEntry.actor, func.count()).group_by(LedgerEntry.actor)).all())
        assert per_writer == {f"system:writer-{n}": PER_WRITER for n in range(WRITERS)}
        assert verify_ledger() == []
