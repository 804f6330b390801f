"""Data rights: what we hold about a person (export), forgetting them (erasure), and
consent (give, withdraw, check). Other blueprints and the retention job call these.

Services flush and never commit; the request boundary (or the CLI job) commits.
"""

import re
from datetime import date, datetime

from flask import current_app
from sqlalchemy import delete, or_, select, update

from .. import audit, clock
from ..extensions import db
from ..i18n import DEFAULT_LOCALE
from ..models import (
    AuditEvent,
    CheckIn,
    ConsentRecord,
    LevelAssessment,
    Match,
    MatchEvent,
    MeetingLog,
    Neighbourhood,
    OutboxMessage,
    ParticipantProfile,
    User,
    UserSession,
    VolunteerProfile,
)
from ..vocab import GOALS, INTERESTS, OPEN_MATCH_STATES, keys_from_mask, slot_keys

# A volunteer who withdraws consent is paused "forever"; giving consent again lifts it.
CONSENT_PAUSE_UNTIL = date(9999, 12, 31)
# Consents without which a person may not be matched, per role.
MATCHING_CONSENTS = {
    "volunteer": ("privacy", "code_of_conduct", "vog_check"),
    "participant": ("privacy",),
}
ERASED = "person_erased"  # the reason code on match events written by an erasure


# ---------------------------------------------------------------- consent

def consent_version(purpose: str) -> str:
    """Return the current version of the text a person agrees to for ``purpose``."""
    config = current_app.config
    if purpose in ("code_of_conduct", "vog_check"):
        return config["CODE_OF_CONDUCT_VERSION"]
    return config["PRIVACY_VERSION"]


def live_consent(user: User, purpose: str) -> ConsentRecord | None:
    """Return the newest consent record for ``purpose`` that is not withdrawn."""
    return db.session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.purpose == purpose,
               ConsentRecord.withdrawn_at.is_(None))
        .order_by(ConsentRecord.given_at.desc(), ConsentRecord.id.desc()).limit(1))


def has_live_consent(user: User, purpose: str) -> bool:
    """Return True if ``user`` gave consent for ``purpose`` and did not withdraw it."""
    return live_consent(user, purpose) is not None


def may_notify(user: User) -> bool:
    """Return False once ``user`` withdrew their privacy consent (and did not give it again).

    People without any privacy record (staff, older accounts) may be notified. Meant for
    ``notifications.queue_email``: skip the message when this is False.
    """
    records = db.session.scalars(
        select(ConsentRecord.withdrawn_at)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.purpose == "privacy")).all()
    return not records or any(withdrawn is None for withdrawn in records)


def record_consent(user: User, purpose: str, locale: str, actor: User | None = None,
                   method: str = "online") -> ConsentRecord:
    """Record that ``user`` gives consent for ``purpose`` (by themselves or via ``actor``).

    Giving again what is already live for the current text version changes nothing. When
    the last missing matching consent comes back, matching starts again.
    """
    version = consent_version(purpose)
    current = live_consent(user, purpose)
    if current is not None and current.text_version == version:
        return current
    on_behalf = actor is not None and actor.id != user.id
    record = ConsentRecord(user_id=user.id, purpose=purpose, text_version=version,
                           locale=(locale or DEFAULT_LOCALE)[:10], method=method,
                           actor_id=actor.id if on_behalf else None)
    db.session.add(record)
    db.session.flush()
    if purpose in MATCHING_CONSENTS.get(user.role, ()):
        _restart_matching_if_allowed(user)
    if purpose == "share_contact":
        _set_sharing(user, True)
    if _is_coordinator(actor):
        audit.record("consent.given", user, purpose=purpose, method=method)
    db.session.flush()
    return record


def withdraw_consent(user: User, purpose: str, actor: User | None) -> None:
    """Withdraw ``user``'s consent for ``purpose`` and stop what depended on it.

    Withdrawing "privacy" (or, for volunteers, the code of conduct or VOG check) stops
    matching: a participant gets the status "withdrawn", a volunteer is paused without end.
    """
    live = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.user_id == user.id,
                                    ConsentRecord.purpose == purpose,
                                    ConsentRecord.withdrawn_at.is_(None))).all()
    now = clock.now()
    for record in live:
        record.withdrawn_at = now
    if purpose in MATCHING_CONSENTS.get(user.role, ()):
        _stop_matching(user)
    if purpose == "share_contact":
        _set_sharing(user, False)
    if _is_coordinator(actor):
        audit.record("consent.withdrawn", user, purpose=purpose)
    db.session.flush()


def consent_overview(user: User) -> list[dict]:
    """Return per relevant purpose: the live record (or None) and the full history."""
    records = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.user_id == user.id)
        .order_by(ConsentRecord.given_at.desc(), ConsentRecord.id.desc())).all()
    purposes = list(MATCHING_CONSENTS.get(user.role, ("privacy",)))
    purposes += [r.purpose for r in records if r.purpose not in purposes]
    purposes = list(dict.fromkeys(purposes))
    return [{
        "purpose": purpose,
        "live": next((r for r in records if r.purpose == purpose and r.withdrawn_at is None),
                     None),
        "history": [r for r in records if r.purpose == purpose],
    } for purpose in purposes]


def consent_purposes(user: User) -> list[str]:
    """Return the purposes ``user`` can give or withdraw on their consent page."""
    return [row["purpose"] for row in consent_overview(user)]


def _is_coordinator(actor: User | None) -> bool:
    return actor is not None and actor.role in ("coordinator", "admin")


def _profiles(user: User) -> tuple[VolunteerProfile | None, ParticipantProfile | None]:
    volunteer = db.session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    participant = db.session.scalar(
        select(ParticipantProfile).where(ParticipantProfile.user_id == user.id))
    return volunteer, participant


def _stop_matching(user: User) -> None:
    volunteer, participant = _profiles(user)
    if volunteer is not None:
        volunteer.paused_until = CONSENT_PAUSE_UNTIL
    if participant is not None:
        participant.status = "withdrawn"


def _restart_matching_if_allowed(user: User) -> None:
    if not all(has_live_consent(user, p) for p in MATCHING_CONSENTS.get(user.role, ())):
        return
    volunteer, participant = _profiles(user)
    if volunteer is not None and volunteer.paused_until == CONSENT_PAUSE_UNTIL:
        volunteer.paused_until = None
    if participant is not None and participant.status == "withdrawn":
        participant.status = "waiting"


def set_sharing(user: User, profile, share_email: bool, share_phone: bool, locale: str,
                actor: User | None = None) -> None:
    """Save what ``profile`` shares with their match; the "share_contact" consent is given
    when sharing starts and withdrawn when it stops, so the ledger shows the choice."""
    sharing = has_live_consent(user, "share_contact")
    if (share_email or share_phone) and not sharing:
        record_consent(user, "share_contact", locale, actor=actor)
    elif sharing and not (share_email or share_phone):
        withdraw_consent(user, "share_contact", actor=actor or user)
    profile.share_email, profile.share_phone = share_email, share_phone


def _set_sharing(user: User, allowed: bool) -> None:
    for profile in _profiles(user):
        if profile is None:
            continue
        profile.share_email = allowed
        if not allowed:
            profile.share_phone = False


# ---------------------------------------------------------------- export

def person_data(user: User) -> dict:
    """Return everything we hold about ``user`` as Python values (dates stay dates).

    Never the password hash, the second-factor secret or the recovery codes.
    """
    volunteer, participant = _profiles(user)
    organisation = user.organisation
    return {
        "account": {
            "id": user.id, "role": user.role, "email": user.email, "phone": user.phone,
            "locale": user.locale, "active": user.active, "created_at": user.created_at,
            "last_login_at": user.last_login_at,
            "second_factor_enabled": bool(user.totp_secret),
            "organisation": ({"slug": organisation.slug, "name": organisation.name,
                              "city": organisation.city} if organisation else None),
        },
        "volunteer_profile": _volunteer_data(volunteer) if volunteer else None,
        "participant_profile": _participant_data(participant) if participant else None,
        "consents": _consents_data(user),
        "matches": _matches_data(volunteer, participant),
        "meeting_logs": _meetings_data(user),
        "match_meeting_logs": _match_meetings_data(participant) if participant else [],
        "check_ins": _checkins_data(participant) if participant else [],
        "level_assessments": _assessments_data(participant) if participant else [],
        "messages": _messages_data(user),
        "sessions": _sessions_data(user),
    }


def export_person(user: User) -> dict:
    """Return everything we hold about ``user``, JSON-serialisable (ISO 8601 dates)."""
    return {"exported_at": clock.now().isoformat(), **_jsonable(person_data(user))}


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _shared_profile_data(profile) -> dict:
    hood = db.session.get(Neighbourhood, profile.neighbourhood_id)
    return {
        "first_name": profile.first_name, "gender": profile.gender,
        "languages": list(profile.languages or []),
        "neighbourhood": hood.name if hood else None, "radius_km": profile.radius_km,
        "in_person": profile.in_person, "online": profile.online,
        "availability": [f"{day}-{part}" for day, part in slot_keys(profile.availability)],
        "interests": keys_from_mask(profile.interests, INTERESTS),
        "share_email": profile.share_email, "share_phone": profile.share_phone,
        "created_at": profile.created_at, "updated_at": profile.updated_at,
    }


def _volunteer_data(profile: VolunteerProfile) -> dict:
    return {
        **_shared_profile_data(profile),
        "age_band": profile.age_band, "language_levels": dict(profile.language_levels or {}),
        "support": keys_from_mask(profile.support, GOALS), "occupation": profile.occupation,
        "entrepreneur_experience": profile.entrepreneur_experience,
        "capacity": profile.capacity, "commitment_months": profile.commitment_months,
        "motivation": profile.motivation, "screening": profile.screening,
        "screening_note": profile.screening_note, "intake_on": profile.intake_on,
        "vog_status": profile.vog_status, "vog_issued_on": profile.vog_issued_on,
        "vog_checked_at": profile.vog_checked_at, "training_done_on": profile.training_done_on,
        "screened_at": profile.screened_at, "rejection_reason": profile.rejection_reason,
        "paused_until": profile.paused_until,
    }


def _participant_data(profile: ParticipantProfile) -> dict:
    return {
        **_shared_profile_data(profile),
        "dutch_level": profile.dutch_level, "target_level": profile.target_level,
        "route": profile.route, "goals": keys_from_mask(profile.goals, GOALS),
        "primary_goal": profile.primary_goal, "gender_pref": profile.gender_pref,
        "status": profile.status, "waiting_since": profile.waiting_since,
        "barriers": list(profile.barriers or []), "barrier_note": profile.barrier_note,
    }


def _consents_data(user: User) -> list[dict]:
    records = db.session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == user.id)
                                 .order_by(ConsentRecord.given_at, ConsentRecord.id)).all()
    return [{"purpose": r.purpose, "text_version": r.text_version, "locale": r.locale,
             "method": r.method, "given_by": "self" if r.actor_id is None else "coordinator",
             "given_at": r.given_at, "withdrawn_at": r.withdrawn_at} for r in records]


def _matches_data(volunteer: VolunteerProfile | None,
                  participant: ParticipantProfile | None) -> list[dict]:
    rows = []
    if volunteer is not None:
        rows += db.session.execute(
            select(Match, ParticipantProfile.first_name)
            .outerjoin(ParticipantProfile, ParticipantProfile.id == Match.participant_id)
            .where(Match.volunteer_id == volunteer.id).order_by(Match.proposed_at)).all()
    if participant is not None:
        rows += db.session.execute(
            select(Match, VolunteerProfile.first_name)
            .outerjoin(VolunteerProfile, VolunteerProfile.id == Match.volunteer_id)
            .where(Match.participant_id == participant.id).order_by(Match.proposed_at)).all()
    return [{
        "id": match.id, "status": match.status, "other_first_name": other_name,
        "proposed_at": match.proposed_at, "approved_at": match.approved_at,
        "activated_at": match.activated_at, "ended_at": match.ended_at,
        "planned_end_on": match.planned_end_on, "end_reason": match.end_reason,
    } for match, other_name in rows]


def _meetings_data(user: User) -> list[dict]:
    return _meeting_rows(select(MeetingLog).where(MeetingLog.created_by_id == user.id))


def _match_meetings_data(participant: ParticipantProfile) -> list[dict]:
    """The meetings the buddy wrote down in the participant's own matches."""
    return _meeting_rows(select(MeetingLog).join(Match, Match.id == MeetingLog.match_id)
                         .where(Match.participant_id == participant.id))


def _meeting_rows(query) -> list[dict]:
    """The meeting logs that ``query`` selects, oldest first, as export rows."""
    logs = db.session.scalars(query.order_by(MeetingLog.met_on, MeetingLog.id)).all()
    return [{"match_id": log.match_id, "met_on": log.met_on, "minutes": log.minutes,
             "activity": log.activity, "created_at": log.created_at} for log in logs]


def _checkins_data(participant: ParticipantProfile) -> list[dict]:
    """The coordinator's check-ins (with their notes) on the participant's own matches."""
    rows = db.session.scalars(
        select(CheckIn).join(Match, Match.id == CheckIn.match_id)
        .where(Match.participant_id == participant.id)
        .order_by(CheckIn.due_on, CheckIn.id)).all()
    return [{"match_id": c.match_id, "due_on": c.due_on, "done_at": c.done_at,
             "outcome": c.outcome, "note": c.note} for c in rows]


def _assessments_data(participant: ParticipantProfile) -> list[dict]:
    rows = db.session.scalars(
        select(LevelAssessment).where(LevelAssessment.participant_id == participant.id)
        .order_by(LevelAssessment.assessed_on, LevelAssessment.id)).all()
    return [{"assessed_on": a.assessed_on, "level": a.level} for a in rows]


def _messages_data(user: User) -> list[dict]:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)
                              .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    return [{"kind": m.kind, "subject": m.subject, "created_at": m.created_at,
             "state": m.state, "sent_at": m.sent_at} for m in rows]


def _sessions_data(user: User) -> list[dict]:
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                              .order_by(UserSession.created_at)).all()
    return [{"created_at": s.created_at, "last_seen_at": s.last_seen_at,
             "ended_at": s.revoked_at, "browser": s.user_agent} for s in rows]


# ---------------------------------------------------------------- erasure

def erase_person(user: User, actor: User | None) -> dict:
    """Forget ``user``: close their matches, wipe free text about them, delete the account.

    Open matches end first (a proposal is rejected, an approved or active match ends with
    reason "other"), each with a match event. Free text in their matches (end notes,
    reasons, check-in notes, meeting activities) is blanked, as are other people's e-mails
    that mention them. Deleting the user row cascades to profile, consents, tokens,
    sessions and their own e-mails; matches remain as anonymous facts (the person
    references become NULL). Returns counts per kind of change.
    """
    volunteer, participant = _profiles(user)
    matches = _matches_of(volunteer, participant)
    counts = {"matches_ended": 0, "matches_rejected": 0}
    for match in matches:
        if match.status in OPEN_MATCH_STATES:
            key = _close_match(match, actor, freed_participant=participant is None)
            counts[key] += 1
    counts.update(_blank_match_texts([m.id for m in matches]))
    counts["traces_cleared"] = _clear_traces(user, volunteer, participant,
                                             [m.id for m in matches])
    counterparts = _counterpart_user_ids(matches, volunteer, participant)
    counts["messages_redacted"] = _redact_messages(user, volunteer or participant, counterparts)
    if _is_coordinator(actor):
        audit.record("person.erased", user, role=user.role, **counts)
    db.session.flush()
    user_id = user.id
    for obj in (user, volunteer, participant):
        if obj is not None and obj in db.session:
            db.session.expunge(obj)
    counts["users_deleted"] = db.session.execute(delete(User).where(User.id == user_id)).rowcount
    db.session.expire_all()
    return counts


def _matches_of(volunteer, participant) -> list[Match]:
    conditions = []
    if volunteer is not None:
        conditions.append(Match.volunteer_id == volunteer.id)
    if participant is not None:
        conditions.append(Match.participant_id == participant.id)
    if not conditions:
        return []
    return list(db.session.scalars(select(Match).where(or_(*conditions))
                                   .order_by(Match.id).with_for_update()).all())


def _close_match(match: Match, actor: User | None, freed_participant: bool) -> str:
    """End or reject one open match because a person in it is erased; return the count key."""
    before = match.status
    now = clock.now()
    if before == "proposed":
        match.status, key = "rejected", "matches_rejected"
    else:
        match.status, match.ended_at, match.end_reason = "ended", now, "other"
        key = "matches_ended"
    db.session.add(MatchEvent(match_id=match.id, from_status=before, to_status=match.status,
                              actor_id=actor.id if actor else None, at=now, reason=ERASED))
    if freed_participant and match.participant_id is not None:
        other = db.session.get(ParticipantProfile, match.participant_id)
        if other is not None and other.status == "matched":
            other.status, other.rematch_priority = "waiting", True
    return key


def _blank_match_texts(match_ids: list[int]) -> dict[str, int]:
    if not match_ids:
        return {"texts_blanked": 0}
    in_matches = Match.id.in_(match_ids)
    blanked = db.session.execute(
        update(Match).where(in_matches, or_(Match.end_note != "", Match.reject_reason != ""))
        .values(end_note="", reject_reason="").execution_options(synchronize_session=False)
    ).rowcount
    blanked += db.session.execute(
        update(MeetingLog).where(MeetingLog.match_id.in_(match_ids), MeetingLog.activity != "")
        .values(activity="")).rowcount
    blanked += db.session.execute(
        update(CheckIn).where(CheckIn.match_id.in_(match_ids), CheckIn.note != "")
        .values(note="")).rowcount
    blanked += db.session.execute(
        update(MatchEvent).where(MatchEvent.match_id.in_(match_ids), MatchEvent.reason != "",
                                 MatchEvent.reason != ERASED)
        .values(reason="")).rowcount
    return {"texts_blanked": blanked}


def _clear_traces(user: User, volunteer, participant, match_ids: list[int]) -> int:
    """Clear what could re-identify the person in a small organisation once they are gone:
    the match explanations (languages, interests, distances) and the details of audit
    events about them, their profiles or their matches. Event names and times stay."""
    cleared = 0
    if match_ids:
        cleared += db.session.execute(
            update(Match).where(Match.id.in_(match_ids)).values(explanation={})
            .execution_options(synchronize_session=False)).rowcount
    targets = [(AuditEvent.target_type == "User") & (AuditEvent.target_id == user.id)]
    for kind, profile in (("VolunteerProfile", volunteer), ("ParticipantProfile", participant)):
        if profile is not None:
            targets.append((AuditEvent.target_type == kind) & (AuditEvent.target_id == profile.id))
    if match_ids:
        targets.append((AuditEvent.target_type == "Match") & AuditEvent.target_id.in_(match_ids))
    cleared += db.session.execute(
        update(AuditEvent).where(or_(*targets)).values(details={})
        .execution_options(synchronize_session=False)).rowcount
    return cleared


def _counterpart_user_ids(matches: list[Match], volunteer, participant) -> set[int]:
    """Return the user ids of the people on the other side of ``matches``."""
    ids: set[int] = set()
    for match in matches:
        if volunteer is not None and match.participant_id is not None:
            other = db.session.get(ParticipantProfile, match.participant_id)
        elif participant is not None and match.volunteer_id is not None:
            other = db.session.get(VolunteerProfile, match.volunteer_id)
        else:
            other = None
        if other is not None:
            ids.add(other.user_id)
    return ids


def _redact_messages(user: User, profile, counterparts: set[int]) -> int:
    """Remove ``user``'s name, e-mail and phone from other people's e-mails in the organisation.

    Introductions tell a buddy the other person's first name and maybe contact details; those
    copies must go too. Pending e-mails to the people they were matched with are about a
    match that has ended now, so they are not sent at all.
    """
    needles = [n for n in (user.email, user.phone) if n]
    name = profile.first_name if profile is not None else ""
    if len(name) >= 2:
        needles.append(name)
    if not needles or user.organisation_id is None:
        return 0
    candidates = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.organisation_id == user.organisation_id,
            or_(OutboxMessage.user_id.is_(None), OutboxMessage.user_id != user.id),
            or_(*[OutboxMessage.body.contains(n, autoescape=True) for n in needles],
                *[OutboxMessage.subject.contains(n, autoescape=True) for n in needles]))).all()
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in needles))
    redacted = 0
    for message in candidates:
        if not (pattern.search(message.body) or pattern.search(message.subject)):
            continue
        message.body = pattern.sub("…", message.body)
        message.subject = pattern.sub("…", message.subject)
        if message.state == "pending" and message.user_id in counterparts:
            message.state, message.body = "failed", ""
            message.last_error = "not sent: the other person's data was erased"
        redacted += 1
    return redacted
