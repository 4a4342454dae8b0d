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
    ("start", "Subscribe this chat (every topic, unless it chose some)"),
    ("latest", "Newest updates, optionally for one topic"),
    ("next", "The next page of updates"),
    ("search", "Find entries by their words (all = every topic)"),
    ("topics", "Choose topics with buttons"),
    ("subscribe", "Receive a topic (all = everything)"),
    ("unsubscribe", "Stop receiving a topic"),
    ("stop", "No more pushes to this chat"),
    ("sources", "The feeds this bot follows"),
    ("help", "What this bot does"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("stats", "Feeds, entries, chats and queue"),
    ("feeds", "Each feed's state, with buttons"),
    ("add", "Follow a feed or a web page's feed: /add <url> [topics]"),
    ("remove", "Stop following a feed: /remove <url or name>"),
    ("pause", "Stop checking a feed for now: /pause <url or name>"),
    ("resume", "Check a paused feed again: /resume <url or name>"),
    ("export", "Every feed as an OPML file (send me one to import)"),
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


def subscribed_keeping(where: str, receives: str) -> str:
    """/start in a chat that chose its topics before: they are kept."""
    return (
        f"Subscribed: {where} gets new updates as an INCOMING TRANSMISSION. {receives}\n"
        "/subscribe all takes every topic, /topics changes them, /stop ends it."
    )


def unsubscribed_while_off(topic: str, receives: str) -> str:
    return (
        f"Noted: {topic} is skipped. Pushes are off in this chat, though: /start turns them "
        f"on, and then {receives[0].lower()}{receives[1:]}"
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


# ----------------------------------------------------------------------------- /search

SEARCH_HEADER = "SEARCH"
SEARCH_EVERY_TOPIC = "every topic"
SEARCH_NEEDS_TOPICS = (
    "This chat follows no topics, so there is nothing to search in. "
    "/search all <words> searches every topic."
)


def search_usage(max_words: int, max_chars: int) -> str:
    return (
        "Usage: /search <words>, e.g. /search contrastive learning or /search 对比学习. "
        "It finds the entries whose title or text hold every word, newest first, within "
        "this chat's topics; /search all <words> searches every topic. "
        f"At most {max_words} words of at most {max_chars} characters each."
    )


def search_too_long(max_words: int, max_chars: int) -> str:
    return (
        f"That search is too long: /search takes at most {max_words} words, "
        f"each at most {max_chars} characters."
    )


SEARCH_TOO_SHORT = "One character is too little to search for: add a longer word."


def nothing_found(words: str, everywhere: bool, scanned: int | None) -> str:
    """One line: no entry holds every word."""
    among = f" among the newest {scanned:,} entries" if scanned else ""
    if everywhere:
        return f"Nothing found for {words}{among}."
    return (
        f"Nothing found for {words}{among} in this chat's topics; "
        f"/search all {words} looks in every topic."
    )


def searched_newest(scanned: int) -> str:
    return (
        f"Short words alone are looked for among the newest {scanned:,} entries only; "
        "add a word of three or more characters to search them all."
    )


# ----------------------------------------------------------------------------- /help

HELP_INTRO = (
    "New entries from the feeds this bot follows (/sources) arrive here as INCOMING "
    "TRANSMISSION."
)
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


def stats_version(version: str, python: str) -> str:
    return f"Version: Transmission {version} (Python {python})"


NEVER = "never"


JUST_NOW = "just now"
DUE_NOW = "due now"


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


# ----------------------------------------------------------------------------- /claim

CLAIM_IN_PRIVATE = "Send /claim CODE in a private chat with me: the code is a secret."
CLAIM_USAGE = "Send /claim followed by the code this bot wrote to its log when it started."
CLAIMED = (
    "You are now an admin of this bot. Send /add followed by a feed or web page URL to follow "
    "it; /help lists the admin commands."
)
CLAIM_WRONG = "That is not the claim code. Check the bot's log for the code and try again."
CLAIM_CLOSED = "This bot has its admins already, so there is nothing to claim. Ask one of them."
ALREADY_ADMIN = "You are an admin of this bot already."


def claim_limited(wait: str) -> str:
    return f"Too many wrong codes. Try again in {wait}."


# ----------------------------------------------------------------------------- feeds from chat

SOURCES_HEADER = "SOURCES"
ADD_USAGE = (
    "Send /add followed by the URL of a feed or of a web page, and optionally topics: "
    "/add https://example.org/blog ml rl"
)
ADD_NOT_A_URL = "That is not a web address. Send /add followed by an http:// or https:// URL."
ADD_PICK = "That page links to several feeds. Which one do you want to follow?"
ADD_QUESTION = "Follow this feed?"
ADD_BUTTON = "Add"
CANCEL_BUTTON = "Cancel"
ADD_CANCELLED = "Cancelled: nothing was added."
NO_SOURCES = "This bot follows no feeds yet."
NO_FEEDS_FOLLOWED = "No feeds yet. /add <url> follows one."
FEED_GONE = "That feed is no longer followed."
PAUSE_BUTTON = "Pause"
RESUME_BUTTON = "Resume"
REMOVE_BUTTON = "Remove"
CHECK_BUTTON = "Check now"
YES_REMOVE_BUTTON = "Yes, remove it"
KEEP_BUTTON = "Keep it"
KEPT = "Kept."
CHECKING = "It will be checked in a moment."
PAUSED_ALREADY = "That feed is paused already."
RUNNING_ALREADY = "That feed is not paused."
PAUSED_STATE = "paused: not checked until resumed"
NOT_CHECKED_YET = "not checked yet"
IN_CONFIG = "from the config file"
ADDED_IN_CHAT = "added in chat"


def add_problem_unreachable(url: str, detail: str) -> str:
    return f"Could not fetch {url}: {detail}. Nothing was added."


def add_problem_not_a_feed(url: str, detail: str) -> str:
    return f"{url} is not a feed ({detail}), nor a web page that links to one. Nothing was added."


def add_problem_no_feeds(url: str) -> str:
    return (
        f"{url} is a web page, but it links to no RSS, Atom or JSON feed. Nothing was added. "
        "If you know the feed's own address, /add that."
    )


def add_problem_page_again(url: str) -> str:
    return f"{url} is another web page, not a feed. Nothing was added."


def add_duplicate(name: str) -> str:
    return f"This bot follows {name} already. Nothing was added."


def added(name: str, topics: str) -> str:
    with_topics = f" with the topics {topics}" if topics else ""
    return (
        f"Added {name}{with_topics}. It is being checked now; what it has already is not "
        "pushed, only what it publishes from now on."
    )


def candidate_label(index: int, title: str) -> str:
    return f"{index}. {title}"


def feed_removed(name: str) -> str:
    return f"Removed {name}. Its pushes stop; what it published stays readable in /latest."


def feed_paused(name: str) -> str:
    return f"Paused {name}: it is not checked until /resume."


def feed_resumed(name: str) -> str:
    return f"Resumed {name}: it is being checked now."


def confirm_remove(name: str) -> str:
    return f"Remove {name}? The bot stops checking it and pushing its entries."


def in_config_file(name: str) -> str:
    return (
        f"{name} is listed in the config file: remove it there and restart the bot "
        "(/pause stops it meanwhile)."
    )


def no_feed_named(ref: str) -> str:
    return f"No followed feed has the URL or name {ref}. /feeds lists them."


def several_feeds_named(ref: str, count: int) -> str:
    return f"{count} feeds are named {ref}: give the URL instead (/feeds lists them)."


def feed_ref_usage(command: str) -> str:
    return f"Send /{command} followed by the feed's URL or name (/feeds lists them)."


def feed_state_working(entries: int, checked: str, next_check: str) -> str:
    return f"working: {entries} entries, checked {checked}, next check {next_check}"


def feed_state_failing(errors: int, last_error: str, worked: str, retry: str) -> str:
    failures = "1 error in a row" if errors == 1 else f"{errors} errors in a row"
    return f"failing ({failures}): {last_error}; last worked {worked}; next try {retry}"


# ----------------------------------------------------------------------------- OPML

EXPORT_CAPTION = "Every feed this bot follows, as OPML: import it into any feed reader."
OPML_FILENAME = "transmission-feeds.opml"
OPML_INVALID_SHOWN = 20  #: invalid outlines listed in an import's summary
OPML_TITLE = "Transmission: followed feeds"
OPML_ONLY_IN_PRIVATE = "Send OPML files to me in a private chat."
OPML_NOT_OPML = (
    "I read OPML files only (.opml or .xml). Send a feed reader's export, or /add a URL."
)


def opml_too_large(limit_kib: int) -> str:
    return f"That file is larger than {limit_kib} KiB: nothing was imported."


def opml_unreadable(reason: str) -> str:
    return f"Could not read that file: {reason}. Nothing was imported."


def opml_download_failed(reason: str) -> str:
    return f"Could not download that file from Telegram ({reason}). Please send it again."


def opml_summary(added: int, skipped: int, invalid: list[str]) -> str:
    lines = [f"OPML import: {added} feeds added, {skipped} already followed (skipped)."]
    if invalid:
        lines.append(f"{len(invalid)} could not be taken:")
        lines.extend(f"- {line}" for line in invalid[:OPML_INVALID_SHOWN])
        if len(invalid) > OPML_INVALID_SHOWN:
            lines.append(and_more(len(invalid) - OPML_INVALID_SHOWN))
    if added:
        lines.append("The new feeds are checked now; only what they publish from now on is pushed.")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- dead-feed alerts


def feed_alert(name: str, url: str, failing_for: str, last_error: str) -> str:
    return (
        f"⚠️ {name} has been failing for {failing_for}.\n{url}\nLast error: {last_error}\n"
        "The bot keeps retrying, less often the longer it fails."
    )


def feed_recovered(name: str, was_down: str) -> str:
    return f"✅ {name} works again, after failing for {was_down}."


def group_hello(bot_name: str) -> str:
    return (
        f"Hello! I am {bot_name}: I post updates from the feeds this bot follows "
        "(/sources lists them). A group admin sends /start to subscribe this group, "
        "/topics to choose topics; /help lists everything."
    )


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
