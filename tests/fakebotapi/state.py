"""Everything the fake server knows: users, chats, messages, queued updates, logs.

One :class:`World` is shared by the HTTP handlers (on the server's event loop) and the test
harness (on any thread). Every public method takes ``lock``; every change notifies
``changed`` so harness waits wake at once, and queuing an update calls the registered
listeners so long polls return at once.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import ApiError, bad_request, forbidden
from .faults import Fault
from .html_check import utf16_len
from .limits import FloodLimiter, LimitConfig
from .records import Answer, ApiCall, LogEntry, SentMessage
from .webhooks import Delivery, WebhookState

__all__ = ["DEFAULT_UPDATE_TYPES", "Chat", "World"]

# What a bot receives when it never set allowed_updates (or set an empty list).
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "inline_query", "chosen_inline_result",
        "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media",
        "poll", "poll_answer", "my_chat_member", "chat_join_request", "chat_boost",
        "removed_chat_boost",
    }
)  # fmt: skip
TELEGRAM_SERVICE_USER = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
_BOT_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_KICKED_REASONS = {
    "private": "bot was blocked by the user",
    "group": "bot was kicked from the group chat",
    "supergroup": "bot was kicked from the supergroup chat",
    "channel": "bot is not a member of the channel chat",
}


@dataclass
class StoredMessage:
    """A message in a chat: the bot's (``sent`` is set) or a user's (``api`` is set)."""

    message_id: int
    sent: SentMessage | None = None
    api: dict[str, Any] | None = None


@dataclass
class Chat:
    """A chat the tests registered, with its members and messages."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    creator: int | None = None
    admins: list[int] = field(default_factory=list)
    members: set[int] = field(default_factory=set)
    bot_is_admin: bool = False
    forbidden: str | None = None
    migrated_to: int | None = None
    last_message_id: int = 0
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    is_forum: bool = False
    #: a forum's threads by id (the id of the message that opened it): open, or closed
    threads: dict[int, bool] = field(default_factory=dict)

    @property
    def is_group_like(self) -> bool:
        return self.type != "private"

    def api(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object."""
        body: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            body["first_name"] = self.first_name or "User"
        else:
            body["title"] = self.title or str(self.id)
        if self.username:
            body["username"] = self.username
        if self.is_forum:
            body["is_forum"] = True
        return body

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


@dataclass
class _Query:
    query_id: str
    created: float
    answered: bool = False


class World:
    """The fake server's state; see the module docstring for the threading contract."""

    def __init__(
        self,
        token: str,
        bot_username: str,
        limits: LimitConfig,
        *,
        strict_html: bool = True,
        callback_ttl: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.strict_html = strict_html
        self.callback_ttl = callback_ttl
        self.clock = clock
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.limiter = FloodLimiter(limits)
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1,
            "is_bot": True,
            "first_name": "Transmission Test",
            "username": bot_username,
        }
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, Chat] = {}
        self.usernames: dict[str, int] = {}
        self.updates: deque[dict[str, Any]] = deque()
        self.update_ids = itertools.count(100_001)
        self.query_ids = itertools.count(4_000_000_000_001)
        self.allowed_updates = DEFAULT_UPDATE_TYPES
        self.queries: dict[str, _Query] = {}
        self.answer_list: list[Answer] = []
        self.delivery_log: list[LogEntry] = []
        self.call_log: deque[ApiCall] = deque(maxlen=200_000)
        self.commands: dict[str, list[dict[str, str]]] = {}
        #: setMyDescription / setMyShortDescription: (kind, language_code) -> text
        self.descriptions: dict[tuple[str, str], str] = {}
        self.update_listeners: list[Callable[[], None]] = []
        self.faults: list[Fault] = []
        #: the webhook set with setWebhook (None: updates go to getUpdates)
        self.webhook: WebhookState | None = None
        self.webhook_deliveries: list[Delivery] = []

    # -- notifications ---------------------------------------------------------------------

    def touch(self) -> None:
        """Wake every harness wait (call with ``lock`` held)."""
        self.changed.notify_all()

    def queue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self.update_ids), kind: payload}
        self.updates.append(update)
        self.touch()
        for listener in self.update_listeners:
            listener()
        return copy.deepcopy(update)

    # -- users and chats -------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str = "",
        username: str | None = None,
        language_code: str = "en",
    ) -> dict[str, Any]:
        with self.lock:
            user: dict[str, Any] = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name or f"User{user_id}",
                "language_code": language_code,
            }
            if username:
                user["username"] = username.lstrip("@")
            self.users[user_id] = user
            return dict(user)

    def user(self, user_id: int) -> dict[str, Any]:
        with self.lock:
            if user_id not in self.users:
                self.add_user(user_id)
            return self.users[user_id]

    def add_chat(self, chat: Chat) -> Chat:
        with self.lock:
            if chat.id in self.chats:
                raise ValueError(f"chat {chat.id} is already registered")
            self.chats[chat.id] = chat
            if chat.username:
                self.usernames[chat.username.lower()] = chat.id
            self.touch()
            return chat

    def chat(self, chat_id: int) -> Chat:
        with self.lock:
            try:
                return self.chats[chat_id]
            except KeyError:
                raise KeyError(f"chat {chat_id} is not registered") from None

    def resolve(self, chat_ref: int | str) -> Chat:
        """Find a chat by id or ``@username``, failing like the Bot API."""
        if isinstance(chat_ref, str):
            if not chat_ref.startswith("@"):
                raise bad_request("chat not found")
            chat_ref = self.usernames.get(chat_ref[1:].lower(), 0)
        chat = self.chats.get(chat_ref)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def check_writable(self, chat: Chat) -> None:
        """Refuse like the Bot API when the bot can no longer post to ``chat``."""
        if chat.forbidden:
            raise forbidden(chat.forbidden)
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )

    def block(self, chat_id: int, description: str | None, notify: bool) -> None:
        with self.lock:
            chat = self.chat(chat_id)
            chat.forbidden = description or _KICKED_REASONS[chat.type]
            if notify:
                self.queue_member_change(chat, "kicked")
            self.touch()

    def unblock(self, chat_id: int) -> None:
        with self.lock:
            chat = self.chat(chat_id)
            if chat.forbidden:
                chat.forbidden = None
                self.queue_member_change(chat, "member")
            self.touch()

    def bot_joins(self, chat_id: int) -> None:
        """The bot is added to a group it was not in (``left`` -> ``member``)."""
        with self.lock:
            chat = self.chat(chat_id)
            chat.forbidden = None
            self.queue_member_change(chat, "member", old_status="left")
            self.touch()

    def queue_member_change(
        self, chat: Chat, new_status: str, old_status: str | None = None
    ) -> None:
        old_status = old_status or ("kicked" if new_status == "member" else "member")
        new_member: dict[str, Any] = {"user": self.bot_user, "status": new_status}
        if new_status == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"user": self.bot_user, "status": old_status}
        if old_status == "kicked":
            old_member["until_date"] = 0
        self.queue_update(
            "my_chat_member",
            {
                "chat": chat.api(),
                "from": self.actor(chat),
                "date": int(time.time()),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            },
        )

    def actor(self, chat: Chat) -> dict[str, Any]:
        """Who does things to a chat: its user, its creator, an admin, or Telegram."""
        if chat.type == "private":
            return self.user(chat.id)
        for user_id in (chat.creator, *chat.admins):
            if user_id is not None:
                return self.user(user_id)
        return TELEGRAM_SERVICE_USER

    def migrate(self, old_id: int, new_id: int) -> None:
        with self.lock:
            old = self.chat(old_id)
            if old.type != "group":
                raise ValueError(f"chat {old_id} is a {old.type}, only groups migrate")
            if old.migrated_to is not None:
                raise ValueError(f"chat {old_id} was already migrated")
            new = self.add_chat(
                Chat(
                    new_id,
                    "supergroup",
                    title=old.title,
                    creator=old.creator,
                    admins=list(old.admins),
                    members=set(old.members),
                    bot_is_admin=old.bot_is_admin,
                )
            )
            old.migrated_to = new_id
            self.queue_service_message(old, {"migrate_to_chat_id": new_id})
            self.queue_service_message(new, {"migrate_from_chat_id": old_id})

    def queue_service_message(self, chat: Chat, fields: dict[str, Any]) -> None:
        message = {
            "message_id": chat.next_message_id(),
            "from": self.actor(chat),
            "chat": chat.api(),
            "date": int(time.time()),
            **fields,
        }
        chat.messages[message["message_id"]] = StoredMessage(message["message_id"], api=message)
        self.queue_update("message", message)

    # -- what users do ---------------------------------------------------------------------

    def user_message(
        self, chat_id: int, user_id: int, text: str, reply_to: int | None, thread: int | None = None
    ) -> dict[str, Any]:
        with self.lock:
            chat = self.chat_for_user(chat_id, user_id)
            message: dict[str, Any] = {
                "message_id": chat.next_message_id(),
                "chat": chat.api(),
                "date": int(time.time()),
                "text": text,
            }
            if thread is not None:
                if chat.threads.get(thread) is not True:
                    raise ValueError(f"chat {chat_id} has no open thread {thread}")
                message.update(message_thread_id=thread, is_topic_message=True)
            if chat.type == "channel":
                message["sender_chat"] = chat.api()
            else:
                message["from"] = dict(self.user(user_id))
                chat.members.add(user_id)
            entities = command_entities(text)
            if entities:
                message["entities"] = entities
            if reply_to is not None:
                message["reply_to_message"] = self.message_api(chat, reply_to)
            chat.messages[message["message_id"]] = StoredMessage(message["message_id"], api=message)
            kind = "channel_post" if chat.type == "channel" else "message"
            return self.queue_update(kind, message)

    def chat_for_user(self, chat_id: int, user_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None and chat_id == user_id and chat_id > 0:
            user = self.user(user_id)
            chat = self.add_chat(
                Chat(
                    chat_id, "private", first_name=user["first_name"], username=user.get("username")
                )
            )
        if chat is None:
            raise KeyError(f"chat {chat_id} is not registered")
        if chat.type == "private" and chat.id != user_id:
            raise ValueError(f"user {user_id} cannot write in the private chat of {chat.id}")
        if chat.migrated_to is not None:
            raise ValueError(f"group {chat_id} was migrated to {chat.migrated_to}")
        if chat.forbidden:
            if chat.type != "private":
                raise ValueError(f"the bot is not in chat {chat_id} any more")
            self.unblock(chat_id)  # a user who writes again has restarted the bot
        return chat

    def press(self, chat_id: int, user_id: int, message_id: int, data: str) -> str:
        with self.lock:
            chat = self.chat(chat_id)
            query_id = str(next(self.query_ids))
            self.queries[query_id] = _Query(query_id, self.clock())
            self.queue_update(
                "callback_query",
                {
                    "id": query_id,
                    "from": dict(self.user(user_id)),
                    "message": self.message_api(chat, message_id),
                    "chat_instance": str(abs(chat.id) * 7919 + 13),
                    "data": data,
                },
            )
            return query_id

    def message_api(self, chat: Chat, message_id: int) -> dict[str, Any]:
        """The message as the Bot API would embed it; inaccessible when it is gone."""
        stored = chat.messages.get(message_id)
        if stored is None:
            return {"chat": chat.api(), "message_id": message_id, "date": 0}
        if stored.api is not None:
            return copy.deepcopy(stored.api)
        assert stored.sent is not None
        return self.bot_message_api(chat, stored.sent)

    def bot_message_api(self, chat: Chat, sent: SentMessage) -> dict[str, Any]:
        body: dict[str, Any] = {"message_id": sent.message_id}
        if chat.type == "channel":
            body["sender_chat"] = chat.api()
        else:
            body["from"] = dict(self.bot_user)
        body.update(chat=chat.api(), date=sent.date, text=sent.plain_text)
        if sent.thread_id is not None:
            body.update(message_thread_id=sent.thread_id, is_topic_message=True)
        if sent.entities:
            body["entities"] = [dict(e) for e in sent.entities]
        if sent.edit_date is not None:
            body["edit_date"] = sent.edit_date
        if sent.reply_markup:
            body["reply_markup"] = copy.deepcopy(sent.reply_markup)
        return body

    # -- what the bot did ------------------------------------------------------------------

    def store_bot_message(self, chat: Chat, sent: SentMessage) -> None:
        chat.messages[sent.message_id] = StoredMessage(sent.message_id, sent=sent)
        self.touch()

    def edited(self, chat: Chat, old: SentMessage, **changes: Any) -> SentMessage:
        new = replace(old, edits=old.edits + 1, edit_date=int(time.time()), **changes)
        self.store_bot_message(chat, new)
        return new

    def take_query(self, query_id: str | None) -> _Query:
        query = self.queries.get(query_id or "")
        too_old = query is not None and self.clock() - query.created > self.callback_ttl
        if query is None or query.answered or too_old:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query.answered = True
        return query

    # -- injected faults -------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)
            self.touch()

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
            self.touch()

    def take_fault(self, method: str, values: dict[str, Any]) -> Fault | None:
        """The first live fault that matches this call (its count goes down), or None."""
        with self.lock:
            now = self.clock()
            self.faults = [f for f in self.faults if not f.expired(now)]
            target = self._chat_key(values.get("chat_id"))
            for fault in self.faults:
                if fault.matches(method, target, self._chat_key(fault.chat_id)):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
            return None

    def _chat_key(self, ref: Any) -> Any:
        """A chat reference as compared by faults: "@username" of a known chat is its id."""
        if isinstance(ref, str) and ref.startswith("@"):
            return self.usernames.get(ref[1:].lower(), ref.lower())
        return ref

    def log_call(self, call: ApiCall) -> None:
        with self.lock:
            self.call_log.append(call)
            self.touch()

    def log_delivery(self, entry: LogEntry) -> None:
        with self.lock:
            self.delivery_log.append(entry)
            self.touch()

    # -- the update queue ------------------------------------------------------------------

    def take_updates(
        self, offset: int | None, limit: int, allowed: Iterable[str] | None
    ) -> list[dict[str, Any]]:
        """Confirm updates below ``offset`` and return up to ``limit`` pending ones."""
        with self.lock:
            self.set_allowed_updates(allowed)
            self.confirm(offset)
            kept = self._allowed_pending()
            return kept[:limit]

    def set_allowed_updates(self, allowed: Iterable[str] | None) -> None:
        """getUpdates' and setWebhook's allowed_updates: kept until given again."""
        if allowed is not None:
            with self.lock:
                self.allowed_updates = frozenset(allowed) or DEFAULT_UPDATE_TYPES

    def _allowed_pending(self) -> list[dict[str, Any]]:
        """Pending updates of the allowed types (the others are dropped, as Telegram does)."""
        kept = [u for u in self.updates if update_kind(u) in self.allowed_updates]
        if len(kept) != len(self.updates):
            self.updates = deque(kept)
        return kept

    def next_webhook_update(self) -> tuple[WebhookState | None, dict[str, Any] | None]:
        """The webhook and the oldest update to POST to it (None: nothing pending)."""
        with self.lock:
            if self.webhook is None:
                return None, None
            pending = self._allowed_pending()
            return self.webhook, copy.deepcopy(pending[0]) if pending else None

    def webhook_delivered(self, update: dict[str, Any], delivery: Delivery) -> None:
        """Record a POST; a 2xx answer confirms the update, anything else keeps it queued."""
        with self.lock:
            self.webhook_deliveries.append(delivery)
            if delivery.ok:
                self.updates = deque(
                    u for u in self.updates if u["update_id"] != update["update_id"]
                )
            elif self.webhook is not None:
                self.webhook.last_error_date = int(time.time())
                self.webhook.last_error_message = delivery.error
            self.touch()

    def confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:
            while len(self.updates) > -offset:
                self.updates.popleft()
            return
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()

    def drop_pending_updates(self) -> None:
        with self.lock:
            self.updates.clear()


def update_kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities where Telegram's clients would mark them (UTF-16 offsets)."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group(0)),
        }
        for match in _BOT_COMMAND.finditer(text)
    ]


def retry_error(retry_after: int) -> ApiError:
    """The 429 the Bot API answers when flood control refuses a request."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )
