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
    ("start", _("Subscribe this chat (every topic, unless it chose some)")),
    ("latest", _("Newest updates, optionally for one topic")),
    ("next", _("The next page of updates")),
    ("search", _("Find entries by their words (all = every topic)")),
    ("topics", _("Choose topics with buttons")),
    ("subscribe", _("Receive a topic (all = everything)")),
    ("unsubscribe", _("Stop receiving a topic")),
    ("stop", _("No more pushes to this chat")),
    ("settings", _("Language, time zone, quiet hours, digests")),
    ("filter", _("Only entries with, or without, some words")),
    ("sources", _("The feeds this bot follows")),
    ("help", _("What this bot does")),
)
#: /claim, offered in private chats while the bot has no admin
CLAIM_COMMAND: tuple[str, Msg] = ("claim", _("Become this bot's admin with the code from its log"))
BOT_SHORT_DESCRIPTION = _("New posts from the feeds this bot follows, as they appear.")
BOT_DESCRIPTION = _(
    "Transmission follows blogs and news feeds and sends each new post here as an "
    "INCOMING TRANSMISSION: linked title, topics, date and a short summary. /start "
    "subscribes this chat, /topics narrows what arrives, /settings sets language, time "
    "zone and quiet hours."
)
ADMIN_COMMANDS: tuple[tuple[str, Msg], ...] = (
    ("stats", _("Feeds, entries, chats and queue")),
    ("feeds", _("Each feed's state, with buttons")),
    ("add", _("Follow a feed or a web page's feed: /add <url> [topics]")),
    ("remove", _("Stop following a feed: /remove <url or name>")),
    ("pause", _("Stop checking a feed for now: /pause <url or name>")),
    ("resume", _("Check a paused feed again: /resume <url or name>")),
    ("export", _("Every feed as an OPML file (send me one to import)")),
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


# ----------------------------------------------------------------------------- reading replies

LAST_PAGE = _("That was the last page. /latest starts again from the newest.")
FOLLOWS_NO_TOPICS = _("This chat follows no topics. /subscribe all or /topics.")


def no_entries_with(topic: Text) -> Msg:
    return _("No entries with the topic {topic} yet. /topics lists topics.", topic=topic)


# ----------------------------------------------------------------------------- /search

SEARCH_HEADER = _("SEARCH")
SEARCH_EVERY_TOPIC = _("every topic")
SEARCH_NEEDS_TOPICS = _(
    "This chat follows no topics, so there is nothing to search in. "
    "/search all <words> searches every topic."
)


def search_usage(max_words: int, max_chars: int) -> Msg:
    return _(
        "Usage: /search <words>, e.g. /search contrastive learning or /search 对比学习. "
        "It finds the entries whose title or text hold every word, newest first, within "
        "this chat's topics; /search all <words> searches every topic. "
        "At most {max_words} words of at most {max_chars} characters each.",
        max_words=max_words,
        max_chars=max_chars,
    )


def search_too_long(max_words: int, max_chars: int) -> Msg:
    return _(
        "That search is too long: /search takes at most {max_words} words, "
        "each at most {max_chars} characters.",
        max_words=max_words,
        max_chars=max_chars,
    )


SEARCH_TOO_SHORT = _("One character is too little to search for: add a longer word.")


def nothing_found(words: Text, everywhere: bool, scanned: int | None) -> Msg:
    """One line: no entry holds every word."""
    if scanned:
        if everywhere:
            return _(
                "Nothing found for {words} among the newest {scanned:,} entries.",
                words=words,
                scanned=scanned,
            )
        return _(
            "Nothing found for {words} among the newest {scanned:,} entries in this chat's "
            "topics; /search all {words} looks in every topic.",
            words=words,
            scanned=scanned,
        )
    if everywhere:
        return _("Nothing found for {words}.", words=words)
    return _(
        "Nothing found for {words} in this chat's topics; /search all {words} looks in "
        "every topic.",
        words=words,
    )


def searched_newest(scanned: int) -> Msg:
    return _(
        "Short words alone are looked for among the newest {scanned:,} entries only; "
        "add a word of three or more characters to search them all.",
        scanned=scanned,
    )


# ----------------------------------------------------------------------------- /help

HELP_INTRO = _(
    "New entries from the feeds this bot follows (/sources) arrive here as INCOMING TRANSMISSION."
)
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


def stats_version(version: Text, python: Text) -> Msg:
    return _("Version: Transmission {version} (Python {python})", version=version, python=python)


def stats_replicas(count: int) -> Msg:
    return _("Replicas on this database: {count}", count=count)


def stats_replica(name: Text, role: Text, heartbeat: Text, started: Text) -> Msg:
    return _(
        "• {name}: {role}, heartbeat {heartbeat}, started {started}",
        name=name,
        role=role,
        heartbeat=heartbeat,
        started=started,
    )


REPLICA_LEADER = _("leader (Telegram and sending)")
REPLICA_STANDBY = _("standby (polling feeds)")

JUST_NOW = _("just now")
DUE_NOW = _("due now")


# ----------------------------------------------------------------------------- /claim

CLAIM_IN_PRIVATE = _("Send /claim CODE in a private chat with me: the code is a secret.")
CLAIM_USAGE = _("Send /claim followed by the code this bot wrote to its log when it started.")
CLAIMED = _(
    "You are now an admin of this bot. Send /add followed by a feed or web page URL to follow "
    "it; /help lists the admin commands."
)
CLAIM_WRONG = _("That is not the claim code. Check the bot's log for the code and try again.")
CLAIM_CLOSED = _("This bot has its admins already, so there is nothing to claim. Ask one of them.")
ALREADY_ADMIN = _("You are an admin of this bot already.")


def claim_limited(wait: Text) -> Msg:
    return _("Too many wrong codes. Try again in {wait}.", wait=wait)


# ----------------------------------------------------------------------------- feeds from chat

SOURCES_HEADER = _("SOURCES")
ADD_USAGE = _(
    "Send /add followed by the URL of a feed or of a web page, and optionally topics: "
    "/add https://example.org/blog ml rl"
)
ADD_NOT_A_URL = _("That is not a web address. Send /add followed by an http:// or https:// URL.")
ADD_PICK = _("That page links to several feeds. Which one do you want to follow?")
ADD_QUESTION = _("Follow this feed?")
ADD_BUTTON = _("Add")
CANCEL_BUTTON = _("Cancel")
ADD_CANCELLED = _("Cancelled: nothing was added.")
NO_SOURCES = _("This bot follows no feeds yet.")
NO_FEEDS_FOLLOWED = _("No feeds yet. /add <url> follows one.")
FEED_GONE = _("That feed is no longer followed.")
PAUSE_BUTTON = _("Pause")
RESUME_BUTTON = _("Resume")
REMOVE_BUTTON = _("Remove")
CHECK_BUTTON = _("Check now")
YES_REMOVE_BUTTON = _("Yes, remove it")
KEEP_BUTTON = _("Keep it")
KEPT = _("Kept.")
CHECKING = _("It will be checked in a moment.")
PAUSED_ALREADY = _("That feed is paused already.")
RUNNING_ALREADY = _("That feed is not paused.")
PAUSED_STATE = _("paused: not checked until resumed")
NOT_CHECKED_YET = _("not checked yet")
IN_CONFIG = _("from the config file")
ADDED_IN_CHAT = _("added in chat")


def add_problem_unreachable(url: Text, detail: Text) -> Msg:
    return _("Could not fetch {url}: {detail}. Nothing was added.", url=url, detail=detail)


def add_problem_not_a_feed(url: Text, detail: Text) -> Msg:
    return _(
        "{url} is not a feed ({detail}), nor a web page that links to one. Nothing was added.",
        url=url,
        detail=detail,
    )


def add_problem_no_feeds(url: Text) -> Msg:
    return _(
        "{url} is a web page, but it links to no RSS, Atom or JSON feed. Nothing was added. "
        "If you know the feed's own address, /add that.",
        url=url,
    )


def add_problem_page_again(url: Text) -> Msg:
    return _("{url} is another web page, not a feed. Nothing was added.", url=url)


def add_duplicate(name: Text) -> Msg:
    return _("This bot follows {name} already. Nothing was added.", name=name)


def added(name: Text, topics: Text) -> Msg:
    if topics:
        return _(
            "Added {name} with the topics {topics}. It is being checked now; what it has "
            "already is not pushed, only what it publishes from now on.",
            name=name,
            topics=topics,
        )
    return _(
        "Added {name}. It is being checked now; what it has already is not pushed, only what "
        "it publishes from now on.",
        name=name,
    )


def feed_removed(name: Text) -> Msg:
    return _(
        "Removed {name}. Its pushes stop; what it published stays readable in /latest.",
        name=name,
    )


def feed_paused(name: Text) -> Msg:
    return _("Paused {name}: it is not checked until /resume.", name=name)


def feed_resumed(name: Text) -> Msg:
    return _("Resumed {name}: it is being checked now.", name=name)


def confirm_remove(name: Text) -> Msg:
    return _("Remove {name}? The bot stops checking it and pushing its entries.", name=name)


def in_config_file(name: Text) -> Msg:
    return _(
        "{name} is listed in the config file: remove it there and restart the bot "
        "(/pause stops it meanwhile).",
        name=name,
    )


def no_feed_named(ref: Text) -> Msg:
    return _("No followed feed has the URL or name {ref}. /feeds lists them.", ref=ref)


def several_feeds_named(ref: Text, count: int) -> Msg:
    return _(
        "{count} feeds are named {ref}: give the URL instead (/feeds lists them).",
        ref=ref,
        count=count,
    )


def feed_ref_usage(command: Text) -> Msg:
    return _(
        "Send /{command} followed by the feed's URL or name (/feeds lists them).",
        command=command,
    )


def feed_state_working(entries: int, checked: Text, next_check: Text) -> Msg:
    return _(
        "working: {entries} entries, checked {checked}, next check {next_check}",
        entries=entries,
        checked=checked,
        next_check=next_check,
    )


def errors_in_a_row(errors: int) -> Msg:
    if errors == 1:
        return _("1 error in a row")
    return _("{errors} errors in a row", errors=errors)


def feed_state_failing(errors: int, last_error: Text, worked: Text, retry: Text) -> Msg:
    return _(
        "failing ({failures}): {last_error}; last worked {worked}; next try {retry}",
        failures=errors_in_a_row(errors),
        last_error=last_error,
        worked=worked,
        retry=retry,
    )


# ----------------------------------------------------------------------------- OPML

EXPORT_CAPTION = _("Every feed this bot follows, as OPML: import it into any feed reader.")
OPML_ONLY_IN_PRIVATE = _("Send OPML files to me in a private chat.")
OPML_NOT_OPML = _(
    "I read OPML files only (.opml or .xml). Send a feed reader's export, or /add a URL."
)


def opml_too_large(limit_kib: int) -> Msg:
    return _("That file is larger than {limit_kib} KiB: nothing was imported.", limit_kib=limit_kib)


def opml_unreadable(reason: Text) -> Msg:
    return _("Could not read that file: {reason}. Nothing was imported.", reason=reason)


def opml_download_failed(reason: Text) -> Msg:
    return _(
        "Could not download that file from Telegram ({reason}). Please send it again.",
        reason=reason,
    )


def opml_imported(added: int, skipped: int) -> Msg:
    return _(
        "OPML import: {added} feeds added, {skipped} already followed (skipped).",
        added=added,
        skipped=skipped,
    )


def opml_invalid(count: int) -> Msg:
    return _("{count} could not be taken:", count=count)


OPML_NEW_FEEDS = _("The new feeds are checked now; only what they publish from now on is pushed.")


# ----------------------------------------------------------------------------- dead-feed alerts


UNKNOWN_ERROR = _("unknown")


def feed_alert(name: Text, url: Text, failing_for: Text, last_error: Text) -> Msg:
    return _(
        "⚠️ {name} has been failing for {failing_for}.\n{url}\nLast error: {last_error}\n"
        "The bot keeps retrying, less often the longer it fails.",
        name=name,
        url=url,
        failing_for=failing_for,
        last_error=last_error,
    )


def feed_recovered(name: Text, was_down: Text) -> Msg:
    return _("✅ {name} works again, after failing for {was_down}.", name=name, was_down=was_down)


def group_hello(bot_name: Text) -> Msg:
    return _(
        "Hello! I am {bot_name}: I post updates from the feeds this bot follows "
        "(/sources lists them). A group admin sends /start to subscribe this group, "
        "/topics to choose topics; /help lists everything.",
        bot_name=bot_name,
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


# ----------------------------------------------------------------------------- dedup and edits


def also_in(feeds: Text) -> Msg:
    """In a meta line: the same story came from these feeds too (and was not sent again);
    ``feeds``: their names, joined by the layout."""
    return _("also in {feeds}", feeds=feeds)


#: In a meta line: the entry changed after this message went out, and the message shows it.
UPDATED_MARK = _("✎ updated")


# ----------------------------------------------------------------------------- push buttons

MORE_BUTTON = _("More ⌄")
LESS_BUTTON = _("Less ⌃")
MUTE_BUTTON = _("Mute this feed here")
UNDO_BUTTON = _("↶ Undo")


def fewer_button(tag: Text) -> Msg:
    return _("Less of {tag}", tag=tag)


def muted_feed(feed: Text) -> Msg:
    return _(
        "Muted {feed} in this chat: no more pushes from it here. Undo is under the message.",
        feed=feed,
    )


def unmuted_feed(feed: Text) -> Msg:
    return _("{feed} is back on in this chat.", feed=feed)


def fewer_of(tag: Text) -> Msg:
    return _("This chat now skips {tag}. Undo is under the message.", tag=tag)


def more_of(tag: Text) -> Msg:
    return _("This chat takes {tag} again.", tag=tag)
