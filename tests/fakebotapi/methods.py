"""The Bot API methods the fake implements (all but ``getUpdates``, which lives in the server).

Each method takes the :class:`~.state.World` (with its lock held by the caller) and the
request's :class:`~.params.Params`, returns the ``result`` value, or raises
:class:`~.errors.ApiError` with the real server's description.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from . import files
from .errors import bad_request, forbidden
from .html_check import HtmlError, ParsedText, parse_html, utf16_len
from .markup import check_commands, check_reply_markup
from .params import Params
from .records import Answer, SentMessage
from .state import Chat, World, retry_error
from .webhooks import delete_webhook, get_webhook_info, set_webhook

__all__ = ["METHODS", "commands_key"]

MAX_MESSAGE_UTF16 = 4096
MAX_ANSWER_TEXT = 200
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip

Method = Callable[[World, Params], Any]


# -- the bot itself ----------------------------------------------------------------------


def get_me(world: World, p: Params) -> Any:
    return {
        **world.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def always_true(world: World, p: Params) -> Any:
    return True


def commands_key(scope: Any = None, language_code: str | None = None) -> str:
    """Where a command list is kept: one list per (scope, language)."""
    scope = scope or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps([scope, language_code or ""], sort_keys=True)


def _commands_key(p: Params) -> str:
    return commands_key(p.raw("scope"), p.text("language_code"))


def set_my_commands(world: World, p: Params) -> Any:
    commands = check_commands(p.raw("commands"))
    world.commands[_commands_key(p)] = commands
    return True


def get_my_commands(world: World, p: Params) -> Any:
    return world.commands.get(_commands_key(p), [])


def delete_my_commands(world: World, p: Params) -> Any:
    world.commands.pop(_commands_key(p), None)
    return True


def _set_description(kind: str, limit: int) -> Callable[[World, Params], Any]:
    """setMyDescription (512 characters) / setMyShortDescription (120), per language."""

    def handle(world: World, p: Params) -> Any:
        text = p.text(kind) or ""
        if len(text) > limit:
            raise bad_request(f"{kind} is too long")
        language = p.text("language_code") or ""
        if language and (len(language) != 2 or not language.isalpha()):
            raise bad_request("language code is invalid")
        if text:
            world.descriptions[(kind, language)] = text
        else:
            world.descriptions.pop((kind, language), None)
        return True

    return handle


# -- messages ------------------------------------------------------------------------------


def render(world: World, text: str, parse_mode: str | None, entities: Any) -> ParsedText:
    """What a reader would see, or the Bot API's complaint about the text."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            parsed = parse_html(text, strict=world.strict_html)
        except HtmlError as error:
            raise bad_request(f"can't parse entities: {error.reason}") from None
    elif mode in ("", "markdown", "markdownv2"):
        given = entities if mode == "" and isinstance(entities, list) else []
        parsed = ParsedText(text, tuple(given))
    else:
        raise bad_request("unsupported parse_mode")
    if not parsed.text.strip():
        raise bad_request("message text is empty")
    if utf16_len(parsed.text) > MAX_MESSAGE_UTF16:
        raise bad_request("message is too long")
    return parsed


def inline_markup(p: Params) -> dict[str, Any] | None:
    """The validated markup, kept on the message only when it is an inline keyboard."""
    markup = check_reply_markup(p.raw("reply_markup"))
    return markup if markup is not None and "inline_keyboard" in markup else None


def check_reply_target(chat: Chat, p: Params) -> None:
    reply = p.raw("reply_parameters")
    target = (
        reply.get("message_id") if isinstance(reply, dict) else p.integer("reply_to_message_id")
    )
    lenient = p.boolean("allow_sending_without_reply") or (
        isinstance(reply, dict) and reply.get("allow_sending_without_reply") is True
    )
    if target is not None and target not in chat.messages and not lenient:
        raise bad_request("message to be replied not found")


def check_thread(chat: Chat, thread: int | None) -> int | None:
    """The forum thread a message goes to, refused as Telegram refuses it."""
    if thread is None or thread == 0:
        return None
    if not chat.is_forum or thread not in chat.threads:
        raise bad_request("message thread not found")
    if not chat.threads[thread]:
        raise bad_request("TOPIC_CLOSED")
    return thread


def send_message(world: World, p: Params) -> Any:
    chat = world.resolve(p.chat_id())
    world.check_writable(chat)
    text = p.text("text", missing="message text is empty") or ""
    parse_mode = p.text("parse_mode")
    parsed = render(world, text, parse_mode, p.raw("entities"))
    markup = inline_markup(p)
    check_reply_target(chat, p)
    thread = check_thread(chat, p.integer("message_thread_id"))
    retry_after = world.limiter.admit_send(chat.id, chat.is_group_like, world.clock())
    if retry_after is not None:
        raise retry_error(retry_after)
    sent = SentMessage(
        chat_id=chat.id,
        message_id=chat.next_message_id(),
        text=text,
        plain_text=parsed.text,
        entities=parsed.entities,
        parse_mode=parse_mode,
        reply_markup=markup,
        date=int(time.time()),
        thread_id=thread,
    )
    world.store_bot_message(chat, sent)
    return world.bot_message_api(chat, sent)


def editable(world: World, p: Params, not_found: str) -> tuple[Chat, SentMessage]:
    """The chat and bot message an edit or delete refers to."""
    if p.text("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = world.resolve(p.chat_id())
    world.check_writable(chat)
    message_id = p.integer("message_id", missing="message identifier is not specified")
    stored = chat.messages.get(message_id or 0)
    if stored is None:
        raise bad_request(not_found)
    if stored.sent is None:
        raise bad_request("message can't be edited")
    return chat, stored.sent


def admit_edit(world: World, chat: Chat) -> None:
    retry_after = world.limiter.admit_edit(chat.id, world.clock())
    if retry_after is not None:
        raise retry_error(retry_after)


def edit_message_text(world: World, p: Params) -> Any:
    chat, old = editable(world, p, "message to edit not found")
    text = p.text("text", missing="message text is empty") or ""
    parse_mode = p.text("parse_mode")
    parsed = render(world, text, parse_mode, p.raw("entities"))
    markup = inline_markup(p)
    if (parsed.text, parsed.entities, markup) == (old.plain_text, old.entities, old.reply_markup):
        raise bad_request(NOT_MODIFIED)
    admit_edit(world, chat)
    new = world.edited(
        chat,
        old,
        text=text,
        plain_text=parsed.text,
        entities=parsed.entities,
        parse_mode=parse_mode,
        reply_markup=markup,
    )
    return world.bot_message_api(chat, new)


def edit_message_reply_markup(world: World, p: Params) -> Any:
    chat, old = editable(world, p, "message to edit not found")
    markup = inline_markup(p)
    if markup == old.reply_markup:
        raise bad_request(NOT_MODIFIED)
    admit_edit(world, chat)
    return world.bot_message_api(chat, world.edited(chat, old, reply_markup=markup))


def delete_message(world: World, p: Params) -> Any:
    chat, old = editable(world, p, "message to delete not found")
    del chat.messages[old.message_id]
    world.touch()
    return True


def answer_callback_query(world: World, p: Params) -> Any:
    text = p.text("text")
    if text is not None and len(text) > MAX_ANSWER_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")
    query = world.take_query(p.text("callback_query_id"))
    world.answer_list.append(
        Answer(
            query_id=query.query_id,
            text=text,
            show_alert=p.boolean("show_alert"),
            url=p.text("url"),
            cache_time=p.integer("cache_time", default=0) or 0,
            at=world.clock(),
        )
    )
    world.touch()
    return True


# -- chats ---------------------------------------------------------------------------------


def readable(world: World, p: Params) -> Chat:
    chat = world.resolve(p.chat_id())
    if chat.forbidden and chat.is_group_like:
        raise forbidden(chat.forbidden)
    return chat


def get_chat(world: World, p: Params) -> Any:
    chat = readable(world, p)
    info = {
        **chat.api(),
        "accent_color_id": abs(chat.id) % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }
    return info


def send_chat_action(world: World, p: Params) -> Any:
    chat = world.resolve(p.chat_id())
    world.check_writable(chat)
    if p.text("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def member(world: World, chat: Chat, user_id: int) -> dict[str, Any]:
    """The ``ChatMember`` object for ``user_id`` in ``chat``."""
    is_bot = user_id == world.bot_user["id"]
    user = dict(world.bot_user) if is_bot else dict(world.user(user_id))
    if chat.type == "private":
        status = "member" if user_id in (chat.id, world.bot_user["id"]) else "left"
        return {"user": user, "status": status}
    if user_id == chat.creator:
        return {"user": user, "status": "creator", "is_anonymous": False}
    if user_id in chat.admins or (is_bot and (chat.bot_is_admin or chat.type == "channel")):
        return administrator(user, chat)
    if is_bot or user_id in chat.members:
        return {"user": user, "status": "member"}
    return {"user": user, "status": "left"}


def administrator(user: dict[str, Any], chat: Chat) -> dict[str, Any]:
    rights = dict.fromkeys(
        (
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
            "can_restrict_members", "can_promote_members", "can_change_info",
            "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
        ),
        True,
    )  # fmt: skip
    if chat.type == "channel":
        rights.update(can_post_messages=True, can_edit_messages=True)
    else:
        rights["can_pin_messages"] = True
    return {"user": user, "status": "administrator", "can_be_edited": False,
            "is_anonymous": False, **rights}  # fmt: skip


def get_chat_member(world: World, p: Params) -> Any:
    chat = readable(world, p)
    user_id = p.integer("user_id", missing="user not found")
    return member(world, chat, user_id or 0)


def get_chat_administrators(world: World, p: Params) -> Any:
    chat = readable(world, p)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    ids = [chat.creator, *chat.admins]
    if chat.bot_is_admin or chat.type == "channel":
        ids.append(world.bot_user["id"])
    unique = [
        user_id for i, user_id in enumerate(ids) if user_id is not None and user_id not in ids[:i]
    ]
    return [member(world, chat, user_id) for user_id in unique]


METHODS: dict[str, Method] = {
    "getMe": get_me,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": _set_description("description", 512),
    "setMyShortDescription": _set_description("short_description", 120),
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "sendChatAction": send_chat_action,
    "getFile": files.get_file,
    "sendDocument": files.send_document,
    "close": always_true,
    "logOut": always_true,
}
