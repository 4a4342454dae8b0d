"""Outages in the fake Bot API (5xx answers, dropped connections), seen through PTB and
through the bot's own port: each one is a transient outcome, and nothing is delivered."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from telegram import Bot
from telegram.error import NetworkError

from bot.delivery.port import Sent, Transient
from bot.render.message import Rendered
from bot.tg.api import TelegramPort
from tests.fakebotapi import FakeBotAPI

TOKEN = "123456:TEST-token"
ALICE = 1001
BOB = 1002
CHANNEL = -1009001
MESSAGE = Rendered("<b>INCOMING TRANSMISSION</b>")


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(TOKEN) as server:
        server.add_private_chat(ALICE, "Alice")
        server.add_private_chat(BOB, "Bob")
        server.add_channel(CHANNEL, "transmission_chan", "Transmission")
        yield server


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (500, "NetworkError: Internal Server Error"),
        (502, "NetworkError: Bad Gateway"),
        (503, "NetworkError: Service Unavailable"),
    ],
)
async def test_a_5xx_is_transient_and_delivers_nothing(
    api: FakeBotAPI, bot: Bot, status: int, reason: str
) -> None:
    api.fail(status, times=1)
    port = TelegramPort(bot)
    assert await port.send(ALICE, MESSAGE) == Transient(reason)
    assert api.messages(ALICE) == []
    (refused,) = api.rejections()
    assert (refused.chat_id, refused.error_code, refused.ok) == (ALICE, status, False)
    assert isinstance(await port.send(ALICE, MESSAGE), Sent)  # the fault was used up
    assert len(api.messages(ALICE)) == 1


async def test_a_dropped_connection_is_transient_and_delivers_nothing(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.drop_connections(times=2)
    port = TelegramPort(bot)
    for _ in range(2):
        result = await port.send(ALICE, MESSAGE)
        assert isinstance(result, Transient)
        assert result.reason.startswith("NetworkError")
    assert api.messages(ALICE) == []
    assert [(e.error_code, e.description) for e in api.rejections()] == [
        (None, "connection dropped (injected fault)")
    ] * 2
    assert isinstance(await port.send(ALICE, MESSAGE), Sent)


async def test_a_fault_for_one_chat_leaves_the_others_alone(api: FakeBotAPI, bot: Bot) -> None:
    api.fail(502, chat_id=ALICE)
    port = TelegramPort(bot)
    assert isinstance(await port.send(ALICE, MESSAGE), Transient)
    assert isinstance(await port.send(BOB, MESSAGE), Sent)
    assert isinstance(await port.send(ALICE, MESSAGE), Transient)  # until cleared
    api.clear_faults()
    assert isinstance(await port.send(ALICE, MESSAGE), Sent)


async def test_a_channel_fault_matches_its_id_and_its_username(api: FakeBotAPI, bot: Bot) -> None:
    api.fail(502, chat_id="@transmission_chan")
    port = TelegramPort(bot)
    assert isinstance(await port.send(CHANNEL, MESSAGE), Transient)
    assert isinstance(await port.send("@Transmission_Chan", MESSAGE), Transient)
    api.clear_faults()
    api.fail(502, chat_id=CHANNEL)
    assert isinstance(await port.send("@transmission_chan", MESSAGE), Transient)
    assert isinstance(await port.send(ALICE, MESSAGE), Sent)
    assert api.messages(CHANNEL) == []


async def test_a_fault_for_a_span_of_time_covers_every_method(api: FakeBotAPI, bot: Bot) -> None:
    api.fail(503, seconds=0.3)
    with pytest.raises(NetworkError, match="Service Unavailable"):
        await bot.get_me()
    with pytest.raises(NetworkError):
        await bot.get_updates(timeout=0)
    await asyncio.sleep(0.35)
    assert (await bot.get_me()).username == "transmission_test_bot"


async def test_a_fault_can_be_limited_to_some_methods(api: FakeBotAPI, bot: Bot) -> None:
    api.fail(500, methods=["sendMessage"])
    assert (await bot.get_me()).id == 123456
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE, "hi")


def test_faults_are_driven_over_the_control_api_too(api: FakeBotAPI) -> None:
    def post(path: str, body: dict[str, object]) -> dict[str, object]:
        request = urllib.request.Request(
            f"{api.base_url}/_fake/{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                answer: dict[str, object] = json.loads(response.read())
        except urllib.error.HTTPError as refused:  # the control API's 400
            answer = json.loads(refused.read())
        return answer

    assert post("fail", {"status": 502, "times": 1, "methods": ["getMe"]})["ok"] is True
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{api.base_url}/bot{TOKEN}/getMe", timeout=5)
    assert refused.value.code == 502
    assert json.loads(refused.value.read())["description"] == "Bad Gateway"
    assert post("clear_faults", {})["ok"] is True
    assert post("fail", {"status": 404})["ok"] is False  # only 5xx


def test_only_5xx_can_be_injected(api: FakeBotAPI) -> None:
    with pytest.raises(ValueError, match="5xx"):
        api.fail(429)
