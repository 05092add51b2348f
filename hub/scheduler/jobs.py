"""The scheduled jobs. Each runs as one unit of work in an app context;
later capabilities (retention purge, grant expiry, hotlist refresh, BCA
reminders, log-of-use aggregation) add theirs to `JOBS`."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from flask import Flask

from hub.db import unit_of_work
from hub.ledger.tree import seal_and_checkpoint

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    interval_config: str


JOBS = [Job("ledger-seal-and-checkpoint", seal_and_checkpoint, "LEDGER_CHECKPOINT_SECONDS")]


def run_job(app: Flask, job: Job) -> None:
    with app.app_context():
        try:
            with unit_of_work():
                job.run()
        except Exception:
            log.exception("scheduled job %s failed", job.name)
