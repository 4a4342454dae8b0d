"""Feed HTML (or plain text) -> one line of summary text, with code and formula placeholders.

The only module that imports lxml. Pure: no I/O; the only state is compiled patterns and
one HTML parser per thread (feeds are parsed in worker threads).

How ``html_to_text`` works: libxml2's HTML parser builds a tree, one walk over it collects
``.text``/``.tail`` pieces, and code blocks and formulas are emitted as private-use sentinel
characters; ``bot.text.placeholders`` finishes the line and turns them into placeholders.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from html import unescape as _unescape
from typing import Protocol, cast

from lxml import etree

from bot.text.placeholders import (
    AUDIO_SLOT,
    CODE_SLOT,
    FORMULA_SLOT,
    IMAGE_SLOT,
    SENTINELS,
    VIDEO_SLOT,
    finish,
    inline_tex,
)

__all__ = ["MAX_MARKUP_CHARS", "html_to_text", "looks_like_html", "plain_to_text"]

#: Markup (or text) longer than this is cut before it is parsed: what is stored and shown is
#: a few thousand characters, and parsing costs memory in proportion to the input.
MAX_MARKUP_CHARS = 200_000

# --------------------------------------------------------------------------- patterns

# C0/C1 controls except whitespace (\t \n \v \f \r, NEL), DEL, lone surrogates, invisible
# zero-width characters that only add noise (ZWSP, soft hyphen, word joiner, BOM) and our
# sentinels. ZWJ/ZWNJ stay: emoji sequences and some scripts need them.
_JUNK_CHARS = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\ufeff\ud800-\udfff"
_JUNK = re.compile(f"[{_JUNK_CHARS}{SENTINELS}]")
# The same minus the sentinels, for text that numeric references may have put controls in.
_DECODED_JUNK = re.compile(f"[{_JUNK_CHARS}]")
# Character references still in text after parsing (complete ones only, with ";", so that
# "?a=1&not=2" in a URL stays as written).
_LEFTOVER_REF = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|[A-Za-z][A-Za-z0-9]{1,31});")
# Numeric character references that would decode to one of the sentinels.
_SENTINEL_REF = re.compile(r"&#(?:[xX]0*[eE]00[0-4]|0*5734[4-8]);?")

# A CDATA section in HTML content (a feed that wrapped its content twice): libxml2's HTML
# parser drops it whole, but its content is the entry's text.
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)

# Tags and comments, for the fallback when libxml2 gives up on a document.
_TAG_SHAPED = re.compile(r"<!--.*?(?:-->|$)|</?[A-Za-z][^<>]*>", re.S)

# Tags that, found in *text* after one parse, mean the feed escaped its HTML twice.
_ESCAPED_TAG = re.compile(
    r"</?(?:a|b|i|u|s|p|br|hr|em|strong|span|div|img|ul|ol|li|dl|dt|dd|pre|code|sub|sup"
    r"|small|font|table|thead|tbody|tr|td|th|blockquote|figure|figcaption|section"
    r"|article|header|footer|iframe|script|style|h[1-6])(?:\s[^<>]*)?/?>",
    re.I,
)

# --------------------------------------------------------------------------- element classes

# Removed with everything inside (their tails stay).
_DROP = frozenset(
    {
        "head", "script", "style", "noscript", "template", "object", "embed",
        "applet", "svg", "canvas", "select", "textarea", "rp", "rt",
    }
)  # fmt: skip
# Elements whose start and end separate words.
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "center",
        "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
        "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Inline code-like elements: kept as text, but their text is not checked for escaped tags.
_INLINE_CODE = frozenset({"code", "kbd", "samp", "tt"})
# Containers whose class marks a highlighted code block.
_CODE_CONTAINERS = frozenset({"div", "figure", "table"})
#: elements checked for page-furniture classes (see ``_CHROME_CLASSES``)
_CHROME_CONTAINERS = frozenset({"a", "div", "p"})
_CODE_CLASSES = frozenset(
    {
        "highlight", "highlighttable", "codehilite", "highlighter-rouge", "sourcecode",
        "code-block", "codeblock", "syntaxhighlighter", "rouge-table", "wp-block-code",
        "prism-code", "hljs", "gist",
    }
)  # fmt: skip
# Elements whose class marks rendered math: KaTeX ("katex", "katex-display"), MathJax 2
# ("MathJax", "MathJax_CHTML", "MathJax_SVG_Display", ... matched by prefix) and 3.
_FORMULA_CONTAINERS = frozenset({"span", "div"})
_FORMULA_CLASSES = frozenset({"katex", "katex-display", "mjx-container"})
# Page furniture inside feed content: heading anchors ("#", "¶"), subscribe widgets and
# buttons, line-number gutters. Dropped with their text.
_CHROME_CLASSES = frozenset(
    {
        "header-anchor", "heading-anchor", "anchor-link", "headerlink", "hanchor",
        "subscription-widget-wrap", "subscription-widget-wrap-editor", "subscribe-widget",
        "kg-signup-card", "kg-button-card", "button-wrapper", "line-numbers",
    }
)  # fmt: skip
_TEX_ANNOTATION = ".//annotation[@encoding='application/x-tex']"


class _Walker(Protocol):
    """The part of ``lxml.etree.iterwalk`` used here (lxml-stubs does not declare it)."""

    def __iter__(self) -> Iterator[tuple[str, etree._Element]]: ...

    def skip_subtree(self) -> None: ...


_local = threading.local()


def _parser() -> etree.HTMLParser:
    """This thread's parser (lxml parsers must not be shared between threads)."""
    parser: etree.HTMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(
            encoding="utf-8",  # we always feed UTF-8 bytes; <meta charset> must not win
            remove_comments=True,  # merges the text around comments
            remove_pis=True,
            no_network=True,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


# --------------------------------------------------------------------------- public API


def html_to_text(html: str, hint: str = "") -> str:
    """Feed HTML fragment (or document) -> one line of plain text.

    Markup removed, entities decoded, whitespace collapsed, blocks separated by a space,
    scripts/styles/media dropped, code blocks and formulas replaced by placeholders (CJK
    ones when the text is predominantly CJK, or has no words and ``hint``, the entry's
    title, is). Double-escaped HTML gets a second pass. Never raises.
    """
    if not html:
        return ""
    markup = _clean(html[:MAX_MARKUP_CHARS])
    if "<" not in markup:
        if "&" not in markup:
            return finish(markup, hint)
        # Entities only: the stdlib decoder is much cheaper than a parse. If decoding
        # reveals markup, the feed escaped its HTML twice: parse what was revealed.
        decoded = _unescape(markup)
        if not _looks_escaped(decoded, _ESCAPED_TAG.findall(decoded)):
            return finish(_decode_leftover_refs(_JUNK.sub("", decoded)), hint)
        markup = decoded
    text, escaped = _parse(markup)
    if escaped:
        text, _ = _parse(text)
    return finish(_decode_leftover_refs(text), hint)


def plain_to_text(text: str) -> str:
    """Already-plain text -> one line: controls stripped, whitespace collapsed, TeX rules.

    ``<`` and ``&`` are literal characters here, never markup.
    """
    return finish(_JUNK.sub("", text[:MAX_MARKUP_CHARS])) if text else ""


def looks_like_html(text: str) -> bool:
    """Whether text declared plain is markup after all: block or inline tags, two of them
    or one that opens it (see :func:`_looks_escaped`). "a <b> c" is prose."""
    if "<" not in text:
        return False
    head = text[:MAX_MARKUP_CHARS]
    return _looks_escaped(head, _ESCAPED_TAG.findall(head, 0, 20_000))


# --------------------------------------------------------------------------- parsing


def _clean(text: str) -> str:
    """Remove characters that must not reach the parser or the reader."""
    text = _JUNK.sub("", text)
    if "&#" in text:
        text = _SENTINEL_REF.sub("", text)
    if "<![CDATA[" in text:
        text = _CDATA.sub(r"\1", text)
    return text


def _parse(markup: str) -> tuple[str, bool]:
    """One parse + walk: (text with sentinels, whether the text looks double-escaped)."""
    parser = _parser()
    try:
        root = etree.fromstring(markup.encode("utf-8", "ignore"), parser)
    except (etree.LxmlError, ValueError):
        return _strip_tags(markup), False
    text, escaped = ("", False) if root is None else _walk(cast(etree._Element, root))
    if "&#" in markup:  # libxml2 decodes &#1; to U+0001
        text = _DECODED_JUNK.sub("", text)
    if not text.strip() and parser.error_log.filter_from_fatals():
        # libxml2 gave up (nesting deeper than 256, a text node over 10 MB): rather than
        # lose everything, fall back to cruder tag stripping.
        return _strip_tags(markup), False
    return text, escaped


def _strip_tags(markup: str) -> str:
    """Last resort when the parser fails: drop anything tag- or comment-shaped."""
    return _unescape(_TAG_SHAPED.sub(" ", markup))


def _walk(root: etree._Element) -> tuple[str, bool]:
    """Collect the text of the tree in document order, in one pass."""
    out: list[str] = []
    emit = out.append
    code_stack: list[etree._Element] = []  # open inline <code>-like elements
    escaped_tags: list[str] = []
    walker = cast(_Walker, etree.iterwalk(root, events=("start", "end")))
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if tag in _SPECIAL or not isinstance(tag, str):
                replacement = _replacement(el, tag)
                if replacement is not None:
                    emit(replacement)
                    walker.skip_subtree()  # its "end" event still comes, for the tail
                    continue
            if tag in _BLOCK:
                emit(" ")
            elif tag in _INLINE_CODE:
                code_stack.append(el)
            text = el.text
            if text:
                emit(text)
                if not code_stack and "<" in text:
                    escaped_tags += _ESCAPED_TAG.findall(text)
        else:
            if code_stack and code_stack[-1] is el:
                code_stack.pop()
            if tag in _BLOCK:
                emit(" ")
            tail = el.tail
            if tail:
                emit(tail)
                if not code_stack and "<" in tail:
                    escaped_tags += _ESCAPED_TAG.findall(tail)
    text = "".join(out)
    return text, bool(escaped_tags) and _looks_escaped(text, escaped_tags)


def _looks_escaped(text: str, tags: list[str]) -> bool:
    """Whether tags found in text mean double-escaped HTML rather than prose about HTML.

    One stray "<br>" in a sentence is prose; two tags, or text that starts with one, is
    markup that was escaped once too often.
    """
    return len(tags) >= 2 or (len(tags) == 1 and _ESCAPED_TAG.match(text.lstrip()) is not None)


def _replacement(el: etree._Element, tag: object) -> str | None:
    """What replaces the whole element ('' drops it), or None to descend into it."""
    if not isinstance(tag, str):  # not an element (entity, stray comment): keep its tail only
        return ""
    handler = _HANDLERS.get(tag)
    return handler(el, tag) if handler else None


def _drop(el: etree._Element, tag: str) -> str:
    """Invisible content goes, except MathJax 2 sources (<script type="math/tex">)."""
    if tag == "script" and _is_tex_script(el):
        if "display" in (el.get("type") or "").lower():
            return FORMULA_SLOT
        return inline_tex(el.text or "")
    return ""


def _pre(el: etree._Element, tag: str) -> str:
    return CODE_SLOT if _has_text(el) else ""


def _code(el: etree._Element, tag: str) -> str | None:
    """<code> spanning lines is a block (placeholder); one-line <code> stays inline text."""
    if len(el):  # has children: look at all of its text
        content = "".join(p for p in el.itertext() if isinstance(p, str))
        multiline = "\n" in content.strip() or next(el.iter("br"), None) is not None
    else:
        content = el.text or ""
        multiline = "\n" in content.strip()
    if not content.strip():
        return ""
    return CODE_SLOT if multiline else None


def _img(el: etree._Element, tag: str) -> str:
    """An image placeholder; TeX rendered as an image gives its source (the alt text),
    an emoji image its alt text, and tracking pixels nothing."""
    src = el.get("src") or el.get("data-src") or ""
    if el.get("eeimg") is not None or "equation?tex=" in src or "latex.php" in src:
        return inline_tex(el.get("alt") or "")
    classes = (el.get("class") or "").lower()
    if "emoji" in classes or "smiley" in classes:
        return el.get("alt") or ""
    if not src or _is_pixel(el):
        return ""
    return IMAGE_SLOT


def _is_pixel(el: etree._Element) -> bool:
    sizes = [el.get("width") or "", el.get("height") or ""]
    return any(size.strip().removesuffix("px") in ("0", "1") for size in sizes)


def _media(el: etree._Element, tag: str) -> str:
    return AUDIO_SLOT if tag == "audio" else VIDEO_SLOT


#: players embedded with <iframe> that show a video
_VIDEO_HOSTS = re.compile(r"youtube|youtu\.be|vimeo|bilibili|player\.|dailymotion|v\.qq\.com", re.I)


def _iframe(el: etree._Element, tag: str) -> str:
    return VIDEO_SLOT if _VIDEO_HOSTS.search(el.get("src") or "") else ""


def _math(el: etree._Element, tag: str) -> str:
    """MathML <math> and MathJax 3 <mjx-container>."""
    return _formula(el, display=el.get("display") in ("block", "true"))


def _classed(el: etree._Element, tag: str) -> str | None:
    """A div/span/figure/table whose class marks it as highlighted code or rendered math."""
    cls = el.get("class")
    if not cls:
        return None
    classes = cls.lower().split()
    if not _CHROME_CLASSES.isdisjoint(classes):
        return ""
    if tag in _CODE_CONTAINERS and not _CODE_CLASSES.isdisjoint(classes):
        return CODE_SLOT if _has_text(el) else ""
    if tag not in _FORMULA_CONTAINERS:
        return None
    mathjax = [c for c in classes if c.startswith("mathjax")]
    if any("preview" in c for c in mathjax):
        return ""  # MathJax 2 shows the raw TeX here until it has rendered
    if not mathjax and _FORMULA_CLASSES.isdisjoint(classes):
        return None
    nxt = el.getnext()
    if nxt is not None and nxt.tag == "script" and _is_tex_script(nxt):
        return ""  # MathJax 2 rendering; the script after it carries the TeX source
    return _formula(el, display=any("display" in c for c in classes))


def _formula(el: etree._Element, *, display: bool) -> str:
    """Rendered math: a short inline TeX source (KaTeX/MathML annotation) or a placeholder."""
    if not display:
        annotation = el.find(_TEX_ANNOTATION)
        if annotation is not None and annotation.text:
            return inline_tex(annotation.text)
    return FORMULA_SLOT


def _is_tex_script(el: etree._Element) -> bool:
    return (el.get("type") or "").lower().startswith("math/tex")


def _has_text(el: etree._Element) -> bool:
    return any(isinstance(p, str) and p.strip() for p in el.itertext())


_Handler = Callable[[etree._Element, str], "str | None"]
#: Elements that may be replaced as a whole; every other element is simply descended into.
_HANDLERS: dict[str, _Handler] = {
    **dict.fromkeys(_DROP, _drop),
    **dict.fromkeys(_CODE_CONTAINERS | _FORMULA_CONTAINERS | _CHROME_CONTAINERS, _classed),
    "pre": _pre,
    "code": _code,
    "img": _img,
    "audio": _media,
    "video": _media,
    "iframe": _iframe,
    "math": _math,
    "mjx-container": _math,
}
_SPECIAL = frozenset(_HANDLERS)


# --------------------------------------------------------------------------- leftover references


def _decode_leftover_refs(text: str) -> str:
    """References still in the text after parsing were escaped twice by the publisher
    (WordPress does, e.g. ``&amp;#8217;``, ``&amp;quot;``): readers want the character,
    named or numeric alike."""
    if "&" not in text:
        return text
    return _LEFTOVER_REF.sub(_referenced_char, text)


def _referenced_char(match: re.Match[str]) -> str:
    hex_digits, digits = match.groups()
    if hex_digits or digits:
        code = int(hex_digits, 16) if hex_digits else int(digits)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or 0xE000 <= code <= 0xE004:
            return ""  # not a character, or one of our own sentinels
        char = chr(code)
    else:
        char = _unescape(match.group())  # an unknown name comes back unchanged
    return " " if char.isspace() else _JUNK.sub("", char)
