"""A small organisation with one volunteer in every kind of record, for the data-rights tests."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import inspect, text

from buddy import clock
from buddy.extensions import db
from tests import factories as f

VOLUNTEER = SimpleNamespace(name="Zoltana", email="zoltana.unique@example.org",
                            phone="+31687654321")
PARTICIPANT = SimpleNamespace(name="Quirijn", email="quirijn.p@example.org",
                              phone="+31611112222")


@pytest.fixture
def world():
    """Build a volunteer with an active, a proposed and an ended match, and everything
    around them: consents, sessions, tokens, e-mails, meetings, check-ins, assessments."""
    org = f.make_org(slug="privacy-org")
    coordinator = f.make_user("coordinator", org)
    vol_user = f.make_user("volunteer", org, email=VOLUNTEER.email, phone=VOLUNTEER.phone,
                           locale="en")
    volunteer = f.make_volunteer(org, user=vol_user, first_name=VOLUNTEER.name,
                                 occupation="Bakkerij van Zoltana", motivation="Ik ben Zoltana.",
                                 interests=0b101, availability=0b1, consents=())
    p_user = f.make_user("participant", org, email=PARTICIPANT.email, phone=PARTICIPANT.phone,
                         locale="ar")
    participant = f.make_participant(org, user=p_user, first_name=PARTICIPANT.name,
                                     status="matched", barriers=["childcare"],
                                     barrier_note="Kinderopvang nodig")
    rasmus = f.make_participant(org, first_name="Rasmus")
    sientje = f.make_participant(org, first_name="Sientje")
    active = f.make_match(participant, volunteer, status="active", activated_at=clock.now())
    proposed = f.make_match(rasmus, volunteer, status="proposed", volunteer_slot=2)
    ended = f.make_match(sientje, volunteer, status="ended", end_note="Zoltana verhuisde",
                         ended_at=clock.now() - timedelta(days=40))
    f.make_match_event(active, reason="Zoltana vroeg om Quirijn")
    f.make_meeting(active, activity="Zoltana en Quirijn dronken koffie",
                   created_by_id=vol_user.id)
    f.make_meeting(active, activity="Quirijn schreef dit zelf", created_by_id=p_user.id)
    f.make_checkin(active, note="Zoltana belde over Quirijn")
    f.make_assessment(participant, level="A2")
    f.make_pair_rule(rasmus, volunteer, kind="forbid")
    for user in (vol_user, p_user):
        f.make_consent(user, purpose="privacy")
        f.make_session(user, user_agent="Firefox")
        f.make_token(user)
        f.make_outbox(user, subject="Welkom", body="Hallo")
    intro = f.make_outbox(p_user, kind="introduction", state="sent",
                          body=f"Je buddy is {VOLUNTEER.name}. Mail {VOLUNTEER.email}, "
                               f"bel {VOLUNTEER.phone}.")
    pending = f.make_outbox(p_user, kind="meeting_reminder",
                            body=f"Hoe gaat het met {VOLUNTEER.name}?")
    intro_v = f.make_outbox(vol_user, kind="introduction_volunteer", state="sent",
                            body=f"Je nieuwe deelnemer heet {PARTICIPANT.name}, "
                                 f"tel {PARTICIPANT.phone}.")
    digest = f.make_outbox(coordinator, kind="checkin_due",
                           body=f"Check-in due: {VOLUNTEER.name} and {PARTICIPANT.name}.")
    unrelated = f.make_outbox(rasmus.user, kind="invitation", body="Hallo Rasmus, tot dinsdag")
    return SimpleNamespace(org=org, coordinator=coordinator, volunteer=volunteer,
                           vol_user=vol_user, participant=participant, p_user=p_user,
                           rasmus=rasmus, sientje=sientje, active=active, proposed=proposed,
                           ended=ended, intro=intro, pending=pending, intro_v=intro_v,
                           unrelated=unrelated, digest=digest, vol_facts=VOLUNTEER,
                           p_facts=PARTICIPANT)


def database_dump() -> str:
    """Return every row of every table (SELECT *), stringified, as one text."""
    connection = db.session.connection()
    lines = []
    for table in inspect(connection).get_table_names():
        for row in connection.execute(text(f'SELECT * FROM "{table}"')):
            lines.append(f"{table}: {tuple(row)!r}")
    return "\n".join(lines)


@pytest.fixture
def dump():
    return database_dump


@pytest.fixture
def org():
    return f.make_org()
