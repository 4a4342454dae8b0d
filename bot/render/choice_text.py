"""How a chat's topic choice reads: what it follows, what it receives, what a toggle did."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import TopicChoice
from bot.render.i18n import Locale, Text
from bot.render.strings import reading as reading_strings
from bot.render.strings import topics as topic_strings
from bot.text.measure import utf16_length

#: UTF-16 units of a topic list in a reply
LIST_UNITS = 1000


def following(choice: TopicChoice, loc: Locale, units: int = LIST_UNITS) -> str:
    """What the chat follows, in a few words: "every topic", "everything except: ml",
    "ml, python" or "no topics" (long lists end in "… and N more")."""
    if choice.everything:
        if not choice.excluded:
            return loc(topic_strings.EVERY_TOPIC)
        prefix = loc(topic_strings.EVERYTHING_EXCEPT)
        return prefix + bounded_list(sorted(choice.excluded), loc, units - len(prefix))
    return bounded_list(sorted(choice.only), loc, units) or loc(topic_strings.NO_TOPICS)


def receives(choice: TopicChoice, loc: Locale) -> str:
    if choice.everything:
        return loc(topic_strings.receives_every(following(choice, loc)))
    return loc(topic_strings.receives_only(following(choice, loc)))


def toggled(before: TopicChoice, after: TopicChoice, topic: str, loc: Locale) -> str:
    return loc(_toggled(before, after, topic))


def _toggled(before: TopicChoice, after: TopicChoice, topic: str) -> Text:
    """The answer to a topic button press."""
    if after.everything:
        if topic in before.excluded:
            return topic_strings.taking_again(topic)
        return topic_strings.FOLLOWING_EVERYTHING
    if before.everything:
        return topic_strings.following_only(topic)
    if topic in after.only:
        return topic_strings.following_topic(topic)
    return topic_strings.dropped(topic)


def bounded_list(names: Sequence[str], loc: Locale, units: int, separator: str = ", ") -> str:
    """``names`` joined, as many as fit in ``units`` UTF-16 units with room for an
    "… and N more" for the rest."""
    total = utf16_length(separator.join(names))
    if total <= units:
        return separator.join(names)
    kept: list[str] = []
    used = 0
    for shown, name in enumerate(names):
        more = " " + loc(reading_strings.and_more(len(names) - shown))
        size = utf16_length(name) + (utf16_length(separator) if kept else 0)
        if used + size + utf16_length(more) > units:
            return (separator.join(kept) + more).lstrip()
        kept.append(name)
        used += size
    return separator.join(kept)  # pragma: no cover - the whole list fitted
