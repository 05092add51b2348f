"""Bad input never gets a 500: every route in the OpenAPI document, with
malformed bodies and query strings, as several roles, a camera and nobody."""
import re

from hub.cameras.credentials import issue_credential
from hub.cameras.models import Camera
from hub.demo.services import load_demo
from hub.extensions import db
from hub.identity import tokens
from hub.identity.services import find_user
from tests.conftest import OPERATOR

JUNK_BODIES = [None, [], "x", {"a": 1}, {"reads": [{"read_id": 1}]}, {"camera_ids": ["a"], "window_start": "bad"},
               {"reason": "x", "sharing_mode": 3}, {"verified": "maybe"}, "{not json"]
JUNK_QUERIES = ["", "?limit=-1", "?after=x", "?since=bad", "?camera_id=a", "?before=0", "?seconds=abc"]
ROLES = ["demo-officer", "demo-hub-admin", "demo-alpr-admin", "demo-partner-admin"]


def test_no_route_answers_bad_input_with_a_server_error(app, client):
    with app.app_context():
        load_demo()
        bearer = {name: tokens.create_token(OPERATOR, find_user(name), name="robustness")[1] for name in ROLES}
        bearer["camera"] = issue_credential(OPERATOR, db.session.get(Camera, 1))[1]
        bearer["nobody"] = None
        db.session.commit()
    spec = client.get("/api/v1/openapi.json").get_json()
    failures = []
    for path, operations in spec["paths"].items():
        for method in operations:
            for n, (who, token) in enumerate(bearer.items()):
                for m, body in enumerate(JUNK_BODIES):
                    url = re.sub(r"\{[^}]+\}", ["1", "999999", "0"][(n + m) % 3], path)
                    url += JUNK_QUERIES[(n * 3 + m) % len(JUNK_QUERIES)]
                    if "stream" in url:
                        url += ("&" if "?" in url else "?") + "seconds=0"
                    kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, str) \
                        else {"json": body}
                    response = client.open(url, method=method.upper(),
                                           headers={"Authorization": f"Bearer {token}"} if token else {}, **kwargs)
                    if response.status_code >= 500:
                        failures.append((method, url, who, body))
    for endpoint in ("/oauth/token", "/oauth/revoke", "/oauth/introspect"):
        for body in ({}, {"grant_type": "x"}, {"token": "y"}, {"grant_type": "authorization_code", "code": "z"}):
            if client.post(endpoint, data=body).status_code >= 500:
                failures.append(("post", endpoint, "-", body))
    assert failures == []


# Decimal text: past 32 bits, past 64 bits, and past the 4,300 digits Python converts.
HUGE = [str(2**31), str(2**63), str(2**64 + 1), "9" * 5000]


def _url_for_rule(rule, value):
    url = rule.rule
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__.lower()
        filled = value if "int" in converter or "number" in converter else "x"
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", filled, url)
    return url


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _walk_bearers(app):
    with app.app_context():
        load_demo()
        bearer = {name: tokens.create_token(OPERATOR, find_user(name), name="robustness")[1] for name in ROLES}
        bearer["camera"] = issue_credential(OPERATOR, db.session.get(Camera, 1))[1]
        bearer["nobody"] = None
        db.session.commit()
    return bearer


def test_no_route_overflows_on_huge_integers(app, client):
    """Every route of the URL map (pages, API, OAuth), with path ids, query
    integers and JSON integers past 32 and 64 bits: a 4xx, never a 500."""
    bearer = _walk_bearers(app)
    failures = []
    for rule, method in _routes(app):
        for n, (who, token) in enumerate(bearer.items()):
            value = HUGE[n % len(HUGE)]
            url = _url_for_rule(rule, value) + f"?offset={value}&after={value}&before={value}" \
                f"&organisation_id={value}&camera_id={value}&seconds=0&limit=1"
            body = f'{{"camera_ids": [{value}], "organisation_id": {value}, "access_hours": {value}, "reads": []}}'
            response = client.open(url, method=method, data=body, content_type="application/json",
                                   headers={"Authorization": f"Bearer {token}"} if token else {})
            if response.status_code >= 500:
                failures.append((method, url, who, response.status_code))
    assert failures == []


def test_nul_bytes_are_refused_at_the_edge_naming_the_field(app, client):
    """A NUL in a query parameter, a form field or a JSON string, on every
    route of the URL map: 422, the hub's error body, the field named."""
    bearer = _walk_bearers(app)
    failures = []
    for rule, method in _routes(app):
        url = _url_for_rule(rule, 1)
        for who in ("nobody", "demo-officer"):
            headers = {"Accept": "application/json",
                       **({"Authorization": f"Bearer {bearer[who]}"} if bearer[who] else {})}
            attempts = [("note", client.open(url + "?note=a%00b", method=method, headers=headers))]
            if method != "GET":
                attempts.append(("reason", client.open(url, method=method, headers=headers,
                                                       json={"reason": "a\x00b", "camera_ids": [1]})))
                attempts.append(("reason", client.open(url, method=method, headers=headers,
                                                       data={"reason": "a\x00b"})))
            for field, response in attempts:
                body = response.get_json(silent=True) or {}
                if response.status_code != 422 or body.get("code") != "invalid_input" \
                        or field not in body.get("errors", {}):
                    failures.append((method, url, who, field, response.status_code))
    assert failures == []


def test_nul_in_a_page_form_is_a_form_error_not_a_server_error(client):
    response = client.post("/login", data={"username": "ofc\x00", "password": "x"},
                           headers={"Accept": "text/html"})
    assert response.status_code == 422 and "username" in response.get_data(as_text=True)


def test_refusal_with_a_huge_camera_id_does_not_overflow(app, client):
    """An access request naming a camera id past the column's range is
    refused at the edge, before any refusal with that id is ledgered."""
    from hub.ledger.models import LedgerEntry
    from sqlalchemy import func, select
    bearer = _walk_bearers(app)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    for value in HUGE[:3]:
        response = client.post("/api/v1/access-requests", headers={"Authorization": f"Bearer {bearer['demo-officer']}"},
                               json={"camera_ids": [int(value)], "case_number": "ICR-1", "offense_type": "theft",
                                     "factual_basis": "seen", "window_start": "2026-11-01T00:00:00Z",
                                     "window_end": "2026-11-02T00:00:00Z", "access_hours": 24})
        assert response.status_code == 422 and "camera_ids.0" in response.get_json()["errors"]
        assert client.get(f"/api/v1/cameras/{value}",
                          headers={"Authorization": f"Bearer {bearer['demo-officer']}"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == before
