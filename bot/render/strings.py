"""Every sentence a chat sees, in one place: constants, or small functions taking values.

Markup, escaping and layout are the other render modules' work; the words are here, so that
a second language means translating this module only. Marks (✅ ▫️ 🚫 ⚠️), arrows and
separators are not words and stay with the layout that uses them.
"""

from __future__ import annotations

# ----------------------------------------------------------------------------- headers

TRANSMISSION_HEADER = "INCOMING TRANSMISSION"
LATEST_HEADER = "LATEST UPDATES"
TOPICS_HEADER = "TOPICS"
HELP_HEADER = "TRANSMISSION"
STATS_HEADER = "STATS"
FEEDS_HEADER = "FEEDS"

# ----------------------------------------------------------------------------- the command menu

PUBLIC_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Subscribe this chat to every update"),
    ("latest", "Newest updates, optionally for one topic"),
    ("next", "The next page of updates"),
    ("topics", "Choose topics with buttons"),
    ("subscribe", "Receive a topic (all = everything)"),
    ("unsubscribe", "Stop receiving a topic"),
    ("stop", "No more pushes to this chat"),
    ("help", "What this bot does"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("stats", "Feeds, entries, chats and queue"),
    ("feeds", "Each feed's state and last error"),
)

# ----------------------------------------------------------------------------- entries and pages

UNTITLED = "(untitled)"
OPEN_LINK = "Open ↗"
NO_UPDATES_ON_PAGE = "No updates on this page."
NOTHING_YET = "Nothing here yet. New entries appear once the feeds have been polled."


def new_entries(count: int) -> str:
    return f"{count} new"


def page_of(page: int, pages: int) -> str:
    """A button's answer on a paged transmission."""
    return f"Page {page} of {pages}"


def page_number(page: int) -> str:
    """A button's answer on a page of LATEST UPDATES or of /topics."""
    return f"Page {page}"


def and_more(count: int) -> str:
    """What ends a list cut short (after a space)."""
    return f"… and {count} more"


# ----------------------------------------------------------------------------- topic choices

EVERY_TOPIC = "every topic"
EVERYTHING_EXCEPT = "everything except: "
NO_TOPICS = "no topics"


def receives_every(following: str) -> str:
    return f"This chat receives {following}."


def receives_only(following: str) -> str:
    return f"This chat receives: {following}."


# ----------------------------------------------------------------------------- /topics menu

PUSHES_ON = "on"
PUSHES_OFF = "off (/start turns them on)"
TAP_A_TOPIC = "Tap a topic to follow or drop it."
SKIPPED_MARK_HINT = "🚫 marks a topic this chat skips; tap it to take it again."
NO_TOPICS_YET = "No topics yet: they appear once entries carry some."
EVERYTHING_BUTTON = "Everything"


def menu_status(pushes: str, following: str) -> str:
    return f"Pushes: {pushes}. Following: {following}."


def menu_page(page: int, pages: int) -> str:
    return f"Page {page} of {pages}."


# ----------------------------------------------------------------------------- button answers

EXPIRED = "This button has expired."
ONLY_ADMINS_CHANGE_TOPICS = "Only group admins can change topics here."
ALREADY_EVERYTHING = "Already following everything; tap a topic instead."
FOLLOWING_EVERYTHING = "Following everything"
SOMETHING_WENT_WRONG = "Something went wrong; please try again."


def at_most_topics(limit: int) -> str:
    return f"At most {limit} topics: drop one first, or tap Everything."


def taking_again(topic: str) -> str:
    return f"Taking {topic} again"


def following_only(topic: str) -> str:
    return f"Following only {topic}"


def following_topic(topic: str) -> str:
    return f"Following {topic}"


def dropped(topic: str) -> str:
    return f"Dropped {topic}"


# ----------------------------------------------------------------------------- subscription replies

THIS_GROUP = "this group"
THIS_CHAT = "this chat"
NOT_SUBSCRIBED = "This chat is not subscribed. /start subscribes it."
STOPPED_PUSHES = "Stopped: no more pushes here. /latest still works; /start resumes."
RECEIVES_EVERY_TOPIC = "This chat now receives every topic."


def subscribed_all(where: str) -> str:
    return (
        f"Subscribed: {where} now receives every new update as an INCOMING TRANSMISSION.\n"
        "/latest shows the newest entries, /topics narrows what arrives, /stop ends it."
    )


def follows_most(limit: int) -> str:
    return (
        f"This chat already follows {limit} topics, the most it can. "
        "/unsubscribe one first, or /subscribe all for everything."
    )


def skips_most(limit: int) -> str:
    return (
        f"This chat already skips {limit} topics, the most it can. "
        "/subscribe to the topics you want instead."
    )


def already_follows(topic: str, receives: str) -> str:
    return f"This chat already follows {topic}. {receives}"


def subscribed_to(topic: str, receives: str) -> str:
    return f"Subscribed to {topic}. {receives}"


def does_not_follow(topic: str) -> str:
    return f"This chat does not follow {topic}. /topics shows what it follows."


def already_skips(topic: str, receives: str) -> str:
    return f"This chat already skips {topic}. {receives}"


def unsubscribed_none_left(topic: str) -> str:
    return (
        f"Unsubscribed from {topic}. No topics are left, so nothing will be pushed "
        "here until /subscribe or /start."
    )


def unsubscribed_from(topic: str, receives: str) -> str:
    return f"Unsubscribed from {topic}. {receives}"


def topic_usage(command: str) -> str:
    return f"Usage: /{command} <topic>, e.g. /{command} ml. /topics lists the topics."


def topic_too_long(limit: int, usage: str) -> str:
    return f"Topic names are at most {limit} characters. {usage}"


# ----------------------------------------------------------------------------- reading replies

LAST_PAGE = "That was the last page. /latest starts again from the newest."
FOLLOWS_NO_TOPICS = "This chat follows no topics. /subscribe all or /topics."


def no_entries_with(topic: str) -> str:
    return f"No entries with the topic {topic} yet. /topics lists topics."


# ----------------------------------------------------------------------------- /help

HELP_INTRO = "New entries from the configured feeds arrive here as INCOMING TRANSMISSION."
HELP_GROUPS = "In groups, only group admins change the subscription."
HELP_PAUSES = (
    "Blocked the bot, or removed it from a group? Pushes pause, and resume when it "
    "is unblocked or added back. /stop ends them until the next /start."
)


def help_command(name: str, text: str) -> str:
    return f"/{name} — {text}"


# ----------------------------------------------------------------------------- /stats and /feeds


def stats_feeds(feeds: int, failing: int) -> str:
    return f"Feeds: {feeds} ({failing} failing)"


def stats_entries(entries: int) -> str:
    return f"Entries: {entries:,}"


def stats_chats(active: int, inactive: int) -> str:
    return f"Chats: {active} active, {inactive} inactive"


def stats_queue(pending: int, failed: int, sent: int) -> str:
    return f"Queue: {pending} pending, {failed} failed, {sent:,} sent"


NEVER = "never"
NO_FEEDS = "No feeds configured."


def feed_failing(name: str, errors: int, last_error: str | None, retry: str) -> str:
    return f"⚠️ {name}: {errors} errors, last: {last_error}; retry {retry}"


def feed_working(name: str, entries: int, checked: str, next_check: str) -> str:
    return f"✅ {name}: {entries} entries, checked {checked}, next {next_check}"


def in_time(span: str) -> str:
    return f"in {span}"


def time_ago(span: str) -> str:
    return f"{span} ago"


# ----------------------------------------------------------------------------- handler replies

ONLY_GROUP_ADMINS = "Only group admins can change this group's subscription."
ONLY_BOT_ADMINS = "This command is for the bot's admins."
FAILED_ON_OUR_SIDE = "Sorry, that failed on our side. Please try again."


def unknown_command(name: str) -> str:
    return f"Unknown command {name}. /help lists what I can do."


# ----------------------------------------------------------------------------- dedup and edits


def also_in(feeds: tuple[str, ...]) -> str:
    """In a meta line: the same story came from these feeds too (and was not sent again)."""
    return "also in " + ", ".join(feeds)


#: In a meta line: the entry changed after this message went out, and the message shows it.
UPDATED_MARK = "✎ updated"


# ----------------------------------------------------------------------------- push buttons

MORE_BUTTON = "More ⌄"
LESS_BUTTON = "Less ⌃"
MUTE_BUTTON = "Mute this feed here"
UNDO_BUTTON = "↶ Undo"


def fewer_button(tag: str) -> str:
    return f"Less of {tag}"


def muted_feed(feed: str) -> str:
    return f"Muted {feed} in this chat: no more pushes from it here. Undo is under the message."


def unmuted_feed(feed: str) -> str:
    return f"{feed} is back on in this chat."


def fewer_of(tag: str) -> str:
    return f"This chat now skips {tag}. Undo is under the message."


def more_of(tag: str) -> str:
    return f"This chat takes {tag} again."
