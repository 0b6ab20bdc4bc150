"""Test data built directly from the models: an article, its claims and a bank of every type."""

import hashlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from quizapp import grading
from quizapp.extensions import db
from quizapp.models import (
    Article,
    Attempt,
    Bank,
    Claim,
    Question,
    QuestionVersion,
    Quiz,
    Response,
)

SEED = Path(__file__).resolve().parent.parent / "seeds" / "nato-2025-12-04.txt"

# One question of every type; payloads are the type's own fields as in questions/README.md.
QUESTIONS = [
    (
        "rubio",
        "C1",
        "single_choice",
        "world",
        "Wer nahm am 3. Dezember 2025 nicht am Treffen teil?",
        {
            "options": [
                {"text": "Marco Rubio", "correct": True},
                {"text": "Mark Rutte", "correct": False},
                {"text": "Johann Wadephul", "correct": False},
            ]
        },
    ),
    (
        "five-eyes",
        "C1",
        "multiple_choice",
        "world",
        "Welche Staaten gehören zu den „Five Eyes“?",
        {
            "options": [
                {"text": "Kanada", "correct": True},
                {"text": "Neuseeland", "correct": True},
                {"text": "Deutschland", "correct": False},
                {"text": "Australien", "correct": True},
            ]
        },
    ),
    (
        "art5-tf",
        "C6",
        "true_false",
        "correction",
        "Der Artikel sagt, Artikel 5 enthalte keine Beistandspflicht. Stimmt das?",
        {"solution": False},
    ),
    (
        "ort",
        "C1",
        "cloze",
        "world",
        "Ergänze den Ort.",
        {
            "text": "Die NATO-Außenminister trafen sich in {1}.",
            "gaps": [{"answers": ["Brüssel"], "typo_tolerance": 1}],
        },
    ),
    (
        "mitglieder",
        "C1",
        "numeric",
        "world",
        "Wie viele Mitglieder hat die NATO seit März 2024?",
        {"solution": 32, "tolerance": 0, "unit": "Staaten"},
    ),
    (
        "zeitleiste",
        "C1",
        "ordering",
        "world",
        "Bringe die Ereignisse von 2025 in ihre Reihenfolge.",
        {
            "items": [
                "Hegseth in Brüssel",
                "Gipfel in Den Haag",
                "Gabbard-Memo",
                "Außenministertreffen",
            ]
        },
    ),
    (
        "personen",
        "C1",
        "matching",
        "world",
        "Ordne die Personen ihren Ämtern zu.",
        {
            "pairs": [
                {"left": "Marco Rubio", "right": "US-Außenminister"},
                {"left": "Pete Hegseth", "right": "US-Verteidigungsminister"},
                {"left": "Oana Lungescu", "right": "NATO-Sprecherin 2010–2023"},
            ]
        },
    ),
    (
        "melken",
        "O1",
        "fact_or_opinion",
        "classify",
        "Tatsache oder Meinung?",
        {
            "statement": "Die NATO ist für Trump anscheinend nur noch dazu da, "
            "die Europäer finanziell maximal melken.",
            "solution": "opinion",
            "choices": ["fact", "opinion"],
            "markers": ["anscheinend", "melken"],
        },
    ),
    (
        "nachdenken",
        "O1",
        "reflection",
        "reflect",
        "Wie würdest du diese Quelle prüfen?",
        {"min_words": 0},
    ),
]

CLAIMS = [
    (
        "C1",
        "fact",
        "Der US-Außenminister hat es nicht einmal für nötig gehalten, zum Treffen der "
        "NATO-Außenminister anzureisen.",
        "true",
    ),
    ("C6", "claim", "keine Verpflichtung zum Beistand enthält", "misleading"),
    (
        "O1",
        "opinion",
        "Die NATO ist für Trump anscheinend nur noch dazu da, die Europäer finanziell "
        "maximal melken.",
        None,
    ),
]


def content_hash(qtype: str, prompt: str, payload: dict) -> str:
    """Hash of a version's gradable content (the importer's rule may differ; tests don't care)."""
    blob = json.dumps([qtype, prompt, payload], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def make_article(slug: str = "nato-2025-12-04") -> Article:
    """Store the seed article (text after the date line) and return it."""
    text = SEED.read_text(encoding="utf-8").split("\n", 1)[1].rstrip("\n")
    article = Article(
        slug=slug,
        title="Die USA und die NATO",
        language="de",
        published_on=date(2025, 12, 4),
        text=text,
    )
    db.session.add(article)
    db.session.flush()
    return article


def make_bank(slug: str = "nato-test", types: list[str] | None = None) -> Bank:
    """Create and commit a published bank with one question of each type (or the given types)."""
    article = make_article(slug=f"{slug}-article")
    claims = {}
    for key, kind, quote, verdict in CLAIMS:
        start = article.text.index(quote)
        claims[key] = Claim(
            article=article,
            key=key,
            kind=kind,
            quote=quote,
            start=start,
            end=start + len(quote),
            verdict=verdict,
            note="Kontext.",
            sources=[{"url": "https://www.nato.int/", "title": "NATO"}],
            checked_on=date(2026, 11, 26),
        )
        db.session.add(claims[key])
    bank = Bank(slug=slug, title="NATO-Testbank", language="de", article=article)
    db.session.add(bank)
    db.session.flush()
    position = 0
    for key, claim_key, qtype, asks, prompt, payload in QUESTIONS:
        if types and qtype not in types:
            continue
        question = Question(
            bank=bank,
            key=key,
            claim=claims[claim_key],
            status="published",
            position=position,
            difficulty=1,
            tags=["test", qtype],
        )
        db.session.add(question)
        db.session.flush()
        version = QuestionVersion(
            question_id=question.id,
            number=1,
            type=qtype,
            asks=asks,
            prompt=prompt,
            payload=payload,
            explanation=f"Erläuterung zu {key}.",
            content_hash=content_hash(qtype, prompt, payload),
        )
        db.session.add(version)
        db.session.flush()
        question.current_version_id = version.id
        position += 1
    db.session.commit()
    return bank


def make_quiz(bank: Bank, **settings) -> Quiz:
    """Create and commit a quiz over a bank with the given settings."""
    quiz = Quiz(bank_id=bank.id, title=settings.pop("title", bank.title), **settings)
    db.session.add(quiz)
    db.session.commit()
    return quiz


def add_questions(bank: Bank, count: int, topics: int = 5) -> list[QuestionVersion]:
    """Add `count` published true/false questions to a bank, spread over its article's claims
    and `topics` tags; return their versions (built in bulk, for long histories and benches)."""
    claims = list(db.session.scalars(select(Claim).where(Claim.article_id == bank.article_id)))
    start = db.session.scalar(select(func.count(Question.id)).where(Question.bank_id == bank.id))
    questions = [
        Question(
            bank_id=bank.id,
            key=f"extra-{start + n}",
            claim_id=claims[n % len(claims)].id,
            status="published",
            position=start + n,
            tags=[f"topic-{n % topics}"],
        )
        for n in range(count)
    ]
    db.session.add_all(questions)
    db.session.flush()
    versions = []
    for n, question in enumerate(questions):
        prompt = f"Aussage {start + n}: stimmt das?"
        payload = {"solution": n % 2 == 0}
        versions.append(
            QuestionVersion(
                question_id=question.id,
                number=1,
                type="true_false",
                asks="world",
                prompt=prompt,
                payload=payload,
                content_hash=content_hash("true_false", prompt, payload),
            )
        )
    db.session.add_all(versions)
    db.session.flush()
    for question, version in zip(questions, versions, strict=True):
        question.current_version_id = version.id
    db.session.commit()
    return versions


def make_attempt(
    user_id: int | None,
    quiz: Quiz,
    answers: list[tuple[QuestionVersion, float | None]],
    at: datetime,
    step: timedelta = timedelta(seconds=20),
    finished: bool = True,
) -> Attempt:
    """Store an attempt whose answers got the given scores, `step` apart from `at`; no grading
    and no signals (a scripted history). Reflection-like answers have score None."""
    attempt = Attempt(
        quiz_id=quiz.id,
        user_id=user_id,
        version_ids=[version.id for version, _ in answers],
        started_at=at,
    )
    db.session.add(attempt)
    db.session.flush()
    moment = at
    for version, score in answers:
        moment += step
        db.session.add(
            Response(
                attempt_id=attempt.id,
                question_version_id=version.id,
                answer=None,
                score=score,
                correct=None if score is None else score >= 1,
                answered_at=moment,
                elapsed_ms=int(step.total_seconds() * 1000),
            )
        )
    if finished:
        scored = [score for _, score in answers if score is not None]
        attempt.finished_at = moment
        attempt.score = float(sum(scored))
        attempt.max_score = float(len(scored))
    db.session.commit()
    return attempt


def right_answer(version):
    """Return the raw answer that scores 1 for a factory version (what a learner would send)."""
    p = version.payload
    t = version.type
    if t == "single_choice":
        return next(grading.item_id(o["text"]) for o in p["options"] if o["correct"])
    if t == "multiple_choice":
        return [grading.item_id(o["text"]) for o in p["options"] if o["correct"]]
    if t in ("true_false", "numeric", "fact_or_opinion"):
        return p["solution"]
    if t == "cloze":
        return [g["answers"][0] for g in p["gaps"]]
    if t == "ordering":
        return [grading.item_id(x) for x in p["items"]]
    if t == "matching":
        return {str(i): grading.item_id(pair["right"]) for i, pair in enumerate(p["pairs"])}
    text = "Ich würde die Quelle mit anderen Berichten vergleichen."
    missing = max(0, int(p.get("min_words") or 0) - len(text.split()))
    return text + " Und dann" * ((missing + 1) // 2)


def wrong_answer(version):
    """Return a well-formed answer that scores 0 (reflections: any text)."""
    p = version.payload
    t = version.type
    if t == "single_choice":
        return next(grading.item_id(o["text"]) for o in p["options"] if not o["correct"])
    if t == "multiple_choice":
        return [grading.item_id(o["text"]) for o in p["options"] if not o["correct"]]
    if t == "true_false":
        return not p["solution"]
    if t == "numeric":
        return p["solution"] + 100
    if t == "fact_or_opinion":
        return next(c for c in p["choices"] if c != p["solution"])
    if t == "cloze":
        return ["Paris" for _ in p["gaps"]]
    if t == "ordering":
        ids = [grading.item_id(x) for x in p["items"]]
        return ids[1:] + ids[:1]
    if t == "matching":
        ids = [grading.item_id(pair["right"]) for pair in p["pairs"]]
        return {str(i): ids[(i + 1) % len(ids)] for i in range(len(ids))}
    return "Keine Ahnung."
