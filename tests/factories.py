"""Factories for every model: ``make_x(**overrides)`` flushes and returns the object."""

import hashlib
import itertools
import re
import secrets
from datetime import timedelta

from sqlalchemy import select

from buddy import clock
from buddy.auth.services import SESSION_KEY, hash_password
from buddy.extensions import db
from buddy.models import (
    AuditEvent,
    CheckIn,
    ConsentRecord,
    ContactClaim,
    LevelAssessment,
    LocalReferral,
    LoginThrottle,
    Match,
    MatchEvent,
    MatchingRun,
    MeetingLog,
    Neighbourhood,
    Organisation,
    OutboxMessage,
    PairRule,
    ParticipantProfile,
    Partner,
    PartnerPledge,
    SchoolConfirmation,
    SignupDraft,
    Token,
    User,
    UserSession,
    VolunteerProfile,
)
from buddy.vocab import ALL_SLOTS_MASK

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = None
_seq = itertools.count(1)


def password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    return _PASSWORD_HASH


def _save(obj):
    """Add and commit ``obj``: inside the test's outer transaction a commit only releases a
    savepoint, so a later request that rolls back its own work cannot undo test data."""
    db.session.add(obj)
    db.session.commit()
    return obj


def make_org(**kw) -> Organisation:
    n = next(_seq)
    kw.setdefault("slug", f"org-{n}")
    kw.setdefault("name", f"Organisation {n}")
    kw.setdefault("city", "Utrecht")
    org = _save(Organisation(**kw))
    make_neighbourhood(organisation=org, name="Centrum", lat=52.0907, lon=5.1214)
    return org


def make_neighbourhood(organisation=None, **kw) -> Neighbourhood:
    organisation = organisation or make_org()
    kw.setdefault("name", f"Wijk {next(_seq)}")
    kw.setdefault("lat", 52.09)
    kw.setdefault("lon", 5.12)
    return _save(Neighbourhood(organisation_id=organisation.id, **kw))


def make_user(role="coordinator", organisation=None, **kw) -> User:
    n = next(_seq)
    if role != "admin" and "organisation_id" not in kw:
        kw["organisation_id"] = (organisation or make_org()).id
    kw.setdefault("email", f"{role}{n}@example.org")
    kw.setdefault("password_hash", password_hash())
    if role in ("admin", "coordinator", "partner"):
        kw.setdefault("totp_secret", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return _save(User(role=role, **kw))


def _hood(organisation):
    return organisation.neighbourhoods[0] if organisation.neighbourhoods else make_neighbourhood(
        organisation)


def make_volunteer(organisation=None, user=None, **kw) -> VolunteerProfile:
    organisation = organisation or make_org()
    user = user or make_user("volunteer", organisation, locale=kw.pop("locale", "nl"))
    kw.setdefault("neighbourhood_id", _hood(organisation).id)
    kw.setdefault("first_name", "Anne")
    kw.setdefault("age_band", "36-50")
    kw.setdefault("availability", ALL_SLOTS_MASK)
    kw.setdefault("support", 0b1111111)
    kw.setdefault("languages", ["nl", "en"])
    kw.setdefault("language_levels", {"nl": "native", "en": "good"})
    kw.setdefault("screening", "approved")
    kw.setdefault("vog_status", "received")
    kw.setdefault("vog_issued_on", clock.today() - timedelta(days=30))
    consents = kw.pop("consents", ("privacy", "code_of_conduct", "vog_check"))
    profile = _save(VolunteerProfile(user_id=user.id, organisation_id=organisation.id, **kw))
    for purpose in consents:  # what sign-up records; approving a match needs them
        make_consent(user, purpose=purpose)
    return _with_sharing_consent(profile)


def make_participant(organisation=None, user=None, **kw) -> ParticipantProfile:
    organisation = organisation or make_org()
    user = user or make_user("participant", organisation, locale=kw.pop("locale", "en"),
                             phone=kw.pop("phone", None))
    kw.setdefault("neighbourhood_id", _hood(organisation).id)
    kw.setdefault("first_name", "Fatima")
    kw.setdefault("availability", ALL_SLOTS_MASK)
    kw.setdefault("languages", ["ar"])
    kw.setdefault("goals", 0b11)
    kw.setdefault("primary_goal", "language")
    return _with_sharing_consent(
        _save(ParticipantProfile(user_id=user.id, organisation_id=organisation.id, **kw)))


def _with_sharing_consent(profile):
    """A profile that shares contact details has the "share_contact" consent behind it."""
    if (profile.share_email or profile.share_phone) and db.session.scalar(
            select(ConsentRecord.id).where(ConsentRecord.user_id == profile.user_id,
                                           ConsentRecord.purpose == "share_contact",
                                           ConsentRecord.withdrawn_at.is_(None))) is None:
        make_consent(db.session.get(User, profile.user_id), purpose="share_contact")
    return profile


def make_run(organisation=None, **kw) -> MatchingRun:
    organisation = organisation or make_org()
    return _save(MatchingRun(organisation_id=organisation.id, **kw))


def make_match(participant=None, volunteer=None, **kw) -> Match:
    participant = participant or make_participant()
    volunteer = volunteer or make_volunteer(participant.organisation)
    kw.setdefault("status", "proposed")
    kw.setdefault("score", 0.5)
    kw.setdefault("goal", participant.primary_goal)
    kw.setdefault("level_at_start", participant.dutch_level)
    if kw["status"] == "ended":
        kw.setdefault("ended_at", clock.now())
        kw.setdefault("end_reason", "completed")
    match = _save(Match(organisation_id=participant.organisation_id,
                        participant_id=participant.id, volunteer_id=volunteer.id, **kw))
    _save(MatchEvent(match_id=match.id, to_status=match.status))
    return match


def make_match_event(match=None, **kw) -> MatchEvent:
    match = match or make_match()
    kw.setdefault("to_status", match.status)
    return _save(MatchEvent(match_id=match.id, **kw))


def make_pair_rule(participant=None, volunteer=None, kind="forbid", **kw) -> PairRule:
    participant = participant or make_participant()
    volunteer = volunteer or make_volunteer(participant.organisation)
    return _save(PairRule(organisation_id=participant.organisation_id, kind=kind,
                          participant_id=participant.id, volunteer_id=volunteer.id, **kw))


def make_checkin(match=None, **kw) -> CheckIn:
    match = match or make_match(status="active")
    kw.setdefault("due_on", clock.today())
    return _save(CheckIn(match_id=match.id, **kw))


def make_meeting(match=None, **kw) -> MeetingLog:
    match = match or make_match(status="active")
    kw.setdefault("met_on", clock.today())
    kw.setdefault("minutes", 60)
    kw.setdefault("activity", "Koffie gedronken en geoefend")
    return _save(MeetingLog(match_id=match.id, **kw))


def make_assessment(participant=None, **kw) -> LevelAssessment:
    participant = participant or make_participant()
    kw.setdefault("assessed_on", clock.today())
    kw.setdefault("level", "A1")
    return _save(LevelAssessment(participant_id=participant.id, **kw))


def make_consent(user=None, **kw) -> ConsentRecord:
    user = user or make_user("participant")
    kw.setdefault("purpose", "privacy")
    kw.setdefault("text_version", "2026-11")
    kw.setdefault("locale", user.locale)
    return _save(ConsentRecord(user_id=user.id, **kw))


def make_outbox(user=None, **kw) -> OutboxMessage:
    user = user or make_user("volunteer")
    kw.setdefault("kind", "introduction")
    kw.setdefault("subject", "Hallo")
    kw.setdefault("body", "Tekst")
    return _save(OutboxMessage(organisation_id=user.organisation_id, user_id=user.id,
                               recipient=user.email, locale=user.locale, **kw))


def make_audit(organisation=None, **kw) -> AuditEvent:
    organisation = organisation or make_org()
    kw.setdefault("action", "test")
    return _save(AuditEvent(organisation_id=organisation.id, **kw))


def make_referral(organisation=None, **kw) -> LocalReferral:
    organisation = organisation or make_org()
    kw.setdefault("name", "Taalhuis Utrecht")
    kw.setdefault("purpose", "Taalcursussen en hulp met formulieren")
    kw.setdefault("contact", "030 286 1800")
    return _save(LocalReferral(organisation_id=organisation.id, **kw))


def make_token(user=None, purpose="reset", **kw) -> tuple[Token, str]:
    user = user or make_user("volunteer")
    secret = secrets.token_urlsafe(32)
    kw.setdefault("expires_at", clock.now() + timedelta(hours=2))
    token = _save(Token(user_id=user.id, purpose=purpose,
                        token_hash=hashlib.sha256(secret.encode()).hexdigest(), **kw))
    return token, secret


def make_contact_claim(user=None, **kw) -> ContactClaim:
    user = user or make_user("participant", email=None)
    kw.setdefault("kind", "email")
    kw.setdefault("value", f"claim{next(_seq)}@example.org")
    kw.setdefault("secret_hash", hashlib.sha256(secrets.token_bytes(16)).hexdigest())
    kw.setdefault("expires_at", clock.now() + timedelta(hours=48))
    return _save(ContactClaim(user_id=user.id, **kw))


def make_login_throttle(**kw) -> LoginThrottle:
    kw.setdefault("key", hashlib.sha256(secrets.token_bytes(8)).hexdigest())
    kw.setdefault("failures", 1)
    return _save(LoginThrottle(**kw))


def make_session(user=None, **kw) -> tuple[UserSession, str]:
    user = user or make_user("volunteer")
    secret = secrets.token_urlsafe(32)
    kw.setdefault("mfa_passed", user.role in ("admin", "coordinator", "partner"))
    record = _save(UserSession(id=hashlib.sha256(secret.encode()).hexdigest(),
                               user_id=user.id, **kw))
    return record, secret


def make_signup_draft(org=None, kind: str = "participant", data: dict | None = None,
                      **kw) -> tuple[SignupDraft, str]:
    """Return a sign-up draft and its key (the value the wizard keeps in the session)."""
    org_id = org if isinstance(org, int) else (org or make_org()).id
    key = secrets.token_urlsafe(32)
    kw.setdefault("expires_at", clock.now() + timedelta(hours=12))
    draft = _save(SignupDraft(key_hash=hashlib.sha256(key.encode()).hexdigest(), kind=kind,
                              organisation_id=org_id, client="seeded", data=data or {}, **kw))
    return draft, key


def seed_signup_draft(client, kind: str, org, data: dict) -> SignupDraft:
    """Store ``data`` as ``client``'s sign-up draft of ``kind`` (as the wizard would)."""
    draft, key = make_signup_draft(org, kind, data)
    with client.session_transaction() as session:
        session[f"{kind}_draft"] = key
    return draft


def login_as(client, user):
    """Sign ``user`` in on ``client`` with a fresh server-side session."""
    _record, secret = make_session(user)
    with client.session_transaction() as session:
        session[SESSION_KEY] = secret
        session["_user_id"] = secret
        session["_fresh"] = True
    return client


def claimant(value: str) -> User:
    """Return the account waiting to confirm the e-mail address or phone number ``value``."""
    claim = db.session.scalars(select(ContactClaim).where(ContactClaim.value == value)
                               .order_by(ContactClaim.id.desc())).first()
    return db.session.get(User, claim.user_id)


def confirm_address(client, email: str):
    """Open the confirmation link sent to ``email`` and press its button; return the reply."""
    body = db.session.scalars(select(OutboxMessage.body).where(
        OutboxMessage.recipient == email, OutboxMessage.kind == "verify_email")
        .order_by(OutboxMessage.id.desc())).first()
    path = re.search(r"https?://[^/\s]+(/verify/\S+)", body).group(1)
    return client.post(path, data={})
def make_partner(organisation=None, kind="employer", **kw) -> Partner:
    organisation = organisation or make_org()
    n = next(_seq)
    kw.setdefault("name", f"Partner {n}")
    kw.setdefault("contact_name", "Sanne de Vries")
    kw.setdefault("contact_email", f"contact{n}@partner.example")
    kw.setdefault("link_token", secrets.token_urlsafe(24))
    return _save(Partner(organisation_id=organisation.id, kind=kind, **kw))


def make_pledge(partner=None, **kw) -> PartnerPledge:
    partner = partner or make_partner()
    kw.setdefault("year", clock.today().year)
    kw.setdefault("guides", 10)
    return _save(PartnerPledge(organisation_id=partner.organisation_id, partner_id=partner.id,
                               **kw))


def make_school_confirmation(volunteer=None, partner=None, **kw) -> SchoolConfirmation:
    partner = partner or make_partner(kind="school")
    volunteer = volunteer or make_volunteer(db.session.get(Organisation,
                                                           partner.organisation_id))
    kw.setdefault("token_hash", hashlib.sha256(secrets.token_bytes(16)).hexdigest())
    kw.setdefault("expires_at", clock.now() + timedelta(days=14))
    return _save(SchoolConfirmation(volunteer_id=volunteer.id, partner_id=partner.id, **kw))
