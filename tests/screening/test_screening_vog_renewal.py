"""VOG validity and renewal: the dates, the due list and the reminder e-mails."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db
from buddy.models import AuditEvent, OutboxMessage, VolunteerProfile
from buddy.screening import services
from tests import factories as f

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(("issued", "years", "expires"), [
    (date(2024, 2, 29), 1, date(2025, 3, 1)),
    (date(2023, 6, 15), 3, date(2026, 6, 15)),
    (date(2020, 2, 29), 4, date(2024, 2, 29)),
])
def test_vog_expiry_date(issued, years, expires):
    assert services.vog_expires_on(issued, years) == expires


@pytest.mark.parametrize(("issued", "valid"), [
    (TODAY, True), (date(2023, 11, 29), True), (date(2023, 11, 28), False),
    (TODAY + timedelta(days=1), False), (None, False)])
def test_vog_is_valid(issued, valid):
    assert services.vog_is_valid(issued, 3, TODAY) is valid


def test_renewal_threshold_matches_the_expiry_rule():
    org = type("Org", (), {"vog_valid_years": 1})()
    for offset in range(-400, 400, 7):
        day = TODAY + timedelta(days=offset)
        for issued in (day - timedelta(days=335), day - timedelta(days=336), date(2024, 2, 29)):
            due = issued <= services.renewal_threshold(org, day)
            expires = services.vog_expires_on(issued, 1)
            assert due == (expires - timedelta(days=services.VOG_WARNING_DAYS) <= day)


@pytest.fixture
def volunteers(app_ctx, clock):
    clock.move_to(TODAY)
    org = f.make_org(vog_valid_years=3)
    made = {
        "fresh": f.make_volunteer(org, vog_issued_on=TODAY - timedelta(days=365)),
        "soon": f.make_volunteer(org, vog_issued_on=date(2023, 12, 20)),  # 22 days left
        "expired": f.make_volunteer(org, vog_issued_on=date(2023, 5, 1)),
        "no_date": f.make_volunteer(org, vog_status="not_requested", vog_issued_on=None),
        "not_approved": f.make_volunteer(org, screening="vog_received",
                                         vog_issued_on=date(2023, 1, 1)),
    }
    f.make_volunteer(f.make_org(), vog_issued_on=date(2020, 1, 1))  # another organisation
    return org, made


def test_renewals_due_lists_approved_volunteers_with_running_out_vogs(volunteers):
    org, made = volunteers
    due = services.vog_renewals_due(org.id, TODAY)
    assert [r.volunteer.id for r in due] == [made["no_date"].id, made["expired"].id,
                                             made["soon"].id]
    by_id = {r.volunteer.id: r for r in due}
    assert by_id[made["soon"].id].expires_on == date(2026, 12, 20)
    assert not by_id[made["soon"].id].expired
    assert by_id[made["expired"].id].expired
    assert by_id[made["no_date"].id].expires_on is None


def test_no_renewals_when_the_organisation_does_not_require_a_vog(volunteers):
    org, _made = volunteers
    org.vog_required = False
    db.session.flush()
    assert services.vog_renewals_due(org.id, TODAY) == []
    assert services.vog_renewals_due(987654, TODAY) == []


def test_reminders_go_to_each_active_coordinator_once_a_week(volunteers, clock):
    org, made = volunteers
    first = f.make_user("coordinator", org, locale="en")
    second = f.make_user("coordinator", org, locale="nl")
    f.make_user("coordinator", org, active=False)
    f.make_user("coordinator", f.make_org())
    assert services.queue_vog_renewal_reminders(org.id) == 2
    messages = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "vog_renewal").order_by(OutboxMessage.id)).all()
    assert [m.user_id for m in messages] == [first.id, second.id]
    english = messages[0]
    assert english.locale == "en" and english.organisation_id == org.id
    assert "3 approved volunteers need a new certificate of conduct" in english.body
    assert "For 2 of them the VOG has already run out" in english.body
    assert "http://localhost/coordinator/volunteers?vog=renewal" in english.body
    for name in ("Anne",):  # the factory's first name: no names in the e-mail
        assert name not in english.body
    clock.move_to(TODAY + timedelta(days=3))
    assert services.queue_vog_renewal_reminders(org.id) == 0
    clock.move_to(TODAY + timedelta(days=6))
    assert services.queue_vog_renewal_reminders(org.id) == 0
    clock.move_to(TODAY + timedelta(days=7))
    assert services.queue_vog_renewal_reminders(org.id) == 2


def test_reminders_mark_run_out_vogs_expired_and_audit_it(volunteers):
    org, made = volunteers
    f.make_user("coordinator", org)
    services.queue_vog_renewal_reminders(org.id)
    assert db.session.get(VolunteerProfile, made["expired"].id).vog_status == "expired"
    assert db.session.get(VolunteerProfile, made["soon"].id).vog_status == "received"
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "volunteer.vog_expired")).all()
    assert [e.target_id for e in events] == [made["expired"].id]
    assert events[0].organisation_id == org.id and events[0].actor_id is None


def test_no_reminders_when_nothing_is_due(app_ctx, clock):
    clock.move_to(TODAY)
    org = f.make_org()
    f.make_user("coordinator", org)
    f.make_volunteer(org, vog_issued_on=TODAY - timedelta(days=10))
    assert services.queue_vog_renewal_reminders(org.id) == 0


def test_a_new_vog_after_renewal_keeps_the_volunteer_approved(coord, org, coordinator):
    today = clock.today()
    volunteer = f.make_volunteer(org, vog_status="expired",
                                 vog_issued_on=today - timedelta(days=3 * 365 + 40))
    response = coord.post(f"/coordinator/volunteers/{volunteer.id}/vog", data={
        "vog-status": "received", "vog-issued_on": (today - timedelta(days=5)).isoformat()})
    assert response.status_code == 302
    saved = db.session.get(VolunteerProfile, volunteer.id)
    assert saved.screening == "approved" and saved.vog_status == "received"
    assert services.vog_renewals_due(org.id, today) == []
