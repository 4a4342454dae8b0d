"""Words for the admins' /stats and for /claim, which makes a user one."""

from __future__ import annotations

from bot.render.strings._base import Msg, Text, _

# ----------------------------------------------------------------------------- /stats

STATS_HEADER = _("STATS")


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
