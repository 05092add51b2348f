"""Two hubs on localhost, each on its own database: Maple Grove's hub, which
witnesses Corcoran's ledger, submits a written request to Corcoran's hub
with its client credentials; Corcoran prepares, decides and releases; the
signed decision reaches Maple Grove's webhook; `hub requests fetch`
downloads the package, verifies it against the checkpoint Maple Grove
witnessed, and holds the data under the package's classification and
destruction date."""
import json
import sqlite3
import subprocess

import pytest

from hub import signed_webhooks
from hub.data_requests.decisions import decide, prepare
from hub.data_requests.models import DataRequest, Decision
from hub.data_requests.webhooks import deliver_decisions
from hub.extensions import db
from hub.grants.clients import create_client
from hub.identity.models import User
from hub.identity.roles import OrganisationKind
from hub.ledger import signing
from hub.ledger.tree import seal_and_checkpoint
from tests.conftest import OPERATOR, free_port, make_organisation
from tests.data_requests.conftest import agency_world, complete, prepared, terms
from tests.ledger.test_two_hubs import HUB, ROOT, neighbour, neighbour_env, new_neighbour, start_neighbour, stop
from tests.reads.test_durability import start_server

MAPLE_GROVE = "Maple Grove Police Department"


def ledger_actions(folder) -> list[str]:
    with sqlite3.connect(folder / "hub.sqlite3") as connection:
        return [row[0] for row in connection.execute("SELECT action FROM ledger_entries ORDER BY id")]


def test_a_neighbouring_hub_asks_is_told_and_fetches_a_verified_package(app, app_config, tmp_path):
    env = neighbour_env(tmp_path)
    new_neighbour(env)
    ours_port, theirs_port = free_port(), free_port()
    ours_url, theirs_url = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{theirs_port}"
    with app.app_context():
        world = agency_world()
        officer_id, chief_id = world["officer"].id, world["chief"].id
        client, secret = create_client(
            OPERATOR, name="Maple Grove hub", redirect_uris=[], grant_types=["client_credentials"],
            organisation=make_organisation(MAPLE_GROVE, OrganisationKind.OUTSIDE_AGENCY),
            webhook_url=f"{theirs_url}/api/v1/requests/federation/decisions")
        client_id, webhook_secret = client.client_id, signed_webhooks.client_key(client.client_id).decode()
        db.session.commit()
        seal_and_checkpoint()
        db.session.commit()
        our_key = signing.current_verifier_key()
    neighbour(env, "ledger", "witness", "follow", our_key.name, "--key", our_key.vkey, "--url", ours_url)
    neighbour({**env, "HUB_PEER_CLIENT_SECRET": secret, "HUB_PEER_WEBHOOK_SECRET": webhook_secret},
              "requests", "peer-add", our_key.name, "--url", ours_url, "--client-id", client_id)
    ours, theirs = start_server(app_config, ours_port), start_neighbour(env, theirs_port)
    try:
        assert "cosigned size" in neighbour(env, "ledger", "witness", "poll")  # before the release
        (tmp_path / "request.json").write_text(json.dumps(complete(agency_name=MAPLE_GROVE,
                                                                   requester_name="Det. Kim Berg")))
        remote_id = int(neighbour(env, "requests", "submit", str(tmp_path / "request.json")).strip().splitlines()[-1])
        with app.app_context():
            request = db.session.get(DataRequest, remote_id)
            assert request.submitted_by_client == client_id and request.organisation.name == MAPLE_GROVE
            prepare(db.session.get(User, officer_id), request, terms(request))
            decide(db.session.get(User, chief_id), request, decision=Decision.APPROVED, reasonable_suspicion=True,
                   finding="The vehicle is pertinent to Maple Grove's burglary investigation.")
            db.session.commit()
            assert deliver_decisions() == 1  # Maple Grove's hub took the signed decision
            db.session.commit()
            db.session.remove()
        fetched = neighbour(env, "requests", "fetch", str(remote_id))
        assert "verified: package" in fetched and "2 read(s)" in fetched and "private data on individuals" in fetched
        assert "held until" in neighbour(env, "requests", "received")
        assert ledger_actions(tmp_path)[-3:] == ["data_request.sent_to_peer", "data_request.decision_received",
                                                "data_request.package_received"]
        again = subprocess.run([HUB, "requests", "fetch", str(remote_id)], cwd=ROOT, env=env, capture_output=True,
                               text=True, timeout=120)
        assert again.returncode != 0 and "downloaded this package already" in again.stderr
    finally:
        stop(ours)
        stop(theirs)


def test_a_decision_webhook_not_signed_by_a_peer_is_refused(app, client):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from hub.data_requests import federation
    from hub.ledger import verifier, witness
    origin = "maple-grove-mn.alpr-hub"
    with app.app_context():
        key = verifier.verifier_key(origin, Ed25519PrivateKey.generate().public_key())
        witness.follow_log(OPERATOR, origin, [key.vkey])
        federation.add_peer(OPERATOR, origin=origin, url="https://maple-grove.example", client_id="c",
                            client_secret="s" * 43, webhook_secret="right-key")
        db.session.commit()
    body = json.dumps({"request_id": 3, "decision": "denied", "decided_at": "2026-05-01T10:00:00+00:00"}).encode()
    url = "/api/v1/requests/federation/decisions"
    forged = client.post(url, data=body, headers={"X-Hub-Origin": origin, "Content-Type": "application/json",
                                                  "X-Hub-Signature-256": signed_webhooks.signature(body, b"wrong")})
    assert forged.status_code == 401 and forged.get_json()["code"] == "webhook_refused"
    signed = client.post(url, data=body, headers={"X-Hub-Origin": origin, "Content-Type": "application/json",
                                                  "X-Hub-Signature-256": signed_webhooks.signature(body, b"right-key")})
    assert signed.status_code == 204
    with app.app_context():
        row = federation.received()[0]
        assert (row.remote_request_id, row.decision) == (3, "denied")


def test_packages_are_destroyed_when_their_time_is_up(app):
    from datetime import timedelta
    from hub.clock import clock, utcnow
    from hub.data_requests.destruction import destroy_due_packages
    from hub.identity.actors import SCHEDULER
    from hub.reads import images
    with app.app_context():
        world = agency_world()
        request = prepared(world)
        decide(world["chief"], request, decision=Decision.APPROVED, reasonable_suspicion=True, finding="Pertinent.")
        db.session.commit()
        digest, request_id = request.package_sha256, request.id
        assert destroy_due_packages(SCHEDULER).startswith("0 package(s)")
        clock.freeze(utcnow() + timedelta(days=15))
        assert destroy_due_packages(SCHEDULER).startswith("1 package(s)")
        request = db.session.get(DataRequest, request_id)
        assert request.package_destroyed_at is not None and request.finding == "Pertinent."
        with pytest.raises(FileNotFoundError):
            images.get(digest)
