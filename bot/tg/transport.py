"""How PTB's HTTP clients reach the Bot API: through ``telegram.proxy`` or directly."""

from __future__ import annotations

import json
import os
import ssl
from typing import Any

from telegram.error import TelegramError
from telegram.request import HTTPXRequest


class BotApiRequest(HTTPXRequest):
    """PTB's transport, but an answer that is not JSON (a proxy's ``407`` or ``502`` page)
    is a one-line :class:`TelegramError` without the traceback PTB logs for it."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        try:
            parsed: dict[str, Any] = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            raise TelegramError("the answer is not JSON (a proxy in the way?)") from None
        return parsed


def client_options() -> dict[str, Any]:
    """httpx options for PTB's clients: the proxy comes from the config alone, never from
    HTTP(S)_PROXY, ALL_PROXY or .netrc (``trust_env`` off); a CA bundle named by
    SSL_CERT_FILE or SSL_CERT_DIR is still used, as the feed fetcher does."""
    options: dict[str, Any] = {"trust_env": False}
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile or capath:
        options["verify"] = ssl.create_default_context(cafile=cafile or None, capath=capath or None)
    return options
