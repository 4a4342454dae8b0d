"""/add's pieces: reading its arguments, and the adds waiting for Add or Cancel (bounded)."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.domain import FeedCandidate, distinct_topics
from bot.render.i18n import Msg
from bot.render.strings import feeds as feed_strings

MAX_TOPICS = 10  #: topics one /add may give a feed
MAX_URL = 2000
PENDING_MAX = 200  #: adds waiting for a press at once (the oldest go first)
PENDING_TTL = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class AddRequest:
    url: str
    topics: tuple[str, ...]


def read_add(argument: str) -> tuple[AddRequest | None, Msg | None]:
    """(the request, or None and the reply that says what is wrong)."""
    words = argument.split()
    if not words:
        return None, feed_strings.ADD_USAGE
    url = words[0]
    if "://" not in url:
        url = "https://" + url  # "example.org/blog" means the web page
    try:
        parts = urlsplit(url)
    except ValueError:
        return None, feed_strings.ADD_NOT_A_URL
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        return None, feed_strings.ADD_NOT_A_URL
    topics = distinct_topics(words[1:])
    return AddRequest(url, topics[:MAX_TOPICS]), None


@dataclass(frozen=True, slots=True)
class PendingAdd:
    """An /add waiting for its buttons: the page's candidates, or the previewed feed."""

    chat_id: int
    request: AddRequest
    created: datetime
    candidates: tuple[FeedCandidate, ...] = ()
    feed_url: str | None = None  #: the feed the preview shows
    title: str = ""


class PendingAdds:
    """In memory, keyed by a short random id that fits in callback_data; a restart (or an
    hour, or 200 newer ones) expires them, and their buttons then say so."""

    def __init__(self) -> None:
        self._waiting: OrderedDict[str, PendingAdd] = OrderedDict()

    def put(self, pending: PendingAdd) -> str:
        key = secrets.token_hex(5)
        self._waiting[key] = pending
        while len(self._waiting) > PENDING_MAX:
            self._waiting.popitem(last=False)
        return key

    def get(self, key: str, chat_id: int, now: datetime) -> PendingAdd | None:
        pending = self._waiting.get(key)
        if pending is None or pending.chat_id != chat_id:
            return None
        if now - pending.created > PENDING_TTL:
            del self._waiting[key]
            return None
        return pending

    def previewing(self, key: str, feed_url: str, title: str) -> None:
        if key in self._waiting:
            self._waiting[key] = replace(self._waiting[key], feed_url=feed_url, title=title)

    def drop(self, key: str) -> None:
        self._waiting.pop(key, None)
