"""The words of a /search: split, bounded, and the word-boundary pattern of each (pure).

Words are text, never syntax: each is matched as a literal substring of the entry's title
and text (case-insensitively), and a word that begins or ends with a letter or digit of an
alphabetic script must also begin or end a word there (``clip`` finds "CLIP" and "clip,"
but not "eclipse"). CJK characters are no word characters: ``学习`` is found inside
``对比学习笔记``, and ``clip`` inside ``用clip做检索``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum

#: at most this many words in one search, each at most this many characters
MAX_WORDS = 8
MAX_WORD_CHARS = 40
#: characters that make a word: digits and the letters of Latin, Greek and Cyrillic (both
#: cases, so the class needs no case flag). Written out, not as escapes, so that Python's
#: ``re`` and PostgreSQL's regular expressions read it alike.
WORD_CHARS = "0-9A-Za-zªµºÀ-ÖØ-öø-ɏͰ-ϿЀ-ӿ"
_REGEX_SPECIAL = frozenset("\\.^$|?*+()[]{}")


class Refusal(Enum):
    """Why a search was not run."""

    NO_WORDS = "no words"
    TOO_LONG = "more than MAX_WORDS words, or a word longer than MAX_WORD_CHARS"
    TOO_SHORT = "only one-character words"


@dataclass(frozen=True, slots=True)
class Words:
    """The words to look for: lower-cased, deduplicated, in the order given."""

    terms: tuple[str, ...]

    @property
    def label(self) -> str:
        return " ".join(self.terms)


def search_words(text: str) -> Words | Refusal:
    """The words in ``text``, or why they cannot be searched for."""
    text = text.strip()
    if len(text) > MAX_WORDS * (MAX_WORD_CHARS + 1):  # too long whatever its words are
        return Refusal.TOO_LONG
    cleaned = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    raw = cleaned.split()
    if not raw:
        return Refusal.NO_WORDS
    if len(raw) > MAX_WORDS or any(len(word) > MAX_WORD_CHARS for word in raw):
        return Refusal.TOO_LONG
    terms = tuple(dict.fromkeys(word.lower() for word in raw))
    if all(len(term) < 2 for term in terms):
        return Refusal.TOO_SHORT
    return Words(terms)


def is_word_char(ch: str) -> bool:
    return (ch.isascii() and ch.isalnum()) or _in_word_ranges(ch)


def _in_word_ranges(ch: str) -> bool:
    code = ord(ch)
    if code < 0x80:
        return False
    return (
        ch in "ªµº"
        or (0xC0 <= code <= 0x24F and code not in (0xD7, 0xF7))
        or 0x370 <= code <= 0x3FF
        or 0x400 <= code <= 0x4FF
    )


def boundary_pattern(term: str) -> str | None:
    """A regular expression (Python's and PostgreSQL's alike) that finds ``term`` only where
    its letter or digit ends are word ends, case-insensitively; None when neither end is a
    letter or digit (the substring match is then exact)."""
    before = is_word_char(term[0])
    after = is_word_char(term[-1])
    if not (before or after):
        return None
    body = "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in term)
    return (
        "(?i)"
        + (f"(?<![{WORD_CHARS}])" if before else "")
        + body
        + (f"(?![{WORD_CHARS}])" if after else "")
    )
