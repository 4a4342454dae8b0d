"""The config turned into the values each module takes: pure builders, nothing started."""

from __future__ import annotations

from datetime import timedelta

from bot.config.schema import Config
from bot.delivery.ratelimit import Limits
from bot.delivery.sender import SenderSettings
from bot.domain import DocumentLimits, FeedSpec, distinct_topics
from bot.ingest.poller import PollSettings
from bot.ingest.proxies import ProxyRoutes
from bot.ingest.schedule import SchedulePolicy
from bot.ingest.topics import compile_rules
from bot.ingest.workers import Parser, PoolSettings, cpu_count, make_parser
from bot.store import ChannelSpec


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
        dedup_window=timedelta(days=days) if (days := config.delivery.dedup_days) else None,
    )


def document_limits(config: Config) -> DocumentLimits:
    return DocumentLimits(
        max_bytes=config.polling.max_bytes, max_entries=config.polling.max_entries
    )


def pool_settings(config: Config) -> PoolSettings:
    polling = config.polling
    workers = cpu_count() if polling.parse_workers is None else polling.parse_workers
    return PoolSettings(workers=workers, timeout=polling.parse_timeout, memory=polling.parse_memory)


def parser(config: Config) -> Parser:
    """The document parser: worker processes, or one thread with ``parse_workers: 0``."""
    return make_parser(pool_settings(config), document_limits(config))


def feed_specs(config: Config) -> list[FeedSpec]:
    return [FeedSpec(url=feed.url, name=feed.name, topics=feed.topics) for feed in config.feeds]


def channel_specs(config: Config) -> list[ChannelSpec]:
    return [ChannelSpec(ref=c.chat, topics=c.topics) for c in config.telegram.channels]


def rate_limits(config: Config) -> Limits:
    delivery = config.delivery
    return Limits(
        per_second=delivery.rate,
        per_chat_interval=delivery.per_chat_interval,
        group_per_minute=delivery.group_per_minute,
    )


def sender_settings(config: Config) -> SenderSettings:
    delivery = config.delivery
    return SenderSettings(
        page_size=delivery.page_size,
        summary_length=delivery.summary_length,
        batch_max=delivery.batch_max,
        max_attempts=delivery.max_attempts,
        in_flight=max(int(delivery.rate * 2), 4),
        lease=timedelta(seconds=delivery.lease),
        retry_min=timedelta(seconds=delivery.retry_min),
        retry_max=timedelta(seconds=delivery.retry_max),
        give_up_after=timedelta(seconds=delivery.give_up_after),
        gather_max=timedelta(seconds=delivery.gather_max),
        language=config.telegram.language,
        timezone=config.telegram.timezone,
    )


def scheduler_stale_after(config: Config) -> float:
    """Seconds without a poll tick after which /healthz fails (at least three ticks)."""
    return max(config.health.stale_after, config.polling.tick * 3)


def config_topic_names(config: Config) -> tuple[str, ...]:
    """Every topic the config names (rules, feeds, channels), in its order, once each."""
    names = [
        *config.topics,
        *(topic for feed in config.feeds for topic in feed.topics),
        *(topic for channel in config.telegram.channels for topic in channel.topics),
    ]
    return distinct_topics(names)


def proxy_routes(config: Config) -> ProxyRoutes:
    """Feeds through ``polling.proxy`` (none by default), or through their own."""
    return ProxyRoutes(
        default=config.polling.proxy,
        per_feed={feed.url: feed.proxy for feed in config.feeds if feed.proxy is not None},
    )
