"""Look-alike hits: a read that differs from a listed plate only by
characters plates print alike (O/0, D/0, I/1, B/8, S/5, Z/2, G/6) raises a
possible hit naming the differing characters, which is verified only once
the plate image has been compared; an exact hit stays exact. Both ledgered."""
import json

from sqlalchemy import select

from hub.hotlists.matching import HotlistIndex, look_alike_key
from hub.extensions import db
from hub.ledger.models import LedgerEntry
from tests.alerts.test_alerts import ingest, listed, officer_token

ALL_CHECKS = {"entry_current_in_source": True, "vehicle_description_matches": True}


def test_index_finds_look_alikes_and_names_the_differences():
    index = HotlistIndex.of([("HOT1", 1, False), ("B8S5", 2, False), ("AB*", 3, True)])
    assert index.match("HOT1") == [1] and index.possible("HOT1") == []
    (entry, found), = index.possible("H0T1")
    assert entry == 1 and [(d.position, d.read, d.listed) for d in found] == [(2, "0", "O")]
    assert [str(d) for d in index.possible("8B5S")[0][1]][0] == "character 1: read 8, listed B"
    assert index.possible("HXT1") == [] and index.possible("HOT11") == []
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
