"""When to try again after a network error or a 5xx: per chat, and for everyone at once.

A transient failure says nothing about the message, so it never uses up a delivery's
attempts. It says something about the chat (rarely) or about the Bot API (usually), and the
two are told apart by what happens around it:

* **Per chat.** A failure while other sends still get answers is the chat's: that chat
  waits ``base``, then twice as long after each further failure in a row, up to ``cap``.
* **Everyone (the circuit).** ``trip_after`` failures in a row with no answer from Telegram
  in between (any chats) mean the API or the network is down: nothing is sent for ``base``
  seconds; then one send (the *probe*) tests the water. A probe that fails doubles the
  pause (up to ``cap``); any answer from Telegram (sent, 4xx, 429) closes the circuit and
  every chat goes again at once. Sends that were already under way when the circuit opened
  do not lengthen the pause: only the probe's outcome counts.

Pure bookkeeping: ``now`` is passed in; the sender does the waiting and the storage.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta


class Permit(enum.Enum):
    """Why a send may go: the circuit is closed, or it is the probe of a tripped one."""

    NORMAL = "normal"
    PROBE = "probe"


class Backoff:
    def __init__(self, base: timedelta, cap: timedelta, *, trip_after: int = 3) -> None:
        if base <= timedelta(0) or cap < base:
            raise ValueError("need 0 < base <= cap")
        self.base = base
        self.cap = cap
        self.trip_after = max(trip_after, 1)
        self._streak = 0  #: transient failures in a row, any chat, no answer in between
        self._level = 0  #: 0: closed; n: opened n times in a row without an answer since
        self._open_until: datetime | None = None
        self._probing = False  #: the probe of a tripped circuit is under way
        self._chats: dict[int, int] = {}  #: our chat id -> its transient failures in a row
        self.last_error = ""  #: the reason of the last transient failure (for the records)

    def delay(self, failures: int) -> timedelta:
        """``base``, doubled per further failure, at most ``cap``."""
        return min(self.base * (1 << min(max(failures - 1, 0), 40)), self.cap)

    # ------------------------------------------------------------------ asking

    @property
    def tripped(self) -> bool:
        return self._level > 0

    def resumes_at(self, now: datetime) -> datetime | None:
        """While the circuit is open: when the probe may go (None: sending is allowed)."""
        if self._open_until is not None and now < self._open_until:
            return self._open_until
        return None

    def room(self, now: datetime) -> int | None:
        """How many new deliveries may start now (None: no limit from here)."""
        if not self.tripped:
            return None
        if self.resumes_at(now) is not None or self._probing:
            return 0
        return 1

    def permit(self, now: datetime) -> Permit | None:
        """May a send go now? None: no (the circuit is open, or a probe is under way)."""
        if not self.tripped:
            return Permit.NORMAL
        if self.resumes_at(now) is not None or self._probing:
            return None
        self._probing = True
        return Permit.PROBE

    def held_until(self, now: datetime) -> datetime:
        """When a send that was not permitted should be tried again."""
        return self.resumes_at(now) or now + self.base

    # ------------------------------------------------------------------ telling

    def answered(self, chat: int) -> None:
        """Telegram answered (sent, refused, 429): it is reachable; the circuit closes."""
        self._streak = 0
        self._level = 0
        self._open_until = None
        self._probing = False
        self._chats.pop(chat, None)

    def abandoned(self, permit: Permit | None) -> None:
        """A permitted send ended without an outcome (cancelled, a bug): free the probe."""
        if permit is Permit.PROBE:
            self._probing = False

    def failed(self, chat: int, now: datetime, permit: Permit, reason: str = "") -> datetime:
        """A transient failure of a send made under ``permit``: when may the chat retry?"""
        self.last_error = reason or self.last_error
        if permit is Permit.PROBE:
            self._probing = False
            self._level += 1
            self._open_until = now + self.delay(self._level)
            return self._open_until
        if self.tripped:  # under way before the circuit opened: the pause stays as it is
            return max(self._open_until or now, now + self.base)
        self._streak += 1
        failures = self._chats[chat] = self._chats.get(chat, 0) + 1
        retry_at = now + self.delay(failures)
        if self._streak >= self.trip_after:
            self._level = 1
            self._open_until = now + self.delay(1)
            return max(retry_at, self._open_until)
        return retry_at
