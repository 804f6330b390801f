"""Erasure: after erase_person nothing in the database names the person, while the matches
remain as anonymous facts; also the "delete my account" page."""

import pytest
from sqlalchemy import func, select

from buddy.extensions import db
from buddy.models import (
    AuditEvent,
    CheckIn,
    ConsentRecord,
    LevelAssessment,
    Match,
    MatchEvent,
    MeetingLog,
    OutboxMessage,
    PairRule,
    ParticipantProfile,
    Token,
    User,
    UserSession,
    VolunteerProfile,
)
from buddy.privacy.services import erase_person
from tests import factories as f
from tests.conftest import html_attr


def rows(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_erasing_a_volunteer_leaves_no_trace_of_them(app_ctx, world, dump):
    before = dump()
    for needle in (world.vol_facts.name, world.vol_facts.email, world.vol_facts.phone):
        assert needle in before
    counts = erase_person(world.vol_user, actor=world.coordinator)
    after = dump()
    for needle in (world.vol_facts.name, world.vol_facts.email, world.vol_facts.phone):
        assert needle not in after, needle
    assert counts["matches_ended"] == 1 and counts["matches_rejected"] == 1
    assert counts["users_deleted"] == 1 and counts["messages_redacted"] == 3
    # other people's data stays
    assert world.p_facts.email in after and "Rasmus" in after and "Hallo Rasmus" in after


def test_matches_of_an_erased_volunteer_remain_anonymous(app_ctx, world):
    ids = world.active.id, world.proposed.id, world.ended.id, world.participant.id
    erase_person(world.vol_user, actor=None)
    active, proposed, ended = (db.session.get(Match, i) for i in ids[:3])
    assert (active.status, active.end_reason, active.volunteer_id) == ("ended", "other", None)
    assert active.ended_at is not None and active.participant_id == ids[3]
    assert (proposed.status, proposed.volunteer_id) == ("rejected", None)
    assert (ended.status, ended.end_reason, ended.end_note) == ("ended", "completed", "")
    events = db.session.scalars(select(MatchEvent).where(MatchEvent.match_id == ids[0])
                                .order_by(MatchEvent.id)).all()
    assert [(e.from_status, e.to_status, e.reason) for e in events][-1] == (
        "active", "ended", "person_erased")
    participant = db.session.get(ParticipantProfile, ids[3])
    assert (participant.status, participant.rematch_priority) == ("waiting", True)


def test_erasure_removes_every_dependent_row(app_ctx, world):
    user_id, profile_id = world.vol_user.id, world.volunteer.id
    erase_person(world.vol_user, actor=None)
    assert db.session.get(User, user_id) is None
    assert db.session.get(VolunteerProfile, profile_id) is None
    for model in (ConsentRecord, UserSession, Token, OutboxMessage):
        assert rows(model, model.user_id == user_id) == 0
    assert rows(PairRule, PairRule.volunteer_id == profile_id) == 0
    assert rows(MeetingLog, MeetingLog.activity != "",
                MeetingLog.match_id == world.active.id) == 0
    assert rows(CheckIn, CheckIn.note != "") == 0


def test_mail_mentioning_the_erased_person_is_redacted(app_ctx, world):
    ids = world.pending.id, world.intro.id, world.digest.id, world.unrelated.id
    erase_person(world.vol_user, actor=None)
    pending, intro, digest, unrelated = (db.session.get(OutboxMessage, i) for i in ids)
    assert (pending.state, pending.body) == ("failed", "")  # to their buddy: not sent any more
    assert (intro.state, intro.body) == ("sent", "Je buddy is …. Mail …, bel ….")
    assert (digest.state, digest.body) == ("pending", "Check-in due: … and Quirijn.")
    assert (unrelated.state, unrelated.body) == ("pending", "Hallo Rasmus, tot dinsdag")


def test_erasing_a_participant_leaves_no_trace_of_them(app_ctx, world, dump):
    participant_id, match_id = world.participant.id, world.active.id
    counts = erase_person(world.p_user, actor=world.coordinator)
    after = dump()
    for needle in (world.p_facts.name, world.p_facts.email, world.p_facts.phone, "Kinderopvang"):
        assert needle not in after, needle
    assert counts["matches_ended"] == 1
    match = db.session.get(Match, match_id)
    assert (match.status, match.participant_id, match.volunteer_id) == (
        "ended", None, world.volunteer.id)
    assert rows(LevelAssessment, LevelAssessment.participant_id == participant_id) == 0
    assert world.vol_facts.email in after  # the volunteer is untouched


def test_erasure_by_a_coordinator_is_audited_with_ids_only(app, world):
    user_id, coordinator_id = world.vol_user.id, world.coordinator.id
    with app.test_request_context():
        from flask_login import login_user

        login_user(world.coordinator)
        erase_person(world.vol_user, actor=world.coordinator)
        db.session.commit()  # the request boundary would commit here
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.erased"))
    assert (event.target_type, event.target_id, event.actor_id) == (
        "User", user_id, coordinator_id)
    assert event.details["role"] == "volunteer" and event.details["matches_ended"] == 1
    assert world.vol_facts.name not in repr(event.details) and "@" not in repr(event.details)


def test_erasure_by_the_person_or_the_retention_job_is_not_audited(app_ctx, world):
    erase_person(world.vol_user, actor=None)
    erase_person(world.rasmus.user, actor=world.rasmus.user)
    assert rows(AuditEvent, AuditEvent.action == "person.erased") == 0


# ---------------------------------------------------------------- the delete page

def test_volunteer_deletes_own_account_with_password(client, login, world):
    user_id = world.vol_user.id
    login(world.vol_user)
    page = client.get("/account/delete?lang=en")
    assert page.status_code == 200 and b'name="password"' in page.data
    response = client.post("/account/delete", data={"confirm": "y", "password": f.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/deleted?lang=en")
    assert db.session.get(User, user_id) is None
    assert client.get("/volunteer").status_code == 302  # logged out
    goodbye = client.get(response.headers["Location"])
    assert goodbye.status_code == 200 and html_attr(goodbye.data, "html", "lang") == "en"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"password": f.PASSWORD}, "confirm", b"tick the box"),
    ({"confirm": "y"}, "password", b"fill in your password"),
    ({"confirm": "y", "password": "not my password at all"}, "password", b"not correct"),
    ({"confirm": "y", "password": "x" * 500}, "password", b"too long"),
])
def test_deleting_needs_confirmation_and_the_right_password(client, login, world, data, field,
                                                           message):
    user_id = world.vol_user.id
    login(world.vol_user)
    response = client.post("/account/delete?lang=en", data=data)
    assert response.status_code == 422 and message in response.data
    assert f'id="{field}-error"'.encode() in response.data
    assert db.session.get(User, user_id) is not None


def test_participant_deletes_with_a_checkbox_and_sees_goodbye_in_their_language(client, login,
                                                                               world):
    user_id = world.p_user.id
    login(world.p_user)
    page = client.get("/account/delete")
    assert b'name="password"' not in page.data
    response = client.post("/account/delete", data={"confirm": "y"})
    assert response.headers["Location"].endswith("/account/deleted?lang=ar")
    assert db.session.get(User, user_id) is None
    goodbye = client.get(response.headers["Location"])
    assert html_attr(goodbye.data, "html", "dir") == "rtl"


def test_staff_cannot_use_the_self_service_delete(client, login, world):
    login(world.coordinator)
    assert client.get("/account/delete").status_code == 403
    assert client.post("/account/delete", data={"confirm": "y"}).status_code == 403


def test_delete_needs_a_login(client):
    response = client.get("/account/delete")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
