"""The SAX driver feedparser parses XML with: the standard expat reader, text buffered.

Without buffering, expat hands over character data a line (or an entity) at a time, and
feedparser runs its text handler, and a dictionary lookup in it, for every piece: a
typical blog entry's content arrives in dozens of pieces. With ``buffer_text`` expat joins
adjacent pieces and hands over one string before any other event, so feedparser sees the
same text in a few calls. :mod:`bot.ingest.rss_atom` names this module to feedparser
(``xml.sax.make_parser`` imports a driver by name and calls its ``create_parser``).
"""

from __future__ import annotations

from typing import Any
from xml.sax.expatreader import ExpatParser

__all__ = ["create_parser"]

#: the most character data expat keeps before handing it over (allocated once per parse)
_BUFFER = 64 * 1024


class BufferedExpatParser(ExpatParser):
    """ExpatParser whose underlying expat parser joins adjacent character data."""

    def reset(self) -> None:
        super().reset()
        parser: Any = self._parser  # type: ignore[attr-defined]  # set by super().reset()
        parser.buffer_text = True
        parser.buffer_size = _BUFFER


def create_parser(*args: Any, **kwargs: Any) -> BufferedExpatParser:
    """What ``xml.sax.make_parser`` calls on a driver module."""
    return BufferedExpatParser(*args, **kwargs)
