"""Draft questions end to end: the CLI imports an article and fills a bank's review queue;
a teacher accepts, edits and rejects drafts on the queue pages; rejected drafts stay away."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Article, Bank, Claim, DraftProposal, Question
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nato-2025-12-04.txt"
SECOND = ROOT / "tests" / "data" / "klima-lueneburg-2026-03-12.txt"


def _count(model) -> int:
    return len(db.session.scalars(select(model)).all())


def test_cli_imports_an_article_and_proposes_drafts_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["quiz", "import-article", str(SECOND), "--draft-questions", "klima-entwuerfe"]
    )
    assert result.exit_code == 0, result.output
    assert "klima-lueneburg-2026-03-12: created" in result.output
    assert "draft(s) proposed over" in result.output
    with app.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == "klima-entwuerfe"))
        pending = db.session.scalars(select(DraftProposal).where(DraftProposal.bank == bank)).all()
        assert len(pending) >= 25
        assert all(p.article.text[p.start : p.end] == p.sentence for p in pending)
        # A teacher rejects one; a second run proposes nothing new, least of all that one.
        rejected = pending[0]
        rejected.status = "rejected"
        db.session.commit()
    again = runner.invoke(
        args=["quiz", "import-article", str(SECOND), "--draft-questions", "klima-entwuerfe"]
    )
    assert again.exit_code == 0, again.output
    assert ": 0 draft(s) proposed" in again.output
    with app.app_context():
        assert _count(DraftProposal) == len(pending)


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "empty"),
        (b"date 2026-01-01\n\x00\x01\x02binary\xff\xfe", "not a text file"),
        (b"date 2026-01-01\n" + ("Der Rat tagt heute. " * 260_000).encode(), "at most"),
    ],
    ids=["empty", "binary", "5-mb"],
)
def test_bad_files_create_nothing(app, tmp_path, content, expected):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(
        args=["quiz", "import-article", str(path), "--draft-questions", "x-entwuerfe"]
    )
    assert result.exit_code == 1
    assert expected in result.output.lower() or expected in result.output
    with app.app_context():
        assert _count(Article) == _count(Bank) == _count(DraftProposal) == 0


def test_a_text_in_another_language_stays_for_hand_authoring(app, tmp_path):
    path = tmp_path / "council-vote.txt"
    path.write_text(
        "date 2026-03-12\nThe city council approved the climate plan on Tuesday. "
        "The mayor said that the city will be climate neutral by 2035, and that the plan "
        "is ambitious but affordable. The opposition voted against it.\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(
        args=["quiz", "import-article", str(path), "--draft-questions", "council-drafts"]
    )
    assert result.exit_code == 1
    assert "only for German" in result.output
    with app.app_context():
        assert _count(Article) == 1 and _count(DraftProposal) == 0 and _count(Bank) == 0


def test_cli_as_a_real_process(tmp_path):
    """`flask --app quizapp quiz import-article FILE --draft-questions BANK` as the README shows."""
    env = dict(os.environ, DATABASE_URL="sqlite:///" + str(tmp_path / "cli.sqlite"))
    flask = [sys.executable, "-m", "flask", "--app", "quizapp"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    done = subprocess.run(
        [*flask, "quiz", "import-article", str(SEED), "--draft-questions", "nato-entwuerfe"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "nato-2025-12-04: created" in done.stdout
    assert "waiting for review at /drafts/nato-entwuerfe" in done.stdout


@pytest.fixture
def queue(app, auth):
    """The seed article with its drafts proposed, and a logged-in teacher."""
    app.test_cli_runner().invoke(
        args=["quiz", "import-article", str(SEED), "--draft-questions", "nato-entwuerfe"]
    )
    auth.create_user("teach@example.org", "Tess", role="teacher")
    auth.login("teach@example.org")
    with app.app_context():
        rows = db.session.scalars(select(DraftProposal).order_by(DraftProposal.position)).all()
        return [(p.id, p.key, p.question["type"], p.sentence) for p in rows]


def test_learners_cannot_see_the_queue(client, auth, app):
    app.test_cli_runner().invoke(
        args=["quiz", "import-article", str(SEED), "--draft-questions", "nato-entwuerfe"]
    )
    auth.create_user("lea@example.org", "Lea")
    auth.login("lea@example.org")
    assert client.get("/drafts/nato-entwuerfe").status_code == 403
    assert client.get("/drafts/articles/nato-2025-12-04").status_code == 403
    article = client.get("/articles/nato-2025-12-04").get_data(as_text=True)
    assert "/drafts/articles/" not in article


def test_teacher_accepts_edits_and_rejects(client, app, queue):
    page = client.get("/drafts/nato-entwuerfe")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"{len(queue)} Entwürfe übrig" in html
    assert "<mark>" in html
    token = csrf_token(page)
    first, second, third = queue[0], queue[1], queue[2]
    client.post(f"/drafts/nato-entwuerfe/{first[0]}/accept", data={"csrf_token": token})
    client.post(f"/drafts/nato-entwuerfe/{third[0]}/reject", data={"csrf_token": token})
    form = client.get(f"/drafts/nato-entwuerfe/{second[0]}/edit")
    assert form.status_code == 200
    edited = client.post(
        f"/drafts/nato-entwuerfe/{second[0]}/edit",
        data={
            "csrf_token": csrf_token(form),
            "prompt": "Laut dem Artikel: Ist das eine Meinung?",
            "kind": "fact",
            "explanation": "Bearbeitet.",
        },
    )
    assert edited.status_code == 302, edited.get_data(as_text=True)[:2000]
    html = client.get("/drafts/nato-entwuerfe").get_data(as_text=True)
    assert f"{len(queue) - 3} Entwürfe übrig" in html
    with app.app_context():
        questions = {q.key: q for q in db.session.scalars(select(Question))}
        assert set(questions) == {first[1], second[1]}
        assert all(q.status == "draft" for q in questions.values())
        assert questions[second[1]].current.prompt == "Laut dem Artikel: Ist das eine Meinung?"
        claim = db.session.get(Claim, questions[first[1]].claim_id)
        assert claim.quote in first[3]
    # The article page links the queue for teachers.
    assert "/drafts/articles/nato-2025-12-04" in client.get("/articles/nato-2025-12-04").get_data(
        as_text=True
    )


def test_bulk_accept_and_a_bad_edit_changes_nothing(client, app, queue):
    page = client.get("/drafts/nato-entwuerfe")
    ids = [str(item[0]) for item in queue if item[2] == "cloze"][:3]
    client.post(
        "/drafts/nato-entwuerfe/bulk",
        data={"csrf_token": csrf_token(page), "action": "accept", "draft": ids},
    )
    choice = next(item for item in queue if item[2] == "single_choice")
    form = client.get(f"/drafts/nato-entwuerfe/{choice[0]}/edit")
    bad = client.post(
        f"/drafts/nato-entwuerfe/{choice[0]}/edit",
        data={"csrf_token": csrf_token(form), "prompt": "Laut dem Artikel?", "option_0": "A"},
    )
    assert bad.status_code == 422
    assert "nicht gültig" in bad.get_data(as_text=True)
    with app.app_context():
        assert _count(Question) == 3
        status = db.session.get(DraftProposal, choice[0]).status
        assert status == "pending"


def test_rejected_drafts_are_not_proposed_again_from_the_page(client, app, queue):
    page = client.get("/drafts/nato-entwuerfe")
    rejected = queue[0]
    client.post(
        f"/drafts/nato-entwuerfe/{rejected[0]}/reject", data={"csrf_token": csrf_token(page)}
    )
    form = client.get("/drafts/articles/nato-2025-12-04")
    again = client.post(
        "/drafts/articles/nato-2025-12-04",
        data={"csrf_token": csrf_token(form), "bank": "nato-entwuerfe"},
    )
    assert again.status_code == 302
    html = client.get("/drafts/nato-entwuerfe").get_data(as_text=True)
    assert f'data-key="{rejected[1]}"' not in html
    assert f"{len(queue) - 1} Entwürfe übrig" in html


def test_proposing_for_an_english_article_says_drafts_are_german_only(client, app, auth, tmp_path):
    path = tmp_path / "council.txt"
    path.write_text(
        "date 2026-03-12\nThe city council approved the climate plan on Tuesday. The mayor "
        "said that it is ambitious but affordable, and the opposition voted against it.\n",
        encoding="utf-8",
    )
    app.test_cli_runner().invoke(args=["quiz", "import-article", str(path)])
    auth.create_user("teach@example.org", "Tess", role="teacher")
    auth.login("teach@example.org")
    form = client.get("/drafts/articles/council")
    response = client.post(
        "/drafts/articles/council", data={"csrf_token": csrf_token(form), "bank": "council-drafts"}
    )
    assert response.status_code == 422
    assert "nur für deutsche Texte" in response.get_data(as_text=True)
    with app.app_context():
        assert _count(Bank) == 0 and _count(DraftProposal) == 0


def test_distractors_also_come_from_published_banks(app):
    from quizapp.banks import importer
    from quizapp.banks.articles import import_article
    from quizapp.services.drafts import reviewed_terms

    with app.app_context():
        import_article(SEED)
        results = importer.import_paths([ROOT / "questions" / "nato-2025-12-04.yaml"], [])
        assert not isinstance(results[0], importer.BankImportError), results[0]
        terms = dict(reviewed_terms())
        assert terms.get("Christopher Landau") == "person"
        assert terms.get("Tulsi Gabbard") == "person"


def test_a_bank_of_another_article_is_refused(client, app, queue):
    app.test_cli_runner().invoke(args=["quiz", "import-article", str(SECOND)])
    form = client.get("/drafts/articles/klima-lueneburg-2026-03-12")
    response = client.post(
        "/drafts/articles/klima-lueneburg-2026-03-12",
        data={"csrf_token": csrf_token(form), "bank": "nato-entwuerfe"},
    )
    assert response.status_code == 422
    assert "gehört zu einem anderen Artikel" in response.get_data(as_text=True)
    with app.app_context():
        assert _count(DraftProposal) == len(queue)
