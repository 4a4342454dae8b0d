"""Which topics an entry carries, and which chats want it."""

from __future__ import annotations

import pytest

from bot.domain import normalise_topic
from bot.ingest.topics import compile_rules, entry_topics
from bot.render.entries import meta_line, own_topics_first
from bot.render.i18n import EN
from tests.factories import view

RULES = compile_rules(
    {
        "Python": ["python", "pdb", "asyncio"],
        "深度学习": ["深度学习", "deep learning"],
        "cpp": ["c++"],
    }
)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("ML", "ml"),
        ("  Deep   Learning ", "deep learning"),
        ("#Python", "python"),
        ("ＰＹＴＨＯＮ", "python"),  # full-width letters from CJK input methods
        ("Straße", "strasse"),
        ("机器学习", "机器学习"),
        ("   ", ""),
    ],
)
def test_normalise_topic(raw: str, normalised: str) -> None:
    assert normalise_topic(raw) == normalised


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        pytest.param("Debugging with PDB", "", ("python",), id="keyword-case-insensitive"),
        pytest.param("pdbx format", "", (), id="whole-words-only"),
        pytest.param("", "本文介绍深度学习的基础", ("深度学习",), id="cjk-keyword-substring"),
        pytest.param("Modern C++ tips", "", ("cpp",), id="symbol-keyword"),
        pytest.param("Deep Learning with asyncio", "", ("python", "深度学习"), id="two-rules"),
    ],
)
def test_keyword_rules(title: str, text: str, expected: tuple[str, ...]) -> None:
    assert entry_topics((), title, text, (), RULES) == expected


def test_categories_then_feed_topics_then_rules_deduplicated() -> None:
    topics = entry_topics(("ML", "python"), "asyncio", "", ("ml", "news"), RULES)
    assert topics == ("ml", "python", "news")


@pytest.mark.parametrize(
    "category", ["RL, Post-training", "RL，Post-training", "RL、Post-training"]
)
def test_a_category_holding_a_list_is_each_of_its_items(category: str) -> None:
    assert entry_topics([category], "", "", [], compile_rules({})) == ("rl", "post-training")


def test_the_chats_own_topics_come_first_in_the_meta_line() -> None:
    entry = view(1, topics=("ml", "python", "rust"))
    assert meta_line(own_topics_first(entry, ["rust", "python"]), EN).endswith("#python #rust #ml")
    assert meta_line(own_topics_first(entry, ["rust"]), EN).endswith("#rust #ml #python")
