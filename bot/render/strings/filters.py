"""Words for /filter: the chat's filters, and what adding or clearing one answers."""

from __future__ import annotations

from bot.render.strings._base import Msg, Text, _

# ----------------------------------------------------------------------------- /filter

FILTERS_HEADER = _("FILTERS")
NO_FILTERS = _("No filters: every entry of the chat's topics arrives.")
FILTERS_CLEARED = _("Filters cleared: every entry of the chat's topics arrives.")
FILTERS_HOW = _(
    "+word: only entries with it · -word: only entries without it · +/regex/ or -/regex/ "
    "(RE2 syntax) · /filter clear"
)
FILTER_SIGN = _("a filter starts with + or -")
FILTER_EMPTY = _("nothing after the + or -")
ONLY_GROUP_ADMINS_FILTERS = _("Only group admins can change this group's filters.")


def filter_added(shown: Text) -> Msg:
    return _("Filter added: {shown}. It applies to entries queued from now on.", shown=shown)


def filter_exists(shown: Text) -> Msg:
    return _("This chat already has the filter {shown}.", shown=shown)


def bad_filter(text: Text, reason: Text) -> Msg:
    return _("{text} is not a filter I can use ({reason}).", text=text, reason=reason)


def too_many_filters(limit: int) -> Msg:
    return _("A chat has at most {limit} filters: /filter clear, then add again.", limit=limit)


def bad_regex(detail: Text) -> Msg:
    return _("RE2 cannot compile it: {detail}", detail=detail)


def filter_too_long(limit: int) -> Msg:
    return _("longer than {limit} characters", limit=limit)
