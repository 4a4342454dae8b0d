"""Thin PTB handlers: read the update, check who may do it, call ``bot.chat``, reply.

:func:`register` is the only place handlers are wired, as one ordered list. Every reply goes
through :func:`reply`, which sends one chat's replies one at a time and waits out 429s (a user
who sends several commands at once gets every answer), and every button press is answered,
also when something fails on the way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    CallbackQuery,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chat.commands import ChatContext, Commands, changes_subscription, read_press
from bot.chat.pauses import bot_removed_reason
from bot.clock import utcnow
from bot.domain import GROUP_CHAT_KINDS
from bot.render import strings
from bot.render.i18n import EN, ENGLISH, SIMPLIFIED, Locale, Msg, locale
from bot.render.message import ButtonReply, Rendered, message
from bot.store import Store
from bot.tg.api import message_kwargs, retry_after_seconds

log = logging.getLogger(__name__)

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
_ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
_GONE_STATUSES = (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
_PRESENT_STATUSES = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
#: BadRequest wording for a press that can no longer be answered (late or answered already)
_STALE_QUERY = ("query is too old", "query id is invalid")
#: the longest 429 wait an edit after a button press sits out (the press is stale after it)
MAX_EDIT_WAIT = 30.0
#: sends of one reply before a 429 is given up on (replies to a chat go one at a time, so
#: each usually meets at most one: Telegram's one message per second per chat)
REPLY_ATTEMPTS = 4
_REPLY_LOCK = "reply_lock"


def chat_context(update: Update) -> ChatContext | None:
    chat = update.effective_chat
    if chat is None:
        return None
    title = chat.title or chat.full_name or chat.username or str(chat.id)
    user = update.effective_user
    return ChatContext(
        tg_chat_id=chat.id,
        kind=chat.type,
        title=title,
        user_language=user.language_code if user is not None else None,
        user_id=user.id if user is not None else None,
        thread_id=thread_of(update) or 0,
    )


def thread_of(update: Update) -> int | None:
    """The forum thread the update's message is in (None: not a forum thread)."""
    msg = update.effective_message
    if msg is None or not msg.is_topic_message:
        return None
    return msg.message_thread_id


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, rendered: Rendered) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    kwargs = message_kwargs(rendered)
    thread = thread_of(update)  # a reply goes to the thread it was asked in
    await _in_turn(
        context,
        lambda: context.bot.send_message(
            chat_id=chat.id,
            message_thread_id=thread,
            **kwargs,  # type: ignore[arg-type]
        ),
    )


async def _in_turn(
    context: ContextTypes.DEFAULT_TYPE,
    send: Callable[[], Awaitable[object]],
    *,
    max_wait: float = float("inf"),
) -> None:
    """``send`` in turn with the chat's other replies, waiting out 429s: at most
    ``REPLY_ATTEMPTS`` tries, each wait at most ``max_wait`` (else the RetryAfter is raised)."""
    async with _reply_lock(context):
        for attempt in range(REPLY_ATTEMPTS):
            try:
                await send()
                return
            except RetryAfter as error:
                if attempt == REPLY_ATTEMPTS - 1 or retry_after_seconds(error) > max_wait:
                    raise
                await asyncio.sleep(retry_after_seconds(error))


def _reply_lock(context: ContextTypes.DEFAULT_TYPE) -> asyncio.Lock:
    """One lock per chat (kept in PTB's chat_data): its replies go out one at a time."""
    data = context.chat_data
    if data is None:
        return asyncio.Lock()
    lock = data.get(_REPLY_LOCK)
    if not isinstance(lock, asyncio.Lock):
        lock = data[_REPLY_LOCK] = asyncio.Lock()
    return lock


async def may_change_subscription(
    update: Update, context: ContextTypes.DEFAULT_TYPE, commands: Commands
) -> bool:
    """Private chats (and channels): anyone there. Groups: their admins (and anonymous
    admins), or a bot admin; asking Telegram (``getChatMember``) only then."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return False
    if chat.type not in GROUP_CHAT_KINDS:
        return True
    sender_chat = update.effective_message.sender_chat if update.effective_message else None
    if sender_chat is not None and sender_chat.id == chat.id:
        return True  # an anonymous group admin posts as the group itself
    if user is None:
        return False
    if commands.is_bot_admin(user.id):
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        return False
    return member.status in _ADMIN_STATUSES


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
    try:
        await _in_turn(
            context,
            lambda: query.edit_message_text(**kwargs),  # type: ignore[arg-type]
            max_wait=MAX_EDIT_WAIT,
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


class Handlers:
    """The handlers, bound to the services they call."""

    def __init__(self, commands: Commands, store: Store) -> None:
        self.commands = commands
        self.store = store

    # ------------------------------------------------------------ commands anyone may use

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if ctx := chat_context(update):
            await reply(update, context, await self.commands.help(ctx, user.id if user else None))

    async def _say(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, ctx: ChatContext, text: Msg
    ) -> None:
        """A one-sentence reply in the chat's language."""
        await reply(update, context, message((await self.commands.context_locale(ctx))(text)))

    async def latest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if ctx := chat_context(update):
            await reply(update, context, await self.commands.latest(ctx, argument(context)))

    async def next(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if ctx := chat_context(update):
            await reply(update, context, await self.commands.next_page(ctx))

    async def topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if ctx := chat_context(update):
            await reply(update, context, await self.commands.topics_menu(ctx))

    # ------------------------------------------------------------ subscription changes

    def group_admins_only(
        self, action: Callable[[ChatContext, str], Awaitable[Rendered]]
    ) -> Handler:
        """A command that changes the chat's subscription: in groups, group admins only."""

        async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            ctx = chat_context(update)
            if ctx is None:
                return
            if not await may_change_subscription(update, context, self.commands):
                await self._say(update, context, ctx, strings.ONLY_GROUP_ADMINS)
                return
            await reply(update, context, await action(ctx, argument(context)))

        return handle

    async def settings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/settings: anyone may look; changes take a group's admins (see the command)."""
        if ctx := chat_context(update):
            words = argument(context)
            changes = bool(words.strip()) and not words.lstrip().startswith("@")
            allowed = not changes or await may_change_subscription(update, context, self.commands)
            rendered = await self.commands.settings(ctx, words, may_change=allowed)
            await reply(update, context, rendered)

    async def filter(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/filter: anyone may list; changes take a group's admins."""
        if ctx := chat_context(update):
            words = argument(context)
            allowed = not words.strip() or await may_change_subscription(
                update, context, self.commands
            )
            await reply(update, context, await self.commands.filter(ctx, words, may_change=allowed))

    async def _start(self, ctx: ChatContext, _argument: str) -> Rendered:
        return await self.commands.start(ctx)

    async def _stop(self, ctx: ChatContext, _argument: str) -> Rendered:
        return await self.commands.stop(ctx)

    # ------------------------------------------------------------ bot admins

    def bot_admins_only(self, action: Callable[[ChatContext], Awaitable[Rendered]]) -> Handler:
        """A command for the bot's admins (``telegram.admins``)."""

        async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            user, ctx = update.effective_user, chat_context(update)
            if ctx is None:
                return
            if not self.commands.is_bot_admin(user.id if user else None):
                await self._say(update, context, ctx, strings.ONLY_BOT_ADMINS)
                return
            await reply(update, context, await action(ctx))

        return handle

    # ------------------------------------------------------------ the rest

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = update.effective_message.text if update.effective_message else ""
        command = (text or "").split()[0] if text else ""
        name, _, addressee = command.partition("@")
        if addressee and addressee.lower() != (context.bot.username or "").lower():
            return  # /cmd@other_bot: for another bot, in any chat
        chat = update.effective_chat
        if chat is not None and chat.type != ChatType.PRIVATE and not addressee:
            return  # in groups, stay quiet about commands that may be for another bot
        if ctx := chat_context(update):
            await self._say(update, context, ctx, strings.unknown_command(name))

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Work out the press, answer it, then edit the message.

        The answer goes out before the edit and never stops it: Telegram refuses answers to
        queries older than about 15 s (a press made while the bot was down), yet the edit
        still shows what was asked for. An edit that meets a 429 waits its turn.
        """
        query = update.callback_query
        if query is None:
            return
        ctx = chat_context(update)
        try:
            if ctx is None:
                result = ButtonReply(answer=EN(strings.EXPIRED))
            else:
                action = read_press(query.data)
                allowed = changes_subscription(action) and await may_change_subscription(
                    update, context, self.commands
                )
                result = await self.commands.button(ctx, action, may_change=allowed)
        except Exception:
            # Always answered, also when the work above failed (the error handler logs it).
            loc = await self._locale_or_english(ctx)
            await answer_query(query, loc(strings.SOMETHING_WENT_WRONG))
            raise
        await answer_query(query, result.answer)
        if result.edit is not None:
            await edit_query_message(query, context, result.edit)

    async def membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was blocked, kicked or added back: keep the chat's pushes in step."""
        change = update.my_chat_member
        if change is None:
            return
        old, new = change.old_chat_member.status, change.new_chat_member.status
        if new in _GONE_STATUSES:
            reason = bot_removed_reason(new, change.from_user.id)
            if await self.commands.bot_removed(change.chat.id, reason):
                log.info("chat %s: %s; pushes pause", change.chat.id, reason)
        elif (
            old in _GONE_STATUSES
            and new in _PRESENT_STATUSES
            and await self.commands.bot_returned(change.chat.id)
        ):
            log.info("chat %s: the bot is back (%s); pushes resume", change.chat.id, new)

    async def migration(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        if msg is not None and msg.migrate_to_chat_id:
            await self.store.migrate_chat(msg.chat.id, msg.migrate_to_chat_id, utcnow())

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("handler failed: %r", context.error, exc_info=context.error)
        if isinstance(update, Update) and update.effective_message and update.effective_chat:
            loc = await self._locale_or_english(chat_context(update))
            with contextlib.suppress(TelegramError):
                await reply(update, context, message(loc(strings.FAILED_ON_OUR_SIDE)))

    async def _locale_or_english(self, ctx: ChatContext | None) -> Locale:
        """The chat's language when it can still be read (the store may be what failed)."""
        if ctx is None:
            return EN
        try:
            return await self.commands.context_locale(ctx)
        except Exception:
            log.warning("could not read the chat's language; answering in English")
            return EN


def register(application: Application, handlers: Handlers) -> None:  # type: ignore[type-arg]
    """Every handler, in the order PTB tries them."""
    wiring: list[BaseHandler] = [  # type: ignore[type-arg]
        # subscription changes (group admins only)
        CommandHandler("start", handlers.group_admins_only(handlers._start)),
        CommandHandler("stop", handlers.group_admins_only(handlers._stop)),
        CommandHandler("subscribe", handlers.group_admins_only(handlers.commands.subscribe)),
        CommandHandler("unsubscribe", handlers.group_admins_only(handlers.commands.unsubscribe)),
        # reading (anyone)
        CommandHandler("help", handlers.help),
        CommandHandler("latest", handlers.latest),
        CommandHandler("next", handlers.next),
        CommandHandler("topics", handlers.topics),
        # each chat's settings (anyone looks; group admins change a group's)
        CommandHandler("settings", handlers.settings),
        CommandHandler("filter", handlers.filter),
        # the bot's admins
        CommandHandler("stats", handlers.bot_admins_only(handlers.commands.stats)),
        CommandHandler("feeds", handlers.bot_admins_only(handlers.commands.feeds)),
        # buttons, membership and migration events
        CallbackQueryHandler(handlers.button),
        ChatMemberHandler(handlers.membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, handlers.migration),
        # anything else that looks like a command
        MessageHandler(filters.COMMAND, handlers.unknown),
    ]
    for handler in wiring:
        application.add_handler(handler)
    application.add_error_handler(handlers.error)


#: the menus' languages: Telegram's ``language_code`` ("" = any other) and our language
#: (codes are two letters, so "zh" covers both scripts: Simplified is the more read)
MENU_LANGUAGES = (("", ENGLISH), ("zh", SIMPLIFIED))
#: what group members who are not admins may use (they cannot change the subscription)
GROUP_MEMBER_COMMANDS = frozenset({"latest", "next", "topics", "help"})


def command_menus(
    loc: Locale,
) -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """Each scope's menu in ``loc``'s language: everyone in private chats, group members,
    group admins (who change the subscription). Bot admins' own menus come apart."""
    public = [BotCommand(name, loc(text)) for name, text in strings.PUBLIC_COMMANDS]
    members = [command for command in public if command.command in GROUP_MEMBER_COMMANDS]
    return [
        (BotCommandScopeDefault(), public),
        (BotCommandScopeAllPrivateChats(), public),
        (BotCommandScopeAllGroupChats(), members),
        (BotCommandScopeAllChatAdministrators(), public),
    ]


async def publish_commands(application: Application, admins: frozenset[int]) -> None:  # type: ignore[type-arg]
    """The command menus and the bot's description, per language and scope: public
    commands in private chats, reading commands for group members, the subscription
    commands for group admins, and admin commands in bot admins' private chats."""
    bot = application.bot
    for code, language in MENU_LANGUAGES:
        loc = locale(language)
        for scope, menu in command_menus(loc):
            await bot.set_my_commands(menu, scope=scope, language_code=code or None)
        await bot.set_my_description(loc(strings.BOT_DESCRIPTION), language_code=code or None)
        await bot.set_my_short_description(
            loc(strings.BOT_SHORT_DESCRIPTION), language_code=code or None
        )
        everything = strings.PUBLIC_COMMANDS + strings.ADMIN_COMMANDS
        admin = [BotCommand(name, loc(text)) for name, text in everything]
        for user_id in admins:
            try:
                await bot.set_my_commands(
                    admin, scope=BotCommandScopeChat(user_id), language_code=code or None
                )
            except TelegramError as error:  # the admin never talked to the bot: no chat
                log.info("admin menu for %s not set: %s", user_id, error.message)
