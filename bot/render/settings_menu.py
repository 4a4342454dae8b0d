"""The /settings menu: what the chat chose (defaults filled in), and buttons to change it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import ChatSettings
from bot.render import callbacks
from bot.render.i18n import LANGUAGES, Locale, Msg
from bot.render.message import Button, Keyboard, Rendered
from bot.render.strings import settings as settings_strings
from bot.text.measure import escape_html, truncate

#: /settings length names by summary length (others read as their number)
LENGTH_NAMES: dict[int, Msg] = {
    150: settings_strings.LENGTH_SHORT,
    350: settings_strings.LENGTH_NORMAL,
    700: settings_strings.LENGTH_LONG,
}
_TITLE_CHARS = 100


@dataclass(frozen=True, slots=True)
class SettingsView:
    """What the menu shows: the chat's settings with the configured defaults filled in."""

    chat_id: int  #: ours: the buttons change this chat
    title: str | None  #: shown for a channel's settings changed from a private chat
    settings: ChatSettings  #: language, timezone and summary_length never None here


def settings_menu(view: SettingsView, loc: Locale, *, saved: bool = False) -> Rendered:
    """The settings of one chat in ``loc``'s words, with buttons for the common changes."""
    s = view.settings
    header = f"<b>{escape_html(loc(settings_strings.SETTINGS_HEADER))}</b>"
    if view.title:
        header += escape_html(
            " · " + loc(settings_strings.settings_for(truncate(view.title, _TITLE_CHARS)))
        )
    lines = [header, ""]
    if saved:
        lines.append(escape_html(loc(settings_strings.SAVED)))
    length = s.summary_length or 0
    rows = [
        settings_strings.setting_language(LANGUAGES.get(s.language or "", s.language or "")),
        settings_strings.setting_timezone(s.timezone or "UTC"),
        settings_strings.setting_quiet(_quiet(s)),
        settings_strings.setting_mode(_mode(s)),
        settings_strings.setting_sound(_on_off(s.sound)),
        settings_strings.setting_length(LENGTH_NAMES.get(length, str(length)), length),
        settings_strings.setting_preview(_on_off(s.link_preview)),
    ]
    lines += [escape_html(loc(row)) for row in rows]
    lines += ["", escape_html(loc(settings_strings.SETTINGS_HINT))]
    return Rendered(html="\n".join(lines), keyboard=_buttons(view, loc))


def _quiet(s: ChatSettings) -> Msg:
    if s.quiet_from and s.quiet_to:
        return settings_strings.quiet_span(s.quiet_from, s.quiet_to)
    return settings_strings.NO_QUIET_HOURS


def _mode(s: ChatSettings) -> Msg:
    if s.mode == "daily" and s.digest_at:
        return settings_strings.mode_daily(s.digest_at)
    return settings_strings.MODE_HOURLY if s.mode == "hourly" else settings_strings.MODE_INSTANT


def _on_off(value: bool) -> Msg:
    return settings_strings.SETTING_ON if value else settings_strings.SETTING_OFF


def _buttons(view: SettingsView, loc: Locale) -> Keyboard:
    s = view.settings

    def button(label: str, form: str, chosen: bool = False) -> Button:
        data = callbacks.encode(callbacks.SettingsForm(view.chat_id, form))
        return Button(("✅ " if chosen else "") + label, callback=data)

    languages = tuple(
        button(name, f"lang {code}", code == s.language) for code, name in LANGUAGES.items()
    )
    modes = (
        button(loc(settings_strings.SETTINGS_BUTTON_INSTANT), "digest off", s.mode == "instant"),
        button(loc(settings_strings.SETTINGS_BUTTON_HOURLY), "digest hourly", s.mode == "hourly"),
    )
    lengths = tuple(
        button(loc(LENGTH_NAMES[count]), f"length {name}", s.summary_length == count)
        for name, count in (("short", 150), ("normal", 350), ("long", 700))
    )
    sound = f"{'🔔' if s.sound else '🔕'} {loc(settings_strings.SETTINGS_BUTTON_SOUND)}"
    preview = f"{'✅' if s.link_preview else '▫️'} {loc(settings_strings.SETTINGS_BUTTON_PREVIEW)}"
    switches = (
        button(sound, f"sound {'off' if s.sound else 'on'}"),
        button(preview, f"preview {'off' if s.link_preview else 'on'}"),
    )
    rows = [languages, modes, lengths, switches]
    if s.quiet_from:
        rows.append((button(loc(settings_strings.SETTINGS_BUTTON_QUIET_OFF), "quiet off"),))
    return tuple(rows)
