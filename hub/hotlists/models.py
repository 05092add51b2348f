from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import UTCDateTime
from hub.extensions import db


class EntrySource(str, enum.Enum):
    MANUAL = "manual"
    STATE_FILE = "state_file"


REASON_CATEGORIES = ("warrant", "missing_person", "amber_alert", "silver_alert", "stolen_vehicle", "stolen_plate",
                     "vehicle_used_in_crime", "suspended_revoked_license", "protection_order", "person_of_interest")
PRIORITIES = ("high", "medium", "low")


class HotlistEntry(db.Model):
    __tablename__ = "hotlist_entries"
    __table_args__ = (Index("ix_hotlist_entries_active", "removed_at", "source"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    source: Mapped[EntrySource] = mapped_column(Enum(EntrySource, native_enum=False, length=20,
                                                     values_callable=lambda e: [m.value for m in e]))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("hotlist_imports.id"), index=True)
    plate: Mapped[str] = mapped_column(String(12), index=True)
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    plate_state: Mapped[str | None] = mapped_column(String(2))
    reason_category: Mapped[str] = mapped_column(String(40))
    case_number: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(10))
    non_encounter: Mapped[bool] = mapped_column(Boolean, default=False)
    instructions: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removal_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def ledger_subject(self):
        return "hotlist_entry", self.id


class HotlistImport(db.Model):
    __tablename__ = "hotlist_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(200))
    replaced_import_id: Mapped[int | None] = mapped_column(Integer)

    @property
    def ledger_subject(self):
        return "hotlist_import", self.id


class HotlistVersion(db.Model):
    """Changed in the same transaction as any change to the lists, so every
    hub process knows when to rebuild its in-memory index."""

    __tablename__ = "hotlist_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
