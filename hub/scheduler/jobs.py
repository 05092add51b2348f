"""The scheduled jobs. Each runs as one unit of work in an app context;
later capabilities (retention purge, grant expiry, BCA reminders,
log-of-use aggregation) add theirs to `JOBS`."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flask import Flask, current_app

from hub.alerts.webhooks import deliver_due
from hub.db import unit_of_work
from hub.hotlists.services import import_hot_file
from hub.ledger.tree import seal_and_checkpoint
from hub.notifications.email import send_pending
from hub.reads.partitions import ensure_partitions
from hub.identity.actors import SCHEDULER

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    interval_config: str


def import_configured_hot_file() -> None:
    """The state hot file, at least daily (policy: hotlist.import), from the
    path the agency's download drops it at."""
    path = current_app.config.get("HOT_FILE_PATH")
    if path and Path(path).is_file():
        import_hot_file(SCHEDULER, Path(path).read_bytes(), file_name=Path(path).name)


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
    Job("hot-file-import", import_configured_hot_file, "HOT_FILE_IMPORT_SECONDS"),
    Job("alert-webhooks", deliver_due, "WEBHOOK_JOB_SECONDS"),
    Job("notification-email", send_pending, "EMAIL_JOB_SECONDS"),
]


def run_job(app: Flask, job: Job) -> None:
    with app.app_context():
        try:
            with unit_of_work():
                job.run()
        except Exception:
            log.exception("scheduled job %s failed", job.name)
