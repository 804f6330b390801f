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

from buddy.i18n import LOCALES
from buddy.toolkit.content import (
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
SOURCE = {"nl": "Bron", "en": "Source"}


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


# --------------------------------------------------------------------------- new volunteer pages

# The volunteer pages of the second edition (nl and en): kind and order, a phrase each must say,
# and the official hosts its sources list must name.
VOLUNTEER_PAGES = {
    "culture-faith-and-boundaries": ("dos-and-donts", 155),
    "plain-dutch-and-interpreters": ("instrument", 90),
    "colleague-and-student-guides": ("guide", 240),
    "digital-government-together": ("instrument", 80),
}
VOLUNTEER_CASES = [(locale, slug) for locale in ("nl", "en") for slug in sorted(VOLUNTEER_PAGES)]
SOURCE_HOSTS = {
    "culture-faith-and-boundaries": ("helmond.nl", "rijswijk.nl"),
    "plain-dutch-and-interpreters": ("zoek.officielebekendmakingen.nl", "bureauwbtv.nl",
                                     "nji.nl"),
    "colleague-and-student-guides": ("zoek.officielebekendmakingen.nl", "rijswijk.nl"),
    "digital-government-together": ("kb.nl",),
}
# One search query per new page and locale that must find it, in the page's own words.
QUERIES = {
    ("nl", "culture-faith-and-boundaries"): "vasten",
    ("en", "culture-faith-and-boundaries"): "fasting",
    ("nl", "plain-dutch-and-interpreters"): "beëdigde tolk",
    ("en", "plain-dutch-and-interpreters"): "sworn interpreter",
    ("nl", "colleague-and-student-guides"): "maatschappelijke stage",
    ("en", "colleague-and-student-guides"): "community-service placement",
    ("nl", "digital-government-together"): "DigiD-app",
    ("en", "digital-government-together"): "DigiD app",
}


def _hosts(markdown: str) -> set[str]:
    return {host.removeprefix("www.") for host in re.findall(r"<https://([^/>]+)", markdown)}


@pytest.mark.parametrize(("locale", "slug"), VOLUNTEER_CASES)
def test_new_volunteer_page_front_matter(locale, slug):
    page, source = PAGES[locale][slug], PAGES["nl"][slug]
    assert (page.audience, page.kind, page.order) == ("volunteer", *VOLUNTEER_PAGES[slug])
    assert (page.audience, page.kind, page.order) == (source.audience, source.kind, source.order)
    assert page.title.strip() and page.summary.strip()
    assert page.reviewed >= date(2026, 12, 5)


@pytest.mark.parametrize(("locale", "slug"), VOLUNTEER_CASES)
def test_new_volunteer_page_links_resolve(locale, slug):
    page = PAGES[locale][slug]
    for href in links(page.body_md):
        target = parse_internal_link(href)
        if target is None:
            assert href.startswith("https://"), href
            continue
        target_slug, anchor = target
        target_page = page if target_slug is None else PAGES[locale].get(target_slug)
        assert target_page is not None, href
        if anchor:
            assert anchor in [entry[1] for entry in target_page.toc], href


@pytest.mark.parametrize(("locale", "slug"), VOLUNTEER_CASES)
def test_new_volunteer_page_has_official_sources_and_check_date(locale, slug):
    page = PAGES[locale][slug]
    # One source is listed under a singular heading ("Bron", "Source").
    headings = [entry[2] for entry in page.toc if entry[0] == 2]
    heading = SOURCES[locale] if SOURCES[locale] in headings else SOURCE[locale]
    sources = _section(page, heading)
    assert set(SOURCE_HOSTS[slug]) <= _hosts(sources)
    # Every web address on the page is listed as a source, so no fact rests on an unlisted site.
    assert _hosts(page.body_md) <= _hosts(sources)
    assert CHECKED[locale] in page.text


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_new_volunteer_pages_are_linked_from_related_pages(locale):
    linking = {slug: set() for slug in VOLUNTEER_PAGES}
    for page in PAGES[locale].values():
        for href in links(page.body_md):
            target = parse_internal_link(href)
            if target and target[0] in linking and target[0] != page.slug:
                linking[target[0]].add(page.slug)
    culture = linking["culture-faith-and-boundaries"]
    assert {"volunteer-role", "reliability-and-boundaries"} <= culture
    assert {"volunteer-role", "language-technique"} <= linking["plain-dutch-and-interpreters"]
    assert "volunteer-role" in linking["colleague-and-student-guides"]


@pytest.mark.parametrize(("locale", "heading", "phrases"), [
    ("nl", "Nooit kinderen als tolk", ("Laat kinderen niet tolken", "coördinator")),
    ("en", "Never children as interpreters", ("Don't let children interpret", "coordinator")),
])
def test_interpreter_page_rules_out_children(locale, heading, phrases):
    section = _section(PAGES[locale]["plain-dutch-and-interpreters"], heading)
    assert all(phrase in section for phrase in phrases)


@pytest.mark.parametrize(("locale", "phrases"), [
    ("nl", ("vertrouwenspersoon", "coördinator", "geen liefdesrelatie", "**112**")),
    ("en", ("confidential adviser", "coordinator", "romantic", "**112**")),
])
def test_culture_page_says_where_to_go_when_a_boundary_is_crossed(locale, phrases):
    section = _section(PAGES[locale]["culture-faith-and-boundaries"],
                       {"nl": "Als een grens wordt overschreden",
                        "en": "When a boundary is crossed"}[locale])
    romance = _section(PAGES[locale]["culture-faith-and-boundaries"],
                       {"nl": "Geen liefdesrelatie", "en": "No romantic relationship"}[locale])
    assert all(phrase in section + romance for phrase in phrases)


@pytest.mark.parametrize(("locale", "phrases"), [
    ("nl", ("openbare plekken", "Geen huisbezoek", "jonger dan 18", "de school")),
    ("en", ("Public places only", "No home visits", "under 18", "the school")),
])
def test_student_guides_meet_in_public_and_never_at_home(locale, phrases):
    text = PAGES[locale]["colleague-and-student-guides"].text
    assert all(phrase in text for phrase in phrases)


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_unverified_deltaplan_claim_is_not_made(locale):
    # No official source was found that the 2007 Deltaplan inburgering names colleagues and
    # pupils as sources of guides, so the page must not say it.
    assert "deltaplan" not in fold(PAGES[locale]["colleague-and-student-guides"].text)


@pytest.mark.parametrize(("locale", "slug"), sorted(QUERIES))
def test_search_finds_the_new_volunteer_pages(locale, slug):
    found = [page.slug for page, _snippet in search(PAGES, locale, QUERIES[locale, slug])]
    assert slug in found


@pytest.mark.parametrize(("locale", "slug"), VOLUNTEER_CASES)
def test_new_volunteer_page_renders_and_prints(client, locale, slug):
    response = client.get(f"/toolkit/{slug}", query_string={"lang": locale})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html_attr(html, "html", "lang") == locale
    assert f"<h1>{escape(PAGES[locale][slug].title)}</h1>" in html
    assert "fallback-note" not in html
    assert f'href="/toolkit/{slug}/print"' in html

    printed = client.get(f"/toolkit/{slug}/print", query_string={"lang": locale})
    html = printed.get_data(as_text=True)
    assert printed.status_code == 200
    assert '<article class="toolkit-page' in html
    assert "site-nav" not in html and "related-title" not in html
    assert f"http://localhost/toolkit/{slug}" in html
    assert escape(CHECKED[locale]) in html


@pytest.mark.parametrize(("locale", "slug"), VOLUNTEER_CASES)
def test_new_volunteer_page_is_listed_for_volunteers(client, locale, slug):
    html = client.get("/toolkit/", query_string={"lang": locale}).get_data(as_text=True)
    volunteers = html.split('id="for-volunteer"')[1].split("</section>")[0]
    assert f'href="/toolkit/{slug}"' in volunteers


@pytest.mark.parametrize(("locale", "slug"), sorted(QUERIES))
def test_site_search_finds_the_new_volunteer_pages(client, locale, slug):
    html = client.get("/toolkit/search", query_string={"q": QUERIES[locale, slug], "lang": locale}
                      ).get_data(as_text=True)
    assert f'<h3><a href="/toolkit/{slug}"' in html
