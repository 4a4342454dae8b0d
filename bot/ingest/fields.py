"""Field cleaning shared by the RSS/Atom and JSON Feed readers: text, links, topics.

Values come from documents we do not control: anything may be missing, of the wrong type,
or carry characters a database rejects, so each helper takes ``Any`` and returns a clean
value or None.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from bot.domain import normalise_topic, topic_key
from bot.text.html import html_to_text, looks_like_html, plain_to_text

_T = TypeVar("_T")

#: Categories kept per entry (feeds sometimes carry dozens of SEO tags).
MAX_CATEGORIES = 20

# NUL and lone surrogates: PostgreSQL rejects them in text columns (one such character in a
# guid would fail the feed's whole write), and they mean nothing to a reader.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A character reference left in text that is already plain: the publisher escaped twice.
# Only complete references (with ";"), so "?a=1&not=2" in a URL stays as written.
_ENTITY_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def plain_text(raw: str) -> str:
    """Plain text -> display text. ``<`` stays literal ("a <b> c" is text, not markup), but
    complete character references are decoded: in a plain-text field they only appear
    when the publisher escaped twice ("&lt;DVD>", "&#8216;Jokes&#8217;"), which is far
    more common than a title that really means to show "&amp;"."""
    if "&" in raw:
        raw = _ENTITY_REF.sub(lambda m: html.unescape(m.group()), raw)
    return plain_to_text(raw)


def text_or_markup(raw: str, hint: str = "") -> str:
    """A construct declared plain text -> display text; HTML if it parses as markup.

    Hexo (and others) put HTML into Atom ``<content>``/``<summary>`` without ``type``, which
    makes it ``type="text"`` by the spec; readers treat such text as HTML when it holds block
    or inline tags (two of them, or one that opens it), and so do we. "a <b> c" stays text.
    """
    return html_to_text(raw, hint) if looks_like_html(raw) else plain_text(raw)


def newest(items: Sequence[_T], limit: int, when: Callable[[_T], Any]) -> list[_T]:
    """At most ``limit`` items, the newest by ``when`` (undated ones count as oldest), in
    their document order. Without any dates, the first ``limit`` (feeds list newest first)."""
    if len(items) <= limit:
        return list(items)
    dates = [when(item) for item in items]
    if all(date is None for date in dates):
        return list(items[:limit])
    order = sorted(
        range(len(items)),
        key=lambda i: (dates[i] is not None, dates[i] if dates[i] is not None else 0, -i),
        reverse=True,
    )
    return [items[i] for i in sorted(order[:limit])]


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def storable(value: str | None) -> str | None:
    """``value`` without the characters a database rejects (see ``_UNSTORABLE``)."""
    if value is None or _UNSTORABLE.search(value) is None:
        return value
    return _UNSTORABLE.sub("", value)


def str_or_none(value: Any, *, strip: bool = False) -> str | None:
    if not isinstance(value, str):
        return None
    if strip:
        value = value.strip()
    return value or None


def absolute_link(value: Any, base: str) -> str | None:
    """An http(s) URL, resolved against ``base`` when relative; None otherwise (Telegram
    buttons accept nothing else, and ``javascript:`` has no business in a message)."""
    link = storable(str_or_none(value, strip=True))
    if link is None:
        return None
    try:
        absolute = urljoin(base, link)
    except ValueError:
        return None
    return absolute if is_web_url(absolute) else None


def is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def topics_of(names: Iterable[str]) -> tuple[str, ...]:
    topics: dict[str, str] = {}  # key -> the first spelling, in order
    for name in names:
        topic = normalise_topic(_UNSTORABLE.sub("", name))
        if topic:
            topics.setdefault(topic_key(topic), topic)
            if len(topics) == MAX_CATEGORIES:
                break
    return tuple(topics.values())
