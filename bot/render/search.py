"""A page of /search results: the words searched for, the entries, the page buttons."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import EntryView
from bot.render import callbacks
from bot.render.entries import fit_blocks
from bot.render.i18n import Locale
from bot.render.keyboards import Paging, page_row
from bot.render.message import MESSAGE_LIMIT, Rendered
from bot.render.pages import LABEL_UNITS
from bot.render.strings import search as search_strings
from bot.text.measure import escape_html, truncate_units

#: room kept free under the limit for the header, the note and the page line
_RESERVE = 400


def results(
    entries: Sequence[EntryView],
    paging: Paging,
    *,
    loc: Locale,
    words: str,
    everywhere: bool,
    scanned: int | None,
    summary_length: int,
    search_id: int | None,
) -> Rendered:
    """Entries found for ``words``, newest first, with page buttons when there are several
    pages (``search_id`` is then needed: the buttons find the words again through it)."""
    label = truncate_units(words, LABEL_UNITS)
    if everywhere:
        label += f" · {loc(search_strings.SEARCH_EVERY_TOPIC)}"
    header = f"<b>{escape_html(loc(search_strings.SEARCH_HEADER))}</b>" + escape_html(f" · {label}")
    if scanned is not None:
        header += "\n" + escape_html(loc(search_strings.searched_newest(scanned)))
    blocks = fit_blocks(entries, summary_length, MESSAGE_LIMIT - _RESERVE, loc, numbered=False)
    body = header + "\n\n" + "\n\n".join(blocks)
    if search_id is not None and (paging.known_pages > 1 or paging.has_more):
        row = page_row(paging, lambda n: callbacks.SearchResults(search_id, n))
        return Rendered(html=body, keyboard=(row,))
    return Rendered(html=body)
