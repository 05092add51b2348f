"""What the partner portal keeps: accepted versions of the data-sharing terms
and invitations for further partner administrators."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import UTCDateTime
from hub.extensions import db
from hub.identity.models import Organisation


class TermsAcceptance(db.Model):
    __tablename__ = "terms_acceptances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[str] = mapped_column(String(40))
    text_sha256: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PartnerInvitation(db.Model):
    __tablename__ = "partner_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(200))
    lookup: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def ledger_subject(self):
        return "partner_invitation", self.id


class Departure(db.Model):
    """A partner that left the network, and the destruction receipt it was
    given: what was ended, destroyed and kept (under holds), with the ledger
    entries that prove each step. The organisation's record and the ledger stay."""

    __tablename__ = "partner_departures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    left_at: Mapped[datetime] = mapped_column(UTCDateTime)
    receipt: Mapped[str] = mapped_column(Text)  # JSON

    @property
    def ledger_subject(self):
        return "organisation", self.organisation_id
