"""Points of a live game: pure functions, shared by the game, its tests and the benchmark.

Speed mode follows Kahoot!'s published rule: a correct answer scores
round(P · (1 − t / (2T))), where t is the time from the moment the options
appeared to the server receiving the answer and T the time limit; answers
within 0.5 s score the full P, and a correct answer within the limit never
scores below P/2. Accuracy mode gives P for every correct answer.

Partial credit (multiple choice): the points are multiplied by the grade
(0..1), so two of three right picks in speed mode score ⅔ of the speed points.
Only a fully correct answer (grade 1) counts as "correct" for the streak.

Streak bonus: +100 for every correct answer in a row after the first, at most
+500 (the 2nd correct in a row +100, the 3rd +200, …, the 6th and later +500).
"""

from fractions import Fraction

FULL_POINTS_MS = 500
STREAK_STEP = 100
STREAK_CAP = 500


def _round_half_up(value: Fraction) -> int:
    """Round a non-negative fraction to the nearest integer, halves up (not to even)."""
    return int((value * 2 + 1) // 2)


def points(
    score: float | bool,
    elapsed_ms: int,
    limit_ms: int,
    base: int = 1000,
    mode: str = "speed",
) -> int:
    """Return the points of an answer graded `score` (0..1) after `elapsed_ms` of `limit_ms`."""
    grade = Fraction(float(score)).limit_denominator(1000)
    if grade <= 0:
        return 0
    grade = min(grade, Fraction(1))
    if mode == "accuracy" or elapsed_ms < FULL_POINTS_MS:
        return _round_half_up(base * grade)
    if mode != "speed":
        raise ValueError(f"unknown scoring mode {mode!r}")
    limit = max(int(limit_ms), 1)
    # Clamped so an answer at the very deadline still gets P/2, never less.
    t = min(max(int(elapsed_ms), 0), limit)
    return _round_half_up(base * grade * Fraction(2 * limit - t, 2 * limit))


def streak_bonus(streak: int) -> int:
    """Return the bonus for a correct answer that makes a run of `streak` correct answers."""
    if streak < 2:
        return 0
    return min(STREAK_STEP * (streak - 1), STREAK_CAP)


def formula_text(mode: str, base: int, limit_s: int, streak: bool) -> dict:
    """Return the numbers players see next to the rules (the template words them)."""
    return {
        "mode": mode,
        "base": base,
        "half": base // 2,
        "limit_s": limit_s,
        "full_ms": FULL_POINTS_MS,
        "streak": streak,
        "streak_step": STREAK_STEP,
        "streak_cap": STREAK_CAP,
    }
