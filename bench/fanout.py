"""Fan-out: one new entry to 1,000 subscribed chats through the fake Bot API (30 msg/s).

    .venv/bin/python bench/fanout.py [--chats 1000]

Processes: the fake Bot API (``python -m tests.fakebotapi``, flood limits on: 30 msg/s
overall, 1 msg/s per chat), the feed server (``bench/_feeds.py``) and the real
``feedbot run``. The chats are seeded straight into the database (the bot's migrations and
tables) and registered with the fake. Once the bot has fetched the feed (first fetch:
stored silently), the feed server starts serving the same feed with one more entry.

Measured from the fake's own log of sends: messages per second from the first to the last
message, 429s, chats that got nothing (lost) or more than one message (duplicated), and the
time from the publish and from the poll that found the entry to the first message.

Baseline, same fake, same chats, right after: a bare python-telegram-bot loop that sends the
same message to each chat, paced at exactly 30 per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import httpx
from _common import (
    OUT,
    TOKEN,
    children,
    table,
    wait_for,
    write_report,
)
from _fake_control import accepted, control
from _one_feed import ROUTE, busiest_second, chats_database, spread, start_one_feed_run

FIRST_CHAT = 700_000_000
ITEM = (
    "<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title>"
    "<link>https://example.org/{guid}</link><category>bench</category>"
    "<pubDate>{date}</pubDate><description>&lt;p&gt;{text}&lt;/p&gt;</description></item>"
)


def feed_document(items: int, extra: bool) -> str:
    texts = "Signal report from the relay station: all carriers nominal, latency within budget."
    rows = [
        ITEM.format(
            guid=f"post-{n}",
            title=f"Routine report {n}",
            text=texts,
            date=f"Mon, {1 + n % 28:02d} Jan 2024 10:00:00 +0000",
        )
        for n in range(items)
    ]
    if extra:
        rows.insert(
            0,
            ITEM.format(
                guid="post-new",
                title="INCOMING: the new entry",
                text=texts * 3,
                date="Tue, 02 Jan 2029 10:00:00 +0000",
            ),
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Fan-out bench</title><link>https://example.org/</link>{''.join(rows)}"
        "</channel></rss>"
    )


def sends_since(base: str, since: float) -> list[dict[str, Any]]:
    log = control(base, "GET", "sent_log")
    return [e for e in log if e["method"] == "sendMessage" and e["at"] >= since]


def summarise(entries: list[dict[str, Any]], ids: list[int]) -> dict[str, Any]:
    accepted = [e for e in entries if e["ok"]]
    refused = [e for e in entries if not e["ok"]]
    per_chat = Counter(e["chat_id"] for e in accepted)
    times = sorted(e["at"] for e in accepted)
    rate, span = spread(times)
    return {
        "accepted": len(accepted),
        "refused_429": sum(1 for e in refused if e["error_code"] == 429),
        "refused_other": sum(1 for e in refused if e["error_code"] != 429),
        "lost": sum(1 for tg_id in ids if per_chat[tg_id] == 0),
        "duplicated": sum(1 for n in per_chat.values() if n > 1),
        "rate": rate,
        "span": span,
        "first": times[0] if times else float("nan"),
        "last": times[-1] if times else float("nan"),
        "max_in_1s": busiest_second(times),
    }


# ----------------------------------------------------------------------------- baseline


async def bare_loop(api_url: str, ids: list[int], text: str, rate: float) -> dict[str, Any]:
    """python-telegram-bot, no framework: one send_message per chat started every 1/rate s."""
    from telegram import Bot
    from telegram.error import RetryAfter

    refused = 0
    async with Bot(TOKEN, base_url=api_url) as bot:
        began = time.monotonic()

        async def one(index: int, chat_id: int) -> None:
            nonlocal refused
            await asyncio.sleep(max(began + index / rate - time.monotonic(), 0))
            try:
                await bot.send_message(chat_id, text, parse_mode="HTML")
            except RetryAfter:
                refused += 1

        await asyncio.gather(*(one(i, chat_id) for i, chat_id in enumerate(ids)))
    return {"client_429": refused}


# ----------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--interval", default="5s", help="polling.interval of the feed")
    args = parser.parse_args()
    ids = [FIRST_CHAT + i for i in range(args.chats)]
    published = OUT / "fanout-published.xml"
    published.write_text(feed_document(20, extra=True))
    db = chats_database("fanout", ids)
    print(f"fan-out: one entry to {args.chats} chats; database {db.relative_to(OUT.parent.parent)}")

    with children() as kids:
        run = start_one_feed_run(
            kids,
            name="fanout",
            db=db,
            document=feed_document(20, extra=False),
            feed_name="Fan-out bench",
            ids=ids,
            interval=args.interval,
        )
        base, feeds, bot = run.base, run.feeds, run.bot
        time.sleep(1.0)
        before = time.monotonic()
        feeds.command(f"set {ROUTE} {published}")
        published_at = time.monotonic()
        print("published one entry; waiting for the transmissions ...")
        wait_for(
            lambda: accepted(base, "sendMessage") >= args.chats,
            60 + args.chats / 20,
            f"{args.chats} messages",
            every=0.5,
        )
        time.sleep(3.0)  # anything sent twice would show up now
        ours = summarise(sends_since(base, before), ids)
        polls = feeds.command(f"requests {ROUTE}")["times"]
        found_at = min((t for t in polls if t >= published_at), default=float("nan"))
        ours["from_publish"] = ours["first"] - published_at
        ours["from_poll"] = ours["first"] - found_at
        status = bot.stop()
        with sqlite3.connect(db) as connection:
            queue = dict(
                connection.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
            )
        ours["exit"] = status
        ours["queue"] = queue
        print(f"  ours: {json.dumps(ours, default=str)}")

        sample = httpx.get(f"{base}/_fake/messages", params={"chat_id": ids[0]}).json()
        text = sample["result"][0]["text"] if sample["result"] else "INCOMING TRANSMISSION"
        time.sleep(1.5)  # the per-chat windows of our run are over
        began = time.monotonic()
        client = asyncio.run(bare_loop(f"{base}/bot", ids, text, 30.0))
        base_run = summarise(sends_since(base, began), ids)
        base_run.update(client)
        print(f"  baseline: {json.dumps(base_run, default=str)}")

    report(args, ours, base_run)
    return 0


def report(args: argparse.Namespace, ours: dict[str, Any], base: dict[str, Any]) -> None:
    n = args.chats

    def row(name: str, r: dict[str, Any], first: str) -> list[object]:
        attempts = r["accepted"] + r["refused_429"] + r["refused_other"]
        return [
            name,
            f"{r['rate']:.2f}",
            f"{r['refused_429']} ({100 * r['refused_429'] / max(attempts, 1):.1f}%)",
            r["lost"],
            r["duplicated"],
            r["max_in_1s"],
            f"{r['span']:.1f} s",
            first,
        ]

    rows: list[list[object]] = [
        row("bare PTB loop paced at 30/s (baseline)", base, "-"),
        row(
            "`feedbot run` (ours)",
            ours,
            f"{ours['from_publish']:.2f} s from publish, {ours['from_poll']:.2f} s from the poll",
        ),
        ["target", ">= 29", "< 1%", "0", "0", "<= 30", "", ""],
    ]
    verdicts = [
        f"rate {'met' if ours['rate'] >= 29 else 'MISSED'}",
        f"429s {'met' if ours['refused_429'] < 0.01 * n else 'MISSED'}",
        f"lost {'met' if ours['lost'] == 0 else 'MISSED'}",
        f"duplicated {'met' if ours['duplicated'] == 0 else 'MISSED'}",
    ]
    write_report(
        "fanout",
        "Fan-out (`bench/fanout.py`)",
        f"One new entry to {n} subscribed private chats. The fake Bot API runs in its own "
        "process and enforces 30 msg/s overall and 1 msg/s per chat (429 with retry_after "
        "otherwise); `feedbot run` is the real process (SQLite, default delivery settings: "
        f"rate 30/s); the feed is polled every {args.interval}. Rates are measured on the "
        "fake's clock, first to last accepted message.",
        table(
            [
                "sender",
                "msg/s",
                "429s",
                "lost",
                "duplicated",
                "most in any 1 s",
                "first to last",
                "time to first message",
            ],
            rows,
        ),
        f"Verdict: {', '.join(verdicts)}. `feedbot run` exit status {ours['exit']}; outbox "
        f"afterwards: {ours['queue']}.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
