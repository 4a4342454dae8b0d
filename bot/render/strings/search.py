"""Words for /search: its usage, its answers and its page of results."""

from __future__ import annotations

from bot.render.strings._base import Msg, Text, _

# ----------------------------------------------------------------------------- /search

SEARCH_HEADER = _("SEARCH")
SEARCH_EVERY_TOPIC = _("every topic")
SEARCH_NEEDS_TOPICS = _(
    "This chat follows no topics, so there is nothing to search in. "
    "/search all <words> searches every topic."
)


def search_usage(max_words: int, max_chars: int) -> Msg:
    return _(
        "Usage: /search <words>, e.g. /search contrastive learning or /search 对比学习. "
        "It finds the entries whose title or text hold every word, newest first, within "
        "this chat's topics; /search all <words> searches every topic. "
        "At most {max_words} words of at most {max_chars} characters each.",
        max_words=max_words,
        max_chars=max_chars,
    )


def search_too_long(max_words: int, max_chars: int) -> Msg:
    return _(
        "That search is too long: /search takes at most {max_words} words, "
        "each at most {max_chars} characters.",
        max_words=max_words,
        max_chars=max_chars,
    )


SEARCH_TOO_SHORT = _("One character is too little to search for: add a longer word.")


def nothing_found(words: Text, everywhere: bool, scanned: int | None) -> Msg:
    """One line: no entry holds every word."""
    if scanned:
        if everywhere:
            return _(
                "Nothing found for {words} among the newest {scanned:,} entries.",
                words=words,
                scanned=scanned,
            )
        return _(
            "Nothing found for {words} among the newest {scanned:,} entries in this chat's "
            "topics; /search all {words} looks in every topic.",
            words=words,
            scanned=scanned,
        )
    if everywhere:
        return _("Nothing found for {words}.", words=words)
    return _(
        "Nothing found for {words} in this chat's topics; /search all {words} looks in "
        "every topic.",
        words=words,
    )


def searched_newest(scanned: int) -> Msg:
    return _(
        "Short words alone are looked for among the newest {scanned:,} entries only; "
        "add a word of three or more characters to search them all.",
        scanned=scanned,
    )
