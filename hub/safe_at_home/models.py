from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import UTCDateTime
from hub.extensions import db


class SafeAtHomeRequest(db.Model):
    """A participant's written request. The plate is kept only as a keyed
    hash; the request document in the encrypted image store."""

    __tablename__ = "safe_at_home_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plate_hash: Mapped[str] = mapped_column(String(64), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    document: Mapped[str] = mapped_column(String(64))
    document_type: Mapped[str] = mapped_column(String(50))
    reference: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reads_destroyed: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def ledger_subject(self):
        return "safe_at_home_request", self.id
