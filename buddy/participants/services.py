"""The participant's sign-up steps, registration, own page and details.

The step logic works on a plain ``draft`` dict (see ``drafts.py`` for where it is kept):
which steps there are, which are answered, and how an answer changes the draft. Nothing
is written to the database before the last step, where the person gives consent.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..audit import record
from ..auth import services as auth_services
from ..auth.contacts import claim_contact
from ..auth.services import hash_password
from ..errors import ActionRefused
from ..extensions import db
from ..i18n import direction, language_name, native_language_name
from ..models import (
    Match,
    Neighbourhood,
    Organisation,
    ParticipantProfile,
    User,
    VolunteerProfile,
)
from ..notifications import queue_email
from ..privacy.services import record_consent, withdraw_consent
from ..vocab import (
    ALL_SLOTS_MASK,
    DUTCH,
    GENDER_PREFS,
    GOALS,
    INTERESTS,
    LEVELS,
    SPOKEN_LANGUAGES,
    keys_from_mask,
    mask_from_keys,
    slot_keys,
)

STEPS = (
    "name", "contact", "neighbourhood", "times", "interests", "dutch", "goals", "main-goal",
    "languages", "buddy", "password", "consent",
)
FINAL_STEP = "consent"
DEFAULT_RADIUS_KM = 3
# Matches the participant sees: a proposal is not shown until a coordinator approved it.
VISIBLE_MATCH_STATES = ("approved", "active")


# -- organisation and neighbourhoods ------------------------------------------------------

def find_organisation(slug: str) -> Organisation | None:
    """Return the organisation with ``slug``, if any."""
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug[:60]))


def neighbourhoods(organisation: Organisation) -> list[Neighbourhood]:
    """Return the organisation's neighbourhoods by name."""
    return list(db.session.scalars(
        select(Neighbourhood).where(Neighbourhood.organisation_id == organisation.id)
        .order_by(Neighbourhood.name)))


# -- the steps ------------------------------------------------------------------------------

def chosen_goals(draft: dict) -> list[str]:
    """Return the goal keys chosen in ``draft``."""
    return keys_from_mask(int(draft.get("goals") or 0), GOALS)


def steps_for(draft: dict) -> tuple[str, ...]:
    """Return the steps this person sees; "most important goal" only with several goals."""
    if len(chosen_goals(draft)) == 1:
        return tuple(s for s in STEPS if s != "main-goal")
    return STEPS


def is_answered(step: str, draft: dict, neighbourhood_ids) -> bool:
    """Return True if ``draft`` holds a complete answer for ``step``."""
    checks = {
        "name": lambda: bool(draft.get("first_name")),
        "contact": lambda: bool(draft.get("email") or draft.get("phone")),
        "neighbourhood": lambda: draft.get("neighbourhood_id") in set(neighbourhood_ids),
        "times": lambda: 0 < int(draft.get("availability") or 0) <= ALL_SLOTS_MASK,
        "interests": lambda: "interests" in draft,
        "dutch": lambda: draft.get("dutch_level") in LEVELS,
        "goals": lambda: bool(chosen_goals(draft)),
        "main-goal": lambda: draft.get("primary_goal") in chosen_goals(draft),
        "languages": lambda: bool(draft.get("languages")),
        "buddy": lambda: draft.get("gender_pref") in GENDER_PREFS,
        "password": lambda: draft.get("password_choice") in ("set", "skipped"),
    }
    return checks.get(step, lambda: False)()


def first_unanswered(draft: dict, neighbourhood_ids) -> str:
    """Return the first step without an answer (the final step once all are answered)."""
    for step in steps_for(draft):
        if step != FINAL_STEP and not is_answered(step, draft, neighbourhood_ids):
            return step
    return FINAL_STEP


def may_open(step: str, draft: dict, neighbourhood_ids) -> bool:
    """Return True if every step before ``step`` is answered."""
    steps = steps_for(draft)
    if step not in steps:
        return False
    return steps.index(step) <= steps.index(first_unanswered(draft, neighbourhood_ids))


def step_after(step: str, draft: dict) -> str | None:
    """Return the step after ``step`` (None after the last one)."""
    steps = steps_for(draft)
    index = steps.index(step) if step in steps else -1
    return steps[index + 1] if 0 <= index < len(steps) - 1 else None


def step_before(step: str, draft: dict) -> str | None:
    """Return the step before ``step`` (None before the first one)."""
    steps = steps_for(draft)
    index = steps.index(step) if step in steps else 0
    return steps[index - 1] if index > 0 else None


def apply_answers(draft: dict, step: str, answers: dict) -> dict:
    """Return a new draft with the answers of ``step`` (validated by its form) taken in."""
    updated = {**draft, **answers}
    if step == "goals":
        goals = chosen_goals(updated)
        if len(goals) == 1:
            updated["primary_goal"] = goals[0]
        elif updated.get("primary_goal") not in goals:
            updated.pop("primary_goal", None)
    if step == "password":
        updated.pop("password", None)
        if answers.get("password_choice") == "set":
            updated["password_hash"] = hash_password(answers["password"])
        elif answers.get("password_choice") == "skipped":
            updated.pop("password_hash", None)
        else:  # kept the password chosen before
            updated["password_choice"] = "set" if draft.get("password_hash") else "skipped"
    return updated


def form_values(draft: dict, step: str, locale: str) -> dict:
    """Return the values the form of ``step`` starts with, from ``draft``."""
    values = dict(draft)
    values["availability"] = [f"{d}-{p}" for d, p in _slot_keys(draft.get("availability"))]
    values["interests"] = keys_from_mask(int(draft.get("interests") or 0), INTERESTS)
    values["goals"] = chosen_goals(draft)
    if step == "languages" and not draft.get("languages"):
        values["languages"] = [locale] if locale in SPOKEN_LANGUAGES and locale != DUTCH else []
    values.pop("password_hash", None)
    return values


def _slot_keys(mask) -> list[tuple[str, str]]:
    return slot_keys(int(mask or 0))


# -- language names -------------------------------------------------------------------------

@dataclass(frozen=True)
class LanguageName:
    code: str
    native: str  # in the language itself
    local: str  # in the reader's language
    direction: str  # ltr | rtl


def spoken_language_names(locale: str) -> dict[str, LanguageName]:
    """Return every spoken language with its own name, its name in ``locale`` and direction."""
    return {
        code: LanguageName(code=code, native=native_language_name(code),
                           local=language_name(code, in_locale=locale), direction=direction(code))
        for code in SPOKEN_LANGUAGES
    }


# -- registration ---------------------------------------------------------------------------

@dataclass(frozen=True)
class NewAccount:
    """The login part of a new participant: contact details, language, maybe a password."""

    email: str | None
    phone: str | None
    locale: str
    password_hash: str | None = None


@dataclass
class Registration:
    user: User
    profile: ParticipantProfile
    contact_in_use: list[str] = field(default_factory=list)  # "email" / "phone" not stored


# What to do with an e-mail address or phone number that belongs to another account.
LEAVE_OUT = "leave_out"  # store the participant without it (self sign-up)
REFUSE = "refuse"  # stop with a message (a coordinator at an intake talk)


def register_participant(organisation: Organisation, account: NewAccount, profile_values: dict,
                         *, method: str, if_contact_in_use: str,
                         actor: User | None = None) -> Registration:
    """Create a participant: the account, the profile and the consents it was given with.

    ``profile_values`` are the profile's columns; ``method`` is how consent was given
    ("online" by the person, "verbal" at an intake talk with ``actor`` the coordinator);
    ``if_contact_in_use`` says what happens with a contact that has another account.
    """
    email, phone = account.email, account.phone
    in_use = contact_in_use(email, phone)
    user = _insert_user(organisation, account,
                        *contact_to_store(email, phone, in_use, if_contact_in_use))
    if user is None:  # the address was taken a moment ago by a parallel sign-up
        given = [kind for kind, value in (("email", email), ("phone", phone)) if value]
        in_use = contact_in_use(email, phone) or given
        user = _insert_user(organisation, account,
                            *contact_to_store(email, phone, given, if_contact_in_use))
    values = {**profile_values,
              "share_email": profile_values["share_email"] and "email" not in in_use,
              "share_phone": profile_values["share_phone"] and "phone" not in in_use}
    profile = ParticipantProfile(user_id=user.id, organisation_id=organisation.id,
                                 registered_by_id=actor.id if actor else None, **values)
    db.session.add(profile)
    db.session.flush()
    _record_consents(user, profile, account.locale, method, actor)
    return Registration(user=user, profile=profile, contact_in_use=in_use)


def contact_to_store(email: str | None, phone: str | None, in_use: list[str],
                     if_contact_in_use: str) -> tuple[str | None, str | None]:
    """Decide what happens with an e-mail address or phone number already in use.

    ``REFUSE``: the coordinator is told and can sort it out with the person. ``LEAVE_OUT``:
    the person is not told (nobody learns that an address has an account here); the
    participant is stored without it.
    """
    if in_use and if_contact_in_use == REFUSE:
        raise ActionRefused(gettext("This e-mail address or phone number is already in use."))
    return (None if "email" in in_use else email, None if "phone" in in_use else phone)


def sign_up(organisation: Organisation, draft: dict, locale: str, page_url: str) -> Registration:
    """Create the participant from a complete sign-up draft; send proof to their contacts.

    The e-mail address (a link) and phone number (a code) count only once confirmed
    (``auth.contacts``); a detail that belongs to another account gets no working proof and
    its owner a notice. The answer is the same either way, so nobody learns which addresses
    have accounts; coordinators see an audit note (ids only) to sort it out with the person.
    The welcome mail follows the confirmed address (``queue_welcome``).
    """
    email, phone = draft.get("email") or None, draft.get("phone") or None
    registration = register_participant(
        organisation, NewAccount(email=None, phone=None, locale=locale,
                                 password_hash=draft.get("password_hash")),
        _profile_values(draft), method="online", if_contact_in_use=LEAVE_OUT)
    user, profile = registration.user, registration.profile
    record("participant.self_registered", profile, locale=locale,
           with_password=bool(user.password_hash), with_email=bool(email),
           with_phone=bool(phone))
    in_use = contact_in_use(email, phone, except_user_id=user.id)
    for kind in in_use:
        record("participant.contact_in_use", profile, field=kind,
               existing_user_id=_same_org_owner(organisation, kind, email, phone))
    for kind, value in (("email", email), ("phone", phone)):
        if value:
            claim_contact(user, kind, value, organisation.name)
    return Registration(user=user, profile=profile, contact_in_use=in_use)


def queue_welcome(user: User, page_url: str) -> None:
    """Welcome a participant once their first e-mail address is confirmed."""
    profile = profile_of(user)
    if profile is not None:
        queue_email(user, "welcome_participant", name=profile.first_name,
                    organisation=profile.organisation.name,
                    can_log_in=bool(user.password_hash), page_url=page_url)


def contact_in_use(email: str | None, phone: str | None, except_user_id: int | None = None
                   ) -> list[str]:
    """Return which of ``email`` / ``phone`` already belong to another account."""
    conditions = []
    if email:
        conditions.append(User.email == email)
    if phone:
        conditions.append(User.phone == phone)
    if not conditions:
        return []
    query = select(User.email, User.phone).where(or_(*conditions))
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    taken = set()
    for row_email, row_phone in db.session.execute(query):
        if email and row_email == email:
            taken.add("email")
        if phone and row_phone == phone:
            taken.add("phone")
    return [kind for kind in ("email", "phone") if kind in taken]


def _same_org_owner(organisation: Organisation, kind: str, email, phone) -> int | None:
    column, value = (User.email, email) if kind == "email" else (User.phone, phone)
    return db.session.scalar(select(User.id).where(
        column == value, User.organisation_id == organisation.id))


def _insert_user(organisation, account: NewAccount, email, phone) -> User | None:
    user = User(role="participant", organisation_id=organisation.id, locale=account.locale,
                email=email, phone=phone, password_hash=account.password_hash)
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        return None
    return user


def _profile_values(draft: dict) -> dict:
    """Return the profile columns of a complete sign-up draft."""
    goals = chosen_goals(draft)
    return {
        "neighbourhood_id": draft["neighbourhood_id"],
        "first_name": draft["first_name"],
        "availability": int(draft["availability"]) & ALL_SLOTS_MASK,
        "interests": int(draft.get("interests") or 0),
        "languages": [c for c in draft.get("languages", []) if c in SPOKEN_LANGUAGES],
        "dutch_level": draft["dutch_level"],
        "goals": mask_from_keys(goals, GOALS),
        "primary_goal": (draft.get("primary_goal") if draft.get("primary_goal") in goals
                         else goals[0]),
        "gender_pref": draft["gender_pref"],
        "status": "waiting", "waiting_since": clock.now(),
        "radius_km": DEFAULT_RADIUS_KM, "in_person": True, "online": False,
        "share_email": bool(draft.get("email") and draft.get("share_email")),
        "share_phone": bool(draft.get("phone") and draft.get("share_phone")),
    }


def _record_consents(user, profile, locale, method: str, actor) -> None:
    """Record consent for the privacy terms and, if anything is shared, for sharing."""
    shares = (profile.share_email, profile.share_phone)
    record_consent(user, "privacy", locale, actor=actor, method=method)
    if any(shares):
        record_consent(user, "share_contact", locale, actor=actor, method=method)
    # Per item, as chosen: giving "share_contact" alone switches both on.
    profile.share_email, profile.share_phone = shares
    db.session.flush()


# -- the participant's own page ---------------------------------------------------------------

@dataclass
class Overview:
    profile: ParticipantProfile
    neighbourhood: str
    buddy_name: str | None
    match_id: int | None
    days_waiting: int


def profile_of(user: User) -> ParticipantProfile | None:
    """Return the participant profile of ``user``."""
    return db.session.scalar(
        select(ParticipantProfile).where(ParticipantProfile.user_id == user.id))


def overview(user: User, now: datetime | None = None) -> Overview | None:
    """Return what the participant's own page shows: status, waiting time and buddy."""
    row = db.session.execute(
        select(ParticipantProfile, Neighbourhood.name)
        .join(Neighbourhood, Neighbourhood.id == ParticipantProfile.neighbourhood_id)
        .where(ParticipantProfile.user_id == user.id)).first()
    if row is None:
        return None
    profile, neighbourhood = row
    buddy = db.session.execute(
        select(Match.id, VolunteerProfile.first_name)
        .join(VolunteerProfile, VolunteerProfile.id == Match.volunteer_id)
        .where(Match.participant_id == profile.id, Match.status.in_(VISIBLE_MATCH_STATES))
        .order_by(Match.id.desc()).limit(1)).first()
    waited = ((now or clock.now()) - profile.waiting_since).days
    return Overview(profile=profile, neighbourhood=neighbourhood,
                    buddy_name=buddy.first_name if buddy else None,
                    match_id=buddy.id if buddy else None,
                    days_waiting=max(waited, 0) if profile.status == "waiting" else 0)


# -- changing details ----------------------------------------------------------------------------

def details_values(user: User, profile: ParticipantProfile) -> dict:
    """Return the details form's starting values."""
    return {
        "first_name": profile.first_name, "email": user.email or "", "phone": user.phone or "",
        "share_email": profile.share_email, "share_phone": profile.share_phone,
        "neighbourhood_id": profile.neighbourhood_id,
        "availability": [f"{d}-{p}" for d, p in _slot_keys(profile.availability)],
        "interests": keys_from_mask(profile.interests, INTERESTS),
        "dutch_level": profile.dutch_level, "goals": profile.goal_keys,
        "primary_goal": profile.primary_goal, "languages": list(profile.languages or []),
        "gender_pref": profile.gender_pref,
    }


def contact_changes(user: User, email: str | None, phone: str | None) -> list[str]:
    """Return which login details (``email``/``phone``) differ from the stored ones."""
    changed = []
    if (email or None) != user.email:
        changed.append("email")
    if (phone or None) != user.phone:
        changed.append("phone")
    return changed


def update_details(user: User, profile: ParticipantProfile, answers: dict, locale: str
                   ) -> list[str]:
    """Save the participant's own changes; return the names of the changed fields."""
    before = details_values(user, profile)
    old_email = user.email
    user.email = answers["email"] or None
    user.phone = answers["phone"] or None
    goals = answers["goals"]
    was_sharing = profile.share_email or profile.share_phone
    profile.first_name = answers["first_name"]
    profile.neighbourhood_id = answers["neighbourhood_id"]
    profile.availability = answers["availability_mask"]
    profile.interests = mask_from_keys(answers["interests"], INTERESTS)
    profile.dutch_level = answers["dutch_level"]
    profile.goals = mask_from_keys(goals, GOALS)
    profile.primary_goal = answers["primary_goal"] if answers["primary_goal"] in goals else goals[0]
    profile.languages = [c for c in SPOKEN_LANGUAGES if c in answers["languages"]]
    profile.gender_pref = answers["gender_pref"]
    _update_sharing(user, profile, was_sharing, locale,
                    share_email=bool(user.email and answers["share_email"]),
                    share_phone=bool(user.phone and answers["share_phone"]))
    db.session.flush()
    after = details_values(user, profile)
    changed = sorted(key for key in after if after[key] != before[key])
    if {"email", "phone"} & set(changed):
        auth_services.contact_changed(user, old_email)
    if changed:
        record("participant.details_changed", profile, fields=len(changed),
               contact_changed=bool({"email", "phone"} & set(changed)))
    return changed


def _update_sharing(user, profile, was_sharing: bool, locale: str, share_email: bool,
                    share_phone: bool) -> None:
    """Give or withdraw the "share_contact" consent as sharing starts or stops."""
    if (share_email or share_phone) and not was_sharing:
        record_consent(user, "share_contact", locale)
    elif was_sharing and not (share_email or share_phone):
        withdraw_consent(user, "share_contact", actor=user)
    profile.share_email, profile.share_phone = share_email, share_phone
