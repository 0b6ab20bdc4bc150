"""Item statistics of a quiz or a bank, as Moodle's quiz statistics report defines them.

Pure: takes the scores of finished attempts, returns figures; no database, no Flask.
Formulas (Moodle "Quiz statistics calculations"): for S attempts, item scores x_p (0..1 per
question) and attempt totals T = Σ x_p,

- facility index F = 100 · mean(x_p) / max(x_p)                       (max = 1)
- item standard deviation SD = 100 · sqrt(V(x_p)) / max(x_p)          (V with S − 1)
- discrimination index D = 100 · r(x_p, X_p), X_p = T − x_p (the rest of the test)
- discriminative efficiency DE = 100 · C(x_p, X_p) / Cmax(x_p, X_p), where Cmax is the
  covariance of both score lists each sorted ascending
- test: mean, median, SD of the totals in percent; skewness k3 / k2^1.5 and kurtosis
  k4 / k2² from the unbiased k-statistics; coefficient of internal consistency
  CIC = 100 · P/(P − 1) · (1 − Σ V(x_p) / V(T)); error ratio ER = 100 · sqrt(1 − CIC/100);
  standard error SE = ER/100 · SD.

A question presented in an attempt but left unanswered scores 0 there (as in Moodle);
a figure that cannot be computed (too few attempts, no variance) is None, shown as "—".
"""

import math
import statistics as stats
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from quizapp.grading import item_id

DASH = "—"
# Facility outside this band (in percent) is flagged: nearly everyone right, or wrong.
FACILITY_BAND = (5.0, 95.0)
CHOICE_TYPES = ("single_choice", "multiple_choice")

# Every figure a teacher sees, in the order shown; the teaching area words them.
QUIZ_FIGURES = (
    "attempts",
    "mean",
    "median",
    "sd",
    "skewness",
    "kurtosis",
    "cic",
    "error_ratio",
    "standard_error",
)
ITEM_FIGURES = ("facility", "sd", "random_guess", "discrimination", "efficiency")
FLAGS = ("negative_discrimination", "too_easy", "too_hard")


@dataclass
class Item:
    """A question as the statistics see it: its key, label, type and payload (for options)."""

    key: str
    label: str
    type: str
    payload: dict = field(default_factory=dict)


@dataclass
class Taken:
    """One finished attempt: per presented question key, its score (None: unanswered) and answer."""

    scores: dict[str, float | None]
    answers: dict[str, object] = field(default_factory=dict)


@dataclass
class OptionCount:
    """How often one option of a choice question was chosen."""

    text: str
    correct: bool
    count: int
    share: float | None


@dataclass
class ItemStats:
    """The figures of one question; None where they cannot be computed."""

    item: Item
    attempts: int
    facility: float | None = None
    sd: float | None = None
    random_guess: float | None = None
    discrimination: float | None = None
    efficiency: float | None = None
    flags: list[str] = field(default_factory=list)
    options: list[OptionCount] = field(default_factory=list)


@dataclass
class QuizStats:
    """The figures of the whole quiz (results in percent) and of each question."""

    attempts: int
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None
    error_ratio: float | None
    standard_error: float | None
    items: list[ItemStats]


def figure(value: float | None, digits: int = 1, suffix: str = "") -> str:
    """Format a figure for people: rounded, with a suffix, or "—" when there is none."""
    if value is None:
        return DASH
    return f"{value:.{digits}f}{suffix}"


def _variance(values: Sequence[float]) -> float | None:
    """Sample variance (S − 1), None below two values."""
    return stats.variance(values) if len(values) >= 2 else None


def _covariance(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Sample covariance (S − 1), None below two pairs."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (n - 1)


def _positive(value: float | None) -> bool:
    """Whether a variance is usable as a divisor."""
    return value is not None and value > 1e-12


def random_guess_score(item: Item) -> float | None:
    """The expected share of a random guess (0..1); None for types without options."""
    p = item.payload or {}
    if item.type == "single_choice" and p.get("options"):
        right = [o for o in p["options"] if o.get("correct")]
        return len(right) / len(p["options"])
    if item.type == "multiple_choice" and p.get("options"):
        flags = [bool(o.get("correct")) for o in p["options"]]
        total_right = sum(flags)
        if not total_right or len(flags) > 12:
            return None
        shares = [
            max(0, sum(flags[i] for i in pick) - sum(not flags[i] for i in pick)) / total_right
            for size in range(1, len(flags) + 1)
            for pick in combinations(range(len(flags)), size)
        ]
        return sum(shares) / len(shares)
    if item.type == "true_false":
        return 0.5
    if item.type == "fact_or_opinion":
        return 1 / len(p.get("choices") or ["fact", "opinion"])
    return None


def _option_counts(item: Item, answers: list[object]) -> list[OptionCount]:
    """Per option of a choice question: how many given answers chose it (in file order)."""
    if item.type not in CHOICE_TYPES:
        return []
    given = [a for a in answers if a is not None]
    counts = []
    for option in (item.payload or {}).get("options", []):
        oid = item_id(option["text"])
        count = sum(1 for a in given if a == oid or (isinstance(a, list) and oid in a))
        share = 100 * count / len(given) if given else None
        counts.append(OptionCount(option["text"], bool(option.get("correct")), count, share))
    return counts


def _item_stats(item: Item, taken: list[Taken], totals: list[float]) -> ItemStats:
    """The figures of one question over the attempts that presented it (`totals`: each
    attempt's raw total, in the order of `taken`)."""
    present = [(t, total) for t, total in zip(taken, totals, strict=True) if item.key in t.scores]
    answered = [t for t, _ in present if t.scores[item.key] is not None]
    result = ItemStats(item, len(present), random_guess=_percent(random_guess_score(item)))
    result.options = _option_counts(item, [t.answers.get(item.key) for t, _ in present])
    if not answered:
        return result
    xs = [t.scores[item.key] or 0.0 for t, _ in present]
    rest = [total - x for (_, total), x in zip(present, xs, strict=True)]
    result.facility = 100 * sum(xs) / len(xs)
    var_x, var_rest = _variance(xs), _variance(rest)
    if var_x is not None:
        result.sd = 100 * math.sqrt(var_x)
    if _positive(var_x) and _positive(var_rest):
        cov = _covariance(xs, rest)
        result.discrimination = 100 * cov / math.sqrt(var_x * var_rest)
        cmax = _covariance(sorted(xs), sorted(rest))
        if _positive(cmax):
            result.efficiency = 100 * cov / cmax
    low, high = FACILITY_BAND
    if result.discrimination is not None and result.discrimination < 0:
        result.flags.append("negative_discrimination")
    if result.facility > high:
        result.flags.append("too_easy")
    elif result.facility < low:
        result.flags.append("too_hard")
    return result


def _percent(share: float | None) -> float | None:
    """A share 0..1 in percent, keeping None."""
    return None if share is None else 100 * share


def _shape(totals: list[float]) -> tuple[float | None, float | None]:
    """Skewness and kurtosis from the unbiased k-statistics (as Moodle); None if undefined."""
    n = len(totals)
    if n < 3:
        return None, None
    mean = sum(totals) / n
    m2 = sum((t - mean) ** 2 for t in totals) / n
    m3 = sum((t - mean) ** 3 for t in totals) / n
    m4 = sum((t - mean) ** 4 for t in totals) / n
    k2 = n * m2 / (n - 1)
    if not _positive(k2):
        return None, None
    k3 = n * n * m3 / ((n - 1) * (n - 2))
    skewness = k3 / k2**1.5
    if n < 4:
        return skewness, None
    k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2) / ((n - 1) * (n - 2) * (n - 3))
    return skewness, k4 / (k2 * k2)


def quiz_statistics(items: list[Item], taken: list[Taken]) -> QuizStats:
    """Compute the quiz's and each question's figures from finished attempts."""
    graded = [i for i in items if i.type != "reflection"]
    keys = {i.key for i in graded}
    scored = [
        Taken({k: v for k, v in t.scores.items() if k in keys}, t.answers)
        for t in taken
        if any(k in keys for k in t.scores)
    ]
    raw_totals = [sum(s or 0.0 for s in t.scores.values()) for t in scored]
    per_item = [_item_stats(item, scored, raw_totals) for item in graded]
    totals = [100 * raw / len(t.scores) for t, raw in zip(scored, raw_totals, strict=True)]
    n = len(totals)
    mean = sum(totals) / n if n else None
    median = stats.median(totals) if n else None
    var_total = _variance(totals)
    sd = math.sqrt(var_total) if var_total is not None else None
    skewness, kurtosis = _shape(totals)
    cic = error_ratio = standard_error = None
    var_raw = _variance(raw_totals)
    item_vars = [
        _variance([t.scores[i.key] or 0.0 for t in scored if i.key in t.scores]) for i in graded
    ]
    used = [v for v in item_vars if v is not None]
    if len(used) >= 2 and _positive(var_raw):
        p = len(used)
        cic = 100 * p / (p - 1) * (1 - sum(used) / var_raw)
        if cic <= 100:
            error_ratio = 100 * math.sqrt(max(0.0, 1 - cic / 100))
            standard_error = error_ratio / 100 * sd if sd is not None else None
    return QuizStats(
        n, mean, median, sd, skewness, kurtosis, cic, error_ratio, standard_error, per_item
    )
