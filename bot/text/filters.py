"""Keyword filters of a chat: ``+word`` / ``-word`` / ``+/regex/``, read and applied. Pure.

Words match case-insensitively, whole words in spaced scripts and anywhere in CJK text (as
topic keywords do). Regular expressions run on RE2 (google-re2): linear time whatever the
pattern, with the pattern's length and RE2's memory capped, so no filter can stall the
poller. An entry passes when it holds one of the ``+`` filters (if there are any) and none
of the ``-`` ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import re2

MAX_PATTERN = 200  #: characters of one word or regular expression
MAX_FILTERS = 20  #: filters of one chat
RE2_MEMORY = 1 << 20  #: bytes RE2 may use to compile one pattern
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class KeywordFilter:
    include: bool  #: "+": only entries with it; "-": only entries without it
    pattern: str
    regex: bool = False

    def __str__(self) -> str:
        sign = "+" if self.include else "-"
        return f"{sign}/{self.pattern}/" if self.regex else f"{sign}{self.pattern}"


class FilterError(ValueError):
    """A filter that cannot be used. ``kind``: sign | empty | long | regex; ``detail``:
    RE2's complaint about a regex (its own words, quoted as they are)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def parse_filter(text: str) -> KeywordFilter:
    """``+word``, ``-word``, ``+/regex/`` or ``-/regex/`` (regexes checked by compiling)."""
    text = text.strip()
    if len(text) < 2 or text[0] not in "+-":
        raise FilterError("sign")
    include, body = text[0] == "+", text[1:].strip()
    regex = len(body) >= 2 and body.startswith("/") and body.endswith("/")
    pattern = body[1:-1] if regex else body
    if not pattern:
        raise FilterError("empty")
    if len(pattern) > MAX_PATTERN:
        raise FilterError("long")
    found = KeywordFilter(include, pattern, regex)
    if regex:
        _regex(pattern)  # raises FilterError
    return found


def passes(filters: Sequence[KeywordFilter], title: str, text: str) -> bool:
    """Whether an entry with ``title`` and ``text`` gets through ``filters``."""
    if not filters:
        return True
    haystack = _fold(f"{title}\n{text}")
    includes = [f for f in filters if f.include]
    if includes and not any(_matches(f, haystack) for f in includes):
        return False
    return not any(_matches(f, haystack) for f in filters if not f.include)


def _matches(found: KeywordFilter, haystack: str) -> bool:
    if found.regex:
        try:
            return _regex(found.pattern).search(haystack) is not None
        except FilterError:  # stored before a limit changed: it matches nothing
            return False
    return _word(found.pattern).search(haystack) is not None


@cache
def _regex(pattern: str) -> re2._Regexp:
    options = re2.Options()
    options.max_mem = RE2_MEMORY
    options.case_sensitive = False
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        detail = error.args[0] if error.args else error
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        raise FilterError("regex", text) from None


@cache
def _word(word: str) -> re.Pattern[str]:
    """A literal word (no syntax): Python's re on an escaped literal runs in linear time."""
    folded = re.escape(_fold(word.strip()))
    return re.compile(folded if _UNSPACED.search(word) else rf"(?<!\w){folded}(?!\w)")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()
