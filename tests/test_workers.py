"""The parse pool: results and errors come back from the workers, a job past its deadline
has its worker killed and replaced, a cancelled job does not leave its worker busy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psutil
import pytest

from bot.domain import DocumentLimits, NotAFeedError, ParseRefusedError
from bot.ingest.parse import parse_document
from bot.ingest.workers import ParsePool, PoolSettings
from tests.feeddocs import URL, item, rss
from tests.feedserver import many_entries_rss

SLOW = many_entries_rss(100_000)  #: tens of seconds of CPU


@pytest.fixture
async def pool() -> AsyncIterator[ParsePool]:
    workers = ParsePool(PoolSettings(workers=2, timeout=1.0), DocumentLimits())
    try:
        yield workers
    finally:
        await workers.aclose()


async def test_a_worker_returns_what_parse_document_returns(pool: ParsePool) -> None:
    body = rss(item("g1", "One", text="<p>x</p>") + item("g2", "Two")).encode()

    parsed = await pool.parse(body, {"content-type": "application/rss+xml"}, URL)

    assert parsed == parse_document(body, {"content-type": "application/rss+xml"}, URL)


async def test_not_a_feed_comes_back_as_not_a_feed(pool: ParsePool) -> None:
    with pytest.raises(NotAFeedError, match="looks like an HTML page"):
        await pool.parse(b"<!doctype html><html><body>hi</body></html>", {}, URL)


async def test_a_job_past_its_deadline_is_stopped_and_its_worker_replaced(
    pool: ParsePool,
) -> None:
    small = rss(item("g", "Small")).encode()
    slow = asyncio.create_task(pool.parse(SLOW, {}, URL))
    quick = [await pool.parse(small, {}, URL) for _ in range(3)]  # the other worker serves
    during = set(pool.pids)
    with pytest.raises(ParseRefusedError, match=r"^took longer than 1 s to parse$"):
        await slow
    after = await asyncio.gather(*(pool.parse(small, {}, URL) for _ in range(4)))

    assert [p.entries[0].title for p in [*quick, *after]] == ["Small"] * 7
    assert len(during) == 2
    assert len(set(pool.pids)) == 2
    assert len(during & set(pool.pids)) == 1  # the killed worker was replaced


async def test_a_cancelled_job_frees_its_worker(pool: ParsePool) -> None:
    jobs = [asyncio.create_task(pool.parse(SLOW, {}, URL)) for _ in range(2)]
    await asyncio.sleep(0.2)
    for job in jobs:
        job.cancel()
    await asyncio.gather(*jobs, return_exceptions=True)

    parsed = await asyncio.wait_for(pool.parse(rss(item("g", "Next")).encode(), {}, URL), 30)

    assert parsed.entries[0].title == "Next"


async def test_closing_the_pool_ends_its_workers() -> None:
    pool = ParsePool(PoolSettings(workers=2), DocumentLimits())
    await asyncio.gather(*(pool.parse(rss(item("g", "T")).encode(), {}, URL) for _ in range(2)))
    pids = pool.pids
    assert len(pids) == 2

    await pool.aclose()

    assert not any(
        psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie" for pid in pids
    )
