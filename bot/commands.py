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
from bot.delivery.render import Button, Rendered
from bot.domain import MAX_TOPIC_CHARS, ChatInfo, normalise_topic
from bot.store import Store
from bot.text import escape_html, truncate

EXPIRED = "This button has expired."
GROUP_KINDS = ("group", "supergroup")

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
        now = self._clock()
        await self._store.set_active(chat.id, True, now)
        await self._store.set_topics(chat.id, all_topics=True, names=(), now=now)
        where = "this group" if ctx.kind in GROUP_KINDS else "this chat"
        return message(
            f"Subscribed: {where} now receives every new update as an INCOMING TRANSMISSION.\n"
            "/latest shows the newest entries, /topics narrows what arrives, /stop ends it."
        )

    async def stop(self, ctx: ChatContext) -> Rendered:
        chat = await self._chat(ctx)
        if not chat.active:
            return message("This chat is not subscribed. /start subscribes it.")
        await self._store.deactivate_chat(chat, "stopped with /stop", self._clock())
        return message("Stopped: no more pushes here. /latest still works; /start resumes.")

    async def subscribe(self, ctx: ChatContext, argument: str) -> Rendered:
        topic, problem = parse_topic(argument, "subscribe")
        if problem:
            return message(problem)
        chat = await self._chat(ctx)
        now = self._clock()
        await self._store.set_active(chat.id, True, now)
        if topic == "all":
            await self._store.set_topics(chat.id, all_topics=True, names=(), now=now)
            return message("This chat now receives every topic.")
        names = {topic} if chat.all_topics else {*chat.topics, topic}
        await self._store.set_topics(chat.id, all_topics=False, names=names, now=now)
        return message(f"Subscribed to {topic}. This chat receives: {', '.join(sorted(names))}.")

    async def unsubscribe(self, ctx: ChatContext, argument: str) -> Rendered:
        topic, problem = parse_topic(argument, "unsubscribe")
        if problem:
            return message(problem)
        chat = await self._chat(ctx)
        if topic == "all":
            return await self.stop(ctx)
        if chat.all_topics:
            # "everything but X": the topics in use now, minus X.
            names = set(await self._store.topics_in_use()) - {topic}
        elif topic not in chat.topics:
            return message(f"This chat does not follow {topic}. /topics shows what it follows.")
        else:
            names = set(chat.topics) - {topic}
        await self._store.set_topics(chat.id, all_topics=False, names=names, now=self._clock())
        if not names:
            return message(
                f"Unsubscribed from {topic}. No topics are left, so nothing will be pushed "
                "here until /subscribe or /start."
            )
        return message(
            f"Unsubscribed from {topic}. This chat receives: {', '.join(sorted(names))}."
        )

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
            label = None if chat.all_topics else ", ".join(chat.topics) or None
            topic_id = None
            if wanted == []:
                return message("This chat follows no topics. /subscribe all or /topics."), False
        result = await self._store.latest_page(wanted, page, self._page_size)
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
        return await self._topics_view(chat)

    async def _topics_view(self, chat: ChatInfo) -> Rendered:
        offered = list(dict.fromkeys([*chat.topics, *await self._store.topics_in_use()]))
        ids = await self._store.topic_ids(offered)
        status = "on" if chat.active else "off (/start turns them on)"
        following = "every topic" if chat.all_topics else (", ".join(chat.topics) or "no topics")
        lines = [
            "<b>TOPICS</b>",
            "",
            escape_html(f"Pushes: {status}. Following: {following}."),
            escape_html("Tap a topic to follow or drop it."),
        ]
        if not offered:
            lines.append(escape_html("No topics yet: they appear once entries carry some."))
        everything = Button(
            ("✅ " if chat.all_topics else "▫️ ") + "Everything",
            callback=callbacks.encode(callbacks.ToggleTopic(None)),
        )
        buttons = [
            Button(
                ("✅ " if not chat.all_topics and name in chat.topics else "▫️ ")
                + truncate(name, 24),
                callback=callbacks.encode(callbacks.ToggleTopic(ids[name])),
            )
            for name in offered
            if name in ids
        ]
        rows = [(everything,)] + [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
        return Rendered(html="\n".join(lines), keyboard=tuple(rows))

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
            case callbacks.ToggleTopic(topic_id):
                if not await may_change():
                    return ButtonReply(answer="Only group admins can change topics here.")
                return await self._toggle(chat, topic_id)
        return ButtonReply(answer=EXPIRED)  # pragma: no cover - match is exhaustive

    async def _latest_button(self, chat: ChatInfo, topic_id: int | None, page: int) -> ButtonReply:
        topic = None
        if topic_id is not None:
            topic = await self._store.topic_name(topic_id)
            if topic is None:
                return ButtonReply(answer=EXPIRED)
        rendered, found = await self._latest_page(chat, topic, page)
        if not found:
            return ButtonReply(answer="No entries on that page any more.", edit=rendered)
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

    async def _toggle(self, chat: ChatInfo, topic_id: int | None) -> ButtonReply:
        now = self._clock()
        if topic_id is None:
            if chat.all_topics:
                return ButtonReply(answer="Already following everything; tap a topic instead.")
            await self._store.set_topics(chat.id, all_topics=True, names=(), now=now)
            answer = "Following everything"
        else:
            name = await self._store.topic_name(topic_id)
            if name is None:
                return ButtonReply(answer=EXPIRED)
            if chat.all_topics:
                names, answer = {name}, f"Following only {name}"
            elif name in chat.topics:
                names, answer = set(chat.topics) - {name}, f"Dropped {name}"
            else:
                names, answer = {*chat.topics, name}, f"Following {name}"
            await self._store.set_topics(chat.id, all_topics=False, names=names, now=now)
        updated = await self._store.chat(chat.tg_chat_id or 0)
        assert updated is not None
        return ButtonReply(answer=answer, edit=await self._topics_view(updated))

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
        lines += ["", escape_html("In groups, only group admins change the subscription.")]
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
