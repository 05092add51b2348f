"""One authorization code, twelve clients at once, against the running hub
(its threaded server, real connections): exactly one exchange wins, every
other is a clean invalid_grant, and because those are second redemptions the
tokens the code produced are revoked (RFC 6749 section 4.1.2). Likewise one
refresh token refreshed twelve times at once rotates once."""
import re
import threading
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import func, select

from hub.extensions import db
from hub.grants.models import OAuthToken
from tests.conftest import PASSWORD
from tests.grants.test_oauth import REDIRECT, authorize_url, flow, pkce  # noqa: F401

RACERS = 12


def race(send) -> list[requests.Response]:
    barrier = threading.Barrier(RACERS)
    answers: list = [None] * RACERS

    def one(i):
        barrier.wait()
        answers[i] = send()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def partner_code(live_server, flow, challenge) -> str:
    """The partner signs in to the running hub and grants one camera."""
    partner = requests.Session()
    login = partner.get(live_server.url("/login"), timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    partner.post(live_server.url("/login"), data={"username": "owner", "password": PASSWORD, "csrf_token": token},
                 timeout=30)
    url = live_server.url(authorize_url(flow, challenge))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', partner.get(url, timeout=30).text).group(1)
    answer = partner.post(url, data={"csrf_token": csrf, "decision": "approve", "camera_ids": [str(flow["gate"])],
                                     "hours": "24"}, allow_redirects=False, timeout=30)
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def test_parallel_exchanges_of_one_code_make_one_token(app, live_server, flow):  # noqa: F811
    verifier, challenge = pkce()
    code = partner_code(live_server, flow, challenge)
    answers = race(lambda: requests.post(live_server.url("/oauth/token"), timeout=90, auth=(
        flow["client_id"], flow["secret"]), data={"grant_type": "authorization_code", "code": code,
                                                  "redirect_uri": REDIRECT, "code_verifier": verifier}))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [400] * (RACERS - 1), statuses
    assert all(a.json()["error"] == "invalid_grant" for a in answers if a.status_code == 400)
    winner = next(a.json() for a in answers if a.status_code == 200)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OAuthToken)) == 1
    refused = requests.get(live_server.url(f"/api/v1/grants/{winner['grant_id']}/reads"), timeout=30,
                           headers={"Authorization": f"Bearer {winner['access_token']}"})
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]


def test_parallel_refreshes_of_one_refresh_token_rotate_once(app, live_server, flow):  # noqa: F811
    verifier, challenge = pkce()
    token = requests.post(live_server.url("/oauth/token"), timeout=30, auth=(flow["client_id"], flow["secret"]), data={
        "grant_type": "authorization_code", "code": partner_code(live_server, flow, challenge),
        "redirect_uri": REDIRECT, "code_verifier": verifier}).json()
    answers = race(lambda: requests.post(live_server.url("/oauth/token"), timeout=90, auth=(
        flow["client_id"], flow["secret"]), data={"grant_type": "refresh_token",
                                                  "refresh_token": token["refresh_token"]}))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [400] * (RACERS - 1), statuses
    with app.app_context():
        live = db.session.scalar(select(func.count()).select_from(OAuthToken).where(OAuthToken.revoked_at.is_(None)))
        assert live == 1
