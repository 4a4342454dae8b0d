"""OPML subscription lists in and out (lxml; no entities expanded, nothing fetched). Pure."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from lxml import etree

from bot.domain import distinct_topics

MAX_BYTES = 1024 * 1024  #: the largest OPML document read
MAX_OUTLINES = 5000  #: feeds read from one document at most


class OpmlError(ValueError):
    """Not an OPML document; ``str(error)`` says why, on one line."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str  #: "" when the outline has none
    topics: tuple[str, ...]  #: from its category attribute and its folders


@dataclass(frozen=True, slots=True)
class OpmlRead:
    feeds: tuple[OpmlFeed, ...]
    invalid: tuple[str, ...]  #: one line for each outline that could not be taken


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )


def read_opml(data: bytes) -> OpmlRead:
    if len(data) > MAX_BYTES:
        raise OpmlError(f"larger than {MAX_BYTES // 1024} KiB")
    if _declares_entities(data):
        # resolve_entities=False keeps external entities out, but libxml2 still expands
        # internal ones inside attribute values: a document that declares any is refused
        raise OpmlError("it declares XML entities, which OPML does not need")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise OpmlError(f"not an XML document ({error.msg})") from None
    if not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        raise OpmlError("not an OPML document (no <opml> root)")
    body = next((child for child in root if _name(child) == "body"), None)
    if body is None:
        raise OpmlError("an OPML document without a <body>")
    return _outlines(body)


def _declares_entities(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "<!ENTITY" in data.decode("utf-16", "replace").upper()
    return b"<!ENTITY" in data.upper()


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""


def _attr(element: etree._Element, name: str) -> str:
    for key, value in element.attrib.items():
        if str(key).lower() == name.lower():
            return " ".join(str(value).split())
    return ""


def _outlines(body: etree._Element) -> OpmlRead:
    """Every feed outline in document order; folders (outlines without xmlUrl) give their
    title to the feeds inside them as a topic."""
    feeds: dict[str, OpmlFeed] = {}
    invalid: list[str] = []
    stack: list[tuple[Iterator[etree._Element], tuple[str, ...]]] = [(iter(body), ())]
    while stack:
        children, folders = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        if _name(child) != "outline":
            continue
        url = _attr(child, "xmlUrl")
        title = _attr(child, "title") or _attr(child, "text")
        if not url:
            stack.append((iter(child), (*folders, title) if title else folders))
        elif not _http(url):
            invalid.append(f"{title or url}: {url} is not an http(s) URL")
        elif len(feeds) >= MAX_OUTLINES:
            invalid.append(f"{title or url}: more than {MAX_OUTLINES} feeds, not read")
        elif url not in feeds:
            topics = _topics([*folders, *_categories(_attr(child, "category"))])
            feeds[url] = OpmlFeed(url, title, topics)
    return OpmlRead(tuple(feeds.values()), tuple(invalid))


def _categories(value: str) -> list[str]:
    """``/Tech/Python,ml`` -> Tech, Python, ml (comma-separated slash paths)."""
    return [part for path in value.split(",") for part in path.split("/") if part.strip()]


def _topics(names: Sequence[str]) -> tuple[str, ...]:
    return distinct_topics(names)[:10]


def _http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def write_opml(feeds: Sequence[OpmlFeed], title: str, now: datetime) -> bytes:
    """An OPML 2.0 document of ``feeds`` (topics as the category attribute)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now, usegmt=True)
    body = etree.SubElement(root, "body")
    for feed in feeds:
        outline = etree.SubElement(body, "outline", type="rss", xmlUrl=feed.url)
        outline.set("text", feed.title or feed.url)
        outline.set("title", feed.title or feed.url)
        if feed.topics:
            outline.set("category", ",".join(feed.topics))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
