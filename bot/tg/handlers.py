"""Thin PTB handlers: read the update, check who may do it, call ``bot.chat``, reply.

:func:`register` is the only place handlers are wired, as one ordered list. Every reply goes
through :func:`reply`, which sends one chat's replies one at a time and waits out 429s (a user
who sends several commands at once gets every answer), and every button press is answered,
also when something fails on the way.
"""

from __future__ import annotations

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
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
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
from bot.chat.feedadmin import FeedAdmin
from bot.chat.pauses import bot_removed_reason
from bot.clock import utcnow
from bot.delivery.ratelimit import Pacer
from bot.domain import GROUP_CHAT_KINDS
from bot.render import callbacks
from bot.render.i18n import EN, ENGLISH, SIMPLIFIED, Locale, Msg, locale
from bot.render.message import ButtonReply, Rendered, message
from bot.render.strings import commands as command_strings
from bot.store import Store
from bot.tg.feedhandlers import FeedHandlers
from bot.tg.replies import (
    PACER_KEY,
    answer_query,
    argument,
    chat_context,
    edit_query_message,
    reply,
)

log = logging.getLogger(__name__)

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
_ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
_GONE_STATUSES = (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
_PRESENT_STATUSES = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)


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
    if await commands.is_bot_admin(user.id):
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        return False
    return member.status in _ADMIN_STATUSES


class Handlers(FeedHandlers):
    """The handlers, bound to the services they call."""

    def __init__(
        self, commands: Commands, store: Store, feeds: FeedAdmin, pacer: Pacer | None = None
    ) -> None:
        self.commands = commands
        self.store = store
        self.feeds = feeds
        self.pacer = pacer  #: the sender's: replies share its limits, ahead of pushes

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

    async def claim(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/claim CODE``: the first admin of a bot that has none; the admin menu follows."""
        user, ctx = update.effective_user, chat_context(update)
        if ctx is None:
            return
        user_id = user.id if user else None
        was_admin = await self.commands.is_bot_admin(user_id)
        loc = await self.commands.context_locale(ctx)
        await reply(
            update,
            context,
            await self.commands.admins.claim(user_id, ctx.kind, argument(context), loc),
        )
        if user_id is not None and not was_admin and await self.commands.is_bot_admin(user_id):
            log.info("user %s claimed the bot: now an admin", user_id)
            # the admin menu in the new admin's chat; /claim leaves the private chats' menu
            await publish_commands(context.application, frozenset({user_id}), claimable=False)

    async def latest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if ctx := chat_context(update):
            await reply(update, context, await self.commands.latest(ctx, argument(context)))

    async def next(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if ctx := chat_context(update):
            await reply(update, context, await self.commands.next_page(ctx))

    async def search(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if ctx := chat_context(update):
            await reply(update, context, await self.commands.search(ctx, argument(context)))

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
                await self._say(update, context, ctx, command_strings.ONLY_GROUP_ADMINS)
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
            if not await self.commands.is_bot_admin(user.id if user else None):
                await self._say(update, context, ctx, command_strings.ONLY_BOT_ADMINS)
                return
            await reply(update, context, await action(ctx))

        return handle

    async def _press(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, ctx: ChatContext, data: str | None
    ) -> ButtonReply:
        """What a press does: feed buttons here (admins only, but /sources pages), the rest
        in ``bot.chat.commands``."""
        action = read_press(data)
        if isinstance(action, (callbacks.SourcesPage, *callbacks.ADMIN_ACTIONS)):
            loc = await self.commands.context_locale(ctx)
            if isinstance(action, callbacks.ADMIN_ACTIONS):
                user = update.effective_user
                if not await self.commands.is_bot_admin(user.id if user else None):
                    return ButtonReply(answer=loc(command_strings.ONLY_BOT_ADMINS))
            return await self.feeds.button(ctx.tg_chat_id, action, loc)
        allowed = changes_subscription(action) and await may_change_subscription(
            update, context, self.commands
        )
        return await self.commands.button(ctx, action, may_change=allowed)

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
            await self._say(update, context, ctx, command_strings.unknown_command(name))

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
                result = ButtonReply(answer=EN(command_strings.EXPIRED))
            else:
                result = await self._press(update, context, ctx, query.data)
        except Exception:
            # Always answered, also when the work above failed (the error handler logs it).
            loc = await self._locale_or_english(ctx)
            await answer_query(query, loc(command_strings.SOMETHING_WENT_WRONG))
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
        elif old in _GONE_STATUSES and new in _PRESENT_STATUSES:
            if await self.commands.bot_returned(change.chat.id):
                log.info("chat %s: the bot is back (%s); pushes resume", change.chat.id, new)
            ctx = chat_context(update)
            if change.chat.type in GROUP_CHAT_KINDS and ctx is not None:  # added to a group
                hello = command_strings.group_hello(f"@{context.bot.username}")
                await self._say(update, context, ctx, hello)

    async def migration(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        if msg is not None and msg.migrate_to_chat_id:
            await self.store.migrate_chat(msg.chat.id, msg.migrate_to_chat_id, utcnow())

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("handler failed: %r", context.error, exc_info=context.error)
        if isinstance(update, Update) and update.effective_message and update.effective_chat:
            loc = await self._locale_or_english(chat_context(update))
            with contextlib.suppress(TelegramError):
                await reply(update, context, message(loc(command_strings.FAILED_ON_OUR_SIDE)))

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
        CommandHandler("claim", handlers.claim),
        CommandHandler("latest", handlers.latest),
        CommandHandler("next", handlers.next),
        CommandHandler("search", handlers.search),
        CommandHandler("topics", handlers.topics),
        # each chat's settings (anyone looks; group admins change a group's)
        CommandHandler("settings", handlers.settings),
        CommandHandler("filter", handlers.filter),
        # the bot's admins
        CommandHandler("stats", handlers.bot_admins_only(handlers.commands.stats)),
        CommandHandler("feeds", handlers.bot_admins_only(handlers._feeds)),
        CommandHandler("add", handlers.admin_command(handlers._add)),
        CommandHandler("remove", handlers.admin_command(handlers._remove)),
        CommandHandler("pause", handlers.admin_command(handlers._pause)),
        CommandHandler("resume", handlers.admin_command(handlers._resume)),
        CommandHandler("sources", handlers.sources),
        CommandHandler("export", handlers.export),
        MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, handlers.document),
        # buttons, membership and migration events
        CallbackQueryHandler(handlers.button),
        ChatMemberHandler(handlers.membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, handlers.migration),
        # anything else that looks like a command
        MessageHandler(filters.COMMAND, handlers.unknown),
    ]
    for handler in wiring:
        application.add_handler(handler)
    if handlers.pacer is not None:
        application.bot_data[PACER_KEY] = handlers.pacer
    application.add_error_handler(handlers.error)


#: the menus' languages: Telegram's ``language_code`` ("" = any other) and our language
#: (codes are two letters, so "zh" covers both scripts: Simplified is the more read)
MENU_LANGUAGES = (("", ENGLISH), ("zh", SIMPLIFIED))
#: what group members who are not admins may use (they cannot change the subscription)
GROUP_MEMBER_COMMANDS = frozenset({"latest", "next", "search", "topics", "sources", "help"})


def command_menus(
    loc: Locale, *, claimable: bool = False
) -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """Each scope's menu in ``loc``'s language: everyone in private chats (with /claim while
    the bot has no admin), group members, group admins (who change the subscription). Bot
    admins' own menus come apart."""
    public = [BotCommand(name, loc(text)) for name, text in command_strings.PUBLIC_COMMANDS]
    members = [command for command in public if command.command in GROUP_MEMBER_COMMANDS]
    name, text = command_strings.CLAIM_COMMAND
    private = [*public, BotCommand(name, loc(text))] if claimable else public
    return [
        (BotCommandScopeDefault(), public),
        (BotCommandScopeAllPrivateChats(), private),
        (BotCommandScopeAllGroupChats(), members),
        (BotCommandScopeAllChatAdministrators(), public),
    ]


async def publish_commands(
    application: Application,  # type: ignore[type-arg]
    admins: frozenset[int],
    *,
    claimable: bool | None = None,
) -> None:
    """The command menus and the bot's description, per language and scope: public
    commands in private chats (and /claim while ``claimable``, by default while there are
    no ``admins``), reading commands for group members, the subscription commands for
    group admins, and admin commands in bot admins' private chats."""
    bot = application.bot
    open_claim = not admins if claimable is None else claimable
    for code, language in MENU_LANGUAGES:
        loc = locale(language)
        for scope, menu in command_menus(loc, claimable=open_claim):
            await bot.set_my_commands(menu, scope=scope, language_code=code or None)
        await bot.set_my_description(
            loc(command_strings.BOT_DESCRIPTION), language_code=code or None
        )
        await bot.set_my_short_description(
            loc(command_strings.BOT_SHORT_DESCRIPTION), language_code=code or None
        )
        everything = command_strings.PUBLIC_COMMANDS + command_strings.ADMIN_COMMANDS
        admin = [BotCommand(name, loc(text)) for name, text in everything]
        for user_id in admins:
            try:
                await bot.set_my_commands(
                    admin, scope=BotCommandScopeChat(user_id), language_code=code or None
                )
            except TelegramError as error:  # the admin never talked to the bot: no chat
                log.info("admin menu for %s not set: %s", user_id, error.message)
