"""Partners: coordinator pages, the sign-up link and its attribution, poster, partner role,
pledges and the yearly CSV (issue 16)."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import segno
from sqlalchemy import func, select

from buddy import clock
from buddy.extensions import db
from buddy.models import AuditEvent, Partner, PartnerPledge, User, VolunteerProfile
from buddy.partners import services
from tests import factories as f
from tests.volunteers.conftest import valid_steps


def _partner_data(**overrides):
    return {"kind": "employer", "name": "Bakkerij Bol", "contact_name": "Sanne de Vries",
            "contact_email": "Sanne@Bol.example", "contact_phone": "+31301234567",
            "link_expires_on": "", **overrides}


# --- coordinator pages -------------------------------------------------------------------

def test_coordinator_adds_a_partner_with_a_contact_and_a_link(coord, org):
    response = coord.post("/coordinator/partners/new", data=_partner_data())
    assert response.status_code == 302
    partner = db.session.scalar(select(Partner).where(Partner.name == "Bakkerij Bol"))
    assert (partner.organisation_id, partner.kind, partner.contact_email) == (
        org.id, "employer", "sanne@bol.example")
    assert len(partner.link_token) >= 32
    page = coord.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/o/{org.slug}/partner/{partner.link_token}" in page
    assert "Sanne de Vries" in page and "Employer" in page
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target_type == "Partner")) == "partner.saved"


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "Please fill in the name."),
    ({"kind": "pub"}, "Not a valid choice"),
    ({"contact_email": "not-an-address"}, "like name@example.nl"),
    ({"contact_name": ""}, "Please fill in the contact person."),
    ({"link_expires_on": "2001-01-01"}, "This date is in the past."),
    ({"name": "x" * 201}, "This is too long."),
])
def test_partner_form_rules(coord, changes, message):
    response = coord.post("/coordinator/partners/new", data=_partner_data(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Partner.id))) == 0


def test_list_edit_and_delete(coord, org):
    partner_id = f.make_partner(org, kind="school", name="Stedelijk College").id
    volunteer_id = f.make_volunteer(org, partner_id=partner_id).id
    assert "Stedelijk College" in coord.get("/coordinator/partners").get_data(as_text=True)
    response = coord.post(f"/coordinator/partners/{partner_id}/edit",
                          data=_partner_data(kind="school", name="Stedelijk College Zuid"))
    assert response.status_code == 302
    assert db.session.get(Partner, partner_id).name == "Stedelijk College Zuid"
    assert coord.post(f"/coordinator/partners/{partner_id}/delete").status_code == 302
    assert db.session.get(Partner, partner_id) is None
    # the guide stays, as an individual
    assert db.session.get(VolunteerProfile, volunteer_id).partner_id is None


def test_new_link_makes_the_old_one_useless(coord, org, client):
    partner = f.make_partner(org)
    old, partner_id = partner.link_token, partner.id
    assert coord.post(f"/coordinator/partners/{partner_id}/link",
                      data={"expires_on": ""}).status_code == 302
    assert db.session.get(Partner, partner_id).link_token != old
    response = client.get(f"/o/{org.slug}/partner/{old}")
    assert response.status_code == 404
    assert "not valid for this organisation" in response.get_data(as_text=True)


def test_poster_has_the_link_as_a_server_made_svg_qr_code(coord, org, app):
    partner = f.make_partner(org, name="Voetbalclub VVU", kind="association")
    page = coord.get(f"/coordinator/partners/{partner.id}/poster").get_data(as_text=True)
    link = f"{app.config['BASE_URL'].rstrip('/')}/o/{org.slug}/partner/{partner.link_token}"
    assert "<svg" in page and link in page and "Voetbalclub VVU" in page
    qr = services.qr_code(link)
    assert qr.size == len(list(segno.make(link, error="m").matrix)) + 8  # quiet zone of 4
    assert f'd="{qr.path}"' in page
    assert "<script" not in page
    svg = coord.get(f"/coordinator/partners/{partner.id}/qr.svg")
    text = svg.get_data(as_text=True)
    assert svg.mimetype == "image/svg+xml" and 'xmlns="http://www.w3.org/2000/svg"' in text
    assert link in text


# --- the link: attribution, expired and foreign links ------------------------------------

def _sign_up(client, org, hood_id, source: dict, email="via.partner@example.org"):
    db.session.add(org)  # an earlier request ended the session
    steps = valid_steps(hood_id, email)
    steps["source"] = source
    for name, data in steps.items():
        response = client.post(f"/o/{org.slug}/volunteer/signup/{name}?lang=en", data=data)
        assert response.status_code == 302, (name, response.get_data(as_text=True)[-3000:])
    user = f.claimant(email)  # the address counts once confirmed; the account exists already
    return db.session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))


def test_link_preselects_the_partner_and_attributes_the_guide(client, org, hood_id):
    partner = f.make_partner(org, name="Bakkerij Bol")
    slug, partner_id = org.slug, partner.id
    landing = client.get(f"/o/{slug}/partner/{partner.link_token}?lang=en")
    assert landing.status_code == 200 and "Bakkerij Bol" in landing.get_data(as_text=True)
    for name, data in list(valid_steps(hood_id).items())[:3]:
        client.post(f"/o/{slug}/volunteer/signup/{name}", data=data)
    page = client.get(f"/o/{slug}/volunteer/signup/source").get_data(as_text=True)
    assert re.search(rf'<option selected value="{partner_id}"|value="{partner_id}" selected',
                     page)
    profile = _sign_up(client, org, hood_id, {"partner": str(partner_id),
                                              "colleague_pref": "outside"})
    assert (profile.partner_id, profile.colleague_pref) == (partner_id, "outside")


def test_a_volunteer_can_pick_a_partner_without_the_link(client, org, hood_id):
    partner = f.make_partner(org, kind="association", name="Voetbalclub VVU")
    profile = _sign_up(client, org, hood_id, {"partner": str(partner.id),
                                              "colleague_pref": "only"})
    assert profile.partner_id == partner.id
    assert profile.colleague_pref == "either"  # only employers' guides choose colleagues


def test_expired_link_says_so_and_attributes_nothing(client, org, hood_id, clock):
    partner = f.make_partner(org, link_expires_on=clock.today() - timedelta(days=1))
    response = client.get(f"/o/{org.slug}/partner/{partner.link_token}?lang=en")
    assert response.status_code == 404
    assert "This partner link has expired" in response.get_data(as_text=True)
    profile = _sign_up(client, org, hood_id, {"partner": "", "colleague_pref": "either"})
    assert profile.partner_id is None


def test_link_of_another_organisation_attributes_nothing(client, org, other_org, hood_id):
    foreign = f.make_partner(other_org)
    slug, foreign_id = org.slug, foreign.id
    response = client.get(f"/o/{slug}/partner/{foreign.link_token}?lang=en")
    assert response.status_code == 404
    assert "not valid for this organisation" in response.get_data(as_text=True)
    # nor can the sign-up form be made to pick it
    steps = valid_steps(hood_id)
    for name, data in list(steps.items())[:3]:
        client.post(f"/o/{slug}/volunteer/signup/{name}", data=data)
    refused = client.post(f"/o/{slug}/volunteer/signup/source",
                          data={"partner": str(foreign_id)})
    assert refused.status_code == 422


def test_unknown_organisation_link_is_404(client):
    assert client.get("/o/no-such-org/partner/abc").status_code == 404


# --- the partner role: aggregates only, small groups hidden -----------------------------------

@pytest.fixture
def partner_world(org):
    partner = f.make_partner(org, name="Bakkerij Bol")
    guides = [f.make_volunteer(org, partner_id=partner.id, first_name=f"Guide{i}",
                               screening="approved", capacity=1) for i in range(6)]
    for guide in guides[:5]:
        match = f.make_match(f.make_participant(org, first_name="Secretname"), guide,
                             status="active", activated_at=clock.now())
        f.make_meeting(match, minutes=120)
    ended = f.make_match(f.make_participant(org), guides[5], status="ended",
                         activated_at=clock.now(), ended_at=clock.now(),
                         end_reason="completed")
    f.make_meeting(ended, minutes=60)
    f.make_volunteer(org, first_name="Individual", screening="approved")
    return partner


def test_figures_count_only_the_partners_guides(partner_world):
    figures = services.partner_figures(partner_world)
    assert (figures.recruited, figures.screened, figures.active, figures.matches_started,
            figures.matches_completed, figures.hours) == (6, 6, 5, 6, 1, 11.0)
    assert figures.hidden()["matches_completed"] is None  # 1 < 5: hidden
    assert figures.hidden()["hours"] == 11


def test_partner_contact_sees_aggregates_but_no_names(client, login, org, partner_world):
    contact = f.make_user("partner", org, partner_id=partner_world.id, locale="en")
    page = login(contact).get("/partner").get_data(as_text=True)
    assert "Bakkerij Bol" in page and "Guides recruited" in page
    assert "fewer than 5" in page
    assert "Secretname" not in page and "Guide1" not in page


def test_partner_contact_cannot_reach_coordinator_pages(client, login, org, partner_world):
    contact = f.make_user("partner", org, partner_id=partner_world.id)
    client = login(contact)
    for path in ("/coordinator/", "/coordinator/partners",
                 f"/coordinator/partners/{partner_world.id}", "/coordinator/volunteers",
                 "/coordinator/monitor", "/volunteer", "/admin/"):
        assert client.get(path).status_code == 403, path


def test_partner_contact_sees_nothing_of_another_partner(client, login, org, partner_world):
    other = f.make_partner(org, name="Andere Partner")
    contact = f.make_user("partner", org, partner_id=other.id, locale="en")
    page = login(contact).get("/partner").get_data(as_text=True)
    assert "Andere Partner" in page and "Bakkerij Bol" not in page
    assert re.search(r"Guides recruited</dt>\s*<dd>0</dd>", page)


def test_partner_login_needs_a_second_factor(client, org, partner_world):
    contact = f.make_user("partner", org, partner_id=partner_world.id)
    response = client.post("/login", data={"identifier": contact.email,
                                           "password": f.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")


def test_coordinator_invites_the_contact_person(coord, org):
    partner = f.make_partner(org, contact_email="sanne@bol.example")
    assert coord.post(f"/coordinator/partners/{partner.id}/contact").status_code == 302
    user = db.session.scalar(select(User).where(User.email == "sanne@bol.example"))
    assert (user.role, user.partner_id, user.organisation_id) == ("partner", partner.id, org.id)
    # an address with a login already is refused with a message
    taken = f.make_partner(org, contact_email=f.make_user("volunteer", org).email)
    response = coord.post(f"/coordinator/partners/{taken.id}/contact")
    assert response.status_code == 409 and "already has a login" in response.get_data(
        as_text=True)


# --- pledges --------------------------------------------------------------------------------

def test_pledge_progress_and_yearly_csv(coord, org):
    year = clock.today().year
    partner_id = f.make_partner(org, name="=Bakkerij Bol").id
    response = coord.post(f"/coordinator/partners/{partner_id}/pledges",
                          data={"year": str(year), "guides": "10"})
    assert response.status_code == 302
    coord.post(f"/coordinator/partners/{partner_id}/pledges", data={"year": str(year),
                                                                    "guides": "12"})
    assert db.session.scalar(select(PartnerPledge.guides)) == 12  # replaced, not doubled
    db.session.add(org)
    for _ in range(3):
        f.make_volunteer(org, partner_id=partner_id)
    f.make_volunteer(org, partner_id=partner_id, created_at=clock.now() - timedelta(days=400))
    [row] = services.pledge_progress(org.id, year)
    assert (row.pledged, row.recruited) == (12, 3)  # last year's guide does not count
    assert "=Bakkerij Bol" in coord.get("/coordinator/partners").get_data(as_text=True)
    download = coord.get(f"/coordinator/partners/pledges/{year}.csv")
    assert download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1] == [str(year), "'=Bakkerij Bol", "Employer", "12", "3", "25"]


def test_a_guide_counts_in_the_amsterdam_year_of_sign_up(org):
    # 31 December 23:30 UTC is already New Year in Amsterdam
    partner = f.make_partner(org)
    f.make_volunteer(org, partner_id=partner.id,
                     created_at=datetime(2027, 12, 31, 23, 30, tzinfo=UTC))
    f.make_volunteer(org, partner_id=partner.id,
                     created_at=datetime(2027, 12, 31, 22, 30, tzinfo=UTC))
    assert services.recruited_in_year(org.id, 2027) == {partner.id: 1}
    assert services.recruited_in_year(org.id, 2028) == {partner.id: 1}


@pytest.mark.parametrize(("data", "message"), [
    ({"year": "1999", "guides": "10"}, "from 2020 to 2100"),
    ({"year": "2027", "guides": "0"}, "Please fill in a number."),
    ({"year": "2027", "guides": "99999999999"}, "Please fill in a number."),
])
def test_pledge_form_rules(coord, org, data, message):
    partner = f.make_partner(org)
    response = coord.post(f"/coordinator/partners/{partner.id}/pledges", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PartnerPledge.id))) == 0
