"""Health and metrics: ``/healthz`` and Prometheus ``/metrics`` on an optional HTTP port.

``/healthz`` answers 200 only when the feed scheduler has ticked within ``stale_after``,
Telegram answers long polling and the database answers a query within two seconds;
otherwise 503 with the reason, which is what a container HEALTHCHECK wants. Either way it
names the replica's role (``role: leader`` or ``role: standby``: only the leader long-polls
Telegram, so a standby's health does not depend on it) and, on its last line, the version
running (``version: 0.1.0``). ``/healthz?format=json`` (or ``Accept: application/json``)
says the same as one JSON object: ``ok``, ``role``, ``problems`` and ``version``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)

from bot.version import PYTHON, VERSION

if TYPE_CHECKING:
    from wsgiref.types import StartResponse

log = logging.getLogger(__name__)


#: seconds; a fetch is cut off at polling.timeout (30 s by default)
FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
#: seconds from queued to sent: a poll cycle's gathering, rate limits, 429s, outages
SEND_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0)

# No `_created` series: they double the series count, and a restart already shows in
# process_start_time_seconds. Process-wide, set before any metric exists.
disable_created_metrics()  # type: ignore[no-untyped-call]


class Metrics:
    """The metrics of one process, by Prometheus' conventions (own registry: tests stay
    independent). Each event is counted once: a feed check in ``feedbot_polls_total``
    (its failure's ``reason`` label included), a given-up row in
    ``feedbot_deliveries_failed_total{reason}``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)  # resident memory, CPU seconds, open fds (Linux)
        PlatformCollector(registry=r)  # python_info
        build = Gauge("feedbot_build_info", "Version running", ["version", "python"], registry=r)
        build.labels(VERSION, PYTHON).set(1)
        self.polls = Counter(
            "feedbot_polls",
            "Feed checks by outcome; a failure's reason (empty for the others)",
            ["outcome", "reason"],
            registry=r,
        )
        self.fetch_duration = Histogram(
            "feedbot_fetch_duration_seconds",
            "Time of one feed fetch (redirects and body included)",
            buckets=FETCH_BUCKETS,
            registry=r,
        )
        self.new_entries = Counter(
            "feedbot_new_entries", "Entries stored for the first time", registry=r
        )
        self.queued = Counter("feedbot_deliveries_queued", "Outbox rows created", registry=r)
        self.sent = Counter("feedbot_messages_sent", "Transmissions sent", registry=r)
        self.delivered = Counter(
            "feedbot_entries_delivered", "Entries delivered to chats", registry=r
        )
        self.send_latency = Histogram(
            "feedbot_send_latency_seconds",
            "From queued to sent, per outbox row delivered",
            buckets=SEND_BUCKETS,
            registry=r,
        )
        self.rate_limited = Counter("feedbot_rate_limited", "429 answers from Telegram", registry=r)
        self.blocked = Counter(
            "feedbot_chats_blocked", "Chats deactivated (blocked, kicked)", registry=r
        )
        self.failed = Counter(
            "feedbot_deliveries_failed", "Outbox rows given up, by reason", ["reason"], registry=r
        )
        self.edits = Counter(
            "feedbot_edits", "Messages edited in place because an entry changed", registry=r
        )
        self.queue_depth = Gauge("feedbot_queue_depth", "Outbox rows waiting", registry=r)
        self.leader = Gauge(
            "feedbot_leader",
            "1 while this replica holds the Telegram duties (long polling, sending), else 0",
            registry=r,
        )
        self.last_tick = Gauge(
            "feedbot_last_tick_timestamp_seconds", "Unix time of the last poll tick", registry=r
        )

    def polled(self, outcome: str, reason: str | None) -> None:
        self.polls.labels(outcome, reason or "").inc()


class SenderMetrics:
    """Adapts :class:`Metrics` to the sender's observer hooks."""

    def __init__(self, metrics: Metrics) -> None:
        self._m = metrics

    def sent(self, messages: int, entries: int, waited: Sequence[float]) -> None:
        self._m.sent.inc(messages)
        self._m.delivered.inc(entries)
        for seconds in waited:
            self._m.send_latency.observe(max(seconds, 0.0))

    def rate_limited(self) -> None:
        self._m.rate_limited.inc()

    def chat_gone(self) -> None:
        self._m.blocked.inc()

    def failed(self, rows: int, reason: str) -> None:
        if rows:
            self._m.failed.labels(reason).inc(rows)

    def edited(self) -> None:
        self._m.edits.inc()


class Health:
    """What /healthz checks. ``ping`` must raise when the database does not answer."""

    def __init__(
        self,
        *,
        stale_after: float,
        ping: Callable[[], Awaitable[None]],
        polling: Callable[[], str | None],
        role: Callable[[], str] = lambda: "leader",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.role = role
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
        if (polling := self._polling()) is not None:
            found.append(polling)
        try:
            await asyncio.wait_for(self._ping(), 2.0)
        except Exception as error:  # any failure to answer is "unreachable"
            found.append(f"the database does not answer ({type(error).__name__})")
        return found


class HealthServer:
    """Serves ``/healthz`` and ``/metrics`` from a thread (stdlib WSGI server).

    A thread, not the event loop's own server: it keeps a web framework out of the process
    (about 10 MB of memory) and answers even while the loop is busy. ``/healthz`` runs
    :meth:`Health.problems` on the bot's loop and waits for it.
    """

    def __init__(self, health: Health, metrics: Metrics, host: str, port: int) -> None:
        self._health = health
        self._metrics = metrics
        self._host = host
        self._port = port
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when 0 was asked for)."""
        return self._server.server_port if self._server is not None else self._port

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._server = make_server(
            self._host, self._port, self._app, _ThreadingServer, handler_class=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="health", daemon=True
        )
        self._thread.start()
        log.info("health and metrics on http://%s:%d/healthz and /metrics", self._host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            await asyncio.to_thread(self._server.shutdown)
            self._server.server_close()
            self._server = None

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            body = generate_latest(self._metrics.registry)
            return _respond(start_response, "200 OK", body, CONTENT_TYPE_LATEST)
        if path == "/healthz":
            problems = self._problems()
            role = self._health.role()
            status = "503 Service Unavailable" if problems else "200 OK"
            if _wants_json(environ):
                answer = {"ok": not problems, "role": role, "problems": problems}
                body = json.dumps({**answer, "version": VERSION}).encode()
                return _respond(start_response, status, body, "application/json")
            head = "unhealthy: " + "; ".join(problems) if problems else "ok"
            text = f"{head}\nrole: {role}\nversion: {VERSION}\n"
            return _respond(start_response, status, text.encode())
        return _respond(start_response, "404 Not Found", b"not found: try /healthz or /metrics\n")

    def _problems(self) -> list[str]:
        loop = self._loop
        if loop is None or loop.is_closed():
            return ["the bot is not running"]
        try:
            future = asyncio.run_coroutine_threadsafe(self._health.problems(), loop)
            return future.result(timeout=5.0)
        except Exception as error:  # the loop is stuck or gone: that is unhealthy too
            return [f"the bot does not answer ({type(error).__name__})"]


def _wants_json(environ: dict[str, Any]) -> bool:
    return "format=json" in environ.get("QUERY_STRING", "") or "application/json" in environ.get(
        "HTTP_ACCEPT", ""
    )


def _respond(
    start_response: StartResponse,
    status: str,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a hung client must not hold up shutdown


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log: a HEALTHCHECK every few seconds would fill the logs."""
