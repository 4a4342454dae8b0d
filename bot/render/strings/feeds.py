"""Words for /add, /feeds, /sources, /remove, /pause and /resume, and for dead-feed alerts."""

from __future__ import annotations

from bot.render.strings._base import Msg, Text, _

# ----------------------------------------------------------------------------- feeds from chat

FEEDS_HEADER = _("FEEDS")
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
