"""What the public portal and the audit show, computed by the aggregation
job from the stored records and the ledger, and kept after the reads they
count are destroyed: the log of use per camera and day, the usage figures
per month, and the anonymised record of each search."""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db

NO_HOURS = "0" * 24


def hour_ranges(hours: list[int]) -> str:
    """Hours of a day as ranges: "06:00–09:00, 14:00–15:00"."""
    ranges, start, prev = [], None, None
    for h in hours + [None]:
        if start is None:
            start = prev = h
        elif h is not None and h == prev + 1:
            prev = h
        else:
            ranges.append(f"{start:02d}:00–{prev + 1:02d}:00")
            start = prev = h
    return ", ".join(ranges)


class LogOfUseDay(db.Model):
    __tablename__ = "log_of_use_days"

    camera_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    hours_active: Mapped[str] = mapped_column(String(24))  # "1" for each hour of the day (UTC) it sent reads
    hours_heard: Mapped[str] = mapped_column(String(24), default=NO_HOURS, server_default=NO_HOURS)  # heartbeats
    reads_by_hour: Mapped[str] = mapped_column(Text, default="", server_default="")  # 24 counts, comma-separated
    reads: Mapped[int] = mapped_column(Integer, default=0)
    hits_stolen: Mapped[int] = mapped_column(Integer, default=0)
    hits_warrant: Mapped[int] = mapped_column(Integer, default=0)
    hits_suspended_revoked: Mapped[int] = mapped_column(Integer, default=0)
    hits_active_investigation: Mapped[int] = mapped_column(Integer, default=0)
    databases_compared: Mapped[str] = mapped_column(Text, default="")

    @property
    def collecting_hours(self) -> list[int]:
        """The hours it was actively collecting: it sent reads, or said it was working."""
        active, heard = self.hours_active, self.hours_heard or NO_HOURS
        return [h for h in range(24) if active[h] == "1" or heard[h] == "1"]

    @property
    def hourly_reads(self) -> list[int]:
        if self.reads_by_hour:
            return [int(n) for n in self.reads_by_hour.split(",")]
        return [0] * 24

    def values(self, columns: list[str]) -> list:
        """The day's figures for the log's columns (the pack's `log_includes` items)."""
        return [self.reads if c == "reads_per_period" else getattr(self, c) for c in columns]

    @property
    def collection_times(self) -> str:
        """The hours it collected, as ranges: "06:00–09:00, 14:00–15:00"."""
        return hour_ranges(self.collecting_hours)


class UsageFigure(db.Model):
    """One figure of one month: `figure` names what is counted (searches,
    grants, outside_agency_requests, destruction), `category` which part of it
    (a search reason, a step of a grant, on time or late)."""

    __tablename__ = "usage_figures"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    figure: Mapped[str] = mapped_column(String(40), primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class PublicSearch(db.Model):
    """A search as the public may see it: when, why (the reason's category),
    whether a case number was given and how many cameras it covered; the
    officer only when the agency's pack publishes names. Never a plate."""

    __tablename__ = "public_searches"

    entry_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                          autoincrement=False)
    day: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(String(100))
    case_number_present: Mapped[bool] = mapped_column(Boolean)
    cameras_searched: Mapped[int] = mapped_column(Integer)
    officer: Mapped[str | None] = mapped_column(String(200))
