"""Barriers are for coordinators only: never on a volunteer's or participant's page."""

import pytest

from buddy import clock
from tests import factories as f

NOTE = "Vertrouwelijke-barriere-notitie-7731"


@pytest.fixture
def pair(org):
    participant = f.make_participant(org, first_name="Selam", barriers=["health", "literacy"],
                                     barrier_note=NOTE, status="matched")
    volunteer = f.make_volunteer(org, first_name="Pieter")
    match = f.make_match(participant, volunteer, status="active", approved_at=clock.now(),
                         activated_at=clock.now())
    return participant, volunteer, match


@pytest.mark.parametrize("lang", ["nl", "en", "ar"])
def test_participant_pages_never_show_barriers(app, login, pair, lang):
    participant, _volunteer, match = pair
    from buddy.extensions import db
    from buddy.models import User

    client = login(db.session.get(User, participant.user_id), on=app.test_client())
    for url in ("/me", "/me/details", f"/match/{match.id}"):
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert NOTE not in page, url
        assert 'name="barriers"' not in page and 'name="barrier_note"' not in page


@pytest.mark.parametrize("lang", ["nl", "en", "ar"])
def test_volunteer_pages_never_show_the_participants_barriers(app, login, pair, lang):
    _participant, volunteer, match = pair
    from buddy.extensions import db
    from buddy.models import User

    client = login(db.session.get(User, volunteer.user_id), on=app.test_client())
    for url in ("/volunteer", "/volunteer/profile", f"/match/{match.id}"):
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert NOTE not in page, url
        assert "Selam" in page or url == "/volunteer/profile"


def test_the_coordinator_does_see_them(coord, pair):
    participant, _volunteer, _match = pair
    page = coord.get(f"/coordinator/participants/{participant.id}").get_data(as_text=True)
    assert NOTE in page and "Reading and writing" in page
