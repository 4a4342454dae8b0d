"""Words for moments and spans of time: just now, due now, never, in 5m, 2h ago."""

from __future__ import annotations

from bot.render.strings._base import Msg, Text, _

NEVER = _("never")
JUST_NOW = _("just now")
DUE_NOW = _("due now")


def in_time(span: Text) -> Msg:
    return _("in {span}", span=span)


def time_ago(span: Text) -> Msg:
    return _("{span} ago", span=span)
