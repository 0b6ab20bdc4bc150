"""Forms of the classes pages: a new class, joining by code, and the confirm-only buttons."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from quizapp.forms import strip
from quizapp.services.classes import NAME_LENGTH


class NewClassForm(FlaskForm):
    """A teacher names a new class."""

    name = StringField(
        _l("Name of the class"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Give the class a name.")),
            Length(max=NAME_LENGTH, message=_l("At most %(max)d characters.")),
        ],
    )
    submit = SubmitField(_l("Create class"))


class JoinForm(FlaskForm):
    """Anyone with an account joins a class with its code."""

    code = StringField(
        _l("Join code"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the code your teacher gave you.")),
            Length(max=20, message=_l("The code has 8 characters.")),
        ],
    )
    submit = SubmitField(_l("Join class"))


class ConfirmForm(FlaskForm):
    """A button that changes something (leave, remove, delete): only the CSRF token."""
