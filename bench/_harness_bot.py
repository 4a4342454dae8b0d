"""The tests' in-process harness for the benchmarks that use it (``burst.py``, ``webhook.py``).

The fake Bot API and a feed server in this process (``tests.fakebotapi``,
``tests.feedserver``), private chats registered with the fake, and the real bot in its own
process (``tests.botprocess.BotProcess``) on a SQLite file under ``root``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.botprocess import BotProcess, free_port
from tests.e2e.helpers import Feed, items
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer

TOKEN = "123456:BENCH-token"


@contextlib.contextmanager
def bot_with_chats(
    root: Path,
    *,
    chat_ids: list[int],
    feed_items: int,
    limits: bool = True,
    telegram: dict[str, Any] | None = None,
    **config: Any,
) -> Iterator[FakeBotAPI]:
    """Yields the fake once the bot has polled its one feed (``feed_items`` items) for the
    first time; stops the bot on the way out. ``limits``: the fake's flood limits;
    ``telegram`` adds to that section of the bot's config, ``config`` adds sections."""
    with FakeBotAPI(token=TOKEN, limits=limits) as api, FeedServer() as server:
        feed = Feed(server, "/feed.xml", "Bench feed").publish(*items("b", feed_items))
        for chat in chat_ids:
            api.add_private_chat(chat, f"Reader {chat}")
        settings = {
            "telegram": {"api_base_url": api.base_url, **(telegram or {})},
            "database": {"url": f"sqlite:///{root / 'bench.db'}"},
            "feeds": [{"url": feed.url}],
            **config,
            "health": {"port": free_port(), "host": "127.0.0.1"},
        }
        bot = BotProcess(settings, root / "bot", token=TOKEN)
        bot.start()
        try:
            bot.wait_polls(1)
            yield api
        finally:
            bot.terminate()
