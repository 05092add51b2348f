"""When the database fails the hub rather than the request: the server is
down or restarting (every request answers 503 `database_unavailable` with
Retry-After until it is back; the pool's pre-ping and SQLAlchemy's
invalidation of broken connections make the recovery automatic), or two
transactions met in a deadlock or a serialization failure (the loser's work
is retried a bounded number of times; a request that exhausts them answers
503 `database_busy`, never 500)."""
from __future__ import annotations

import logging
import random
import time
from typing import Callable, TypeVar

from sqlalchemy.exc import DBAPIError, TimeoutError as PoolTimeout

from hub.errors import HubError

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_AFTER_SECONDS = 5
CONFLICT_ATTEMPTS = 5
# SQLSTATE: deadlock, serialization failure (retry the work); the server
# shutting down, crashed, or starting up (the database is unavailable).
CONFLICT_STATES = {"40P01", "40001"}
SHUTDOWN_STATES = {"57P01", "57P02", "57P03"}


class DatabaseUnavailable(HubError):
    status = 503
    code = "database_unavailable"
    message = "The database cannot be reached just now; try again shortly."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


class DatabaseBusy(DatabaseUnavailable):
    code = "database_busy"
    message = "The database is too busy with conflicting changes just now; try again shortly."


def _driver_error(error: BaseException) -> BaseException:
    return error.orig if isinstance(error, DBAPIError) and error.orig is not None else error


def _sqlstate(error: BaseException) -> str | None:
    return getattr(_driver_error(error), "sqlstate", None)


def is_conflict(error: BaseException) -> bool:
    """A deadlock or serialization failure: the transaction lost a race and
    may simply be run again."""
    return _sqlstate(error) in CONFLICT_STATES


def is_unavailable(error: BaseException) -> bool:
    """The database is gone or not accepting work: a connection that broke
    or could not be made, a server shutting down or starting, or a pool with
    no connection to give."""
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    state = _sqlstate(error)
    if state is not None:
        return state.startswith("08") or state in SHUTDOWN_STATES
    driver = _driver_error(error)
    # psycopg's and sqlite3's OperationalError / InterfaceError with no
    # SQLSTATE: a connection that failed or was closed under the hub.
    return type(driver).__name__ in ("OperationalError", "InterfaceError") and "sqlite3" not in type(driver).__module__


def as_hub_error(error: BaseException) -> DatabaseUnavailable | None:
    """The 503 a database failure answers with, or None for any other error
    (which stays a server error: a bug, not the database's state)."""
    if is_unavailable(error):
        return DatabaseUnavailable()
    if is_conflict(error):
        return DatabaseBusy()
    return None


def _before_retry(error: Exception, what: str, attempt: int, attempts: int) -> None:
    """Anything but a conflict goes on up; a conflict waits a moment, longer
    each attempt, so the two transactions do not meet again at once."""
    if not is_conflict(error):
        raise error
    log.warning("database conflict in %s (attempt %d of %d): %s; retrying", what, attempt, attempts,
                _sqlstate(error))
    time.sleep(random.uniform(0.01, 0.05) * attempt)  # nosec B311: jitter, not a secret


def with_conflict_retries(work: Callable[[], T], *, what: str, attempts: int = CONFLICT_ATTEMPTS) -> T:
    """Run `work` inside a savepoint of the current transaction; when it
    loses a deadlock or a serialization race, roll back to the savepoint
    (which releases every lock it took, so the winner goes on) and run it
    again, after a short random pause, at most `attempts` times. Then
    `DatabaseBusy`: a 503, and the caller's transaction is left as it was.
    SQLite, which locks the whole database and has no such races, runs
    `work` as it is (its driver would make the outermost savepoint a
    transaction of its own, committed on release)."""
    from hub.extensions import db

    if db.engine.dialect.name != "postgresql":
        return work()
    for attempt in range(1, attempts + 1):
        savepoint = db.session.begin_nested()
        try:
            result = work()
            savepoint.commit()
            return result
        except Exception as error:
            if savepoint.is_active:
                savepoint.rollback()
            _before_retry(error, what, attempt, attempts)
    raise DatabaseBusy()


def retry_units(work: Callable[[], T], *, what: str, attempts: int = CONFLICT_ATTEMPTS) -> T:
    """Run a whole unit of work (commands, jobs) and commit it, running it
    again from the start when it loses a deadlock or a serialization race."""
    from hub.extensions import db

    for attempt in range(1, attempts + 1):
        try:
            result = work()
            db.session.commit()
            return result
        except Exception as error:
            db.session.rollback()
            _before_retry(error, what, attempt, attempts)
    raise DatabaseBusy()
