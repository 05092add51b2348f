"""Defects that fuzzing the API found, each kept found: a camera paused
through the API, a duplicate name in any alphabet, refusals before CSRF,
strict booleans, a missing body, control characters, one error shape."""
import pytest

from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.identity import tokens
from hub.identity.roles import Role
from tests.conftest import OPERATOR, make_camera, make_partner, make_user

CAMERA = {"name": "Gate", "location_description": "The gate", "latitude": 45.1, "longitude": -93.5,
          "direction": "inbound", "fixed": True, "installed_on": "2026-11-01"}


@pytest.fixture
def owner(app):
    """A partner admin's bearer header and a camera of theirs."""
    with app.app_context():
        hoa = make_partner()
        user = make_user("owner", Role.PARTNER_ADMIN, hoa)
        camera = make_camera(hoa, "Gate")
        set_sharing_mode(user, camera, SharingMode.SHARED, reason="setup")
        secret = tokens.create_token(OPERATOR, user, name="edges")[1]
        from hub.extensions import db
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}, camera.id


def test_a_camera_is_paused_and_resumed_through_the_api(client, owner):
    headers, camera = owner
    for status in ("paused", "active"):
        response = client.patch(f"/api/v1/cameras/{camera}", json={"status": status, "reason": "maintenance"},
                                headers=headers)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == status
        assert client.get(f"/api/v1/cameras/{camera}", headers=headers).get_json()["status"] == status


@pytest.mark.parametrize("first, second", [("École Nord", "école nord"), ("Straße", "STRASSE"), ("Side gate", "SIDE GATE")])
def test_a_duplicate_camera_name_in_any_alphabet_is_refused(client, owner, first, second):
    headers, _ = owner
    assert client.post("/api/v1/cameras", json={**CAMERA, "name": first}, headers=headers).status_code == 201
    response = client.post("/api/v1/cameras", json={**CAMERA, "name": second}, headers=headers)
    assert response.status_code == 422 and "name" in response.get_json()["errors"]


@pytest.mark.parametrize("method, path", [("POST", "/api/v1/cameras"), ("PATCH", "/api/v1/cameras/1"),
                                          ("POST", "/api/v1/holds"), ("POST", "/api/v1/alerts/1/decision"),
                                          ("PATCH", "/api/v1/settings")])
def test_unauthenticated_unsafe_requests_are_401_not_a_csrf_failure(client, method, path):
    for body in ({}, CAMERA, None):
        response = client.open(path, method=method, json=body)
        assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_method_a_route_does_not_take_is_405_before_any_csrf_check(client):
    response = client.delete("/api/v1/cameras")
    assert response.status_code == 405 and response.get_json()["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_a_signed_in_session_still_needs_its_csrf_token(app, client, owner):
    from tests.conftest import sign_in
    sign_in(client, "owner")
    response = client.post("/api/v1/cameras", json=CAMERA)
    assert response.status_code == 400 and response.get_json()["code"] == "csrf_failed"


@pytest.mark.parametrize("value", [1, 0, "true", "yes", None])
def test_a_boolean_field_takes_only_true_or_false(client, owner, value):
    headers, camera = owner
    response = client.patch(f"/api/v1/cameras/{camera}", json={"fixed": value, "reason": "x"}, headers=headers)
    assert response.status_code == 422 and "fixed" in response.get_json()["errors"]


@pytest.mark.parametrize("path", ["/api/v1/settings", "/api/v1/cameras"])
def test_a_required_body_that_is_missing_is_refused(app, client, path):
    with app.app_context():
        admin = make_user("admin", Role.HUB_ADMIN)
        secret = tokens.create_token(OPERATOR, admin, name="edges")[1]
        from hub.extensions import db
        db.session.commit()
    method = "PATCH" if path.endswith("settings") else "POST"
    response = client.open(path, method=method, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 422 and response.get_json()["errors"] == {"body": ["Send the JSON body."]}


@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "a\x1bb", "a\x85b", "a\x7fb"])
def test_control_characters_are_refused_at_the_edge(client, owner, text):
    headers, camera = owner
    response = client.patch(f"/api/v1/cameras/{camera}", json={"vendor": text, "reason": "x"}, headers=headers)
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_input"
    assert "vendor" in response.get_json()["errors"]
    assert client.get(f"/api/v1/cameras?status={text}", headers=headers).status_code == 422


def test_tabs_and_line_breaks_are_text(client, owner):
    headers, camera = owner
    response = client.patch(f"/api/v1/cameras/{camera}", json={"vendor": "Acme\tUnit", "reason": "new\r\nunit"},
                            headers=headers)
    assert response.status_code == 200


def test_every_error_has_one_shape(client, owner):
    """A field error, a refusal with facts (the scope it needs) and a policy
    refusal (its rules) all give `errors` as an object of lists."""
    headers, camera = owner
    bodies = [client.patch(f"/api/v1/cameras/{camera}", json={"reason": ""}, headers=headers).get_json(),
              client.get("/api/v1/search?plate=ABC", headers=headers).get_json(),
              client.get("/api/v1/nothing").get_json()]
    for body in bodies:
        assert set(body) == {"code", "message", "errors"} and isinstance(body["code"], str)
        assert isinstance(body["errors"], dict)
        assert all(isinstance(value, (list, dict)) for value in body["errors"].values()), body
