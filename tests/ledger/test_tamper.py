"""Altering, removing or reordering stored entries is caught by `hub ledger
verify` and by the offline verifier run on an export, naming the entry."""
import base64
import json

import pytest
from sqlalchemy import delete, select, update

from hub.extensions import db
from hub.ledger import signing, verifier
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record
from hub.ledger.tree import seal_and_checkpoint
from hub.ledger.verification import export_lines, verify_ledger


@pytest.fixture
def ledger_of_ten(ctx):
    for n in range(10):
        record("test.action", actor=None, subject=("thing", n), details={"n": n})
    db.session.commit()
    seal_and_checkpoint()
    db.session.commit()


def offline_problems(tmp_path) -> tuple[int, str]:
    export = tmp_path / "ledger.jsonl"
    export.write_text("\n".join(export_lines()) + "\n")
    key = tmp_path / "key.pem"
    key.write_text("".join(k.vkey + "\n" for k in signing.verifier_keys()))
    import io
    from contextlib import redirect_stdout
    out = io.StringIO()
    with redirect_stdout(out):
        status = verifier.main(["export", str(export), "--public-key", str(key)])
    return status, out.getvalue()


def cli_verify(app):
    return app.test_cli_runner().invoke(args=["ledger", "verify"])


def test_intact_ledger_verifies_everywhere(app, ledger_of_ten, tmp_path):
    assert verify_ledger() == []
    assert offline_problems(tmp_path) == (0, "checked against 1 checkpoint, every signature verified\nok\n")
    result = cli_verify(app)
    assert result.exit_code == 0 and "intact" in result.output


def test_altered_entry_is_named(app, ledger_of_ten, tmp_path):
    db.session.execute(update(LedgerEntry).where(LedgerEntry.position == 4).values(details='{"n":40}'))
    db.session.commit()
    entry_id = db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.position == 4))
    assert str(verify_ledger()[0]).startswith(f"entry {entry_id} (position 4): altered")
    status, out = offline_problems(tmp_path)
    assert status == 1 and out.startswith(f"entry {entry_id} (position 4): altered")
    result = cli_verify(app)
    assert result.exit_code == 1 and f"entry {entry_id}" in result.output


def test_removed_entry_is_named(app, ledger_of_ten, tmp_path):
    db.session.execute(delete(LedgerEntry).where(LedgerEntry.position == 6))
    db.session.commit()
    assert str(verify_ledger()[0]).startswith("position 6: missing")
    status, out = offline_problems(tmp_path)
    assert status == 1 and out.startswith("position 6: missing")
    assert cli_verify(app).exit_code == 1


def test_removed_tail_is_caught_by_head_and_checkpoint(app, ledger_of_ten, tmp_path):
    db.session.execute(delete(LedgerEntry).where(LedgerEntry.position == 10))
    db.session.commit()
    problems = verify_ledger()
    assert problems and "missing" in str(problems[0])
    assert offline_problems(tmp_path)[0] == 1


def test_swapped_entries_are_caught(app, ledger_of_ten, tmp_path):
    """Swap the positions of entries 3 and 4, chain hashes and all."""
    third, fourth = (db.session.scalar(select(LedgerEntry).where(LedgerEntry.position == p)) for p in (3, 4))
    swapped = {"position": third.position, "chain_hash": third.chain_hash}
    third.position, third.chain_hash = None, None
    db.session.flush()
    fourth.position, fourth.chain_hash = swapped["position"], swapped["chain_hash"]
    db.session.flush()
    third.position, third.chain_hash = 4, db.session.scalar(select(LedgerEntry.chain_hash).where(LedgerEntry.id == fourth.id))
    db.session.commit()
    problem = verify_ledger()[0]
    assert problem.position == 3 and "reordered" in problem.what
    status, out = offline_problems(tmp_path)
    assert status == 1 and "(position 3)" in out


def test_rewritten_history_with_recomputed_hashes_breaks_the_signed_checkpoint(app, ledger_of_ten, tmp_path):
    """An attacker with database access recomputes every hash after an edit;
    only the signed checkpoint, whose key is not in the database, tells."""
    entries = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.position)).all()
    entries[1].details = '{"n":99}'
    chain = verifier.CHAIN_START
    for entry in entries:
        fields = {k: getattr(entry, k) for k in ("actor_id", "actor", "actor_org_id", "action",
                                                  "subject_type", "subject_id", "purpose", "case_number",
                                                  "details", "private_digest")}
        fields["at"] = entry.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        leaf = verifier.leaf_hash(verifier.leaf_body(fields))
        chain = verifier.chain_next(chain, leaf)
        entry.leaf_hash, entry.chain_hash = leaf.hex(), chain.hex()
    db.session.commit()
    problems = verify_ledger()
    assert problems and "checkpoint" in str(problems[0])
    assert offline_problems(tmp_path)[0] == 1


def test_forged_checkpoint_signature_is_caught(app, ledger_of_ten, tmp_path):
    from hub.ledger.models import LedgerCheckpoint
    checkpoint = db.session.scalars(select(LedgerCheckpoint)).first()
    body, signature = checkpoint.note.split("\n\n")
    lines = body.split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()
    checkpoint.note = "\n".join(lines) + "\n\n" + signature
    db.session.commit()
    problems = verify_ledger()
    assert problems and "does not verify" in str(problems[0])
    assert "signature by corcoran-mn.alpr-hub+" in str(problems[0])


def test_unsealed_entries_are_checked_by_their_leaf(app, ledger_of_ten):
    receipt = record("test.action", actor=None, details={"n": 11})
    db.session.commit()
    db.session.execute(update(LedgerEntry).where(LedgerEntry.id == receipt.entry_id).values(actor="someone else"))
    db.session.commit()
    problems = verify_ledger()
    assert [(p.entry_id, p.position) for p in problems] == [(receipt.entry_id, None)]


def test_export_holds_no_private_details(ctx, tmp_path):
    record("search.performed", actor=None, private={"plate": "SECRET1"})
    db.session.commit()
    seal_and_checkpoint()
    db.session.commit()
    text = "\n".join(export_lines())
    assert "SECRET1" not in text
    assert json.loads(text.splitlines()[0])["private_digest"]


def test_checkpoints_signed_before_notes_still_verify(app, ledger_of_ten):
    """A checkpoint stored in the hub's earlier text format (no note) is
    checked with the same public key; altered, it fails."""
    from hub.ledger.models import LedgerCheckpoint
    checkpoint = db.session.scalars(select(LedgerCheckpoint)).first()
    message = "\n".join(["alpr-hub-ledger-checkpoint/v1", checkpoint.origin, str(checkpoint.tree_size),
                         checkpoint.root_hash, checkpoint.chain_hash, checkpoint.created_at_text]).encode() + b"\n"
    checkpoint.signature = base64.b64encode(signing.signing_key().sign(message)).decode()
    checkpoint.note = None
    db.session.commit()
    assert verify_ledger() == []
    checkpoint.created_at_text = "2020-01-01T00:00:00.000000Z"
    db.session.commit()
    problems = verify_ledger()
    assert problems and "no signature by a known key" in str(problems[0])
