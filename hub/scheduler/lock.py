"""Exactly one scheduler runs however many hub processes start one: on
PostgreSQL a session advisory lock held on its own connection, on SQLite an
exclusive lock on a file under `instance/`. A second scheduler waits as a
standby and takes over when the first one's lock goes away: released
explicitly on a clean stop, by the server when the holder's connection dies.
The holder checks its lock on every heartbeat and stops if it has lost it,
so two never run at once."""
from __future__ import annotations

import fcntl
from contextlib import suppress
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from hub.extensions import db

ADVISORY_KEY = 0x41_4C_50_52  # "ALPR"
PURGE_KEY = 0x50_55_52_47  # "PURG"


class ProcessLock:
    """A lock one process holds until it releases it or dies."""

    def __init__(self, key: int = ADVISORY_KEY, file_name: str = "scheduler.lock") -> None:
        self.key, self.file_name = key, file_name
        self._connection = None
        self._fd: int | None = None

    def acquire(self) -> bool:
        if db.engine.dialect.name == "postgresql":
            connection = db.engine.connect()
            connection.detach()  # closing it must end the database session, and the lock with it
            if connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}):
                connection.commit()
                self._connection = connection
                return True
            connection.close()
            return False
        path = Path(current_app.instance_path) / self.file_name
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def still_held(self) -> bool:
        """The lock is still ours: its connection answers and holds it."""
        if self._fd is not None:
            return True
        if self._connection is None:
            return False
        try:
            held = self._connection.scalar(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k AND granted "
                "AND pid = pg_backend_pid()"), {"k": self.key})
            self._connection.commit()
            return bool(held)
        except DBAPIError:  # the connection is gone, and the lock with it
            return False

    def release(self) -> None:
        if self._connection is not None:
            # A connection that died (or was invalidated on dying) has released it already.
            with suppress(SQLAlchemyError):
                self._connection.scalar(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self._connection.commit()
            with suppress(SQLAlchemyError):
                self._connection.close()
            self._connection = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def SchedulerLock() -> ProcessLock:  # noqa: N802  (reads as the thing it makes)
    return ProcessLock(ADVISORY_KEY, "scheduler.lock")


def PurgeLock() -> ProcessLock:  # noqa: N802
    """One retention purge at a time, whoever starts it."""
    return ProcessLock(PURGE_KEY, "purge.lock")
