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
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain import (
    ChatInfo,
    Delivery,
    EntryView,
    FeedForUpdate,
    FeedSpec,
    Page,
    PollOutcome,
    PollRecord,
    TopicChoice,
)
from bot.store import chats, feeds, maintenance, outbox, pages, topics
from bot.store.chats import ChannelSpec
from bot.store.engine import WRITE, create_engine, redacted
from bot.store.maintenance import FeedState, PruneResult, Stats
from bot.store.migrate import upgrade_to_head

P = ParamSpec("P")
T = TypeVar("T")

__all__ = ["ChannelSpec", "FeedState", "PruneResult", "Stats", "Store", "StoreUnavailable"]


class StoreUnavailable(Exception):
    """The database cannot be reached or opened; the message says which and why."""


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
        fn: Callable[Concatenate[AsyncConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        async with self._engine.connect() as connection, connection.begin():
            return await fn(connection, *args, **kwargs)

    async def _write(
        self,
        fn: Callable[Concatenate[AsyncConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        if self._write_lock is None:
            return await self._write_now(fn, *args, **kwargs)
        async with self._write_lock:
            return await self._write_now(fn, *args, **kwargs)

    async def _write_now(
        self,
        fn: Callable[Concatenate[AsyncConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        async with self._engine.connect() as connection:
            connection = await connection.execution_options(**{WRITE: True})
            async with connection.begin():
                return await fn(connection, *args, **kwargs)

    # ------------------------------------------------------------------ feeds and polls

    async def sync_feeds(self, specs: Sequence[FeedSpec], now: datetime) -> None:
        await self._write(feeds.sync_feeds, specs, now)

    async def claim_due_feeds(
        self, now: datetime, limit: int, lease: timedelta
    ) -> list[FeedForUpdate]:
        return await self._write(feeds.claim_due_feeds, now, limit, lease)

    async def make_feeds_due(self, now: datetime) -> None:
        await self._write(feeds.make_feeds_due, now)

    async def known_entries(self, feed_id: int, keys: Sequence[str]) -> dict[str, str]:
        return await self._read(feeds.known_entries, feed_id, keys)

    async def record_poll(self, record: PollRecord) -> PollOutcome:
        return await self._write(feeds.record_poll, record)

    async def record_polls(self, records: Sequence[PollRecord]) -> list[PollOutcome]:
        """Several polls in one transaction (all or nothing); outcomes in the same order."""
        return await self._write(feeds.record_polls, records)

    # ------------------------------------------------------------------ chats

    async def chat(self, tg_chat_id: int) -> ChatInfo | None:
        return await self._read(chats.chat_by_tg_id, tg_chat_id)

    async def ensure_chat(self, tg_chat_id: int, kind: str, title: str, now: datetime) -> ChatInfo:
        return await self._write(chats.ensure_chat, tg_chat_id, kind, title, now)

    async def set_active(
        self, chat_id: int, active: bool, now: datetime, reason: str | None = None
    ) -> None:
        await self._write(chats.set_active, chat_id, active, now, reason)

    async def set_topics(
        self, chat_id: int, *, all_topics: bool, names: Collection[str], now: datetime
    ) -> None:
        await self._write(chats.set_topics, chat_id, all_topics=all_topics, names=names, now=now)

    async def change_topics(
        self,
        chat_id: int,
        decide: Callable[[TopicChoice], TopicChoice | None],
        now: datetime,
        *,
        activate: bool = False,
    ) -> tuple[ChatInfo, ChatInfo]:
        """An atomic read-modify-write of the chat's topics (see :func:`chats.change_topics`):
        concurrent changes of one chat apply one after the other. (before, after)."""
        return await self._write(chats.change_topics, chat_id, decide, now, activate)

    async def set_cursor(self, chat_id: int, topic: str | None, page: int) -> None:
        await self._write(chats.set_cursor, chat_id, topic, page)

    async def deactivate_chat(self, chat: ChatInfo, reason: str, now: datetime) -> int:
        """The chat cannot be reached (blocked, kicked, deleted): stop it, fail its queue.

        Returns how many queued deliveries were failed (each keeps ``reason``).
        """

        async def run(connection: AsyncConnection) -> int:
            await chats.set_active(connection, chat.id, False, now, reason)
            return await outbox.fail_pending_for_chat(connection, chat.id, reason)

        return await self._write(run)

    async def migrate_chat(self, old_tg_id: int, new_tg_id: int, now: datetime) -> None:
        await self._write(chats.migrate_chat, old_tg_id, new_tg_id, now)

    async def sync_channels(self, channels: Sequence[ChannelSpec], now: datetime) -> None:
        await self._write(chats.sync_channels, channels, now)

    async def resolve_channel(self, channel_ref: str, tg_chat_id: int, title: str) -> None:
        await self._write(chats.resolve_channel, channel_ref, tg_chat_id, title)

    async def unresolved_channels(self) -> list[str]:
        return await self._read(chats.unresolved_channels)

    # ------------------------------------------------------------------ reading entries

    async def latest_page(
        self,
        wanted_topics: Sequence[str] | None,
        page: int,
        page_size: int,
        excluded_topics: Sequence[str] = (),
    ) -> Page:
        return await self._read(pages.latest_page, wanted_topics, page, page_size, excluded_topics)

    async def entry_views(self, ids: Sequence[int]) -> list[EntryView]:
        return await self._read(pages.entry_views, ids)

    async def topics_in_use(self, limit: int = 40) -> list[str]:
        return await self._read(pages.topic_names_in_use, limit)

    async def topic_ids(self, names: Sequence[str]) -> dict[str, int]:
        return await self._read(topics.topic_ids, names)

    async def topic_name(self, topic_id: int) -> str | None:
        return await self._read(topics.topic_name, topic_id)

    async def transmission_entries(self, transmission_id: int, chat_id: int) -> list[int] | None:
        return await self._read(outbox.transmission_entries, transmission_id, chat_id)

    # ------------------------------------------------------------------ the outbox

    async def claim_deliveries(
        self,
        now: datetime,
        lease: timedelta,
        *,
        max_chats: int,
        per_chat: int,
        skip_chats: Collection[int] = (),
        queued_before: datetime | None = None,
    ) -> list[Delivery]:
        return await self._write(
            outbox.claim_deliveries,
            now,
            lease,
            max_chats=max_chats,
            per_chat=per_chat,
            skip_chats=skip_chats,
            queued_before=queued_before,
        )

    async def create_transmission(
        self, chat_id: int, entry_ids: Sequence[int], now: datetime
    ) -> int:
        return await self._write(outbox.create_transmission, chat_id, entry_ids, now)

    async def mark_sent(
        self,
        outbox_ids: Sequence[int],
        now: datetime,
        *,
        transmission_id: int | None,
        message_id: int | None,
    ) -> None:
        await self._write(
            outbox.mark_sent,
            outbox_ids,
            now,
            transmission_id=transmission_id,
            message_id=message_id,
        )

    async def mark_retry(
        self,
        outbox_ids: Sequence[int],
        not_before: datetime,
        error: str,
        *,
        count_attempt: bool = True,
    ) -> None:
        await self._write(
            outbox.mark_retry, outbox_ids, not_before, error, count_attempt=count_attempt
        )

    async def mark_failed(self, outbox_ids: Sequence[int], error: str) -> None:
        await self._write(outbox.mark_failed, outbox_ids, error)

    async def defer_chat(self, chat_id: int, not_before: datetime) -> None:
        await self._write(outbox.defer_chat, chat_id, not_before)

    async def release(self, outbox_ids: Sequence[int]) -> None:
        await self._write(outbox.release, outbox_ids)

    async def next_due_at(self, queued_before: datetime | None = None) -> datetime | None:
        return await self._read(outbox.next_due_at, queued_before)

    async def sweep_outbox(self, now: datetime, give_up_after: timedelta) -> outbox.Swept:
        """Fail, with the reason, pending rows nobody will send (see ``outbox.sweep``)."""
        return await self._write(outbox.sweep, now, give_up_after)

    async def queue_counts(self) -> dict[str, int]:
        return await self._read(outbox.queue_counts)

    # ------------------------------------------------------------------ maintenance

    async def prune(self, now: datetime, keep_days: timedelta, keep_entries: int) -> PruneResult:
        return await self._write(maintenance.prune, now, keep_days, keep_entries)

    async def stats(self) -> Stats:
        return await self._read(maintenance.stats)

    async def feed_states(self) -> list[FeedState]:
        return await self._read(maintenance.feed_states)
