"""Forms of the teaching pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField, TextAreaField
from wtforms.validators import NumberRange, Optional

from quizapp.services.pupils import MAX_PUPILS


class PupilsForm(FlaskForm):
    """A teacher makes pupil accounts from a list of names, or a number of them."""

    names = TextAreaField(_l("Names, one per line"))
    count = IntegerField(
        _l("… or a number of accounts"),
        validators=[
            Optional(),
            NumberRange(1, MAX_PUPILS, message=_l("Give a number from 1 to %(max)s.")),
        ],
    )
    submit = SubmitField(_l("Make accounts and print login cards"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
