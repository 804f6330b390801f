"""View helpers of a match's life, shared with matchmaking: run an action, render a match."""

from flask import flash, render_template

from .. import clock
from ..extensions import db
from ..forms import ConfirmForm
from ..models import Match
from . import services
from .forms import ActivateForm, AssessmentForm, CheckInForm, EndForm, reject_form_for


def attempt(action, *args, **kwargs) -> bool:
    """Run a match action; on refusal roll back, flash why and return False."""
    try:
        action(*args, **kwargs)
    except services.MatchActionError as error:
        db.session.rollback()
        flash(services.action_message(error.code), "error")
        return False
    return True


def render_match(match: Match, status: int = 200, **forms):
    """Render the coordinator's page of one match; forms in ``forms`` keep what was typed."""
    defaults = {
        "activate_form": ActivateForm(formdata=None, met_on=clock.today()),
        "end_form": EndForm(formdata=None),
        "checkin_form": CheckInForm(formdata=None),
        "assessment_form": AssessmentForm(formdata=None, assessed_on=clock.today()),
        "reject_form": reject_form_for(match.id),
        "form": ConfirmForm(formdata=None),
    }
    defaults.update(forms)
    return render_template("lifecycle/match.html", match=match,
                           **services.match_page(match), **defaults), status
