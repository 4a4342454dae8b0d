"""Measuring text for Telegram: graphemes, UTF-16 units, truncation, HTML escaping.

The only module that imports ``regex`` (grapheme clusters). Pure: no I/O; the only state
is compiled patterns.
"""

from __future__ import annotations

import functools
import re

import regex

ELLIPSIS = "..."

__all__ = [
    "CJK_CHAR",
    "ELLIPSIS",
    "escape_html",
    "grapheme_count",
    "split_lead",
    "truncate",
    "truncate_units",
    "utf16_length",
]

#: Share of the limit, at its end, in which truncate prefers to cut at a space.
_WORD_CUT_WINDOW = 0.15

# Han (with radicals and the supplementary planes), Kana, Hangul (jamo and syllables), plus
# CJK punctuation and full-width forms. Plain code point ranges: ``re`` scans these several
# times faster than ``regex`` scans \p{Han} and friends.
CJK_CHAR = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0003ffff]"
)
_GRAPHEME = regex.compile(r"\X")

# What truncate strips from the end before appending the ellipsis.
_TRAILING = " \t\n\r\f\v\u00a0\u3000,.;:!?-–—…、，。；：！？·"


def grapheme_count(text: str) -> int:
    """Number of user-perceived characters (extended grapheme clusters)."""
    if text.isascii():
        return len(text) - text.count("\r\n")  # CR LF is the only ASCII cluster of two
    return len(_GRAPHEME.findall(text))


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` grapheme clusters and append ``ELLIPSIS``.

    Never splits a cluster (CJK, emoji sequences, combining marks, Hangul jamo). Space-
    separated text is cut at the last space in the final ~15% of the limit when there is
    one; CJK text is cut exactly. Text that fits is returned unchanged.
    """
    if len(text) <= limit:  # code points >= clusters, so this surely fits
        return text
    if limit <= 0:
        return ELLIPSIS
    probe = text[: limit + 1]
    if probe.isascii() and "\r" not in probe:
        cut = limit  # every ASCII character but CR LF is a cluster of its own
    else:
        head = _head_pattern(limit).match(text)
        cut = head.end() if head else 0
    if cut >= len(text):
        return text
    cut = _word_cut(text, cut, limit)
    return text[:cut].rstrip(_TRAILING) + ELLIPSIS


def split_lead(text: str, limit: int) -> tuple[str, str]:
    """Text without a title -> (a title: its first ``limit`` graphemes, cut as
    :func:`truncate` cuts; the rest, to show as the summary).

    The rest starts where the title stopped, with ``ELLIPSIS`` for the break, so an untitled
    entry never shows its opening twice. Text that fits is all title and no rest.
    """
    lead = truncate(text, limit)
    if lead == text:
        return text, ""
    shown = lead.removesuffix(ELLIPSIS)  # truncate only strips what follows the cut
    rest = text[len(shown) :].lstrip(_TRAILING)
    return lead, ELLIPSIS + rest if rest else ""


def escape_html(text: str) -> str:
    """Escape for Telegram's HTML parse mode (safe in text and in attribute values)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram's 4096 limit is counted in."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def truncate_units(text: str, max_units: int) -> str:
    """Cut ``text`` so that it, with ``ELLIPSIS`` when cut, takes at most ``max_units`` UTF-16
    units, on a grapheme boundary. A budget in graphemes alone is not enough: one cluster
    (a family emoji, a letter with stacked marks) can be dozens of units."""
    if utf16_length(text) <= max_units:
        return text
    room = max_units - len(ELLIPSIS)
    if room <= 0:
        return ""
    kept: list[str] = []
    used = 0
    for cluster in _GRAPHEME.findall(text):
        size = utf16_length(cluster)
        if used + size > room:
            break
        kept.append(cluster)
        used += size
    return "".join(kept).rstrip(_TRAILING) + ELLIPSIS


@functools.lru_cache(maxsize=32)
def _head_pattern(limit: int) -> regex.Pattern[str]:
    """Matches the first ``limit`` grapheme clusters (one C-level scan, no list)."""
    return regex.compile(rf"\X{{0,{limit}}}")


def _word_cut(text: str, cut: int, limit: int) -> int:
    """Move a cut that falls inside a word back to the last space, if one is near."""
    before, after = text[cut - 1], text[cut]
    if before.isspace() or after.isspace():
        return cut  # already between words
    if CJK_CHAR.match(before) or CJK_CHAR.match(after):
        return cut  # CJK has no spaces: cut exactly
    space = text.rfind(" ", 0, cut)
    if space <= 0:
        return cut
    window = max(1, int(limit * _WORD_CUT_WINDOW))
    if grapheme_count(text[space + 1 : cut]) > window:
        return cut  # a very long word: keep the exact cut
    return space
