"""/search on PostgreSQL (pg_trgm): the store alone, on the data of ``bench/search.py``.

    .venv/bin/python bench/search_pg.py --postgres postgresql://user:pw@host/postgres
                                        [--entries 100000]

Makes a fresh database on the server (its user needs CREATEDB), lets the bot's migrations
create the schema and the pg_trgm GIN index, copies in the entries of the SQLite seed
``bench/search.py`` made for ``--entries`` (run that first), and times in-process, as
``bench/search.py`` does for SQLite: each query 20 times (page 1, page size 5), the index's
size, and a poll cycle's write (50 feeds x 20 new entries) with and without the index.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import asyncpg
from _common import OUT, ms_cells, p50_p95, table, write_report
from _search_store import KINDS, query_timings, write_cycles

from bot.store import Store

COLUMNS = {
    "feeds": ["id", "url", "title", "configured", "created_at", "next_check_at",
              "error_count", "entry_count"],
    "topics": ["id", "name"],
    "entries": ["id", "feed_id", "key", "title", "link", "published_at", "sort_at",
                "first_seen_at", "last_seen_at", "content_hash", "text", "pruned"],
    "entry_topics": ["entry_id", "topic_id", "sort_at"],
}
TIMES = {"created_at", "next_check_at", "published_at", "sort_at", "first_seen_at",
         "last_seen_at"}
BOOLS = {"configured", "pruned"}


def value(name: str, raw: Any) -> Any:
    if raw is None:
        return None
    if name in TIMES:
        return datetime.fromisoformat(raw).replace(tzinfo=UTC)
    if name in BOOLS:
        return bool(raw)
    return raw


async def copy_in(seed: Path, url: str) -> None:
    source = sqlite3.connect(seed)
    target = await asyncpg.connect(url)
    try:
        for name, columns in COLUMNS.items():
            began = time.monotonic()
            cursor = source.execute(f"SELECT {', '.join(columns)} FROM {name}")
            while rows := cursor.fetchmany(20_000):
                records = [tuple(value(c, v) for c, v in zip(columns, row, strict=True))
                           for row in rows]
                await target.copy_records_to_table(name, records=records, columns=columns)
            print(f"  copied {name} in {time.monotonic() - began:.0f}s", flush=True)
        for name in ("feeds", "topics", "entries"):
            await target.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM {name}))"
            )
        await target.execute("ANALYZE")
    finally:
        await target.close()
        source.close()


async def run(server: str, entries: int) -> None:
    seed = OUT / f"search-seed-{entries}.db"
    if not seed.exists():
        raise SystemExit(f"no seed {seed}: run bench/search.py --entries {entries} first")
    name = f"bench_search_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    try:
        store = await Store.open(url)  # the migrations make the schema and the index
        await store.close()
        await copy_in(seed, url)
        connection = await asyncpg.connect(url)
        index = await connection.fetchval("SELECT pg_relation_size('ix_entries_search')")
        table_size = await connection.fetchval("SELECT pg_total_relation_size('entries')")
        plan = await connection.fetch(
            "EXPLAIN SELECT id FROM entries WHERE lower(title || ' ' || text) "
            "ILIKE '%zeppelin%' ORDER BY sort_at DESC LIMIT 31"
        )
        print("\n".join(r[0] for r in plan))
        direct = await query_timings(url, 20)
        with_index = await write_cycles(url, first=100)
        await connection.execute("DROP INDEX ix_entries_search")
        plain = await write_cycles(url, first=200)
        await connection.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    report(entries, direct, index, table_size, with_index, plain)


def report(entries: int, direct: dict[str, list[float]], index: int, table_size: int,
           with_index: list[float], plain: list[float]) -> None:
    rows = [[label, *ms_cells(direct[k])] for k, (_, label) in KINDS.items()]
    w, p = statistics.median(with_index), statistics.median(plain)
    for kind, times in direct.items():
        print(f"  {kind}: {p50_p95(times)}")
    write_report(
        "search-postgresql",
        "/search on PostgreSQL (`bench/search_pg.py`)",
        f"The store alone, in-process (no bot, no Telegram), on PostgreSQL with {entries:,} "
        "entries copied from the SQLite seed of `bench/search.py`, ANALYZEd; each query 20 "
        "times, page 1, page size 5.",
        table(["query", "store p50 ms", "store p95 ms"], rows),
        f"pg_trgm GIN index: {index / 1e6:,.0f} MB (the entries table with its indexes: "
        f"{table_size / 1e6:,.0f} MB). Poll-cycle write (50 feeds x 20 new entries, median "
        f"of 5): {w * 1000:.0f} ms with the index, {p * 1000:.0f} ms without: "
        f"+{(w - p) * 1000:.0f} ms.",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="server URL (user with CREATEDB)")
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(run(args.postgres, args.entries))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
