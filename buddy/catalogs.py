"""Catalog hygiene and translator tooling: extraction, completeness and placeholder checks,
and a JSON round-trip so translators can work on plain {source: translation} files."""

import json
import re
import subprocess  # noqa: S404 - runs pybabel with fixed arguments, no shell
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-k", "lazy_ngettext:1,2",
            "-k", "pgettext:1c,2", "-k", "lazy_pgettext:1c,2"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")


def extract(output: Path = POT) -> Path:
    """Extract every translatable string of the code and templates into ``output``."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",  # noqa: S603
                    str(ROOT / "babel.cfg"), *KEYWORDS, "--add-comments=Translators:",
                    "--no-location", "--sort-output", "--omit-header", "-o", str(output),
                    "."], check=True, capture_output=True, cwd=ROOT)
    return output


def load(path: Path, locale: str | None = None) -> Catalog:
    """Read a .po or .pot file."""
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def save(catalog: Catalog, path: Path) -> None:
    """Write ``catalog`` as a .po file (sorted, no line numbers, stable for diffs)."""
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, sort_output=True,
                 width=100)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def update(locale: str) -> Catalog:
    """Bring ``locale``'s catalog in line with the template (new ids in, stale ids out)."""
    template = load(POT)
    path = po_path(locale)
    if path.exists():
        catalog = load(path, locale)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=locale, project="Inburgergids", fuzzy=False)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    save(catalog, path)
    return catalog


def msgid_key(message) -> str:
    """Return a JSON key for a message: the id, or singular + '|' + plural."""
    return message.id if isinstance(message.id, str) else "\u241e".join(message.id)


def export_missing(locale: str) -> dict:
    """Return the untranslated messages of ``locale`` as {key: {"comments", "plural_forms"}}."""
    catalog = load(po_path(locale), locale)
    missing = {}
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing[msgid_key(message)] = {
                "comments": list(message.auto_comments),
                "plural_forms": catalog.num_plurals if not isinstance(message.id, str) else 0,
            }
    return missing


def import_translations(locale: str, translations: dict) -> int:
    """Set translations from {key: str | [plural forms]}; return how many were set."""
    path = po_path(locale)
    catalog = load(path, locale)
    by_key = {msgid_key(m): m for m in catalog if m.id}
    count = 0
    for key, value in translations.items():
        message = by_key.get(key)
        if message is None or not value:
            continue
        if isinstance(message.id, str):
            message.string = value if isinstance(value, str) else value[0]
        else:
            forms = [value] * catalog.num_plurals if isinstance(value, str) else list(value)
            message.string = tuple(forms[: catalog.num_plurals])
        message.flags.discard("fuzzy")
        count += 1
    save(catalog, path)
    return count


def problems(locale: str) -> list[str]:
    """Return what is wrong with ``locale``'s catalog: missing, fuzzy, placeholder drift."""
    catalog = load(po_path(locale), locale)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "fuzzy" in message.flags:
            found.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            found.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = {p for p in PLACEHOLDER.findall(ids[-1]) if p}
        for text in strings:
            got = {p for p in PLACEHOLDER.findall(text) if p}
            if got - wanted or (wanted - got and len(strings) == 1):
                found.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            found.append(f"plural forms: {ids[0]!r}")
    return found


def main(argv: list[str]) -> int:
    """Translator tooling: ``python -m buddy.catalogs extract|update|missing|import``."""
    command, *rest = argv
    if command == "extract":
        extract()
        for locale in rest:
            update(locale)
    elif command == "missing":
        json.dump(export_missing(rest[0]), sys.stdout, ensure_ascii=False, indent=1)
    elif command == "import":
        data = json.loads(Path(rest[1]).read_text(encoding="utf-8"))
        print(import_translations(rest[0], data), "translations set")
    elif command == "check":
        issues = [p for locale in rest for p in problems(locale)]
        print("\n".join(issues) or "ok")
        return 1 if issues else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
