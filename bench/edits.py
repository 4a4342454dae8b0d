"""Edits under the limits: an entry pushed to N chats changes while a new one goes out.

    .venv/bin/python bench/edits.py [--chats 300]

Processes as in ``bench/fanout.py``: the fake Bot API (30 msg/s overall, 1 msg/s per chat,
edits counted in the overall window), the feed server and the real ``feedbot run``, with
the chats seeded into its database. Phase one: one entry to every chat. Phase two: the
feed serves that entry with a new title and summary *and* a new entry, so the bot has N
edits and N sends to make at once.

Measured from the fake's log, phase two: edits and sends per second (first to last), all
calls per second in the busiest second, 429s, chats whose message was not edited (lost) or
edited more than once. Baseline, right after: a bare python-telegram-bot loop editing the
same N messages, paced at exactly 30 per second and sending nothing.
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

from tests.botprocess import free_port

FIRST_CHAT = 710_000_000
ITEM = (
    "<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title>"
    "<link>https://example.org/{guid}</link><pubDate>{date}</pubDate>"
    "<description>{text}</description></item>"
)


def document(*items: tuple[str, str, str, str]) -> str:
    rows = "".join(ITEM.format(guid=g, title=t, text=x, date=d) for g, t, x, d in items)
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Edit bench</title><link>https://example.org/</link>{rows}</channel></rss>"
    )


OLD = ("old", "Old report", "Nothing new.", "Mon, 01 Jan 2024 10:00:00 +0000")
POST = (
    "post",
    "Launch set for May",
    "The launch is set for May.",
    "Tue, 02 Jan 2029 10:00:00 +0000",
)
FIXED = ("post", "Launch moved to June", "The launch moves to June.", POST[3])
NEW = ("next", "Second launch window", "A second window opens.", "Wed, 03 Jan 2029 10:00:00 +0000")


def calls_since(base: str, since: float) -> list[dict[str, Any]]:
    return [e for e in control(base, "GET", "sent_log") if e["at"] >= since]


def summarise(log: list[dict[str, Any]], method: str, ids: list[int]) -> dict[str, Any]:
    accepted = [e for e in log if e["method"] == method and e["ok"]]
    per_chat = Counter(e["chat_id"] for e in accepted)
    rate, span = spread(sorted(e["at"] for e in accepted))
    return {
        "accepted": len(accepted),
        "rate": rate,
        "span": span,
        "lost": sum(1 for tg_id in ids if per_chat[tg_id] == 0),
        "twice": sum(1 for n in per_chat.values() if n > 1),
    }


def overall(log: list[dict[str, Any]]) -> dict[str, Any]:
    times = sorted(e["at"] for e in log if e["ok"])
    return {
        "calls_per_s": spread(times)[0],
        "max_in_1s": busiest_second(times),
        "refused_429": sum(1 for e in log if not e["ok"] and e["error_code"] == 429),
        "refused_other": sum(1 for e in log if not e["ok"] and e["error_code"] != 429),
    }


async def bare_edits(api_url: str, targets: list[tuple[int, int]], rate: float) -> int:
    """python-telegram-bot alone: one edit_message_text per message every 1/rate s."""
    from telegram import Bot
    from telegram.error import BadRequest, RetryAfter

    refused = 0
    async with Bot(TOKEN, base_url=api_url) as bot:
        began = time.monotonic()

        async def one(index: int, chat_id: int, message_id: int) -> None:
            nonlocal refused
            await asyncio.sleep(max(began + index / rate - time.monotonic(), 0))
            try:
                await bot.edit_message_text(f"edited again {index}", chat_id, message_id)
            except (RetryAfter, BadRequest):
                refused += 1

        await asyncio.gather(*(one(i, c, m) for i, (c, m) in enumerate(targets)))
    return refused


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=300)
    args = parser.parse_args()
    ids = [FIRST_CHAT + i for i in range(args.chats)]
    phases = {name: OUT / f"edits-{name}.xml" for name in ("one", "two")}
    phases["one"].write_text(document(POST, OLD))
    phases["two"].write_text(document(NEW, FIXED, OLD))
    db = chats_database("edits", ids)
    print(f"edits: {args.chats} chats; database {db}")
    with children() as kids:
        run = start_one_feed_run(
            kids,
            name="edits",
            db=db,
            document=document(OLD),
            feed_name="Edit bench",
            ids=ids,
            interval="2s",
            health={"port": free_port(), "host": "127.0.0.1"},
        )
        base, feeds, bot, config = run.base, run.feeds, run.bot, run.config
        feeds.command(f"set {ROUTE} {phases['one']}")
        wait_for(
            lambda: accepted(base, "sendMessage") >= args.chats, 60 + args.chats / 20, "phase one"
        )
        time.sleep(2.0)
        began = time.monotonic()
        feeds.command(f"set {ROUTE} {phases['two']}")
        print("the entry changed and a new one is out; waiting ...")
        wait_for(
            lambda: (
                accepted(base, "sendMessage") >= 2 * args.chats
                and accepted(base, "editMessageText") >= args.chats
            ),
            60 + args.chats / 10,
            "phase two",
            every=0.5,
        )
        time.sleep(3.0)  # an edit made twice would show up now
        log = calls_since(base, began)
        ours = {
            "edits": summarise(log, "editMessageText", ids),
            "sends": summarise(log, "sendMessage", ids),
            **overall(log),
        }
        metrics = httpx.get(f"http://127.0.0.1:{bot_health_port(config)}/metrics").text
        ours["edits_total"] = next(
            (
                line.split()[-1]
                for line in metrics.splitlines()
                if line.startswith("feedbot_edits_total")
            ),
            "?",
        )
        ours["exit"] = bot.stop()
        with sqlite3.connect(db) as connection:
            ours["edit_rows"] = dict(
                connection.execute("SELECT state, count(*) FROM edits GROUP BY state").fetchall()
            )
            targets = connection.execute(
                "SELECT c.tg_chat_id, o.message_id FROM outbox o JOIN chats c ON c.id = o.chat_id "
                "JOIN entries e ON e.id = o.entry_id WHERE e.key = 'id:post' ORDER BY c.id"
            ).fetchall()
        print(f"  ours: {json.dumps(ours, default=str)}")
        time.sleep(1.5)
        start = time.monotonic()
        refused = asyncio.run(bare_edits(f"{base}/bot", [tuple(t) for t in targets], 30.0))
        base_log = calls_since(base, start)
        baseline = {"edits": summarise(base_log, "editMessageText", ids), **overall(base_log)}
        baseline["client_refused"] = refused
        print(f"  baseline: {json.dumps(baseline, default=str)}")
    report(args.chats, ours, baseline)
    return 0


def bot_health_port(config: Path) -> int:
    return int(json.loads(config.read_text())["health"]["port"])


def report(n: int, ours: dict[str, Any], base: dict[str, Any]) -> None:
    e, s = ours["edits"], ours["sends"]
    rows = [
        [
            "bare PTB loop, edits only, paced at 30/s (baseline)",
            f"{base['edits']['rate']:.2f}",
            "-",
            f"{base['calls_per_s']:.2f}",
            base["max_in_1s"],
            base["refused_429"],
            base["edits"]["lost"],
            base["edits"]["twice"],
        ],
        [
            "`feedbot run`: N edits and N new sends at once",
            f"{e['rate']:.2f}",
            f"{s['rate']:.2f}",
            f"{ours['calls_per_s']:.2f}",
            ours["max_in_1s"],
            ours["refused_429"],
            e["lost"],
            e["twice"],
        ],
    ]
    write_report(
        "edits",
        "Edits (`bench/edits.py`)",
        f"An entry pushed to {n} private chats changes its title and summary while a new "
        "entry is published in the same document: the bot has N edits and N sends to make. "
        "The fake Bot API enforces 30 calls/s overall (edits included) and 1 msg/s per "
        "chat. Rates on the fake's clock, first to last accepted call of the kind.",
        table(
            [
                "run",
                "edits/s",
                "sends/s",
                "all calls/s",
                "calls in the busiest 1 s",
                "429s",
                "not edited",
                "edited twice",
            ],
            rows,
        ),
        "Sends are claimed before edits, and edits fill the room sends leave, so the "
        "edits/s figure is over a span shared with the sends; all calls/s is the one to "
        "hold against the 30/s limit. The busiest second is counted on a closed 1 s "
        "window, which is why the exactly paced baseline shows one more than 30.",
        f"`feedbot_edits_total` afterwards: {ours['edits_total']}; edit rows: "
        f"{ours['edit_rows']}; `feedbot run` exit status {ours['exit']}.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
