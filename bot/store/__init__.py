"""Storage behind one interface: :class:`Store`.

Invariants callers can rely on:
- every method is one transaction (all or nothing); write methods take the write lock up
  front on SQLite (``BEGIN IMMEDIATE``), so concurrent writers queue instead of failing;
- datetimes in and out are aware UTC (naive ones are refused);
- an entry key, once stored for a feed, is never inserted again, and an outbox row exists at
  most once per (chat, entry): nothing is queued twice, whatever runs concurrently;
- the only exception that comes out for an unreachable database is :class:`StoreUnavailable`
  (at :meth:`Store.open`); later failures are SQLAlchemy's and mean a bug or an outage.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Concatenate, Generic, ParamSpec, TypeVar, overload

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain import ChatInfo
from bot.store import (
    actions,
    admins,
    alerts,
    chats,
    edits,
    feedlist,
    feeds,
    keyword_filters,
    maintenance,
    outbox,
    pages,
    processes,
    search,
    topics,
)
from bot.store.alerts import FeedAlert
from bot.store.chats import ChannelSpec
from bot.store.engine import WRITE, create_engine, redacted
from bot.store.feedlist import FollowedFeed
from bot.store.maintenance import FeedState, PruneResult, Stats
from bot.store.migrate import upgrade_to_head
from bot.store.search import SavedSearch, SearchPage

P = ParamSpec("P")
T = TypeVar("T")

__all__ = [
    "ChannelSpec",
    "FeedAlert",
    "FeedState",
    "FollowedFeed",
    "PruneResult",
    "SavedSearch",
    "SearchPage",
    "Stats",
    "Store",
    "StoreUnavailable",
]

Query = Callable[Concatenate[AsyncConnection, P], Awaitable[T]]


class StoreUnavailable(Exception):
    """The database cannot be reached or opened; the message says which and why."""


class _Transaction(Generic[P, T]):
    """A query function of one of the modules below, as a :class:`Store` method that runs it
    in a transaction of its own (a write one with ``write``): same signature without the
    connection, same docstring."""

    def __init__(self, query: Query[P, T], *, write: bool = False) -> None:
        self._query = query
        self._write = write
        self.__doc__ = query.__doc__

    @overload
    def __get__(self, store: None, owner: type[Store]) -> _Transaction[P, T]: ...
    @overload
    def __get__(self, store: Store, owner: type[Store]) -> Callable[P, Awaitable[T]]: ...
    def __get__(
        self, store: Store | None, owner: type[Store]
    ) -> _Transaction[P, T] | Callable[P, Awaitable[T]]:
        if store is None:
            return self
        run = store._write if self._write else store._read
        query = self._query

        async def in_transaction(*args: P.args, **kwargs: P.kwargs) -> T:
            return await run(query, *args, **kwargs)

        return in_transaction


class Store:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # SQLite has one writer at a time. Without this lock our own writers (poll tasks, the
        # sender, handlers) would queue in SQLite's busy handler, which sleeps in steps of up
        # to 100 ms however soon the lock frees; here they queue in order and wake at once.
        # Other processes on the same file still wait through the busy timeout.
        self._write_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Connect, and create or upgrade the schema (Alembic) unless ``migrate`` is False."""
        try:
            engine = create_engine(url)
        except (OSError, ValueError) as error:  # e.g. the SQLite file's folder cannot be made
            raise StoreUnavailable(f"cannot open database {redacted(url)}: {error}") from None
        try:
            if migrate:
                await upgrade_to_head(engine)
            else:
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except (OperationalError, DBAPIError, OSError) as error:
            await engine.dispose()
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise StoreUnavailable(f"cannot open database {redacted(url)}: {reason}") from None
        return cls(engine)

    async def close(self) -> None:
        await self._engine.dispose()

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    async def ping(self) -> None:
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def _read(
        self,
        fn: Query[P, T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        async with self._engine.connect() as connection, connection.begin():
            return await fn(connection, *args, **kwargs)

    async def _write(
        self,
        fn: Query[P, T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        if self._write_lock is None:
            return await self._write_now(fn, *args, **kwargs)
        async with self._write_lock:
            return await self._write_now(fn, *args, **kwargs)

    async def _write_now(
        self,
        fn: Query[P, T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        async with self._engine.connect() as connection:
            connection = await connection.execution_options(**{WRITE: True})
            async with connection.begin():
                return await fn(connection, *args, **kwargs)

    # Each query below is one module's function run as one transaction: the same signature
    # without the connection, the same docstring (see :class:`_Transaction`).

    # ------------------------------------------------------------------ feeds and polls

    sync_feeds = _Transaction(feeds.sync_feeds, write=True)
    claim_due_feeds = _Transaction(feeds.claim_due_feeds, write=True)
    make_feeds_due = _Transaction(feeds.make_feeds_due, write=True)
    next_feed_check = _Transaction(feeds.next_feed_check)
    chats_queued_since = _Transaction(feeds.chats_queued_since)
    known_entries = _Transaction(feeds.known_entries)
    record_poll = _Transaction(feeds.record_poll, write=True)
    #: several polls in one transaction (all or nothing); outcomes in the same order
    record_polls = _Transaction(feeds.record_polls, write=True)

    # ------------------------------------------------------------------ the feed list

    followed_feeds = _Transaction(feedlist.followed_feeds)
    followed_feed = _Transaction(feedlist.followed_feed)
    find_feeds = _Transaction(feedlist.find_feeds)
    add_feed = _Transaction(feedlist.add_feed, write=True)
    remove_feed = _Transaction(feedlist.remove_feed, write=True)
    set_paused = _Transaction(feedlist.set_paused, write=True)
    check_now = _Transaction(feedlist.check_now, write=True)
    import_feeds = _Transaction(feedlist.import_feeds, write=True)
    #: dead-feed alerts to send (claimed: each is returned once)
    claim_alerts = _Transaction(alerts.claim_alerts, write=True)

    # ------------------------------------------------------------------ admins

    stored_admins = _Transaction(admins.stored_admins)
    is_stored_admin = _Transaction(admins.is_stored_admin)
    add_admin = _Transaction(admins.add_admin, write=True)

    # ------------------------------------------------------------------ chats

    chat = _Transaction(chats.chat_by_tg_id)
    chat_by_id = _Transaction(chats.chat_by_id)
    chat_rows = _Transaction(chats.chat_rows)
    set_thread_gone = _Transaction(chats.set_thread_gone, write=True)
    chat_by_ref = _Transaction(chats.chat_by_ref)
    ensure_chat = _Transaction(chats.ensure_chat, write=True)
    set_active = _Transaction(chats.set_active, write=True)
    set_settings = _Transaction(chats.set_settings, write=True)
    set_filters = _Transaction(keyword_filters.set_filters, write=True)
    set_topics = _Transaction(chats.set_topics, write=True)
    #: an atomic read-modify-write of the chat's topics: concurrent changes of one chat
    #: apply one after the other; (before, after)
    change_topics = _Transaction(chats.change_topics, write=True)
    set_cursor = _Transaction(chats.set_cursor, write=True)
    migrate_chat = _Transaction(chats.migrate_chat, write=True)
    sync_channels = _Transaction(chats.sync_channels, write=True)
    resolve_channel = _Transaction(chats.resolve_channel, write=True)
    unresolved_channels = _Transaction(chats.unresolved_channels)

    async def deactivate_chat(self, chat: ChatInfo, reason: str, now: datetime) -> int:
        """The chat cannot be reached (blocked, kicked, deleted): stop it, fail its queue.

        Returns how many queued deliveries were failed (each keeps ``reason``).
        """

        async def run(connection: AsyncConnection) -> int:
            await chats.set_active(connection, chat.id, False, now, reason)
            return await outbox.fail_pending_for_chat(connection, chat.id, reason)

        return await self._write(run)

    # ------------------------------------------------------------------ reading entries

    latest_page = _Transaction(pages.latest_page)
    entry_views = _Transaction(pages.entry_views)
    topics_in_use = _Transaction(pages.topic_names_in_use)
    topic_ids = _Transaction(topics.topic_ids)
    carried_topic = _Transaction(topics.carried_topic)
    stored_spelling = _Transaction(topics.stored_spelling)
    #: the config's topics stored, shown as the config spells them
    adopt_spellings = _Transaction(topics.adopt_spellings, write=True)
    topic_name = _Transaction(topics.topic_name)
    transmission_entries = _Transaction(outbox.transmission_entries)
    search_page = _Transaction(search.search_page)
    save_search = _Transaction(search.save_search, write=True)
    saved_search = _Transaction(search.saved_search)

    # ------------------------------------------------------------------ the outbox

    claim_deliveries = _Transaction(outbox.claim_deliveries, write=True)
    create_transmission = _Transaction(outbox.create_transmission, write=True)
    mark_sent = _Transaction(outbox.mark_sent, write=True)
    mark_retry = _Transaction(outbox.mark_retry, write=True)
    mark_failed = _Transaction(outbox.mark_failed, write=True)
    defer_chat = _Transaction(outbox.defer_chat, write=True)
    release = _Transaction(outbox.release, write=True)
    hold = _Transaction(outbox.hold, write=True)
    next_due_at = _Transaction(outbox.next_due_at)
    #: fail, with the reason, pending rows nobody will send (see ``outbox.sweep``)
    sweep_outbox = _Transaction(outbox.sweep, write=True)
    queue_counts = _Transaction(outbox.queue_counts)

    # ------------------------------------------------------------------ push buttons

    pushed_entry = _Transaction(actions.pushed_entry)
    set_muted = _Transaction(actions.set_muted, write=True)
    views_for_chat = _Transaction(actions.views_for_chat)

    # ------------------------------------------------------------------ the edit queue

    claim_edits = _Transaction(edits.claim_edits, write=True)
    mark_edit_done = _Transaction(edits.mark_edit_done, write=True)
    mark_edit_retry = _Transaction(edits.mark_edit_retry, write=True)
    mark_edit_failed = _Transaction(edits.mark_edit_failed, write=True)
    release_edits = _Transaction(edits.release_edits, write=True)
    next_edit_due_at = _Transaction(edits.next_edit_due_at)
    edit_counts = _Transaction(edits.edit_counts)

    # ------------------------------------------------------------------ processes

    #: this process is alive; on SQLite it takes back every claim left by an earlier one
    register_process = _Transaction(processes.register_process, write=True)
    heartbeat = _Transaction(processes.heartbeat, write=True)
    retire_process = _Transaction(processes.retire_process, write=True)
    live_processes = _Transaction(processes.live_processes)
    #: a new leader frees the deliveries and edits other processes had claimed
    take_over_claims = _Transaction(processes.take_over_claims, write=True)
    #: a poll cycle of this replica begins / ends (the leader holds back what it queues)
    cycle_started = _Transaction(processes.cycle_started, write=True)
    cycle_ended = _Transaction(processes.cycle_ended, write=True)
    replicas = _Transaction(processes.replicas)
    another_leader = _Transaction(processes.another_leader)

    # ------------------------------------------------------------------ maintenance

    prune = _Transaction(maintenance.prune, write=True)
    stats = _Transaction(maintenance.stats)
    feed_states = _Transaction(maintenance.feed_states)
