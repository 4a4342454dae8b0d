"""The paged messages of entries: INCOMING TRANSMISSION pushes and LATEST UPDATES pages.

Every message this module returns respects the Bot API whatever the entries hold: only
Telegram's HTML tags (``b``, ``i``, ``a``), all text escaped, at most 4096 characters as
Telegram counts them (UTF-16 units of the text after entities), ``callback_data`` within 64
bytes. When a page's entries would not fit, their summaries are cut shorter, never the
markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import EntryView
from bot.render import callbacks
from bot.render.actions import push_keyboard
from bot.render.entries import fit_blocks
from bot.render.i18n import Locale
from bot.render.keyboards import Paging, page_row
from bot.render.message import MESSAGE_LIMIT, Button, Rendered
from bot.render.strings import reading as reading_strings
from bot.text.measure import escape_html, truncate_units

#: room kept free under the limit for the header and the page line
_RESERVE = 200
#: UTF-16 units of a topic label in a LATEST UPDATES header (part of ``_RESERVE``)
LABEL_UNITS = 150


def transmission(
    entries: Sequence[EntryView],
    *,
    loc: Locale,
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
    header = f"<b>{reading_strings.TRANSMISSION_HEADER}</b>"
    if len(entries) > 1:
        header += escape_html(f" · {loc(reading_strings.new_entries(len(entries)))}")
    numbered = len(entries) > 1
    first = (page - 1) * page_size + 1
    blocks = fit_blocks(
        shown, summary_length, MESSAGE_LIMIT - _RESERVE, loc, numbered=numbered, first=first
    )
    body = header + "\n\n" + "\n\n".join(blocks)
    rows: list[tuple[Button, ...]] = []
    links = [
        Button(text=_open_label(loc, number, numbered), url=e.link)
        for number, e in enumerate(shown, start=first)
        if e.link
    ]
    if links:
        rows.append(tuple(links))
    if pages > 1 and transmission_id is not None:
        paging = Paging(number=page, known_pages=pages, has_more=False)
        rows.append(page_row(paging, lambda n: callbacks.TransmissionPage(transmission_id, n)))
    if len(entries) == 1 and entries[0].entry_id > 0:  # a single push: its action buttons
        return single_push(entries[0], loc=loc, summary_length=summary_length)
    return Rendered(html=body, keyboard=tuple(rows))


#: what "more" shows: the entry's stored text, as much as the message limit leaves room for
FULL_TEXT = MESSAGE_LIMIT


def single_push(
    entry: EntryView,
    *,
    loc: Locale,
    summary_length: int,
    expanded: bool = False,
    muted: bool = False,
    fewer: bool = False,
) -> Rendered:
    """An INCOMING TRANSMISSION of one entry with its action buttons (see ``actions``)."""
    shown = FULL_TEXT if expanded else summary_length
    (block,) = fit_blocks([entry], shown, MESSAGE_LIMIT - _RESERVE, loc, numbered=False)
    keyboard = push_keyboard(
        entry, loc=loc, summary_length=summary_length, expanded=expanded, muted=muted, fewer=fewer
    )
    return Rendered(
        html=f"<b>{reading_strings.TRANSMISSION_HEADER}</b>\n\n{block}", keyboard=keyboard
    )


def _open_label(loc: Locale, number: int, numbered: bool) -> str:
    """The link button of the entry numbered ``number`` in the message."""
    return f"{number} ↗" if numbered else loc(reading_strings.OPEN_LINK)


def latest(
    entries: Sequence[EntryView],
    paging: Paging,
    *,
    loc: Locale,
    summary_length: int,
    topic_label: str | None,
    topic_id: int | None,
) -> Rendered:
    """A LATEST UPDATES page with page-number buttons."""
    header = f"<b>{reading_strings.LATEST_HEADER}</b>"
    if topic_label:
        header += escape_html(f" · {truncate_units(topic_label, LABEL_UNITS)}")
    if not entries:
        hint = (
            reading_strings.NO_UPDATES_ON_PAGE if paging.number > 1 else reading_strings.NOTHING_YET
        )
        return Rendered(html=f"{header}\n\n{escape_html(loc(hint))}")
    blocks = fit_blocks(entries, summary_length, MESSAGE_LIMIT - _RESERVE, loc, numbered=False)
    body = header + "\n\n" + "\n\n".join(blocks)
    if paging.known_pages > 1 or paging.has_more:
        row = page_row(paging, lambda n: callbacks.LatestPage(topic_id, n))
        return Rendered(html=body, keyboard=(row,))
    return Rendered(html=body)
