"""Words for OPML: /export's file and what importing one answers."""

from __future__ import annotations

from bot.render.strings._base import Msg, Text, _

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
