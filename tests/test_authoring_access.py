"""Who may author what: learners reach no authoring page and no draft; owners, co-authors,
copies; banks from files are read-only and the start-up import never overwrites app work."""

import shutil

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, Claim, Question, QuestionVersion
from tests.authoring_helpers import (
    action,
    add_article,
    add_claim,
    bank_row,
    login_as,
    new_bank,
    new_question,
    post,
    publish,
    question_id,
    questions_of,
    switch_to,
    text,
)
from tests.bank_helpers import ROOT

OWNER = "owner@example.org"
OTHER = "other@example.org"
LEARNER = "learner@example.org"
CLOZE = {
    "claim": "T1",
    "asks": "text",
    "difficulty": "1",
    "prompt": "Laut dem Artikel: wohin reiste er nicht?",
    "text": "Er reiste nicht nach [[Brüssel]].",
}


@pytest.fixture
def world(client, auth):
    """An owner with a bank (one draft, one published question), another teacher, a learner."""
    auth.create_user(email=OTHER, name="Andere", role="teacher")
    auth.create_user(email=LEARNER, name="Lea", role="learner")
    login_as(client, auth, OWNER, name="Eigentümerin")
    slug = add_article(client)
    add_claim(client, slug)
    bank = new_bank(client, article=slug)
    published = question_id(new_question(client, bank, "cloze", CLOZE))
    publish(client, published, bank)
    draft = question_id(
        new_question(client, bank, "cloze", {**CLOZE, "prompt": "Laut dem Artikel: Entwurf?"})
    )
    return {"bank": bank, "article": slug, "published": published, "draft": draft}


def test_a_learner_reaches_no_authoring_page_and_no_draft(client, auth, world):
    switch_to(client, auth, LEARNER)
    bank, draft = world["bank"], world["draft"]
    for url in (
        "/author/",
        "/author/articles/new",
        f"/author/articles/{world['article']}/claims/new",
        "/author/banks/new",
        f"/author/banks/{bank}",
        f"/author/banks/{bank}/questions/new/cloze",
        f"/author/questions/{draft}/edit",
        f"/author/questions/{draft}/preview",
    ):
        assert client.get(url).status_code == 403, url
    page = client.get("/")
    from tests.conftest import csrf_token

    token = csrf_token(page)
    for url in (f"/author/questions/{draft}/publish", f"/author/banks/{bank}/copy"):
        assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert "Entwurf?" not in text(client.get(f"/banks/{bank}"))
    assert "Schreiben" not in text(client.get("/"))  # no authoring link in the navigation
    with client.application.app_context():
        assert db.session.get(Question, draft).status == "draft"


def test_a_guest_is_sent_to_the_login(client, world, auth):
    auth.logout()
    response = client.get("/author/")
    assert response.status_code == 302 and "/login" in response.location


def test_another_teacher_cannot_edit_unless_co_author(client, auth, app, world):
    bank, draft = world["bank"], world["draft"]
    switch_to(client, auth, OTHER)
    assert client.get(f"/author/banks/{bank}/questions/new/cloze").status_code == 403
    assert client.get(f"/author/questions/{draft}/edit").status_code == 404
    assert client.get(f"/author/questions/{draft}/preview").status_code == 404
    page = client.get(f"/author/banks/{bank}")
    assert page.status_code == 200 and "Entwurf?" not in text(page)  # drafts stay hidden
    response = post(
        client,
        f"/author/banks/{bank}/questions/new/cloze",
        CLOZE,
        page_url=f"/author/banks/{bank}",
    )
    assert response.status_code == 403
    assert client.post(
        f"/author/questions/{draft}/publish", data={"csrf_token": "x"}
    ).status_code in (400, 404)
    # The owner adds the other teacher as co-author: now they may.
    switch_to(client, auth, OWNER)
    post(
        client,
        f"/author/banks/{bank}/co-authors",
        {"email": OTHER},
        page_url=f"/author/banks/{bank}",
    )
    switch_to(client, auth, OTHER)
    assert client.get(f"/author/questions/{draft}/edit").status_code == 200
    assert publish(client, draft, bank).status_code == 302
    with app.app_context():
        assert db.session.get(Question, draft).status == "published"
    # A co-author cannot add co-authors.
    response = post(
        client,
        f"/author/banks/{bank}/co-authors",
        {"email": LEARNER},
        page_url=f"/author/banks/{bank}",
    )
    with app.app_context():
        assert [u.email for u in bank_row(bank).co_authors] == [OTHER]


def test_a_copy_is_independent_of_its_original(client, auth, app, world):
    bank, published = world["bank"], world["published"]
    switch_to(client, auth, OTHER)
    response = action(client, f"/author/banks/{bank}/copy", f"/author/banks/{bank}")
    copy = response.location.rstrip("/").rsplit("/", 1)[-1]
    assert copy != bank
    with app.app_context():
        copied = bank_row(copy)
        assert copied.owner.email == OTHER and copied.copied_from_id == bank_row(bank).id
        twins = questions_of(copy)
        assert [q.status for q in twins] == ["published"]  # the original's draft is not shared
        twin = twins[0].id
    post(
        client,
        f"/author/questions/{twin}/edit",
        {**CLOZE, "text": "Er flog nicht nach [[Brüssel]]."},
    )
    switch_to(client, auth, OWNER)
    post(
        client, f"/author/questions/{published}/edit", {**CLOZE, "text": "Sie reiste nach [[Rom]]."}
    )
    with app.app_context():
        assert db.session.get(Question, twin).current.payload["text"] == "Er flog nicht nach {1}."
        assert db.session.get(Question, published).current.payload["text"] == "Sie reiste nach {1}."
    # The owner cannot edit the copy.
    assert client.get(f"/author/questions/{twin}/edit").status_code == 404


def test_a_file_bank_is_read_only_and_the_import_never_overwrites_app_work(
    client, auth, app, tmp_path
):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["quiz", "import-article", str(ROOT / "seeds")]).exit_code == 0
    result = runner.invoke(args=["quiz", "import", str(ROOT / "questions")])
    assert result.exit_code == 0, result.output
    slug = "nato-2025-12-04"
    login_as(client, auth, OWNER)
    page = text(client.get(f"/author/banks/{slug}"))
    assert "nur lesbar" in page and f"/author/banks/{slug}/questions/new" not in page
    assert client.get(f"/author/banks/{slug}/questions/new/cloze").status_code == 403
    # The teacher marks a claim on the seed article and copies the bank to change it.
    sentence = "Das Treffen der Nato-Außenminister in Brüssel"
    with app.app_context():
        article_text = db.session.scalar(select(Bank).where(Bank.slug == slug)).article.text
    quote = next(line for line in article_text.split("\n") if len(line) > 60)[:60].strip()
    response = add_claim(
        client, slug, quote=quote, verdict="", note="Kontext", sources="", checked_on=""
    )
    assert response.status_code == 302, text(response)
    copy = action(client, f"/author/banks/{slug}/copy", f"/author/banks/{slug}").location
    copy = copy.rstrip("/").rsplit("/", 1)[-1]
    with app.app_context():
        twin = questions_of(copy)[0]
        twin_id, fields = twin.id, twin.current
        before_file = {q.key: q.current.content_hash for q in questions_of(slug)}
        claims_before = db.session.scalar(select(func.count(Claim.id)))
    del sentence, fields
    # The start-up import runs again: the teacher's claim and copy stay as they are.
    result = runner.invoke(args=["quiz", "import", str(ROOT / "questions")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Claim.id))) == claims_before
        assert db.session.scalar(select(Claim).where(Claim.quote == quote)) is not None
        assert db.session.get(Question, twin_id).bank.slug == copy
        assert {q.key: q.current.content_hash for q in questions_of(slug)} == before_file
    # A file that claims the slug of a bank written in the app is refused, and changes nothing.
    folder = tmp_path / "banks"
    folder.mkdir()
    source = (ROOT / "questions" / f"{slug}.yaml").read_text(encoding="utf-8")
    (folder / f"{copy}.yaml").write_text(
        source.replace(f"slug: {slug}", f"slug: {copy}", 1), encoding="utf-8"
    )
    shutil.copy(ROOT / "questions" / "loaded_words.txt", folder / "loaded_words.txt")
    with app.app_context():
        versions_before = db.session.scalar(select(func.count(QuestionVersion.id)))
    result = runner.invoke(args=["quiz", "import", str(folder)])
    assert result.exit_code != 0
    assert "written in the app" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(QuestionVersion.id))) == versions_before
        assert bank_row(copy).owner.email == OWNER


def test_a_seed_file_never_overwrites_an_article_added_in_the_app(client, auth, app, tmp_path):
    login_as(client, auth, OWNER)
    slug = add_article(client)
    (tmp_path / f"{slug}.txt").write_text("date 2026-01-01\nEin anderer Text.\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["quiz", "import-article", str(tmp_path)])
    assert result.exit_code != 0
    assert "added in the app" in result.output
    assert "Der US-Außenminister reiste" in text(client.get(f"/articles/{slug}"))
