"""Forms of the review queue: propose drafts, edit one draft, bulk decisions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from quizapp.forms import strip


class ProposeForm(FlaskForm):
    """Propose drafts from the article into a bank (created if new)."""

    bank = StringField(
        _l("Bank (short name)"),
        filters=[strip],
        validators=[DataRequired(message=_l("Name the bank.")), Length(max=120)],
    )
    submit = SubmitField(_l("Propose draft questions"))


class DecideForm(FlaskForm):
    """Accept or reject one draft (buttons only)."""


class EditForm(FlaskForm):
    """Edit a draft before accepting it; only the fields of its type are shown."""

    prompt = TextAreaField(_l("Question"), filters=[strip], validators=[DataRequired()])
    text = TextAreaField(_l("Text with the gap {1}"), filters=[strip], validators=[Optional()])
    answers = StringField(
        _l("Accepted answers (separated by |)"), filters=[strip], validators=[Optional()]
    )
    option_0 = StringField(_l("Option 1"), filters=[strip], validators=[Optional()])
    option_1 = StringField(_l("Option 2"), filters=[strip], validators=[Optional()])
    option_2 = StringField(_l("Option 3"), filters=[strip], validators=[Optional()])
    option_3 = StringField(_l("Option 4"), filters=[strip], validators=[Optional()])
    correct = RadioField(
        _l("Right option"),
        choices=[
            SelectChoice("0", "1"),
            SelectChoice("1", "2"),
            SelectChoice("2", "3"),
            SelectChoice("3", "4"),
        ],
        validators=[Optional()],
    )
    statement = TextAreaField(_l("Statement"), filters=[strip], validators=[Optional()])
    solution_true = BooleanField(_l("The statement is true"))
    kind = SelectField(
        _l("Solution"),
        choices=[
            SelectChoice("fact", _l("fact")),
            SelectChoice("opinion", _l("opinion")),
            SelectChoice("quote", _l("quote")),
            SelectChoice("prediction", _l("prediction")),
        ],
        validators=[Optional()],
    )
    explanation = TextAreaField(_l("Explanation"), filters=[strip], validators=[Optional()])
    submit = SubmitField(_l("Save and accept"))


class BulkForm(FlaskForm):
    """Accept or reject the checked drafts."""

    action = SelectField(
        _l("With the checked drafts"),
        choices=[SelectChoice("accept", _l("accept")), SelectChoice("reject", _l("reject"))],
    )
    submit = SubmitField(_l("Apply"))
