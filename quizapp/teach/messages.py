"""The teaching area's words: refusals by code, and what each statistic means."""

from flask_babel import lazy_gettext as _l

from quizapp.errors import ServiceError

MESSAGES = {
    "unknown": _l("There is no such class or quiz."),
    "forbidden": _l("You may not see or change this."),
    "archived": _l("This class is archived: it can no longer be changed."),
    "no_names": _l("Write one name per line, or give a number of accounts."),
    "too_many": _l("At most %(max)s accounts can be made at once."),
    "name_too_long": _l("The name “%(name)s” is longer than %(max)s characters."),
    "no_username": _l("No free usernames were found. Please try again."),
    "not_member": _l("This person is not in the class (any more)."),
    "not_your_pupil": _l("Only the teacher who made this account can reset its password."),
    "count_range": _l("Give a number from 1 to %(max)s."),
    "not_reflection": _l("Only free-text answers are commented here."),
    "comment_too_long": _l("A comment has at most %(max)s characters."),
    "points_range": _l("Give 0 to %(max)s points."),
    "no_code": _l("No free join code was found. Please try again."),
}

EXPLANATIONS = {
    "attempts": _l("How many attempts the figures are computed from."),
    "mean": _l("The average result of the attempts, in percent of the possible points."),
    "median": _l("Half of the attempts scored less than this."),
    "sd": _l("How widely the results spread around the mean; 12–18 % suits a test that ranks."),
    "skewness": _l("Asymmetry: below zero most did well, above zero most did poorly."),
    "kurtosis": _l("How peaked the results are: above 1, most learners scored about the same."),
    "cic": _l("Cronbach's alpha: whether the questions measure one thing; above 75 % is good."),
    "error_ratio": _l("The share of the spread that is chance, not knowledge; below 50 % is good."),
    "standard_error": _l("How far one learner's result may be off by chance, in percent points."),
    "facility": _l("The share of the points learners got: high means easy."),
    "item_sd": _l("How differently learners did on the question."),
    "random_guess": _l("The result of guessing an option at random."),
    "discrimination": _l(
        "Whether learners who do well on the rest also do well here; below zero is a warning."
    ),
    "efficiency": _l("Discrimination as a share of the highest this question could reach."),
}

LABELS = {
    "attempts": _l("Attempts"),
    "mean": _l("Mean"),
    "median": _l("Median"),
    "sd": _l("Standard deviation"),
    "skewness": _l("Skewness"),
    "kurtosis": _l("Kurtosis"),
    "cic": _l("Coefficient of internal consistency (Cronbach's alpha)"),
    "error_ratio": _l("Error ratio"),
    "standard_error": _l("Standard error"),
    "facility": _l("Facility index"),
    "item_sd": _l("Standard deviation"),
    "random_guess": _l("Random guess score"),
    "discrimination": _l("Discrimination index"),
    "efficiency": _l("Discriminative efficiency"),
}

FLAGS = {
    "negative_discrimination": _l("Negative discrimination: strong learners got it wrong."),
    "too_easy": _l("Facility above 95 %: nearly everyone got it right."),
    "too_hard": _l("Facility below 5 %: nearly everyone got it wrong."),
}


def message(error: ServiceError) -> str:
    """Return the refusal in words for the person."""
    text = str(MESSAGES.get(error.code, MESSAGES["forbidden"]))
    return text % error.params if error.params else text
