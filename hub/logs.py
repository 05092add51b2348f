"""What the hub writes to its logs, and what it never writes there.

A database error's text carries the statement's parameters (SQLAlchemy adds
them unless the engine hides them, and the engine here always does) and
often the values themselves (PostgreSQL's `DETAIL: Key (plate)=(...)`): a
plate, a case number or a factual basis would then sit in a log file that
no retention rule reaches. Records about database errors keep the kind of
error, its SQLSTATE and the statement without values; the rest is dropped."""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import StatementError

# The loggers that can see a database error: the app's own (Flask logs every
# unhandled exception there), the scheduler's jobs, and SQLAlchemy's.
GUARDED_LOGGERS = ("apscheduler", "sqlalchemy", "hub", "partners", "policies")


def _database_error(exc_info) -> StatementError | None:
    error = exc_info[1] if exc_info else None
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, StatementError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


class WithholdDatabaseValues(logging.Filter):
    """Rewrites a record whose exception is a database error: the traceback
    and the driver's message go, a description without values stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = _database_error(record.exc_info)
        if error is None:
            return True
        original = getattr(error, "orig", None)
        sqlstate = getattr(original, "sqlstate", None) or getattr(getattr(original, "diag", None),
                                                                 "sqlstate", None)
        statement = " ".join(str(error.statement or "").split())[:500]
        kinds = "/".join(dict.fromkeys(type(e).__name__ for e in (error, original) if e is not None))
        record.msg = (f"{record.getMessage()}: {kinds}"
                      f"{f' (SQLSTATE {sqlstate})' if sqlstate else ''} in: {statement} "
                      "(values withheld: they may hold personal data)")
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True


def init_app(app: Flask) -> None:
    guard = WithholdDatabaseValues()
    for name in {*GUARDED_LOGGERS, app.logger.name}:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdDatabaseValues) for f in logger.filters):
            logger.addFilter(guard)
