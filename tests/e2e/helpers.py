"""What a user and a feed publisher do in the end-to-end tests, as small functions.

Feeds: :class:`Feed` is one RSS document on the local feed server; ``publish`` puts new
entries on top (each newer than the last), as a blog does. Chats: :func:`say` sends a
message as a user and returns the bot's reply, :func:`press` presses a button and returns
the answer to the callback query.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from tests.fakebotapi import Answer, FakeBotAPI, SentMessage
from tests.feedserver import FeedServer

TRANSMISSION = "INCOMING TRANSMISSION"
LATEST = "LATEST UPDATES"
REPLY_TIMEOUT = 20.0
PUSH_TIMEOUT = 30.0

_BASE_DATE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
_sequence = itertools.count(1)


@dataclass(frozen=True)
class Item:
    """One feed entry. ``title`` defaults to ``Item <guid> headline`` (unique per guid)."""

    guid: str
    title: str = ""
    topics: tuple[str, ...] = ("ml",)
    text: str = ""
    published: datetime = field(
        default_factory=lambda: _BASE_DATE + timedelta(minutes=next(_sequence))
    )

    @property
    def headline(self) -> str:
        return self.title or f"Item {self.guid} headline"

    @property
    def link(self) -> str:
        return f"https://blog.example/posts/{self.guid}"

    def xml(self) -> str:
        categories = "".join(f"<category>{escape(t)}</category>" for t in self.topics)
        text = self.text or f"What {self.headline} is about, in a few words."
        return (
            f"<item><guid>{escape(self.guid)}</guid><title>{escape(self.headline)}</title>"
            f"<link>{self.link}</link>{categories}"
            f"<pubDate>{format_datetime(self.published, usegmt=True)}</pubDate>"
            f"<description>{escape(text)}</description></item>"
        )


def items(prefix: str, count: int, **fields: object) -> list[Item]:
    """``count`` items ``<prefix>1`` .. ``<prefix>N``, each newer than the one before."""
    return [Item(f"{prefix}{n}", **fields) for n in range(1, count + 1)]  # type: ignore[arg-type]


def rss(entries: Sequence[Item], title: str = "Test feed") -> str:
    body = "".join(item.xml() for item in entries)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://blog.example/</link>"
        f"{body}</channel></rss>"
    )


class Feed:
    """An RSS feed on the local server; new entries go on top, newest first."""

    def __init__(self, server: FeedServer, path: str = "/feed.xml", title: str = "Test feed"):
        self.server = server
        self.path = path
        self.title = title
        self.entries: list[Item] = []

    @property
    def url(self) -> str:
        return self.server.url(self.path)

    def publish(self, *new: Item) -> Feed:
        """Serve the document with ``new`` on top (give them oldest first)."""
        self.entries[0:0] = sorted(new, key=lambda item: item.published, reverse=True)
        self.server.set_feed(self.path, rss(self.entries, self.title))
        return self


# ----------------------------------------------------------------------------- chats


def say(
    api: FakeBotAPI,
    chat_id: int,
    text: str,
    *,
    user: int | None = None,
    timeout: float = REPLY_TIMEOUT,
    thread: int | None = None,
) -> SentMessage:
    """Send ``text`` as ``user`` (in a private chat: its owner; ``thread``: in that forum
    thread); return the bot's reply."""
    sender = user if user is not None else chat_id
    update = api.user_sends(chat_id, sender, text, thread=thread)
    after = update["message"]["message_id"]
    return api.wait_for(
        lambda: next((m for m in api.messages(chat_id) if m.message_id > after), None),
        timeout,
        f"the bot's reply to {text!r} in chat {chat_id}",
    )


def say_unanswered(
    api: FakeBotAPI, chat_id: int, text: str, *, user: int, barrier: str = "/help"
) -> None:
    """Send ``text`` and prove the bot ignored it: a later ``barrier`` command is answered
    and the barrier's answer is the only reply after ``text``."""
    update = api.user_sends(chat_id, user, text)
    after = update["message"]["message_id"]
    api.wait_updates_consumed(REPLY_TIMEOUT)
    barrier_reply = say(api, chat_id, barrier, user=user)
    replies = [m for m in api.messages(chat_id) if m.message_id > after]
    assert replies == [barrier_reply], [m.plain_text for m in replies]


def subscribe_many(api: FakeBotAPI, chats: Sequence[int]) -> None:
    """/start in many private chats at once; returns when every one was answered.

    Flood control is lifted meanwhile (the replies would otherwise wait out 429s), and set
    back to Telegram's numbers afterwards.
    """
    api.set_limits(global_per_second=10_000)
    for chat in chats:
        api.add_private_chat(chat, f"Reader {chat}")
        api.user_sends(chat, chat, "/start")
    api.wait_for(lambda: all(api.messages(chat) for chat in chats), 60, "every /start answered")
    api.set_limits(global_per_second=30)


def press(
    api: FakeBotAPI,
    chat_id: int,
    message: SentMessage | int,
    data: str,
    *,
    user: int | None = None,
    timeout: float = REPLY_TIMEOUT,
) -> Answer:
    """Press a button (any ``callback_data``, forged too) under a message; the answer."""
    message_id = message if isinstance(message, int) else message.message_id
    query = api.user_presses(chat_id, user if user is not None else chat_id, message_id, data)
    return api.wait_answer(query, timeout)


def wait_edited(
    api: FakeBotAPI, message: SentMessage, timeout: float = REPLY_TIMEOUT
) -> SentMessage:
    """The message as it stands after its next edit."""
    return api.wait_for(
        lambda: (
            (m := api.message(message.chat_id, message.message_id)) is not None
            and m.edits > message.edits
            and m
        ),
        timeout,
        f"an edit of message {message.message_id} in chat {message.chat_id}",
    )


def button_texts(message: SentMessage) -> list[str]:
    return [str(button["text"]) for button in message.buttons()]


def button(message: SentMessage, text: str) -> str:
    """The callback_data of the button whose label is ``text`` (or contains it)."""
    for candidate in message.buttons():
        if "callback_data" in candidate and (
            candidate["text"] == text or text in str(candidate["text"])
        ):
            return str(candidate["callback_data"])
    raise AssertionError(f"no button {text!r} in {button_texts(message)}")


def transmissions(api: FakeBotAPI, chat_id: int) -> list[SentMessage]:
    return [m for m in api.messages(chat_id) if m.plain_text.startswith(TRANSMISSION)]


def copies(api: FakeBotAPI, chat_id: int, item: Item) -> int:
    """How many pushes to the chat show ``item`` (on their current page)."""
    return sum(item.headline in m.plain_text for m in transmissions(api, chat_id))


def wait_push(
    api: FakeBotAPI, chat_id: int, item: Item, timeout: float = PUSH_TIMEOUT
) -> SentMessage:
    """The first push to the chat that shows ``item``."""
    return api.wait_for(
        lambda: next(
            (m for m in transmissions(api, chat_id) if item.headline in m.plain_text), None
        ),
        timeout,
        f"{item.headline!r} pushed to chat {chat_id}",
    )


def headlines_in(message: SentMessage, candidates: Sequence[Item]) -> list[str]:
    """The candidates' headlines that the message shows, in the order it shows them."""
    text = message.plain_text
    shown = [(text.index(i.headline), i.headline) for i in candidates if i.headline in text]
    return [headline for _, headline in sorted(shown)]
