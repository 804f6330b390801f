"""Administration: organisations with counts, creating and changing them."""

import pytest
from sqlalchemy import select

from buddy.extensions import db
from buddy.models import AuditEvent, Organisation
from tests import factories as f


def _org_data(**overrides):
    return {"slug": "taal-thuis-zeist", "name": "Taal Thuis Zeist", "city": "Zeist",
            "vog_required": "y", "vog_valid_years": "2", "match_months": "9",
            "checkin_days": "14; 60, 120", "meeting_reminder_days": "30", **overrides}




def test_index_counts(admin_user, client, login):
    org = f.make_org(name="Stichting Samen")
    f.make_user("coordinator", org)
    f.make_volunteer(org, first_name="Geheimvrijwilliger")
    f.make_volunteer(org, screening="registered")
    f.make_participant(org, first_name="Geheimdeelnemer")
    f.make_participant(org, status="matched")
    f.make_match(f.make_participant(org), f.make_volunteer(org), status="active")
    login(admin_user)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Stichting Samen" in page
    row = page[page.index("Stichting Samen"):].split("</tr>")[0]
    cells = [c.split("</td>")[0].strip() for c in row.split("<td>")[1:]]
    assert cells[1:] == ["1", "3 (2)", "3 (2)", "1"]
    assert "Geheim" not in page


def test_create_organisation(admin, admin_user):
    response = admin.post("/admin/organisations/new", data=_org_data())
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.slug == "taal-thuis-zeist"))
    assert (org.name, org.city, org.vog_required, org.vog_valid_years, org.match_months,
            org.checkin_days, org.meeting_reminder_days) == (
        "Taal Thuis Zeist", "Zeist", True, 2, 9, [14, 60, 120], 30)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.created"))
    assert event.organisation_id == org.id and event.actor_id == admin_user.id


@pytest.mark.parametrize(("field", "value", "message"), [
    ("slug", "Hoofdletters", "Use 2 to 60 lower-case letters"),
    ("slug", "a", "Use 2 to 60 lower-case letters"),
    ("slug", "x" * 61, "Use 2 to 60 lower-case letters"),
    ("slug", "met spatie", "Use 2 to 60 lower-case letters"),
    ("slug", "café", "Use 2 to 60 lower-case letters"),
    ("vog_valid_years", "11", "Please give a number from 1 to 10."),
    ("match_months", "0", "Please give a number from 1 to 36."),
    ("meeting_reminder_days", "2", "Please give a number from 3 to 120."),
    ("checkin_days", "14, 14", "Please give up to 8 different whole numbers"),
    ("checkin_days", "0", "Please give up to 8 different whole numbers"),
    ("checkin_days", "1,2,3,4,5,6,7,8,9", "Please give up to 8 different whole numbers"),
    ("checkin_days", "veertien", "Please give up to 8 different whole numbers"),
    ("name", "", "Please fill in the name."),
])
def test_create_organisation_validation(admin, field, value, message):
    response = admin.post("/admin/organisations/new", data=_org_data(**{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_slug_must_be_unique(admin):
    f.make_org(slug="bezet")
    response = admin.post("/admin/organisations/new", data=_org_data(slug="bezet"))
    assert response.status_code == 422
    assert "This short name is already used." in response.get_data(as_text=True)


def test_edit_settings_keeps_the_slug(admin):
    org = f.make_org(slug="vast")
    page = admin.get(f"/admin/organisations/{org.id}/edit").get_data(as_text=True)
    assert 'value="14, 91, 182"' in page and 'name="slug"' not in page
    response = admin.post(f"/admin/organisations/{org.id}/edit",
                          data=_org_data(slug="anders", vog_required=""))
    assert response.status_code == 302
    saved = db.session.get(Organisation, org.id)
    assert saved.slug == "vast" and saved.vog_required is False and saved.name == "Taal Thuis Zeist"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.organisation_id == org.id)) == "organisation.updated"


def test_unknown_organisation_is_404(admin):
    assert admin.get("/admin/organisations/999999").status_code == 404
    assert admin.post("/admin/organisations/999999/edit", data=_org_data()).status_code == 404
