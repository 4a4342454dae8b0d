"""One ``feedbot run`` per SQLite file: an exclusive lock on ``<database>.lock`` beside it.

SQLite has no sessions to elect a leader with, so a second bot on the same file would
long-poll and send beside the first. The lock is a ``flock`` that the kernel drops when the
process ends, however it ends: a bot killed with ``kill -9`` leaves nothing to clean up.
``poll --once`` and ``preview`` do not take it: they neither long-poll nor send.
"""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url


class DatabaseInUse(Exception):
    """Another process holds the database file's lock; the message says what to do."""


class FileLock:
    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    def release(self) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()


def lock_database_file(url: str) -> FileLock | None:
    """Hold the lock of the SQLite file ``url`` names (None: PostgreSQL or in memory)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None  # a URI filename: SQLite's own business
    path = Path(database + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DatabaseInUse(
            f"another feedbot run already uses {database}: one bot per SQLite file "
            "(stop the other, or share a PostgreSQL database for several replicas)"
        ) from None
    return FileLock(handle)
