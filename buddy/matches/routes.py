"""A match as its volunteer and participant see it: introduction, contact, meetings."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from .. import clock
from ..access import roles_required
from ..extensions import db
from ..lifecycle import services as lifecycle
from ..lifecycle.pages import attempt
from ..models import ParticipantProfile, VolunteerProfile
from . import services
from .forms import FirstMeetingForm, MeetingForm

bp = Blueprint("matches", __name__, template_folder="templates", url_prefix="/match")


def _own_match_or_404(match_id: int):
    match = services.match_for_person(match_id, current_user)
    if match is None:
        abort(404)
    return match


def _render(match, first_form=None, meeting_form=None, status: int = 200):
    participant = db.session.get(ParticipantProfile, match.participant_id or 0)
    volunteer = db.session.get(VolunteerProfile, match.volunteer_id or 0)
    other = participant if current_user.role == "volunteer" else volunteer
    earliest = clock.local_date(match.approved_at) if match.approved_at else None
    first_form = first_form or FirstMeetingForm(formdata=None)
    meeting_form = meeting_form or MeetingForm(formdata=None)
    return render_template(
        "matches/detail.html", match=match, other=other, participant=participant,
        volunteer=volunteer, earliest=earliest,
        contact=lifecycle.shared_contact(other) if other and match.is_open else None,
        meetings=lifecycle.meetings_of(match.id) if current_user.role == "volunteer" else [],
        checklist_url=lifecycle.checklist_url(current_user.locale),
        first_form=first_form, meeting_form=meeting_form,
    ), status


@bp.get("/<int:match_id>")
@roles_required("volunteer", "participant")
def detail(match_id: int):
    """Show the match: introduction, contact, next steps."""
    return _render(_own_match_or_404(match_id))


@bp.post("/<int:match_id>/first-meeting")
@roles_required("volunteer")
def first_meeting(match_id: int):
    """Confirm the first meeting: the match becomes active."""
    match = _own_match_or_404(match_id)
    form = FirstMeetingForm()
    form.earliest = clock.local_date(match.approved_at) if match.approved_at else None
    if not form.validate_on_submit():
        return _render(match, first_form=form, status=422)
    if attempt(services.confirm_first_meeting, match, current_user, form.met_on.data):
        flash(gettext("Thank you! The match has started. Enjoy your meetings."), "success")
    return redirect(url_for("matches.detail", match_id=match_id))


@bp.post("/<int:match_id>/meetings")
@roles_required("volunteer")
def log_meeting(match_id: int):
    """Log a meeting of this match."""
    match = _own_match_or_404(match_id)
    form = MeetingForm()
    form.earliest = clock.local_date(match.activated_at) if match.activated_at else None
    if not form.validate_on_submit():
        return _render(match, meeting_form=form, status=422)
    if not attempt(services.log_meeting, match, current_user, form.met_on.data,
                   form.minutes.data, form.activity.data):
        return redirect(url_for("matches.detail", match_id=match_id))
    flash(gettext("The meeting is saved."), "success")
    return redirect(url_for("matches.detail", match_id=match_id) + "#meetings")
