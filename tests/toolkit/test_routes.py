"""The toolkit section: overview, pages, search, printable view and local referrals."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from buddy import create_app
from buddy.extensions import db, limiter
from buddy.toolkit.content import fold, links, load_pages, pages_for, parse_internal_link
from tests import factories as f
from tests.conftest import Client, app_config, html_attr

CONTENT_ROOT = Path(__file__).resolve().parents[2] / "toolkit_content"
PAGES = load_pages(CONTENT_ROOT, "/toolkit/")
EVERY_PAGE = sorted((locale, slug) for locale, pages in PAGES.items() for slug in pages)
RTL = {"ar", "fa"}
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


# --------------------------------------------------------------------------- helpers


class Tags(HTMLParser):
    """Every start tag of a document as ``(tag, attributes)``, in order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {key: value or "" for key, value in attrs}))

    def ids(self) -> list[str]:
        return [attrs["id"] for _tag, attrs in self.tags if "id" in attrs]

    def hrefs(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.tags if tag == "a" and "href" in attrs]

    def with_class(self, tag: str, cls: str) -> list[dict]:
        return [attrs for name, attrs in self.tags
                if name == tag and cls in attrs.get("class", "").split()]


def _get(client, path: str, lang: str | None = None):
    return client.get(path, query_string={"lang": lang} if lang else None)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _toc_hrefs(html: str) -> list[str]:
    toc = html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="#([^"]+)"', toc)


def _page_links(html: str) -> list[str]:
    """Links inside the rendered page body."""
    body = html.split('class="toolkit-body"', 1)[1].split("\n  </div>", 1)[0]
    return Tags(body).hrefs()


# --------------------------------------------------------------------------- every page


@pytest.mark.parametrize(("locale", "slug"), EVERY_PAGE)
def test_every_page_renders_in_its_locale(client, locale, slug):
    response = _get(client, f"/toolkit/{slug}", locale)
    html = _text(response)
    assert response.status_code == 200
    assert html_attr(html, "html", "lang") == locale
    assert html_attr(html, "html", "dir") == ("rtl" if locale in RTL else "ltr")
    assert '<article class="toolkit-page">' in html
    assert f"<h1>{escape(PAGES[locale][slug].title)}</h1>" in html
    assert "fallback-note" not in html


@pytest.mark.parametrize(("locale", "slug"), EVERY_PAGE)
def test_toc_links_point_at_anchors_on_the_page(client, locale, slug):
    html = _text(_get(client, f"/toolkit/{slug}", locale))
    tags = Tags(html)
    ids = tags.ids()
    assert len(ids) == len(set(ids)), "duplicate id on the page"
    anchors = _toc_hrefs(html)
    assert anchors, "page without a table of contents"
    assert set(anchors) <= set(ids)
    assert [anchor for _level, anchor, _text in PAGES[locale][slug].toc if _level <= 3] == anchors
    assert tags.with_class("nav", "toc")[0]["aria-label"]


@pytest.mark.parametrize(("locale", "slug"), EVERY_PAGE)
def test_internal_links_resolve_through_the_site(client, locale, slug):
    html = _text(_get(client, f"/toolkit/{slug}", locale))  # the lang cookie is set here
    internal = [href for href in _page_links(html) if href.startswith("/")]
    written = [href for href in links(PAGES[locale][slug].body_md)
               if (parse_internal_link(href) or (None,))[0]]
    assert len(internal) == len(written)
    for href in internal:
        parts = urlsplit(href)
        assert re.fullmatch(r"/toolkit/[a-z0-9-]+", parts.path), href
        target = client.get(parts.path)
        assert target.status_code == 200, href
        assert html_attr(target.data, "html", "lang") == locale
        if parts.fragment:
            assert parts.fragment in Tags(_text(target)).ids(), href


def test_pages_have_no_inline_script_or_style(client):
    for path in ("/toolkit/", "/toolkit/what-is-a-buddy", "/toolkit/search?q=buddy",
                 "/toolkit/making-agreements/print"):
        html = _text(client.get(path))
        assert "<script>" not in html and " style=" not in html and "<style" not in html
        assert "onclick" not in html


# --------------------------------------------------------------------------- overview


@pytest.mark.parametrize("locale", sorted(PAGES))
def test_overview_lists_every_page_for_the_reader(client, locale):
    response = _get(client, "/toolkit/", locale)
    html = _text(response)
    assert response.status_code == 200
    assert html_attr(html, "html", "lang") == locale
    assert html_attr(html, "html", "dir") == ("rtl" if locale in RTL else "ltr")
    links = Tags(html).hrefs()
    for page, _fallback in pages_for(PAGES, locale):
        assert f"/toolkit/{page.slug}" in links
        assert str(escape(page.summary)) in html
    has_fallback = len(PAGES[locale]) < len(PAGES["nl"])
    assert ('class="fallback-note"' in html) is has_fallback


def test_overview_groups_by_audience_then_kind(client):
    html = _main(_text(_get(client, "/toolkit/", "en")))
    sections = re.findall(r'<section class="stack" id="(for-[a-z]+)"', html)
    assert sections == ["for-volunteer", "for-participant", "for-both"]
    volunteer = html.split('id="for-volunteer"')[1].split("</section>")[0]
    kinds = re.findall(r"<h3>.*?</h3>", volunteer)
    assert [re.sub(r"<[^>]+>", "", k).strip() for k in kinds] == [
        "Coaching instruments", "Do&#39;s and don&#39;ts", "Guides (wegwijzer)"]
    instruments = volunteer.split("<h3>")[1]
    slugs = re.findall(r'href="/toolkit/([a-z-]+)"', instruments)
    assert slugs[:3] == ["first-meeting-checklist", "goal-setting", "conversation-starters"]


def test_overview_marks_fallback_pages_with_their_language(client):
    html = _text(_get(client, "/toolkit/", "ar"))
    assert "Nederlands" in html.split('class="fallback-note"')[1].split("</p>")[0]
    card = html.split('href="/toolkit/goal-setting"')[0].rsplit('<li class="card', 1)[1]
    assert 'lang="nl" dir="ltr"' in card
    assert 'lang="nl" dir="ltr"' not in html.split('href="/toolkit/what-is-a-buddy"')[0].rsplit(
        '<li class="card', 1)[1]


def test_participants_see_participant_pages_first(client, login):
    login(f.make_participant().user)
    html = _text(client.get("/toolkit/"))
    assert re.findall(r'<section class="stack" id="(for-[a-z]+)"', html)[0] == "for-participant"


def test_anonymous_arabic_reader_sees_participant_pages_first(client):
    html = _text(_get(client, "/toolkit/", "ar"))
    assert re.findall(r'<section class="stack" id="(for-[a-z]+)"', html)[0] == "for-participant"


def test_volunteers_see_volunteer_pages_first(client, login):
    login(f.make_volunteer().user)
    html = _text(client.get("/toolkit/"))
    assert re.findall(r'<section class="stack" id="(for-[a-z]+)"', html)[0] == "for-volunteer"


# --------------------------------------------------------------------------- one page


def test_volunteer_page_in_arabic_falls_back_to_dutch_with_a_note(client):
    html = _text(_get(client, "/toolkit/goal-setting", "ar"))
    assert html_attr(html, "html", "dir") == "rtl"
    note = html.split('<p class="fallback-note">')[1].split("</p>")[0]
    assert "Nederlands" in note
    assert '<div class="toolkit-body" lang="nl" dir="ltr">' in html
    assert "<h1>Doelen stellen</h1>" in html
    assert "readaloud" not in html  # a Dutch text must not be read with an Arabic voice


def test_participant_page_in_arabic_has_no_note_and_a_read_aloud_button(client):
    html = _text(_get(client, "/toolkit/what-is-a-buddy", "ar"))
    assert "fallback-note" not in html
    button = Tags(html).with_class("button", "readaloud")[0]
    assert button["type"] == "button" and "hidden" in button
    assert button["data-target"] == "main" and button["data-label-stop"]
    assert 'class="picto" src="/static/img/picto/speaker.svg"' in html
    assert '<script src="/static/js/readaloud.js" defer></script>' in html
    assert 'id="main"' in html


def test_volunteer_page_has_no_read_aloud_button(client):
    html = _text(_get(client, "/toolkit/goal-setting", "en"))
    assert "readaloud" not in html


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "November 28, 2026"), ("nl", "28 november 2026"), ("ar", "2026"),
])
def test_reviewed_date_is_formatted_for_the_reader(client, locale, expected):
    html = _text(_get(client, "/toolkit/making-agreements", locale))
    stamp = html.split('<time datetime="2026-11-28">')[1].split("</time>")[0]
    assert expected in stamp


def test_page_links_to_related_pages_and_print_version(client):
    html = _text(_get(client, "/toolkit/where-to-refer", "en"))
    related = html.split('id="related-title"')[1].split("</nav>")[0]
    links = re.findall(r'href="/toolkit/([a-z-]+)"', related)
    assert links[:3] == ["reporting-worries", "digital-government-together", "money-and-paperwork"]
    assert 'href="/toolkit/where-to-refer/print"' in html


def test_related_pages_of_a_participant_page_are_for_participants(client):
    html = _text(_get(client, "/toolkit/participant-dos-and-donts", "ar"))
    related = html.split('id="related-title"')[1].split("</nav>")[0]
    for slug in re.findall(r'href="/toolkit/([a-z-]+)"', related):
        assert PAGES["ar"][slug].audience in ("participant", "both")


def test_tables_scroll_on_phones(client):
    html = _text(_get(client, "/toolkit/where-to-refer", "en"))
    assert '<div class="table-wrap" role="region" tabindex="0" aria-label="Table">' \
           '<table class="data">' in html


@pytest.mark.parametrize("path", [
    "/toolkit/no-such-page", "/toolkit/Goal-Setting", "/toolkit/goal_setting",
    "/toolkit/%00", "/toolkit/.hidden", "/toolkit/no-such-page/print", "/toolkit/a/b",
])
def test_unknown_pages_are_404_in_the_layout(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b'<html lang="en"' in response.data and b"site-nav" in response.data


# --------------------------------------------------------------------------- printable


@pytest.mark.parametrize("locale", ["nl", "ar"])
def test_printable_view_is_the_instrument_alone(client, locale):
    response = _get(client, "/toolkit/making-agreements/print", locale)
    html = _text(response)
    assert response.status_code == 200
    assert html_attr(html, "html", "lang") == locale
    assert html_attr(html, "html", "dir") == ("rtl" if locale in RTL else "ltr")
    assert '<article class="toolkit-page instrument">' in html
    for navigation in ("site-nav", "lang-switcher", "site-footer", 'class="toc"', "related-title"):
        assert navigation not in html
    assert f"<h1>{escape(PAGES[locale]['making-agreements'].title)}</h1>" in html
    assert "http://localhost/toolkit/making-agreements" in html


def test_printable_fallback_page_keeps_its_note_and_language(client):
    html = _text(_get(client, "/toolkit/meeting-log/print", "fa"))
    assert 'class="fallback-note"' in html
    assert '<div class="toolkit-body" lang="nl" dir="ltr">' in html


# --------------------------------------------------------------------------- search


def _results(html: str) -> list[str]:
    if 'id="results-title"' not in html:
        return []
    section = html.split('id="results-title"')[1].split("</section>")[0]
    return re.findall(r'<h3><a href="/toolkit/([a-z-]+)"', section)


@pytest.mark.parametrize(("locale", "word", "slug"), [
    ("nl", "kindermishandeling", "where-to-refer"),
    ("en", "anonymously", "where-to-refer"),
    ("ar", "يقرضك", "what-is-a-buddy"),
])
def test_search_finds_a_page_by_a_word_only_in_its_body(client, locale, word, slug):
    page = PAGES[locale][slug]
    assert fold(word) not in fold(page.title) and fold(word) not in fold(page.summary)
    assert fold(word) in fold(page.text)
    html = _text(client.get("/toolkit/search", query_string={"q": word, "lang": locale}))
    assert slug in _results(html)
    assert html_attr(html, "html", "lang") == locale


def test_search_snippet_marks_the_words_and_is_escaped(client):
    html = _text(client.get("/toolkit/search", query_string={"q": "VEILIG thuis", "lang": "nl"}))
    assert "<mark>veilig</mark>heid" in html and "Geweld <mark>thuis</mark> of" in html
    assert 'value="VEILIG thuis"' in html


def test_search_in_arabic_also_finds_dutch_fallback_pages(client):
    html = _text(client.get("/toolkit/search", query_string={"q": "huisarts", "lang": "ar"}))
    assert "where-to-refer" in _results(html)
    assert '<li class="card stack" lang="nl" dir="ltr">' in html


def test_search_without_results_says_so(client):
    html = _text(client.get("/toolkit/search", query_string={"q": "zzyzzyx", "lang": "en"}))
    assert "No pages found for “<bdi>zzyzzyx</bdi>”" in html
    assert _results(html) == []


def test_search_echoes_the_query_escaped(client):
    query = '<script>alert("x")</script>'
    html = _text(client.get("/toolkit/search", query_string={"q": query, "lang": "en"}))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_query_over_100_characters_is_cut_with_a_note(client):
    query = "kindermishandeling " + "x" * 300
    response = client.get("/toolkit/search", query_string={"q": query, "lang": "en"})
    html = _text(response)
    assert response.status_code == 200
    assert "first 100 characters" in html
    value = html.split('name="q" value="')[1].split('"')[0]
    assert len(value) == 100


def test_query_without_words_asks_for_a_word(client):
    html = _text(client.get("/toolkit/search", query_string={"q": "a ? !", "lang": "en"}))
    assert "Type at least one word of two or more letters." in html


def test_search_page_without_query_shows_only_the_form(client):
    response = client.get("/toolkit/search?lang=en")
    assert response.status_code == 200
    assert 'role="search"' in _text(response) and "results-title" not in _text(response)


def test_search_is_rate_limited(client, clock):
    """The clock stands still, so a slow machine cannot let the window run out mid-test."""
    statuses = {client.get("/toolkit/search?q=buddy").status_code for _ in range(121)}
    assert statuses == {200, 429}


@FUZZ
@given(query=st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300))
def test_search_never_fails_on_any_query(client, app, query):
    with app.app_context():
        limiter.reset()
    response = client.get("/toolkit/search", query_string={"q": query})
    assert response.status_code == 200


@FUZZ
@given(slug=st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80))
def test_any_slug_is_a_page_or_a_404(client, slug):
    for path in (f"/toolkit/{quote(slug, safe='')}", f"/toolkit/{quote(slug, safe='')}/print"):
        response = client.get(path)
        assert response.status_code in (200, 308, 404), path


# --------------------------------------------------------------------------- raw HTML


PAGE_WITH_HTML = """---
title: <b>Bold</b> & co
audience: both
kind: instrument
order: 1
summary: Summary <script>alert(1)</script>
reviewed: 2026-11-28
---

## Section <em>one</em>

<script>alert("body")</script>

<img src=x onerror=alert(1)>

Say <i>hello</i> to [the other page](other.md#part) or [this](javascript:alert(1)).
"""

OTHER_PAGE = """---
title: Other
audience: both
kind: guide
order: 2
summary: The other page.
reviewed: 2026-11-28
---

## Part

Text.
"""


@pytest.fixture
def own_content_client(app, database_url, tmp_path):
    """A client of a separate app whose toolkit reads a temporary content folder."""
    root = tmp_path / "content" / "nl"
    root.mkdir(parents=True)
    (root / "unsafe.md").write_text(PAGE_WITH_HTML, encoding="utf-8")
    (root / "other.md").write_text(OTHER_PAGE, encoding="utf-8")
    separate = create_app(app_config(database_url, TOOLKIT_DIR=str(root.parent)))
    separate.test_client_class = Client
    yield separate.test_client()
    separate.extensions["db_engine"].dispose()
    db.engine = app.extensions["db_engine"]  # let the shared fixture restore its binding


def test_raw_html_in_content_is_escaped(own_content_client):
    for path in ("/toolkit/unsafe", "/toolkit/unsafe/print", "/toolkit/"):
        html = _text(own_content_client.get(path))
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "<b>Bold</b>" not in html and "<i>hello</i>" not in html, path
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html, path
    html = _text(own_content_client.get("/toolkit/unsafe"))
    assert "&lt;script&gt;alert(&quot;body&quot;)&lt;/script&gt;" in html
    assert 'href="javascript' not in html.lower()
    assert 'href="/toolkit/other#part"' in html
    assert own_content_client.get("/toolkit/other").status_code == 200


def test_search_snippets_from_content_are_escaped(own_content_client):
    html = _text(own_content_client.get("/toolkit/search?q=alert"))
    assert "unsafe" in _results(html)
    assert "<script>" not in _main(html)
    assert "&lt;script&gt;<mark>alert</mark>" in html


# --------------------------------------------------------------------------- referrals


@pytest.fixture
def org_with_referrals():
    org = f.make_org()
    f.make_referral(org, name="Taalhuis <Centrum>", purpose="Taalcursussen", position=2,
                    contact="030 286 1800")
    f.make_referral(org, name="Sociaal team", purpose="Hulp bij brieven", position=1,
                    contact="sociaalteam@example.org")
    return org


def _area(html: str) -> str | None:
    if 'id="in-your-area"' not in html:
        return None
    return html.split('id="in-your-area"')[1].split("</section>")[0]


def test_volunteer_of_the_organisation_sees_local_referrals_in_order(
        client, login, org_with_referrals):
    login(f.make_volunteer(org_with_referrals).user)
    html = _text(_get(client, "/toolkit/where-to-refer", "en"))
    area = _area(html)
    assert area is not None
    assert area.index("Sociaal team") < area.index("Taalhuis &lt;Centrum&gt;")
    assert '<a href="tel:0302861800" dir="ltr">030 286 1800</a>' in area
    assert '<a href="mailto:sociaalteam@example.org" dir="ltr">' in area
    assert 'href="#in-your-area"' in html  # listed in the contents


def test_coordinator_sees_local_referrals_also_when_printing(client, login, org_with_referrals):
    login(f.make_user("coordinator", org_with_referrals))
    assert "Sociaal team" in _area(_text(client.get("/toolkit/where-to-refer/print")))


def test_anonymous_reader_sees_the_page_without_referrals(client, org_with_referrals):
    html = _text(client.get("/toolkit/where-to-refer"))
    assert _area(html) is None and "Sociaal team" not in html
    assert "/login?next=/toolkit/where-to-refer" in html


def test_volunteer_of_another_organisation_sees_only_their_own(client, login,
                                                               org_with_referrals):
    login(f.make_volunteer(f.make_org()).user)
    html = _text(_get(client, "/toolkit/where-to-refer", "en"))
    assert "Sociaal team" not in html
    assert "Your organisation has not added local referrals yet" in _area(html)


def test_participants_do_not_see_the_referral_list(client, login, org_with_referrals):
    login(f.make_participant(org_with_referrals).user)
    html = _text(client.get("/toolkit/where-to-refer"))
    assert _area(html) is None and "Sociaal team" not in html


def test_referrals_only_on_the_where_to_refer_page(client, login, org_with_referrals):
    login(f.make_volunteer(org_with_referrals).user)
    assert _area(_text(client.get("/toolkit/who-does-what"))) is None
