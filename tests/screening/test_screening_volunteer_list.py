"""The volunteer list: filters, count, order, pages, no N+1, and the VOG renewal view."""

from datetime import timedelta

import pytest

from buddy import clock
from tests import factories as f

TODAY = clock.today()


def _names(page: str, names) -> list[str]:
    """Return the names from ``names`` in the order they appear on ``page``."""
    found = [(page.find(f"<bdi>{n}</bdi>"), n) for n in names if f"<bdi>{n}</bdi>" in page]
    return [n for _pos, n in sorted(found)]


def test_list_shows_count_and_oldest_signup_first(coord, org):
    now = clock.now()
    f.make_volunteer(org, first_name="Nieuw", created_at=now - timedelta(days=1))
    f.make_volunteer(org, first_name="Oud", created_at=now - timedelta(days=90))
    f.make_volunteer(org, first_name="Midden", created_at=now - timedelta(days=30))
    page = coord.get("/coordinator/volunteers").get_data(as_text=True)
    assert "3 volunteers" in page
    assert _names(page, ["Nieuw", "Oud", "Midden"]) == ["Oud", "Midden", "Nieuw"]


@pytest.mark.parametrize(("query", "expected"), [
    ("screening=registered", {"Nieuweling"}),
    ("screening=approved", {"Goedgekeurd", "Gepauzeerd", "Verlopen"}),
    ("vog=requested", {"Nieuweling"}),
    ("vog=renewal", {"Verlopen"}),
    ("paused=yes", {"Gepauzeerd"}),
    ("paused=no", {"Nieuweling", "Goedgekeurd", "Verlopen"}),
    ("q=keur", {"Goedgekeurd"}),
    ("q=%25", set()),  # a literal percent sign is not a wildcard
])
def test_filters(coord, org, query, expected):
    f.make_volunteer(org, first_name="Nieuweling", screening="registered",
                     vog_status="requested", vog_issued_on=None)
    f.make_volunteer(org, first_name="Goedgekeurd")
    f.make_volunteer(org, first_name="Gepauzeerd", paused_until=TODAY + timedelta(days=10))
    f.make_volunteer(org, first_name="Verlopen",
                     vog_issued_on=TODAY - timedelta(days=3 * 365 - 10))
    names = {"Nieuweling", "Goedgekeurd", "Gepauzeerd", "Verlopen"}
    page = coord.get(f"/coordinator/volunteers?{query}").get_data(as_text=True)
    assert set(_names(page, names)) == expected


def test_neighbourhood_filter(coord, org, hood_id):
    f.make_volunteer(org, first_name="Centrumbewoner")
    f.make_volunteer(org, first_name="Overvechter", neighbourhood_id=hood_id)
    page = coord.get(f"/coordinator/volunteers?neighbourhood={hood_id}").get_data(as_text=True)
    assert _names(page, ["Centrumbewoner", "Overvechter"]) == ["Overvechter"]


@pytest.mark.parametrize("query", ["screening=maybe", "neighbourhood=999999", "page=-1",
                                   "page=abc", "vog=%00", "q=" + "x" * 200])
def test_invalid_filters_give_422_and_the_unfiltered_list(coord, org, query):
    f.make_volunteer(org, first_name="Altijd")
    response = coord.get(f"/coordinator/volunteers?{query}")
    assert response.status_code == 422
    assert "<bdi>Altijd</bdi>" in response.get_data(as_text=True)


def test_pages_of_fifty(coord, org):
    now = clock.now()
    for i in range(53):
        f.make_volunteer(org, first_name=f"V{i:02d}", created_at=now - timedelta(minutes=100 - i))
    first = coord.get("/coordinator/volunteers").get_data(as_text=True)
    assert "53 volunteers" in first and "Page 1 of 2" in first
    assert "<bdi>V00</bdi>" in first and "<bdi>V49</bdi>" in first
    assert "<bdi>V50</bdi>" not in first
    assert 'rel="next"' in first
    second = coord.get("/coordinator/volunteers?page=2").get_data(as_text=True)
    assert "<bdi>V50</bdi>" in second and "<bdi>V52</bdi>" in second
    assert "<bdi>V00</bdi>" not in second
    beyond = coord.get("/coordinator/volunteers?page=99").get_data(as_text=True)
    assert "Page 2 of 2" in beyond  # clamped to the last page


def test_no_n_plus_one(coord, org, count_queries, hood_id, fresh):
    centre_id = org.neighbourhoods[0].id

    def make(n):
        for i in range(n):
            f.make_volunteer(fresh(org), neighbourhood_id=hood_id if i % 2 else centre_id)

    make(3)
    _response, few = count_queries(lambda: coord.get("/coordinator/volunteers"))
    make(30)
    _response, many = count_queries(lambda: coord.get("/coordinator/volunteers"))
    assert many == few


def test_renewal_view_lists_run_out_vogs(coord, org):
    f.make_volunteer(org, first_name="Bijna",
                     vog_issued_on=TODAY - timedelta(days=3 * 365 - 20))
    f.make_volunteer(org, first_name="Vers", vog_issued_on=TODAY - timedelta(days=200))
    page = coord.get("/coordinator/volunteers?vog=renewal").get_data(as_text=True)
    assert _names(page, ["Bijna", "Vers"]) == ["Bijna"]
