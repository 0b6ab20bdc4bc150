"""Account forms, validated on the server with clear messages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from quizapp.forms import strip

PASSWORD_RULE = [DataRequired(), Length(min=10, max=128)]


class RegisterForm(FlaskForm):
    """Create an account."""

    email = EmailField(
        _l("Email"), filters=[strip], validators=[DataRequired(), Email(), Length(max=254)]
    )
    display_name = StringField(
        _l("Display name"), filters=[strip], validators=[DataRequired(), Length(max=80)]
    )
    password = PasswordField(_l("Password (at least 10 characters)"), validators=PASSWORD_RULE)
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    """Log in with email (or a pupil's username) and password."""

    email = StringField(
        _l("Email or username"), filters=[strip], validators=[DataRequired(), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(FlaskForm):
    """Change the password; every other session ends."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    password = PasswordField(_l("New password (at least 10 characters)"), validators=PASSWORD_RULE)
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class FirstPasswordForm(FlaskForm):
    """A pupil chooses their own password instead of the one-time one."""

    password = PasswordField(_l("Your password (at least 10 characters)"), validators=PASSWORD_RULE)
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Save my password"))


class RoleForm(FlaskForm):
    """An admin sets a user's role."""

    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("learner", _l("Learner")),
            SelectChoice("teacher", _l("Teacher")),
            SelectChoice("admin", _l("Admin")),
        ],
    )
    submit = SubmitField(_l("Save role"))
