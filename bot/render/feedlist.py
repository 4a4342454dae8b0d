"""The feed list as admins and readers see it: /add's choices and preview, /feeds, /sources."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain import EntryView, FeedCandidate
from bot.render import callbacks
from bot.render.durations import ago, due_in, short_span
from bot.render.i18n import Locale, Msg
from bot.render.keyboards import Paging, page_row
from bot.render.message import MESSAGE_LIMIT, Button, Rendered, message
from bot.render.pages import latest
from bot.render.plain import visible_length
from bot.render.strings import feeds as feed_strings
from bot.render.strings import times as time_strings
from bot.text.measure import escape_html, truncate

FEEDS_PER_PAGE = 5  #: /feeds: each feed has a row of buttons
SOURCES_PER_PAGE = 15
_LABEL = 60  #: graphemes of a button label
_LINE = 600  #: graphemes of one feed's block


class ListedFeed(Protocol):
    """A followed feed as the store gives it (:class:`bot.store.FollowedFeed`)."""

    @property
    def id(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def topics(self) -> tuple[str, ...]: ...
    @property
    def managed_by(self) -> str: ...
    @property
    def paused(self) -> bool: ...
    @property
    def entry_count(self) -> int: ...
    @property
    def last_success_at(self) -> datetime | None: ...
    @property
    def next_check_at(self) -> datetime: ...
    @property
    def error_count(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...


def pages_of(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


def add_choices(pending: str, candidates: Sequence[FeedCandidate], loc: Locale) -> Rendered:
    """/add of a page with several feeds: one button each, then Cancel."""
    rows = [
        (
            Button(
                truncate(f"{i}. {c.title or c.url}", _LABEL),
                callback=callbacks.encode(callbacks.AddPick(pending, i)),
            ),
        )
        for i, c in enumerate(candidates, 1)
    ]
    lines = [loc(feed_strings.ADD_PICK), *(f"{i}. {c.url}" for i, c in enumerate(candidates, 1))]
    cancel = Button(
        loc(feed_strings.CANCEL_BUTTON), callback=callbacks.encode(callbacks.AddCancel(pending))
    )
    return Rendered(html=escape_html("\n".join(lines)), keyboard=(*rows, (cancel,)))


def add_preview(
    pending: str,
    title: str,
    entries: Sequence[EntryView],
    *,
    page_size: int,
    summary_length: int,
    loc: Locale,
) -> Rendered:
    """The feed's LATEST UPDATES page 1 as it would read here, with Add and Cancel."""
    shown = entries[:page_size]
    paging = Paging(1, pages_of(len(entries), page_size), False)
    page = latest(
        shown, paging, loc=loc, summary_length=summary_length, topic_label=title, topic_id=None
    )
    links = tuple(tuple(b for b in row if b.url) for row in page.keyboard)
    question = "\n\n" + escape_html(loc(feed_strings.ADD_QUESTION))
    html = page.html + question if visible_length(page.html) + 20 < MESSAGE_LIMIT else page.html
    buttons = (
        Button(
            loc(feed_strings.ADD_BUTTON), callback=callbacks.encode(callbacks.AddConfirm(pending))
        ),
        Button(
            loc(feed_strings.CANCEL_BUTTON), callback=callbacks.encode(callbacks.AddCancel(pending))
        ),
    )
    return Rendered(html=html, keyboard=(*(row for row in links if row), buttons))


def state_in_words(feed: ListedFeed, now: datetime, loc: Locale) -> str:
    if feed.paused:
        return loc(feed_strings.PAUSED_STATE)
    if feed.error_count:
        worked = (
            ago(feed.last_success_at, now, loc) if feed.last_success_at else loc(time_strings.NEVER)
        )
        retry = due_in(feed.next_check_at, now, loc)
        error = feed.last_error or ""
        return loc(feed_strings.feed_state_failing(feed.error_count, error, worked, retry))
    if feed.last_success_at is None:
        return loc(feed_strings.NOT_CHECKED_YET)
    checked = ago(feed.last_success_at, now, loc)
    next_check = due_in(feed.next_check_at, now, loc)
    return loc(feed_strings.feed_state_working(feed.entry_count, checked, next_check))


def _topics(topics: Sequence[str]) -> str:
    return " ".join(f"#{topic}" for topic in topics)


def _feed_block(number: int, feed: ListedFeed, now: datetime, loc: Locale) -> str:
    origin = loc(
        feed_strings.IN_CONFIG if feed.managed_by == "config" else feed_strings.ADDED_IN_CHAT
    )
    url = feed.url if feed.url != feed.name else ""  # a feed without a title shows its URL
    meta = " · ".join(filter(None, [url, origin, _topics(feed.topics)]))
    text = f"{number}. {feed.name}: {state_in_words(feed, now, loc)}\n{meta}"
    return escape_html(truncate(text, _LINE))


def feeds_page(feeds: Sequence[ListedFeed], page: int, now: datetime, loc: Locale) -> Rendered:
    """/feeds: a page of feeds, each with its state and a row of buttons."""
    if not feeds:
        return message(loc(feed_strings.NO_FEEDS_FOLLOWED))
    count = pages_of(len(feeds), FEEDS_PER_PAGE)
    page = min(max(page, 1), count)
    first = (page - 1) * FEEDS_PER_PAGE
    shown = feeds[first : first + FEEDS_PER_PAGE]
    header = f"<b>{escape_html(loc(feed_strings.FEEDS_HEADER))}</b> ({len(feeds)})"
    blocks = [_feed_block(first + i + 1, feed, now, loc) for i, feed in enumerate(shown)]
    rows = [_feed_buttons(first + i + 1, feed, page, loc) for i, feed in enumerate(shown)]
    if count > 1:
        rows.append(page_row(Paging(page, count, False), callbacks.FeedsPage))
    return Rendered(html="\n\n".join([header, *blocks]), keyboard=tuple(rows))


def _feed_buttons(number: int, feed: ListedFeed, page: int, loc: Locale) -> tuple[Button, ...]:
    def button(label: Msg, verb: str) -> Button:
        action = callbacks.FeedButton(verb, feed.id, page)
        return Button(f"{loc(label)} {number}", callback=callbacks.encode(action))

    toggle = (
        button(feed_strings.RESUME_BUTTON, "resume")
        if feed.paused
        else button(feed_strings.PAUSE_BUTTON, "pause")
    )
    return (
        toggle,
        button(feed_strings.REMOVE_BUTTON, "remove"),
        button(feed_strings.CHECK_BUTTON, "check"),
    )


def feed_buttons(feed_id: int, page: int, loc: Locale, *, paused: bool) -> tuple[Button, ...]:
    """Check now, Pause (or Resume), Remove: under an alert (``page`` 0)."""
    verbs = [(feed_strings.CHECK_BUTTON, "check")]
    verbs.append(
        (feed_strings.RESUME_BUTTON, "resume") if paused else (feed_strings.PAUSE_BUTTON, "pause")
    )
    verbs.append((feed_strings.REMOVE_BUTTON, "remove"))
    return tuple(
        Button(loc(label), callback=callbacks.encode(callbacks.FeedButton(verb, feed_id, page)))
        for label, verb in verbs
    )


def confirm_remove(feed: ListedFeed, page: int, loc: Locale) -> Rendered:
    yes = callbacks.FeedButton("remove_confirmed", feed.id, page)
    keep = callbacks.FeedButton("keep", feed.id, page)
    return Rendered(
        html=escape_html(loc(feed_strings.confirm_remove(feed.name))),
        keyboard=(
            (
                Button(loc(feed_strings.YES_REMOVE_BUTTON), callback=callbacks.encode(yes)),
                Button(loc(feed_strings.KEEP_BUTTON), callback=callbacks.encode(keep)),
            ),
        ),
    )


def sources_page(feeds: Sequence[ListedFeed], page: int, loc: Locale) -> Rendered:
    """/sources (everyone): what this bot follows, with topics."""
    if not feeds:
        return message(loc(feed_strings.NO_SOURCES))
    count = pages_of(len(feeds), SOURCES_PER_PAGE)
    page = min(max(page, 1), count)
    first = (page - 1) * SOURCES_PER_PAGE
    lines = [
        escape_html(truncate(f"{first + i + 1}. {feed.name} {_topics(feed.topics)}".strip(), 300))
        for i, feed in enumerate(feeds[first : first + SOURCES_PER_PAGE])
    ]
    header = f"<b>{escape_html(loc(feed_strings.SOURCES_HEADER))}</b> ({len(feeds)})"
    keyboard = (page_row(Paging(page, count, False), callbacks.SourcesPage),) if count > 1 else ()
    return Rendered(html="\n".join([header, *lines]), keyboard=keyboard)


def alert(
    name: str,
    url: str,
    since: datetime,
    last_error: str | None,
    now: datetime,
    feed_id: int,
    loc: Locale,
) -> Rendered:
    """To each admin: a feed has been failing for a while; Check now, Pause, Remove."""
    failing_for = short_span(max(0, int((now - since).total_seconds())))
    text = loc(
        feed_strings.feed_alert(name, url, failing_for, last_error or feed_strings.UNKNOWN_ERROR)
    )
    return Rendered(
        html=escape_html(truncate(text, 1500)),
        keyboard=(feed_buttons(feed_id, 0, loc, paused=False),),
    )


def recovered(name: str, since: datetime, now: datetime, loc: Locale) -> Rendered:
    was_down = short_span(max(0, int((now - since).total_seconds())))
    return message(truncate(loc(feed_strings.feed_recovered(name, was_down)), 1000))
