"""The consent flow end to end: PKCE, RFC 9396 details, fewer cameras than
asked, tokens valid only for the grant's cameras and window and until its
expiry, refused on the very next request after revocation (also from a
second hub instance on the same database)."""
import base64
import hashlib
import json
import re
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from hub.clock import clock, utcnow
from hub.extensions import db
from hub.grants.clients import create_client
from hub.grants.requests import create_request, decide_request
from hub.grants.revocation import revoke_grant
from hub.grants.models import Grant
from hub.identity.roles import Role
from hub.identity.services import find_user
from hub.ledger.models import LedgerEntry
from hub.reads.ingest import ingest_batch
from tests.conftest import build_app, csrf_from, make_camera, make_organisation, make_partner, make_user, sign_in
from tests.conftest import OPERATOR

REDIRECT = "https://records.corcoran.example/oauth/callback"


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@pytest.fixture
def flow(app):
    """An approved request for two of a partner's cameras, reads on all three,
    and the agency's registered client."""
    with app.app_context():
        agency = make_organisation()
        chief = make_user("chief", Role.CHIEF, agency, totp=True)
        officer = make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
        hoa = make_partner()
        make_user("owner", Role.PARTNER_ADMIN, hoa)
        gate, back, side = make_camera(hoa, "Gate"), make_camera(hoa, "Back"), make_camera(hoa, "Side")
        now = utcnow()
        for camera in (gate, back, side):
            ingest_batch(camera, [{"read_id": f"{camera.name}-{h}", "plate": f"ABC{h:03d}",
                                   "captured_at": (now - timedelta(hours=h)).isoformat()} for h in (5, 30, 50)])
        client, secret = create_client(OPERATOR, name="Records", redirect_uris=[REDIRECT])
        request = create_request(officer, camera_ids=[gate.id, back.id], case_number="ICR-88", offense_type="robbery",
                                 factual_basis="Suspect vehicle seen", window_start=now - timedelta(hours=40),
                                 window_end=now - timedelta(hours=1), access_hours=48)
        decide_request(chief, request, approve=True, finding="Pertinent to an active robbery investigation")
        db.session.commit()
        return {"client_id": client.client_id, "secret": secret, "request": request.id, "gate": gate.id,
                "back": back.id, "side": side.id, "window": (request.window_start, request.window_end)}


def details(flow, **changes):
    item = {"type": "alpr_camera_access", "request_id": flow["request"], "cameras": [flow["gate"], flow["back"]]}
    return json.dumps([{**item, **changes}])


def authorize_url(flow, challenge, **extra):
    params = {"response_type": "code", "client_id": flow["client_id"], "redirect_uri": REDIRECT, "state": "xyz",
              "code_challenge": challenge, "code_challenge_method": "S256", "authorization_details": details(flow)}
    return "/oauth/authorize?" + urlencode({**params, **extra})


def consent(partner, url, form):
    page = partner.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return partner.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True)), **form})


def exchange(client, flow, code, verifier):
    return client.post("/oauth/token", data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                                             "code_verifier": verifier},
                       headers={"Authorization": "Basic " + base64.b64encode(
                           f"{flow['client_id']}:{flow['secret']}".encode()).decode()})


def granted_token(app, flow, cameras=None, hours=24):
    partner = app.test_client()
    sign_in(partner, "owner")
    verifier, challenge = pkce()
    answer = consent(partner, authorize_url(flow, challenge), {
        "decision": "approve", "camera_ids": [str(c) for c in (cameras or [flow["gate"]])], "hours": str(hours)})
    assert answer.status_code == 302 and answer.location.startswith(REDIRECT)
    code = parse_qs(urlsplit(answer.location).query)["code"][0]
    return exchange(app.test_client(), flow, code, verifier).get_json()


def reads(client, token, grant_id, **params):
    return client.get(f"/api/v1/grants/{grant_id}/reads?{urlencode(params, doseq=True)}",
                      headers={"Authorization": f"Bearer {token}"})


def test_partner_grants_fewer_cameras_and_the_token_honours_it(app, flow):
    token = granted_token(app, flow)
    assert token["token_type"].lower() == "bearer" and token["expires_in"] <= 3600
    assert token["authorization_details"][0]["cameras"] == [flow["gate"]]
    client = app.test_client()
    got = reads(client, token["access_token"], token["grant_id"])
    assert got.status_code == 200
    assert {r["camera_id"] for r in got.get_json()} == {flow["gate"]}
    assert sorted(r["plate"] for r in got.get_json()) == ["ABC005", "ABC030"]  # 50 h ago is outside the window
    other = reads(client, token["access_token"], token["grant_id"], camera_id=flow["back"])
    assert other.status_code == 403 and other.get_json()["code"] == "forbidden"
    early = reads(client, token["access_token"], token["grant_id"],
                  since=(flow["window"][0] - timedelta(hours=1)).isoformat())
    assert early.status_code == 403
    with app.app_context():
        logged = db.session.scalars(select(LedgerEntry.action).where(LedgerEntry.subject_type == "grant")).all()
        assert "grant.consented" in logged and "grant.token_issued" in logged and "grant.reads_accessed" in logged
        assert "grant.reads_access.refused" in logged


def test_revocation_is_refused_on_the_next_request_even_from_another_instance(app, app_config, flow):
    token = granted_token(app, flow)
    assert reads(app.test_client(), token["access_token"], token["grant_id"]).status_code == 200
    other_instance = build_app(app_config)
    with other_instance.app_context():
        revoke_grant(find_user("owner"), db.session.get(Grant, token["grant_id"]), reason="board decision")
        db.session.commit()
    refused = reads(app.test_client(), token["access_token"], token["grant_id"])
    assert refused.status_code == 401 and refused.get_json()["code"] == "grant_revoked"
    refreshed = app.test_client().post("/oauth/token", data={"grant_type": "refresh_token",
                                                             "refresh_token": token["refresh_token"]},
                                       auth=(flow["client_id"], flow["secret"]))
    assert refreshed.status_code == 400


def test_expiry_is_refused_the_second_it_passes(app, flow):
    token = granted_token(app, flow, hours=2)
    clock.freeze(utcnow() + timedelta(hours=1, minutes=59))
    refreshed = app.test_client().post("/oauth/token", data={"grant_type": "refresh_token",
                                                             "refresh_token": token["refresh_token"]},
                                       auth=(flow["client_id"], flow["secret"]))
    assert refreshed.status_code == 200 and refreshed.get_json()["expires_in"] <= 61
    clock.freeze(utcnow() + timedelta(minutes=2))
    expired = reads(app.test_client(), refreshed.get_json()["access_token"], token["grant_id"])
    assert expired.status_code == 401 and expired.get_json()["code"] == "grant_expired"


def test_pkce_replay_and_bad_requests_are_refused_and_ledgered(app, flow):
    partner = app.test_client()
    sign_in(partner, "owner")
    no_pkce = partner.get(authorize_url(flow, "x", code_challenge="", code_challenge_method=""))
    assert no_pkce.status_code == 400 and "PKCE" in no_pkce.get_data(as_text=True)
    bad_redirect = partner.get(authorize_url(flow, "x", redirect_uri="https://evil.example/cb"))
    assert bad_redirect.status_code == 400
    too_much = partner.get(authorize_url(flow, pkce()[1], authorization_details=details(flow, cameras=[flow["side"]])))
    assert too_much.status_code == 422 and "more than the chief approved" in too_much.get_data(as_text=True)
    verifier, challenge = pkce()
    url = authorize_url(flow, challenge)
    widened = consent(partner, url, {"decision": "approve", "camera_ids": [str(flow["side"])], "hours": "24"})
    assert widened.status_code == 422
    answer = consent(partner, url, {"decision": "approve", "camera_ids": [str(flow["gate"])], "hours": "24"})
    code = parse_qs(urlsplit(answer.location).query)["code"][0]
    wrong = exchange(app.test_client(), flow, code, pkce()[0])
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "invalid_grant"
    good = exchange(app.test_client(), flow, code, verifier)
    assert good.status_code == 200
    replay = exchange(app.test_client(), flow, code, verifier)
    assert replay.status_code == 400 and replay.get_json()["error"] == "invalid_grant"
    with app.app_context():
        refused = db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.action.like("%refused")))
        assert refused >= 4


def test_introspection_and_client_revocation(app, flow):
    token = granted_token(app, flow)
    client = app.test_client()
    auth = (flow["client_id"], flow["secret"])
    info = client.post("/oauth/introspect", data={"token": token["access_token"]}, auth=auth).get_json()
    assert info["active"] is True and info["grant_id"] == token["grant_id"]
    assert info["authorization_details"][0]["type"] == "alpr_camera_access"
    assert client.post("/oauth/revoke", data={"token": token["refresh_token"]}, auth=auth).status_code == 200
    assert client.post("/oauth/introspect", data={"token": token["access_token"]}, auth=auth).get_json() == {
        "active": False}
    assert reads(client, token["access_token"], token["grant_id"]).status_code == 401


def test_decline_and_metadata(app, flow):
    partner = app.test_client()
    sign_in(partner, "owner")
    answer = consent(partner, authorize_url(flow, pkce()[1]), {"decision": "deny", "message": "Not this time"})
    assert answer.status_code == 302 and "error=access_denied" in answer.location
    meta = app.test_client().get("/.well-known/oauth-authorization-server").get_json()
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["authorization_details_types_supported"] == ["alpr_camera_access"]
    assert meta["token_endpoint"].endswith("/oauth/token")


def test_client_hands_the_consent_link_to_the_partner(app, flow):
    verifier, challenge = pkce()
    url = "https://hub.example" + authorize_url(flow, challenge)
    client = app.test_client()
    endpoint = f"/api/v1/access-requests/{flow['request']}/consent-link"
    anonymous = client.post(endpoint, json={"authorization_url": url})
    assert anonymous.status_code == 401 and anonymous.get_json()["code"] == "invalid_client"
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert client.post(endpoint, json={"authorization_url": url}, auth=(flow["client_id"], "wrong")).status_code == 401
    bad = client.post(endpoint, auth=(flow["client_id"], flow["secret"]),
                      json={"authorization_url": url.replace("code_challenge_method=S256", "code_challenge_method=plain")})
    assert bad.status_code == 422 and "PKCE" in json.dumps(bad.get_json())
    other = client.post(endpoint, auth=(flow["client_id"], flow["secret"]), json={
        "authorization_url": "https://hub.example" + authorize_url(flow, challenge, authorization_details=json.dumps(
            [{"type": "alpr_camera_access", "request_id": flow["request"] + 1}]))})
    assert other.status_code == 422
    ok = client.post(endpoint, auth=(flow["client_id"], flow["secret"]), json={"authorization_url": url})
    assert ok.status_code == 200
    partner = app.test_client()
    sign_in(partner, "owner")
    page = partner.get(f"/grants/requests/{flow['request']}").get_data(as_text=True)
    link = re.search(r'id="review-and-decide" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link.startswith("/oauth/authorize?") and "Review and decide" in page
    assert f"Decide on access request {flow['request']}" in partner.get("/notifications").get_data(as_text=True)
    answer = consent(partner, link, {"decision": "approve", "camera_ids": [str(flow["gate"])], "hours": "24"})
    code = parse_qs(urlsplit(answer.location).query)["code"][0]
    assert exchange(app.test_client(), flow, code, verifier).status_code == 200
