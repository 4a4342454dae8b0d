"""Assembled text -> the finished line: TeX rules, whitespace collapse, placeholders by language.

Code blocks and formulas travel through the assembled text as private-use sentinel
characters. Only here, once the language of the whole text is known, do the sentinels
become ``[code]``/``[formula]`` or ``[代码]``/``[公式]``. Pure: no I/O.
"""

from __future__ import annotations

import re

from bot.text.measure import CJK_CHAR

CODE_PLACEHOLDER_CJK = "[代码]"
CODE_PLACEHOLDER = "[code]"
FORMULA_PLACEHOLDER_CJK = "[公式]"
FORMULA_PLACEHOLDER = "[formula]"

__all__ = [
    "CODE_PLACEHOLDER",
    "CODE_PLACEHOLDER_CJK",
    "CODE_SENTINEL",
    "CODE_SLOT",
    "FORMULA_PLACEHOLDER",
    "FORMULA_PLACEHOLDER_CJK",
    "FORMULA_SENTINEL",
    "FORMULA_SLOT",
    "finish",
    "inline_tex",
]

# Sentinels for placeholders while text is being assembled (private-use code points; any
# in the input are removed first, so a sentinel in the output is always ours).
CODE_SENTINEL = "\ue000"
FORMULA_SENTINEL = "\ue001"
CODE_SLOT = f" {CODE_SENTINEL} "
FORMULA_SLOT = f" {FORMULA_SENTINEL} "

#: Inline TeX up to this many characters is kept as text (``\(X\)`` -> ``X``).
_INLINE_TEX_MAX = 12
#: Longest TeX span the text patterns look for (bounds the lazy scans on unmatched ``$$``).
_TEX_SPAN_MAX = 5000
#: How many characters of the text decide whether it is predominantly CJK.
_LANGUAGE_SAMPLE = 2000

# Display TeX in text: $$...$$ and \[...\]; inline TeX: \(...\). The bodies may not run
# across another opening delimiter, which keeps a scan over unmatched openers linear.
_DISPLAY_TEX = re.compile(
    rf"\$\$(?:[^$]|\$(?!\$)){{1,{_TEX_SPAN_MAX}}}?\$\$"
    rf"|\\\[(?:(?!\\\[).){{1,{_TEX_SPAN_MAX}}}?\\\]",
    re.S,
)
_INLINE_TEX = re.compile(rf"\\\(((?:(?!\\\().){{0,{_TEX_SPAN_MAX}}}?)\\\)", re.S)


def inline_tex(source: str) -> str:
    """Short inline TeX reads fine as text; anything longer becomes a placeholder."""
    source = " ".join(source.split())
    if not source:
        return ""
    return source if len(source) <= _INLINE_TEX_MAX else FORMULA_SLOT


def finish(text: str) -> str:
    """TeX rules, whitespace collapse, then sentinels -> placeholders in the text's language."""
    if "$" in text or "\\" in text:
        text = _apply_tex(text)
    text = " ".join(text.split())  # str.split() knows all Unicode whitespace, nbsp included
    if CODE_SENTINEL not in text and FORMULA_SENTINEL not in text:
        return text
    # "[code] [code]" says nothing "[code]" does not
    for sentinel in (CODE_SENTINEL, FORMULA_SENTINEL):
        pair = f"{sentinel} {sentinel}"
        while pair in text:
            text = text.replace(pair, sentinel)
    cjk = _is_mostly_cjk(text)
    return text.replace(CODE_SENTINEL, CODE_PLACEHOLDER_CJK if cjk else CODE_PLACEHOLDER).replace(
        FORMULA_SENTINEL, FORMULA_PLACEHOLDER_CJK if cjk else FORMULA_PLACEHOLDER
    )


def _apply_tex(text: str) -> str:
    """Replace TeX written in the text itself."""
    if "$$" in text or "\\[" in text:
        text = _DISPLAY_TEX.sub(FORMULA_SLOT, text)
    if "\\(" in text:
        text = _INLINE_TEX.sub(lambda m: inline_tex(m.group(1)), text)
    return text


def _is_mostly_cjk(text: str) -> bool:
    """CJK characters outnumber the space-separated tokens of everything else.

    One Han character carries about as much as one English word, so counting characters
    on one side and tokens on the other compares like with like.
    """
    rest, cjk = CJK_CHAR.subn(" ", text[:_LANGUAGE_SAMPLE])
    if not cjk:
        return False
    tokens = len(rest.split()) - rest.count(CODE_SENTINEL) - rest.count(FORMULA_SENTINEL)
    return cjk >= tokens
