"""Places of an organisation: its neighbourhoods and the list of local referrals.

Services take explicit inputs, return values and only flush; the request boundary commits.
"""

from dataclasses import dataclass

from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from .. import audit
from ..errors import ActionRefused
from ..extensions import db
from ..models import LocalReferral, Neighbourhood, ParticipantProfile, VolunteerProfile

# -- neighbourhoods ---------------------------------------------------------------------

@dataclass(frozen=True)
class NeighbourhoodRow:
    neighbourhood: Neighbourhood
    volunteers: int
    participants: int

    @property
    def in_use(self) -> bool:
        return bool(self.volunteers or self.participants)


def neighbourhoods_of(organisation_id: int) -> list[Neighbourhood]:
    """Return the organisation's neighbourhoods by name."""
    return list(db.session.scalars(select(Neighbourhood).where(
        Neighbourhood.organisation_id == organisation_id).order_by(Neighbourhood.name)))


def _profile_counts(model, organisation_id: int) -> dict[int, int]:
    return dict(db.session.execute(
        select(model.neighbourhood_id, func.count(model.id))
        .where(model.organisation_id == organisation_id)
        .group_by(model.neighbourhood_id)).all())


def neighbourhood_rows(organisation_id: int) -> list[NeighbourhoodRow]:
    """Return the neighbourhoods with how many volunteers and participants live there."""
    volunteers = _profile_counts(VolunteerProfile, organisation_id)
    participants = _profile_counts(ParticipantProfile, organisation_id)
    return [NeighbourhoodRow(h, volunteers.get(h.id, 0), participants.get(h.id, 0))
            for h in neighbourhoods_of(organisation_id)]


def neighbourhood_name_taken(organisation_id: int, name: str, exclude_id: int | None) -> bool:
    """Return True if the organisation has another neighbourhood with this name.

    Compared case-folded in Python: SQL ``lower()`` on SQLite folds only ASCII letters, so
    "Û" and "û" would slip through there and hit the unique constraint instead.
    """
    wanted = (name or "").casefold()
    rows = db.session.execute(select(Neighbourhood.id, Neighbourhood.name).where(
        Neighbourhood.organisation_id == organisation_id)).all()
    return any(row.name.casefold() == wanted and row.id != exclude_id for row in rows)


def save_neighbourhood(organisation_id: int, name: str, lat: float, lon: float,
                       priority_area: bool, hood: Neighbourhood | None = None) -> Neighbourhood:
    """Add a neighbourhood, or change ``hood``."""
    if neighbourhood_name_taken(organisation_id, name, hood.id if hood else None):
        raise ActionRefused(gettext("There is already a neighbourhood with this name."))
    created = hood is None
    if created:
        hood = Neighbourhood(organisation_id=organisation_id)
        db.session.add(hood)
    hood.name, hood.lat, hood.lon, hood.priority_area = name, lat, lon, priority_area
    db.session.flush()
    audit.record("neighbourhood.created" if created else "neighbourhood.updated", hood,
                 priority_area=priority_area)
    return hood


def delete_neighbourhood(hood: Neighbourhood) -> None:
    """Delete a neighbourhood that nobody lives in (by their profile)."""
    used = sum(_profile_counts(model, hood.organisation_id).get(hood.id, 0)
               for model in (VolunteerProfile, ParticipantProfile))
    if used:
        raise ActionRefused(ngettext(
            "%(num)d person lives in this neighbourhood. Move them to another one first.",
            "%(num)d people live in this neighbourhood. Move them to another one first.",
            used))
    audit.record("neighbourhood.deleted", hood)
    db.session.delete(hood)
    db.session.flush()


# -- local referrals --------------------------------------------------------------------

def referrals_of(organisation_id: int) -> list[LocalReferral]:
    """Return the organisation's referrals in the order volunteers see them."""
    return list(db.session.scalars(select(LocalReferral).where(
        LocalReferral.organisation_id == organisation_id)
        .order_by(LocalReferral.position, LocalReferral.id)))


def save_referral(organisation_id: int, name: str, purpose: str, contact: str,
                  referral: LocalReferral | None = None) -> LocalReferral:
    """Add a referral at the end of the list, or change ``referral``."""
    created = referral is None
    if created:
        last = db.session.scalar(select(func.max(LocalReferral.position)).where(
            LocalReferral.organisation_id == organisation_id))
        referral = LocalReferral(organisation_id=organisation_id,
                                 position=0 if last is None else last + 1)
        db.session.add(referral)
    referral.name, referral.purpose, referral.contact = name, purpose, contact
    db.session.flush()
    audit.record("referral.created" if created else "referral.updated", referral)
    return referral


def _renumber(referrals: list[LocalReferral]) -> None:
    for position, referral in enumerate(referrals):
        referral.position = position


def delete_referral(referral: LocalReferral) -> None:
    """Delete a referral and close the gap in the order."""
    audit.record("referral.deleted", referral)
    organisation_id = referral.organisation_id
    db.session.delete(referral)
    db.session.flush()
    _renumber(referrals_of(organisation_id))
    db.session.flush()


def move_referral(referral: LocalReferral, direction: str) -> None:
    """Move a referral one place up or down in the list."""
    referrals = referrals_of(referral.organisation_id)
    index = referrals.index(referral)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(referrals):
        raise ActionRefused(gettext("This referral cannot move further."))
    referrals[index], referrals[other] = referrals[other], referrals[index]
    _renumber(referrals)
    db.session.flush()
    audit.record("referral.moved", referral, direction=direction)
