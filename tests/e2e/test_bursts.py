"""Bursts of commands under Telegram's real limits: every command answered, no apology.

One bot, flood control at Telegram's numbers (30/s, 1/s per chat): 300 chats send /start
at once, then /latest at once; one user sends 15 commands in one burst and gets the answers
in that order (the last word holds); 100 chats press a topic button at once. Every
subscription is stored, nobody is told "Sorry, that failed", and the log has no ERROR line.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ADMIN, Bots
from tests.e2e.helpers import Feed, Item, button, say
from tests.fakebotapi import FakeBotAPI, SentMessage

pytestmark = pytest.mark.e2e

CHATS = list(range(3001, 3301))
APOLOGIES = ("Sorry, that failed", "Something went wrong")
BURST_TIMEOUT = 120.0

#: one user's burst: each command, and how its answer starts (in order)
BURST: list[tuple[str, str]] = [
    ("/start", "Subscribed"),
    ("/help", "TRANSMISSION"),
    ("/stop", "Stopped"),
    ("/latest", "LATEST UPDATES"),
    ("/subscribe ml", "Subscribed to ml"),
    ("/topics", "TOPICS"),
    ("/unsubscribe ml", "Unsubscribed from ml"),
    ("/stop", "Stopped"),
    ("/help", "TRANSMISSION"),
    ("/subscribe python", "Subscribed to python"),
    ("/latest", "LATEST UPDATES"),
    ("/stop", "Stopped"),
    ("/topics", "TOPICS"),
    ("/next", ""),
    ("/start", "Subscribed"),
]


def replies_after(api: FakeBotAPI, chat: int, after: int) -> list[SentMessage]:
    return [m for m in api.messages(chat) if m.message_id > after]


def burst(api: FakeBotAPI, chats: list[int], text: str) -> dict[int, int]:
    """``text`` from every chat at once; the last message id each chat had before."""
    before = {chat: max((m.message_id for m in api.messages(chat)), default=0) for chat in chats}
    for chat in chats:
        api.user_sends(chat, chat, text)
    return before


def wait_answered(
    api: FakeBotAPI, before: dict[int, int], what: str, count: int = 1
) -> dict[int, list[SentMessage]]:
    api.wait_for(
        lambda: all(len(replies_after(api, c, m)) >= count for c, m in before.items()),
        BURST_TIMEOUT,
        what,
    )
    return {chat: replies_after(api, chat, m) for chat, m in before.items()}


def no_apology(messages: list[SentMessage]) -> bool:
    return not any(a in m.plain_text for m in messages for a in APOLOGIES)


def test_bursts_are_answered_in_order_without_apologies_or_errors(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("m1", topics=("ml",)), Item("p1", topics=("python",)))
    bot = bots.start(feed)
    for chat in CHATS:
        api.add_private_chat(chat, f"Reader {chat}")
    bot.wait_polls(1)

    started = wait_answered(api, burst(api, CHATS, "/start"), "300 /start answered")
    assert all(r[0].plain_text.startswith("Subscribed") for r in started.values())
    admin = api.add_private_chat(ADMIN, "Admin")
    assert "Chats: 300 active" in say(api, admin, "/stats").plain_text

    latest = wait_answered(api, burst(api, CHATS, "/latest"), "300 /latest answered")
    assert all(r[0].plain_text.startswith("LATEST UPDATES") for r in latest.values())

    user = CHATS[0]
    before = max(m.message_id for m in api.messages(user))
    for command, _ in BURST:
        api.user_sends(user, user, command)
    answered = wait_answered(api, {user: before}, "the 15 commands", count=len(BURST))[user]
    out_of_order = [
        (command, m.plain_text[:60])
        for (command, start), m in zip(BURST, answered, strict=True)
        if not m.plain_text.startswith(start)
    ]
    assert not out_of_order
    assert "Pushes: on" in say(api, user, "/topics").plain_text  # the last word holds

    pressers = CHATS[1:101]
    menus = wait_answered(api, burst(api, pressers, "/topics"), "100 /topics menus")
    queries = [
        api.user_presses(chat, chat, menus[chat][0].message_id, button(menus[chat][0], "ml"))
        for chat in pressers
    ]
    answers = [api.wait_answer(query, BURST_TIMEOUT) for query in queries]
    assert {answer.text for answer in answers} == {"Following only ml"}
    api.wait_for(
        lambda: all(
            (m := api.message(chat, menus[chat][0].message_id)) is not None and m.edits >= 1
            for chat in pressers
        ),
        BURST_TIMEOUT,
        "100 menus edited",
    )
    for chat in pressers[::10]:
        assert "Following: ml." in say(api, chat, "/topics").plain_text

    everything = [m for chat in [*CHATS, ADMIN] for m in api.messages(chat)]
    assert no_apology(everything)
    log = bot.log_text()
    assert " ERROR " not in log, [line for line in log.splitlines() if " ERROR " in line]
