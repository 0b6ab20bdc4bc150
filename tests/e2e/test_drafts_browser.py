"""A teacher reviews drafts proposed from an article in Chromium: accept, edit, reject."""

from pathlib import Path

from sqlalchemy import select

from quizapp.banks.articles import import_article
from quizapp.extensions import db
from quizapp.models import DraftProposal, Question
from tests.e2e.conftest import (
    ARTIFACTS,
    log_in,
    open_teaching,
    save_screenshot,
    serious_violations,
)

SEED = Path(__file__).resolve().parents[2] / "seeds" / "nato-2025-12-04.txt"


def test_teacher_accepts_edits_and_rejects_drafts(app, live_server, new_page, auth):
    with app.app_context():
        import_article(SEED)
    auth.create_user(email="kant@example.org", name="Herr Kant", role="teacher")
    page = new_page(width=390, height=844)
    log_in(page, live_server, "kant@example.org")

    page.goto(live_server + "/articles/nato-2025-12-04")
    page.get_by_role("link", name="Entwurfsfragen aus diesem Artikel").click()
    page.get_by_role("button", name="Entwurfsfragen vorschlagen").click()
    page.wait_for_url("**/drafts/nato-2025-12-04-entwuerfe")
    left = page.locator("#drafts-left")
    total = int(left.inner_text().split()[0])
    assert total >= 25
    assert page.locator(".draft-context mark").first.is_visible()
    assert serious_violations(page) == []

    keys = page.locator("li.draft").evaluate_all("els => els.map(e => e.dataset.key)")
    page.get_by_role("button", name="Übernehmen Entwurf 1", exact=True).click()
    page.get_by_text("Übernommen").wait_for()
    page.get_by_role("link", name="Bearbeiten Entwurf 1", exact=True).click()
    prompt = page.get_by_label("Frage", exact=True)
    prompt.fill("Laut dem Artikel: Wie ordnest du diesen Satz ein?")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Speichern und übernehmen").click()
    page.get_by_text("Gespeichert und als Entwurfsfrage übernommen.").wait_for()
    page.get_by_role("button", name="Verwerfen Entwurf 1", exact=True).click()
    page.get_by_text("Verworfen: Dieser Entwurf wird nicht wieder vorgeschlagen.").wait_for()
    assert page.get_by_text("1 Entwurf verworfen").is_visible()
    assert left.inner_text().startswith(f"{total - 3} ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    accepted = page.locator(".accepted-list li")
    assert accepted.count() == 2
    edited_item = accepted.filter(has_text="Laut dem Artikel: Wie ordnest du diesen Satz ein?")
    assert edited_item.locator("q").inner_text().strip() != ""
    assert serious_violations(page) == []
    save_screenshot(page, "drafts-queue-phone")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "drafts-queue-top.png"))
    # The same queue on a 1280x720 projector, with the same cookies.
    page.set_viewport_size({"width": 1280, "height": 720})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.locator("li.draft").first.is_visible()

    with app.app_context():
        questions = {q.key: q for q in db.session.scalars(select(Question))}
        assert set(questions) == {keys[0], keys[1]}
        for question in questions.values():
            assert question.status == "draft"
            proposal = db.session.scalar(
                select(DraftProposal).where(DraftProposal.key == question.key)
            )
            assert question.claim.quote in proposal.sentence
        edited = questions[keys[1]].current.prompt
        assert edited == "Laut dem Artikel: Wie ordnest du diesen Satz ein?"
        rejected = db.session.scalar(select(DraftProposal).where(DraftProposal.key == keys[2]))
        assert rejected.status == "rejected"


def test_teacher_pastes_an_article_and_reviews_its_drafts(app, live_server, new_page, auth):
    from quizapp.banks.articles import read_seed
    from quizapp.models import Bank, User

    article_text = read_seed(SEED).text
    auth.create_user(email="arendt@example.org", name="Frau Arendt", role="teacher")
    page = new_page(width=1280, height=720)
    log_in(page, live_server, "arendt@example.org")

    # The article, pasted on the authoring page.
    open_teaching(page)
    page.get_by_role("link", name="Fragen schreiben").click()
    page.get_by_role("link", name="Artikel hinzufügen").click()
    page.get_by_label("Titel").fill("Nato-Treffen ohne Rubio")
    page.get_by_label("Text des Artikels").fill(article_text)
    page.get_by_label("Medium (Zeitung, Website)").fill("n-tv")
    page.get_by_role("button", name="Artikel hinzufügen").click()
    page.wait_for_url("**/claims/new")
    slug = page.url.rsplit("/articles/", 1)[1].split("/")[0]

    # Drafts proposed from it, then accepted, edited and rejected.
    page.get_by_role("link", name="Entwurfsfragen aus diesem Artikel").click()
    page.get_by_role("button", name="Entwurfsfragen vorschlagen").click()
    page.wait_for_url(f"**/drafts/{slug}-entwuerfe")
    keys = page.locator("li.draft").evaluate_all("els => els.map(e => e.dataset.key)")
    assert len(keys) >= 3
    page.get_by_role("button", name="Übernehmen Entwurf 1", exact=True).click()
    page.get_by_text("Übernommen").wait_for()
    page.get_by_role("link", name="Bearbeiten Entwurf 1", exact=True).click()
    page.get_by_label("Frage", exact=True).fill("Laut dem Artikel: Was sagt dieser Satz?")
    page.get_by_role("button", name="Speichern und übernehmen").click()
    page.get_by_text("Gespeichert und als Entwurfsfrage übernommen.").wait_for()
    page.get_by_role("button", name="Verwerfen Entwurf 1", exact=True).click()
    page.get_by_text("Verworfen: Dieser Entwurf wird nicht wieder vorgeschlagen.").wait_for()
    accepted = page.locator(".accepted-list li")
    assert accepted.count() == 2
    for index in range(2):
        assert accepted.nth(index).locator("q").inner_text().strip() != ""
    assert serious_violations(page) == []

    # The accepted drafts are the teacher's drafts on the authoring page, ready to publish.
    page.goto(f"{live_server}/author/banks/{slug}-entwuerfe")
    assert page.locator(".badge.status-draft").count() == 2
    assert page.get_by_role("button", name="Veröffentlichen").count() == 2
    assert page.get_by_text("Laut dem Artikel: Was sagt dieser Satz?").is_visible()
    assert serious_violations(page) == []
    save_screenshot(page, "drafts-from-pasted-article")

    with app.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == f"{slug}-entwuerfe"))
        owner = db.session.scalar(select(User).where(User.email == "arendt@example.org"))
        assert bank.owner_id == owner.id and bank.article.slug == slug
        questions = {q.key: q for q in db.session.scalars(select(Question))}
        assert set(questions) == {keys[0], keys[1]}
        for question in questions.values():
            assert question.status == "draft"
            proposal = db.session.scalar(
                select(DraftProposal).where(DraftProposal.key == question.key)
            )
            assert question.claim.quote in proposal.sentence
            assert question.claim.article.slug == slug
        rejected = db.session.scalar(select(DraftProposal).where(DraftProposal.key == keys[2]))
        assert rejected.status == "rejected"
