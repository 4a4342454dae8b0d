"""The one-time claim code of a bot without admins, and its limit on wrong guesses (pure)."""

from __future__ import annotations

import enum
import hmac
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: letters and digits that cannot be mistaken for each other (no 0/O, 1/I/L)
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 10  #: about 49 bits: out of reach at a few guesses a minute


def new_claim_code() -> str:
    """A fresh code such as ``K7QX2-MR9PD``."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


class Claim(enum.Enum):
    """What a ``/claim CODE`` came to."""

    ACCEPTED = "accepted"  #: the code was right: the sender becomes an admin
    WRONG = "wrong"
    LIMITED = "limited"  #: too many wrong codes lately (this user or everyone): not checked
    CLOSED = "closed"  #: there is no code (the bot has admins, or the code was used)


@dataclass
class ClaimGate:
    """Holds the code until its one use; refuses guessing (``per_user`` wrong codes per
    ``window`` from one user, ``overall`` from everyone). Memory stays bounded: at most
    ``overall`` wrong attempts are remembered."""

    code: str | None
    per_user: int = 5
    overall: int = 20
    window: timedelta = timedelta(minutes=15)
    _wrong: deque[tuple[datetime, int]] = field(default_factory=deque)

    def attempt(self, user_id: int, given: str, now: datetime) -> Claim:
        if self.code is None:
            return Claim.CLOSED
        self._forget_before(now - self.window)
        if self._limited(user_id):
            return Claim.LIMITED
        if hmac.compare_digest(_normalised(given).encode(), _normalised(self.code).encode()):
            self.code = None  # once
            return Claim.ACCEPTED
        self._wrong.append((now, user_id))
        return Claim.WRONG

    def wait(self, user_id: int, now: datetime) -> timedelta:
        """How long until ``user_id`` may try again (zero: now)."""
        self._forget_before(now - self.window)
        if not self._limited(user_id):
            return timedelta(0)
        mine = [at for at, user in self._wrong if user == user_id]
        oldest = self._wrong[0][0] if len(self._wrong) >= self.overall else mine[-self.per_user]
        return max(oldest + self.window - now, timedelta(seconds=1))

    def _limited(self, user_id: int) -> bool:
        if len(self._wrong) >= self.overall:
            return True
        return sum(1 for _, user in self._wrong if user == user_id) >= self.per_user

    def _forget_before(self, cutoff: datetime) -> None:
        while self._wrong and self._wrong[0][0] <= cutoff:
            self._wrong.popleft()
