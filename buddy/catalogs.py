"""Catalog hygiene and translator tooling: extraction, completeness and placeholder checks,
and a JSON round-trip so translators can work on plain {source: translation} files.

``flask catalogs extract`` and ``flask catalogs check`` (``make extract``, CI) run it for every
locale of ``buddy.i18n.LOCALES``; ``python -m buddy.catalogs`` has the translator commands.
"""

import json
import re
import subprocess  # noqa: S404 - runs pybabel with fixed arguments, no shell
import sys
from collections import Counter
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

from .data import TRANSLATIONS
from .i18n import LOCALES

POT = TRANSLATIONS / "messages.pot"
# The source checkout (extraction reads the code and babel.cfg there).
ROOT = TRANSLATIONS.resolve().parent
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-k", "lazy_ngettext:1,2",
            "-k", "pgettext:1c,2", "-k", "lazy_pgettext:1c,2"]
# printf style (%(name)s, %s, %d, %.1f) and str.format style ({name}, {0}, {}); "%%" is a
# literal percent sign, matched only so that it is not read as a placeholder.
PLACEHOLDER = re.compile(r"%%|%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w*\}")


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


def placeholders(text: str) -> Counter:
    """Return the placeholders of ``text`` with how often each occurs."""
    return Counter(p for p in PLACEHOLDER.findall(text) if p != "%%")


def problems(locale: str) -> list[str]:
    """Return what is wrong with ``locale``'s catalog (see ``catalog_problems``)."""
    return catalog_problems(load(po_path(locale), locale))


def catalog_problems(catalog: Catalog) -> list[str]:
    """Return what is wrong with ``catalog``: plural-form count, fuzzy, missing, placeholders."""
    found = []
    if catalog.locale and catalog.num_plurals != get_plural(catalog.locale)[0]:
        found.append(f"plural forms: the header says {catalog.num_plurals}, "
                     f"{catalog.locale} has {get_plural(catalog.locale)[0]}")
    for message in catalog:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            found.append(f"plural forms: {ids[0]!r} has {len(strings)}, "
                         f"not {catalog.num_plurals}")
        if "fuzzy" in message.flags:
            found.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            found.append(f"untranslated: {ids[0]!r}")
            continue
        found += _placeholder_drift(ids, strings)
    return found


def _placeholder_drift(ids: tuple[str, ...], strings: tuple[str, ...]) -> list[str]:
    """A translation may not add placeholders; only a plural form may leave one out."""
    wanted = placeholders(ids[-1])
    found = []
    for text in strings:
        got = placeholders(text)
        if got - wanted or (wanted - got and len(strings) == 1):
            found.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
    return found


def main(argv: list[str]) -> int:
    """Translator tooling: ``python -m buddy.catalogs extract|update|missing|import``."""
    command, *rest = argv
    if command == "extract":
        extract()
        for locale in rest or LOCALES:
            update(locale)
    elif command == "missing":
        json.dump(export_missing(rest[0]), sys.stdout, ensure_ascii=False, indent=1)
    elif command == "import":
        data = json.loads(Path(rest[1]).read_text(encoding="utf-8"))
        print(import_translations(rest[0], data), "translations set")
    elif command == "check":
        issues = [p for locale in rest or LOCALES for p in problems(locale)]
        print("\n".join(issues) or "ok")
        return 1 if issues else 0
    return 0


catalogs_cli = AppGroup("catalogs", help="Translation catalogs (translations/).")


@catalogs_cli.command("extract")
def extract_command() -> None:
    """Re-extract the strings of code and templates and update every locale's catalog."""
    extract()
    for locale in LOCALES:
        update(locale)
    click.echo(f"Extracted to {POT} and updated {', '.join(LOCALES)}.")


@catalogs_cli.command("check")
@click.argument("locales", nargs=-1)
def check_command(locales: tuple[str, ...]) -> None:
    """Fail if a catalog (default: every locale) is incomplete, fuzzy or drifts."""
    issues = [f"{locale}: {p}" for locale in locales or LOCALES for p in problems(locale)]
    click.echo("\n".join(issues) or f"Catalogs ok: {', '.join(locales or LOCALES)}.")
    if issues:
        raise SystemExit(1)


@catalogs_cli.command("locales")
def locales_command() -> None:
    """Print the shipped locales, space-separated."""
    click.echo(" ".join(LOCALES))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
