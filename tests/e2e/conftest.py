"""Fixtures for the end-to-end tests: the fake Bot API, the local feed server, and a
factory for real ``feedbot run`` processes wired to both and to a fresh database.

After each test every bot process is gone, and its whole log (every run) is checked: the
bot token never appears, and there is no traceback unless the test said it expects one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.botprocess import BotProcess, free_port
from tests.e2e.helpers import Feed
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer

TOKEN = "4242424242:AAHe2e_fake-token-for-the-end-to-end-tests"
BOT_USERNAME = "transmission_test_bot"
ADMIN = 11111111  #: in telegram.admins of every bot the factory makes
FAST_POLLING = {"interval": "1s", "min_interval": "1s", "tick": "0.5s", "jitter": 0}


def merged(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` merged in, section by section (dicts merge, the rest replaces)."""
    result = copy.deepcopy(dict(base))
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


class Bots:
    """Makes bot processes for one test; :meth:`close` ends them and checks their logs."""

    def __init__(self, root: Path, api: FakeBotAPI, database_url: str) -> None:
        self.root = root
        self.api = api
        self.database_url = database_url
        self.made: list[BotProcess] = []
        self.tracebacks_expected: set[int] = set()

    def config(self, *feeds: Feed | str | Mapping[str, Any], **sections: Any) -> dict[str, Any]:
        """A config for the fake API, the test's database and fast polling, plus
        ``sections`` (merged into the defaults: ``delivery={"page_size": 2}``)."""
        listed = [
            {"url": f.url} if isinstance(f, Feed) else {"url": f} if isinstance(f, str) else f
            for f in feeds
        ]
        base = {
            "telegram": {"api_base_url": self.api.base_url, "admins": [ADMIN]},
            "database": {"url": self.database_url},
            "polling": FAST_POLLING,
            "feeds": listed,
            "health": {"port": free_port(), "host": "127.0.0.1"},
        }
        return merged(base, sections)

    def make(
        self,
        config: Mapping[str, Any],
        *,
        token: str | None = TOKEN,
        env: Mapping[str, str] | None = None,
        expect_tracebacks: bool = False,
        config_file: bool = True,
    ) -> BotProcess:
        directory = self.root / f"bot{len(self.made) + 1}"
        bot = BotProcess(config, directory, token=token, env=env, config_file=config_file)
        if expect_tracebacks:
            self.tracebacks_expected.add(id(bot))
        self.made.append(bot)
        return bot

    def start(
        self,
        *feeds: Feed | str | Mapping[str, Any],
        token: str | None = TOKEN,
        env: Mapping[str, str] | None = None,
        **sections: Any,
    ) -> BotProcess:
        """A running bot (its log said "running:") with these feeds and config sections."""
        return self.make(self.config(*feeds, **sections), token=token, env=env).start()

    def close(self) -> None:
        for bot in self.made:
            bot.close()
        for bot in self.made:
            log = bot.log_text()
            assert TOKEN not in log, f"the bot token leaked into the log of {bot}"
            if id(bot) not in self.tracebacks_expected:
                assert "Traceback" not in log, f"{bot} logged a traceback:\n{log}"


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    fake = FakeBotAPI(token=TOKEN, bot_username=BOT_USERNAME).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def feed(feeds: FeedServer) -> Feed:
    """One feed at /feed.xml (publish something before the bot's first poll)."""
    return Feed(feeds, "/feed.xml", "Test feed")


@pytest.fixture
def bots(tmp_path: Path, api: FakeBotAPI, database_url: str) -> Iterator[Bots]:
    factory = Bots(tmp_path, api, database_url)
    try:
        yield factory
    finally:
        factory.close()
