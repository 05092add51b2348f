"""Database plumbing shared by every domain: the declarative base, a UTC
timestamp type that behaves the same on SQLite and PostgreSQL, and the unit
of work that commands and jobs use (requests get theirs from the app)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import DateTime, MetaData, TypeDecorator, any_, bindparam
from sqlalchemy.types import ARRAY
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: SQLite keeps no zone, and a naive
    datetime compared with an aware one is a bug waiting to happen."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def among(column, values):
    """`column IN values`, written on PostgreSQL as `column = ANY(array)` with
    the values one parameter: a list of thousands (a scope's cameras, a
    plate's hashes under a week of keys) is then neither compiled, sent nor
    parsed value by value, and the statement's text is the same for every
    list. SQLite has no arrays: there it is the plain IN."""
    from hub.extensions import db

    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One commit for one piece of work outside a request (CLI, scheduler)."""
    from hub.extensions import db

    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
