"""Webhook mode: Telegram POSTs each update to python-telegram-bot's webhook server.

PTB's server (tornado, ``Updater.start_webhook``) calls setWebhook with our URL, the allowed
updates and the secret token, then serves plain HTTP on ``listen:port`` at the URL's path;
TLS is a reverse proxy's job. A request whose ``X-Telegram-Bot-Api-Secret-Token`` header is
missing or wrong gets 403 and is never handled (PTB checks it before reading the update).

Every replica runs this server: behind a load balancer any of them may take an update,
while the sending stays with one. Stopping the server leaves the webhook set, so one
replica going away does not switch the others to long polling; the next start without
``telegram.webhook.url`` deletes it (PTB's long polling calls deleteWebhook first).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from telegram import Bot, WebhookInfo
from telegram.error import TelegramError
from telegram.ext import Updater
from tornado.httpserver import HTTPServer

from bot.oneline import one_line

log = logging.getLogger(__name__)

#: largest request body the server reads: an update is a few KiB (a 4096-character
#: message quoting another); tornado's own default is 100 MB, read before the secret is
#: checked, so anyone who finds the port could make the bot hold that much per request
MAX_UPDATE_BYTES = 1024 * 1024
#: seconds a kept-alive connection from Telegram (or the proxy) may stay idle
IDLE_CONNECTION_TIMEOUT = 300.0
#: connections Telegram opens at once to deliver updates (its default is 40)
MAX_CONNECTIONS = 40
#: seconds between two getWebhookInfo of the watch (per replica)
WATCH_EVERY = 10.0


@dataclass(frozen=True)
class Webhook:
    """Where Telegram sends updates, and where the bot listens for them."""

    url: str  #: the public https URL given to setWebhook
    listen: str  #: the address PTB's server binds to
    port: int
    path: str  #: the URL's path: the one path the server answers on
    secret_token: str = field(repr=False)  #: never in a log line

    @property
    def address(self) -> str:
        return f"{self.listen}:{self.port}"


class WebhookRefused(Exception):
    """setWebhook failed: Telegram's reason (or the network's), on one line."""


class WebhookUnservable(Exception):
    """The webhook server could not listen on its address (``errno`` text)."""


def _bound_requests() -> None:
    # tornado's documented way to give every HTTPServer it creates these settings; PTB's
    # webhook server is the only tornado server in the process.
    HTTPServer.configure(
        None, max_body_size=MAX_UPDATE_BYTES, idle_connection_timeout=IDLE_CONNECTION_TIMEOUT
    )


class _NoBootstrapTraceback(logging.Filter):
    """PTB logs a failed setWebhook with a traceback before raising it; the bot says why
    in one line instead (a StartupError)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Network Retry Loop (Bootstrap Set Webhook)")


def _check_bindable(listen: str, port: int) -> None:
    """Bind ``listen:port`` once before setWebhook, so that Telegram is never pointed at a
    port this process cannot serve (and tornado, which leaks the socket when its bind
    fails, is not the one to find out)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        listen, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
        probe.bind(address)


async def start_webhook(updater: Updater, hook: Webhook, allowed_updates: Sequence[str]) -> None:
    """setWebhook (pending updates kept), then serve; see :class:`WebhookRefused` and
    :class:`WebhookUnservable`."""
    _bound_requests()
    try:
        _check_bindable(hook.listen, hook.port)
    except OSError as error:
        raise WebhookUnservable(error.strerror or one_line(error)) from None
    ptb_log = logging.getLogger("telegram.ext")
    if not any(isinstance(f, _NoBootstrapTraceback) for f in ptb_log.filters):
        ptb_log.addFilter(_NoBootstrapTraceback())
    try:
        await updater.start_webhook(
            listen=hook.listen,
            port=hook.port,
            url_path=hook.path,
            webhook_url=hook.url,
            allowed_updates=list(allowed_updates),
            drop_pending_updates=False,
            max_connections=MAX_CONNECTIONS,
            secret_token=hook.secret_token,
        )
    except TelegramError as error:
        raise WebhookRefused(one_line(error)) from None
    except OSError as error:
        raise WebhookUnservable(error.strerror or one_line(error)) from None


def delivery_problem(info: WebhookInfo, url: str, now: float, window: float) -> str | None:
    """What getWebhookInfo says is wrong for /healthz: the webhook moved (a process with
    another config, or one in long-polling mode, which deletes it), or Telegram failed to
    deliver within ``window`` seconds and updates are waiting. None: nothing wrong."""
    if info.url != url:
        now_set = info.url or "not set"
        return (
            f"Telegram's webhook is {now_set}, not {url} (another process changed it; "
            "restart this one to set it again)"
        )
    failed = info.last_error_date
    if info.pending_update_count and failed is not None and now - failed.timestamp() <= window:
        return (
            f"Telegram cannot deliver to the webhook: {info.last_error_message or 'no reason'} "
            f"({info.pending_update_count} updates waiting)"
        )
    return None


class WebhookWatch:
    """Asks getWebhookInfo every :data:`WATCH_EVERY` seconds: the server answering is not
    enough, Telegram must reach it (through the proxy, with the secret the proxy passes)."""

    def __init__(self, bot: Bot, url: str, *, clock: Callable[[], float] = time.time) -> None:
        self._bot = bot
        self._url = url
        self._clock = clock
        self._info: WebhookInfo | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook watch")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                self._info = await self._bot.get_webhook_info()
            except TelegramError as error:  # the sender and the next look will tell
                log.debug("getWebhookInfo failed: %s", one_line(error))
            await asyncio.sleep(WATCH_EVERY)

    def problem(self, window: float) -> str | None:
        if self._info is None:
            return None
        return delivery_problem(self._info, self._url, self._clock(), window)
