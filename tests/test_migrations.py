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


def _with_one_feed(connection: Connection, revision: str) -> None:
    """The schema at ``revision`` (SQLite), holding feed 1."""
    _at_revision(connection, revision)
    connection.exec_driver_sql(
        "INSERT INTO feeds (id, url, title, created_at, next_check_at) "
        "VALUES (1, 'https://f.example/a.xml', '', '2026-01-01 00:00:00', "
        "'2026-01-01 00:00:00')"
    )


async def test_0007_dedup_backfills_canonical_links_of_stored_entries(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        _with_one_feed(connection, "0002")
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


_SEED_0010 = [
    "INSERT INTO feeds (id, url, title, created_at, next_check_at) VALUES "
    "(1, 'https://f.example/a.xml', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    *(
        "INSERT INTO entries (id, feed_id, key, title, sort_at, first_seen_at, last_seen_at, "
        f"content_hash) VALUES ({n}, 1, 'k{n}', 'Entry {n}', '2026-01-0{n} 00:00:00', "
        "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 'h')"
        for n in (1, 2, 3)
    ),
    # three spellings of one topic (lower-cased, as 0010 stored them), and two others
    "INSERT INTO topics (id, name) VALUES (1, 'post-training'), (2, 'post training'), "
    "(3, 'post_training'), (4, 'rl'), (5, 'ml')",
    # entry 1 carries two spellings; "post training" is the most carried
    "INSERT INTO entry_topics (entry_id, topic_id, sort_at) VALUES "
    "(1, 1, '2026-01-01 00:00:00'), (1, 2, '2026-01-01 00:00:00'), "
    "(2, 2, '2026-01-02 00:00:00'), (3, 2, '2026-01-03 00:00:00'), "
    "(3, 4, '2026-01-03 00:00:00')",
    *(
        "INSERT INTO chats (id, tg_chat_id, kind, title, source, active, all_topics, "
        f"cursor_topic_id, cursor_page, created_at, updated_at) VALUES ({n}, {-n}, 'private', "
        f"'c{n}', 'user', TRUE, {everything}, {cursor}, 0, '2026-01-01 00:00:00', "
        "'2026-01-01 00:00:00')"
        for n, everything, cursor in ((1, "FALSE", "1"), (2, "TRUE", "NULL"), (3, "FALSE", "3"))
    ),
    # chat 1 follows two spellings, chat 3 one spelling and ml; chat 2 skips a spelling
    "INSERT INTO chat_topics (chat_id, topic_id) VALUES (1, 1), (1, 3), (3, 3), (3, 5)",
    "INSERT INTO chat_excluded_topics (chat_id, topic_id) VALUES (2, 1)",
]


async def test_0011_merges_topics_differing_in_case_dashes_underscores_and_spaces(
    database_url: str,
) -> None:
    """A database at 0010 with three spellings of one topic, followed, skipped and used as a
    /next cursor: after the upgrade they are one topic and no chat lost what it chose."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_at_revision, "0010_search")
            for statement in _SEED_0010:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()
    store = await Store.open(database_url)  # upgrades to the head
    try:
        ids = await store.topic_ids(["Post-Training", "post_training", "POST TRAINING", "RL"])
        assert ids == {"Post-Training": 2, "post_training": 2, "POST TRAINING": 2, "RL": 4}
        assert await store.topic_name(1) is None
        assert await store.topic_name(3) is None
        following = await store.chat(-1)
        skipping = await store.chat(-2)
        other = await store.chat(-3)
        assert following is not None
        assert skipping is not None
        assert other is not None
        assert following.topics == ("post training",)
        assert following.cursor_topic == "post training"
        assert (skipping.all_topics, skipping.excluded_topics) == (True, ("post training",))
        assert other.topics == ("ml", "post training")
        assert other.cursor_topic == "post training"
        views = await store.entry_views([1, 2, 3])
        assert [v.topics for v in views] == [
            ("post training",),  # once, though it carried two spellings
            ("post training",),
            ("post training", "rl"),
        ]
        page = await store.latest_page(["Post-training"], 1, 10)
        assert [v.entry_id for v in page.entries] == [3, 2, 1]

        # at the next start the config's spelling is the one shown; the ids stay
        await store.adopt_spellings(["Post-training", "RL", "Agents"])
        assert await store.topic_name(2) == "Post-training"
        assert await store.topic_name(4) == "RL"
        assert (await store.chat(-1)).topics == ("Post-training",)  # type: ignore[union-attr]
        assert set(await store.topic_ids(["agents"])) == {"agents"}
    finally:
        await store.close()


async def test_0013_rebuilds_the_sqlite_search_index_without_positions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Entries indexed at 0012 (with positions) are found after the upgrade, through an
    index that keeps none, and an entry written afterwards is indexed by the new triggers."""
    from sqlalchemy import create_engine

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        _with_one_feed(connection, "0012_replicas")
        for entry_id, title in ((1, "Zeppelin over 柏林"), (2, "Other news")):
            connection.exec_driver_sql(
                "INSERT INTO entries (id, feed_id, key, title, text, sort_at, first_seen_at, "
                "last_seen_at, content_hash) VALUES (?, 1, ?, ?, 'body', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'h')",
                (entry_id, f"k{entry_id}", title),
            )
    engine.dispose()
    store = await Store.open(f"sqlite:///{path}")  # upgrades to the head
    try:
        found = (await store.search_page(["zeppelin"], None, 1, 10)).page.entries
        assert [view.entry_id for view in found] == [1]
        assert [
            v.entry_id for v in (await store.search_page(["柏林"], None, 1, 10)).page.entries
        ] == [1]
    finally:
        await store.close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        table = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'entries_fts'"
        ).scalar_one()
        assert "detail=none" in table
        connection.exec_driver_sql(
            "INSERT INTO entries (id, feed_id, key, title, text, sort_at, first_seen_at, "
            "last_seen_at, content_hash) VALUES (3, 1, 'k3', 'A zeppelin again', '', "
            "'2026-01-02 00:00:00', '2026-01-02 00:00:00', '2026-01-02 00:00:00', 'h')"
        )
        hits = connection.exec_driver_sql(
            'SELECT rowid FROM entries_fts WHERE entries_fts MATCH \'"zep" AND "lin"\' '
            "ORDER BY rowid"
        )
        assert list(hits.scalars()) == [1, 3]
    engine.dispose()
