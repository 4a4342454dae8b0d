"""A small JSON control API under ``/_fake/`` so another process can drive the harness.

Benchmarks that run the fake with ``python -m tests.fakebotapi`` use it to register chats,
play users and read what the bot sent. Every endpoint maps onto one :class:`FakeBotAPI`
method with the same keyword names:

=====================================  ============================================
``POST /_fake/private_chat``           ``add_private_chat(user_id, first_name, username)``
``POST /_fake/group``                  ``add_group(chat_id, title, admins, ...)``
``POST /_fake/channel``                ``add_channel(chat_id, username, title, admins)``
``POST /_fake/user_sends``             ``user_sends(...)`` -> the update
``POST /_fake/user_presses``           ``user_presses(...)`` -> ``{"callback_query_id"}``
``POST /_fake/block`` / ``unblock``    ``block_chat(chat_id, description)`` / ``unblock_chat``
``POST /_fake/migrate``                ``migrate_group(old_id, new_id)``
``POST /_fake/limits``                 ``set_limits(enabled, ...)``
``POST /_fake/fail``                   ``fail(status, times, seconds, chat_id, methods, ...)``
``POST /_fake/drop_connections``       ``drop_connections(times, seconds, chat_id, ...)``
``POST /_fake/clear_faults``           ``clear_faults()``
``GET /_fake/messages?chat_id=N``      ``messages(N)``
``GET /_fake/sent_log``                ``sent_log()``
``GET /_fake/answers``                 ``answers()``
``GET /_fake/calls?method=M``          ``calls(M)`` (params included)
``GET /_fake/stats``                   counts of sends, refusals by code, pending updates
=====================================  ============================================

Answers are ``{"ok": true, "result": ...}``; a bad request is ``{"ok": false, "error": ...}``
with status 400.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .harness import FakeBotAPI

__all__ = ["control_routes"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _ok(result: Any) -> web.Response:
    body = json.dumps({"ok": True, "result": _plain(result)}, ensure_ascii=False)
    return web.Response(text=body, content_type="application/json")


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _refused(error: Exception) -> web.Response:
    text = json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"})
    return web.Response(status=400, text=text, content_type="application/json")


def _post(action: Callable[..., Any]) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json() if request.can_read_body else {}
            return _ok(action(**body))
        except (TypeError, ValueError, KeyError) as error:
            return _refused(error)

    return handler


def _get(action: Callable[[web.Request], Any]) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        try:
            return _ok(action(request))
        except (TypeError, ValueError, KeyError) as error:
            return _refused(error)

    return handler


def _stats(api: FakeBotAPI) -> dict[str, Any]:
    log = api.sent_log()
    return {
        "accepted": Counter(e.method for e in log if e.ok),
        "refused": Counter(str(e.error_code) for e in log if not e.ok),
        "pending_updates": len(api.pending_updates()),
        "answers": len(api.answers()),
    }


def control_routes(api: FakeBotAPI) -> list[web.RouteDef]:
    """The ``/_fake/`` routes bound to one harness."""
    return [
        web.post("/_fake/private_chat", _post(api.add_private_chat)),
        web.post("/_fake/group", _post(api.add_group)),
        web.post("/_fake/channel", _post(api.add_channel)),
        web.post("/_fake/user_sends", _post(api.user_sends)),
        web.post(
            "/_fake/user_presses",
            _post(lambda **kw: {"callback_query_id": api.user_presses(**kw)}),
        ),
        web.post("/_fake/block", _post(api.block_chat)),
        web.post("/_fake/unblock", _post(api.unblock_chat)),
        web.post("/_fake/migrate", _post(api.migrate_group)),
        web.post("/_fake/limits", _post(api.set_limits)),
        web.post("/_fake/fail", _post(api.fail)),
        web.post("/_fake/drop_connections", _post(api.drop_connections)),
        web.post("/_fake/clear_faults", _post(api.clear_faults)),
        web.get("/_fake/messages", _get(lambda r: api.messages(int(r.query["chat_id"])))),
        web.get("/_fake/sent_log", _get(lambda r: api.sent_log())),
        web.get("/_fake/answers", _get(lambda r: api.answers())),
        web.get("/_fake/calls", _get(lambda r: api.calls(r.query.get("method")))),
        web.get("/_fake/stats", _get(lambda r: _stats(api))),
    ]
