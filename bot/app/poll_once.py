"""``feedbot poll --once``: every configured feed polled once, a line per feed on stdout."""

from __future__ import annotations

from bot.app.settings import parser, poll_settings, proxy_routes
from bot.app.startup import configure_logging, open_store
from bot.clock import utcnow
from bot.config.schema import Config
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.poller import FeedOutcome, Poller


async def poll_once(config: Config) -> int:
    """Poll every feed now (due or not), print the reports in config order and a summary."""
    configure_logging(config, default_level="WARNING")
    store = await open_store(config)
    try:
        started = utcnow()
        await store.make_feeds_due(started)
        parse = parser(config)
        try:
            async with Fetcher(
                FetchLimits.from_config(config.polling), routes=proxy_routes(config)
            ) as fetcher:
                poller = Poller(store, fetcher, parse, poll_settings(config))
                reports = await poller.poll_due()
        finally:
            await parse.aclose()
        chats = await store.chats_queued_since(started)
        others = [] if reports else await store.live_processes(utcnow())
    finally:
        await store.close()
    order = {feed.url: index for index, feed in enumerate(config.feeds)}
    reports.sort(key=lambda report: order.get(report.url, len(order)))
    now = utcnow()
    for report in reports:
        print(report.line(now))
    failed = sum(1 for r in reports if r.outcome is FeedOutcome.ERROR)
    new = sum(r.new for r in reports)
    print(
        f"polled {len(reports)} feeds in {(now - started).total_seconds():.1f}s: "
        f"{len(reports) - failed} ok, {failed} failed, {_entries(new)}"
        + (f", queued for {chats} chat{'' if chats == 1 else 's'}" if new and chats else "")
    )
    if not reports:
        print(_why_nothing(config, others))
    return 0


def _entries(count: int) -> str:
    return f"{count} new entr{'y' if count == 1 else 'ies'}"


def _why_nothing(config: Config, others: list[str]) -> str:
    """The reason a poll found no feed to check."""
    if not config.feeds:
        return "nothing to poll: no feeds are configured"
    if others:
        return (
            f"nothing polled: a running feedbot ({others[0]}) took every feed first; "
            "it polls them now, its log shows the results"
        )
    return "nothing polled: every feed was taken by another process polling this database"
