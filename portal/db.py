"""The declarative base, its constraint naming convention, and column types shared by all models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def str_enum(cls: type[enum.Enum], length: int) -> sa.Enum:
    """A string enum stored as its values ("queued"), as VARCHAR on every database."""
    return sa.Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC timestamp on every database.

    SQLite has no time zones: values are stored naive in UTC and made aware again on load.
    Naive datetimes are refused on the way in, so local times never sneak into the database.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_sqlite(engine: sa.Engine) -> None:
    """Foreign keys on, WAL, synchronous=NORMAL and a busy timeout on every SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


# portal.search's FTS5 table and its shadow tables: SQLite only, created by the migration, not
# part of the metadata.
_SQLITE_ONLY_TABLES = frozenset(
    ["search_fts"]
    + [f"search_fts_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")]
)


def include_object(object, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: leave out what exists on one database only by design.

    That is the FTS5 tables on SQLite, and GIN indexes (declared for PostgreSQL only) where the
    database has none. tests/portal/test_search.py checks that both are there and used.
    """
    if type_ == "table" and reflected and compare_to is None:
        return name not in _SQLITE_ONLY_TABLES
    if type_ == "index" and not reflected and compare_to is None:
        return object.dialect_kwargs.get("postgresql_using") != "gin"
    return True
