"""Rate-limit tables: the counters behind the database storage of
Flask-Limiter, and the per-window count of failed attempts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import UTCDateTime
from hub.extensions import db


class RateLimitCounter(db.Model):
    """One fixed-window counter of Flask-Limiter (`hubdb://` storage):
    shared by every hub instance that shares the database."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class FailureWindow(db.Model):
    """Failed attempts of one kind (and on one subject, if any) in one time
    window: the first is ledgered in full, the rest are counted here and
    ledgered once as a summary when the window has closed."""

    __tablename__ = "failure_windows"
    __table_args__ = (UniqueConstraint("action", "subject", "window_start", name="uq_failure_windows_window"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(160))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    summarised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
