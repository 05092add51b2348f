"""What an outside client and an attack found in the consent flow: a request
bound to one client, a consent link of any length, a decline that is a
decision, one token per code, client authentication in the body, RFC 6750
challenges, the issuer from configuration, and odd input answered with a 4xx."""
import base64
from datetime import timedelta
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from hub import create_app
from hub.config import ConfigurationError
from hub.extensions import db
from hub.grants.clients import create_client
from hub.grants.models import AccessRequest, OAuthToken, RequestStatus
from hub.identity import tokens
from hub.identity.services import find_organisation, find_user
from hub.ledger.models import LedgerEntry
from hub.notifications.models import Notification
from tests.conftest import build_app, csrf_from, sign_in
from tests.grants.test_oauth import (REDIRECT, authorize_url, consent, details, exchange, flow,  # noqa: F401
                                     granted_token, pkce, reads)
from tests.conftest import OPERATOR

OTHER_REDIRECT = "https://other.example/cb"


def basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def link_endpoint(flow):
    return f"/api/v1/access-requests/{flow['request']}/consent-link"


def other_client(app, *, organisation=None):
    with app.app_context():
        org = find_organisation(organisation) if organisation else None
        client, secret = create_client(OPERATOR, name="Someone else's system", redirect_uris=[OTHER_REDIRECT],
                                       organisation=org)
        db.session.commit()
        return {"client_id": client.client_id, "secret": secret}


def other_url(flow, other, challenge):
    return authorize_url({**flow, "client_id": other["client_id"]}, challenge, redirect_uri=OTHER_REDIRECT)


def entries(app, action):
    with app.app_context():
        return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.action == action)))


def stored_request(app, flow) -> AccessRequest:
    with app.app_context():
        request = db.session.get(AccessRequest, flow["request"])
        db.session.expunge(request)
        return request


def owner(app):
    partner = app.test_client()
    sign_in(partner, "owner")
    return partner


# --- 1. one client per request -------------------------------------------------

def test_a_second_client_cannot_take_over_the_consent_link(app, flow):
    client = app.test_client()
    ours = client.post(link_endpoint(flow), headers=basic(flow["client_id"], flow["secret"]),
                       json={"authorization_url": authorize_url(flow, pkce()[1])})
    assert ours.status_code == 200 and ours.get_json()["oauth_client"]["client_id"] == flow["client_id"]
    other = other_client(app)
    taken = client.post(link_endpoint(flow), headers=basic(other["client_id"], other["secret"]),
                        json={"authorization_url": other_url(flow, other, pkce()[1])})
    assert taken.status_code == 409 and taken.get_json()["code"] == "client_not_bound"
    refused = entries(app, "grant.consent_link.refused")
    assert [e.actor for e in refused] == [f"system:client:{other['client_id']}"]
    assert stored_request(app, flow).consent_url.count(flow["client_id"]) == 1
    # Nor can it reach the partner with a link of its own.
    direct = owner(app).get(other_url(flow, other, pkce()[1]))
    assert direct.status_code == 409
    assert len(entries(app, "grant.consent.refused")) == 1


def test_the_agency_s_own_client_is_bound_before_any_link(app, flow):
    agency_client = other_client(app, organisation="Corcoran Police Department")
    first = app.test_client().post(link_endpoint(flow), headers=basic(flow["client_id"], flow["secret"]),
                                   json={"authorization_url": authorize_url(flow, pkce()[1])})
    assert first.status_code == 409  # the agency registered a client: only that one carries its requests
    ok = app.test_client().post(link_endpoint(flow), headers=basic(agency_client["client_id"], agency_client["secret"]),
                                json={"authorization_url": other_url(flow, agency_client, pkce()[1])})
    assert ok.status_code == 200


def test_the_consent_screen_names_the_client_and_its_organisation(app, flow):
    agency_client = other_client(app, organisation="Corcoran Police Department")
    page = owner(app).get(other_url(flow, agency_client, pkce()[1])).get_data(as_text=True)
    assert "Someone else&#39;s system" in page and "Corcoran Police Department" in page
    assert 'id="consent-client"' in page


# --- 2. a consent link of any length; over-long input is a 422 ---------------------

def readme_url(flow, challenge):
    window = {"start": flow["window"][0].isoformat(), "end": flow["window"][1].isoformat()}
    return "https://hub.example" + authorize_url(flow, challenge, state="s" * 120, authorization_details=json.dumps(
        [{"type": "alpr_camera_access", "request_id": flow["request"], "cameras": [flow["gate"], flow["back"]],
          "window": window}]))


def test_a_long_consent_link_reaches_the_partner_through_a_short_one(app, flow):
    verifier, challenge = pkce()
    url = readme_url(flow, challenge)
    assert len(url) > 550
    handed = app.test_client().post(link_endpoint(flow), headers=basic(flow["client_id"], flow["secret"]),
                                    json={"authorization_url": url})
    assert handed.status_code == 200
    with app.app_context():
        message = db.session.scalar(select(Notification).where(Notification.subject.like("Decide on%")))
        assert message.link == f"/grants/requests/{flow['request']}/consent"
    partner = owner(app)
    onward = partner.get(message.link)
    assert onward.status_code == 302 and onward.location == url[len("https://hub.example"):]
    answer = consent(partner, onward.location, {"decision": "approve", "camera_ids": [str(flow["gate"])],
                                                "hours": "24"})
    code = parse_qs(urlsplit(answer.location).query)["code"][0]
    assert exchange(app.test_client(), flow, code, verifier).status_code == 200


def test_over_long_input_is_a_422_naming_the_field(app, flow):
    too_long = app.test_client().post(link_endpoint(flow), headers=basic(flow["client_id"], flow["secret"]),
                                      json={"authorization_url": "https://hub.example/oauth/authorize?" + "a" * 9000})
    assert too_long.status_code == 422 and "authorization_url" in too_long.get_json()["errors"]
    challenge = app.test_client().post(link_endpoint(flow), headers=basic(flow["client_id"], flow["secret"]),
                                       json={"authorization_url": authorize_url(flow, "c" * 300)})
    assert challenge.status_code == 422 and "authorization_url" in challenge.get_json()["errors"]
    message = consent(owner(app), authorize_url(flow, pkce()[1]), {"decision": "deny", "message": "m" * 5000})
    assert message.status_code == 422 and "At most 2000 characters" in message.get_data(as_text=True)
    assert stored_request(app, flow).status is RequestStatus.AWAITING_PARTNER


# --- 3. a decline is a decision --------------------------------------------------

def test_a_decline_is_kept_ledgered_as_the_partner_s_and_told(app, flow):
    partner = owner(app)
    url = authorize_url(flow, pkce()[1])
    csrf = csrf_from(partner.get(url).get_data(as_text=True))
    answer = partner.post(url, data={"csrf_token": csrf, "decision": "deny", "message": "Not without a warrant"})
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.location).query)
    assert answer.location.startswith(REDIRECT) and query["error"] == ["access_denied"] and query["state"] == ["xyz"]
    assert query["iss"] == ["http://localhost"]  # RFC 9207, on error responses too
    request = stored_request(app, flow)
    assert request.status is RequestStatus.DECLINED and request.partner_message == "Not without a warrant"
    declined = entries(app, "grant.declined")
    assert [e.actor for e in declined] == ["owner"] and declined[0].purpose == "Not without a warrant"
    assert entries(app, "oauth.request.refused") == []  # the client did nothing wrong
    with app.app_context():
        told = db.session.scalar(select(Notification).where(Notification.subject.like("%declined%")))
        assert told.organisation_id == find_user("ofc").organisation_id and "Not without a warrant" in told.body
    # Nothing to consent to afterwards.
    assert partner.get(url).status_code == 422
    late = partner.post(url, data={"csrf_token": csrf, "decision": "approve", "camera_ids": [str(flow["gate"])],
                                   "hours": "24"})
    assert late.status_code == 422 and stored_request(app, flow).status is RequestStatus.DECLINED
    officer = app.test_client()
    sign_in(officer, "ofc")
    assert "Not without a warrant" in officer.get(f"/grants/requests/{flow['request']}").get_data(as_text=True)
    mine = partner.get(f"/grants/requests/{flow['request']}").get_data(as_text=True)
    assert 'id="partner-decision">declined' in mine and "review-and-decide" not in mine


# --- 4. one code, one token ------------------------------------------------------

def test_a_second_redemption_revokes_what_the_code_produced(app, flow):
    partner = owner(app)
    verifier, challenge = pkce()
    answer = consent(partner, authorize_url(flow, challenge), {"decision": "approve",
                                                               "camera_ids": [str(flow["gate"])], "hours": "24"})
    code = parse_qs(urlsplit(answer.location).query)["code"][0]
    first = exchange(app.test_client(), flow, code, verifier).get_json()
    refreshed = app.test_client().post("/oauth/token", data={"grant_type": "refresh_token",
                                                             "refresh_token": first["refresh_token"]},
                                       headers=basic(flow["client_id"], flow["secret"])).get_json()
    assert reads(app.test_client(), refreshed["access_token"], first["grant_id"]).status_code == 200
    again = exchange(app.test_client(), flow, code, verifier)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    refused = reads(app.test_client(), refreshed["access_token"], first["grant_id"])
    assert refused.status_code == 401 and refused.get_json()["code"] == "token_revoked"
    assert "redeemed a second time" in refused.get_json()["message"]
    assert [e.details for e in entries(app, "grant.code_reused")][0]
    with app.app_context():
        assert all(t.revoked_at is not None for t in db.session.scalars(select(OAuthToken)))


# --- 6. client_secret_post; client authentication failures -----------------------

def test_client_secret_post_works_without_a_csrf_token(app, flow):
    partner = owner(app)
    verifier, challenge = pkce()
    answer = consent(partner, authorize_url(flow, challenge), {"decision": "approve",
                                                               "camera_ids": [str(flow["gate"])], "hours": "24"})
    code = parse_qs(urlsplit(answer.location).query)["code"][0]
    client = app.test_client()
    issued = client.post("/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier,
        "client_id": flow["client_id"], "client_secret": flow["secret"]})
    assert issued.status_code == 200, issued.get_json()
    token = issued.get_json()
    body_auth = {"client_id": flow["client_id"], "client_secret": flow["secret"]}
    info = client.post("/oauth/introspect", data={"token": token["access_token"], **body_auth})
    assert info.status_code == 200 and info.get_json()["active"] is True
    assert client.post("/oauth/revoke", data={"token": token["refresh_token"], **body_auth}).status_code == 200


@pytest.mark.parametrize("endpoint", ["/oauth/token", "/oauth/revoke", "/oauth/introspect"])
def test_missing_client_authentication_is_401_invalid_client(app, flow, endpoint):
    answer = app.test_client().post(endpoint, data={"grant_type": "authorization_code", "code": "x", "token": "x"})
    assert answer.status_code == 401
    assert answer.get_json()["error"] == "invalid_client" and answer.get_json()["error_description"]
    assert answer.headers["WWW-Authenticate"].startswith("Basic realm=")
    wrong = app.test_client().post(endpoint, data={"grant_type": "authorization_code", "code": "x", "token": "x",
                                                   "client_id": flow["client_id"], "client_secret": "wrong"})
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "invalid_client"
    assert entries(app, "oauth.request.refused")


# --- 7. RFC 6750 challenges; a rotated token says so -------------------------------

def test_bearer_routes_answer_401_with_a_bearer_challenge(app, flow):
    client = app.test_client()
    bare = client.get("/api/v1/grants/1/reads")
    assert bare.status_code == 401 and bare.headers["WWW-Authenticate"].startswith("Bearer")
    assert "error=" not in bare.headers["WWW-Authenticate"]
    unknown = reads(client, "hubat_not-a-token", 1)
    challenge = unknown.headers["WWW-Authenticate"]
    assert unknown.status_code == 401 and challenge.startswith("Bearer ")
    assert 'error="invalid_token"' in challenge and 'error_description="The access token is unknown."' in challenge
    api = client.get("/api/v1/access-requests", headers={"Authorization": "Bearer hubpat_not-a-token"})
    assert api.status_code == 401 and 'error="invalid_token"' in api.headers["WWW-Authenticate"]
    token_error = client.post("/oauth/token", data={"grant_type": "authorization_code", "code": "nope"},
                              headers=basic(flow["client_id"], flow["secret"]))
    assert token_error.status_code == 400 and set(token_error.get_json()) >= {"error", "error_description"}


def test_an_access_token_replaced_by_a_refresh_is_refused_as_rotated(app, flow):
    token = granted_token(app, flow)
    refreshed = app.test_client().post("/oauth/token", data={"grant_type": "refresh_token",
                                                             "refresh_token": token["refresh_token"]},
                                       headers=basic(flow["client_id"], flow["secret"]))
    assert refreshed.status_code == 200
    old = reads(app.test_client(), token["access_token"], token["grant_id"])
    assert old.status_code == 401 and old.get_json()["code"] == "token_rotated"
    assert "replaced by a refresh" in old.get_json()["message"]
    assert 'error="invalid_token"' in old.headers["WWW-Authenticate"]
    reused = app.test_client().post("/oauth/token", data={"grant_type": "refresh_token",
                                                          "refresh_token": token["refresh_token"]},
                                    headers=basic(flow["client_id"], flow["secret"]))
    assert reused.status_code == 400 and reused.get_json()["error"] == "invalid_grant"
    new = reads(app.test_client(), refreshed.get_json()["access_token"], token["grant_id"])
    assert new.status_code == 200


# --- 8. the issuer comes from configuration ------------------------------------------

ISSUER = "https://alpr.corcoran.example"


@pytest.fixture
def configured(app_config):
    return build_app({**app_config, "BASE_URL": ISSUER + "/"})


def test_metadata_and_iss_come_from_configuration_not_the_host_header(configured, flow):
    forged = configured.test_client().get("/.well-known/oauth-authorization-server",
                                          headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    meta = forged.get_json()
    assert meta["issuer"] == ISSUER
    for name in ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "introspection_endpoint"):
        assert meta[name].startswith(ISSUER + "/oauth/")
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert meta["scopes_supported"] == ["requests:submit"]
    partner = configured.test_client()
    sign_in(partner, "owner")
    page = partner.get(authorize_url(flow, pkce()[1]))
    answer = partner.post(authorize_url(flow, pkce()[1]), data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "decision": "approve",
        "camera_ids": [str(flow["gate"])], "hours": "24"})
    assert answer.status_code == 302 and parse_qs(urlsplit(answer.location).query)["iss"] == [ISSUER]
    declined = partner.post(authorize_url(flow, pkce()[1]), data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "decision": "deny"})
    assert declined.status_code == 422  # decided already


def test_the_hub_does_not_start_without_its_address_outside_development(app_config, monkeypatch):
    for name in ("HUB_BASE_URL", "HUB_ENV", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    production = {**app_config, "TESTING": False}
    with pytest.raises(ConfigurationError, match="HUB_BASE_URL is required"):
        create_app(dict(production))
    with pytest.raises(ConfigurationError, match="without query or fragment"):
        create_app({**production, "BASE_URL": "https://hub.example/?x=1"})
    assert create_app({**production, "BASE_URL": ISSUER}).config["BASE_URL"] == ISSUER
    monkeypatch.setenv("HUB_ENV", "development")
    assert create_app(dict(production)).config["BASE_URL"].startswith("http://")


# --- 9. odd input on the consent path is a 4xx, never a 500 --------------------------

@pytest.mark.parametrize("item", [
    {"window": ["2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00"]},
    {"window": {"start": 5}},
    {"cameras": 7},
    {"cameras": ["7"]},
    {"request_id": "1"},
    {"request_id": 2**70},
    {"request_id": True},
])
def test_odd_authorization_details_are_refused_cleanly(app, flow, item):
    raw = details(flow, **item)
    page = owner(app).get(authorize_url(flow, pkce()[1], authorization_details=raw))
    assert page.status_code == 422 and "<strong>authorization_details</strong>" in page.get_data(as_text=True)
    handed = app.test_client().post(link_endpoint(flow), headers=basic(flow["client_id"], flow["secret"]), json={
        "authorization_url": authorize_url(flow, pkce()[1], authorization_details=raw)})
    assert handed.status_code == 422


@pytest.mark.parametrize("field, value", [("hours", "abc"), ("hours", "9" * 30), ("hours", "²"),
                                          ("window_start", "yesterday"), ("decision", "maybe")])
def test_odd_consent_form_values_are_a_422_naming_the_field(app, flow, field, value):
    form = {"decision": "approve", "camera_ids": [str(flow["gate"])], "hours": "24", field: value}
    answer = consent(owner(app), authorize_url(flow, pkce()[1]), form)
    assert answer.status_code == 422
    assert stored_request(app, flow).status is RequestStatus.AWAITING_PARTNER


def test_a_personal_token_is_still_a_bearer_for_the_api(app, flow):
    """The challenge is added to refusals only: a good token still works."""
    with app.app_context():
        secret = tokens.create_token(OPERATOR, find_user("ofc"), name="t")[1]
        db.session.commit()
    mine = app.test_client().get("/api/v1/access-requests", headers={"Authorization": f"Bearer {secret}"})
    assert mine.status_code == 200 and "WWW-Authenticate" not in mine.headers


def test_a_signed_out_partner_is_sent_to_sign_in_and_back(app, flow):
    url = authorize_url(flow, pkce()[1])
    answer = app.test_client().get(url)
    assert answer.status_code == 302 and answer.location.startswith("/login?next=")


def test_the_consent_short_link_is_only_for_who_may_see_the_request(app, flow):
    app.test_client().post(link_endpoint(flow), headers=basic(flow["client_id"], flow["secret"]),
                           json={"authorization_url": authorize_url(flow, pkce()[1])})
    assert owner(app).get(f"/grants/requests/{flow['request']}/consent").status_code == 302
    stranger = app.test_client()
    with app.app_context():
        from hub.identity.roles import OrganisationKind, Role
        from tests.conftest import make_partner, make_user
        make_user("stranger", Role.PARTNER_ADMIN, make_partner("Market", OrganisationKind.BUSINESS))
        db.session.commit()
    sign_in(stranger, "stranger")
    assert stranger.get(f"/grants/requests/{flow['request']}/consent").status_code == 403


def test_a_refused_client_s_name_is_cut_before_it_reaches_the_ledger(app, flow, frozen_clock):
    answer = app.test_client().post("/oauth/token", data={
        "grant_type": "authorization_code", "code": "x", "client_id": "c" * 5000, "client_secret": "s"})
    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_client"
    # Anonymous failures are ledgered once per window: the second, in the next one, is an entry of its own.
    frozen_clock.advance(timedelta(seconds=app.config["FAILURE_WINDOW_SECONDS"] + 1))
    basic_answer = app.test_client().post("/oauth/token", data={"grant_type": "authorization_code", "code": "x"},
                                          headers=basic("b" * 5000, "s"))
    assert basic_answer.status_code == 401
    assert sorted(e.actor for e in entries(app, "oauth.request.refused")) == [
        "system:client:" + "b" * 48, "system:client:" + "c" * 48]


def test_the_partner_decides_once_even_from_two_screens(app, flow):
    from hub.grants.consent import ConsentInvalid, consent as give, decline, read_details
    from hub.grants.models import OAuthClient
    with app.app_context():
        partner, client = find_user("owner"), db.session.scalar(select(OAuthClient))
        first, second = (read_details(details(flow), partner, client=client) for _ in range(2))
        give(partner, first, camera_ids=[flow["gate"]], window_start=first.window_start,
             window_end=first.window_end, hours=1)
        with pytest.raises(ConsentInvalid, match="granted meanwhile"):
            decline(partner, second, message="no")
        db.session.rollback()


def test_an_agency_registers_its_client_from_the_command_line(app, runner, flow):
    made = runner.invoke(args=["clients", "create", "--name", "CAD bridge", "--redirect-uri", OTHER_REDIRECT,
                               "--organisation", "Corcoran Police Department"])
    assert made.exit_code == 0, made.output
    client_id = made.output.split("client_id: ")[1].split()[0]
    with app.app_context():
        from hub.grants.models import OAuthClient
        client = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
        assert client.organisation.name == "Corcoran Police Department"
    unknown = runner.invoke(args=["clients", "create", "--name", "X", "--redirect-uri", OTHER_REDIRECT,
                                  "--organisation", "Nowhere PD"])
    assert unknown.exit_code != 0 and "No organisation named" in unknown.output


def test_a_refused_consent_form_lists_the_problem_tied_to_its_field_and_keeps_the_input(app, flow):
    answer = consent(owner(app), authorize_url(flow, pkce()[1]), {
        "decision": "approve", "camera_ids": [str(flow["gate"])], "hours": "abc", "message": "Only the gate"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "<title>Error: Decide on access request" in page
    assert 'id="error-summary"' in page and '<a href="#hours">' in page
    assert 'aria-describedby="hours-error"' in page and 'value="abc"' in page and 'value="Only the gate"' in page
    assert f'value="{flow["back"]}">' in page and f'value="{flow["gate"]}" checked>' in page
