"""Forms of the learn area: an answer from a plain HTML form, a teacher's quiz settings."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from quizapp.dates import TIMEZONE
from quizapp.errors import ServiceError
from quizapp.forms import strip
from quizapp.inputs import MAX_ID
from quizapp.services.quizzes import QuizSettings
from quizapp.services.schedule import REVIEW_PARTS


def optional_id(value):
    """Read a chosen id; the empty choice means none (ValueError: not an id)."""
    if value in (None, ""):
        return None
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError("not an id")
    return number


REVIEW_CHOICES = [
    SelectChoice("score", _l("the score")),
    SelectChoice("correctness", _l("whether each answer was right")),
    SelectChoice("answers", _l("the right answers")),
    SelectChoice("explanations", _l("explanations and sources")),
]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _local(moment):
    """A naive-UTC moment as an aware German time for the form (None stays None)."""
    return moment.replace(tzinfo=UTC).astimezone(TIMEZONE) if moment else None


def _utc(moment):
    """A local form date as naive UTC (None stays None)."""
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        # Year 1 in Berlin is before the first moment UTC can hold: long past anyway.
        return datetime.min


class QuizForm(FlaskForm):
    """A teacher's settings for a new quiz over one bank (checked again by the service)."""

    title = StringField(_l("Title"), filters=[strip])
    selection = RadioField(
        _l("Questions"),
        choices=[
            SelectChoice("all", _l("All published questions of the bank")),
            SelectChoice("tag", _l("Only the questions with one tag")),
            SelectChoice("random", _l("A number of questions drawn at random for each attempt")),
            SelectChoice("pick", _l("Questions I pick one by one (next page)")),
        ],
        default="all",
    )
    # Any value reaches the service, which names an unknown tag or class on the form.
    tag = SelectField(_l("Tag"), validate_choice=False)
    count = IntegerField(_l("Number of questions"), validators=[Optional()])
    mode = RadioField(
        _l("Mode"),
        choices=[
            SelectChoice("practice", _l("Practice: feedback after every question")),
            SelectChoice("exam", _l("Exam: feedback only at the end")),
        ],
        default="practice",
    )
    shuffle_questions = BooleanField(_l("Shuffle the questions for each attempt"))
    shuffle_options = BooleanField(_l("Shuffle the answer options"), default=True)
    time_limit_minutes = IntegerField(_l("Time limit in minutes"), validators=[Optional()])
    attempts_allowed = IntegerField(_l("Attempts allowed"), validators=[Optional()])
    grading_method = RadioField(
        _l("Result across attempts"),
        choices=[
            SelectChoice("highest", _l("Best attempt counts")),
            SelectChoice("average", _l("Average of all attempts")),
            SelectChoice("first", _l("First attempt counts")),
            SelectChoice("last", _l("Last attempt counts")),
        ],
        default="highest",
    )
    class_id = SelectField(
        _l("Assign to a class"), coerce=optional_id, validate_choice=False, default=None
    )
    due_at = DateTimeLocalField(
        _l("Due date"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        tz=TIMEZONE,
        validators=[Optional()],
    )
    open_at = DateTimeLocalField(
        _l("Open from"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        tz=TIMEZONE,
        validators=[Optional()],
    )
    late_policy = RadioField(
        _l("Attempts after the due date"),
        choices=[
            SelectChoice("accept", _l("Accepted and marked late")),
            SelectChoice("refuse", _l("Refused")),
        ],
        default="accept",
    )
    review_now = MultiCheckboxField(
        _l("Right after handing in, learners see"), choices=REVIEW_CHOICES, default=REVIEW_PARTS
    )
    review_after_due = MultiCheckboxField(
        _l("After the due date, learners see"), choices=REVIEW_CHOICES, default=REVIEW_PARTS
    )
    submit = SubmitField(_l("Create quiz"))

    def settings(self) -> QuizSettings:
        """The submitted settings for the service (due date in naive UTC)."""
        return QuizSettings(
            title=self.title.data or "",
            selection=self.selection.data,
            tag=self.tag.data or None,
            count=self.count.data,
            mode=self.mode.data,
            shuffle_questions=self.shuffle_questions.data,
            shuffle_options=self.shuffle_options.data,
            time_limit_minutes=self.time_limit_minutes.data,
            attempts_allowed=self.attempts_allowed.data,
            grading_method=self.grading_method.data,
            class_id=self.class_id.data,
            due_at=_utc(self.due_at.data),
            open_at=_utc(self.open_at.data),
            late_policy=self.late_policy.data,
            review_now=list(self.review_now.data or []),
            review_after_due=list(self.review_after_due.data or []),
        )

    def fill(self, settings: QuizSettings) -> None:
        """Show a quiz's settings in the form (dates in German time)."""
        for name in (
            "title",
            "selection",
            "tag",
            "count",
            "mode",
            "shuffle_questions",
            "shuffle_options",
            "time_limit_minutes",
            "attempts_allowed",
            "grading_method",
            "class_id",
            "late_policy",
        ):
            getattr(self, name).data = getattr(settings, name)
        self.due_at.data = _local(settings.due_at)
        self.open_at.data = _local(settings.open_at)
        self.review_now.data = list(
            REVIEW_PARTS if settings.review_now is None else settings.review_now
        )
        self.review_after_due.data = list(
            REVIEW_PARTS if settings.review_after_due is None else settings.review_after_due
        )

    def show_errors(self, error: ServiceError) -> None:
        """Put the service's reasons next to the fields they are about."""
        for name, (code, params) in error.params["errors"].items():
            getattr(self, name).errors.append(str(SETTINGS_ERRORS[code]) % params)


SETTINGS_ERRORS = {
    "title_too_long": _l("The title is too long (at most %(max)s characters)."),
    "unknown_selection": _l("Choose which questions the quiz asks."),
    "empty_bank": _l("The bank has no published questions yet: the quiz would be empty."),
    "tag_missing": _l("Choose a tag."),
    "tag_unknown": _l("No published question of this bank has the tag “%(tag)s”."),
    "count_missing": _l("Enter how many questions to draw (1 to %(max)s)."),
    "count_range": _l(
        "Enter a number from 1 to %(max)s: the bank has %(max)s published questions."
    ),
    "unknown_mode": _l("Choose practice or exam."),
    "time_limit_range": _l(
        "Enter a time limit from %(min)s to %(max)s minutes, or leave it empty for none."
    ),
    "attempts_range": _l(
        "Enter a number of attempts from %(min)s to %(max)s, or leave it empty for no limit."
    ),
    "unknown_grading_method": _l("Choose how the result is computed."),
    "not_your_class": _l("Choose one of your own classes."),
    "due_without_class": _l("A due date needs a class: choose the class first."),
    "due_in_past": _l("The due date has to be in the future."),
    "questions_locked": _l(
        "Learners have started this quiz: which questions it asks can no longer change. "
        "Duplicate it to ask other questions."
    ),
    "open_after_due": _l("The quiz has to open before its due date."),
    "unknown_late_policy": _l("Choose whether late attempts are accepted."),
    "unknown_review_part": _l("Choose from the listed options."),
}


class ConfirmForm(FlaskForm):
    """A button that changes something (duplicate, delete): only the CSRF token."""


PICK_ERRORS = {
    "not_picking": _l("This quiz does not use picked questions: choose that in its settings."),
    "questions_locked": _l(
        "Learners have started this quiz: its questions can no longer change. "
        "Duplicate it to ask other questions."
    ),
    "unknown_question": _l("This question is not a published question of the bank."),
    "unknown_action": _l("This button does not exist."),
    "forbidden": _l("You may only change your own quizzes."),
}
