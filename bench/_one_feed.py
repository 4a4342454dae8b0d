"""One feed pushed to many chats: the processes ``fanout.py`` and ``edits.py`` both measure.

The fake Bot API (own process, flood limits on), the feed server (``_feeds.py``) serving one
document at one route, the chats registered with the fake, and the real ``feedbot run`` on a
database with those chats subscribed (``chats_database``); ready once the bot has stored its
first fetch (silently: the entries it finds then are not pushed), so what the caller
publishes next is what goes out. ``spread`` and ``busiest_second`` read the fake's log.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    OUT,
    TOKEN,
    Child,
    fake_bot_api,
    feed_server,
    fresh_file,
    start_feedbot,
    wait_for,
    write_config,
)
from _fake_control import register_chats
from _seed import engine_for, migrated, seed_chats

ROUTE = "/f/0/feed.xml"  # the one route of ``feed_server([file], 1, 1)``


def spread(times: list[float]) -> tuple[float, float]:
    """(calls per second from the first to the last of ``times``, sorted; that span in s):
    NaN for either when there are fewer than two calls or they share one instant."""
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    return ((len(times) - 1) / span if span == span and span > 0 else float("nan")), span


def busiest_second(times: list[float]) -> int:
    """The most calls in any closed 1 s window that starts at a call (``times`` sorted)."""
    return max((sum(1 for u in times if t <= u < t + 1.0) for t in times), default=0)


def first_fetch_stored(db: Path) -> bool:
    with sqlite3.connect(db) as connection:
        row = connection.execute("SELECT last_success_at FROM feeds").fetchone()
    return bool(row and row[0])


def chats_database(name: str, ids: list[int]) -> Path:
    """A fresh ``OUT/<name>.db`` with the bot's schema and the chats ``ids`` subscribed."""
    db = migrated(fresh_file(OUT / f"{name}.db"))
    seed_chats(engine_for(db), ids)
    return db


@dataclass
class OneFeedRun:
    base: str  # the fake Bot API's base URL
    feeds: Child  # the feed server: ``feeds.command(f"set {ROUTE} {file}")`` publishes
    bot: Child
    config: Path


def start_one_feed_run(
    kids: list[Child],
    *,
    name: str,
    db: Path,
    document: str,
    feed_name: str,
    ids: list[int],
    interval: str,
    **config: Any,
) -> OneFeedRun:
    """Start the processes (each appended to ``kids``, to be stopped by ``children()``) with
    ``feedbot run`` configured as ``OUT/<name>.json``: the feed serves ``document`` at first
    (from ``OUT/<name>-feed/feed.xml``) and is polled every ``interval``,
    no jitter; ``config`` adds sections); return after the bot's first fetch."""
    feed_file = OUT / f"{name}-feed" / "feed.xml"
    feed_file.parent.mkdir(parents=True, exist_ok=True)
    feed_file.write_text(document)
    fake = fake_bot_api()
    kids.append(fake)
    base = fake.base_url  # type: ignore[attr-defined]
    feeds = feed_server([feed_file], 1, 1)
    kids.append(feeds)
    url = f"http://127.0.0.1:{feeds.ports[0]}{ROUTE}"  # type: ignore[attr-defined]
    register_chats(base, ids)
    path = write_config(
        OUT / f"{name}.json",
        {
            "telegram": {"token": TOKEN, "api_base_url": base},
            "database": {"url": f"sqlite:///{db}"},
            "polling": {"interval": interval, "min_interval": "1s", "tick": "1s", "jitter": 0},
            "feeds": [{"url": url, "name": feed_name}],
            **config,
        },
    )
    bot = start_feedbot(path, f"{name}-feedbot")
    kids.append(bot)
    wait_for(lambda: first_fetch_stored(db), 60, "the first fetch of the feed")
    return OneFeedRun(base=base, feeds=feeds, bot=bot, config=path)
