"""The outbox sender: drains queued deliveries under Telegram's limits, loses nothing.

Each pass claims (with a lease) the due rows of chats that can take a message now, folds a
chat's rows into one INCOMING TRANSMISSION, waits for its slot (:class:`Pacer`) and sends.
What happens next depends only on the send's outcome:

    Sent          rows marked sent with the message id (right away: a crash after this
                  point repeats nothing)
    RetryLater    429: the chat waits ``retry_after`` (in memory and on its rows), others go on
    ChatGone      403 / chat not found: the chat is deactivated, its queue failed with reason
    Migrated      group became a supergroup: the chat follows, rows retried at once
    Rejected      400 for the message itself: retried once as plain text, then failed
    Transient     network, 5xx: retried with backoff; after ``max_attempts`` failed

A failed row keeps its reason; nothing is dropped silently. Rows claimed but not sent when
the sender stops are released; after a crash their lease runs out and they are claimed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.delivery import render
from bot.delivery.ratelimit import Pacer
from bot.domain import Delivery
from bot.store import Store

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  #: the default claim lease (``delivery.lease``)
MAX_BACKOFF = timedelta(minutes=15)


# ----------------------------------------------------------------------------- the port


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: int
    chat_id: int  #: Telegram's id of the chat (resolves "@channel" targets)


@dataclass(frozen=True, slots=True)
class RetryLater:
    seconds: float


@dataclass(frozen=True, slots=True)
class ChatGone:
    reason: str


@dataclass(frozen=True, slots=True)
class Migrated:
    new_chat_id: int


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


@dataclass(frozen=True, slots=True)
class Transient:
    reason: str


SendResult = Sent | RetryLater | ChatGone | Migrated | Rejected | Transient


class MessagePort(Protocol):
    """How the sender reaches Telegram (``bot.tg.api`` implements it over PTB)."""

    async def send(
        self, target: int | str, message: render.Rendered, *, plain: bool = False
    ) -> SendResult: ...


class SenderObserver(Protocol):
    """Hooks for metrics; every method must be cheap and must not raise."""

    def sent(self, messages: int, entries: int) -> None: ...
    def rate_limited(self) -> None: ...
    def chat_gone(self) -> None: ...
    def failed(self, rows: int) -> None: ...


class _NoObserver:
    def sent(self, messages: int, entries: int) -> None:
        pass

    def rate_limited(self) -> None:
        pass

    def chat_gone(self) -> None:
        pass

    def failed(self, rows: int) -> None:
        pass


@dataclass(frozen=True, slots=True)
class SenderSettings:
    page_size: int = 5
    summary_length: int = 350
    batch_max: int = 50  #: entries folded into one transmission
    max_attempts: int = 8
    in_flight: int = 60  #: deliveries claimed and not yet finished
    lease: timedelta = LEASE  #: how long claimed rows stay ours; after a crash, others' again


def utcnow() -> datetime:
    return datetime.now(UTC)


class Sender:
    def __init__(
        self,
        store: Store,
        port: MessagePort,
        pacer: Pacer,
        settings: SenderSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        observer: SenderObserver | None = None,
    ) -> None:
        self._store = store
        self._port = port
        self._pacer = pacer
        self._settings = settings
        self._clock = clock
        self._observer: SenderObserver = observer or _NoObserver()
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: dict[int, asyncio.Task[None]] = {}  # our chat id -> its delivery
        self._claimed: dict[int, tuple[int, ...]] = {}  # our chat id -> outbox ids not done

    def wake(self, _queued: int = 0) -> None:
        """New rows were queued: look now instead of at the next timeout."""
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    async def run(self) -> None:
        """Drain the outbox until :meth:`stop`."""
        while not self._stopping:
            try:
                claimed = await self._claim()
            except Exception:  # the database blinked: keep the loop alive, try again soon
                log.exception("claiming deliveries failed")
                claimed = 0
            if self._stopping:
                break
            await self._pause(claimed)

    async def _claim(self) -> int:
        room = self._settings.in_flight - len(self._tasks)
        if room <= 0:
            return 0
        busy = self._pacer.limiter.busy_chats(time.monotonic()) | set(self._tasks)
        deliveries = await self._store.claim_deliveries(
            self._clock(),
            self._settings.lease,
            max_chats=room,
            per_chat=self._settings.batch_max,
            skip_chats=busy,
        )
        for delivery in deliveries:
            chat_id = delivery.chat.id
            self._claimed[chat_id] = delivery.outbox_ids
            task = asyncio.create_task(self._deliver(delivery), name=f"deliver-{chat_id}")
            self._tasks[chat_id] = task
            task.add_done_callback(functools.partial(self._finished, chat_id))
        return len(deliveries)

    def _finished(self, chat_id: int, _task: asyncio.Task[None]) -> None:
        self._tasks.pop(chat_id, None)
        self._wake.set()  # a slot in flight is free again

    async def _pause(self, claimed: int) -> None:
        """Sleep until something may be due: a wake-up, a finished send, or a timeout."""
        if claimed and len(self._tasks) < self._settings.in_flight:
            timeout = 0.05  # more may be due right away (chats skipped as busy a moment ago)
        else:
            timeout = await self._idle_timeout()
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _idle_timeout(self) -> float:
        try:
            due = await self._store.next_due_at()
        except Exception:
            return 1.0
        if due is None:
            return 5.0
        return min(max((due - self._clock()).total_seconds(), 0.05), 5.0)

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming; let sends in flight finish (up to ``grace`` s); release the rest."""
        self._stopping = True
        self._wake.set()
        if self._tasks:
            await asyncio.wait(list(self._tasks.values()), timeout=grace)
        for task in list(self._tasks.values()):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        leftover = [i for ids in self._claimed.values() for i in ids]
        if leftover:
            await self._store.release(leftover)
            log.info("returned %d unsent deliveries to the queue", len(leftover))
        self._claimed.clear()

    # ------------------------------------------------------------------ one delivery

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            await self._send(delivery)
        except asyncio.CancelledError:
            raise  # stop() releases the rows still listed in self._claimed
        except Exception as error:
            log.exception("delivery to chat %s failed unexpectedly", delivery.chat.id)
            with contextlib.suppress(Exception):  # if storage is down, the lease runs out
                await self._retry(delivery, f"internal error: {error!r}")
        self._claimed.pop(delivery.chat.id, None)

    async def _send(self, delivery: Delivery) -> None:
        chat = delivery.chat
        if not delivery.entries:
            await self._store.mark_failed(delivery.outbox_ids, "entries no longer stored")
            self._observer.failed(len(delivery.outbox_ids))
            return
        transmission_id = None
        if len(delivery.entries) > self._settings.page_size:
            transmission_id = await self._store.create_transmission(
                chat.id, [e.entry_id for e in delivery.entries], self._clock()
            )
        message = render.transmission(
            delivery.entries,
            page=1,
            page_size=self._settings.page_size,
            summary_length=self._settings.summary_length,
            transmission_id=transmission_id,
        )
        is_group = chat.kind in ("group", "supergroup")
        await self._pacer.wait_turn(chat.id, is_group)
        result = await self._port.send(chat.send_target, message)
        if isinstance(result, Rejected):
            log.error(
                "chat %s rejected a transmission (%s); trying plain text", chat.id, result.reason
            )
            await self._pacer.wait_turn(chat.id, is_group)
            result = await self._port.send(chat.send_target, message, plain=True)
        await self._settle(delivery, result, transmission_id)

    async def _settle(
        self, delivery: Delivery, result: SendResult, transmission_id: int | None
    ) -> None:
        chat = delivery.chat
        now = self._clock()
        match result:
            case Sent(message_id, tg_chat_id):
                await self._store.mark_sent(
                    delivery.outbox_ids,
                    now,
                    transmission_id=transmission_id,
                    message_id=message_id,
                )
                if chat.tg_chat_id is None and chat.channel_ref:
                    await self._store.resolve_channel(chat.channel_ref, tg_chat_id, chat.title)
                self._observer.sent(1, len(delivery.entries))
            case RetryLater(seconds):
                until = now + timedelta(seconds=seconds)
                self._pacer.limiter.block(chat.id, time.monotonic() + seconds)
                await self._store.mark_retry(
                    delivery.outbox_ids,
                    until,
                    f"429: retry after {seconds:g}s",
                    count_attempt=False,
                )
                await self._store.defer_chat(chat.id, until)
                self._observer.rate_limited()
                log.warning("chat %s rate-limited by Telegram for %gs", chat.id, seconds)
            case ChatGone(reason):
                failed = await self._store.deactivate_chat(chat, reason, now)
                self._observer.chat_gone()
                self._observer.failed(failed)
                log.info(
                    "chat %s deactivated: %s (%d deliveries kept as failed)",
                    chat.id,
                    reason,
                    failed,
                )
            case Migrated(new_chat_id):
                assert chat.tg_chat_id is not None
                await self._store.migrate_chat(chat.tg_chat_id, new_chat_id, now)
                await self._store.mark_retry(
                    delivery.outbox_ids, now, "group migrated to supergroup", count_attempt=False
                )
                log.info("chat %s migrated to %s", chat.tg_chat_id, new_chat_id)
            case Rejected(reason):
                await self._store.mark_failed(
                    delivery.outbox_ids, f"rejected by Telegram: {reason}"
                )
                self._observer.failed(len(delivery.outbox_ids))
                log.error("chat %s: transmission rejected even as plain text: %s", chat.id, reason)
            case Transient(reason):
                await self._retry(delivery, reason)

    async def _retry(self, delivery: Delivery, reason: str) -> None:
        attempts = delivery.attempts + 1
        if attempts >= self._settings.max_attempts:
            await self._store.mark_failed(
                delivery.outbox_ids, f"gave up after {attempts} attempts: {reason}"
            )
            self._observer.failed(len(delivery.outbox_ids))
            log.error(
                "chat %s: giving up after %d attempts: %s", delivery.chat.id, attempts, reason
            )
            return
        delay = min(timedelta(seconds=2**attempts), MAX_BACKOFF)
        await self._store.mark_retry(delivery.outbox_ids, self._clock() + delay, reason)
        log.warning("chat %s: send failed (%s); retry in %s", delivery.chat.id, reason, delay)
