"""bot.text.measure: grapheme counting and truncation, Telegram escaping, UTF-16 length."""

from __future__ import annotations

import pytest

from bot.text.measure import (
    ELLIPSIS,
    escape_html,
    grapheme_count,
    split_lead,
    truncate,
    utf16_length,
)

# Emoji and other multi-code-point clusters used below.
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # 👩‍👩‍👧: three people, two ZWJs
FLAG_JP = "\U0001f1ef\U0001f1f5"  # 🇯🇵: two regional indicators
THUMB_DARK = "\U0001f44d\U0001f3ff"  # 👍🏿: emoji + skin tone modifier
E_ACUTE = "e\u0301"  # e + COMBINING ACUTE ACCENT, not the precomposed é
HANGUL_GAG = "\u1100\u1161\u11a8"  # 각 spelled as three conjoining jamo (L V T)


def _case(id_: str, *values: object) -> object:
    return pytest.param(*values, id=id_)


# --------------------------------------------------------------------------- graphemes


@pytest.mark.parametrize(
    ("text", "count"),
    [
        _case("empty", "", 0),
        _case("ascii", "hello", 5),
        _case("crlf-is-one", "a\r\nb", 3),
        _case("cjk", "中文字", 3),
        _case("zwj-family", FAMILY * 2, 2),
        _case("flags", FLAG_JP * 3, 3),
        _case("skin-tone", THUMB_DARK, 1),
        _case("combining-mark", E_ACUTE * 4, 4),
        _case("hangul-jamo", HANGUL_GAG * 2, 2),
    ],
)
def test_grapheme_count_counts_user_perceived_characters(text: str, count: int) -> None:
    assert grapheme_count(text) == count


# --------------------------------------------------------------------------- truncate


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        _case("shorter-unchanged", "short text", 50, "short text"),
        _case("exact-limit-unchanged", "exactly ten", 11, "exactly ten"),
        _case("exact-limit-cjk-unchanged", "八个汉字正好八个", 8, "八个汉字正好八个"),
        _case("exact-limit-emoji-unchanged", FAMILY * 3, 3, FAMILY * 3),
        _case("ascii-cut-at-space", "the quick brown fox jumps", 18, "the quick brown..."),
        _case("ascii-already-at-boundary", "the quick brown fox", 15, "the quick brown..."),
        _case("long-word-cut-exactly", "a " + "x" * 40, 20, "a " + "x" * 18 + ELLIPSIS),
        _case("trailing-comma-stripped", "first, second", 6, "first..."),
        _case("trailing-period-stripped", "One. Two. Three.", 9, "One. Two..."),
        _case("cjk-cut-exactly", "汉字文本没有空格所以在限制处截断", 6, "汉字文本没有..."),
        _case("cjk-comma-stripped", "第一，第二，第三", 3, "第一..."),
        _case(
            "cjk-after-latin-word",
            "模型 Transformer 的结构非常简单",
            17,
            "模型 Transformer 的结...",
        ),
        _case("zwj-family-not-split", FAMILY * 5, 2, FAMILY * 2 + ELLIPSIS),
        _case("flags-not-split", FLAG_JP * 4, 3, FLAG_JP * 3 + ELLIPSIS),
        _case("skin-tone-not-split", THUMB_DARK * 3, 1, THUMB_DARK + ELLIPSIS),
        _case("combining-not-split", E_ACUTE * 6, 4, E_ACUTE * 4 + ELLIPSIS),
        _case("hangul-jamo-not-split", HANGUL_GAG * 5, 2, HANGUL_GAG * 2 + ELLIPSIS),
        _case("zero-limit", "anything", 0, ELLIPSIS),
    ],
)
def test_truncate_cuts_on_grapheme_boundaries(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected


def test_truncate_prefers_word_boundary_only_near_the_limit() -> None:
    words = "lorem ipsum " * 50
    cut = truncate(words, 100)
    assert cut.endswith(ELLIPSIS)
    assert cut[: -len(ELLIPSIS)].split()[-1] in ("lorem", "ipsum")  # no half word
    assert grapheme_count(cut) >= 100 - 15 + len(ELLIPSIS)  # the space was within ~15%


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 8, 13])
def test_truncate_never_exceeds_limit_on_mixed_scripts(limit: int) -> None:
    text = f"Hi {FAMILY} 你好 {E_ACUTE}cole {FLAG_JP} {HANGUL_GAG}와 {THUMB_DARK} end"
    cut = truncate(text, limit)
    assert cut.endswith(ELLIPSIS)
    body = cut[: -len(ELLIPSIS)]
    assert grapheme_count(body) <= limit
    assert text.startswith(body)
    # cut between clusters: splitting one would leave an extra cluster on each side
    assert grapheme_count(body) + grapheme_count(text[len(body) :]) == grapheme_count(text)


# --------------------------------------------------------------------------- escaping & length


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        _case("plain", "hello", "hello"),
        _case("ampersand-first", "&lt; stays literal", "&amp;lt; stays literal"),
        _case("angle-brackets", "<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        _case("double-quote", 'say "hi"', "say &quot;hi&quot;"),
        _case("single-quote-untouched", "it's", "it's"),
        _case("cjk-untouched", "中文", "中文"),
    ],
)
def test_escape_html_for_telegram(text: str, expected: str) -> None:
    assert escape_html(text) == expected


@pytest.mark.parametrize(
    ("text", "length"),
    [
        _case("empty", "", 0),
        _case("ascii", "abc", 3),
        _case("bmp-cjk", "中文", 2),
        _case("astral-emoji", "\U0001f600", 2),
        _case("zwj-family", FAMILY, 8),
        _case("flag", FLAG_JP, 4),
        _case("astral-han", "\U00020000", 2),
    ],
)
def test_utf16_length_counts_surrogate_pairs(text: str, length: int) -> None:
    assert utf16_length(text) == length


@pytest.mark.parametrize(
    ("text", "title", "rest"),
    [
        pytest.param("A short note", "A short note", "", id="fits-all-title"),
        pytest.param(
            "Deploys paused today, the database migration takes longer than planned",
            "Deploys paused today...",
            "...the database migration takes longer than planned",
            id="cut-at-a-word",
        ),
        pytest.param(
            "今日は晴れです。明日は雨でしょう", "今日は晴れです...", "...明日は雨でしょう", id="cjk"
        ),
    ],
)
def test_an_untitled_text_splits_into_a_title_and_a_rest_that_does_not_repeat_it(
    text: str, title: str, rest: str
) -> None:
    assert split_lead(text, 22 if text.isascii() else 8) == (title, rest)
