"""What commands and buttons do, without Telegram: the topic rules (pure) and the commands on
a real database (marked ``store``: also run against PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime, timedelta

import pytest

from bot.chat.choices import (
    MAX_CHAT_TOPICS,
    closest_topics,
    drop_topic,
    follow_topic,
    keep_or_everything,
    toggle_topic,
)
from bot.chat.commands import ChatContext, Commands, read_press
from bot.chat.pauses import STOPPED, resumes_on_return
from bot.domain import ChatInfo, TopicChoice
from bot.render import callbacks
from bot.render.choice_text import following, toggled
from bot.render.i18n import EN
from bot.render.message import MESSAGE_LIMIT, ButtonReply, Rendered
from bot.render.plain import visible_length, visible_text
from bot.render.strings import commands as command_strings
from bot.store import Store
from bot.store.chats import MIGRATED_TO, REMOVED_FROM_CONFIG
from tests.factories import parsed
from tests.test_store import add_feed, record

EXPIRED = EN(command_strings.EXPIRED)

EVERYTHING = TopicChoice(everything=True)


def only(*names: str) -> TopicChoice:
    return TopicChoice(everything=False, only=frozenset(names))


def skipping(*names: str) -> TopicChoice:
    return TopicChoice(everything=True, excluded=frozenset(names))


# ----------------------------------------------------------------------------- pure rules


def test_subscribe_narrows_everything_to_one_topic_then_adds_up_to_the_limit() -> None:
    assert follow_topic(EVERYTHING, "ml") == only("ml")
    assert follow_topic(skipping("rust"), "ml") == only("ml")
    assert follow_topic(only("ml"), "python") == only("ml", "python")
    assert follow_topic(only("ml"), "ml") == only("ml")
    full = only(*(f"t{n}" for n in range(MAX_CHAT_TOPICS)))
    assert follow_topic(full, "one more") is None
    assert follow_topic(full, "t0") == full  # already followed: no refusal


def test_unsubscribe_from_everything_skips_the_topic_and_keeps_the_rest() -> None:
    assert drop_topic(EVERYTHING, "ml") == skipping("ml")
    assert drop_topic(skipping("ml"), "rust") == skipping("ml", "rust")
    assert drop_topic(skipping("ml"), "ml") == skipping("ml")
    assert drop_topic(only("ml", "python"), "ml") == only("python")
    assert drop_topic(only("python"), "ml") == only("python")
    full = skipping(*(f"t{n}" for n in range(MAX_CHAT_TOPICS)))
    assert drop_topic(full, "one more") is None


def test_topic_buttons_toggle_and_say_what_they_did() -> None:
    cases = [
        (EVERYTHING, "ml", only("ml"), "Following only ml"),
        (skipping("ml", "rust"), "ml", skipping("rust"), "Taking ml again"),
        (skipping("rust"), "ml", only("ml"), "Following only ml"),
        (only("ml"), "python", only("ml", "python"), "Following python"),
        (only("ml", "python"), "ml", only("python"), "Dropped ml"),
    ]
    for before, topic, after, answer in cases:
        assert toggle_topic(before, topic) == after
        assert toggled(before, after, topic, EN) == answer
    assert toggle_topic(only(*(f"t{n}" for n in range(MAX_CHAT_TOPICS))), "x") is None


def test_following_says_what_arrives_in_bounded_words() -> None:
    assert following(EVERYTHING, EN) == "every topic"
    assert following(skipping("rust", "ml"), EN) == "everything except: ml, rust"
    assert following(only("python", "ml"), EN) == "ml, python"
    assert following(only(), EN) == "no topics"
    many = only(*(f"{n:02d}" + "长" * 46 for n in range(95)))
    text = following(many, EN, 300)
    assert len(text) <= 300
    assert text.startswith("00" + "长" * 46 + ", 01")
    assert text.endswith(" more")
    assert "… and " in text


def chat_info(*, active: bool, reason: str | None) -> ChatInfo:
    return ChatInfo(
        id=1,
        tg_chat_id=5,
        channel_ref=None,
        kind="private",
        title="t",
        active=active,
        all_topics=True,
        topics=(),
        cursor_topic=None,
        cursor_page=0,
        inactive_reason=reason,
    )


@pytest.mark.parametrize(
    ("active", "reason", "resumes"),
    [
        (False, "bot kicked by 7", True),
        (False, "Forbidden: bot was blocked by the user", True),
        (False, "bot left by 7", True),
        (False, None, False),  # never subscribed
        (False, STOPPED, False),
        (False, REMOVED_FROM_CONFIG, False),
        (False, f"{MIGRATED_TO}-1001", False),
        (True, None, False),
    ],
)
def test_pushes_resume_when_the_bot_returns_only_after_a_removal(
    active: bool, reason: str | None, resumes: bool
) -> None:
    assert resumes_on_return(chat_info(active=active, reason=reason)) is resumes


# ----------------------------------------------------------------------------- on a database


def fits_telegram(rendered: Rendered) -> bool:
    buttons = [b for row in rendered.keyboard for b in row]
    return (
        visible_length(rendered.html) <= MESSAGE_LIMIT
        and len(buttons) <= 100
        and all(len((b.callback or "").encode()) <= callbacks.MAX_BYTES for b in buttons)
    )


def press(commands: Commands, ctx: ChatContext, action: callbacks.Action) -> Awaitable[ButtonReply]:
    return commands.button(ctx, read_press(callbacks.encode(action)), may_change=True)


#: topics the config names, so that /subscribe knows them before any entry carries them
CONFIG_TOPICS = (*(f"t{n}" for n in range(MAX_CHAT_TOPICS)), "ml", "extra", "one more")


@pytest.fixture
def commands(store: Store, now: datetime) -> Commands:
    return Commands(
        store,
        page_size=2,
        summary_length=100,
        admins=frozenset(),
        config_topics=CONFIG_TOPICS,
        clock=lambda: now,
    )


PRIVATE = ChatContext(tg_chat_id=42, kind="private", title="Reader")


@pytest.mark.store
async def test_concurrent_topic_changes_of_one_chat_are_all_kept(
    commands: Commands, store: Store
) -> None:
    await commands.start(PRIVATE)
    await commands.subscribe(PRIVATE, "t0")
    await asyncio.gather(*(commands.subscribe(PRIVATE, f"t{n}") for n in range(1, 12)))
    chat = await store.chat(PRIVATE.tg_chat_id)
    assert chat is not None
    assert chat.topics == tuple(sorted(f"t{n}" for n in range(12)))

    await asyncio.gather(*(commands.unsubscribe(PRIVATE, f"t{n}") for n in range(0, 12, 2)))
    chat = await store.chat(PRIVATE.tg_chat_id)
    assert chat is not None
    assert chat.topics == tuple(sorted(f"t{n}" for n in range(1, 12, 2)))

    ids = await store.topic_ids([f"t{n}" for n in range(12)])
    await asyncio.gather(
        *(press(commands, PRIVATE, callbacks.ToggleTopic(ids[f"t{n}"])) for n in range(12))
    )
    chat = await store.chat(PRIVATE.tg_chat_id)
    assert chat is not None
    assert chat.topics == tuple(sorted(f"t{n}" for n in range(0, 12, 2)))


@pytest.mark.store
async def test_everything_except_a_topic_takes_untagged_entries_and_new_topics(
    commands: Commands, store: Store, now: datetime
) -> None:
    feed_id = await add_feed(store, now)
    await commands.start(PRIVATE)
    reply = await commands.unsubscribe(PRIVATE, "ml")
    assert "This chat receives everything except: ml." in visible_text(reply.html)
    assert "skips ml" in (await commands.unsubscribe(PRIVATE, "ML")).html

    await store.record_poll(
        record(
            feed_id,
            now,
            [
                (parsed("untagged", published=now - timedelta(hours=4)), ()),
                (parsed("ml", published=now - timedelta(hours=3)), ("ml",)),
                (parsed("ml-and-rust", published=now - timedelta(hours=2)), ("ml", "rust")),
                (parsed("brand-new-topic", published=now - timedelta(hours=1)), ("zig",)),
            ],
        )
    )
    (delivery,) = await store.claim_deliveries(now, timedelta(1), max_chats=5, per_chat=10)
    assert sorted(e.title for e in delivery.entries) == ["Title brand-new-topic", "Title untagged"]

    page = visible_text((await commands.latest(PRIVATE, "")).html)
    assert page.startswith("LATEST UPDATES · everything except: ml")
    assert "Title brand-new-topic" in page
    assert "Title ml" not in page
    menu = await commands.topics_menu(PRIVATE)
    assert "Following: everything except: ml." in visible_text(menu.html)
    labels = [b.text for row in menu.keyboard for b in row]
    assert "▫️ Everything" in labels
    assert "🚫 ml" in labels


@pytest.mark.store
async def test_every_reply_fits_telegram_however_many_long_topics_a_chat_has(
    commands: Commands, store: Store, now: datetime
) -> None:
    names = [f"{n:02d}" + "长" * 40 + "👩‍👩‍👧" for n in range(95)]
    feed_id = await add_feed(store, now)
    await store.record_poll(
        record(feed_id, now, [(parsed(f"e{n}"), (name,)) for n, name in enumerate(names)])
    )
    # a chat from before the limit, or a configured channel, may follow more than the limit
    chat = await store.ensure_chat(PRIVATE.tg_chat_id, "private", "Reader", now)
    await store.set_topics(chat.id, all_topics=False, names=names, now=now)

    replies = [
        await commands.subscribe(PRIVATE, "one more"),
        await commands.subscribe(PRIVATE, names[0]),
        await commands.unsubscribe(PRIVATE, names[1]),
        await commands.latest(PRIVATE, ""),
        await commands.next_page(PRIVATE),
        await commands.topics_menu(PRIVATE),
    ]
    assert "the most it can" in replies[0].html
    for reply in replies:
        assert fits_telegram(reply), visible_text(reply.html)[:200]
    assert " more" in visible_text(replies[3].html).split("\n")[0]

    menu = replies[-1]
    seen: set[str] = set()
    page = 1
    while True:  # every topic is reachable through the menu's pages
        seen |= {b.text for row in menu.keyboard for b in row if b.text.startswith("✅")}
        forward = [b for row in menu.keyboard for b in row if b.text == "›"]
        if not forward:
            break
        page += 1
        reply = await press(commands, PRIVATE, callbacks.decode(forward[0].callback))  # type: ignore[arg-type]
        assert reply.answer == f"Page {page}"
        assert reply.edit is not None
        assert fits_telegram(reply.edit)
        menu = reply.edit
    assert len(seen) == 94  # names[1] was dropped
    assert (await press(commands, PRIVATE, callbacks.TopicsPage(page + 1))).answer == EXPIRED

    # toggling on a later page shows that page again
    ids = await store.topic_ids([names[60]])
    toggled_reply = await press(commands, PRIVATE, callbacks.ToggleTopic(ids[names[60]], 4))
    assert toggled_reply.answer.startswith("Dropped 60")
    assert toggled_reply.edit is not None
    assert "Page 4 of" in visible_text(toggled_reply.edit.html)


@pytest.mark.store
async def test_a_chat_at_the_limit_is_told_and_keeps_its_topics(
    commands: Commands, store: Store
) -> None:
    for n in range(MAX_CHAT_TOPICS):
        await commands.subscribe(PRIVATE, f"t{n}")
    reply = visible_text((await commands.subscribe(PRIVATE, "extra")).html)
    assert f"already follows {MAX_CHAT_TOPICS} topics" in reply
    chat = await store.chat(PRIVATE.tg_chat_id)
    assert chat is not None
    assert len(chat.topics) == MAX_CHAT_TOPICS
    assert "extra" not in chat.topics


@pytest.mark.store
async def test_a_page_button_past_the_last_page_changes_nothing(
    commands: Commands, store: Store, now: datetime
) -> None:
    feed_id = await add_feed(store, now)
    await store.record_poll(record(feed_id, now, [(parsed(f"e{n}"), ()) for n in range(3)]))
    await commands.latest(PRIVATE, "")
    for page in (3, 5, 99_999):
        reply = await press(commands, PRIVATE, callbacks.LatestPage(None, page))
        assert reply == ButtonReply(answer=EXPIRED)
    chat = await store.chat(PRIVATE.tg_chat_id)
    assert chat is not None
    assert chat.cursor_page == 1  # /next still continues from page 1
    assert (await press(commands, PRIVATE, callbacks.LatestPage(None, 2))).answer == "Page 2"


@pytest.mark.store
async def test_pushes_resume_when_the_bot_is_back_unless_the_chat_stopped_them(
    commands: Commands, store: Store
) -> None:
    stopped = ChatContext(tg_chat_id=43, kind="group", title="Stopped")
    for ctx in (PRIVATE, stopped):
        await commands.start(ctx)
    await commands.subscribe(PRIVATE, "ml")
    await commands.stop(stopped)
    for ctx in (PRIVATE, stopped):
        await commands.bot_removed(ctx.tg_chat_id, "bot kicked by 7")
    assert not (await store.chat(PRIVATE.tg_chat_id)).active  # type: ignore[union-attr]

    assert await commands.bot_returned(PRIVATE.tg_chat_id)
    assert not await commands.bot_returned(stopped.tg_chat_id)
    assert not await commands.bot_returned(999)  # never seen
    back = await store.chat(PRIVATE.tg_chat_id)
    assert back is not None
    assert back.active
    assert back.topics == ("ml",)  # as it was
    assert not (await store.chat(stopped.tg_chat_id)).active  # type: ignore[union-attr]


@pytest.mark.store
async def test_subscribing_to_an_unknown_topic_subscribes_to_nothing_and_offers_the_closest(
    store: Store, now: datetime
) -> None:
    commands = Commands(
        store,
        page_size=2,
        summary_length=100,
        admins=frozenset(),
        config_topics=("Post-training",),
        clock=lambda: now,
    )
    feed_id = await add_feed(store, now)
    await store.record_poll(
        record(feed_id, now, [(parsed("py", published=now), ("Python", "machine learning"))])
    )
    known = visible_text((await commands.subscribe(PRIVATE, "PYTHON")).html)
    assert known == "Subscribed to Python. This chat receives: Python."  # the stored spelling
    config = visible_text((await commands.subscribe(PRIVATE, "post training")).html)
    assert config.startswith("Subscribed to Post-training.")  # no entry yet: the config's

    typo = await commands.subscribe(PRIVATE, "pyton")
    assert visible_text(typo.html) == (
        "No entry or config has the topic pyton, so this chat was not subscribed to it. "
        "The closest topics are below: tap one to subscribe to it."
    )
    assert [b.text for row in typo.keyboard for b in row] == ["➕ Python"]
    chat = await store.chat(PRIVATE.tg_chat_id)
    assert chat is not None
    assert chat.topics == ("Post-training", "Python")  # nothing added for pyton
    far = visible_text((await commands.subscribe(PRIVATE, "zzz")).html)
    assert far.endswith("/topics lists the topics in use.")
    assert (await commands.subscribe(PRIVATE, "zzz")).keyboard == ()

    other = ChatContext(tg_chat_id=44, kind="private", title="Other")
    offer = await commands.subscribe(other, "learning")
    (button,) = [b for row in offer.keyboard for b in row]
    assert button.text == "➕ machine learning"
    pressed = await press(commands, other, read_press(button.callback))  # type: ignore[arg-type]
    assert pressed.answer == "Following machine learning"
    assert pressed.edit is not None
    assert visible_text(pressed.edit.html).startswith("Subscribed to machine learning.")
    assert pressed.edit.keyboard == ()
    assert (await store.chat(other.tg_chat_id)).topics == ("machine learning",)  # type: ignore[union-attr]
    stale = await press(commands, other, callbacks.FollowTopic(10**9))
    assert stale.answer == EXPIRED


def test_closest_topics_contain_it_or_are_spelled_near_it() -> None:
    known = ["machine learning", "python", "rust", "learning"]
    assert closest_topics("pyton", known) == ["python"]
    assert closest_topics("learning", known) == ["machine learning"]  # never itself
    assert closest_topics("zzz", known) == []
    # compared by key: another spelling of a known topic is no suggestion of itself
    assert closest_topics("Rust-lang", ["rust lang", "RUST", "go"]) == ["RUST"]


@pytest.mark.store
async def test_topics_menu_lists_config_topics_first_then_the_most_used(
    store: Store, now: datetime
) -> None:
    feed_id = await add_feed(store, now)
    await store.record_poll(
        record(
            feed_id,
            now,
            [
                (parsed("a", published=now), ("zeta", "common")),
                (parsed("b", published=now), ("common", "alpha")),
                (parsed("c", published=now), ("common", "admins-topic")),
            ],
        )
    )
    commands = Commands(
        store,
        page_size=2,
        summary_length=100,
        admins=frozenset(),
        config_topics=("admins-topic",),
        clock=lambda: now,
    )
    menu = await commands.topics_menu(PRIVATE)
    names = [b.text.split(" ", 1)[1] for row in menu.keyboard[1:] for b in row]
    assert names[:2] == ["admins-topic", "common"]
    assert set(names[2:]) == {"alpha", "zeta"}


@pytest.mark.store
async def test_start_keeps_a_chosen_subscription_and_unsubscribe_says_when_pushes_are_off(
    commands: Commands, store: Store
) -> None:
    never = ChatContext(tg_chat_id=43, kind="private", title="Newcomer")
    off = visible_text((await commands.unsubscribe(never, "ml")).html)
    assert "Pushes are off in this chat" in off
    assert "everything except: ml" in off
    started = visible_text((await commands.start(never)).html)
    assert "This chat receives everything except: ml." in started  # not reset to everything

    await commands.stop(never)
    again = visible_text((await commands.start(never)).html)
    assert "everything except: ml" in again
    assert keep_or_everything(only()) == EVERYTHING  # nothing chosen: everything
    assert keep_or_everything(only("ml")) == only("ml")


def test_restore_topic_undoes_drop_topic() -> None:
    from bot.chat.choices import drop_topic, restore_topic, takes_topic
    from bot.domain import TopicChoice

    for choice in (
        TopicChoice(everything=True),
        TopicChoice(everything=False, only=frozenset({"ml", "go"})),
    ):
        dropped = drop_topic(choice, "ml")
        assert dropped is not None
        assert not takes_topic(dropped, "ml")
        assert restore_topic(dropped, "ml") == choice
