"""/settings in words: a text form ("lang zh-hans", "quiet 23:00-07:30") read into the chat's
new :class:`~bot.domain.ChatSettings`, or the sentence that says what is accepted. Pure.

The inline menu's buttons carry the same text forms, so a tap and a typed command are read
by one function.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from bot.domain import ChatSettings
from bot.render.i18n import LANGUAGE_HINT, Msg, language_code
from bot.render.strings import settings as settings_strings
from bot.render.zones import known_timezone

#: summary lengths by name (graphemes before "...")
LENGTHS = {"short": 150, "normal": 350, "long": 700}
#: the longest text form read (a time zone name is the longest part)
MAX_FORM = 100
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")
_ON = {"on": True, "yes": True, "1": True, "off": False, "no": False, "0": False}

Reader = Callable[[ChatSettings, list[str]], ChatSettings | Msg]


def read_form(form: str, current: ChatSettings) -> ChatSettings | Msg:
    """``current`` changed as ``form`` says ("tz Asia/Shanghai"), or the problem with it."""
    words = form.strip()[:MAX_FORM].split()
    if not words:
        return settings_strings.SETTINGS_USAGE
    name, values = words[0].lower(), words[1:]
    reader = _READERS.get(name)
    if reader is None:
        return settings_strings.unknown_setting(name)
    return reader(current, values)


def clock_time(text: str) -> str | None:
    """ "7:30", "07:30" or "7.30" as "07:30"; None for anything else."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _language(current: ChatSettings, values: list[str]) -> ChatSettings | Msg:
    language = language_code(" ".join(values)) if values else None
    if language is None:
        return settings_strings.bad_language(" ".join(values) or "?", LANGUAGE_HINT)
    return replace(current, language=language)


def _timezone(current: ChatSettings, values: list[str]) -> ChatSettings | Msg:
    name = values[0] if len(values) == 1 else " ".join(values)
    if len(values) != 1 or not known_timezone(name):
        return settings_strings.bad_timezone(name or "?", settings_strings.BAD_TIMEZONE_HINT)
    return replace(current, timezone=name)


def _quiet(current: ChatSettings, values: list[str]) -> ChatSettings | Msg:
    span = "".join(values)
    if span.lower() in ("off", "none"):
        return replace(current, quiet_from=None, quiet_to=None)
    start, dash, end = span.replace("–", "-").partition("-")
    begins, ends = clock_time(start), clock_time(end)
    if not dash or begins is None or ends is None or begins == ends:
        return settings_strings.BAD_QUIET
    return replace(current, quiet_from=begins, quiet_to=ends)


def _digest(current: ChatSettings, values: list[str]) -> ChatSettings | Msg:
    words = [value.lower() for value in values]
    if words in (["off"], ["instant"], ["none"]):
        return replace(current, mode="instant", digest_at=None)
    if words == ["hourly"]:
        return replace(current, mode="hourly", digest_at=None)
    if len(words) == 2 and words[0] == "daily" and (at := clock_time(words[1])):
        return replace(current, mode="daily", digest_at=at)
    return settings_strings.BAD_DIGEST


def _switch(field: str, name: str) -> Reader:
    def read(current: ChatSettings, values: list[str]) -> ChatSettings | Msg:
        if len(values) != 1 or values[0].lower() not in _ON:
            return settings_strings.bad_on_off(name)
        value = _ON[values[0].lower()]
        if field == "sound":
            return replace(current, sound=value)
        return replace(current, link_preview=value)

    return read


def _length(current: ChatSettings, values: list[str]) -> ChatSettings | Msg:
    if len(values) != 1 or values[0].lower() not in LENGTHS:
        return settings_strings.BAD_LENGTH
    return replace(current, summary_length=LENGTHS[values[0].lower()])


_READERS: dict[str, Reader] = {
    "lang": _language,
    "language": _language,
    "tz": _timezone,
    "timezone": _timezone,
    "quiet": _quiet,
    "digest": _digest,
    "mode": _digest,
    "sound": _switch("sound", "sound"),
    "length": _length,
    "preview": _switch("link_preview", "preview"),
}
