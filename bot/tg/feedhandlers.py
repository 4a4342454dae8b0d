"""The handlers of feeds managed from chat: /add, /remove, /pause, /resume, /sources,
/export and OPML files, as a part of :class:`bot.tg.handlers.Handlers`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Document, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.chat.commands import ChatContext, Commands
from bot.chat.feedadmin import FeedAdmin
from bot.delivery.ratelimit import PACED_AS_GROUP
from bot.render import strings
from bot.render.message import Rendered, message
from bot.text.opml import MAX_BYTES as MAX_OPML_BYTES
from bot.tg.replies import argument, chat_context, in_turn, reply

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


#: what OPML files are sent as, besides a name ending in .opml or .xml
_OPML_TYPES = frozenset({"text/x-opml", "application/xml", "text/xml", "text/x-opml+xml"})


async def _download_opml(
    context: ContextTypes.DEFAULT_TYPE, document: Document
) -> tuple[bytes | None, str]:
    """(the file's bytes, or None and the reply that says why not), within MAX_OPML_BYTES."""
    name = (document.file_name or "").lower()
    if not name.endswith((".opml", ".xml")) and document.mime_type not in _OPML_TYPES:
        return None, strings.OPML_NOT_OPML
    too_large = strings.opml_too_large(MAX_OPML_BYTES // 1024)
    if (document.file_size or 0) > MAX_OPML_BYTES:
        return None, too_large
    try:
        file = await context.bot.get_file(document.file_id)
        if (file.file_size or 0) > MAX_OPML_BYTES:
            return None, too_large
        data = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        return None, strings.opml_download_failed(error.message)
    if len(data) > MAX_OPML_BYTES:
        return None, too_large
    return data, ""


class FeedHandlers:
    """The feed-management part of ``Handlers`` (mixed in); replies via ``bot.tg.replies``."""

    commands: Commands
    feeds: FeedAdmin

    def admin_command(self, action: Callable[[ChatContext, str], Awaitable[Rendered]]) -> Handler:
        """A command for the bot's admins that takes the chat and the argument."""

        async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            user, ctx = update.effective_user, chat_context(update)
            if ctx is None:
                return
            if not await self.commands.is_bot_admin(user.id if user else None):
                await reply(update, context, message(strings.ONLY_BOT_ADMINS))
                return
            await reply(update, context, await action(ctx, argument(context)))

        return handle

    async def _add(self, ctx: ChatContext, argument: str) -> Rendered:
        return await self.feeds.add(ctx.tg_chat_id, argument)

    async def _remove(self, ctx: ChatContext, argument: str) -> Rendered:
        return await self.feeds.remove(argument)

    async def _pause(self, ctx: ChatContext, argument: str) -> Rendered:
        return await self.feeds.pause(argument)

    async def _resume(self, ctx: ChatContext, argument: str) -> Rendered:
        return await self.feeds.resume(argument)

    async def export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/export (admins): every followed feed as an OPML document."""
        user, chat = update.effective_user, update.effective_chat
        if chat is None:
            return
        if not await self.commands.is_bot_admin(user.id if user else None):
            await reply(update, context, message(strings.ONLY_BOT_ADMINS))
            return
        data = await self.feeds.export_opml()
        await in_turn(
            context,
            chat.id,
            chat.type in PACED_AS_GROUP,
            lambda: context.bot.send_document(
                chat_id=chat.id,
                document=data,
                filename=strings.OPML_FILENAME,
                caption=strings.EXPORT_CAPTION,
            ),
        )

    async def document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An OPML file sent by an admin in a private chat: its feeds imported."""
        msg, user = update.effective_message, update.effective_user
        if msg is None or msg.document is None:
            return
        if not await self.commands.is_bot_admin(user.id if user else None):
            await reply(update, context, message(strings.ONLY_BOT_ADMINS))
            return
        data, problem = await _download_opml(context, msg.document)
        if data is None:
            await reply(update, context, message(problem))
            return
        await reply(update, context, await self.feeds.import_opml(data))

    async def sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, context, await self.feeds.sources())
