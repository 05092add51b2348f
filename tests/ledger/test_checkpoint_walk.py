"""Verification meets every checkpoint in one walk over the leaves: a ledger
under many checkpoints still names the entry or the checkpoint that was
tampered with, in `hub ledger verify` and in the offline verifier run on an
export, whether the signatures are checked in the caller or in worker
processes, and with a sample of signatures too."""
import base64
import io
from contextlib import redirect_stdout

import pytest
from sqlalchemy import delete, select, update

from hub.extensions import db
from hub.ledger import signing, verifier
from hub.ledger.models import LedgerCheckpoint, LedgerEntry
from hub.ledger.services import record
from hub.ledger.tree import seal_and_checkpoint
from hub.ledger.verification import export_lines, verify_ledger

ROUNDS, PER_ROUND = 5, 3


@pytest.fixture
def ledger_of_five_checkpoints(ctx):
    """Fifteen entries under checkpoints at sizes 3, 6, 9, 12 and 15."""
    for round_ in range(ROUNDS):
        for n in range(PER_ROUND):
            record("test.action", actor=None, subject=("thing", n), details={"round": round_, "n": n})
        db.session.commit()
        seal_and_checkpoint()
        db.session.commit()


def checkpoint_at(size: int) -> LedgerCheckpoint:
    return db.session.scalars(select(LedgerCheckpoint).where(LedgerCheckpoint.tree_size == size)).one()


def offline(tmp_path, *args: str) -> tuple[int, str]:
    export, keys = tmp_path / "ledger.jsonl", tmp_path / "keys.txt"
    export.write_text("\n".join(export_lines()) + "\n")
    keys.write_text("".join(k.vkey + "\n" for k in signing.verifier_keys()))
    out = io.StringIO()
    with redirect_stdout(out):
        status = verifier.main(["export", str(export), "--keys", str(keys), *args])
    return status, out.getvalue()


def first_problem(app, tmp_path) -> str:
    """The first problem, the same from the hub, its command and offline."""
    problems = verify_ledger()
    assert problems, "the hub found nothing wrong"
    said = str(problems[0])
    status, out = offline(tmp_path)
    assert status == 1 and out.splitlines()[0] == said
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1 and f"FAILED: {said}" in result.output
    return said


def resign(checkpoint: LedgerCheckpoint, size: int, root: bytes) -> None:
    """Store `checkpoint` as though the log's key had signed this size and root."""
    body = verifier.Checkpoint(signing.origin(), size, root,
                               (f"chain {checkpoint.chain_hash}", f"time {checkpoint.created_at_text}")).body
    line = verifier.sign_note(body, signing.origin(), signing.signing_key())
    checkpoint.tree_size, checkpoint.root_hash = size, root.hex()
    checkpoint.note = body + "\n" + line.line
    db.session.commit()


def test_intact_ledger_meets_every_checkpoint(app, ledger_of_five_checkpoints, tmp_path):
    assert verify_ledger() == []
    status, out = offline(tmp_path)
    assert status == 0 and "5 checkpoints, every signature verified" in out
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0 and "checked against 5 checkpoints, every signature verified" in result.output


def test_changed_entry_is_named(app, ledger_of_five_checkpoints, tmp_path):
    db.session.execute(update(LedgerEntry).where(LedgerEntry.position == 8).values(details='{"n":80}'))
    db.session.commit()
    entry_id = db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.position == 8))
    assert first_problem(app, tmp_path).startswith(f"entry {entry_id} (position 8): altered")


def test_removed_entry_is_named(app, ledger_of_five_checkpoints, tmp_path):
    db.session.execute(delete(LedgerEntry).where(LedgerEntry.position == 11))
    db.session.commit()
    assert first_problem(app, tmp_path).startswith("position 11: missing")


def test_checkpoint_signed_over_a_wrong_root_is_named(app, ledger_of_five_checkpoints, tmp_path):
    checkpoint = checkpoint_at(9)
    resign(checkpoint, 9, bytes(32))
    assert first_problem(app, tmp_path) == ("position 9: altered: the entries up to here no longer match the "
                                            f"checkpoint signed at {checkpoint.created_at_text}")


def test_wrong_signature_is_named(app, ledger_of_five_checkpoints, tmp_path):
    checkpoint = checkpoint_at(6)
    body, line = checkpoint.note.split("\n\n")
    name, signature = line.rstrip("\n").split(" ")[1:]
    raw = base64.b64decode(signature)
    forged = base64.b64encode(raw[:4] + bytes(64)).decode()
    checkpoint.note = f"{body}\n\n\u2014 {name} {forged}\n"
    db.session.commit()
    said = first_problem(app, tmp_path)
    assert said.startswith("position 6: the checkpoint at size 6 does not verify: the signature by "
                           f"{signing.origin()}+")


def test_checkpoint_beyond_the_tree_is_named(app, ledger_of_five_checkpoints, tmp_path):
    resign(checkpoint_at(15), 40, bytes(32))
    assert first_problem(app, tmp_path) == ("position 16: missing: a signed checkpoint covers 40 entries but "
                                            "only 15 are sealed")


def test_checkpoints_out_of_order_are_named(app, ledger_of_five_checkpoints, tmp_path):
    """Rows swapped: each checkpoint verifies, but the one signed later covers fewer entries."""
    early, late = checkpoint_at(6), checkpoint_at(9)
    fields = ("tree_size", "root_hash", "chain_hash", "created_at", "created_at_text", "key_id", "signature",
              "note")
    swapped = {f: getattr(late, f) for f in fields}
    for f in fields:
        setattr(late, f, getattr(early, f))
    db.session.flush()
    for f, value in swapped.items():
        setattr(early, f, value)
    db.session.commit()
    assert first_problem(app, tmp_path) == (
        f"position 6: out of order: the checkpoint signed at {late.created_at_text} covers 6 entries, fewer than "
        f"the 9 of the checkpoint listed before it (signed at {early.created_at_text})")


def test_signatures_checked_in_worker_processes_name_the_same_checkpoint(ledger_of_five_checkpoints,
                                                                          monkeypatch):
    """Chunks of two checks, so five checkpoints go to two worker processes."""
    monkeypatch.setattr(verifier._Signatures, "CHUNK", 2)
    monkeypatch.setattr(verifier._Signatures, "PARALLEL_FROM", 1)
    from hub.ledger.verification import checkpoints, stream_sealed
    keys = signing.verifier_keys()

    def problems():
        return [str(p) for p in verifier.verify_rows(stream_sealed(), checkpoints(), keys, workers=2)]

    assert problems() == []
    checkpoint = checkpoint_at(12)
    body, line = checkpoint.note.split("\n\n")
    checkpoint.note = body.replace(f"time {checkpoint.created_at_text}", "time 2001-01-01T00:00:00.000000Z") \
        + "\n\n" + line
    db.session.commit()
    said = problems()
    assert len(said) == 1 and said[0].startswith("position 12: the checkpoint at size 12 does not verify")


def test_signature_sample_is_said_and_still_walks_every_root(app, ledger_of_five_checkpoints, tmp_path):
    """With a sample of none, only the latest checkpoint's signature is
    checked, and the report says so; every root is still checked."""
    coverage = verifier.Coverage()
    assert verify_ledger(sign_sample=0, coverage=coverage) == []
    assert (coverage.checkpoints, coverage.signatures_checked, coverage.sampled) == (5, 1, True)
    result = app.test_cli_runner().invoke(args=["ledger", "verify", "--sign-sample", "0"])
    assert result.exit_code == 0 and "signatures verified on a random sample of 1 (the latest included)" \
        in result.output
    resign(checkpoint_at(3), 3, bytes(32))
    problems = verify_ledger(sign_sample=0)
    assert problems and str(problems[0]).startswith("position 3: altered: the entries up to here no longer match")
    status, out = offline(tmp_path, "--sign-sample", "0")
    assert status == 1 and out.startswith("position 3: altered")


def test_signature_sample_always_checks_the_latest(ledger_of_five_checkpoints):
    checkpoint = checkpoint_at(15)
    body, line = checkpoint.note.split("\n\n")
    checkpoint.note = body.replace("time ", "time 1") + "\n\n" + line
    db.session.commit()
    problems = verify_ledger(sign_sample=0)
    assert problems and str(problems[0]).startswith("position 15: the checkpoint at size 15 does not verify")


def test_signature_workers_started_beside_other_threads_name_the_same_checkpoint(ledger_of_five_checkpoints,
                                                                                 monkeypatch):
    """In a threaded server the workers come from a fork server, not a fork
    of the server; they still find the bad signature."""
    import threading

    monkeypatch.setattr(verifier._Signatures, "CHUNK", 2)
    monkeypatch.setattr(verifier._Signatures, "PARALLEL_FROM", 1)
    from hub.ledger.verification import checkpoints, stream_sealed
    checkpoint = checkpoint_at(3)
    body, line = checkpoint.note.split("\n\n")
    checkpoint.note = body.replace("time ", "time 1") + "\n\n" + line
    db.session.commit()
    done, other = threading.Event(), threading.Thread(target=lambda: done.wait(30))
    other.start()
    try:
        said = [str(p) for p in verifier.verify_rows(stream_sealed(), checkpoints(), signing.verifier_keys(),
                                                     workers=2)]
    finally:
        done.set()
        other.join()
    assert len(said) == 1 and said[0].startswith("position 3: the checkpoint at size 3 does not verify")


def test_broken_export_line_stops_the_signature_workers(ledger_of_five_checkpoints, tmp_path, monkeypatch):
    monkeypatch.setattr(verifier._Signatures, "CHUNK", 2)
    monkeypatch.setattr(verifier._Signatures, "PARALLEL_FROM", 1)
    lines = list(export_lines())
    lines[4] = '{"type": "entry", "id": 5'
    export = tmp_path / "ledger.jsonl"
    export.write_text("\n".join(lines) + "\n")
    rows, checkpoints, sealed = verifier._read_export(str(export))
    closed = []
    monkeypatch.setattr(verifier._Signatures, "close", lambda self: closed.append(self))
    with pytest.raises(verifier.NoteError, match="line 5 of the export is not a ledger entry"):
        list(verifier.verify_rows(rows, checkpoints, signing.verifier_keys(), sealed, workers=2))
    assert len(closed) == 1
    closed[0]._pool.shutdown(cancel_futures=True)
