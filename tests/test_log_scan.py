"""No plate, secret, token, case number or factual basis in any log line,
tracebacks included. A full flow runs against the hub as it serves (a
server error is logged, not raised into the test), with odd input at every
step: sign-ins with wrong passwords, bad and broken tokens, reads with
control characters, huge numbers, bad images and fields the law forbids,
searches, an access request through its OAuth grant and its use, a hotlist
entry and a hot file, and a database error that names a plate. Every log
record made meanwhile, at every level, by every logger, is then read: as
pytest captured it (caplog, with tracebacks) and as the hub's own handler
(the root logger's stream) wrote it."""
import base64
import logging
from datetime import timedelta

import pyotp
import pytest

from hub.cameras.credentials import issue_credential
from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.extensions import db
from hub.grants.clients import create_client
from hub.identity import tokens
from hub.identity.services import find_user
from tests.conftest import OPERATOR, PASSWORD, sign_in
from tests.grants.test_oauth import REDIRECT, exchange, granted_token
from tests.network import KINDS, PEOPLE, TAGS, build_network, plate

CASE = "ICR-QUOKKA-4471"
BASIS = "Grey van seen leaving the quarry at dusk"
FINDING = "Pertinent: the van matches the witness account"
PLATES = ("QKA4471", "ZZT9Q2", "LOG7Q1")
WRONG_PASSWORD = "not-the-password-marmot-77"


@pytest.fixture
def hub(served):
    _a_database_error_naming_a_plate(served)
    return served


def _bearer(value: str) -> dict:
    return {"Authorization": f"Bearer {value}"}


def full_flow(app) -> list[str]:
    """Runs the flow; returns every secret value it used or was given."""
    secrets = [PASSWORD, WRONG_PASSWORD, CASE, BASIS, FINDING, *PLATES]
    with app.app_context():
        network = build_network("none")
        cameras = network["cameras"]
        people = {name: tokens.create_token(OPERATOR, find_user(name), name="flow")[1] for name in PEOPLE}
        credential = issue_credential(OPERATOR, db.session.get(Camera, cameras["shared"]))[1]
        client, client_secret = create_client(OPERATOR, name="Records", redirect_uris=[REDIRECT])
        client_id = client.client_id
        db.session.commit()
    secrets += [*people.values(), credential, client_secret, *(s for s in network["totp"].values() if s)]
    secrets += [plate(kind, camera) for kind in KINDS for camera in TAGS] + ["ICR-1"]

    guest = app.test_client()
    for name in ("officer", "chief", "owner"):
        sign_in(guest, name, WRONG_PASSWORD)
        sign_in(guest, name, PASSWORD, network["totp"][name])
        guest.post("/logout")
    guest.post("/login", data={"username": "officer\x00", "password": PASSWORD})

    now = utcnow()
    reads = [{"read_id": "flow-1", "plate": PLATES[0], "captured_at": now.isoformat(), "confidence": 0.99},
             {"read_id": "flow-2", "plate": PLATES[1] + "\x07", "captured_at": now.isoformat()},
             {"read_id": "flow-3", "plate": PLATES[2], "captured_at": "yesterday", "plate_image": "%%%"},
             {"read_id": "flow-4", "plate": PLATES[2], "captured_at": now.isoformat(), "driver_name": "Ann"},
             {"read_id": 2**70, "plate": PLATES[1], "captured_at": now.isoformat()}]
    for batch in ([reads[0]], reads[1:], {"reads": reads}, {"reads": reads[3:]}):
        body = batch if isinstance(batch, dict) else {"reads": batch}
        guest.post("/api/v1/reads", json=body, headers=_bearer(credential))
        guest.post("/api/v1/reads", json=body, headers=_bearer(credential + "x"))

    officer, chief, sergeant = _bearer(people["officer"]), _bearer(people["chief"]), _bearer(people["sergeant"])
    guest.get("/api/v1/me", headers=_bearer(people["officer"][:-2]))
    for plate_query in (PLATES[0], PLATES[0][:3] + "*", PLATES[1] + "\x00", "9" * 5000):
        guest.get("/api/v1/search", query_string={"plate": plate_query, "reason": "burglary",
                                                  "case_number": CASE, "basis": BASIS}, headers=officer)
    guest.post("/api/v1/hotlists/entries", headers=sergeant, json={
        "plate": PLATES[2], "reason_category": "stolen_vehicle", "case_number": CASE, "priority": "high",
        "expires_on": (now + timedelta(days=3)).date().isoformat(), "instructions": BASIS})
    hot_file = f"plate,state,reason,case_number,priority,expires\n{PLATES[1]},MN,stolen_vehicle,{CASE},high,x\n"
    guest.post("/api/v1/hotlists/imports", headers=sergeant, data={"file": (hot_file.encode(), "hot.csv")},
               content_type="multipart/form-data")

    request = guest.post("/api/v1/access-requests", headers=officer, json={
        "camera_ids": [cameras["private"], cameras["alerts_only"]], "case_number": CASE, "offense_type": "burglary",
        "factual_basis": BASIS, "window_start": (now - timedelta(hours=10)).isoformat(),
        "window_end": (now - timedelta(hours=1)).isoformat(), "access_hours": 24}).get_json()
    guest.post(f"/api/v1/access-requests/{request['id']}/decision", headers=officer,
               json={"approve": True, "finding": FINDING})
    guest.post(f"/api/v1/access-requests/{request['id']}/decision", headers=chief,
               json={"approve": True, "finding": FINDING})
    flow = {"client_id": client_id, "secret": client_secret, "request": request["id"],
            "gate": cameras["private"], "back": cameras["alerts_only"]}
    token = granted_token(app, flow)
    secrets += [token["access_token"], token["refresh_token"]]
    guest.get(f"/api/v1/grants/{token.get('grant_id', 1)}/reads", headers=_bearer(token["access_token"]))
    guest.get("/api/v1/grants/1/reads", headers=_bearer(token["access_token"] + "x"))
    exchange(guest, flow, "a-code-that-never-was", "verifier")
    exchange(guest, {**flow, "secret": client_secret[::-1]}, "another-code", "verifier")
    basic = {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()}
    guest.post("/oauth/introspect", data={"token": token["access_token"]}, headers=basic)
    guest.post("/oauth/revoke", data={"token": token["refresh_token"]}, headers=basic)
    guest.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
               headers=basic)

    assert guest.get("/flow/duplicate-read").status_code == 500
    return secrets + [pyotp.TOTP(s).now() for s in network["totp"].values() if s]


def _a_database_error_naming_a_plate(app):
    """A read stored twice: the database refuses it, naming the key (on
    PostgreSQL its DETAIL line repeats the values)."""
    from sqlalchemy import select

    from hub.reads.models import Read

    @app.route("/flow/duplicate-read")
    def duplicate_read():
        read = db.session.scalar(select(Read).order_by(Read.id).limit(1))
        copy = Read(**{column.key: getattr(read, column.key) for column in Read.__table__.columns})
        db.session.add(copy)
        db.session.flush()
        return "unreachable"


def test_no_secret_reaches_any_log_line(hub, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    secrets = full_flow(hub)
    logged = caplog.text + "".join(capfd.readouterr())
    assert "Exception on /flow/duplicate-read" in logged and "IntegrityError" in logged  # tracebacks were read
    found = sorted({secret for secret in secrets if secret and secret in logged})
    assert found == [], f"in the logs: {found}"
    half_tokens = sorted({secret for secret in secrets if len(secret) > 20 and secret[-16:] in logged})
    assert half_tokens == []
