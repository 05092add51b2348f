import logging
import time

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app

from hub.scheduler.jobs import JOBS, close_interrupted_runs, run_with_retries
from hub.scheduler.lock import SchedulerLock

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every job once and exit (after taking the lock).")
def scheduler(once: bool):
    """Run the scheduled jobs; a second scheduler waits as a hot standby and
    takes over when the first stops or dies."""
    app = current_app._get_current_object()
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # each run is on the job page, not in the log
    lock = SchedulerLock()
    standby = app.config["SCHEDULER_STANDBY_SECONDS"]
    while not lock.acquire():
        log.info("another scheduler is running; standing by")
        time.sleep(standby)
    click.echo("scheduler holds the lock", err=True)
    close_interrupted_runs(app)
    runner = BlockingScheduler(timezone="UTC")

    def heartbeat():
        if not lock.still_held():
            log.error("the scheduler lost its lock; stopping so that only one runs")
            runner.shutdown(wait=False)

    try:
        for job in JOBS:
            run_with_retries(app, job)
        if once:
            return
        for job in JOBS:
            runner.add_job(run_with_retries, "interval", args=(app, job), seconds=app.config[job.interval_config],
                           id=job.name, name=job.name, coalesce=True, max_instances=1)
        runner.add_job(heartbeat, "interval", seconds=HEARTBEAT_SECONDS, id="heartbeat")
        click.echo(f"scheduler running {len(JOBS)} job(s)", err=True)
        runner.start()
    finally:
        lock.release()
