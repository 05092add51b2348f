"""Identity tables."""
from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.clock import utcnow
from hub.db import UTCDateTime
from hub.extensions import db
from hub.identity.roles import OrganisationKind, OrganisationStatus, Role


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e],
                length=30, validate_strings=True)


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    state: Mapped[str] = mapped_column(String(2), default="MN")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[OrganisationStatus] = mapped_column(_enum(OrganisationStatus, "organisation_status"),
                                                      default=OrganisationStatus.APPROVED)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a partner that left the network

    users: Mapped[list["User"]] = relationship(back_populates="organisation", foreign_keys="User.organisation_id")

    @property
    def ledger_subject(self):
        return "organisation", self.id

    @property
    def is_approved(self) -> bool:
        return self.status is OrganisationStatus.APPROVED


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined",
                                                      foreign_keys=[organisation_id])

    @property
    def ledger_subject(self):
        return "user", self.id

    @property
    def ledger_actor(self) -> tuple[int, str, int]:
        return self.id, self.username, self.organisation_id

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_second_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def is_locked(self) -> bool:
        """Locked after repeated failed sign-ins: no way in, not even by token."""
        return self.locked_until is not None and self.locked_until > utcnow()

    @property
    def awaits_approval(self) -> bool:
        """A partner organisation the agency has not approved (pending or
        declined) may use nothing but the page that says so."""
        return not self.organisation.is_approved


class RecoveryCode(db.Model):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TrainingAcknowledgement(db.Model):
    """A user's completed ALPR training and acknowledgement of the policy."""

    __tablename__ = "training_acknowledgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    course: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WrittenAuthorisation(db.Model):
    """The chief's (or a designee's) written authorisation for an officer to
    reach ALPR data (Minn. Stat. 13.824 subd. 7)."""

    __tablename__ = "written_authorisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    signed_on: Mapped[date] = mapped_column(Date)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    signed_by: Mapped[User] = relationship(foreign_keys=[signed_by_id])

    @property
    def ledger_subject(self):
        return "written_authorisation", self.id


class ApiToken(db.Model):
    """A personal API token. Only a SHA-256 of the secret is kept: tokens are
    random 256-bit values, so a fast hash is as safe as a slow one here."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    lookup: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def ledger_subject(self):
        return "api_token", self.id

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
