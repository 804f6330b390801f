"""Forms on the match page: confirm the first meeting, log a meeting."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from .. import clock
from ..forms import CleanTextAreaField, SmallIntegerField, not_in_future
from .services import MEETING_MINUTES


def not_before_start(form, field) -> None:
    """Refuse a date before ``form.earliest`` (the day the match started)."""
    earliest = getattr(form, "earliest", None)
    if field.data and earliest and field.data < earliest:
        raise ValidationError(_l("The date cannot be before the match started."))


class FirstMeetingForm(FlaskForm):
    met_on = DateField(
        _l("Date of the first meeting"), default=clock.today,
        validators=[DataRequired(_l("Please fill in a date.")), not_in_future, not_before_start],
    )


class MeetingForm(FlaskForm):
    met_on = DateField(
        _l("Date"), default=clock.today,
        validators=[DataRequired(_l("Please fill in a date.")), not_in_future, not_before_start],
    )
    minutes = SmallIntegerField(
        _l("How long (minutes)"), default=60,
        validators=[InputRequired(_l("Please fill in the number of minutes.")),
                    NumberRange(*MEETING_MINUTES,
                                message=_l("Between %(min)s and %(max)s minutes, please."))],
        render_kw={"inputmode": "numeric", "min": MEETING_MINUTES[0],
                   "max": MEETING_MINUTES[1]},
    )
    activity = CleanTextAreaField(
        _l("What did you do?"),
        description=_l("A few words are enough, for example: shopping and practising numbers."),
        validators=[DataRequired(_l("Please write a few words.")),
                    Length(max=1000, message=_l("Please write at most %(max)d characters."))],
        render_kw={"rows": 3, "maxlength": 1000},
    )
