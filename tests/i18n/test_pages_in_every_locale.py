"""Every main page in every shipped locale: right ``lang`` and ``dir``, and no source
(English) string shows where the locale has its own translation."""

import html
import re

import pytest
from babel.messages.pofile import read_po

from buddy import catalogs
from buddy.i18n import LOCALES
from buddy.models import User
from tests import factories as f

pytestmark = pytest.mark.client_language(None)

RTL = {"ar", "fa"}
PUBLIC_PAGES = ["/", "/login", "/reset", "/privacy", "/organisations", "/toolkit/",
                "/does-not-exist"]


def _untranslated_sources(locale: str) -> list[str]:
    """Source strings (of some length) whose translation differs from the source."""
    with catalogs.po_path(locale).open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    found = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        source, translated = message.id, message.string
        if translated and translated != source and len(source) >= 12 and "%(" not in source \
                and "<" not in source:
            found.append(source)
    return found


_CACHE: dict[str, list[str]] = {}


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(text).split())


def _check(page: str, locale: str) -> None:
    assert f'<html lang="{locale}" dir="{"rtl" if locale in RTL else "ltr"}"' in page
    if locale == "en":
        return
    sources = _CACHE.setdefault(locale, _untranslated_sources(locale))
    text = _visible_text(page)
    leaked = [s for s in sources if s in text]
    assert leaked == [], f"untranslated in {locale}: {leaked[:5]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_public_pages(client, locale):
    org = f.make_org(slug="stad", name="Taalhuis Stad")
    for path in [*PUBLIC_PAGES, f"/o/{org.slug}/join", f"/o/{org.slug}/join/name",
                 f"/o/{org.slug}/volunteer/signup", "/toolkit/what-is-a-buddy"]:
        response = client.get(path, query_string={"lang": locale}, follow_redirects=True)
        assert response.status_code in (200, 404), path
        _check(response.get_data(as_text=True), locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_signed_in_pages(client, login, locale):
    org = f.make_org(name="Taalhuis Stad")
    volunteer = f.make_volunteer(org)
    participant = f.make_participant(org)
    match = f.make_match(participant, volunteer, status="active")
    pages = {
        f.make_user("coordinator", org).id: ["/coordinator/", "/coordinator/matching",
                                          "/coordinator/proposals", "/coordinator/monitor",
                                          "/coordinator/volunteers", "/coordinator/participants",
                                          "/account"],
        volunteer.user_id: ["/volunteer", "/volunteer/profile", f"/match/{match.id}",
                         "/account/data"],
        participant.user_id: ["/me", "/me/details", f"/match/{match.id}", "/account/consent"],
    }
    for user_id, paths in pages.items():
        user = f.db.session.get(User, user_id)
        user.locale = locale
        f.db.session.commit()
        login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            _check(response.get_data(as_text=True), locale)
        client.post("/logout")
