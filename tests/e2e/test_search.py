"""/search through the real bot: words in titles and text, CJK inside runs, paging, scope."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Bots
from tests.e2e.helpers import Feed, Item, button, button_texts, headlines_in, press, say
from tests.e2e.helpers import wait_edited as edited
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

SEARCH = "SEARCH"

CLIP = Item(
    "s-clip",
    title="CLIP, explained simply",
    topics=("ml",),
    text="Contrastive pre-training of images and their captions.",
)
ECLIPSE = Item(
    "s-eclipse",
    title="Watching the eclipse",
    topics=("space",),
    text="Sun and moon line up over the lake.",
)
CJK = Item(
    "s-cjk",
    title="对比学习笔记",
    topics=("ml",),
    text="拉近相似样本，推远不相似样本，这就是对比学习的核心。",
)
MIXED = Item("s-mixed", title="用CLIP做图文检索", topics=("ml",), text="一个最小的检索例子。")
BODY = Item(
    "s-body",
    title="A quiet title",
    topics=("python",),
    text="Only the body names the transformer model and its 100% honest loss_fn.",
)
ALL = [CLIP, ECLIPSE, CJK, MIXED, BODY]


def test_search_finds_words_in_titles_and_text_and_cjk_inside_runs(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(*ALL)
    bot = bots.start(feed)
    chat = api.add_private_chat(1701)
    bot.wait_polls(1)

    found = say(api, chat, "/search clip")
    assert found.plain_text.startswith(f"{SEARCH} · clip")
    assert headlines_in(found, ALL) == [MIXED.headline, CLIP.headline]  # newest first
    assert found.buttons() == [] or "S:" not in str(found.buttons())  # one page: no paging

    assert headlines_in(say(api, chat, "/search TRANSFORMER"), ALL) == [BODY.headline]
    assert headlines_in(say(api, chat, "/search 学习"), ALL) == [CJK.headline]
    assert headlines_in(say(api, chat, "/search 相似样本"), ALL) == [CJK.headline]
    assert headlines_in(say(api, chat, "/search 检索 clip"), ALL) == [MIXED.headline]
    assert headlines_in(say(api, chat, "/search sun moon lake"), ALL) == [ECLIPSE.headline]
    assert "Nothing found for sun mars" in say(api, chat, "/search sun mars").plain_text
    # a word is a word: "clip" is not inside "eclipse", "explain" not inside "explained"
    assert "Nothing found for explain." in say(api, chat, "/search explain").plain_text


def test_search_takes_words_as_text_whatever_they_hold(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(*ALL)
    bot = bots.start(feed)
    chat = api.add_private_chat(1702)
    bot.wait_polls(1)

    assert headlines_in(say(api, chat, "/search 100%"), ALL) == [BODY.headline]
    assert headlines_in(say(api, chat, "/search loss_fn"), ALL) == [BODY.headline]
    for hostile in (
        '"clip" OR "sun"',
        "clip OR sun",
        "NEAR(clip sun)",
        "%%",
        "l_ss",
        "*",
        "clip*",
        "(sun)",
        "\\",
        "'; DROP TABLE entries; --",
    ):
        reply = say(api, chat, f"/search {hostile}").plain_text
        assert reply.startswith("Nothing found for") or "One character" in reply, hostile
    assert "Usage: /search <words>" in say(api, chat, "/search").plain_text
    assert "Usage: /search <words>" in say(api, chat, "/search all").plain_text
    assert "too long" in say(api, chat, "/search " + "长" * 3000).plain_text
    assert "too long" in say(api, chat, "/search " + "a b " * 700).plain_text
    # and nothing was lost on the way: the entries are all still found
    assert headlines_in(say(api, chat, "/search all clip"), ALL) == [MIXED.headline, CLIP.headline]


def test_search_pages_with_buttons_within_the_chats_topics_unless_all(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    many = [
        Item(f"p{n}", title=f"Gradient notes {n}", topics=("ml",) if n % 2 else ("python",))
        for n in range(1, 8)
    ]
    feed.publish(*ALL, *many)
    bot = bots.start(feed, delivery={"page_size": 2})
    chat, other = api.add_private_chat(1703), api.add_private_chat(1704)
    bot.wait_polls(1)
    newest_first = [item.headline for item in reversed(many)]

    page1 = say(api, chat, "/search gradient")
    assert headlines_in(page1, many) == newest_first[0:2]
    assert button_texts(page1) == ["· 1 ·", "2", "3", "4", "›"]
    assert press(api, chat, page1, button(page1, "3")).text == "Page 3"
    page3 = edited(api, page1)
    assert page3.message_id == page1.message_id
    assert headlines_in(page3, many) == newest_first[4:6]
    assert press(api, chat, page3, button(page3, "›")).text == "Page 4"
    assert headlines_in(edited(api, page3), many) == newest_first[6:7]
    # the button belongs to this chat's search: elsewhere, or forged, it has expired
    assert press(api, other, page1, button(page1, "2")).text == "This button has expired."
    assert press(api, chat, page1, "S:999999:1").text == "This button has expired."
    assert press(api, chat, page1, "S:1:100000").text == "This button has expired."

    say(api, chat, "/subscribe python")  # from now on this chat takes python only
    scoped = say(api, chat, "/search gradient")
    assert headlines_in(scoped, many) == [
        i.headline for i in reversed(many) if i.guid in ("p6", "p4")
    ]  # page 1 of p6 p4 p2
    assert (
        "Nothing found for clip in this chat's topics; /search all clip"
        in say(api, chat, "/search clip").plain_text
    )
    everywhere = say(api, chat, "/search all clip")
    assert everywhere.plain_text.startswith(f"{SEARCH} · clip · every topic")
    assert headlines_in(everywhere, ALL) == [MIXED.headline, CLIP.headline]
    assert "/search" in say(api, chat, "/help").plain_text
    assert any(c["command"] == "search" for c in api.commands())
