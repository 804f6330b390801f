"""Matchmaking: matching runs (preview, create), proposals and the decisions on them,
one participant's candidates, pair rules and the waiting list. Views are thin.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from .. import clock
from ..access import current_organisation, in_organisation, own_or_404, roles_required
from ..extensions import db
from ..forms import ConfirmForm
from ..lifecycle import services as lifecycle
from ..lifecycle.forms import reject_form_for
from ..lifecycle.pages import attempt
from ..models import (
    Match,
    MatchingRun,
    Organisation,
    PairRule,
    ParticipantProfile,
    VolunteerProfile,
)
from ..pagination import page_number
from ..partners import services as partners
from . import pool, services
from .forms import BulkApproveForm, MatchingForm, PairRuleForm, ProposeForm
from .pages import components_of, render_candidates

bp = Blueprint("matchmaking", __name__, template_folder="templates", url_prefix="/coordinator")
PREVIEW_KEY = "matching_last_preview"
bp.add_app_template_global(components_of, "components_of")

# --- matching runs ----------------------------------------------------------------------------

def _matching_form(organisation: Organisation, formdata=True) -> MatchingForm:
    defaults = pool.MatchingParams.defaults(organisation)
    form = MatchingForm(formdata=None) if not formdata else MatchingForm()
    if not formdata:
        for name, value in defaults.weights.items():
            getattr(form, name).data = value
        form.min_score.data = defaults.min_score
    form.neighbourhoods.choices = [(str(h.id), h.name) for h in organisation.neighbourhoods]
    return form


def _params(form: MatchingForm) -> pool.MatchingParams:
    return pool.params_from_weights(form.weights(), form.min_score.data,
                                                form.neighbourhoods.data or [])


def _render_matching(organisation, form, result=None, status=200):
    return render_template(
        "matchmaking/matching.html", organisation=organisation, form=form, result=result,
        previous=session.get(PREVIEW_KEY) if result is None else getattr(result, "previous", None),
        runs=services.list_runs(organisation.id), result_today=clock.today()), status


@bp.get("/matching")
@roles_required("coordinator")
def matching():
    """Choose scope, weights and minimum score for a matching run."""
    organisation = current_organisation()
    return _render_matching(organisation, _matching_form(organisation, formdata=False))


@bp.post("/matching")
@roles_required("coordinator")
def preview():
    """Preview a run (nothing is saved) and compare it with the previous preview."""
    organisation = current_organisation()
    form = _matching_form(organisation)
    if not form.validate_on_submit():
        return _render_matching(organisation, form, status=422)
    result = pool.preview(organisation, _params(form))
    result.previous = session.get(PREVIEW_KEY)
    session[PREVIEW_KEY] = {"summary": result.summary, "params": result.params.as_dict()}
    return _render_matching(organisation, form, result)


@bp.post("/matching/create")
@roles_required("coordinator")
def create_run():
    """Create proposals: run the engine again on fresh data and save the run."""
    organisation = current_organisation()
    form = _matching_form(organisation)
    if not form.validate_on_submit():
        return _render_matching(organisation, form, status=422)
    params = _params(form)
    last = session.get(PREVIEW_KEY) or {}
    if last.get("params") != params.as_dict():
        flash(gettext("The settings changed since the last preview. Please check this preview "
                      "first."), "warning")
        return preview()
    try:
        run = pool.create_run(organisation, params, current_user)
    except pool.NothingToPropose:
        flash(gettext("There is nothing to propose with these settings."), "info")
        return redirect(url_for("matchmaking.matching"))
    except lifecycle.MatchActionError:
        db.session.rollback()
        flash(gettext("Something changed while the proposals were being made, so nothing was "
                      "saved. Please preview again."), "error")
        return redirect(url_for("matchmaking.matching"))
    session.pop(PREVIEW_KEY, None)
    flash(ngettext("%(num)d proposal was made.", "%(num)d proposals were made.",
                   run.proposed_count), "success")
    return redirect(url_for("matchmaking.proposals"))


@bp.get("/runs/<int:run_id>")
@roles_required("coordinator")
def run_detail(run_id: int):
    """Show a saved run: its settings, counts and the matches it proposed."""
    run = own_or_404(MatchingRun, run_id)
    return render_template("matchmaking/run.html", run=run, matches=services.run_matches(run),
                           hoods={h.id: h for h in current_organisation().neighbourhoods})


# --- proposals --------------------------------------------------------------------------------

def _render_proposals(failed=None, failed_id: int | None = None, bulk_form=None, status=200):
    page = services.proposals_page(current_user.organisation_id,
                                   page_number(request.args.get("page")))
    forms = {m.id: failed if m.id == failed_id else reject_form_for(m.id) for m in page}
    return render_template("matchmaking/proposals.html", page=page, reject_forms=forms,
                           bulk_form=bulk_form or BulkApproveForm(formdata=None),
                           form=ConfirmForm(formdata=None)), status


@bp.get("/proposals")
@roles_required("coordinator")
def proposals():
    """List proposals to approve or reject."""
    return _render_proposals()


@bp.post("/proposals/approve")
@roles_required("coordinator")
def approve_selected():
    """Approve the ticked proposals; skip those somebody else decided already."""
    form = BulkApproveForm()
    form.match_ids.choices = [(i, str(i)) for i in services.own_match_ids(
        current_user.organisation_id, request.form.getlist("match_ids"))]
    if not form.validate_on_submit():
        flash(gettext("Please tick the proposals you want to approve."), "error")
        return _render_proposals(bulk_form=form, status=422)
    matches = services.proposals_by_ids(current_user.organisation_id, form.match_ids.data)
    pupils = [m for m in matches if m.volunteer is not None and partners.is_minor(m.volunteer)]
    matches = [m for m in matches if m not in pupils]
    approved, skipped = services.approve_many(matches, current_user)
    skipped += len(set(form.match_ids.data)) - len(matches) - len(pupils)
    if pupils:
        flash(ngettext("%(num)d proposal with a pupil under 18 was not approved: approve it "
                       "on its own.",
                       "%(num)d proposals with a pupil under 18 were not approved: approve "
                       "each on its own.", len(pupils)), "warning")
    flash(ngettext("%(num)d proposal approved.", "%(num)d proposals approved.", approved),
          "success")
    if skipped:
        flash(ngettext("%(num)d proposal was skipped: it was changed by someone else.",
                       "%(num)d proposals were skipped: they were changed by someone else.",
                       skipped), "warning")
    return redirect(url_for("matchmaking.proposals"))


@bp.post("/matches/<int:match_id>/approve")
@roles_required("coordinator")
def approve(match_id: int):
    """Approve one proposal; both people get an introduction."""
    match = own_or_404(Match, match_id)
    if ConfirmForm().validate_on_submit() and attempt(lifecycle.approve, match, current_user):
        flash(gettext("Approved. Both have been sent an introduction."), "success")
    if request.form.get("next") == "match":
        return redirect(url_for("lifecycle.match_detail", match_id=match_id))
    return redirect(url_for("matchmaking.proposals"))


@bp.post("/matches/<int:match_id>/reject")
@roles_required("coordinator")
def reject(match_id: int):
    """Reject one proposal with a reason; the pair is never proposed again."""
    match = own_or_404(Match, match_id)
    form = reject_form_for(match.id, request.form)
    if not form.validate_on_submit():
        return _render_proposals(form, match.id, status=422)
    if attempt(lifecycle.reject, match, current_user, form.reason.data):
        flash(gettext("Rejected. This pair will not be proposed again."), "success")
    return redirect(url_for("matchmaking.proposals"))


# --- one participant: candidates and pair rules -----------------------------------------------

@bp.get("/participants/<int:participant_id>/candidates")
@roles_required("coordinator")
def candidates(participant_id: int):
    """Rank possible buddies for one participant, with the reasons for each score."""
    return render_candidates(own_or_404(ParticipantProfile, participant_id))


@bp.post("/participants/<int:participant_id>/candidates")
@roles_required("coordinator")
def propose(participant_id: int):
    """Propose one candidate as buddy for this participant."""
    participant = own_or_404(ParticipantProfile, participant_id)
    form = ProposeForm()
    volunteer_id = form.volunteer() if form.validate_on_submit() else None
    if volunteer_id is None or in_organisation(VolunteerProfile, volunteer_id,
                                                   participant.organisation_id) is None:
        abort(404)
    if attempt(services.propose_manually, participant, volunteer_id, current_user):
        flash(gettext("The proposal is made. Approve it on the proposals page."), "success")
        return redirect(url_for("matchmaking.proposals"))
    return redirect(url_for("matchmaking.candidates", participant_id=participant_id))


@bp.post("/participants/<int:participant_id>/rules")
@roles_required("coordinator")
def add_rule(participant_id: int):
    """Pin or forbid a pair for the next matching runs."""
    participant = own_or_404(ParticipantProfile, participant_id)
    form = PairRuleForm()
    volunteer_id = form.volunteer() if form.validate_on_submit() else None
    volunteer = in_organisation(VolunteerProfile, volunteer_id or 0,
                                    participant.organisation_id)
    if volunteer is None:
        abort(404)
    if services.add_pair_rule(participant, volunteer, form.kind.data, current_user) is None:
        flash(gettext("This rule exists already."), "info")
    elif form.kind.data == "pin":
        flash(gettext("Pinned: the next matching run proposes this pair if it is possible."),
              "success")
    else:
        flash(gettext("Forbidden: this pair will not be proposed."), "success")
    return redirect(url_for("matchmaking.candidates", participant_id=participant_id))


@bp.get("/rules")
@roles_required("coordinator")
def rules():
    """List pinned and forbidden pairs."""
    rules = services.list_rules(current_user.organisation_id)
    return render_template("matchmaking/rules.html", rules=rules,
                           people=services.people_of_rules(rules), form=ConfirmForm())


@bp.post("/rules/<int:rule_id>/delete")
@roles_required("coordinator")
def remove_rule(rule_id: int):
    """Remove a pinned or forbidden pair."""
    rule = own_or_404(PairRule, rule_id)
    if ConfirmForm().validate_on_submit():
        services.remove_pair_rule(rule)
        flash(gettext("The rule is removed."), "success")
    back = request.form.get("next")
    if back == "candidates":
        return redirect(url_for("matchmaking.candidates", participant_id=rule.participant_id))
    return redirect(url_for("matchmaking.rules"))


@bp.get("/waiting")
@roles_required("coordinator")
def waiting():
    """List the waiting list, rematches first, then the longest waiting."""
    page = services.waiting_page(current_user.organisation_id,
                                 page_number(request.args.get("page")))
    return render_template("matchmaking/waiting.html", page=page)

