"""Replies in turn: one chat's replies and edits one at a time, paced by the sender's limiter
ahead of pushes, waiting out 429s; and button presses answered whatever happens."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Update
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.chat.commands import ChatContext
from bot.delivery.ratelimit import PACED_AS_GROUP, REPLY, Pacer
from bot.render.message import Rendered
from bot.tg.api import message_kwargs, retry_after_seconds

log = logging.getLogger(__name__)

#: BadRequest wording for a press that can no longer be answered (late or answered already)
_STALE_QUERY = ("query is too old", "query id is invalid")
#: the longest 429 wait an edit after a button press sits out (the press is stale after it)
MAX_EDIT_WAIT = 30.0
#: the longest a reply waits out Telegram's 429s in all before it is given up (replies are
#: paced, so they rarely meet one; under a burst a person still gets every answer)
REPLY_PATIENCE = 120.0
_REPLY_LOCK = "reply_lock"
PACER_KEY = "pacer"  #: in bot_data: the sender's Pacer, shared by replies


def chat_context(update: Update) -> ChatContext | None:
    chat = update.effective_chat
    if chat is None:
        return None
    title = chat.title or chat.full_name or chat.username or str(chat.id)
    return ChatContext(tg_chat_id=chat.id, kind=chat.type, title=title)


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, rendered: Rendered) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    kwargs = message_kwargs(rendered)
    await in_turn(
        context,
        chat.id,
        chat.type in PACED_AS_GROUP,
        lambda: context.bot.send_message(chat_id=chat.id, **kwargs),  # type: ignore[arg-type]
    )


async def in_turn(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    is_group: bool,
    send: Callable[[], Awaitable[object]],
    *,
    edit: bool = False,
    patience: float = REPLY_PATIENCE,
) -> None:
    """``send`` in turn with the chat's other replies, paced by the sender's limiter (ahead
    of pushes), waiting out 429s for up to ``patience`` seconds in all (else the
    RetryAfter is raised)."""
    pacer = context.bot_data.get(PACER_KEY)
    waited = 0.0
    async with _reply_lock(context):
        while True:
            if isinstance(pacer, Pacer):
                if edit:
                    await pacer.wait_overall(REPLY)
                else:
                    await pacer.wait_turn(chat_id, is_group, REPLY)
            try:
                await send()
                return
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                if waited + wait > patience:
                    raise
                if isinstance(pacer, Pacer):
                    pacer.limiter.block(chat_id, time.monotonic() + wait)
                log.info("reply to chat %s: Telegram asks to wait %gs; waiting", chat_id, wait)
                await asyncio.sleep(wait)
                waited += wait


def _reply_lock(context: ContextTypes.DEFAULT_TYPE) -> asyncio.Lock:
    """One lock per chat (kept in PTB's chat_data): its replies go out one at a time."""
    data = context.chat_data
    if data is None:
        return asyncio.Lock()
    lock = data.get(_REPLY_LOCK)
    if not isinstance(lock, asyncio.Lock):
        lock = data[_REPLY_LOCK] = asyncio.Lock()
    return lock


async def answer_query(query: CallbackQuery, text: str) -> None:
    """Answer a button press; a refused answer (too old, already answered) is no failure."""
    try:
        await query.answer(text or None)
    except BadRequest as error:
        if not any(marker in error.message.lower() for marker in _STALE_QUERY):
            log.warning("could not answer a button press: %s", error.message)
    except TelegramError as error:
        log.warning("could not answer a button press: %s", error.message or error)


async def edit_query_message(
    query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, rendered: Rendered
) -> None:
    """Edit the pressed button's message, in turn with the chat's replies, waiting out 429s."""
    kwargs = message_kwargs(rendered)
    chat = query.message.chat if query.message else None
    try:
        await in_turn(
            context,
            chat.id if chat else 0,
            False,
            lambda: query.edit_message_text(**kwargs),  # type: ignore[arg-type]
            edit=True,
            patience=MAX_EDIT_WAIT,
        )
    except RetryAfter as error:
        wait = retry_after_seconds(error)
        log.warning("gave up editing after a button press: retry after %ss", wait)
    except BadRequest as error:
        if "not modified" not in error.message:
            log.info("could not edit message after a button press: %s", error.message)
    except TelegramError as error:
        log.warning("could not edit message after a button press: %s", error)


def argument(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or [])


