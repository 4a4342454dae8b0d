"""Words for the command menu and profile, /help, a group's greeting, and any command's replies."""

from __future__ import annotations

from bot.render.strings._base import Msg, Text, _

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

# ----------------------------------------------------------------------------- /help

HELP_HEADER = "TRANSMISSION"
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


# ----------------------------------------------------------------------------- a group's greeting


def group_hello(bot_name: Text) -> Msg:
    return _(
        "Hello! I am {bot_name}: I post updates from the feeds this bot follows "
        "(/sources lists them). A group admin sends /start to subscribe this group, "
        "/topics to choose topics; /help lists everything.",
        bot_name=bot_name,
    )


# ----------------------------------------------------------------------------- shared replies

EXPIRED = _("This button has expired.")
SOMETHING_WENT_WRONG = _("Something went wrong; please try again.")
ONLY_GROUP_ADMINS = _("Only group admins can change this group's subscription.")
ONLY_BOT_ADMINS = _("This command is for the bot's admins.")
FAILED_ON_OUR_SIDE = _("Sorry, that failed on our side. Please try again.")


def unknown_command(name: Text) -> Msg:
    return _("Unknown command {name}. /help lists what I can do.", name=name)
