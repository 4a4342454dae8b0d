"""``feedbot run``: every long-lived piece built, started and stopped in order, until a signal.

Start: database file lock (SQLite) -> database (migrated, feeds and channels synced) ->
Telegram (token checked with getMe) -> handlers -> health port -> the webhook server
(webhook mode, every replica: bot.app.updates) -> leadership (bot.app.leadership: the
leader, always on SQLite, publishes the command menu and channel ids and starts long
polling, unless the webhook brings the updates, and the sender; a standby only polls feeds
and keeps asking) -> scheduler. Stop, in reverse: no new updates, no new polls, sends in
flight finished or returned to the queue, the leader lock given up, then connections
closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.app.duties import TelegramDuties
from bot.app.errors import StartupError
from bot.app.leadership import Leadership
from bot.app.settings import (
    config_topic_names,
    parser,
    poll_settings,
    proxy_routes,
    rate_limits,
    scheduler_stale_after,
    sender_settings,
)
from bot.app.start_steps import claim_gate, connect_telegram, proxy_note, serve_health
from bot.app.startup import configure_logging, open_store
from bot.app.updates import serve_webhook
from bot.chat.commands import Commands
from bot.chat.feedadmin import FeedAdmin
from bot.clock import utcnow
from bot.config.fields import redact_url
from bot.config.load import DEFAULT_CONFIG_PATH, DEFAULTS_SOURCE
from bot.config.schema import Config
from bot.delivery.ratelimit import Pacer, RateLimiter
from bot.delivery.sender import Sender
from bot.health import Health, HealthServer, Metrics, SenderMetrics
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.loop import PollLoop
from bot.ingest.poller import FeedOutcome, FeedReport, Poller
from bot.ingest.probe import Prober
from bot.ingest.workers import Parser
from bot.jobs import Jobs
from bot.oneline import one_line
from bot.render import feedlist
from bot.store import Store, StoreUnavailable
from bot.store.engine import redacted
from bot.store.filelock import DatabaseInUse, FileLock, lock_database_file
from bot.store.leader import leader_lock
from bot.store.processes import HEARTBEAT_EVERY
from bot.tg.application import TelegramApp
from bot.tg.handlers import Handlers
from bot.version import VERSION

log = logging.getLogger(__name__)

#: seconds that jobs and sends in flight get to finish on shutdown
SHUTDOWN_GRACE = 8.0
#: seconds a supervisor should allow between SIGTERM and SIGKILL: jobs, then sends, get
#: SHUTDOWN_GRACE each, one after the other, and closing connections takes a few more
#: (docker-compose.yml stop_grace_period, `docker run --stop-timeout`, the systemd unit's
#: TimeoutStopSec; tests/test_packaging.py keeps them equal)
STOP_TIMEOUT = 30
HEALTH_REFRESH = 15.0
ALERT_CHECK_MAX = 60.0  #: seconds between looks for dead feeds, at most


def process_id() -> str:
    """This process's name in the ``processes`` table: host, pid and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


async def run_bot(config: Config) -> int:
    """Telegram long polling, the feed scheduler and the sender, until SIGTERM or SIGINT;
    then a clean shutdown and exit status 0."""
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


@dataclass
class Runtime:
    config: Config
    store: Store
    telegram: TelegramApp
    fetcher: Fetcher
    parser: Parser
    poller: Poller
    sender: Sender
    duties: TelegramDuties
    leadership: Leadership
    poll_loop: PollLoop
    process_id: str
    jobs: Jobs
    metrics: Metrics
    health: Health
    health_server: HealthServer | None
    commands: Commands
    file_lock: FileLock | None = None

    @classmethod
    async def start(cls, config: Config) -> Runtime:
        if config.source == DEFAULTS_SOURCE:
            log.info(
                "no config file (%s): built-in defaults, database %s, no feeds in a file "
                "(add them in chat with /add)",
                DEFAULT_CONFIG_PATH,
                redacted(config.database.url),
            )
        log.info(
            "starting %s: %d feeds in the config, database %s, Bot API %s%s",
            VERSION,
            len(config.feeds),
            redacted(config.database.url),
            config.telegram.api_base_url,
            proxy_note(config.telegram.proxy),
        )
        if config.polling.proxy:
            log.info("feeds through the proxy %s", redact_url(config.polling.proxy))
        try:
            file_lock = lock_database_file(config.database.url)
        except DatabaseInUse as error:
            raise StartupError(str(error)) from None
        try:
            store = await open_store(config)
        except StoreUnavailable as error:
            _unlock(file_lock)
            raise StartupError(f"{error} (check database.url or DATABASE_URL)") from None
        assert config.token is not None
        telegram = TelegramApp(config.token, config.telegram.api_base_url, config.telegram.proxy)
        try:
            await connect_telegram(telegram, config)
        except StartupError:
            await store.close()
            _unlock(file_lock)
            raise
        log.info("connected as @%s", telegram.username)
        try:
            runtime = await cls._assemble(config, store, telegram)
        except StartupError:
            with contextlib.suppress(Exception):
                await telegram.shutdown()
            await store.close()
            _unlock(file_lock)
            raise
        runtime.file_lock = file_lock
        return runtime

    @classmethod
    async def _assemble(cls, config: Config, store: Store, telegram: TelegramApp) -> Runtime:
        delivery = config.delivery
        metrics = Metrics()
        me = process_id()
        taken_back = await store.register_process(me, utcnow())
        if taken_back:
            log.info("took back %d deliveries claimed before the restart", taken_back)
        pacer = Pacer(RateLimiter(rate_limits(config)))
        replicas = store.dialect != "sqlite"  # several processes may share the database
        sender = Sender(
            store,
            telegram.message_port,
            pacer,
            replace(sender_settings(config), gather_across_replicas=replicas),
            observer=SenderMetrics(metrics),
            owner=me,
        )
        fetcher = Fetcher(
            FetchLimits.from_config(config.polling),
            routes=proxy_routes(config),
            on_fetched=metrics.fetch_duration.observe,
        )
        parse = parser(config)
        poller = Poller(
            store, fetcher, parse, poll_settings(config), on_queued=sender.wake, owner=me
        )
        commands = Commands(
            store,
            page_size=delivery.page_size,
            summary_length=delivery.summary_length,
            admins=frozenset(config.telegram.admins),
            default_language=config.telegram.language,
            default_timezone=config.telegram.timezone,
            config_topics=config_topic_names(config),
            claim=await claim_gate(config, store),
        )
        poll_loop = PollLoop(store.next_feed_check, config.polling.tick)
        feed_admin = FeedAdmin(
            store,
            Prober(fetcher, parse, poll_settings(config).rules),
            page_size=delivery.page_size,
            summary_length=delivery.summary_length,
            poll_soon=poll_loop.wake,
        )
        telegram.add_handlers(Handlers(commands, store, feed_admin, pacer))
        duties = TelegramDuties(telegram, store, sender, commands.admins.all, me)
        leadership = Leadership(
            leader_lock(config.database.url, store.dialect),
            duties,
            on_change=lambda leading: metrics.leader.set(1 if leading else 0),
            rival=lambda: store.another_leader(me, utcnow()),
        )
        health = Health(
            stale_after=scheduler_stale_after(config),
            ping=store.ping,
            # a standby does not long-poll (nothing to check there); a webhook is served by all
            polling=lambda: (
                telegram.polling_problem(config.health.stale_after)
                if leadership.leading or telegram.serves_webhook
                else None
            ),
            role=lambda: leadership.role,
        )
        # The health port first: a port already taken is a startup error, not a crash later.
        health_server = await serve_health(config, health, metrics)
        # webhook mode: served by every replica behind a balancer (bot.app.updates); the
        # leader's start_polling then does nothing
        webhook = await serve_webhook(telegram, config)
        if not await leadership.try_lead():
            log.info("standby: another replica holds the Telegram duties; polling feeds")
        runtime = cls(
            config=config,
            store=store,
            telegram=telegram,
            fetcher=fetcher,
            parser=parse,
            poller=poller,
            sender=sender,
            duties=duties,
            leadership=leadership,
            poll_loop=poll_loop,
            process_id=me,
            jobs=Jobs(),
            metrics=metrics,
            health=health,
            health_server=health_server,
            commands=commands,
        )
        runtime._start_jobs()
        leadership.start()
        followed = await store.followed_feeds()
        paused = sum(feed.paused for feed in followed)
        log.info(
            "running: %s%d feeds (%d paused)",
            f"{webhook} and " if webhook else "polling Telegram and " if leadership.leading else "",
            len(followed) - paused,
            paused,
        )
        return runtime

    # ------------------------------------------------------------------ jobs

    def _start_jobs(self) -> None:
        self.poll_loop.start(self.poll_cycle)
        jobs = self.jobs
        jobs.every(HEARTBEAT_EVERY, self.heartbeat, name="heartbeat", start_now=False)
        jobs.every(self.config.storage.prune_every, self.prune, name="prune", start_now=False)
        jobs.every(HEALTH_REFRESH, self.refresh_gauges, name="gauges")
        alert_every = min(max(self.config.polling.alert_after / 4, 1.0), ALERT_CHECK_MAX)
        jobs.every(alert_every, self.send_alerts, name="alerts")
        jobs.start()

    async def poll_cycle(self) -> None:
        self.health.ticked()
        self.metrics.last_tick.set(time.time())
        # What this cycle queues goes out when it is over: one transmission per chat for
        # all the feeds, however far apart they finish (bounded by delivery.gather_max).
        shared = self.store.dialect != "sqlite"
        if shared:  # the leader may be another replica: tell it through the database
            await self.store.cycle_started(self.process_id, utcnow())
        try:
            with self.sender.gathering():
                reports = await self.poller.poll_due()
        finally:
            if shared:
                await self.store.cycle_ended(self.process_id)
        self._count(reports)
        if reports:
            log.info(
                "poll cycle: %d feeds (%d failed), %d new entries, %d deliveries queued",
                len(reports),
                sum(1 for r in reports if r.outcome is FeedOutcome.ERROR),
                sum(r.new for r in reports),
                sum(r.queued for r in reports),
            )

    async def heartbeat(self) -> None:
        """Keeps this process's claims its own (see bot.store.processes)."""
        await self.store.heartbeat(self.process_id, utcnow(), self.leadership.leading)

    def _count(self, reports: list[FeedReport]) -> None:
        for report in reports:
            self.metrics.polled(report.outcome, report.reason)
            self.metrics.new_entries.inc(report.new)
            self.metrics.queued.inc(report.queued)

    async def prune(self) -> None:
        if not self.leadership.leading:  # once for all replicas
            return
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

    async def send_alerts(self) -> None:
        """Dead-feed alerts (and recoveries) to each admin; the leader's job."""
        if not self.leadership.leading:
            return
        now = utcnow()
        alerts = await self.store.claim_alerts(
            now, timedelta(seconds=self.config.polling.alert_after)
        )
        if not alerts:
            return
        admins = await self.commands.admins.all()
        for alert in alerts:
            log.info(
                "%s %s: telling %d admins",
                "recovered" if alert.recovered else "failing",
                alert.url,
                len(admins),
            )
            for admin in sorted(admins):
                # in the admin's language (their private chat's settings)
                loc = self.commands.locale_of(await self.store.chat(admin, 0))
                if alert.recovered:
                    rendered = feedlist.recovered(alert.name, alert.since, now, loc)
                else:
                    rendered = feedlist.alert(
                        alert.name,
                        alert.url,
                        alert.since,
                        alert.last_error,
                        now,
                        alert.feed_id,
                        loc,
                    )
                await self.telegram.notify(admin, rendered)

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
        async def stop_health() -> None:
            if self.health_server is not None:
                await self.health_server.stop()

        return [
            ("telegram webhook", self.telegram.stop_webhook),
            ("telegram polling", self.duties.stop_updates),
            ("poll loop", lambda: self.poll_loop.stop(SHUTDOWN_GRACE)),
            ("jobs", lambda: self.jobs.shutdown(SHUTDOWN_GRACE)),
            ("sender and leader lock", lambda: self.leadership.stop(SHUTDOWN_GRACE)),
            ("process row", lambda: self.store.retire_process(self.process_id)),
            ("telegram", self.telegram.shutdown),
            ("fetcher", self.fetcher.aclose),
            ("parsers", self.parser.aclose),
            ("health server", stop_health),
            ("database", self.store.close),
            ("database file lock", self._unlock_file),
        ]

    async def _unlock_file(self) -> None:
        _unlock(self.file_lock)
        self.file_lock = None


def _unlock(file_lock: FileLock | None) -> None:
    if file_lock is not None:
        file_lock.release()


async def _step(step: tuple[str, Callable[[], Awaitable[object]]]) -> bool:
    name, run = step
    try:
        await run()
    except Exception as error:
        log.error("stopping the %s failed: %s", name, one_line(error))
        return False
    return True
