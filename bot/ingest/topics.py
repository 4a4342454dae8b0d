"""Which topics an entry carries: its own categories, its feed's topics, keyword rules.

Pure. Topic names keep their spelling (``bot.domain.normalise_topic``) and are one topic per
``bot.domain.topic_key`` (the first spelling met wins); keyword matching is
case-insensitive. A keyword made of letters/digits in a space-separated script matches as a
whole word ("pdb" does not match "pdbx"); a keyword containing CJK (or other characters
without word spacing) matches as a substring, because those scripts have no spaces to
anchor on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain import normalise_topic, topic_key

# Han, Hiragana, Katakana, Hangul, CJK punctuation/compat: scripts written without spaces.
_UNSPACED = re.compile(
    r"[\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


#: what separates the items of a category that holds a list: commas (also full-width) and 、
_LIST = re.compile(r"[,，、]")


@dataclass(frozen=True, slots=True)
class TopicRules:
    """Compiled keyword rules: one pattern per topic."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()


def compile_rules(rules: Mapping[str, Sequence[str]]) -> TopicRules:
    """``{topic: [keyword, ...]}`` -> :class:`TopicRules` (topics cleaned, spelling kept)."""
    compiled = []
    for topic, keywords in rules.items():
        name = normalise_topic(topic)
        alternatives = [_keyword_pattern(k) for k in keywords if k.strip()]
        if name and alternatives:
            compiled.append((name, re.compile("|".join(alternatives))))
    return TopicRules(tuple(compiled))


def _keyword_pattern(keyword: str) -> str:
    folded = _fold(keyword.strip())
    escaped = re.escape(folded)
    if _UNSPACED.search(folded):
        return escaped
    # (?<!\w) / (?!\w) rather than \b so that keywords like "c++" or ".net" still anchor.
    return rf"(?<!\w){escaped}(?!\w)"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def entry_topics(
    categories: Iterable[str],
    title: str,
    text: str,
    feed_topics: Iterable[str],
    rules: TopicRules,
) -> tuple[str, ...]:
    """Topics of one entry, deduplicated, in a stable order: categories, feed, rules.
    A category holding a list ("a, b", "a，b", "a、b") is each of its items."""
    topics: dict[str, str] = {}  # key -> the first spelling, in order
    listed = (item for category in categories for item in _LIST.split(category))
    for raw in (*listed, *feed_topics):
        name = normalise_topic(raw)
        if name:
            topics.setdefault(topic_key(name), name)
    if rules.patterns:
        haystack = _fold(f"{title}\n{text}")
        for name, pattern in rules.patterns:
            if topic_key(name) not in topics and pattern.search(haystack):
                topics[topic_key(name)] = name
    return tuple(topics.values())
