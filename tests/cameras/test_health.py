"""A camera's heartbeats mark the hours it was working, which count as
active collection in the log of use; a problem it reports opens once and
closes when it says it works again; people report and resolve problems
too; all of it on record, and the public sees the dates, never the words."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from hub.cameras import health
from hub.cameras.credentials import issue_credential
from hub.cameras.models import Camera, CameraProblem
from hub.clock import clock
from hub.extensions import db
from hub.identity.roles import Role
from hub.identity.services import find_user
from hub.ledger.models import LedgerEntry
from hub.reads.ingest import ingest_batch
from hub.transparency.log_of_use import aggregate_day, collection_periods, month_log
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner, make_user

NIGHT = datetime(2026, 5, 10, 22, 15, tzinfo=timezone.utc)


def test_heartbeats_and_problems_through_the_api(app, client, run, frozen_clock):
    clock.freeze(NIGHT)

    def build():
        camera = make_camera(make_partner(), "Gate")
        return camera.id, issue_credential(OPERATOR, camera)[1]
    camera_id, secret = run(build)
    auth = {"Authorization": f"Bearer {secret}"}
    ok = client.post("/api/v1/cameras/me/heartbeat", json={"status": "ok"}, headers=auth)
    assert ok.status_code == 200 and ok.get_json()["open_problems"] == []
    for _ in range(2):
        sick = client.post("/api/v1/cameras/me/heartbeat", json={"status": "problem", "problem": "Lens fogged"},
                           headers=auth)
        assert [p["description"] for p in sick.get_json()["open_problems"]] == ["Lens fogged"]
    bad = client.post("/api/v1/cameras/me/heartbeat", json={"status": "ok", "owner_name": "x"}, headers=auth)
    assert bad.status_code == 422 and "owner_name" in bad.get_json()["errors"]
    assert client.post("/api/v1/cameras/me/heartbeat", json={"status": "maybe"}, headers=auth).status_code == 422
    assert client.post("/api/v1/cameras/me/heartbeat", json={"status": "ok"},
                       headers={"Authorization": "Bearer hubcam_nothing"}).status_code == 401
    clock.advance(timedelta(hours=2))  # past midnight: the next day's hour
    assert client.post("/api/v1/cameras/me/heartbeat", json={"status": "ok"}, headers=auth).get_json()[
        "open_problems"] == []
    with app.app_context():
        actions = list(db.session.scalars(select(LedgerEntry.action).where(LedgerEntry.action.like("camera.problem%"))))
        assert actions == ["camera.problem_reported", "camera.problem_resolved"]
        assert health.heard_hours(NIGHT.date()) == {camera_id: 1 << 22}
        assert health.heard_hours((NIGHT + timedelta(days=1)).date()) == {camera_id: 1 << 0}


def test_heard_hours_and_reads_make_periods_that_run_past_midnight(ctx, frozen_clock):
    agency = make_organisation()
    camera = make_camera(agency, "CR 30")
    clock.freeze(NIGHT)
    ingest_batch(camera, [{"read_id": "r1", "plate": "ABC123", "captured_at": NIGHT.isoformat()}])
    clock.freeze(NIGHT + timedelta(hours=1))  # 23:15, heard, no reads
    health.heartbeat(camera, {"status": "ok"})
    clock.freeze(NIGHT + timedelta(hours=2))  # 00:15 the next day
    ingest_batch(camera, [{"read_id": "r2", "plate": "ABC124", "captured_at": clock.now().isoformat()},
                          {"read_id": "r3", "plate": "ABC125", "captured_at": clock.now().isoformat()}])
    clock.freeze(NIGHT + timedelta(hours=5))  # 03:15: a gap, then heard again
    health.heartbeat(camera, {"status": "ok"})
    for day in (NIGHT.date(), NIGHT.date() + timedelta(days=1)):
        aggregate_day(OPERATOR, day)
    logs = month_log(NIGHT.date())
    periods = [(p.start.hour, p.end.hour, p.reads) for p in collection_periods(logs[0].days)]
    assert periods == [(22, 1, 3), (3, 4, 0)]
    assert logs[0].days[0].collection_times == "22:00–24:00"


def test_people_report_and_resolve_problems_and_the_public_sees_only_dates(app, client, run, make, frozen_clock):
    clock.freeze(NIGHT)

    def build():
        hoa = make_partner("Rush Creek HOA")
        owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
        other = make_user("other", Role.PARTNER_ADMIN, make_partner("Other HOA"))
        camera = make_camera(hoa, "Gate")
        problem = health.report_problem(owner, camera, "Tree branch blocks the view of Smith's drive")
        try:
            health.report_problem(other, camera, "not mine")
        except Exception as refused:
            assert getattr(refused, "status", None) == 403
        ingest_batch(camera, [{"read_id": "r1", "plate": "ABC123", "captured_at": NIGHT.isoformat()}])
        aggregate_day(OPERATOR, NIGHT.date())
        return camera.id, problem.id
    camera_id, problem_id = run(build)
    page = client.get(f"/transparency/log-of-use?month=2026-05&camera={camera_id}").get_data(as_text=True)
    assert "Problems reported with this reader" in page and "Smith" not in page and "Rush Creek" not in page
    assert client.get("/transparency/log-of-use?month=2026-05&camera=999999").status_code == 404
    assert client.get("/transparency/log-of-use?month=2026-05&camera=abc").status_code == 404
    periods = client.get(f"/transparency/log-of-use?month=2026-05&camera={camera_id}&format=periods")
    assert periods.status_code == 200 and "2026-05-10T22:00:00+00:00" in periods.get_data(as_text=True)
    with app.app_context():
        health.resolve_problem(find_user("owner"), db.session.get(Camera, camera_id), problem_id, "Branch cut")
        db.session.commit()
        assert db.session.get(CameraProblem, problem_id).resolved_by == "owner"
