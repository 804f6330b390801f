"""Coordinator forms: matching parameters, decisions, endings, check-ins, levels, rules."""

import math

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FloatField, HiddenField, RadioField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import NumberInput

from .. import labels
from ..forms import CleanStringField, CleanTextAreaField, MultiCheckboxField
from ..matches.forms import not_in_future
from ..matching import COMPONENTS
from ..vocab import CHECKIN_OUTCOMES, END_REASONS, LEVELS, PAIR_RULE_KINDS

WEIGHT_LABELS = {
    "availability": _l("Shared time"),
    "proximity": _l("Living close by"),
    "interests": _l("Shared interests"),
    "goals": _l("Goal fit"),
    "language": _l("Shared language (Dutch below A2)"),
    "waiting": _l("Waiting time"),
    "priority": _l("Priority area"),
}


class DecimalCommaField(FloatField):
    """A number field that accepts a decimal comma (0,25) as well as a point."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace(",", ".")]
        super().process_formdata(valuelist)


def finite(form, field) -> None:
    """Refuse NaN and infinity (they would pass a range check)."""
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError(_l("Please fill in a number."))


def _weight_field(name: str) -> DecimalCommaField:
    return DecimalCommaField(
        WEIGHT_LABELS[name],
        validators=[InputRequired(_l("Please fill in a number.")), finite,
                    NumberRange(0, 1, message=_l("Use a number from 0 to 1."))],
        widget=NumberInput(step="0.01", min=0, max=1), render_kw={"inputmode": "decimal"},
    )


class MatchingForm(FlaskForm):
    """Scope, weights and minimum score of a matching run (preview or create)."""

    neighbourhoods = MultiCheckboxField(
        _l("Neighbourhoods"), choices=[],
        description=_l("Leave all unchecked to match the whole organisation. Volunteers from "
                       "every neighbourhood stay available."))
    availability = _weight_field("availability")
    proximity = _weight_field("proximity")
    interests = _weight_field("interests")
    goals = _weight_field("goals")
    language = _weight_field("language")
    waiting = _weight_field("waiting")
    priority = _weight_field("priority")
    min_score = DecimalCommaField(
        _l("Minimum score"),
        description=_l("Pairs scoring lower are never proposed. 0 proposes every possible pair."),
        validators=[InputRequired(_l("Please fill in a number.")), finite,
                    NumberRange(0, 1, message=_l("Use a number from 0 to 1."))],
        widget=NumberInput(step="0.01", min=0, max=1), render_kw={"inputmode": "decimal"},
    )

    def weight_fields(self):
        return [getattr(self, name) for name in COMPONENTS]

    def weights(self) -> dict[str, float]:
        return {name: float(getattr(self, name).data) for name in COMPONENTS}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and sum(self.weights().values()) <= 0:
            self.availability.errors.append(_l("At least one weight must be more than 0."))
            return False
        return ok


class RejectForm(FlaskForm):
    reason = CleanStringField(
        _l("Why not this pair?"),
        description=_l("For example: they know each other, or the volunteer is away."),
        validators=[DataRequired(_l("Please give a reason.")),
                    Length(max=300, message=_l("Please write at most %(max)d characters."))],
        render_kw={"maxlength": 300},
    )


class BulkApproveForm(FlaskForm):
    match_ids = MultiCheckboxField(_l("Proposals"), coerce=int, choices=[],
                                   validators=[DataRequired(_l("Please tick at least one."))])


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for single-button actions."""


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


class PairRuleForm(FlaskForm):
    volunteer_id = HiddenField(validators=[DataRequired()])
    kind = SelectField(choices=lambda: [(k, k) for k in PAIR_RULE_KINDS],
                       validators=[DataRequired()])

    def volunteer(self) -> int | None:
        value = (self.volunteer_id.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 12 else None


class ProposeForm(FlaskForm):
    volunteer_id = HiddenField(validators=[DataRequired()])

    def volunteer(self) -> int | None:
        value = (self.volunteer_id.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 12 else None


class ExportForm(FlaskForm):
    kind = SelectField(choices=lambda: [("matches", "matches"), ("waiting", "waiting")],
                       validators=[DataRequired()])
    include_names = BooleanField(
        _l("Include first names (for your own use only)"),
        description=_l("Without this, people appear under a code that changes with every "
                       "export."))
