"""Exactly one scheduler holds the lock; its jobs run as units of work."""
from sqlalchemy import func, select

from hub.extensions import db
from hub.ledger.models import LedgerCheckpoint
from hub.ledger.services import record
from hub.scheduler.jobs import JOBS, run_job
from hub.scheduler.lock import SchedulerLock


def test_second_scheduler_stands_by(app):
    with app.app_context():
        first, second = SchedulerLock(), SchedulerLock()
        assert first.acquire()
        try:
            assert not second.acquire()
        finally:
            first.release()
        assert second.acquire()
        second.release()


def test_checkpoint_job_signs_new_entries(app):
    with app.app_context():
        record("test.action", actor=None)
        db.session.commit()
    job = next(j for j in JOBS if j.name == "ledger-seal-and-checkpoint")
    run_job(app, job)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LedgerCheckpoint)) == 1
