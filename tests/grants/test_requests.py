"""Access requests: the officer asks, the policy checks, the chief decides
with a finding, the partner is told; every refusal is ledgered."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.clock import utcnow
from hub.extensions import db
from hub.identity import tokens
from hub.identity.roles import OrganisationKind, Role
from hub.identity.services import find_user
from hub.ledger.models import LedgerEntry, LedgerEntryCamera
from hub.notifications.models import Notification
from tests.conftest import make_camera, make_organisation, make_partner, make_user, sign_in
from tests.conftest import OPERATOR


@pytest.fixture
def world(app):
    with app.app_context():
        agency = make_organisation()
        hoa, market = make_partner(), make_partner("Market", OrganisationKind.BUSINESS)
        chief = make_user("test-chief", Role.CHIEF, agency, totp=True)
        officer = make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
        make_user("owner", Role.PARTNER_ADMIN, hoa)
        make_user("other-owner", Role.PARTNER_ADMIN, market)
        gate, back, shop = make_camera(hoa, "Gate"), make_camera(hoa, "Back"), make_camera(market, "Lot")
        secrets = {u.username: tokens.create_token(OPERATOR, u, name="t")[1] for u in
                   (officer, chief, find_user("owner"), find_user("other-owner"))}
        db.session.commit()
        return {"gate": gate.id, "back": back.id, "shop": shop.id, "tokens": secrets}


def bearer(world, who):
    return {"Authorization": f"Bearer {world['tokens'][who]}"}


def a_request(world, **changes):
    now = utcnow()
    body = {"camera_ids": [world["gate"], world["back"]], "case_number": "ICR-2026-0412",
            "offense_type": "burglary", "factual_basis": "Vehicle seen leaving the scene at 02:10",
            "window_start": (now - timedelta(days=2)).isoformat(), "window_end": (now - timedelta(days=1)).isoformat(),
            "access_hours": 48}
    return {**body, **changes}


def refusals(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.action.like("%.refused")))


def test_request_approval_reaches_the_partner(app, client, world):
    created = client.post("/api/v1/access-requests", json=a_request(world), headers=bearer(world, "ofc"))
    assert created.status_code == 201 and created.get_json()["status"] == "awaiting_chief"
    request_id = created.get_json()["id"]
    assert client.get(f"/api/v1/access-requests/{request_id}", headers=bearer(world, "owner")).status_code == 403
    queue = client.get("/api/v1/access-requests/pending", headers=bearer(world, "test-chief")).get_json()
    assert [r["id"] for r in queue] == [request_id]
    assert client.post(f"/api/v1/access-requests/{request_id}/decision", json={"approve": True, "finding": ""},
                       headers=bearer(world, "test-chief")).status_code == 422
    decided = client.post(f"/api/v1/access-requests/{request_id}/decision",
                          json={"approve": True, "finding": "Pertinent to an active burglary investigation"},
                          headers=bearer(world, "test-chief"))
    assert decided.status_code == 200 and decided.get_json()["status"] == "awaiting_partner"
    assert client.post(f"/api/v1/access-requests/{request_id}/decision", json={"approve": False, "finding": "x"},
                       headers=bearer(world, "test-chief")).status_code == 422
    seen = client.get(f"/api/v1/access-requests/{request_id}", headers=bearer(world, "owner"))
    assert seen.status_code == 200 and seen.get_json()["finding"].startswith("Pertinent")
    assert client.get(f"/api/v1/access-requests/{request_id}", headers=bearer(world, "other-owner")).status_code == 403
    with app.app_context():
        message = db.session.scalar(select(Notification))
        assert message.subject == f"Access request {request_id}" and "ICR-2026-0412" not in message.body
        assert message.link.endswith(f"/grants/requests/{request_id}")
        logged = db.session.scalars(select(LedgerEntry.action).join(LedgerEntryCamera).where(
            LedgerEntryCamera.camera_id == world["gate"]).order_by(LedgerEntry.id)).all()
        assert "grant.requested" in logged and "grant.request_approved" in logged


@pytest.mark.parametrize("changes, status, rule", [
    ({"case_number": " "}, 403, "partner-access-request"),
    ({"factual_basis": ""}, 403, "partner-access-request"),
    ({"access_hours": 200}, 403, "partner-access-maximum-duration"),
    ({"window_start": (utcnow() - timedelta(days=40)).isoformat()}, 403, "partner-access-window"),
    ({"offense_type": "traffic_enforcement"}, 422, "offense_type"),
    ({"camera_ids": "both"}, 422, None),
])
def test_refusals_name_the_rule_and_are_ledgered(app, client, world, changes, status, rule):
    before = refusals(app)
    response = client.post("/api/v1/access-requests", json=a_request(world, **changes), headers=bearer(world, "ofc"))
    assert response.status_code == status
    if rule:
        assert rule in json.dumps(response.get_json()["errors"])
        assert refusals(app) == before + 1


def test_cameras_of_two_partners_and_windows_in_the_future_are_refused(app, client, world):
    before = refusals(app)
    two = client.post("/api/v1/access-requests", json=a_request(world, camera_ids=[world["gate"], world["shop"]]),
                      headers=bearer(world, "ofc"))
    assert two.status_code == 422 and "several" in json.dumps(two.get_json())
    future = client.post("/api/v1/access-requests", headers=bearer(world, "ofc"), json=a_request(
        world, window_end=(utcnow() + timedelta(days=1)).isoformat()))
    assert future.status_code == 422 and "future" in json.dumps(future.get_json())
    assert refusals(app) == before + 2


def test_only_the_chief_decides_and_untrained_officers_cannot_ask(app, client, world):
    created = client.post("/api/v1/access-requests", json=a_request(world), headers=bearer(world, "ofc")).get_json()
    assert client.post(f"/api/v1/access-requests/{created['id']}/decision", json={"approve": True, "finding": "ok"},
                       headers=bearer(world, "ofc")).status_code == 403
    with app.app_context():
        rookie = make_user("rookie", Role.OFFICER)
        secret = tokens.create_token(OPERATOR, rookie, name="t")[1]
        db.session.commit()
    refused = client.post("/api/v1/access-requests", json=a_request(world),
                          headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 403 and refused.get_json()["code"] == "policy_refused"


def test_pages_for_officer_chief_and_partner(app, client, world):
    with app.app_context():
        chief_secret = find_user("test-chief").totp_secret
    sign_in(client, "ofc")
    from tests.conftest import post_form
    page = client.get("/grants/requests/new").get_data(as_text=True)
    assert "Test HOA — Gate" in page and "Market — Lot" in page
    now = utcnow()
    sent = post_form(client, "/grants/requests/new", {
        "camera_ids": [str(world["gate"])], "case_number": "ICR-7", "offense_type": "theft",
        "factual_basis": "seen", "window_start": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "window_end": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "duration": "24"})
    assert sent.status_code == 302
    chief = app.test_client()
    sign_in(chief, "test-chief", totp_secret=chief_secret)
    queue = chief.get("/grants/review").get_data(as_text=True)
    assert "ICR-7" in queue
    request_id = int(sent.location.rsplit("/", 1)[1])
    done = post_form(chief, f"/grants/review/{request_id}/approve", {"finding": "Active theft case"},
                     page="/grants/review")
    assert done.status_code == 302
    owner = app.test_client()
    sign_in(owner, "owner")
    assert f"Access request {request_id}" in owner.get("/notifications").get_data(as_text=True)
    partner_view = owner.get(f"/grants/requests/{request_id}").get_data(as_text=True)
    assert "Theft" in partner_view and "ICR-7" not in partner_view and "Active theft case" not in partner_view


def test_clients_are_registered_with_exact_redirects(app, runner):
    result = runner.invoke(args=["clients", "create", "--name", "Corcoran records system",
                                 "--redirect-uri", "https://records.corcoran.example/oauth/callback"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("client_id: ") and lines[1].startswith("client_secret: ")
    bad = runner.invoke(args=["clients", "create", "--name", "x", "--redirect-uri", "records.example/cb#frag"])
    assert bad.exit_code != 0 and "absolute" in bad.output
    from hub.grants.models import OAuthClient
    with app.app_context():
        stored = db.session.scalar(select(OAuthClient))
        assert lines[1].split(": ")[1] not in stored.secret_hash
        assert stored.redirect_uri_list == ["https://records.corcoran.example/oauth/callback"]


def test_a_refusal_by_the_rules_is_told_on_the_form_in_their_words_and_keeps_the_input(app, client, world):
    from tests.conftest import post_form
    sign_in(client, "ofc")
    before = refusals(app)
    now = utcnow()
    answer = post_form(client, "/grants/requests/new", {
        "camera_ids": [str(world["gate"])], "case_number": "ICR-31", "offense_type": "theft",
        "factual_basis": "Seen at the scene twice", "window_start": (now - timedelta(days=45)).strftime("%Y-%m-%dT%H:%M"),
        "window_end": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "duration": "24"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "reaches back 30 days at most" in page and "Minn. Stat. 13.824 subd. 3" in page
    assert "window_age_days" not in page  # the rule's words, not the engine's
    assert "ICR-31" in page and "Seen at the scene twice" in page  # nothing typed is lost
    assert refusals(app) == before + 1
