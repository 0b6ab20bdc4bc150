"""Which question versions a quiz asks, in which order."""

import random

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion, Quiz


def published_versions(bank_id: int) -> list[QuestionVersion]:
    """Return the current versions of a bank's published questions, in bank order."""
    return list(
        db.session.scalars(
            select(QuestionVersion)
            .join(Question, Question.current_version_id == QuestionVersion.id)
            .where(Question.bank_id == bank_id, Question.status == "published")
            .order_by(Question.position, Question.id)
        )
    )


def select_versions(quiz: Quiz, rng: random.Random | None = None) -> list[QuestionVersion]:
    """Return the versions a new attempt of the quiz asks: all, by tag, or N at random."""
    rng = rng or random.Random()
    versions = published_versions(quiz.bank_id) if quiz.bank_id else []
    if quiz.selection == "tag" and quiz.tag:
        versions = [v for v in versions if quiz.tag in (v.question.tags or [])]
    if quiz.selection == "random" and quiz.count:
        versions = rng.sample(versions, min(quiz.count, len(versions)))
    elif quiz.count:
        versions = versions[: quiz.count]
    if quiz.shuffle_questions:
        rng.shuffle(versions)
    return versions
