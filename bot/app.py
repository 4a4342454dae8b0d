"""Composition root: config -> store, fetcher, poller, scheduler, Telegram; and their lifecycle.

Only this module (and the CLI) knows how the pieces fit together. Each ``build_*`` function
turns a part of the validated config into the value or object a module needs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import UTC, datetime, timedelta

from bot.config import ENV_LOG_LEVEL, Config
from bot.domain import FeedSpec
from bot.logs import setup_logging
from bot.poller import Poller, PollSettings
from bot.schedule import SchedulePolicy
from bot.store import ChannelSpec, Store
from bot.topics import compile_rules

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start; the message is one line that says what to do."""


def utcnow() -> datetime:
    return datetime.now(UTC)


# ----------------------------------------------------------------------------- builders


def schedule_policy(config: Config, interval: float) -> SchedulePolicy:
    polling = config.polling
    return SchedulePolicy(
        interval=timedelta(seconds=interval),
        # the config holds every interval at or above it: nothing lowers the floor here
        min_interval=timedelta(seconds=polling.min_interval),
        max_backoff=timedelta(seconds=polling.max_backoff),
        jitter=polling.jitter,
    )


def poll_settings(config: Config) -> PollSettings:
    return PollSettings(
        default_policy=schedule_policy(config, config.polling.interval),
        policies={
            feed.url: schedule_policy(config, feed.interval)
            for feed in config.feeds
            if feed.interval is not None
        },
        feed_topics={feed.url: feed.topics for feed in config.feeds if feed.topics},
        rules=compile_rules({name: rule.keywords for name, rule in config.topics.items()}),
        backfill=config.delivery.first_fetch_backfill,
    )


def feed_specs(config: Config) -> list[FeedSpec]:
    return [FeedSpec(url=feed.url, name=feed.name) for feed in config.feeds]


def channel_specs(config: Config) -> list[ChannelSpec]:
    return [ChannelSpec(ref=c.chat, topics=c.topics) for c in config.telegram.channels]


def configure_logging(config: Config, default_level: str = "INFO") -> None:
    setup_logging(
        os.environ.get(ENV_LOG_LEVEL, default_level),
        secrets=[config.token] if config.token else [],
        as_json=os.environ.get("FEEDBOT_LOG_FORMAT", "").lower() == "json",
    )


async def open_store(config: Config) -> Store:
    """Open the database, migrate it, and bring feeds and channels in line with the config."""
    store = await Store.open(config.database.url)
    now = utcnow()
    await store.sync_feeds(feed_specs(config), now)
    await store.sync_channels(channel_specs(config), now)
    return store


# ----------------------------------------------------------------------------- commands


async def poll_once(config: Config) -> int:
    """``feedbot poll --once``: every configured feed, once; a line per feed on stdout."""
    from bot.feeds.fetch import Fetcher, FetchLimits

    configure_logging(config, default_level="WARNING")
    store = await open_store(config)
    try:
        started = utcnow()
        await store.make_feeds_due(started)
        async with Fetcher(FetchLimits.from_config(config.polling)) as fetcher:
            reports = await Poller(store, fetcher, poll_settings(config)).poll_due()
    finally:
        await store.close()
    order = {feed.url: index for index, feed in enumerate(config.feeds)}
    reports.sort(key=lambda report: order.get(report.url, len(order)))
    now = utcnow()
    for report in reports:
        print(report.line(now))
    failed = sum(1 for r in reports if r.outcome == "error")
    print(
        f"polled {len(reports)} feeds in {(now - started).total_seconds():.1f}s: "
        f"{len(reports) - failed} ok, {failed} failed, "
        f"{sum(r.new for r in reports)} new entries, "
        f"{sum(r.queued for r in reports)} deliveries queued"
    )
    return 0


async def run_bot(config: Config) -> int:
    """``feedbot run``: Telegram long polling, the feed scheduler and the sender, until a
    signal; then a clean shutdown and exit status 0."""
    from bot.runtime import Runtime  # imports PTB; `poll --once` and `preview` do without

    configure_logging(config)
    runtime = await Runtime.start(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
        log.info("signal received: stopping")
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await runtime.stop()
    return 0
