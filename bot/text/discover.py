"""A web page's feeds: its ``<link rel="alternate">`` RSS, Atom and JSON Feed links (pure)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml import etree

from bot.domain import FeedCandidate

#: the link types of feeds, as pages declare them
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",  # JSON Feed's older type, honoured on rel=alternate only
        "text/xml",
        "application/xml",
    }
)
MAX_LINKS = 10  #: feeds offered from one page at most
#: characters of a page looked at: feed links sit in its head, and parsing a 10 MiB page
#: whole takes seconds
MAX_SCAN = 1_000_000


def looks_like_html(text: str) -> bool:
    """Whether a document that is not a feed is a web page worth looking into."""
    head = text.lstrip()[:2048].lower()
    return head.startswith(("<!doctype html", "<html")) or "<head" in head or "<link" in head


def feed_links(html: str, page_url: str) -> list[FeedCandidate]:
    """The feeds a page links to as alternates, in page order, without repeats."""
    parser = etree.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, collect_ids=False
    )
    root = etree.fromstring(html[:MAX_SCAN].encode("utf-8", "replace"), parser)
    if root is None:
        return []
    base = page_url
    for element in root.iter("base"):
        if href := (element.get("href") or "").strip():
            base = _join(page_url, href) or page_url
        break
    found: dict[str, FeedCandidate] = {}
    for element in root.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").split(";")[0].strip().lower()
        href = (element.get("href") or "").strip()
        if "alternate" not in rel or kind not in FEED_TYPES or not href:
            continue
        url = _join(base, href)
        if url is not None and url not in found:
            found[url] = FeedCandidate(url, " ".join((element.get("title") or "").split()))
        if len(found) >= MAX_LINKS:
            break
    return list(found.values())


def _join(base: str, href: str) -> str | None:
    """``href`` made absolute; None unless it is http(s)."""
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None
