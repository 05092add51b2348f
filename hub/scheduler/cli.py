import logging
import time
from contextlib import suppress

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from sqlalchemy.exc import DBAPIError, TimeoutError as PoolTimeout

from hub.db_faults import is_unavailable

from hub.scheduler.jobs import JOBS, close_interrupted_runs, run_with_retries
from hub.scheduler.lock import SchedulerLock

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every job once and exit (after taking the lock).")
def scheduler(once: bool):
    """Run the scheduled jobs; a second scheduler waits as a hot standby and
    takes over when the first stops or dies. A scheduler that loses its lock
    (the database restarted, and its session with it) stops its jobs and
    stands by again, so it carries on once the database is back."""
    app = current_app._get_current_object()
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # each run is on the job page, not in the log
    standby = app.config["SCHEDULER_STANDBY_SECONDS"]
    while True:
        lock = SchedulerLock()
        _take(lock, standby)
        try:
            if _run_while_held(app, lock, once):
                return
        finally:
            lock.release()
        log.warning("the scheduler lost its lock; standing by to take it again")


def _take(lock, standby: float) -> None:
    """Wait for the lock, through a database that is down or restarting."""
    while True:
        try:
            if lock.acquire():
                click.echo("scheduler holds the lock", err=True)
                return
            log.info("another scheduler is running; standing by")
        except (DBAPIError, PoolTimeout) as error:
            if not is_unavailable(error):
                raise
            log.warning("the database is unavailable; the scheduler waits for it")
        time.sleep(standby)


def _run_while_held(app, lock, once: bool) -> bool:
    """Run the jobs until the lock is lost (False) or, with `once`, after
    one round (True)."""
    with suppress(DBAPIError, PoolTimeout):  # the database went again: the next holder closes them
        close_interrupted_runs(app)
    for job in JOBS:
        run_with_retries(app, job)
    if once:
        return True
    runner = BlockingScheduler(timezone="UTC")

    def heartbeat():
        if not lock.still_held():
            log.error("the scheduler lost its lock; stopping its jobs so that only one runs")
            runner.shutdown(wait=False)

    for job in JOBS:
        runner.add_job(run_with_retries, "interval", args=(app, job), seconds=app.config[job.interval_config],
                       id=job.name, name=job.name, coalesce=True, max_instances=1)
    runner.add_job(heartbeat, "interval", seconds=HEARTBEAT_SECONDS, id="heartbeat")
    click.echo(f"scheduler running {len(JOBS)} job(s)", err=True)
    runner.start()
    return False
