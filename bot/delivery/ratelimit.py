"""Telegram's sending limits as pure bookkeeping: when may the next message to a chat go?

Three limits hold at once (Bot API FAQ): about 30 messages per second overall, one per second
to one chat, 20 per minute to one group. A 429 adds a fourth: that chat waits
``retry_after``. Each limit is a sliding window ("at most N sends in any W seconds") with a
small safety margin, because the server measures arrival times and ours jitter.

Chats are keyed by what the Bot API's ``chat_id`` takes (Telegram's id, or "@channel" for
a channel not resolved yet), so that pushes and replies to one chat share its limits.

Pure: every method takes ``now`` (monotonic seconds). :class:`Pacer` adds the waiting, and
lets replies to people go ahead of pushes.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

#: added to every window so that network jitter does not make two sends look closer
MARGIN = 0.02
#: how late a send may be and still count as on time for the even spacing of sends
_CADENCE_SLACK = 0.005
#: how the limiter names a chat: what the Bot API's ``chat_id`` takes
ChatKey = int | str
#: priorities of :meth:`Pacer.wait_turn`: an answer to a person goes before a push
REPLY, PUSH = 0, 1
#: chat kinds under the per-group limit (Telegram's 20 a minute holds for channels too)
PACED_AS_GROUP = frozenset({"group", "supergroup", "channel"})


class Window:
    """At most ``limit`` events in any ``seconds``-long window."""

    __slots__ = ("_events", "limit", "seconds")

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._events: deque[float] = deque()

    def next_slot(self, now: float) -> float:
        """The earliest time (>= now) an event fits."""
        self._forget(now)
        if len(self._events) < self.limit:
            return now
        return max(now, self._events[-self.limit] + self.seconds + MARGIN)

    def record(self, at: float) -> None:
        self._events.append(at)

    def idle(self, now: float) -> bool:
        self._forget(now)
        return not self._events

    def _forget(self, now: float) -> None:
        horizon = now - self.seconds - MARGIN
        while self._events and self._events[0] < horizon:
            self._events.popleft()


@dataclass(frozen=True, slots=True)
class Limits:
    per_second: float = 30.0  #: overall
    per_chat_interval: float = 1.0  #: seconds between messages to one chat
    group_per_minute: int = 20


class RateLimiter:
    """The overall window plus one window per chat (and per group, per minute)."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        # A rate below 1/s still needs a whole event per window: scale window, not count.
        count = max(int(limits.per_second), 1)
        self._overall = Window(count, count / limits.per_second)
        # ... and evenly spaced within the window: a window alone lets a whole second's worth
        # go at once, and such a burst reaches the server spread out by its own handling, so
        # the next burst (exactly a window later by our clock) overlaps it there: 429s.
        self._spacing = 1.0 / limits.per_second
        self._last_overall = float("-inf")
        self._chat: dict[ChatKey, Window] = {}
        self._group: dict[ChatKey, Window] = {}
        self._blocked_until: dict[ChatKey, float] = {}

    def next_slot(self, chat: ChatKey, is_group: bool, now: float) -> float:
        """When a message to ``chat`` may go, counting every limit."""
        return max(self.chat_slot(chat, is_group, now), self.overall_slot(now))

    def chat_slot(self, chat: ChatKey, is_group: bool, now: float) -> float:
        slot = max(now, self._blocked_until.get(chat, now))
        slot = max(slot, self._chat_window(chat).next_slot(now))
        if is_group:
            slot = max(slot, self._group_window(chat).next_slot(now))
        return slot

    def overall_slot(self, now: float) -> float:
        return max(self._overall.next_slot(now), self._last_overall + self._spacing)

    def record(self, chat: ChatKey, is_group: bool, at: float) -> None:
        self.record_overall(at)
        self._chat_window(chat).record(at)
        if is_group:
            self._group_window(chat).record(at)

    def record_overall(self, at: float) -> None:
        """A request that counts toward the overall limit only (an edit)."""
        self._overall.record(at)
        # Keep the cadence: a send a timer-tick late does not push all later ones back
        # (the window above still holds); after a pause or a stall, start afresh from now.
        due = self._last_overall + self._spacing
        self._last_overall = due if due <= at <= due + _CADENCE_SLACK else at

    def block(self, chat: ChatKey, until: float) -> None:
        """Telegram said ``retry_after``: nothing goes to this chat before ``until``."""
        self._blocked_until[chat] = max(until, self._blocked_until.get(chat, until))

    def busy_chats(self, now: float) -> set[ChatKey]:
        """Chats that cannot take a message right now (the claim skips them)."""
        self._cleanup(now)
        busy = {chat for chat, until in self._blocked_until.items() if until > now}
        busy.update(chat for chat, w in self._chat.items() if w.next_slot(now) > now)
        busy.update(chat for chat, w in self._group.items() if w.next_slot(now) > now)
        return busy

    def _chat_window(self, chat: ChatKey) -> Window:
        window = self._chat.get(chat)
        if window is None:
            window = self._chat[chat] = Window(1, self._limits.per_chat_interval)
        return window

    def _group_window(self, chat: ChatKey) -> Window:
        window = self._group.get(chat)
        if window is None:
            window = self._group[chat] = Window(self._limits.group_per_minute, 60.0)
        return window

    def _cleanup(self, now: float) -> None:
        """Drop state of chats that have been quiet for a window (keeps memory flat)."""
        for table in (self._chat, self._group):
            for chat in [c for c, w in table.items() if w.idle(now)]:
                del table[chat]
        for chat in [c for c, until in self._blocked_until.items() if until <= now]:
            del self._blocked_until[chat]


class _Gate:
    """A lock handed on by priority, then first come first served."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def acquire(self, priority: int) -> None:
        if not self._held and not self._waiting:
            self._held = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed over just as the waiter was cancelled: pass it on
            raise

    def release(self) -> None:
        while self._waiting:
            _, _, future = heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(None)  # ownership passes on: _held stays True
                return
        self._held = False


class Pacer:
    """Waits for a slot, then claims it. Waiters take turns by priority (:data:`REPLY`
    before :data:`PUSH`), then in order of arrival."""

    def __init__(self, limiter: RateLimiter, clock: Callable[[], float] = time.monotonic) -> None:
        self.limiter = limiter
        self._clock = clock
        self._gate = _Gate()

    async def wait_turn(self, chat: ChatKey, is_group: bool, priority: int = PUSH) -> None:
        """Until a message to ``chat`` may go (every limit), then its slot is taken."""
        # The chat's own limits first, without holding the gate: other chats go meanwhile.
        while True:
            now = self._clock()
            slot = self.limiter.chat_slot(chat, is_group, now)
            if slot <= now:
                break
            await asyncio.sleep(slot - now)
        await self._in_gate(
            priority,
            lambda now: self.limiter.next_slot(chat, is_group, now),
            lambda now: self.limiter.record(chat, is_group, now),
        )

    async def wait_overall(self, priority: int = REPLY) -> None:
        """Until a request that counts only overall (an edit) may go; its slot is taken."""
        await self._in_gate(priority, self.limiter.overall_slot, self.limiter.record_overall)

    async def _in_gate(
        self, priority: int, slot_at: Callable[[float], float], take: Callable[[float], None]
    ) -> None:
        await self._gate.acquire(priority)
        try:
            while True:
                now = self._clock()
                slot = slot_at(now)
                if slot <= now:
                    take(now)
                    return
                await asyncio.sleep(slot - now)
        finally:
            self._gate.release()
