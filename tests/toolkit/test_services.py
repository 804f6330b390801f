"""The toolkit services: grouping, related pages, search results, referrals, content reloads."""

import logging
import os
from pathlib import Path

import pytest

from buddy.toolkit import services
from buddy.toolkit.content import ContentError, PageNotFound, clear_cache, load_pages
from tests import factories as f

CONTENT_ROOT = Path(__file__).resolve().parents[2] / "toolkit_content"


@pytest.fixture(scope="module")
def pages():
    return load_pages(CONTENT_ROOT, "/toolkit/")


def _write(root: Path, slug: str, title: str, locale: str = "nl") -> Path:
    path = root / locale / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\ntitle: {title}\naudience: both\nkind: guide\norder: 1\nsummary: Over {title}.\n"
        f"reviewed: 2026-11-28\n---\n\n## Kop\n\nTekst over {title}.\n",
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------------- overview


def test_overview_groups_every_page_once(pages):
    groups = services.overview(pages, "en")
    listed = [entry.page.slug for g in groups for k in g.kinds for entry in k.entries]
    assert sorted(listed) == sorted(pages["en"])
    assert [g.audience for g in groups] == ["volunteer", "participant", "both"]
    for group in groups:
        assert [k.kind for k in group.kinds] == sorted(
            (k.kind for k in group.kinds), key=["instrument", "dos-and-donts", "guide"].index)
        for kind in group.kinds:
            assert all(e.page.audience == group.audience and e.page.kind == kind.kind
                       for e in kind.entries)
            orders = [e.page.order for e in kind.entries]
            assert orders == sorted(orders)


def test_overview_can_put_participants_first(pages):
    groups = services.overview(pages, "ti", participants_first=True)
    assert [g.audience for g in groups] == ["participant", "volunteer", "both"]
    assert services.fallback_locales(groups) == ["nl"]
    assert services.fallback_locales(services.overview(pages, "nl")) == []


@pytest.mark.parametrize(("role", "locale", "expected"), [
    ("participant", "nl", True), ("volunteer", "ar", False), ("coordinator", "ti", False),
    (None, "ar", True), (None, "nl", False), (None, "en", False),
])
def test_reader_is_participant(pages, role, locale, expected):
    assert services.reader_is_participant(role, pages, locale) is expected


# --------------------------------------------------------------------------- one page


def test_page_view_of_a_missing_or_odd_slug_raises(pages):
    for slug in ("nope", "../nl/goal-setting", "", "Goal-Setting", None):
        with pytest.raises(PageNotFound):
            services.page_view(pages, "nl", slug)


def test_page_view_reads_aloud_only_participant_pages_in_their_own_language(pages):
    assert services.page_view(pages, "ar", "what-is-a-buddy").read_aloud
    assert services.page_view(pages, "ar", "making-agreements").read_aloud
    assert not services.page_view(pages, "en", "goal-setting").read_aloud
    fallback = services.page_view(pages, "ar", "goal-setting")
    assert fallback.is_fallback and not fallback.read_aloud


def test_toc_tree_nests_level_three_under_level_two():
    toc = ((2, "a", "A"), (3, "a1", "A1"), (4, "deep", "Deep"), (2, "b", "B"), (3, "b1", "B1"))
    tree = services.toc_tree(toc)
    assert [(n.anchor, [c.anchor for c in n.children]) for n in tree] == [
        ("a", ["a1"]), ("b", ["b1"])]
    assert [n.anchor for n in services.toc_tree(((3, "x", "X"),))] == ["x"]


def test_related_pages_prefer_links_then_backlinks_then_same_kind(pages):
    page = pages["en"]["where-to-refer"]
    related = [e.page.slug for e in services.related_pages(pages, "en", page)]
    assert related[:3] == ["reporting-worries", "digital-government-together",
                           "money-and-paperwork"]
    assert "where-to-refer" not in related and len(related) == services.RELATED_LIMIT
    assert all(pages["en"][slug].audience in ("volunteer", "both") for slug in related)


def test_related_pages_in_a_fallback_locale_come_from_the_reader_locale(pages):
    page = pages["ar"]["what-is-a-buddy"]
    related = services.related_pages(pages, "ar", page)
    assert {e.page.locale for e in related} == {"ar"}
    assert not any(e.is_fallback for e in related)


def test_scrollable_tables_wraps_only_rendered_tables():
    html = "<p>&lt;table&gt;</p><table>\n<tr><td>1</td></tr></table>"
    wrapped = services.scrollable_tables(html, 'Ta"ble')
    assert wrapped.count('<div class="table-wrap"') == 1
    assert 'aria-label="Ta&#34;ble"' in wrapped
    assert wrapped.endswith("</table></div>") and "<p>&lt;table&gt;</p>" in wrapped


# --------------------------------------------------------------------------- search


def test_search_result_marks_fallback_hits(pages):
    result = services.search_toolkit(pages, "ar", "huisarts")
    assert result.has_terms and not result.was_cut
    hit = next(h for h in result.hits if h.entry.page.slug == "where-to-refer")
    assert hit.entry.is_fallback and hit.entry.page.locale == "nl"
    assert ("huisarts", True) in hit.snippet


def test_search_cuts_long_queries_and_drops_control_characters(pages):
    result = services.search_toolkit(pages, "nl", "veilig\x00\tthuis   " + "y" * 200)
    assert result.was_cut and len(result.query) == services.MAX_QUERY_CHARS
    assert result.query.startswith("veilig thuis y")
    nothing = services.search_toolkit(pages, "nl", "? !")
    assert not nothing.has_terms and nothing.hits == []


@pytest.mark.parametrize(("text", "terms", "expected"), [
    ("Veilig Thuis helpt", ["veilig"], [("Veilig", True), (" Thuis helpt", False)]),
    ("Coördinator", ["coordinator"], [("Coördinator", True)]),
    ("STRASSE und Straße", ["strasse"], [("STRASSE", True), (" und ", False),
                                         ("Straße", True)]),
    ("لا يقرضك مالًا", ["يقرضك"], [("لا ", False), ("يقرضك", True), (" مالًا", False)]),
    ("niets", ["iets", "nie"], [("niets", True)]),
    ("geen treffer", ["zzz"], [("geen treffer", False)]),
    ("", ["a"], []),
])
def test_highlight(text, terms, expected):
    assert services.highlight(text, terms) == expected


# --------------------------------------------------------------------------- loading


def test_load_toolkit_serves_the_last_valid_content_when_a_file_breaks(tmp_path, caplog):
    clear_cache()
    page = _write(tmp_path, "een", "Een")
    first = services.load_toolkit(str(tmp_path), "/toolkit/")
    assert set(first["nl"]) == {"een"}
    page.write_text("no front matter\n", encoding="utf-8")
    os.utime(page, ns=(1, 1))  # a different mtime, whatever the file system's resolution
    with caplog.at_level(logging.ERROR, logger="buddy.toolkit.services"):
        again = services.load_toolkit(str(tmp_path), "/toolkit/")
    assert set(again["nl"]) == {"een"}
    assert "last valid version" in caplog.text
    _write(tmp_path, "twee", "Twee")
    _write(tmp_path, "een", "Een")
    assert set(services.load_toolkit(str(tmp_path), "/toolkit/")["nl"]) == {"een", "twee"}
    clear_cache()


def test_load_toolkit_raises_without_a_valid_version(tmp_path):
    broken = tmp_path / "nl" / "kapot.md"
    broken.parent.mkdir()
    broken.write_text("kapot\n", encoding="utf-8")
    with pytest.raises(ContentError):
        services.load_toolkit(str(tmp_path), "/toolkit/")


# --------------------------------------------------------------------------- referrals


@pytest.mark.parametrize(("role", "organisation_id", "expected"), [
    ("volunteer", 1, True), ("coordinator", 1, True), ("participant", 1, False),
    ("admin", None, False), ("volunteer", None, False), (None, None, False),
])
def test_may_see_referrals(role, organisation_id, expected):
    assert services.may_see_referrals(role, organisation_id) is expected


def test_local_referrals_are_the_organisations_own_in_position_order(app_ctx):
    org, other = f.make_org(), f.make_org()
    second = f.make_referral(org, name="B", position=5)
    first = f.make_referral(org, name="A", position=1)
    f.make_referral(other, name="Elders", position=0)
    assert [r.id for r in services.local_referrals(org.id)] == [first.id, second.id]
    assert services.local_referrals(-1) == []


@pytest.mark.parametrize(("contact", "href", "picto"), [
    ("030 286 1800", "tel:0302861800", "phone"),
    ("+31 (0)30-286.18.00", "tel:+31302861800", "phone"),
    ("info@taalhuis.nl", "mailto:info@taalhuis.nl", "email"),
    ("https://www.taalhuis.nl/utrecht", "https://www.taalhuis.nl/utrecht", "globe"),
    ("Oudegracht 1, Utrecht", None, "map-pin"),
    ("bel 030 286 1800 of mail info@x.nl", None, "map-pin"),
    ("12345", None, "map-pin"),
    ("javascript:alert(1)", None, "map-pin"),
    ("", None, "map-pin"),
])
def test_contact_links(contact, href, picto):
    assert services.contact_href(contact) == href
    assert services.contact_picto(href) == picto
