"""Volunteer work: register a sign-up, edit the profile, pause and resume, list matches.

Services take explicit inputs, flush, and never commit: the request boundary does that.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select

from .. import audit, clock
from ..auth.contacts import claim_contact
from ..extensions import db
from ..i18n import DEFAULT_LOCALE
from ..models import (
    Match,
    Neighbourhood,
    Organisation,
    OutboxMessage,
    ParticipantProfile,
    User,
    VolunteerProfile,
)
from ..notifications import absolute_url, queue_email
from ..partners.services import apply_source
from ..privacy.services import CONSENT_PAUSE_UNTIL, record_consent, set_sharing

SIGNUP_CONSENTS = ("privacy", "code_of_conduct", "vog_check")
SHOWN_MATCH_STATES = ("active", "approved", "proposed", "ended")


@dataclass
class SignupValues:
    """Everything a finished sign-up collected; ``profile`` holds profile column values."""

    email: str
    password_hash: str | None
    profile: dict = field(default_factory=dict)
    source: dict = field(default_factory=dict)  # partner, colleague choice, pupil placement


@dataclass
class MatchSummary:
    """A match as its volunteer sees it: never more than the participant's first name."""

    id: int
    status: str
    first_name: str | None
    proposed_at: datetime
    activated_at: datetime | None
    ended_at: datetime | None


def organisation_by_slug(slug: str) -> Organisation | None:
    """Return the organisation with ``slug``, or None."""
    if not slug or len(slug) > 60:
        return None
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def volunteer_profile(user: User) -> VolunteerProfile | None:
    """Return ``user``'s volunteer profile, or None."""
    return db.session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))


def _email_taken(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def register_volunteer(organisation: Organisation, values: SignupValues,
                       locale: str, sharing: dict | None = None) -> User | None:
    """Create the volunteer's account, profile and consents; return the new user.

    The e-mail address counts only once confirmed: it goes out as a link to the address
    (see ``auth.contacts``), and the account cannot log in before that. If the address
    already has an account, nothing is created and its owner gets a notice instead. The
    caller shows the same page either way and logs nobody in, so nobody learns from the
    sign-up which addresses have accounts.
    """
    existing = _email_taken(values.email)
    if existing is not None:
        queue_signup_attempt(existing, organisation)
        return None
    user = User(role="volunteer", organisation_id=organisation.id, email=None,
                password_hash=values.password_hash, locale=locale)
    db.session.add(user)
    db.session.flush()
    profile = VolunteerProfile(user_id=user.id, organisation_id=organisation.id,
                               screening="registered", vog_status="not_requested")
    apply_profile(profile, values.profile)
    db.session.add(profile)
    if values.source:
        apply_source(profile, values.source)
    for purpose in SIGNUP_CONSENTS:
        record_consent(user, purpose, locale)
    set_sharing(user, profile, locale=locale, **(sharing or {"share_email": False,
                                                             "share_phone": False}))
    claim_contact(user, "email", values.email, organisation.name)  # the welcome follows it
    db.session.flush()
    return user


def queue_welcome(user: User) -> None:
    """Welcome a volunteer once their e-mail address is confirmed."""
    profile = volunteer_profile(user)
    if profile is not None:
        queue_email(user, "welcome_volunteer", name=profile.first_name,
                    organisation=profile.organisation.name,
                    page_url=absolute_url("volunteers.dashboard"),
                    toolkit_url=absolute_url("toolkit.index"))


def queue_signup_attempt(user: User, organisation: Organisation) -> OutboxMessage | None:
    """Tell the owner of an address that someone tried to sign up with it."""
    if not user.email:
        return None
    locale = user.locale or DEFAULT_LOCALE
    with force_locale(locale):
        subject = gettext("Someone tried to sign up with your e-mail address")
        body = render_template(
            "volunteers/email/signup_attempt.txt", organisation=organisation.name,
            login_url=absolute_url("auth.login"),
            reset_url=absolute_url("auth.reset_request"))
    message = OutboxMessage(organisation_id=user.organisation_id, user_id=user.id,
                            kind="signup_attempt", recipient=user.email, locale=locale,
                            subject=subject, body=body)
    db.session.add(message)
    return message


def apply_profile(profile: VolunteerProfile, values: dict) -> VolunteerProfile:
    """Copy validated profile ``values`` onto ``profile`` (only the profile's own facts)."""
    allowed = {
        "first_name", "age_band", "gender", "languages", "language_levels", "neighbourhood_id",
        "radius_km", "in_person", "online", "availability", "interests", "support",
        "occupation", "entrepreneur_experience", "capacity", "commitment_months", "motivation",
    }
    neighbourhood = db.session.get(Neighbourhood, values.get("neighbourhood_id"))
    if neighbourhood is None or neighbourhood.organisation_id != profile.organisation_id:
        raise ValueError("neighbourhood of another organisation")
    for name, value in values.items():
        if name in allowed:
            setattr(profile, name, value)
    return profile


def update_profile(profile: VolunteerProfile, values: dict, sharing: dict | None = None,
                   locale: str = "nl") -> VolunteerProfile:
    """Save the volunteer's edited profile (and what they share with their match)."""
    apply_profile(profile, values)
    if sharing is not None:
        set_sharing(profile.user, profile, locale=locale, **sharing)
    db.session.flush()
    return profile


def pause(profile: VolunteerProfile, until: date, reason: str) -> None:
    """Pause matching for ``profile`` until ``until`` (inclusive); log the reason code."""
    profile.paused_until = until
    audit.record("volunteer.paused", profile, reason=reason, until=until.isoformat())
    db.session.flush()


def resume(profile: VolunteerProfile) -> bool:
    """End a pause; return False if matching is stopped by withdrawn consent instead."""
    if profile.paused_until == CONSENT_PAUSE_UNTIL:
        return False
    profile.paused_until = None
    audit.record("volunteer.resumed", profile)
    db.session.flush()
    return True


def pause_state(profile: VolunteerProfile) -> str:
    """Return ``active``, ``paused`` or ``consent`` (stopped because consent was withdrawn)."""
    if profile.paused_until is None or profile.paused_until < clock.today():
        return "active"
    return "consent" if profile.paused_until == CONSENT_PAUSE_UNTIL else "paused"


def volunteer_matches(profile: VolunteerProfile) -> list[MatchSummary]:
    """Return the volunteer's matches, open ones first, newest first (one query)."""
    rows = db.session.execute(
        select(Match.id, Match.status, ParticipantProfile.first_name, Match.proposed_at,
               Match.activated_at, Match.ended_at)
        .outerjoin(ParticipantProfile, ParticipantProfile.id == Match.participant_id)
        .where(Match.volunteer_id == profile.id, Match.status.in_(SHOWN_MATCH_STATES))
        .order_by(Match.proposed_at.desc(), Match.id.desc())
    ).all()
    summaries = [MatchSummary(*row) for row in rows]
    return sorted(summaries, key=lambda m: SHOWN_MATCH_STATES.index(m.status))
