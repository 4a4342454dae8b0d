"""Bytes + response headers -> :class:`ParsedFeed` (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed).

The only module that imports feedparser. Parsing is pure CPU and blocking, so the event
loop calls :func:`parse_in_thread`.

Decoding is ours, not feedparser's (see :func:`_decode`): feedparser falls back to a
single-byte charset for the whole document as soon as one character is outside the
declared one, so a Shift_JIS feed with a "①" or a Big5 feed with an HKSCS character comes
out as mojibake from end to end; it also cannot read BOM-less UTF-16, and keeps UTF-8
that was encoded twice ("fÃ¼r"). We decode with the supersets real documents use and
hand feedparser UTF-8 with a matching declaration and header, so it never has to guess.

Entry identity (:func:`entry_key`): guid/id, else the normalised link, else a hash of
title and text, each with a kind prefix (``id:``, ``link:``, ``hash:``) so that the kinds
cannot collide. Broken feeds reuse one guid for several articles, or link every item to
one page with different #fragments. Keys must still be stable from fetch to fetch, so an
entry's key is made only of the entry itself, never of its position (see :func:`_dedupe`):
the plain key when no other article of the document has it, else the plain key with the
full link (``dup-link:``), else with the content hash (``dup-hash:``). An entry also carries
its other candidate keys as ``aliases``; :func:`bot.diff.settle_keys` keeps an entry on the
row it was stored under when another entry starts (or stops) sharing its guid. The same
article listed twice (same plain key and content) is kept once. Entries with neither title,
link nor text (debris of broken markup) are dropped: there is nothing to show. Relative ids
are kept as written, never resolved against the feed's URL (see ``_PLACEHOLDER_ORIGIN``),
so keys survive a feed moving to another URL.
"""

from __future__ import annotations

import asyncio
import codecs
import concurrent.futures
import hashlib
import html
import io
import json
import posixpath
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser

from bot.domain import NotAFeedError, ParsedEntry, ParsedFeed, normalise_topic
from bot.text import html_to_text, plain_to_text

#: Stored text is cut here; the content hash covers the whole text.
MAX_TEXT_CHARS = 4000
#: Categories kept per entry (feeds sometimes carry dozens of SEO tags).
MAX_CATEGORIES = 20
#: Keys longer than this are replaced by a hash (they are database keys, not prose).
MAX_KEY_CHARS = 512
#: A gzip body without Content-Encoding is unpacked up to this size.
MAX_GUNZIPPED_BYTES = 32 * 1024 * 1024

# Query parameters that only say where a click came from; dropping them makes the same
# article reached through a newsletter and through the site compare equal.
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_hsenc"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Declared charsets -> codecs to try in order: the supersets that real documents labelled
# with the narrow name actually use (and WHATWG's reading of Latin-1/ASCII as cp1252).
_SUPERSETS: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "shift_jis": ("cp932",),
    "big5": ("cp950", "big5hkscs"),
    "euc_jp": ("euc_jp", "euc_jis_2004"),
    "euc_kr": ("cp949",),
    "iso8859-1": ("cp1252",),
    "ascii": ("cp1252",),
    "iso8859-9": ("cp1254",),
    "iso8859-11": ("cp874",),
    "tis-620": ("cp874",),
}

# Web labels (WHATWG) that Python's codec registry does not know.
_LABEL_ALIASES = {
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "x-euc-jp": "euc_jp",
    "cseucpkdfmtjapanese": "euc_jp",
    "x-gbk": "gbk",
    "gb_2312-80": "gb2312",
    "csgb2312": "gb2312",
    "x-x-big5": "big5",
    "cn-big5": "big5",
    "windows-949": "cp949",
    "windows-874": "cp874",
    "x-cp1251": "cp1251",
    "x-cp1252": "cp1252",
    "x-mac-roman": "mac_roman",
    "x-mac-cyrillic": "mac_cyrillic",
    "iso-8859-8-i": "iso8859-8",
    "unicode-1-1-utf-8": "utf-8",
}

_CHARSET_PARAM = re.compile(rb"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_XML_DECL_ENCODING = re.compile(
    rb"\A\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE
)
_XML_DECL_ENCODING_TEXT = re.compile(
    r"\A(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)([\"'])[^\"']*\2", re.IGNORECASE
)
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html\b|html\b|head\b|body\b)",
    re.IGNORECASE | re.DOTALL,
)
# Declaration, comments, processing instructions, doctype: what precedes the root element.
_PROLOG = re.compile(r"\A\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<![^>]*>\s*)*", re.DOTALL)
_ROOT_ELEMENT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# NUL and lone surrogates: PostgreSQL rejects them in text columns (one such character in a
# guid would fail the feed's whole write), and they mean nothing to a reader.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
# A character reference left in text that is already plain: the publisher escaped twice.
# Only complete references (with ";"), so "?a=1&not=2" in a URL stays as written.
_ENTITY_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


# --------------------------------------------------------------------------- public API


def parse_document(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """Parse one fetched document. Raises :class:`NotAFeedError` with a one-line reason."""
    header = {name.lower(): value for name, value in headers.items()}
    body = _gunzip_if_needed(body)
    text = _decode(body, header.get("content-type", ""))
    if not text.strip():
        raise NotAFeedError("not a feed: empty document")
    base = _base_uri(url, header.get("content-location"))
    if _looks_like_json(text, header.get("content-type", "")):
        return _parse_json_feed(text, base)
    return _parse_xml_feed(text, header, base)


def _base_uri(url: str, content_location: str | None) -> str:
    """What relative links are resolved against: Content-Location, else the feed's URL."""
    if not content_location:
        return url
    try:
        return urljoin(url, content_location.strip())
    except ValueError:  # a malformed header must not fail the parse
        return url


#: One thread parses, whatever the number of feeds fetched at once: parsing holds the GIL,
#: so more threads only take turns, and each one more contends with the event loop (which
#: then answers chats and writes to the database later). Measured in bench/poll_cycle.py.
_PARSE_THREAD = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse")


async def parse_in_thread(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """:func:`parse_document` in the parser's worker thread: a big feed blocks for a while."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_PARSE_THREAD, parse_document, body, headers, url)


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


# --------------------------------------------------------------------------- keys


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
class _Draft:
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

    def candidate_keys(self) -> tuple[str, ...]:
        """Keys in order of preference, each made only of the entry itself: its plain key,
        then that key with the full link (fragment kept), then with the content hash."""
        plain = self.plain_key
        with_link = (f"dup-link:{_sha256_of(plain, _link_identity(self.link))}",)
        return (
            plain,
            *(with_link if self.link else ()),
            f"dup-hash:{_sha256_of(plain, self.content_hash)}",
        )

    def legacy_keys(self) -> tuple[str, ...]:
        """The fallbacks earlier versions handed out to duplicates by document position."""
        by_link = (_bounded_key("link", normalise_link(self.link)),) if self.link else ()
        legacy = (*by_link, "hash:" + _sha256_of(self.title, self.text))
        return tuple(key for key in legacy if key != self.plain_key)

    def finish(self, key: str, digest: str, aliases: tuple[str, ...]) -> ParsedEntry:
        return ParsedEntry(
            key=key,
            title=self.title,
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


def _dedupe(drafts: Iterable[_Draft]) -> tuple[ParsedEntry, ...]:
    """Settle keys (see the module docstring): never by position, so that an entry keeps
    its key when others are added or removed around it in later fetches."""
    articles: dict[tuple[str, str], _Draft] = {}  # (plain key, content hash) -> draft
    for draft in drafts:
        if draft.title or draft.link or draft.text:  # else debris of broken markup
            articles.setdefault((draft.plain_key, draft.content_hash), draft)  # first listing
    candidates = [(draft, draft.candidate_keys()) for draft in articles.values()]
    holders = Counter(key for _, keys in candidates for key in keys)
    entries = []
    for draft, keys in candidates:
        # The "dup-hash:" key (last) is unique: (plain key, content hash) is per article.
        key = next(k for k in keys if holders[k] == 1)
        aliases = tuple(k for k in dict.fromkeys((*keys, *draft.legacy_keys())) if k != key)
        entries.append(draft.finish(key, draft.content_hash, aliases))
    return tuple(entries)


# --------------------------------------------------------------------------- decoding


def _gunzip_if_needed(body: bytes) -> bytes:
    """Unpack a gzip body that arrived without Content-Encoding (a misconfigured server
    compressing twice); anything else passes unchanged."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        unpacked = inflater.decompress(body, MAX_GUNZIPPED_BYTES)
    except zlib.error as exc:
        raise NotAFeedError(f"not a feed: corrupt gzip data ({exc})") from None
    if inflater.unconsumed_tail:
        raise NotAFeedError("not a feed: gzip body unpacks to more than 32 MiB")
    return unpacked


def _decode(body: bytes, content_type: str) -> str:
    """Bytes -> text, choosing the encoding the way the document most likely meant it.

    1. A byte order mark, or the zero-byte pattern of BOM-less UTF-16/32, decides.
    2. A body with non-ASCII bytes that is valid UTF-8 is UTF-8, whatever is declared:
       legacy text is practically never valid UTF-8 by accident, while documents
       mislabelled by templates and servers are common. UTF-8 that was encoded twice
       is repaired (:func:`_undo_double_utf8`).
    3. Otherwise the declared charsets, see :func:`_decode_as_declared`.
    """
    unicode_codec = _unicode_codec_from_bytes(body)
    if unicode_codec is not None:
        text = body.decode(unicode_codec, errors="replace").lstrip("\ufeff")
        return _undo_double_utf8(text) if unicode_codec == "utf-8-sig" else text
    if not body.isascii():
        try:
            return _undo_double_utf8(body.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    return _decode_as_declared(body, content_type)


def _decode_as_declared(body: bytes, content_type: str) -> str:
    """The declared charsets (see :func:`_candidate_codecs`), each widened to the superset
    real documents use (gb2312 -> gb18030, ...), then UTF-8.

    If none decodes cleanly, the first that decodes more characters than it damages (a
    few corrupt bytes in a long GB18030 feed) wins, with U+FFFD for the damage; failing
    that, windows-1252 as browsers read it, which accepts any byte.
    """
    candidates = list(_candidate_codecs(body, content_type))
    for codec in candidates:
        try:
            return body.decode(codec)
        except UnicodeError:  # odd codecs ("idna", "utf-7") raise the base class
            continue
    for codec in candidates:
        try:
            text = body.decode(codec, errors="replace")
        except UnicodeError:
            continue
        damaged = text.count("\ufffd")
        non_ascii = sum(1 for char in text if char > "\x7f")
        if non_ascii - damaged > damaged:
            return text
    return body.decode("latin-1").translate(_LATIN1_TO_CP1252)


# Bytes 0x80-0x9F: Latin-1 character -> cp1252 character. latin-1 decoding + translate is
# the WHATWG windows-1252 decoder (the five bytes cp1252 leaves undefined stay C1
# controls); the inverse table recovers the bytes such a decoder read.
_LATIN1_TO_CP1252 = {
    b: bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_CP1252_TO_LATIN1 = {ord(char): chr(b) for b, char in _LATIN1_TO_CP1252.items()}
_BEYOND_CP1252 = re.compile("[\u2123-\U0010ffff]")  #: above cp1252's highest character
#: a UTF-8 lead byte and a continuation byte, as a cp1252 (or Latin-1) reader shows them
_DOUBLE_UTF8_PAIR = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf" + re.escape("".join(map(chr, _CP1252_TO_LATIN1))) + "]"
)


def _undo_double_utf8(text: str) -> str:
    """Repair a document that was UTF-8, read as cp1252 and saved as UTF-8 again
    ("fÃ¼r" for "für"). Only when the whole text maps back to valid UTF-8: genuine
    Latin-1 prose practically never does ("é" would need two continuation bytes after it).
    """
    if text.isascii() or _BEYOND_CP1252.search(text):  # max() would look at every character
        return text
    if _DOUBLE_UTF8_PAIR.search(text) is None:
        # Any non-ASCII UTF-8 needs a lead byte (C2-F4) followed by a continuation byte
        # (80-BF); read as cp1252 that is this pair. Without one the decode below fails
        # anyway; checking first skips translating whole (Latin-1) documents for nothing.
        return text
    try:
        return text.translate(_CP1252_TO_LATIN1).encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


def _unicode_codec_from_bytes(body: bytes) -> str | None:
    boms = (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, codec in boms:
        if body.startswith(bom):
            return codec
    # Without a BOM, an XML document starts with an ASCII character ('<' or a space)
    # whose zero bytes give the width and byte order away (XML 1.0, appendix F).
    if len(body) < 4:
        return None
    zeros = (body[0] == 0, body[1] == 0, body[2] == 0, body[3] == 0)
    return {
        (False, True, True, True): "utf-32-le",
        (True, True, True, False): "utf-32-be",
        (False, True, False, True): "utf-16-le",
        (True, False, True, False): "utf-16-be",
    }.get(zeros)


def _candidate_codecs(body: bytes, content_type: str) -> Iterator[str]:
    """The HTTP charset first for text/* and XML media types, where RFC 7303 makes it
    authoritative over the XML declaration (feedparser agrees); the declaration first for
    anything else (application/octet-stream, a missing type), whose charset means little."""
    declared = _XML_DECL_ENCODING.search(body[:1024])
    http = _CHARSET_PARAM.search(content_type.encode("latin-1", "replace"))
    seen: set[str] = set()
    for match in (http, declared) if _charset_is_authoritative(content_type) else (declared, http):
        if match is None:
            continue
        for codec in _widen(match.group(1).decode("ascii")):
            if codec not in seen:
                seen.add(codec)
                yield codec
    if "utf-8" not in seen:
        yield "utf-8"


def _charset_is_authoritative(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media.startswith("text/") or (
        media.startswith("application/") and (media.endswith("/xml") or media.endswith("+xml"))
    )


def _widen(label: str) -> tuple[str, ...]:
    """A charset label -> Python codecs to try; () for unknown or non-ASCII-based ones."""
    try:
        name = codecs.lookup(_LABEL_ALIASES.get(label.lower(), label)).name
        # UTF-16/32 or EBCDIC labels on a body that got here (no BOM, no zero bytes) are
        # wrong: the document is ASCII-based. This also rules out bytes-to-bytes codecs
        # ("base64"), which are registered under the same lookup.
        ascii_based = "<?xml".encode(name) == b"<?xml"
    except (LookupError, UnicodeError, ValueError):
        return ()
    return _SUPERSETS.get(name, (name,)) if ascii_based else ()


def _as_utf8_xml(text: str) -> bytes:
    """The decoded document as UTF-8 with an XML declaration that says so.

    Whitespace before the declaration (a common PHP slip) is dropped: expat rejects it,
    and feedparser's fallback parser for rejected documents is slower and looser.
    """
    stripped = text.lstrip()
    if stripped.startswith("<?xml"):
        text = _XML_DECL_ENCODING_TEXT.sub(r'\1"utf-8"', stripped, count=1)
    return text.encode("utf-8", errors="replace")


# --------------------------------------------------------------------------- XML feeds


# feedparser resolves relative ids as well as links against the base URI it is given. An
# id must not depend on where the feed was fetched from: when a feed moves (http -> https,
# a redirect) its entries would all look new. So feedparser gets a placeholder base (not
# '': with an empty base it scopes xml:base wrongly), its output is turned back into
# references (:func:`_unplace`), ids keep the reference as written, and links are resolved
# against the real base here. The placeholder's directory is deep and oddly named so that
# "../x" and "/x" references come back exactly.
_PLACEHOLDER_ORIGIN = "https://base.invalid"
_PLACEHOLDER_DIR = "/~p1/~p2/~p3/~p4/~p5/~p6/~p7/~p8/"


def _parse_xml_feed(text: str, header: Mapping[str, str], base: str) -> ParsedFeed:
    # Only what feedparser reads: the charset is ours now, the location is the placeholder.
    response_headers = {
        "content-type": "application/xml; charset=utf-8",
        "content-location": _PLACEHOLDER_ORIGIN + _PLACEHOLDER_DIR,
    }
    if "content-language" in header:
        response_headers["content-language"] = header["content-language"]
    parsed: Any = feedparser.parse(
        io.BytesIO(_as_utf8_xml(text)),
        response_headers=response_headers,
        sanitize_html=False,  # bot.text removes markup; the sanitiser is the slow part
        resolve_relative_uris=False,  # only for URIs inside content, which we drop
    )
    entries: list[Any] = list(parsed.get("entries") or [])
    if not parsed.get("version") and not entries:
        raise NotAFeedError(_why_not_a_feed(text, parsed.get("bozo_exception")))
    feed: Mapping[str, Any] = parsed.get("feed") or {}
    return ParsedFeed(
        title=_detail_text(feed.get("title_detail"), feed.get("title")),
        link=_absolute_link(_unplace(feed.get("link")), base),
        entries=_dedupe(_xml_draft(entry, base) for entry in entries),
    )


def _xml_draft(entry: Mapping[str, Any], base: str) -> _Draft:
    guid = _storable(_unplace(entry.get("id")))
    link = _unplace(entry.get("link"))
    if entry.get("guidislink") and link == guid and not _is_web_url(guid or ""):
        # feedparser takes an RSS guid for the link when there is no <link> (isPermaLink
        # defaults to true), but "post-42" resolved against the feed URL is a broken link.
        link = None
    return _Draft(
        guid=guid,
        title=_detail_text(entry.get("title_detail"), entry.get("title")),
        link=_absolute_link(link, base),
        published=_struct_time_to_utc(entry.get("published_parsed"))
        or _struct_time_to_utc(entry.get("updated_parsed")),
        text=_xml_entry_text(entry),
        categories=_topics(_tag_names(entry.get("tags"))),
    )


def _unplace(value: Any) -> str | None:
    """A URI feedparser resolved against the placeholder base -> the reference as written
    (up to dot-segments); any other string unchanged; None for a non-string."""
    if not isinstance(value, str):
        return None
    if not value.startswith(_PLACEHOLDER_ORIGIN + "/"):
        return value
    parts = urlsplit(value)
    path = parts.path
    if path.startswith(_PLACEHOLDER_DIR[:5]):  # a relative path: relative to the directory
        path = posixpath.relpath(path, _PLACEHOLDER_DIR) if path != _PLACEHOLDER_DIR else ""
        path += "/" if parts.path.endswith("/") and path else ""
    reference = path + (f"?{parts.query}" if parts.query else "")
    return reference + (f"#{parts.fragment}" if parts.fragment else "")


def _xml_entry_text(entry: Mapping[str, Any]) -> str:
    """The fullest body: rich content[] first, then plain content[], then the summary."""
    contents = [_mapping(c) for c in entry.get("content") or []]
    contents = [c for c in contents if _str_or_none(c.get("value"), strip=True)]
    rich = [c for c in contents if c.get("type") != "text/plain"]
    pool = rich or contents
    if pool:
        return _detail_text(max(pool, key=lambda c: len(str(c.get("value")))), None)
    return _detail_text(entry.get("summary_detail"), entry.get("summary"))


def _detail_text(detail: Any, value: Any) -> str:
    """A feedparser text construct -> plain text, honouring its declared type.

    An Atom ``type="text"`` construct (and an RSS title without markup) arrives as
    ``text/plain``: its ``<`` and ``&`` are literal characters, not markup. The plain
    ``value`` wins over ``detail["value"]``: feedparser can leave a nested element's text
    (``<image><title>``) in the detail while the value is the entry's own.
    """
    detail = _mapping(detail)
    raw = _str_or_none(value) or _str_or_none(detail.get("value")) or ""
    if not raw.strip():
        return ""
    kind = str(detail.get("type") or "text/html").lower()
    if "html" in kind or "xml" in kind:
        return html_to_text(raw)
    if kind.startswith("text/"):
        return _plain(raw)
    return ""  # base64 or other media inside a text construct: nothing to show


def _plain(raw: str) -> str:
    """Plain text -> display text. ``<`` stays literal ("a <b> c" is text, not markup), but
    complete character references are decoded: in a plain-text field they only appear
    when the publisher escaped twice ("&lt;DVD>", "&#8216;Jokes&#8217;"), which is far
    more common than a title that really means to show "&amp;"."""
    if "&" in raw:
        raw = _ENTITY_REF.sub(lambda m: html.unescape(m.group()), raw)
    return plain_to_text(raw)


def _tag_names(tags: Any) -> Iterator[str]:
    for tag in tags or []:
        tag = _mapping(tag)
        name = _str_or_none(tag.get("label"), strip=True) or _str_or_none(tag.get("term"))
        if name:
            yield name


def _why_not_a_feed(text: str, problem: Any) -> str:
    head = text.lstrip("\ufeff")[:4096]
    if len(_CONTROL_CHARS.findall(head[:1024])) > 8:
        return "not a feed: binary data"
    if _HTML_START.match(head):
        return "not a feed: looks like an HTML page"
    if "<" not in head:
        return "not a feed: plain text, no RSS, Atom or JSON Feed markup"
    root = _first_element(head)
    if root is not None:
        return f"not a feed: unknown XML document <{root}>"
    if problem is not None:
        return _one_line(f"not a feed: unreadable document ({problem})")
    return "not a feed: no RSS, Atom or JSON Feed content found"


def _first_element(head: str) -> str | None:
    prolog = _PROLOG.match(head)
    match = _ROOT_ELEMENT.match(head, prolog.end() if prolog else 0)
    return match.group(1) if match else None


# --------------------------------------------------------------------------- JSON Feed


def _looks_like_json(text: str, content_type: str) -> bool:
    start = text.lstrip("\ufeff \t\r\n")[:1]
    return start == "{" or ("json" in content_type.lower() and start != "<")


def _parse_json_feed(text: str, base: str) -> ParsedFeed:
    try:
        # strict=False: raw control characters inside strings are a common producer slip.
        document = json.loads(text, strict=False)
    except (ValueError, RecursionError) as exc:
        raise NotAFeedError(_one_line(f"not a feed: invalid JSON ({exc})")) from None
    if not _is_json_feed(document):
        raise NotAFeedError("not a feed: JSON, but not a JSON Feed")
    items = [item for item in document.get("items") or [] if isinstance(item, dict)]
    return ParsedFeed(
        title=_plain(_str_or_none(document.get("title")) or ""),
        link=_absolute_link(document.get("home_page_url"), base),
        entries=_dedupe(_json_draft(item, base) for item in items),
    )


def _is_json_feed(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    version = document.get("version")
    if isinstance(version, str) and "jsonfeed.org/version/" in version:
        return True
    # Some producers write a bare "1.1" or no version; a list of items is the tell.
    return isinstance(document.get("items"), list)


def _json_draft(item: Mapping[str, Any], base: str) -> _Draft:
    raw_id = item.get("id")
    # Ids must be strings, but numbers are common in the wild and just as stable.
    guid = (
        _storable(str(raw_id))
        if isinstance(raw_id, str | int) and not isinstance(raw_id, bool)
        else None
    )
    link = _absolute_link(item.get("url"), base) or _absolute_link(item.get("external_url"), base)
    tags = item.get("tags")
    tag_names = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    return _Draft(
        guid=guid,
        title=_plain(_str_or_none(item.get("title")) or ""),
        link=link,
        published=_rfc3339_to_utc(item.get("date_published"))
        or _rfc3339_to_utc(item.get("date_modified")),
        text=_json_item_text(item),
        categories=_topics(tag_names),
    )


def _json_item_text(item: Mapping[str, Any]) -> str:
    markup = _str_or_none(item.get("content_html"), strip=True)
    if markup:
        return html_to_text(markup)
    plain = _str_or_none(item.get("content_text"), strip=True) or _str_or_none(
        item.get("summary"), strip=True
    )
    return _plain(plain) if plain else ""


# --------------------------------------------------------------------------- small helpers


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _storable(value: str | None) -> str | None:
    """``value`` without the characters a database rejects (see ``_UNSTORABLE``)."""
    if value is None or _UNSTORABLE.search(value) is None:
        return value
    return _UNSTORABLE.sub("", value)


def _str_or_none(value: Any, *, strip: bool = False) -> str | None:
    if not isinstance(value, str):
        return None
    if strip:
        value = value.strip()
    return value or None


def _absolute_link(value: Any, base: str) -> str | None:
    """An http(s) URL, resolved against ``base`` when relative; None otherwise (Telegram
    buttons accept nothing else, and ``javascript:`` has no business in a message)."""
    link = _storable(_str_or_none(value, strip=True))
    if link is None:
        return None
    try:
        absolute = urljoin(base, link)
    except ValueError:
        return None
    return absolute if _is_web_url(absolute) else None


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _topics(names: Iterable[str]) -> tuple[str, ...]:
    topics: dict[str, None] = {}  # an ordered set
    for name in names:
        topic = normalise_topic(_UNSTORABLE.sub("", name))
        if topic:
            topics[topic] = None
            if len(topics) == MAX_CATEGORIES:
                break
    return tuple(topics)


def _struct_time_to_utc(value: Any) -> datetime | None:
    # feedparser's *_parsed fields are time.struct_time in UTC.
    try:
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _rfc3339_to_utc(value: Any) -> datetime | None:
    text = _str_or_none(value, strip=True)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.upper())
    except ValueError:
        try:  # some JSON feeds carry RFC 822 dates, as RSS does
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def _one_line(message: str, limit: int = 200) -> str:
    message = _SPACES.sub(" ", message).strip()
    return message if len(message) <= limit else message[: limit - 1] + "…"
