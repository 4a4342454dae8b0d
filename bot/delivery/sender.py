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
    Transient     network, timeout, 5xx: retried with backoff (:mod:`bot.delivery.backoff`),
                  per chat, or for everyone when the API is down (one probe at a time); never
                  counted as an attempt, so an outage of any length loses nothing

Only failures of the delivery itself (a bug while rendering or storing it) count toward
``max_attempts``. A delivery that is still not sent ``give_up_after`` after it was queued,
and the queue of a chat that no longer takes pushes, are failed by a periodic sweep. A
failed row keeps its reason in ``last_error`` (and counts as failed in /stats): nothing is
dropped silently.

One transmission per chat and poll cycle: while a cycle runs (:meth:`Sender.gathering`),
rows it queued are not claimed until it ends (or ``gather_max`` after they were queued), so
entries of feeds that finish seconds apart still go out together.

Rows claimed but not sent when the sender stops are released; after a crash their lease
runs out and they are claimed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.delivery import render
from bot.delivery.backoff import Backoff, Permit
from bot.delivery.ratelimit import Pacer
from bot.domain import ChatInfo, Delivery
from bot.store import Store

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  #: the default claim lease (``delivery.lease``)
#: chat kinds under the per-group limit (Telegram's 20 a minute holds for channels too)
GROUP_KINDS = frozenset({"group", "supergroup", "channel"})


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


@dataclass(frozen=True, slots=True)
class _Later:
    """Not sent for a reason outside the message (network, 5xx, the API paused): retry
    at ``until`` without counting an attempt."""

    until: datetime
    reason: str


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
    max_attempts: int = 8  #: failures of the delivery itself (not network/5xx/429)
    in_flight: int = 60  #: deliveries claimed and not yet finished
    lease: timedelta = LEASE  #: how long claimed rows stay ours; after a crash, others' again
    retry_min: timedelta = timedelta(seconds=2)  #: first wait after a transient failure
    retry_max: timedelta = timedelta(minutes=15)  #: longest wait (per chat and for everyone)
    trip_after: int = 3  #: transient failures in a row (any chats) that pause everyone
    give_up_after: timedelta = timedelta(days=3)  #: pending this long after queued: failed
    gather_max: timedelta = timedelta(seconds=60)  #: longest wait for a poll cycle to end
    sweep_every: float = 60.0  #: seconds between sweeps of undeliverable rows


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
        self.backoff = Backoff(
            settings.retry_min, settings.retry_max, trip_after=settings.trip_after
        )
        self._cycle_since: datetime | None = None  # a poll cycle runs since then
        self._next_sweep = 0.0  # time.monotonic() of the next sweep

    def wake(self, _queued: int = 0) -> None:
        """New rows were queued: look now instead of at the next timeout."""
        self._wake.set()

    @contextlib.contextmanager
    def gathering(self) -> Iterator[None]:
        """Around a poll cycle: what it queues waits for its end (up to ``gather_max``), so
        that each chat gets one transmission for the whole cycle."""
        self._cycle_since = self._clock()
        try:
            yield
        finally:
            self._cycle_since = None
            self._wake.set()

    def _queued_before(self, now: datetime) -> datetime | None:
        """Rows queued since then are held back (the cycle that queues them still runs)."""
        if self._cycle_since is None:
            return None
        return max(self._cycle_since, now - self._settings.gather_max)

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    async def run(self) -> None:
        """Drain the outbox until :meth:`stop`."""
        while not self._stopping:
            await self._sweep()
            try:
                claimed = await self._claim()
            except Exception:  # the database blinked: keep the loop alive, try again soon
                log.exception("claiming deliveries failed")
                claimed = 0
            if self._stopping:
                break
            await self._pause(claimed)

    async def _sweep(self) -> None:
        """Now and then: fail, with the reason, rows that can no longer go out."""
        if time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + self._settings.sweep_every
        try:
            swept = await self._store.sweep_outbox(self._clock(), self._settings.give_up_after)
        except Exception:
            log.exception("sweeping the outbox failed")
            return
        if swept.inactive:
            log.warning("dropped %d deliveries of chats that no longer take pushes", swept.inactive)
        if swept.expired:
            log.error(
                "gave up %d deliveries not sent within %s (kept as failed, with the last error)",
                swept.expired,
                self._settings.give_up_after,
            )
        if swept.inactive or swept.expired:
            self._observer.failed(swept.inactive + swept.expired)

    def _room(self, now: datetime) -> int:
        """How many more deliveries may start now."""
        room = self._settings.in_flight - len(self._tasks)
        if self.backoff.tripped:  # the API seemed down: one probe at a time, when it is due
            room = min(room, 0 if self._tasks else (self.backoff.room(now) or 0))
        return room

    async def _claim(self) -> int:
        now = self._clock()
        room = self._room(now)
        if room <= 0:
            return 0
        busy = self._pacer.limiter.busy_chats(time.monotonic()) | set(self._tasks)
        deliveries = await self._store.claim_deliveries(
            now,
            self._settings.lease,
            max_chats=room,
            per_chat=self._settings.batch_max,
            skip_chats=busy,
            queued_before=self._queued_before(now),
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
        now = self._clock()
        resume = self.backoff.resumes_at(now)
        if resume is not None:  # the API seems down: nothing goes before the probe
            return min(max((resume - now).total_seconds(), 0.05), 5.0)
        queued_before = self._queued_before(now)
        try:
            due = await self._store.next_due_at(queued_before)
        except Exception:
            return 1.0
        timeout = 5.0 if due is None else min(max((due - now).total_seconds(), 0.05), 5.0)
        if queued_before is not None:  # rows held for the cycle are released as gather_max ends
            timeout = min(timeout, 1.0)
        return timeout

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
        paused = self.backoff.resumes_at(self._clock())
        if paused is not None:  # the API went down after the claim: do not even try
            await self._settle(delivery, self._held(paused), None)
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
        result = await self._attempt(chat, message)
        if isinstance(result, Rejected):
            log.error(
                "chat %s rejected a transmission (%s); trying plain text", chat.id, result.reason
            )
            result = await self._attempt(chat, message, plain=True)
        await self._settle(delivery, result, transmission_id)

    async def _attempt(
        self, chat: ChatInfo, message: render.Rendered, *, plain: bool = False
    ) -> SendResult | _Later:
        """One send, when the chat's limits and the circuit allow it; transient failures
        come back as :class:`_Later` with the time the chat may try again."""
        await self._pacer.wait_turn(chat.id, chat.kind in GROUP_KINDS)
        permit = self.backoff.permit(self._clock())
        if permit is None:
            return self._held(self.backoff.held_until(self._clock()))
        try:
            result = await self._port.send(chat.send_target, message, plain=plain)
        except BaseException:
            self.backoff.abandoned(permit)
            raise
        if not isinstance(result, Transient):
            if self.backoff.tripped:
                log.info("the Bot API answers again: sending resumes")
            self.backoff.answered(chat.id)
            return result
        was_tripped = self.backoff.tripped
        until = self.backoff.failed(chat.id, self._clock(), permit, result.reason)
        wait = (until - self._clock()).total_seconds()
        if self.backoff.tripped and (permit is Permit.PROBE or not was_tripped):
            log.warning(
                "the Bot API seems unreachable (%s): all sends wait %.3gs, then one tries",
                result.reason,
                wait,
            )
        else:
            log.warning("chat %s: send failed (%s); retry in %.3gs", chat.id, result.reason, wait)
        return _Later(until, result.reason)

    def _held(self, until: datetime) -> _Later:
        return _Later(until, f"waiting for the Bot API: {self.backoff.last_error}")

    async def _settle(
        self, delivery: Delivery, result: SendResult | _Later, transmission_id: int | None
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
            case _Later(until, reason):  # network, 5xx, or the API paused: not an attempt
                await self._store.mark_retry(
                    delivery.outbox_ids, until, reason, count_attempt=False
                )

    async def _retry(self, delivery: Delivery, reason: str) -> None:
        """The delivery itself failed (a bug, not the network): counted, at most
        ``max_attempts`` times, then failed with the reason."""
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
        delay = self.backoff.delay(attempts)
        await self._store.mark_retry(delivery.outbox_ids, self._clock() + delay, reason)
        log.warning("chat %s: send failed (%s); retry in %s", delivery.chat.id, reason, delay)
