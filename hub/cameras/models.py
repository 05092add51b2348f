from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import false as sa_false, Boolean, Date, Enum, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import UTCDateTime
from hub.extensions import db
from hub.identity.models import Organisation


class SharingMode(str, enum.Enum):
    PRIVATE = "private"
    ALERTS_ONLY = "alerts_only"
    SHARED = "shared"


class CameraStatus(str, enum.Enum):
    ACTIVE = "active"
    PAUSED = "paused"
    RETIRED = "retired"


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e], length=20)


class Camera(db.Model):
    __tablename__ = "cameras"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_cameras_organisation_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    location_description: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(40))
    fixed: Mapped[bool] = mapped_column(Boolean, default=True)
    built_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    vendor: Mapped[str] = mapped_column(String(120))
    model: Mapped[str] = mapped_column(String(120))
    installed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[CameraStatus] = mapped_column(_enum(CameraStatus, "camera_status"))
    sharing_mode: Mapped[SharingMode] = mapped_column(_enum(SharingMode, "sharing_mode"))
    bca_notice_due_on: Mapped[date | None] = mapped_column(Date)
    bca_notice_sent_on: Mapped[date | None] = mapped_column(Date)
    retention_days: Mapped[int | None] = mapped_column(Integer)
    retired_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_heard_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    locations: Mapped[list["CameraLocation"]] = relationship(
        back_populates="camera", order_by="CameraLocation.from_date.desc(), CameraLocation.id.desc()")

    @property
    def ledger_subject(self):
        return "camera", self.id

    @property
    def reader_kind(self) -> str:
        """Fixed, mobile, or built into another surveillance device: the kinds
        of reader whose installation the BCA must be told of."""
        return self.kind_of(fixed=self.fixed, built_in=self.built_in)

    @staticmethod
    def kind_of(*, fixed: bool, built_in: bool) -> str:
        return "built_in" if built_in else "fixed" if fixed else "mobile"


class CameraLocation(db.Model):
    """Where a camera stood and when: the public log of use lists current and
    previous fixed locations with dates (Minn. Stat. 13.824 subd. 5)."""

    __tablename__ = "camera_locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(String(300))
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)

    camera: Mapped[Camera] = relationship(back_populates="locations")


class CameraCredential(db.Model):
    """A camera's ingest credential: only a hash of the secret is kept."""

    __tablename__ = "camera_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    lookup: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    camera: Mapped[Camera] = relationship(lazy="joined")

    @property
    def ledger_subject(self):
        return "camera_credential", self.id


class HeardHours(db.Model):
    """The hours of each day (UTC) in which a camera said it was working, as
    a 24-bit mask (bit h: hour h): with its reads, this gives the periods in
    which it was actively collecting, for the log of use and the audit."""

    __tablename__ = "camera_heard_hours"

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hours: Mapped[int] = mapped_column(Integer, default=0)


class ProblemSource(str, enum.Enum):
    CAMERA = "camera"  # the camera's own heartbeat said so
    PERSON = "person"  # its owner or an administrator reported it


class CameraProblem(db.Model):
    """A problem reported with a camera, open until it is resolved."""

    __tablename__ = "camera_problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    source: Mapped[ProblemSource] = mapped_column(_enum(ProblemSource, "problem_source"))
    description: Mapped[str] = mapped_column(String(500))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_by: Mapped[str] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolution: Mapped[str | None] = mapped_column(String(500))

    @property
    def ledger_subject(self):
        return "camera_problem", self.id
