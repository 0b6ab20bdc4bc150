"""Authoring in the app: articles, claims, questions of every type, preview, publish, access."""

import io
import re

import pytest
from PIL import Image as PILImage
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Article, Bank, Claim, Question, QuestionVersion
from tests.conftest import PASSWORD, csrf_token

ARTICLE = (
    "Streit um die NATO\n\n"
    "Der US-Außenminister reiste nicht zum Treffen nach Brüssel. "
    "Die NATO ist anscheinend nur noch eine Geldfrage.\n\n"
    "Die Allianz hat seit März 2024 32 Mitglieder."
)
QUOTE = "Der US-Außenminister reiste nicht zum Treffen nach Brüssel."
OPINION = "Die NATO ist anscheinend nur noch eine Geldfrage."


def login_as(client, auth, email, role="teacher", name="Lehrerin"):
    """Create an account with the role and log in through the form."""
    auth.create_user(email=email, name=name, role=role)
    client.post("/logout", data={})
    response = auth.login(email=email)
    assert response.status_code == 302
    return client


def post(client, url, data, files=None):
    """Send a form like a browser: fetch it for the CSRF token, then post (multipart)."""
    page = client.get(url)
    payload = {"csrf_token": csrf_token(page), **data}
    if files:
        payload.update(files)
    return client.post(url, data=payload, content_type="multipart/form-data")


def add_article(client, text=ARTICLE, title="Streit um die NATO", **extra):
    """Add an article through the form; return its slug."""
    response = post(
        client,
        "/author/articles/new",
        {"title": title, "text": text, "fmt": "txt", "outlet": "taz", "language": "de", **extra},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return re.search(r"/author/articles/([^/]+)/claims/new", response.location).group(1)


def add_claim(client, slug, quote=QUOTE, **extra):
    """Mark a claim through the form."""
    data = {
        "quote": quote,
        "kind": "fact",
        "verdict": "true",
        "sources": "https://www.nato.int/ NATO",
        "checked_on": "2026-11-26",
        **extra,
    }
    return post(client, f"/author/articles/{slug}/claims/new", data)


def new_bank(client, title="Meine NATO-Bank", article=""):
    """Create a bank through the form; return its slug."""
    response = post(client, "/author/banks/new", {"title": title, "article": article})
    assert response.status_code == 302
    return response.location.rstrip("/").rsplit("/", 1)[-1]


def bank_row(slug):
    """Return the stored bank."""
    return db.session.scalar(select(Bank).where(Bank.slug == slug))


def new_question(client, bank_slug, qtype, data, files=None):
    """Post a new question of a type."""
    return post(client, f"/author/banks/{bank_slug}/questions/new/{qtype}", data, files)


@pytest.fixture
def teacher(client, auth):
    """A logged-in teacher."""
    return login_as(client, auth, "lehrerin@example.org")


def test_teacher_goes_from_pasted_article_to_published_question(teacher, app):
    slug = add_article(teacher)
    page = teacher.get(f"/articles/{slug}")
    assert page.status_code == 200 and "Streit um die NATO" in page.get_data(as_text=True)
    assert add_claim(teacher, slug).status_code == 302
    bank = new_bank(teacher, article=slug)
    with app.app_context():
        claim = db.session.scalar(select(Claim).where(Claim.quote == QUOTE))
        assert claim.article.text[claim.start : claim.end] == QUOTE
    response = new_question(
        teacher,
        bank,
        "cloze",
        {
            "claim": "T1",
            "asks": "text",
            "prompt": "Laut dem Artikel: wohin reiste der Minister nicht?",
            "text": "Der Minister reiste nicht nach [[Brüssel|Bruxelles]].",
            "typo_tolerance": "1",
            "difficulty": "1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    preview = teacher.get(response.location)
    assert 'name="gap-1"' in preview.get_data(as_text=True)
    answered = post(teacher, response.location, {"gap-1": "Brüsel"})
    assert "Richtig" in answered.get_data(as_text=True) or "Right" in answered.get_data(
        as_text=True
    )
    with app.app_context():
        question = db.session.scalar(select(Question))
        assert question.status == "draft"
        question_id = question.id
    post(teacher, f"/author/banks/{bank}", {})
    page = teacher.get(f"/author/banks/{bank}")
    teacher.post(
        f"/author/questions/{question_id}/publish", data={"csrf_token": csrf_token(page)}
    )
    with app.app_context():
        assert db.session.get(Question, question_id).status == "published"
    assert "wohin reiste" in teacher.get(f"/banks/{bank}").get_data(as_text=True)
