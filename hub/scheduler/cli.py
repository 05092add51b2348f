import logging
import time

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app

from hub.scheduler.jobs import JOBS, run_job
from hub.scheduler.lock import SchedulerLock

log = logging.getLogger(__name__)
STANDBY_SECONDS = 15


@click.command("scheduler")
def scheduler():
    """Run the scheduled jobs; a second scheduler waits as a standby."""
    app = current_app._get_current_object()
    lock = SchedulerLock()
    while not lock.acquire():
        log.info("another scheduler is running; standing by")
        time.sleep(STANDBY_SECONDS)
    runner = BlockingScheduler(timezone="UTC")
    for job in JOBS:
        runner.add_job(run_job, "interval", args=(app, job), seconds=app.config[job.interval_config],
                       id=job.name, name=job.name, coalesce=True, max_instances=1)
        run_job(app, job)
    click.echo(f"scheduler running {len(JOBS)} job(s)")
    try:
        runner.start()
    finally:
        lock.release()
