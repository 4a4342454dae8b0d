"""Feed HTML -> one line of plain summary text; grapheme-safe truncation; Telegram escaping.

The only module that imports lxml and ``regex``. Pure: no I/O; the only state is compiled
patterns and one HTML parser per thread (feeds are parsed in worker threads).

How ``html_to_text`` works: libxml2's HTML parser builds a tree, one walk over it collects
``.text``/``.tail`` pieces, and code blocks and formulas are emitted as private-use sentinel
characters. Only at the end, once the language of the whole text is known, do the sentinels
become ``[code]``/``[formula]`` or ``[代码]``/``[公式]``.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator
from html import unescape as _unescape
from typing import Protocol, cast

import regex
from lxml import etree

CODE_PLACEHOLDER_CJK = "[代码]"
CODE_PLACEHOLDER = "[code]"
FORMULA_PLACEHOLDER_CJK = "[公式]"
FORMULA_PLACEHOLDER = "[formula]"
ELLIPSIS = "..."

__all__ = [
    "CODE_PLACEHOLDER",
    "CODE_PLACEHOLDER_CJK",
    "ELLIPSIS",
    "FORMULA_PLACEHOLDER",
    "FORMULA_PLACEHOLDER_CJK",
    "escape_html",
    "grapheme_count",
    "html_to_text",
    "plain_to_text",
    "split_lead",
    "truncate",
    "utf16_length",
]

# Sentinels for placeholders while text is being assembled (private-use code points; any
# in the input are removed first, so a sentinel in the output is always ours).
_CODE = "\ue000"
_FORMULA = "\ue001"
_CODE_SLOT = f" {_CODE} "
_FORMULA_SLOT = f" {_FORMULA} "

#: Inline TeX up to this many characters is kept as text (``\(X\)`` -> ``X``).
_INLINE_TEX_MAX = 12
#: Longest TeX span the text patterns look for (bounds the lazy scans on unmatched ``$$``).
_TEX_SPAN_MAX = 5000
#: How many characters of the text decide whether it is predominantly CJK.
_LANGUAGE_SAMPLE = 2000
#: Share of the limit, at its end, in which truncate prefers to cut at a space.
_WORD_CUT_WINDOW = 0.15

# --------------------------------------------------------------------------- patterns

# C0/C1 controls except whitespace (\t \n \v \f \r, NEL), DEL, lone surrogates, invisible
# zero-width characters that only add noise (ZWSP, soft hyphen, word joiner, BOM) and our
# sentinels. ZWJ/ZWNJ stay: emoji sequences and some scripts need them.
_JUNK_CHARS = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\ufeff\ud800-\udfff"
_JUNK = re.compile(f"[{_JUNK_CHARS}{_CODE}{_FORMULA}]")
# The same minus the sentinels, for text that numeric references may have put controls in.
_DECODED_JUNK = re.compile(f"[{_JUNK_CHARS}]")
# Character references still in text after parsing (complete ones only, with ";", so that
# "?a=1&not=2" in a URL stays as written).
_LEFTOVER_REF = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|[A-Za-z][A-Za-z0-9]{1,31});")
# Numeric character references that would decode to one of the sentinels.
_SENTINEL_REF = re.compile(r"&#(?:[xX]0*[eE]00[01]|0*5734[45]);?")

# Display TeX in text: $$...$$ and \[...\]; inline TeX: \(...\). The bodies may not run
# across another opening delimiter, which keeps a scan over unmatched openers linear.
_DISPLAY_TEX = re.compile(
    rf"\$\$(?:[^$]|\$(?!\$)){{1,{_TEX_SPAN_MAX}}}?\$\$"
    rf"|\\\[(?:(?!\\\[).){{1,{_TEX_SPAN_MAX}}}?\\\]",
    re.S,
)
_INLINE_TEX = re.compile(rf"\\\(((?:(?!\\\().){{0,{_TEX_SPAN_MAX}}}?)\\\)", re.S)

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

# Han (with radicals and the supplementary planes), Kana, Hangul (jamo and syllables), plus
# CJK punctuation and full-width forms. Plain code point ranges: ``re`` scans these several
# times faster than ``regex`` scans \p{Han} and friends.
_CJK_CHAR = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0003ffff]"
)
_GRAPHEME = regex.compile(r"\X")

# What truncate strips from the end before appending the ellipsis.
_TRAILING = " \t\n\r\f\v\u00a0\u3000,.;:!?-–—…、，。；：！？·"

# --------------------------------------------------------------------------- element classes

# Removed with everything inside (their tails stay).
_DROP = frozenset(
    {
        "head", "script", "style", "noscript", "template", "iframe", "object", "embed",
        "applet", "svg", "canvas", "video", "audio", "select", "textarea", "rp", "rt",
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


def html_to_text(html: str) -> str:
    """Feed HTML fragment (or document) -> one line of plain text.

    Markup removed, entities decoded, whitespace collapsed, blocks separated by a space,
    scripts/styles/media dropped, code blocks and formulas replaced by placeholders (CJK
    ones when the text is predominantly CJK). Double-escaped HTML gets a second pass.
    Never raises.
    """
    if not html:
        return ""
    markup = _clean(html)
    if "<" not in markup:
        if "&" not in markup:
            return _finish(markup)
        # Entities only: the stdlib decoder is much cheaper than a parse. If decoding
        # reveals markup, the feed escaped its HTML twice: parse what was revealed.
        decoded = _unescape(markup)
        if not _looks_escaped(decoded, _ESCAPED_TAG.findall(decoded)):
            return _finish(_decode_leftover_refs(_JUNK.sub("", decoded)))
        markup = decoded
    text, escaped = _parse(markup)
    if escaped:
        text, _ = _parse(text)
    return _finish(_decode_leftover_refs(text))


def plain_to_text(text: str) -> str:
    """Already-plain text -> one line: controls stripped, whitespace collapsed, TeX rules.

    ``<`` and ``&`` are literal characters here, never markup.
    """
    return _finish(_JUNK.sub("", text)) if text else ""


def grapheme_count(text: str) -> int:
    """Number of user-perceived characters (extended grapheme clusters)."""
    if text.isascii():
        return len(text) - text.count("\r\n")  # CR LF is the only ASCII cluster of two
    return len(_GRAPHEME.findall(text))


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` grapheme clusters and append ``ELLIPSIS``.

    Never splits a cluster (CJK, emoji sequences, combining marks, Hangul jamo). Space-
    separated text is cut at the last space in the final ~15% of the limit when there is
    one; CJK text is cut exactly. Text that fits is returned unchanged.
    """
    if len(text) <= limit:  # code points >= clusters, so this surely fits
        return text
    if limit <= 0:
        return ELLIPSIS
    probe = text[: limit + 1]
    if probe.isascii() and "\r" not in probe:
        cut = limit  # every ASCII character but CR LF is a cluster of its own
    else:
        head = _head_pattern(limit).match(text)
        cut = head.end() if head else 0
    if cut >= len(text):
        return text
    cut = _word_cut(text, cut, limit)
    return text[:cut].rstrip(_TRAILING) + ELLIPSIS


def split_lead(text: str, limit: int) -> tuple[str, str]:
    """Text without a title -> (a title: its first ``limit`` graphemes, cut as
    :func:`truncate` cuts; the rest, to show as the summary).

    The rest starts where the title stopped, with ``ELLIPSIS`` for the break, so an untitled
    entry never shows its opening twice. Text that fits is all title and no rest.
    """
    lead = truncate(text, limit)
    if lead == text:
        return text, ""
    shown = lead.removesuffix(ELLIPSIS)  # truncate only strips what follows the cut
    rest = text[len(shown) :].lstrip(_TRAILING)
    return lead, ELLIPSIS + rest if rest else ""


def escape_html(text: str) -> str:
    """Escape for Telegram's HTML parse mode (safe in text and in attribute values)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram's 4096 limit is counted in."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def truncate_units(text: str, max_units: int) -> str:
    """Cut ``text`` so that it, with ``ELLIPSIS`` when cut, takes at most ``max_units`` UTF-16
    units, on a grapheme boundary. A budget in graphemes alone is not enough: one cluster
    (a family emoji, a letter with stacked marks) can be dozens of units."""
    if utf16_length(text) <= max_units:
        return text
    room = max_units - len(ELLIPSIS)
    if room <= 0:
        return ""
    kept: list[str] = []
    used = 0
    for cluster in _GRAPHEME.findall(text):
        size = utf16_length(cluster)
        if used + size > room:
            break
        kept.append(cluster)
        used += size
    return "".join(kept).rstrip(_TRAILING) + ELLIPSIS


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
            return _FORMULA_SLOT
        return _inline_tex(el.text or "")
    return ""


def _pre(el: etree._Element, tag: str) -> str:
    return _CODE_SLOT if _has_text(el) else ""


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
    return _CODE_SLOT if multiline else None


def _img(el: etree._Element, tag: str) -> str:
    """Images are dropped, except TeX rendered as an image (alt text is the source)."""
    src = el.get("src") or ""
    if el.get("eeimg") is None and "equation?tex=" not in src and "latex.php" not in src:
        return ""
    return _inline_tex(el.get("alt") or "")


def _math(el: etree._Element, tag: str) -> str:
    """MathML <math> and MathJax 3 <mjx-container>."""
    return _formula(el, display=el.get("display") in ("block", "true"))


def _classed(el: etree._Element, tag: str) -> str | None:
    """A div/span/figure/table whose class marks it as highlighted code or rendered math."""
    cls = el.get("class")
    if not cls:
        return None
    classes = cls.lower().split()
    if tag in _CODE_CONTAINERS and not _CODE_CLASSES.isdisjoint(classes):
        return _CODE_SLOT if _has_text(el) else ""
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
            return _inline_tex(annotation.text)
    return _FORMULA_SLOT


def _is_tex_script(el: etree._Element) -> bool:
    return (el.get("type") or "").lower().startswith("math/tex")


def _has_text(el: etree._Element) -> bool:
    return any(isinstance(p, str) and p.strip() for p in el.itertext())


_Handler = Callable[[etree._Element, str], "str | None"]
#: Elements that may be replaced as a whole; every other element is simply descended into.
_HANDLERS: dict[str, _Handler] = {
    **dict.fromkeys(_DROP, _drop),
    **dict.fromkeys(_CODE_CONTAINERS | _FORMULA_CONTAINERS, _classed),
    "pre": _pre,
    "code": _code,
    "img": _img,
    "math": _math,
    "mjx-container": _math,
}
_SPECIAL = frozenset(_HANDLERS)


# --------------------------------------------------------------------------- text finishing


def _inline_tex(source: str) -> str:
    """Short inline TeX reads fine as text; anything longer becomes a placeholder."""
    source = " ".join(source.split())
    if not source:
        return ""
    return source if len(source) <= _INLINE_TEX_MAX else _FORMULA_SLOT


def _apply_tex(text: str) -> str:
    """Replace TeX written in the text itself."""
    if "$$" in text or "\\[" in text:
        text = _DISPLAY_TEX.sub(_FORMULA_SLOT, text)
    if "\\(" in text:
        text = _INLINE_TEX.sub(lambda m: _inline_tex(m.group(1)), text)
    return text


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
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code in (0xE000, 0xE001):
            return ""  # not a character, or one of our own sentinels
        char = chr(code)
    else:
        char = _unescape(match.group())  # an unknown name comes back unchanged
    return " " if char.isspace() else _JUNK.sub("", char)


def _finish(text: str) -> str:
    """TeX rules, whitespace collapse, then sentinels -> placeholders in the text's language."""
    if "$" in text or "\\" in text:
        text = _apply_tex(text)
    text = " ".join(text.split())  # str.split() knows all Unicode whitespace, nbsp included
    if _CODE not in text and _FORMULA not in text:
        return text
    for sentinel in (_CODE, _FORMULA):  # "[code] [code]" says nothing "[code]" does not
        pair = f"{sentinel} {sentinel}"
        while pair in text:
            text = text.replace(pair, sentinel)
    cjk = _is_mostly_cjk(text)
    return text.replace(_CODE, CODE_PLACEHOLDER_CJK if cjk else CODE_PLACEHOLDER).replace(
        _FORMULA, FORMULA_PLACEHOLDER_CJK if cjk else FORMULA_PLACEHOLDER
    )


def _is_mostly_cjk(text: str) -> bool:
    """CJK characters outnumber the space-separated tokens of everything else.

    One Han character carries about as much as one English word, so counting characters
    on one side and tokens on the other compares like with like.
    """
    rest, cjk = _CJK_CHAR.subn(" ", text[:_LANGUAGE_SAMPLE])
    if not cjk:
        return False
    tokens = len(rest.split()) - rest.count(_CODE) - rest.count(_FORMULA)
    return cjk >= tokens


# --------------------------------------------------------------------------- truncation


@functools.lru_cache(maxsize=32)
def _head_pattern(limit: int) -> regex.Pattern[str]:
    """Matches the first ``limit`` grapheme clusters (one C-level scan, no list)."""
    return regex.compile(rf"\X{{0,{limit}}}")


def _word_cut(text: str, cut: int, limit: int) -> int:
    """Move a cut that falls inside a word back to the last space, if one is near."""
    before, after = text[cut - 1], text[cut]
    if before.isspace() or after.isspace():
        return cut  # already between words
    if _CJK_CHAR.match(before) or _CJK_CHAR.match(after):
        return cut  # CJK has no spaces: cut exactly
    space = text.rfind(" ", 0, cut)
    if space <= 0:
        return cut
    window = max(1, int(limit * _WORD_CUT_WINDOW))
    if grapheme_count(text[space + 1 : cut]) > window:
        return cut  # a very long word: keep the exact cut
    return space
