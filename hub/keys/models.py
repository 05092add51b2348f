"""What the database knows of each data key: whose, which day, which
key-encryption key wrapped it (its fingerprint), and when it was destroyed.
The key itself is never in the database: it lives, wrapped, in the key
store (`DATA_KEY_STORE_PATH`), so a copy of the database holds no key."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import UTCDateTime
from hub.extensions import db


class DataKey(db.Model):
    __tablename__ = "data_keys"
    __table_args__ = (UniqueConstraint("organisation_id", "day", name="uq_data_keys_organisation_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    kek_fingerprint: Mapped[str | None] = mapped_column(String(32), index=True)  # None once destroyed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    destroyed_reason: Mapped[str | None] = mapped_column(String(200))
    shredded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # its file removed, after the commit

    @property
    def ledger_subject(self):
        return "data_key", self.id


class PlateSealed(RuntimeError):
    """A plate was asked for before the scope function's path opened it."""


class SealedPlate:
    """A row whose plate is kept sealed under a data key (`plate_sealed`,
    `key_id`) and indexed by its hash under that key (`plate_hash`). The
    `plate` attribute exists only once `hub.scope.Scope.open` (or ingest,
    which holds the text already) has put it there: a path that forgot to ask
    the scope fails loudly instead of showing anything."""

    @property
    def plate(self) -> str:
        opened = self.__dict__.get("_opened_plate")
        if opened is None:
            raise PlateSealed(f"{type(self).__name__} {getattr(self, 'id', '?')}: plate not opened through the scope")
        return opened

    def put_opened_plate(self, text: str) -> None:
        self.__dict__["_opened_plate"] = text
