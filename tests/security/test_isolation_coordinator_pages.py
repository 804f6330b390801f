"""Tenant isolation: a coordinator of another organisation gets 404 on every object route
of this one, and nothing changes."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from buddy.extensions import db
from buddy.models import (
    AuditEvent,
    CheckIn,
    LevelAssessment,
    Match,
    OutboxMessage,
    PairRule,
    Partner,
    PartnerPledge,
    User,
    VolunteerProfile,
)
from tests import factories as f
from tests.helpers import waiting


@pytest.fixture
def objects(org):
    """One of everything that has an id in a coordinator URL, in ``org``."""
    participant = waiting(org)
    volunteer = f.make_volunteer(org)
    run = f.make_run(org)
    proposal = f.make_match(participant, volunteer, run_id=run.id)
    active = f.make_match(waiting(org), f.make_volunteer(org), status="active")
    approved = f.make_match(waiting(org), f.make_volunteer(org), status="approved")
    checkin = f.make_checkin(active)
    rule = f.make_pair_rule(participant, volunteer, kind="forbid")
    message = f.make_outbox(f.make_user("volunteer", org), state="failed")
    partner = f.make_partner(org)
    pupil = f.make_volunteer(org, partner_id=partner.id, placement_hours=30,
                             placement_end_on=date(2030, 1, 1))
    return {"partner": partner.id, "pupil": pupil.id, "participant": participant.id,
            "volunteer": volunteer.id, "run": run.id, "proposal": proposal.id,
            "active": active.id, "approved": approved.id,
            "checkin": checkin.id, "rule": rule.id, "message": message.id}


GETS = [
    "/coordinator/matches/{proposal}",
    "/coordinator/matches/{active}",
    "/coordinator/runs/{run}",
    "/coordinator/participants/{participant}/candidates",
    "/coordinator/partners/{partner}",
    "/coordinator/partners/{partner}/edit",
    "/coordinator/partners/{partner}/poster",
    "/coordinator/partners/{partner}/qr.svg",
    "/coordinator/volunteers/{pupil}/certificate",
]
POSTS = [
    ("/coordinator/matches/{proposal}/approve", {}),
    ("/coordinator/matches/{proposal}/reject", {"m{proposal}-reason": "no"}),
    ("/coordinator/matches/{approved}/activate", {"met_on": "2026-01-01"}),
    ("/coordinator/matches/{active}/end", {"reason": "moved"}),
    ("/coordinator/checkins/{checkin}", {"outcome": "at_risk"}),
    ("/coordinator/participants/{participant}/levels", {"assessed_on": "2026-01-01",
                                                         "level": "B1"}),
    ("/coordinator/participants/{participant}/candidates", {"volunteer_id": "{volunteer}"}),
    ("/coordinator/participants/{participant}/rules", {"volunteer_id": "{volunteer}",
                                                        "kind": "pin"}),
    ("/coordinator/rules/{rule}/delete", {}),
    ("/coordinator/outbox/{message}/retry", {}),
    ("/coordinator/partners/{partner}/edit", {"kind": "school", "name": "Taken over",
                                              "contact_name": "X", "contact_email": "x@x.nl"}),
    ("/coordinator/partners/{partner}/delete", {}),
    ("/coordinator/partners/{partner}/link", {}),
    ("/coordinator/partners/{partner}/pledges", {"year": "2027", "guides": "5"}),
    ("/coordinator/partners/{partner}/contact", {}),
    ("/coordinator/volunteers/{pupil}/certificate", {}),
]


def _state():
    return (
        tuple(db.session.scalars(select(Match.status).order_by(Match.id))),
        db.session.scalar(select(func.count(PairRule.id))),
        db.session.scalar(select(func.count(LevelAssessment.id))),
        tuple(db.session.scalars(select(CheckIn.outcome).order_by(CheckIn.id))),
        tuple(db.session.scalars(select(OutboxMessage.state))),
        db.session.scalar(select(func.count(AuditEvent.id))),
        tuple(db.session.execute(select(Partner.name, Partner.link_token).order_by(Partner.id))),
        db.session.scalar(select(func.count(PartnerPledge.id))),
        db.session.scalar(select(func.count(User.id))),
        tuple(db.session.scalars(select(VolunteerProfile.certificate_signed_at))),
    )


@pytest.mark.parametrize("path", GETS)
def test_other_organisations_pages_are_404(intruder, objects, path):
    assert intruder.get(path.format(**objects)).status_code == 404


@pytest.mark.parametrize(("path", "data"), POSTS)
def test_other_organisations_actions_are_404_and_change_nothing(intruder, objects, path, data):
    before = _state()
    form = {key.format(**objects): value.format(**objects) for key, value in data.items()}
    assert intruder.post(path.format(**objects), data=form).status_code == 404
    assert _state() == before


@pytest.mark.parametrize("path", GETS)
def test_own_organisations_pages_work(coord, objects, path):
    assert coord.get(path.format(**objects)).status_code == 200


def test_other_organisations_lists_show_nothing_of_this_one(intruder, org, objects):
    for path in ("/coordinator/proposals", "/coordinator/matches", "/coordinator/waiting",
                 "/coordinator/rules", "/coordinator/outbox", "/coordinator/",
                 "/coordinator/partners"):
        page = intruder.get(path).get_data(as_text=True)
        for match_id in (objects["proposal"], objects["active"]):
            assert f"/coordinator/matches/{match_id}" not in page
        assert f"/coordinator/participants/{objects['participant']}/" not in page
        assert f"/coordinator/rules/{objects['rule']}/" not in page
        assert f"/coordinator/partners/{objects['partner']}" not in page


def test_other_organisations_volunteer_cannot_be_pinned(coord, org, other_org):
    participant, foreign = waiting(org), f.make_volunteer(other_org)
    response = coord.post(f"/coordinator/participants/{participant.id}/rules",
                          data={"volunteer_id": str(foreign.id), "kind": "pin"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(PairRule.id))) == 0


WORKSPACE = ("dashboard", "matchmaking", "lifecycle", "monitor", "partners")
# Routes whose URL argument is no object id: they read the signed-in coordinator's own
# organisation only (tested below).
SCOPED_BY_SESSION = ("partners.pledges_csv",
                     "partners.certificate_pdf")  # tested just above, like the page


def test_other_organisations_certificate_pdf_is_404(intruder, objects):
    pdf = intruder.get("/coordinator/volunteers/{pupil}/certificate.pdf".format(**objects))
    assert pdf.status_code == 404


def test_pledge_csv_shows_only_the_own_organisation(intruder, org, objects):
    partner = db.session.get(Partner, objects["partner"])
    f.make_pledge(partner, year=2027, guides=10)
    text = intruder.get("/coordinator/partners/pledges/2027.csv").get_data(as_text=True)
    assert partner.name not in text and len(text.strip().splitlines()) == 1


def test_every_coordinator_route_is_covered(app):
    """Every rule of the blueprint with an id in its URL is tested above (GET or POST)."""
    def shape(path):
        return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)

    covered = {("GET", shape(p)) for p in GETS} | {("POST", shape(p)) for p, _d in POSTS}
    for rule in app.url_map.iter_rules():
        if (rule.endpoint.split(".")[0] in WORKSPACE and "<" in rule.rule
                and rule.rule.startswith("/coordinator/")
                and rule.endpoint not in SCOPED_BY_SESSION):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (method, shape(rule.rule)) in covered, (method, rule.rule)
