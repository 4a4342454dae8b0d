"""What the admin conventions cost: a /metrics scrape, and a feed fetch through a proxy.

1. /metrics: the bot's registry (process collector, histograms, build info) after a busy
   run, rendered by prometheus-client as a scrape does; baseline: the stage-1 metric set
   (the same counters and gauges, no process collector, no histograms) in the same run.
2. Fetches: one small feed fetched 300 times, one after the other, by the real Fetcher:
   direct (the baseline), through the test HTTP proxy and through the test SOCKS5 proxy
   (``tests/proxies.py``, asyncio, in this process's threads, on loopback). The proxies are
   toys, so the difference bounds what the bot adds for a proxy route, not a real proxy.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from bench._common import fmt_s, machine_line, pct, table, write_section
from bot.health import Metrics, SenderMetrics
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.proxies import ProxyRoutes
from tests.feedserver import FeedServer
from tests.proxies import HttpProxy, SocksProxy

SCRAPES = 200
FETCHES = 300
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    + "".join(f"<item><guid>{n}</guid><title>Item {n}</title></item>" for n in range(20))
    + "</channel></rss>"
)


def busy_metrics() -> Metrics:
    metrics = Metrics()
    observer = SenderMetrics(metrics)
    for n in range(1000):
        metrics.polled("new" if n % 5 else "error", None if n % 5 else "timeout")
        metrics.fetch_duration.observe(0.01 * (n % 300))
        observer.sent(1, 2, [n % 600, n % 7])
    metrics.queue_depth.set(12)
    return metrics


def stage_one_registry() -> CollectorRegistry:
    r = CollectorRegistry()
    polls = Counter("feedbot_polls", "", ["outcome"], registry=r)
    for outcome in ("new", "not_modified", "unchanged", "error"):
        polls.labels(outcome).inc()
    for name in (
        "feedbot_fetch_errors",
        "feedbot_new_entries",
        "feedbot_deliveries_queued",
        "feedbot_messages_sent",
        "feedbot_entries_delivered",
        "feedbot_rate_limited",
        "feedbot_chats_blocked",
        "feedbot_deliveries_failed",
    ):
        Counter(name, "", registry=r).inc()
    Gauge("feedbot_queue_depth", "", registry=r).set(1)
    Gauge("feedbot_last_tick_timestamp", "", registry=r).set(1)
    return r


def scrape(registry: CollectorRegistry) -> tuple[list[float], bytes]:
    times = []
    page = b""
    for _ in range(SCRAPES):
        started = time.perf_counter()
        page = generate_latest(registry)
        times.append(time.perf_counter() - started)
    return times, page


def samples(page: bytes) -> int:
    return sum(1 for line in page.decode().splitlines() if line and not line.startswith("#"))


async def fetch_times(url: str, routes: ProxyRoutes) -> list[float]:
    times = []
    async with Fetcher(FetchLimits(timeout=10), routes=routes) as fetcher:
        for _ in range(FETCHES):
            started = time.perf_counter()
            result = await fetcher.fetch(url)
            times.append(time.perf_counter() - started)
            assert result.error is None, result.error
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    rows = []
    base_times, base_page = scrape(stage_one_registry())
    ours_times, ours_page = scrape(busy_metrics().registry)
    for label, times, page in (
        ("baseline: stage-1 metric set", base_times, base_page),
        ("ours: conventions, process collector, 2 histograms", ours_times, ours_page),
    ):
        rows.append(
            [label, samples(page), f"{len(page):,} B", ms(pct(times, 50)), ms(pct(times, 95))]
        )
    metrics_table = table(["registry", "samples", "page", "render p50", "render p95"], rows)

    fetch_rows = []
    with FeedServer() as server, HttpProxy() as http, SocksProxy() as socks:
        server.set_feed("/feed.xml", RSS)
        url = server.url("/feed.xml")
        runs = [
            ("baseline: direct", ProxyRoutes()),
            ("through the HTTP proxy", ProxyRoutes(http.url)),
            ("through the SOCKS5 proxy", ProxyRoutes(socks.url)),
            ("baseline: direct, again (warm)", ProxyRoutes()),
        ]
        for label, routes in runs:
            times = asyncio.run(fetch_times(url, routes))
            fetch_rows.append([label, ms(pct(times, 50)), ms(pct(times, 95)), fmt_s(sum(times))])
        connections = f"connections carried: HTTP proxy {http.total()}, SOCKS5 {socks.total()}"
    fetch_table = table(["route", "p50 per fetch", "p95", f"total ({FETCHES})"], fetch_rows)

    body = "\n\n".join(
        [
            "## Admin conventions (`bench/admin.py`)",
            f"Machine: {machine_line()}.",
            f"/metrics rendered {SCRAPES} times (prometheus-client `generate_latest`, what a "
            "scrape runs), after 1,000 polls and sends:",
            metrics_table,
            f"One 20-entry feed fetched {FETCHES} times in a row by the real `Fetcher` on "
            "loopback; the proxies are the test ones (`tests/proxies.py`), so this bounds our "
            f"cost of a proxy route, not a real proxy's ({connections}, kept alive). The "
            "direct run is repeated last: the first pays for warming up. On two shared cores "
            "the differences are within the noise:",
            fetch_table,
        ]
    )
    print(body)
    write_section("admin", body)


if __name__ == "__main__":
    main()
