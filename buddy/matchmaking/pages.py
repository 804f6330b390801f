"""View helpers of matchmaking shared with a match's life: one participant's candidates."""

from flask import render_template

from .. import clock
from ..extensions import db
from ..forms import ConfirmForm
from ..lifecycle import services as lifecycle
from ..lifecycle.forms import AssessmentForm
from ..models import Organisation, ParticipantProfile
from . import pool, services


def render_candidates(participant: ParticipantProfile, status: int = 200, **forms):
    """Render the ranked candidates of ``participant``, with rules, matches and levels."""
    organisation = db.session.get(Organisation, participant.organisation_id)
    params = pool.MatchingParams.defaults(organisation)
    found = pool.candidates_for(participant, params)
    rules = services.list_rules(organisation.id, participant.id)
    return render_template(
        "matchmaking/candidates.html", participant=participant, found=found, params=params,
        rules=rules, people=services.people_of_rules(rules),
        eligible=participant.id in {p.id for p in pool.waiting_participants(
            organisation.id, (participant.neighbourhood_id,))},
        matches=lifecycle.participant_matches(participant.id),
        assessments=lifecycle.assessments_of(participant.id),
        waiting_days=lifecycle.waiting_days(participant),
        form=ConfirmForm(formdata=None),
        assessment_form=forms.get("assessment_form") or AssessmentForm(
            formdata=None, assessed_on=clock.today()),
    ), status


def components_of(explanation: dict | None) -> list[dict]:
    """Return an explanation's score components as a list of dicts (old or new shape)."""
    components = (explanation or {}).get("components") or []
    if isinstance(components, dict):
        return [{"name": k, "value": v, "weight": None, "contribution": None}
                for k, v in components.items()]
    return list(components)
