"""Words for topic choices: /topics and its buttons, /start, /stop, /subscribe, /unsubscribe."""

from __future__ import annotations

from bot.render.strings._base import Msg, Text, _

# ----------------------------------------------------------------------------- topic choices

EVERY_TOPIC = _("every topic")
EVERYTHING_EXCEPT = _("everything except: ")
NO_TOPICS = _("no topics")


def receives_every(following: Text) -> Msg:
    return _("This chat receives {following}.", following=following)


def receives_only(following: Text) -> Msg:
    return _("This chat receives: {following}.", following=following)


# ----------------------------------------------------------------------------- /topics menu

TOPICS_HEADER = _("TOPICS")
PUSHES_ON = _("on")
PUSHES_OFF = _("off (/start turns them on)")
TAP_A_TOPIC = _("Tap a topic to follow or drop it.")
SKIPPED_MARK_HINT = _("🚫 marks a topic this chat skips; tap it to take it again.")
NO_TOPICS_YET = _("No topics yet: they appear once entries carry some.")
EVERYTHING_BUTTON = _("Everything")


def menu_status(pushes: Text, following: Text) -> Msg:
    return _("Pushes: {pushes}. Following: {following}.", pushes=pushes, following=following)


def menu_page(page: int, pages: int) -> Msg:
    return _("Page {page} of {pages}.", page=page, pages=pages)


# ----------------------------------------------------------------------------- button answers

ONLY_ADMINS_CHANGE_TOPICS = _("Only group admins can change topics here.")
ALREADY_EVERYTHING = _("Already following everything; tap a topic instead.")
FOLLOWING_EVERYTHING = _("Following everything")


def at_most_topics(limit: int) -> Msg:
    return _("At most {limit} topics: drop one first, or tap Everything.", limit=limit)


def taking_again(topic: Text) -> Msg:
    return _("Taking {topic} again", topic=topic)


def following_only(topic: Text) -> Msg:
    return _("Following only {topic}", topic=topic)


def following_topic(topic: Text) -> Msg:
    return _("Following {topic}", topic=topic)


def dropped(topic: Text) -> Msg:
    return _("Dropped {topic}", topic=topic)


# ----------------------------------------------------------------------------- subscription replies

THIS_GROUP = _("this group")
THIS_CHAT = _("this chat")
NOT_SUBSCRIBED = _("This chat is not subscribed. /start subscribes it.")
STOPPED_PUSHES = _("Stopped: no more pushes here. /latest still works; /start resumes.")
RECEIVES_EVERY_TOPIC = _("This chat now receives every topic.")


def subscribed_all(where: Text) -> Msg:
    return _(
        "Subscribed: {where} now receives every new update as an INCOMING TRANSMISSION.\n"
        "/latest shows the newest entries, /topics narrows what arrives, /stop ends it.",
        where=where,
    )


def subscribed_keeping(where: Text, receives: Text) -> Msg:
    """/start in a chat that chose its topics before: they are kept."""
    return _(
        "Subscribed: {where} gets new updates as an INCOMING TRANSMISSION. {receives}\n"
        "/subscribe all takes every topic, /topics changes them, /stop ends it.",
        where=where,
        receives=receives,
    )


def unsubscribed_while_off(topic: Text, receives: Text) -> Msg:
    """``receives``: what the chat receives, as a sentence that follows "and then"."""
    return _(
        "Noted: {topic} is skipped. Pushes are off in this chat, though: /start turns them "
        "on, and then {receives}",
        topic=topic,
        receives=receives,
    )


def follows_most(limit: int) -> Msg:
    return _(
        "This chat already follows {limit} topics, the most it can. "
        "/unsubscribe one first, or /subscribe all for everything.",
        limit=limit,
    )


def skips_most(limit: int) -> Msg:
    return _(
        "This chat already skips {limit} topics, the most it can. "
        "/subscribe to the topics you want instead.",
        limit=limit,
    )


def already_follows(topic: Text, receives: Text) -> Msg:
    return _("This chat already follows {topic}. {receives}", topic=topic, receives=receives)


def subscribed_to(topic: Text, receives: Text) -> Msg:
    return _("Subscribed to {topic}. {receives}", topic=topic, receives=receives)


def does_not_follow(topic: Text) -> Msg:
    return _("This chat does not follow {topic}. /topics shows what it follows.", topic=topic)


def already_skips(topic: Text, receives: Text) -> Msg:
    return _("This chat already skips {topic}. {receives}", topic=topic, receives=receives)


def unsubscribed_none_left(topic: Text) -> Msg:
    return _(
        "Unsubscribed from {topic}. No topics are left, so nothing will be pushed "
        "here until /subscribe or /start.",
        topic=topic,
    )


def unsubscribed_from(topic: Text, receives: Text) -> Msg:
    return _("Unsubscribed from {topic}. {receives}", topic=topic, receives=receives)


def topic_usage(command: Text) -> Msg:
    return _(
        "Usage: /{command} <topic>, e.g. /{command} ml. /topics lists the topics.", command=command
    )


def topic_too_long(limit: int, usage: Text) -> Msg:
    return _("Topic names are at most {limit} characters. {usage}", limit=limit, usage=usage)


def unknown_topic(topic: Text) -> Msg:
    return _(
        "No entry or config has the topic {topic}, so this chat was not subscribed to it. "
        "/topics lists the topics in use.",
        topic=topic,
    )


def unknown_topic_closest(topic: Text) -> Msg:
    return _(
        "No entry or config has the topic {topic}, so this chat was not subscribed to it. "
        "The closest topics are below: tap one to subscribe to it.",
        topic=topic,
    )
