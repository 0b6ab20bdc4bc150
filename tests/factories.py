"""Test data built directly from the models: an article, its claims and a bank of every type."""

import hashlib
import json
from datetime import date
from pathlib import Path

from quizapp.extensions import db
from quizapp.models import Article, Bank, Claim, Question, QuestionVersion, Quiz

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
            "statement": "Die NATO ist für Trump anscheinend nur noch dazu da, die Europäer finanziell "
            "maximal melken.",
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
