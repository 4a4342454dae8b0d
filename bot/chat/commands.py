"""What each chat command and button press does, independent of python-telegram-bot.

Handlers in ``bot.tg.handlers`` parse the update, check who may do what, and call in here;
everything here takes plain values and returns a :class:`~bot.render.Rendered` message (or
a :class:`~bot.render.ButtonReply`), so the behaviour is testable without Telegram.
The chat's row and language come from :mod:`bot.chat.base`, /settings from
:mod:`bot.chat.settings`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.chat.actions import CHANGING_OPS, EntryActions
from bot.chat.base import ChatContext
from bot.chat.choices import (
    MAX_CHAT_TOPICS,
    closest_topics,
    drop_topic,
    follow_everything,
    follow_topic,
    keep_or_everything,
    parse_topic,
    takes_everything,
    toggle_topic,
    topic_state,
)
from bot.chat.filtering import FilterCommands
from bot.chat.pauses import STOPPED, resumes_on_return
from bot.chat.search import Search
from bot.chat.settings import SettingsCommands
from bot.domain import (
    GROUP_CHAT_KINDS,
    ChatInfo,
    TopicChoice,
    TopicState,
    distinct_topics,
    topic_key,
)
from bot.render import callbacks, pages, replies
from bot.render.choice_text import following, receives, toggled
from bot.render.entries import own_topics_first
from bot.render.i18n import EN, Locale
from bot.render.keyboards import Paging
from bot.render.menu import TopicOption, topics_menu, topics_pages, unknown_topic
from bot.render.message import ButtonReply, Rendered, message
from bot.render.strings import commands as command_strings
from bot.render.strings import reading as reading_strings
from bot.render.strings import topics as topic_strings
from bot.store import Store
from bot.version import PYTHON, VERSION

log = logging.getLogger(__name__)

__all__ = ["ChatContext", "Commands", "changes_subscription", "read_press"]


def read_press(data: str | None) -> callbacks.Action | None:
    """The action a button press asks for (None: forged or stale data)."""
    return callbacks.decode(data)


def changes_subscription(action: callbacks.Action | None) -> bool:
    """Whether ``action`` changes the chat's subscription (in groups: group admins only)."""
    if isinstance(action, callbacks.EntryAction):
        return action.op in CHANGING_OPS
    return isinstance(
        action, callbacks.ToggleTopic | callbacks.FollowTopic | callbacks.SettingsForm
    )


class Commands(SettingsCommands, FilterCommands):
    """Every chat command and button press."""

    def __init__(self, store: Store, **options: Any) -> None:
        super().__init__(store, **options)
        self._search = Search(store, page_size=self._page_size, clock=self._clock)
        self._actions = EntryActions(store, clock=self._clock)

    async def _change_topics(
        self,
        chat_id: int,
        decide: Callable[[TopicChoice], TopicChoice | None],
        now: datetime,
        *,
        activate: bool = False,
    ) -> tuple[ChatInfo, ChatInfo]:
        """The store's change, and one INFO line when the subscription changed."""
        before, after = await self._store.change_topics(chat_id, decide, now, activate=activate)
        if (before.active, before.topic_choice) != (after.active, after.topic_choice):
            log.info(
                "chat %s: subscription %s (%s) -> %s (%s)",
                after.tg_chat_id or after.channel_ref,
                "on" if before.active else "off",
                following(before.topic_choice, EN),
                "on" if after.active else "off",
                following(after.topic_choice, EN),
            )
        return before, after

    # ------------------------------------------------------------------ subscription

    async def start(self, ctx: ChatContext) -> Rendered:
        chat = await self._chat(ctx)
        loc = self.locale_of(chat)
        _, after = await self._change_topics(
            chat.id, keep_or_everything, self._clock(), activate=True
        )
        where = (
            topic_strings.THIS_GROUP if ctx.kind in GROUP_CHAT_KINDS else topic_strings.THIS_CHAT
        )
        if takes_everything(after.topic_choice):
            return message(loc(topic_strings.subscribed_all(where)))
        return message(
            loc(topic_strings.subscribed_keeping(where, receives(after.topic_choice, loc)))
        )

    async def stop(self, ctx: ChatContext) -> Rendered:
        chat = await self._chat(ctx)
        loc = self.locale_of(chat)
        if not chat.active:
            return message(loc(topic_strings.NOT_SUBSCRIBED))
        await self._store.deactivate_chat(chat, STOPPED, self._clock())
        log.info("chat %s: subscription stopped (/stop)", chat.tg_chat_id or chat.channel_ref)
        return message(loc(topic_strings.STOPPED_PUSHES))

    async def subscribe(self, ctx: ChatContext, argument: str) -> Rendered:
        topic, problem = parse_topic(argument, "subscribe")
        if problem:
            return message((await self.context_locale(ctx))(problem))
        chat = await self._chat(ctx)
        loc = self.locale_of(chat)
        if topic_key(topic) == "all":
            await self._change_topics(chat.id, follow_everything, self._clock(), activate=True)
            return message(loc(topic_strings.RECEIVES_EVERY_TOPIC))
        known = await self._known_spelling(chat, topic)
        if known is None:  # following it would follow nothing: say so, offer the closest
            return await self._unknown_topic(topic, loc)
        topic = known
        before, after = await self._change_topics(
            chat.id, lambda choice: follow_topic(choice, topic), self._clock(), activate=True
        )
        if follow_topic(before.topic_choice, topic) is None:
            return message(loc(topic_strings.follows_most(MAX_CHAT_TOPICS)))
        if not before.all_topics and topic in before.topics:
            return message(
                loc(topic_strings.already_follows(topic, receives(after.topic_choice, loc)))
            )
        return message(loc(topic_strings.subscribed_to(topic, receives(after.topic_choice, loc))))

    async def _known_spelling(self, chat: ChatInfo, topic: str) -> str | None:
        """How a known topic is spelled (any spelling of it given): one the config names, the
        chat already has, or a stored entry carries; None: no such topic."""
        key = topic_key(topic)
        for name in (*self._config_topics, *chat.topics, *chat.excluded_topics):
            if topic_key(name) == key:
                return name
        return await self._store.carried_topic(topic)

    async def _unknown_topic(self, topic: str, loc: Locale) -> Rendered:
        """The reply to /subscribe of an unknown topic: the closest known ones, to tap."""
        known = distinct_topics([*self._config_topics, *await self._store.topics_in_use(500)])
        closest = closest_topics(topic, known)
        ids = await self._store.topic_ids(closest)
        options = [
            TopicOption(ids[name], name, TopicState.NOT_FOLLOWED) for name in closest if name in ids
        ]
        return unknown_topic(topic, options, loc)

    async def unsubscribe(self, ctx: ChatContext, argument: str) -> Rendered:
        topic, problem = parse_topic(argument, "unsubscribe")
        if problem:
            return message((await self.context_locale(ctx))(problem))
        if topic_key(topic) == "all":
            return await self.stop(ctx)
        chat = await self._chat(ctx)
        loc = self.locale_of(chat)
        topic = await self._store.stored_spelling(topic) or topic
        before, after = await self._change_topics(
            chat.id, lambda choice: drop_topic(choice, topic), self._clock()
        )
        was = before.topic_choice
        if drop_topic(was, topic) is None:
            return message(loc(topic_strings.skips_most(MAX_CHAT_TOPICS)))
        if not was.everything and topic not in was.only:
            return message(loc(topic_strings.does_not_follow(topic)))
        if was.everything and topic in was.excluded:
            return message(
                loc(topic_strings.already_skips(topic, receives(after.topic_choice, loc)))
            )
        if not after.all_topics and not after.topics:
            return message(loc(topic_strings.unsubscribed_none_left(topic)))
        if not after.active:  # kept for when pushes are turned on; say that they are off
            then = receives(after.topic_choice, loc)
            then = then[:1].lower() + then[1:]  # "and then this chat receives ..."
            return message(loc(topic_strings.unsubscribed_while_off(topic, then)))
        return message(
            loc(topic_strings.unsubscribed_from(topic, receives(after.topic_choice, loc)))
        )

    async def bot_removed(self, tg_chat_id: int, reason: str) -> bool:
        """The bot was blocked or removed from the chat: no pushes until it is back."""
        changed = False
        for chat in await self._store.chat_rows(tg_chat_id):  # its forum threads too
            if chat.active:
                await self._store.deactivate_chat(chat, reason, self._clock())
                changed = True
        return changed

    async def bot_returned(self, tg_chat_id: int) -> bool:
        """The bot was unblocked or added back: pushes resume where the chat left off,
        unless someone stopped them on purpose (see :func:`resumes_on_return`)."""
        changed = False
        for chat in await self._store.chat_rows(tg_chat_id):
            if resumes_on_return(chat):
                await self._store.set_active(chat.id, True, self._clock())
                changed = True
        return changed

    # ------------------------------------------------------------------ reading

    async def latest(self, ctx: ChatContext, argument: str) -> Rendered:
        topic = None
        if argument.strip():
            topic, problem = parse_topic(argument, "latest")
            if problem:
                return message((await self.context_locale(ctx))(problem))
        chat = await self._chat(ctx)
        if topic is not None:
            topic = await self._store.stored_spelling(topic) or topic
        rendered, found = await self._latest_page(chat, topic, 1)
        if found:
            await self._store.set_cursor(chat.id, topic, 1)
        return rendered

    async def next_page(self, ctx: ChatContext) -> Rendered:
        chat = await self._chat(ctx)
        loc = self.locale_of(chat)
        page = chat.cursor_page + 1
        rendered, found = await self._latest_page(chat, chat.cursor_topic, page)
        if not found:
            if page == 1:
                return rendered
            return message(loc(reading_strings.LAST_PAGE))
        await self._store.set_cursor(chat.id, chat.cursor_topic, page)
        return rendered

    async def _latest_page(
        self, chat: ChatInfo, topic: str | None, page: int
    ) -> tuple[Rendered, bool]:
        """A page of LATEST UPDATES for ``topic`` (None: the chat's own), and whether it has
        entries."""
        loc = self.locale_of(chat)
        if topic is not None:
            wanted: list[str] | None = [topic]
            label: str | None = topic
            topic_id = (await self._store.topic_ids([topic])).get(topic)
            if topic_id is None:
                return message(loc(reading_strings.no_entries_with(topic))), False
        else:
            choice = chat.topic_choice
            wanted = None if chat.all_topics else list(chat.topics)
            label = None if takes_everything(choice) else following(choice, loc, pages.LABEL_UNITS)
            topic_id = None
            if wanted == []:
                return message(loc(reading_strings.FOLLOWS_NO_TOPICS)), False
        excluded = chat.excluded_topics if topic is None and chat.all_topics else ()
        result = await self._store.latest_page(wanted, page, self._page_size, excluded)
        rendered = pages.latest(
            [own_topics_first(entry, chat.topics) for entry in result.entries],
            Paging(result.number, result.known_pages, result.has_more),
            loc=loc,
            summary_length=self._summary_length_of(chat),
            topic_label=label,
            topic_id=topic_id,
        )
        return rendered, bool(result.entries)

    async def search(self, ctx: ChatContext, argument: str) -> Rendered:
        """``/search [all] <words>`` (see :mod:`bot.chat.search`)."""
        chat = await self._chat(ctx)
        return await self._search.command(
            chat,
            argument,
            loc=self.locale_of(chat),
            summary_length=self._summary_length_of(chat),
        )

    # ------------------------------------------------------------------ topics menu

    async def topics_menu(self, ctx: ChatContext) -> Rendered:
        chat = await self._chat(ctx)
        return _menu(chat, await self._topic_options(chat), self.locale_of(chat))

    async def _topic_options(self, chat: ChatInfo) -> list[TopicOption]:
        """The config's topics first (an admin's topic is never crowded out by one-off
        tags), then those in use, most used first, then the chat's own other ones."""
        in_use = await self._store.topics_in_use()
        own = sorted({*chat.topics, *chat.excluded_topics})
        offered = distinct_topics([*self._config_topics, *in_use, *own])
        ids = await self._store.topic_ids(offered)
        return [
            TopicOption(ids[name], name, topic_state(chat.topic_choice, name))
            for name in offered
            if name in ids
        ]

    # ------------------------------------------------------------------ buttons

    async def button(
        self, ctx: ChatContext, action: callbacks.Action | None, *, may_change: bool
    ) -> ButtonReply:
        """Any button press, read with :func:`read_press`. ``may_change``: the presser may
        change the chat's subscription (asked only when :func:`changes_subscription`).
        Forged or stale data is answered and changes nothing."""
        chat = await self._store.chat(ctx.tg_chat_id, ctx.thread_id)
        if action is None or chat is None:
            return ButtonReply(answer=(await self.context_locale(ctx))(command_strings.EXPIRED))
        loc = self.locale_of(chat)
        match action:
            case callbacks.Noop():
                return ButtonReply()
            case callbacks.LatestPage(topic_id, page):
                return await self._latest_button(chat, topic_id, page)
            case callbacks.TransmissionPage(transmission_id, page):
                return await self._transmission_button(chat, transmission_id, page)
            case callbacks.SearchResults(search_id, page):
                return await self._search.button(
                    chat,
                    search_id,
                    page,
                    loc=loc,
                    summary_length=self._summary_length_of(chat),
                )
            case callbacks.TopicsPage(page):
                return await self._topics_page_button(chat, page)
            case callbacks.ToggleTopic(topic_id, page):
                if not may_change:
                    return ButtonReply(answer=loc(topic_strings.ONLY_ADMINS_CHANGE_TOPICS))
                return await self._toggle(chat, topic_id, page)
            case callbacks.FollowTopic(topic_id):
                if not may_change:
                    return ButtonReply(answer=loc(topic_strings.ONLY_ADMINS_CHANGE_TOPICS))
                return await self._follow_button(chat, topic_id)
            case callbacks.SettingsForm(chat_id, form):
                return await self.settings_button(ctx, chat, chat_id, form, may_change)
            case callbacks.EntryAction():
                return await self._actions.press(
                    chat,
                    action,
                    may_change=may_change,
                    loc=loc,
                    summary_length=self._summary_length_of(chat),
                )
        # the match is exhaustive
        return ButtonReply(answer=loc(command_strings.EXPIRED))  # pragma: no cover

    async def _latest_button(self, chat: ChatInfo, topic_id: int | None, page: int) -> ButtonReply:
        loc = self.locale_of(chat)
        topic = None
        if topic_id is not None:
            topic = await self._store.topic_name(topic_id)
            if topic is None:
                return ButtonReply(answer=loc(command_strings.EXPIRED))
        rendered, found = await self._latest_page(chat, topic, page)
        if not found:  # past the last page (forged, or the entries are gone): change nothing
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        await self._store.set_cursor(chat.id, topic, page)
        return ButtonReply(answer=loc(reading_strings.page_number(page)), edit=rendered)

    async def _transmission_button(
        self, chat: ChatInfo, transmission_id: int, page: int
    ) -> ButtonReply:
        loc = self.locale_of(chat)
        ids = await self._store.transmission_entries(transmission_id, chat.id)
        if ids is None:
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        views = await self._store.views_for_chat(chat.id, ids)
        count = -(-len(views) // self._page_size)
        if not views or page > count:
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        rendered = pages.transmission(
            views,
            loc=loc,
            page=page,
            page_size=self._page_size,
            summary_length=self._summary_length_of(chat),
            transmission_id=transmission_id,
        )
        return ButtonReply(answer=loc(reading_strings.page_of(page, count)), edit=rendered)

    async def _topics_page_button(self, chat: ChatInfo, page: int) -> ButtonReply:
        loc = self.locale_of(chat)
        options = await self._topic_options(chat)
        if page > topics_pages(len(options)):
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        menu = _menu(chat, options, loc, page)
        return ButtonReply(answer=loc(reading_strings.page_number(page)), edit=menu)

    async def _toggle(self, chat: ChatInfo, topic_id: int | None, page: int) -> ButtonReply:
        now = self._clock()
        loc = self.locale_of(chat)
        if topic_id is None:
            before, after = await self._change_topics(chat.id, follow_everything, now)
            if before.topic_choice == after.topic_choice:
                return ButtonReply(answer=loc(topic_strings.ALREADY_EVERYTHING))
            answer = loc(topic_strings.FOLLOWING_EVERYTHING)
        else:
            name = await self._store.topic_name(topic_id)
            if name is None:
                return ButtonReply(answer=loc(command_strings.EXPIRED))
            before, after = await self._change_topics(
                chat.id, lambda choice: toggle_topic(choice, name), now
            )
            if toggle_topic(before.topic_choice, name) is None:
                return ButtonReply(answer=loc(topic_strings.at_most_topics(MAX_CHAT_TOPICS)))
            answer = toggled(before.topic_choice, after.topic_choice, name, loc)
        view = _menu(after, await self._topic_options(after), loc, page)
        return ButtonReply(answer=answer, edit=view)

    async def _follow_button(self, chat: ChatInfo, topic_id: int) -> ButtonReply:
        """A topic offered for an unknown one: followed as /subscribe would; the offer
        becomes the confirmation (its buttons gone)."""
        loc = self.locale_of(chat)
        name = await self._store.topic_name(topic_id)
        if name is None:
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        before, after = await self._change_topics(
            chat.id, lambda choice: follow_topic(choice, name), self._clock(), activate=True
        )
        if follow_topic(before.topic_choice, name) is None:
            return ButtonReply(answer=loc(topic_strings.at_most_topics(MAX_CHAT_TOPICS)))
        done = loc(topic_strings.subscribed_to(name, receives(after.topic_choice, loc)))
        return ButtonReply(answer=loc(topic_strings.following_topic(name)), edit=message(done))

    # ------------------------------------------------------------------ help and admin

    async def help(self, ctx: ChatContext, user_id: int | None) -> Rendered:
        admin = command_strings.ADMIN_COMMANDS if await self.is_bot_admin(user_id) else ()
        loc = await self.context_locale(ctx)
        return replies.help_text(command_strings.PUBLIC_COMMANDS + admin, loc)

    async def stats(self, ctx: ChatContext) -> Rendered:
        loc = await self.context_locale(ctx)
        now = self._clock()
        replicas = await self._store.replicas(now)
        return replies.stats(await self._store.stats(), VERSION, PYTHON, loc, replicas, now)


def _menu(chat: ChatInfo, options: list[TopicOption], loc: Locale, page: int = 1) -> Rendered:
    """The /topics menu of ``chat`` on ``page``."""
    choice = chat.topic_choice
    return topics_menu(
        options,
        loc=loc,
        pushes_on=chat.active,
        following=following(choice, loc),
        everything=takes_everything(choice),
        page=page,
    )
