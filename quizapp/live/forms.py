"""Forms of live games: the PIN, the nickname, and the host's choices for a new game."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from quizapp.forms import strip


def digits_only(value):
    """Drop spaces people type into a PIN ("123 456")."""
    return value.replace(" ", "") if isinstance(value, str) else value


class PinForm(FlaskForm):
    """Step one of joining: the game PIN."""

    pin = StringField(
        _l("Game PIN"),
        filters=[strip, digits_only],
        validators=[
            DataRequired(message=_l("Enter the 6-digit PIN.")),
            Regexp(r"^\d{6}$", message=_l("The PIN has 6 digits.")),
        ],
    )
    submit = SubmitField(_l("Continue"))


class NicknameForm(FlaskForm):
    """Step two of joining: a nickname (and the code on the screen, when the host asks)."""

    nickname = StringField(
        _l("Nickname"),
        filters=[strip],
        validators=[DataRequired(message=_l("Choose a nickname.")), Length(max=40)],
    )
    code = StringField(_l("Code shown on the screen"), filters=[strip], validators=[Length(max=8)])
    submit = SubmitField(_l("Join"))


class HostForm(FlaskForm):
    """The host's choices for a new game."""

    bank = SelectField(_l("Question bank"), coerce=int, validators=[InputRequired()])
    count = IntegerField(
        _l("Number of questions (empty: all)"),
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
    shuffle = BooleanField(_l("Shuffle the questions"))
    scoring = RadioField(
        _l("Scoring"),
        choices=[
            SelectChoice("speed", _l("Speed: faster correct answers score more")),
            SelectChoice("accuracy", _l("Accuracy only: every correct answer scores the same")),
        ],
        default="speed",
    )
    streak_bonus = BooleanField(_l("Streak bonus for correct answers in a row"), default=True)
    time_limit_s = IntegerField(
        _l("Seconds per question"), default=20, validators=[NumberRange(min=5, max=240)]
    )
    preview_s = IntegerField(
        _l("Seconds the question is shown before the answers"),
        default=3,
        validators=[NumberRange(min=0, max=30)],
    )
    two_step = BooleanField(_l("Two-step join: players also enter a code shown on the screen"))
    max_players = IntegerField(
        _l("Maximum number of players (empty: no limit)"),
        validators=[Optional(), NumberRange(min=1, max=5000)],
    )
    submit = SubmitField(_l("Create game"))
