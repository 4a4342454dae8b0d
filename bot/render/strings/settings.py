"""Words for /settings: its menu and buttons, and what its text forms answer."""

from __future__ import annotations

from bot.render.strings._base import Msg, Text, _

# ----------------------------------------------------------------------------- /settings

SETTINGS_HEADER = _("SETTINGS")
SETTING_ON = _("on")
SETTING_OFF = _("off")
NO_QUIET_HOURS = _("none")
MODE_INSTANT = _("each update as it arrives")
MODE_HOURLY = _("an hourly digest")
LENGTH_SHORT = _("short")
LENGTH_NORMAL = _("normal")
LENGTH_LONG = _("long")
SAVED = _("Saved.")
SETTINGS_HINT = _(
    "Tap to change, or type e.g. /settings tz Asia/Shanghai, /settings quiet 23:00-07:30, "
    "/settings digest daily 08:00."
)
SETTINGS_USAGE = _(
    "/settings lang en|zh-hans|zh-hant · tz Asia/Shanghai · quiet 23:00-07:30|off · "
    "digest daily 08:00|hourly|off · sound on|off · length short|normal|long · "
    "preview on|off"
)
ONLY_GROUP_ADMINS_SETTINGS = _("Only group admins can change this group's settings.")
CHANNEL_SETTINGS_ADMINS = _(
    "A channel's settings are for the bot's admins, from a private chat with the bot."
)
BAD_TIMEZONE_HINT = _("Use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC.")
BAD_QUIET = _(
    "Quiet hours are written from-to in 24-hour time, in this chat's time zone: "
    "/settings quiet 23:00-07:30, or /settings quiet off."
)
BAD_DIGEST = _(
    "Digests: /settings digest daily 08:00 (a 24-hour time), /settings digest hourly, "
    "or /settings digest off for each update as it arrives."
)
BAD_LENGTH = _("Summary length: short (150 characters), normal (350) or long (700).")
SETTINGS_BUTTON_SOUND = _("Sound")
SETTINGS_BUTTON_PREVIEW = _("Link preview")
SETTINGS_BUTTON_INSTANT = _("Instant")
SETTINGS_BUTTON_HOURLY = _("Hourly digest")
SETTINGS_BUTTON_QUIET_OFF = _("No quiet hours")


def settings_for(title: Text) -> Msg:
    return _("Settings of {title}", title=title)


def setting_language(language: Text) -> Msg:
    return _("Language: {language}", language=language)


def setting_timezone(timezone: Text) -> Msg:
    return _("Time zone: {timezone}", timezone=timezone)


def setting_quiet(quiet: Text) -> Msg:
    return _("Quiet hours: {quiet}", quiet=quiet)


def quiet_span(start: Text, end: Text) -> Msg:
    return _("{start}–{end} (pushes held, then sent as one transmission)", start=start, end=end)


def setting_mode(mode: Text) -> Msg:
    return _("Pushes: {mode}", mode=mode)


def mode_daily(time: Text) -> Msg:
    return _("a daily digest at {time}", time=time)


def setting_sound(sound: Text) -> Msg:
    return _("Sound: {sound}", sound=sound)


def setting_length(length: Text, count: int) -> Msg:
    return _("Summary length: {length} ({count} characters)", length=length, count=count)


def setting_preview(preview: Text) -> Msg:
    return _("Link preview (single-entry pushes): {preview}", preview=preview)


def unknown_setting(name: Text) -> Msg:
    return _("There is no setting {name}. What /settings takes:", name=name)


def bad_language(value: Text, accepted: Text) -> Msg:
    return _("{value} is not a language I speak: use {accepted}.", value=value, accepted=accepted)


def bad_timezone(value: Text, hint: Text) -> Msg:
    return _("{value} is not a time zone. {hint}", value=value, hint=hint)


def bad_on_off(name: Text) -> Msg:
    return _("/settings {name} takes on or off.", name=name)


def unknown_channel(ref: Text) -> Msg:
    return _(
        "I know no channel {ref}: add it to telegram.channels, or make the bot an admin "
        "there and let it post once.",
        ref=ref,
    )
