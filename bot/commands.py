"""What each chat command and button does, independent of python-telegram-bot.

Handlers in ``bot.tg.handlers`` parse the update, check who may do what, and call in here;
everything here takes plain values and returns a :class:`~bot.delivery.render.Rendered`
message (or a :class:`ButtonReply`), so the behaviour is testable without Telegram.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.delivery import callbacks, render
from bot.delivery.render import Rendered
from bot.domain import MAX_TOPIC_CHARS, ChatInfo, TopicChoice, normalise_topic
from bot.store import Store
from bot.store.chats import MIGRATED_TO, REMOVED_FROM_CONFIG
from bot.text import escape_html, truncate

EXPIRED = "This button has expired."
GROUP_KINDS = ("group", "supergroup")
STOPPED = "stopped with /stop"
#: topics a chat may follow (or, following everything, skip): keeps every list of them
#: within one message and the matching of new entries cheap
MAX_CHAT_TOPICS = 50
#: UTF-16 units of a topic list in a reply
LIST_UNITS = 1000

PUBLIC_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Subscribe this chat to every update"),
    ("latest", "Newest updates, optionally for one topic"),
    ("next", "The next page of updates"),
    ("topics", "Choose topics with buttons"),
    ("subscribe", "Receive a topic (all = everything)"),
    ("unsubscribe", "Stop receiving a topic"),
    ("stop", "No more pushes to this chat"),
    ("help", "What this bot does"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("stats", "Feeds, entries, chats and queue"),
    ("feeds", "Each feed's state and last error"),
)


@dataclass(frozen=True, slots=True)
class ChatContext:
    """Where a command came from."""

    tg_chat_id: int
    kind: str  #: private | group | supergroup | channel
    title: str


@dataclass(frozen=True, slots=True)
class ButtonReply:
    """The answer to a button press (always sent) and an optional edit of its message."""

    answer: str = ""
    edit: Rendered | None = None


def message(text: str) -> Rendered:
    """A short reply: plain text, escaped."""
    return Rendered(html=escape_html(text))


def utcnow() -> datetime:
    return datetime.now(UTC)


class Commands:
    def __init__(
        self,
        store: Store,
        *,
        page_size: int,
        summary_length: int,
        admins: frozenset[int],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._page_size = page_size
        self._summary_length = summary_length
        self._admins = admins
        self._clock = clock

    def is_bot_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self._admins

    async def _chat(self, ctx: ChatContext) -> ChatInfo:
        return await self._store.ensure_chat(ctx.tg_chat_id, ctx.kind, ctx.title, self._clock())

    # ------------------------------------------------------------------ subscription

    async def start(self, ctx: ChatContext) -> Rendered:
        chat = await self._chat(ctx)
        await self._store.change_topics(chat.id, follow_everything, self._clock(), activate=True)
        where = "this group" if ctx.kind in GROUP_KINDS else "this chat"
        return message(
            f"Subscribed: {where} now receives every new update as an INCOMING TRANSMISSION.\n"
            "/latest shows the newest entries, /topics narrows what arrives, /stop ends it."
        )

    async def stop(self, ctx: ChatContext) -> Rendered:
        chat = await self._chat(ctx)
        if not chat.active:
            return message("This chat is not subscribed. /start subscribes it.")
        await self._store.deactivate_chat(chat, STOPPED, self._clock())
        return message("Stopped: no more pushes here. /latest still works; /start resumes.")

    async def subscribe(self, ctx: ChatContext, argument: str) -> Rendered:
        topic, problem = parse_topic(argument, "subscribe")
        if problem:
            return message(problem)
        chat = await self._chat(ctx)
        if topic == "all":
            await self._store.change_topics(
                chat.id, follow_everything, self._clock(), activate=True
            )
            return message("This chat now receives every topic.")
        before, after = await self._store.change_topics(
            chat.id, lambda choice: follow_topic(choice, topic), self._clock(), activate=True
        )
        if follow_topic(before.topic_choice, topic) is None:
            return message(
                f"This chat already follows {MAX_CHAT_TOPICS} topics, the most it can. "
                "/unsubscribe one first, or /subscribe all for everything."
            )
        if not before.all_topics and topic in before.topics:
            return message(f"This chat already follows {topic}. {receives(after.topic_choice)}")
        return message(f"Subscribed to {topic}. {receives(after.topic_choice)}")

    async def unsubscribe(self, ctx: ChatContext, argument: str) -> Rendered:
        topic, problem = parse_topic(argument, "unsubscribe")
        if problem:
            return message(problem)
        if topic == "all":
            return await self.stop(ctx)
        chat = await self._chat(ctx)
        before, after = await self._store.change_topics(
            chat.id, lambda choice: drop_topic(choice, topic), self._clock()
        )
        was = before.topic_choice
        if drop_topic(was, topic) is None:
            return message(
                f"This chat already skips {MAX_CHAT_TOPICS} topics, the most it can. "
                "/subscribe to the topics you want instead."
            )
        if not was.everything and topic not in was.only:
            return message(f"This chat does not follow {topic}. /topics shows what it follows.")
        if was.everything and topic in was.excluded:
            return message(f"This chat already skips {topic}. {receives(after.topic_choice)}")
        if not after.all_topics and not after.topics:
            return message(
                f"Unsubscribed from {topic}. No topics are left, so nothing will be pushed "
                "here until /subscribe or /start."
            )
        return message(f"Unsubscribed from {topic}. {receives(after.topic_choice)}")

    async def bot_removed(self, tg_chat_id: int, reason: str) -> bool:
        """The bot was blocked or removed from the chat: no pushes until it is back."""
        chat = await self._store.chat(tg_chat_id)
        if chat is None or not chat.active:
            return False
        await self._store.deactivate_chat(chat, reason, self._clock())
        return True

    async def bot_returned(self, tg_chat_id: int) -> bool:
        """The bot was unblocked or added back: pushes resume where the chat left off,
        unless someone stopped them on purpose (see :func:`resumes_on_return`)."""
        chat = await self._store.chat(tg_chat_id)
        if chat is None or not resumes_on_return(chat):
            return False
        await self._store.set_active(chat.id, True, self._clock())
        return True

    # ------------------------------------------------------------------ reading

    async def latest(self, ctx: ChatContext, argument: str) -> Rendered:
        topic = None
        if argument.strip():
            topic, problem = parse_topic(argument, "latest")
            if problem:
                return message(problem)
        chat = await self._chat(ctx)
        rendered, found = await self._latest_page(chat, topic, 1)
        if found:
            await self._store.set_cursor(chat.id, topic, 1)
        return rendered

    async def next_page(self, ctx: ChatContext) -> Rendered:
        chat = await self._chat(ctx)
        page = chat.cursor_page + 1
        rendered, found = await self._latest_page(chat, chat.cursor_topic, page)
        if not found:
            if page == 1:
                return rendered
            return message("That was the last page. /latest starts again from the newest.")
        await self._store.set_cursor(chat.id, chat.cursor_topic, page)
        return rendered

    async def _latest_page(
        self, chat: ChatInfo, topic: str | None, page: int
    ) -> tuple[Rendered, bool]:
        if topic is not None:
            wanted: list[str] | None = [topic]
            label: str | None = topic
            topic_id = (await self._store.topic_ids([topic])).get(topic)
            if topic_id is None:
                return message(
                    f"No entries with the topic {topic} yet. /topics lists topics."
                ), False
        else:
            wanted = None if chat.all_topics else list(chat.topics)
            label = own_label(chat.topic_choice)
            topic_id = None
            if wanted == []:
                return message("This chat follows no topics. /subscribe all or /topics."), False
        excluded = chat.excluded_topics if topic is None and chat.all_topics else ()
        result = await self._store.latest_page(wanted, page, self._page_size, excluded)
        paging = render.Paging(result.number, result.known_pages, result.has_more)
        rendered = render.latest(
            result.entries,
            paging,
            summary_length=self._summary_length,
            topic_label=label,
            topic_id=topic_id,
        )
        return rendered, bool(result.entries)

    # ------------------------------------------------------------------ topics menu

    async def topics_menu(self, ctx: ChatContext) -> Rendered:
        chat = await self._chat(ctx)
        return render_topics(chat, await self._topic_options(chat))

    async def _topic_options(self, chat: ChatInfo) -> list[render.TopicOption]:
        """The chat's own topics and those in use, by name (a stable order to page in)."""
        offered = sorted({*chat.topics, *chat.excluded_topics, *await self._store.topics_in_use()})
        ids = await self._store.topic_ids(offered)
        return [
            render.TopicOption(ids[name], name, topic_state(chat.topic_choice, name))
            for name in offered
            if name in ids
        ]

    # ------------------------------------------------------------------ buttons

    async def button(
        self,
        ctx: ChatContext,
        data: str | None,
        may_change: Callable[[], Awaitable[bool]],
    ) -> ButtonReply:
        """Any button press. Forged or stale data is answered and changes nothing."""
        action = callbacks.decode(data)
        if action is None:
            return ButtonReply(answer=EXPIRED)
        chat = await self._store.chat(ctx.tg_chat_id)
        if chat is None:
            return ButtonReply(answer=EXPIRED)
        match action:
            case callbacks.Noop():
                return ButtonReply()
            case callbacks.LatestPage(topic_id, page):
                return await self._latest_button(chat, topic_id, page)
            case callbacks.TransmissionPage(transmission_id, page):
                return await self._transmission_button(chat, transmission_id, page)
            case callbacks.TopicsPage(page):
                options = await self._topic_options(chat)
                if page > render.topics_pages(len(options)):
                    return ButtonReply(answer=EXPIRED)
                return ButtonReply(answer=f"Page {page}", edit=render_topics(chat, options, page))
            case callbacks.ToggleTopic(topic_id, page):
                if not await may_change():
                    return ButtonReply(answer="Only group admins can change topics here.")
                return await self._toggle(chat, topic_id, page)
        return ButtonReply(answer=EXPIRED)  # pragma: no cover - match is exhaustive

    async def _latest_button(self, chat: ChatInfo, topic_id: int | None, page: int) -> ButtonReply:
        topic = None
        if topic_id is not None:
            topic = await self._store.topic_name(topic_id)
            if topic is None:
                return ButtonReply(answer=EXPIRED)
        rendered, found = await self._latest_page(chat, topic, page)
        if not found:  # past the last page (forged, or the entries are gone): change nothing
            return ButtonReply(answer=EXPIRED)
        await self._store.set_cursor(chat.id, topic, page)
        return ButtonReply(answer=f"Page {page}", edit=rendered)

    async def _transmission_button(
        self, chat: ChatInfo, transmission_id: int, page: int
    ) -> ButtonReply:
        ids = await self._store.transmission_entries(transmission_id, chat.id)
        if ids is None:
            return ButtonReply(answer=EXPIRED)
        views = await self._store.entry_views(ids)
        pages = -(-len(views) // self._page_size)
        if not views or page > pages:
            return ButtonReply(answer=EXPIRED)
        rendered = render.transmission(
            views,
            page=page,
            page_size=self._page_size,
            summary_length=self._summary_length,
            transmission_id=transmission_id,
        )
        return ButtonReply(answer=f"Page {page} of {pages}", edit=rendered)

    async def _toggle(self, chat: ChatInfo, topic_id: int | None, page: int) -> ButtonReply:
        now = self._clock()
        if topic_id is None:
            before, after = await self._store.change_topics(chat.id, follow_everything, now)
            if before.topic_choice == after.topic_choice:
                return ButtonReply(answer="Already following everything; tap a topic instead.")
            answer = "Following everything"
        else:
            name = await self._store.topic_name(topic_id)
            if name is None:
                return ButtonReply(answer=EXPIRED)
            before, after = await self._store.change_topics(
                chat.id, lambda choice: toggle_topic(choice, name), now
            )
            if toggle_topic(before.topic_choice, name) is None:
                return ButtonReply(
                    answer=f"At most {MAX_CHAT_TOPICS} topics: drop one first, or tap Everything."
                )
            answer = toggled(before.topic_choice, after.topic_choice, name)
        view = render_topics(after, await self._topic_options(after), page)
        return ButtonReply(answer=answer, edit=view)

    # ------------------------------------------------------------------ help and admin

    def help(self, user_id: int | None) -> Rendered:
        lines = [
            "<b>TRANSMISSION</b>",
            escape_html(
                "New entries from the configured feeds arrive here as INCOMING TRANSMISSION."
            ),
            "",
        ]
        commands = PUBLIC_COMMANDS + (ADMIN_COMMANDS if self.is_bot_admin(user_id) else ())
        lines += [escape_html(f"/{name} — {text}") for name, text in commands]
        lines += [
            "",
            escape_html("In groups, only group admins change the subscription."),
            escape_html(
                "Blocked the bot, or removed it from a group? Pushes pause, and resume when it "
                "is unblocked or added back. /stop ends them until the next /start."
            ),
        ]
        return Rendered(html="\n".join(lines))

    async def stats(self) -> Rendered:
        s = await self._store.stats()
        lines = [
            "<b>STATS</b>",
            escape_html(f"Feeds: {s.feeds} ({s.feeds_failing} failing)"),
            escape_html(f"Entries: {s.entries:,}"),
            escape_html(f"Chats: {s.chats_active} active, {s.chats_inactive} inactive"),
            escape_html(
                f"Queue: {s.queue_pending} pending, {s.queue_failed} failed, {s.sent:,} sent"
            ),
        ]
        return Rendered(html="\n".join(lines))

    async def feeds(self) -> Rendered:
        states = await self._store.feed_states()
        now = self._clock()
        header = f"<b>FEEDS</b> ({len(states)})"
        lines: list[str] = []
        used = render.visible_length(header)
        for shown, state in enumerate(states):
            if state.error_count:
                line = (
                    f"⚠️ {state.name}: {state.error_count} errors, last: {state.last_error}; "
                    f"retry {_ago_or_in(state.next_check_at, now)}"
                )
            else:
                checked = (
                    _ago_or_in(state.last_success_at, now) if state.last_success_at else "never"
                )
                line = (
                    f"✅ {state.name}: {state.entry_count} entries, checked {checked}, "
                    f"next {_ago_or_in(state.next_check_at, now)}"
                )
            line = escape_html(truncate(line, 300))
            if used + render.visible_length(line) + 40 > render.MESSAGE_LIMIT:
                lines.append(escape_html(f"… and {len(states) - shown} more"))
                break
            lines.append(line)
            used += render.visible_length(line) + 1
        if not states:
            lines.append("No feeds configured.")
        return Rendered(html="\n".join([header, *lines]))


# ---------------------------------------------------------------------- topic choices (pure)


def follow_everything(_choice: TopicChoice) -> TopicChoice:
    return TopicChoice(everything=True)


def follow_topic(choice: TopicChoice, topic: str) -> TopicChoice | None:
    """/subscribe: from everything, only ``topic``; else ``topic`` added (None: too many)."""
    if choice.everything:
        return TopicChoice(everything=False, only=frozenset({topic}))
    if topic in choice.only:
        return choice
    if len(choice.only) >= MAX_CHAT_TOPICS:
        return None
    return TopicChoice(everything=False, only=choice.only | {topic})


def drop_topic(choice: TopicChoice, topic: str) -> TopicChoice | None:
    """/unsubscribe: from everything, everything but ``topic``; else ``topic`` removed
    (None: too many topics skipped already)."""
    if not choice.everything:
        return TopicChoice(everything=False, only=choice.only - {topic})
    if topic in choice.excluded:
        return choice
    if len(choice.excluded) >= MAX_CHAT_TOPICS:
        return None
    return TopicChoice(everything=True, excluded=choice.excluded | {topic})


def toggle_topic(choice: TopicChoice, topic: str) -> TopicChoice | None:
    """A topic button of /topics: a skipped topic is taken again; from everything, only
    that topic; else followed or dropped (None: too many)."""
    if choice.everything:
        if topic in choice.excluded:
            return TopicChoice(everything=True, excluded=choice.excluded - {topic})
        return TopicChoice(everything=False, only=frozenset({topic}))
    if topic in choice.only:
        return TopicChoice(everything=False, only=choice.only - {topic})
    return follow_topic(choice, topic)


def toggled(before: TopicChoice, after: TopicChoice, topic: str) -> str:
    """The answer to a topic button press."""
    if after.everything:
        return f"Taking {topic} again" if topic in before.excluded else "Following everything"
    if before.everything:
        return f"Following only {topic}"
    return f"Following {topic}" if topic in after.only else f"Dropped {topic}"


def topic_state(choice: TopicChoice, topic: str) -> str:
    if choice.everything:
        return render.EXCLUDED if topic in choice.excluded else render.OFF
    return render.ON if topic in choice.only else render.OFF


def following(choice: TopicChoice, units: int = LIST_UNITS) -> str:
    """What the chat follows, in a few words: "every topic", "everything except: ml",
    "ml, python" or "no topics" (long lists end in "… and N more")."""
    if choice.everything:
        if not choice.excluded:
            return "every topic"
        prefix = "everything except: "
        return prefix + render.bounded_list(sorted(choice.excluded), units - len(prefix))
    return render.bounded_list(sorted(choice.only), units) or "no topics"


def receives(choice: TopicChoice) -> str:
    if choice.everything:
        return f"This chat receives {following(choice)}."
    return f"This chat receives: {following(choice)}."


def own_label(choice: TopicChoice) -> str | None:
    """The LATEST UPDATES header's note on a chat's own topics (None: everything)."""
    if choice.everything and not choice.excluded:
        return None
    return following(choice, render.LABEL_UNITS)


def render_topics(chat: ChatInfo, options: list[render.TopicOption], page: int = 1) -> Rendered:
    choice = chat.topic_choice
    return render.topics_menu(
        options,
        pushes_on=chat.active,
        following=following(choice),
        everything=choice.everything and not choice.excluded,
        page=page,
    )


def resumes_on_return(chat: ChatInfo) -> bool:
    """Whether pushes resume when the bot is unblocked or added back to the chat: yes when
    they stopped because it was blocked or removed; no when they never started or someone
    stopped them on purpose (/stop, the config, a group's move to a supergroup)."""
    reason = chat.inactive_reason
    if chat.active or reason is None:
        return False
    return reason not in (STOPPED, REMOVED_FROM_CONFIG) and not reason.startswith(MIGRATED_TO)


def parse_topic(argument: str, command: str) -> tuple[str, str | None]:
    """(normalised topic, problem) from a command argument."""
    raw = argument.strip()
    usage = f"Usage: /{command} <topic>, e.g. /{command} ml. /topics lists the topics."
    if len(raw) > MAX_TOPIC_CHARS:
        return "", f"Topic names are at most {MAX_TOPIC_CHARS} characters. {usage}"
    topic = normalise_topic(raw)
    if not topic:
        return "", usage
    return topic, None


def _ago_or_in(moment: datetime, now: datetime) -> str:
    seconds = int((moment - now).total_seconds())
    amount = abs(seconds)
    if amount < 120:
        text = f"{amount}s"
    elif amount < 7200:
        text = f"{amount // 60}m"
    elif amount < 172800:
        text = f"{amount / 3600:.1f}h"
    else:
        text = f"{amount // 86400}d"
    return f"in {text}" if seconds >= 0 else f"{text} ago"
