"""One chat's updates are handled in the order sent; other chats meanwhile."""

from __future__ import annotations

import asyncio
import random

from telegram import Chat, Message, Update

from bot.tg.ordering import ChatOrderedProcessor


def update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, None, chat, text="/x")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_each_chats_updates_finish_in_order_and_chats_overlap() -> None:
    processor = ChatOrderedProcessor(running=8)
    done: list[tuple[int, int]] = []
    running_now = 0
    most = 0

    async def handle(chat: int, n: int) -> None:
        nonlocal running_now, most
        running_now += 1
        most = max(most, running_now)
        await asyncio.sleep(random.uniform(0, 0.02))  # handlers finish in any order
        running_now -= 1
        done.append((chat, n))

    tasks = [
        asyncio.create_task(processor.process_update(update(n * 10 + chat, chat), handle(chat, n)))
        for n in range(15)
        for chat in (1, 2, 3)
    ]
    await asyncio.gather(*tasks)
    for chat in (1, 2, 3):
        assert [n for c, n in done if c == chat] == list(range(15))
    assert most >= 2  # different chats were handled at the same time
    assert most <= 3  # never two of one chat


async def test_a_chat_with_a_backlog_leaves_slots_to_the_others() -> None:
    processor = ChatOrderedProcessor(running=2)
    release = asyncio.Event()
    handled: list[int] = []

    async def slow() -> None:
        await release.wait()

    async def quick(chat: int) -> None:
        handled.append(chat)

    backlog = [
        asyncio.create_task(processor.process_update(update(n, 1), slow())) for n in range(10)
    ]
    await asyncio.sleep(0.01)
    await asyncio.wait_for(processor.process_update(update(100, 2), quick(2)), 2.0)
    assert handled == [2]
    release.set()
    await asyncio.gather(*backlog)
