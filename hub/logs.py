"""What the hub writes to its logs, and what it never writes there.

A database error's text carries the statement's parameters (SQLAlchemy adds
them unless the engine hides them, and the engine here always does) and
often the values themselves (PostgreSQL's `DETAIL: Key (plate)=(...)`): a
plate, a case number or a factual basis would then sit in a log file that
no retention rule reaches. Every log record is made through one factory
that rewrites a record about a database error: the kind of error, its
SQLSTATE and the statement without values stay, the rest is dropped. The
factory sees every logger (the app's, the scheduler's jobs', libraries'),
whatever handlers a deployment adds. The same factory withholds the hub's
own credentials wherever a message carries one (Authlib, at DEBUG, logs
every token it issues): a personal API token, a camera's ingest
credential, an OAuth access or refresh token keeps its prefix only."""
from __future__ import annotations

import logging
import re

from flask import Flask
from sqlalchemy.exc import StatementError


def _database_error(exc_info) -> StatementError | None:
    error = exc_info[1] if exc_info and exc_info is not True else None
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, StatementError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


CREDENTIAL = re.compile(r"\b(hubpat_|hubcam_|hubat_|hubrt_)[A-Za-z0-9_\-]+")


def withhold_credentials(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a malformed message is left for its handler to report
        return record
    if CREDENTIAL.search(message):
        record.msg, record.args = CREDENTIAL.sub(r"\1(withheld)", message), ()
    return record


def withhold_database_values(record: logging.LogRecord) -> logging.LogRecord:
    """The record, rewritten if its exception is a database error."""
    error = _database_error(record.exc_info)
    if error is None:
        return record
    original = getattr(error, "orig", None)
    sqlstate = getattr(original, "sqlstate", None) or getattr(getattr(original, "diag", None), "sqlstate", None)
    statement = " ".join(str(error.statement or "").split())[:500]
    kinds = "/".join(dict.fromkeys(type(e).__name__ for e in (error, original) if e is not None))
    try:
        message = record.getMessage()
    except Exception:  # a malformed message must not hide the rewrite
        message = str(record.msg)
    record.msg = (f"{message}: {kinds}{f' (SQLSTATE {sqlstate})' if sqlstate else ''} in: {statement} "
                  "(values withheld: they may hold personal data)")
    record.args = ()
    record.exc_info = None
    record.exc_text = None
    return record


def _install_record_factory() -> None:
    current = logging.getLogRecordFactory()
    if getattr(current, "withholds_database_values", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        return withhold_credentials(withhold_database_values(current(*args, **kwargs)))
    factory.withholds_database_values = True
    logging.setLogRecordFactory(factory)


def init_app(app: Flask) -> None:
    _install_record_factory()
