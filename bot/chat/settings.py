"""/settings: look at and change how a chat gets its pushes (menu, text forms, buttons)."""

from __future__ import annotations

from dataclasses import replace

from bot.chat.base import ChatContext, CommandBase
from bot.chat.preferences import read_form
from bot.domain import ChatInfo, ChatSettings
from bot.render.i18n import Locale, Msg
from bot.render.message import ButtonReply, Rendered, message
from bot.render.settings_menu import SettingsView, settings_menu
from bot.render.strings import commands as command_strings
from bot.render.strings import settings as settings_strings


class SettingsCommands(CommandBase):
    """The /settings command and its buttons."""

    async def settings(self, ctx: ChatContext, argument: str, *, may_change: bool) -> Rendered:
        """/settings [@channel] [form]: the menu, or one change ("tz Asia/Shanghai").
        ``may_change``: the sender may change this chat's settings (groups: its admins);
        a channel's are for bot admins, from a private chat."""
        here = await self._chat(ctx)
        loc = self.locale_of(here)
        words = argument.split()
        target = here
        if words and words[0].startswith("@"):
            if ctx.kind != "private" or not await self.is_bot_admin(ctx.user_id):
                return message(loc(settings_strings.CHANNEL_SETTINGS_ADMINS))
            found = await self._store.chat_by_ref(words[0][:64])
            if found is None:
                return message(loc(settings_strings.unknown_channel(words[0][:64])))
            target, words, may_change = found, words[1:], True
        if not words:
            return settings_menu(self._settings_view(here, target), loc)
        if not may_change:
            return message(loc(settings_strings.ONLY_GROUP_ADMINS_SETTINGS))
        changed = read_form(" ".join(words), target.settings)
        if isinstance(changed, Msg):
            return message(_with_usage(loc, changed))
        here, target = await self._save_settings(here, target, changed)
        view = self._settings_view(here, target)
        return settings_menu(view, self.locale_of(here), saved=True)

    def _settings_view(self, here: ChatInfo, target: ChatInfo) -> SettingsView:
        s = target.settings
        shown = replace(
            s,
            language=s.language or self._default_language,
            timezone=s.timezone or self._default_timezone,
            summary_length=self._summary_length_of(target),
        )
        title = target.channel_ref or target.title if target.id != here.id else None
        return SettingsView(chat_id=target.id, title=title, settings=shown)

    async def _save_settings(
        self, here: ChatInfo, target: ChatInfo, settings: ChatSettings
    ) -> tuple[ChatInfo, ChatInfo]:
        """Store ``settings`` for ``target``; both chats as they are now."""
        await self._store.set_settings(target.id, settings, self._clock())
        target = replace(target, settings=settings)
        return (target if here.id == target.id else here), target

    async def settings_button(
        self, ctx: ChatContext, here: ChatInfo, chat_id: int, form: str, may_change: bool
    ) -> ButtonReply:
        loc = self.locale_of(here)
        target = here if chat_id == here.id else await self._store.chat_by_id(chat_id)
        if target is None:
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        if target.id != here.id and (
            target.kind != "channel"
            or ctx.kind != "private"
            or not await self.is_bot_admin(ctx.user_id)
        ):
            return ButtonReply(answer=loc(settings_strings.CHANNEL_SETTINGS_ADMINS))
        if target.id == here.id and not may_change:
            return ButtonReply(answer=loc(settings_strings.ONLY_GROUP_ADMINS_SETTINGS))
        changed = read_form(form, target.settings)
        if isinstance(changed, Msg):
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        here, target = await self._save_settings(here, target, changed)
        loc = self.locale_of(here)
        view = settings_menu(self._settings_view(here, target), loc, saved=True)
        return ButtonReply(answer=loc(settings_strings.SAVED), edit=view)


def _with_usage(loc: Locale, problem: Msg) -> str:
    """A problem with a /settings form, and what /settings takes."""
    if problem == settings_strings.SETTINGS_USAGE:
        return loc(problem)
    return loc(problem) + "\n" + loc(settings_strings.SETTINGS_USAGE)
