"""Every English message of the web UI has its Chinese translation, and the compiled catalog is current."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

WEBUI = Path(__file__).parents[2] / "webui"
CATALOG = WEBUI / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def _messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(WEBUI), METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {}}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_is_translated_to_chinese():
    with open(CATALOG / "messages.po", "rb") as f:
        catalog = read_po(f, locale="zh_Hans_CN")
    missing = sorted(m for m in _messages() if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"run bash scripts/translations.sh and translate: {missing}"
    fuzzy = sorted(m.id for m in catalog if m.id and m.fuzzy)
    assert not fuzzy, f"fuzzy translations to check: {fuzzy}"


def _entries(catalog) -> dict:
    # A plural message (ngettext) has its singular and plural ids and one string per plural form.
    def flat(x):
        return tuple(x) if isinstance(x, (list, tuple)) else x
    return {flat(m.id): flat(m.string) for m in catalog if m.id}


def test_the_compiled_catalog_matches_the_translations():
    with open(CATALOG / "messages.po", "rb") as f:
        po = _entries(read_po(f, locale="zh_Hans_CN"))
    with open(CATALOG / "messages.mo", "rb") as f:
        mo = _entries(read_mo(f))
    assert po == mo, "run bash scripts/translations.sh compile"
