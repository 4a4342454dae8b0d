"""Create or upgrade the schema with Alembic, on start, inside one transaction.

On PostgreSQL an advisory lock makes concurrent starts (several replicas) take turns; on
SQLite the write transaction (BEGIN IMMEDIATE) does the same.

Alembic is imported only when the schema is behind: a start on an up-to-date database
reads ``alembic_version`` with one query and compares it with the newest revision named in
``migrations/versions``. Importing Alembic (and Mako) costs about 11 MB for the life of the
process, a good part of a small container's memory.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.engine import WRITE

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x7472616E  # "tran": any constant shared by every replica
_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@cache
def newest_revision() -> str:
    """The head of ``migrations/versions`` read from the files' ``revision`` and
    ``down_revision`` lines, without Alembic (a test checks it against Alembic's head)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            if value != "None":
                (revisions if name == "revision" else parents).add(value.strip("\"'"))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {sorted(heads)}")
    return heads.pop()


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def stored_revision(engine: AsyncEngine) -> str | None:
    """The revision recorded in the database; None when it has no schema yet."""
    async with engine.connect() as connection:
        try:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:  # no such table: a new database
            return None
        return result.scalar_one_or_none()


async def upgrade_to_head(engine: AsyncEngine) -> tuple[str | None, str | None]:
    """Bring the schema to the newest revision; returns (before, after)."""
    head = newest_revision()
    if await stored_revision(engine) == head:
        return head, head
    async with engine.connect() as connection:
        connection = await connection.execution_options(**{WRITE: True})
        async with connection.begin():
            if engine.dialect.name == "postgresql":
                await connection.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})"))
            return await connection.run_sync(_upgrade)


def _upgrade(connection: Connection) -> tuple[str | None, str | None]:
    # Alembic says a dozen INFO lines ("setup plugin", "Context impl", "Running upgrade" ...),
    # from its imports on: one line of ours instead.
    alembic_log = logging.getLogger("alembic")
    level = alembic_log.level
    alembic_log.setLevel(max(logging.WARNING, level))
    try:
        from alembic import command

        before = current_revision(connection)
        command.upgrade(alembic_config(connection), "head")
        after = current_revision(connection)
    finally:
        alembic_log.setLevel(level)
    if before is None:
        log.info("database schema created (revision %s)", after)
    else:
        log.info("database schema upgraded from revision %s to %s", before, after)
    return before, after
