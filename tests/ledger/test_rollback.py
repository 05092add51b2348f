"""A checkpoint saved anywhere holds the hub to its history: a rollback to an
older copy of the database and a history re-written and re-signed with the
hub's own key both pass the hub's own checks, and both fail against the
saved checkpoint. Also: the owners' access-log index is recomputed, the
unsealed window is reported, and verification needs the public keys only."""
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from hub.extensions import db
from hub.ledger import signing, verifier
from hub.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerEntryCamera, LedgerState, LedgerTreeNode
from hub.ledger.services import record
from hub.ledger.tree import latest_checkpoint, seal_and_checkpoint
from hub.ledger.verification import verify_ledger
from tests.conftest import build_app


def fill(n, start=0):
    for i in range(start, start + n):
        record("test.action", actor=None, details={"i": i}, cameras=[100 + i % 3])
    db.session.commit()
    seal_and_checkpoint()
    db.session.commit()


@pytest.fixture
def saved(ctx, tmp_path):
    """Ten entries in two checkpoints; a partner keeps the one at size 10."""
    fill(6)
    fill(4, 6)
    path = tmp_path / "kept-checkpoint.txt"
    path.write_text(latest_checkpoint().note)
    return path


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["ledger", "verify", *args])


def restore_older_copy(size: int) -> None:
    """What restoring a backup taken at `size` entries leaves behind."""
    db.session.execute(delete(LedgerEntryCamera).where(LedgerEntryCamera.entry_id.in_(
        select(LedgerEntry.id).where(LedgerEntry.position > size))))
    db.session.execute(delete(LedgerEntry).where(LedgerEntry.position > size))
    db.session.execute(delete(LedgerCheckpoint).where(LedgerCheckpoint.tree_size > size))
    for level in range(1, 5):
        db.session.execute(delete(LedgerTreeNode).where(LedgerTreeNode.level == level,
                                                        LedgerTreeNode.idx >= size >> level))
    chain = db.session.scalar(select(LedgerEntry.chain_hash).where(LedgerEntry.position == size))
    db.session.execute(update(LedgerState).values(size=size, chain_hash=chain))
    db.session.commit()


def test_rollback_to_an_older_copy_is_caught_against_the_saved_checkpoint(app, saved):
    restore_older_copy(6)
    assert verify_ledger() == []  # the database alone cannot tell
    assert cli(app).exit_code == 0
    problems = verify_ledger([saved.read_text()])
    assert len(problems) == 1 and str(problems[0]).startswith("position 7: rolled back")
    result = cli(app, "--against", str(saved))
    assert result.exit_code == 1 and "covers 10 entries but the ledger holds only 6" in result.output


def test_rewritten_history_resigned_with_the_hub_key_is_caught(app, saved, tmp_path):
    entries = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.position)).all()
    entries[2].details = entries[2].details.replace('"i":2', '"i":22')
    for entry in entries:
        fields = {k: getattr(entry, k) for k in verifier.LEAF_FIELDS if k != "at"}
        fields["at"] = entry.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        fields["details"] = entry.details
        entry.leaf_hash = verifier.leaf_hash(verifier.leaf_body(fields)).hex()
        entry.position = entry.chain_hash = None
    db.session.flush()
    db.session.execute(delete(LedgerCheckpoint))
    db.session.execute(delete(LedgerTreeNode))
    db.session.execute(update(LedgerState).values(size=0, chain_hash=verifier.CHAIN_START.hex()))
    db.session.commit()
    seal_and_checkpoint()  # re-signed with the hub's own key
    db.session.commit()
    assert verify_ledger() == []
    result = cli(app, "--against", str(saved))
    assert result.exit_code == 1
    assert "re-written: the ledger's tree at size 10 has root" in result.output
    export = tmp_path / "ledger.jsonl"
    keys = tmp_path / "keys.txt"
    from hub.ledger.verification import export_lines
    export.write_text("\n".join(export_lines()) + "\n")
    keys.write_text("".join(k.vkey + "\n" for k in signing.verifier_keys()))
    assert verifier.main(["export", str(export), "--keys", str(keys)]) == 0
    assert verifier.main(["export", str(export), "--keys", str(keys), "--against", str(saved)]) == 1


def test_a_larger_saved_checkpoint_that_the_ledger_extends_passes(app, saved):
    fill(5, 10)
    result = cli(app, "--against", str(saved))
    assert result.exit_code == 0, result.output
    assert "ledger intact: 15 entries" in result.output and "consistent with the checkpoint" in result.output


@pytest.mark.parametrize("text, words", [
    ("", "truncated"),
    ("corcoran-mn.alpr-hub\n10\n", "truncated"),
    ("corcoran-mn.alpr-hub\nten\nAAAA\n\n\u2014 corcoran-mn.alpr-hub AAAAAAA=\n", "does not verify|no signature"),
])
def test_bad_saved_checkpoints_are_named_never_intact(app, saved, tmp_path, text, words):
    import re
    path = tmp_path / "bad.txt"
    path.write_text(text)
    result = cli(app, "--against", str(path))
    assert result.exit_code == 1 and "intact" not in result.output
    assert re.search(words, result.output)


def test_saved_checkpoint_of_another_log_or_unknown_key_is_refused(app, saved, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    key = Ed25519PrivateKey.generate()
    body = verifier.Checkpoint("corcoran-mn.alpr-hub", 10, bytes(32)).body
    forged = tmp_path / "forged.txt"
    forged.write_text(body + "\n" + verifier.sign_note(body, "corcoran-mn.alpr-hub", key).line)
    result = cli(app, "--against", str(forged))
    assert result.exit_code == 1 and "no signature by a known key" in result.output
    assert cli(app, "--against", str(tmp_path / "missing.txt")).exit_code == 2


def test_removed_index_row_is_named(app, saved):
    entry_id = db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.position == 4))
    db.session.execute(delete(LedgerEntryCamera).where(LedgerEntryCamera.entry_id == entry_id))
    db.session.execute(LedgerEntryCamera.__table__.insert().values(entry_id=entry_id - 1, camera_id=555))
    db.session.commit()
    problems = [str(p) for p in verify_ledger()]
    assert f"entry {entry_id}: the owners' access-log index lacks camera 100, which the entry names" in problems
    assert any(p.startswith(f"entry {entry_id - 1}: ") and "lists camera 555" in p for p in problems)
    result = cli(app)
    assert result.exit_code == 1 and "lacks camera 100" in result.output


def test_unsealed_window_is_reported(app, saved, frozen_clock):
    record("test.action", actor=None)
    record("test.action", actor=None)
    db.session.commit()
    frozen_clock.advance(timedelta(seconds=42))
    result = cli(app)
    assert result.exit_code == 0
    assert "2 entries not yet sealed, the oldest 42 s old" in result.output and "every 10 s" in result.output
    seal_and_checkpoint()
    db.session.commit()
    assert "every entry is sealed" in cli(app).output


def test_verification_never_reads_or_creates_the_private_key(app, app_config, saved, tmp_path, monkeypatch):
    def refuse():
        raise AssertionError("verification read the private key")
    monkeypatch.setattr(signing, "signing_key", refuse)
    assert verify_ledger() == []
    assert cli(app).exit_code == 0
    keyless = build_app({**app_config, "LEDGER_SIGNING_KEY_PATH": str(tmp_path / "absent.pem"),
                         "LEDGER_VERIFIER_KEYS_PATH": str(tmp_path / "absent-keys.txt")})
    with keyless.app_context():
        result = keyless.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1 and "no verifier keys" in result.output
    assert not (tmp_path / "absent.pem").exists()


def test_rotated_keys_keep_old_checkpoints_verifiable(app, app_config, tmp_path):
    rotating = build_app({**app_config, "LEDGER_SIGNING_KEY_PATH": str(tmp_path / "signing.pem")})
    runner = rotating.test_cli_runner()
    with rotating.app_context():
        fill(3)
        first_key = signing.current_verifier_key()
    rotated = runner.invoke(args=["ledger", "rotate-key"])
    assert rotated.exit_code == 0
    with rotating.app_context():
        fill(2, 3)
        second_key = signing.current_verifier_key()
        assert second_key != first_key
        assert [k.vkey for k in signing.verifier_keys()] == [first_key.vkey, second_key.vkey]
        kinds = db.session.scalars(select(LedgerCheckpoint.key_id).order_by(LedgerCheckpoint.id)).all()
        assert kinds == [first_key.key_id.hex(), second_key.key_id.hex()]
        assert verify_ledger() == []
        assert db.session.scalar(select(LedgerEntry.action).where(LedgerEntry.action == "ledger.key_rotated"))
    printed = runner.invoke(args=["ledger", "public-key"]).output.strip().splitlines()
    assert printed == [first_key.vkey, second_key.vkey]
