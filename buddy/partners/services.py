"""Partners: employers, schools and associations that bring in guides (issue 16).

A partner has its own sign-up link (a random token in the URL, optionally expiring) and a
printable poster with the link as a QR code. Volunteers who sign up through the link, or
pick the partner during sign-up, are attributed to it. A partner contact may log in and see
aggregates only, with small groups hidden; pledges ("10 guides in 2027") are compared with
the guides each partner actually brought in that year.
"""

import hashlib
import io
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

import segno
from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy import case, distinct, func, select

from .. import audit, clock, labels
from ..auth.services import new_login
from ..errors import ActionRefused
from ..extensions import db
from ..i18n import DEFAULT_LOCALE
from ..models import (
    LevelAssessment,
    Match,
    MeetingLog,
    OutboxMessage,
    ParticipantProfile,
    Partner,
    PartnerPledge,
    SchoolConfirmation,
    User,
    VolunteerProfile,
)
from ..notifications import absolute_url
from ..vocab import ADULT_AGE, LEVELS, SMALL_GROUP, SOURCES

COMPLETED_REASONS = ("completed", "goal_reached")
SESSION_KEY = "signup_partner"  # {"org": organisation id, "partner": partner id}


def new_link_token() -> str:
    """Return a fresh random link token (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


# --- the organisation's partners ---------------------------------------------------------

def partners_of(organisation_id: int, kind: str | None = None) -> list[Partner]:
    """Return the organisation's partners by name, optionally of one kind."""
    query = select(Partner).where(Partner.organisation_id == organisation_id)
    if kind:
        query = query.where(Partner.kind == kind)
    return list(db.session.scalars(query.order_by(Partner.name, Partner.id)))


def partner_in(organisation_id: int, partner_id) -> Partner | None:
    """Return the partner with ``partner_id`` if it belongs to the organisation."""
    try:
        partner = db.session.get(Partner, int(partner_id))
    except (TypeError, ValueError):
        return None
    return partner if partner and partner.organisation_id == organisation_id else None


def save_partner(organisation_id: int, values: dict, partner: Partner | None = None) -> Partner:
    """Create or change a partner from validated form values."""
    if partner is None:
        partner = Partner(organisation_id=organisation_id, link_token=new_link_token())
        db.session.add(partner)
    for key in ("kind", "name", "contact_name", "contact_email", "contact_phone",
                "link_expires_on"):
        setattr(partner, key, values[key])
    db.session.flush()
    audit.record("partner.saved", partner, kind=partner.kind)
    return partner


def renew_link(partner: Partner, expires_on: date | None) -> str:
    """Give the partner a new link (old links and posters stop working); return it."""
    partner.link_token = new_link_token()
    partner.link_expires_on = expires_on
    db.session.flush()
    audit.record("partner.link_renewed", partner)
    return signup_url(partner)


def delete_partner(partner: Partner) -> None:
    """Delete a partner; its guides become individuals, its contact logins go."""
    audit.record("partner.deleted", partner, kind=partner.kind)
    db.session.delete(partner)
    db.session.flush()


def signup_url(partner: Partner) -> str:
    """Return the public address of the partner's sign-up link (from BASE_URL)."""
    return absolute_url("partners.landing", slug=partner.organisation.slug,
                        token=partner.link_token)


def newcomer_url(partner: Partner) -> str:
    """Return the address an employer gives newcomers among its staff."""
    return absolute_url("partners.newcomer", slug=partner.organisation.slug,
                        token=partner.link_token)


@dataclass(frozen=True)
class QrCode:
    """A QR code for an inline SVG: ``size`` modules square (quiet zone included), and the
    path data of the dark modules (numbers and letters only, safe to escape)."""

    size: int
    path: str


def qr_code(url: str, border: int = 4) -> QrCode:
    """Return the QR code of ``url`` (made by segno) for the poster's inline SVG."""
    rows = list(segno.make(url, error="m").matrix_iter(border=border))
    path = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(rows)
                   for x, dark in enumerate(row) if dark)
    return QrCode(size=len(rows), path=path)


def qr_svg_file(url: str, scale: int = 8) -> bytes:
    """Return the QR code of ``url`` as a standalone SVG file (with its XML namespace)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, dark="#000",
                                    light="#fff", title=url)
    return buffer.getvalue()


# --- the link ------------------------------------------------------------------------------

class LinkRefused(ActionRefused):
    """A partner link that cannot be used: unknown, of another organisation, or expired."""


def partner_by_link(organisation_id: int, token: str, on: date) -> Partner:
    """Return the partner of a sign-up link, or raise ``LinkRefused`` with the reason."""
    partner = None
    if token and len(token) <= 64:
        partner = db.session.scalar(select(Partner).where(Partner.link_token == token))
    if partner is None or partner.organisation_id != organisation_id:
        raise LinkRefused(gettext(
            "This partner link is not valid for this organisation. You can still sign up "
            "as an individual."))
    if not partner.link_open(on):
        raise LinkRefused(gettext(
            "This partner link has expired. Ask the partner for a new link, or sign up as "
            "an individual."))
    return partner


def remember_link(session, partner: Partner) -> None:
    """Keep the partner of the link in the visitor's session until sign-up finishes."""
    session[SESSION_KEY] = {"org": partner.organisation_id, "partner": partner.id}


def remembered_partner(session, organisation_id: int, kind: str | None = None,
                       ) -> Partner | None:
    """Return the partner remembered for this organisation (and kind), if any."""
    kept = session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("org") != organisation_id:
        return None
    partner = partner_in(organisation_id, kept.get("partner"))
    if partner is None or (kind and partner.kind != kind):
        return None
    return partner


# --- contact logins ---------------------------------------------------------------------------

def contact_user(partner: Partner) -> User | None:
    """Return the partner's contact login, if there is one."""
    return db.session.scalar(select(User).where(User.partner_id == partner.id,
                                                User.role == "partner"))


def create_contact_user(partner: Partner) -> User:
    """Create the contact's login (role partner, no password yet) or return the existing one."""
    user = contact_user(partner)
    if user is not None:
        return user
    user = new_login("partner", partner.contact_email, partner.organisation_id,
                     partner_id=partner.id)
    if user is None:
        raise ActionRefused(gettext(
            "This e-mail address already has a login. Give the partner another address."))
    audit.record("partner.contact_created", partner, user_id=user.id)
    return user


# --- figures ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartnerFigures:
    """What a partner brought: counts of guides and matches, and hours given."""

    recruited: int
    screened: int
    active: int
    matches_started: int
    matches_completed: int
    hours: float
    guides_logging: int  # guides behind the hours

    def hidden(self) -> dict:
        """The figures as a partner sees them: None where a group is smaller than 5."""
        def keep(n):
            return n if n == 0 or n >= SMALL_GROUP else None
        return {
            "recruited": keep(self.recruited), "screened": keep(self.screened),
            "active": keep(self.active), "matches_started": keep(self.matches_started),
            "matches_completed": keep(self.matches_completed),
            "hours": round(self.hours) if self.guides_logging >= SMALL_GROUP else None,
        }

    def shown(self) -> dict:
        """The figures as the coordinator sees them (nothing hidden)."""
        return {"recruited": self.recruited, "screened": self.screened, "active": self.active,
                "matches_started": self.matches_started,
                "matches_completed": self.matches_completed, "hours": round(self.hours, 1)}


def partner_figures(partner: Partner) -> PartnerFigures:
    """Count the partner's guides, their matches and logged hours (three queries)."""
    guides = db.session.execute(
        select(func.count(VolunteerProfile.id),
               func.count(case((VolunteerProfile.screening == "approved", 1))))
        .where(VolunteerProfile.partner_id == partner.id,
               VolunteerProfile.organisation_id == partner.organisation_id)).one()
    matches = db.session.execute(
        select(func.count(distinct(case((Match.status == "active", Match.volunteer_id)))),
               func.count(case((Match.activated_at.is_not(None), 1))),
               func.count(case((Match.end_reason.in_(COMPLETED_REASONS), 1))))
        .join(VolunteerProfile, VolunteerProfile.id == Match.volunteer_id)
        .where(VolunteerProfile.partner_id == partner.id,
               Match.organisation_id == partner.organisation_id)).one()
    minutes, logging = db.session.execute(
        select(func.coalesce(func.sum(MeetingLog.minutes), 0),
               func.count(distinct(Match.volunteer_id)))
        .join(Match, Match.id == MeetingLog.match_id)
        .join(VolunteerProfile, VolunteerProfile.id == Match.volunteer_id)
        .where(VolunteerProfile.partner_id == partner.id,
               Match.organisation_id == partner.organisation_id)).one()
    return PartnerFigures(recruited=guides[0], screened=guides[1], active=matches[0],
                          matches_started=matches[1], matches_completed=matches[2],
                          hours=int(minutes) / 60, guides_logging=int(logging))


# --- pledges ---------------------------------------------------------------------------------

def save_pledge(partner: Partner, year: int, guides: int) -> PartnerPledge:
    """Set the partner's pledge for ``year`` (a second pledge for a year replaces the first)."""
    pledge = db.session.scalar(select(PartnerPledge).where(
        PartnerPledge.partner_id == partner.id, PartnerPledge.year == year))
    if pledge is None:
        pledge = PartnerPledge(organisation_id=partner.organisation_id, partner_id=partner.id,
                               year=year)
        db.session.add(pledge)
    pledge.guides = guides
    db.session.flush()
    audit.record("partner.pledge_saved", partner, year=year, guides=guides)
    return pledge


@dataclass(frozen=True)
class PledgeProgress:
    partner: Partner
    year: int
    pledged: int
    recruited: int

    @property
    def share(self) -> float:
        return self.recruited / self.pledged if self.pledged else 0.0


def recruited_in_year(organisation_id: int, year: int) -> dict[int, int]:
    """Guides who signed up in ``year``, per partner id (one query)."""
    rows = db.session.execute(
        select(VolunteerProfile.partner_id, func.count(VolunteerProfile.id))
        .where(VolunteerProfile.organisation_id == organisation_id,
               VolunteerProfile.partner_id.is_not(None),
               VolunteerProfile.created_at >= clock.start_of(date(year, 1, 1)),  # Amsterdam year
               VolunteerProfile.created_at < clock.start_of(date(year + 1, 1, 1)))
        .group_by(VolunteerProfile.partner_id))
    return {partner_id: count for partner_id, count in rows}


def pledge_progress(organisation_id: int, year: int) -> list[PledgeProgress]:
    """Every pledge of the organisation for ``year`` with the guides recruited so far."""
    pledges = db.session.scalars(
        select(PartnerPledge).join(Partner)
        .where(PartnerPledge.organisation_id == organisation_id, PartnerPledge.year == year)
        .order_by(Partner.name, Partner.id)).all()
    counts = recruited_in_year(organisation_id, year)
    return [PledgeProgress(p.partner, year, p.guides, counts.get(p.partner_id, 0))
            for p in pledges]


def pledge_years(organisation_id: int) -> list[int]:
    """The years that have a pledge, newest first."""
    return list(db.session.scalars(
        select(distinct(PartnerPledge.year))
        .where(PartnerPledge.organisation_id == organisation_id)
        .order_by(PartnerPledge.year.desc())))


def pledges_csv_rows(organisation_id: int, year: int) -> tuple[list[str], list[list]]:
    """Header and rows of the yearly pledge CSV."""
    header = [gettext("Year"), gettext("Partner"), gettext("Kind"), gettext("Guides pledged"),
              gettext("Guides recruited"), gettext("Progress in percent")]
    rows = [[p.year, p.partner.name, str(labels.PARTNER_KINDS[p.partner.kind]), p.pledged,
             p.recruited, round(100 * p.share)] for p in pledge_progress(organisation_id, year)]
    return header, rows


# --- sign-up: where a volunteer comes from; a pupil's placement --------------------------------

SCHOOL_LINK_DAYS = 14
SOURCE_FIELDS = ("colleague_pref", "birth_date", "teacher_email", "placement_hours",
                 "placement_end_on", "age_band")


def apply_source(profile: VolunteerProfile, values: dict) -> None:
    """Attribute a new volunteer to a partner of its organisation and keep a pupil's placement.

    A partner of another organisation is ignored (nothing is attributed). An under-18 pupil
    gets a confirmation request e-mailed to the school's contact person.
    """
    partner = partner_in(profile.organisation_id, values.get("partner_id"))
    profile.partner_id = partner.id if partner else None
    for key in SOURCE_FIELDS:
        if values.get(key) is not None:
            setattr(profile, key, values[key])
    if partner is None or partner.kind != "employer":
        profile.colleague_pref = "either"
    db.session.flush()
    if partner is not None:
        audit.record("partner.volunteer_attributed", profile, partner_id=partner.id)
    if profile.is_pupil and needs_school_confirmation(profile):
        if partner is None or partner.kind != "school":
            raise ActionRefused(gettext("Please choose your school."))
        request_school_confirmation(profile, partner)


def age_of(profile: VolunteerProfile, on: date) -> int | None:
    """The volunteer's age in whole years, if the date of birth is known."""
    born = profile.birth_date
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_minor(profile: VolunteerProfile, on: date | None = None) -> bool:
    """True for a volunteer younger than 18 (by date of birth, else by age band)."""
    age = age_of(profile, on or clock.today())
    return profile.age_band == "12-17" if age is None else age < ADULT_AGE


def needs_school_confirmation(profile: VolunteerProfile) -> bool:
    """An under-18 pupil whose school has not confirmed the placement yet."""
    return is_minor(profile) and profile.school_confirmed_at is None


def request_school_confirmation(profile: VolunteerProfile, partner: Partner) -> OutboxMessage:
    """E-mail the school a single-use link (valid 14 days) to confirm the pupil's placement."""
    secret = secrets.token_urlsafe(32)
    db.session.add(SchoolConfirmation(
        volunteer_id=profile.id, partner_id=partner.id, token_hash=_digest(secret),
        expires_at=clock.now() + timedelta(days=SCHOOL_LINK_DAYS)))
    with force_locale(DEFAULT_LOCALE):
        subject = gettext("Please confirm a community-service placement")
        body = render_template(
            "partners/email/school_confirmation.txt", partner=partner, profile=profile,
            organisation=profile.organisation,
            link=absolute_url("partners.school_confirm", token=secret), days=SCHOOL_LINK_DAYS)
    message = OutboxMessage(organisation_id=profile.organisation_id, kind="school_confirmation",
                            recipient=partner.contact_email, locale=DEFAULT_LOCALE,
                            subject=subject, body=body)
    db.session.add(message)
    db.session.flush()
    audit.record("partner.school_confirmation_requested", profile, partner_id=partner.id)
    return message


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def school_confirmation(secret: str) -> SchoolConfirmation | None:
    """Return the open (unused, unexpired) confirmation of a link, else None."""
    if not secret or len(secret) > 100:
        return None
    found = db.session.scalar(select(SchoolConfirmation).where(
        SchoolConfirmation.token_hash == _digest(secret)))
    if found is None or found.used_at is not None or found.expires_at <= clock.now():
        return None
    return found


def confirm_placement(confirmation: SchoolConfirmation) -> VolunteerProfile:
    """The school confirms: the link is used up and the pupil may be screened and matched."""
    confirmation.used_at = clock.now()
    profile = db.session.get(VolunteerProfile, confirmation.volunteer_id)
    profile.school_confirmed_at = clock.now()
    db.session.flush()
    audit.record("partner.school_confirmed", profile, partner_id=confirmation.partner_id)
    return profile


# (days after the first meeting) check-ins of a pupil's match: early, halfway, near the end
def placement_checkin_days(start: date, end: date) -> list[int]:
    """Check-in days that fit a placement from ``start`` to ``end`` (at least one)."""
    length = max((end - start).days, 1)
    days = {min(14, max(1, length // 4)), max(1, length // 2), max(1, length - 7)}
    return sorted(days)


def attribute_newcomer(user: User, employer: Partner | None) -> None:
    """Note that a participant who came through an employer's newcomer link works there."""
    if employer is None or employer.kind != "employer":
        return
    profile = db.session.scalar(select(ParticipantProfile).where(
        ParticipantProfile.user_id == user.id))
    if profile is None or profile.organisation_id != employer.organisation_id:
        return
    profile.employer_partner_id = employer.id
    db.session.flush()
    audit.record("partner.newcomer_attributed", profile, partner_id=employer.id)


# --- a pupil's certificate of hours --------------------------------------------------------------

def pupil_hours(profile: VolunteerProfile) -> float:
    """Hours the volunteer logged in meetings, over all their matches (one query)."""
    minutes = db.session.scalar(
        select(func.coalesce(func.sum(MeetingLog.minutes), 0))
        .join(Match, Match.id == MeetingLog.match_id)
        .where(Match.volunteer_id == profile.id,
               Match.organisation_id == profile.organisation_id))
    return round(int(minutes) / 60, 1)


def sign_certificate(profile: VolunteerProfile, actor: User) -> None:
    """The coordinator signs off the hours from the meeting logs for the school."""
    if not profile.is_pupil:
        raise ActionRefused(gettext("Only pupils on a placement get a certificate of hours."))
    profile.certificate_hours = pupil_hours(profile)
    profile.certificate_signed_at = clock.now()
    profile.certificate_signed_by_id = actor.id
    db.session.flush()
    audit.record("partner.certificate_signed", profile, hours=profile.certificate_hours)


@dataclass(frozen=True)
class Certificate:
    """What the certificate of hours says."""

    pupil: str
    school: str
    organisation: str
    city: str
    hours: float
    placement_hours: int | None
    placement_end_on: date | None
    signed_on: date


def certificate(profile: VolunteerProfile) -> Certificate | None:
    """The signed certificate of a pupil, or None while it is not signed."""
    if profile.certificate_signed_at is None:
        return None
    return Certificate(
        pupil=profile.first_name, school=profile.partner.name if profile.partner else "",
        organisation=profile.organisation.name, city=profile.organisation.city,
        hours=profile.certificate_hours or 0.0, placement_hours=profile.placement_hours,
        placement_end_on=profile.placement_end_on,
        signed_on=clock.local_date(profile.certificate_signed_at))


# --- monitor: which source of guides works ------------------------------------------------------

@dataclass(frozen=True)
class SourceRow:
    """The figures of the guides of one source (individual, employer, school, ...)."""

    source: str
    recruited: int
    matched: int  # guides with at least one approved match
    median_days_to_match: float | None  # sign-up to first approved match
    ended: int
    completed: int
    assessed: int  # their participants with a level assessment after the match started
    level_rose: int

    @property
    def completion(self) -> float | None:
        return self.completed / self.ended if self.ended else None

    @property
    def level_share(self) -> float | None:
        return self.level_rose / self.assessed if self.assessed else None


def figures_by_source(guides: list[tuple[int, str, date]],
                      matches: list[tuple[int, int | None, date | None, str, str | None,
                                          str | None]],
                      assessments: list[tuple[int, date, str]]) -> list[SourceRow]:
    """Pure: guides (id, source, signed up on), matches (volunteer id, participant id,
    approved on, status, end reason, level at start), assessments (participant id, on, level,
    oldest first) -> one row per source, in SOURCES order."""
    source_of = {gid: source for gid, source, _on in guides}
    signed_up = {gid: on for gid, _source, on in guides}
    first_match: dict[int, date] = {}
    ended = Counter()
    completed = Counter()
    starts: dict[tuple[str, int], tuple[date, str]] = {}
    for vid, pid, approved_on, status, reason, level in matches:
        source = source_of.get(vid)
        if source is None or approved_on is None or status == "rejected":
            continue
        first_match[vid] = min(first_match.get(vid, approved_on), approved_on)
        if status == "ended" and reason:
            ended[source] += 1
            completed[source] += reason in COMPLETED_REASONS
        if pid is not None and level and (source, pid) not in starts:
            starts[(source, pid)] = (approved_on, level)
    latest: dict[tuple[str, int], str] = {}
    for pid, on, level in assessments:
        for source in SOURCES:
            start = starts.get((source, pid))
            if start is not None and on > start[0]:
                latest[(source, pid)] = level
    rows = []
    for source in SOURCES:
        mine = [gid for gid, s in source_of.items() if s == source]
        waits = [(first_match[g] - signed_up[g]).days for g in mine if g in first_match]
        rises = [LEVELS.index(latest[key]) > LEVELS.index(starts[key][1])
                 for key in latest if key[0] == source]
        rows.append(SourceRow(source, len(mine), len(waits),
                              float(median(waits)) if waits else None, ended[source],
                              completed[source], len(rises), sum(rises)))
    return rows


def source_figures(organisation_id: int) -> list[SourceRow]:
    """The organisation's figures split by source of the guides (three queries)."""
    guides = [(vid, kind or "individual", clock.local_date(created))
              for vid, kind, created in db.session.execute(
                  select(VolunteerProfile.id, Partner.kind, VolunteerProfile.created_at)
                  .outerjoin(Partner, Partner.id == VolunteerProfile.partner_id)
                  .where(VolunteerProfile.organisation_id == organisation_id))]
    matches = [(m.volunteer_id, m.participant_id,
                clock.local_date(m.approved_at) if m.approved_at else None, m.status,
                m.end_reason, m.level_at_start)
               for m in db.session.execute(
                   select(Match.volunteer_id, Match.participant_id, Match.approved_at,
                          Match.status, Match.end_reason, Match.level_at_start)
                   .where(Match.organisation_id == organisation_id))]
    assessments = list(db.session.execute(
        select(LevelAssessment.participant_id, LevelAssessment.assessed_on,
               LevelAssessment.level)
        .join(ParticipantProfile, ParticipantProfile.id == LevelAssessment.participant_id)
        .where(ParticipantProfile.organisation_id == organisation_id)
        .order_by(LevelAssessment.assessed_on, LevelAssessment.id)))
    return figures_by_source(guides, matches, [tuple(a) for a in assessments])
