"""What a container's HEALTHCHECK and an admin see: /healthz follows Telegram long polling,
startup problems with the health port or the API address are one line, shutdown survives
a Telegram that went away."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.botprocess import wait_until
from tests.e2e.conftest import Bots
from tests.e2e.helpers import Feed, Item
from tests.e2e.test_startup_failures import assert_one_line_failure
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e


def healthz(port: int | None) -> httpx.Response:
    assert port is not None
    return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)


def test_healthz_fails_while_telegram_does_not_answer_the_long_poll(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    # stale_after only needs to be under the 2 x 10 s long-poll bound; shorter, a slow cycle
    # on a loaded machine would make the scheduler the reason instead
    bot = bots.start(feed, health={"stale_after": "15s"})
    wait_until(lambda: healthz(bot.health_port).status_code == 200, 20, "healthy")

    before = len(api.calls("getUpdates"))
    api.fail(502, seconds=120, methods=["getUpdates"])
    # Unhealthy once no getUpdates was answered for two long-poll timeouts (2 x 10 s).
    down = wait_until(
        lambda: (r := healthz(bot.health_port)).status_code == 503 and r, 45, "unhealthy"
    )
    assert "Telegram has not answered long polling" in down.text  # running, but unanswered
    assert "not running" not in down.text
    assert len(api.calls("getUpdates")) >= before + 2  # it kept trying while refused

    api.clear_faults()
    wait_until(lambda: healthz(bot.health_port).status_code == 200, 30, "healthy again")
    assert bot.terminate() == 0
    assert "Telegram long polling: " in bot.log_text()  # one line per failure, no traceback


def test_a_health_port_already_taken_fails_at_start_with_one_line(feed: Feed, bots: Bots) -> None:
    feed.publish(Item("a"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bot = bots.make(bots.config(feed, health={"port": port}))
        code = bot.run_to_exit()
    assert_one_line_failure(bot, code, "/healthz", str(port), "health.port")


def test_an_api_address_that_is_no_bot_api_is_named_in_the_startup_error(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    wrong = f"{api.base_url}/not-the-api"
    bot = bots.make(bots.config(feed, telegram={"api_base_url": wrong}))
    code = bot.run_to_exit()
    assert_one_line_failure(bot, code, "rejected the bot token", wrong)
