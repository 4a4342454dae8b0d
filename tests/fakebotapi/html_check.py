"""Telegram's ``parse_mode=HTML``, re-implemented closely enough to reject what Telegram rejects.

The scanner follows the observable behaviour of the real parser:

* only the Bot API tags are known (``b strong i em u ins s strike del span tg-spoiler a
  tg-emoji code pre blockquote``); any other start tag, including ``br``, ``p`` and a bare
  ``<`` followed by a space, fails with ``Unsupported start tag "x" at byte offset N``;
* attributes are ``name=value`` with a quoted value or a bare token; unknown attributes are
  ignored, as Telegram does; ``span`` needs ``class="tg-spoiler"``; ``blockquote`` may carry a
  bare ``expandable``;
* end tags must close the innermost open tag (``Unmatched end tag ...``), an end tag with
  nothing open is ``Unexpected end tag``, a tag still open at the end is ``Can't find end tag
  corresponding to start tag "b"``;
* error offsets are byte offsets into the UTF-8 text, entity offsets and lengths are UTF-16
  code units, as in the Bot API.

Strict mode (the default) is deliberately *stricter* than Telegram in three places, because
each of them means our bot forgot to escape something: a bare ``&`` that does not start
``&lt; &gt; &amp; &quot;`` or a numeric reference ending in ``;`` is rejected (Telegram keeps it
literally), an unsupported named entity such as ``&nbsp;`` is rejected (Telegram shows it
verbatim), and ``<a>`` needs an ``href`` with an http, https, tg or mailto URL (Telegram drops
such a link silently). ``strict=False`` gives Telegram's lenient behaviour for those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HtmlError", "ParsedText", "parse_html", "utf16_len"]

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
        "tg-spoiler", "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip

_SIMPLE_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}

_ARGUMENT_ATTRIBUTES = frozenset({("a", "href"), ("span", "class"), ("tg-emoji", "emoji-id")})
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")

_SPECIAL = re.compile(r"[<&]")
_SPACE = " \t\n\r\f\v"
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9.\-]*")
_ENTITY_REF = re.compile(r"&(?:#[xX]([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z]+))(;?)")


class HtmlError(ValueError):
    """The text is not valid Telegram HTML; ``reason`` is Telegram's wording."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedText:
    """What a client would display: the plain text and its entities (Bot API dicts)."""

    text: str
    entities: tuple[dict[str, Any], ...] = ()


@dataclass
class _OpenTag:
    name: str
    utf16_start: int
    char_start: int
    argument: str = ""
    expandable: bool = False


@dataclass
class _Parser:
    source: str
    strict: bool
    out: list[str] = field(default_factory=list)
    utf16: int = 0
    chars: int = 0
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    # -- helpers ---------------------------------------------------------------------------

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def fail(self, message: str) -> HtmlError:
        return HtmlError(message)

    def emit(self, chunk: str) -> None:
        if chunk:
            self.out.append(chunk)
            self.chars += len(chunk)
            self.utf16 += utf16_len(chunk)

    def char(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else ""

    def skip_spaces(self, index: int) -> int:
        while index < len(self.source) and self.source[index] in _SPACE:
            index += 1
        return index

    # -- the scan --------------------------------------------------------------------------

    def run(self) -> ParsedText:
        pos = 0
        while (match := _SPECIAL.search(self.source, pos)) is not None:
            start = match.start()
            self.emit(self.source[pos:start])
            if self.source[start] == "&":
                pos = self.entity_reference(start)
            elif self.char(start + 1) == "/":
                pos = self.end_tag(start)
            else:
                pos = self.start_tag(start)
        self.emit(self.source[pos:])
        if self.stack:
            name = self.stack[-1].name
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{name}"')
        return ParsedText("".join(self.out), tuple(self.finished_entities()))

    def entity_reference(self, start: int) -> int:
        decoded, end = decode_entity(self.source, start, strict=self.strict)
        if decoded is None:
            if self.strict:
                raise self.fail(self.entity_complaint(start))
            self.emit("&")
            return start + 1
        self.emit(decoded)
        return end

    def entity_complaint(self, start: int) -> str:
        match = _ENTITY_REF.match(self.source, start)
        offset = self.byte_offset(start)
        if match is not None and match.group(3) and match.group(4):
            return f'Unsupported HTML entity "{match.group(0)}" at byte offset {offset}'
        return f'Unescaped "&" at byte offset {offset}'

    def start_tag(self, start: int) -> int:
        index = start + 1
        while index < len(self.source) and self.source[index] not in _SPACE + ">":
            index += 1
        if index >= len(self.source):
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(start)}")
        name = self.source[start + 1 : index].lower()
        if name not in SUPPORTED_TAGS:
            offset = self.byte_offset(start)
            raise self.fail(f'Unsupported start tag "{name}" at byte offset {offset}')
        tag = _OpenTag(name, self.utf16, self.chars)
        index = self.attributes(tag, index, start)
        self.check_start_tag(tag, start)
        self.stack.append(tag)
        return index + 1

    def attributes(self, tag: _OpenTag, index: int, start: int) -> int:
        """Read attributes up to the closing ``>``; return the index of that ``>``."""
        offset = self.byte_offset(start)
        while True:
            index = self.skip_spaces(index)
            if index >= len(self.source):
                raise self.fail(f"Unclosed start tag at byte offset {offset}")
            if self.source[index] == ">":
                return index
            name_start = index
            while index < len(self.source) and self.source[index] not in _SPACE + "=>":
                index += 1
            attribute = self.source[name_start:index].lower()
            if not attribute:
                raise self.fail(
                    f'Empty attribute name in the tag "{tag.name}" at byte offset {offset}'
                )
            index = self.skip_spaces(index)
            if self.char(index) != "=":
                if tag.name == "blockquote" and attribute == "expandable":
                    tag.expandable = True
                    continue
                raise self.fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag.name}" at byte offset {offset}'
                )
            index = self.skip_spaces(index + 1)
            if index >= len(self.source):
                raise self.fail(f'Unclosed start tag "{tag.name}" at byte offset {offset}')
            value, index = self.attribute_value(index)
            if index >= len(self.source):
                raise self.fail(f"Unclosed start tag at byte offset {offset}")
            remember_attribute(tag, attribute, value)

    def attribute_value(self, index: int) -> tuple[str, int]:
        quote = self.source[index]
        if quote not in "\"'":
            token = _TOKEN_CHARS.match(self.source, index)
            end = token.end() if token else index
            if end < len(self.source) and self.source[end] not in _SPACE + ">":
                at = self.byte_offset(index)
                raise self.fail(f"Unexpected end of name token at byte offset {at}")
            return self.source[index:end].lower(), end
        index += 1
        parts: list[str] = []
        while index < len(self.source) and self.source[index] != quote:
            if self.source[index] == "&":
                decoded, end = decode_entity(self.source, index, strict=False)
                if decoded is not None:
                    parts.append(decoded)
                    index = end
                    continue
            parts.append(self.source[index])
            index += 1
        if index < len(self.source):
            index += 1  # the closing quote
        return "".join(parts), index

    def check_start_tag(self, tag: _OpenTag, start: int) -> None:
        offset = self.byte_offset(start)
        if tag.name == "span" and tag.argument != "tg-spoiler":
            raise self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if tag.name == "tg-emoji" and not tag.argument.isdigit():
            raise self.fail(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        if tag.name == "a" and self.strict:
            if not tag.argument:
                raise self.fail(f'Tag "a" must have attribute "href" at byte offset {offset}')
            if not tag.argument.lower().startswith(LINK_SCHEMES):
                raise self.fail(
                    f'Unsupported URL "{tag.argument}" in tag "a" at byte offset {offset}'
                )

    def end_tag(self, start: int) -> int:
        offset = self.byte_offset(start)
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {offset}")
        index = start + 2
        while index < len(self.source) and self.source[index] not in _SPACE + ">":
            index += 1
        name = self.source[start + 2 : index].lower()
        index = self.skip_spaces(index)
        if self.char(index) != ">":
            raise self.fail(f"Unclosed end tag at byte offset {offset}")
        tag = self.stack[-1]
        if name and name != tag.name:
            raise self.fail(
                f'Unmatched end tag at byte offset {offset}, expected "</{tag.name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        if self.utf16 > tag.utf16_start:
            self.close_entity(tag)
        return index + 1

    # -- entities --------------------------------------------------------------------------

    def close_entity(self, tag: _OpenTag) -> None:
        span = {"offset": tag.utf16_start, "length": self.utf16 - tag.utf16_start}
        if tag.name in _SIMPLE_ENTITY_TYPES:
            self.entities.append({"type": _SIMPLE_ENTITY_TYPES[tag.name], **span})
        elif tag.name == "a":
            self.close_link(tag, span)
        elif tag.name == "tg-emoji":
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": tag.argument})
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.expandable else "blockquote"
            self.entities.append({"type": kind, **span})
        elif tag.name == "code":
            self.entities.append({"type": "code", **span, "_language": tag.argument})
        else:  # pre
            self.close_pre(span)

    def close_link(self, tag: _OpenTag, span: dict[str, int]) -> None:
        url = tag.argument or "".join(self.out)[tag.char_start :]
        if url.lower().startswith(LINK_SCHEMES):
            self.entities.append({"type": "text_link", **span, "url": url})

    def close_pre(self, span: dict[str, int]) -> None:
        last = self.entities[-1] if self.entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["_language"]
            and last["offset"] == span["offset"]
            and last["length"] == span["length"]
        ):
            self.entities[-1] = {"type": "pre", **span, "language": last["_language"]}
        else:
            self.entities.append({"type": "pre", **span})

    def finished_entities(self) -> list[dict[str, Any]]:
        for entity in self.entities:
            entity.pop("_language", None)
        return sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))


def remember_attribute(tag: _OpenTag, attribute: str, value: str) -> None:
    """Keep the one attribute each tag cares about; Telegram ignores all others."""
    if (tag.name, attribute) in _ARGUMENT_ATTRIBUTES:
        tag.argument = value
    elif tag.name == "code" and attribute == "class" and value.startswith("language-"):
        tag.argument = value.removeprefix("language-")


def decode_entity(source: str, start: int, *, strict: bool) -> tuple[str | None, int]:
    """Decode the character reference at ``source[start] == '&'``.

    Returns ``(character, end)`` or ``(None, start)`` when there is no usable reference.
    Lenient mode mirrors Telegram (the ``;`` is optional); strict mode also demands it.
    """
    match = _ENTITY_REF.match(source, start)
    if match is None or (strict and not match.group(4)):
        return None, start
    hex_digits, dec_digits, name = match.group(1), match.group(2), match.group(3)
    if name is not None:
        char = NAMED_ENTITIES.get(name)
        return (char, match.end()) if char is not None else (None, start)
    digits = hex_digits or dec_digits
    if len(digits) > 7:
        return None, start
    code = int(digits, 16 if hex_digits else 10)
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None, start
    return chr(code), match.end()


def parse_html(source: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML; raise :class:`HtmlError` with Telegram's reason on bad markup."""
    return _Parser(source, strict).run()


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Bot API length and offset."""
    return len(text.encode("utf-16-le")) // 2
