"""Which proxy each feed is fetched through: ``polling.proxy``, or a feed's own (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: a feed's ``proxy: direct``: no proxy for it, whatever ``polling.proxy`` says
DIRECT = "direct"


@dataclass(frozen=True, slots=True)
class ProxyRoutes:
    """``default`` (None: direct) for every feed but those in ``per_feed`` (feed URL ->
    a proxy URL, or :data:`DIRECT`). Redirects keep the route of the URL asked for."""

    default: str | None = None
    per_feed: Mapping[str, str] = field(default_factory=dict)

    def for_url(self, url: str) -> str | None:
        """The proxy URL for a fetch of ``url``; None for a direct connection."""
        chosen = self.per_feed.get(url, self.default)
        return None if chosen == DIRECT else chosen

    def proxies(self) -> list[str | None]:
        """Every route in use (None: direct), the default first: one client each."""
        found = [self.default, *(None if p == DIRECT else p for p in self.per_feed.values())]
        return list(dict.fromkeys(found))


def proxy_address(proxy: str) -> str:
    """``scheme://host:port`` of a proxy URL: what an error may show (no credentials)."""
    parts = urlsplit(proxy)
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{parts.port}"
