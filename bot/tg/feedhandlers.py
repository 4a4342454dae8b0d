"""The handlers of feeds managed from chat: /add, /remove, /pause, /resume, /sources,
/export and OPML files, as a part of :class:`bot.tg.handlers.Handlers`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Document, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.chat.commands import ChatContext, Commands
from bot.chat.feedadmin import OPML_FILENAME, FeedAdmin
from bot.delivery.ratelimit import PACED_AS_GROUP
from bot.render.i18n import Locale, Msg
from bot.render.message import Rendered, message
from bot.render.strings import commands as command_strings
from bot.render.strings import opml as opml_strings
from bot.text.opml import MAX_BYTES as MAX_OPML_BYTES
from bot.tg.replies import argument, chat_context, in_turn, reply

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


#: what OPML files are sent as, besides a name ending in .opml or .xml
_OPML_TYPES = frozenset({"text/x-opml", "application/xml", "text/xml", "text/x-opml+xml"})


async def _download_opml(
    context: ContextTypes.DEFAULT_TYPE, document: Document
) -> tuple[bytes | None, Msg | None]:
    """(the file's bytes, or None and the reply that says why not), within MAX_OPML_BYTES."""
    name = (document.file_name or "").lower()
    if not name.endswith((".opml", ".xml")) and document.mime_type not in _OPML_TYPES:
        return None, opml_strings.OPML_NOT_OPML
    too_large = opml_strings.opml_too_large(MAX_OPML_BYTES // 1024)
    if (document.file_size or 0) > MAX_OPML_BYTES:
        return None, too_large
    try:
        file = await context.bot.get_file(document.file_id)
        if (file.file_size or 0) > MAX_OPML_BYTES:
            return None, too_large
        data = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        return None, opml_strings.opml_download_failed(error.message)
    if len(data) > MAX_OPML_BYTES:
        return None, too_large
    return data, None


class FeedHandlers:
    """The feed-management part of ``Handlers`` (mixed in); replies via ``bot.tg.replies``."""

    commands: Commands
    feeds: FeedAdmin

    def admin_command(
        self, action: Callable[[ChatContext, str, Locale], Awaitable[Rendered]]
    ) -> Handler:
        """A command for the bot's admins that takes the chat and the argument."""

        async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            user, ctx = update.effective_user, chat_context(update)
            if ctx is None:
                return
            loc = await self.commands.context_locale(ctx)
            if not await self.commands.is_bot_admin(user.id if user else None):
                await reply(update, context, message(loc(command_strings.ONLY_BOT_ADMINS)))
                return
            await reply(update, context, await action(ctx, argument(context), loc))

        return handle

    async def _add(self, ctx: ChatContext, argument: str, loc: Locale) -> Rendered:
        return await self.feeds.add(ctx.tg_chat_id, argument, loc)

    async def _remove(self, ctx: ChatContext, argument: str, loc: Locale) -> Rendered:
        return await self.feeds.remove(argument, loc)

    async def _pause(self, ctx: ChatContext, argument: str, loc: Locale) -> Rendered:
        return await self.feeds.pause(argument, loc)

    async def _resume(self, ctx: ChatContext, argument: str, loc: Locale) -> Rendered:
        return await self.feeds.resume(argument, loc)

    async def _feeds(self, ctx: ChatContext) -> Rendered:
        return await self.feeds.feeds(await self.commands.context_locale(ctx))

    async def export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/export (admins): every followed feed as an OPML document."""
        user, chat, ctx = update.effective_user, update.effective_chat, chat_context(update)
        if chat is None or ctx is None:
            return
        loc = await self.commands.context_locale(ctx)
        if not await self.commands.is_bot_admin(user.id if user else None):
            await reply(update, context, message(loc(command_strings.ONLY_BOT_ADMINS)))
            return
        data = await self.feeds.export_opml()
        await in_turn(
            context,
            chat.id,
            chat.type in PACED_AS_GROUP,
            lambda: context.bot.send_document(
                chat_id=chat.id,
                document=data,
                filename=OPML_FILENAME,
                caption=loc(opml_strings.EXPORT_CAPTION),
            ),
        )

    async def document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An OPML file sent by an admin in a private chat: its feeds imported."""
        msg, user, ctx = update.effective_message, update.effective_user, chat_context(update)
        if msg is None or msg.document is None or ctx is None:
            return
        loc = await self.commands.context_locale(ctx)
        if not await self.commands.is_bot_admin(user.id if user else None):
            await reply(update, context, message(loc(command_strings.ONLY_BOT_ADMINS)))
            return
        data, problem = await _download_opml(context, msg.document)
        if data is None:
            await reply(update, context, message(loc(problem or opml_strings.OPML_NOT_OPML)))
            return
        await reply(update, context, await self.feeds.import_opml(data, loc))

    async def sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if ctx := chat_context(update):
            loc = await self.commands.context_locale(ctx)
            await reply(update, context, await self.feeds.sources(loc))
