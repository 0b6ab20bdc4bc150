"""Importing a GIFT, Moodle XML, YAML or TSV file on a bank's authoring page: drafts, a
report of what could not be carried, a refusal naming file and line that stores nothing."""

import io

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Question
from tests.authoring_helpers import (
    add_article,
    add_claim,
    login_as,
    new_bank,
    post,
    questions_of,
    switch_to,
    text,
)
from tests.bank_helpers import ROOT

DATA = ROOT / "tests" / "data" / "import"
OWNER = "owner@example.org"
OTHER = "other@example.org"


def send(client, bank, name, data: bytes, fmt="gift", tsv_as="matching"):
    """Press Import on the bank page with a file."""
    return post(
        client,
        f"/author/banks/{bank}/import",
        {"fmt": fmt, "tsv_as": tsv_as},
        files={"file": (io.BytesIO(data), name)},
        page_url=f"/author/banks/{bank}",
    )


def teacher_bank(client, auth):
    """A teacher's bank on an article (with one claim)."""
    login_as(client, auth, OWNER)
    slug = add_article(client)
    add_claim(client, slug)
    return new_bank(client, article=slug)


def test_a_gift_file_from_moodle_becomes_drafts_with_a_report(client, auth, app):
    bank = teacher_bank(client, auth)
    page = text(client.get(f"/author/banks/{bank}"))
    assert "Fragen aus einer Datei importieren" in page and "Importieren" in page
    data = (DATA / "nato-moodle.gift").read_bytes()
    response = send(client, bank, "nato-moodle.gift", data)
    assert response.status_code == 200
    page = text(response)
    assert "3 Fragen wurden als Entwürfe hinzugefügt." in page
    assert "Zeile 4: mitglieder (Einfachauswahl)" in page
    # What Moodle has and the bank cannot carry is named per question and per entry.
    assert "Nicht übernommen: Die teilweise richtige Antwort „Bruxelles“ (50 %)" in page
    assert "Zeile 2: übersprungen – Kategorie „$course$/Politik/NATO“" in page
    assert "Zeile 17: übersprungen – Beschreibung „Hinweis“" in page
    with app.app_context():
        stored = {q.key: q for q in questions_of(bank)}
        assert set(stored) == {"mitglieder", "treffen", "hauptsitz"}
        assert {q.status for q in stored.values()} == {"draft"}
        assert stored["treffen"].current.type == "true_false"
        assert stored["mitglieder"].claim is None
    # The drafts are listed on the bank page for the teacher to tie to claims and publish.
    page = text(client.get(f"/author/banks/{bank}"))
    assert page.count("Entwurf</span>") == 3


def test_a_broken_file_is_refused_with_file_and_line_and_stores_nothing(client, auth, app):
    bank = teacher_bank(client, auth)
    response = send(client, bank, "broken.gift", (DATA / "broken.gift").read_bytes())
    assert response.status_code == 422
    page = text(response)
    assert "Es wurde nichts importiert." in page
    assert "broken.gift:6: answers: Der hier mit { geöffnete Antwortblock" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 0


def test_tsv_lines_become_single_choice_questions_when_asked(client, auth, app):
    bank = teacher_bank(client, auth)
    lines = "NATO\tVerteidigungsbündnis\nEU\tStaatenverbund\nUNO\tWeltorganisation\n"
    response = send(client, bank, "begriffe.tsv", lines.encode(), "tsv", "single_choice")
    assert response.status_code == 200, text(response)
    with app.app_context():
        types = {q.current.type for q in questions_of(bank)}
        assert types == {"single_choice"} and len(questions_of(bank)) == 3


def test_a_wrong_format_and_a_missing_file_are_refused(client, auth, app):
    bank = teacher_bank(client, auth)
    data = (DATA / "nato-moodle.gift").read_bytes()
    response = send(client, bank, "nato-moodle.gift", data, fmt="moodle-xml")
    assert response.status_code == 422
    assert "nato-moodle.gift:1" in text(response)
    response = post(
        client,
        f"/author/banks/{bank}/import",
        {"fmt": "gift", "tsv_as": "matching"},
        page_url=f"/author/banks/{bank}",
    )
    assert response.status_code == 422
    assert "Wähle eine Datei zum Importieren aus." in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 0


def test_a_file_bank_and_another_teachers_bank_refuse_the_import(client, auth, app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["quiz", "import-article", str(ROOT / "seeds")]).exit_code == 0
    assert runner.invoke(args=["quiz", "import", str(ROOT / "questions")]).exit_code == 0
    bank = teacher_bank(client, auth)
    data = (DATA / "nato-moodle.gift").read_bytes()
    with app.app_context():
        before = db.session.scalar(select(func.count(Question.id)))
    # A bank from questions/ is read-only: no form, and a sent file is refused.
    file_bank = "nato-2025-12-04"
    assert f"/author/banks/{file_bank}/import" not in text(client.get(f"/author/banks/{file_bank}"))
    response = send(client, file_bank, "nato-moodle.gift", data)
    assert response.status_code == 302
    assert "nur lesbar" in text(client.get(response.location))
    # Another teacher may not import into someone else's bank.
    auth.create_user(email=OTHER, name="Andere", role="teacher")
    switch_to(client, auth, OTHER)
    response = send(client, bank, "nato-moodle.gift", data)
    assert response.status_code == 302
    assert "Nur die Eigentümerin oder der Eigentümer" in text(client.get(response.location))
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == before
