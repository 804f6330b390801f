"""Every people page works in right-to-left and left-to-right languages, without inline
script or style, with names in <bdi> and contact details left-to-right."""

import pytest

from tests import factories as f
from tests.conftest import html_attr


@pytest.fixture
def pages(org, hood_id):
    volunteer = f.make_volunteer(org, first_name="محمد")
    participant = f.make_participant(org, first_name="Олена", phone="+31687654321")
    referral = f.make_referral(org)
    return [
        "/coordinator/volunteers", f"/coordinator/volunteers/{volunteer.id}",
        "/coordinator/participants", f"/coordinator/participants/{participant.id}",
        f"/coordinator/participants/{participant.id}/edit",
        f"/coordinator/participants/{participant.id}/delete", "/coordinator/participants/new",
        "/coordinator/neighbourhoods", "/coordinator/neighbourhoods/new",
        f"/coordinator/neighbourhoods/{hood_id}/edit", "/coordinator/referrals",
        "/coordinator/referrals/new", f"/coordinator/referrals/{referral.id}/edit",
    ]


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("nl", "ltr"), ("fa", "rtl"),
                                                  ("ti", "ltr")])
def test_pages_render_in_each_direction(coord, pages, lang, direction):
    for url in pages:
        response = coord.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert html_attr(page, "html", "lang") == lang
        assert html_attr(page, "html", "dir") == direction
        assert " style=" not in page and "<script>" not in page and "onclick" not in page, url
        assert "Traceback" not in page


def test_names_are_isolated_and_contact_is_left_to_right(coord, pages):
    volunteer_page = coord.get(pages[1] + "?lang=ar").get_data(as_text=True)
    assert "<bdi>محمد</bdi>" in volunteer_page
    assert 'dir="ltr">' in volunteer_page
    participant_page = coord.get(pages[3] + "?lang=ar").get_data(as_text=True)
    assert "<bdi>Олена</bdi>" in participant_page
    assert '<a href="tel:+31687654321" dir="ltr">+31687654321</a>' in participant_page


def test_pages_have_a_coordinator_menu_with_the_current_page(coord, pages):
    page = coord.get("/coordinator/referrals").get_data(as_text=True)
    assert 'href="/coordinator/referrals" aria-current="page"' in page
    assert 'href="/coordinator/participants/new"' in page
