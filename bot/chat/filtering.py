"""/filter: list, add and clear a chat's keyword filters (applied when pushes are queued)."""

from __future__ import annotations

from bot.chat.base import ChatContext, CommandBase
from bot.render.i18n import Locale, Msg
from bot.render.message import Rendered, message
from bot.render.strings import filters as filter_strings
from bot.text.filters import MAX_FILTERS, MAX_PATTERN, FilterError, parse_filter
from bot.text.measure import escape_html, truncate


class FilterCommands(CommandBase):
    """The /filter command."""

    async def filter(self, ctx: ChatContext, argument: str, *, may_change: bool) -> Rendered:
        """``/filter`` lists; ``+word``, ``-word``, ``+/regex/``, ``-/regex/`` add one;
        ``clear`` drops them all. Changes take a group's admins (``may_change``)."""
        chat = await self._chat(ctx)
        loc = self.locale_of(chat)
        wanted = argument.strip()
        if not wanted:
            return _listing(chat.filters, loc)
        if not may_change:
            return message(loc(filter_strings.ONLY_GROUP_ADMINS_FILTERS))
        if wanted.lower() == "clear":
            await self._store.set_filters(chat.id, (), self._clock())
            return message(loc(filter_strings.FILTERS_CLEARED))
        try:
            found = parse_filter(wanted)
        except FilterError as error:
            problem = filter_strings.bad_filter(truncate(wanted, 60), _reason(error))
            return message(loc(problem) + "\n" + loc(filter_strings.FILTERS_HOW))
        current = [parse_filter(text) for text in chat.filters]
        if found in current:
            return message(loc(filter_strings.filter_exists(str(found))))
        if len(current) >= MAX_FILTERS:
            return message(loc(filter_strings.too_many_filters(MAX_FILTERS)))
        await self._store.set_filters(chat.id, [*current, found], self._clock())
        return message(loc(filter_strings.filter_added(str(found))))


def _reason(error: FilterError) -> Msg:
    if error.kind == "regex":
        return filter_strings.bad_regex(truncate(error.detail, 120))
    if error.kind == "long":
        return filter_strings.filter_too_long(MAX_PATTERN)
    return filter_strings.FILTER_SIGN if error.kind == "sign" else filter_strings.FILTER_EMPTY


def _listing(filters: tuple[str, ...], loc: Locale) -> Rendered:
    lines = [f"<b>{escape_html(loc(filter_strings.FILTERS_HEADER))}</b>", ""]
    shown = filters or (loc(filter_strings.NO_FILTERS),)
    lines += [escape_html(text) for text in shown]
    lines += ["", escape_html(loc(filter_strings.FILTERS_HOW))]
    return Rendered(html="\n".join(lines))
