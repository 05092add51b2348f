"""`record` writes one entry in the caller's transaction, chained and hashed."""
import pytest
from sqlalchemy import func, select

from hub.extensions import db
from hub.ledger import verifier
from hub.ledger.models import LedgerEntry, LedgerPrivateDetail, LedgerState
from hub.ledger.tree import seal_and_checkpoint
from hub.ledger.services import erase_private_details, record
from hub.ledger.verification import verify_ledger
from tests.conftest import make_user
from hub.identity.roles import Role


def count():
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def test_entry_carries_who_what_why(ctx):
    officer = make_user("o1", Role.OFFICER)
    before = count()
    receipt = record("search.performed", actor=officer, subject=("camera", 7), purpose="stolen vehicle",
                     case_number="ICR-2026-001", details={"results": 3})
    db.session.commit()
    entry = db.session.get(LedgerEntry, receipt.entry_id)
    assert count() == before + 1
    assert (entry.actor, entry.actor_id, entry.actor_org_id) == ("o1", officer.id, officer.organisation_id)
    assert (entry.action, entry.subject_type, entry.subject_id) == ("search.performed", "camera", "7")
    assert (entry.purpose, entry.case_number, entry.details) == ("stolen vehicle", "ICR-2026-001", '{"results":3}')
    assert entry.created_at.tzinfo is not None


def test_sealing_gives_contiguous_positions_and_one_chain(ctx):
    receipts = [record("test.action", actor=None, details={"n": n}) for n in range(5)]
    db.session.commit()
    assert all(db.session.get(LedgerEntry, r.entry_id).position is None for r in receipts)
    checkpoint = seal_and_checkpoint()
    db.session.commit()
    entries = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.position)).all()
    assert [e.position for e in entries] == [1, 2, 3, 4, 5]
    assert [e.id for e in entries] == [r.entry_id for r in receipts]
    chain = verifier.CHAIN_START
    for entry in entries:
        chain = verifier.chain_next(chain, bytes.fromhex(entry.leaf_hash))
        assert entry.chain_hash == chain.hex()
    state = db.session.get(LedgerState, 1)
    assert (state.size, state.chain_hash) == (5, chain.hex()) == (checkpoint.tree_size, checkpoint.chain_hash)


def test_rolled_back_transaction_leaves_no_entry_and_no_gap(ctx):
    record("kept.first", actor=None)
    db.session.commit()
    before = count()
    make_user("ghost", Role.RECORDS)  # the change and its ledger entry
    assert count() > before
    db.session.rollback()
    assert count() == before
    record("kept.second", actor=None)
    db.session.commit()
    seal_and_checkpoint()
    db.session.commit()
    positions = list(db.session.scalars(select(LedgerEntry.position).order_by(LedgerEntry.position)))
    assert positions == list(range(1, before + 2))
    assert verify_ledger() == []


def test_private_details_are_committed_by_salted_hash_and_erasable(ctx):
    receipt = record("search.performed", actor=None, details={"results": 0}, private={"plate": "ABC123"})
    db.session.commit()
    seal_and_checkpoint()
    db.session.commit()
    entry = db.session.get(LedgerEntry, receipt.entry_id)
    assert "ABC123" not in entry.details and entry.private_digest
    detail = db.session.get(LedgerPrivateDetail, receipt.entry_id)
    assert verifier.private_digest(detail.salt, detail.content) == entry.private_digest
    assert verify_ledger() == []
    erased = erase_private_details("records", [receipt.entry_id], reason="Safe at Home request")
    db.session.commit()
    assert erased == 1
    assert db.session.get(LedgerPrivateDetail, receipt.entry_id) is None
    assert verify_ledger() == []
    last = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc())).first()
    assert last.action == "ledger.private_details_erased"


def test_private_detail_tampering_is_detected_sealed_or_not(ctx):
    sealed = record("search.performed", actor=None, private={"plate": "ABC123"})
    db.session.commit()
    seal_and_checkpoint()
    fresh = record("search.performed", actor=None, private={"plate": "DEF456"})
    db.session.commit()
    for receipt in (sealed, fresh):
        db.session.get(LedgerPrivateDetail, receipt.entry_id).content = '{"plate":"XYZ999"}'
    db.session.commit()
    problems = verify_ledger()
    assert [p.entry_id for p in problems] == [sealed.entry_id, fresh.entry_id]


def test_naive_timestamps_are_refused(ctx):
    from datetime import datetime
    from hub.db import UTCDateTime
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)
