"""Ledger tables. Writers only insert entries; the sealer (one at a time,
serialised by the single `LedgerState` row) gives each committed entry its
position in the tree and its link in the hash chain, then signs a checkpoint."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import UTCDateTime
from hub.extensions import db

BigId = BigInteger().with_variant(Integer, "sqlite")


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    actor_org_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(100), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(50))
    subject_id: Mapped[str | None] = mapped_column(String(100))
    purpose: Mapped[str | None] = mapped_column(Text)
    case_number: Mapped[str | None] = mapped_column(String(100), index=True)
    details: Mapped[str] = mapped_column(Text)
    private_digest: Mapped[str | None] = mapped_column(String(64))
    leaf_hash: Mapped[str] = mapped_column(String(64))
    position: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (db.Index("ix_ledger_entries_subject", "subject_type", "subject_id"),)


class LedgerEntryCamera(db.Model):
    """Which cameras an entry touched: an index for each owner's view of the
    accesses to its cameras. The entry's details carry the same ids, so the
    leaf hash commits to them."""

    __tablename__ = "ledger_entry_cameras"

    camera_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), primary_key=True)


class LedgerPrivateDetail(db.Model):
    """Private data an entry commits to by hash (a plate in a query, a name in
    a request). A lawful destruction deletes this row; the entry stays valid."""

    __tablename__ = "ledger_private_details"

    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    content: Mapped[str] = mapped_column(Text)


class LedgerState(db.Model):
    """The sealed part of the ledger: how many entries have positions, the
    chain hash of the last one. Its one row is locked by the sealer."""

    __tablename__ = "ledger_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    chain_hash: Mapped[str] = mapped_column(String(64))


class LedgerTreeNode(db.Model):
    """Hashes of complete subtrees above the leaves (level >= 1), stored as
    entries are sealed, so inclusion proofs cost O(log n) look-ups."""

    __tablename__ = "ledger_tree_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerCheckpoint(db.Model):
    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(200))
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at_text: Mapped[str] = mapped_column(String(40))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)

    def as_document(self) -> dict:
        return {
            "origin": self.origin,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "chain_hash": self.chain_hash,
            "created_at": self.created_at_text,
            "key_id": self.key_id,
            "signature": self.signature,
            "note": self.note,
        }


class LedgerWitness(db.Model):
    """A witness this hub's log trusts to cosign its checkpoints (its note
    verifier key, signature type 0x04), where to push checkpoints to it, and
    the largest size it is known to have cosigned."""

    __tablename__ = "ledger_witnesses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    vkey: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    url: Mapped[str | None] = mapped_column(String(500))
    cosigned_size: Mapped[int] = mapped_column(BigInteger, default=0)


class LedgerCosignature(db.Model):
    """A witness's cosignature line on one of this hub's checkpoints."""

    __tablename__ = "ledger_cosignatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("ledger_checkpoints.id"), index=True)
    witness: Mapped[str] = mapped_column(String(200))
    line: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (db.UniqueConstraint("checkpoint_id", "witness"),)


class LedgerWitnessedLog(db.Model):
    """Another hub's log that this hub witnesses: the keys it trusts for it,
    where to poll it, and the latest checkpoint it cosigned (tlog-witness
    keeps exactly this per origin). The row is locked while a checkpoint is
    checked, so two submissions cannot roll it back."""

    __tablename__ = "ledger_witnessed_logs"

    origin: Mapped[str] = mapped_column(String(200), primary_key=True)
    vkeys: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    root_hash: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerCheckpointKept(db.Model):
    """A checkpoint shown to a partner organisation: its portal keeps every
    one, so the partner can later prove the ledger was not rolled back."""

    __tablename__ = "ledger_checkpoints_kept"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("ledger_checkpoints.id"), primary_key=True)
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime)
