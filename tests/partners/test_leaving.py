"""The owner's rights: its own data on one page and in an export (CSV and
JSON, with proofs; never another's camera), and leaving the network end to
end — live grants revoked only on explicit confirmation, shares ended,
credentials revoked, reads and keys destroyed except what a hold keeps (told
without its case number, with its review date), a receipt naming its ledger
entries, the final access log, the chief's list of partners that left."""
import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.cameras.credentials import issue_credential
from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import utcnow
from hub.extensions import db
from hub.grants.models import AccessRequest, Grant, RequestStatus
from hub.grants.requests import create_request, decide_request
from hub.identity.models import User
from hub.identity.roles import Role
from hub.keys.models import DataKey
from hub.ledger.models import LedgerEntry
from hub.ledger.tree import seal_and_checkpoint
from hub.notifications.models import Notification
from hub.reads.ingest import ingest_batch
from hub.reads.models import Read
from hub.retention.models import HoldKind
from hub.retention.services import place_hold
from partners.models import Departure
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner, make_user, post_form, sign_in
from tests.grants.test_grant_use import granted

CASE = "ICR-SECRET-77"


@pytest.fixture
def network(app):
    with app.app_context():
        make_organisation()
        hoa, other = make_partner(), make_partner("Maple Business", )
        owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
        officer = make_user("ofc", Role.OFFICER, trained=True, authorised=True)
        sergeant = make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True)
        gate, back, theirs = make_camera(hoa, "Gate"), make_camera(hoa, "Back lane"), make_camera(other, "Shop")
        set_sharing_mode(owner, gate, SharingMode.SHARED, reason="board vote")
        credential = issue_credential(OPERATOR, gate)[1]
        hour = utcnow() - timedelta(hours=3)
        ingest_batch(gate, [{"read_id": "g1", "plate": "KEEP77", "captured_at": hour.isoformat()},
                            {"read_id": "g2", "plate": "GONE11", "captured_at": hour.isoformat()}])
        ingest_batch(back, [{"read_id": "b1", "plate": "GONE22", "captured_at": hour.isoformat()},
                            {"read_id": "b0", "plate": "OLD44", "captured_at": (hour - timedelta(days=2)).isoformat()}])
        ingest_batch(theirs, [{"read_id": "t1", "plate": "SHOP33", "captured_at": hour.isoformat()}])
        grant = granted(officer, owner, back)
        place_hold(sergeant, kind=HoldKind.INVESTIGATION, plate="KEEP77", case_number=CASE, reason="burglary series",
                   review_on=utcnow().date() + timedelta(days=20))
        db.session.commit()
        seal_and_checkpoint()
        db.session.commit()
        return {"gate": gate.id, "back": back.id, "theirs": theirs.id, "grant": grant.id, "hoa": hoa.id,
                "credential": credential}


def test_the_owner_exports_its_own_data_with_proofs_and_never_anothers(app, client, network):
    sign_in(client, "owner")
    page = client.get("/partners/data").get_data(as_text=True)
    assert "Gate" in page and "searches and alerts (standing share)" in page and CASE not in page
    assert "investigation hold, next review" in page
    reads = list(csv.DictReader(io.StringIO(client.get("/partners/data/export?format=reads.csv").get_data(as_text=True))))
    assert sorted(r["plate"] for r in reads) == ["GONE11", "GONE22", "KEEP77", "OLD44"]
    assert {r["classification"] for r in reads} == {"ALPR data, from a partner's device, a reader under the statute"}
    log_rows = list(csv.DictReader(io.StringIO(
        client.get("/partners/data/export?format=access-log.csv").get_data(as_text=True))))
    assert any(r["action_code"] == "grant.consented" for r in log_rows) and all(r["proof_url"] for r in log_rows)
    assert all(CASE not in json.dumps(r) for r in log_rows)
    everything = json.loads(client.get("/partners/data/export?format=json").get_data(as_text=True))
    assert len(everything["reads"]) == 4 and everything["proofs"]["entries"]
    refused = client.get(f"/partners/data/export?format=json&camera_id={network['theirs']}")
    assert refused.status_code == 403 and "you export only your own cameras" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(LedgerEntry).where(LedgerEntry.action == "partner.export.refused")) is not None


def test_leaving_the_network_end_to_end(app, client, network):
    sign_in(client, "owner")
    unconfirmed = post_form(client, "/partners/data/leave", {"confirm_name": "Test HOA"})
    text = unconfirmed.get_data(as_text=True)
    assert unconfirmed.status_code == 422 and "grant(s) of police access are live" in text
    with app.app_context():
        assert db.session.get(Grant, network["grant"]).revoked_at is None  # nothing was done
        assert db.session.scalar(select(Departure)) is None
    wrong_name = post_form(client, "/partners/data/leave", {"confirm_name": "Test", "revoke_live_grants": "y"})
    assert wrong_name.status_code == 422 and "to confirm" in wrong_name.get_data(as_text=True)

    left = post_form(client, "/partners/data/leave", {"confirm_name": "Test HOA", "revoke_live_grants": "y"})
    assert left.status_code == 302 and left.location.endswith("/partners/data/receipt")
    receipt_page = client.get("/partners/data/receipt").get_data(as_text=True)
    assert "Destruction receipt" in receipt_page and CASE not in receipt_page
    receipt = json.loads(client.get("/partners/data/receipt?format=json").get_data(as_text=True))
    assert receipt["grants_revoked"] == [network["grant"]] and receipt["shares_ended"] == ["Gate"]
    assert receipt["credentials_revoked"] == ["Gate"] and sorted(receipt["cameras_retired"]) == ["Back lane", "Gate"]
    assert receipt["reads_destroyed"] == 3 and receipt["reads_held"] == 1
    assert receipt["keys_destroyed"]["count"] == 1 and receipt["keys_kept_for_held_reads"] == 1
    [held] = receipt["held"]
    assert held["cameras"] == {"Gate": 1} and held["kind"] == "investigation" and CASE not in json.dumps(receipt)
    assert held["review_on"] == (utcnow().date() + timedelta(days=20)).isoformat()
    with app.app_context():
        entries = {e.id: e.action for e in db.session.scalars(select(LedgerEntry))}
        assert all(entries[e["entry_id"]] == e["action"] for e in receipt["ledger_entries"])
        assert {"grant.revoked", "camera.sharing_mode_changed", "camera.credential_revoked", "camera.retired",
                "retention.reads_destroyed", "keys.destroyed"} <= {e["action"] for e in receipt["ledger_entries"]}
        assert entries[receipt["departure_entry"]["entry_id"]] == "partner.left"
        assert db.session.get(Grant, network["grant"]).revoked_at is not None
        kept = db.session.scalars(select(Read.camera_read_id).where(Read.organisation_id == network["hoa"])).all()
        assert kept == ["g1"]  # held
        assert db.session.scalar(select(Read.camera_read_id).where(Read.camera_id == network["theirs"])) == "t1"
        keys = db.session.scalars(select(DataKey).where(DataKey.organisation_id == network["hoa"])).all()
        assert sorted(k.destroyed_at is None for k in keys) == [False, True]  # the held read's day keeps its key
        store = app.extensions["data_keys"].store
        assert [store.path(k.organisation_id, k.day).exists() for k in sorted(keys, key=lambda k: k.destroyed_at
                                                                              is None)] == [False, True]
    # The final access log still opens, and shows the leaving.
    final = client.get(f"/cameras/{network['back']}/access-log?format=csv").get_data(as_text=True)
    assert "Partner left the network" in final and "Camera retired" in final
    again = post_form(client, "/partners/data/leave", {"confirm_name": "Test HOA", "revoke_live_grants": "y"},
                      page="/partners/data")
    assert again.status_code == 302  # to the receipt: leaving twice does nothing
    pushed = client.post("/api/v1/reads", json={"reads": [{"read_id": "late", "plate": "LATE1",
                                                          "captured_at": utcnow().isoformat()}]},
                         headers={"Authorization": f"Bearer {network['credential']}"})
    assert pushed.status_code == 401  # the camera's credential is revoked

    chief = client.application.test_client()
    with app.app_context():
        head = make_user("head", Role.CHIEF, totp=True)
        secret = head.totp_secret
        db.session.commit()
    sign_in(chief, "head", totp_secret=secret)
    departed = chief.get("/partners/departed").get_data(as_text=True)
    assert "Test HOA" in departed and "Maple Business" not in departed
    assert client.get("/partners/departed").status_code == 403


def test_leaving_declines_every_open_access_request_and_tells_the_officer(app, client, network):
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "ofc"))
        now = utcnow()
        asked = {"camera_ids": [network["back"]], "offense_type": "burglary", "factual_basis": "Seen at the scene",
                 "window_start": now - timedelta(hours=10), "window_end": now - timedelta(hours=1), "access_hours": 24}
        waiting_chief = create_request(officer, case_number="ICR-5", **asked)
        waiting_partner = create_request(officer, case_number="ICR-6", **asked)
        decide_request(db.session.scalar(select(User).where(User.username == "chief")), waiting_partner,
                       approve=True, finding="Pertinent")
        db.session.commit()
        ids = [waiting_chief.id, waiting_partner.id]
    sign_in(client, "owner")
    left = post_form(client, "/partners/data/leave", {"confirm_name": "Test HOA", "revoke_live_grants": "y"})
    assert left.status_code == 302
    receipt = json.loads(client.get("/partners/data/receipt?format=json").get_data(as_text=True))
    assert receipt["requests_declined"] == ids
    assert "Open access requests declined</th><td>2" in client.get("/partners/data/receipt").get_data(as_text=True)
    with app.app_context():
        for request_id in ids:
            request = db.session.get(AccessRequest, request_id)
            assert request.status is RequestStatus.DECLINED and request.partner_message == "the partner left the network"
        declined = db.session.scalars(select(LedgerEntry).where(LedgerEntry.action == "grant.declined")).all()
        assert sorted(e.subject_id for e in declined) == sorted(str(i) for i in ids)
        told = db.session.scalars(select(Notification.subject)).all()
        assert sum("declined the access request for case ICR-" in s for s in told) >= 2
