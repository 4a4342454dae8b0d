"""The chat's language: sentences marked for translation, and gettext catalogs that render them.

A sentence in :mod:`bot.render.strings` is a :class:`Msg`: its English text (the gettext
msgid, with ``{name}`` placeholders) and the values for them, which may be messages in
turn. A :class:`Locale` turns one into text in its language; every render function takes
the chat's ``Locale``, never a global one. The catalogs live in ``bot/locales``
(``<language>/LC_MESSAGES/transmission.po`` and the compiled ``.mo``, which is all the run
time reads, through the standard library's :mod:`gettext`); ``scripts/i18n`` rebuilds them.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from pathlib import Path

from bot.domain import ChatSettings
from bot.render.zones import local

DOMAIN = "transmission"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"

ENGLISH, SIMPLIFIED, TRADITIONAL = "en", "zh_Hans", "zh_Hant"
#: the languages a chat can choose, in menu order, with their names in themselves
LANGUAGES: dict[str, str] = {ENGLISH: "English", SIMPLIFIED: "简体中文", TRADITIONAL: "繁體中文"}
#: the languages as ``/settings lang`` and ``telegram.language`` take them
LANGUAGE_HINT = "en, zh-hans (简体中文) or zh-hant (繁體中文)"
#: what a Telegram ``language_code`` or ``/settings lang ...`` may say, lower-cased, ``_``
#: read as ``-``
_ALIASES: dict[str, str] = {
    **dict.fromkeys(("zh", "zh-hans", "zh-cn", "zh-sg", "zh-hans-cn", "cn"), SIMPLIFIED),
    **dict.fromkeys(("zh-hant", "zh-tw", "zh-hk", "zh-mo", "zh-hant-tw"), TRADITIONAL),
    "en": ENGLISH,
    "简体中文": SIMPLIFIED,
    "简体": SIMPLIFIED,
    "繁體中文": TRADITIONAL,
    "繁體": TRADITIONAL,
    "english": ENGLISH,
}


@dataclass(frozen=True, slots=True)
class Msg:
    """A sentence to translate: its English msgid and the values of its placeholders."""

    msgid: str
    params: tuple[tuple[str, object], ...] = ()


def _(msgid: str, /, **params: object) -> Msg:
    """Mark ``msgid`` for translation (``scripts/i18n`` extracts every ``_("...")`` call)."""
    return Msg(msgid, tuple(params.items()))


Text = Msg | str  #: a sentence, or text that is not translated (a topic, a feed's name)


def language_code(code: str | None) -> str | None:
    """Our language for a Telegram ``language_code`` or what a user typed ("zh-hans",
    "zh-TW", "en-GB", "繁體中文"); None when it names none of :data:`LANGUAGES`."""
    if not code:
        return None
    wanted = code.strip().lower().replace("_", "-")
    if wanted in _ALIASES:
        return _ALIASES[wanted]
    base = wanted.split("-")[0]
    if base == "en":
        return ENGLISH
    return None


@dataclass(frozen=True, slots=True)
class Locale:
    """How a chat reads: ``locale(msg)`` is a sentence in its language, ``locale.date(t)``
    a date in its time zone."""

    language: str
    _catalog: gettext.NullTranslations = field(repr=False, compare=False)
    timezone: str | None = None  #: an IANA name; None: UTC

    def in_zone(self, timezone: str | None) -> Locale:
        """The same language, dates in ``timezone``."""
        return replace(self, timezone=timezone)

    def date(self, moment: datetime) -> str:
        """The day of ``moment`` in the chat's time zone, as 2026-12-01."""
        return local(moment, self.timezone).strftime("%Y-%m-%d")

    def __call__(self, text: Text) -> str:
        if isinstance(text, str):
            return text
        translated = self._catalog.gettext(text.msgid)
        if not text.params:
            return translated
        values = {name: self(v) if isinstance(v, Msg) else v for name, v in text.params}
        return translated.format(**values)


@cache
def locale(language: str) -> Locale:
    """The :class:`Locale` of ``language`` (English for one we have no catalog of)."""
    if language not in LANGUAGES or language == ENGLISH:
        return Locale(ENGLISH, gettext.NullTranslations())
    with catalog_path(language, ".mo").open("rb") as compiled:
        return Locale(language, gettext.GNUTranslations(compiled))


def catalog_path(language: str, suffix: str) -> Path:
    """Where the catalog of ``language`` is: ``suffix`` ".po" (the source) or ".mo"."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def chat_locale(settings: ChatSettings, language: str, timezone: str) -> Locale:
    """How a chat reads: its /settings, else the configured ``language`` and ``timezone``."""
    return locale(settings.language or language).in_zone(settings.timezone or timezone)


#: English, for what is not said in a chat (logs, the CLI's preview)
EN = locale(ENGLISH)
