"""Forms of monitoring: the CSV export."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired


class ExportForm(FlaskForm):
    kind = SelectField(choices=lambda: [("matches", "matches"), ("waiting", "waiting")],
                       validators=[DataRequired()])
    include_names = BooleanField(
        _l("Include first names (for your own use only)"),
        description=_l("Without this, people appear under a code that changes with every "
                       "export."))

