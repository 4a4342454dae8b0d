"""Replies to commands whose text is more than one sentence: /help and /stats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.render.durations import ago
from bot.render.i18n import Locale, Msg
from bot.render.message import Rendered
from bot.render.strings import admin as admin_strings
from bot.render.strings import commands as command_strings
from bot.text.measure import escape_html


class StoreFigures(Protocol):
    """The store's counts that /stats shows."""

    @property
    def feeds(self) -> int: ...
    @property
    def feeds_failing(self) -> int: ...
    @property
    def entries(self) -> int: ...
    @property
    def chats_active(self) -> int: ...
    @property
    def chats_inactive(self) -> int: ...
    @property
    def queue_pending(self) -> int: ...
    @property
    def queue_failed(self) -> int: ...
    @property
    def sent(self) -> int: ...


class ReplicaFigures(Protocol):
    """A running process as /stats lists it (bot.store.processes.Replica)."""

    @property
    def id(self) -> str: ...
    @property
    def leader(self) -> bool: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def heartbeat_at(self) -> datetime: ...


def help_text(commands: Sequence[tuple[str, Msg]], loc: Locale) -> Rendered:
    """/help: what the bot does, the ``commands`` this user may use, how pushes pause."""
    lines = [
        f"<b>{command_strings.HELP_HEADER}</b>",
        escape_html(loc(command_strings.HELP_INTRO)),
        "",
    ]
    lines += [escape_html(loc(command_strings.help_command(name, text))) for name, text in commands]
    lines += [
        "",
        escape_html(loc(command_strings.HELP_GROUPS)),
        escape_html(loc(command_strings.HELP_PAUSES)),
    ]
    return Rendered(html="\n".join(lines))


def stats(
    s: StoreFigures,
    version: str,
    python: str,
    loc: Locale,
    replicas: Sequence[ReplicaFigures] = (),
    now: datetime | None = None,
) -> Rendered:
    """/stats: the counts, the version, and (with several processes on one database) each
    replica: its host and pid, role, last heartbeat and start."""
    lines = [
        f"<b>{escape_html(loc(admin_strings.STATS_HEADER))}</b>",
        escape_html(loc(admin_strings.stats_feeds(s.feeds, s.feeds_failing))),
        escape_html(loc(admin_strings.stats_entries(s.entries))),
        escape_html(loc(admin_strings.stats_chats(s.chats_active, s.chats_inactive))),
        escape_html(loc(admin_strings.stats_queue(s.queue_pending, s.queue_failed, s.sent))),
        escape_html(loc(admin_strings.stats_version(version, python))),
    ]
    if replicas and now is not None:
        lines.append(escape_html(loc(admin_strings.stats_replicas(len(replicas)))))
        for replica in replicas:
            name = ":".join(replica.id.split(":")[:2])  # host:pid, not the random part
            role = admin_strings.REPLICA_LEADER if replica.leader else admin_strings.REPLICA_STANDBY
            line = admin_strings.stats_replica(
                name,
                loc(role),
                ago(replica.heartbeat_at, now, loc),
                ago(replica.started_at, now, loc),
            )
            lines.append(escape_html(loc(line)))
    return Rendered(html="\n".join(lines))
