"""TelegramApp in webhook mode, against the fake Bot API: the webhook server is apart from
long polling (a replica that stops or never starts long polling keeps serving the
webhook), and only ``stop_webhook`` closes it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import WebhookInfo

from bot.tg.application import TelegramApp
from bot.tg.webhook import Webhook, WebhookRefused, WebhookUnservable, delivery_problem
from tests.fakebotapi import FakeBotAPI

TOKEN = "123456:TEST-token"
ALICE = 1001


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(TOKEN) as server:
        server.add_private_chat(ALICE, "Alice")
        yield server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hook(port: int) -> Webhook:
    return Webhook(
        url=f"http://127.0.0.1:{port}/tg",
        listen="127.0.0.1",
        port=port,
        path="/tg",
        secret_token="unit-secret",
    )


async def test_long_polling_calls_leave_a_served_webhook_alone(api: FakeBotAPI) -> None:
    telegram = TelegramApp(TOKEN, api.base_url)
    await telegram.connect()
    served = hook(free_port())
    await telegram.start_webhook(served)
    try:
        assert api.webhook_info()["url"] == served.url
        assert telegram.polling_problem(120) is None

        await telegram.start_polling()  # a replica taking the Telegram duties: no getUpdates
        await telegram.stop_polling()  # ... and losing them: the server stays up
        api.user_sends(ALICE, ALICE, "hello")
        await api.wait_for_async(
            lambda: any(d.ok for d in api.webhook_deliveries()), timeout=10, what="a delivery"
        )
        assert api.calls("getUpdates") == []
        assert telegram.polling_problem(120) is None

        await telegram.stop_webhook()
        assert telegram.polling_problem(120) == (
            f"the Telegram webhook server on 127.0.0.1:{served.port} is not running"
        )
        api.user_sends(ALICE, ALICE, "after")
        await api.wait_for_async(
            lambda: api.webhook_deliveries()[-1].status is None, timeout=10, what="refused"
        )
        assert api.webhook_info()["url"] == served.url  # still set, for the other replicas
    finally:
        await telegram.stop_webhook()
        await telegram.shutdown()


async def test_a_refused_setwebhook_and_a_taken_port_say_why(
    api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = TelegramApp(TOKEN, api.base_url)
    await telegram.connect()
    try:
        refused = Webhook("http://bot.example.com/tg", "127.0.0.1", free_port(), "/tg", "s")
        with pytest.raises(WebhookRefused, match=r"(?i)an https url must be provided"):
            await telegram.start_webhook(refused)
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            with pytest.raises(WebhookUnservable, match=r"(?i)address already in use"):
                await telegram.start_webhook(hook(taken.getsockname()[1]))
    finally:
        await telegram.shutdown()
    assert "Traceback" not in caplog.text  # PTB's own report of the failed setWebhook
    assert "Network Retry Loop" not in caplog.text
    assert len(api.calls("setWebhook")) == 1  # not for the port that cannot be served


URL = "https://bot.example.com/tg"
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("info", "problem"),
    [
        (WebhookInfo(URL, False, 0), None),
        # an error long ago, or nothing waiting: delivered since
        (WebhookInfo(URL, False, 3, last_error_date=NOW - timedelta(minutes=5)), None),
        (WebhookInfo(URL, False, 0, last_error_date=NOW, last_error_message="x"), None),
        (
            WebhookInfo(URL, False, 2, last_error_date=NOW, last_error_message="Read timeout"),
            "Telegram cannot deliver to the webhook: Read timeout (2 updates waiting)",
        ),
        (WebhookInfo("", False, 0), f"Telegram's webhook is not set, not {URL}"),
        (
            WebhookInfo("https://other.example/x", False, 0),
            f"Telegram's webhook is https://other.example/x, not {URL}",
        ),
    ],
)
def test_what_getwebhookinfo_makes_healthz_say(info: WebhookInfo, problem: str | None) -> None:
    found = delivery_problem(info, URL, NOW.timestamp(), 60.0)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)
