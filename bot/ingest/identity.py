"""Entry identity: the stable key of an entry within its feed, its aliases, and dedupe.

:func:`entry_key`: guid/id, else the normalised link, else a hash of title and text, each
with a kind prefix (``id:``, ``link:``, ``hash:``) so that the kinds cannot collide. Broken
feeds reuse one guid for several articles, or link every item to one page with different
#fragments. Keys must still be stable from fetch to fetch, so an entry's key is made only of
the entry itself, never of its position (see :func:`dedupe`): the plain key when no other
article of the document has it, else the plain key with the full link (``dup-link:``), else
with the content hash (``dup-hash:``). An entry also carries its other candidate keys as
``aliases``; :func:`bot.ingest.diff.settle_keys` keeps an entry on the row it was stored
under when another entry starts (or stops) sharing its guid. The same article listed twice
(same plain key and content) is kept once. Entries with neither title, link nor text
(debris of broken markup) are dropped: there is nothing to show.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from bot.domain import ParsedEntry

__all__ = [
    "MAX_KEY_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS",
    "Draft",
    "content_hash",
    "dedupe",
    "entry_key",
    "normalise_link",
]

#: Stored text is cut here; the content hash covers the whole text.
MAX_TEXT_CHARS = 4000
#: Stored titles are cut here (a title is a line, and some feeds put whole posts in it).
MAX_TITLE_CHARS = 500
#: Keys longer than this are replaced by a hash (they are database keys, not prose).
MAX_KEY_CHARS = 512

# Query parameters that only say where a click came from; dropping them makes the same
# article reached through a newsletter and through the site compare equal.
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_hsenc"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def entry_key(guid: str | None, link: str | None, title: str, text: str) -> str:
    """Stable identity of an entry within its feed (see the module docstring)."""
    if guid is not None and guid.strip():
        return _bounded_key("id", guid.strip())
    if link is not None and link.strip():
        return _bounded_key("link", normalise_link(link))
    return "hash:" + _sha256_of(title, text)


def normalise_link(link: str) -> str:
    """Canonical form of a URL for comparing entries: case-insensitive scheme and host,
    no default port, no fragment, no tracking parameters; path and query order kept."""
    link = link.strip()
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError:  # e.g. an unbalanced IPv6 bracket: compare it as written
        return link
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host:
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if userinfo else "") + host
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc += f":{port}"
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, _strip_tracking(parts.query), ""))


def content_hash(title: str, link: str | None, text: str) -> str:
    """Hash of what a reader sees, to notice edits (computed on the full text)."""
    return _sha256_of(title, link or "", text)


def _sha256_of(*parts: str) -> str:
    # JSON keeps the parts apart unambiguously, whatever characters they contain.
    encoded = json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(encoded).hexdigest()


def _bounded_key(kind: str, value: str) -> str:
    key = f"{kind}:{value}"
    if len(key) <= MAX_KEY_CHARS:
        return key
    # A distinct kind ("id-sha256:"), so a hashed key can never equal a literal one.
    return f"{kind}-sha256:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


def _strip_tracking(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        name = pair.partition("=")[0].lower()
        if pair and not name.startswith("utm_") and name not in _TRACKING_PARAMS:
            kept.append(pair)
    return "&".join(kept)


@dataclass(frozen=True, slots=True)
class Draft:
    """An entry before its key is settled; ``text`` is the full text, not yet capped."""

    guid: str | None
    title: str
    link: str | None
    published: datetime | None
    text: str
    categories: tuple[str, ...]

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.link, self.text)

    @property
    def plain_key(self) -> str:
        return entry_key(self.guid, self.link, self.title, self.text)

    def candidate_keys(
        self, plain: str | None = None, digest: str | None = None
    ) -> tuple[str, ...]:
        """Keys in order of preference, each made only of the entry itself: its plain key,
        then that key with the full link (fragment kept), then with the content hash.
        ``plain`` and ``digest``: :attr:`plain_key` and :attr:`content_hash` when known."""
        plain = self.plain_key if plain is None else plain
        digest = self.content_hash if digest is None else digest
        with_link = (f"dup-link:{_sha256_of(plain, _link_identity(self.link))}",)
        return (
            plain,
            *(with_link if self.link else ()),
            f"dup-hash:{_sha256_of(plain, digest)}",
        )

    def legacy_keys(self, plain: str | None = None) -> tuple[str, ...]:
        """The fallbacks earlier versions handed out to duplicates by document position."""
        plain = self.plain_key if plain is None else plain
        by_link = (_bounded_key("link", normalise_link(self.link)),) if self.link else ()
        legacy = (*by_link, "hash:" + _sha256_of(self.title, self.text))
        return tuple(key for key in legacy if key != plain)

    def finish(self, key: str, digest: str, aliases: tuple[str, ...]) -> ParsedEntry:
        return ParsedEntry(
            key=key,
            title=self.title[:MAX_TITLE_CHARS],
            link=self.link,
            published=self.published,
            text=self.text[:MAX_TEXT_CHARS],  # str slicing is per code point: never mid-character
            categories=self.categories,
            content_hash=digest,
            aliases=aliases,
        )


def _link_identity(link: str | None) -> str:
    """The normalised link with its fragment: "day#a1" and "day#a2" are different items."""
    if not link:
        return ""
    fragment = link.partition("#")[2]
    return normalise_link(link) + (f"#{fragment}" if fragment else "")


def dedupe(drafts: Iterable[Draft]) -> tuple[ParsedEntry, ...]:
    """Settle keys (see the module docstring): never by position, so that an entry keeps
    its key when others are added or removed around it in later fetches."""
    # Each hash is computed once per draft: over full texts they are most of the cost.
    articles: dict[tuple[str, str], Draft] = {}  # (plain key, content hash) -> draft
    for draft in drafts:
        if draft.title or draft.link or draft.text:  # else debris of broken markup
            articles.setdefault((draft.plain_key, draft.content_hash), draft)  # first listing
    candidates = [
        (draft, plain, digest, draft.candidate_keys(plain, digest))
        for (plain, digest), draft in articles.items()
    ]
    holders = Counter(key for *_, keys in candidates for key in keys)
    entries = []
    for draft, plain, digest, keys in candidates:
        # The "dup-hash:" key (last) is unique: (plain key, content hash) is per article.
        key = next(k for k in keys if holders[k] == 1)
        legacy = draft.legacy_keys(plain)
        aliases = tuple(k for k in dict.fromkeys((*keys, *legacy)) if k != key)
        entries.append(draft.finish(key, digest, aliases))
    return tuple(entries)
