"""The match page of the volunteer and the participant: introduction, contact, meetings."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from buddy import clock
from buddy.extensions import db
from buddy.models import CheckIn, Match, MeetingLog, User
from tests import factories as f
from tests.conftest import html_attr


@pytest.fixture
def org():
    return f.make_org()


@pytest.fixture
def people(org):
    volunteer_user = f.make_user("volunteer", org, locale="en", phone="+31622222222")
    participant_user = f.make_user("participant", org, locale="ar", phone="+31611111111")
    volunteer = f.make_volunteer(org, user=volunteer_user, first_name="Anne", share_email=True,
                                 share_phone=False)
    participant = f.make_participant(org, user=participant_user, first_name="فاطمة",
                                     share_email=False, share_phone=True, languages=["ar", "en"],
                                     dutch_level="A1", barrier_note="Sensitive: health issue")
    return participant, volunteer


def _match(people, **kw):
    participant, volunteer = people
    kw.setdefault("status", "approved")
    kw.setdefault("approved_at", clock.now() - timedelta(days=3))
    return f.make_match(participant, volunteer, **kw)


def _as(login, profile):
    return login(db.session.get(User, profile.user_id))


def test_volunteer_sees_the_participant_and_only_consented_contact(login, people):
    match = _match(people)
    participant, volunteer = people
    participant_email = db.session.get(User, participant.user_id).email
    client = _as(login, volunteer)
    page = client.get(f"/match/{match.id}?lang=en").get_data(as_text=True)
    assert "<bdi>فاطمة</bdi>" in page
    assert 'href="tel:+31611111111" dir="ltr"' in page
    assert participant_email not in page
    assert "Sensitive" not in page and "health" not in page
    assert "Confirm the first meeting" in page


def test_participant_sees_the_buddy_in_their_language(login, people):
    match = _match(people)
    participant, volunteer = people
    volunteer_email = db.session.get(User, volunteer.user_id).email
    client = _as(login, participant)
    response = client.get(f"/match/{match.id}")
    page = response.get_data(as_text=True)
    assert html_attr(page, "html", "lang") == "ar" and html_attr(page, "html", "dir") == "rtl"
    assert "<bdi>Anne</bdi>" in page
    assert f'dir="ltr">{volunteer_email}</a>' in page
    assert "+31622222222" not in page
    assert "first-meeting-checklist" in page
    assert "Confirm the first meeting" not in page


@pytest.mark.parametrize("status", ["proposed", "rejected"])
def test_undecided_or_rejected_matches_are_not_shown(login, people, status):
    match = _match(people, status=status)
    assert _as(login, people[1]).get(f"/match/{match.id}").status_code == 404


def test_someone_elses_match_is_404(login, org, people):
    match = _match(people)
    stranger = f.make_volunteer(org)
    client = _as(login, stranger)
    assert client.get(f"/match/{match.id}").status_code == 404
    assert client.post(f"/match/{match.id}/first-meeting",
                       data={"met_on": clock.today().isoformat()}).status_code == 404
    assert db.session.get(Match, match.id).status == "approved"


def test_coordinators_use_their_own_page(login, org, people):
    match = _match(people)
    coordinator = f.make_user("coordinator", org)
    assert login(coordinator).get(f"/match/{match.id}").status_code == 403


def test_volunteer_confirms_the_first_meeting(login, people):
    match = _match(people)
    client = _as(login, people[1])
    response = client.post(f"/match/{match.id}/first-meeting",
                           data={"met_on": clock.today().isoformat()})
    assert response.status_code == 302
    match = db.session.get(Match, match.id)
    assert match.status == "active"
    assert db.session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.match_id == match.id)) == 3


def test_participant_cannot_confirm_the_first_meeting(login, people):
    match = _match(people)
    client = _as(login, people[0])
    assert client.post(f"/match/{match.id}/first-meeting",
                       data={"met_on": clock.today().isoformat()}).status_code == 403


def _active(people):
    return _match(people, status="active", activated_at=clock.now() - timedelta(days=10))


def test_volunteer_logs_a_meeting(login, people):
    match = _active(people)
    client = _as(login, people[1])
    on = (clock.today() - timedelta(days=1)).isoformat()
    response = client.post(f"/match/{match.id}/meetings",
                           data={"met_on": on, "minutes": "90", "activity": "Library visit"})
    assert response.status_code == 302
    (log,) = db.session.scalars(select(MeetingLog).where(MeetingLog.match_id == match.id)).all()
    assert (log.met_on.isoformat(), log.minutes, log.activity) == (on, 90, "Library visit")
    page = client.get(f"/match/{match.id}").get_data(as_text=True)
    assert "Library visit" in page and "1 meeting logged" in page


@pytest.mark.parametrize(("data", "message"), [
    ({"met_on": "2999-01-01", "minutes": "60", "activity": "x"}, "This date is in the future"),
    ({"met_on": "2020-01-01", "minutes": "60", "activity": "x"}, "before the match started"),
    ({"met_on": "today", "minutes": "60", "activity": "x"}, "Please fill in a date"),
    ({"minutes": "4", "activity": "x"}, "Between 5 and 600"),
    ({"minutes": "601", "activity": "x"}, "Between 5 and 600"),
    ({"minutes": "lots", "activity": "x"}, "Not a valid integer"),
    ({"minutes": "60", "activity": ""}, "Please write a few words"),
    ({"minutes": "60", "activity": "x" * 1001}, "at most 1000"),
])
def test_bad_meeting_logs_are_form_errors(login, people, data, message):
    match = _active(people)
    data.setdefault("met_on", clock.today().isoformat())
    response = _as(login, people[1]).post(f"/match/{match.id}/meetings", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'class="error-summary"' in page
    assert db.session.scalar(select(func.count(MeetingLog.id))) == 0


def test_logging_on_a_match_that_is_not_active_is_refused(login, people):
    match = _match(people)
    response = _as(login, people[1]).post(f"/match/{match.id}/meetings", data={
        "met_on": clock.today().isoformat(), "minutes": "30", "activity": "Coffee"},
        follow_redirects=True)
    assert "not possible in the current state" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(MeetingLog.id))) == 0


def test_ended_match_hides_contact_details(login, people):
    match = _match(people, status="ended")
    page = _as(login, people[1]).get(f"/match/{match.id}").get_data(as_text=True)
    assert "+31611111111" not in page and "This match ended" in page


def test_match_page_works_on_a_phone_width_without_inline_styles(login, people):
    match = _active(people)
    page = _as(login, people[1]).get(f"/match/{match.id}").get_data(as_text=True)
    assert " style=" not in page and "<script>" not in page and "onclick" not in page
