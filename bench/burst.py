"""A burst of /latest from 300 chats at once: answers per second against Telegram's 30/s.

    .venv/bin/python bench/burst.py [--chats 300] [--runs 3]

The real ``feedbot run`` (its own process) talks to the fake Bot API (in this process, on a
thread) enforcing Telegram's limits: 30 messages a second overall, one a second per chat.
300 chats subscribe (/start, also at once), then every one sends /latest in the same
instant. Figures per run: answers per second (answers over the time from the first
/latest queued to the last answer), the latency of each answer (queued -> sendMessage
accepted at the fake) at p50/p95/max, 429s the bot met, and apologies. The ceiling is the
fake's 30/s: 300 answers cannot take less than 10 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pct, table, write_report
from _harness_bot import bot_with_chats

from tests.fakebotapi import FakeBotAPI

APOLOGY = "Sorry, that failed"


def burst(api: FakeBotAPI, chats: list[int], text: str) -> dict[str, float]:
    """``text`` from every chat at once; figures once every chat has its answer."""
    mark = len(api.sent_log())
    queued: dict[int, float] = {}
    for chat in chats:
        queued[chat] = time.time()
        api.user_sends(chat, chat, text)
    answered: dict[int, float] = {}
    deadline = time.monotonic() + 300
    while len(answered) < len(chats) and time.monotonic() < deadline:
        for entry in api.sent_log()[mark:]:
            chat = entry.chat_id
            if entry.ok and entry.method == "sendMessage" and isinstance(chat, int):
                answered.setdefault(chat, entry.wall)
        time.sleep(0.1)
    log = api.sent_log()[mark:]
    latencies = [answered[c] - queued[c] for c in answered]
    first = min(queued.values())
    span = max(answered.values(), default=first) - first
    apologies = sum(1 for c in chats for m in api.messages(c) if APOLOGY in m.plain_text)
    return {
        "answered": len(answered),
        "per_second": len(answered) / span if span else float("nan"),
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "max": max(latencies, default=float("nan")),
        "refused_429": sum(1 for e in log if e.error_code == 429),
        "apologies": apologies,
    }


def one_run(chats: int, root: Path) -> dict[str, float]:
    ids = list(range(5001, 5001 + chats))
    with bot_with_chats(root, chat_ids=ids, feed_items=12) as api:
        burst(api, ids, "/start")
        return burst(api, ids, "/latest")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            result = one_run(args.chats, Path(tmp))
        results.append(result)
        print(f"run {run + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in result.items()))
    rows = [
        [
            n + 1,
            f"{int(r['answered'])}/{args.chats}",
            f"{r['per_second']:.1f}",
            f"{r['p50']:.2f}",
            f"{r['p95']:.2f}",
            f"{r['max']:.2f}",
            int(r["refused_429"]),
            int(r["apologies"]),
        ]
        for n, r in enumerate(results)
    ]
    write_report(
        "burst",
        "A burst of /latest (`bench/burst.py`)",
        f"{args.chats} chats send /start at once, then /latest at once, to the real "
        "`feedbot run` through the fake Bot API enforcing Telegram's limits (30 messages "
        "a second overall, one a second per chat). Answers per second: answers over the "
        "time from the first /latest queued to the last answer; the ceiling is 30/s. "
        "Latency: queued at the fake -> its sendMessage accepted.",
        table(
            ["run", "answered", "answers/s", "p50 s", "p95 s", "max s", "429s", "apologies"],
            rows,
        ),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
