"""The running bot: every long-lived piece of ``feedbot run``, started and stopped in order.

Start: database (migrated, feeds and channels synced) -> Telegram (token checked with getMe)
-> command menu and channel ids -> handlers and long polling -> sender -> scheduler ->
health port. Stop, in reverse: no new updates, no new polls, sends in flight finished or
returned to the queue, then connections closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram.constants import UpdateType
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.app import StartupError, open_store, poll_settings
from bot.commands import Commands
from bot.config import DEFAULT_API_BASE_URL, Config
from bot.delivery.ratelimit import Limits, Pacer, RateLimiter
from bot.delivery.sender import Sender, SenderSettings
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.health import Health, HealthServer, Metrics, SenderMetrics
from bot.jobs import Jobs
from bot.poller import FeedReport, Poller, utcnow
from bot.store import Store, StoreUnavailable
from bot.store.engine import redacted
from bot.tg.api import TelegramPort
from bot.tg.handlers import Handlers, publish_commands, register
from bot.tg.liveness import WatchedRequest

log = logging.getLogger(__name__)

#: seconds that jobs and sends in flight get to finish on shutdown
SHUTDOWN_GRACE = 8.0
HEALTH_REFRESH = 15.0
#: seconds Telegram may hold a getUpdates open when there is nothing new
LONG_POLL_TIMEOUT = 10
#: what the handlers use; asking for less keeps getUpdates small
ALLOWED_UPDATES = [
    UpdateType.MESSAGE,
    UpdateType.CALLBACK_QUERY,
    UpdateType.MY_CHAT_MEMBER,
]


def build_application(
    config: Config, polling: WatchedRequest | None = None
) -> Application:  # type: ignore[type-arg]
    base = config.telegram.api_base_url
    assert config.token is not None
    # On shutdown PTB cancels the long poll and calls getUpdates once more to confirm what
    # it fetched; with one pooled connection that call can find it still taken
    # (PoolTimeout), and the last updates would then be handled again after a restart.
    polling = polling or WatchedRequest(connection_pool_size=2)
    return (
        ApplicationBuilder()
        .token(config.token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(16)  # one slow /feeds must not hold up everyone's /latest
        .get_updates_request(polling)
        .job_queue(None)  # scheduling is ours (bot.jobs); PTB's JobQueue would be a second one
        .build()
    )


async def initialise_telegram(application: Application, config: Config) -> None:  # type: ignore[type-arg]
    """getMe: proves the token and the API address before anything else starts."""
    try:
        await application.initialize()
    except InvalidToken:
        # PTB raises this for 404 as well as 401: a wrong api_base_url looks the same. (Its
        # message may quote the token: it is not repeated here.)
        where = config.telegram.api_base_url
        hint = "" if where == DEFAULT_API_BASE_URL else f"; and is {where} a Bot API server?"
        raise StartupError(
            "Telegram rejected the bot token (401 Unauthorized or 404 Not Found): check "
            f"TELEGRAM_BOT_TOKEN or telegram.token, @BotFather shows the current token{hint}"
        ) from None
    except NetworkError as error:
        raise StartupError(
            f"cannot reach the Bot API at {config.telegram.api_base_url}: {error.message}"
        ) from None


@dataclass
class Runtime:
    config: Config
    store: Store
    application: Application  # type: ignore[type-arg]
    fetcher: Fetcher
    poller: Poller
    sender: Sender
    sender_task: asyncio.Task[None]
    jobs: Jobs
    metrics: Metrics
    health: Health
    health_server: HealthServer | None

    @classmethod
    async def start(cls, config: Config) -> Runtime:
        log.info(
            "starting: %d feeds, database %s, Bot API %s",
            len(config.feeds),
            redacted(config.database.url),
            config.telegram.api_base_url,
        )
        try:
            store = await open_store(config)
        except StoreUnavailable as error:
            raise StartupError(f"{error} (check database.url or DATABASE_URL)") from None
        polling = WatchedRequest(connection_pool_size=2)
        application = build_application(config, polling)
        try:
            await initialise_telegram(application, config)
        except StartupError:
            await store.close()
            raise
        log.info("connected as @%s", application.bot.username)
        try:
            return await cls._assemble(config, store, application, polling)
        except StartupError:
            with contextlib.suppress(Exception):
                await application.shutdown()
            await store.close()
            raise

    @classmethod
    async def _assemble(
        cls,
        config: Config,
        store: Store,
        application: Application,  # type: ignore[type-arg]
        polling: WatchedRequest,
    ) -> Runtime:
        delivery = config.delivery
        metrics = Metrics()
        limits = Limits(
            per_second=delivery.rate,
            per_chat_interval=delivery.per_chat_interval,
            group_per_minute=delivery.group_per_minute,
        )
        sender = Sender(
            store,
            TelegramPort(application.bot),
            Pacer(RateLimiter(limits)),
            SenderSettings(
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
            ),
            observer=SenderMetrics(metrics),
        )
        fetcher = Fetcher(FetchLimits.from_config(config.polling))
        poller = Poller(store, fetcher, poll_settings(config), on_queued=sender.wake)
        commands = Commands(
            store,
            page_size=delivery.page_size,
            summary_length=delivery.summary_length,
            admins=frozenset(config.telegram.admins),
        )
        register(application, Handlers(commands, store))
        updater = application.updater
        stale_after = max(config.health.stale_after, config.polling.tick * 3)
        # A quiet long poll is answered only when its timeout is over: give it two.
        unanswered = max(config.health.stale_after, 2 * LONG_POLL_TIMEOUT)
        health = Health(
            stale_after=stale_after,
            ping=store.ping,
            polling=lambda: (
                updater is not None and updater.running and polling.answered_within(unanswered)
            ),
        )
        # The health port first: a port already taken is a startup error, not a crash later.
        health_server = await _serve_health(config, health, metrics)
        await _prepare_chat_side(application, store, config)
        await application.start()
        assert updater is not None
        await updater.start_polling(
            timeout=LONG_POLL_TIMEOUT,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            error_callback=_polling_failed,
        )
        sender_task = asyncio.create_task(sender.run(), name="sender")
        jobs = Jobs()
        runtime = cls(
            config=config,
            store=store,
            application=application,
            fetcher=fetcher,
            poller=poller,
            sender=sender,
            sender_task=sender_task,
            jobs=jobs,
            metrics=metrics,
            health=health,
            health_server=health_server,
        )
        jobs.every(config.polling.tick, runtime.poll_tick, name="poll")
        jobs.every(config.storage.prune_every, runtime.prune, name="prune", start_now=False)
        jobs.every(HEALTH_REFRESH, runtime.refresh_gauges, name="gauges")
        jobs.start()
        log.info("running: polling Telegram and %d feeds", len(config.feeds))
        return runtime

    # ------------------------------------------------------------------ jobs

    async def poll_tick(self) -> None:
        self.health.ticked()
        self.metrics.last_tick.set(time.time())
        # What this cycle queues goes out when it is over: one transmission per chat for
        # all the feeds, however far apart they finish (bounded by delivery.gather_max).
        with self.sender.gathering():
            reports = await self.poller.poll_due()
        self._count(reports)

    def _count(self, reports: list[FeedReport]) -> None:
        for report in reports:
            self.metrics.polls.labels(report.outcome).inc()
            if report.outcome == "error":
                self.metrics.fetch_errors.inc()
            self.metrics.new_entries.inc(report.new)
            self.metrics.queued.inc(report.queued)

    async def prune(self) -> None:
        storage = self.config.storage
        result = await self.store.prune(
            utcnow(), timedelta(seconds=storage.keep_days), storage.keep_entries
        )
        log.info(
            "pruned %d bodies, %d keys, %d sent deliveries",
            result.bodies,
            result.keys,
            result.outbox_rows,
        )

    async def refresh_gauges(self) -> None:
        counts = await self.store.queue_counts()
        self.metrics.queue_depth.set(counts["pending"])

    # ------------------------------------------------------------------ shutdown

    async def stop(self) -> None:
        """Every step runs even when one before it fails (a revoked token makes PTB's
        updater raise on stop): sends in flight and the database are closed regardless."""
        failed = [step[0] for step in self._stop_steps() if not await _step(step)]
        if failed:
            log.warning("stopped; these steps failed: %s", ", ".join(failed))
        else:
            log.info("stopped cleanly")

    def _stop_steps(self) -> list[tuple[str, Callable[[], Awaitable[object]]]]:
        updater = self.application.updater

        async def stop_updates() -> None:
            if updater is not None and updater.running:
                await updater.stop()

        async def stop_sender() -> None:
            await self.sender.stop(SHUTDOWN_GRACE)
            self.sender_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.sender_task

        async def stop_application() -> None:
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()

        async def stop_health() -> None:
            if self.health_server is not None:
                await self.health_server.stop()

        return [
            ("telegram polling", stop_updates),
            ("jobs", lambda: self.jobs.shutdown(SHUTDOWN_GRACE)),
            ("sender", stop_sender),
            ("telegram", stop_application),
            ("fetcher", self.fetcher.aclose),
            ("health server", stop_health),
            ("database", self.store.close),
        ]


async def _step(step: tuple[str, Callable[[], Awaitable[object]]]) -> bool:
    name, run = step
    try:
        await run()
    except Exception as error:
        log.error("stopping the %s failed: %s", name, _one_line(error))
        return False
    return True


def _one_line(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return str(message).splitlines()[0]


def _polling_failed(error: TelegramError) -> None:
    """One line per failed getUpdates (PTB's default is a traceback each time, and an
    outage retries for as long as it lasts); PTB itself retries with backoff."""
    log.warning("Telegram long polling: %s (retrying)", _one_line(error))


async def _serve_health(config: Config, health: Health, metrics: Metrics) -> HealthServer | None:
    if not config.health.port:
        return None
    server = HealthServer(health, metrics, config.health.host, config.health.port)
    try:
        await server.start()
    except OSError as error:
        raise StartupError(
            f"cannot serve /healthz on {config.health.host}:{config.health.port}: "
            f"{error.strerror or error} (health.port or FEEDBOT_HEALTH_PORT)"
        ) from None
    return server


async def _prepare_chat_side(
    application: Application,  # type: ignore[type-arg]
    store: Store,
    config: Config,
) -> None:
    """Command menu and configured channels' ids; failures here are logged, not fatal."""
    try:
        await publish_commands(application, frozenset(config.telegram.admins))
    except TelegramError as error:
        log.warning("could not publish the command menu: %s", error.message)
    for ref in await store.unresolved_channels():
        try:
            chat = await application.bot.get_chat(ref)
        except TelegramError as error:
            log.warning("channel %s: %s (is the bot an admin there?)", ref, error.message)
            continue
        await store.resolve_channel(ref, chat.id, chat.title or ref)
