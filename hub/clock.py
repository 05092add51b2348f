"""The hub's one source of the current time.

Grants, locks, sessions and retention all turn on "now"; reading it from one
place lets tests move time forward instead of sleeping, and keeps every
timestamp timezone-aware UTC.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


class Clock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else datetime.now(timezone.utc)

    def freeze(self, at: datetime | None = None) -> None:
        self._frozen = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)

    def advance(self, delta: timedelta) -> None:
        if self._frozen is None:
            self.freeze()
        self._frozen += delta

    def unfreeze(self) -> None:
        self._frozen = None


clock = Clock()


def utcnow() -> datetime:
    return clock.now()
