"""Consistency proofs (RFC 6962 section 2.1.2, checked as RFC 9162 section
2.1.4.2 says), inclusion at a chosen size, and the API that serves them."""
import hashlib
import json

import pytest

from hub.extensions import db
from hub.identity.roles import Role
from hub.ledger import signing, verifier
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record
from hub.ledger.tree import consistency_path, inclusion_proof, seal_and_checkpoint, subtree_hash
from tests.conftest import sign_in
from tests.ledger.test_merkle import reference_mth


def reference_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """RFC 6962 section 2.1.2 SUBPROOF, read straight off the page."""
    n = len(leaves)
    if m == n:
        return [] if whole else [reference_mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return reference_subproof(m, leaves[:k], whole) + [reference_mth(leaves[k:])]
    return reference_subproof(m - k, leaves[k:], False) + [reference_mth(leaves[:k])]


@pytest.mark.parametrize("second", [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17])
def test_reference_proofs_verify_and_wrong_ones_do_not(second):
    data = [f"leaf {i}".encode() for i in range(second)]
    new_root = reference_mth(data)
    for first in range(1, second + 1):
        old_root = reference_mth(data[:first])
        proof = reference_subproof(first, data, True) if first < second else []
        assert verifier.verify_consistency(first, second, old_root, new_root, proof)
        assert not verifier.verify_consistency(first, second, hashlib.sha256(old_root).digest(), new_root, proof)
        if proof:
            bad = list(proof)
            bad[-1] = hashlib.sha256(bad[-1]).digest()
            assert not verifier.verify_consistency(first, second, old_root, new_root, bad)
            assert not verifier.verify_consistency(first, second, old_root, new_root, proof[:-1])
    assert verifier.verify_consistency(0, second, reference_mth([]), new_root, [])
    assert not verifier.verify_consistency(second + 1, second, new_root, new_root, [])


def mth_of_leaf_hashes(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return verifier.node_hash(mth_of_leaf_hashes(hashes[:k]), mth_of_leaf_hashes(hashes[k:]))


def subproof_of_leaf_hashes(m: int, hashes: list[bytes], whole: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if whole else [mth_of_leaf_hashes(hashes)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return subproof_of_leaf_hashes(m, hashes[:k], whole) + [mth_of_leaf_hashes(hashes[k:])]
    return subproof_of_leaf_hashes(m - k, hashes[k:], False) + [mth_of_leaf_hashes(hashes[:k])]


def fill(n):
    for i in range(n):
        record("test.action", actor=None, details={"i": i})
    db.session.commit()


def leaves() -> list[bytes]:
    return [bytes.fromhex(h) for h in db.session.scalars(db.select(LedgerEntry.leaf_hash)
                                                          .order_by(LedgerEntry.position))]


def test_stored_tree_gives_the_reference_proof_between_any_two_sizes(ctx):
    fill(5)
    seal_and_checkpoint()
    fill(14)
    seal_and_checkpoint()
    db.session.commit()
    hashes = leaves()
    for second in range(1, 20):
        assert subtree_hash(0, second) == mth_of_leaf_hashes(hashes[:second])
        for first in range(1, second + 1):
            proof = consistency_path(first, second)
            assert proof == (subproof_of_leaf_hashes(first, hashes[:second], True) if first < second else [])
            assert verifier.verify_consistency(first, second, subtree_hash(0, first), subtree_hash(0, second), proof)
    assert consistency_path(0, 19) == []


def test_inclusion_at_a_chosen_size_proves_against_the_latest_checkpoint(ctx):
    fill(6)
    seal_and_checkpoint()
    fill(7)
    seal_and_checkpoint()
    db.session.commit()
    keys = signing.verifier_keys()
    third = db.session.scalar(db.select(LedgerEntry.id).where(LedgerEntry.position == 3))
    for size in (3, 6, 9, 13):
        proof = inclusion_proof(third, size)
        assert proof["tree_size"] == size and proof["checkpoint"]["tree_size"] == 13
        assert verifier.verify_proof_document(proof, keys) == []
    forged = inclusion_proof(third, 6)
    forged["root_hash"] = "00" * 32
    assert verifier.verify_proof_document(forged, keys)


def test_api_consistency_between_sizes_and_bad_input(app, run, client, tmp_path):
    run(fill, 4)
    run(seal_and_checkpoint)
    old_note = client.get("/ledger/checkpoint").get_data(as_text=True)
    run(fill, 7)
    run(seal_and_checkpoint)
    new_note = client.get("/ledger/checkpoint")
    assert new_note.mimetype == "text/plain" and new_note.get_data(as_text=True).split("\n")[1] == "11"
    answer = client.get("/api/v1/ledger/consistency?from=4&to=11")
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["from"], body["to"]) == (4, 11) and body["proof"]
    files = {name: tmp_path / name for name in ("old", "new", "proof", "keys")}
    files["old"].write_text(old_note)
    files["new"].write_text(new_note.get_data(as_text=True))
    files["proof"].write_text(json.dumps(body))
    with app.app_context():
        files["keys"].write_text("".join(k.vkey + "\n" for k in signing.verifier_keys()))
    args = ["consistency", str(files["old"]), str(files["new"]), str(files["proof"]), "--keys", str(files["keys"])]
    assert verifier.main(args) == 0
    body["proof"][0] = "ab" * 32
    files["proof"].write_text(json.dumps(body))
    assert verifier.main(args) == 1
    at_four = client.get("/api/v1/ledger/checkpoints/4").get_json()
    assert at_four["tree_size"] == 4 and at_four["note"] == old_note
    assert client.get("/api/v1/ledger/checkpoints/5").status_code == 404
    too_big = client.get("/api/v1/ledger/consistency?from=4&to=12")
    assert too_big.status_code == 400 and "11 entries, not 12" in too_big.get_json()["message"]
    reversed_sizes = client.get("/api/v1/ledger/consistency?from=9&to=4")
    assert reversed_sizes.status_code == 400 and reversed_sizes.get_json()["code"] == "bad_tree_size"
    words = client.get("/api/v1/ledger/consistency?from=four")
    assert words.status_code == 422 and "from" in json.dumps(words.get_json()["errors"])
    assert client.get("/api/v1/ledger/consistency").status_code == 422


def test_consistency_with_no_checkpoint_is_a_clear_404(client):
    response = client.get("/api/v1/ledger/consistency?from=0")
    assert response.status_code == 404 and response.get_json()["code"] == "no_checkpoint"
    assert client.get("/ledger/checkpoint").status_code == 404


def test_proof_at_a_size_for_an_auditor(app, make, run, client):
    auditor = make.user("aud", Role.AUDITOR, totp=True)
    run(fill, 8)
    run(seal_and_checkpoint)
    sign_in(client, "aud", totp_secret=auditor.totp_secret)
    with app.app_context():
        second = db.session.scalar(db.select(LedgerEntry.id).where(LedgerEntry.position == 2))
        keys = signing.verifier_keys()
    response = client.get(f"/api/v1/ledger/entries/{second}/proof?size=5")
    assert response.status_code == 200 and response.get_json()["tree_size"] == 5
    assert verifier.verify_proof_document(response.get_json(), keys) == []
    outside = client.get(f"/api/v1/ledger/entries/{second}/proof?size=1")
    assert outside.status_code == 400 and "position 2" in outside.get_json()["message"]
    assert client.get(f"/api/v1/ledger/entries/{second}/proof?size=x").status_code == 422
    assert client.get(f"/api/v1/ledger/entries/{second}/proof?size=99").status_code == 400
