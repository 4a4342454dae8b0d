"""Structured logs to stdout, with the bot token redacted from every line.

The token must never reach a log line, also not inside a URL: the Bot API puts it in the
path (``/bot<token>/sendMessage``), and HTTP client libraries like to log request URLs. The
formatter redacts the finished line, so messages, arguments and tracebacks are all covered;
httpx's per-request INFO lines are silenced as well.

Format: ``FEEDBOT_LOG_FORMAT=json`` gives one JSON object per line, anything else logfmt-style
``time level logger message``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
#: the Bot API's ``/bot<token>/`` path segment; not a host name after ``//`` (a webhook at
#: https://bot.example.com/ stays readable)
_BOT_PATH = re.compile(r"(?<!/)/bot[^/\s]+/")


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = [s for s in secrets if s]

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        text = _BOT_PATH.sub("/bot<redacted>/", text)
        return _TOKEN_SHAPE.sub("<redacted>", text)


class RedactingFormatter(logging.Formatter):
    def __init__(self, redact: Redactor, *, as_json: bool) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        self._redact = redact
        self._json = as_json

    def format(self, record: logging.LogRecord) -> str:
        if not self._json:
            return self._redact(super().format(record))
        payload = {
            # ISO 8601 in UTC, to the millisecond: what log collectors parse without help
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return self._redact(json.dumps(payload, ensure_ascii=False))


def setup_logging(
    level: str = "INFO", *, secrets: Iterable[str] = (), as_json: bool = False
) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(RedactingFormatter(Redactor(secrets), as_json=as_json))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    # One INFO line per HTTP request (with the token in the URL) is noise at best.
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite", "telegram.ext.Updater"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
