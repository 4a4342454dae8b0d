"""/latest with 1,000,000 stored entries and 10,000 chats: handler latency through the fake.

    .venv/bin/python bench/latest.py [--rate 10] [--requests 800] [--reseed]

The database is made by the bot's migrations and filled with SQLAlchemy Core (1,000,000
entries over 300 feeds and 40 topics, 10,000 subscribed chats); it is built once and cached
in ``bench/out/latest-seed.db``, and each run works on a copy. The real ``feedbot run``
talks to the fake Bot API (own process). Users send ``/latest`` (half the requests),
``/latest <topic>`` (a quarter; common and rare topics) and press page buttons of their
``/latest`` reply (a quarter, pages 2-6), open loop at ``--rate`` requests per second,
each request from a different chat.

Latency of one request: from just before the update is queued at the fake (the control API
call) to the reply arriving there (the fake's log: ``sendMessage``, or for a button the
later of ``answerCallbackQuery`` and ``editMessageText``). Baseline, same fake, same
drive: an ECHO bot (``bench/_echo.py``, python-telegram-bot, same settings) in its own
process.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import httpx
from _common import (
    FEEDBOT,
    OUT,
    PYTHON,
    TOKEN,
    Child,
    children,
    fake_bot_api,
    ms_cells,
    p50_p95,
    pct,
    table,
    write_config,
    write_report,
)
from _seed import build_seed, working_copy

SEED = OUT / "latest-seed.db"
SEED_VERSION = "2"  # bump when the seed's contents change (2: the search index of 0013)
ENTRIES, FEEDS, TOPICS, CHATS = 1_000_000, 300, 40, 10_000
FIRST_CHAT = 800_000_000
FEED_URL = "http://127.0.0.1:9/seed/{}"  # never fetched: not due for ten years
TOPIC_NAMES = [f"topic-{n:02d}" for n in range(TOPICS)]


def seed(
    path: Path,
    version: str = SEED_VERSION,
    entries: int = ENTRIES,
    chats: int = CHATS,
    extra_text: Callable[[int], str] | None = None,
) -> None:
    """This script's seed (``bench/search.py``'s too, with its own extra words): FEEDS feeds
    not due for ten years, ``entries`` entries over TOPICS topics, ``chats`` chats."""
    build_seed(
        path,
        version,
        feed_urls=[FEED_URL.format(i) for i in range(FEEDS)],
        due_in=timedelta(days=3650),
        entries=entries,
        topic_names=TOPIC_NAMES,
        chat_ids=[FIRST_CHAT + i for i in range(chats)],
        extra_text=extra_text,
    )


# ----------------------------------------------------------------------------- driving


class Driver:
    """Plays users through the fake's control API; remembers when each request was made."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.client = httpx.Client(base_url=f"{base}/_fake", timeout=30)

    def send(self, chat_id: int, text: str) -> float:
        began = time.monotonic()
        self.client.post(
            "/user_sends", json={"chat_id": chat_id, "user_id": chat_id, "text": text}
        ).raise_for_status()
        return began

    def press(self, chat_id: int, message_id: int, data: str) -> tuple[float, str]:
        began = time.monotonic()
        response = self.client.post(
            "/user_presses",
            json={
                "chat_id": chat_id,
                "user_id": chat_id,
                "message_id": message_id,
                "callback_data": data,
            },
        )
        response.raise_for_status()
        return began, response.json()["result"]["callback_query_id"]

    def last_message_id(self, chat_id: int) -> int | None:
        result = self.client.get("/messages", params={"chat_id": chat_id}).json()["result"]
        return result[-1]["message_id"] if result else None

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params).json()["result"]


def plan(requests: int, rng: random.Random) -> list[tuple[str, int, str]]:
    """(kind, chat id, text or callback data); every request from its own chat."""
    chats = rng.sample(range(FIRST_CHAT, FIRST_CHAT + CHATS), requests)
    half, quarter = requests // 2, requests // 4
    plain = [("latest", c, "/latest") for c in chats[:half]]
    # topic-00 is on ~25% of entries, topic-39 on ~0.6%: both ends of the spread
    topical = [
        ("topic", c, f"/latest {rng.choice(TOPIC_NAMES)}") for c in chats[half : half + quarter]
    ]
    presses = [("press", c, f"L:-:{rng.randint(2, 6)}") for c in chats[: requests - half - quarter]]
    return plain + topical + presses


def drive(driver: Driver, steps: list[tuple[str, int, str]], rate: float) -> list[dict[str, Any]]:
    """Open loop at ``rate`` per second; presses come after every message was answered."""
    done: list[dict[str, Any]] = []
    messages = [s for s in steps if s[0] != "press"]
    presses = [s for s in steps if s[0] == "press"]
    began = time.monotonic()
    for index, (kind, chat, text) in enumerate(messages):
        time.sleep(max(began + index / rate - time.monotonic(), 0))
        done.append({"kind": kind, "chat": chat, "text": text, "at": driver.send(chat, text)})
    wait_replies(driver, [d["chat"] for d in done])
    targets = {chat: driver.last_message_id(chat) for _, chat, _ in presses}
    began = time.monotonic()
    for index, (kind, chat, data) in enumerate(presses):
        time.sleep(max(began + index / rate - time.monotonic(), 0))
        message_id = targets[chat]
        if message_id is None:
            continue
        at, query = driver.press(chat, message_id, data)
        done.append({"kind": kind, "chat": chat, "text": data, "at": at, "query": query})
    time.sleep(2.0)
    return done


def wait_replies(driver: Driver, chats: list[int], timeout: float = 60) -> None:
    wanted = set(chats)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = {e["chat_id"] for e in driver.get("/sent_log") if e["method"] == "sendMessage"}
        if wanted <= got:
            return
        time.sleep(0.5)


def latencies(driver: Driver, done: list[dict[str, Any]], since: float) -> dict[str, list[float]]:
    log = [e for e in driver.get("/sent_log") if e["ok"] and e["at"] >= since]
    answers = {a["query_id"]: a["at"] for a in driver.get("/answers")}
    by_chat: dict[tuple[str, int], list[float]] = defaultdict(list)
    for entry in log:
        by_chat[(entry["method"], entry["chat_id"])].append(entry["at"])
    out: dict[str, list[float]] = defaultdict(list)
    missing = 0
    for request in done:
        method = "editMessageText" if request["kind"] == "press" else "sendMessage"
        replies = [t for t in by_chat[(method, request["chat"])] if t >= request["at"]]
        if not replies:
            missing += 1
            continue
        arrived = min(replies)
        if request["kind"] == "press":
            arrived = max(arrived, answers.get(request["query"], arrived))
        ms = (arrived - request["at"]) * 1000
        out[request["kind"]].append(ms)
        out["all"].append(ms)
    out["missing"] = [float(missing)]
    return out


def run_bot(
    name: str,
    args: list[str],
    base: str,
    steps: list[Any],
    rate: float,
    env: dict[str, str] | None = None,
) -> dict[str, list[float]]:
    driver = Driver(base)
    before = len(driver.get("/calls", method="getUpdates"))
    bot = Child(args, name=name, ready=False, env=env)
    try:
        deadline = time.monotonic() + 120
        while len(driver.get("/calls", method="getUpdates")) <= before:
            if time.monotonic() > deadline or bot.proc.poll() is not None:
                raise RuntimeError(f"{name} did not start polling; see {bot.log_path}")
            time.sleep(0.2)
        time.sleep(1.0)
        since = time.monotonic()
        done = drive(driver, steps, rate)
        return latencies(driver, done, since)
    finally:
        bot.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second")
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    def make_seed() -> None:
        print(f"seeding {SEED} (once; cached): {ENTRIES:,} entries, {CHATS:,} chats ...")
        seed(SEED)

    db = working_copy(SEED, SEED_VERSION, OUT / "latest.db", reseed=args.reseed, make=make_seed)
    rng = random.Random(7)
    steps = plan(args.requests, rng)
    print(f"/latest: {len(steps)} requests at {args.rate:g}/s against {ENTRIES:,} entries")
    results: dict[str, dict[str, list[float]]] = {}
    with children() as kids:
        fake = fake_bot_api()
        kids.append(fake)
        base = fake.base_url  # type: ignore[attr-defined]
        config = write_config(
            OUT / "latest.json",
            {
                "telegram": {"token": TOKEN, "api_base_url": base},
                "database": {"url": f"sqlite:///{db}"},
                "feeds": [{"url": FEED_URL.format(i)} for i in range(FEEDS)],
            },
        )
        results["ours"] = run_bot(
            "latest-feedbot",
            [*FEEDBOT, "run", "--config", str(config)],
            base,
            steps,
            args.rate,
            env={"FEEDBOT_LOG_LEVEL": "WARNING"},
        )
        show("feedbot run", results["ours"])
        results["echo"] = run_bot(
            "latest-echo",
            [PYTHON, str(Path(__file__).parent / "_echo.py"), base, TOKEN],
            base,
            steps,
            args.rate,
        )
        show("echo bot", results["echo"])
    report(args, results)
    return 0


def show(name: str, result: dict[str, list[float]]) -> None:
    summary = {k: f"{p50_p95(v)} (n={len(v)})" for k, v in result.items() if k != "missing"}
    print(f"  {name}: {json.dumps(summary, indent=1)}; missing {int(result['missing'][0])}")


def report(args: argparse.Namespace, results: dict[str, dict[str, list[float]]]) -> None:
    rows = []
    labels = {
        "all": "all requests",
        "latest": "/latest",
        "topic": "/latest <topic>",
        "press": "page button (answer + edit)",
    }
    for kind, label in labels.items():
        ours, echo = results["ours"].get(kind, []), results["echo"].get(kind, [])
        rows.append([label, len(ours), *ms_cells(ours, with_max=True), *ms_cells(echo)])
    p95 = pct(results["ours"]["all"], 95)
    write_report(
        "latest",
        "/latest (`bench/latest.py`)",
        f"SQLite file made by the bot's migrations, seeded with SQLAlchemy Core: {ENTRIES:,} "
        f"entries over {FEEDS} feeds and {TOPICS} topics (1-2 per entry, Zipf-like), "
        f"{CHATS:,} subscribed chats. The real `feedbot run` and the fake Bot API in their "
        f"own processes; requests open loop at {args.rate:g}/s, each from another chat. "
        "Latency: from just before the update is queued at the fake to the reply arriving "
        "there. Baseline: an ECHO bot (python-telegram-bot, same settings) driven the same "
        "way against the same fake.",
        table(
            [
                "request",
                "n",
                "ours p50 ms",
                "ours p95 ms",
                "ours max ms",
                "echo p50 ms",
                "echo p95 ms",
            ],
            rows,
        ),
        f"Target p95 < 50 ms: {'met' if p95 < 50 else 'MISSED'} ({p95:.1f} ms). Requests "
        f"without a reply: ours {int(results['ours']['missing'][0])}, echo "
        f"{int(results['echo']['missing'][0])}.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
