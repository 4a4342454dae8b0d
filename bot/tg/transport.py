"""How PTB's HTTP clients reach the Bot API: through ``telegram.proxy`` or directly."""

from __future__ import annotations

import os
import ssl
from typing import Any


def client_options() -> dict[str, Any]:
    """httpx options for PTB's clients: the proxy comes from the config alone, never from
    HTTP(S)_PROXY, ALL_PROXY or .netrc (``trust_env`` off); a CA bundle named by
    SSL_CERT_FILE or SSL_CERT_DIR is still used, as the feed fetcher does."""
    options: dict[str, Any] = {"trust_env": False}
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile or capath:
        options["verify"] = ssl.create_default_context(cafile=cafile or None, capath=capath or None)
    return options
