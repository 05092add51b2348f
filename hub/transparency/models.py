"""The log of use, one row per camera and day, kept after the reads it counts
are destroyed: what the public log and the audit need."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db


class LogOfUseDay(db.Model):
    __tablename__ = "log_of_use_days"

    camera_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    hours_active: Mapped[str] = mapped_column(String(24))  # "1" for each hour of the day (UTC) it collected
    reads: Mapped[int] = mapped_column(Integer, default=0)
    hits_stolen: Mapped[int] = mapped_column(Integer, default=0)
    hits_warrant: Mapped[int] = mapped_column(Integer, default=0)
    hits_suspended_revoked: Mapped[int] = mapped_column(Integer, default=0)
    hits_active_investigation: Mapped[int] = mapped_column(Integer, default=0)
    databases_compared: Mapped[str] = mapped_column(Text, default="")

    @property
    def collection_times(self) -> str:
        """The hours it collected, as ranges: "06–09, 14"."""
        hours = [h for h, on in enumerate(self.hours_active) if on == "1"]
        ranges, start = [], None
        for h in hours + [None]:
            if start is None:
                start = prev = h
            elif h is not None and h == prev + 1:
                prev = h
            else:
                ranges.append(f"{start:02d}:00–{prev + 1:02d}:00" if prev > start else f"{start:02d}:00–{start + 1:02d}:00")
                start = prev = h
        return ", ".join(ranges)
