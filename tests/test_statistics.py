"""Item statistics against numpy on a scripted set of attempts, and their edge cases."""

import math

import numpy as np
import pytest

from quizapp.grading import item_id
from quizapp.statistics import DASH, Item, Taken, figure, quiz_statistics, random_guess_score

OPTIONS = [{"text": "Berlin", "correct": True}, {"text": "Bonn"}, {"text": "Köln"}]
ITEMS = [
    Item("q1", "Capital", "single_choice", {"options": OPTIONS}),
    Item("q2", "True?", "true_false", {"solution": True}),
    Item("q3", "Gap", "cloze", {}),
    Item("q4", "Order", "ordering", {}),
]
# Rows: attempts; columns: q1..q4 scores. q4 is answered the wrong way by the strong learners.
MATRIX = [
    [1.0, 1.0, 1.0, 0.0],
    [1.0, 0.0, 0.5, 0.0],
    [1.0, 1.0, 1.0, 0.0],
    [0.0, 1.0, 0.0, 1.0],
    [1.0, 1.0, 0.5, 1.0],
    [0.0, 0.0, 0.0, 1.0],
    [1.0, 1.0, 1.0, 0.5],
]
ANSWERS = ["Berlin", "Berlin", "Berlin", "Bonn", "Berlin", "Köln", "Berlin"]


def _taken(matrix=MATRIX, items=ITEMS):
    """The scripted attempts as the statistics take them."""
    return [
        Taken(
            {item.key: score for item, score in zip(items, row, strict=True)},
            {"q1": item_id(answer)},
        )
        for row, answer in zip(matrix, ANSWERS, strict=False)
    ]


def _k_statistics(totals):
    """Skewness and kurtosis from the unbiased k-statistics, computed with numpy."""
    n = len(totals)
    d = totals - totals.mean()
    m2, m3, m4 = (d**2).mean(), (d**3).mean(), (d**4).mean()
    k2 = n * m2 / (n - 1)
    k3 = n * n * m3 / ((n - 1) * (n - 2))
    k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2**2) / ((n - 1) * (n - 2) * (n - 3))
    return k3 / k2**1.5, k4 / k2**2


def test_quiz_figures_match_numpy():
    """Mean, median, SD, skewness, kurtosis, alpha, error ratio and SE as numpy computes them."""
    x = np.array(MATRIX)
    raw = x.sum(axis=1)
    totals = 100 * raw / x.shape[1]
    result = quiz_statistics(ITEMS, _taken())
    assert result.attempts == 7
    assert result.mean == pytest.approx(totals.mean())
    assert result.median == pytest.approx(np.median(totals))
    assert result.sd == pytest.approx(totals.std(ddof=1))
    skew, kurt = _k_statistics(totals)
    assert result.skewness == pytest.approx(skew)
    assert result.kurtosis == pytest.approx(kurt)
    p = x.shape[1]
    alpha = 100 * p / (p - 1) * (1 - x.var(axis=0, ddof=1).sum() / raw.var(ddof=1))
    assert result.cic == pytest.approx(alpha)
    error_ratio = 100 * math.sqrt(1 - alpha / 100)
    assert result.error_ratio == pytest.approx(error_ratio)
    assert result.standard_error == pytest.approx(error_ratio / 100 * totals.std(ddof=1))


def test_item_figures_match_numpy_and_flag_the_bad_question():
    """Facility, SD, discrimination and efficiency per question; q4 is flagged as negative."""
    x = np.array(MATRIX)
    result = quiz_statistics(ITEMS, _taken())
    for column, stats in enumerate(result.items):
        xs = x[:, column]
        rest = x.sum(axis=1) - xs
        cov = np.cov(xs, rest, ddof=1)[0, 1]
        cmax = np.cov(np.sort(xs), np.sort(rest), ddof=1)[0, 1]
        assert stats.facility == pytest.approx(100 * xs.mean())
        assert stats.sd == pytest.approx(100 * xs.std(ddof=1))
        assert stats.discrimination == pytest.approx(100 * np.corrcoef(xs, rest)[0, 1])
        assert stats.efficiency == pytest.approx(100 * cov / cmax)
    flagged = {s.item.key: s.flags for s in result.items}
    assert flagged["q4"] == ["negative_discrimination"]
    assert flagged["q1"] == flagged["q2"] == flagged["q3"] == []


def test_random_guess_and_answer_distribution():
    """Guessing: 1 of 3 options, half of true/false, none for a gap; options counted."""
    result = quiz_statistics(ITEMS, _taken())
    guesses = [s.random_guess for s in result.items]
    assert guesses[0] == pytest.approx(100 / 3)
    assert guesses[1] == pytest.approx(50)
    assert guesses[2] is None and figure(guesses[2]) == DASH
    counts = [(o.text, o.correct, o.count) for o in result.items[0].options]
    assert counts == [("Berlin", True, 5), ("Bonn", False, 1), ("Köln", False, 1)]
    assert result.items[0].options[0].share == pytest.approx(100 * 5 / 7)
    # Multiple choice (right − wrong, at least 0) over every non-empty pick of 2 right, 1 wrong.
    multi = Item("m", "Two", "multiple_choice", {"options": [*OPTIONS[:2], OPTIONS[2]]})
    multi.payload["options"][1] = {"text": "Bonn", "correct": True}
    picks = [0.5, 0.5, 0.0, 1.0, 0.0, 0.0, 0.5]  # {B},{Bo},{K},{B,Bo},{B,K},{Bo,K},{all}
    assert random_guess_score(multi) == pytest.approx(sum(picks) / len(picks))


@pytest.mark.parametrize(
    "matrix",
    [
        [[1.0, 0.0, 1.0, 0.0]],  # one attempt
        [[1.0, 1.0, 1.0, 1.0]] * 4,  # all right
        [[0.5, 0.5, 0.5, 0.5]] * 3,  # zero variance
    ],
    ids=["one attempt", "all right", "zero variance"],
)
def test_figures_that_cannot_be_computed_are_dashes(matrix):
    """Too few attempts or no spread: the figures are "—", never a division error."""
    result = quiz_statistics(ITEMS, _taken(matrix))
    for value in (result.skewness, result.kurtosis, result.cic):
        assert figure(value) == DASH
    assert figure(result.sd) == (DASH if len(matrix) == 1 else "0.0")
    assert result.error_ratio is None and result.standard_error is None
    for stats in result.items:
        assert stats.facility is not None
        assert figure(stats.discrimination) == figure(stats.efficiency) == DASH
    if len(matrix) == 1:
        assert result.items[0].sd is None
    if matrix[0][0] == 1.0 and len(matrix) > 1:
        assert all(s.flags == ["too_easy"] for s in result.items)


def test_a_question_nobody_answered_has_dashes_and_reflections_are_left_out():
    """Unanswered everywhere: no facility, no flag; a reflection is not an item."""
    items = [*ITEMS, Item("r", "Your view", "reflection", {})]
    taken = _taken()
    for attempt in taken:
        attempt.scores["q3"] = None
        attempt.scores["r"] = None
    result = quiz_statistics(items, taken)
    assert [s.item.key for s in result.items] == ["q1", "q2", "q3", "q4"]
    q3 = result.items[2]
    assert (figure(q3.facility), figure(q3.sd), figure(q3.discrimination)) == (DASH,) * 3
    assert q3.flags == []
    assert figure(quiz_statistics(ITEMS, []).mean) == DASH
