"""Interoperability, kept in the suite: a client library the hub does not use
(requests-oauthlib, over plain HTTP to the running hub) drives the whole
flow: discovery (checked against RFC 8414's fields), the officer's request,
the chief's approval, the client's consent link with the README's
authorization_details, the partner's consent to fewer cameras, code exchange
with client_secret_basic and with client_secret_post, reads, refresh,
introspection, revocation and refusal."""
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests_oauthlib import OAuth2Session

from hub.clock import utcnow
from hub.extensions import db
from hub.identity import tokens
from hub.identity.services import find_user
from tests.conftest import PASSWORD
from tests.grants.test_oauth import REDIRECT, flow  # noqa: F401  (the fixture)
from tests.conftest import OPERATOR

RFC8414_URLS = ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "introspection_endpoint")
RFC8414_ARRAYS = ("scopes_supported", "response_types_supported", "response_modes_supported",
                  "grant_types_supported", "token_endpoint_auth_methods_supported",
                  "revocation_endpoint_auth_methods_supported", "introspection_endpoint_auth_methods_supported",
                  "code_challenge_methods_supported")


def check_rfc8414(meta: dict, discovered_at: str) -> None:
    """RFC 8414 section 2 (fields and their types) and 3.3 (the issuer is the
    address the metadata was discovered under)."""
    issuer = urlsplit(meta["issuer"])
    assert issuer.scheme in ("http", "https") and not issuer.query and not issuer.fragment
    assert meta["issuer"] + "/.well-known/oauth-authorization-server" == discovered_at
    for name in ("authorization_endpoint", "token_endpoint", "response_types_supported"):
        assert name in meta, f"{name} is REQUIRED"
    for name in RFC8414_URLS:
        parts = urlsplit(meta[name])
        assert parts.scheme == issuer.scheme and parts.netloc == issuer.netloc and not parts.fragment, name
    for name in RFC8414_ARRAYS:
        assert isinstance(meta.get(name, []), list) and all(isinstance(v, str) for v in meta.get(name, [])), name
    assert "code" in meta["response_types_supported"]
    assert "authorization_code" in meta["grant_types_supported"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert {"client_secret_basic", "client_secret_post"} <= set(meta["token_endpoint_auth_methods_supported"])
    assert meta["authorization_response_iss_parameter_supported"] is True  # RFC 9207
    assert meta["authorization_details_types_supported"] == ["alpr_camera_access"]  # RFC 9396


@pytest.fixture
def bearers(app, flow):  # noqa: F811
    """Personal API tokens for the officer and the chief."""
    with app.app_context():
        made = {name: tokens.create_token(OPERATOR, find_user(name), name="interop")[1] for name in ("ofc", "chief")}
        db.session.commit()
        return made


class Hub:
    def __init__(self, base: str, flow: dict, bearers: dict, meta: dict) -> None:  # noqa: F811
        self.base, self.flow, self.bearers, self.meta = base, flow, bearers, meta
        self.partner = requests.Session()
        login = self.partner.get(f"{base}/login", timeout=30).text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        self.partner.post(f"{base}/login", data={"username": "owner", "password": PASSWORD, "csrf_token": csrf},
                          timeout=30)

    def approved_request(self) -> int:
        now = utcnow()
        asked = requests.post(f"{self.base}/api/v1/access-requests", timeout=30, headers=self._as("ofc"), json={
            "camera_ids": [self.flow["gate"], self.flow["back"]], "case_number": "ICR-2026-0412",
            "offense_type": "burglary", "factual_basis": "Vehicle seen leaving the scene at 02:10",
            "window_start": (now - timedelta(hours=40)).isoformat(),
            "window_end": (now - timedelta(hours=1)).isoformat(), "access_hours": 48})
        assert asked.status_code == 201, asked.text
        request_id = asked.json()["id"]
        approved = requests.post(f"{self.base}/api/v1/access-requests/{request_id}/decision", timeout=30,
                                 headers=self._as("chief"), json={"approve": True, "finding": "Pertinent."})
        assert approved.status_code == 200 and approved.json()["status"] == "awaiting_partner", approved.text
        return request_id

    def _as(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.bearers[who]}"}

    def consent_for(self, session: OAuth2Session, request_id: int, window: dict) -> str:
        """The client builds the authorisation address (the README's
        authorization_details), hands it to the hub; the partner follows the
        message's link and grants one camera of two. Returns the redirect."""
        details = json.dumps([{"type": "alpr_camera_access", "request_id": request_id,
                               "cameras": [self.flow["gate"], self.flow["back"]], "window": window}])
        url, _ = session.authorization_url(self.meta["authorization_endpoint"], authorization_details=details)
        handed = requests.post(f"{self.base}/api/v1/access-requests/{request_id}/consent-link", timeout=30,
                               auth=(self.flow["client_id"], self.flow["secret"]), json={"authorization_url": url})
        assert handed.status_code == 200, handed.text
        assert handed.json()["oauth_client"]["client_id"] == self.flow["client_id"]
        page = self.partner.get(f"{self.base}/grants/requests/{request_id}/consent", timeout=30)
        assert page.status_code == 200 and "Burglary" in page.text and "Records" in page.text
        assert "ICR-2026-0412" not in page.text  # the partner never sees the case number,
        assert "Vehicle seen leaving" not in page.text  # nor the factual basis
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = self.partner.post(page.url, allow_redirects=False, timeout=30, data={
            "csrf_token": csrf, "decision": "approve", "camera_ids": [str(self.flow["gate"])], "hours": "24"})
        assert answer.status_code == 302 and answer.headers["Location"].startswith(REDIRECT)
        assert parse_qs(urlsplit(answer.headers["Location"]).query)["iss"] == [self.meta["issuer"]]
        return answer.headers["Location"]


def test_requests_oauthlib_drives_the_whole_flow(live_server, flow, bearers, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the test server speaks plain HTTP
    base = live_server.url()
    discovered_at = f"{base}/.well-known/oauth-authorization-server"
    meta = requests.get(discovered_at, timeout=30).json()
    check_rfc8414(meta, discovered_at)
    hub = Hub(base, flow, bearers, meta)
    client_id, secret = flow["client_id"], flow["secret"]
    window = {"start": (utcnow() - timedelta(hours=30)).isoformat(), "end": (utcnow() - timedelta(hours=2)).isoformat()}

    # client_secret_basic
    session = OAuth2Session(client_id, redirect_uri=REDIRECT, pkce="S256")
    redirect = hub.consent_for(session, hub.approved_request(), window)
    token = session.fetch_token(meta["token_endpoint"], authorization_response=redirect, client_secret=secret)
    grant_id = token["grant_id"]
    assert token["authorization_details"][0]["cameras"] == [flow["gate"]]
    got = session.get(f"{base}/api/v1/grants/{grant_id}/reads", timeout=30)
    assert got.status_code == 200 and {r["camera_id"] for r in got.json()} == {flow["gate"]}
    first_access = token["access_token"]
    refreshed = session.refresh_token(meta["token_endpoint"], auth=(client_id, secret))
    assert refreshed["access_token"] != first_access
    old = requests.get(f"{base}/api/v1/grants/{grant_id}/reads", timeout=30,
                       headers={"Authorization": f"Bearer {first_access}"})
    assert old.status_code == 401 and old.json()["code"] == "token_rotated"
    assert old.headers["WWW-Authenticate"].startswith('Bearer realm="hub", error="invalid_token"')
    assert session.get(f"{base}/api/v1/grants/{grant_id}/reads", timeout=30).status_code == 200
    info = requests.post(meta["introspection_endpoint"], data={"token": refreshed["access_token"]},
                         auth=(client_id, secret), timeout=30).json()
    assert info["active"] is True and info["grant_id"] == grant_id

    # client_secret_post, on a second request
    posting = OAuth2Session(client_id, redirect_uri=REDIRECT, pkce="S256")
    redirect = hub.consent_for(posting, hub.approved_request(), window)
    second = posting.fetch_token(meta["token_endpoint"], authorization_response=redirect, client_secret=secret,
                                 include_client_id=True)
    assert second["grant_id"] != grant_id
    revoked = requests.post(meta["revocation_endpoint"], timeout=30, data={
        "token": second["refresh_token"], "client_id": client_id, "client_secret": secret})
    assert revoked.status_code == 200
    gone = posting.get(f"{base}/api/v1/grants/{second['grant_id']}/reads", timeout=30)
    assert gone.status_code == 401 and gone.json()["code"] == "grant_revoked"
    assert 'error="invalid_token"' in gone.headers["WWW-Authenticate"]
    assert requests.post(meta["introspection_endpoint"], data={"token": second["access_token"]}, timeout=30,
                         auth=(client_id, secret)).json() == {"active": False}

    # refusal: a client that does not authenticate
    refused = requests.post(meta["token_endpoint"], timeout=30, data={
        "grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"], "client_id": client_id,
        "client_secret": "wrong"})
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert refused.headers["WWW-Authenticate"].startswith("Basic realm=")
