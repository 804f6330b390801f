"""``flask send-reminders``: meeting reminders to volunteers, check-in reminders to
coordinators, each queued at most once (per reminder period, per day)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db
from buddy.lifecycle.commands import send_reminders
from buddy.models import OutboxMessage
from tests import factories as f
from tests.helpers import waiting


def _run(app):
    result = app.test_cli_runner().invoke(send_reminders, [])
    assert result.exit_code == 0, result.output
    return result.output


def _queued(kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


@pytest.fixture
def quiet_match(org):
    """An active match whose last meeting was 30 days ago (reminder after 21 days)."""
    match = f.make_match(waiting(org, first_name="Huda"), f.make_volunteer(org, first_name="Tom"),
                         status="active", activated_at=clock.now() - timedelta(days=60))
    f.make_meeting(match, met_on=clock.today() - timedelta(days=30))
    return match


def test_quiet_match_gets_one_meeting_reminder(app, quiet_match):
    volunteer_user_id = quiet_match.volunteer.user_id
    output = _run(app)
    assert "meeting_reminder=1" in output
    (message,) = _queued("meeting_reminder")
    assert message.user_id == volunteer_user_id
    assert "Huda" in message.body and "30 " in message.body
    assert f"/match/{quiet_match.id}" in message.body


def test_reminders_are_idempotent(app, quiet_match):
    _run(app)
    assert "meeting_reminder=0" in _run(app)
    assert len(_queued("meeting_reminder")) == 1


def test_meeting_reminder_comes_again_after_the_reminder_period(app, quiet_match):
    _run(app)
    message = _queued("meeting_reminder")[0]
    message.created_at = clock.now() - timedelta(days=21)
    db.session.commit()
    assert "meeting_reminder=1" in _run(app)


def test_recent_meeting_means_no_reminder(app, org):
    match = f.make_match(waiting(org), f.make_volunteer(org), status="active",
                         activated_at=clock.now() - timedelta(days=60))
    f.make_meeting(match, met_on=clock.today() - timedelta(days=3))
    assert "meeting_reminder=0" in _run(app)


def test_new_match_without_meetings_is_counted_from_activation(app, org, clock):
    f.make_match(waiting(org), f.make_volunteer(org), status="active",
                 activated_at=clock.now() - timedelta(days=5))
    assert "meeting_reminder=0" in _run(app)
    clock.shift(timedelta(days=20))
    assert "meeting_reminder=1" in _run(app)


def test_organisation_reminder_days_are_used(app, org, quiet_match):
    org.meeting_reminder_days = 60
    db.session.commit()
    assert "meeting_reminder=0" in _run(app)


def test_coordinators_get_one_checkin_reminder_per_day(app, org, quiet_match, coordinator,
                                                       clock):
    f.make_checkin(quiet_match, due_on=clock.today() - timedelta(days=10))
    f.make_checkin(quiet_match, due_on=clock.today())
    f.make_checkin(quiet_match, due_on=clock.today() + timedelta(days=5))  # not due yet
    other_coordinator = f.make_user("coordinator", f.make_org())
    output = _run(app)
    assert "checkin_due=1" in output
    (message,) = _queued("checkin_due")
    assert message.user_id == coordinator.id != other_coordinator.id
    assert "2 check-ins are due." in message.body
    assert "1 of them is more than a week" in message.body
    assert "checkin_due=0" in _run(app)
    clock.shift(timedelta(days=1))
    assert "checkin_due=1" in _run(app)


def test_done_checkins_and_ended_matches_are_not_reminded(app, org, coordinator):
    active = f.make_match(waiting(org), f.make_volunteer(org), status="active")
    f.make_checkin(active, due_on=clock.today(), done_at=clock.now(), outcome="going_well")
    ended = f.make_match(waiting(org), f.make_volunteer(org), status="ended")
    f.make_checkin(ended, due_on=clock.today())
    assert "checkin_due=0" in _run(app)
