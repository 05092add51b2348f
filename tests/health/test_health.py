"""`GET /health`: 200 while the database answers; `degraded` once the
scheduler has not sealed the ledger for six checkpoint periods, and `ok`
again after a real run of the sealer."""
from datetime import timedelta

from hub.clock import utcnow
from hub.extensions import db
from hub.scheduler.jobs import JOBS, run_job
from hub.scheduler.models import JobRun

SEALER = next(job for job in JOBS if job.name == "ledger-seal-and-checkpoint")


def test_a_hub_whose_scheduler_never_ran_is_degraded_but_serving(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "degraded", "database": "ok",
                             "scheduler": {"running": False, "last_seal_seconds_ago": None}}
    assert "Set-Cookie" not in response.headers


def test_a_recent_seal_makes_the_hub_healthy_and_a_stale_one_does_not(app, client):
    assert run_job(app, SEALER)
    fresh = client.get("/health").json
    assert fresh["status"] == "ok" and fresh["scheduler"]["running"] and fresh["scheduler"]["last_seal_seconds_ago"] < 5
    with app.app_context():
        period = app.config["LEDGER_CHECKPOINT_SECONDS"]
        for run in db.session.scalars(db.select(JobRun)):
            run.finished_at = utcnow() - timedelta(seconds=7 * period)
        db.session.commit()
    stale = client.get("/health").json
    assert stale["status"] == "degraded" and stale["scheduler"]["last_seal_seconds_ago"] >= 7 * period
