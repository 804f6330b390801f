"""Forms of matchmaking: matching parameters, bulk approval, manual proposals, pair rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange
from wtforms.widgets import NumberInput

from .. import labels
from ..forms import DecimalCommaField, MultiCheckboxField
from ..matching import COMPONENTS
from ..vocab import PAIR_RULE_KINDS

NUMBER_NEEDED = _l("Please fill in a number.")


def _weight_field(name: str) -> DecimalCommaField:
    return DecimalCommaField(
        labels.WEIGHTS[name],
        validators=[InputRequired(NUMBER_NEEDED),
                    NumberRange(0, 1, message=_l("Use a number from 0 to 1."))],
        invalid_message=NUMBER_NEEDED, widget=NumberInput(step="0.01", min=0, max=1),
        render_kw={"inputmode": "decimal"},
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
        validators=[InputRequired(NUMBER_NEEDED),
                    NumberRange(0, 1, message=_l("Use a number from 0 to 1."))],
        invalid_message=NUMBER_NEEDED, widget=NumberInput(step="0.01", min=0, max=1),
        render_kw={"inputmode": "decimal"},
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


class BulkApproveForm(FlaskForm):
    match_ids = MultiCheckboxField(_l("Proposals"), coerce=int, choices=[],
                                   validators=[DataRequired(_l("Please tick at least one."))])


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
