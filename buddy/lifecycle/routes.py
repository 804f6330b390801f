"""A match's life as the coordinator follows it: the list of matches, one match's page,
the first meeting (activation), check-ins, level assessments and the end. Views are thin.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..access import in_organisation, own_or_404, roles_required
from ..extensions import db
from ..matchmaking.pages import render_candidates
from ..models import Match, ParticipantProfile
from ..pagination import page_number
from . import services
from .forms import ActivateForm, AssessmentForm, CheckInForm, EndForm
from .pages import attempt, render_match

bp = Blueprint("lifecycle", __name__, template_folder="templates", url_prefix="/coordinator")
bp.add_app_template_global(services.waiting_days, "waiting_days")  # Amsterdam days

@bp.get("/matches")
@roles_required("coordinator")
def matches():
    """List matches by state, check-ins due, or past their planned end."""
    which = request.args.get("show", "open")
    which = which if which in services.MATCH_FILTERS else "open"
    page = services.matches_page(current_user.organisation_id, which,
                                 page_number(request.args.get("page")))
    return render_template("lifecycle/matches.html", page=page, which=which,
                           filters=services.MATCH_FILTERS)


@bp.get("/matches/<int:match_id>")
@roles_required("coordinator")
def match_detail(match_id: int):
    """Show one match: both people, history, check-ins, meetings and levels."""
    return render_match(own_or_404(Match, match_id))


@bp.post("/matches/<int:match_id>/activate")
@roles_required("coordinator")
def activate(match_id: int):
    """Record the first meeting: the match becomes active and check-ins are planned."""
    match = own_or_404(Match, match_id)
    form = ActivateForm()
    if not form.validate_on_submit():
        return render_match(match, 422, activate_form=form)
    if attempt(services.activate, match, current_user, form.met_on.data):
        flash(gettext("The match is active. Check-ins are planned."), "success")
    return redirect(url_for("lifecycle.match_detail", match_id=match_id))


@bp.post("/matches/<int:match_id>/end")
@roles_required("coordinator")
def end(match_id: int):
    """End a match with a reason and a short reflection."""
    match = own_or_404(Match, match_id)
    form = EndForm()
    if not form.validate_on_submit():
        return render_match(match, 422, end_form=form)
    if attempt(services.end, match, current_user, form.reason.data, form.note.data,
                form.back_to_waiting.data):
        flash(gettext("The match has ended."), "success")
    return redirect(url_for("lifecycle.match_detail", match_id=match_id))


@bp.post("/checkins/<int:checkin_id>")
@roles_required("coordinator")
def record_checkin(checkin_id: int):
    """Record the outcome of a check-in."""
    checkin = services.get_checkin(checkin_id, current_user.organisation_id)
    if checkin is None:
        abort(404)
    match = db.session.get(Match, checkin.match_id)
    form = CheckInForm()
    if not form.validate_on_submit():
        return render_match(match, 422, checkin_form=form, failed_checkin=checkin.id)
    if attempt(services.record_checkin, checkin, current_user, form.outcome.data,
                form.note.data):
        flash(gettext("The check-in is saved."), "success")
    return redirect(url_for("lifecycle.match_detail", match_id=match.id) + "#checkins")


@bp.post("/participants/<int:participant_id>/levels")
@roles_required("coordinator")
def add_level(participant_id: int):
    """Record a Dutch level assessment of a participant."""
    participant = own_or_404(ParticipantProfile, participant_id)
    match_id = request.args.get("match", "")
    match = in_organisation(Match, int(match_id), participant.organisation_id) \
        if match_id.isdigit() and len(match_id) < 12 else None
    form = AssessmentForm()
    if not form.validate_on_submit():
        if match is not None:
            return render_match(match, 422, assessment_form=form)
        return render_candidates(participant, status=422, assessment_form=form)
    if attempt(services.add_assessment, participant, current_user, form.assessed_on.data,
                form.level.data):
        flash(gettext("The level is saved."), "success")
    if match is not None:
        return redirect(url_for("lifecycle.match_detail", match_id=match.id) + "#levels")
    return redirect(url_for("matchmaking.candidates", participant_id=participant.id))

