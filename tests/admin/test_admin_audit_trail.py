"""Administration: browsing the audit trail with filters and pages, times in UTC."""

from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as f

WHEN = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)


@pytest.fixture
def events(admin_user):
    alpha = f.make_org(name="Alfa", slug="alfa")
    beta = f.make_org(name="Beta", slug="beta")
    coordinator = f.make_user("coordinator", alpha)
    f.make_audit(alpha, action="volunteer.approved", actor_id=coordinator.id,
                 target_type="VolunteerProfile", target_id=41, at=WHEN, details={"x": 1})
    f.make_audit(beta, action="participant.viewed", target_type="ParticipantProfile",
                 target_id=42, at=WHEN - timedelta(days=2))
    f.make_audit(alpha, action="participant.viewed", target_type="ParticipantProfile",
                 target_id=43, at=WHEN - timedelta(days=40))
    return {"alpha": alpha.id, "beta": beta.id, "coordinator": coordinator.id}


def _rows(page: str) -> int:
    return page.count("<time datetime=")


def test_trail_shows_actor_action_target_and_utc_time(client, login, admin_user, events):
    login(admin_user)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert _rows(page) == 3 and "3 events" in page
    assert "2026-03-14 09:26:53" in page and 'datetime="2026-03-14T09:26:53+00:00"' in page
    assert f"#{events['coordinator']}</span> Coordinator" in page
    assert "volunteer.approved" in page and "VolunteerProfile #41" in page
    assert "x=1" in page
    assert page.index("VolunteerProfile #41") < page.index("ParticipantProfile #42")


@pytest.mark.parametrize(("query", "targets"), [
    ("organisation={alpha}", {"#41", "#43"}),
    ("organisation={beta}", {"#42"}),
    ("action=participant.viewed", {"#42", "#43"}),
    ("date_from=2026-03-12&date_to=2026-03-12", {"#42"}),
    ("date_from=2026-03-01", {"#41", "#42"}),
    ("date_to=2026-02-28", {"#43"}),
])
def test_filters(client, login, admin_user, events, query, targets):
    login(admin_user)
    page = client.get("/admin/audit?" + query.format(**events)).get_data(as_text=True)
    assert _rows(page) == len(targets)
    for target in targets:
        assert f"Profile {target}" in page


def test_platform_events_without_an_organisation(admin, admin_user, events):
    other_admin = f.make_user("admin", email="tweede-beheerder@example.org")
    admin.post("/admin/users/find", data={"identifier": other_admin.email})
    page = admin.get("/admin/audit?organisation=none").get_data(as_text=True)
    assert _rows(page) == 1 and "user.looked_up" in page
    assert f"User #{other_admin.id}" in page
    assert "tweede-beheerder" not in page


@pytest.mark.parametrize("query", ["organisation=abc", "action=nope", "date_from=morgen",
                                   "date_from=2026-03-02&date_to=2026-03-01", "page=0"])
def test_invalid_filters_are_422(admin, query):
    assert admin.get(f"/admin/audit?{query}").status_code == 422


def test_pages_of_fifty(client, login, admin_user):
    org = f.make_org()
    for i in range(60):
        f.make_audit(org, action="referral.moved", target_type="LocalReferral", target_id=i,
                     at=WHEN - timedelta(minutes=i))
    login(admin_user)
    first = client.get("/admin/audit").get_data(as_text=True)
    assert _rows(first) == 50 and "Page 1 of 2" in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert _rows(second) == 10 and "LocalReferral #59" in second
