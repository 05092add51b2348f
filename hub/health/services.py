"""What a load balancer and an operator's monitor need to know of one hub
instance: that it reaches its database (else it answers 503, as every
request then does), and whether the one scheduler is sealing the ledger.
A stalled scheduler does not take a web instance out of service (the
others would stall alike); it makes the hub `degraded`, for a person to see."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from hub.clock import utcnow
from hub.extensions import db
from hub.scheduler.models import JobRun

SEALER = "ledger-seal-and-checkpoint"
MISSED_RUNS = 6  # checkpoint periods without a successful seal before the scheduler counts as stopped


@dataclass(frozen=True)
class Health:
    scheduler_running: bool
    last_seal_seconds_ago: int | None

    @property
    def status(self) -> str:
        return "ok" if self.scheduler_running else "degraded"


def check() -> Health:
    """An unreachable database raises in the query: the 503 handler answers."""
    last = db.session.scalar(select(func.max(JobRun.finished_at)).where(JobRun.job == SEALER,
                                                                         JobRun.outcome == "ok"))
    age = None if last is None else max(0, int((utcnow() - last).total_seconds()))
    period = current_app.config["LEDGER_CHECKPOINT_SECONDS"]
    return Health(age is not None and age <= MISSED_RUNS * period, age)
