"""Health and metrics: ``/healthz`` and Prometheus ``/metrics`` on an optional HTTP port.

``/healthz`` answers 200 only when the feed scheduler has ticked within ``stale_after``,
Telegram long polling is running and the database answers a query within two seconds;
otherwise 503 with the reason, which is what a container HEALTHCHECK wants.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)

log = logging.getLogger(__name__)


class Metrics:
    """The counters and gauges of one process (own registry: tests stay independent)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.polls = Counter("feedbot_polls", "Feed checks by outcome", ["outcome"], registry=r)
        self.fetch_errors = Counter("feedbot_fetch_errors", "Feed checks that failed", registry=r)
        self.new_entries = Counter(
            "feedbot_new_entries", "Entries stored for the first time", registry=r
        )
        self.queued = Counter("feedbot_deliveries_queued", "Outbox rows created", registry=r)
        self.sent = Counter("feedbot_messages_sent", "Transmissions sent", registry=r)
        self.delivered = Counter(
            "feedbot_entries_delivered", "Entries delivered to chats", registry=r
        )
        self.rate_limited = Counter("feedbot_rate_limited", "429 answers from Telegram", registry=r)
        self.blocked = Counter(
            "feedbot_chats_blocked", "Chats deactivated (blocked, kicked)", registry=r
        )
        self.failed = Counter(
            "feedbot_deliveries_failed", "Outbox rows given up, with reason", registry=r
        )
        self.queue_depth = Gauge("feedbot_queue_depth", "Outbox rows waiting", registry=r)
        self.last_tick = Gauge(
            "feedbot_last_tick_timestamp", "Unix time of the last poll tick", registry=r
        )


class SenderMetrics:
    """Adapts :class:`Metrics` to the sender's observer hooks."""

    def __init__(self, metrics: Metrics) -> None:
        self._m = metrics

    def sent(self, messages: int, entries: int) -> None:
        self._m.sent.inc(messages)
        self._m.delivered.inc(entries)

    def rate_limited(self) -> None:
        self._m.rate_limited.inc()

    def chat_gone(self) -> None:
        self._m.blocked.inc()

    def failed(self, rows: int) -> None:
        self._m.failed.inc(rows)


class Health:
    """What /healthz checks. ``ping`` must raise when the database does not answer."""

    def __init__(
        self,
        *,
        stale_after: float,
        ping: Callable[[], Awaitable[None]],
        polling: Callable[[], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stale_after = stale_after
        self._ping = ping
        self._polling = polling
        self._clock = clock
        self._last_tick: float | None = None

    def ticked(self) -> None:
        self._last_tick = self._clock()

    async def problems(self) -> list[str]:
        found = []
        if self._last_tick is None or self._clock() - self._last_tick > self._stale_after:
            found.append("the feed scheduler has not run recently")
        if not self._polling():
            found.append("Telegram long polling is not running")
        try:
            await asyncio.wait_for(self._ping(), 2.0)
        except Exception as error:  # any failure to answer is "unreachable"
            found.append(f"the database does not answer ({type(error).__name__})")
        return found


class HealthServer:
    def __init__(self, health: Health, metrics: Metrics, host: str, port: int) -> None:
        self._health = health
        self._metrics = metrics
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        log.info("health and metrics on http://%s:%d/healthz and /metrics", self._host, self._port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _healthz(self, _request: web.Request) -> web.Response:
        problems = await self._health.problems()
        if problems:
            return web.Response(status=503, text="unhealthy: " + "; ".join(problems) + "\n")
        return web.Response(text="ok\n")

    async def _metrics_page(self, _request: web.Request) -> web.Response:
        body = generate_latest(self._metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
