"""Engines for SQLite (default) and PostgreSQL, with the settings each needs to be safe.

SQLite: WAL (readers never block the writer), a busy timeout, foreign keys on, and
``BEGIN IMMEDIATE`` for write transactions. A deferred transaction that reads first and then
writes can fail with "database is locked" *without* waiting for the busy timeout (SQLite
cannot upgrade a read lock when another writer got in first); taking the write lock up front
makes every writer simply queue.

PostgreSQL: asyncpg, a pre-ping pool. Queue claims use ``FOR UPDATE SKIP LOCKED``.

Plain URLs are accepted: ``sqlite:///x.db`` and ``postgresql://...`` get the async driver.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

#: execution option that marks a connection's transactions as writes (BEGIN IMMEDIATE)
WRITE = "transmission_write"
BUSY_TIMEOUT_MS = 15_000


def async_url(url: str) -> URL:
    """Map a plain database URL onto the async driver we ship."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")


def redacted(url: str) -> str:
    """The URL as it may appear in logs and errors: password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: say nothing of it
        return "<database url>"


def create_engine(url: str, *, pool_size: int = 5) -> AsyncEngine:
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        return _sqlite_engine(target)
    return create_async_engine(
        target, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


def _sqlite_engine(target: URL) -> AsyncEngine:
    database = target.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # A small pool: SQLite has one writer anyway, and each aiosqlite connection is a thread.
    engine = create_async_engine(
        target,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
        poolclass=NullPool if database == ":memory:" else None,
    )
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (the driver's implicit BEGIN is always DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
