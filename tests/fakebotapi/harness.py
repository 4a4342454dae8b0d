""":class:`FakeBotAPI`: the server on a background thread plus the test-facing API."""

from __future__ import annotations

import asyncio
import copy
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from . import files, webhooks
from .control import control_routes
from .faults import Fault, describe_status
from .limits import LimitConfig
from .methods import commands_key
from .params import Params
from .records import Answer, ApiCall, LogEntry, SentMessage
from .server import FakeServer
from .state import Chat, World

__all__ = ["FakeBotAPI"]

T = TypeVar("T")
_STARTUP_TIMEOUT = 10.0


#: the methods that post a new message (edits and deletes are not counted as sends)
SENDING_METHODS = frozenset({"sendMessage", "sendDocument"})


class FakeBotAPI:
    """A fake Telegram Bot API server for tests and benchmarks (see the package docstring)."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_username: str = "transmission_test_bot",
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        group_per_minute: int = 20,
        limits: bool = True,
        strict_html: bool = True,
        callback_ttl: float = 15.0,
        tolerance: float = 0.05,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        config = LimitConfig(
            enabled=limits,
            global_per_second=global_per_second,
            per_chat_per_second=per_chat_per_second,
            group_per_minute=group_per_minute,
            tolerance=tolerance,
        )
        self._world = World(
            token, bot_username, config, strict_html=strict_html, callback_ttl=callback_ttl
        )
        self._server = FakeServer(self._world)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._startup_error: BaseException | None = None
        self.port = 0
        self.host = "127.0.0.1"

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; the bot calls ``{base_url}/bot{token}/{method}``."""
        if not self.port:
            raise RuntimeError("FakeBotAPI is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """``{base_url}/bot``: what python-telegram-bot takes as ``base_url``."""
        return f"{self.base_url}/bot"

    def start(self, port: int = 0, host: str = "127.0.0.1") -> FakeBotAPI:
        """Serve on a background thread with its own event loop; returns self."""
        if self._thread is not None:
            raise RuntimeError("FakeBotAPI is already started")
        self.host = host
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._serve, args=(host, port, ready), name="fakebotapi", daemon=True
        )
        self._thread.start()
        if not ready.wait(_STARTUP_TIMEOUT) or self._startup_error is not None:
            self._thread.join(_STARTUP_TIMEOUT)
            self._thread = None
            raise RuntimeError("FakeBotAPI did not start") from self._startup_error
        with self._world.lock:
            self._world.update_listeners.append(self._wake_from_any_thread)
        return self

    def stop(self) -> None:
        """Shut the server down and join its thread; raises if the fake itself failed."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        with self._world.lock:
            self._world.update_listeners.clear()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        self._thread = None
        if self._server.internal_errors:
            raise RuntimeError(f"the fake Bot API failed: {self._server.internal_errors}")

    def __enter__(self) -> FakeBotAPI:
        return self if self._thread is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self, host: str, port: int, ready: threading.Event) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._open(host, port))
        except BaseException as error:
            self._startup_error = error
            loop.close()
            ready.set()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._close())
            loop.close()

    async def _open(self, host: str, port: int) -> None:
        self._server.reset()
        self._runner = web.AppRunner(
            self._server.application(control_routes(self)),
            access_log=None,
            shutdown_timeout=2.0,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _close(self) -> None:
        self._server.stopping = True
        self._server.webhooks.stopping = True
        self._server.wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
        current = asyncio.current_task()
        leftovers = [task for task in asyncio.all_tasks() if task is not current]
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)

    def _wake_from_any_thread(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._server.wake_pollers)

    # -- the world -------------------------------------------------------------------------

    @property
    def bot_id(self) -> int:
        return int(self._world.bot_user["id"])

    def add_user(
        self,
        user_id: int,
        first_name: str = "",
        username: str | None = None,
        language_code: str = "en",
    ) -> dict[str, Any]:
        """Register (or rename) a user; users are also created on first use."""
        return self._world.add_user(user_id, first_name, username, language_code)

    def add_private_chat(
        self,
        user_id: int,
        first_name: str = "Alice",
        username: str | None = None,
        language_code: str = "en",
    ) -> int:
        """A private chat with ``user_id`` (its id is the user's id), whose Telegram app
        speaks ``language_code``."""
        self._world.add_user(user_id, first_name, username, language_code)
        chat = Chat(user_id, "private", first_name=first_name, username=username)
        return self._world.add_chat(chat).id

    def add_group(
        self,
        chat_id: int,
        title: str = "Test group",
        admins: Iterable[int] = (),
        *,
        creator: int | None = None,
        supergroup: bool = False,
        username: str | None = None,
        bot_is_admin: bool = False,
        forum: bool = False,
    ) -> int:
        """A group (or supergroup; ``forum``: a supergroup with topics enabled, see
        :meth:`add_thread`); the creator defaults to the first admin."""
        if chat_id >= 0:
            raise ValueError("group ids are negative")
        admin_ids = list(admins)
        owner = creator if creator is not None else (admin_ids[0] if admin_ids else None)
        chat = Chat(
            chat_id,
            "supergroup" if supergroup or forum else "group",
            title=title,
            username=username.lstrip("@") if username else None,
            creator=owner,
            admins=[a for a in admin_ids if a != owner],
            members=set(admin_ids) | ({owner} if owner is not None else set()),
            bot_is_admin=bot_is_admin,
            is_forum=forum,
        )
        return self._world.add_chat(chat).id

    def add_thread(self, chat_id: int) -> int:
        """Open a thread (a forum topic) in a forum group; its id, as Telegram gives it: the
        id of the service message that opened it."""
        with self._world.lock:
            chat = self._world.chat(chat_id)
            if not chat.is_forum:
                raise ValueError(f"chat {chat_id} is not a forum")
            thread = chat.next_message_id()
            chat.threads[thread] = True
            return thread

    def close_thread(self, chat_id: int, thread: int, *, delete: bool = False) -> None:
        """Close a thread (sends to it fail with TOPIC_CLOSED), or delete it ("message
        thread not found")."""
        with self._world.lock:
            chat = self._world.chat(chat_id)
            if delete:
                chat.threads.pop(thread, None)
            else:
                chat.threads[thread] = False

    def add_channel(
        self,
        chat_id: int,
        username: str,
        title: str | None = None,
        admins: Iterable[int] = (),
        *,
        creator: int | None = None,
    ) -> int:
        """A channel with ``@username`` in which the bot is an administrator."""
        if chat_id >= 0:
            raise ValueError("channel ids are negative")
        name = username.lstrip("@")
        admin_ids = list(admins)
        owner = creator if creator is not None else (admin_ids[0] if admin_ids else None)
        chat = Chat(
            chat_id,
            "channel",
            title=title or name,
            username=name,
            creator=owner,
            admins=[a for a in admin_ids if a != owner],
            bot_is_admin=True,
        )
        return self._world.add_chat(chat).id

    def block_chat(
        self, chat_id: int, description: str | None = None, *, notify: bool = True
    ) -> None:
        """From now on sends to the chat get 403 "Forbidden: <why>".

        ``why`` is Telegram's usual reason for the chat type (blocked by the user, kicked
        from the group), or ``description``, e.g. ``"user is deactivated"``. ``notify``
        also queues the ``my_chat_member`` update the real server sends.
        """
        self._world.block(chat_id, description, notify)

    def unblock_chat(self, chat_id: int) -> None:
        self._world.unblock(chat_id)

    def add_bot_to_group(self, chat_id: int) -> None:
        """Someone adds the bot to the group: the ``my_chat_member`` update (left -> member)."""
        self._world.bot_joins(chat_id)

    def migrate_group(self, old_id: int, new_id: int) -> None:
        """Upgrade a group to a supergroup: the old id answers 400 with migrate_to_chat_id."""
        self._world.migrate(old_id, new_id)

    def set_limits(
        self,
        enabled: bool = True,
        *,
        global_per_second: int | None = None,
        per_chat_per_second: int | None = None,
        group_per_minute: int | None = None,
    ) -> None:
        """Turn flood control on or off, optionally with new numbers; windows restart."""
        with self._world.lock:
            old = self._world.limiter.config
            new = replace(
                old,
                enabled=enabled,
                global_per_second=global_per_second or old.global_per_second,
                per_chat_per_second=per_chat_per_second or old.per_chat_per_second,
                group_per_minute=group_per_minute or old.group_per_minute,
            )
            self._world.limiter.reconfigure(new)

    # -- outages ---------------------------------------------------------------------------

    def fail(
        self,
        status: int = 500,
        *,
        times: int | None = None,
        seconds: float | None = None,
        chat_id: int | str | None = None,
        methods: Iterable[str] | None = None,
        description: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer matching calls with ``status`` (500, 502, 503 ...) instead of handling them.

        Matching: ``methods`` (None: every method, getUpdates too) and ``chat_id`` (None:
        every chat). It lasts for ``times`` calls, ``seconds`` seconds, whichever ends
        first, or until :meth:`clear_faults` when neither is given. A failed call changes
        nothing (no message is delivered) and is logged as refused with that status.
        ``delay`` holds each answer back that long (to provoke client timeouts).
        """
        self._world.add_fault(
            self._fault(status, times, seconds, chat_id, methods, description, delay)
        )

    def drop_connections(
        self,
        *,
        times: int | None = None,
        seconds: float | None = None,
        chat_id: int | str | None = None,
        methods: Iterable[str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Like :meth:`fail`, but the server closes the connection without an answer (the
        client sees a network error). Logged as refused with ``error_code`` None."""
        self._world.add_fault(self._fault(None, times, seconds, chat_id, methods, None, delay))

    def clear_faults(self) -> None:
        """End every outage started with :meth:`fail` or :meth:`drop_connections`."""
        self._world.clear_faults()

    def _fault(
        self,
        status: int | None,
        times: int | None,
        seconds: float | None,
        chat_id: int | str | None,
        methods: Iterable[str] | None,
        description: str | None,
        delay: float,
    ) -> Fault:
        if status is not None and not 500 <= status <= 599:
            raise ValueError("an injected failure is a 5xx status")
        return Fault(
            status=status,
            description=description or (describe_status(status) if status else ""),
            times=times,
            until=self._world.clock() + seconds if seconds is not None else None,
            chat_id=chat_id,
            methods=frozenset(m.lower() for m in methods) if methods is not None else None,
            delay=delay,
        )

    # -- what users do ---------------------------------------------------------------------

    def user_sends(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        thread: int | None = None,
    ) -> dict[str, Any]:
        """Queue the update for a user's text message; returns a copy of the update.

        Commands anywhere in the text get ``bot_command`` entities. A private chat is
        created when ``chat_id == user_id``; a user who blocked the bot unblocks it.
        ``thread``: an open thread of a forum group the message is written in.
        """
        return self._world.user_message(chat_id, user_id, text, reply_to, thread)

    def user_sends_document(
        self,
        chat_id: int,
        user_id: int,
        name: str,
        data: bytes,
        mime_type: str = "application/octet-stream",
    ) -> dict[str, Any]:
        """Queue the update for a user's document message (getFile then serves it)."""
        return files.user_document(self._world, chat_id, user_id, name, data, mime_type)

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes of a file sent to or by the bot (``SentMessage.document["file_id"]``)."""
        return files.file_bytes(self._world, file_id)

    def user_presses(self, chat_id: int, user_id: int, message_id: int, callback_data: str) -> str:
        """Queue a ``callback_query`` for a button press; returns the query id.

        The data is not checked against the keyboard, so forged presses are possible; a
        message that does not exist is embedded as an inaccessible message.
        """
        return self._world.press(chat_id, user_id, message_id, callback_data)

    # -- what the bot did ------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages now in the chat (after edits and deletions), oldest first."""
        with self._world.lock:
            chat = self._world.chats.get(chat_id)
            if chat is None:
                return []
            return [m.sent for m in chat.messages.values() if m.sent is not None]

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        with self._world.lock:
            chat = self._world.chats.get(chat_id)
            stored = chat.messages.get(message_id) if chat else None
            return stored.sent if stored else None

    def last_message(self, chat_id: int) -> SentMessage | None:
        sent = self.messages(chat_id)
        return sent[-1] if sent else None

    def sent_log(self, method: str | None = None, *, ok: bool | None = None) -> list[LogEntry]:
        """Every send, edit and delete, accepted or refused, in arrival order."""
        with self._world.lock:
            return [
                entry
                for entry in self._world.delivery_log
                if (method is None or entry.method == method) and (ok is None or entry.ok == ok)
            ]

    def sends_per_second(self, since: float | None = None) -> dict[int, int]:
        """Accepted messages (sendMessage, sendDocument) by whole wall-clock second
        (``int(time.time())``), from every client together: what a test compares with the
        overall rate limit when several bot processes share one token."""
        counts: dict[int, int] = {}
        for entry in self.sent_log(ok=True):
            if entry.method in SENDING_METHODS and (since is None or entry.wall >= since):
                second = int(entry.wall)
                counts[second] = counts.get(second, 0) + 1
        return counts

    def most_sends_in_a_second(self, since: float | None = None) -> int:
        """The busiest second of :meth:`sends_per_second` (0: nothing sent)."""
        return max(self.sends_per_second(since).values(), default=0)

    def most_sends_in_a_window(
        self, seconds: float | None = None, since: float | None = None
    ) -> int:
        """The most accepted messages that arrived within any ``seconds`` (by default one
        second less the flood limiter's ``tolerance``: how this fake, like Telegram, judges
        a client pacing itself at the limit, whose sends arrive with network jitter)."""
        width = 1.0 - self._world.limiter.config.tolerance if seconds is None else seconds
        times = sorted(
            entry.wall
            for entry in self.sent_log(ok=True)
            if entry.method in SENDING_METHODS and (since is None or entry.wall >= since)
        )
        most, first = 0, 0
        for last, at in enumerate(times):
            while first <= last and at - times[first] >= width:
                first += 1
            most = max(most, last - first + 1)
        return most

    def rejections(self, error_code: int | None = None) -> list[LogEntry]:
        """Refused deliveries, e.g. ``rejections(429)`` for flood-control refusals."""
        return [
            e for e in self.sent_log(ok=False) if error_code is None or e.error_code == error_code
        ]

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Every API request (method and normalised params), in arrival order."""
        with self._world.lock:
            return [c for c in self._world.call_log if method is None or c.method == method]

    def answers(self) -> list[Answer]:
        with self._world.lock:
            return list(self._world.answer_list)

    def answer_for(self, query_id: str) -> Answer | None:
        with self._world.lock:
            return next((a for a in self._world.answer_list if a.query_id == query_id), None)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot through ``offset``."""
        with self._world.lock:
            return copy.deepcopy(list(self._world.updates))

    def webhook_info(self) -> dict[str, Any]:
        """What getWebhookInfo answers now (``url`` is empty while none is set)."""
        with self._world.lock:
            return webhooks.get_webhook_info(self._world, Params({}))

    def webhook_deliveries(self) -> list[webhooks.Delivery]:
        """Every POST of an update to a webhook so far, refused ones too."""
        with self._world.lock:
            return list(self._world.webhook_deliveries)

    def description(self, kind: str = "description", language_code: str = "") -> str | None:
        """What ``setMyDescription`` (kind "description") or ``setMyShortDescription``
        (kind "short_description") set for ``language_code`` ("" = every language)."""
        with self._world.lock:
            return self._world.descriptions.get((kind, language_code))

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The command list ``setMyCommands`` set for a scope (default scope by default)."""
        with self._world.lock:
            return list(self._world.commands.get(commands_key(scope, language_code), []))

    @property
    def waiting_polls(self) -> int:
        """How many long-polling ``getUpdates`` requests are waiting right now."""
        with self._world.lock:
            return self._server.waiting_polls

    @property
    def internal_errors(self) -> list[str]:
        """Bugs in the fake itself (each also answered with a 500)."""
        return list(self._server.internal_errors)

    # -- waiting, from sync code -----------------------------------------------------------

    def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = 10.0, what: str = ""
    ) -> T:
        """Block until ``predicate()`` returns something other than None/False; return it.

        Wakes on every change of the fake's state. Do not call it on the event loop that
        runs the bot: use :meth:`wait_for_async` there.
        """
        deadline = time.monotonic() + timeout
        with self._world.changed:
            while True:
                value = predicate()
                if value is not None and value is not False:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"timed out after {timeout}s waiting for {what or predicate}"
                    )
                self._world.changed.wait(min(remaining, 0.1))

    def wait_messages(self, chat_id: int, n: int = 1, timeout: float = 10.0) -> list[SentMessage]:
        """Block until the chat holds at least ``n`` bot messages; return them all."""
        return self.wait_for(
            lambda: self._at_least(self.messages(chat_id), n), timeout, f"{n} messages in {chat_id}"
        )

    def wait_answer(self, query_id: str, timeout: float = 10.0) -> Answer:
        """Block until the callback query is answered; return the answer."""
        return self.wait_for(lambda: self.answer_for(query_id), timeout, f"answer to {query_id}")

    def wait_updates_consumed(self, timeout: float = 10.0) -> None:
        """Block until the bot confirmed every queued update."""
        self.wait_for(lambda: not self._world.updates or None, timeout, "updates to be consumed")

    # -- waiting, from async code ----------------------------------------------------------

    async def wait_for_async(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 10.0,  # noqa: ASYNC109 - the same signature as wait_for
        what: str = "",
    ) -> T:
        """Like :meth:`wait_for`, polling without blocking the caller's event loop."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value is not None and value is not False:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what or predicate}")
            await asyncio.sleep(0.005)

    async def wait_messages_async(
        self,
        chat_id: int,
        n: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109 - the same signature as wait_messages
    ) -> list[SentMessage]:
        return await self.wait_for_async(
            lambda: self._at_least(self.messages(chat_id), n), timeout, f"{n} messages in {chat_id}"
        )

    async def wait_answer_async(
        self,
        query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - the same signature as wait_answer
    ) -> Answer:
        return await self.wait_for_async(
            lambda: self.answer_for(query_id), timeout, f"answer to {query_id}"
        )

    @staticmethod
    def _at_least(items: list[SentMessage], n: int) -> list[SentMessage] | None:
        return items if len(items) >= n else None
