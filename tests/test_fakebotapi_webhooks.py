"""The fake Bot API's webhooks, driven by python-telegram-bot's own webhook server."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, Conflict
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests.fakebotapi import FakeBotAPI

TOKEN = "123456:TEST-token"
ALICE = 1001
SECRET = "s3cret_-token"


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(TOKEN) as server:
        server.add_private_chat(ALICE, "Alice")
        yield server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_updates_are_posted_with_the_secret_and_getupdates_is_refused(
    api: FakeBotAPI,
) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Subscribed")

    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    app = ApplicationBuilder().token(TOKEN).base_url(api.api_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", webhook_url=url, secret_token=SECRET
        )
        assert api.webhook_info()["url"] == url
        api.user_sends(ALICE, ALICE, "/start")
        replies = await api.wait_messages_async(ALICE, 1, timeout=10)
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await app.bot.get_updates()
        await app.updater.stop()
        await app.stop()
    assert replies[0].plain_text == "Subscribed"
    assert [d.status for d in api.webhook_deliveries()] == [200]
    assert api.pending_updates() == []
    setter = api.calls("setWebhook")[0].params
    assert setter["url"] == url
    assert setter["secret_token"] == SECRET


async def test_a_refused_post_keeps_the_update_for_getupdates_after_deletewebhook(
    api: FakeBotAPI, bot: Bot
) -> None:
    port = free_port()
    app = ApplicationBuilder().token(TOKEN).base_url(api.api_url).build()
    async with app:
        await app.start()
        assert app.updater is not None
        # The server expects SECRET; Telegram is told another secret: every POST is a 403.
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", secret_token=SECRET
        )
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="other")
        sent = api.user_sends(ALICE, ALICE, "/start")
        await api.wait_for_async(
            lambda: len(api.webhook_deliveries()) >= 2, timeout=10, what="retried POSTs"
        )
        await app.updater.stop()
        await app.stop()
    assert {d.status for d in api.webhook_deliveries()} == {403}
    info = api.webhook_info()
    assert info["pending_update_count"] == 1
    assert info["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"
    assert api.messages(ALICE) == []

    assert await bot.delete_webhook()
    assert api.webhook_info()["url"] == ""
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [sent["update_id"]]


async def test_a_webhook_nobody_listens_on_is_retried(api: FakeBotAPI, bot: Bot) -> None:
    await bot.set_webhook(f"http://127.0.0.1:{free_port()}/hook")
    api.user_sends(ALICE, ALICE, "hello")
    await api.wait_for_async(
        lambda: len(api.webhook_deliveries()) >= 2, timeout=10, what="retried POSTs"
    )
    assert {d.status for d in api.webhook_deliveries()} == {None}
    assert api.webhook_info()["last_error_message"] == "Connection refused"
    assert len(api.pending_updates()) == 1


@pytest.mark.parametrize(
    ("url", "secret", "problem"),
    [
        ("http://bot.example.com/hook", None, "An HTTPS URL must be provided"),
        ("https://bot.example.com:9000/hook", None, "only on ports 80, 88, 443 or 8443"),
        ("https://bot.example.com/hook", "not allowed!", "secret token contains unallowed"),
        ("https://bot.example.com/hook", "x" * 257, "secret token contains unallowed"),
    ],
)
async def test_set_webhook_refuses_what_telegram_refuses(
    bot: Bot, api: FakeBotAPI, url: str, secret: str | None, problem: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){problem}"):  # PTB capitalises its own way
        await bot.set_webhook(url, secret_token=secret)
    assert api.webhook_info()["url"] == ""


async def test_an_empty_url_removes_the_webhook(bot: Bot, api: FakeBotAPI) -> None:
    await bot.set_webhook("https://bot.example.com/hook", secret_token=SECRET)
    assert api.webhook_info()["url"] == "https://bot.example.com/hook"
    await bot.set_webhook("")
    assert api.webhook_info()["url"] == ""
    assert await bot.get_updates() == ()
