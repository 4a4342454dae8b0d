"""Error and status text squeezed onto one bounded line (feed rows, logs, admin replies)."""

from __future__ import annotations

#: characters of an error kept on a feed's row or in a log line
MAX_LINE_CHARS = 200


def one_line(text: str | BaseException, limit: int = MAX_LINE_CHARS) -> str:
    """``text`` (or an exception's message) on one line, whitespace folded, cut with "…"."""
    if isinstance(text, BaseException):
        message = getattr(text, "message", None) or str(text) or type(text).__name__
        text = str(message)
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
