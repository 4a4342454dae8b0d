"""The canonical link of an entry: one story reached through different feeds compares equal.

:func:`canonical_link` drops what only says where a click came from (``utm_*``, ``spm``,
``from``, ``xtor``, ``fbclid``, ``gclid`` ...) and unifies what never names another page:
``http``/``https``, a leading ``www.`` or ``m.``, the default port, a trailing slash, the
order of the remaining query parameters, the fragment. The path is kept as written:
different paths are different stories, whatever their titles say.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

__all__ = ["MAX_CANONICAL_CHARS", "TRACKING_PARAMS", "canonical_link"]

#: Longer canonical links are stored as a hash (they are compared, never shown).
MAX_CANONICAL_CHARS = 1000

#: Query parameters that say where a click came from, not which page it opens.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "twclid",
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "spm", "from", "xtor",
        "ref", "ref_src", "ref_url", "referrer", "cmpid", "ocid", "ito", "wt_mc",
        "wt_zmc", "__twitter_impression", "share_from", "scene", "srcid", "vero_id",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
_HOST_PREFIXES = ("www.", "m.")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_link(link: str | None) -> str | None:
    """The form two links to the same story share (None: no link, or not a web address)."""
    if link is None or not link.strip():
        return None
    try:
        parts = urlsplit(link.strip())
        port = parts.port
    except ValueError:  # e.g. an unbalanced IPv6 bracket or a port out of range
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host += f":{port}"
    path = parts.path.rstrip("/") or "/"
    query = _kept_query(parts.query)
    canonical = host + path + (f"?{query}" if query else "")
    if len(canonical) > MAX_CANONICAL_CHARS:
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
    return canonical


def _kept_query(query: str) -> str:
    """The query without tracking parameters, the rest sorted (their order means nothing)."""
    kept = []
    for pair in query.split("&"):
        name = pair.partition("=")[0].lower()
        if not pair or name in TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES):
            continue
        kept.append(pair)
    return "&".join(sorted(set(kept)))
