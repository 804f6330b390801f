"""Demo data: a realistic organisation in Utrecht, deterministic for a given seed.

Nothing here runs unless ``flask seed-demo`` is called: a fresh database has no accounts.
"""

import base64
import random
from datetime import UTC, datetime, timedelta

from . import clock
from .auth.services import hash_password, new_recovery_codes
from .extensions import db
from .i18n import DEFAULT_LOCALE, LOCALES
from .models import (
    CheckIn,
    ConsentRecord,
    LevelAssessment,
    Match,
    MatchEvent,
    MeetingLog,
    Neighbourhood,
    Organisation,
    ParticipantProfile,
    Partner,
    PartnerPledge,
    User,
    VolunteerProfile,
)
from .vocab import (
    AGE_BANDS,
    ALL_SLOTS_MASK,
    GOALS,
    INTERESTS,
    LEVELS,
    SLOT_COUNT,
    mask_from_keys,
)

DEMO_PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 - printed demo login, demo data only
# Utrecht's ten districts (wijken) with approximate centroids; two are priority areas.
UTRECHT = [
    ("Binnenstad", 52.0907, 5.1214, False), ("Oost", 52.0860, 5.1480, False),
    ("Noordoost", 52.1040, 5.1380, False), ("Noordwest", 52.1060, 5.0990, False),
    ("Overvecht", 52.1160, 5.1130, True), ("Zuid", 52.0720, 5.1250, False),
    ("Zuidwest", 52.0770, 5.0950, True), ("West", 52.0930, 5.0920, False),
    ("Leidsche Rijn", 52.0980, 5.0500, False), ("Vleuten-De Meern", 52.1020, 5.0150, False),
]
VOLUNTEER_NAMES = [
    "Anne", "Bram", "Carla", "Daan", "Eva", "Femke", "Gert", "Hanneke", "Ingrid", "Joost",
    "Karin", "Lotte", "Marieke", "Niels", "Olga", "Pieter", "Quinten", "Roos", "Sanne", "Tom",
    "Ursula", "Vincent", "Wendy", "Yvonne", "Zeynep", "Jan", "Marloes", "Sem", "Noor", "Willem",
    "Ilse", "Ruud", "Hatice", "Mohamed", "Greetje", "Kees", "Fleur", "Bas", "Ellen", "Mila",
]
# (language, share, first names, gender of each name) — names in their usual script.
PARTICIPANT_GROUPS = [
    ("ar", 0.30,
     ["أحمد", "فاطمة", "Omar", "Rania", "Khaled", "Noor", "Yusuf", "Huda", "Samir", "Lina"],
     "mfmfmfmfmf"),
    ("ti", 0.15, ["ዮናስ", "ሰላም", "Merhawi", "Tsega", "Filmon", "Helen"], "mfmfmf"),
    ("uk", 0.15, ["Олена", "Andriy", "Iryna", "Oksana", "Dmytro", "Kateryna"], "fmffmf"),
    ("fa", 0.12, ["مریم", "Reza", "Zahra", "Ali", "Parisa"], "fmfmf"),
    ("tr", 0.10, ["Ayşe", "Mehmet", "Elif", "Emre"], "fmfm"),
    ("so", 0.10, ["Hodan", "Abdi", "Faadumo", "Xasan"], "fmfm"),
    ("en", 0.08, ["Grace", "Samuel", "Esther", "John"], "fmfm"),
]
EXTRA_VOLUNTEER_LANGUAGES = ["en", "en", "en", "ar", "tr", "fr", "de", "uk", "fa", "es"]


def _slots(rng: random.Random, pattern: str) -> int:
    """Return an availability mask: working people evenings/weekends, others daytime."""
    mask = 0
    if pattern == "evenings":
        candidates = [d * 3 + 2 for d in range(5)] + [15, 16, 18, 19]
    elif pattern == "daytime":
        candidates = [d * 3 + p for d in range(5) for p in (0, 1)]
    else:
        candidates = list(range(SLOT_COUNT))
    for slot in rng.sample(candidates, k=rng.randint(2, min(6, len(candidates)))):
        mask |= 1 << slot
    return mask & ALL_SLOTS_MASK


def _totp_secret(rng: random.Random) -> str:
    return base64.b32encode(rng.randbytes(20)).decode()


def create_demo(seed: int = 7, volunteers: int = 40,
                participants: int = 60) -> list[tuple[str, str, str, str | None]]:
    """Create the demo organisation; return the logins (role, login, password, TOTP key).

    ``volunteers`` and ``participants`` scale the population (the load benchmark uses
    2,000 and 5,000); the defaults give a realistic small programme.
    """
    rng = random.Random(seed)
    now = clock.now()
    password_hash = hash_password(DEMO_PASSWORD)
    org = Organisation(slug="utrecht", name="Taalmaatjes Utrecht", city="Utrecht")
    db.session.add(org)
    db.session.flush()
    hoods = [Neighbourhood(organisation_id=org.id, name=n, lat=lat, lon=lon, priority_area=p)
             for n, lat, lon, p in UTRECHT]
    db.session.add_all(hoods)
    admin = User(role="admin", email="admin@demo.inburgergids.nl", password_hash=password_hash,
                 totp_secret=_totp_secret(rng))
    coordinator = User(role="coordinator", organisation_id=org.id, password_hash=password_hash,
                       email="coordinator@demo.inburgergids.nl", totp_secret=_totp_secret(rng))
    db.session.add_all([admin, coordinator])
    db.session.flush()
    new_recovery_codes(admin)
    new_recovery_codes(coordinator)
    volunteer_rows = _demo_volunteers(rng, org, hoods, password_hash, coordinator, now,
                                      volunteers)
    participant_rows = _demo_participants(rng, org, hoods, password_hash, coordinator, now,
                                          participants)
    _demo_matches(rng, org, volunteer_rows, participant_rows, coordinator, now)
    partner_user = _demo_partners(rng, org, volunteer_rows, participant_rows, password_hash)
    return [
        ("admin", admin.email, DEMO_PASSWORD, admin.totp_secret),
        ("coordinator", coordinator.email, DEMO_PASSWORD, coordinator.totp_secret),
        ("volunteer", volunteer_rows[0].user.email, DEMO_PASSWORD, None),
        ("participant", participant_rows[0].user.email, DEMO_PASSWORD, None),
        ("participant", participant_rows[0].user.phone + " (phone)", DEMO_PASSWORD, None),
        ("partner", partner_user.email, DEMO_PASSWORD, partner_user.totp_secret),
    ]


# One partner of each kind (issue 16): (kind, name, contact person, guides pledged this year).
DEMO_PARTNERS = [
    ("employer", "Bakkerij Bol", "Sanne de Vries", 6),
    ("school", "Stedelijk College Utrecht", "Karim el Idrissi", 4),
    ("association", "Voetbalclub Overvecht", "Mieke Jansen", 3),
    ("other", "Wijkcentrum De Leeuw", "Peter Bakker", None),
]


def _demo_partners(rng, org, volunteers, participants, password_hash) -> User:
    """Add one partner of each kind, attribute a few guides and return the employer's login."""
    partners = []
    for kind, name, contact, pledge in DEMO_PARTNERS:
        partner = Partner(organisation_id=org.id, kind=kind, name=name, contact_name=contact,
                          contact_email=f"{kind}@partner.demo.inburgergids.nl",
                          link_token=base64.urlsafe_b64encode(rng.randbytes(24)).decode())
        db.session.add(partner)
        db.session.flush()
        if pledge:
            db.session.add(PartnerPledge(organisation_id=org.id, partner_id=partner.id,
                                         year=clock.today().year, guides=pledge))
        partners.append(partner)
    employer, school, association, other = partners
    for volunteer, partner in zip(volunteers[1:9], [employer] * 3 + [association] * 3
                                  + [other] * 2, strict=False):
        volunteer.partner_id = partner.id
    volunteers[1].colleague_pref = "only"
    volunteers[2].colleague_pref = "outside"
    pupil = volunteers[9]
    pupil.partner_id = school.id
    pupil.teacher_email = "mentor@stedelijkcollege.demo.inburgergids.nl"
    pupil.placement_hours = 30
    pupil.placement_end_on = clock.today() + timedelta(days=120)
    pupil.age_band = "18-25"
    participants[1].employer_partner_id = employer.id
    user = User(role="partner", organisation_id=org.id, partner_id=employer.id,
                email="partner@demo.inburgergids.nl", password_hash=password_hash,
                totp_secret=_totp_secret(rng))
    db.session.add(user)
    db.session.flush()
    new_recovery_codes(user)
    return user


def demo_logins() -> list[tuple[str, str, str, str | None]]:
    """Return the demo logins if the demo organisation exists already, else an empty list."""
    from sqlalchemy import select

    emails = ["admin@demo.inburgergids.nl", "coordinator@demo.inburgergids.nl",
              "vrijwilliger@demo.inburgergids.nl", "deelnemer@demo.inburgergids.nl"]
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    if len(users) < len(emails):
        return []
    rows = [(users[e].role, e, DEMO_PASSWORD, users[e].totp_secret) for e in emails]
    rows.append(("participant", users[emails[3]].phone + " (phone)", DEMO_PASSWORD, None))
    return rows


def _consent(user: User, locale: str, actor: User | None, when: datetime, purposes) -> None:
    for purpose in purposes:
        db.session.add(ConsentRecord(user_id=user.id, purpose=purpose, text_version="2026-11",
                                     locale=locale, method="verbal" if actor else "online",
                                     actor_id=actor.id if actor else None, given_at=when))


def _demo_volunteers(rng, org, hoods, password_hash, coordinator, now,
                     count: int) -> list[VolunteerProfile]:
    profiles = []
    approved_share = 30 / 40
    for i in range(count):
        name = VOLUNTEER_NAMES[i % len(VOLUNTEER_NAMES)]
        user = User(role="volunteer", organisation_id=org.id, password_hash=password_hash,
                    email="vrijwilliger@demo.inburgergids.nl" if i == 0
                    else f"vrijwilliger{i + 1}@demo.inburgergids.nl")
        db.session.add(user)
        db.session.flush()
        joined = now - timedelta(days=rng.randint(20, 400))
        extra = rng.sample(EXTRA_VOLUNTEER_LANGUAGES, k=rng.randint(0, 2))
        levels = {"nl": "native"} | {code: rng.choice(["basic", "good"]) for code in extra}
        screening = "approved" if i < approved_share * count else rng.choice(
            ["registered", "intake_done",
             "vog_received"])
        profile = VolunteerProfile(
            user_id=user.id, organisation_id=org.id, first_name=name,
            neighbourhood_id=rng.choice(hoods).id if i else hoods[0].id,
            age_band=rng.choice(AGE_BANDS[1:]), gender=rng.choice(["f", "f", "m", "m", "x", None]),
            availability=_slots(rng, rng.choice(["evenings", "daytime", "mixed"])),
            interests=mask_from_keys(rng.sample(INTERESTS, k=rng.randint(2, 5)), INTERESTS),
            languages=sorted(levels), language_levels=levels,
            support=mask_from_keys(["language"] + rng.sample(GOALS[1:], k=rng.randint(1, 3)),
                                   GOALS),
            occupation=rng.choice(["Docent", "Verpleegkundige", "ICT", "Gepensioneerd",
                                   "Student", "Ondernemer", "Administratief", ""]),
            entrepreneur_experience=rng.random() < 0.2, capacity=rng.choice([1, 1, 1, 2, 2, 3]),
            commitment_months=rng.choice([6, 12, 12, 12, 18]),
            radius_km=rng.choice([2, 3, 5, 5, 8, 10]), in_person=True, online=rng.random() < 0.3,
            motivation="Ik wil graag iemand helpen om zijn weg te vinden in Utrecht.",
            screening=screening, created_at=joined,
            vog_status="received" if screening in ("approved", "vog_received") else "requested",
            vog_issued_on=clock.local_date(joined + timedelta(days=14))
            if screening in ("approved", "vog_received") else None,
            vog_checked_by_id=coordinator.id if screening == "approved" else None,
            intake_on=clock.local_date(joined + timedelta(days=7))
            if screening != "registered" else None,
            training_done_on=clock.local_date(joined + timedelta(days=21))
            if screening == "approved" else None,
            share_email=True, share_phone=False,
        )
        db.session.add(profile)
        _consent(user, DEFAULT_LOCALE, None, joined,
                 ("privacy", "code_of_conduct", "vog_check", "share_contact"))
        profiles.append(profile)
    db.session.flush()
    return profiles


def _demo_participants(rng, org, hoods, password_hash, coordinator, now, count: int):
    profiles = []
    groups = [g for g in PARTICIPANT_GROUPS for _ in range(round(g[1] * count))][:count]
    while len(groups) < count:
        groups.append(PARTICIPANT_GROUPS[0])
    rng.shuffle(groups)
    for i, (language, _share, names, genders) in enumerate(groups):
        k = rng.randrange(len(names))
        locale = language if language in LOCALES else DEFAULT_LOCALE
        with_login = i == 0 or rng.random() < 0.5
        user = User(role="participant", organisation_id=org.id, locale="ar" if i == 0 else locale,
                    email=("deelnemer@demo.inburgergids.nl" if i == 0
                           else f"deelnemer{i + 1}@demo.inburgergids.nl") if with_login else None,
                    phone=f"+3161234{i:04d}" if with_login else None,
                    password_hash=password_hash if with_login else None)
        db.session.add(user)
        db.session.flush()
        waited = rng.randint(3, 240)
        level = rng.choices(LEVELS, weights=[3, 4, 3, 2, 1])[0]
        goals = rng.sample(GOALS, k=rng.randint(1, 3))
        profile = ParticipantProfile(
            user_id=user.id, organisation_id=org.id,
            first_name=names[0] if i == 0 and language == "ar" else names[k],
            gender=genders[k], gender_pref=rng.choice(["any", "any", "any", "f", "m"]),
            neighbourhood_id=rng.choices(hoods, weights=[1, 1, 2, 2, 4, 1, 4, 1, 2, 1])[0].id,
            availability=_slots(rng, rng.choice(["daytime", "daytime", "mixed", "evenings"])),
            interests=mask_from_keys(rng.sample(INTERESTS, k=rng.randint(1, 4)), INTERESTS),
            languages=sorted({language} | ({"en"} if rng.random() < 0.3 else set())),
            radius_km=rng.choice([2, 3, 3, 5]), in_person=True, online=rng.random() < 0.15,
            dutch_level=level, target_level=rng.choice(["A2", "B1", "B1", "B2+"]),
            route=rng.choice(["b1", "b1", "z", "education", "unknown"]),
            goals=mask_from_keys(goals, GOALS), primary_goal=goals[0],
            waiting_since=now - timedelta(days=waited), created_at=now - timedelta(days=waited),
            share_email=with_login, share_phone=with_login and rng.random() < 0.7,
            registered_by_id=None if with_login else coordinator.id,
            barriers=rng.sample(["childcare", "health", "mobility", "literacy"],
                                k=rng.choice([0, 0, 1, 2])),
        )
        db.session.add(profile)
        _consent(user, locale, None if with_login else coordinator, now - timedelta(days=waited),
                 ("privacy", "share_contact"))
        profiles.append(profile)
    db.session.flush()
    return profiles


def _demo_matches(rng, org, volunteers, participants, coordinator, now) -> None:
    """Give the demo some history: active and ended matches with meetings and levels."""
    approved = [v for v in volunteers if v.screening == "approved"]
    for j, participant in enumerate(participants[-14:]):
        volunteer = approved[j % len(approved)]
        started = now - timedelta(days=rng.randint(40, 330))
        ended = j >= 8
        reason = rng.choice(["completed", "goal_reached", "no_click", "moved"]) if ended else None
        match = Match(
            organisation_id=org.id, participant_id=participant.id, volunteer_id=volunteer.id,
            volunteer_slot=1, status="ended" if ended else "active",
            score=round(rng.uniform(0.45, 0.9), 3), goal=participant.primary_goal,
            level_at_start=participant.dutch_level, waiting_days=rng.randint(10, 120),
            proposed_at=started - timedelta(days=7), approved_at=started - timedelta(days=5),
            activated_at=started, planned_end_on=clock.local_date(started + timedelta(days=365)),
            ended_at=started + timedelta(days=rng.randint(30, 40)) if ended else None,
            end_reason=reason, explanation={"components": {}, "manual": True},
        )
        if ended and match.ended_at > now:
            match.ended_at = now - timedelta(days=1)
        db.session.add(match)
        db.session.flush()
        for from_s, to_s, at in ((None, "proposed", match.proposed_at),
                                 ("proposed", "approved", match.approved_at),
                                 ("approved", "active", match.activated_at)):
            db.session.add(MatchEvent(match_id=match.id, from_status=from_s, to_status=to_s,
                                      actor_id=coordinator.id, at=at))
        if ended:
            db.session.add(MatchEvent(match_id=match.id, from_status="active", to_status="ended",
                                      actor_id=coordinator.id, at=match.ended_at, reason=reason))
            participant.status = "waiting" if reason != "goal_reached" else "withdrawn"
            participant.rematch_priority = reason in ("no_click", "moved")
        else:
            participant.status = "matched"
            for days in org.checkin_days or (14, 91, 182):
                due = clock.local_date(started + timedelta(days=days))
                done = due < clock.local_date(now)
                db.session.add(CheckIn(match_id=match.id, due_on=due,
                                       done_at=datetime.combine(due, datetime.min.time(), UTC)
                                       if done and rng.random() < 0.7 else None,
                                       outcome="going_well" if done else None))
            for week in range(0, (now - started).days // 7, 2):
                met_on = clock.local_date(started + timedelta(weeks=week))
                db.session.add(MeetingLog(match_id=match.id, met_on=met_on,
                    minutes=rng.choice([60, 90, 120]),
                    activity=rng.choice(["Boodschappen gedaan en geoefend", "Naar de bibliotheek",
                                         "Gesprek over werk", "Wandeling in de wijk"]),
                    created_by_id=volunteer.user_id))
        db.session.add(LevelAssessment(participant_id=participant.id,
                                       assessed_on=clock.local_date(started),
                                       level=participant.dutch_level,
                                       assessed_by_id=coordinator.id))
        later = LEVELS[min(LEVELS.index(participant.dutch_level) + rng.choice([0, 1]), 4)]
        db.session.add(LevelAssessment(participant_id=participant.id,
                                       assessed_on=clock.local_date(
                                           min(now, started + timedelta(days=120))),
                                       level=later,
                                       assessed_by_id=coordinator.id))
    db.session.flush()

