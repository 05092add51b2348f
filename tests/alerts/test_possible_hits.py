"""Look-alike hits: a read that differs from a listed plate only by
characters plates print alike (O/0, D/0, I/1, B/8, S/5, Z/2, G/6) raises a
possible hit naming the differing characters, which is verified only once
the plate image has been compared; an exact hit stays exact. Both ledgered."""
import json
from datetime import timedelta

from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists.matching import Hit, find, look_alike_key
from hub.hotlists.services import add_entry
from hub.identity.roles import Role
from hub.ledger.models import LedgerEntry
from tests.alerts.test_alerts import ingest, listed, officer_token
from tests.conftest import make_user

ALL_CHECKS = {"entry_current_in_source": True, "vehicle_description_matches": True}


def test_look_alikes_are_found_with_the_differences(ctx):
    sergeant = make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True)
    hot, b8s5, _ = (add_entry(sergeant, plate=plate, reason_category="stolen_vehicle", case_number="ICR-1",
                              priority="high", expires_at=utcnow() + timedelta(days=5))
                    for plate in ("HOT1", "B8S5", "AB*"))
    db.session.commit()
    exact, alike, swapped, other, longer = find(["HOT1", "H0T1", "8B5S", "HXT1", "HOT11"])
    assert exact == [Hit(hot.id)]
    (hit,) = alike
    assert hit.entry_id == hot.id and [(d.position, d.read, d.listed) for d in hit.differences] == [(2, "0", "O")]
    assert swapped[0].entry_id == b8s5.id and str(swapped[0].differences[0]) == "character 1: read 8, listed B"
    assert other == [] and longer == []
    assert look_alike_key("DOG1") == look_alike_key("0O61")


def test_possible_hit_is_raised_ledgered_and_needs_the_image_checked(app, client, camera_world):
    listed(app, "HOT999")
    credential = camera_world["city"]["credential"]
    assert ingest(client, credential, "exact", plate="HOT999").get_json()["alerts"] == 1
    assert ingest(client, credential, "alike", plate="H0T999").get_json()["alerts"] == 1
    assert ingest(client, credential, "other", plate="HXT999").get_json()["alerts"] == 0
    headers = officer_token(app)
    alerts = client.get("/api/v1/alerts", headers=headers).get_json()
    assert [(a["plate"], a["kind"]) for a in alerts] == [("HOT999", "exact"), ("H0T999", "possible")]
    possible = alerts[1]
    assert possible["differing_characters"] == ["character 2: read 0, listed O"]
    refused = client.post(f"/api/v1/alerts/{possible['id']}/decision", headers=headers, json={
        "verified": True, "reason": "matches", "checks": {**ALL_CHECKS, "plate_matches_image": False}})
    assert refused.status_code == 422 and "plate_matches_image" in refused.get_json()["errors"]
    verified = client.post(f"/api/v1/alerts/{possible['id']}/decision", headers=headers, json={
        "verified": True, "reason": "image shows HOT999", "checks": {**ALL_CHECKS, "plate_matches_image": True}})
    assert verified.status_code == 200, verified.get_json()
    with app.app_context():
        actions = list(db.session.scalars(select(LedgerEntry.action).where(
            LedgerEntry.action.in_(["alerts.raised", "alerts.possible_raised"])).order_by(LedgerEntry.id)))
        assert actions == ["alerts.raised", "alerts.possible_raised"]
        details = json.loads(db.session.scalars(select(LedgerEntry.details).where(
            LedgerEntry.action == "alerts.possible_raised")).one())
        assert details["alerts"] == [possible["id"]]


def test_possible_hit_page_names_the_differing_characters(app, client, camera_world):
    listed(app, "BOS555")
    ingest(client, camera_world["city"]["credential"], "alike", plate="B0S555")
    headers = officer_token(app)
    alert = client.get("/api/v1/alerts", headers=headers).get_json()[0]
    assert alert["kind"] == "possible" and alert["differing_characters"] == ["character 2: read 0, listed O"]
