"""Forms of a match's life: first meeting, end, check-in, level assessment, rejection."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField
from wtforms.validators import DataRequired, Length

from .. import labels
from ..forms import CleanTextAreaField, RejectForm, not_in_future
from ..vocab import CHECKIN_OUTCOMES, END_REASONS, LEVELS


def reject_form_for(match_id: int, formdata=None) -> RejectForm:
    """Return the reject form of one proposed match (prefixed: many are on one page).

    The form's own CSRF field is off; ``CSRFProtect`` checks every POST anyway.
    """
    return RejectForm(formdata=formdata, prefix=f"m{match_id}", meta={"csrf": False},
                      label=_l("Why not this pair?"),
                      description=_l("For example: they know each other, or the volunteer "
                                     "is away."))


class ActivateForm(FlaskForm):
    met_on = DateField(_l("Date of the first meeting"),
                       validators=[DataRequired(_l("Please fill in a date.")), not_in_future])


class EndForm(FlaskForm):
    reason = SelectField(_l("Why does the match end?"),
                         choices=lambda: [(key, labels.END_REASONS[key]) for key in END_REASONS],
                         validators=[DataRequired(_l("Please choose a reason."))])
    note = CleanTextAreaField(
        _l("Short reflection"),
        description=_l("What went well, what could be better? No sensitive details."),
        validators=[Length(max=1000, message=_l("Please write at most %(max)d characters."))],
        render_kw={"rows": 3, "maxlength": 1000},
    )
    back_to_waiting = BooleanField(
        _l("Put the participant back on the waiting list, with priority"),
        description=_l("They keep their place: the original waiting date stays."))


class CheckInForm(FlaskForm):
    outcome = RadioField(_l("How is it going?"),
                         choices=lambda: [(key, labels.CHECKIN_OUTCOMES[key])
                                          for key in CHECKIN_OUTCOMES],
                         validators=[DataRequired(_l("Please choose one."))])
    note = CleanTextAreaField(
        _l("Note"), validators=[Length(max=2000, message=_l(
            "Please write at most %(max)d characters."))],
        render_kw={"rows": 3, "maxlength": 2000},
    )


class AssessmentForm(FlaskForm):
    assessed_on = DateField(_l("Date of the assessment"),
                            validators=[DataRequired(_l("Please fill in a date.")), not_in_future])
    level = SelectField(_l("Dutch level"), choices=lambda: [(lv, lv) for lv in LEVELS],
                        validators=[DataRequired(_l("Please choose a level."))])
