"""Assembled text -> the finished line: TeX rules, whitespace collapse, placeholders by language.

Code blocks, formulas, images, audio and video travel through the assembled text as
private-use sentinel characters. Only here, once the language of the whole text is known,
do the sentinels become ``[code]``/``[formula]``/``[image]``/``[audio]``/``[video]`` or
``[代码]``/``[公式]``/``[图片]``/``[音频]``/``[视频]``. Pure: no I/O.
"""

from __future__ import annotations

import re

from bot.text.measure import CJK_CHAR

CODE_PLACEHOLDER_CJK = "[代码]"
CODE_PLACEHOLDER = "[code]"
FORMULA_PLACEHOLDER_CJK = "[公式]"
FORMULA_PLACEHOLDER = "[formula]"
IMAGE_PLACEHOLDER_CJK = "[图片]"
IMAGE_PLACEHOLDER = "[image]"
AUDIO_PLACEHOLDER_CJK = "[音频]"
AUDIO_PLACEHOLDER = "[audio]"
VIDEO_PLACEHOLDER_CJK = "[视频]"
VIDEO_PLACEHOLDER = "[video]"

__all__ = [
    "AUDIO_SLOT",
    "CODE_PLACEHOLDER",
    "CODE_PLACEHOLDER_CJK",
    "CODE_SENTINEL",
    "CODE_SLOT",
    "FORMULA_PLACEHOLDER",
    "FORMULA_PLACEHOLDER_CJK",
    "FORMULA_SENTINEL",
    "FORMULA_SLOT",
    "IMAGE_SLOT",
    "SENTINELS",
    "VIDEO_SLOT",
    "finish",
    "inline_tex",
]

# Sentinels for placeholders while text is being assembled (private-use code points; any
# in the input are removed first, so a sentinel in the output is always ours).
CODE_SENTINEL = "\ue000"
FORMULA_SENTINEL = "\ue001"
IMAGE_SENTINEL = "\ue002"
AUDIO_SENTINEL = "\ue003"
VIDEO_SENTINEL = "\ue004"
#: every sentinel, for character classes
SENTINELS = CODE_SENTINEL + FORMULA_SENTINEL + IMAGE_SENTINEL + AUDIO_SENTINEL + VIDEO_SENTINEL
CODE_SLOT = f" {CODE_SENTINEL} "
FORMULA_SLOT = f" {FORMULA_SENTINEL} "
IMAGE_SLOT = f" {IMAGE_SENTINEL} "
AUDIO_SLOT = f" {AUDIO_SENTINEL} "
VIDEO_SLOT = f" {VIDEO_SENTINEL} "

#: sentinel -> (placeholder in mostly-CJK text, placeholder otherwise)
_PLACEHOLDERS = {
    CODE_SENTINEL: (CODE_PLACEHOLDER_CJK, CODE_PLACEHOLDER),
    FORMULA_SENTINEL: (FORMULA_PLACEHOLDER_CJK, FORMULA_PLACEHOLDER),
    IMAGE_SENTINEL: (IMAGE_PLACEHOLDER_CJK, IMAGE_PLACEHOLDER),
    AUDIO_SENTINEL: (AUDIO_PLACEHOLDER_CJK, AUDIO_PLACEHOLDER),
    VIDEO_SENTINEL: (VIDEO_PLACEHOLDER_CJK, VIDEO_PLACEHOLDER),
}
_ANY_SENTINEL = re.compile(f"[{SENTINELS}]")
# A placeholder is a word: punctuation that follows it sticks to it ("[formula]." not
# "[formula] ."), as it would to the word it stands for.
_SPACE_BEFORE_PUNCT = re.compile(f"([{SENTINELS}]) (?=[.,;:!?…)\\]}}。，、；：！？）」』】])")

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
# Inline TeX between single dollars, as Pandoc reads it: the opening $ has a non-space
# right after it, the closing one a non-space right before it and no digit after it, and
# no $ runs inside. So "$5 and $10" (a space before the second $) is money, not math; a
# body of digits alone ("$5$") is not taken either.
_DOLLAR_TEX = re.compile(r"(?<![\\$])\$(?=[^\s$])([^$\n]{1,300}?)(?<=[^\s\\$])\$(?![\d$])")
_MONEY = re.compile(r"[\d.,\s]*")


_GREEK = (
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    "chi", "psi", "omega",
)  # fmt: skip
_OTHER_SYMBOLS = {
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Omega": "Ω", "cdot": "·", "times": "×", "pm": "±", "le": "≤", "leq": "≤",
    "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠", "infty": "∞", "to": "→", "approx": "≈",
    "in": "∈", "ldots": "…", "cdots": "⋯",
}  # fmt: skip
#: TeX commands that read as one character (Greek letters and a few relations)
_TEX_SYMBOLS = {
    **dict(zip(_GREEK, map(chr, [*range(0x3B1, 0x3C2), *range(0x3C3, 0x3CA)]), strict=True)),
    **_OTHER_SYMBOLS,
}
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])")


def inline_tex(source: str) -> str:
    """Short inline TeX reads fine as text (``\\alpha`` as α); longer TeX, or TeX with
    commands that have no one-character reading, becomes a placeholder."""
    source = " ".join(source.split())
    if "\\" in source:
        source = _TEX_COMMAND.sub(lambda m: _TEX_SYMBOLS.get(m.group(1), m.group()), source)
    if not source:
        return ""
    if "\\" in source or len(source) > _INLINE_TEX_MAX:
        return FORMULA_SLOT
    return source


def finish(text: str, hint: str = "") -> str:
    """TeX rules, whitespace collapse, then sentinels -> placeholders in the text's language
    (or in the language of ``hint``, the entry's title, when the text has no words)."""
    if "$" in text or "\\" in text:
        text = _apply_tex(text)
    text = " ".join(text.split())  # str.split() knows all Unicode whitespace, nbsp included
    if _ANY_SENTINEL.search(text) is None:
        return text
    # "[code] [code]" says nothing "[code]" does not
    for sentinel in _PLACEHOLDERS:
        pair = f"{sentinel} {sentinel}"
        while pair in text:
            text = text.replace(pair, sentinel)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    words = _ANY_SENTINEL.sub("", text).strip()
    cjk = _is_mostly_cjk(text if words or not hint else hint)
    for sentinel, (cjk_form, other_form) in _PLACEHOLDERS.items():
        text = text.replace(sentinel, cjk_form if cjk else other_form)
    return text


def _apply_tex(text: str) -> str:
    """Replace TeX written in the text itself."""
    if "$$" in text or "\\[" in text:
        text = _DISPLAY_TEX.sub(FORMULA_SLOT, text)
    if "\\(" in text:
        text = _INLINE_TEX.sub(lambda m: inline_tex(m.group(1)), text)
    if text.count("$") >= 2:
        text = _DOLLAR_TEX.sub(_dollar_tex, text)
    return text


def _dollar_tex(match: re.Match[str]) -> str:
    body = match.group(1)
    if _MONEY.fullmatch(body):
        return match.group()
    return inline_tex(body)


def _is_mostly_cjk(text: str) -> bool:
    """CJK characters outnumber the space-separated tokens of everything else.

    One Han character carries about as much as one English word, so counting characters
    on one side and tokens on the other compares like with like.
    """
    rest, cjk = CJK_CHAR.subn(" ", text[:_LANGUAGE_SAMPLE])
    if not cjk:
        return False
    tokens = len(rest.split()) - len(_ANY_SENTINEL.findall(rest))
    return cjk >= tokens
