"""The demo agency's own system: a small OAuth client of the hub, run beside
it by `hub demo agency-client`, so the consent story can be walked in a
browser. It is a client like any agency's, using Authlib's client over HTTP
and nothing of the hub's code or database: it polls the hub for approved
requests, hands each one's consent link (PKCE, RFC 9396 details), receives
the code at its own redirect, checks `state` and the RFC 9207 `iss`,
exchanges the code, and shows the officer the granted reads."""
from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import Flask, abort, redirect, render_template_string, request

POLL_SECONDS = 3

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Corcoran records system (demo)</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left}.muted{color:#555}</style></head>
<body><main><h1>Corcoran records system (demo)</h1>
<p class="muted">The agency's own system, an OAuth client of the hub at <a href="{{ hub }}">{{ hub }}</a>.
It hands each approved request's consent link to the hub and, once the partner consents, reads what was granted.</p>
{% if message %}<p role="status"><strong>{{ message }}</strong></p>{% endif %}
<h2>Requests</h2>
<table id="client-requests"><caption>Approved requests this system carries to the partner</caption>
<tr><th scope="col">Request</th><th scope="col">State</th><th scope="col">Grant</th></tr>
{% for r in requests %}<tr><td>{{ r.request_id }}</td><td>{{ r.state }}</td><td>{{ r.grant_id or '' }}</td></tr>
{% else %}<tr><td colspan="3" class="muted">None yet: once the chief approves a request it appears here.</td></tr>{% endfor %}</table>
{% for g in grants %}<h2>Reads granted under grant {{ g.grant_id }}</h2>
{% if g.error %}<p id="grant-{{ g.grant_id }}-refused"><strong>Refused:</strong> {{ g.error }}</p>{% else %}
<table id="grant-{{ g.grant_id }}-reads"><tr><th scope="col">Time (UTC)</th><th scope="col">Plate</th><th scope="col">Camera</th></tr>
{% for read in g.reads %}<tr><td>{{ read.captured_at }}</td><td>{{ read.plate }}</td><td>{{ read.camera_id }}</td></tr>
{% else %}<tr><td colspan="3" class="muted">No reads in the granted window.</td></tr>{% endfor %}</table>{% endif %}
{% endfor %}</main></body></html>"""


@dataclass(frozen=True)
class ClientSettings:
    hub_url: str  # the hub's public address (its OAuth issuer)
    own_url: str  # where this client is served; its redirect is own_url + "/callback"
    client_id: str
    client_secret: str
    store: Path  # this client's own records: verifiers, states, tokens

    @property
    def redirect_uri(self) -> str:
        return f"{self.own_url}/callback"


class AgencyClient:
    """The client's work, apart from its pages: polling, links, exchange, reads."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()

    def _load(self) -> dict:
        if self.settings.store.exists():
            return json.loads(self.settings.store.read_text())
        return {"requests": {}}

    def _save(self, data: dict) -> None:
        temporary = self.settings.store.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        temporary.replace(self.settings.store)

    def _auth(self) -> tuple[str, str]:
        return self.settings.client_id, self.settings.client_secret

    def poll(self) -> int:
        """Hand the consent link of every approved request waiting for one."""
        waiting = requests.get(f"{self.settings.hub_url}/api/v1/access-requests/awaiting-link", auth=self._auth(),
                               timeout=10)
        waiting.raise_for_status()
        handed = 0
        for item in waiting.json():
            with self._lock:
                data = self._load()
                verifier, state = generate_token(64), secrets.token_urlsafe(24)
                session = OAuth2Session(self.settings.client_id, redirect_uri=self.settings.redirect_uri)
                url, _ = session.create_authorization_url(
                    f"{self.settings.hub_url}/oauth/authorize", state=state,
                    code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256",
                    authorization_details=json.dumps([{"type": "alpr_camera_access", "request_id": item["id"]}]))
                answer = requests.post(f"{self.settings.hub_url}/api/v1/access-requests/{item['id']}/consent-link",
                                       json={"authorization_url": url}, auth=self._auth(), timeout=10)
                if answer.status_code != 200:
                    continue
                data["requests"][str(item["id"])] = {"request_id": item["id"], "state": "sent to the partner",
                                                     "oauth_state": state, "verifier": verifier}
                self._save(data)
                handed += 1
        return handed

    def receive(self, args) -> str:
        """The partner's answer at the redirect: the code exchanged, or the decline."""
        with self._lock:
            data = self._load()
            entry = next((r for r in data["requests"].values() if r.get("oauth_state") == args.get("state")), None)
            if entry is None:
                return "The answer names no request this system sent (state mismatch): ignored."
            if args.get("iss") != self.settings.hub_url:
                return "The answer does not come from the hub this system trusts (iss mismatch): ignored."
            if args.get("error"):
                entry["state"] = "declined by the partner" if args["error"] == "access_denied" else args["error"]
                entry.pop("oauth_state", None)
                self._save(data)
                return f"Request {entry['request_id']}: {entry['state']}."
            session = OAuth2Session(self.settings.client_id, self.settings.client_secret,
                                    redirect_uri=self.settings.redirect_uri,
                                    token_endpoint_auth_method="client_secret_basic")
            token = session.fetch_token(f"{self.settings.hub_url}/oauth/token", grant_type="authorization_code",
                                        code=args["code"], code_verifier=entry.pop("verifier"))
            entry.update(state="granted", grant_id=token["grant_id"], token=dict(token))
            entry.pop("oauth_state", None)
            self._save(data)
            return f"Request {entry['request_id']}: granted (grant {token['grant_id']})."

    def grants(self) -> list[dict]:
        """Each grant's reads, read with its token now (refreshed when due)."""
        shown = []
        with self._lock:
            data = self._load()
            for entry in data["requests"].values():
                if "token" not in entry:
                    continue
                session = OAuth2Session(self.settings.client_id, self.settings.client_secret,
                                        token=entry["token"], token_endpoint_auth_method="client_secret_basic")
                if entry["token"].get("expires_at", 0) < time.time() + 30 and entry["token"].get("refresh_token"):
                    try:
                        entry["token"] = dict(session.refresh_token(f"{self.settings.hub_url}/oauth/token"))
                    except OAuthError as error:  # the hub refused (revoked, expired): shown, not raised
                        entry["state"] = "ended: the hub refuses its tokens"
                        shown.append({"grant_id": entry["grant_id"], "error": str(error), "reads": []})
                        continue
                answer = session.get(f"{self.settings.hub_url}/api/v1/grants/{entry['grant_id']}/reads", timeout=10)
                if answer.status_code == 200:
                    shown.append({"grant_id": entry["grant_id"], "reads": answer.json(), "error": None})
                else:
                    body = answer.json() if answer.headers.get("Content-Type", "").startswith("application/json") else {}
                    message = body.get("message") or f"HTTP {answer.status_code}"
                    entry["state"] = f"ended: {message}"
                    shown.append({"grant_id": entry["grant_id"], "reads": [], "error": message})
            self._save(data)
        return shown

    def requests_seen(self) -> list[dict]:
        return sorted(self._load()["requests"].values(), key=lambda r: r["request_id"])


def create_client_app(settings: ClientSettings) -> Flask:
    client = AgencyClient(settings)
    app = Flask(__name__)
    app.extensions["agency_client"] = client

    @app.get("/")
    def index():
        return render_template_string(PAGE, hub=settings.hub_url, requests=client.requests_seen(),
                                      grants=client.grants(), message=request.args.get("message"))

    @app.get("/callback")
    def callback():
        if not request.args.get("state"):
            abort(400)
        return redirect(f"/?message={requests.utils.quote(client.receive(request.args))}")

    return app


def poll_forever(client: AgencyClient, stop: threading.Event) -> None:
    """Hand links as approvals come; a hub not up yet is tried again."""
    while not stop.wait(POLL_SECONDS):
        try:
            client.poll()
        except requests.RequestException:
            continue
