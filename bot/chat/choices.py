"""The topic-choice algebra: what commands and buttons make of a chat's choice (pure)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from bot.domain import MAX_TOPIC_CHARS, TopicChoice, TopicState, normalise_topic, topic_key
from bot.render.i18n import Msg
from bot.render.strings import topics as topic_strings

#: topics a chat may follow (or, following everything, skip): keeps every list of them
#: within one message and the matching of new entries cheap
MAX_CHAT_TOPICS = 50


def follow_everything(_choice: TopicChoice) -> TopicChoice:
    return TopicChoice(everything=True)


def keep_or_everything(choice: TopicChoice) -> TopicChoice:
    """/start: a chat that chose its topics keeps them (an unblock, or a /start after /stop,
    does not undo "everything except ml"); one that follows nothing takes everything."""
    if choice.everything or choice.only:
        return choice
    return TopicChoice(everything=True)


def follow_topic(choice: TopicChoice, topic: str) -> TopicChoice | None:
    """/subscribe: from everything, only ``topic``; else ``topic`` added (None: too many)."""
    if choice.everything:
        return TopicChoice(everything=False, only=frozenset({topic}))
    if topic in choice.only:
        return choice
    if len(choice.only) >= MAX_CHAT_TOPICS:
        return None
    return TopicChoice(everything=False, only=choice.only | {topic})


def drop_topic(choice: TopicChoice, topic: str) -> TopicChoice | None:
    """/unsubscribe: from everything, everything but ``topic``; else ``topic`` removed
    (None: too many topics skipped already)."""
    if not choice.everything:
        return TopicChoice(everything=False, only=choice.only - {topic})
    if topic in choice.excluded:
        return choice
    if len(choice.excluded) >= MAX_CHAT_TOPICS:
        return None
    return TopicChoice(everything=True, excluded=choice.excluded | {topic})


def toggle_topic(choice: TopicChoice, topic: str) -> TopicChoice | None:
    """A topic button of /topics: a skipped topic is taken again; from everything, only
    that topic; else followed or dropped (None: too many)."""
    if choice.everything:
        if topic in choice.excluded:
            return TopicChoice(everything=True, excluded=choice.excluded - {topic})
        return TopicChoice(everything=False, only=frozenset({topic}))
    if topic in choice.only:
        return TopicChoice(everything=False, only=choice.only - {topic})
    return follow_topic(choice, topic)


def takes_topic(choice: TopicChoice, topic: str) -> bool:
    """Whether entries with ``topic`` reach the chat."""
    return choice.takes(topic)


def restore_topic(choice: TopicChoice, topic: str) -> TopicChoice | None:
    """The undo of :func:`drop_topic`: a skipped topic taken again, a dropped one followed."""
    if choice.everything:
        return TopicChoice(everything=True, excluded=choice.excluded - {topic})
    return follow_topic(choice, topic)


def topic_state(choice: TopicChoice, topic: str) -> TopicState:
    if choice.everything:
        return TopicState.SKIPPED if topic in choice.excluded else TopicState.NOT_FOLLOWED
    return TopicState.FOLLOWED if topic in choice.only else TopicState.NOT_FOLLOWED


def takes_everything(choice: TopicChoice) -> bool:
    """Every topic with none skipped: "Everything" is ticked and needs no label."""
    return choice.everything and not choice.excluded


def closest_topics(topic: str, known: Sequence[str], limit: int = 3) -> list[str]:
    """The known topics most like ``topic`` (compared by key): those containing it (or it
    them), then the nearest spellings; never ``topic`` itself."""
    wanted = topic_key(topic)
    by_key: dict[str, str] = {}
    for name in known:
        by_key.setdefault(topic_key(name), name)  # the first spelling, in the given order
    by_key.pop(wanted, None)
    containing = [key for key in by_key if wanted in key or key in wanted]
    near = difflib.get_close_matches(wanted, list(by_key), n=limit, cutoff=0.6)
    return [by_key[key] for key in dict.fromkeys([*containing, *near])][:limit]


def parse_topic(argument: str, command: str) -> tuple[str, Msg | None]:
    """(the topic as written, cleaned; problem) from a command argument."""
    raw = argument.strip()
    usage = topic_strings.topic_usage(command)
    if len(raw) > MAX_TOPIC_CHARS:
        return "", topic_strings.topic_too_long(MAX_TOPIC_CHARS, usage)
    topic = normalise_topic(raw)
    if not topic:
        return "", usage
    return topic, None
