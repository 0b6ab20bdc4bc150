"""Forms of the teaching pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SubmitField, TextAreaField
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


class CommentForm(FlaskForm):
    """The teacher's comment on one reflection, with optional points."""

    comment = TextAreaField(_l("Comment"))
    points = DecimalField(
        _l("Points (optional, 0–10)"),
        places=1,
        validators=[Optional(), NumberRange(0, 10, message=_l("Give 0 to 10 points."))],
    )
    submit = SubmitField(_l("Save comment"))
