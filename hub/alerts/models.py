from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Enum, false, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.cameras.models import Camera
from hub.db import UTCDateTime
from hub.extensions import db
from hub.hotlists.models import HotlistEntry
from hub.keys.models import SealedPlate


class AlertStatus(str, enum.Enum):
    NEW = "new"
    VERIFIED = "verified"
    REJECTED = "rejected"


class AlertKind(str, enum.Enum):
    EXACT = "exact"
    POSSIBLE = "possible"  # the read differs from the listed plate by look-alike characters


class Alert(SealedPlate, db.Model):
    """An alert keeps its read's plate sealed as the read does (the same
    sealed bytes, under the same data key)."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    read_id: Mapped[int] = mapped_column(BigInteger, index=True)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    hotlist_entry_id: Mapped[int] = mapped_column(ForeignKey("hotlist_entries.id"))
    plate_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[int] = mapped_column(Integer)
    plate_image: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[AlertStatus] = mapped_column(Enum(AlertStatus, native_enum=False, length=20,
                                                     values_callable=lambda e: [m.value for m in e]))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    checklist: Mapped[str | None] = mapped_column(Text)
    stale_list: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    kind: Mapped[AlertKind] = mapped_column(Enum(AlertKind, native_enum=False, length=10,
                                                 values_callable=lambda e: [m.value for m in e]),
                                            default=AlertKind.EXACT, server_default=AlertKind.EXACT.value)
    differences: Mapped[str | None] = mapped_column(Text)  # a possible hit's differing characters, JSON

    camera: Mapped[Camera] = relationship(lazy="joined")
    entry: Mapped[HotlistEntry] = relationship(lazy="joined")

    @property
    def ledger_subject(self):
        return "alert", self.id

    @property
    def sealed_read_id(self) -> int:
        return self.read_id


class WebhookDelivery(db.Model):
    """One alert to one configured webhook, retried with back-off."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
