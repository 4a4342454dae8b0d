"""Is Telegram long polling alive? The time of the last getUpdates that Telegram answered.

PTB's ``Updater.running`` stays True when its polling loop has given up (a token revoked
while running: "Invalid token. Aborting retry loop") or keeps failing (the API is
unreachable), so ``/healthz`` asks for a recent answer instead. Every long poll returns
within its timeout (10 s by default) even when there are no updates, so a quiet bot still
shows fresh answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.tg.transport import BotApiRequest


class WatchedRequest(BotApiRequest):
    """PTB's HTTP transport for getUpdates, noting when Telegram last answered 200."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self.last_answer = clock()  # counts from the start: a grace period for the first poll

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, body = await super().do_request(*args, **kwargs)
        if code == 200:
            self.last_answer = self._clock()
        return code, body

    def answered_within(self, seconds: float) -> bool:
        return self.silent_for() <= seconds

    def silent_for(self) -> float:
        """Seconds since Telegram last answered a getUpdates."""
        return self._clock() - self.last_answer
