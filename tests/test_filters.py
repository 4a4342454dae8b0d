"""Keyword filters: words and RE2 regexes, include and exclude, bad ones refused."""

from __future__ import annotations

import pytest

from bot.text.filters import MAX_PATTERN, FilterError, KeywordFilter, parse_filter, passes


def filters(*texts: str) -> list[KeywordFilter]:
    return [parse_filter(text) for text in texts]


@pytest.mark.parametrize(
    ("given", "title", "text", "expected"),
    [
        ((), "anything", "", True),
        (("+llm",), "New LLM paper", "", True),
        (("+llm",), "Rust 2.0", "about rust", False),
        (("+llm",), "llms are", "", False),  # whole words in spaced scripts
        (("+大模型",), "聊聊大模型推理", "", True),  # anywhere in CJK text
        (("-crypto",), "Crypto winter", "", False),
        (("-crypto",), "Cryptography basics", "", True),
        (("+llm", "-crypto"), "LLM for crypto", "", False),
        (("+llm", "+rust"), "Rust news", "", True),
        (("+/gpt-?[45]/",), "What GPT4 did", "", True),
        (("-/(nft|web3)/",), "Web3 is back", "", False),
        (("+/^release/",), "weekly", "release notes", False),  # ^ is the start of the title
    ],
)
def test_filters_include_and_exclude(
    given: tuple[str, ...], title: str, text: str, expected: bool
) -> None:
    assert passes(filters(*given), title, text) is expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("llm", "sign"),
        ("+", "sign"),
        ("+//", "empty"),
        ("+/(unclosed/", "regex"),
        ("+/(?<=x)y/", "regex"),  # lookbehind: not RE2, so not linear-time: refused
        ("+/" + "a" * (MAX_PATTERN + 1) + "/", "long"),
        ("+/((a{100}){100}){100}/", "regex"),  # over RE2's memory cap
    ],
)
def test_bad_filters_are_refused_with_the_reason(text: str, kind: str) -> None:
    with pytest.raises(FilterError) as raised:
        parse_filter(text)
    assert raised.value.kind == kind


def test_a_filter_reads_back_as_typed() -> None:
    assert [str(f) for f in filters("+llm", "-/crypto|nft/")] == ["+llm", "-/crypto|nft/"]
