"""Catalog hygiene: extraction up to date, every locale complete, placeholders intact,
plural forms right, .mo files built (not committed), and pages free of untranslated text."""

import re
import subprocess

import pytest
from babel.messages.catalog import Catalog
from flask_babel import force_locale, ngettext

from buddy import catalogs
from buddy.i18n import LOCALES

pytestmark = pytest.mark.client_language(None)



def test_extraction_is_up_to_date(tmp_path):
    fresh = catalogs.load(catalogs.extract(tmp_path / "fresh.pot"))
    committed = catalogs.load(catalogs.POT)
    fresh_ids = {catalogs.msgid_key(m) for m in fresh if m.id}
    committed_ids = {catalogs.msgid_key(m) for m in committed if m.id}
    assert fresh_ids - committed_ids == set(), "new strings: run `make extract`"
    assert committed_ids - fresh_ids == set(), "stale strings: run `make extract`"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_every_string_of_the_template(locale):
    template = {catalogs.msgid_key(m) for m in catalogs.load(catalogs.POT) if m.id}
    catalog = {catalogs.msgid_key(m) for m in catalogs.load(catalogs.po_path(locale), locale)
               if m.id}
    assert template == catalog


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_without_fuzzy_or_placeholder_drift(locale):
    assert catalogs.problems(locale) == []


def test_mo_files_are_build_output_not_committed():
    tracked = subprocess.run(["git", "ls-files", "translations"], capture_output=True,
                             text=True, check=True, cwd=catalogs.ROOT).stdout.split()
    assert not [path for path in tracked if path.endswith(".mo")]
    for locale in LOCALES:
        assert (catalogs.po_path(locale).with_suffix(".mo")).exists(), "run `make catalogs`"


def test_arabic_has_six_plural_forms_and_uses_them(app_ctx):
    catalog = catalogs.load(catalogs.po_path("ar"), "ar")
    assert catalog.num_plurals == 6
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert plurals, "the interface should have at least one plural message"
    message = plurals[0]
    assert len(message.string) == 6 and all(message.string)
    singular, plural = message.id
    names = re.findall(r"%\((\w+)\)[sd]", singular + plural)
    with force_locale("ar"):
        for n, form in ((0, 0), (1, 1), (2, 2), (3, 3), (11, 4), (100, 5)):
            text = ngettext(singular, plural, n, **{name: n for name in names})
            expected = message.string[form] % {name: n for name in names}
            assert text == expected


# -- the checker itself ---------------------------------------------------------------------------

def _catalog(locale: str, *messages) -> Catalog:
    catalog = Catalog(locale=locale)
    for msgid, msgstr in messages:
        catalog.add(msgid, msgstr)
    return catalog


def test_every_plural_message_is_checked_not_only_the_last():
    catalog = _catalog("ar", (("%(num)d day", "%(num)d days"), ("%(num)d يوم",) * 2),
                       ("Welcome", "مرحبًا بك"))
    assert catalogs.catalog_problems(catalog) == ["plural forms: '%(num)d day' has 2, not 6"]


def test_a_plural_forms_header_that_disagrees_with_the_language_is_reported():
    catalog = _catalog("ar", ("Welcome", "مرحبًا بك"))
    catalog._num_plurals = 2  # what a Plural-Forms header copied from another language sets
    assert catalogs.catalog_problems(catalog) == ["plural forms: the header says 2, ar has 6"]


@pytest.mark.parametrize(("msgid", "msgstr"), [
    ("Hello %s", "Hallo"),
    ("%s of %s", "%s"),
    ("{} new messages", "nieuwe berichten"),
    ("{name} joined", "doet mee"),
    ("Saved %(count)d", "%(aantal)d opgeslagen"),
    ("%.1f km", "km"),
])
def test_placeholder_drift_is_found(msgid, msgstr):
    assert catalogs.catalog_problems(_catalog("nl", (msgid, msgstr))) == [
        f"placeholders differ: {msgid!r} -> {msgstr!r}"]


@pytest.mark.parametrize(("msgid", "msgstr"), [
    ("100%% sure, %(name)s", "%(name)s, 100%% zeker"),
    ("{} of {}", "{} van {}"),
    ("%s and %d", "%d en %s"),
])
def test_matching_placeholders_pass(msgid, msgstr):
    assert catalogs.catalog_problems(_catalog("nl", (msgid, msgstr))) == []


def test_flask_catalogs_check_passes_on_the_shipped_catalogs(app):
    result = app.test_cli_runner().invoke(args=["catalogs", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Catalogs ok: {', '.join(LOCALES)}."
