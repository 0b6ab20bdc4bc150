"""The live game's points: Kahoot!'s speed formula, accuracy mode, partial credit, streaks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.services.live.scoring import points, streak_bonus


@pytest.mark.parametrize(
    ("score", "elapsed_ms", "limit_ms", "expected"),
    [
        (1, 0, 20_000, 1000),
        (1, 499, 20_000, 1000),  # under 0.5 s: full points
        (1, 500, 20_000, 988),  # 1000 · (1 − 500/40000) = 987.5, rounded half up
        (1, 10_000, 20_000, 750),
        (1, 19_999, 20_000, 500),  # 500.025
        (1, 20_000, 20_000, 500),  # at the deadline: P/2
        (1, 25_000, 20_000, 500),  # clamped: never below P/2
        (1, 3_000, 10_000, 850),
        (1, 1_234, 30_000, 979),  # 979.43…
        (0, 100, 20_000, 0),
        (False, 100, 20_000, 0),
        (2 / 3, 0, 20_000, 667),  # partial credit: points × grade
        (0.5, 10_000, 20_000, 375),
    ],
)
def test_speed_points_follow_the_formula(score, elapsed_ms, limit_ms, expected):
    assert points(score, elapsed_ms, limit_ms, base=1000, mode="speed") == expected


@pytest.mark.parametrize(
    ("score", "elapsed_ms", "expected"), [(1, 0, 1000), (1, 19_000, 1000), (0, 0, 0), (0.5, 5, 500)]
)
def test_accuracy_mode_ignores_time(score, elapsed_ms, expected):
    assert points(score, elapsed_ms, 20_000, mode="accuracy") == expected


def test_base_points_scale():
    assert points(1, 10_000, 20_000, base=2000) == 1500


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError):
        points(1, 5_000, 20_000, mode="random")


@pytest.mark.parametrize(
    ("streak", "bonus"), [(0, 0), (1, 0), (2, 100), (3, 200), (5, 400), (6, 500), (40, 500)]
)
def test_streak_bonus_grows_by_100_up_to_500(streak, bonus):
    assert streak_bonus(streak) == bonus


@given(
    elapsed=st.integers(min_value=0, max_value=120_000),
    limit=st.integers(min_value=1_000, max_value=120_000),
)
def test_correct_answer_scores_between_half_and_full(elapsed, limit):
    value = points(1, elapsed, limit)
    assert 500 <= value <= 1000
    if elapsed < 500:
        assert value == 1000


@given(a=st.integers(min_value=0, max_value=60_000), b=st.integers(min_value=0, max_value=60_000))
def test_faster_never_scores_less(a, b):
    fast, slow = sorted((a, b))
    assert points(1, fast, 60_000) >= points(1, slow, 60_000)
