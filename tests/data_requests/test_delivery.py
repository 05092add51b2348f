"""Delivery: the requester's link expires and works once, each person or
system downloads once, every download is ledgered; and the pages that get
a request there: the queues, the chief's decision form, the requester's
download button."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.clock import clock, utcnow
from hub.data_requests import package
from hub.data_requests.decisions import decide
from hub.data_requests.models import DataRequest, Decision
from hub.extensions import db
from hub.identity import tokens
from hub.ledger import signing
from hub.ledger.models import LedgerEntry
from tests.conftest import OPERATOR, csrf_from, make_user, sign_in
from tests.data_requests.conftest import agency_world, bearer, make_requester, prepared


@pytest.fixture
def released(app):
    with app.app_context():
        world = agency_world()
        request = prepared(world)
        decide(world["chief"], request, decision=Decision.APPROVED, reasonable_suspicion=True, finding="Pertinent.")
        colleague = make_user("rogers-2", world["requester"].role, world["requester"].organisation)
        made = {"id": request.id, "cameras": world["cameras"],
                "token": tokens.create_token(OPERATOR, world["requester"], name="t")[1],
                "colleague": tokens.create_token(OPERATOR, colleague, name="t")[1],
                "stranger": tokens.create_token(OPERATOR, make_requester("maple", "Maple Grove PD"), name="t")[1]}
        db.session.commit()
        return made


def link(client, request_id, token):
    return client.post(f"/api/v1/requests/{request_id}/download-link", headers=bearer(token))


def test_a_link_works_once_for_its_holder_and_each_download_is_ledgered(app, client, released):
    issued = link(client, released["id"], released["token"])
    assert issued.status_code == 201, issued.get_json()
    url = issued.get_json()["url"].replace("http://localhost", "")
    assert client.get(url, headers=bearer(released["colleague"])).status_code == 410  # not theirs
    got = client.get(url, headers=bearer(released["token"]))
    assert got.status_code == 200 and got.mimetype == "application/zip"
    with app.app_context():
        verified = package.verify(got.data, signing.verifier_keys(), signing.origin())
        assert verified.manifest["request"]["id"] == released["id"]
        assert got.headers["X-Package-SHA256"] == db.session.get(DataRequest, released["id"]).package_sha256
    again = client.get(url, headers=bearer(released["token"]))
    assert again.status_code == 410 and again.get_json()["code"] == "download_link_unusable"
    second = link(client, released["id"], released["token"])
    assert second.status_code == 409 and "downloaded this package already" in second.get_json()["message"]
    assert link(client, released["id"], released["stranger"]).status_code == 404
    with app.app_context():
        downloads = db.session.scalars(select(LedgerEntry).where(
            LedgerEntry.action == "data_request.package_downloaded")).all()
        assert len(downloads) == 1
        assert set(released["cameras"][k] for k in ("city", "shared")) == set(
            __import__("json").loads(downloads[0].details)["cameras"])
        refusals = db.session.scalars(select(LedgerEntry.action).where(
            LedgerEntry.action == "data_request.download.refused")).all()
        assert len(refusals) == 3


def test_a_link_expires(client, released):
    url = link(client, released["id"], released["colleague"]).get_json()["url"].replace("http://localhost", "")
    clock.freeze(utcnow() + timedelta(minutes=31))
    late = client.get(url, headers=bearer(released["colleague"]))
    assert late.status_code == 410 and "expired" in late.get_json()["message"]


def test_the_chief_decides_on_the_page_and_the_requester_downloads_from_theirs(app, client):
    with app.app_context():
        world = agency_world()
        request_id = prepared(world).id
        chief_secret = world["chief"].totp_secret
        db.session.commit()
    sign_in(client, "chief", totp_secret=chief_secret)
    queue = client.get("/requests/queue/decisions").get_data(as_text=True)
    assert f"/requests/{request_id}" in queue and "Data requests to decide" in client.get("/").get_data(as_text=True)
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert 'id="decide"' in page and "ABC123" in page
    token = csrf_from(page)
    empty = client.post(f"/requests/{request_id}/decide", data={"decide-csrf_token": token,
                                                                "decide-decision": "approved"})
    assert empty.status_code == 422 and 'id="decide-finding-error"' in empty.get_data(as_text=True)
    done = client.post(f"/requests/{request_id}/decide", data={
        "decide-csrf_token": token, "decide-decision": "approved", "decide-reasonable_suspicion": "y",
        "decide-finding": "The vehicle is pertinent to the burglary investigation."})
    assert done.status_code == 302
    assert "approved: release package ready" in client.get(done.location).get_data(as_text=True)
    requester = app.test_client()
    sign_in(requester, "rogers-det")
    mine = requester.get("/requests").get_data(as_text=True)
    assert "approved: release package ready" in mine
    page = requester.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "Download the release package" in page and "chief" not in page.split("<h2>History</h2>")[1]
    going = requester.post(f"/requests/{request_id}/download", data={"csrf_token": csrf_from(page)})
    assert going.status_code == 302
    got = requester.get(going.location)
    assert got.status_code == 200 and got.data[:2] == b"PK"
    after = requester.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "You have downloaded this package" in after and "Download the release package" not in after
    assert "Data requests to prepare" in client.get("/requests/queue/decisions").get_data(as_text=True)
