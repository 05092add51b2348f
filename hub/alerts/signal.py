"""Waking alert streams when an alert is committed. On PostgreSQL,
`raise_alerts` sends NOTIFY in its transaction (delivered at commit); each
hub process keeps one listening connection, on a thread of its own, and
wakes all of its streams, so an event leaves within milliseconds on every
instance without a connection per open board. SQLite has no such channel:
streams poll."""
from __future__ import annotations

import logging
import os
import threading
import time

from sqlalchemy import text

from hub.extensions import db

CHANNEL = "hub_alerts"
POLL_SECONDS = 0.25
RECONNECT_SECONDS = 1.0
log = logging.getLogger(__name__)


def announce() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"NOTIFY {CHANNEL}"))


class _Listener:
    """The process's one LISTEN connection; `generation` counts notifications."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.generation = 0
        self.changed = threading.Condition()
        threading.Thread(target=self._listen, name="alert-listener", daemon=True).start()

    def _listen(self) -> None:
        import psycopg
        while True:
            try:
                with psycopg.connect(self.url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    for _ in connection.notifies():
                        self._bump()
            except psycopg.Error as error:
                log.warning("alert listener lost its connection (%s); reconnecting", error.__class__.__name__)
                self._bump()  # streams look again rather than miss what happened meanwhile
                time.sleep(RECONNECT_SECONDS)

    def _bump(self) -> None:
        with self.changed:
            self.generation += 1
            self.changed.notify_all()

    def wait(self, seen: int, seconds: float) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != seen, timeout=seconds)


_listeners: dict[tuple[int, str], _Listener] = {}  # by process: a forked child inherits no threads
_lock = threading.Lock()


class AlertWaiter:
    """`mark()` before looking at the database, `wait(mark, seconds)` after
    finding nothing: an alert committed in between wakes the wait at once."""

    def __init__(self) -> None:
        self._listener = None
        if db.engine.dialect.name == "postgresql":
            url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            key = (os.getpid(), url)
            with _lock:
                if key not in _listeners:
                    _listeners[key] = _Listener(url)
                self._listener = _listeners[key]

    def mark(self) -> int:
        return self._listener.generation if self._listener else 0

    def wait(self, mark: int, seconds: float) -> None:
        if self._listener is None:
            time.sleep(min(seconds, POLL_SECONDS))
        else:
            self._listener.wait(mark, seconds)
