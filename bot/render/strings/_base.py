"""What every module of words shares: the ``_`` marker, the Msg and Text types, the brand."""

from __future__ import annotations

from bot.render.i18n import Msg as Msg
from bot.render.i18n import Text as Text
from bot.render.i18n import _ as _

#: names whose text is the brand: the same words in every language, so not marked ``_``
BRAND = ("TRANSMISSION_HEADER", "LATEST_HEADER", "HELP_HEADER")
