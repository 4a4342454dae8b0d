"""What /search and its page buttons do: read the words, search, keep them for the buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain import ChatInfo
from bot.render import search as render
from bot.render.i18n import Locale, Msg
from bot.render.keyboards import Paging
from bot.render.message import ButtonReply, Rendered, message
from bot.render.strings import commands as command_strings
from bot.render.strings import reading as reading_strings
from bot.render.strings import search as search_strings
from bot.store import SearchPage, Store
from bot.text.search import MAX_WORD_CHARS, MAX_WORDS, Refusal, Words, search_words

#: the first word that widens a search beyond the chat's topics
EVERYWHERE = "all"


def read_search(argument: str) -> tuple[Words | Refusal, bool]:
    """The words of ``/search [all] <words>``, and whether ``all`` came first."""
    first, _, rest = argument.strip().partition(" ")
    if first.lower() == EVERYWHERE:
        return search_words(rest), True
    return search_words(argument), False


def refusal_text(refusal: Refusal) -> Msg:
    match refusal:
        case Refusal.NO_WORDS:
            return search_strings.search_usage(MAX_WORDS, MAX_WORD_CHARS)
        case Refusal.TOO_LONG:
            return search_strings.search_too_long(MAX_WORDS, MAX_WORD_CHARS)
        case Refusal.TOO_SHORT:
            return search_strings.SEARCH_TOO_SHORT


class Search:
    """/search for one bot: the store and the page size of its pages (each chat's pages in
    its own language, time zone and summary length)."""

    def __init__(self, store: Store, *, page_size: int, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._page_size = page_size
        self._clock = clock

    async def command(
        self, chat: ChatInfo, argument: str, *, loc: Locale, summary_length: int
    ) -> Rendered:
        """``/search [all] <words>``: page 1, or a one-line answer."""
        words, everywhere = read_search(argument)
        if isinstance(words, Refusal):
            return message(loc(refusal_text(words)))
        if not everywhere and not chat.all_topics and not chat.topics:
            return message(loc(search_strings.SEARCH_NEEDS_TOPICS))
        found = await self._page(chat, words.terms, everywhere, 1)
        if not found.page.entries:
            whole = everywhere or (chat.all_topics and not chat.excluded_topics)
            return message(loc(search_strings.nothing_found(words.label, whole, found.scanned)))
        search_id = None
        if found.page.known_pages > 1 or found.page.has_more:
            search_id = await self._store.save_search(
                chat.id, words.terms, everywhere, self._clock()
            )
        return self._render(found, words.label, everywhere, search_id, loc, summary_length)

    async def button(
        self, chat: ChatInfo, search_id: int, page: int, *, loc: Locale, summary_length: int
    ) -> ButtonReply:
        """A page button of a /search reply; another chat's or a forgotten search expires."""
        saved = await self._store.saved_search(search_id, chat.id)
        if saved is None:
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        found = await self._page(chat, saved.words, saved.everything, page)
        if not found.page.entries:
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        label = " ".join(saved.words)
        rendered = self._render(found, label, saved.everything, search_id, loc, summary_length)
        return ButtonReply(answer=loc(reading_strings.page_number(page)), edit=rendered)

    async def _page(
        self, chat: ChatInfo, terms: tuple[str, ...], everywhere: bool, page: int
    ) -> SearchPage:
        wanted = None if everywhere or chat.all_topics else list(chat.topics)
        excluded = chat.excluded_topics if not everywhere and chat.all_topics else ()
        return await self._store.search_page(terms, wanted, page, self._page_size, excluded)

    def _render(
        self,
        found: SearchPage,
        label: str,
        everywhere: bool,
        search_id: int | None,
        loc: Locale,
        summary_length: int,
    ) -> Rendered:
        page = found.page
        return render.results(
            page.entries,
            Paging(page.number, page.known_pages, page.has_more),
            loc=loc,
            words=label,
            everywhere=everywhere,
            scanned=found.scanned,
            summary_length=summary_length,
            search_id=search_id,
        )
