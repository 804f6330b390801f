"""The organisation's neighbourhoods and local referrals, kept by the coordinator."""

import pytest
from sqlalchemy import select

from buddy.extensions import db
from buddy.models import AuditEvent, LocalReferral, Neighbourhood
from tests import factories as f


def _hood_data(**overrides):
    return {"name": "Lunetten", "lat": "52,0628", "lon": "5,1370", "priority_area": "y",
            **overrides}


def test_list_shows_centre_priority_and_how_many_live_there(coord, org, hood_id):
    f.make_volunteer(org, neighbourhood_id=hood_id)
    f.make_participant(org, neighbourhood_id=hood_id)
    f.make_participant(org, neighbourhood_id=hood_id)
    page = coord.get("/coordinator/neighbourhoods").get_data(as_text=True)
    assert "Overvecht" in page and "Centrum" in page
    assert "52.1170, 5.1130" in page


def test_add_with_decimal_comma(coord, org):
    response = coord.post("/coordinator/neighbourhoods/new", data=_hood_data())
    assert response.status_code == 302
    hood = db.session.scalar(select(Neighbourhood).where(Neighbourhood.name == "Lunetten"))
    assert (hood.organisation_id, hood.lat, hood.lon, hood.priority_area) == (
        org.id, 52.0628, 5.137, True)
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target_type == "Neighbourhood")) == "neighbourhood.created"


@pytest.mark.parametrize(("lat", "lon"), [("52.0628", "5.137"), ("-33,9", "+18,42"),
                                          ("0", "0"), ("90", "-180")])
def test_coordinates_with_dot_comma_sign_and_edges(coord, lat, lon):
    response = coord.post("/coordinator/neighbourhoods/new", data=_hood_data(lat=lat, lon=lon))
    assert response.status_code == 302


@pytest.mark.parametrize(("field", "value", "message"), [
    ("lat", "91", "Please give a number from -90 to 90."),
    ("lon", "-180,5", "Please give a number from -180 to 180."),
    ("lat", "52,09,1", "Please write a number, like 52,0907 or 52.0907."),
    ("lat", "1e3", "Please write a number"),
    ("lat", "nan", "Please write a number"),
    ("lon", "", "Please fill in a number."),
    ("name", "", "Please fill in the name."),
    ("name", "x" * 121, "This is too long."),
])
def test_invalid_neighbourhood_input_keeps_what_was_typed(coord, field, value, message):
    response = coord.post("/coordinator/neighbourhoods/new", data=_hood_data(**{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if value and field != "name":
        assert f'value="{value}"' in page
    assert db.session.scalar(select(Neighbourhood.id).where(
        Neighbourhood.name == "Lunetten")) is None


def test_name_must_be_unique_in_the_organisation(coord, org):
    response = coord.post("/coordinator/neighbourhoods/new", data=_hood_data(name="centrum"))
    assert response.status_code == 422
    assert "There is already a neighbourhood with this name." in response.get_data(as_text=True)
    f.make_neighbourhood(f.make_org(), name="Lunetten")  # another organisation: no clash
    assert coord.post("/coordinator/neighbourhoods/new", data=_hood_data()).status_code == 302


def test_edit(coord, org, hood_id):
    page = coord.get(f"/coordinator/neighbourhoods/{hood_id}/edit").get_data(as_text=True)
    assert 'value="Overvecht"' in page and 'value="52.117"' in page
    response = coord.post(f"/coordinator/neighbourhoods/{hood_id}/edit",
                          data=_hood_data(name="Overvecht-Noord", priority_area=""))
    assert response.status_code == 302
    hood = db.session.get(Neighbourhood, hood_id)
    assert (hood.name, hood.priority_area) == ("Overvecht-Noord", False)
    same_name = coord.post(f"/coordinator/neighbourhoods/{hood_id}/edit",
                           data=_hood_data(name="Overvecht-Noord"))
    assert same_name.status_code == 302  # keeping its own name is fine


def test_delete_only_when_nobody_lives_there(coord, org, hood_id):
    f.make_participant(org, neighbourhood_id=hood_id)
    response = coord.post(f"/coordinator/neighbourhoods/{hood_id}/delete")
    assert response.status_code == 409
    assert "1 person lives in this neighbourhood" in response.get_data(as_text=True)
    assert db.session.get(Neighbourhood, hood_id) is not None
    empty = f.make_neighbourhood(org, name="Leeg")
    assert coord.post(f"/coordinator/neighbourhoods/{empty.id}/delete").status_code == 302
    assert db.session.get(Neighbourhood, empty.id) is None


# -- referrals --------------------------------------------------------------------------

def _referral_data(**overrides):
    return {"name": "Juridisch Loket", "purpose": "Gratis juridisch advies",
            "contact": "0900 8020, www.juridischloket.nl", **overrides}


def _order(org_id) -> list[str]:
    return list(db.session.scalars(select(LocalReferral.name).where(
        LocalReferral.organisation_id == org_id).order_by(LocalReferral.position)))


def test_add_edit_and_list_referrals(coord, org):
    assert coord.post("/coordinator/referrals/new", data=_referral_data()).status_code == 302
    assert coord.post("/coordinator/referrals/new",
                      data=_referral_data(name="Taalhuis")).status_code == 302
    assert _order(org.id) == ["Juridisch Loket", "Taalhuis"]
    referral = db.session.scalar(select(LocalReferral).where(LocalReferral.name == "Taalhuis"))
    assert coord.post(f"/coordinator/referrals/{referral.id}/edit", data=_referral_data(
        name="Taalhuis Utrecht", purpose="Taalcafé")).status_code == 302
    page = coord.get("/coordinator/referrals").get_data(as_text=True)
    assert "Taalhuis Utrecht" in page and "Taalcafé" in page
    assert page.index("Juridisch Loket") < page.index("Taalhuis Utrecht")


@pytest.mark.parametrize(("field", "value"), [("name", ""), ("purpose", ""), ("contact", ""),
                                              ("contact", "x" * 301), ("purpose", "y" * 1001)])
def test_referral_validation(coord, field, value):
    response = coord.post("/coordinator/referrals/new", data=_referral_data(**{field: value}))
    assert response.status_code == 422


def test_reorder_and_delete_referrals(coord, org, fresh):
    for name in ("A", "B", "C"):
        f.make_referral(fresh(org), name=name, position={"A": 0, "B": 1, "C": 2}[name])
    ids = dict(db.session.execute(select(LocalReferral.name, LocalReferral.id)).all())
    coord.post(f"/coordinator/referrals/{ids['C']}/move", data={"direction": "up"})
    assert _order(org.id) == ["A", "C", "B"]
    coord.post(f"/coordinator/referrals/{ids['A']}/move", data={"direction": "down"})
    assert _order(org.id) == ["C", "A", "B"]
    response = coord.post(f"/coordinator/referrals/{ids['C']}/move", data={"direction": "up"})
    assert response.status_code == 302 and _order(org.id) == ["C", "A", "B"]
    coord.post(f"/coordinator/referrals/{ids['B']}/move", data={"direction": "sideways"})
    assert _order(org.id) == ["C", "A", "B"]
    coord.post(f"/coordinator/referrals/{ids['A']}/delete")
    assert _order(org.id) == ["C", "B"]
    positions = db.session.scalars(select(LocalReferral.position).order_by(
        LocalReferral.position)).all()
    assert positions == [0, 1]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"referral.moved", "referral.deleted"} <= actions


def test_neighbourhood_names_differing_only_in_non_ascii_case_are_refused(coord):
    first = coord.post("/coordinator/neighbourhoods/new",
                       data={"name": "Û)", "lat": "0", "lon": "0"})
    assert first.status_code == 302
    again = coord.post("/coordinator/neighbourhoods/new",
                       data={"name": "û)", "lat": "0", "lon": "0"})
    assert again.status_code in (409, 422)
