"""The fake Bot API's documents, driven by python-telegram-bot: a user's file arrives as an
update, getFile and the download serve its bytes, sendDocument stores what the bot sends."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest

from tests.fakebotapi import FakeBotAPI

TOKEN = "123456:TEST-token"
ALICE = 1001


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(TOKEN) as server:
        server.add_private_chat(ALICE, "Alice")
        yield server


async def test_a_users_document_is_downloaded_through_get_file(bot: Bot, api: FakeBotAPI) -> None:
    api.user_sends_document(ALICE, ALICE, "subs.opml", b"<opml/>", "text/x-opml")
    [update] = await bot.get_updates()
    document = update.message.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "subs.opml",
        "text/x-opml",
        7,
    )
    file = await bot.get_file(document.file_id)
    assert file.file_path is not None
    assert file.file_path.endswith(".opml")
    assert bytes(await file.download_as_bytearray()) == b"<opml/>"
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nonsense")


async def test_send_document_keeps_the_file(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_document(ALICE, b"<opml>x</opml>", filename="out.opml", caption="Hi")
    assert sent.document is not None
    assert sent.document.file_name == "out.opml"
    assert sent.caption == "Hi"
    [stored] = api.messages(ALICE)
    assert stored.document is not None
    assert api.file_bytes(stored.document["file_id"]) == b"<opml>x</opml>"


async def test_a_download_needs_the_token_and_a_known_path(bot: Bot, api: FakeBotAPI) -> None:
    api.user_sends_document(ALICE, ALICE, "a.xml", b"<a/>")
    [update] = await bot.get_updates()
    file = await bot.get_file(update.message.document.file_id)
    url = str(file.file_path)  # PTB makes it the full download URL
    assert url.startswith(f"{api.base_url}/file/bot{TOKEN}/documents/")
    async with httpx.AsyncClient() as client:
        good = await client.get(url)
        wrong = await client.get(url.replace(TOKEN, "654321:WRONG-token"))
        missing = await client.get(f"{api.base_url}/file/bot{TOKEN}/documents/none.xml")
    assert (good.status_code, good.content) == (200, b"<a/>")
    assert [wrong.status_code, missing.status_code] == [401, 404]
