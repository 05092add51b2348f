"""The owner's view of access comes from the ledger, row for row."""
import csv
import io
import json

import pytest

from sqlalchemy import select

from hub.extensions import db
from hub.identity.roles import OrganisationKind, Role
from hub.ledger.models import LedgerEntry, LedgerEntryCamera
from hub.ledger.services import record
from hub.ledger.tree import seal_and_checkpoint
from tests.conftest import make_camera, make_organisation, make_partner, make_user, sign_in


def test_csv_matches_the_ledger_and_filters_work(app, make, client, run):
    make.user("owner", Role.PARTNER_ADMIN, make.organisation("Test HOA", OrganisationKind.HOA))
    boss = make.user("boss", Role.AUDITOR, make.organisation(), totp=True)

    def accesses():
        hoa = make_partner()
        officer = make_user("ofc", Role.OFFICER, trained=True, authorised=True)
        gate, other = make_camera(hoa, "Gate"), make_camera(hoa, "Back")
        for n in range(7):
            record("grant.reads_accessed", actor=officer, purpose="burglary", case_number=f"ICR-{n % 2}",
                   details={"reads": n, "grant_id": 5}, cameras=[gate.id] + ([other.id] if n % 3 == 0 else []))
        record("grant.reads_accessed", actor=officer, purpose="elsewhere", case_number="ICR-9", cameras=[other.id])
        return gate.id
    gate_id = run(accesses)
    run(seal_and_checkpoint)
    sign_in(client, "owner")
    page = client.get(f"/cameras/{gate_id}/access-log").get_data(as_text=True)
    assert page.count(">Reads viewed under a grant</td>") == 7 and "elsewhere" not in page
    assert "ICR-" not in page and "Grant 5" in page and "Burglary" in page
    rows = list(csv.DictReader(io.StringIO(client.get(f"/cameras/{gate_id}/access-log?format=csv")
                                           .get_data(as_text=True))))
    with app.app_context():
        entries = db.session.scalars(select(LedgerEntry).join(LedgerEntryCamera).where(
            LedgerEntryCamera.camera_id == gate_id).order_by(LedgerEntry.id.desc())).all()
        assert [int(r["entry_id"]) for r in rows] == [e.id for e in entries]
        for row, entry in zip(rows, entries):
            assert row["actor"] == entry.actor and row["case_number"] == ""
            assert row["reads"] == str(json.loads(entry.details).get("reads", ""))
            assert row["proof_url"].endswith(f"/api/v1/cameras/{gate_id}/access-log/{entry.id}/proof")
        assert {r["organisation"] for r in rows if r["action"] == "Reads viewed under a grant"} == {
            "Corcoran Police Department"}
        assert {r["purpose"] for r in rows if r["action"] == "Reads viewed under a grant"} == {"Burglary"}
    auditor = app.test_client()
    sign_in(auditor, "boss", totp_secret=boss.totp_secret)
    agency_rows = list(csv.DictReader(io.StringIO(auditor.get(f"/cameras/{gate_id}/access-log?format=csv")
                                                  .get_data(as_text=True))))
    assert [(r["action_code"], r["case_number"]) for r in agency_rows][:2] == [
        ("grant.reads_accessed", "ICR-0"), ("grant.reads_accessed", "ICR-1")]
    assert {r["action"] for r in agency_rows} == {"Reads viewed under a grant", "Camera registered"}


def test_owner_checks_proofs_of_its_own_accesses_only(app, make, client, run, tmp_path):
    from hub.ledger import signing, verifier
    make.user("owner", Role.PARTNER_ADMIN, make.organisation("Test HOA", OrganisationKind.HOA))

    def accesses():
        make_organisation()
        hoa = make_partner()
        elsewhere = make_camera(make_partner("Other HOA"), "Far")
        gate = make_camera(hoa, "Gate")
        mine = record("reads.searched", actor=None, purpose="case", cameras=[gate.id]).entry_id
        theirs = record("reads.searched", actor=None, purpose="case", cameras=[elsewhere.id]).entry_id
        return gate.id, elsewhere.id, mine, theirs
    gate, elsewhere, mine, theirs = run(accesses)
    run(seal_and_checkpoint)
    sign_in(client, "owner")
    rows = client.get(f"/api/v1/cameras/{gate}/access-log").get_json()
    assert [r["entry_id"] for r in rows][:1] == [mine]
    proof = client.get(f"/api/v1/cameras/{gate}/access-log/{mine}/proof")
    assert proof.status_code == 200
    with app.app_context():
        keys = signing.verifier_keys()
    assert verifier.verify_proof_document(proof.get_json(), keys) == []
    assert client.get(f"/api/v1/cameras/{gate}/access-log/{theirs}/proof").status_code == 404
    assert client.get(f"/api/v1/cameras/{elsewhere}/access-log/{theirs}/proof").status_code == 403
    assert client.get(f"/api/v1/cameras/{gate}/access-log?before=0").status_code == 422


@pytest.mark.parametrize("purpose", ["=HYPERLINK(\"http://evil.example\")", "+1+1", "-1+1", "@SUM(A1)",
                                     "\t=1+1", "\r=1+1"])
def test_csv_cells_cannot_run_as_formulas(app, make, client, run, purpose):
    owner = make.user("owner", Role.PARTNER_ADMIN, make.organisation("Test HOA", OrganisationKind.HOA))

    def access():
        gate = make_camera(make_partner(), "Gate")
        # The owner reads its own people's words in its log: here, the reason it gave.
        record("camera.sharing_mode_changed", actor=db.session.merge(owner), purpose=purpose, cameras=[gate.id])
        return gate.id
    gate_id = run(access)
    sign_in(client, "owner")
    rows = list(csv.DictReader(io.StringIO(client.get(f"/cameras/{gate_id}/access-log?format=csv")
                                           .get_data(as_text=True), newline="")))
    changed = [r for r in rows if r["action"] == "Sharing changed"]
    assert [r["purpose"] for r in changed] == ["'" + purpose]


def test_partner_keeps_every_checkpoint_shown_and_downloads_proofs(app, make, client, run, tmp_path):
    """The portal keeps each checkpoint the owner was shown; the download
    holds the latest, those kept, consistency proofs between them and an
    audit path for each access; the offline verifier checks it, and a
    ledger rolled back below a kept checkpoint fails the check."""
    from hub.ledger import signing, verifier
    from hub.ledger.models import LedgerCheckpointKept
    owner = make.user("owner", Role.PARTNER_ADMIN, make.organisation("Test HOA", OrganisationKind.HOA))

    def access(gate_id=None):
        gate_id = gate_id or make_camera(make_partner(), "Gate").id
        record("reads.searched", actor=None, purpose="case", cameras=[gate_id])
        return gate_id
    gate = run(access)
    run(seal_and_checkpoint)
    sign_in(client, "owner")
    first = client.get(f"/cameras/{gate}/access-log").get_data(as_text=True)
    assert "latest signed checkpoint" in first and "\u2014 corcoran-mn.alpr-hub " in first
    run(access, gate)
    run(seal_and_checkpoint)
    client.get(f"/cameras/{gate}/access-log")
    client.get(f"/cameras/{gate}/access-log")  # shown again: kept once
    with app.app_context():
        kept = db.session.scalars(select(LedgerCheckpointKept).where(
            LedgerCheckpointKept.organisation_id == owner.organisation_id)).all()
        assert len(kept) == 2
        assert db.session.scalar(select(db.func.count()).select_from(LedgerEntry).where(
            LedgerEntry.action == "ledger.checkpoint_kept")) == 2
        keys_file = tmp_path / "keys.txt"
        keys_file.write_text("".join(k.vkey + "\n" for k in signing.verifier_keys()))
    download = client.get(f"/cameras/{gate}/access-log?format=proofs")
    assert download.status_code == 200 and download.mimetype == "application/json"
    bundle = download.get_json()
    assert len(bundle["kept"]) == 2 and len(bundle["entries"]) >= 2
    assert all(e["audit_path"] is not None for e in bundle["entries"])
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    assert verifier.main(["bundle", str(path), "--keys", str(keys_file)]) == 0
    bundle["kept"][0]["consistency_path"] = ["00" * 32]
    path.write_text(json.dumps(bundle))
    assert verifier.main(["bundle", str(path), "--keys", str(keys_file)]) == 1
