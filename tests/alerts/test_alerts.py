"""Alerts: raised only where the owner's mode allows, delivered over SSE,
verified or rejected with a reason and ledgered."""
import json
from datetime import timedelta

from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists import services as hotlists
from hub.identity import tokens
from hub.identity.roles import Role
from hub.identity.services import find_user
from hub.ledger.models import LedgerEntry
from tests.conftest import make_user
from tests.conftest import OPERATOR


def listed(app, plate="HOT999"):
    with app.app_context():
        entry = hotlists.add_entry(make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True), plate=plate, reason_category="stolen_vehicle",
                                   case_number="ICR-77", priority="high", expires_at=utcnow() + timedelta(days=5),
                                   non_encounter=True, instructions="Do not stop; call investigations")
        db.session.commit()
        return entry.id


def ingest(client, credential, read_id, plate="HOT999", confidence=0.99):
    return client.post("/api/v1/reads", headers={"Authorization": f"Bearer {credential}"}, json={"reads": [
        {"read_id": read_id, "plate": plate, "captured_at": utcnow().isoformat(), "confidence": confidence}]})


def officer_token(app):
    with app.app_context():
        secret = tokens.create_token(OPERATOR, find_user("ofc"), name="t")[1]
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}


def test_alerts_follow_the_owners_sharing_mode(app, client, camera_world):
    listed(app)
    counts = {name: ingest(client, cam["credential"], f"r-{name}").get_json()["alerts"]
              for name, cam in camera_world.items()}
    assert counts == {"city": 1, "shared": 1, "alerts_only": 1, "private": 0}
    assert ingest(client, camera_world["city"]["credential"], "low", confidence=0.3).get_json()["alerts"] == 0


def test_officer_verifies_and_it_is_ledgered(app, client, camera_world):
    listed(app)
    ingest(client, camera_world["city"]["credential"], "r1")
    headers = officer_token(app)
    alert = client.get("/api/v1/alerts", headers=headers).get_json()[0]
    assert alert["plate"] == "HOT999" and alert["actionable"] is False
    assert alert["listed_because"]["non_encounter"] and "call investigations" in alert["listed_because"]["instructions"]
    assert client.post(f"/api/v1/alerts/{alert['id']}/decision", json={"verified": True},
                       headers=headers).status_code == 422
    checks = {"plate_matches_image": True, "entry_current_in_source": False, "vehicle_description_matches": True}
    unchecked = client.post(f"/api/v1/alerts/{alert['id']}/decision", headers=headers,
                            json={"verified": True, "checks": checks, "reason": "State system: reported stolen"})
    assert unchecked.status_code == 403 and unchecked.get_json()["code"] == "policy_refused"
    assert {e["field"] for e in unchecked.get_json()["errors"]["rules"]} == {"entry_current_in_source"}
    decided = client.post(f"/api/v1/alerts/{alert['id']}/decision", headers=headers, json={
        "verified": True, "checks": {**checks, "entry_current_in_source": True},
        "reason": "State system: reported stolen 11/20"})
    assert decided.status_code == 200 and decided.get_json()["actionable"] is True
    assert decided.get_json()["checks"] == {**checks, "entry_current_in_source": True}
    again = client.post(f"/api/v1/alerts/{alert['id']}/decision", headers=headers,
                        json={"verified": False, "checks": checks, "reason": "x"})
    assert again.status_code == 422
    with app.app_context():
        actions = list(db.session.scalars(select(LedgerEntry.action).order_by(LedgerEntry.id)))
        assert "alerts.raised" in actions and "alert.verified" in actions and "alerts.delivered" in actions
        assert "alert.act.refused" in actions


def test_owner_entries_also_need_the_driver_checked(app, client, camera_world):
    with app.app_context():
        hotlists.add_entry(make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True), plate="WAR123", reason_category="warrant",
                           case_number="ICR-5", priority="high", expires_at=utcnow() + timedelta(days=5))
        db.session.commit()
    ingest(client, camera_world["city"]["credential"], "w1", plate="WAR123")
    headers = officer_token(app)
    alert = client.get("/api/v1/alerts", headers=headers).get_json()[0]
    vehicle_only = {"plate_matches_image": True, "entry_current_in_source": True, "vehicle_description_matches": True}
    refused = client.post(f"/api/v1/alerts/{alert['id']}/decision", headers=headers,
                          json={"verified": True, "checks": vehicle_only, "reason": "Warrant confirmed"})
    assert refused.status_code == 403
    assert [e["rule"] for e in refused.get_json()["errors"]["rules"]] == ["verify-driver-for-owner-entries"]
    decided = client.post(f"/api/v1/alerts/{alert['id']}/decision", headers=headers, json={
        "verified": True, "checks": {**vehicle_only, "driver_fits_description": True}, "reason": "Warrant confirmed"})
    assert decided.status_code == 200 and decided.get_json()["actionable"] is True


def test_untrained_officer_gets_no_alerts(app, client, camera_world):
    listed(app)
    ingest(client, camera_world["city"]["credential"], "r1")
    with app.app_context():
        rookie = make_user("rookie", Role.OFFICER)
        secret = tokens.create_token(OPERATOR, rookie, name="t")[1]
        db.session.commit()
    response = client.get("/api/v1/alerts", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403 and response.get_json()["code"] == "policy_refused"


def test_sse_stream_delivers_alerts(app, client, camera_world):
    listed(app)
    ingest(client, camera_world["city"]["credential"], "r1")
    headers = officer_token(app)
    response = client.get("/api/v1/alerts/stream?seconds=0.5", headers=headers)
    assert response.mimetype == "text/event-stream"
    body = response.get_data(as_text=True)
    events = [block for block in body.split("\n\n") if "event: alert" in block]
    assert len(events) == 1
    data = json.loads(events[0].split("data: ", 1)[1])
    assert data["plate"] == "HOT999" and events[0].startswith(f"id: {data['id']}")
    resumed = client.get("/api/v1/alerts/stream?seconds=0.3", headers={**headers, "Last-Event-ID": str(data["id"])})
    assert "event: alert" not in resumed.get_data(as_text=True)


def test_webhook_is_signed_and_retried(app, client, camera_world):
    import hashlib
    import hmac
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from hub import signed_webhooks
    from hub.alerts import webhooks
    from hub.alerts.models import WebhookDelivery
    from hub.clock import clock
    from hub.settings.services import change_settings

    received, answers = [], [500, 204]

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["X-Hub-Signature-256"], body))
            self.send_response(answers.pop(0))
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with app.app_context():
            change_settings(OPERATOR, {"alert_webhook_url": f"http://127.0.0.1:{server.server_port}/alerts"})
            db.session.commit()
        listed(app)
        ingest(client, camera_world["city"]["credential"], "r1")
        with app.app_context():
            assert webhooks.deliver_due() == 0  # the receiver answered 500
            db.session.commit()
            delivery = db.session.scalar(select(WebhookDelivery))
            assert delivery.attempts == 1 and delivery.next_attempt_at > utcnow()
            clock.freeze(utcnow() + timedelta(seconds=31))
            assert webhooks.deliver_due() == 1
            db.session.commit()
            key = signed_webhooks.signing_key()
            assert db.session.scalar(select(LedgerEntry.action).order_by(LedgerEntry.id.desc())) == \
                "alert.shared_by_webhook"
        clock.unfreeze()
        signature, body = received[-1]
        assert signature == "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        assert json.loads(body)["plate"] == "HOT999" and len(received) == 2
    finally:
        server.shutdown()


def test_unverified_read_alerts_only_after_a_person_confirms(app, client, camera_world):
    listed(app)
    ingest(client, camera_world["city"]["credential"], "blurry", plate="H0T999", confidence=0.4)
    headers = officer_token(app)
    assert client.get("/api/v1/alerts", headers=headers).get_json() == []
    waiting = client.get("/api/v1/reads/unverified", headers=headers).get_json()
    assert [r["plate"] for r in waiting] == ["H0T999"]
    confirmed = client.post(f"/api/v1/reads/{waiting[0]['id']}/confirmation", json={"plate": "HOT999"},
                            headers=headers)
    assert confirmed.status_code == 200 and confirmed.get_json()["alerts"] == 1
    assert [a["plate"] for a in client.get("/api/v1/alerts", headers=headers).get_json()] == ["HOT999"]
    assert client.post(f"/api/v1/reads/{waiting[0]['id']}/confirmation", json={"plate": "HOT999"},
                       headers=headers).status_code == 422


def test_a_stale_hot_file_marks_hits_and_the_board(app, client, camera_world, frozen_clock):
    from hub.hotlists.services import import_hot_file
    with app.app_context():
        import_hot_file(OPERATOR, b"plate,state,reason,case_number,priority,expires,non_encounter,instructions\n"
                                  b"STATE1,MN,stolen_vehicle,,high,,,\n", file_name="hot.csv")
        db.session.commit()
    ingest(client, camera_world["city"]["credential"], "fresh", plate="STATE1")
    frozen_clock.advance(timedelta(hours=25))
    ingest(client, camera_world["city"]["credential"], "stale", plate="STATE1")
    headers = officer_token(app)
    alerts = client.get("/api/v1/alerts", headers=headers).get_json()
    assert [a["stale_list"] for a in alerts] == [False, True]
    with app.app_context():
        raised = [json.loads(d) for d in db.session.scalars(
            select(LedgerEntry.details).where(LedgerEntry.action == "alerts.raised").order_by(LedgerEntry.id))]
        assert [d["stale_list"] for d in raised] == [False, True]
        assert any(p["action"] == "hotlist.import" and not p["allowed"] for p in raised[1]["policy_decisions"])


def test_a_hash_collision_raises_no_alert(app, client, camera_world, monkeypatch):
    import numpy as np
    from hub.hotlists import matching
    monkeypatch.setattr(matching, "_index", matching.HotlistIndex())
    monkeypatch.setattr(matching, "keyed_hasher", lambda key: lambda texts: np.zeros(len(texts), np.uint64))
    listed(app)
    credential = camera_world["city"]["credential"]
    assert ingest(client, credential, "other", plate="QRS777").get_json()["alerts"] == 0
    assert ingest(client, credential, "hit", plate="HOT999").get_json()["alerts"] == 1
