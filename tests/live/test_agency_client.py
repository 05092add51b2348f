"""The demo agency's own system against the running hub: it hands the
consent link of an approved request, receives the partner's code at its own
redirect, exchanges it and shows the granted reads; after the owner revokes,
it shows the refusal."""
import re
import threading
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import make_server

from hub.clock import utcnow
from hub.demo.agency_client import ClientSettings, create_client_app
from hub.extensions import db
from hub.grants.clients import create_client
from hub.grants.requests import create_request, decide_request
from hub.grants.revocation import revoke_grant
from hub.grants.models import Grant
from hub.identity.roles import Role
from hub.identity.services import find_user
from hub.reads.ingest import ingest_batch
from tests.conftest import (OPERATOR, PASSWORD, free_port, make_camera, make_organisation, make_partner,
                            make_user)




@pytest.fixture
def agency_client(app, live_server, tmp_path):
    client_url = f"http://127.0.0.1:{free_port()}"
    with app.app_context():
        agency = make_organisation()
        chief = make_user("chief", Role.CHIEF, agency, totp=True)
        officer = make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
        hoa = make_partner()
        make_user("owner", Role.PARTNER_ADMIN, hoa)
        gate, back = make_camera(hoa, "Gate"), make_camera(hoa, "Back")
        now = utcnow()
        for camera in (gate, back):
            ingest_batch(camera, [{"read_id": f"{camera.name}-1", "plate": f"{camera.name.upper()[:4]}1",
                                   "captured_at": (now - timedelta(hours=3)).isoformat()}])
        client, secret = create_client(OPERATOR, name="Corcoran records system (demo)",
                                       redirect_uris=[f"{client_url}/callback"], organisation=agency)
        request = create_request(officer, camera_ids=[gate.id, back.id], case_number="ICR-90", offense_type="burglary",
                                 factual_basis="Seen leaving", window_start=now - timedelta(hours=10),
                                 window_end=now - timedelta(hours=1), access_hours=24)
        decide_request(chief, request, approve=True, finding="Pertinent")
        db.session.commit()
        ids = {"request": request.id, "gate": gate.id, "back": back.id, "client_id": client.client_id}
    settings = ClientSettings(hub_url=app.config["BASE_URL"], own_url=client_url, client_id=ids["client_id"],
                              client_secret=secret, store=tmp_path / "agency-client.json")
    client_app = create_client_app(settings)
    server = make_server("127.0.0.1", int(client_url.rsplit(":", 1)[1]), client_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": client_url, "client": client_app.extensions["agency_client"], **ids}
    server.shutdown()


def test_the_shipped_client_walks_consent_reads_and_revocation(app, live_server, agency_client):
    hub = app.config["BASE_URL"]
    assert agency_client["client"].poll() == 1
    assert agency_client["client"].poll() == 0  # handed once
    partner = requests.Session()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', partner.get(f"{hub}/login").text).group(1)
    partner.post(f"{hub}/login", data={"username": "owner", "password": PASSWORD, "csrf_token": csrf})
    messages = partner.get(f"{hub}/notifications").text
    link = re.search(r'href="(/grants/requests/\d+/consent)"', messages).group(1)
    page = partner.get(f"{hub}{link}")
    assert page.status_code == 200 and "Corcoran records system (demo)" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    landed = partner.post(page.url, data={"csrf_token": csrf, "decision": "approve",
                                          "camera_ids": [str(agency_client["gate"])], "hours": "24"})
    assert landed.url.startswith(agency_client["url"]) and "granted" in landed.text
    assert "GATE1" in landed.text and "BACK1" not in landed.text  # fewer cameras than asked: only those
    with app.app_context():
        grant = db.session.scalar(db.select(Grant))
        revoke_grant(find_user("owner"), grant, reason="Board decision")
        db.session.commit()
    after = requests.get(agency_client["url"]).text
    assert "revoked" in after and "GATE1" not in after
    assert "ended: The owner has revoked this grant." in requests.get(agency_client["url"]).text
