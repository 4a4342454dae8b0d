"""Webhook mode: a real ``feedbot run`` takes updates POSTed by the fake Bot API over real
HTTP; a forged POST (wrong or missing secret) gets 403 and is never handled; removing
``telegram.webhook`` and restarting goes back to long polling, losing nothing queued."""

from __future__ import annotations

import itertools
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.botprocess import BotProcess, free_port, wait_until
from tests.conftest import BACKEND
from tests.e2e.conftest import TOKEN, Bots
from tests.e2e.helpers import LATEST, Feed, Item, copies, items, say, wait_push
from tests.e2e.test_startup_failures import assert_one_line_failure
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

SECRET = "e2e-webhook_Secret-0123456789abcdef"
PATH = "/telegram/updates"


def webhook_section(port: int, secret: str | None = SECRET) -> dict[str, Any]:
    # http to loopback: the fake delivers there as a self-hosted Bot API server would
    hook: dict[str, Any] = {
        "url": f"http://127.0.0.1:{port}{PATH}",
        "listen": "127.0.0.1",
        "port": port,
    }
    if secret is not None:
        hook["secret_token"] = secret
    return hook


def start_in_webhook_mode(
    bots: Bots, feed: Feed, secret: str | None = SECRET, env: dict[str, str] | None = None
) -> BotProcess:
    port = free_port()
    return bots.start(feed, env=env, telegram={"webhook": webhook_section(port, secret)})


def hook_url(bot: BotProcess) -> str:
    return str(bot.config["telegram"]["webhook"]["url"])


def forged_start(chat_id: int, update_id: int) -> dict[str, Any]:
    """A /start update as Telegram would POST it, from someone who is not Telegram."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Mallory"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Mallory"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def post(url: str, body: dict[str, Any], secret: str | None) -> httpx.Response:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return httpx.post(url, json=body, headers=headers, timeout=10)


def test_webhook_mode_answers_commands_pushes_and_stops_cleanly(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(*items("old", 3))
    bot = start_in_webhook_mode(bots, feed)
    url = hook_url(bot)

    info = api.webhook_info()
    assert info["url"] == url
    assert set(info["allowed_updates"]) == {"message", "callback_query", "my_chat_member"}
    setter = api.calls("setWebhook")[-1].params
    assert setter["secret_token"] == SECRET
    assert setter.get("drop_pending_updates") in (None, False)  # pending updates are kept

    reader = api.add_private_chat(601, "Reader")
    assert "Subscribed" in say(api, reader, "/start").plain_text
    bot.wait_polls(1)
    latest = say(api, reader, "/latest")
    assert latest.plain_text.startswith(LATEST)
    assert "Item old3 headline" in latest.plain_text
    fresh = Item("fresh")
    feed.publish(fresh)
    wait_push(api, reader, fresh)  # the sender works beside the webhook server

    assert api.calls("getUpdates") == []  # nothing long-polled
    delivered = api.webhook_deliveries()
    assert len(delivered) >= 2
    assert {d.status for d in delivered} == {200}
    assert httpx.get(f"http://127.0.0.1:{bot.health_port}/healthz", timeout=10).status_code == 200
    log = bot.log_text()
    assert f"running: Telegram webhook {url} served on 127.0.0.1:" in log
    assert SECRET not in log

    assert bot.terminate() == 0
    assert api.webhook_info()["url"] == url  # left set: for other replicas, and the restart


def test_a_post_without_the_right_secret_gets_403_and_is_not_handled(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    bot = start_in_webhook_mode(bots, feed)
    url = hook_url(bot)
    mallory = api.add_private_chat(666, "Mallory")

    wrong = post(url, forged_start(mallory, 900_001), "not-the-secret")
    missing = post(url, forged_start(mallory, 900_002), None)
    assert (wrong.status_code, missing.status_code) == (403, 403)

    # Updates of one chat are handled in order: once Mallory's real /help is answered, a
    # forged /start that had been handled would have been answered before it.
    assert "/latest" in say(api, mallory, "/help").plain_text
    assert not any("Subscribed" in m.plain_text for m in api.messages(mallory))
    assert len(api.messages(mallory)) == 1

    # Bodies are bounded before the secret is looked at: 2 MiB from anyone is refused.
    huge = forged_start(mallory, 900_004)
    huge["message"]["text"] = "/start " + "x" * (2 * 1024 * 1024)
    try:
        refused = post(url, huge, SECRET).status_code
    except httpx.TransportError:  # tornado answers 400 and closes while the body still comes
        refused = None
    assert refused in (400, None)

    # The same body with the right secret is an update like any other (the test is fair).
    assert post(url, forged_start(mallory, 900_003), SECRET).status_code == 200
    api.wait_for(lambda: len(api.messages(mallory)) == 2, 20, "the genuine /start answered")
    assert "Subscribed" in api.messages(mallory)[-1].plain_text
    say(api, mallory, "/help")
    assert len(api.messages(mallory)) == 3  # /help, the genuine /start, /help: nothing else
    assert bot.terminate() == 0


def test_a_secret_left_out_is_derived_and_still_checked(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    # DEBUG: PTB logs each Bot API call with its parameters, setWebhook's secret too
    bot = start_in_webhook_mode(bots, feed, secret=None, env={"FEEDBOT_LOG_LEVEL": "DEBUG"})
    derived = api.calls("setWebhook")[-1].params["secret_token"]
    assert len(derived) == 64
    reader = api.add_private_chat(602, "Reader")
    assert "Subscribed" in say(api, reader, "/start").plain_text
    assert post(hook_url(bot), forged_start(reader, 900_010), None).status_code == 403
    log = bot.log_text()
    assert "setWebhook" in log  # the call was logged ...
    assert derived not in log  # ... without the secret
    assert bot.terminate() == 0


def test_removing_the_webhook_goes_back_to_long_polling_without_losing_updates(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(*items("old", 2))
    bot = start_in_webhook_mode(bots, feed)
    reader = api.add_private_chat(603, "Reader")
    assert "Subscribed" in say(api, reader, "/start").plain_text
    assert bot.terminate() == 0

    # Written while the bot is down: Telegram keeps it for the webhook (which is still set).
    waiting = api.user_sends(reader, reader, "/latest")
    assert api.webhook_info()["url"]
    wait_until(lambda: api.webhook_deliveries()[-1].status is None, 20, "a refused delivery")

    deletes = len(api.calls("deleteWebhook"))
    del bot.config["telegram"]["webhook"]
    bot.start()
    assert len(api.calls("deleteWebhook")) > deletes
    assert api.webhook_info()["url"] == ""
    reply = api.wait_for(
        lambda: next(
            (m for m in api.messages(reader) if m.message_id > waiting["message"]["message_id"]),
            None,
        ),
        20,
        "the /latest sent during the switch answered",
    )
    assert reply.plain_text.startswith(LATEST)
    assert "Item old2 headline" in say(api, reader, "/latest").plain_text
    assert api.calls("getUpdates")  # long polling again
    assert "running: polling Telegram" in bot.run_log()
    assert bot.terminate() == 0


def test_a_webhook_port_already_taken_is_a_one_line_startup_error(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bot = bots.make(bots.config(feed, telegram={"webhook": webhook_section(port)}))
        code = bot.run_to_exit()
    assert_one_line_failure(
        bot, code, "cannot serve the Telegram webhook", str(port), "telegram.webhook.port"
    )


class RoundRobin:
    """A load balancer in front of the replicas' webhook servers: each POST goes to the
    next backend, headers and body untouched, and its answer comes back."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.served = [0] * len(backends)
        self._next = itertools.count()
        balancer = self

        class Forward(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                index = next(balancer._next) % len(balancer.backends)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                try:
                    answer = httpx.post(
                        balancer.backends[index] + PATH, content=body, headers=headers, timeout=10
                    )
                    status, content = answer.status_code, answer.content
                except httpx.TransportError:
                    status, content = 502, b""
                if status == 200:
                    balancer.served[index] += 1
                self.send_response(status)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{PATH}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.skipif(BACKEND != "postgresql", reason="replicas share a PostgreSQL database")
def test_replicas_behind_a_load_balancer_each_take_updates(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(*items("old", 2))
    ports = [free_port(), free_port()]
    balancer = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
    try:
        replicas = []
        for port in ports:
            hook = {**webhook_section(port), "url": balancer.url}
            replicas.append(bots.start(feed, telegram={"webhook": hook}))
        assert api.webhook_info()["url"] == balancer.url

        chats = list(range(701, 711))
        for chat in chats:
            api.add_private_chat(chat, f"Reader {chat}")
            api.user_sends(chat, chat, "/start")
        api.wait_for(lambda: all(api.messages(c) for c in chats), 30, "every /start answered")
        assert all(count > 0 for count in balancer.served), balancer.served  # both took some
        assert sum(balancer.served) == len(chats)

        fresh = Item("fresh")
        feed.publish(fresh)
        for chat in chats:
            wait_push(api, chat, fresh)
        checked = sum(replica.polls() for replica in replicas)
        wait_until(  # later checks of the feed (by either replica) would have re-sent it
            lambda: sum(replica.polls() for replica in replicas) >= checked + 2, 30, "two checks"
        )
        assert [copies(api, chat, fresh) for chat in chats] == [1] * len(chats)
        assert [len(api.messages(chat)) for chat in chats] == [2] * len(chats)
        assert [replica.terminate() for replica in replicas] == [0, 0]
    finally:
        balancer.close()


def test_a_webhook_the_bot_api_refuses_is_a_one_line_startup_error(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    hook = {**webhook_section(free_port()), "url": "http://bot.example.com/telegram"}
    bot = bots.make(bots.config(feed, telegram={"webhook": hook}))
    code = bot.run_to_exit()
    assert_one_line_failure(
        bot,
        code,
        "setWebhook failed for http://bot.example.com/telegram",
        "https url must be provided",
    )


def healthz(bot: BotProcess) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{bot.health_port}/healthz", timeout=10)


def bot_api(api: FakeBotAPI, method: str, **params: object) -> None:
    """A call to the Bot API by someone else than the bot (another deployment, an admin)."""
    answer = httpx.post(f"{api.api_url}{TOKEN}/{method}", json=params, timeout=10)
    assert answer.json()["ok"], answer.text


def test_healthz_fails_while_telegram_cannot_deliver_or_the_webhook_moved(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    bot = start_in_webhook_mode(bots, feed)
    url = hook_url(bot)
    wait_until(lambda: healthz(bot).status_code == 200, 20, "healthy")

    # Telegram told another secret: what a proxy dropping the header looks like, too
    bot_api(api, "setWebhook", url=url, secret_token="not-what-the-bot-expects")
    reader = api.add_private_chat(604, "Reader")
    api.user_sends(reader, reader, "/start")
    down = wait_until(lambda: (r := healthz(bot)).status_code == 503 and r, 45, "unhealthy")
    assert (
        "Telegram cannot deliver to the webhook: Wrong response from the webhook: "
        "403 Forbidden (1 updates waiting)"
    ) in down.text

    bot_api(api, "setWebhook", url=url, secret_token=SECRET)
    assert "Subscribed" in api.wait_messages(reader, 1, timeout=20)[0].plain_text
    wait_until(lambda: healthz(bot).status_code == 200, 45, "healthy again")

    bot_api(api, "deleteWebhook")  # e.g. a process started without telegram.webhook
    moved = wait_until(lambda: (r := healthz(bot)).status_code == 503 and r, 45, "unhealthy")
    assert f"Telegram's webhook is not set, not {url}" in moved.text
    assert bot.terminate() == 0
