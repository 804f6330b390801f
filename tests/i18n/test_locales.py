"""One list of locales, one default, one direction and one naming function: buddy/i18n.py."""

import ast
from pathlib import Path

import pytest

import buddy
from buddy import catalogs, i18n
from buddy.data import TOOLKIT_CONTENT, TRANSLATIONS

pytestmark = pytest.mark.client_language(None)


def test_every_shipped_locale_has_a_catalog_a_native_name_and_nothing_more():
    assert tuple(i18n.NATIVE_NAMES) == i18n.LOCALES
    shipped = {po.parent.parent.name for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert shipped == set(i18n.LOCALES)
    assert i18n.DEFAULT_LOCALE in i18n.LOCALES


def test_toolkit_content_exists_only_in_shipped_locales_and_fully_in_the_default():
    content = {folder.name for folder in TOOLKIT_CONTENT.iterdir() if folder.is_dir()}
    assert i18n.DEFAULT_LOCALE in content
    assert content <= set(i18n.LOCALES)


def test_flask_babel_and_the_selector_use_the_one_default(app, client):
    assert app.config["BABEL_DEFAULT_LOCALE"] == i18n.DEFAULT_LOCALE
    page = client.get("/", headers={"Accept-Language": "de"})
    assert f'<html lang="{i18n.DEFAULT_LOCALE}"' in page.get_data(as_text=True)


@pytest.mark.parametrize(("code", "direction"), [
    ("ar", "rtl"), ("fa", "rtl"), ("prs", "rtl"), ("ps", "rtl"), ("nl", "ltr"), ("ti", "ltr"),
])
def test_direction_comes_from_babel_also_for_dari(code, direction):
    assert i18n.direction(code) == direction


def test_dari_is_named_through_the_one_naming_function():
    assert i18n.language_name("prs", "nl") == "Dari"
    assert i18n.language_name("prs", "ar") == "الدارية"
    assert i18n.native_language_name("prs") == "دری"
    assert i18n.native_language_name("uk") == i18n.NATIVE_NAMES["uk"]


def test_no_second_copy_of_the_locale_list():
    package = Path(buddy.__file__).parent
    copies = []
    for path in package.rglob("*.py"):
        if path == package / "i18n.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                strings = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                if strings == set(i18n.LOCALES):
                    copies.append(f"{path.relative_to(package)}:{node.lineno}")
    makefile = (catalogs.ROOT / "Makefile").read_text(encoding="utf-8")
    assert copies == [] and " ".join(i18n.LOCALES) not in makefile


def test_flask_catalogs_locales_prints_the_list(app):
    result = app.test_cli_runner().invoke(args=["catalogs", "locales"])
    assert result.output.split() == list(i18n.LOCALES)
