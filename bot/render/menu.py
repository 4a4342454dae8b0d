"""The /topics menu: what the chat follows, "Everything", and pages of topic toggles; and the
known topics offered when /subscribe names an unknown one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import TopicState
from bot.render import callbacks
from bot.render.i18n import Locale
from bot.render.keyboards import Paging, page_row
from bot.render.message import Button, Rendered
from bot.render.strings import topics as topic_strings
from bot.text.measure import escape_html, truncate, truncate_units

#: UTF-16 units of the "Following: ..." line of /topics
FOLLOWING_UNITS = 1500
#: topic buttons on one page of /topics (2 a row), and graphemes of a topic on a button
TOPIC_BUTTONS = 20
TOPIC_BUTTON_CHARS = 24
_MARKS = {TopicState.FOLLOWED: "✅", TopicState.NOT_FOLLOWED: "▫️", TopicState.SKIPPED: "🚫"}


@dataclass(frozen=True, slots=True)
class TopicOption:
    """A topic button of the /topics menu."""

    topic_id: int
    name: str
    state: TopicState


def topics_pages(options: int) -> int:
    return max(-(-options // TOPIC_BUTTONS), 1)


def topics_menu(
    options: Sequence[TopicOption],
    *,
    loc: Locale,
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
    status = topic_strings.PUSHES_ON if pushes_on else topic_strings.PUSHES_OFF
    following = truncate_units(following, FOLLOWING_UNITS)
    lines = [
        f"<b>{escape_html(loc(topic_strings.TOPICS_HEADER))}</b>",
        "",
        escape_html(loc(topic_strings.menu_status(status, following))),
        escape_html(loc(topic_strings.TAP_A_TOPIC)),
    ]
    if any(option.state is TopicState.SKIPPED for option in shown):
        lines.append(escape_html(loc(topic_strings.SKIPPED_MARK_HINT)))
    if not options:
        lines.append(escape_html(loc(topic_strings.NO_TOPICS_YET)))
    elif pages > 1:
        lines.append(escape_html(loc(topic_strings.menu_page(page, pages))))
    return Rendered(html="\n".join(lines), keyboard=_keyboard(shown, everything, page, pages, loc))


def _keyboard(
    shown: Sequence[TopicOption], everything: bool, page: int, pages: int, loc: Locale
) -> tuple[tuple[Button, ...], ...]:
    """The menu's buttons: "Everything" alone on a row, the topics two a row, page buttons."""
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                ("✅ " if everything else "▫️ ") + loc(topic_strings.EVERYTHING_BUTTON),
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
    return tuple(rows)


def unknown_topic(topic: str, closest: Sequence[TopicOption], loc: Locale) -> Rendered:
    """/subscribe of a topic nothing has: said so, and the closest known ones as buttons
    that subscribe to them."""
    if not closest:
        return Rendered(html=escape_html(loc(topic_strings.unknown_topic(topic))))
    buttons = tuple(
        (
            Button(
                f"➕ {truncate(option.name, TOPIC_BUTTON_CHARS)}",
                callback=callbacks.encode(callbacks.FollowTopic(option.topic_id)),
            ),
        )
        for option in closest
    )
    return Rendered(
        html=escape_html(loc(topic_strings.unknown_topic_closest(topic))), keyboard=buttons
    )
