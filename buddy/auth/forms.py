"""Login, second factor, password and account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, ValidationError

from ..forms import current_password, required_text
from .services import PASSWORD_MAX, PASSWORD_MIN, is_common_password


def strong_password(form, field) -> None:
    """Length only (no composition rules), and not a common or breached password."""
    value = field.data or ""
    if len(value) < PASSWORD_MIN:
        raise ValidationError(_l("Use at least %(min)d characters.", min=PASSWORD_MIN))
    if len(value) > PASSWORD_MAX:
        raise ValidationError(_l("Use at most %(max)d characters.", max=PASSWORD_MAX))
    if is_common_password(value):
        raise ValidationError(_l("This password is too common. Please choose another one."))


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("E-mail address or phone number"),
        validators=required_text(_l("Please fill in your e-mail address or phone number."), 254),
        render_kw={"autocomplete": "username", "dir": "ltr"},
    )
    password = current_password(_l("Password"))


class TotpForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=required_text(_l("Please fill in the code."), 20),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr"},
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[strong_password],
                             render_kw={"autocomplete": "new-password"},
                             description=_l("At least 12 characters. A sentence is fine."))
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current = current_password(_l("Current password"),
                               _l("Please fill in your current password."))


class ResetRequestForm(FlaskForm):
    email = StringField(
        _l("E-mail address"),
        validators=required_text(_l("Please fill in your e-mail address."), 254),
        render_kw={"autocomplete": "email", "dir": "ltr", "type": "email"},
    )


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language of the website and e-mails"), choices=[])


class ConfirmForm(FlaskForm):
    """A single button (the CSRF token is the only field)."""
