"""The coordinator workspace: queues, matching runs, proposals, the life of each match,
monitoring and exports. Views are thin: parse, call a service, render or redirect.
"""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user

from .. import clock
from ..access import roles_required
from ..extensions import db, limiter
from ..matches import services as lifecycle
from ..models import (
    Match,
    MatchingRun,
    Organisation,
    OutboxMessage,
    PairRule,
    ParticipantProfile,
    VolunteerProfile,
)
from . import exports, matching_service, monitor, services
from .forms import (
    WEIGHT_LABELS,
    ActivateForm,
    AssessmentForm,
    BulkApproveForm,
    CheckInForm,
    ConfirmForm,
    EndForm,
    ExportForm,
    MatchingForm,
    PairRuleForm,
    ProposeForm,
    RejectForm,
)

bp = Blueprint("coordinator", __name__, template_folder="templates", url_prefix="/coordinator")
PREVIEW_KEY = "matching_last_preview"


# --- helpers ----------------------------------------------------------------------------------

def _org() -> Organisation:
    organisation = db.session.get(Organisation, current_user.organisation_id or 0)
    if organisation is None:
        abort(404)
    return organisation


def _own(model, object_id: int):
    obj = services.get_scoped(model, object_id, current_user.organisation_id)
    if obj is None:
        abort(404)
    return obj


def _attempt(action, *args, **kwargs) -> bool:
    """Run a match action; on refusal roll back, flash why and return False."""
    try:
        action(*args, **kwargs)
    except lifecycle.MatchActionError as error:
        db.session.rollback()
        flash(lifecycle.action_message(error.code), "error")
        return False
    return True


# Pages of the people blueprint, under the names they may have there (first found wins).
PEOPLE_PAGES = {
    "participant_detail": ("people.participant_detail", "people.participant"),
    "volunteer_detail": ("people.volunteer_detail", "people.volunteer"),
}


def people_url(page: str, **values) -> str | None:
    """Return a link to a page of the people blueprint, if that page exists."""
    for endpoint in PEOPLE_PAGES.get(page, (f"people.{page}",)):
        if endpoint in current_app.view_functions:
            return url_for(endpoint, **values)
    return None


@bp.context_processor
def coordinator_helpers():
    return {"people_url": people_url, "components_of": components_of,
            "weight_labels": WEIGHT_LABELS}


def components_of(explanation: dict | None) -> list[dict]:
    """Return an explanation's score components as a list of dicts (old or new shape)."""
    components = (explanation or {}).get("components") or []
    if isinstance(components, dict):
        return [{"name": k, "value": v, "weight": None, "contribution": None}
                for k, v in components.items()]
    return list(components)


# --- dashboard and outbox -------------------------------------------------------------------

@bp.get("/")
@roles_required("coordinator")
def dashboard():
    """Show the queues: to screen, waiting, proposals, check-ins, VOG renewals, outbox."""
    organisation = _org()
    return render_template("coordinator/dashboard.html", organisation=organisation,
                           queues=services.dashboard(organisation))


@bp.get("/outbox")
@roles_required("coordinator")
def outbox():
    """List the organisation's e-mails and their delivery state (no contents)."""
    organisation = _org()
    return render_template("coordinator/outbox.html", messages=services.list_outbox(
        organisation.id), counts=services.outbox_counts(organisation.id), form=ConfirmForm())


@bp.post("/outbox/<int:message_id>/retry")
@roles_required("coordinator")
def retry_message(message_id: int):
    """Give a failed e-mail new delivery attempts."""
    message = _own(OutboxMessage, message_id)
    if ConfirmForm().validate_on_submit():
        services.retry_outbox(message)
        flash(gettext("The e-mail will be sent again."), "success")
    return redirect(url_for("coordinator.outbox"))


# --- matching runs ----------------------------------------------------------------------------

def _matching_form(organisation: Organisation, formdata=True) -> MatchingForm:
    defaults = matching_service.MatchingParams.defaults(organisation)
    form = MatchingForm(formdata=None) if not formdata else MatchingForm()
    if not formdata:
        for name, value in defaults.weights.items():
            getattr(form, name).data = value
        form.min_score.data = defaults.min_score
    form.neighbourhoods.choices = [(str(h.id), h.name) for h in organisation.neighbourhoods]
    return form


def _params(form: MatchingForm) -> matching_service.MatchingParams:
    return matching_service.params_from_weights(form.weights(), form.min_score.data,
                                                form.neighbourhoods.data or [])


def _render_matching(organisation, form, result=None, status=200):
    return render_template(
        "coordinator/matching.html", organisation=organisation, form=form, result=result,
        previous=session.get(PREVIEW_KEY) if result is None else getattr(result, "previous", None),
        runs=services.list_runs(organisation.id), result_today=clock.today()), status


@bp.get("/matching")
@roles_required("coordinator")
def matching():
    """Choose scope, weights and minimum score for a matching run."""
    organisation = _org()
    return _render_matching(organisation, _matching_form(organisation, formdata=False))


@bp.post("/matching")
@roles_required("coordinator")
def preview():
    """Preview a run (nothing is saved) and compare it with the previous preview."""
    organisation = _org()
    form = _matching_form(organisation)
    if not form.validate_on_submit():
        return _render_matching(organisation, form, status=422)
    result = matching_service.preview(organisation, _params(form))
    result.previous = session.get(PREVIEW_KEY)
    session[PREVIEW_KEY] = {"summary": result.summary, "params": result.params.as_dict()}
    return _render_matching(organisation, form, result)


@bp.post("/matching/create")
@roles_required("coordinator")
def create_run():
    """Create proposals: run the engine again on fresh data and save the run."""
    organisation = _org()
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
        run = matching_service.create_run(organisation, params, current_user)
    except matching_service.NothingToPropose:
        flash(gettext("There is nothing to propose with these settings."), "info")
        return redirect(url_for("coordinator.matching"))
    except lifecycle.MatchActionError:
        db.session.rollback()
        flash(gettext("Something changed while the proposals were being made, so nothing was "
                      "saved. Please preview again."), "error")
        return redirect(url_for("coordinator.matching"))
    session.pop(PREVIEW_KEY, None)
    flash(ngettext("%(num)d proposal was made.", "%(num)d proposals were made.",
                   run.proposed_count), "success")
    return redirect(url_for("coordinator.proposals"))


@bp.get("/runs/<int:run_id>")
@roles_required("coordinator")
def run_detail(run_id: int):
    """Show a saved run: its settings, counts and the matches it proposed."""
    run = _own(MatchingRun, run_id)
    return render_template("coordinator/run.html", run=run, matches=services.run_matches(run),
                           hoods={h.id: h for h in _org().neighbourhoods})


# --- proposals --------------------------------------------------------------------------------

def reject_form_for(match_id: int, formdata=None) -> RejectForm:
    """Return the reject form of one match (prefixed: many are on one page).

    The form's own CSRF field is off; ``CSRFProtect`` checks every POST anyway.
    """
    return RejectForm(formdata=formdata, prefix=f"m{match_id}", meta={"csrf": False})


def _page_arg() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and len(page) < 6 else 1


def _render_proposals(failed: RejectForm | None = None, failed_id: int | None = None,
                      bulk_form=None, status=200):
    org_id, page = current_user.organisation_id, _page_arg()
    proposals = services.list_proposals(org_id, page)
    total = services.count_query(services.proposals_query(org_id))
    forms = {m.id: failed if m.id == failed_id else reject_form_for(m.id) for m in proposals}
    return render_template("coordinator/proposals.html", proposals=proposals,
                           reject_forms=forms, bulk_form=bulk_form or BulkApproveForm(
                               formdata=None), form=ConfirmForm(formdata=None),
                           page=page, total=total, page_size=services.PAGE_SIZE), status


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
    approved, skipped = services.approve_many(matches, current_user)
    skipped += len(set(form.match_ids.data)) - len(matches)
    flash(ngettext("%(num)d proposal approved.", "%(num)d proposals approved.", approved),
          "success")
    if skipped:
        flash(ngettext("%(num)d proposal was skipped: it was changed by someone else.",
                       "%(num)d proposals were skipped: they were changed by someone else.",
                       skipped), "warning")
    return redirect(url_for("coordinator.proposals"))


@bp.post("/matches/<int:match_id>/approve")
@roles_required("coordinator")
def approve(match_id: int):
    """Approve one proposal; both people get an introduction."""
    match = _own(Match, match_id)
    if ConfirmForm().validate_on_submit() and _attempt(lifecycle.approve, match, current_user):
        flash(gettext("Approved. Both have been sent an introduction."), "success")
    if request.form.get("next") == "match":
        return redirect(url_for("coordinator.match_detail", match_id=match_id))
    return redirect(url_for("coordinator.proposals"))


@bp.post("/matches/<int:match_id>/reject")
@roles_required("coordinator")
def reject(match_id: int):
    """Reject one proposal with a reason; the pair is never proposed again."""
    match = _own(Match, match_id)
    form = reject_form_for(match.id, request.form)
    if not form.validate_on_submit():
        return _render_proposals(form, match.id, status=422)
    if _attempt(lifecycle.reject, match, current_user, form.reason.data):
        flash(gettext("Rejected. This pair will not be proposed again."), "success")
    return redirect(url_for("coordinator.proposals"))


# --- one match --------------------------------------------------------------------------------

def _render_match(match: Match, status: int = 200, **forms):
    defaults = {
        "activate_form": ActivateForm(formdata=None, met_on=clock.today()),
        "end_form": EndForm(formdata=None),
        "checkin_form": CheckInForm(formdata=None),
        "assessment_form": AssessmentForm(formdata=None, assessed_on=clock.today()),
        "reject_form": reject_form_for(match.id),
        "form": ConfirmForm(formdata=None),
    }
    defaults.update(forms)
    return render_template("coordinator/match.html", match=match,
                           **services.match_page(match), **defaults), status


@bp.get("/matches")
@roles_required("coordinator")
def matches():
    """List matches by state, check-ins due, or past their planned end."""
    which = request.args.get("show", "open")
    which = which if which in services.MATCH_FILTERS else "open"
    page = _page_arg()
    rows, total = services.list_matches(current_user.organisation_id, which, page)
    return render_template("coordinator/matches.html", matches=rows, total=total, which=which,
                           page=page, page_size=services.PAGE_SIZE,
                           filters=services.MATCH_FILTERS)


@bp.get("/matches/<int:match_id>")
@roles_required("coordinator")
def match_detail(match_id: int):
    """Show one match: both people, history, check-ins, meetings and levels."""
    return _render_match(_own(Match, match_id))


@bp.post("/matches/<int:match_id>/activate")
@roles_required("coordinator")
def activate(match_id: int):
    """Record the first meeting: the match becomes active and check-ins are planned."""
    match = _own(Match, match_id)
    form = ActivateForm()
    if not form.validate_on_submit():
        return _render_match(match, 422, activate_form=form)
    if _attempt(lifecycle.activate, match, current_user, form.met_on.data):
        flash(gettext("The match is active. Check-ins are planned."), "success")
    return redirect(url_for("coordinator.match_detail", match_id=match_id))


@bp.post("/matches/<int:match_id>/end")
@roles_required("coordinator")
def end(match_id: int):
    """End a match with a reason and a short reflection."""
    match = _own(Match, match_id)
    form = EndForm()
    if not form.validate_on_submit():
        return _render_match(match, 422, end_form=form)
    if _attempt(lifecycle.end, match, current_user, form.reason.data, form.note.data,
                form.back_to_waiting.data):
        flash(gettext("The match has ended."), "success")
    return redirect(url_for("coordinator.match_detail", match_id=match_id))


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
        return _render_match(match, 422, checkin_form=form, failed_checkin=checkin.id)
    if _attempt(lifecycle.record_checkin, checkin, current_user, form.outcome.data,
                form.note.data):
        flash(gettext("The check-in is saved."), "success")
    return redirect(url_for("coordinator.match_detail", match_id=match.id) + "#checkins")


@bp.post("/participants/<int:participant_id>/levels")
@roles_required("coordinator")
def add_level(participant_id: int):
    """Record a Dutch level assessment of a participant."""
    participant = _own(ParticipantProfile, participant_id)
    match_id = request.args.get("match", "")
    match = services.get_scoped(Match, int(match_id), participant.organisation_id) \
        if match_id.isdigit() and len(match_id) < 12 else None
    form = AssessmentForm()
    if not form.validate_on_submit():
        if match is not None:
            return _render_match(match, 422, assessment_form=form)
        return _render_candidates(participant, status=422, assessment_form=form)
    if _attempt(lifecycle.add_assessment, participant, current_user, form.assessed_on.data,
                form.level.data):
        flash(gettext("The level is saved."), "success")
    if match is not None:
        return redirect(url_for("coordinator.match_detail", match_id=match.id) + "#levels")
    return redirect(url_for("coordinator.candidates", participant_id=participant.id))


# --- one participant: candidates and pair rules -----------------------------------------------

def _render_candidates(participant: ParticipantProfile, status: int = 200, **forms):
    organisation = _org()
    params = matching_service.MatchingParams.defaults(organisation)
    found = matching_service.candidates_for(participant, params)
    rules = services.list_rules(organisation.id, participant.id)
    return render_template(
        "coordinator/candidates.html", participant=participant, found=found, params=params,
        rules=rules, people=services.people_of_rules(rules),
        eligible=participant.id in {p.id for p in matching_service.waiting_participants(
            organisation.id, (participant.neighbourhood_id,))},
        matches=services.participant_matches(participant.id),
        assessments=lifecycle.assessments_of(participant.id),
        waiting_days=lifecycle.waiting_days(participant),
        form=ConfirmForm(formdata=None),
        assessment_form=forms.get("assessment_form") or AssessmentForm(
            formdata=None, assessed_on=clock.today()),
    ), status


@bp.get("/participants/<int:participant_id>/candidates")
@roles_required("coordinator")
def candidates(participant_id: int):
    """Rank possible buddies for one participant, with the reasons for each score."""
    return _render_candidates(_own(ParticipantProfile, participant_id))


@bp.post("/participants/<int:participant_id>/candidates")
@roles_required("coordinator")
def propose(participant_id: int):
    """Propose one candidate as buddy for this participant."""
    participant = _own(ParticipantProfile, participant_id)
    form = ProposeForm()
    volunteer_id = form.volunteer() if form.validate_on_submit() else None
    if volunteer_id is None or services.get_scoped(VolunteerProfile, volunteer_id,
                                                   participant.organisation_id) is None:
        abort(404)
    if _attempt(services.propose_manually, participant, volunteer_id, current_user):
        flash(gettext("The proposal is made. Approve it on the proposals page."), "success")
        return redirect(url_for("coordinator.proposals"))
    return redirect(url_for("coordinator.candidates", participant_id=participant_id))


@bp.post("/participants/<int:participant_id>/rules")
@roles_required("coordinator")
def add_rule(participant_id: int):
    """Pin or forbid a pair for the next matching runs."""
    participant = _own(ParticipantProfile, participant_id)
    form = PairRuleForm()
    volunteer_id = form.volunteer() if form.validate_on_submit() else None
    volunteer = services.get_scoped(VolunteerProfile, volunteer_id or 0,
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
    return redirect(url_for("coordinator.candidates", participant_id=participant_id))


@bp.get("/rules")
@roles_required("coordinator")
def rules():
    """List pinned and forbidden pairs."""
    rules = services.list_rules(current_user.organisation_id)
    return render_template("coordinator/rules.html", rules=rules,
                           people=services.people_of_rules(rules), form=ConfirmForm())


@bp.post("/rules/<int:rule_id>/delete")
@roles_required("coordinator")
def remove_rule(rule_id: int):
    """Remove a pinned or forbidden pair."""
    rule = _own(PairRule, rule_id)
    if ConfirmForm().validate_on_submit():
        services.remove_pair_rule(rule)
        flash(gettext("The rule is removed."), "success")
    back = request.form.get("next")
    if back == "candidates":
        return redirect(url_for("coordinator.candidates", participant_id=rule.participant_id))
    return redirect(url_for("coordinator.rules"))


@bp.get("/waiting")
@roles_required("coordinator")
def waiting():
    """List the waiting list, rematches first, then the longest waiting."""
    org_id, page = current_user.organisation_id, _page_arg()
    return render_template("coordinator/waiting.html",
                           waiting=services.list_waiting(org_id, page), page=page,
                           total=services.count_query(services.waiting_query(org_id)),
                           page_size=services.PAGE_SIZE)


# --- monitor, figures, exports ----------------------------------------------------------------

@bp.get("/monitor")
@roles_required("coordinator")
def monitor_page():
    """Show the organisation's figures as charts with data tables."""
    figures = monitor.organisation_figures(current_user.organisation_id, clock.today())
    return render_template("coordinator/monitor.html", figures=figures,
                           charts=monitor.charts(figures))


@bp.get("/figures/all")
@roles_required("admin")
def all_figures():
    """Compare organisations side by side: aggregates only, small groups hidden."""
    return render_template("coordinator/figures_all.html",
                           rows=monitor.all_organisations(clock.today()),
                           min_group=monitor.MIN_GROUP)


def _export_limit() -> str:
    return current_app.config["EXPORT_LIMIT"]


def _export_key() -> str:
    return f"export:{getattr(current_user, 'id', None)}"


@bp.get("/exports")
@roles_required("coordinator")
def exports_page():
    """Offer the CSV exports."""
    return render_template("coordinator/exports.html", form=ExportForm(formdata=None))


@bp.post("/exports")
@roles_required("coordinator")
@limiter.limit(_export_limit, key_func=_export_key)
def export():
    """Download matches or the waiting list as CSV (pseudonymised unless asked otherwise)."""
    form = ExportForm()
    if not form.validate_on_submit():
        return render_template("coordinator/exports.html", form=form), 422
    filename, text = exports.export(form.kind.data, current_user.organisation_id,
                                    form.include_names.data)
    return Response(text.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})

