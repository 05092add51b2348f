"""Holds, purge runs and what each run destroyed, per camera and day."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import UTCDateTime
from hub.extensions import db


class HoldKind(str, enum.Enum):
    INVESTIGATION = "investigation"
    EXCULPATORY = "exculpatory"


class Hold(db.Model):
    """Reads kept past retention: those of a plate, of some cameras, inside a
    time window, or any combination. An investigation hold is reviewed by its
    date; an exculpatory hold lasts until the matter is resolved."""

    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[HoldKind] = mapped_column(Enum(HoldKind, native_enum=False, length=20,
                                                values_callable=lambda e: [m.value for m in e]))
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str] = mapped_column(Text)
    plate: Mapped[str | None] = mapped_column(String(12), index=True)
    plate_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_on: Mapped[date] = mapped_column(Date)
    requester_name: Mapped[str | None] = mapped_column(String(200))
    request_document: Mapped[str | None] = mapped_column(String(64))
    request_document_type: Mapped[str | None] = mapped_column(String(50))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    release_reason: Mapped[str | None] = mapped_column(Text)

    cameras: Mapped[list["HoldCamera"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def ledger_subject(self):
        return "hold", self.id

    @property
    def camera_ids(self) -> list[int]:
        return sorted(c.camera_id for c in self.cameras)


class HoldCamera(db.Model):
    __tablename__ = "hold_cameras"

    hold_id: Mapped[int] = mapped_column(ForeignKey("holds.id"), primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), primary_key=True)


class HoldPlateHash(db.Model):
    """A hold's plate as it is hashed under one live data key: reads are
    found by plate only through these hashes, so the purge matches a hold
    against sealed reads. Kept for every live key (made with the hold, with
    each new key, and topped up by every purge run); gone with the key."""

    __tablename__ = "hold_plate_hashes"

    hold_id: Mapped[int] = mapped_column(ForeignKey("holds.id"), primary_key=True)
    plate_hash: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("data_keys.id"), index=True)


class PurgeRun(db.Model):
    """One run of the retention purge, and when it finished."""

    __tablename__ = "purge_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    reads_destroyed: Mapped[int] = mapped_column(Integer, default=0)
    reads_held: Mapped[int] = mapped_column(Integer, default=0)
    alerts_destroyed: Mapped[int] = mapped_column(Integer, default=0)
    images_destroyed: Mapped[int] = mapped_column(Integer, default=0)
    private_details_erased: Mapped[int] = mapped_column(Integer, default=0)
    partitions_dropped: Mapped[int] = mapped_column(Integer, default=0)
    keys_destroyed: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def ledger_subject(self):
        return "purge_run", self.id


class PurgeCount(db.Model):
    """What one run did to one camera's reads of one day: the proof of
    destruction the biennial audit asks for."""

    __tablename__ = "purge_counts"

    run_id: Mapped[int] = mapped_column(ForeignKey("purge_runs.id"), primary_key=True)
    camera_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    destroyed: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    holds: Mapped[str | None] = mapped_column(Text)  # ids of the holds that kept reads, comma-separated


class ReadsCollected(db.Model):
    """How many reads each camera collected each day, kept after the reads are
    destroyed: what was collected, beside what was destroyed and when."""

    __tablename__ = "collection_tallies"

    camera_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reads: Mapped[int] = mapped_column(Integer, default=0)


class ImageTombstone(db.Model):
    """An image whose read is gone: the file is removed once the destruction
    has committed, so a crash leaves a file to remove, never a read without
    its image."""

    __tablename__ = "image_tombstones"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
