"""The /search benchmarks' queries and writes against the store alone, on either backend.

``search.py`` (SQLite, FTS5) and ``search_pg.py`` (PostgreSQL, pg_trgm) time the same
queries and the same poll-cycle writes in-process through ``bot.store.Store``; both are
here, with the words the seed adds to the entries' text so that the queries find them.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from _seed import WORDS

from bot.domain import EntryWrite, FeedSchedule, FetchStatus, ParsedEntry, PollRecord
from bot.store import Store

CJK = [
    "对比学习的核心思想是拉近相似样本。",
    "本文介绍图像检索与向量数据库。",
    "深度学习模型的训练技巧。",
    "推荐系统中的召回与排序。",
]
#: kind: (the command a user sends, its label in the report)
KINDS = {
    "latest": ("/latest", "/latest (the same run)"),
    "rare": ("/search zeppelin", "/search rare word (zeppelin, ~1 in 20,000)"),
    "common": ("/search signal", "/search common word (signal, most entries)"),
    "cjk2": ("/search 学习", "/search 2-char CJK (学习, ~1 in 24)"),
    "cjk2_rare": ("/search 彗星", "/search rare 2-char CJK (彗星, ~1 in 20,000)"),
    "three": ("/search orbit relay beacon", "/search three words (orbit relay beacon)"),
}
WRITE_FEEDS = list(range(1, 51))  # a poll cycle's write: these feeds, 20 new entries each


def extra_text(number: int) -> str:
    """What entry ``number`` of the seed gets after its words (CJK, and the rare words)."""
    extra = ""
    if number % 12 == 0:
        extra += " " + CJK[(number // 12) % len(CJK)]
    if number % 20_011 == 7:
        extra += " 彗星观测记录。"
    if number % 20_011 == 3:
        extra += " Zeppelin"
    return extra


async def query_timings(url: str, runs: int) -> dict[str, list[float]]:
    """Each of ``KINDS`` ``runs`` times against the store alone (page 1, page size 5): ms."""
    store = await Store.open(url)
    out: dict[str, list[float]] = {}
    try:
        for kind, (text, _) in KINDS.items():
            times = []
            for _ in range(runs):
                began = time.perf_counter()
                if kind == "latest":
                    await store.latest_page(None, 1, 5)
                else:
                    await store.search_page(text.split()[1:], None, 1, 5)
                times.append((time.perf_counter() - began) * 1000)
            out[kind] = times
    finally:
        await store.close()
    return out


def cycle_records(feed_ids: list[int], cycle: int, now: datetime) -> list[PollRecord]:
    rng = random.Random(cycle)
    records = []
    for feed_id in feed_ids:
        writes = []
        for n in range(20):
            key = f"id:cycle-{cycle}-{feed_id}-{n}"
            body = " ".join(rng.choices(WORDS, k=rng.randint(40, 90))) + extra_text(n * 12)
            entry = ParsedEntry(
                key=key,
                title=" ".join(rng.choices(WORDS, k=6)),
                link=None,
                published=now,
                text=body,
                categories=(),
                content_hash=f"{hash(key) & (2**64 - 1):064x}",
            )
            writes.append(EntryWrite(entry=entry, topics=()))
        records.append(
            PollRecord(
                feed_id=feed_id,
                checked_at=now,
                schedule=FeedSchedule(next_check_at=now + timedelta(days=3650), error_count=0),
                status=FetchStatus.OK,
                body_hash=f"b{cycle}",
                feed_title="Feed",
                entry_count=20,
                new=tuple(writes),
            )
        )
    return records


async def write_cycles(url: str, cycles: int = 5, first: int = 0) -> list[float]:
    """Seconds for each poll cycle's write (``record_polls``): ``WRITE_FEEDS`` with 20 new
    entries each; cycle numbers from ``first`` (each cycle's keys are new to the store)."""
    store = await Store.open(url)
    try:
        now = datetime.now(UTC)
        times = []
        for cycle in range(first, first + cycles):
            records = cycle_records(WRITE_FEEDS, cycle, now)
            began = time.perf_counter()
            await store.record_polls(records)
            times.append(time.perf_counter() - began)
        return times
    finally:
        await store.close()
