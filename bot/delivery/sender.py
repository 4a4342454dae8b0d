"""The outbox sender: drains queued deliveries under Telegram's limits, loses nothing.

Each pass claims (with a lease) the due rows of chats that can take a message now, and
hands each chat's rows to the :class:`~bot.delivery.transmit.Transmitter`, which folds them
into one INCOMING TRANSMISSION, waits for its slot and settles the outcome. While the Bot
API seems down (:mod:`bot.delivery.backoff`) one delivery at a time goes, as the probe.

A delivery that is still not sent ``give_up_after`` after it was queued, and the queue of a
chat that no longer takes pushes, are failed by a periodic sweep, with the reason (and count
as failed in /stats): nothing is dropped silently.

One transmission per chat and poll cycle: while a cycle runs (:meth:`Sender.gathering`),
rows it queued are not claimed until it ends (or ``gather_max`` after they were queued), so
entries of feeds that finish seconds apart still go out together.

Claims are small: at most ``in_flight`` chats' rows (about two seconds of sending), each
claimed just before its send. Rows claimed but not sent when the sender stops are
released; after a crash they are free again as soon as the process's heartbeat stops
(:mod:`bot.store.processes`), or at once when the next process starts on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import utcnow
from bot.delivery.backoff import Backoff
from bot.delivery.edits import Editor
from bot.delivery.outlet import Outlet
from bot.delivery.port import FailReason, MessagePort, NoObserver, SenderObserver
from bot.delivery.ratelimit import Pacer
from bot.delivery.transmit import Transmitter
from bot.domain import Delivery, EditJob
from bot.render.i18n import ENGLISH
from bot.store import Store

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  #: the default claim lease (``delivery.lease``)


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
    #: several replicas share the database: also wait for their running poll cycles
    gather_across_replicas: bool = False
    sweep_every: float = 60.0  #: seconds between sweeps of undeliverable rows
    language: str = ENGLISH  #: chats' language until they choose one
    timezone: str = "UTC"  #: chats' time zone until they choose one


class _Batch(SenderObserver):
    """What one drain of the queue did, for its one INFO line; forwards to the metrics."""

    def __init__(self, metrics: SenderObserver) -> None:
        self._metrics = metrics
        self.reset()

    def reset(self) -> None:
        self.started: float | None = None
        self.chats: set[int] = set()
        self.messages = self.entries = self.limited = self.failures = 0

    def sent(self, messages: int, entries: int, waited: Sequence[float]) -> None:
        self.messages += messages
        self.entries += entries
        self._metrics.sent(messages, entries, waited)

    def rate_limited(self) -> None:
        self.limited += 1
        self._metrics.rate_limited()

    def chat_gone(self) -> None:
        self._metrics.chat_gone()

    def failed(self, rows: int, reason: FailReason) -> None:
        self.failures += rows
        self._metrics.failed(rows, reason)

    def edited(self) -> None:
        self._metrics.edited()

    def report(self) -> None:
        """One line when the queue has drained, then start counting afresh."""
        if self.started is None:
            return
        log.info(
            "transmission batch: %d chats, %d messages sent (%d entries), %d 429s, "
            "%d deliveries failed, in %.1fs",
            len(self.chats),
            self.messages,
            self.entries,
            self.limited,
            self.failures,
            time.monotonic() - self.started,
        )
        self.reset()


class Sender:
    """Claims due deliveries and runs one :class:`Transmitter` task per chat at a time."""

    def __init__(
        self,
        store: Store,
        port: MessagePort,
        pacer: Pacer,
        settings: SenderSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        observer: SenderObserver | None = None,
        owner: str | None = None,
    ) -> None:
        self._store = store
        self._owner = owner  # the process id its claims carry (bot.store.processes)
        self._pacer = pacer
        self._settings = settings
        self._clock = clock
        self._batch = _Batch(observer or NoObserver())
        self._observer: SenderObserver = self._batch
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: dict[int, asyncio.Task[None]] = {}  # our chat id -> its delivery
        self._claimed: dict[int, tuple[int, ...]] = {}  # our chat id -> outbox ids not done
        self.backoff = Backoff(
            settings.retry_min, settings.retry_max, trip_after=settings.trip_after
        )
        outlet = Outlet(
            store,
            port,
            pacer,
            self.backoff,
            self._observer,
            clock,
            page_size=settings.page_size,
            summary_length=settings.summary_length,
            language=settings.language,
            timezone=settings.timezone,
        )
        self._transmitter = Transmitter(outlet, max_attempts=settings.max_attempts)
        self._editor = Editor(outlet)
        self._claimed_edits: dict[int, int] = {}  # our chat id -> edit id not done
        self._cycle_since: datetime | None = None  # a poll cycle runs since then
        self._across = settings.gather_across_replicas
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

    def resume(self) -> None:
        """After :meth:`stop`: the next :meth:`run` drains the outbox again (a replica that
        leads once more)."""
        self._stopping = False

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
        if swept.inactive:
            self._observer.failed(swept.inactive, FailReason.INACTIVE)
        if swept.expired:
            self._observer.failed(swept.expired, FailReason.EXPIRED)

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
        busy = self._pacer.limiter.busy_chats(time.monotonic())
        deliveries = await self._store.claim_deliveries(
            now,
            self._settings.lease,
            max_chats=room,
            per_chat=self._settings.batch_max,
            skip_chats=set(self._tasks),
            skip_tg_chats={chat for chat in busy if isinstance(chat, int)},
            queued_before=self._queued_before(now),
            owner=self._owner,
            replicas_gather=self._settings.gather_max if self._across else None,
        )
        if self._stopping and deliveries:  # stop() began while we claimed: hand them back
            await self._store.release([i for d in deliveries for i in d.outbox_ids])
            return 0
        if deliveries:
            log.debug("claimed deliveries for %d chats", len(deliveries))
            if self._batch.started is None:
                self._batch.started = time.monotonic()
        for delivery in deliveries:
            chat_id = delivery.chat.id
            self._batch.chats.add(chat_id)
            self._claimed[chat_id] = delivery.outbox_ids
            self._start(chat_id, self._deliver(delivery), f"deliver-{chat_id}")
        return len(deliveries) + await self._claim_edits(now, room - len(deliveries))

    async def _claim_edits(self, now: datetime, room: int) -> int:
        """Edits fill the room sends leave, one per chat, never beside a send to it."""
        if room <= 0:
            return 0
        busy = self._pacer.limiter.busy_chats(time.monotonic())
        jobs = await self._store.claim_edits(
            now,
            self._settings.lease,
            limit=room,
            skip_chats=set(self._tasks),
            skip_tg_chats={chat for chat in busy if isinstance(chat, int)},
            owner=self._owner,
        )
        if self._stopping and jobs:  # stop() began while we claimed: hand them back
            await self._store.release_edits([job.edit_id for job in jobs])
            return 0
        for job in jobs:
            self._claimed_edits[job.chat.id] = job.edit_id
            self._start(job.chat.id, self._edit(job), f"edit-{job.chat.id}")
        return len(jobs)

    def _start(self, chat_id: int, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks[chat_id] = task
        task.add_done_callback(functools.partial(self._finished, chat_id))

    def _finished(self, chat_id: int, _task: asyncio.Task[None]) -> None:
        self._tasks.pop(chat_id, None)
        self._wake.set()  # a slot in flight is free again

    async def _pause(self, claimed: int) -> None:
        """Sleep until something may be due: a wake-up, a finished send, or a timeout."""
        if claimed and len(self._tasks) < self._settings.in_flight:
            timeout = 0.05  # more may be due right away (chats skipped as busy a moment ago)
        else:
            timeout = await self._idle_timeout()
            if not claimed and not self._tasks:
                self._batch.report()
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
            dues = [
                await self._store.next_due_at(
                    queued_before, (now, self._settings.gather_max) if self._across else None
                ),
                await self._store.next_edit_due_at(),
            ]
        except Exception:
            return 1.0
        due = min((d for d in dues if d is not None), default=None)
        timeout = 5.0 if due is None else min(max((due - now).total_seconds(), 0.05), 5.0)
        if queued_before is not None or self._across:
            # rows held for a cycle (ours, or another replica's, which cannot wake us) are
            # released when it ends or as gather_max ends: look again within a second
            timeout = min(timeout, 1.0)
        return timeout

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming; let sends in flight finish (up to ``grace`` s); release the rest."""
        self._stopping = True
        self._wake.set()
        deadline = time.monotonic() + grace
        # Until none is left: a claim that was under way when stop() began may add more.
        while self._tasks and (left := deadline - time.monotonic()) > 0:
            await asyncio.wait(list(self._tasks.values()), timeout=left)
        for task in list(self._tasks.values()):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        leftover = [i for ids in self._claimed.values() for i in ids]
        if leftover:
            await self._store.release(leftover)
            log.info("returned %d unsent deliveries to the queue", len(leftover))
        self._claimed.clear()
        if self._claimed_edits:
            await self._store.release_edits(list(self._claimed_edits.values()))
        self._claimed_edits.clear()

    async def _edit(self, job: EditJob) -> None:
        await self._editor.edit(job)  # cancelled: stop() releases the edit
        self._claimed_edits.pop(job.chat.id, None)

    async def _deliver(self, delivery: Delivery) -> None:
        await self._transmitter.deliver(delivery)  # cancelled: stop() releases the rows
        self._claimed.pop(delivery.chat.id, None)
