"""The fake Bot API, driven by python-telegram-bot itself over real HTTP.

If PTB parses what the fake answers and raises the same exceptions it raises against the
real server, the bot's own tests can trust the fake.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests.fakebotapi import FakeBotAPI, parse_html

TOKEN = "123456:TEST-token"
ALICE = 1001
BOB = 1002
GROUP = -4001
CHANNEL = -1009001


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(TOKEN) as server:
        server.add_private_chat(ALICE, "Alice")
        server.add_group(GROUP, "Readers", admins=[BOB])
        server.add_channel(CHANNEL, "transmission_chan", "Transmission")
        yield server


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(d[:10] or "x", callback_data=d)] for d in data]
    )


# -- the bot and its commands --------------------------------------------------------------


async def test_get_me_is_the_configured_bot(bot: Bot, api: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "transmission_test_bot", True)
    assert [call.method for call in api.calls()] == ["getMe", "getMe"]


async def test_wrong_token_is_invalid(api: FakeBotAPI) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123456:other-token", base_url=api.api_url):
            pass  # initialising calls getMe
    assert api.calls() == []  # refused before any method runs


async def test_unknown_method_is_not_found(bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": ALICE})


async def test_commands_are_validated_and_stored(bot: Bot, api: FakeBotAPI) -> None:
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Latest", "newest entries")])
    with pytest.raises(BadRequest, match="description must be non-empty"):
        await bot.set_my_commands([("latest", " ")])
    assert await bot.set_my_commands([("latest", "newest entries"), ("start", "subscribe")])
    assert [c.command for c in await bot.get_my_commands()] == ["latest", "start"]
    assert api.commands()[0] == {"command": "latest", "description": "newest entries"}
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


# -- HTML and length -----------------------------------------------------------------------


async def test_valid_html_is_delivered_as_the_reader_sees_it(bot: Bot, api: FakeBotAPI) -> None:
    html = (
        '<b>INCOMING</b> <a href="https://example.org/a?x=1&amp;y=2">title</a> &lt;3 '
        "<tg-spoiler>s</tg-spoiler> <blockquote expandable>q</blockquote> "
        '<pre><code class="language-python">x = 1</code></pre> &#128512;'
    )
    sent = await bot.send_message(ALICE, html, parse_mode=ParseMode.HTML)
    assert sent.text == "INCOMING title <3 s q x = 1 😀"
    kinds = {e.type: e for e in sent.entities}
    assert kinds["text_link"].url == "https://example.org/a?x=1&y=2"
    assert kinds["pre"].language == "python"
    assert "expandable_blockquote" in kinds
    stored = api.messages(ALICE)[0]
    assert (stored.text, stored.plain_text, stored.edits) == (html, sent.text, 0)


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("<p>para</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("AT&T", 'Unescaped "&" at byte offset 2'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;" at byte offset 1'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a>no link</a>", 'Tag "a" must have attribute "href" at byte offset 0'),
        ("é<b", "Unclosed start tag at byte offset 2"),
    ],
)
async def test_bad_html_cannot_be_parsed(bot: Bot, api: FakeBotAPI, html: str, reason: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE, html, parse_mode=ParseMode.HTML)
    assert api.messages(ALICE) == []
    assert api.rejections(400)[0].description == f"Bad Request: can't parse entities: {reason}"


def test_lenient_html_keeps_a_bare_ampersand_like_telegram() -> None:
    assert parse_html("AT&T &nbsp;", strict=False).text == "AT&T &nbsp;"


async def test_length_counts_utf16_units_after_parsing(bot: Bot, api: FakeBotAPI) -> None:
    api.set_limits(False)
    await bot.send_message(ALICE, "😀" * 2048)  # 4096 UTF-16 units
    await bot.send_message(ALICE, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(ALICE, "&lt;" * 4096, parse_mode=ParseMode.HTML)
    for too_long in ("😀" * 2048 + "a", "a" * 4097):
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(ALICE, too_long)
    assert len(api.messages(ALICE)) == 3


async def test_text_with_nothing_to_show_is_empty(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(ALICE, "<b> </b>", parse_mode=ParseMode.HTML)


# -- keyboards -----------------------------------------------------------------------------


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, api: FakeBotAPI) -> None:
    api.set_limits(False)
    await bot.send_message(ALICE, "ok", reply_markup=keyboard("p" * 64))
    for too_big in ("p" * 65, "é" * 33):  # 65 and 66 bytes
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(ALICE, "no", reply_markup=keyboard(too_big))
    assert api.messages(ALICE)[0].callback_data() == ["p" * 64]


async def test_button_urls_must_be_web_or_tg_links(bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", url="javascript:alert(1)")]])
    with pytest.raises(BadRequest, match="Button_url_invalid"):
        await bot.send_message(ALICE, "no", reply_markup=markup)


async def test_keyboards_hold_at_most_100_buttons(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Reply_markup_too_long"):
        await bot.send_message(ALICE, "no", reply_markup=keyboard(*map(str, range(101))))


# -- edits ---------------------------------------------------------------------------------


async def test_identical_edit_is_not_modified(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_message(ALICE, "<b>page 1</b>", "HTML", reply_markup=keyboard("2"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>page 1</b>", ALICE, sent.message_id, parse_mode="HTML", reply_markup=keyboard("2")
        )
    await bot.edit_message_text("<b>page 2</b>", ALICE, sent.message_id, parse_mode="HTML")
    edited = api.messages(ALICE)[0]
    assert (edited.plain_text, edited.edits, edited.reply_markup) == ("page 2", 1, None)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ALICE, 999)


# -- flood control -------------------------------------------------------------------------


async def test_quick_messages_to_one_chat_get_retry_after(bot: Bot, api: FakeBotAPI) -> None:
    await bot.send_message(ALICE, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALICE, "two")
    assert isinstance(caught.value.retry_after, dtm.timedelta)
    assert caught.value.retry_after >= dtm.timedelta(seconds=1)
    with pytest.raises(RetryAfter):
        await bot.send_message(ALICE, "three")
    assert [m.plain_text for m in api.messages(ALICE)] == ["one"]
    refusals = api.rejections(429)
    assert len(refusals) == 2
    assert refusals[0].description == "Too Many Requests: retry after 1"
    assert refusals[0].retry_after == 1


async def test_groups_are_limited_per_minute(bot: Bot, api: FakeBotAPI) -> None:
    api.set_limits(True, per_chat_per_second=100, group_per_minute=2)
    await bot.send_message(GROUP, "1")
    await bot.send_message(GROUP, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "3")
    assert isinstance(caught.value.retry_after, dtm.timedelta)
    assert caught.value.retry_after > dtm.timedelta(seconds=50)
    await bot.send_message(ALICE, "private chats are not limited per minute")


# -- chats ---------------------------------------------------------------------------------


async def test_blocked_and_kicked_chats_are_forbidden(bot: Bot, api: FakeBotAPI) -> None:
    api.block_chat(ALICE)
    api.block_chat(GROUP)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ALICE, "hello?")
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the group chat"):
        await bot.send_message(GROUP, "hello?")
    kinds = [next(k for k in u if k != "update_id") for u in api.pending_updates()]
    assert kinds == ["my_chat_member", "my_chat_member"]


async def test_migrated_group_points_to_the_supergroup(bot: Bot, api: FakeBotAPI) -> None:
    api.migrate_group(GROUP, -1004001)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(GROUP, "hello")
    assert caught.value.new_chat_id == -1004001
    old_side, new_side = (update.message for update in await bot.get_updates())
    assert old_side is not None
    assert old_side.migrate_to_chat_id == -1004001
    assert new_side is not None
    assert new_side.migrate_from_chat_id == GROUP
    await bot.send_message(-1004001, "hello supergroup")


async def test_chats_resolve_by_username_and_know_their_members(bot: Bot) -> None:
    channel = await bot.get_chat("@transmission_chan")
    assert (channel.id, channel.type) == (CHANNEL, "channel")
    assert (await bot.get_chat_member(GROUP, BOB)).status == "creator"
    assert (await bot.get_chat_member(GROUP, ALICE)).status == "left"
    assert (await bot.get_chat_member(CHANNEL, 123456)).status == "administrator"
    admins = await bot.get_chat_administrators(GROUP)
    assert [a.user.id for a in admins] == [BOB]
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat("@nobody_here")


# -- updates -------------------------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_a_user_writes(bot: Bot, api: FakeBotAPI) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for_async(lambda: api.waiting_polls or None, what="the poll")
    api.user_sends(GROUP, ALICE, "/latest@transmission_test_bot python")
    updates = await poll
    assert time.monotonic() - started < 2
    message = updates[0].message
    assert message is not None
    assert message.from_user is not None
    assert message.text == "/latest@transmission_test_bot python"
    assert (message.entities[0].type, message.entities[0].offset) == ("bot_command", 0)
    assert message.entities[0].length == len("/latest@transmission_test_bot")
    assert message.from_user.id == ALICE
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert api.pending_updates() == []


async def test_updates_honour_offset_limit_and_allowed_updates(bot: Bot, api: FakeBotAPI) -> None:
    for text in ("/start", "/help", "/latest"):
        api.user_sends(ALICE, ALICE, text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["/start", "/help"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["/latest"]
    await bot.get_updates(offset=rest[-1].update_id + 1, allowed_updates=["callback_query"])
    api.user_sends(ALICE, ALICE, "dropped: not an allowed update")
    query_id = api.user_presses(ALICE, ALICE, 1, "kept")
    (only,) = await bot.get_updates(timeout=1)
    assert only.callback_query is not None
    assert only.callback_query.id == query_id


async def test_a_second_poller_ends_the_first_with_conflict(bot: Bot, api: FakeBotAPI) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for_async(lambda: api.waiting_polls or None, what="the first poll")
    async with Bot(TOKEN, base_url=api.api_url) as second:
        assert await second.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_button_press_reaches_the_bot_and_is_answered_once(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_message(ALICE, "page 1", reply_markup=keyboard("page:2"))
    query_id = api.user_presses(ALICE, ALICE, sent.message_id, "page:2")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    assert (query.id, query.data, query.message.message_id) == (query_id, "page:2", 1)
    assert query.message.reply_markup == keyboard("page:2")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await query.answer("x" * 201)
    assert await query.answer("Page 2")
    assert (await api.wait_answer_async(query_id)).text == "Page 2"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    calls = api.calls("answerCallbackQuery")
    assert [(c.params["callback_query_id"], c.ok) for c in calls] == [
        (query_id, False),  # 201 characters: refused before the query was used up
        (query_id, True),
        (query_id, False),  # answered twice
    ]


async def test_late_answers_are_too_old() -> None:
    with FakeBotAPI(TOKEN, callback_ttl=0.05) as api:
        api.add_private_chat(ALICE)
        query_id = api.user_presses(ALICE, ALICE, 77, "forged")
        await asyncio.sleep(0.1)
        async with Bot(TOKEN, base_url=api.api_url) as bot:
            (update,) = await bot.get_updates()
            assert update.callback_query is not None
            assert update.callback_query.message is not None
            assert update.callback_query.message.is_accessible is False
            with pytest.raises(BadRequest, match="Query is too old"):
                await bot.answer_callback_query(query_id)


async def test_ptb_application_answers_start_in_a_group(api: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Subscribed")

    app = ApplicationBuilder().token(TOKEN).base_url(api.api_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=dtm.timedelta(seconds=2))
        api.user_sends(GROUP, BOB, "/start@transmission_test_bot")
        replies = await api.wait_messages_async(GROUP, 1, timeout=10)
        await app.updater.stop()
        await app.stop()
    assert replies[0].plain_text == "Subscribed"
    assert api.pending_updates() == []
    assert api.internal_errors == []


# -- other clients -------------------------------------------------------------------------


def post_json(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_json_clients_and_sync_waits(api: FakeBotAPI) -> None:
    url = f"{api.api_url}{TOKEN}/sendMessage"
    status, body = post_json(url, {"chat_id": ALICE, "text": "<i>hi</i>", "parse_mode": "HTML"})
    assert (status, body["result"]["entities"][0]["type"]) == (200, "italic")
    assert api.wait_messages(ALICE, 1, timeout=2)[0].plain_text == "hi"
    status, body = post_json(url, {"chat_id": "@nobody", "text": "x"})
    assert (status, body) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
    )
    status, body = post_json(f"{api.base_url}/file/bot{TOKEN}/photos/1.jpg", {})
    assert (status, body["description"]) == (404, "Not Found")


def test_standalone_server_is_driven_through_its_control_api() -> None:
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "tests.fakebotapi", "--port", "0", "--no-limits"]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            base = process.stdout.readline().strip()
            assert base.startswith("http://127.0.0.1:")
            assert post_json(f"{base}/_fake/private_chat", {"user_id": ALICE})[0] == 200
            _, sent = post_json(f"{base}/_fake/user_sends", {"chat_id": ALICE, "user_id": ALICE,
                                                             "text": "/start"})  # fmt: skip
            _, polled = post_json(f"{base}/bot{TOKEN}/getUpdates", {"timeout": 1})
            assert polled["result"] == [sent["result"]]
        finally:
            process.terminate()
            assert process.wait(timeout=10) == 0


async def test_sends_are_counted_per_second_across_clients_and_edits_are_not(
    bot: Bot, api: FakeBotAPI
) -> None:
    start = time.time()
    first = await bot.send_message(ALICE, "one")
    async with Bot(TOKEN, base_url=api.api_url) as other:  # a second process, same token
        await other.send_message(GROUP, "two")
    await bot.edit_message_text("one, edited", chat_id=ALICE, message_id=first.message_id)
    counts = api.sends_per_second(since=start)
    assert sum(counts.values()) == 2
    assert all(int(start) <= second <= int(time.time()) for second in counts)
    assert api.most_sends_in_a_second(since=start) == max(counts.values())
    assert api.most_sends_in_a_second(since=time.time() + 60) == 0
    assert api.most_sends_in_a_window(60.0, since=start) == 2  # both, in any minute
    assert api.most_sends_in_a_window(0.0, since=start) == 0  # nothing fits in no time
    assert 1 <= api.most_sends_in_a_window(since=start) <= 2
