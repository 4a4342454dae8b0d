"""The outbox sender against a real database and a scripted Telegram.

What is pinned here: which failures are transient (retried, never counted, never given up
during an outage) and which are the message's own (counted or failed at once), what is
recorded on a row that is given up, one pause for everyone when the API is down, the
per-group limit for channels too, and one transmission per poll cycle.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.delivery.port import (
    ChatGone,
    Migrated,
    RateLimited,
    Rejected,
    SendResult,
    Sent,
    Transient,
)
from bot.delivery.ratelimit import PUSH, ChatKey, Limits, Pacer, RateLimiter
from bot.delivery.sender import Sender, SenderSettings
from bot.domain import (
    EntryWrite,
    FeedSchedule,
    FeedSpec,
    FetchStatus,
    PollRecord,
)
from bot.render.message import Rendered
from bot.store import ChannelSpec, Store
from bot.store.tables import outbox
from bot.tg.api import classify
from tests.factories import parsed

FEED = "https://feeds.example/sender.xml"
FAST = Limits(per_second=1000.0, per_chat_interval=0.001, group_per_minute=60)
BAD_GATEWAY = Transient("NetworkError: Bad Gateway")


def utcnow() -> datetime:
    return datetime.now(UTC)


# ----------------------------------------------------------------------------- classification


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NetworkError("Bad Gateway"), Transient("NetworkError: Bad Gateway")),
        (NetworkError("Internal Server Error"), Transient("NetworkError: Internal Server Error")),
        (TimedOut("Timed out"), Transient("TimedOut: Timed out")),
        (InvalidToken("Unauthorized"), Transient("Unauthorized (is the bot token still valid?)")),
        (RetryAfter(timedelta(seconds=7)), RateLimited(7.0)),
        (RetryAfter(timedelta(seconds=0)), RateLimited(1.0)),
        (Forbidden("Forbidden: bot was blocked by the user"), ChatGone("blocked by the user")),
        (BadRequest("Chat not found"), ChatGone("Chat not found")),
        (ChatMigrated(-1001234), Migrated(-1001234)),
        (BadRequest("Can't parse entities: x"), Rejected("Can't parse entities: x")),
        (BadRequest("Message is too long"), Rejected("Message is too long")),
    ],
)  # fmt: skip
def test_each_bot_api_error_maps_to_one_outcome(error: Exception, expected: SendResult) -> None:
    result = classify(error)  # type: ignore[arg-type]
    if isinstance(expected, ChatGone):  # PTB strips the "Forbidden: " prefix
        assert isinstance(result, ChatGone)
        assert expected.reason.lower() in result.reason.lower()
    else:
        assert result == expected


# ----------------------------------------------------------------------------- harness


@dataclass
class ScriptedPort:
    """Telegram as a function of (target, plain, calls so far): an outcome, an exception to
    raise, or None for "sent"."""

    script: Callable[[int | str, bool, int], SendResult | BaseException | None]
    calls: list[tuple[int | str, bool, float, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(
        self,
        target: int | str,
        message: Rendered,
        *,
        plain: bool = False,
        thread: int | None = None,
    ) -> SendResult:
        outcome = self.script(target, plain, len(self.calls))
        self.calls.append((target, plain, time.monotonic(), message.html))
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is None:
            return Sent(next(self._ids), target if isinstance(target, int) else -100999)
        return outcome

    def sent_to(self, target: int | str) -> list[str]:
        """The texts of the sends to ``target`` that succeeded (by script)."""
        return [html for t, _, _, html in self.calls if t == target]


class SpyPacer(Pacer):
    def __init__(self) -> None:
        super().__init__(RateLimiter(FAST))
        self.turns: list[tuple[ChatKey, bool]] = []

    async def wait_turn(self, chat: ChatKey, is_group: bool, priority: int = PUSH) -> None:
        self.turns.append((chat, is_group))
        await super().wait_turn(chat, is_group, priority)


def settings(**overrides: Any) -> SenderSettings:
    values: dict[str, Any] = {
        "retry_min": timedelta(milliseconds=20),
        "retry_max": timedelta(milliseconds=100),
        "max_attempts": 3,
        "sweep_every": 0.2,
    }
    return SenderSettings(**(values | overrides))


@asynccontextmanager
async def running(sender: Sender) -> AsyncIterator[Sender]:
    task = asyncio.create_task(sender.run())
    try:
        yield sender
    finally:
        await sender.stop(1.0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def eventually(predicate: Callable[[], Any], within: float = 5.0, what: str = "") -> Any:
    """``predicate()`` (awaited when it returns an awaitable) once it is true."""
    deadline = time.monotonic() + within
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.01)


async def rows(store: Store) -> list[Any]:
    """Every outbox row (state, attempts, last_error ...), oldest first."""
    async with store._engine.connect() as connection:  # test-only peek at the table
        return list(await connection.execute(select(outbox).order_by(outbox.c.id)))


async def chat(store: Store, tg_id: int, kind: str = "private") -> int:
    info = await store.ensure_chat(tg_id, kind, f"chat {tg_id}", utcnow())
    await store.set_active(info.id, True, utcnow())
    return info.id


_keys = itertools.count(1)


async def queue(store: Store, count: int = 1, *, at: datetime | None = None) -> list[str]:
    """``count`` new entries (for every active chat); their titles."""
    now = at or utcnow()
    await store.sync_feeds([FeedSpec(url=FEED, name="Sender feed")], now)
    feed_id = await _feed_id(store, now)
    entries = [parsed(f"e{next(_keys)}") for _ in range(count)]
    writes = tuple(EntryWrite(entry=e, topics=()) for e in entries)
    await store.record_poll(
        PollRecord(
            feed_id=feed_id,
            checked_at=now,
            schedule=FeedSchedule(next_check_at=now + timedelta(minutes=10), error_count=0),
            status=FetchStatus.OK,
            body_hash=f"h{next(_keys)}",
            feed_title="Sender feed",
            entry_count=len(writes),
            new=writes,
            notify=tuple(e.key for e in entries),
        )
    )
    return [e.title for e in entries]


_feed_ids: dict[int, int] = {}


async def _feed_id(store: Store, now: datetime) -> int:
    if id(store) not in _feed_ids:
        (feed,) = await store.claim_due_feeds(now, 10, timedelta(hours=1))
        _feed_ids[id(store)] = feed.id
    return _feed_ids[id(store)]


# ----------------------------------------------------------------------------- transient


@pytest.mark.store
async def test_transient_failures_never_use_up_attempts_nor_drop_the_delivery(
    store: Store,
) -> None:
    await chat(store, 1)
    await queue(store)
    port = ScriptedPort(lambda target, plain, n: BAD_GATEWAY if n < 12 else None)
    sender = Sender(store, port, Pacer(RateLimiter(FAST)), settings(max_attempts=2))
    async with running(sender):
        await eventually(lambda: len(port.calls) == 13, what="12 failures and a success")
        await eventually(lambda: sender.in_flight == 0)
        await asyncio.sleep(0.2)
    (row,) = await rows(store)
    assert (row.state, row.last_error) == ("sent", None)
    assert row.attempts == 1  # the send that went; twelve 502s counted nothing
    assert len(port.calls) == 13  # sent once, not again


@pytest.mark.store
async def test_an_outage_pauses_everyone_then_each_chat_gets_its_message_once(
    store: Store,
) -> None:
    chats = list(range(101, 121))
    for tg_id in chats:
        await chat(store, tg_id)
    titles = await queue(store)
    down_until = time.monotonic() + 1.5
    port = ScriptedPort(lambda t, p, n: BAD_GATEWAY if time.monotonic() < down_until else None)
    sender = Sender(
        store,
        port,
        Pacer(RateLimiter(FAST)),
        settings(retry_min=timedelta(milliseconds=50), retry_max=timedelta(milliseconds=300)),
    )
    async with running(sender):
        await eventually(lambda: len({c[0] for c in port.calls if c[2] >= down_until}) == 20, 10)
        await eventually(lambda: sender.in_flight == 0)
        await asyncio.sleep(0.3)
    during = [c for c in port.calls if c[2] < down_until]
    # three failures in a row pause everyone; then one probe per pause (50, 100, 200, 300,
    # 300 ... ms): a handful of calls in 1.5 s, where 20 chats retrying each on its own
    # would have made well over a hundred
    assert 3 <= len(during) <= 3 + 10, len(during)
    after = [c[0] for c in port.calls if c[2] >= down_until]
    assert sorted(after) == chats  # each chat exactly once after the outage
    assert all(titles[0] in html for _, _, at, html in port.calls if at >= down_until)
    table = await rows(store)
    assert {(r.state, r.attempts) for r in table} == {("sent", 1)}


@pytest.mark.store
async def test_a_chat_that_fails_alone_does_not_hold_up_the_others(store: Store) -> None:
    for tg_id in (201, 202, 203, 204):
        await chat(store, tg_id)
    await queue(store)
    port = ScriptedPort(lambda target, plain, n: BAD_GATEWAY if target == 201 else None)
    sender = Sender(store, port, Pacer(RateLimiter(FAST)), settings())
    async with running(sender):
        await eventually(lambda: all(port.sent_to(t) for t in (202, 203, 204)), 2)
        await eventually(lambda: len(port.sent_to(201)) >= 4, what="chat 201 retried")
    by_state = {r.state: r for r in await rows(store)}
    failing = by_state["pending"]
    assert (failing.attempts, failing.last_error) == (0, "NetworkError: Bad Gateway")
    assert [r.state for r in await rows(store)].count("sent") == 3


@pytest.mark.store
async def test_while_the_api_is_paused_nothing_is_sent_and_nothing_counted(
    store: Store,
) -> None:
    await chat(store, 1)
    await queue(store)
    port = ScriptedPort(lambda target, plain, n: None)
    sender = Sender(
        store,
        port,
        Pacer(RateLimiter(FAST)),
        settings(retry_min=timedelta(hours=1), retry_max=timedelta(hours=1), trip_after=1),
    )
    permit = sender.backoff.permit(utcnow())
    assert permit is not None
    sender.backoff.failed(999, utcnow(), permit, "TimedOut: Timed out")  # trips: paused 1 h
    async with running(sender):
        await asyncio.sleep(0.3)
    assert port.calls == []
    (row,) = await rows(store)
    assert (row.state, row.attempts) == ("pending", 0)


# ----------------------------------------------------------------------------- the message's own


@pytest.mark.store
async def test_a_message_refused_as_html_and_as_plain_text_is_failed_with_the_reason(
    store: Store,
) -> None:
    await chat(store, 1)
    await queue(store)
    refusal = Rejected("Bad Request: can't parse entities: unclosed tag at byte offset 3")
    port = ScriptedPort(lambda target, plain, n: refusal)
    sender = Sender(store, port, Pacer(RateLimiter(FAST)), settings())
    async with running(sender):
        await eventually(lambda: len(port.calls) == 2)
        await asyncio.sleep(0.2)
    assert [plain for _, plain, _, _ in port.calls] == [False, True]
    (row,) = await rows(store)
    assert row.state == "failed"
    assert row.last_error == f"rejected by Telegram: {refusal.reason}"
    assert (await store.stats()).queue_failed == 1


@pytest.mark.store
async def test_a_bug_counts_attempts_and_gives_up_with_the_reason(store: Store) -> None:
    await chat(store, 1)
    await queue(store)
    port = ScriptedPort(lambda target, plain, n: RuntimeError("boom"))
    sender = Sender(store, port, Pacer(RateLimiter(FAST)), settings(max_attempts=3))
    async with running(sender):
        await eventually(lambda: len(port.calls) == 3)
        await asyncio.sleep(0.3)
    assert len(port.calls) == 3
    (row,) = await rows(store)
    assert row.state == "failed"
    assert row.last_error == "gave up after 3 attempts: internal error: RuntimeError('boom')"


@pytest.mark.store
async def test_a_429_waits_for_that_chat_only_and_counts_nothing(store: Store) -> None:
    for tg_id in (1, 2):
        await chat(store, tg_id)
    await queue(store)
    port = ScriptedPort(
        lambda target, plain, n: RateLimited(0.5) if target == 1 and n < 2 else None
    )
    sender = Sender(store, port, Pacer(RateLimiter(FAST)), settings())
    started = time.monotonic()
    async with running(sender):
        await eventually(lambda: port.sent_to(1) and port.sent_to(2))
        await eventually(lambda: len(port.sent_to(1)) == 2, what="chat 1 after its 429")
        await eventually(lambda: sender.in_flight == 0)
    first_to_2 = next(at for t, _, at, _ in port.calls if t == 2)
    retry_to_1 = [at for t, _, at, _ in port.calls if t == 1][1]
    assert first_to_2 - started < 0.3
    assert retry_to_1 - started >= 0.5
    assert {(r.state, r.attempts) for r in await rows(store)} == {("sent", 1)}


# ----------------------------------------------------------------------------- what is given up


@pytest.mark.store
async def test_deliveries_not_sent_within_give_up_after_are_failed_with_the_last_error(
    store: Store,
) -> None:
    await chat(store, 1)
    now = utcnow()
    await queue(store, at=now - timedelta(days=4))
    await queue(store, at=now - timedelta(hours=1))
    old, recent = await rows(store)
    await store.mark_retry([old.id], now + timedelta(minutes=5), "NetworkError: Bad Gateway",
                           count_attempt=False)  # fmt: skip
    swept = await store.sweep_outbox(now, timedelta(days=3))
    assert (swept.inactive, swept.expired) == (0, 1)
    old, recent = await rows(store)
    assert (old.state, old.last_error) == ("failed", "gave up after 3d: NetworkError: Bad Gateway")
    assert recent.state == "pending"
    stats = await store.stats()
    assert (stats.queue_pending, stats.queue_failed) == (1, 1)


@pytest.mark.store
async def test_a_channel_removed_from_the_config_leaves_nothing_pending(store: Store) -> None:
    now = utcnow()
    await store.sync_channels([ChannelSpec("@news_channel", ())], now)
    await store.resolve_channel("@news_channel", -100777, "News")
    await chat(store, 5)
    await queue(store, 2)
    await store.sync_channels([], now)  # the admin took it out of telegram.channels
    port = ScriptedPort(lambda target, plain, n: None)
    sender = Sender(store, port, Pacer(RateLimiter(FAST)), settings())
    async with running(sender):
        await eventually(lambda: port.sent_to(5))
        await eventually(lambda: sender.in_flight == 0)
        await asyncio.sleep(0.3)
    assert [t for t, _, _, _ in port.calls] == [5]
    states = {(r.chat_id, r.state, r.last_error) for r in await rows(store)}
    channel_id = (await store.chat(-100777)).id  # type: ignore[union-attr]
    assert (channel_id, "failed", "dropped: the chat is inactive (removed from the config)") in (
        states
    )
    stats = await store.stats()
    assert (stats.queue_pending, stats.queue_failed) == (0, 2)


# ----------------------------------------------------------------------------- pacing


@pytest.mark.store
async def test_groups_supergroups_and_channels_are_paced_as_groups(store: Store) -> None:
    # the pacer knows chats by Telegram's ids: replies to the same chat share its limits
    ids = {"private": 11, "group": -12, "supergroup": -10013, "channel": -10014}
    await chat(store, 11)
    await chat(store, -12, "group")
    await chat(store, -10013, "supergroup")
    await store.sync_channels([ChannelSpec("@paced_channel", ())], utcnow())
    await store.resolve_channel("@paced_channel", -10014, "Paced")
    await queue(store)
    pacer = SpyPacer()
    port = ScriptedPort(lambda target, plain, n: None)
    sender = Sender(store, port, pacer, settings())
    async with running(sender):
        await eventually(lambda: len(port.calls) == 4)
    grouped = dict(pacer.turns)
    assert {kind: grouped[chat_id] for kind, chat_id in ids.items()} == {
        "private": False,
        "group": True,
        "supergroup": True,
        "channel": True,
    }


# ----------------------------------------------------------------------------- one per cycle


@pytest.mark.store
async def test_what_a_poll_cycle_queues_goes_out_as_one_transmission_when_it_ends(
    store: Store,
) -> None:
    await chat(store, 1)
    (before,) = await queue(store)  # queued before the cycle: goes at once
    port = ScriptedPort(lambda target, plain, n: None)
    sender = Sender(store, port, Pacer(RateLimiter(FAST)), settings())
    async with running(sender):
        await eventually(lambda: len(port.calls) == 1)
        with sender.gathering():
            (fast,) = await queue(store)  # one feed finishes early in the cycle
            sender.wake()
            await asyncio.sleep(0.5)
            assert len(port.calls) == 1  # held for the rest of the cycle
            (slow,) = await queue(store)  # another one seconds later
        await eventually(lambda: len(port.calls) == 2)
        await asyncio.sleep(0.2)
    assert len(port.calls) == 2
    first, second = (html for _, _, _, html in port.calls)
    assert before in first
    assert fast in second
    assert slow in second


@pytest.mark.store
async def test_a_cycle_longer_than_gather_max_still_delivers(store: Store) -> None:
    await chat(store, 1)
    port = ScriptedPort(lambda target, plain, n: None)
    sender = Sender(
        store, port, Pacer(RateLimiter(FAST)), settings(gather_max=timedelta(seconds=0.4))
    )
    async with running(sender):
        with sender.gathering():
            started = time.monotonic()
            (title,) = await queue(store)
            sender.wake()
            await eventually(lambda: port.calls, 3)
            waited = time.monotonic() - started
    assert title in port.calls[0][3]
    assert 0.35 <= waited < 2.0
