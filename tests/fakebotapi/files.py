"""Documents: a user sends a file, the bot fetches it (getFile, then /file/bot<token>/<path>)
and sends files back (sendDocument, multipart), as the real server does."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import ApiError, bad_request
from .params import Params
from .records import SentMessage
from .state import StoredMessage, World, retry_error

__all__ = ["MAX_DOWNLOAD", "Upload", "download_route", "get_file", "send_document", "user_document"]

MAX_DOWNLOAD = 20 * 1024 * 1024  #: the Bot API serves files up to 20 MB
_ids = itertools.count(1)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    unique_id: str
    path: str
    data: bytes
    name: str
    mime_type: str

    def api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.unique_id,
            "file_name": self.name,
            "mime_type": self.mime_type,
            "file_size": len(self.data),
        }


def files(world: World) -> dict[str, StoredFile]:
    store: dict[str, StoredFile] | None = getattr(world, "files", None)
    if store is None:
        store = {}
        world.files = store  # type: ignore[attr-defined]
    return store


def store_file(world: World, data: bytes, name: str, mime_type: str) -> StoredFile:
    number = next(_ids)
    stored = StoredFile(
        file_id=f"BQACAgIAAx{number:08d}",
        unique_id=f"AgAD{number:06d}",
        path=f"documents/file_{number}{'.' + name.rsplit('.', 1)[1] if '.' in name else ''}",
        data=data,
        name=name,
        mime_type=mime_type,
    )
    files(world)[stored.file_id] = stored
    return stored


def user_document(
    world: World, chat_id: int, user_id: int, name: str, data: bytes, mime_type: str
) -> dict[str, Any]:
    """Queue a user's document message; returns a copy of the update."""
    with world.lock:
        chat = world.chat_for_user(chat_id, user_id)
        stored = store_file(world, data, name, mime_type)
        message: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "chat": chat.api(),
            "date": int(time.time()),
            "from": dict(world.user(user_id)),
            "document": stored.api(),
        }
        chat.members.add(user_id)
        chat.messages[message["message_id"]] = StoredMessage(message["message_id"], api=message)
        return world.queue_update("message", message)


def get_file(world: World, p: Params) -> Any:
    file_id = p.text("file_id", missing="file_id is empty")
    stored = files(world).get(file_id or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.unique_id,
        "file_size": len(stored.data),
        "file_path": stored.path,
    }


def send_document(world: World, p: Params) -> Any:
    chat = world.resolve(p.chat_id())
    world.check_writable(chat)
    document = p.raw("document")
    if isinstance(document, str) and document.startswith("attach://"):
        document = p.raw(document.removeprefix("attach://"))
    if not isinstance(document, Upload):
        raise bad_request("wrong file identifier/HTTP URL specified")
    if not document.data:
        raise bad_request("file must be non-empty")
    retry_after = world.limiter.admit_send(chat.id, chat.is_group_like, world.clock())
    if retry_after is not None:
        raise retry_error(retry_after)
    stored = store_file(world, document.data, document.filename, document.content_type)
    caption = p.text("caption") or ""
    sent = SentMessage(
        chat_id=chat.id,
        message_id=chat.next_message_id(),
        text=caption,
        plain_text=caption,
        entities=(),
        parse_mode=p.text("parse_mode"),
        reply_markup=None,
        date=int(time.time()),
        document=stored.api(),
    )
    world.store_bot_message(chat, sent)
    body = world.bot_message_api(chat, sent)
    body.pop("text", None)
    body["caption"] = caption
    body["document"] = stored.api()
    return body


def file_bytes(world: World, file_id: str) -> bytes:
    with world.lock:
        return files(world)[file_id].data


def download_route(world: World) -> web.RouteDef:
    """``GET /file/bot<token>/<path>``: the file's bytes."""

    async def download(request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != world.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        with world.lock:
            found = next((f for f in files(world).values() if f.path == path), None)
        if found is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=found.data, content_type="application/octet-stream")

    return web.get("/file/bot{token}/{path:.+}", download)


def as_upload(field: web.FileField) -> Upload:
    data = field.file.read()
    if not isinstance(data, bytes):
        raise ApiError(400, "Bad Request: file part unreadable")
    return Upload(field.filename, field.content_type, data)
