"""Every sentence a chat sees, in one place: constants, or small functions taking values.

Markup, escaping and layout are the other render modules' work; the words are here, each
marked ``_("...")`` (a :class:`~bot.render.i18n.Msg`: English msgid and placeholder values)
and translated by the chat's :class:`~bot.render.i18n.Locale` from the catalogs in
``bot/locales`` (``scripts/i18n`` extracts them; a test fails on a sentence without a
translation). Marks (✅ ▫️ 🚫 ⚠️), arrows and
separators are not words and stay with the layout that uses them.
"""

from __future__ import annotations

from bot.render.i18n import Msg, Text, _

#: names whose text is the brand: the same words in every language
BRAND = ("TRANSMISSION_HEADER", "LATEST_HEADER", "HELP_HEADER")

# ----------------------------------------------------------------------------- headers

TRANSMISSION_HEADER = "INCOMING TRANSMISSION"
LATEST_HEADER = "LATEST UPDATES"
TOPICS_HEADER = _("TOPICS")
HELP_HEADER = "TRANSMISSION"
STATS_HEADER = _("STATS")
FEEDS_HEADER = _("FEEDS")

# ----------------------------------------------------------------------------- the command menu

PUBLIC_COMMANDS: tuple[tuple[str, Msg], ...] = (
    ("start", _("Subscribe this chat to every update")),
    ("latest", _("Newest updates, optionally for one topic")),
    ("next", _("The next page of updates")),
    ("topics", _("Choose topics with buttons")),
    ("subscribe", _("Receive a topic (all = everything)")),
    ("unsubscribe", _("Stop receiving a topic")),
    ("stop", _("No more pushes to this chat")),
    ("settings", _("Language, time zone, quiet hours, digests")),
    ("filter", _("Only entries with, or without, some words")),
    ("help", _("What this bot does")),
)
BOT_SHORT_DESCRIPTION = _("New posts from the feeds this bot follows, as they appear.")
BOT_DESCRIPTION = _(
    "Transmission follows blogs and news feeds and sends each new post here as an "
    "INCOMING TRANSMISSION: linked title, topics, date and a short summary. /start "
    "subscribes this chat, /topics narrows what arrives, /settings sets language, time "
    "zone and quiet hours."
)
ADMIN_COMMANDS: tuple[tuple[str, Msg], ...] = (
    ("stats", _("Feeds, entries, chats and queue")),
    ("feeds", _("Each feed's state and last error")),
)

# ----------------------------------------------------------------------------- entries and pages

UNTITLED = _("(untitled)")
OPEN_LINK = _("Open ↗")
NO_UPDATES_ON_PAGE = _("No updates on this page.")
NOTHING_YET = _("Nothing here yet. New entries appear once the feeds have been polled.")


def new_entries(count: int) -> Msg:
    return _("{count} new", count=count)


def page_of(page: int, pages: int) -> Msg:
    """A button's answer on a paged transmission."""
    return _("Page {page} of {pages}", page=page, pages=pages)


def page_number(page: int) -> Msg:
    """A button's answer on a page of LATEST UPDATES or of /topics."""
    return _("Page {page}", page=page)


def and_more(count: int) -> Msg:
    """What ends a list cut short (after a space)."""
    return _("… and {count} more", count=count)


# ----------------------------------------------------------------------------- topic choices

EVERY_TOPIC = _("every topic")
EVERYTHING_EXCEPT = _("everything except: ")
NO_TOPICS = _("no topics")


def receives_every(following: Text) -> Msg:
    return _("This chat receives {following}.", following=following)


def receives_only(following: Text) -> Msg:
    return _("This chat receives: {following}.", following=following)


# ----------------------------------------------------------------------------- /topics menu

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

EXPIRED = _("This button has expired.")
ONLY_ADMINS_CHANGE_TOPICS = _("Only group admins can change topics here.")
ALREADY_EVERYTHING = _("Already following everything; tap a topic instead.")
FOLLOWING_EVERYTHING = _("Following everything")
SOMETHING_WENT_WRONG = _("Something went wrong; please try again.")


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


# ----------------------------------------------------------------------------- reading replies

LAST_PAGE = _("That was the last page. /latest starts again from the newest.")
FOLLOWS_NO_TOPICS = _("This chat follows no topics. /subscribe all or /topics.")


def no_entries_with(topic: Text) -> Msg:
    return _("No entries with the topic {topic} yet. /topics lists topics.", topic=topic)


# ----------------------------------------------------------------------------- /help

HELP_INTRO = _("New entries from the configured feeds arrive here as INCOMING TRANSMISSION.")
HELP_GROUPS = _("In groups, only group admins change the subscription.")
HELP_PAUSES = _(
    "Blocked the bot, or removed it from a group? Pushes pause, and resume when it "
    "is unblocked or added back. /stop ends them until the next /start."
)


def help_command(name: Text, text: Text) -> Msg:
    return _("/{name} — {text}", name=name, text=text)


# ----------------------------------------------------------------------------- /stats and /feeds


def stats_feeds(feeds: int, failing: int) -> Msg:
    return _("Feeds: {feeds} ({failing} failing)", feeds=feeds, failing=failing)


def stats_entries(entries: int) -> Msg:
    return _("Entries: {entries:,}", entries=entries)


def stats_chats(active: int, inactive: int) -> Msg:
    return _("Chats: {active} active, {inactive} inactive", active=active, inactive=inactive)


def stats_queue(pending: int, failed: int, sent: int) -> Msg:
    return _(
        "Queue: {pending} pending, {failed} failed, {sent:,} sent",
        pending=pending,
        failed=failed,
        sent=sent,
    )


NEVER = _("never")
NO_FEEDS = _("No feeds configured.")


def feed_failing(name: Text, errors: int, last_error: Text | None, retry: Text) -> Msg:
    return _(
        "⚠️ {name}: {errors} errors, last: {last_error}; retry {retry}",
        name=name,
        errors=errors,
        last_error=last_error,
        retry=retry,
    )


def feed_working(name: Text, entries: int, checked: Text, next_check: Text) -> Msg:
    return _(
        "✅ {name}: {entries} entries, checked {checked}, next {next_check}",
        name=name,
        entries=entries,
        checked=checked,
        next_check=next_check,
    )


def in_time(span: Text) -> Msg:
    return _("in {span}", span=span)


def time_ago(span: Text) -> Msg:
    return _("{span} ago", span=span)


# ----------------------------------------------------------------------------- handler replies

ONLY_GROUP_ADMINS = _("Only group admins can change this group's subscription.")
ONLY_BOT_ADMINS = _("This command is for the bot's admins.")
FAILED_ON_OUR_SIDE = _("Sorry, that failed on our side. Please try again.")


def unknown_command(name: Text) -> Msg:
    return _("Unknown command {name}. /help lists what I can do.", name=name)


# ----------------------------------------------------------------------------- /settings

SETTINGS_HEADER = _("SETTINGS")
SETTING_ON = _("on")
SETTING_OFF = _("off")
NO_QUIET_HOURS = _("none")
MODE_INSTANT = _("each update as it arrives")
MODE_HOURLY = _("an hourly digest")
LENGTH_SHORT = _("short")
LENGTH_NORMAL = _("normal")
LENGTH_LONG = _("long")
SAVED = _("Saved.")
SETTINGS_HINT = _(
    "Tap to change, or type e.g. /settings tz Asia/Shanghai, /settings quiet 23:00-07:30, "
    "/settings digest daily 08:00."
)
SETTINGS_USAGE = _(
    "/settings lang en|zh-hans|zh-hant · tz Asia/Shanghai · quiet 23:00-07:30|off · "
    "digest daily 08:00|hourly|off · sound on|off · length short|normal|long · "
    "preview on|off"
)
ONLY_GROUP_ADMINS_SETTINGS = _("Only group admins can change this group's settings.")
CHANNEL_SETTINGS_ADMINS = _(
    "A channel's settings are for the bot's admins, from a private chat with the bot."
)
BAD_TIMEZONE_HINT = _("Use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC.")
BAD_QUIET = _(
    "Quiet hours are written from-to in 24-hour time, in this chat's time zone: "
    "/settings quiet 23:00-07:30, or /settings quiet off."
)
BAD_DIGEST = _(
    "Digests: /settings digest daily 08:00 (a 24-hour time), /settings digest hourly, "
    "or /settings digest off for each update as it arrives."
)
BAD_LENGTH = _("Summary length: short (150 characters), normal (350) or long (700).")
SETTINGS_BUTTON_SOUND = _("Sound")
SETTINGS_BUTTON_PREVIEW = _("Link preview")
SETTINGS_BUTTON_INSTANT = _("Instant")
SETTINGS_BUTTON_HOURLY = _("Hourly digest")
SETTINGS_BUTTON_QUIET_OFF = _("No quiet hours")


def settings_for(title: Text) -> Msg:
    return _("Settings of {title}", title=title)


def setting_language(language: Text) -> Msg:
    return _("Language: {language}", language=language)


def setting_timezone(timezone: Text) -> Msg:
    return _("Time zone: {timezone}", timezone=timezone)


def setting_quiet(quiet: Text) -> Msg:
    return _("Quiet hours: {quiet}", quiet=quiet)


def quiet_span(start: Text, end: Text) -> Msg:
    return _("{start}–{end} (pushes held, then sent as one transmission)", start=start, end=end)


def setting_mode(mode: Text) -> Msg:
    return _("Pushes: {mode}", mode=mode)


def mode_daily(time: Text) -> Msg:
    return _("a daily digest at {time}", time=time)


def setting_sound(sound: Text) -> Msg:
    return _("Sound: {sound}", sound=sound)


def setting_length(length: Text, count: int) -> Msg:
    return _("Summary length: {length} ({count} characters)", length=length, count=count)


def setting_preview(preview: Text) -> Msg:
    return _("Link preview (single-entry pushes): {preview}", preview=preview)


def unknown_setting(name: Text) -> Msg:
    return _("There is no setting {name}. What /settings takes:", name=name)


def bad_language(value: Text, accepted: Text) -> Msg:
    return _("{value} is not a language I speak: use {accepted}.", value=value, accepted=accepted)


def bad_timezone(value: Text, hint: Text) -> Msg:
    return _("{value} is not a time zone. {hint}", value=value, hint=hint)


def bad_on_off(name: Text) -> Msg:
    return _("/settings {name} takes on or off.", name=name)


def unknown_channel(ref: Text) -> Msg:
    return _(
        "I know no channel {ref}: add it to telegram.channels, or make the bot an admin "
        "there and let it post once.",
        ref=ref,
    )


# ----------------------------------------------------------------------------- /filter

FILTERS_HEADER = _("FILTERS")
NO_FILTERS = _("No filters: every entry of the chat's topics arrives.")
FILTERS_CLEARED = _("Filters cleared: every entry of the chat's topics arrives.")
FILTERS_HOW = _(
    "+word: only entries with it · -word: only entries without it · +/regex/ or -/regex/ "
    "(RE2 syntax) · /filter clear"
)
FILTER_SIGN = _("a filter starts with + or -")
FILTER_EMPTY = _("nothing after the + or -")
ONLY_GROUP_ADMINS_FILTERS = _("Only group admins can change this group's filters.")


def filter_added(shown: Text) -> Msg:
    return _("Filter added: {shown}. It applies to entries queued from now on.", shown=shown)


def filter_exists(shown: Text) -> Msg:
    return _("This chat already has the filter {shown}.", shown=shown)


def bad_filter(text: Text, reason: Text) -> Msg:
    return _("{text} is not a filter I can use ({reason}).", text=text, reason=reason)


def too_many_filters(limit: int) -> Msg:
    return _("A chat has at most {limit} filters: /filter clear, then add again.", limit=limit)


def bad_regex(detail: Text) -> Msg:
    return _("RE2 cannot compile it: {detail}", detail=detail)


def filter_too_long(limit: int) -> Msg:
    return _("longer than {limit} characters", limit=limit)


def unknown_topic(topic: Text) -> Msg:
    return _(
        "No entry carries {topic} yet, so nothing arrives for it until one does. "
        "/topics lists the topics in use.",
        topic=topic,
    )


def unknown_topic_closest(topic: Text, closest: Text) -> Msg:
    return _(
        "No entry carries {topic} yet, so nothing arrives for it until one does. "
        "Closest topics in use: {closest} (/unsubscribe {topic} to undo).",
        topic=topic,
        closest=closest,
    )
