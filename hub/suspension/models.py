"""A suspension order of the Commissioner of Administration and, once the
commissioner authorises reinstatement, its lifting: both kept for good."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import UTCDateTime
from hub.extensions import db


class SuspensionOrder(db.Model):
    __tablename__ = "suspension_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issued_by: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(200))
    ordered_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_on: Mapped[date | None] = mapped_column(Date)
    lift_reference: Mapped[str | None] = mapped_column(String(200))
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def ledger_subject(self):
        return "suspension_order", self.id

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None
