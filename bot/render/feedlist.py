"""The feed list as admins and readers see it: /add's choices and preview, /feeds, /sources."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain import EntryView, FeedCandidate
from bot.render import callbacks, strings
from bot.render.durations import ago, due_in, short_span
from bot.render.keyboards import Paging, page_row
from bot.render.message import MESSAGE_LIMIT, Button, Rendered, message
from bot.render.pages import latest
from bot.render.plain import visible_length
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


def add_choices(pending: str, candidates: Sequence[FeedCandidate]) -> Rendered:
    """/add of a page with several feeds: one button each, then Cancel."""
    rows = [
        (
            Button(
                truncate(strings.candidate_label(i, c.title or c.url), _LABEL),
                callback=callbacks.encode(callbacks.AddPick(pending, i)),
            ),
        )
        for i, c in enumerate(candidates, 1)
    ]
    lines = [strings.ADD_PICK, *(f"{i}. {c.url}" for i, c in enumerate(candidates, 1))]
    cancel = Button(strings.CANCEL_BUTTON, callback=callbacks.encode(callbacks.AddCancel(pending)))
    return Rendered(html=escape_html("\n".join(lines)), keyboard=(*rows, (cancel,)))


def add_preview(
    pending: str, title: str, entries: Sequence[EntryView], *, page_size: int, summary_length: int
) -> Rendered:
    """The feed's LATEST UPDATES page 1 as it would read here, with Add and Cancel."""
    shown = entries[:page_size]
    paging = Paging(1, pages_of(len(entries), page_size), False)
    page = latest(shown, paging, summary_length=summary_length, topic_label=title, topic_id=None)
    links = tuple(tuple(b for b in row if b.url) for row in page.keyboard)
    question = "\n\n" + escape_html(strings.ADD_QUESTION)
    html = page.html + question if visible_length(page.html) + 20 < MESSAGE_LIMIT else page.html
    buttons = (
        Button(strings.ADD_BUTTON, callback=callbacks.encode(callbacks.AddConfirm(pending))),
        Button(strings.CANCEL_BUTTON, callback=callbacks.encode(callbacks.AddCancel(pending))),
    )
    return Rendered(html=html, keyboard=(*(row for row in links if row), buttons))


def state_in_words(feed: ListedFeed, now: datetime) -> str:
    if feed.paused:
        return strings.PAUSED_STATE
    if feed.error_count:
        worked = ago(feed.last_success_at, now) if feed.last_success_at else strings.NEVER
        retry = due_in(feed.next_check_at, now)
        error = feed.last_error or ""
        return strings.feed_state_failing(feed.error_count, error, worked, retry)
    if feed.last_success_at is None:
        return strings.NOT_CHECKED_YET
    checked = ago(feed.last_success_at, now)
    return strings.feed_state_working(feed.entry_count, checked, due_in(feed.next_check_at, now))


def _topics(topics: Sequence[str]) -> str:
    return " ".join(f"#{topic}" for topic in topics)


def _feed_block(number: int, feed: ListedFeed, now: datetime) -> str:
    origin = strings.IN_CONFIG if feed.managed_by == "config" else strings.ADDED_IN_CHAT
    url = feed.url if feed.url != feed.name else ""  # a feed without a title shows its URL
    meta = " · ".join(filter(None, [url, origin, _topics(feed.topics)]))
    text = f"{number}. {feed.name}: {state_in_words(feed, now)}\n{meta}"
    return escape_html(truncate(text, _LINE))


def feeds_page(feeds: Sequence[ListedFeed], page: int, now: datetime) -> Rendered:
    """/feeds: a page of feeds, each with its state and a row of buttons."""
    if not feeds:
        return message(strings.NO_FEEDS_FOLLOWED)
    count = pages_of(len(feeds), FEEDS_PER_PAGE)
    page = min(max(page, 1), count)
    first = (page - 1) * FEEDS_PER_PAGE
    shown = feeds[first : first + FEEDS_PER_PAGE]
    header = f"<b>{strings.FEEDS_HEADER}</b> ({len(feeds)})"
    blocks = [_feed_block(first + i + 1, feed, now) for i, feed in enumerate(shown)]
    rows = [_feed_buttons(first + i + 1, feed, page) for i, feed in enumerate(shown)]
    if count > 1:
        rows.append(page_row(Paging(page, count, False), callbacks.FeedsPage))
    return Rendered(html="\n\n".join([header, *blocks]), keyboard=tuple(rows))


def _feed_buttons(number: int, feed: ListedFeed, page: int) -> tuple[Button, ...]:
    def button(label: str, verb: str) -> Button:
        action = callbacks.FeedButton(verb, feed.id, page)
        return Button(f"{label} {number}", callback=callbacks.encode(action))

    toggle = (
        button(strings.RESUME_BUTTON, "resume")
        if feed.paused
        else button(strings.PAUSE_BUTTON, "pause")
    )
    return (toggle, button(strings.REMOVE_BUTTON, "remove"), button(strings.CHECK_BUTTON, "check"))


def feed_buttons(feed_id: int, page: int, *, paused: bool) -> tuple[Button, ...]:
    """Check now, Pause (or Resume), Remove: under an alert (``page`` 0)."""
    verbs = [(strings.CHECK_BUTTON, "check")]
    verbs.append((strings.RESUME_BUTTON, "resume") if paused else (strings.PAUSE_BUTTON, "pause"))
    verbs.append((strings.REMOVE_BUTTON, "remove"))
    return tuple(
        Button(label, callback=callbacks.encode(callbacks.FeedButton(verb, feed_id, page)))
        for label, verb in verbs
    )


def confirm_remove(feed: ListedFeed, page: int) -> Rendered:
    yes = callbacks.FeedButton("remove_confirmed", feed.id, page)
    keep = callbacks.FeedButton("keep", feed.id, page)
    return Rendered(
        html=escape_html(strings.confirm_remove(feed.name)),
        keyboard=(
            (
                Button(strings.YES_REMOVE_BUTTON, callback=callbacks.encode(yes)),
                Button(strings.KEEP_BUTTON, callback=callbacks.encode(keep)),
            ),
        ),
    )


def sources_page(feeds: Sequence[ListedFeed], page: int) -> Rendered:
    """/sources (everyone): what this bot follows, with topics."""
    if not feeds:
        return message(strings.NO_SOURCES)
    count = pages_of(len(feeds), SOURCES_PER_PAGE)
    page = min(max(page, 1), count)
    first = (page - 1) * SOURCES_PER_PAGE
    lines = [
        escape_html(truncate(f"{first + i + 1}. {feed.name} {_topics(feed.topics)}".strip(), 300))
        for i, feed in enumerate(feeds[first : first + SOURCES_PER_PAGE])
    ]
    header = f"<b>{strings.SOURCES_HEADER}</b> ({len(feeds)})"
    keyboard = (page_row(Paging(page, count, False), callbacks.SourcesPage),) if count > 1 else ()
    return Rendered(html="\n".join([header, *lines]), keyboard=keyboard)


def alert(
    name: str, url: str, since: datetime, last_error: str | None, now: datetime, feed_id: int
) -> Rendered:
    """To each admin: a feed has been failing for a while; Check now, Pause, Remove."""
    failing_for = short_span(max(0, int((now - since).total_seconds())))
    text = strings.feed_alert(name, url, failing_for, last_error or "unknown")
    return Rendered(
        html=escape_html(truncate(text, 1500)),
        keyboard=(feed_buttons(feed_id, 0, paused=False),),
    )


def recovered(name: str, since: datetime, now: datetime) -> Rendered:
    was_down = short_span(max(0, int((now - since).total_seconds())))
    return message(truncate(strings.feed_recovered(name, was_down), 1000))
