"""A real OAuth client (Authlib's OAuth2Session) drives the flow against the
running hub: PKCE, consent, token, data, introspection, revocation."""
import json
import re
import secrets

import requests
from authlib.integrations.requests_client import OAuth2Session

from tests.conftest import PASSWORD
from tests.grants.test_oauth import REDIRECT, flow  # noqa: F401  (the fixture)


def test_real_client_against_the_live_hub(live_server, flow):  # noqa: F811
    base = live_server.url()
    session = OAuth2Session(flow["client_id"], flow["secret"], redirect_uri=REDIRECT, code_challenge_method="S256",
                            token_endpoint_auth_method="client_secret_basic")
    verifier = secrets.token_urlsafe(48)
    details = json.dumps([{"type": "alpr_camera_access", "request_id": flow["request"],
                           "cameras": [flow["gate"], flow["back"]]}])
    url, state = session.create_authorization_url(f"{base}/oauth/authorize", code_verifier=verifier,
                                                  authorization_details=details)

    partner = requests.Session()
    login = partner.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    partner.post(f"{base}/login", data={"username": "owner", "password": PASSWORD, "csrf_token": token})
    page = partner.get(url)
    assert page.status_code == 200 and "Robbery" in page.text and "ICR-88" not in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = partner.post(url, data={"csrf_token": csrf, "decision": "approve", "camera_ids": [str(flow["gate"])],
                                     "hours": "24"}, allow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"].startswith(REDIRECT)

    issued = session.fetch_token(f"{base}/oauth/token", authorization_response=answer.headers["Location"],
                                 code_verifier=verifier)
    grant_id = issued["grant_id"]
    data = session.get(f"{base}/api/v1/grants/{grant_id}/reads")
    assert data.status_code == 200 and {r["camera_id"] for r in data.json()} == {flow["gate"]}
    info = session.post(f"{base}/oauth/introspect", data={"token": issued["access_token"]},
                        auth=(flow["client_id"], flow["secret"])).json()
    assert info["active"] is True
    session.revoke_token(f"{base}/oauth/revoke", issued["refresh_token"])
    after = session.get(f"{base}/api/v1/grants/{grant_id}/reads")
    assert after.status_code == 401 and after.json()["code"] == "grant_revoked"
