"""Forms of the places pages: a neighbourhood and a local referral."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms import TOO_LONG, CleanStringField, CleanTextAreaField, DecimalCommaField
from . import services

# -- neighbourhoods and referrals ---------------------------------------------------------

def coordinate(low: float, high: float):
    """Validate a required number between ``low`` and ``high``."""

    def check(form, field) -> None:
        if field.data is None:
            if not field.process_errors:
                raise ValidationError(_l("Please fill in a number."))
            return
        if not low <= field.data <= high:
            raise ValidationError(_l("Please give a number from %(low)d to %(high)d.",
                                     low=low, high=high))

    return check


class NeighbourhoodForm(FlaskForm):
    name = CleanStringField(_l("Name"), validators=[
        DataRequired(_l("Please fill in the name.")), Length(max=120, message=TOO_LONG)])
    lat = DecimalCommaField(_l("Latitude of the centre"), validators=[coordinate(-90, 90)],
                            render_kw={"dir": "ltr", "inputmode": "decimal"},
                            description=_l("For example 52,0907 (Utrecht)."))
    lon = DecimalCommaField(_l("Longitude of the centre"), validators=[coordinate(-180, 180)],
                            render_kw={"dir": "ltr", "inputmode": "decimal"},
                            description=_l("For example 5,1214 (Utrecht)."))
    priority_area = BooleanField(_l("Priority area"),
                                 description=_l("Matching gives people here a little priority."))

    def __init__(self, *args, organisation_id: int, exclude_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id
        self.exclude_id = exclude_id

    def validate_name(self, field) -> None:
        if services.neighbourhood_name_taken(self.organisation_id, field.data, self.exclude_id):
            raise ValidationError(_l("There is already a neighbourhood with this name."))


class ReferralForm(FlaskForm):
    name = CleanStringField(_l("Name"), validators=[
        DataRequired(_l("Please fill in the name.")), Length(max=200, message=TOO_LONG)])
    purpose = CleanTextAreaField(
        _l("What for"), validators=[DataRequired(_l("Please say what people can go there for.")),
                                    Length(max=1000, message=TOO_LONG)])
    contact = CleanStringField(
        _l("How to reach them"),
        validators=[DataRequired(_l("Please say how to reach them.")),
                    Length(max=300, message=TOO_LONG)],
        description=_l("Address, phone number, website or opening hours."))

