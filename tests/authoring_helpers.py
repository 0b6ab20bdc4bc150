"""Helpers for the authoring tests: accounts, forms sent like a browser, the articles used."""

import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Question
from tests.conftest import csrf_token

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
    response = auth.login(email=email)
    assert response.status_code == 302
    return client


def switch_to(client, auth, email):
    """Log out and log in as an existing account."""
    auth.logout()
    assert auth.login(email=email).status_code == 302


def post(client, url, data, files=None, page_url=None):
    """Send a form like a browser: fetch a page for the CSRF token, then post (multipart)."""
    page = client.get(page_url or url)
    payload = {"csrf_token": csrf_token(page), **data}
    if files:
        payload.update(files)
    return client.post(url, data=payload, content_type="multipart/form-data")


def action(client, url, page_url):
    """Press a button (a POST form with only the CSRF token) found on page_url."""
    return client.post(url, data={"csrf_token": csrf_token(client.get(page_url))})


def add_article(client, text=ARTICLE, title="Streit um die NATO", **extra):
    """Add an article through the form; return its slug."""
    data = {"title": title, "text": text, "fmt": "txt", "outlet": "taz", "language": "de"}
    response = post(client, "/author/articles/new", {**data, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)
    return re.search(r"/author/articles/([^/]+)/claims/new", response.location).group(1)


def add_claim(client, slug, quote=QUOTE, **extra):
    """Mark a claim through the form (a checked fact unless told otherwise)."""
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
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location.rstrip("/").rsplit("/", 1)[-1]


def new_question(client, bank_slug, qtype, data, files=None):
    """Post a new question of a type."""
    return post(client, f"/author/banks/{bank_slug}/questions/new/{qtype}", data, files)


def question_id(response) -> int:
    """The id of the question a save redirected to (its preview)."""
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/author/questions/(\d+)/preview", response.location).group(1))


def publish(client, qid, bank_slug):
    """Press Publish on the bank page."""
    return action(client, f"/author/questions/{qid}/publish", f"/author/banks/{bank_slug}")


def bank_row(slug) -> Bank:
    """Return the stored bank."""
    return db.session.scalar(select(Bank).where(Bank.slug == slug))


def questions_of(slug) -> list[Question]:
    """Return the stored questions of a bank."""
    return list(db.session.scalars(select(Question).join(Bank).where(Bank.slug == slug)))


def text(response) -> str:
    """The page's text."""
    return response.get_data(as_text=True)
