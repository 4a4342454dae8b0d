"""Words for pushes and LATEST UPDATES pages: entries, paging, push buttons, /latest, /next."""

from __future__ import annotations

from bot.render.strings._base import Msg, Text, _

# ----------------------------------------------------------------------------- headers

TRANSMISSION_HEADER = "INCOMING TRANSMISSION"
LATEST_HEADER = "LATEST UPDATES"

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


# ----------------------------------------------------------------------------- /latest and /next

LAST_PAGE = _("That was the last page. /latest starts again from the newest.")
FOLLOWS_NO_TOPICS = _("This chat follows no topics. /subscribe all or /topics.")


def no_entries_with(topic: Text) -> Msg:
    return _("No entries with the topic {topic} yet. /topics lists topics.", topic=topic)
