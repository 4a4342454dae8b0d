"""Calls the scripts make to the fake Bot API's control API (``tests/fakebotapi``'s ``/_fake``)."""

from __future__ import annotations

from typing import Any

import httpx


def control(base: str, method: str, path: str, **body: Any) -> Any:
    """One call to the fake's control API (``/_fake/<path>``): its ``result``."""
    response = httpx.request(method, f"{base}/_fake/{path}", json=body or None, timeout=60)
    response.raise_for_status()
    return response.json()["result"]


def register_chats(base: str, ids: list[int]) -> None:
    """Make each id a private chat the fake knows (the bot's sends to it are accepted)."""
    with httpx.Client(timeout=60) as client:
        for tg_id in ids:
            client.post(
                f"{base}/_fake/private_chat", json={"user_id": tg_id, "first_name": f"R{tg_id}"}
            ).raise_for_status()


def accepted(base: str, method: str) -> int:
    """How many calls of ``method`` the fake has accepted so far."""
    return int(control(base, "GET", "stats")["accepted"].get(method, 0))
