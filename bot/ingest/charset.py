"""Bytes of a feed document -> text, choosing the charset the document most likely meant.

Decoding is ours, not feedparser's: feedparser falls back to a single-byte charset for the
whole document as soon as one character is outside the declared one, so a Shift_JIS feed
with a "①" or a Big5 feed with an HKSCS character comes out as mojibake from end to end; it
also cannot read BOM-less UTF-16, and keeps UTF-8 that was encoded twice ("fÃ¼r"). We
decode with the supersets real documents use (:func:`decode_body`) and hand feedparser
UTF-8 with a matching declaration (:func:`as_utf8_xml`), so it never has to guess.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

__all__ = ["as_utf8_xml", "decode_body"]

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


def decode_body(body: bytes, content_type: str) -> str:
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


def as_utf8_xml(text: str) -> bytes:
    """The decoded document as UTF-8 with an XML declaration that says so.

    Whitespace before the declaration (a common PHP slip) is dropped: expat rejects it,
    and feedparser's fallback parser for rejected documents is slower and looser.
    """
    stripped = text.lstrip()
    if stripped.startswith("<?xml"):
        text = _XML_DECL_ENCODING_TEXT.sub(r'\1"utf-8"', stripped, count=1)
    return text.encode("utf-8", errors="replace")
