"""Toolkit, second edition (issue 17): the participant safety page, the wording for people who
do not have to integrate, the new volunteer pages, and the sources and check dates.

Participant pages are checked in every locale whose folder already has them, so the six
participant languages can add their versions later; nl and en must always have them.
"""

import re
from datetime import date
from pathlib import Path

import pytest
from markupsafe import escape

from buddy.toolkit.content import (
    LOCALES,
    clear_cache,
    fold,
    links,
    load_pages,
    parse_internal_link,
    search,
)
from tests.conftest import html_attr

CONTENT_ROOT = Path(__file__).resolve().parents[2] / "toolkit_content"
PAGES = load_pages(CONTENT_ROOT, "/toolkit/")
RTL = {"ar", "fa"}

SAFETY = "if-something-is-not-right"
SAFETY_LOCALES = sorted(locale for locale in LOCALES if SAFETY in PAGES.get(locale, {}))

# The heading of the section for readers who do not have to integrate, per locale.
NOT_OBLIGED_HEADINGS = {
    "nl": "Moet je niet inburgeren?",
    "en": "You do not have to integrate?",
}
# How a sentence about "your inburgering" must be made conditional on participant pages.
POSSESSIVE = {"nl": r"\bje inburgering\b", "en": r"\byour integration\b"}
CONDITION = {"nl": "als je moet inburgeren", "en": "if you have to integrate"}
CHECKED = {"nl": "Feiten gecontroleerd op: 5 december 2026",
           "en": "Facts checked on: 5 December 2026"}
YEARLY = {"nl": "Elk jaar opnieuw controleren", "en": "Check again every year"}
SOURCES = {"nl": "Bronnen", "en": "Sources"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def _section(page, heading: str) -> str:
    """The Markdown under one level-2 heading, up to the next one."""
    parts = re.split(r"^## ", page.body_md, flags=re.MULTILINE)
    for part in parts[1:]:
        title, _newline, content = part.partition("\n")
        if title.strip() == heading:
            return content
    raise AssertionError(f"{page.locale}/{page.slug}: no section '## {heading}'")


# --------------------------------------------------------------------------- the safety page


def test_nl_and_en_have_the_safety_page():
    assert {"nl", "en"} <= set(SAFETY_LOCALES)


@pytest.mark.parametrize("locale", SAFETY_LOCALES)
def test_safety_page_front_matter_matches_dutch(locale):
    page, source = PAGES[locale][SAFETY], PAGES["nl"][SAFETY]
    assert (page.audience, page.kind, page.order) == ("participant", "guide", 20)
    assert (page.audience, page.kind, page.order) == (source.audience, source.kind, source.order)
    assert page.title.strip() and page.summary.strip()
    assert page.reviewed >= date(2026, 12, 5)


@pytest.mark.parametrize("locale", SAFETY_LOCALES)
def test_safety_page_gives_the_three_numbers_and_covers_the_three_situations(locale):
    page = PAGES[locale][SAFETY]
    for number in ("112", "0800-2000", "113", "0800-0113"):
        assert f"**{number}**" in page.body_md, number
    # Four situations and the way to the coordinator each have their own heading.
    assert len([entry for entry in page.toc if entry[0] == 2]) >= 6
    assert "making-agreements.md" in page.body_md  # where the coordinator's number is written


@pytest.mark.parametrize("locale", SAFETY_LOCALES)
def test_safety_page_is_short(locale):
    assert len(PAGES[locale][SAFETY].text.split()) < 700


@pytest.mark.parametrize("locale", sorted(NOT_OBLIGED_HEADINGS))
def test_safety_page_sentences_are_short(locale):
    # A2 level: no sentence above 16 words outside the sources list.
    body = PAGES[locale][SAFETY].text.split(SOURCES[locale])[0]
    sentences = [s for s in re.split(r"(?<=[.?!])\s+|\n", body) if s.strip()]
    assert [s for s in sentences if len(s.split()) > 16] == []


@pytest.mark.parametrize("locale", SAFETY_LOCALES)
def test_safety_page_links_resolve(locale):
    page = PAGES[locale][SAFETY]
    for href in links(page.body_md):
        target = parse_internal_link(href)
        if target is None:
            assert href.startswith("https://"), href
            continue
        assert target[0] is None or target[0] in PAGES[locale], href


@pytest.mark.parametrize("locale", sorted(NOT_OBLIGED_HEADINGS))
def test_safety_page_has_sources_and_check_date(locale):
    page = PAGES[locale][SAFETY]
    sources = _section(page, SOURCES[locale])
    for host in ("rijksoverheid.nl", "113.nl"):
        assert host in sources
    assert CHECKED[locale] in page.text and YEARLY[locale] in page.text


@pytest.mark.parametrize("locale", sorted(NOT_OBLIGED_HEADINGS))
def test_safety_page_speaks_to_people_who_do_not_have_to_integrate(locale):
    section = fold(_section(PAGES[locale][SAFETY], NOT_OBLIGED_HEADINGS[locale]))
    for group in {"nl": ("oekraine", "europese unie", "turkse"),
                  "en": ("ukraine", "european union", "turkish")}[locale]:
        assert group in section
    # Turkish nationals are not exempt as a group since 2022 (rijksoverheid.nl): "some".
    some = {"nl": "sommige mensen met de turkse", "en": "some people with turkish"}
    assert some[locale] in section


@pytest.mark.parametrize("locale", sorted(POSSESSIVE))
def test_participant_pages_never_assume_the_reader_must_integrate(locale):
    for page in PAGES[locale].values():
        if page.audience not in ("participant", "both"):
            continue
        for line in page.text.splitlines():
            if re.search(POSSESSIVE[locale], line, flags=re.IGNORECASE):
                assert CONDITION[locale] in line, f"{locale}/{page.slug}: {line}"


@pytest.mark.parametrize("locale", sorted(POSSESSIVE))
def test_participant_pages_link_to_the_safety_page(locale):
    for slug in ("what-is-a-buddy", "participant-dos-and-donts"):
        assert f"{SAFETY}.md" in PAGES[locale][slug].body_md


@pytest.mark.parametrize("locale", sorted(POSSESSIVE))
def test_official_matters_go_to_the_right_places(locale):
    text = PAGES[locale]["participant-dos-and-donts"].text
    assert "Informatiepunt Digitale Overheid" in text and "Juridisch Loket" in text
    assert "maatschappelijk begeleider" in text
    assert "Taalhuis" not in text


@pytest.mark.parametrize(("locale", "query"), [("nl", "vertrouwenspersoon"),
                                               ("en", "confidential adviser")])
def test_search_finds_the_safety_page(locale, query):
    assert SAFETY in [page.slug for page, _snippet in search(PAGES, locale, query)]


# --------------------------------------------------------------------------- through the site


@pytest.mark.parametrize("locale", SAFETY_LOCALES)
def test_safety_page_renders_with_read_aloud_and_pictograms(client, locale):
    response = client.get(f"/toolkit/{SAFETY}", query_string={"lang": locale})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html_attr(html, "html", "lang") == locale
    assert html_attr(html, "html", "dir") == ("rtl" if locale in RTL else "ltr")
    assert f"<h1>{escape(PAGES[locale][SAFETY].title)}</h1>" in html
    assert "fallback-note" not in html
    assert 'class="btn btn-icon readaloud"' in html
    assert "/static/img/picto/speaker.svg" in html and "/static/img/picto/map-pin.svg" in html
    assert '<div class="table-wrap" role="region"' in html


@pytest.mark.parametrize("locale", SAFETY_LOCALES)
def test_safety_page_prints(client, locale):
    response = client.get(f"/toolkit/{SAFETY}/print", query_string={"lang": locale})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<article class="toolkit-page' in html
    assert "site-nav" not in html and "related-title" not in html
    assert f"http://localhost/toolkit/{SAFETY}" in html
    assert "0800-2000" in html


@pytest.mark.parametrize("locale", SAFETY_LOCALES)
def test_safety_page_is_listed_for_participants(client, locale):
    html = client.get("/toolkit/", query_string={"lang": locale}).get_data(as_text=True)
    participants = html.split('id="for-participant"')[1].split("</section>")[0]
    assert f'href="/toolkit/{SAFETY}"' in participants


@pytest.mark.parametrize(("locale", "query"), [("nl", "Veilig Thuis"), ("en", "Veilig Thuis")])
def test_site_search_finds_the_safety_page(client, locale, query):
    html = client.get("/toolkit/search", query_string={"q": query, "lang": locale}
                      ).get_data(as_text=True)
    assert f'<h3><a href="/toolkit/{SAFETY}"' in html
