"""Waking alert streams when an alert is committed. On PostgreSQL,
`raise_alerts` sends NOTIFY in its transaction (delivered at commit) and each
stream LISTENs on a connection of its own, so an event leaves within
milliseconds on every hub instance. SQLite has no such channel: streams poll."""
from __future__ import annotations

import time

from sqlalchemy import text

from hub.extensions import db

CHANNEL = "hub_alerts"
POLL_SECONDS = 0.25


def announce() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"NOTIFY {CHANNEL}"))


class AlertWaiter:
    """`wait(seconds)` returns when an alert may be new, or after `seconds`."""

    def __init__(self) -> None:
        self._connection = None
        if db.engine.dialect.name == "postgresql":
            import psycopg
            url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._connection = psycopg.connect(url, autocommit=True)
            self._connection.execute(f"LISTEN {CHANNEL}")

    def wait(self, seconds: float) -> None:
        if self._connection is None:
            time.sleep(min(seconds, POLL_SECONDS))
            return
        for _ in self._connection.notifies(timeout=seconds, stop_after=1):
            break

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
