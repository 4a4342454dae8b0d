"""Messages readers see: INCOMING TRANSMISSION pushes, LATEST UPDATES pages and the /topics
menu. Pure.

Every message this module returns respects the Bot API whatever the entries hold: only
Telegram's HTML tags (``b``, ``i``, ``a``), all text escaped, at most 4096 characters as
Telegram counts them (UTF-16 units of the text after entities), ``callback_data`` within 64
bytes. When a page's entries would not fit, their summaries are cut shorter, never the
markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.delivery import callbacks
from bot.domain import EntryView
from bot.text import (
    ELLIPSIS,
    escape_html,
    split_lead,
    truncate,
    truncate_units,
    utf16_length,
)

MESSAGE_LIMIT = 4096
#: room kept free under the limit for the header and the page line
_RESERVE = 200
TITLE_LIMIT = 200  #: graphemes of a title
UNTITLED_LEAD = 60  #: graphemes of an untitled entry's text that stand as its title
_TITLE_UNITS = 600  #: ... and UTF-16 units of it
_META_UNITS = 300

TRANSMISSION_HEADER = "INCOMING TRANSMISSION"
LATEST_HEADER = "LATEST UPDATES"
TOPICS_HEADER = "TOPICS"
#: UTF-16 units of a topic label in a LATEST UPDATES header (part of ``_RESERVE``)
LABEL_UNITS = 150
#: ... and of the "Following: ..." line of /topics
FOLLOWING_UNITS = 1500
#: topic buttons on one page of /topics (2 a row), and graphemes of a topic on a button
TOPIC_BUTTONS = 20
TOPIC_BUTTON_CHARS = 24


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    url: str | None = None
    callback: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready for ``sendMessage`` / ``editMessageText`` with ``parse_mode=HTML``."""

    html: str
    keyboard: Keyboard = ()


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a page sits, and how its buttons encode a jump to another page."""

    number: int
    known_pages: int  #: pages known to exist
    has_more: bool  #: more pages after ``known_pages``

    @property
    def last_known(self) -> int:
        return max(self.known_pages, self.number)


# ----------------------------------------------------------------------------- entry blocks


def entry_block(
    entry: EntryView, summary_length: int, index: int | None = None, units: int = MESSAGE_LIMIT
) -> str:
    """One entry: linked title, a meta line (feed, date, topics), the cut summary.

    The visible text stays within ``units`` UTF-16 units: the title gets at most a third,
    the meta line a quarter, the summary what is left (cut to ``summary_length`` graphemes
    first, shorter when the budget says so).
    """
    number = f"{index}. " if index is not None else ""
    text = entry.text
    if entry.title:
        title = entry.title
    elif text:  # untitled: the opening words stand as the title, the summary goes on
        title, text = split_lead(text, UNTITLED_LEAD)
    else:
        title = "(untitled)"
    title = truncate(title, TITLE_LIMIT)
    title = truncate_units(title, min(_TITLE_UNITS, units // 3))
    title_html = escape_html(title)
    if entry.link:
        title_html = f'<a href="{escape_html(entry.link)}">{title_html}</a>'
    lines = [f"{number}<b>{title_html}</b>"]
    meta = truncate_units(meta_line(entry), min(_META_UNITS, units // 4))
    if meta:
        lines.append(f"<i>{escape_html(meta)}</i>")
    room = units - utf16_length(number + title + meta) - 4  # two newlines, some slack
    summary = truncate(text, summary_length) if summary_length > 0 else ""
    summary = truncate_units(summary, room) if room > len(ELLIPSIS) else ""
    if summary:
        lines.append(escape_html(summary))
    return "\n".join(lines)


def meta_line(entry: EntryView) -> str:
    parts = [entry.feed_name] if entry.feed_name else []
    if entry.published is not None:
        parts.append(format_date(entry.published))
    tags = " ".join(hashtag(topic) for topic in entry.topics[:6])
    if tags.strip():
        parts.append(tags)
    return " · ".join(parts)


def format_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


_NOT_TAG = re.compile(r"[^\w]+")


def hashtag(topic: str) -> str:
    """A topic as a Telegram hashtag (searchable in the chat): spaces and marks become _."""
    word = _NOT_TAG.sub("_", topic).strip("_")
    return f"#{word}" if word else ""




def fit_blocks(
    entries: Sequence[EntryView], summary_length: int, budget: int, *, numbered: bool
) -> list[str]:
    """Blocks for ``entries`` whose visible text fits ``budget`` UTF-16 units together:
    each entry gets an equal share (the blank line between blocks included)."""
    share = budget // max(len(entries), 1) - 2
    return [
        entry_block(entry, summary_length, position if numbered else None, share)
        for position, entry in enumerate(entries, start=1)
    ]


# ----------------------------------------------------------------------------- messages


def transmission(
    entries: Sequence[EntryView],
    *,
    page: int,
    page_size: int,
    summary_length: int,
    transmission_id: int | None,
) -> Rendered:
    """An INCOMING TRANSMISSION: one or more new entries, paged when there are many.

    ``transmission_id`` is needed only when there is more than one page (the buttons find
    the entries again through it).
    """
    pages = max(-(-len(entries) // page_size), 1)
    page = min(max(page, 1), pages)
    shown = entries[(page - 1) * page_size : page * page_size]
    header = f"<b>{TRANSMISSION_HEADER}</b>"
    if len(entries) > 1:
        header += escape_html(f" · {len(entries)} new")
    numbered = len(entries) > 1
    blocks = fit_blocks(shown, summary_length, MESSAGE_LIMIT - _RESERVE, numbered=numbered)
    body = header + "\n\n" + "\n\n".join(blocks)
    rows: list[tuple[Button, ...]] = []
    links = [
        Button(text=_open_label(i, numbered, page, page_size), url=e.link)
        for i, e in enumerate(shown)
        if e.link
    ]
    if links:
        rows.append(tuple(links))
    if pages > 1 and transmission_id is not None:
        paging = Paging(number=page, known_pages=pages, has_more=False)
        rows.append(page_row(paging, lambda n: callbacks.TransmissionPage(transmission_id, n)))
    return Rendered(html=body, keyboard=tuple(rows))


def _open_label(i: int, numbered: bool, page: int, page_size: int) -> str:
    if not numbered:
        return "Open ↗"
    return f"{(page - 1) * page_size + i + 1} ↗"


def latest(
    entries: Sequence[EntryView],
    paging: Paging,
    *,
    summary_length: int,
    topic_label: str | None,
    topic_id: int | None,
) -> Rendered:
    """A LATEST UPDATES page with page-number buttons."""
    header = f"<b>{LATEST_HEADER}</b>"
    if topic_label:
        header += escape_html(f" · {truncate_units(topic_label, LABEL_UNITS)}")
    if not entries:
        hint = (
            "No updates on this page."
            if paging.number > 1
            else "Nothing here yet. New entries appear once the feeds have been polled."
        )
        return Rendered(html=f"{header}\n\n{escape_html(hint)}")
    blocks = fit_blocks(entries, summary_length, MESSAGE_LIMIT - _RESERVE, numbered=False)
    body = header + "\n\n" + "\n\n".join(blocks)
    if paging.known_pages > 1 or paging.has_more:
        row = page_row(paging, lambda n: callbacks.LatestPage(topic_id, n))
        return Rendered(html=body, keyboard=(row,))
    return Rendered(html=body)


def page_row(paging: Paging, action: Callable[[int], callbacks.Action]) -> tuple[Button, ...]:
    """``‹ 1 · 2 · 3 4 ›``: numbers in a window around the current page, prev and next."""
    current = paging.number
    last = paging.last_known
    start = max(1, min(current - 2, last - 4))
    numbers = range(start, min(start + 5, last + 1))
    buttons = []
    if current > 1:
        buttons.append(Button("‹", callback=callbacks.encode(action(current - 1))))
    for number in numbers:
        if number == current:
            buttons.append(Button(f"· {number} ·", callback=callbacks.encode(callbacks.Noop())))
        else:
            buttons.append(Button(str(number), callback=callbacks.encode(action(number))))
    if current < last or paging.has_more:
        buttons.append(Button("›", callback=callbacks.encode(action(current + 1))))
    return tuple(buttons)


# ----------------------------------------------------------------------------- /topics

#: how a topic stands for a chat: followed (only-these mode), not followed, or excluded
ON, OFF, EXCLUDED = "on", "off", "excluded"
_MARKS = {ON: "✅", OFF: "▫️", EXCLUDED: "🚫"}


@dataclass(frozen=True, slots=True)
class TopicOption:
    """A topic button of the /topics menu."""

    topic_id: int
    name: str
    state: str  #: ON | OFF | EXCLUDED


def topics_pages(options: int) -> int:
    return max(-(-options // TOPIC_BUTTONS), 1)


def topics_menu(
    options: Sequence[TopicOption],
    *,
    pushes_on: bool,
    following: str,
    everything: bool,
    page: int = 1,
) -> Rendered:
    """The /topics menu: what the chat follows, "Everything", and one page of topic toggles
    (at most :data:`TOPIC_BUTTONS`, with page buttons when there are more).

    ``everything``: the chat takes every topic with no exclusions (its button is ticked).
    """
    pages = topics_pages(len(options))
    page = min(max(page, 1), pages)
    shown = options[(page - 1) * TOPIC_BUTTONS : page * TOPIC_BUTTONS]
    status = "on" if pushes_on else "off (/start turns them on)"
    following = truncate_units(following, FOLLOWING_UNITS)
    lines = [
        f"<b>{TOPICS_HEADER}</b>",
        "",
        escape_html(f"Pushes: {status}. Following: {following}."),
        escape_html("Tap a topic to follow or drop it."),
    ]
    if any(option.state == EXCLUDED for option in shown):
        lines.append(escape_html("🚫 marks a topic this chat skips; tap it to take it again."))
    if not options:
        lines.append(escape_html("No topics yet: they appear once entries carry some."))
    elif pages > 1:
        lines.append(escape_html(f"Page {page} of {pages}."))
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                ("✅ " if everything else "▫️ ") + "Everything",
                callback=callbacks.encode(callbacks.ToggleTopic(None, page)),
            ),
        )
    ]
    buttons = [
        Button(
            f"{_MARKS[option.state]} {truncate(option.name, TOPIC_BUTTON_CHARS)}",
            callback=callbacks.encode(callbacks.ToggleTopic(option.topic_id, page)),
        )
        for option in shown
    ]
    rows += [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    if pages > 1:
        paging = Paging(number=page, known_pages=pages, has_more=False)
        rows.append(page_row(paging, callbacks.TopicsPage))
    return Rendered(html="\n".join(lines), keyboard=tuple(rows))


def bounded_list(names: Sequence[str], units: int, separator: str = ", ") -> str:
    """``names`` joined, as many as fit in ``units`` UTF-16 units with room for an
    "… and N more" for the rest."""
    total = utf16_length(separator.join(names))
    if total <= units:
        return separator.join(names)
    kept: list[str] = []
    used = 0
    for shown, name in enumerate(names):
        more = f" … and {len(names) - shown} more"
        size = utf16_length(name) + (utf16_length(separator) if kept else 0)
        if used + size + utf16_length(more) > units:
            return (separator.join(kept) + more).lstrip()
        kept.append(name)
        used += size
    return separator.join(kept)  # pragma: no cover - the whole list fitted


# ----------------------------------------------------------------------------- plain text

_TAG = re.compile(r"<[^>]*>")


def visible_text(message_html: str) -> str:
    """What a chat shows for our HTML: tags dropped, entities decoded.

    Safe for our own output only: every '<' in text we render is escaped, so each '<' left
    starts one of our tags.
    """
    return html.unescape(_TAG.sub("", message_html))


def visible_length(message_html: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the visible text."""
    return utf16_length(visible_text(message_html))


def keyboard_text(keyboard: Keyboard) -> str:
    """The button rows as ``[ 1 ] [ 2 ] [ › ]`` lines (``preview`` prints this)."""
    return "\n".join(" ".join(f"[ {b.text} ]" for b in row) for row in keyboard)


def as_plain(rendered: Rendered) -> str:
    text = visible_text(rendered.html)
    buttons = keyboard_text(rendered.keyboard)
    return f"{text}\n\n{buttons}" if buttons else text
