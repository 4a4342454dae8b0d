"""The HTTP side: routing ``/bot<token>/<method>``, reading parameters, long polling.

Requests are handled on one event loop; each Bot API method runs synchronously under the
world's lock (no thread hops), so a request costs a dictionary lookup, the method and one
JSON encode. The token never appears in a log, a record or an error body.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from .errors import ApiError
from .faults import DROPPED, Fault
from .files import as_upload, download_route
from .methods import METHODS
from .params import Params, normalize
from .records import ApiCall, LogEntry
from .state import World
from .webhooks import WebhookDeliverer, refuse_get_updates

__all__ = ["FakeServer"]

_LOG = logging.getLogger(__name__)
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_BY_LOWER_NAME = {name.lower(): name for name in [*METHODS, "getUpdates"]}
DELIVERY_METHODS = frozenset(
    {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup", "deleteMessage"}
)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
NOT_FOUND = ApiError(404, "Not Found")
UNAUTHORIZED = ApiError(401, "Unauthorized")


def respond(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
    )


def respond_error(error: ApiError) -> web.Response:
    return respond(error.payload(), error.code)


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query string, then a JSON, urlencoded or multipart body, normalised."""
    values: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON object expected")
            values.update(body)
        else:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    value = as_upload(value)  # sendDocument reads it (files.py)
                values[name] = value
    return normalize(values)


class FakeServer:
    """An aiohttp application serving the Bot API from a :class:`World`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.stopping = False
        self.poll_generation = 0
        self.internal_errors: list[str] = []
        self.waiting_polls = 0
        self._wake: asyncio.Event | None = None
        self.webhooks = WebhookDeliverer(world, self.current_wake)

    def application(self, extra_routes: Iterable[web.RouteDef] = ()) -> web.Application:
        """The app: ``extra_routes`` first, then everything else as Bot API paths."""
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.add_routes([*extra_routes, download_route(self.world)])
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    def reset(self) -> None:
        """Forget the previous run's loop state (the server can be started again)."""
        self.stopping = False
        self._wake = None
        self.webhooks = WebhookDeliverer(self.world, self.current_wake)

    # -- waking long polls -----------------------------------------------------------------

    def wake_pollers(self) -> None:
        """Let every waiting ``getUpdates`` look again (call on the server's loop)."""
        if self._wake is not None:
            self._wake.set()
        self._wake = asyncio.Event()

    def current_wake(self) -> asyncio.Event:
        if self._wake is None:
            self._wake = asyncio.Event()
        return self._wake

    # -- routing ---------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        parts = request.path.split("/")
        if len(parts) != 3 or not parts[1].startswith("bot"):
            return respond_error(NOT_FOUND)
        token, method_name = parts[1][3:], parts[2]
        if not _TOKEN_SHAPE.fullmatch(token):
            return respond_error(NOT_FOUND)
        if token != self.world.token:
            return respond_error(UNAUTHORIZED)
        method = _BY_LOWER_NAME.get(method_name.lower())
        try:
            values = await read_params(request)
        except ApiError as error:
            return respond_error(error)
        if method is None:
            self.record(method_name, values, NOT_FOUND)
            return respond_error(NOT_FOUND)
        fault = self.world.take_fault(method, values)
        if fault is not None:
            return await self.fail(request, method, values, fault)
        return await self.call(method, values)

    async def fail(
        self, request: web.Request, method: str, values: dict[str, Any], fault: Fault
    ) -> web.Response:
        """An injected fault: the call does nothing; a 5xx, or the connection closes."""
        if fault.delay:
            await asyncio.sleep(fault.delay)
        error = fault.error()
        if error is not None:
            self.record(method, values, error)
            return respond_error(error)
        self.record(method, values, ApiError(0, DROPPED))
        if request.transport is not None:
            request.transport.close()  # the client sees the server disconnect, no answer
        return web.Response(status=500)

    async def call(self, method: str, values: dict[str, Any]) -> web.Response:
        params = Params(values)
        outcome: Any
        try:
            if method == "getUpdates":
                outcome = await self.get_updates(params)
            else:
                with self.world.lock:
                    outcome = METHODS[method](self.world, params)
                if method == "setWebhook":
                    self.webhooks.ensure_running()
        except ApiError as error:
            outcome = error
        except Exception as error:  # a bug in the fake: answer 500 and remember it
            _LOG.exception("fake Bot API failed in %s", method)
            self.internal_errors.append(f"{method}: {error!r}")
            outcome = ApiError(500, "Internal Server Error")
        self.record(method, values, outcome)
        if isinstance(outcome, ApiError):
            return respond_error(outcome)
        return respond({"ok": True, "result": outcome})

    def record(self, method: str, values: dict[str, Any], outcome: Any) -> None:
        failed = outcome if isinstance(outcome, ApiError) else None
        now = self.world.clock()
        self.world.log_call(
            ApiCall(
                method=method,
                params=values,
                at=now,
                ok=failed is None,
                error_code=(failed.code or None) if failed else None,  # 0: dropped
                description=failed.description if failed else None,
            )
        )
        if method in DELIVERY_METHODS:
            self.world.log_delivery(delivery_entry(method, values, outcome, now))

    # -- long polling ----------------------------------------------------------------------

    async def get_updates(self, p: Params) -> list[dict[str, Any]]:
        offset = p.integer("offset")
        limit = min(max(p.integer("limit", default=100) or 100, 1), 100)
        timeout = max(p.integer("timeout", default=0) or 0, 0)
        allowed = p.raw("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise ApiError(400, "Bad Request: can't parse allowed updates JSON array")
        with self.world.lock:
            refuse_get_updates(self.world)
        self.poll_generation += 1
        generation = self.poll_generation
        self.wake_pollers()  # an older poll still waiting now ends with 409
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            wake = self.current_wake()
            if generation != self.poll_generation:
                raise ApiError(409, CONFLICT)
            with self.world.lock:
                refuse_get_updates(self.world)  # a webhook set while this poll waited
            updates = self.world.take_updates(offset, limit, allowed)
            remaining = deadline - asyncio.get_running_loop().time()
            if updates or self.stopping or remaining <= 0:
                return updates
            await self.wait_for_wake(wake, remaining)

    async def wait_for_wake(self, wake: asyncio.Event, seconds: float) -> None:
        """Sleep until woken or ``seconds`` pass, counted in ``waiting_polls``."""
        with self.world.lock:
            self.waiting_polls += 1
            self.world.touch()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), seconds)
        finally:
            with self.world.lock:
                self.waiting_polls -= 1
                self.world.touch()


def delivery_entry(method: str, values: dict[str, Any], outcome: Any, now: float) -> LogEntry:
    """The :class:`LogEntry` for one send, edit or delete."""
    chat_id = values.get("chat_id")
    if isinstance(outcome, ApiError):
        retry = (outcome.parameters or {}).get("retry_after")
        message_id = values.get("message_id")
        return LogEntry(
            method=method,
            chat_id=chat_id,
            ok=False,
            at=now,
            wall=time.time(),
            message_id=message_id if isinstance(message_id, int) else None,
            error_code=outcome.code or None,  # 0: the connection was dropped
            description=outcome.description,
            retry_after=retry,
        )
    if isinstance(outcome, dict):
        chat_id = outcome["chat"]["id"]
        message_id = outcome["message_id"]
    else:
        message_id = values.get("message_id")
    return LogEntry(method, chat_id, True, now, time.time(), message_id=message_id)
