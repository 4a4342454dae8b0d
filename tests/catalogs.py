"""The translation catalogs: extract ``_("...")`` with Babel, update the .po, compile the .mo.

Babel is a development tool here (a test dependency): the bot reads only the compiled .mo
files, through the standard library's gettext (:mod:`bot.render.i18n`). ``scripts/i18n``
runs :func:`main`; ``tests/test_catalogs.py`` checks that every msgid is translated, that
no translation breaks a message, and that the committed .mo match their .po.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.render.i18n import DOMAIN, ENGLISH, LANGUAGES, LOCALE_DIR, catalog_path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "bot"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
#: the languages with a catalog (English is the msgids themselves)
TRANSLATED = tuple(language for language in LANGUAGES if language != ENGLISH)
HEADER_COMMENT = (
    "# Transmission's chat sentences. The msgids are in bot/render/strings/;\n"
    "# scripts/i18n merges new ones in (untranslated or fuzzy) and compiles the .mo."
)
_KEYWORDS = {"_": None}  # _("msgid", **values): the first argument


def extract() -> Catalog:
    """Every ``_("...")`` under ``bot/``, as a template catalog."""
    template = Catalog(project="Transmission", domain=DOMAIN, fuzzy=False)
    found = extract_from_dir(
        str(SOURCES), method_map=[("**.py", "python")], keywords=_KEYWORDS, comment_tags=("#:",)
    )
    for filename, _lineno, message, comments, _context in found:
        template.add(message, locations=[(f"bot/{filename}", None)], auto_comments=comments)
    return template


def read(language: str) -> Catalog:
    """The .po of ``language`` (an empty catalog when there is none yet)."""
    path = catalog_path(language, ".po")
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN, project="Transmission")
    with path.open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    """The .mo of ``catalog`` (fuzzy translations left out: they read as English)."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _po_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def update() -> list[str]:
    """Extract, merge into each .po (new msgids come in untranslated or fuzzy), compile
    each .mo; returns what it wrote."""
    template = extract()
    TEMPLATE.write_bytes(_po_text(template))
    written = [str(TEMPLATE.relative_to(ROOT))]
    for language in TRANSLATED:
        catalog = read(language)
        catalog.update(template, update_creation_date=False)
        catalog.fuzzy = False  # the header: each message keeps its own flag
        catalog.header_comment = HEADER_COMMENT
        po, mo = catalog_path(language, ".po"), catalog_path(language, ".mo")
        po.parent.mkdir(parents=True, exist_ok=True)
        po.write_bytes(_po_text(catalog))
        mo.write_bytes(compiled(read(language)))
        written += [str(po.relative_to(ROOT)), str(mo.relative_to(ROOT))]
    return written


def main() -> int:
    for path in update():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
