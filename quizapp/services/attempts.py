"""Taking quizzes: start an attempt, record answers, finish and score it, adopt a guest's attempts.

Every function here owns its transaction. Times come in as `now` so tests control the clock;
scores and elapsed times are computed here, on the server, never taken from the client.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_login import AnonymousUserMixin
from sqlalchemy import (
    Select,
    String,
    bindparam,
    cast,
    exists,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from quizapp import grading
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    Article,
    Attempt,
    Claim,
    Membership,
    Question,
    QuestionVersion,
    Quiz,
    Response,
    SchoolClass,
    User,
    utcnow,
)
from quizapp.models.attempts import FEEDBACK_AT_END
from quizapp.security import token_digest
from quizapp.services import schedule
from quizapp.services.quizzes import GRADING_METHODS, select_versions
from quizapp.signals import answer_recorded

# An answer sent in the last second arrives a moment later: it still counts.
DEADLINE_GRACE = timedelta(seconds=2)
# Modes of the quizzes anyone may open and start by id (see get_quiz).
PAGE_MODES = ("practice", "exam")
UNSCORED_TYPES = ("reflection",)
# Questions a learner may skip for now and come back to (they never count as wrong).
SKIPPABLE_TYPES = ("reflection",)
# Ids are 32-bit integers in the database; larger numbers in a URL name nothing.
MAX_ID = 2**31 - 1

# Statements of the quiz pages, built once (they run for every question shown and answered).
_ATTEMPT_WITH_QUIZ = (
    select(Attempt).where(Attempt.id == bindparam("attempt_id")).options(joinedload(Attempt.quiz))
)
# A question version with its claim and article, joined in its own statement.
_WITH_SOURCE = (
    joinedload(QuestionVersion.question)
    .joinedload(Question.claim)
    .joinedload(Claim.article)
    .load_only(Article.id, Article.slug, Article.title)
)
_VERSION_WITH_SOURCE = (
    select(QuestionVersion)
    .where(QuestionVersion.id == bindparam("version_id"))
    .options(_WITH_SOURCE)
)
# An attempt's versions (see attempt_versions).
_VERSIONS_WITH_SOURCE = (
    select(QuestionVersion)
    .where(QuestionVersion.id.in_(bindparam("version_ids", expanding=True)))
    .options(_WITH_SOURCE)
)
# The writes of an answer (see _store_answer); its reads are _answer_statement's.
_RESPONSES = Response.__table__
_INSERT_RESPONSE = insert(_RESPONSES).returning(_RESPONSES.c.id)
_UPDATE_ATTEMPT = update(Attempt.__table__).where(Attempt.__table__.c.id == bindparam("attempt_id"))


@dataclass
class Owner:
    """Who takes a quiz: a logged-in user, or a guest known by the token in their cookie."""

    user_id: int | None = None
    guest_token: str | None = None

    @classmethod
    def account(cls, user: User) -> "Owner":
        """The owner for a logged-in user's attempts."""
        return cls(user_id=user.id)

    @classmethod
    def guest(cls, token: str | None) -> "Owner":
        """The owner for a guest's attempts, known by the token in their cookie."""
        return cls(guest_token=token)

    @property
    def guest_hash(self) -> str | None:
        """The digest under which a guest's attempts are stored."""
        return token_digest(self.guest_token) if self.guest_token else None

    def condition(self):
        """SQL condition selecting this owner's attempts."""
        if self.user_id is not None:
            return Attempt.user_id == self.user_id
        if self.guest_token:
            return (Attempt.guest_token_hash == self.guest_hash) & Attempt.user_id.is_(None)
        return false()

    def owns(self, attempt: Attempt) -> bool:
        """Whether this owner may see and answer the attempt."""
        if attempt.user_id is not None:
            return attempt.user_id == self.user_id
        return bool(self.guest_token) and attempt.guest_token_hash == self.guest_hash


def shows_feedback_now(quiz: Quiz) -> bool:
    """Whether the quiz (or an attempt's row with its quiz's mode) gives feedback after each
    question (practice) rather than at the end."""
    return quiz.mode not in FEEDBACK_AT_END


def may_take(quiz: Quiz, viewer: User | AnonymousUserMixin | None) -> bool:
    """Whether the viewer (a user, anonymous or None) may see and start the quiz: a quiz
    assigned to a class is for its members, its teacher and admins; any other is for everyone."""
    if quiz.class_id is None:
        return True
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.has_role("admin"):
        return True
    teacher_id = db.session.scalar(
        select(SchoolClass.teacher_id).where(SchoolClass.id == quiz.class_id)
    )
    if teacher_id == viewer.id:
        return True
    member = select(Membership.id).where(
        Membership.class_id == quiz.class_id, Membership.user_id == viewer.id
    )
    return db.session.scalar(member) is not None


def get_quiz(quiz_id: int, viewer: User | AnonymousUserMixin | None) -> Quiz | None:
    """Return the quiz with this id if the viewer may take it from its own page: a live game's
    quiz is played in the game, a learner's "my mistakes" quiz is theirs alone, and a class's
    quiz is for that class (see may_take). None reads as "no such quiz" to everyone else."""
    if not 0 < quiz_id <= MAX_ID:
        return None
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or quiz.mode not in PAGE_MODES or not may_take(quiz, viewer):
        return None
    return quiz


def attempts_of(quiz: Quiz, owner: Owner) -> list[Attempt]:
    """Return the owner's attempts of a quiz, oldest first."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, owner.condition())
            .order_by(Attempt.started_at, Attempt.id)
        )
    )


def attempts_left(quiz: Quiz, owner: Owner) -> int | None:
    """Return how many more attempts the owner may start (None: no limit)."""
    if quiz.attempts_allowed is None:
        return None
    used = db.session.scalar(
        select(func.count(Attempt.id)).where(Attempt.quiz_id == quiz.id, owner.condition())
    )
    return max(0, quiz.attempts_allowed - (used or 0))


def open_attempt(quiz: Quiz, owner: Owner, now: datetime | None = None) -> Attempt | None:
    """Return the owner's unfinished attempt of the quiz to resume, finishing expired ones."""
    now = now or utcnow()
    for attempt in reversed(attempts_of(quiz, owner)):
        if attempt.finished_at is None and not expire_if_due(attempt, now):
            return attempt
    return None


def _one_start_at_a_time(quiz: Quiz) -> None:
    """Lock the quiz until this transaction ends, so two starts cannot both pass the check of
    attempts left before either is stored: the UPDATE takes the quiz's row lock on
    PostgreSQL and the write lock on SQLite; a concurrent start waits, then sees this one."""
    touch = update(Quiz).where(Quiz.id == quiz.id).values(title=Quiz.title)
    db.session.execute(touch, execution_options={"synchronize_session": False})


def exam_in_progress(
    user_id: int | None, guest_hash: str | None, question_ids: set[int], now: datetime
) -> str | None:
    """Return the title of a quiz the account (or else the guest) is taking that shows no
    feedback until the end (an exam) and asks one of these questions, if any.

    Practice shows the right answer after each question: during an exam it would give the
    exam's answers away, so practising the exam's questions waits until it is handed in.
    Every practice answer asks, so one plain statement, which usually finds nothing.
    """
    if user_id is not None:
        statement, params = _EXAMS_OF_USER, {"user_id": user_id}
    elif guest_hash:
        statement, params = _EXAMS_OF_GUEST, {"guest_hash": guest_hash}
    else:
        return None
    connection = db.session.connection()
    for version_ids, deadline_at, title in connection.execute(statement, params).all():
        if _past(deadline_at, now):
            continue
        asked = connection.execute(_QUESTIONS_OF_VERSIONS, {"version_ids": version_ids})
        if question_ids.intersection(asked.scalars()):
            return title
    return None


# The statements of exam_in_progress, built once (it runs on every practice answer).
_OPEN_EXAMS = (
    select(Attempt.version_ids, Attempt.deadline_at, Quiz.title)
    .join(Quiz, Quiz.id == Attempt.quiz_id)
    .where(Attempt.finished_at.is_(None), Quiz.mode.in_(FEEDBACK_AT_END))
)
_EXAMS_OF_USER = _OPEN_EXAMS.where(Attempt.user_id == bindparam("user_id"))
_EXAMS_OF_GUEST = _OPEN_EXAMS.where(
    Attempt.guest_token_hash == bindparam("guest_hash"), Attempt.user_id.is_(None)
)
_QUESTIONS_OF_VERSIONS = select(QuestionVersion.question_id).where(
    QuestionVersion.id.in_(bindparam("version_ids", expanding=True))
)


def start_attempt(
    quiz: Quiz,
    owner: Owner,
    *,
    versions: list[QuestionVersion] | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """Start a new attempt of the quiz for its owner (an account or a guest); `versions`
    overrides the selection."""
    now = now or utcnow()
    if owner.user_id is None and not owner.guest_token:
        raise ServiceError("no_owner")
    _one_start_at_a_time(quiz)
    if attempts_left(quiz, owner) == 0:
        db.session.rollback()
        raise ServiceError("no_attempts_left")
    refusal = schedule.start_refusal(quiz, now)
    if refusal:
        raise ServiceError(refusal)
    rng = rng or random.SystemRandom()
    chosen = list(versions) if versions is not None else select_versions(quiz, rng)
    if not chosen:
        db.session.rollback()
        raise ServiceError("empty_quiz")
    if shows_feedback_now(quiz):
        asked = {v.question_id for v in chosen}
        exam = exam_in_progress(owner.user_id, owner.guest_hash, asked, now)
        if exam is not None:
            db.session.rollback()
            raise ServiceError("exam_in_progress", quiz=exam)
    attempt = Attempt(
        quiz=quiz,
        user_id=owner.user_id,
        guest_token_hash=owner.guest_hash if owner.user_id is None else None,
        version_ids=[v.id for v in chosen],
        # Secret: the shown order of ordering items must not let anyone work out the key.
        order_seed=rng.randrange(1, 2**31),
        current_version_id=chosen[0].id,
        shown_at=now,
        started_at=now,
        deadline_at=now + timedelta(seconds=quiz.time_limit_s) if quiz.time_limit_s else None,
        late=schedule.is_late(quiz, now),
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def load_attempt(attempt_id: int, owner: Owner) -> Attempt:
    """Return the attempt (with its quiz) if it belongs to the owner (else refuse: not_found)."""
    if not 0 < attempt_id <= MAX_ID:
        raise ServiceError("not_found")
    attempt = db.session.scalar(_ATTEMPT_WITH_QUIZ, {"attempt_id": attempt_id})
    if attempt is None or not owner.owns(attempt):
        raise ServiceError("not_found")
    return attempt


def attempt_versions(attempt: Attempt) -> list[QuestionVersion]:
    """Return the attempt's question versions in the order shown, with claim and article."""
    rows = db.session.scalars(_VERSIONS_WITH_SOURCE, {"version_ids": attempt.version_ids})
    by_id = {v.id: v for v in rows}
    return [by_id[i] for i in attempt.version_ids if i in by_id]


def attempt_version(attempt: Attempt, version_id: int) -> QuestionVersion:
    """Return one question version of the attempt with its claim and article, in one query."""
    if version_id not in attempt.version_ids:
        raise ServiceError("not_in_attempt")
    return db.session.scalar(_VERSION_WITH_SOURCE, {"version_id": version_id})


def responses_of(attempt: Attempt) -> dict[int, Response]:
    """Return the attempt's responses by question version id."""
    rows = db.session.scalars(select(Response).where(Response.attempt_id == attempt.id))
    return {r.question_version_id: r for r in rows}


def order_seed(attempt: Attempt, version_id: int) -> int:
    """Return the seed for the shown order of one question's options or items in this attempt."""
    return attempt.order_seed * 1_000_003 + version_id


def present(attempt: Attempt, version: QuestionVersion) -> dict:
    """Return the learner's view of a question in this attempt: no part of the key."""
    shuffle = attempt.quiz.shuffle_options or version.type in ("ordering", "matching")
    seed = order_seed(attempt, version.id) if shuffle else None
    return grading.present(version.type, version.payload, order_seed=seed)


def deadline_passed(attempt: Attempt, now: datetime) -> bool:
    """Whether the attempt's time limit is over (with a short grace for the last request)."""
    return _past(attempt.deadline_at, now)


def _past(deadline_at: datetime | None, now: datetime) -> bool:
    """Whether a time limit (None: none) is over, with the grace for the last request."""
    return deadline_at is not None and now > deadline_at + DEADLINE_GRACE


def expire_if_due(attempt: Attempt, now: datetime | None = None) -> bool:
    """Finish the attempt if its time ran out; return whether it did run out."""
    now = now or utcnow()
    if attempt.finished_at is None and deadline_passed(attempt, now):
        finish_attempt(attempt, now=attempt.deadline_at)
        return True
    return False


def mark_shown(attempt: Attempt, version_id: int, now: datetime | None = None) -> None:
    """Remember that a question was handed out now, where its answer time starts."""
    if attempt.finished_at is not None or attempt.current_version_id == version_id:
        return
    attempt.current_version_id = version_id
    attempt.shown_at = now or utcnow()
    db.session.commit()


def next_question(attempt: Attempt, skipped: set[int] | frozenset[int] = frozenset()) -> int | None:
    """Return the number (from 1) of the question to offer next: the first unanswered one the
    learner has not skipped, else the first skipped one (offered again); None when every
    question is answered."""
    answered = set(responses_of(attempt))
    open_ = [n for n, v in enumerate(attempt.version_ids, start=1) if v not in answered]
    fresh = [n for n in open_ if attempt.version_ids[n - 1] not in skipped]
    return (fresh or open_ or [None])[0]


def others_open(attempt: Attempt, version_id: int) -> bool:
    """Whether a question of the attempt other than this one is still unanswered."""
    answered = set(responses_of(attempt))
    return any(v not in answered and v != version_id for v in attempt.version_ids)


def skip_question(
    attempt: Attempt, version_id: int, skipped: set[int], now: datetime | None = None
) -> int | None:
    """Leave a reflection unanswered for now; `skipped` holds the questions skipped so far in
    the attempt, this one included. Return the number of the question to offer next (those not
    skipped first, then the skipped ones again), or None when no other question is open: then
    the attempt is handed in with this one unanswered (an unscored question is never wrong)."""
    if version_id not in attempt.version_ids:
        raise ServiceError("not_in_attempt")
    if attempt.finished_at is not None:
        raise ServiceError("finished")
    if attempt_version(attempt, version_id).type not in SKIPPABLE_TYPES:
        raise ServiceError("not_skippable")
    if expire_if_due(attempt, now):
        raise ServiceError("time_up")
    if not others_open(attempt, version_id):
        finish_attempt(attempt, now)
        return None
    return next_question(attempt, skipped | {version_id})


def _attempt_score(attempt: Attempt) -> dict:
    """Return the attempt's score and maximum from its stored responses (in the caller's
    transaction)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Response.score), 0.0)).where(
            Response.attempt_id == attempt.id
        )
    )
    types = db.session.scalars(
        select(QuestionVersion.type).where(QuestionVersion.id.in_(attempt.version_ids))
    ).all()
    return {
        "score": float(total or 0.0),
        "max_score": float(sum(1 for t in types if t not in UNSCORED_TYPES)),
    }


def finish_attempt(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Finish the attempt and fix its score; finishing twice changes nothing."""
    if attempt.finished_at is not None:
        return attempt
    attempt.finished_at = now or utcnow()
    attempt.current_version_id = None
    for key, value in _attempt_score(attempt).items():
        setattr(attempt, key, value)
    db.session.commit()
    return attempt


def _existing_response(attempt_id: int, version_id: int) -> Response | None:
    """Return the stored response to a question in an attempt, if any."""
    return db.session.scalar(
        select(Response).where(
            Response.attempt_id == attempt_id, Response.question_version_id == version_id
        )
    )


def record_answer(
    attempt: Attempt,
    version_id: int,
    raw: grading.RawAnswer,
    *,
    now: datetime | None = None,
    advance: bool = False,
) -> Response:
    """Grade and save one answer to a loaded attempt whose owner was checked (the quiz
    pages), by answer_question's rules; a repeated answer to the same question returns the
    first. The loaded attempt is brought up to date with what was written; the returned
    response is not attached to the session."""
    row = _answer_context(attempt.id, attempt.user_id, attempt.guest_token_hash)
    answered = _answer(row, version_id, raw, now or utcnow(), advance)
    for key, value in answered.changes.items():
        set_committed_value(attempt, key, value)
    return answered.response


def _store_answer(
    attempt,
    version,
    raw: grading.RawAnswer,
    answered: set[int],
    now: datetime,
    advance: bool,
) -> tuple[Response, dict | None]:
    """Grade and store an answer to a question of an open attempt (its row, see _answer),
    update the attempt (finished and scored with its last answer) and commit.

    Return the response (not attached to the session, without its version) and the attempt's
    columns as written; or, when a concurrent submit of the same answer was stored first, that
    response and None.

    Every learner's every answer runs through here, so the writes are plain statements (an
    INSERT and an UPDATE) rather than the unit of work.
    """
    version_id = version.id
    try:
        answer = grading.parse_answer(version.type, version.payload, raw)
    except grading.AnswerError as error:
        raise ServiceError("invalid_answer", answer_error=error) from None
    result = grading.grade(version.type, version.payload, answer)
    elapsed_ms = None
    if attempt.current_version_id == version_id and attempt.shown_at is not None:
        elapsed_ms = max(0, int((now - attempt.shown_at).total_seconds() * 1000))
    remaining = [v for v in attempt.version_ids if v not in answered and v != version_id]
    changes = {
        "current_version_id": remaining[0] if advance and remaining else None,
        "shown_at": now if advance and remaining else None,
    }
    attempt_id = attempt.id
    saved = {
        "attempt_id": attempt_id,
        "question_version_id": version_id,
        "answer": answer,
        "score": result.score,
        "correct": result.correct,
        "answered_at": now,
        "elapsed_ms": elapsed_ms,
    }
    try:
        # The unique constraint decides between two submits of the same answer.
        connection = db.session.connection()
        response_id = connection.execute(_INSERT_RESPONSE, saved).scalar_one()
        if attempt.user_id is not None:
            answer_recorded.send(
                current_app._get_current_object(),
                user_id=attempt.user_id,
                question_id=version.question_id,
                version_id=version_id,
                score=result.score,
                elapsed_ms=elapsed_ms,
                answered_at=now,
            )
        if not remaining:
            changes.update(_attempt_score(attempt), finished_at=now)
        connection.execute(_UPDATE_ATTEMPT, {"attempt_id": attempt_id, **changes})
        session = db.session()
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    except IntegrityError:
        db.session.rollback()
        existing = _existing_response(attempt_id, version_id)
        if existing is None:
            raise
        return existing, None
    return Response(id=response_id, **saved), changes


# An answer (see _answer) reads the attempt as one plain row, in one statement:
# the attempt, its quiz's rules, the questions answered so far (ids joined by commas) and
# whether its owner has an exam open at all (exam_in_progress tells which, if one is).
_ATTEMPTS, _QUIZZES = Attempt.__table__, Quiz.__table__
_EXAMS, _EXAM_QUIZZES = _ATTEMPTS.alias("exam"), _QUIZZES.alias("exam_quiz")


def _answer_statement(owner_exams) -> Select:
    """The statement reading an attempt for an answer; `owner_exams` picks the attempts of
    the attempt's owner (an account or a guest) among _EXAMS."""
    answered = (
        # The separator as SQL text, not a str: SQLAlchemy renders a str separator into the
        # statement anew on every execution ("literal_execute"), 2.4 % of the answer request.
        select(
            func.aggregate_strings(
                cast(_RESPONSES.c.question_version_id, String), literal_column("','")
            )
        )
        .where(_RESPONSES.c.attempt_id == _ATTEMPTS.c.id)
        .scalar_subquery()
    )
    exam_open = exists().where(
        _EXAMS.c.quiz_id == _EXAM_QUIZZES.c.id,
        _EXAMS.c.finished_at.is_(None),
        # Not mode.in_(...): an IN list is rendered anew on every execution (SQLAlchemy's
        # "expanding" parameter), 1.7 % of a learner's answer request in a py-spy profile.
        or_(*(_EXAM_QUIZZES.c.mode == mode for mode in FEEDBACK_AT_END)),
        owner_exams,
    )
    return (
        select(
            _ATTEMPTS,
            _QUIZZES.c.mode,
            _QUIZZES.c.review_now,
            _QUIZZES.c.review_after_due,
            _QUIZZES.c.due_at,
            answered.label("answered"),
            exam_open.label("exam_open"),
        )
        .join_from(_ATTEMPTS, _QUIZZES, _QUIZZES.c.id == _ATTEMPTS.c.quiz_id)
        .where(_ATTEMPTS.c.id == bindparam("attempt_id"))
    )


_ANSWER_CONTEXT_OF_USER = _answer_statement(_EXAMS.c.user_id == bindparam("user_id"))
_ANSWER_CONTEXT_OF_GUEST = _answer_statement(
    (_EXAMS.c.guest_token_hash == bindparam("guest_hash")) & _EXAMS.c.user_id.is_(None)
)


def _answer_context(attempt_id: int, user_id: int | None, guest_hash: str | None):
    """Return the attempt's row for an answer (see _answer_statement), None if there is no
    such attempt; the open exams looked for are the account's, else the guest's."""
    if user_id is not None:
        statement, params = _ANSWER_CONTEXT_OF_USER, {"user_id": user_id}
    else:
        statement, params = _ANSWER_CONTEXT_OF_GUEST, {"guest_hash": guest_hash}
    params["attempt_id"] = attempt_id
    return db.session.connection().execute(statement, params).one_or_none()


@dataclass(frozen=True)
class SourceArticle:
    """The article a claim is quoted from, as feedback links to it."""

    slug: str


@dataclass(frozen=True)
class SourceClaim:
    """A question's claim with what feedback shows of it (the Claim's attributes)."""

    key: str
    kind: str
    verdict: str | None
    quote: str
    speaker: str | None
    note: str | None
    sources: list | None
    checked_on: date | None
    article: SourceArticle


@dataclass(frozen=True)
class SourcedQuestion:
    """A question as feedback reads it: its claim (None: a question without a source)."""

    claim: SourceClaim | None


@dataclass(frozen=True)
class SourcedVersion:
    """A question version with its claim and article, read as one plain row: what grading and
    feedback read of a QuestionVersion (version.question.claim.article), no ORM objects."""

    id: int
    question_id: int
    type: str
    payload: dict
    explanation: str
    question: SourcedQuestion


_VERSIONS, _QUESTIONS = QuestionVersion.__table__, Question.__table__
_CLAIMS, _ARTICLES = Claim.__table__, Article.__table__
_SOURCED_VERSION = (
    select(
        _VERSIONS.c.id,
        _VERSIONS.c.question_id,
        _VERSIONS.c.type,
        _VERSIONS.c.payload,
        _VERSIONS.c.explanation,
        _CLAIMS.c.id.label("claim_id"),
        _CLAIMS.c.key.label("claim_key"),
        _CLAIMS.c.kind.label("claim_kind"),
        _CLAIMS.c.verdict.label("claim_verdict"),
        _CLAIMS.c.quote.label("claim_quote"),
        _CLAIMS.c.speaker.label("claim_speaker"),
        _CLAIMS.c.note.label("claim_note"),
        _CLAIMS.c.sources.label("claim_sources"),
        _CLAIMS.c.checked_on.label("claim_checked_on"),
        _ARTICLES.c.slug.label("article_slug"),
    )
    .join_from(_VERSIONS, _QUESTIONS, _QUESTIONS.c.id == _VERSIONS.c.question_id)
    .outerjoin(_CLAIMS, _CLAIMS.c.id == _QUESTIONS.c.claim_id)
    .outerjoin(_ARTICLES, _ARTICLES.c.id == _CLAIMS.c.article_id)
    .where(_VERSIONS.c.id == bindparam("version_id"))
)


def sourced_version(version_id: int) -> SourcedVersion:
    """Return a question version with its claim and article, read fresh in one statement."""
    row = db.session.connection().execute(_SOURCED_VERSION, {"version_id": version_id}).one()
    claim = None
    if row.claim_id is not None:
        claim = SourceClaim(
            key=row.claim_key,
            kind=row.claim_kind,
            verdict=row.claim_verdict,
            quote=row.claim_quote,
            speaker=row.claim_speaker,
            note=row.claim_note,
            sources=row.claim_sources,
            checked_on=row.claim_checked_on,
            article=SourceArticle(slug=row.article_slug),
        )
    return SourcedVersion(
        id=row.id,
        question_id=row.question_id,
        type=row.type,
        payload=row.payload,
        explanation=row.explanation,
        question=SourcedQuestion(claim=claim),
    )


@dataclass
class Answered:
    """An answer recorded (see answer_question) and the attempt after it."""

    response: Response
    version: QuestionVersion | SourcedVersion
    # Whether the quiz gives feedback after each question (see shows_feedback_now).
    feedback_now: bool
    next_version_id: int | None
    finished: bool
    score: float | None
    max_score: float | None
    # Whether the quiz's review options show the score now (only once finished).
    shows_score: bool
    # The attempt's columns as this answer wrote them (none for a repeated answer).
    changes: dict


def _answered(attempt, response: Response, version, changes: dict) -> Answered:
    """Return what is told of an answer, from the attempt's row and what was written."""
    finished_at = changes.get("finished_at", attempt.finished_at)
    shows_score = finished_at is not None and "score" in schedule.parts_of(
        attempt.review_now, attempt.review_after_due, attempt.due_at, utcnow()
    )
    return Answered(
        response=response,
        version=version,
        feedback_now=shows_feedback_now(attempt),
        next_version_id=changes.get("current_version_id", attempt.current_version_id),
        finished=finished_at is not None,
        score=changes.get("score", attempt.score),
        max_score=changes.get("max_score", attempt.max_score),
        shows_score=shows_score,
        changes=changes,
    )


def answer_question(
    attempt_id: int,
    owner: Owner,
    version_id: int,
    raw: grading.RawAnswer,
    *,
    now: datetime | None = None,
    advance: bool = False,
) -> Answered:
    """Grade and save one answer to the owner's attempt (else refuse: not_found); a repeated
    answer to the same question returns the first.

    With `advance`, the next unanswered question counts as handed out now (the API returns it
    with the result); otherwise its time starts when its page is served.
    """
    if not 0 < attempt_id <= MAX_ID or (owner.user_id is None and not owner.guest_token):
        raise ServiceError("not_found")
    row = _answer_context(attempt_id, owner.user_id, owner.guest_hash)
    if row is None or not owner.owns(row):
        raise ServiceError("not_found")
    return _answer(row, version_id, raw, now or utcnow(), advance)


def _answer(
    attempt, version_id: int, raw: grading.RawAnswer, now: datetime, advance: bool
) -> Answered:
    """Grade and save one answer to the attempt (its row, see _answer_context).

    Every learner's every answer runs through here, so the attempt and the question are read
    as plain rows (no ORM objects), the attempt with what the checks need in one statement.
    """
    if version_id not in attempt.version_ids:
        raise ServiceError("not_in_attempt")
    answered = {int(v) for v in attempt.answered.split(",")} if attempt.answered else set()
    if version_id in answered:
        existing = _existing_response(attempt.id, version_id)
        return _answered(attempt, existing, existing.version, {})
    if attempt.finished_at is not None:
        raise ServiceError("finished")
    if deadline_passed(attempt, now):
        finish_attempt(db.session.get(Attempt, attempt.id), now=attempt.deadline_at)
        raise ServiceError("time_up")
    version = sourced_version(version_id)
    if shows_feedback_now(attempt) and attempt.exam_open:
        # Feedback now would give away an open exam's answer (practice resumed during it).
        asked = {version.question_id}
        exam = exam_in_progress(attempt.user_id, attempt.guest_token_hash, asked, now)
        if exam is not None:
            raise ServiceError("exam_in_progress", quiz=exam)
    response, changes = _store_answer(attempt, version, raw, answered, now, advance)
    if changes is None:
        # A concurrent submit stored its answer first: tell that one, and the attempt now.
        again = _answer_context(attempt.id, attempt.user_id, attempt.guest_token_hash)
        return _answered(again, response, response.version, {})
    return _answered(attempt, response, version, changes)


def quiz_result(quiz: Quiz, owner: Owner) -> float | None:
    """Return the owner's result for the quiz (0..1) by its grading method, or None."""
    fractions = [
        a.score / a.max_score
        for a in attempts_of(quiz, owner)
        if a.finished_at is not None and a.max_score and a.score is not None
    ]
    return graded_result(fractions, quiz.grading_method)


def graded_result(fractions: list[float], method: str) -> float | None:
    """Combine the results (0..1) of finished attempts, oldest first, by a grading method."""
    counted = counted_attempts(fractions, method)
    return sum(fractions[i] for i in counted) / len(counted) if counted else None


def counted_attempts(fractions: list[float], method: str) -> list[int]:
    """Return the positions of the finished attempts (results 0..1, oldest first) that make the
    result by a grading method: all for the average, else the one chosen (the earliest best for
    "highest"). An unknown method counts as "highest"."""
    if not fractions:
        return []
    method = method if method in GRADING_METHODS else "highest"
    if method == "average":
        return list(range(len(fractions)))
    if method == "first":
        return [0]
    if method == "last":
        return [len(fractions) - 1]
    return [fractions.index(max(fractions))]


def wrong_versions(attempt: Attempt) -> list[QuestionVersion]:
    """Return the attempt's gradable questions answered, but not fully right."""
    responses = responses_of(attempt)
    return [
        v
        for v in attempt_versions(attempt)
        if v.type not in UNSCORED_TYPES and v.id in responses and responses[v.id].score != 1.0
    ]


def unanswered_versions(attempt: Attempt) -> list[QuestionVersion]:
    """Return the attempt's gradable questions the learner left without an answer."""
    responses = responses_of(attempt)
    return [
        v
        for v in attempt_versions(attempt)
        if v.type not in UNSCORED_TYPES and v.id not in responses
    ]


def retry_wrong(
    attempt: Attempt, owner: Owner, *, unanswered: bool = False, now: datetime | None = None
) -> Attempt:
    """Start a practice attempt of the questions answered wrongly (or, with `unanswered`,
    left unanswered) in a finished attempt."""
    if attempt.finished_at is None:
        raise ServiceError("not_finished")
    versions = unanswered_versions(attempt) if unanswered else wrong_versions(attempt)
    if not versions:
        raise ServiceError("nothing_wrong")
    source = attempt.quiz
    quiz = Quiz(
        bank_id=source.bank_id,
        title=source.title,
        selection="all",
        mode="mistakes",
        shuffle_options=source.shuffle_options,
        grading_method="last",
        created_by_id=owner.user_id,
    )
    db.session.add(quiz)
    db.session.flush()
    return start_attempt(quiz, owner, versions=versions, now=now)


def adopt_guest_attempts(user_id: int, guest_token: str) -> int:
    """Give a guest's attempts (known by the cookie token) to the account; return how many."""
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.guest_token_hash == token_digest(guest_token), Attempt.user_id.is_(None))
        .values(user_id=user_id, guest_token_hash=None)
    )
    db.session.commit()
    return result.rowcount or 0


def published_question_ids(bank) -> list[int]:
    """Return the ids of a bank's published questions."""
    return list(
        db.session.scalars(
            select(Question.id).where(Question.bank_id == bank.id, Question.status == "published")
        )
    )


def bank_quiz_key(bank, mode: str) -> str:
    """Return the key of the app's own quiz over a whole bank in a mode."""
    return f"bank:{bank.slug}:{mode}"


def exam_time_limit(question_count: int) -> int:
    """Return an exam's time limit in seconds: a minute per question, at least one minute."""
    return max(60, 60 * question_count)


def quiz_for_bank(bank, mode: str, tag: str | None = None) -> Quiz:
    """Return the app's own quiz over a whole bank in a mode (practice or exam), made once;
    with a tag, over the bank's questions with that tag (e.g. the short route `kurzquiz`)."""
    key = bank_quiz_key(bank, mode) + (f":tag:{tag}" if tag else "")
    quiz = db.session.scalar(select(Quiz).where(Quiz.key == key))
    if quiz is not None:
        return quiz
    exam = mode == "exam"
    quiz = Quiz(
        key=key,
        bank_id=bank.id,
        title=bank.title,
        selection="tag" if tag else "all",
        tag=tag,
        mode=mode,
        shuffle_questions=exam,
        # Authors tend to write the right option first: every learner sees its own order.
        shuffle_options=True,
        time_limit_s=exam_time_limit(len(published_question_ids(bank))) if exam else None,
        grading_method="highest",
    )
    db.session.add(quiz)
    try:
        db.session.commit()
    except IntegrityError:
        # Someone else made it at the same moment: use theirs.
        db.session.rollback()
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == key))
    return quiz
