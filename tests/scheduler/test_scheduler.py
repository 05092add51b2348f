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


def test_a_run_left_running_by_a_dead_scheduler_is_closed_as_interrupted(app):
    from hub.scheduler.jobs import close_interrupted_runs
    from hub.scheduler.models import JobRun
    from hub.clock import utcnow
    with app.app_context():
        db.session.add(JobRun(job="retention-purge", attempt=1, started_at=utcnow(), outcome="running"))
        db.session.commit()
    assert close_interrupted_runs(app) == 1
    with app.app_context():
        assert db.session.scalars(select(JobRun.outcome)).all() == ["interrupted"]


def test_a_failing_job_is_retried_and_recorded(app):
    from hub.scheduler.jobs import Job, run_with_retries
    from hub.scheduler.models import JobRun
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("the disk is full")
    assert run_with_retries(app, Job("broken", broken, "RETENTION_JOB_SECONDS")) is False
    with app.app_context():
        runs = db.session.scalars(select(JobRun).order_by(JobRun.id)).all()
        assert [(r.attempt, r.outcome) for r in runs] == [(1, "failed"), (2, "failed"), (3, "failed")]
        assert "the disk is full" in runs[0].error and len(calls) == 3
