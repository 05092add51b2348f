"""Tables of outside agencies' written data requests: the request (kept on
file with its decision, Minn. Stat. 13.824 subd. 4), the download links of
its release package, the signed decision webhooks owed to a client, and, on
the receiving side, neighbouring hubs and the packages received from them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import UTCDateTime
from hub.extensions import db
from hub.identity.models import Organisation, User


class RequestStatus(str, enum.Enum):
    AWAITING_REVIEW = "awaiting_review"  # a scanned letter: its fields are confirmed against the image first
    WITH_RECORDS = "with_records"  # not a law-enforcement body: records staff, under the Data Practices Act
    AWAITING_PREPARATION = "awaiting_preparation"  # an officer prepares the search
    AWAITING_DECISION = "awaiting_decision"  # the chief (or a designee) decides
    DENIED = "denied"
    RELEASED = "released"  # approved (in whole or in part); the package is made
    CLOSED = "closed"  # records staff closed it

    @property
    def words(self) -> str:
        return STATUS_WORDS[self]


STATUS_WORDS = {
    RequestStatus.AWAITING_REVIEW: "letter received: fields being checked",
    RequestStatus.WITH_RECORDS: "with records staff (not a law-enforcement request)",
    RequestStatus.AWAITING_PREPARATION: "received: search being prepared",
    RequestStatus.AWAITING_DECISION: "awaiting the chief's decision",
    RequestStatus.DENIED: "denied",
    RequestStatus.RELEASED: "approved: release package ready",
    RequestStatus.CLOSED: "closed by records staff",
}


class Decision(str, enum.Enum):
    APPROVED = "approved"
    APPROVED_IN_PART = "approved_in_part"
    DENIED = "denied"


class Channel(str, enum.Enum):
    FORM = "form"
    API = "api"
    LETTER = "letter"


def _enum(cls):
    return Enum(cls, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])


def _ids(text: str | None) -> list[int]:
    return [int(c) for c in (text or "").split(",") if c]


def _plates(text: str | None) -> list[str]:
    return [p for p in (text or "").split(",") if p]


class DataRequest(db.Model):
    """One written request, however it arrived. What was asked, what was
    prepared and what was approved are kept side by side: an approval in
    part narrows the search, it never rewrites the request."""

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by_client: Mapped[str | None] = mapped_column(String(48))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    follows_request_id: Mapped[int | None] = mapped_column(ForeignKey("data_requests.id"))
    # The five elements of the written request, and the purpose's category.
    agency_name: Mapped[str] = mapped_column(String(200))
    requester_name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    offense_type: Mapped[str] = mapped_column(String(64))
    factual_basis: Mapped[str] = mapped_column(Text)
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    authorization_statement: Mapped[str] = mapped_column(Text)
    out_of_state_declaration: Mapped[bool] = mapped_column(Boolean, default=False)
    recipient_state: Mapped[str] = mapped_column(String(2))
    # What is asked for.
    plates: Mapped[str] = mapped_column(Text)
    camera_ids: Mapped[str] = mapped_column(Text, default="")
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    # A scanned letter, kept as received (content-addressed: its SHA-256).
    letter_sha256: Mapped[str | None] = mapped_column(String(64))
    letter_media_type: Mapped[str | None] = mapped_column(String(50))
    letter_filename: Mapped[str | None] = mapped_column(String(200))
    letter_pages: Mapped[int | None] = mapped_column(Integer)
    letter_text: Mapped[str | None] = mapped_column(Text)
    letter_fields: Mapped[str | None] = mapped_column(Text)  # JSON: what the reading found, field by field
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The search an officer prepared.
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search_plates: Mapped[str | None] = mapped_column(Text)
    search_camera_ids: Mapped[str | None] = mapped_column(Text)
    search_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The chief's decision and written finding.
    decision: Mapped[Decision | None] = mapped_column(_enum(Decision))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finding: Mapped[str | None] = mapped_column(Text)
    reasonable_suspicion: Mapped[bool | None] = mapped_column(Boolean)
    approved_plates: Mapped[str | None] = mapped_column(Text)
    approved_camera_ids: Mapped[str | None] = mapped_column(Text)
    approved_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The release package (encrypted in the store under its SHA-256).
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    package_sha256: Mapped[str | None] = mapped_column(String(64))
    manifest_sha256: Mapped[str | None] = mapped_column(String(64))
    reads_released: Mapped[int | None] = mapped_column(Integer)
    release_entry_id: Mapped[int | None] = mapped_column(Integer)
    package_available_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    package_destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Records staff, for a request that is not this workflow's.
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    records_note: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    prepared_by: Mapped[User | None] = relationship(foreign_keys=[prepared_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def ledger_subject(self):
        return "data_request", self.id

    @property
    def plate_list(self) -> list[str]:
        return _plates(self.plates)

    @property
    def cameras(self) -> list[int]:
        return _ids(self.camera_ids)

    @property
    def search_plate_list(self) -> list[str]:
        return _plates(self.search_plates)

    @property
    def search_cameras(self) -> list[int]:
        return _ids(self.search_camera_ids)

    @property
    def approved_plate_list(self) -> list[str]:
        return _plates(self.approved_plates)

    @property
    def approved_cameras(self) -> list[int]:
        return _ids(self.approved_camera_ids)

    @property
    def status_words(self) -> str:
        if self.status is RequestStatus.RELEASED and self.decision is Decision.APPROVED_IN_PART:
            return "approved in part: release package ready"
        return self.status.words


class PackageDownload(db.Model):
    """A link to a release package for one person or client: it expires,
    and it works once."""

    __tablename__ = "data_request_downloads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("data_requests.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(80), index=True)  # "user:<id>" or "client:<client id>"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DecisionWebhook(db.Model):
    """A decision owed to the submitting client's registered address, signed,
    retried with back-off like the alerts' webhook."""

    __tablename__ = "data_request_webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("data_requests.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(48))
    url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class FederationPeer(db.Model):
    """A neighbouring hub this hub asks for data: its address, and this hub's
    client credentials there and the key its decision webhooks are signed
    with, both sealed under a key kept in `instance/`."""

    __tablename__ = "federation_peers"

    origin: Mapped[str] = mapped_column(String(200), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(48))
    client_secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    webhook_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReceivedRelease(db.Model):
    """A request this hub sent to a neighbour, its decision, and the package
    received for it: held under the classification and destruction rules the
    sending hub's manifest states (Minn. Stat. 13.824 subd. 4(b))."""

    __tablename__ = "received_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    peer_origin: Mapped[str] = mapped_column(ForeignKey("federation_peers.origin"), index=True)
    remote_request_id: Mapped[int] = mapped_column(Integer)
    case_number: Mapped[str | None] = mapped_column(String(100))
    decision: Mapped[str | None] = mapped_column(String(30))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    package_sha256: Mapped[str | None] = mapped_column(String(64))
    manifest: Mapped[str | None] = mapped_column(Text)
    classification: Mapped[str | None] = mapped_column(String(200))
    reads: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    destroy_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def ledger_subject(self):
        return "received_release", self.id
