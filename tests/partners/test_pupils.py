"""Pupils on a community-service placement: sign-up, the school's confirmation, approval one
by one, the placement end in matching and check-ins, the certificate of hours."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from buddy import clock
from buddy.extensions import db
from buddy.lifecycle import services as lifecycle
from buddy.matchmaking import pool
from buddy.models import (
    CheckIn,
    ContactClaim,
    Match,
    Organisation,
    OutboxMessage,
    SchoolConfirmation,
    VolunteerProfile,
)
from buddy.partners import services
from tests import factories as f
from tests.helpers import waiting
from tests.volunteers.conftest import valid_steps


def _years_ago(years: int, days: int = 0) -> date:
    today = clock.today()
    return today.replace(year=today.year - years) - timedelta(days=days)


def _pupil_source(school_id: int, born: date, **overrides) -> dict:
    return {"partner": str(school_id), "colleague_pref": "either", "pupil": "y",
            "birth_date": born.isoformat(), "teacher_email": "Mentor@School.example",
            "placement_hours": "30",
            "placement_end_on": (clock.today() + timedelta(days=90)).isoformat(), **overrides}


def _walk(client, slug, hood_id, source, about=None, email="pupil@example.org"):
    steps = valid_steps(hood_id, email)
    steps["about"] |= about or {"age_band": "12-17"}
    steps["source"] = source
    for name, data in steps.items():
        response = client.post(f"/o/{slug}/volunteer/signup/{name}?lang=en", data=data)
        if response.status_code != 302:
            return name, response
    return None, response


def _profile(email="pupil@example.org") -> VolunteerProfile | None:
    """The volunteer who signed up with ``email`` (it counts once confirmed; the account and
    profile exist from the sign-up on), or None."""
    claim = db.session.scalars(select(ContactClaim).where(ContactClaim.value == email)).first()
    return None if claim is None else db.session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.user_id == claim.user_id))


@pytest.fixture
def school(org):
    return f.make_partner(org, kind="school", name="Stedelijk College",
                          contact_email="stage@college.example")


def test_pupil_signs_up_and_the_school_gets_a_confirmation_link(client, org, hood_id, school):
    slug, school_id = org.slug, school.id
    client.get(f"/o/{slug}/partner/{school.link_token}")
    stopped, _response = _walk(client, slug, hood_id, _pupil_source(school_id, _years_ago(15)))
    assert stopped is None
    profile = _profile()
    assert (profile.partner_id, profile.age_band, profile.placement_hours,
            profile.teacher_email) == (school_id, "12-17", 30, "mentor@school.example")
    assert profile.school_confirmed_at is None
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "school_confirmation"))
    assert mail.recipient == "stage@college.example"
    assert re.search(r"/school/confirm/[\w-]{40,}", mail.body)
    # the pupil's own page shows the rules for pupils and that the school must confirm
    f.login_as(client, profile.user)
    page = client.get("/volunteer?lang=en").get_data(as_text=True)
    assert "Rules for pupils on a placement" in page and "No home visits" in page
    assert "Your school still has to confirm" in page


def test_an_adult_pupil_needs_no_school_confirmation(client, org, hood_id, school):
    stopped, _r = _walk(client, org.slug, hood_id, _pupil_source(school.id, _years_ago(18)),
                        about={"age_band": "18-25"})
    assert stopped is None
    assert not services.needs_school_confirmation(_profile())
    assert db.session.scalar(select(func.count(SchoolConfirmation.id))) == 0


@pytest.mark.parametrize(("born", "message"), [
    (lambda: _years_ago(12, days=-1), "between 12 and 100 years old"),  # 11 years old
    (lambda: _years_ago(101), "between 12 and 100 years old"),
    (lambda: clock.today() + timedelta(days=3), "between 12 and 100 years old"),
])
def test_dates_of_birth_outside_12_to_100_are_refused(client, org, hood_id, school, born,
                                                      message):
    stopped, response = _walk(client, org.slug, hood_id, _pupil_source(school.id, born()))
    assert (stopped, response.status_code) == ("source", 422)
    assert message in response.get_data(as_text=True)
    assert _profile() is None


@pytest.mark.parametrize(("changes", "message"), [
    ({"teacher_email": ""}, "Please fill in your teacher"),
    ({"placement_hours": "0"}, "from 1 to 500"),
    ({"placement_end_on": "2000-01-01"}, "This date is in the past."),
    ({"birth_date": ""}, "Please fill in your date of birth."),
])
def test_pupil_fields_are_checked(client, org, hood_id, school, changes, message):
    stopped, response = _walk(client, org.slug, hood_id,
                              _pupil_source(school.id, _years_ago(15), **changes))
    assert (stopped, response.status_code) == ("source", 422)
    assert message in response.get_data(as_text=True)


def test_a_pupil_must_choose_a_school(client, org, hood_id):
    employer = f.make_partner(org, kind="employer")
    stopped, response = _walk(client, org.slug, hood_id,
                              _pupil_source(employer.id, _years_ago(15)))
    assert stopped == "source" and "Please choose your school." in response.get_data(
        as_text=True)


def test_under_18_only_as_a_pupil(client, org, hood_id):
    stopped, response = _walk(client, org.slug, hood_id, {"partner": ""})
    assert stopped == "source"
    assert "only as a pupil on a placement" in response.get_data(as_text=True)


# --- the school's confirmation ------------------------------------------------------------------

@pytest.fixture
def minor(org, school):
    return f.make_volunteer(org, partner_id=school.id, age_band="12-17",
                            birth_date=_years_ago(15), teacher_email="mentor@school.example",
                            placement_hours=30,
                            placement_end_on=clock.today() + timedelta(days=90))


def _link(app, minor, school) -> str:
    with app.test_request_context():
        body = services.request_school_confirmation(minor, school).body
        db.session.commit()
    return re.search(r"/school/confirm/[\w-]+", body).group(0)


def test_school_link_confirms_once(app, client, minor, school):
    link, minor_id = _link(app, minor, school), minor.id
    page = client.get(link + "?lang=en").get_data(as_text=True)
    assert "Confirm the placement" in page and "mentor@school.example" in page
    assert client.post(link + "?lang=en").status_code == 200
    assert db.session.get(VolunteerProfile, minor_id).school_confirmed_at is not None
    again = client.get(link + "?lang=en")
    assert again.status_code == 404 and "already used or it has expired" in again.get_data(
        as_text=True)


def test_school_link_expires(app, client, minor, school, clock):
    link, minor_id = _link(app, minor, school), minor.id
    clock.shift(timedelta(days=services.SCHOOL_LINK_DAYS, minutes=1))
    assert client.post(link).status_code == 404
    assert db.session.get(VolunteerProfile, minor_id).school_confirmed_at is None
    assert client.get("/school/confirm/" + "x" * 300).status_code == 404


def test_screening_waits_for_the_school(app, minor):
    from buddy.screening import services as screening

    minor.screening = "intake_done"
    blockers = screening.approval_blockers(minor, clock.today())
    assert any("school" in b for b in blockers)
    minor.school_confirmed_at = clock.now()
    assert not any("school" in b for b in screening.approval_blockers(minor, clock.today()))


# --- matching and approval ----------------------------------------------------------------------

def test_a_minor_is_approved_only_one_by_one(coord, org, minor, coordinator):
    minor.screening, minor.school_confirmed_at = "approved", None
    adult = f.make_volunteer(org)
    with_pupil = f.make_match(waiting(org), minor, status="proposed")
    with_adult = f.make_match(waiting(org), adult, status="proposed")
    ids = (with_pupil.id, with_adult.id)
    response = coord.post("/coordinator/proposals/approve",
                          data={"match_ids": [str(i) for i in ids]}, follow_redirects=True)
    assert "approve it on its own" in response.get_data(as_text=True)
    assert [db.session.get(Match, i).status for i in ids] == ["proposed", "approved"]
    # one by one: refused until the school confirmed, then approved
    refused = coord.post(f"/coordinator/matches/{ids[0]}/approve", follow_redirects=True)
    assert "has not confirmed" in refused.get_data(as_text=True)
    db.session.get(VolunteerProfile, minor.id).school_confirmed_at = clock.now()
    db.session.commit()
    coord.post(f"/coordinator/matches/{ids[0]}/approve")
    assert db.session.get(Match, ids[0]).status == "approved"


def test_bulk_service_refuses_a_minor(org, minor, coordinator):
    minor.screening, minor.school_confirmed_at = "approved", clock.now()
    match = f.make_match(waiting(org), minor, status="proposed")
    with pytest.raises(lifecycle.MatchActionError) as refused:
        lifecycle.approve(match, coordinator, bulk=True)
    assert refused.value.code == "pupil_needs_own_approval"


def test_placement_end_is_the_end_of_availability(org, minor, clock):
    minor.screening, minor.school_confirmed_at = "approved", clock.now()
    db.session.commit()
    organisation = db.session.get(Organisation, org.id)
    organisation.vog_required = False
    on = clock.today()
    assert minor.id in {v.id for v, _free in pool.available_volunteers(organisation, on)}
    after = minor.placement_end_on + timedelta(days=1)
    assert minor.id not in {v.id for v, _free in pool.available_volunteers(organisation, after)}


def test_checkins_follow_the_placement_length(org, minor, coordinator):
    minor.screening, minor.school_confirmed_at = "approved", clock.now()
    match = f.make_match(waiting(org), minor, status="approved", approved_at=clock.now())
    lifecycle.activate(match, coordinator)
    db.session.flush()
    assert match.planned_end_on == minor.placement_end_on
    due = sorted(db.session.scalars(select(CheckIn.due_on).where(CheckIn.match_id == match.id)))
    assert due[-1] <= minor.placement_end_on and len(due) == 3
    assert services.placement_checkin_days(date(2027, 1, 1), date(2027, 1, 3)) == [1]


# --- the certificate of hours -------------------------------------------------------------------

def test_certificate_page_sign_off_and_pdf(coord, org, minor):
    match = f.make_match(waiting(org), minor, status="active", activated_at=clock.now())
    f.make_meeting(match, minutes=90)
    f.make_meeting(match, minutes=60)
    minor_id = minor.id
    url = f"/coordinator/volunteers/{minor_id}/certificate"
    page = coord.get(url).get_data(as_text=True)
    assert "Certificate of hours" in page and "2.5" in page and "Sign off" in page
    early = coord.get(url + ".pdf")
    assert early.status_code == 302  # not signed yet
    assert coord.post(url).status_code == 302
    profile = db.session.get(VolunteerProfile, minor_id)
    assert (profile.certificate_hours, profile.certificate_signed_by_id is not None) == (2.5,
                                                                                         True)
    signed = coord.get(url).get_data(as_text=True)
    assert "Signed off by the coordinator" in signed
    pdf = coord.get(url + ".pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert coord.get(f"/coordinator/volunteers/{minor_id}").status_code == 200


def test_no_certificate_for_a_volunteer_who_is_no_pupil(coord, org):
    adult = f.make_volunteer(org)
    assert coord.get(f"/coordinator/volunteers/{adult.id}/certificate").status_code == 404
