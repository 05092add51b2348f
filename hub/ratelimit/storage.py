"""A Flask-Limiter (`limits`) storage in the hub's own database, for
several hub instances that share PostgreSQL and have no Redis: counters are
rows of `rate_limit_counters`, changed by one upsert each, on a connection
of their own so that a counter survives the refused request's rollback
(read on the request's own).
Registered under the scheme `hubdb://`; it serves the fixed-window strategy."""
from __future__ import annotations

import time

from flask import g, has_request_context
from limits.storage import Storage
from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from hub.extensions import db
from hub.ratelimit.models import RateLimitCounter

_COUNTERS = RateLimitCounter.__table__


def _upsert(dialect: str):
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_COUNTERS)


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["hubdb"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        engine = db.engine
        statement = _upsert(engine.dialect.name).values(key=key, count=amount, expires_at=now + expiry)
        expired = _COUNTERS.c.expires_at <= now
        statement = statement.on_conflict_do_update(index_elements=[_COUNTERS.c.key], set_={
            "count": case((expired, amount), else_=_COUNTERS.c.count + amount),
            "expires_at": case((expired, now + expiry), else_=_COUNTERS.c.expires_at),
        }).returning(_COUNTERS.c.count)
        self._forget(key)
        with engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def _counter(self, key: str) -> tuple[int, float]:
        """(count, expiry) of the key's live counter, read in one query and
        once per request: the limit's test before the view and the response's
        rate-limit headers after it each ask for them; a hit forgets them."""
        seen = g.setdefault("rate_limit_counters", {}) if has_request_context() else {}
        if key not in seen:
            # Read on the request's own connection (one checkout per request,
            # not two); only the writes need a connection of their own.
            row = db.session.execute(select(_COUNTERS.c.count, _COUNTERS.c.expires_at).where(
                _COUNTERS.c.key == key)).first()
            now = time.time()
            seen[key] = (int(row.count), float(row.expires_at)) if row and row.expires_at > now else (0, now)
        return seen[key]

    def _forget(self, key: str | None = None) -> None:
        seen = g.get("rate_limit_counters", {}) if has_request_context() else {}
        if key is None:
            seen.clear()
        else:
            seen.pop(key, None)

    def get(self, key: str) -> int:
        return self._counter(key)[0]

    def get_expiry(self, key: str) -> float:
        return self._counter(key)[1]

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        self._forget()
        with db.engine.begin() as connection:
            count = connection.execute(select(func.count()).select_from(_COUNTERS)).scalar_one()
            connection.execute(delete(_COUNTERS))
        return int(count)

    def clear(self, key: str) -> None:
        self._forget(key)
        with db.engine.begin() as connection:
            connection.execute(delete(_COUNTERS).where(_COUNTERS.c.key == key))


def purge_expired_counters() -> int:
    """Counters whose window has passed: a later attempt starts a new row."""
    return db.session.execute(delete(_COUNTERS).where(_COUNTERS.c.expires_at <= time.time() - 60)).rowcount
