"""The buttons under a single-entry push: open, more/less, mute this feed, less of #topic."""

from __future__ import annotations

from bot.domain import EntryView
from bot.render import callbacks
from bot.render.entries import hashtag
from bot.render.i18n import Locale
from bot.render.message import Button, Keyboard
from bot.render.strings import reading as reading_strings


def push_keyboard(
    entry: EntryView,
    *,
    loc: Locale,
    summary_length: int,
    expanded: bool = False,
    muted: bool = False,
    fewer: bool = False,
) -> Keyboard:
    """Row one: the link and, when the text is longer than the summary, more or less. Row
    two: mute the feed here and less of the entry's first topic, each an undo once used."""

    def press(op: str) -> str:
        return callbacks.encode(callbacks.EntryAction(op, entry.entry_id, expanded))

    first: list[Button] = []
    if entry.link:
        first.append(Button(text=loc(reading_strings.OPEN_LINK), url=entry.link))
    if expanded:
        first.append(Button(loc(reading_strings.LESS_BUTTON), callback=press(callbacks.LESS)))
    elif len(entry.text) > summary_length:
        first.append(Button(loc(reading_strings.MORE_BUTTON), callback=press(callbacks.MORE)))
    second = [
        Button(loc(reading_strings.UNDO_BUTTON), callback=press(callbacks.UNMUTE))
        if muted
        else Button(loc(reading_strings.MUTE_BUTTON), callback=press(callbacks.MUTE))
    ]
    tag = hashtag(entry.topics[0]) if entry.topics else ""
    if tag:
        second.append(
            Button(loc(reading_strings.UNDO_BUTTON), callback=press(callbacks.RESTORE))
            if fewer
            else Button(loc(reading_strings.fewer_button(tag)), callback=press(callbacks.FEWER))
        )
    return tuple(row for row in (tuple(first), tuple(second)) if row)
