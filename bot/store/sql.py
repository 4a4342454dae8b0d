"""Small helpers that hide the differences between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")

#: Bound parameters per statement stay well under SQLite's limit (32766) and keep plans cheap.
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_ignoring_duplicates(connection: AsyncConnection, table: Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the connection's dialect."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def skip_locked(connection: AsyncConnection, query: Select[Any]) -> Select[Any]:
    """Row locks that concurrent workers skip (PostgreSQL); SQLite serialises writers anyway."""
    if connection.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query
