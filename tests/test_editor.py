"""Edits through the sender against a real database and a scripted Telegram: each outcome
settles the edit like a send's, and a transient failure edits later, once."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery.port import ChatGone, Rejected, SendResult, Sent
from bot.delivery.sender import Sender
from bot.domain import EntryWrite, FeedSchedule, FetchStatus, PollRecord
from bot.render.message import Rendered
from bot.store import Store
from bot.store.tables import edits, outbox
from tests.factories import parsed
from tests.test_sender import (
    BAD_GATEWAY,
    SpyPacer,
    _feed_id,
    chat,
    eventually,
    queue,
    running,
    settings,
    utcnow,
)

pytestmark = pytest.mark.store


@dataclass
class EditingPort:
    """Sends succeed; edits answer by ``script(target, attempt of that target)``."""

    script: Callable[[int | str, int], SendResult | None]
    sends: list[int | str] = field(default_factory=list)
    edits: list[tuple[int | str, int, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100))

    async def send(
        self,
        target: int | str,
        message: Rendered,
        *,
        plain: bool = False,
        thread: int | None = None,
    ) -> SendResult:
        self.sends.append(target)
        return Sent(next(self._ids), target if isinstance(target, int) else 0)

    async def edit(
        self, target: int | str, message_id: int, message: Rendered, *, plain: bool = False
    ) -> SendResult:
        tries = sum(1 for t, _, _ in self.edits if t == target)
        self.edits.append((target, message_id, message.html))
        return self.script(target, tries) or Sent(message_id, 0)


async def edit_rows(store: Store) -> dict[int, tuple[str, str | None]]:
    async with store._engine.connect() as connection:  # test-only peek at the table
        rows = await connection.execute(select(edits).order_by(edits.c.chat_id))
        return {row.chat_id: (row.state, row.last_error) for row in rows}


async def all_sent(store: Store, count: int) -> bool:
    async with store._engine.connect() as connection:  # test-only peek at the table
        states = (await connection.execute(select(outbox.c.state))).scalars().all()
        return len(states) == count and all(state == "sent" for state in states)


async def test_each_edit_outcome_is_settled_like_a_send(store: Store) -> None:
    flaky, gone_message, blocked = 1501, 1502, 1503
    ids = {tg: await chat(store, tg) for tg in (flaky, gone_message, blocked)}

    def script(target: int | str, tries: int) -> SendResult | None:
        if target == flaky and tries == 0:
            return BAD_GATEWAY
        if target == gone_message:
            return Rejected("Bad Request: message to edit not found")
        if target == blocked:
            return ChatGone("Forbidden: bot was blocked by the user")
        return None

    port = EditingPort(script)
    sender = Sender(store, port, SpyPacer(), settings(), clock=utcnow)
    (title,) = await queue(store)
    async with running(sender):
        await eventually(lambda: len(port.sends) == 3, what="three pushes")
        # (a change before the marking is found by the marking, and edited without the mark)
        await eventually(lambda: all_sent(store, 3), what="the three pushes marked sent")
        now = utcnow()
        changed = parsed(title.removeprefix("Title "), title=title, text="A corrected body.")
        await store.record_poll(
            PollRecord(
                feed_id=await _feed_id(store, now),
                checked_at=now,
                schedule=FeedSchedule(next_check_at=now + timedelta(minutes=10), error_count=0),
                status=FetchStatus.OK,
                body_hash="changed",
                updated=(EntryWrite(entry=changed, topics=()),),
            )
        )
        sender.wake()
        await eventually(
            lambda: sum(t == flaky for t, _, _ in port.edits) == 2, what="the retried edit"
        )
        await eventually(lambda: len(port.edits) == 4, what="every edit tried")
    states = await edit_rows(store)
    assert states[ids[flaky]][0] == "sent"
    assert states[ids[gone_message]][0] == "failed"
    assert "message to edit not found" in (states[ids[gone_message]][1] or "")
    assert states[ids[blocked]][0] == "failed"
    assert not (await store.chat(blocked)).active  # type: ignore[union-attr]
    assert all("A corrected body." in html and "updated" in html for _, _, html in port.edits)
