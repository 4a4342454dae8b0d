"""Command round trips in webhook mode against long polling, the baseline, in one run.

    .venv/bin/python bench/webhook.py [--commands 200] [--runs 2]

The real ``feedbot run`` (its own process) talks to the fake Bot API (in this process, on
a thread; flood limits off, since what is measured is the way in, not the 30/s way out).
``--commands`` chats each send /help, one after the other: the next once the previous
was answered. Round trip: the update queued at the fake -> the bot's sendMessage accepted
there. In long-polling mode the update waits in a getUpdates that the fake answers at
once; in webhook mode the fake POSTs it to PTB's webhook server. Figures per mode:
p50/p95/max and answers per second of the sequence.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pct, table, write_report
from _harness_bot import bot_with_chats

from tests.botprocess import free_port
from tests.fakebotapi import FakeBotAPI

MODES = ("long polling", "webhook")


def round_trips(api: FakeBotAPI, chats: list[int]) -> dict[str, float]:
    latencies = []
    started = time.monotonic()
    for chat in chats:
        queued = time.monotonic()
        api.user_sends(chat, chat, "/help")
        api.wait_messages(chat, 1, timeout=30)
        latencies.append(time.monotonic() - queued)
    span = time.monotonic() - started
    return {
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "max": max(latencies),
        "per_second": len(chats) / span,
    }


def one_run(mode: str, commands: int, root: Path) -> dict[str, float]:
    ids = list(range(6001, 6001 + commands))
    telegram: dict[str, Any] = {}
    if mode == "webhook":
        port = free_port()
        telegram["webhook"] = {
            "url": f"http://127.0.0.1:{port}/tg",
            "listen": "127.0.0.1",
            "port": port,
        }
    # the bot's own pacing (30/s) off as well: it would be all that is measured
    with bot_with_chats(
        root, chat_ids=ids, feed_items=3, limits=False, telegram=telegram, delivery={"rate": 1000}
    ) as api:
        round_trips(api, ids[:5])  # warm up: first handler calls, connections
        return round_trips(api, ids[5:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for run in range(args.runs):
        for mode in MODES:
            with tempfile.TemporaryDirectory() as tmp:
                result = one_run(mode, args.commands + 5, Path(tmp))
            print(f"run {run + 1}, {mode}: " + ", ".join(f"{k} {v:.3f}" for k, v in result.items()))
            rows.append(
                [
                    run + 1,
                    mode,
                    f"{result['p50'] * 1000:.0f}",
                    f"{result['p95'] * 1000:.0f}",
                    f"{result['max'] * 1000:.0f}",
                    f"{result['per_second']:.1f}",
                ]
            )
    write_report(
        "webhook",
        "Webhook mode against long polling (`bench/webhook.py`)",
        f"{args.commands} chats send /help one after the other (each once the previous "
        "was answered) to the real `feedbot run` through the fake Bot API (flood limits "
        "off, `delivery.rate: 1000`). Round trip: update queued at the fake -> the "
        "reply's sendMessage accepted. Long polling is the baseline; in webhook mode the "
        "fake POSTs each update to PTB's webhook server. The machine's two cores are "
        "shared with other work, so runs differ by more than the modes do.",
        table(["run", "mode", "p50 ms", "p95 ms", "max ms", "answers/s"], rows),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
