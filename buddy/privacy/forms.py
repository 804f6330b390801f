"""Forms for data rights: confirm deleting the account, give or withdraw a consent."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from ..forms import current_password
from ..vocab import CONSENT_PURPOSES


class DeleteAccountForm(FlaskForm):
    """A clear confirmation; nothing to type."""

    confirm = BooleanField(
        _l("Yes, delete my account and my data. I understand this cannot be undone."),
        validators=[DataRequired(_l("Please tick the box to confirm."))],
    )


class DeleteAccountWithPasswordForm(DeleteAccountForm):
    """Volunteers also type their password, so nobody else can delete their account."""

    password = current_password(_l("Your password"))


def delete_form_for(user) -> DeleteAccountForm:
    """Return the confirmation form that fits ``user``'s role."""
    if user.role == "volunteer":
        return DeleteAccountWithPasswordForm()
    return DeleteAccountForm()


class ConsentActionForm(FlaskForm):
    """One button per consent: give it, or withdraw it."""

    purpose = SelectField(choices=lambda: [(p, p) for p in CONSENT_PURPOSES],
                          invalid_choice_message=_l("Please choose from the list."))
    action = SelectField(choices=lambda: [("give", "give"), ("withdraw", "withdraw")],
                         invalid_choice_message=_l("Please choose from the list."))

    def __init__(self, *args, purposes=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.purpose.choices = [(p, p) for p in purposes]
