"""The leader lock and what a new leader takes over, on the real database.

PostgreSQL: one session holds the advisory lock; another asks and is refused; the holder's
session killed (as by kill -9 or a cut the server noticed) frees the lock, and the old
holder's confirm() says so; a replica that starts (migrates) while another leads does not
wait for it. Both backends: a new leader frees the deliveries others had claimed, and the
replicas list shows who leads. SQLite always leads (one process per file, bot.store.filelock).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app.leadership import Leadership
from bot.clock import utcnow
from bot.store import Store
from bot.store.filelock import DatabaseInUse, lock_database_file
from bot.store.leader import AdvisoryLeaderLock, SoleProcessLock, leader_lock
from tests.test_claims import claim
from tests.test_sender import chat, queue

pytestmark = pytest.mark.store


def pg_only(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")


async def test_one_session_holds_the_lock_until_it_is_released_or_its_session_dies(
    store: Store, database_url: str
) -> None:
    pg_only(store)
    first, second = AdvisoryLeaderLock(database_url), AdvisoryLeaderLock(database_url)
    try:
        assert await first.acquire()
        assert await first.confirm()
        # the lock's session notices a dead peer in seconds (server side keepalives)
        session = first._connection
        assert session is not None
        assert await session.scalar(text("SHOW tcp_keepalives_idle")) == "3"
        assert await session.scalar(text("SHOW tcp_user_timeout")) == "6000"
        assert not await second.acquire()
        await first.release()
        assert await second.acquire()
        assert not await first.acquire()
        # the holder's session ends server-side (its process was killed, or a cut noticed)
        async with store._engine.connect() as connection:  # test-only: end that session
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'feedbot leader lock' AND pid <> pg_backend_pid()"
                    " AND datname = current_database()"
                )
            )
            await connection.commit()
        assert not await second.confirm()  # it knows at its next check
        assert await first.acquire()  # and the lock is free for the others
    finally:
        await first.close()
        await second.close()


async def test_a_replica_starting_while_another_leads_migrates_without_waiting(
    store: Store, database_url: str
) -> None:
    pg_only(store)
    holder = AdvisoryLeaderLock(database_url)
    try:
        assert await holder.acquire()
        other = await asyncio.wait_for(Store.open(database_url), 30)
        await other.close()
    finally:
        await holder.close()


async def test_a_new_leader_takes_over_what_others_claimed_and_the_replicas_show_it(
    store: Store,
) -> None:
    await chat(store, 31)
    await chat(store, 32)
    await queue(store, 2)
    await store.register_process("old-host:1:aa", utcnow())
    await store.register_process("new-host:2:bb", utcnow())
    assert await claim(store, "old-host:1:aa") == 4  # the old leader's, still beating
    assert await claim(store, "new-host:2:bb") == 0
    assert await store.take_over_claims("new-host:2:bb") == 4
    assert await claim(store, "new-host:2:bb") == 4
    assert await store.take_over_claims("new-host:2:bb") == 0  # its own claims stay
    await store.heartbeat("new-host:2:bb", utcnow(), True)
    assert await store.another_leader("old-host:1:aa", utcnow())  # it would wait to settle
    assert not await store.another_leader("new-host:2:bb", utcnow())
    replicas = await store.replicas(utcnow())
    assert [(r.id, r.leader) for r in replicas] == [
        ("new-host:2:bb", True),
        ("old-host:1:aa", False),
    ]


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []

    async def take(self) -> None:
        self.events.append("take")

    async def drop(self, grace: float) -> None:
        self.events.append("drop")


class Flaky(SoleProcessLock):
    """A lock whose confirm() fails once told to (a session that stopped answering)."""

    def __init__(self) -> None:
        self.lost = False

    async def confirm(self) -> bool:
        return not self.lost

    async def acquire(self) -> bool:
        return not self.lost


async def test_the_duties_stop_as_soon_as_the_lock_cannot_be_confirmed() -> None:
    lock, duties = Flaky(), Recorder()
    roles: list[bool] = []
    leadership = Leadership(lock, duties, on_change=roles.append, confirm_every=0.01)
    assert await leadership.try_lead()
    leadership.start()
    lock.lost = True
    for _ in range(500):
        if not leadership.leading:
            break
        await asyncio.sleep(0.01)
    assert leadership.role == "standby"
    assert duties.events == ["take", "drop"]
    assert roles == [True, False]
    await leadership.stop(1.0)
    assert duties.events == ["take", "drop"]  # not dropped twice


def test_sqlite_always_leads_and_one_process_holds_the_file(tmp_path: Path) -> None:
    assert isinstance(leader_lock("sqlite:///x.db", "sqlite"), SoleProcessLock)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    held = lock_database_file(url)
    assert held is not None
    with pytest.raises(DatabaseInUse, match="another feedbot run already uses"):
        lock_database_file(url)
    held.release()
    again = lock_database_file(url)
    assert again is not None
    again.release()
    assert lock_database_file("sqlite:///:memory:") is None
    assert lock_database_file("postgresql://u@h/db") is None


async def test_rows_a_running_cycle_of_any_replica_queued_wait_for_its_end(store: Store) -> None:
    await chat(store, 33)
    await store.register_process("poller", utcnow())
    await store.cycle_started("poller", utcnow() - timedelta(seconds=1))
    await queue(store, 2)

    async def claimable(gather: timedelta) -> int:
        claimed = await store.claim_deliveries(
            utcnow(), timedelta(minutes=2), max_chats=10, per_chat=10, replicas_gather=gather
        )
        await store.release([i for d in claimed for i in d.outbox_ids])
        return sum(len(d.outbox_ids) for d in claimed)

    assert await claimable(timedelta(minutes=1)) == 0  # the other replica's cycle still runs
    assert await store.next_due_at(None, (utcnow(), timedelta(minutes=1))) is None
    assert await claimable(timedelta(0)) == 2  # held no longer than gather_max
    await store.cycle_ended("poller")
    assert await claimable(timedelta(minutes=1)) == 2
    assert await store.next_due_at(None, (utcnow(), timedelta(minutes=1))) is not None


async def test_a_new_holder_waits_the_settle_time_and_leads_only_if_the_lock_is_still_its() -> None:
    class Settling(Flaky):
        settle = 0.05

    lost, kept = Settling(), Settling()
    lost_duties, kept_duties = Recorder(), Recorder()

    async def lose_meanwhile() -> None:
        await asyncio.sleep(0.01)
        lost.lost = True

    meanwhile = asyncio.create_task(lose_meanwhile())
    assert not await Leadership(lost, lost_duties).try_lead()
    await meanwhile
    assert lost_duties.events == []  # never started: someone else may lead now
    assert await Leadership(kept, kept_duties).try_lead()
    assert kept_duties.events == ["take"]


class FreezableProxy:
    """TCP between the lock and PostgreSQL that can go silent without closing anything, as
    a network cut looks to the holder: its queries are sent and never answered."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self.frozen = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        self._writers += [writer, up_writer]
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(task)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while data := await source.read(65536):
            if self.frozen.is_set():
                continue  # swallowed: nothing goes through, nothing is closed
            sink.write(data)
            await sink.drain()

    async def stop(self) -> None:
        for task in self._pipes:
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        for writer in self._writers:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def test_a_holder_whose_database_goes_silent_gives_its_duties_up_within_seconds(
    store: Store, database_url: str
) -> None:
    pg_only(store)
    target = make_url(database_url)
    proxy = FreezableProxy(target.host or "127.0.0.1", target.port or 5432)
    port = await proxy.start()
    lock = AdvisoryLeaderLock(target.set(host="127.0.0.1", port=port).render_as_string(False))
    duties = Recorder()
    leadership = Leadership(lock, duties, confirm_every=0.2)
    try:
        assert await leadership.try_lead()
        leadership.start()
        proxy.frozen.set()  # queries go out and nothing comes back, nothing is closed
        for _ in range(400):  # generous: the check gives up after QUERY_TIMEOUT
            if not leadership.leading:
                break
            await asyncio.sleep(0.05)
        assert leadership.role == "standby"
        assert duties.events == ["take", "drop"]
    finally:
        await leadership.stop(1.0)
        await proxy.stop()
