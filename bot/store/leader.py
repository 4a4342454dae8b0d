"""The leader lock: which replica holds the Telegram duties, decided by the database.

PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection of its own.
The lock lives exactly as long as that session: a holder killed with ``kill -9`` loses it
the moment its socket closes. A network cut is the hard case, and both ends watch for it:
the server drops the session after about 6 s of TCP keepalives without an answer
(``tcp_keepalives_*``, ``tcp_user_timeout``, set for this session only), which frees the
lock for the others; and the holder asks every 2 s whether its session still holds the
lock (:meth:`AdvisoryLeaderLock.confirm`, 2 s timeout) and gives up its duties as soon as
it cannot tell, so within 4 s: before the server frees the lock. A session ended another
way (an admin's ``pg_terminate_backend``, a PostgreSQL restart) frees the lock before the
holder knows; for that a new holder waits :data:`SETTLE` seconds before it starts (when
another live replica's last heartbeat said it led: bot.app.leadership).

SQLite: one process per database file (bot.store.filelock), so it always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.engine import async_url

log = logging.getLogger(__name__)

#: the advisory lock's key ("lead" in ASCII; small enough to show as pg_locks.objid alone),
#: not the migrations' ("tran", bot.store.migrate): a replica that starts while another
#: leads must not wait for the leader to go. Advisory keys are per database.
LOCK_KEY = 0x6C656164
#: seconds a lock query may take before the holder takes its session for lost
QUERY_TIMEOUT = 2.0
#: seconds the holder waits between two checks of its lock (bot.app.leadership)
CONFIRM_EVERY = 2.0
#: seconds a new holder waits before it starts its duties: by then a previous holder whose
#: session ended without its knowing has found out at its next check and stopped
SETTLE = CONFIRM_EVERY + QUERY_TIMEOUT
#: the lock session's keepalives (seconds idle, between probes, probes) and the time data
#: may stay unacknowledged (ms): a cut session ends server-side after about 6 s, later than
#: the holder's own check gives up (CONFIRM_EVERY + QUERY_TIMEOUT)
SESSION_SETTINGS = {
    "tcp_keepalives_idle": "3",
    "tcp_keepalives_interval": "1",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "6000",
    "statement_timeout": "2000",
    "application_name": "feedbot leader lock",
}


class LeaderLock(Protocol):
    #: seconds to wait after acquiring before the duties start (0: nobody else can hold it)
    settle: float
    #: other processes may hold it (False: this one always leads)
    shared: bool

    async def acquire(self) -> bool:
        """True when this process holds the lock now (it may have held it already)."""

    async def confirm(self) -> bool:
        """True while the lock is surely still ours; False when lost or unknown."""

    async def release(self) -> None:
        """Give the lock up (it may be acquired again)."""

    async def close(self) -> None:
        """Give the lock up for good and close its connection."""


class SoleProcessLock:
    """SQLite: the only process on its database file always leads."""

    settle = 0.0
    shared = False

    async def acquire(self) -> bool:
        return True

    async def confirm(self) -> bool:
        return True

    async def release(self) -> None:
        return None

    async def close(self) -> None:
        return None


class AdvisoryLeaderLock:
    """PostgreSQL: a session advisory lock held on a dedicated connection."""

    settle = SETTLE
    shared = True

    def __init__(self, url: str) -> None:
        self._engine: AsyncEngine = create_async_engine(
            async_url(url),
            pool_size=1,
            max_overflow=0,
            connect_args={
                "server_settings": SESSION_SETTINGS,
                "timeout": QUERY_TIMEOUT,
                "command_timeout": QUERY_TIMEOUT,
            },
        )
        self._connection: AsyncConnection | None = None  # holds the lock
        self._asking: AsyncConnection | None = None  # a standby's, kept between tries

    async def acquire(self) -> bool:
        if self._connection is not None:
            return await self.confirm()
        kept, self._asking = self._asking, None
        if kept is not None and (got := await self._try(kept)) is not None:
            return got
        try:  # no session yet, or the kept one broke (a database restart): a new one
            connection = await asyncio.wait_for(self._connect(), QUERY_TIMEOUT * 2)
        except Exception as error:  # the database is away: a standby, and try later
            log.debug("leader lock: cannot connect (%s)", type(error).__name__)
            return False
        return bool(await self._try(connection))

    async def _try(self, connection: AsyncConnection) -> bool | None:
        """True: the lock is ours now, on ``connection``; False: another session holds it
        (``connection`` is kept for the next try); None: the session failed (dropped)."""
        try:
            got = await asyncio.wait_for(
                connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}),
                QUERY_TIMEOUT,
            )
        except Exception as error:
            log.debug("leader lock: cannot ask (%s)", type(error).__name__)
            await self._drop(connection)
            return None
        if not got:
            self._asking = connection
            return False
        self._connection = connection
        return True

    async def confirm(self) -> bool:
        connection = self._connection
        if connection is None:
            return False
        try:
            held = await asyncio.wait_for(
                connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND pid = pg_backend_pid() AND granted "
                        "AND classid = 0 AND objid::bigint = :key AND objsubid = 1"
                    ),
                    {"key": LOCK_KEY},
                ),
                QUERY_TIMEOUT,
            )
        except Exception as error:  # timed out or the session broke: not ours any more
            log.warning("leader lock: cannot confirm it (%s)", type(error).__name__)
            held = 0
        if held:
            return True
        self._connection = None
        await self._drop(connection)
        return False

    async def release(self) -> None:
        if self._asking is not None:
            await self._drop(self._asking)
            self._asking = None
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY}),
                    QUERY_TIMEOUT,
                )
            await self._drop(connection)

    async def close(self) -> None:
        await self.release()
        await self._engine.dispose()

    async def _connect(self) -> AsyncConnection:
        connection = await self._engine.connect()
        return await connection.execution_options(isolation_level="AUTOCOMMIT")

    async def _drop(self, connection: AsyncConnection) -> None:
        """Close a session for good: a broken one must not go back to the pool."""
        with contextlib.suppress(Exception):
            await connection.invalidate()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(connection.close(), QUERY_TIMEOUT)


def leader_lock(url: str, dialect: str) -> LeaderLock:
    return SoleProcessLock() if dialect == "sqlite" else AdvisoryLeaderLock(url)
