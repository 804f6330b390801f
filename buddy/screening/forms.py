"""Forms of volunteer screening: the list filter and the four screening steps."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError

from .. import clock, labels
from ..forms import (
    TOO_LONG,
    CleanTextAreaField,
    ListFilterForm,
    Radio,
    Select,
    all_choice,
    not_in_future,
    vocab_choices,
)
from . import services


class VolunteerFilterForm(ListFilterForm):
    screening = Select(_l("Screening"), default="",
                            choices=all_choice() + vocab_choices(labels.SCREENING))
    vog = Select(
        # Translators: VOG is the Dutch certificate of conduct (Verklaring Omtrent het Gedrag)
        _l("VOG"), default="",
        # Translators: filter option: approved volunteers whose VOG runs out within 30 days
        choices=all_choice() + vocab_choices(labels.VOG) + [("renewal", _l("Renewal due"))])
    paused = Select(_l("Paused"), default="", choices=all_choice() + [
        ("yes", _l("Paused now")), ("no", _l("Not paused"))])

    def filters(self) -> "services.VolunteerFilters":
        """Return the valid filters (invalid ones are left out)."""
        ok = self.valid_fields()
        return services.VolunteerFilters(
            q=self.q.data if "q" in ok else "",
            screening=self.screening.data if "screening" in ok else "",
            vog=self.vog.data if "vog" in ok else "",
            neighbourhood_id=self.neighbourhood_id() if "neighbourhood" in ok else None,
            paused=self.paused.data if "paused" in ok else "",
        )



# -- volunteer screening -----------------------------------------------------------------

class IntakeTalkForm(FlaskForm):
    held_on = DateField(_l("Date of the intake talk"),
                        validators=[InputRequired(_l("Please fill in the date.")), not_in_future])
    note = CleanTextAreaField(
        _l("Short note"), validators=[Length(max=2000, message=TOO_LONG)],
        description=_l("Facts that matter for matching. No medical or other sensitive details."))


def _date_needed_when_received(form, field) -> None:
    if form.status.data == "received" and not (field.raw_data and field.raw_data[0].strip()):
        raise StopValidation(_l("Please fill in the issue date of the VOG."))


class VogForm(FlaskForm):
    status = Radio(_l("VOG status"), choices=[
        ("requested", labels.VOG["requested"]), ("received", labels.VOG["received"])],
        invalid_choice_message=_l("Please choose a status."),
        validators=[InputRequired(_l("Please choose a status."))])
    issued_on = DateField(_l("Issue date on the VOG"),
                          validators=[_date_needed_when_received, Optional(), not_in_future],
                          description=_l("Only the date. Never keep a scan or copy."))

    def __init__(self, *args, valid_years: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.valid_years = valid_years

    def validate_issued_on(self, field) -> None:
        today = clock.today()
        if self.status.data == "received" and not services.vog_is_valid(
            field.data, self.valid_years, today
        ):
            raise ValidationError(_l(
                "This VOG is older than %(years)d years. Please ask for a new one.",
                years=self.valid_years))


class TrainingForm(FlaskForm):
    done_on = DateField(_l("Date the training was done"),
                        validators=[InputRequired(_l("Please fill in the date.")), not_in_future])
