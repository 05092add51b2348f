from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.clock import utcnow
from hub.db import UTCDateTime
from hub.extensions import db
from hub.identity.models import Organisation, User


class RequestStatus(str, enum.Enum):
    AWAITING_CHIEF = "awaiting_chief"
    DENIED = "denied"
    AWAITING_PARTNER = "awaiting_partner"
    GRANTED = "granted"
    DECLINED = "declined"


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
    partner_message: Mapped[str | None] = mapped_column(Text)
    consent_url: Mapped[str | None] = mapped_column(Text)
    # The one OAuth client that may carry this request to the partner and
    # receive its grant (see `hub.grants.binding`).
    oauth_client_id: Mapped[int | None] = mapped_column(ForeignKey("oauth_clients.id"))
    partner_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    partner_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    officer: Mapped[User] = relationship(foreign_keys=[officer_id], lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    oauth_client: Mapped["OAuthClient | None"] = relationship()
    grants: Mapped[list["Grant"]] = relationship(back_populates="request", lazy="selectin")

    @property
    def ledger_subject(self):
        return "access_request", self.id

    @property
    def cameras(self) -> list[int]:
        return [int(c) for c in self.camera_ids.split(",") if c]

    @property
    def status_words(self) -> str:
        """The status as the officer needs it: a granted request whose grants
        have all ended says so."""
        if self.status is RequestStatus.GRANTED and self.grants:
            if all(g.revoked_at is not None for g in self.grants):
                return "granted, then revoked"
            if all(g.revoked_at is not None or g.expires_at <= utcnow() for g in self.grants):
                return "granted, now ended"
        return self.status.value.replace("_", " ")


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
    # Where the hub posts signed news for the client (a data request's decision).
    webhook_url: Mapped[str | None] = mapped_column(String(500))

    organisation: Mapped[Organisation | None] = relationship()

    @property
    def ledger_subject(self):
        return "oauth_client", self.id

    @property
    def redirect_uri_list(self) -> list[str]:
        return self.redirect_uris.split()


class Grant(db.Model):
    """What the partner consented to: these cameras, this data window, until
    this moment. Every token of the grant dies with it."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(48), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    camera_ids: Mapped[str] = mapped_column(Text)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    expiry_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request: Mapped[AccessRequest] = relationship(back_populates="grants")

    @property
    def ledger_subject(self):
        return "grant", self.id

    @property
    def cameras(self) -> list[int]:
        return [int(c) for c in self.camera_ids.split(",") if c]

    @property
    def is_live(self) -> bool:
        """Neither revoked nor expired: its reads may still be read."""
        return self.revoked_at is None and self.expires_at > utcnow()

    def authorization_details(self) -> list[dict]:
        """The grant as RFC 9396 authorization details."""
        return [{"type": "alpr_camera_access", "request_id": self.request_id, "cameras": self.cameras,
                 "window": {"start": self.window_start.isoformat(), "end": self.window_end.isoformat()},
                 "expires_at": self.expires_at.isoformat()}]


class AuthorizationCode(db.Model):
    __tablename__ = "oauth_authorization_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(48))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(200), default="")
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    auth_time: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Kept once redeemed, so that a second redemption is recognised and what
    # the first produced is revoked (RFC 6749 section 4.1.2).
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_auth_time(self):
        return self.auth_time


class TokenRevocation(str, enum.Enum):
    """Why a token stopped working: what a refused client is told."""
    ROTATED = "rotated"
    GRANT_REVOKED = "grant_revoked"
    CODE_REUSED = "code_reused"
    EXPIRED = "expired"


class OAuthToken(db.Model):
    """Access and refresh tokens, kept as hashes; each belongs to one grant
    and remembers the authorization code its line of refreshes began with."""

    __tablename__ = "oauth_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(48))
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(200), default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(30))
    authorization_code_id: Mapped[int | None] = mapped_column(ForeignKey("oauth_authorization_codes.id"),
                                                              index=True)

    grant: Mapped[Grant] = relationship(lazy="joined")

    # Authlib's token protocol, for the revocation and introspection endpoints.
    def is_expired(self) -> bool:
        return self.expires_at <= utcnow() or self.grant.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.revoked_at is not None or self.grant.revoked_at is not None

    def check_client(self, client) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope


class ClientToken(db.Model):
    """An access token a client holds for itself (client-credentials grant),
    not for a person or a partner's grant: an outside agency's system or a
    neighbouring hub submitting and following its data requests. Kept as a
    hash; the scope says what it may do."""

    __tablename__ = "oauth_client_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(48), index=True)
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def ledger_subject(self):
        return "oauth_client_token", self.id
