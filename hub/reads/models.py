"""Reads. On PostgreSQL the table is partitioned by day on `captured_at`
(created by the migration), so the key includes it; ids are made by the hub
(`new_read_id`), time-ordered, so no sequence is shared across partitions."""
from __future__ import annotations

import itertools
import os
import time
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import UTCDateTime
from hub.extensions import db
from hub.keys.models import SealedPlate


_PROCESS_SALT = int.from_bytes(os.urandom(2), "big") & 0x3FF
_sequence = itertools.count()


def new_read_id() -> int:
    """Milliseconds since the epoch (41 bits), a random salt for this process
    (10 bits) and a sequence (12 bits): sortable by time, unique without a
    round trip to the database, 4,096 ids per millisecond per process."""
    return (int(time.time() * 1000) << 22) | (_PROCESS_SALT << 12) | (next(_sequence) & 0xFFF)


class Read(SealedPlate, db.Model):
    """A read's plate is sealed under its owner's data key for the day
    (`key_id`) and found by its hash under that key; its images are sealed
    under the same key."""

    __tablename__ = "reads"
    __table_args__ = (
        UniqueConstraint("camera_id", "camera_read_id", "captured_at", name="uq_reads_camera_read"),
        Index("ix_reads_plate_hash_time", "plate_hash", "captured_at"),
        Index("ix_reads_camera_time", "camera_id", "captured_at"),
        {"postgresql_partition_by": "RANGE (captured_at)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"))
    organisation_id: Mapped[int] = mapped_column(Integer)
    camera_read_id: Mapped[str] = mapped_column(String(64))
    plate_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    plate_hash: Mapped[str] = mapped_column(String(32))
    key_id: Mapped[int] = mapped_column(Integer)
    plate_state: Mapped[str | None] = mapped_column(String(2))
    confidence: Mapped[float | None] = mapped_column(Float)
    verified: Mapped[bool] = mapped_column(Boolean)
    recognised_by: Mapped[str] = mapped_column(String(10))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    plate_image: Mapped[str | None] = mapped_column(String(64))
    vehicle_image: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What the read is under the statute, from the state pack when collected
    # (`hub.reads.classification`): "alpr_data", or "alpr_data,partner_device".
    classification: Mapped[str] = mapped_column(String(40))

    @property
    def sealed_read_id(self) -> int:
        return self.id
