from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import UTCDateTime
from hub.extensions import db
from hub.identity.models import Organisation, User


class RequestStatus(str, enum.Enum):
    AWAITING_CHIEF = "awaiting_chief"
    DENIED = "denied"
    AWAITING_PARTNER = "awaiting_partner"


def _enum(cls):
    return Enum(cls, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])


class AccessRequest(db.Model):
    """An officer's request for a partner's camera data, for one case."""

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    camera_ids: Mapped[str] = mapped_column(Text)
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    offense_type: Mapped[str] = mapped_column(String(100))
    factual_basis: Mapped[str] = mapped_column(Text)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    access_hours: Mapped[int] = mapped_column(Integer)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finding: Mapped[str | None] = mapped_column(Text)

    officer: Mapped[User] = relationship(foreign_keys=[officer_id], lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def ledger_subject(self):
        return "access_request", self.id

    @property
    def cameras(self) -> list[int]:
        return [int(c) for c in self.camera_ids.split(",") if c]


class OAuthClient(db.Model):
    """A registered OAuth client (the agency's systems, a neighbouring hub).
    Confidential: the secret is kept only as a hash; redirect URIs must match
    exactly."""

    __tablename__ = "oauth_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(48), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    redirect_uris: Mapped[str] = mapped_column(Text)
    grant_types: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def ledger_subject(self):
        return "oauth_client", self.id

    @property
    def redirect_uri_list(self) -> list[str]:
        return self.redirect_uris.split()
