"""The scheduled jobs. Each run is recorded (start, end, outcome, what it
did) in its own unit of work beside the job's own; a failed run is retried
and stays on the administrators' page, never silent."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, TimeoutError as PoolTimeout

from hub.alerts.webhooks import deliver_due
from hub.cameras.bca import send_reminders
from hub.data_requests.destruction import destroy_due_packages
from hub.data_requests.webhooks import deliver_decisions
from hub.clock import utcnow
from hub.db import unit_of_work
from hub.db_faults import is_unavailable
from hub.extensions import db
from hub.grants.revocation import record_expiries
from hub.hotlists.services import import_hot_file
from hub.identity.actors import SCHEDULER
from hub.ledger.tree import seal_and_checkpoint
from hub.notifications.email import send_pending
from hub.ratelimit.failures import tidy_failure_windows
from hub.reads.partitions import ensure_partitions
from hub.retention.purge import run_purge
from hub.scheduler.models import JobRun
from hub.transparency.log_of_use import aggregate_recent
from hub.transparency.metrics import compute_recent

log = logging.getLogger(__name__)
RETRIES = 2


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    interval_config: str
    own_units: bool = False  # the job commits its own units of work (a long purge)


def import_configured_hot_file() -> str:
    """The state hot file, at least daily (policy: hotlist.import), from the
    path the agency's download drops it at."""
    path = current_app.config.get("HOT_FILE_PATH")
    if path and Path(path).is_file():
        batch = import_hot_file(SCHEDULER, Path(path).read_bytes(), file_name=Path(path).name)
        return f"{batch.entries} entries"
    return "no hot file configured"


def purge_expired_reads() -> str:
    report = run_purge(SCHEDULER)
    return f"{report.reads_destroyed} reads destroyed, {report.reads_held} held, {report.images} images removed"


def compute_public_figures() -> str:
    """The log of use (yesterday and today) and the usage figures (last month
    and this one), from the records and the ledger."""
    cameras = aggregate_recent(SCHEDULER)
    searches = compute_recent(SCHEDULER)
    return f"log of use: {cameras} camera-days; usage: {searches} searches"


def poll_followed_logs() -> None:
    """As a witness for other hubs: cosign their new checkpoints when they
    extend the last ones cosigned (nothing to do when none is followed)."""
    import requests

    from hub.ledger.witness import poll
    with requests.Session() as session:
        for outcome in poll(session):
            log.info("ledger witness: %s", outcome)


def push_to_witnesses() -> None:
    """Ask the witnesses this hub's log trusts to cosign its latest checkpoint."""
    import requests

    from hub.ledger.errors import NoCheckpoint
    from hub.ledger.witness import push
    try:
        with requests.Session() as session:
            for outcome in push(session):
                log.info("ledger witness push: %s", outcome)
    except NoCheckpoint:
        pass


JOBS = [
    Job("ledger-seal-and-checkpoint", seal_and_checkpoint, "LEDGER_CHECKPOINT_SECONDS"),
    Job("ledger-witness-poll", poll_followed_logs, "LEDGER_WITNESS_POLL_SECONDS"),
    Job("ledger-witness-push", push_to_witnesses, "LEDGER_WITNESS_POLL_SECONDS"),
    Job("reads-partitions", ensure_partitions, "PARTITION_JOB_SECONDS"),
    Job("retention-purge", purge_expired_reads, "RETENTION_JOB_SECONDS", own_units=True),
    Job("grant-expiry", record_expiries, "GRANT_EXPIRY_JOB_SECONDS"),
    Job("hot-file-import", import_configured_hot_file, "HOT_FILE_IMPORT_SECONDS"),
    Job("bca-reminders", send_reminders, "BCA_REMINDER_JOB_SECONDS"),
    Job("log-of-use", compute_public_figures, "LOG_OF_USE_JOB_SECONDS"),
    Job("alert-webhooks", deliver_due, "WEBHOOK_JOB_SECONDS"),
    Job("data-request-webhooks", deliver_decisions, "WEBHOOK_JOB_SECONDS"),
    Job("release-package-destruction", lambda: destroy_due_packages(SCHEDULER), "RETENTION_JOB_SECONDS",
        own_units=True),
    Job("notification-email", send_pending, "EMAIL_JOB_SECONDS"),
    Job("failure-summaries", tidy_failure_windows, "FAILURE_SUMMARY_SECONDS"),
]


def _summary(result) -> str | None:
    """What a run did, in words: a count, a sentence, or what it made."""
    if result is None:
        return None
    if isinstance(result, (list, tuple, set)):
        return f"{len(result)} item(s)"
    if isinstance(result, (int, str)):
        return str(result)[:500]
    if hasattr(result, "tree_size"):
        return f"checkpoint signed at size {result.tree_size}"
    return type(result).__name__


def run_job(app: Flask, job: Job, *, attempt: int = 1) -> bool:
    """One run of one job, recorded; True when it succeeded. While the
    database is unavailable nothing can be run or recorded: the run is
    skipped with a warning, and the next interval runs it."""
    try:
        return _recorded_run(app, job, attempt)
    except (DBAPIError, PoolTimeout) as error:
        if not is_unavailable(error):
            raise
        log.warning("scheduled job %s skipped: the database is unavailable", job.name)
        return False


def _recorded_run(app: Flask, job: Job, attempt: int) -> bool:
    with app.app_context():
        with unit_of_work():
            entry = JobRun(job=job.name, attempt=attempt, started_at=utcnow(), outcome="running")
            db.session.add(entry)
        run_id = entry.id
        try:
            if job.own_units:
                result = job.run()
            else:
                with unit_of_work():
                    result = job.run()
            outcome, summary, error = "ok", _summary(result), None
        except Exception as exc:  # recorded and retried, never silent
            log.exception("scheduled job %s failed (attempt %d)", job.name, attempt)
            outcome, summary, error = "failed", None, f"{type(exc).__name__}: {exc}"[:2000]
        with unit_of_work():
            entry = db.session.get(JobRun, run_id)
            entry.finished_at, entry.outcome, entry.summary, entry.error = utcnow(), outcome, summary, error
        return outcome == "ok"


FAILED = ("failed", "interrupted")


def close_interrupted_runs(app: Flask) -> int:
    """Runs left "running" by a scheduler that died: recorded as interrupted,
    so the page shows them and the next run (which finishes the work) follows."""
    with app.app_context(), unit_of_work():
        runs = list(db.session.scalars(select(JobRun).where(JobRun.outcome == "running")))
        for run in runs:
            run.outcome, run.finished_at = "interrupted", utcnow()
            run.error = "the scheduler stopped during this run; the next run takes the work up"
        return len(runs)


def run_with_retries(app: Flask, job: Job) -> bool:
    for attempt in range(1, RETRIES + 2):
        if run_job(app, job, attempt=attempt):
            return True
    return False


def recent_runs(limit: int = 200) -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)))


def last_runs() -> dict[str, JobRun]:
    """The latest run of each job."""
    latest: dict[str, JobRun] = {}
    for run in recent_runs(1000):
        latest.setdefault(run.job, run)
    return latest
