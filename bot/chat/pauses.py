"""Why a chat gets no pushes, as stored, and whether they resume when the bot is back. Pure.

``inactive_reason`` is free text in the store. The chat layer writes two shapes of it
(:data:`STOPPED`, :func:`bot_removed_reason`); the store writes ``REMOVED_FROM_CONFIG`` and
``MIGRATED_TO`` + the new id; the sender writes Telegram's refusal. Reading them back is
done here only, in :func:`stopped_on_purpose`.
"""

from __future__ import annotations

from bot.domain import ChatInfo
from bot.store.chats import MIGRATED_TO, REMOVED_FROM_CONFIG

#: ``inactive_reason`` of a chat that asked for no more pushes
STOPPED = "stopped with /stop"


def bot_removed_reason(status: str, user_id: int) -> str:
    """``inactive_reason`` of a chat that blocked the bot or removed it from the group."""
    return f"bot {status} by {user_id}"


def stopped_on_purpose(reason: str) -> bool:
    """Someone stopped the pushes (/stop, the config, a group's move to a supergroup),
    rather than the bot being blocked or removed."""
    return reason in (STOPPED, REMOVED_FROM_CONFIG) or reason.startswith(MIGRATED_TO)


def resumes_on_return(chat: ChatInfo) -> bool:
    """Whether pushes resume when the bot is unblocked or added back to the chat: yes when
    they stopped because it was blocked or removed; no when they never started or someone
    stopped them on purpose."""
    reason = chat.inactive_reason
    if chat.active or reason is None:
        return False
    return not stopped_on_purpose(reason)
