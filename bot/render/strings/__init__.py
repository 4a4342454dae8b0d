"""Every sentence a chat sees, one module per area: constants, or small functions taking values.

Markup, escaping and layout are the other render modules' work; the words are here, each
marked ``_("...")`` (a :class:`~bot.render.i18n.Msg`: English msgid and placeholder values)
and translated by the chat's :class:`~bot.render.i18n.Locale` from the catalogs in
``bot/locales`` (``scripts/i18n`` extracts them; a test fails on a sentence without a
translation). Marks (✅ ▫️ 🚫 ⚠️), arrows and separators are not words and stay with the
layout that uses them. A caller imports the area it needs, e.g.
``from bot.render.strings import topics as topic_strings``; ``_base`` is what the areas share.
"""
