"""``feedbot poll --once``: every configured feed polled once, a line per feed on stdout."""

from __future__ import annotations

from bot.app.settings import parser, poll_settings
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
            async with Fetcher(FetchLimits.from_config(config.polling)) as fetcher:
                poller = Poller(store, fetcher, parse, poll_settings(config))
                reports = await poller.poll_due()
        finally:
            await parse.aclose()
    finally:
        await store.close()
    order = {feed.url: index for index, feed in enumerate(config.feeds)}
    reports.sort(key=lambda report: order.get(report.url, len(order)))
    now = utcnow()
    for report in reports:
        print(report.line(now))
    failed = sum(1 for r in reports if r.outcome is FeedOutcome.ERROR)
    print(
        f"polled {len(reports)} feeds in {(now - started).total_seconds():.1f}s: "
        f"{len(reports) - failed} ok, {failed} failed, "
        f"{sum(r.new for r in reports)} new entries, "
        f"{sum(r.queued for r in reports)} deliveries queued"
    )
    return 0
