"""Webhooks as Telegram does them: setWebhook, deleteWebhook, getWebhookInfo, and delivery.

While a webhook is set, getUpdates answers 409 and the queued updates are POSTed to its
URL as JSON, one at a time and in order, with ``X-Telegram-Bot-Api-Secret-Token`` when a
secret was given. A 2xx answer confirms the update; anything else (a refused connection, a
403, a timeout) keeps it queued and is retried after a short wait (Telegram waits longer),
and ``getWebhookInfo`` shows the last error as Telegram words it ("Wrong response from the
webhook: 403 Forbidden", "Connection refused").

Telegram's own servers deliver to https only, on ports 443, 80, 88 or 8443. The fake also
takes http to a loopback address (a self-hosted Bot API server delivers over http), so the
tests can drive a real ``feedbot run`` in webhook mode over real HTTP without certificates.
Telegram opens up to ``max_connections`` at once; the fake uses one, which keeps each
chat's updates in order as Telegram does.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import re
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from .errors import ApiError, bad_request
from .params import Params

if TYPE_CHECKING:
    from .state import World

__all__ = [
    "WEBHOOK_CONFLICT",
    "Delivery",
    "WebhookDeliverer",
    "WebhookState",
    "delete_webhook",
    "get_webhook_info",
    "set_webhook",
]

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_TELEGRAM_PORTS = (443, 80, 88, 8443)
#: seconds before a failed delivery is tried again (Telegram backs off much longer)
RETRY_WAIT = 0.2
POST_TIMEOUT = 10.0


@dataclass
class WebhookState:
    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True)
class Delivery:
    """One POST of an update to the webhook, as the fake made it."""

    update_id: int
    url: str
    status: int | None  #: None: no HTTP answer (refused, timed out)
    error: str | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise bad_request("bad webhook: Failed to resolve host") from None
    if not parts.hostname or parts.scheme not in ("http", "https"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if parts.scheme == "http":
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = parts.hostname == "localhost"
        if not loopback:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        return
    if (port or 443) not in _TELEGRAM_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def set_webhook(world: World, p: Params) -> Any:
    url = p.text("url") or ""
    if not url:  # an empty URL removes the webhook, as on the real server
        world.webhook = None
        return True
    _check_url(url)
    secret = p.text("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    connections = p.integer("max_connections", default=40) or 40
    if not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = p.raw("allowed_updates")
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed updates JSON array")
    if p.boolean("drop_pending_updates"):
        world.drop_pending_updates()
    world.set_allowed_updates(allowed)
    world.webhook = WebhookState(url, secret, connections)
    world.touch()
    return True


def delete_webhook(world: World, p: Params) -> Any:
    if p.boolean("drop_pending_updates"):
        world.drop_pending_updates()
    world.webhook = None
    world.touch()
    return True


def get_webhook_info(world: World, p: Params) -> Any:
    hook = world.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        info["allowed_updates"] = sorted(world.allowed_updates)
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


def refuse_get_updates(world: World) -> None:
    """getUpdates while a webhook is set: 409, as Telegram answers."""
    if world.webhook is not None:
        raise ApiError(409, WEBHOOK_CONFLICT)


class WebhookDeliverer:
    """POSTs queued updates to the webhook, on the fake server's event loop, while one is set.

    ``wake()`` returns the event that the next queued update (or webhook change) sets.
    """

    def __init__(self, world: World, wake: Any) -> None:
        self.world = world
        self._wake = wake
        self._task: asyncio.Task[None] | None = None
        self.stopping = False

    def ensure_running(self) -> None:
        """Start delivering (call on the server's loop after setWebhook)."""
        if self.world.webhook is not None and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._run(), name="webhooks")

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not self.stopping:
                wake = self._wake()
                hook, update = self.world.next_webhook_update()
                if hook is None:
                    return  # deleted: setWebhook starts a new run
                if update is None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), 1.0)
                    continue
                delivery = await self._post(session, hook, update)
                self.world.webhook_delivered(update, delivery)
                if not delivery.ok:
                    await asyncio.sleep(RETRY_WAIT)

    async def _post(
        self, session: aiohttp.ClientSession, hook: WebhookState, update: dict[str, Any]
    ) -> Delivery:
        headers = {"Content-Type": "application/json"}
        if hook.secret_token is not None:
            headers[SECRET_HEADER] = hook.secret_token
        update_id = int(update["update_id"])
        try:
            async with session.post(hook.url, data=json.dumps(update), headers=headers) as answer:
                await answer.read()
                status = answer.status
        except (aiohttp.ClientConnectorError, ConnectionError):
            return Delivery(update_id, hook.url, None, "Connection refused")
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return Delivery(update_id, hook.url, None, type(error).__name__)
        if 200 <= status < 300:
            return Delivery(update_id, hook.url, status)
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        return Delivery(
            update_id, hook.url, status, f"Wrong response from the webhook: {status} {phrase}"
        )
