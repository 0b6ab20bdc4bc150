"""Learner progress: score history, mastery per claim and tag, streak, and what to practise.

A learner's answers are their quiz responses and their answers in live games they
joined while logged in (LiveAnswer of a Player with their user_id): both count for
mastery, mistakes, the streak and the score history.

Everything the progress page shows comes from a fixed number of aggregate queries
(window functions and GROUP BY), however many answers a learner has given.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Integer,
    String,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    select,
    union,
    union_all,
)

from quizapp.dates import local_day
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    Bank,
    Claim,
    LiveAnswer,
    LiveSession,
    Membership,
    Player,
    Question,
    QuestionVersion,
    Quiz,
    Response,
    SchoolClass,
    User,
    answer_revealed,
    response_revealed,
    utcnow,
)
from quizapp.services import reviews, schedule
from quizapp.services.attempts import Owner, start_attempt

# Days are counted in the learners' time zone, not UTC: a German class answering at
# 00:30 has answered "today".

# Mastery of a question is its latest score; of a claim or tag, the mean over its questions.
KNOWN = 0.8
SHAKY = 0.5
# Quizzes built from the learner's own record, across banks.
SESSION_MODES = ("review", "mistakes")
# A mistakes session asks at most this many questions.
SESSION_SIZE = reviews.SESSION_SIZE
# The chart shows each bank's most recent attempts only, so the page stays fast and legible.
HISTORY_PER_BANK = 30


def level(value: float) -> str:
    """Name the mastery level of a score: known (≥ 0.8), shaky (≥ 0.5) or wrong."""
    if value >= KNOWN:
        return "known"
    if value >= SHAKY:
        return "shaky"
    return "wrong"


@dataclass
class QuestionStat:
    """A learner's record on one question: how often answered, how often not fully right."""

    question_id: int
    key: str
    prompt: str
    bank_title: str
    claim_id: int
    claim_key: str
    claim_quote: str
    claim_kind: str
    tags: list
    answered: int
    mistakes: int
    latest_score: float
    last_answered_at: datetime

    @property
    def level(self) -> str:
        """The mastery level of the latest answer."""
        return level(self.latest_score)

    @property
    def troublesome(self) -> bool:
        """Whether the learner keeps getting it wrong: two mistakes, or the latest one."""
        return self.mistakes >= 2 or self.latest_score < 1


@dataclass
class Mastery:
    """Mastery of a group of questions (a claim or a tag)."""

    key: str
    label: str
    questions: int
    score: float
    kind: str = ""
    # The bank a claim's questions come from (claims of different articles may read alike).
    bank: str = ""

    @property
    def level(self) -> str:
        """known, shaky or wrong."""
        return level(self.score)


def scored_answers(user_id: int):
    """Return the learner's scored answers, quizzes and live games alike, as a subquery.

    Columns: version_id, score (0..1), answered_at, and (source, answer_id) to order
    answers given at the same moment. Unscored answers (reflections) are left out.
    """
    quiz = (
        select(
            Response.question_version_id.label("version_id"),
            Response.score.label("score"),
            Response.answered_at.label("answered_at"),
            literal_column("0", Integer).label("source"),
            Response.id.label("answer_id"),
        )
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(
            Attempt.user_id == user_id,
            Response.score.is_not(None),
            # An open exam's answers are left out until it ends.
            response_revealed(),
            # Answers whose rightness the quiz's review options still hide stay out.
            Attempt.quiz_id.not_in(schedule.hidden_quiz_ids(user_id, "correctness", utcnow())),
        )
    )
    live = (
        select(
            LiveAnswer.version_id,
            LiveAnswer.score,
            LiveAnswer.answered_at,
            literal_column("1", Integer),
            LiveAnswer.id,
        )
        .join(Player, Player.id == LiveAnswer.player_id)
        .join(LiveSession, LiveSession.id == LiveAnswer.session_id)
        # The running question of a live game is left out until its reveal.
        .where(Player.user_id == user_id, LiveAnswer.version_id.is_not(None), answer_revealed())
    )
    return union_all(quiz, live).subquery()


def question_stats(user_id: int) -> list[QuestionStat]:
    """Return per question the learner answered (scored answers, quizzes and live games):
    counts and latest score.

    One query: window functions number each question's answers newest first and count
    answers and mistakes (score below 1) per question.
    """
    answers = scored_answers(user_id)
    per_question = (QuestionVersion.question_id,)
    newest_first = (
        answers.c.answered_at.desc(),
        answers.c.source.desc(),
        answers.c.answer_id.desc(),
    )
    ranked = (
        select(
            QuestionVersion.question_id.label("question_id"),
            answers.c.version_id.label("version_id"),
            answers.c.score.label("score"),
            answers.c.answered_at.label("answered_at"),
            func.row_number().over(partition_by=per_question, order_by=newest_first).label("rank"),
            func.count().over(partition_by=per_question).label("answered"),
            func.sum(case((answers.c.score < 1, 1), else_=0))
            .over(partition_by=per_question)
            .label("mistakes"),
        )
        .select_from(answers)
        .join(QuestionVersion, QuestionVersion.id == answers.c.version_id)
        .subquery()
    )
    # The prompt as the learner last saw it (the version of the latest answer).
    rows = db.session.execute(
        select(
            ranked.c.question_id,
            Question.key,
            QuestionVersion.prompt,
            Bank.title,
            Claim.id,
            Claim.key,
            Claim.quote,
            Claim.kind,
            Question.tags,
            ranked.c.answered,
            ranked.c.mistakes,
            ranked.c.score,
            ranked.c.answered_at,
        )
        .join(QuestionVersion, QuestionVersion.id == ranked.c.version_id)
        .join(Question, Question.id == ranked.c.question_id)
        .join(Bank, Bank.id == Question.bank_id)
        .outerjoin(Claim, Claim.id == Question.claim_id)
        .where(ranked.c.rank == 1)
        .order_by(Bank.title, Question.position, Question.id)
    ).all()
    return [
        QuestionStat(*row[:8], list(row[8] or []), int(row[9]), int(row[10]), *row[11:])
        for row in rows
    ]


def _mastery(key: str, label: str, stats: list[QuestionStat], kind: str = "", bank: str = ""):
    """Average the latest scores of a group of questions."""
    score = sum(s.latest_score for s in stats) / len(stats)
    return Mastery(key, label, len(stats), score, kind, bank)


def _weakest_first(found: list[Mastery]) -> list[Mastery]:
    """Sort by mastery, weakest first, then by label."""
    return sorted(found, key=lambda m: (m.score, m.label, m.key))


def mastery_by_claim(stats: list[QuestionStat]) -> list[Mastery]:
    """Return mastery per claim (its quote as label, its bank for context), weakest first."""
    groups: dict[int, list[QuestionStat]] = defaultdict(list)
    for stat in stats:
        if stat.claim_id is not None:  # questions without a source have no claim to master
            groups[stat.claim_id].append(stat)
    return _weakest_first(
        [
            _mastery(
                str(claim_id), found[0].claim_quote, found, found[0].claim_kind, found[0].bank_title
            )
            for claim_id, found in groups.items()
        ]
    )


def mastery_by_tag(stats: list[QuestionStat]) -> list[Mastery]:
    """Return mastery per tag, weakest first."""
    groups: dict[str, list[QuestionStat]] = defaultdict(list)
    for stat in stats:
        for tag in stat.tags:
            groups[str(tag)].append(stat)
    return _weakest_first([_mastery(tag, tag, found) for tag, found in groups.items()])


def troublesome(stats: list[QuestionStat]) -> list[QuestionStat]:
    """Return what the learner keeps getting wrong: most mistakes, then lowest score first."""
    found = [s for s in stats if s.troublesome]
    return sorted(found, key=lambda s: (-s.mistakes, s.latest_score, s.question_id))


# ---------------------------------------------------------------- streak


@dataclass
class Streak:
    """Consecutive days (Europe/Berlin) with at least one answer."""

    current: int
    longest: int
    active_today: bool
    days_active: int


def _active_hours(user_id: int) -> list[str]:
    """Return the distinct UTC hours ('YYYY-MM-DD HH') in which the learner answered.

    Berlin is a whole number of hours from UTC, so an hour maps to exactly one local
    day; the first 13 characters of a timestamp as text are its hour on both databases.
    """
    quiz = (
        select(Response.answered_at.label("at"))
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(Attempt.user_id == user_id)
    )
    live = (
        select(LiveAnswer.answered_at.label("at"))
        .join(Player, Player.id == LiveAnswer.player_id)
        .where(Player.user_id == user_id)
    )
    answers = union(quiz, live).subquery()
    hour = func.substr(cast(answers.c.at, String), 1, 13)
    return list(db.session.scalars(select(hour).distinct()))


def streak_from_days(days: set[date], today: date) -> Streak:
    """Count the streak ending today (or yesterday, if today has no answer yet)."""
    end = today if today in days else today - timedelta(days=1)
    current = 0
    while end - timedelta(days=current) in days:
        current += 1
    longest = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    return Streak(current, longest, today in days, len(days))


def streak(user_id: int, now: datetime | None = None) -> Streak:
    """Return the learner's daily streak."""
    days = {local_day(datetime.strptime(hour, "%Y-%m-%d %H")) for hour in _active_hours(user_id)}
    return streak_from_days(days, local_day(now or utcnow()))


# ---------------------------------------------------------------- score history


@dataclass
class HistoryPoint:
    """One finished attempt, or one finished live game the learner played, in the history."""

    attempt_id: int | None
    finished_at: datetime
    percent: float
    mode: str
    live_id: int | None = None


@dataclass
class Series:
    """A bank's (or the mixed review quizzes') attempts over time, oldest first."""

    bank_id: int | None
    title: str | None
    points: list[HistoryPoint] = field(default_factory=list)


def _attempt_points(user_id: int):
    """The learner's finished attempts as history points (a select of the union)."""
    return (
        select(
            Attempt.id.label("attempt_id"),
            cast(null(), Integer).label("live_id"),
            Attempt.finished_at.label("finished_at"),
            (Attempt.score * 100.0 / Attempt.max_score).label("percent"),
            Quiz.mode.label("mode"),
            Quiz.bank_id.label("bank_id"),
        )
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(
            Attempt.user_id == user_id,
            Attempt.finished_at.is_not(None),
            Attempt.score.is_not(None),
            Attempt.max_score > 0,
            Attempt.quiz_id.not_in(schedule.hidden_quiz_ids(user_id, "score", utcnow())),
        )
    )


def _live_points(user_id: int):
    """The finished live games the learner played logged in, as history points.

    A game is one point of its bank (its quiz's bank), at the podium: the share of the
    questions asked in the game (all up to the last one shown; the host may end early)
    the learner got right, partial credit counted; a question left unanswered counts 0.
    A player the host removed has no point: their game did not end for them.
    """
    asked = LiveSession.current_index + 1
    return (
        select(
            cast(null(), Integer).label("attempt_id"),
            LiveSession.id.label("live_id"),
            LiveSession.finished_at.label("finished_at"),
            (func.coalesce(func.sum(LiveAnswer.score), 0.0) * 100.0 / asked).label("percent"),
            Quiz.mode.label("mode"),
            Quiz.bank_id.label("bank_id"),
        )
        .select_from(Player)
        .join(LiveSession, LiveSession.id == Player.session_id)
        .join(Quiz, Quiz.id == LiveSession.quiz_id)
        .outerjoin(LiveAnswer, LiveAnswer.player_id == Player.id)
        .where(
            Player.user_id == user_id,
            Player.kicked.is_(False),
            LiveSession.finished_at.is_not(None),
            LiveSession.current_index >= 0,
        )
        .group_by(
            Player.id,
            LiveSession.id,
            LiveSession.finished_at,
            LiveSession.current_index,
            Quiz.mode,
            Quiz.bank_id,
        )
    )


def score_history(user_id: int, per_bank: int = HISTORY_PER_BANK) -> list[Series]:
    """Return each bank's most recent finished attempts and live games as percentages,
    oldest first.

    Quizzes across banks (review, mistakes) form one series with bank_id None.
    """
    points = union_all(_attempt_points(user_id), _live_points(user_id)).subquery()
    ranked = select(
        points,
        func.row_number()
        .over(
            partition_by=points.c.bank_id,
            order_by=(
                points.c.finished_at.desc(),
                points.c.attempt_id.desc(),
                points.c.live_id.desc(),
            ),
        )
        .label("rank"),
    ).subquery()
    rows = db.session.execute(
        select(
            ranked.c.bank_id,
            Bank.title,
            ranked.c.attempt_id,
            ranked.c.finished_at,
            ranked.c.percent,
            ranked.c.mode,
            ranked.c.live_id,
        )
        .outerjoin(Bank, Bank.id == ranked.c.bank_id)
        .where(ranked.c.rank <= per_bank)
        .order_by(
            Bank.title,
            ranked.c.bank_id,
            ranked.c.finished_at,
            ranked.c.attempt_id,
            ranked.c.live_id,
        )
    ).all()
    series: dict[int | None, Series] = {}
    for bank_id, title, attempt_id, finished_at, percent, mode, live_id in rows:
        entry = series.setdefault(bank_id, Series(bank_id, title))
        entry.points.append(HistoryPoint(attempt_id, finished_at, float(percent), mode, live_id))
    # Banks by title; the mixed series last.
    return sorted(series.values(), key=lambda s: (s.bank_id is None, s.title or ""))


# ---------------------------------------------------------------- the page


@dataclass
class Report:
    """Everything the progress page shows about one learner."""

    learner: User
    history: list[Series]
    stats: list[QuestionStat]
    by_claim: list[Mastery]
    by_tag: list[Mastery]
    trouble: list[QuestionStat]
    streak: Streak
    due: int

    @property
    def counts(self) -> dict[str, int]:
        """How many answered questions are known, shaky and wrong."""
        counts = {"known": 0, "shaky": 0, "wrong": 0}
        for stat in self.stats:
            counts[stat.level] += 1
        return counts


def report(learner: User, now: datetime | None = None) -> Report:
    """Build a learner's progress report with a fixed number of queries."""
    stats = question_stats(learner.id)
    return Report(
        learner=learner,
        history=score_history(learner.id),
        stats=stats,
        by_claim=mastery_by_claim(stats),
        by_tag=mastery_by_tag(stats),
        trouble=troublesome(stats),
        streak=streak(learner.id, now),
        due=reviews.due_count(learner.id, now),
    )


def can_view(viewer: User, learner_id: int) -> bool:
    """Whether the viewer may see a learner's progress: their own, an admin, or the
    teacher of a class the learner is in."""
    if viewer.id == learner_id or viewer.role == "admin":
        return True
    if not viewer.has_role("teacher"):
        return False
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(Membership.user_id == learner_id)
                .where(SchoolClass.id == Membership.class_id)
                .where(SchoolClass.teacher_id == viewer.id)
            )
        )
    )


# ---------------------------------------------------------------- review and mistakes sessions


def mistake_versions(user_id: int, limit: int = SESSION_SIZE) -> list[QuestionVersion]:
    """Return the current versions of what the learner keeps getting wrong, worst first."""
    busy = open_exam_questions(user_id)
    ids = [s.question_id for s in troublesome(question_stats(user_id)) if s.question_id not in busy]
    return _current_versions(ids[:limit])


def due_versions(user_id: int, now: datetime | None = None) -> list[QuestionVersion]:
    """Return the current versions of the learner's due questions, most overdue first."""
    busy = open_exam_questions(user_id)
    due = reviews.review_queue(user_id, now)
    return _current_versions([i.question_id for i in due if i.question_id not in busy])


def open_exam_questions(user_id: int) -> set[int]:
    """Return the questions of the learner's unfinished exams: practising them now would give
    the solution away (feedback after each answer) while the exam still runs."""
    version_ids = {
        version_id
        for ids in db.session.scalars(
            select(Attempt.version_ids).where(
                Attempt.user_id == user_id, Attempt.finished_at.is_(None), ~response_revealed()
            )
        )
        for version_id in ids
    }
    if not version_ids:
        return set()
    return set(
        db.session.scalars(
            select(QuestionVersion.question_id).where(QuestionVersion.id.in_(version_ids))
        )
    )


def _current_versions(question_ids: list[int]) -> list[QuestionVersion]:
    """Return the current versions of askable questions, in the order of the ids given."""
    if not question_ids:
        return []
    versions = db.session.scalars(
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.id.in_(question_ids), reviews.askable())
    ).all()
    order = {qid: n for n, qid in enumerate(question_ids)}
    return sorted(versions, key=lambda v: order[v.question_id])


def open_session(user_id: int, mode: str) -> Attempt | None:
    """Return the learner's unfinished review or mistakes attempt, to resume it."""
    return db.session.scalar(
        select(Attempt)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.user_id == user_id, Attempt.finished_at.is_(None), Quiz.mode == mode)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(1)
    )


def start_session(user: User, mode: str, title: str, now: datetime | None = None) -> Attempt:
    """Start (or resume) a review ("review") or practise-my-mistakes ("mistakes") attempt
    across banks; refuse (ServiceError nothing_due / no_mistakes) when nothing is left."""
    if mode not in SESSION_MODES:
        raise ValueError(f"unknown session mode {mode!r}")
    # A second click on "Review now" goes on with the session already started.
    resumed = open_session(user.id, mode)
    if resumed is not None:
        return resumed
    versions = due_versions(user.id, now) if mode == "review" else mistake_versions(user.id)
    if not versions:
        raise ServiceError("nothing_due" if mode == "review" else "no_mistakes")
    quiz = Quiz(bank_id=None, mode=mode, title=title, created_by_id=user.id)
    db.session.add(quiz)
    db.session.flush()
    return start_attempt(quiz, Owner.account(user), versions=versions, now=now)
