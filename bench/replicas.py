"""Replicas: poll throughput with 1, 2 and 3 ``feedbot run`` on one PostgreSQL, and the
fan-out rate of three against Telegram's 30 messages a second.

    TEST_POSTGRES_URL=postgresql://feedbot:feedbot@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/replicas.py [--feeds 288] [--chats 600]

Processes: the feed server (``bench/_feeds.py``, the real-world corpus cycled over
``--feeds`` routes on 10 ports), the fake Bot API (``python -m tests.fakebotapi``, flood
limits on) and ``--replicas`` real ``feedbot run`` processes on a fresh PostgreSQL database.
Once every replica runs, the feeds are added as due now (the store's own ``sync_feeds``):
**cold** is the time until every feed has been fetched and stored (every entry new); then
all are made due again: **warm** is the same with the server answering 304 to the stored
validators. Feeds per second = feeds / that time. The baseline is the single replica of the
same run: what 2 and 3 add on this machine (two cores shared by every process here, so the
replicas compete with each other and with the feed server).

Fan-out: three replicas, ``--chats`` chats seeded into the database and registered with the
fake; one new entry; the rate is read from the fake's log of sends (first to last message,
busiest second), against the 30/s limit, with 429s, lost and duplicated chats.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import asyncpg
from _common import (
    FEEDBOT,
    OUT,
    TOKEN,
    Child,
    children,
    corpus_files,
    fake_bot_api,
    feed_routes,
    feed_server,
    machine,
    route_urls,
    table,
    wait_for,
    write_config,
    write_section,
)
from _fake_control import control, register_chats
from fanout import feed_document, sends_since, summarise

from bot.domain import FeedSpec
from bot.store import Store

LISTENERS = 10
FIRST_CHAT = 710_000_000


def pg_server_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", "")
    if not url:
        print("skipped: set TEST_POSTGRES_URL (a PostgreSQL server; its user may CREATE DATABASE)")
        raise SystemExit(0)
    return url


async def create_database(server: str) -> tuple[str, str]:
    name = f"feedbot_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, server.rsplit("/", 1)[0] + f"/{name}"


async def drop_database(server: str, name: str) -> None:
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def migrate_and_seed(url: str, chats: list[int]) -> None:
    """The schema (the bot's migrations) and ``chats`` subscribed to everything."""
    store = await Store.open(url)
    try:
        now = datetime.now(UTC)
        for tg_id in chats:
            info = await store.ensure_chat(tg_id, "private", f"R{tg_id}", now)
            await store.set_active(info.id, True, now)
    finally:
        await store.close()


async def add_feeds(url: str, urls: list[str]) -> float:
    """The feeds, due now; returns time.monotonic() of the commit."""
    store = await Store.open(url, migrate=False)
    try:
        await store.sync_feeds([FeedSpec(url=u, name=None) for u in urls], datetime.now(UTC))
        return time.monotonic()
    finally:
        await store.close()


async def count(url: str, query: str, *args: Any) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval(query, *args))
    finally:
        await connection.close()


async def execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def checked_since(url: str, since: datetime) -> int:
    return asyncio.run(count(url, "SELECT count(*) FROM feeds WHERE last_checked_at >= $1", since))


def start_replicas(n: int, config: Path, tag: str) -> list[Child]:
    replicas = [
        Child(
            [*FEEDBOT, "run", "--config", str(config)],
            name=f"replicas-{tag}-{i + 1}",
            ready=False,
            env={"FEEDBOT_LOG_LEVEL": "INFO"},
        )
        for i in range(n)
    ]
    for replica in replicas:
        wait_for(lambda r=replica: "running:" in r.log_path.read_text(), 90, f"{replica.name}")
    return replicas


def poll_run(server: str, n: int, urls: list[str], api: str, feeds: Child) -> dict[str, float]:
    name, url = asyncio.run(create_database(server))
    try:
        asyncio.run(migrate_and_seed(url, []))
        config = write_config(
            OUT / f"replicas-poll-{n}.json",
            {
                "telegram": {"token": TOKEN, "api_base_url": api},
                "database": {"url": url},
                "polling": {"interval": "1h", "tick": "0.5s", "jitter": 0},
            },
        )
        feeds.command("honour")
        replicas = start_replicas(n, config, f"poll{n}")
        try:
            figures: dict[str, float] = {}
            for phase in ("cold", "warm"):
                mark = datetime.now(UTC)
                if phase == "cold":
                    began = asyncio.run(add_feeds(url, urls))
                else:
                    began = time.monotonic()
                    asyncio.run(execute(url, "UPDATE feeds SET next_check_at = now()"))
                wait_for(
                    lambda since=mark: checked_since(url, since) >= len(urls), 600, f"{phase} x{n}"
                )
                figures[phase] = len(urls) / (time.monotonic() - began)
                print(f"  {n} replica(s), {phase}: {figures[phase]:.1f} feeds/s")
            figures["exit"] = max(abs(r.stop() or 0) for r in replicas)
            return figures
        finally:
            for replica in replicas:
                replica.stop()
    finally:
        asyncio.run(drop_database(server, name))


def fanout_run(server: str, chats: int, api: str, feeds: Child, path: str, url_of: str) -> Any:
    ids = [FIRST_CHAT + i for i in range(chats)]
    name, url = asyncio.run(create_database(server))
    try:
        asyncio.run(migrate_and_seed(url, ids))
        register_chats(api, ids)
        config = write_config(
            OUT / "replicas-fanout.json",
            {
                "telegram": {"token": TOKEN, "api_base_url": api},
                "database": {"url": url},
                "polling": {"interval": "2s", "min_interval": "1s", "tick": "0.5s", "jitter": 0},
                "feeds": [{"url": url_of, "name": "Fan-out bench"}],
            },
        )
        replicas = start_replicas(3, config, "fanout")
        try:
            wait_for(
                lambda: asyncio.run(
                    count(url, "SELECT count(*) FROM feeds WHERE last_success_at IS NOT NULL")
                ),
                60,
                "the first fetch",
            )
            before = time.monotonic()
            feeds.command(f"set {path} {OUT / 'replicas-published.xml'}")

            def delivered() -> bool:
                stats = control(api, "GET", "stats")
                return stats["accepted"].get("sendMessage", 0) >= chats

            wait_for(delivered, 60 + chats / 20, f"{chats} messages", every=0.5)
            result = summarise(sends_since(api, before), ids)
            leaders = sum("leader now" in r.log_path.read_text() for r in replicas)
            result["leaders"] = leaders
            result["exit"] = max(abs(r.stop() or 0) for r in replicas)
            return result
        finally:
            for replica in replicas:
                replica.stop()
    finally:
        asyncio.run(drop_database(server, name))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=288)
    parser.add_argument("--chats", type=int, default=600)
    parser.add_argument("--replicas", default="1,2,3")
    args = parser.parse_args()
    server = pg_server_url()
    files = corpus_files()
    routes = feed_routes(files, args.feeds)
    counts = [int(n) for n in args.replicas.split(",")]
    fan_dir = OUT / "replicas-feed"
    fan_dir.mkdir(parents=True, exist_ok=True)
    (fan_dir / "feed.xml").write_text(feed_document(20, extra=False))
    (OUT / "replicas-published.xml").write_text(feed_document(20, extra=True))
    polls: dict[int, dict[str, float]] = {}
    with children() as kids:
        api = fake_bot_api()
        kids.append(api)
        base = api.base_url  # type: ignore[attr-defined]
        feeds = feed_server(files, args.feeds, LISTENERS)
        kids.append(feeds)
        urls = route_urls(routes, feeds.ports)  # type: ignore[attr-defined]
        print(f"poll throughput: {len(urls)} feeds on {LISTENERS} ports, PostgreSQL")
        for n in counts:
            polls[n] = poll_run(server, n, urls, base, feeds)
        fan_feeds = feed_server([fan_dir / "feed.xml"], 1, 1)
        kids.append(fan_feeds)
        path = "/f/0/feed.xml"
        fan_url = f"http://127.0.0.1:{fan_feeds.ports[0]}{path}"  # type: ignore[attr-defined]
        print(f"fan-out: one entry to {args.chats} chats, three replicas")
        fan = fanout_run(server, args.chats, base, fan_feeds, path, fan_url)
        print(f"  {json.dumps(fan, default=str)}")
    report(args, polls, fan)
    return 0


def report(args: argparse.Namespace, polls: dict[int, dict[str, float]], fan: Any) -> None:
    one = polls.get(1)
    rows = []
    for n, f in polls.items():
        scale = f"x{f['cold'] / one['cold']:.2f} / x{f['warm'] / one['warm']:.2f}" if one else "-"
        rows.append([n, f"{f['cold']:.1f}", f"{f['warm']:.1f}", scale, int(f["exit"])])
    base = one or next(iter(polls.values()))
    # one check in five finds a change (cold cost), the rest a 304 (warm cost)
    mixed = 1 / (0.2 / base["cold"] + 0.8 / base["warm"])
    per_machine = mixed * 600 / 2  # a 10-minute interval, half of the time kept free
    info = machine()
    body = "\n".join(
        [
            "## Replicas on one PostgreSQL (`bench/replicas.py`)",
            "",
            f"Machine: {'; '.join(f'{k} {v}' for k, v in info.items())}.",
            "",
            f"Poll throughput: {args.feeds} routes cycling through the real-world corpus on "
            f"{LISTENERS} loopback ports; the feeds added as due while every replica runs; "
            "cold = every entry new, warm = 304 to the stored validators. Baseline: one "
            "replica, same run.",
            "",
            table(
                ["replicas", "cold feeds/s", "warm (304) feeds/s", "vs one (cold / warm)", "exit"],
                rows,
            ),
            "",
            f"Fan-out with three replicas: one new entry to {args.chats} chats through the "
            "fake Bot API enforcing 30 msg/s; only the leader sends.",
            "",
            table(
                ["rate msg/s", "busiest second", "429s", "lost", "duplicated", "leaders", "exit"],
                [
                    [
                        f"{fan['rate']:.2f}",
                        fan["max_in_1s"],
                        fan["refused_429"],
                        fan["lost"],
                        fan["duplicated"],
                        fan["leaders"],
                        fan["exit"],
                    ]
                ],
            ),
            "",
            "On paper: every replica polls and parses, so replicas on separate machines add "
            "their machines' rates until PostgreSQL is the limit; on one machine they share its "
            "cores (the table above). With one replica's figures here (2 cores, the feed "
            f"server and PostgreSQL on the same cores) and one check in five finding a change, "
            f"a machine checks about {mixed:.0f} feeds/s, so at a 10-minute interval with half "
            f"of the time kept free **N machines serve about N x {per_machine:,.0f} feeds**. "
            "Sending does not grow with N: one leader sends, within the token's 30 msg/s.",
        ]
    )
    write_section("replicas", body)


if __name__ == "__main__":
    raise SystemExit(main())
