"""/search words: split, bounded, matched by word (pure), and their page buttons' data."""

from __future__ import annotations

import re

import pytest

from bot.chat.search import read_search
from bot.render import callbacks
from bot.text.search import (
    MAX_WORD_CHARS,
    MAX_WORDS,
    Refusal,
    Words,
    boundary_pattern,
    search_words,
)


def test_words_are_lowered_deduplicated_and_split_on_any_space() -> None:
    assert search_words("  CLIP  对比学习\u3000clip\tModel ") == Words(
        ("clip", "对比学习", "model")
    )


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("", Refusal.NO_WORDS),
        ("   \u200b ", Refusal.NO_WORDS),
        ("a b c", Refusal.TOO_SHORT),
        ("x" * (MAX_WORD_CHARS + 1), Refusal.TOO_LONG),
        (" ".join(["word"] * (MAX_WORDS + 1)), Refusal.TOO_LONG),
        ("q" * 3000, Refusal.TOO_LONG),
        ("NEAR(" * 600, Refusal.TOO_LONG),
    ],
)
def test_what_cannot_be_searched_for_says_why(text: str, refusal: Refusal) -> None:
    assert search_words(text) is refusal


def test_all_first_widens_the_search() -> None:
    assert read_search("all clip") == (Words(("clip",)), True)
    assert read_search("ALL") == (Refusal.NO_WORDS, True)
    assert read_search("allclip") == (Words(("allclip",)), False)
    assert read_search("clip all") == (Words(("clip", "all")), False)


@pytest.mark.parametrize(
    ("term", "text", "hit"),
    [
        ("clip", "CLIP, explained", True),
        ("clip", "an eclipse", False),
        ("clip", "clipboard", False),
        ("clip", "用CLIP做检索", True),
        ("c++", "why c++ templates", True),
        ("c++", "abc++", False),
        ("école", "L'ÉCOLE", True),
        ("сеть", "нейронная Сеть", True),
        ("a.b", "axb", False),
    ],
)
def test_word_boundaries(term: str, text: str, hit: bool) -> None:
    pattern = boundary_pattern(term)
    assert pattern is not None
    assert (re.search(pattern, text) is not None) is hit


def test_cjk_and_punctuation_need_no_boundary() -> None:
    assert boundary_pattern("学习") is None
    assert boundary_pattern("%%") is None
    assert boundary_pattern("(x)") is None


def test_search_page_buttons_round_trip_and_refuse_forgeries() -> None:
    action = callbacks.SearchResults(123456789, 42)
    assert callbacks.decode(callbacks.encode(action)) == action
    for forged in ("S:0:1", "S:1:0", "S:-1:2", "S:1:1000000", "S:99999999999999999999:1", "S:1"):
        assert callbacks.decode(forged) is None, forged
