"""Each chat shapes what it gets: its language, time zone, sound, summary length and link
preview, set with /settings, kept across restarts; menus per language and scope."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.e2e.conftest import ADMIN, Bots
from tests.e2e.helpers import Feed, Item, button, press, say, transmissions, wait_edited, wait_push
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

#: 23:30 UTC on 30 November is 07:30 on 1 December in Shanghai
LATE_EVENING = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def _send_params(api: FakeBotAPI, chat: int, text: str) -> dict[str, object]:
    """The parameters of the accepted sendMessage to ``chat`` whose text holds ``text``."""
    for call in reversed(api.calls("sendMessage")):
        to_chat = call.params.get("chat_id") in (chat, str(chat))
        if call.ok and to_chat and text in str(call.params.get("text", "")):
            return call.params
    raise AssertionError(f"no sendMessage to {chat} with {text!r}")


def test_a_chinese_user_reads_chinese_switches_and_keeps_settings_across_a_restart(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    chat = api.add_private_chat(1501, "李雷", language_code="zh-hans")

    assert "已订阅" in say(api, chat, "/start").plain_text
    refused = say(api, chat, "/settings lang klingon").plain_text
    assert "klingon" in refused
    assert "zh-hant" in refused
    assert "/settings lang" in refused  # what /settings takes
    assert "时区" in say(api, chat, "/settings tz Mars/Olympus").plain_text  # still zh_Hans

    menu = say(api, chat, "/settings")
    assert "语言：简体中文" in menu.plain_text
    assert "时区：UTC" in menu.plain_text
    answer = press(api, chat, menu, button(menu, "繁體中文"))
    assert answer.text == "已儲存。"
    assert "語言：繁體中文" in wait_edited(api, menu).plain_text

    saved = say(api, chat, "/settings tz Asia/Shanghai").plain_text
    assert "時區：Asia/Shanghai" in saved
    assert "已儲存" in saved
    say(api, chat, "/settings sound off")
    say(api, chat, "/settings length short")
    bot.wait_polls(1)

    evening = Item("evening", title="晚上发的文章", text="长" * 400, published=LATE_EVENING)
    feed.publish(evening)
    push = wait_push(api, chat, evening)
    assert "2026-12-01" in push.plain_text
    assert "2026-11-30" not in push.plain_text
    assert "长" * 150 + "..." in push.plain_text  # short: 150 characters
    assert "长" * 151 not in push.plain_text
    assert "開啟 ↗" in [str(b["text"]) for b in push.buttons()]
    assert _send_params(api, chat, "晚上发的文章").get("disable_notification") in (True, "true")

    assert bot.terminate() == 0
    bot.start()
    assert "機器人" in say(api, chat, "/help").plain_text
    after = say(api, chat, "/settings").plain_text
    assert "時區：Asia/Shanghai" in after
    assert "聲音：關" in after
    assert "摘要長度：短（150 字）" in after

    say(api, chat, "/settings lang en")
    assert "Subscribed" in say(api, chat, "/start").plain_text


def test_menus_and_descriptions_are_registered_per_language_and_scope(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    api.add_private_chat(ADMIN, "Admin")
    bots.start(feed)

    def names(scope: str, language: str = "", **extra: object) -> dict[str, str]:
        listed = api.commands({"type": scope, **extra}, language)
        return {c["command"]: c["description"] for c in listed}

    api.wait_for(
        lambda: api.description("short_description", "zh") is not None, 20, "the zh description"
    )
    private, private_zh = names("all_private_chats"), names("all_private_chats", "zh")
    assert {"start", "settings", "latest"} <= set(private)
    assert "stats" not in private
    assert private_zh["start"] == "订阅本聊天（默认所有话题，已选过的保留）"
    assert private_zh["sources"] == "本机器人关注的订阅源"
    assert "claim" not in private  # the bot has an admin: nothing to claim
    members = names("all_group_chats", "zh")
    assert set(members) == {"latest", "next", "search", "topics", "sources", "help"}
    assert {"start", "subscribe", "settings"} <= set(names("all_chat_administrators"))
    admin = names("chat", "zh", chat_id=ADMIN)
    assert {"stats", "feeds", "add", "remove", "pause", "resume", "export", "start"} <= set(admin)
    assert admin["add"].startswith("关注一个订阅源")
    assert "INCOMING TRANSMISSION" in (api.description("description", "zh") or "")
    assert "Transmission" in (api.description("description") or "")


def test_group_settings_are_for_its_admins_and_a_channels_for_bot_admins(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    bots.start(feed, telegram={"channels": [{"chat": "@news_channel"}]})
    group = api.add_group(-1601, "读书会", admins=[1601])
    owner, member = 1601, 1602
    refused = say(api, group, "/settings sound off", user=member).plain_text
    assert refused == "Only group admins can change this group's settings."
    assert "Sound: on" in say(api, group, "/settings", user=member).plain_text
    assert (
        "已儲存" in say(api, group, "/settings lang zh-hant", user=owner).plain_text
    )  # now in 繁體
    assert "聲音：開" in say(api, group, "/settings", user=member).plain_text

    reader = api.add_private_chat(1603)
    assert "bot's admins" in say(api, reader, "/settings @news_channel lang zh-hans").plain_text
    admin = api.add_private_chat(ADMIN, "Admin")
    unknown = say(api, admin, "/settings @nobody_here lang zh-hans").plain_text
    assert "I know no channel @nobody_here" in unknown
    changed = say(api, admin, "/settings @news_channel digest hourly").plain_text
    assert "Settings of @news_channel" in changed
    assert "Pushes: an hourly digest" in changed


def test_keyword_filters_include_and_exclude_what_is_pushed(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    chat = api.add_private_chat(1901)
    say(api, chat, "/start")
    assert "No filters" in say(api, chat, "/filter").plain_text
    assert "Filter added: +llm" in say(api, chat, "/filter +llm").plain_text
    assert "Filter added: -/crypto|nft/" in say(api, chat, "/filter -/crypto|nft/").plain_text
    bad = say(api, chat, "/filter +/(unclosed/").plain_text
    assert "is not a filter I can use (RE2 cannot compile it" in bad
    assert "+llm\n-/crypto|nft/" in say(api, chat, "/filter").plain_text
    say(api, chat, "/settings preview on")
    bot.wait_polls(1)

    wanted = Item("f-wanted", title="A new LLM for code")
    unwanted = Item("f-unwanted", title="LLM tokens and NFT drops")
    other = Item("f-other", title="Rust 2.0 released")
    feed.publish(wanted, unwanted, other)
    push = wait_push(api, chat, wanted)
    bot.wait_polls(bot.polls() + 2)
    shown = " ".join(m.plain_text for m in transmissions(api, chat))
    assert unwanted.headline not in shown
    assert other.headline not in shown
    preview = _send_params(api, chat, wanted.headline).get("link_preview_options")
    assert isinstance(preview, dict)
    assert preview.get("url") == wanted.link  # a single-entry push shows its link's preview
    links = [str(b["text"]) for b in push.buttons() if "↗" in str(b["text"])]
    assert links == ["Open ↗"]  # one entry: its link alone (beside its action buttons)

    assert "cleared" in say(api, chat, "/filter clear").plain_text
    later = Item("f-later", title="Rust 2.1 released")
    feed.publish(later)
    wait_push(api, chat, later)
