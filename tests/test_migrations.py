"""Schema migrations: Alembic runs only when the schema is behind."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, text

from bot.domain import ChatSettings
from bot.store import Store
from bot.store.engine import create_engine
from bot.store.migrate import alembic_config, head_revision, newest_revision, stored_revision

pytestmark = pytest.mark.store


def test_newest_revision_read_from_the_files_is_alembics_head() -> None:
    assert newest_revision() == head_revision()


async def test_a_new_database_is_migrated_to_the_head(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        assert await stored_revision(store._engine) == newest_revision()
    finally:
        await store.close()


async def test_a_start_on_an_up_to_date_database_does_not_import_alembic(
    database_url: str,
) -> None:
    first = await Store.open(database_url)  # creates the schema (imports Alembic here)
    await first.close()
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from bot.store import Store

        async def main():
            store = await Store.open({database_url!r})
            await store.close()

        asyncio.run(main())
        print("alembic" in sys.modules)
        """
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "False", done.stderr


def _at_revision(connection: Connection, revision: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


async def test_0006_carries_chats_over_with_default_settings_and_threads_of_their_own(
    database_url: str,
) -> None:
    """A database at 0002 with a chat in it: after the upgrade the chat keeps its row, with
    every setting at "the configured default", and a forum thread may have a row of its own."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_at_revision, "0002")
            await connection.execute(
                text(
                    "INSERT INTO chats (tg_chat_id, kind, title, source, active, all_topics,"
                    " cursor_page, created_at, updated_at) VALUES (-5, 'supergroup', 'old', 'user',"
                    " TRUE, TRUE, 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
    finally:
        await engine.dispose()
    store = await Store.open(database_url)  # upgrades to the head
    try:
        chat = await store.chat(-5)
        assert chat is not None
        assert chat.title == "old"
        assert chat.active
        assert chat.settings == ChatSettings()
        assert chat.thread_id == 0
        now = datetime.now(UTC)
        thread = await store.ensure_chat(-5, "supergroup", "old", now, None, 77)
        assert thread.id != chat.id
        assert thread.thread_id == 77
        assert [c.thread_id for c in await store.chat_rows(-5)] == [0, 77]
    finally:
        await store.close()


async def test_0007_dedup_backfills_canonical_links_of_stored_entries(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from sqlalchemy import create_engine

    from bot.store.migrate import alembic_config

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0002")
        connection.exec_driver_sql(
            "INSERT INTO feeds (id, url, title, created_at, next_check_at) "
            "VALUES (1, 'https://f.example/a.xml', '', '2026-01-01 00:00:00', "
            "'2026-01-01 00:00:00')"
        )
        for entry_id, link in ((1, "https://www.news.example/s/?utm_source=x"), (2, None)):
            connection.exec_driver_sql(
                "INSERT INTO entries (id, feed_id, key, link, sort_at, first_seen_at, "
                "last_seen_at, content_hash) VALUES (?, 1, ?, ?, '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 'h')",
                (entry_id, f"k{entry_id}", link),
            )
    engine.dispose()
    store = await Store.open(f"sqlite:///{path}")  # upgrades to the head
    await store.close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT id, canonical_link FROM entries ORDER BY id")
        assert [tuple(row) for row in rows] == [(1, "news.example/s"), (2, None)]
    engine.dispose()
