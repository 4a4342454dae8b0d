"""/healthz and /metrics over real HTTP, and the token never reaching a log line."""

from __future__ import annotations

import io
import logging
import platform
import socket

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.delivery.port import FailReason
from bot.health import Health, HealthServer, Metrics, SenderMetrics
from bot.logs import RedactingFormatter, Redactor
from bot.version import VERSION

TOKEN = "123456789:AAEexampleTOKENvalue_with-32chars"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def ok_ping() -> None:
    return None


async def failing_ping() -> None:
    raise ConnectionRefusedError("database down")


async def get(port: int, path: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{port}{path}")


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def serve(health: Health, metrics: Metrics) -> tuple[HealthServer, int]:
    port = free_port()
    server = HealthServer(health, metrics, "127.0.0.1", port)
    await server.start()
    return server, port


async def test_healthz_is_ok_only_when_ticking_polling_and_database_answers(clock: Clock) -> None:
    polling = {"up": True}
    health = Health(
        stale_after=60,
        ping=ok_ping,
        polling=lambda: None if polling["up"] else "Telegram long polling is not running",
        clock=clock,
    )
    server, port = await serve(health, Metrics())
    try:
        before = await get(port, "/healthz")
        assert before.status_code == 503
        assert "scheduler" in before.text
        health.ticked()
        assert (await get(port, "/healthz")).text == f"ok\nrole: leader\nversion: {VERSION}\n"
        polling["up"] = False
        down = await get(port, "/healthz")
        assert down.status_code == 503
        assert "polling" in down.text
        polling["up"] = True
        clock.now += 61
        stale = await get(port, "/healthz")
        assert stale.status_code == 503
        assert "scheduler" in stale.text
    finally:
        await server.stop()


async def test_healthz_fails_when_the_database_does_not_answer(clock: Clock) -> None:
    health = Health(stale_after=60, ping=failing_ping, polling=lambda: None, clock=clock)
    health.ticked()
    server, port = await serve(health, Metrics())
    try:
        answer = await get(port, "/healthz")
        assert answer.status_code == 503
        assert "database" in answer.text
    finally:
        await server.stop()


async def metrics_page(metrics: Metrics, clock: Clock) -> str:
    health = Health(stale_after=60, ping=ok_ping, polling=lambda: None, clock=clock)
    server, port = await serve(health, metrics)
    try:
        return (await get(port, "/metrics")).text
    finally:
        await server.stop()


async def test_metrics_are_prometheus_text(clock: Clock) -> None:
    metrics = Metrics()
    observer = SenderMetrics(metrics)
    observer.sent(1, 3, [2.0, 3.0, 700.0])
    observer.rate_limited()
    observer.chat_gone()
    observer.failed(2, FailReason.CHAT_GONE)
    metrics.polled("new", None)
    metrics.polled("error", "timeout")
    metrics.fetch_duration.observe(0.3)
    metrics.queue_depth.set(7)
    page = await metrics_page(metrics, clock)
    for line in (
        "feedbot_messages_sent_total 1.0",
        "feedbot_entries_delivered_total 3.0",
        "feedbot_rate_limited_total 1.0",
        "feedbot_chats_blocked_total 1.0",
        'feedbot_deliveries_failed_total{reason="chat_gone"} 2.0',
        'feedbot_polls_total{outcome="new",reason=""} 1.0',
        'feedbot_polls_total{outcome="error",reason="timeout"} 1.0',
        "feedbot_queue_depth 7.0",
        "feedbot_send_latency_seconds_count 3.0",
        'feedbot_send_latency_seconds_bucket{le="5.0"} 2.0',
        "feedbot_fetch_duration_seconds_count 1.0",
    ):
        assert line in page, line


async def test_metrics_follow_prometheus_conventions(clock: Clock) -> None:
    metrics = Metrics()
    metrics.polled("new", None)
    metrics.last_tick.set(1_700_000_000)
    families = {
        f.name: f for f in text_string_to_metric_families(await metrics_page(metrics, clock))
    }
    samples = [s for f in families.values() for s in f.samples]
    assert not [s.name for s in samples if s.name.endswith("_created")]
    assert families["feedbot_fetch_duration_seconds"].type == "histogram"
    assert families["feedbot_send_latency_seconds"].type == "histogram"
    (build,) = families["feedbot_build_info"].samples
    assert build.labels == {"version": VERSION, "python": platform.python_version()}
    assert build.value == 1
    for process in ("process_resident_memory_bytes", "process_cpu_seconds", "process_open_fds"):
        assert process in families, sorted(families)
    # timestamps say so, in seconds; counters end in _total (the parser strips it)
    gauges = [name for name, f in families.items() if f.type == "gauge"]
    assert "feedbot_last_tick_timestamp_seconds" in gauges
    assert not [n for n in families if "timestamp" in n and not n.endswith("_timestamp_seconds")]
    assert "feedbot_fetch_errors" not in families  # was polls{outcome="error"} counted again
    counters = [s.name for f in families.values() if f.type == "counter" for s in f.samples]
    assert counters
    assert all(name.endswith("_total") for name in counters)


@pytest.mark.parametrize("as_json", [False, True])
def test_the_token_never_reaches_a_log_line(as_json: bool) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(Redactor([TOKEN]), as_json=as_json))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST https://api.telegram.org/bot%s/sendMessage failed", TOKEN)
        logger.warning("token is %s", TOKEN.replace("123456789", "987654321"))  # a look-alike
        try:
            raise RuntimeError(f"request to /bot{TOKEN}/getMe")
        except RuntimeError:
            logger.exception("with a traceback")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output
    assert "AAEexampleTOKEN" not in output
    assert "/bot<redacted>/" in output


def test_json_log_lines_carry_an_iso_8601_utc_time() -> None:
    import json
    from datetime import datetime

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(Redactor([]), as_json=True))
    logger = logging.getLogger("test.json.time")
    logger.addHandler(handler)
    try:
        logger.warning("polled %d feeds", 3)
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["message"] == "polled 3 feeds"
    assert datetime.fromisoformat(line["time"]).utcoffset() is not None
    assert line["time"].endswith("+00:00")


async def test_healthz_names_the_role_in_text_and_json_and_metrics_the_leader_gauge(
    clock: Clock,
) -> None:
    role = {"now": "standby"}
    health = Health(
        stale_after=60, ping=ok_ping, polling=lambda: None, role=lambda: role["now"], clock=clock
    )
    health.ticked()
    metrics = Metrics()
    server, port = await serve(health, metrics)
    try:
        assert (await get(port, "/healthz")).text == f"ok\nrole: standby\nversion: {VERSION}\n"
        answer = await get(port, "/healthz?format=json")
        assert answer.headers["content-type"] == "application/json"
        assert answer.json() == {"ok": True, "role": "standby", "problems": [], "version": VERSION}
        assert "feedbot_leader 0.0" in (await get(port, "/metrics")).text
        role["now"] = "leader"
        metrics.leader.set(1)
        assert (await get(port, "/healthz?format=json")).json()["role"] == "leader"
        assert "feedbot_leader 1.0" in (await get(port, "/metrics")).text
    finally:
        await server.stop()
