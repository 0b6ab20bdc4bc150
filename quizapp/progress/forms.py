"""Forms of the progress pages: starting a session and deleting the account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, Length


class StartForm(FlaskForm):
    """Start a review or mistakes session (the button text comes from the page)."""


class DeleteAccountForm(FlaskForm):
    """Confirm deleting the account with the password."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("Delete my account for good"))
