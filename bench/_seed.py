"""Databases for benchmarks: made by the bot's own migrations, filled with SQLAlchemy Core.

Bulk rows go in with ``executemany`` in big batches through the bot's table definitions
(``bot.store.tables``), so what the benchmarks read is exactly what the bot would write.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import copy_db, fresh_file
from sqlalchemy import Engine, create_engine, event, insert, text

from bot.domain import topic_key
from bot.store import Store
from bot.store import tables as t

BATCH = 50_000
WORDS = [
    "signal",
    "noise",
    "transmission",
    "channel",
    "orbit",
    "relay",
    "carrier",
    "station",
    "beacon",
    "protocol",
    "latency",
    "python",
    "asyncio",
    "database",
    "feed",
    "parser",
    "render",
    "queue",
    "window",
    "budget",
    "replica",
    "token",
    "bucket",
    "telescope",
    "spectrum",
    "galaxy",
    "neutron",
    "quantum",
    "lattice",
    "compiler",
    "kernel",
    "memory",
    "cache",
    "vector",
    "model",
    "gradient",
    "tensor",
    "dataset",
    "benchmark",
    "profile",
    "release",
    "patch",
    "version",
    "migration",
    "index",
]


def migrated(path: Path) -> Path:
    """A fresh SQLite file with the bot's schema (its Alembic migrations)."""
    fresh_file(path)

    async def run() -> None:
        store = await Store.open(f"sqlite:///{path}")
        await store.close()

    asyncio.run(run())
    return path


def seed_is_current(path: Path, version: str) -> bool:
    """Whether a cached seed exists and was made by this version of its script
    (the version is kept in SQLite's ``user_version``)."""
    if not path.exists():
        return False
    with sqlite3.connect(path) as connection:
        return str(connection.execute("PRAGMA user_version").fetchone()[0]) == version


def finish_seed(path: Path, version: str) -> None:
    """Stamp the seed's version and fold the WAL in, so the seed is one file to copy."""
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {int(version)}")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def engine_for(path: Path) -> Engine:
    """A plain (sync) engine for bulk writes; durability off while seeding."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA cache_size=-200000")
        cursor.close()

    return engine


def batches(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed_chats(engine: Engine, tg_ids: Sequence[int], *, active: bool = True) -> None:
    now = datetime.now(UTC)
    rows = (
        {
            "tg_chat_id": tg_id,
            "kind": "private",
            "title": f"reader {tg_id}",
            "source": "user",
            "active": active,
            "all_topics": True,
            "cursor_page": 0,
            "created_at": now,
            "updated_at": now,
        }
        for tg_id in tg_ids
    )
    with engine.begin() as connection:
        for batch in batches(rows):
            connection.execute(insert(t.chats), batch)


def seed_feeds(engine: Engine, urls: Sequence[str], *, due_in: timedelta) -> list[int]:
    now = datetime.now(UTC)
    rows = [
        {
            "url": url,
            "title": f"Feed {i}",
            "configured": True,
            "created_at": now,
            "last_checked_at": now,
            "last_success_at": now,
            "next_check_at": now + due_in,
            "error_count": 0,
            "entry_count": 0,
        }
        for i, url in enumerate(urls)
    ]
    with engine.begin() as connection:
        for batch in batches(iter(rows)):
            connection.execute(insert(t.feeds), batch)
        ids = connection.execute(text("SELECT id FROM feeds ORDER BY id")).scalars().all()
    return list(ids)


def seed_entries(
    engine: Engine,
    feed_ids: Sequence[int],
    count: int,
    topic_names: Sequence[str],
    extra_text: Callable[[int], str] | None = None,
) -> None:
    """``count`` entries spread over the feeds, newest 5 days ago up to 2 years back; each
    entry carries 1-2 topics (Zipf-like: a few topics are common, most are rare).
    ``extra_text(n)``, when given, is appended to entry ``n``'s text."""
    rng = random.Random(5)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(t.topics), [{"key": topic_key(name), "name": name} for name in topic_names]
        )
        topic_ids = connection.execute(text("SELECT id FROM topics ORDER BY id")).scalars().all()
    weights = [1 / (rank + 1) for rank in range(len(topic_ids))]
    began = time.monotonic()
    next_id = 1
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        entry_rows = []
        topic_rows = []
        for offset in range(size):
            number = start + offset
            at = now - timedelta(days=5) - timedelta(seconds=number * 63)  # about 2 years
            words = rng.choices(WORDS, k=rng.randint(40, 90))
            title = " ".join(rng.choices(WORDS, k=rng.randint(4, 9))).capitalize()
            entry_rows.append(
                {
                    "id": next_id,
                    "feed_id": feed_ids[number % len(feed_ids)],
                    "key": f"id:seed-{number}",
                    "title": title,
                    "link": f"https://example.org/posts/{number}",
                    "published_at": at,
                    "sort_at": at,
                    "first_seen_at": at,
                    "last_seen_at": at,
                    "content_hash": f"{number:064x}",
                    "text": " ".join(words).capitalize()
                    + "."
                    + (extra_text(number) if extra_text else ""),
                    "pruned": False,
                }
            )
            chosen = set(rng.choices(topic_ids, weights=weights, k=rng.randint(1, 2)))
            topic_rows += [{"entry_id": next_id, "topic_id": tid, "sort_at": at} for tid in chosen]
            next_id += 1
        with engine.begin() as connection:
            connection.execute(insert(t.entries), entry_rows)
            connection.execute(insert(t.entry_topics), topic_rows)
        done = start + size
        if done % 200_000 == 0 or done == count:
            rate = done / (time.monotonic() - began)
            print(f"  seeded {done:,} entries ({rate:,.0f}/s)", flush=True)
    # No ANALYZE: the bot never runs it, so the query planner sees what a real database shows.


def build_seed(
    path: Path,
    version: str,
    *,
    feed_urls: Sequence[str],
    due_in: timedelta,
    entries: int,
    topic_names: Sequence[str],
    chat_ids: Sequence[int],
    extra_text: Callable[[int], str] | None = None,
    then: Callable[[Path, list[int]], None] | None = None,
) -> None:
    """A seed at ``path``: the bot's schema, the feeds, ``entries`` entries over them and the
    subscribed chats, built in a ``.tmp`` file that only replaces ``path`` once complete.
    ``then(tmp file, feed ids)`` adds what the script needs before the version is stamped."""
    began = time.monotonic()
    tmp = migrated(path.with_suffix(".tmp"))
    engine = engine_for(tmp)
    feed_ids = seed_feeds(engine, feed_urls, due_in=due_in)
    seed_entries(engine, feed_ids, entries, topic_names, extra_text)
    seed_chats(engine, chat_ids)
    engine.dispose()
    if then is not None:
        then(tmp, feed_ids)
    finish_seed(tmp, version)
    tmp.replace(path)
    print(f"  seeded in {time.monotonic() - began:.0f}s, {path.stat().st_size / 1e6:.0f} MB")


def working_copy(
    seed: Path, version: str, target: Path, *, reseed: bool, make: Callable[[], None]
) -> Path:
    """A fresh copy of the cached ``seed`` at ``target``; ``make()`` (re)builds the seed
    first when asked to or when the cached one is missing or of another version."""
    if reseed or not seed_is_current(seed, version):
        make()
    return copy_db(seed, target)
