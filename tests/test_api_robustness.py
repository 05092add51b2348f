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
