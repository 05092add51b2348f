"""Inclusion proofs from stored subtrees, the API that serves them, and the
offline check."""
import json

import pytest

from hub.extensions import db
from hub.identity.roles import Role
from hub.ledger import signing, verifier
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record
from hub.ledger.tree import inclusion_proof, seal_and_checkpoint
from tests.conftest import sign_in


def fill(n):
    for i in range(n):
        record("test.action", actor=None, details={"i": i})
    db.session.commit()


@pytest.mark.parametrize("sizes", [[1], [5], [8], [3, 7, 16], [13, 14, 31]])
def test_every_entry_proves_against_incrementally_built_checkpoints(ctx, sizes):
    keys = signing.verifier_keys()
    done = 0
    for size in sizes:
        fill(size - done)
        done = size
        checkpoint = seal_and_checkpoint()
        db.session.commit()
        assert checkpoint.tree_size == size
        for entry_id in db.session.scalars(db.select(LedgerEntry.id)):
            proof = inclusion_proof(entry_id)
            assert verifier.verify_proof_document(proof, keys) == []
            assert len(proof["audit_path"]) <= max(1, (size - 1).bit_length())


def test_wrong_proofs_fail(ctx):
    fill(9)
    seal_and_checkpoint()
    db.session.commit()
    keys = signing.verifier_keys()
    proof = inclusion_proof(db.session.scalar(db.select(LedgerEntry.id).where(LedgerEntry.position == 4)))
    tampered_entry = json.loads(json.dumps(proof))
    tampered_entry["entry"]["details"] = '{"i":42}'
    assert verifier.verify_proof_document(tampered_entry, keys)
    bad_path = json.loads(json.dumps(proof))
    bad_path["audit_path"][1] = "ab" * 32
    assert verifier.verify_proof_document(bad_path, keys)
    bad_signature = json.loads(json.dumps(proof))
    bad_signature["checkpoint"]["note"] = bad_signature["checkpoint"]["note"].replace("\n9\n", "\n10\n")
    assert verifier.verify_proof_document(bad_signature, keys)


def test_checkpoint_with_nothing_new_is_not_made(ctx):
    fill(2)
    assert seal_and_checkpoint() is not None
    db.session.commit()
    assert seal_and_checkpoint() is None


def test_api_serves_checkpoint_and_proof_to_auditor(app, make, run, client, tmp_path):
    auditor = make.user("aud", Role.AUDITOR, totp=True)
    assert client.get("/api/v1/ledger/checkpoints/latest").status_code == 404
    run(fill, 3)
    run(seal_and_checkpoint)
    checkpoint = client.get("/api/v1/ledger/checkpoints/latest").get_json()
    assert checkpoint["tree_size"] >= 3 and checkpoint["verifier_keys"][0].startswith("corcoran-mn.alpr-hub+")
    assert client.get("/api/v1/ledger/entries/1/proof").status_code == 401
    sign_in(client, "aud", totp_secret=auditor.totp_secret)
    with app.app_context():
        second = db.session.scalar(db.select(LedgerEntry.id).where(LedgerEntry.position == 2))
    response = client.get(f"/api/v1/ledger/entries/{second}/proof")
    assert response.status_code == 200
    proof_file, key_file = tmp_path / "proof.json", tmp_path / "key.pem"
    proof_file.write_text(response.get_data(as_text=True))
    key_file.write_text("\n".join(checkpoint["verifier_keys"]) + "\n")
    assert verifier.main(["proof", str(proof_file), "--public-key", str(key_file)]) == 0
    missing = client.get("/api/v1/ledger/entries/9999/proof")
    assert missing.status_code == 404 and missing.get_json()["code"] == "ledger_entry_not_found"


def test_entry_newer_than_checkpoint_gets_a_clear_409(app, make, run, client):
    auditor = make.user("aud", Role.AUDITOR, totp=True)
    run(fill, 1)
    run(seal_and_checkpoint)
    sign_in(client, "aud", totp_secret=auditor.totp_secret)  # ledgered, not yet sealed
    with app.app_context():
        newest = db.session.scalar(db.select(db.func.max(LedgerEntry.id)))
    response = client.get(f"/api/v1/ledger/entries/{newest}/proof")
    assert response.status_code == 409
    assert response.get_json()["code"] == "entry_not_checkpointed"


def test_officer_may_not_read_proofs(app, make, run, client):
    make.user("off", Role.OFFICER)
    run(fill, 1)
    run(seal_and_checkpoint)
    sign_in(client, "off")
    response = client.get("/api/v1/ledger/entries/1/proof")
    assert response.status_code == 403 and response.get_json()["code"] == "insufficient_scope"
