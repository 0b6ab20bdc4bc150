"""The data model, one module per domain; importing this package registers every table."""

from quizapp.models.attempts import Attempt, Quiz, Response, response_revealed
from quizapp.models.classes import Membership, SchoolClass
from quizapp.models.content import (
    Article,
    Bank,
    Claim,
    Image,
    Question,
    QuestionVersion,
    bank_author,
)
from quizapp.models.drafts import DraftProposal
from quizapp.models.live import LiveAnswer, LiveEvent, LiveSession, Player, answer_revealed
from quizapp.models.progress import Card, unrevealed_questions
from quizapp.models.users import SetupToken, User, utcnow

__all__ = [
    "Article",
    "Attempt",
    "Bank",
    "Card",
    "Claim",
    "DraftProposal",
    "Image",
    "LiveAnswer",
    "LiveEvent",
    "LiveSession",
    "Membership",
    "Player",
    "Question",
    "QuestionVersion",
    "Quiz",
    "Response",
    "SchoolClass",
    "SetupToken",
    "User",
    "answer_revealed",
    "bank_author",
    "response_revealed",
    "unrevealed_questions",
    "utcnow",
]
