"""Flood control as the Bot API applies it to a bot, with sliding windows.

Three windows guard every outgoing ``sendMessage``:

* global: at most ``global_per_second`` messages in any 1-second window, across all chats;
* per chat: at most ``per_chat_per_second`` messages to one chat in any 1-second window;
* per group: at most ``group_per_minute`` messages to one group, supergroup or channel in any
  60-second window.

Edits (``editMessageText``, ``editMessageReplyMarkup``) are lighter in reality; here they
count toward the global window only, so paging through a result with buttons is never
throttled per chat, but a bot that edits thousands of messages a second still is.

A refused request gets ``retry_after`` = the whole seconds until the window frees a slot
(at least 1), and the chat (or, for the global window, the whole bot) is then *penalised*
until that moment: sending again early is refused again, as on the real server. A refused
request never consumes a slot.

``tolerance`` shortens each window a little (default 50 ms) so that a client pacing itself at
exactly the limit is not refused because of network jitter between its clock and ours.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

__all__ = ["FloodLimiter", "LimitConfig", "SlidingWindow"]


class SlidingWindow:
    """At most ``capacity`` events in any window of ``period`` seconds."""

    __slots__ = ("_events", "capacity", "period")

    def __init__(self, capacity: int, period: float) -> None:
        self.capacity = capacity
        self.period = period
        self._events: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0.0 when it fits now)."""
        while self._events and self._events[0] <= now - self.period:
            self._events.popleft()
        if len(self._events) < self.capacity:
            return 0.0
        return self._events[0] + self.period - now

    def record(self, now: float) -> None:
        self._events.append(now)


@dataclass(frozen=True)
class LimitConfig:
    """The numbers behind flood control; ``enabled=False`` turns it off entirely."""

    enabled: bool = True
    global_per_second: int = 30
    per_chat_per_second: int = 1
    group_per_minute: int = 20
    tolerance: float = 0.05


@dataclass
class FloodLimiter:
    """Decides whether a send or an edit may go out now; not thread-safe (callers lock)."""

    config: LimitConfig = field(default_factory=LimitConfig)
    _global: SlidingWindow = field(init=False)
    _per_chat: dict[int, SlidingWindow] = field(default_factory=dict, init=False)
    _per_group: dict[int, SlidingWindow] = field(default_factory=dict, init=False)
    _chat_penalty: dict[int, float] = field(default_factory=dict, init=False)
    _global_penalty: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._global = self._window(self.config.global_per_second, 1.0)

    def _window(self, capacity: int, period: float) -> SlidingWindow:
        return SlidingWindow(capacity, max(period - self.config.tolerance, 0.001))

    def reconfigure(self, config: LimitConfig) -> None:
        """Apply new numbers; all windows and penalties start afresh."""
        self.config = config
        self.__post_init__()
        self._per_chat.clear()
        self._per_group.clear()
        self._chat_penalty.clear()
        self._global_penalty = 0.0

    def admit_send(self, chat_id: int, is_group: bool, now: float) -> int | None:
        """Record a message to ``chat_id`` and return None, or return ``retry_after``."""
        if not self.config.enabled:
            return None
        windows = [self._global, self._chat_window(chat_id)]
        if is_group:
            windows.append(self._group_window(chat_id))
        return self._admit(windows, chat_id, now)

    def admit_edit(self, chat_id: int, now: float) -> int | None:
        """Record an edit in ``chat_id`` (global window only) or return ``retry_after``."""
        if not self.config.enabled:
            return None
        return self._admit([self._global], chat_id, now)

    def _admit(self, windows: list[SlidingWindow], chat_id: int, now: float) -> int | None:
        penalty = max(self._global_penalty, self._chat_penalty.get(chat_id, 0.0)) - now
        if penalty > 0:
            return _whole_seconds(penalty)
        waits = [window.wait_time(now) for window in windows]
        worst = max(waits)
        if worst > 0:
            retry_after = _whole_seconds(worst)
            if waits[0] == worst and windows[0] is self._global:
                self._global_penalty = now + retry_after
            else:
                self._chat_penalty[chat_id] = now + retry_after
            return retry_after
        for window in windows:
            window.record(now)
        return None

    def _chat_window(self, chat_id: int) -> SlidingWindow:
        window = self._per_chat.get(chat_id)
        if window is None:
            window = self._per_chat[chat_id] = self._window(self.config.per_chat_per_second, 1.0)
        return window

    def _group_window(self, chat_id: int) -> SlidingWindow:
        window = self._per_group.get(chat_id)
        if window is None:
            window = self._per_group[chat_id] = self._window(self.config.group_per_minute, 60.0)
        return window


def _whole_seconds(seconds: float) -> int:
    return max(1, math.ceil(seconds))
