"""Forms of the partner pages: a partner, its link, a pledge, a pupil's certificate."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from .. import clock, labels
from ..forms import TOO_LONG, CleanStringField, Radio, Select, SmallIntegerField, name_length
from ..vocab import ADULT_AGE, COLLEAGUE_PREFS, PARTNER_KINDS, PUPIL_MAX_AGE, PUPIL_MIN_AGE


def not_in_past(form, field) -> None:
    """A date that is today or later."""
    if field.data and field.data < clock.today():
        raise ValidationError(_l("This date is in the past."))


class PartnerForm(FlaskForm):
    kind = Select(_l("Kind of partner"), choices=[(k, labels.PARTNER_KINDS[k])
                                                  for k in PARTNER_KINDS],
                  validators=[DataRequired(_l("Please choose the kind of partner."))])
    name = CleanStringField(_l("Name of the partner"), validators=[
        DataRequired(_l("Please fill in the name.")), Length(max=200, message=TOO_LONG)])
    contact_name = CleanStringField(_l("Contact person"), validators=[
        DataRequired(_l("Please fill in the contact person.")), name_length(120)])
    contact_email = CleanStringField(
        _l("E-mail address of the contact person"), render_kw={"dir": "ltr"},
        validators=[DataRequired(_l("Please fill in an e-mail address.")),
                    Length(max=254, message=TOO_LONG),
                    Email(_l("Please write an e-mail address like name@example.nl."))])
    contact_phone = CleanStringField(_l("Phone number (optional)"), render_kw={"dir": "ltr"},
                                     validators=[Optional(), Length(max=20, message=TOO_LONG)])
    link_expires_on = DateField(
        _l("Sign-up link valid until (optional)"), validators=[Optional(), not_in_past],
        description=_l("Leave empty for a link that does not expire."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, labels.PARTNER_KINDS[k]) for k in PARTNER_KINDS]

    def partner_values(self) -> dict:
        return {"kind": self.kind.data, "name": self.name.data,
                "contact_name": self.contact_name.data,
                "contact_email": self.contact_email.data.lower(),
                "contact_phone": self.contact_phone.data or "",
                "link_expires_on": self.link_expires_on.data}


class LinkForm(FlaskForm):
    expires_on = DateField(_l("New link valid until (optional)"),
                           validators=[Optional(), not_in_past])


class PledgeForm(FlaskForm):
    year = SmallIntegerField(_l("Year"), validators=[
        DataRequired(_l("Please fill in a year.")),
        NumberRange(2020, 2100, _l("Please give a year from %(min)s to %(max)s."))])
    guides = SmallIntegerField(_l("Number of new guides"), validators=[
        DataRequired(_l("Please fill in a number.")),
        NumberRange(1, 10000, _l("Please give a number from %(min)s to %(max)s."))])


# --- the sign-up step "where you come from" --------------------------------------------------

def age_on(birth_date, today) -> int:
    """Return the age in whole years on ``today``."""
    return today.year - birth_date.year - ((today.month, today.day)
                                           < (birth_date.month, birth_date.day))


def birth_date_in_range(form, field) -> None:
    """Refuse dates of birth that make someone younger than 12 or older than 100."""
    if field.data is None:
        return
    age = age_on(field.data, clock.today())
    if not PUPIL_MIN_AGE <= age <= PUPIL_MAX_AGE:
        raise ValidationError(_l("Please check the date of birth: you must be between "
                                 "%(low)d and %(high)d years old.", low=PUPIL_MIN_AGE,
                                 high=PUPIL_MAX_AGE))


def placement_end(form, field) -> None:
    """The placement ends today or later, within two years."""
    if field.data is None:
        return
    today = clock.today()
    if field.data < today:
        raise ValidationError(_l("This date is in the past."))
    if (field.data - today).days > 730:
        raise ValidationError(_l("A placement is at most two years long."))


class SourceForm(FlaskForm):
    """Sign-up step: through which partner, whom to guide at work, a pupil's placement."""

    partner = Select(_l("Do you come through a partner?"), validators=[Optional()],
                     description=_l("For example your employer, your school or your club."))
    colleague_pref = Radio(
        _l("If you come through your employer: whom do you want to guide?"),
        choices=[(k, labels.COLLEAGUE_PREFS[k]) for k in COLLEAGUE_PREFS], default="either",
        validators=[Optional()])
    pupil = BooleanField(_l("I am a pupil on a community-service placement "
                            "(maatschappelijke stage)"))
    birth_date = DateField(_l("Date of birth"), validators=[Optional(), birth_date_in_range])
    teacher_email = CleanStringField(
        _l("E-mail address of your supervising teacher"), render_kw={"dir": "ltr"},
        validators=[Optional(), Length(max=254, message=TOO_LONG),
                    Email(_l("Please write an e-mail address like name@example.nl."))])
    placement_hours = SmallIntegerField(
        _l("Hours of your placement"), validators=[
            Optional(), NumberRange(1, 500, _l("Please give a number from %(min)s to %(max)s."))])
    placement_end_on = DateField(_l("Last day of your placement"),
                                 validators=[Optional(), placement_end])

    def __init__(self, *args, partners=(), age_band=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = {str(p.id): p for p in partners}
        self.age_band = age_band
        self.partner.choices = [("", _l("No, I sign up on my own"))] + [
            (key, f"{p.name} ({labels.PARTNER_KINDS[p.kind]})")
            for key, p in self.partners.items()]
        self.colleague_pref.choices = [(k, labels.COLLEAGUE_PREFS[k]) for k in COLLEAGUE_PREFS]

    def chosen_partner(self):
        return self.partners.get(self.partner.data or "")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.pupil.data:
            valid = self._check_pupil() and valid
        elif self.age_band == "12-17":
            self.pupil.errors = [*self.pupil.errors, _l(
                "Under 18 you can sign up only as a pupil on a placement, through your school.")]
            valid = False
        return valid

    def _check_pupil(self) -> bool:
        partner = self.chosen_partner()
        ok = True
        if partner is None or partner.kind != "school":
            self.partner.errors = [*self.partner.errors, _l("Please choose your school.")]
            ok = False
        for field, message in ((self.birth_date, _l("Please fill in your date of birth.")),
                               (self.teacher_email, _l("Please fill in your teacher's "
                                                       "e-mail address.")),
                               (self.placement_hours, _l("Please fill in the hours.")),
                               (self.placement_end_on, _l("Please fill in the last day."))):
            if not field.data and not field.errors:
                field.errors = [*field.errors, message]
                ok = False
        return ok

    def source_values(self) -> dict:
        """The profile facts of this step (a pupil's age band follows the date of birth)."""
        partner = self.chosen_partner()
        values = {"partner_id": partner.id if partner else None,
                  "colleague_pref": (self.colleague_pref.data or "either")
                  if partner is not None and partner.kind == "employer" else "either"}
        if self.pupil.data:
            values |= {"birth_date": self.birth_date.data,
                       "teacher_email": self.teacher_email.data.lower(),
                       "placement_hours": self.placement_hours.data,
                       "placement_end_on": self.placement_end_on.data}
            if age_on(self.birth_date.data, clock.today()) < ADULT_AGE:
                values["age_band"] = "12-17"
            elif self.age_band == "12-17":
                values["age_band"] = "18-25"
        return values
