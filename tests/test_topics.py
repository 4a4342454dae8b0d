"""Which topics an entry carries, and which chats want it."""

from __future__ import annotations

import pytest

from bot.domain import distinct_topics, normalise_topic, topic_key
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
    ("raw", "shown", "key"),
    [
        ("ML", "ML", "ml"),
        ("  Deep   Learning ", "Deep Learning", "deeplearning"),
        ("#Python", "Python", "python"),
        ("ＰＹＴＨＯＮ", "PYTHON", "python"),  # full-width letters from CJK input methods
        ("Straße", "Straße", "strasse"),
        ("Post-training", "Post-training", "posttraining"),
        ("post_training", "post_training", "posttraining"),
        ("POST TRAINING", "POST TRAINING", "posttraining"),
        ("机器 学习", "机器 学习", "机器学习"),
        ("---", "---", "---"),  # nothing but separators: keyed as itself, never ''
    ],
)
def test_a_topic_keeps_its_spelling_and_is_known_by_its_key(
    raw: str, shown: str, key: str
) -> None:
    assert normalise_topic(raw) == shown
    assert topic_key(raw) == key


def test_nothing_left_is_no_topic() -> None:
    assert normalise_topic("  # ") == ""
    assert distinct_topics(["", " ", "#"]) == ()


def test_distinct_topics_keep_the_first_spelling_of_each_key() -> None:
    names = ["RL", "rl", "Post-training", "post training", "POST_TRAINING", "ml"]
    assert distinct_topics(names) == ("RL", "Post-training", "ml")


def test_the_migrations_key_is_the_domains() -> None:
    """0011_topic_names keys stored topics with a frozen copy of ``topic_key``."""
    import importlib.util
    from pathlib import Path

    import bot.store

    path = Path(bot.store.__file__).parent / "migrations/versions/0011_topic_names.py"
    spec = importlib.util.spec_from_file_location("m0011", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    samples = ["RL", "Post-training", "post training", "ＰＹＴＨＯＮ", "Straße", "#ml", "---"]
    samples += ["a_b c", "机器 学习", "Σίσυφος", "x" * 60 + "-y"]
    assert [module.topic_key(s) for s in samples] == [topic_key(s) for s in samples]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        pytest.param("Debugging with PDB", "", ("Python",), id="keyword-case-insensitive"),
        pytest.param("pdbx format", "", (), id="whole-words-only"),
        pytest.param("", "本文介绍深度学习的基础", ("深度学习",), id="cjk-keyword-substring"),
        pytest.param("Modern C++ tips", "", ("cpp",), id="symbol-keyword"),
        pytest.param("Deep Learning with asyncio", "", ("Python", "深度学习"), id="two-rules"),
    ],
)
def test_keyword_rules(title: str, text: str, expected: tuple[str, ...]) -> None:
    assert entry_topics((), title, text, (), RULES) == expected


def test_categories_then_feed_topics_then_rules_deduplicated() -> None:
    topics = entry_topics(("ML", "python"), "asyncio", "", ("ml", "news"), RULES)
    assert topics == ("ML", "python", "news")  # first spellings; the rule's Python is python


def test_names_differing_in_case_dashes_underscores_or_spaces_are_one_topic() -> None:
    topics = entry_topics(("Post-training", "post training", "RL"), "", "", ("rl",), RULES)
    assert topics == ("Post-training", "RL")


@pytest.mark.parametrize(
    "category", ["RL, Post-training", "RL，Post-training", "RL、Post-training"]
)
def test_a_category_holding_a_list_is_each_of_its_items(category: str) -> None:
    assert entry_topics([category], "", "", [], compile_rules({})) == ("RL", "Post-training")


def test_the_chats_own_topics_come_first_in_the_meta_line() -> None:
    entry = view(1, topics=("ml", "python", "rust"))
    assert meta_line(own_topics_first(entry, ["rust", "python"]), EN).endswith("#python #rust #ml")
    assert meta_line(own_topics_first(entry, ["rust"]), EN).endswith("#rust #ml #python")
