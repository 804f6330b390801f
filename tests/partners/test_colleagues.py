"""Colleague guides: participants registered as employees of an employer partner (at intake
or through the employer's newcomer link), matched by their guides' colleague choice."""

from sqlalchemy import select

from buddy.extensions import db
from buddy.matchmaking import pool
from buddy.models import Organisation, ParticipantProfile
from tests import factories as f
from tests.helpers import waiting


def _params(org):
    return pool.MatchingParams.defaults(org)


def test_only_colleagues_guide_gets_the_colleague_and_says_so(coord, org):
    bakery = f.make_partner(org, name="Bakkerij Bol")
    colleague = waiting(org, first_name="Samir", employer_partner_id=bakery.id)
    outsider = waiting(org, first_name="Olga")
    guide = f.make_volunteer(org, first_name="Anne", partner_id=bakery.id,
                             colleague_pref="only", capacity=2)
    preview = pool.preview(db.session.get(Organisation, org.id), _params(org))
    pairs = {(p.participant.id, p.volunteer.id) for p in preview.pairs}
    assert pairs == {(colleague.id, guide.id)}
    [pair] = preview.pairs
    assert pair.explanation["colleague_partner"] == "Bakkerij Bol"
    page = coord.get(f"/coordinator/participants/{colleague.id}/candidates").get_data(
        as_text=True)
    assert "Colleague guide at Bakkerij Bol" in page
    assert outsider.id in {p.id for p, _reason, _counts in preview.unmatched}


def test_outside_work_guide_never_gets_a_colleague(org):
    bakery = f.make_partner(org)
    colleague = waiting(org, employer_partner_id=bakery.id)
    outsider = waiting(org)
    guide = f.make_volunteer(org, partner_id=bakery.id, colleague_pref="outside")
    preview = pool.preview(db.session.get(Organisation, org.id), _params(org))
    assert {(p.participant.id, p.volunteer.id) for p in preview.pairs} == {(outsider.id,
                                                                            guide.id)}
    assert colleague.id in {p.id for p, _reason, _counts in preview.unmatched}


def test_coordinator_registers_an_employee_at_intake(coord, org, hood_id):
    bakery = f.make_partner(org, name="Bakkerij Bol")
    school = f.make_partner(org, kind="school", name="Stedelijk College")
    form = coord.get("/coordinator/participants/new").get_data(as_text=True)
    assert "Bakkerij Bol" in form and "Stedelijk College" not in form  # employers only
    data = {"first_name": "Samir", "gender": "m", "neighbourhood": str(hood_id),
            "radius_km": "5", "in_person": "y", "availability": ["mon-evening"],
            "languages": ["ar"], "dutch_level": "A1", "target_level": "B1", "route": "b1",
            "goals": ["work"], "primary_goal": "work", "gender_pref": "any", "email": "",
            "phone": "", "locale": "nl", "consent_verbal": "y",
            "employer_partner": str(bakery.id)}
    response = coord.post("/coordinator/participants/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    profile = db.session.scalar(select(ParticipantProfile).where(
        ParticipantProfile.first_name == "Samir"))
    assert profile.employer_partner_id == bakery.id
    refused = coord.post("/coordinator/participants/new",
                         data={**data, "first_name": "Other", "employer_partner": str(school.id)})
    assert refused.status_code == 422


def test_newcomer_link_of_an_employer_leads_to_the_participant_sign_up(client, org):
    bakery = f.make_partner(org, name="Bakkerij Bol")
    school = f.make_partner(org, kind="school")
    slug = org.slug
    response = client.get(f"/o/{slug}/partner/{bakery.link_token}/newcomer")
    assert response.status_code == 302 and f"/o/{slug}/join" in response.headers["Location"]
    with client.session_transaction() as session:
        assert session["signup_partner"]["partner"] == bakery.id
    refused = client.get(f"/o/{slug}/partner/{school.link_token}/newcomer?lang=en")
    assert refused.status_code == 404 and "not for newcomers" in refused.get_data(as_text=True)


def test_a_newcomer_is_attributed_to_the_employer_only_of_the_same_organisation(org, other_org):
    from buddy.partners import services

    bakery, foreign = f.make_partner(org), f.make_partner(other_org)
    participant = f.make_participant(org)
    services.attribute_newcomer(participant.user, foreign)
    assert participant.employer_partner_id is None
    services.attribute_newcomer(participant.user, bakery)
    assert participant.employer_partner_id == bakery.id
