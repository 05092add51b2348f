"""A grant is used for the officer who asked: each use is decided as that
officer now (authorisation, training, role) and ledgered with the officer as
the actor and the client beside; the owner's view of it carries no
investigative text."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.grants.access import granted_reads
from hub.grants.clients import create_client
from hub.grants.models import OAuthClient
from hub.grants.consent import consent, decline, read_details
from hub.grants.requests import create_request, decide_request
from hub.identity import access
from hub.identity.actors import ClientActor
from hub.identity.roles import Role
from hub.ledger.models import LedgerEntry
from hub.policy import PolicyRefused
from hub.reads.ingest import ingest_batch
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner, make_user, sign_in

SECRET_WORDS = ("ZANZIBAR-BASIS", "QUOKKA-FINDING", "PLATYPUS-CASE")


def granted(officer, owner, camera, *, basis="Seen at the scene", finding="Pertinent", case="ICR-2"):
    now = utcnow()
    request = create_request(officer, camera_ids=[camera.id], case_number=case, offense_type="burglary",
                             factual_basis=basis, window_start=now - timedelta(hours=10),
                             window_end=now - timedelta(hours=1), access_hours=24)
    decide_request(make_user("chief", Role.CHIEF, trained=True, authorised=True), request, approve=True,
                   finding=finding)
    client = create_client(OPERATOR, name=f"Records {request.id}", redirect_uris=["https://records.example/cb"])[0]
    offer = read_details(json.dumps([{"type": "alpr_camera_access", "request_id": request.id}]), owner, client=client)
    return consent(owner, offer, camera_ids=[camera.id], window_start=offer.window_start,
                   window_end=offer.window_end, hours=24)


@pytest.fixture
def setting(ctx):
    make_organisation()
    hoa = make_partner()
    owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
    officer = make_user("ofc", Role.OFFICER, trained=True, authorised=True)
    camera = make_camera(hoa, "Gate")
    ingest_batch(camera, [{"read_id": "r1", "plate": "ABC123", "captured_at": (utcnow() - timedelta(hours=3)).isoformat()}])
    return officer, owner, camera


def test_each_use_is_the_officers_with_the_client_beside(setting):
    officer, owner, camera = setting
    grant = granted(officer, owner, camera)
    reads = granted_reads(ClientActor(grant.client_id, officer), grant, camera_ids=[], since=None, until=None)
    assert [r.plate for r in reads] == ["ABC123"]
    entry = db.session.scalars(select(LedgerEntry).where(LedgerEntry.action == "grant.reads_accessed")).one()
    assert entry.actor == "ofc" and entry.actor_id == officer.id
    details = json.loads(entry.details)
    assert details["via"] == f"client:{grant.client_id}"
    assert {d["action"] for d in details["policy_decisions"]} == {"data.access", "alpr.use"}
    assert all(d["packs"] for d in details["policy_decisions"])


@pytest.mark.parametrize("lapse", ["authorisation withdrawn", "training lapsed"])
def test_use_is_refused_once_the_officer_may_no_longer_reach_the_data(setting, frozen_clock, lapse):
    officer, owner, camera = setting
    grant = granted(officer, owner, camera)
    if lapse == "authorisation withdrawn":
        access.withdraw_authorisation(OPERATOR, officer, reason="Reassigned")
        rule = "written-authorisation"
    else:
        frozen_clock.advance(timedelta(days=361))
        grant.expires_at = utcnow() + timedelta(hours=1)  # the grant itself still live
        rule = "training-current"
    with pytest.raises(PolicyRefused) as refused:
        granted_reads(ClientActor(grant.client_id, officer), grant, camera_ids=[], since=None, until=None)
    assert rule in {e["rule"] for e in refused.value.errors["rules"]}


def test_the_owner_never_sees_investigative_text(app, make, client, run):
    """Distinctive words in every free-text field of a full flow, then the
    partner's pages, CSV and API are searched for them."""
    def flow():
        officer, owner, camera = (make_user("ofc", Role.OFFICER, make_organisation(), trained=True, authorised=True),
                                  make_user("owner", Role.PARTNER_ADMIN, make_partner()), None)
        camera = make_camera(owner.organisation, "Gate")
        ingest_batch(camera, [{"read_id": "r1", "plate": "SECRT1",
                               "captured_at": (utcnow() - timedelta(hours=3)).isoformat()}])
        grant = granted(officer, owner, camera, basis=SECRET_WORDS[0], finding=SECRET_WORDS[1], case=SECRET_WORDS[2])
        granted_reads(ClientActor(grant.client_id, officer), grant, camera_ids=[], since=None, until=None, plate="SECRT1")
        now = utcnow()
        second = create_request(officer, camera_ids=[camera.id], case_number=SECRET_WORDS[2], offense_type="theft",
                                factual_basis=SECRET_WORDS[0], window_start=now - timedelta(hours=5),
                                window_end=now - timedelta(hours=1), access_hours=24)
        decide_request(make_user("chief2", Role.CHIEF), second, approve=True, finding=SECRET_WORDS[1])
        offer = read_details(json.dumps([{"type": "alpr_camera_access", "request_id": second.id}]), owner,
                             client=db.session.get(OAuthClient, 1))
        decline(owner, offer, message="Not this time")
        return camera.id, grant.id
    camera_id, grant_id = run(flow)
    sign_in(client, "owner")
    pages = [client.get(url).get_data(as_text=True) for url in (
        f"/cameras/{camera_id}/access-log", f"/cameras/{camera_id}/access-log?format=csv",
        f"/api/v1/cameras/{camera_id}/access-log", f"/grants/{grant_id}", "/grants", "/notifications",
        "/grants/requests/2")]
    for page in pages:
        for word in (*SECRET_WORDS, "SECRT1"):
            assert word not in page
    assert "Reads viewed under a grant" in pages[0] and "Burglary" in pages[0]


def test_only_the_owner_the_chief_or_the_grant_s_own_client_ends_it(setting):
    from hub.errors import Forbidden
    from hub.grants.revocation import revoke_grant
    officer, owner, camera = setting
    grant = granted(officer, owner, camera)
    for stranger in (officer, "client:someone-else", None):
        with pytest.raises(Forbidden):
            revoke_grant(stranger, grant, reason="not mine")
    revoke_grant(f"client:{grant.client_id}", grant, reason="RFC 7009")
    assert grant.revoked_at is not None


def test_the_owner_s_proofs_withhold_the_investigation_and_still_verify(app, make, client, run):
    from hub.ledger import signing, verifier
    from hub.ledger.tree import seal_and_checkpoint

    def flow():
        officer = make_user("ofc", Role.OFFICER, make_organisation(), trained=True, authorised=True)
        owner = make_user("owner", Role.PARTNER_ADMIN, make_partner())
        camera = make_camera(owner.organisation, "Gate")
        grant = granted(officer, owner, camera, finding=SECRET_WORDS[1], case=SECRET_WORDS[2])
        granted_reads(ClientActor(grant.client_id, officer), grant, camera_ids=[], since=None, until=None)
        return camera.id
    camera_id = run(flow)
    run(seal_and_checkpoint)
    sign_in(client, "owner")
    rows = client.get(f"/api/v1/cameras/{camera_id}/access-log").get_json()
    with app.app_context():
        keys = signing.verifier_keys()
    for row in rows:
        proof = client.get(f"/api/v1/cameras/{camera_id}/access-log/{row['entry_id']}/proof")
        text = proof.get_data(as_text=True)
        assert proof.status_code == 200 and not any(word in text for word in SECRET_WORDS)
        assert verifier.verify_proof_document(proof.get_json(), keys) == []


def test_a_grant_revoked_by_the_operator_names_it_plainly(setting):
    from hub.grants.revocation import revoke_grant
    officer, owner, camera = setting
    grant = granted(officer, owner, camera)
    revoke_grant(OPERATOR, grant, reason="ordered")
    assert grant.revoked_by == "system:test"


def test_after_a_revocation_the_officer_is_told_and_offered_no_dead_link(app, make, client, run):
    """The request page says the grant was revoked and names its cameras; it
    no longer links to reads the hub would refuse."""
    from hub.grants.revocation import revoke_grant

    def flow():
        officer = make_user("ofc", Role.OFFICER, make_organisation(), trained=True, authorised=True)
        owner = make_user("owner", Role.PARTNER_ADMIN, make_partner())
        grant = granted(officer, owner, make_camera(owner.organisation, "North gate"))
        revoke_grant(owner, grant, reason="Board decision")
        return grant.request_id
    request_id = run(flow)
    sign_in(client, "ofc")
    page = client.get(f"/grants/requests/{request_id}").get_data(as_text=True)
    assert "granted, then revoked" in page and "<strong>revoked</strong>" in page and "North gate" in page
    assert "View granted reads" not in page and "/reads" not in page.split("grant-summary", 1)[1]
    assert "North gate" in client.get("/grants/requests").get_data(as_text=True)
