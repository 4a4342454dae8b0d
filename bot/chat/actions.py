"""The buttons under a single-entry push: more/less, mute this feed here, less of #topic.

Each press re-renders the push from storage (only for an entry pushed to this chat; any
other id is "expired"). Mute and less-of change the chat's subscription, so in groups only
admins may press them; their toast says what changed, and the button becomes its undo.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.chat.choices import drop_topic, restore_topic, takes_topic
from bot.domain import ChatInfo
from bot.render import callbacks
from bot.render.entries import hashtag, own_topics_first
from bot.render.i18n import Locale, Msg
from bot.render.message import ButtonReply, Rendered
from bot.render.pages import single_push
from bot.render.strings import commands as command_strings
from bot.render.strings import reading as reading_strings
from bot.store import Store
from bot.store.actions import PushedEntry

#: the ops that change the chat's subscription (group admins only)
CHANGING_OPS = frozenset({callbacks.MUTE, callbacks.UNMUTE, callbacks.FEWER, callbacks.RESTORE})


class EntryActions:
    """The push buttons' presses, answered and re-rendered in the chat's language, time zone
    and summary length."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    async def press(
        self,
        chat: ChatInfo,
        action: callbacks.EntryAction,
        *,
        may_change: bool,
        loc: Locale,
        summary_length: int,
    ) -> ButtonReply:
        pushed = await self._store.pushed_entry(chat.id, action.entry_id)
        if pushed is None:
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        if action.op in CHANGING_OPS and not may_change:
            return ButtonReply(answer=loc(command_strings.ONLY_GROUP_ADMINS))
        expanded = action.expanded
        answer: Msg | None = None
        match action.op:
            case callbacks.MORE | callbacks.LESS:
                expanded = action.op == callbacks.MORE
            case callbacks.MUTE | callbacks.UNMUTE:
                chat, answer = await self._mute(chat, pushed, action.op == callbacks.MUTE)
            case callbacks.FEWER | callbacks.RESTORE:
                if not pushed.view.topics:
                    return ButtonReply(answer=loc(command_strings.EXPIRED))
                chat, answer = await self._fewer(chat, pushed, action.op == callbacks.FEWER)
        if answer is not None:  # the subscription changed: show the push as it stands now
            pushed = await self._store.pushed_entry(chat.id, action.entry_id) or pushed
        rendered = self._render(chat, pushed, expanded, loc, summary_length)
        return ButtonReply(answer=loc(answer) if answer is not None else "", edit=rendered)

    async def _mute(self, chat: ChatInfo, pushed: PushedEntry, mute: bool) -> tuple[ChatInfo, Msg]:
        await self._store.set_muted(chat.id, pushed.feed_id, mute)
        name = pushed.view.feed_name
        if mute:
            return chat, reading_strings.muted_feed(name)
        return chat, reading_strings.unmuted_feed(name)

    async def _fewer(
        self, chat: ChatInfo, pushed: PushedEntry, fewer: bool
    ) -> tuple[ChatInfo, Msg]:
        topic = pushed.view.topics[0]
        change = drop_topic if fewer else restore_topic
        _, after = await self._store.change_topics(
            chat.id, lambda choice: change(choice, topic), self._clock()
        )
        tag = hashtag(topic)
        return after, reading_strings.fewer_of(tag) if fewer else reading_strings.more_of(tag)

    def _render(
        self,
        chat: ChatInfo,
        pushed: PushedEntry,
        expanded: bool,
        loc: Locale,
        summary_length: int,
    ) -> Rendered:
        topics = pushed.view.topics
        return single_push(
            own_topics_first(pushed.view, chat.topics),
            loc=loc,
            summary_length=summary_length,
            expanded=expanded,
            muted=pushed.muted,
            fewer=bool(topics) and not takes_topic(chat.topic_choice, topics[0]),
        )
