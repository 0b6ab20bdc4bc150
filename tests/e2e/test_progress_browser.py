"""After a practice quiz, the progress page shows the attempt and what is due, in Chromium."""

from datetime import timedelta

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Card
from tests.e2e.conftest import log_in, open_menu, save_screenshot, serious_violations
from tests.factories import make_bank


def _fits(page) -> bool:
    """Whether the page needs no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_practice_attempt_appears_on_progress_and_review_pages(new_page, live_server, auth, app):
    auth.create_user(email="lena@example.org", name="Lena")
    with app.app_context():
        make_bank(types=["single_choice", "true_false"])
    page = new_page(width=360, height=780)
    log_in(page, live_server, "lena@example.org")

    page.goto(live_server + "/quiz/nato-test")
    page.get_by_role("button", name="Üben starten").click()
    page.get_by_label("Marco Rubio").check()
    page.get_by_role("button", name="Antwort abgeben").click()
    page.get_by_role("link", name="Nächste Frage").click()
    page.get_by_label("Wahr").check()
    page.get_by_role("button", name="Antwort abgeben").click()
    page.get_by_role("link", name="Zum Ergebnis").click()

    open_menu(page)
    page.get_by_role("link", name="Mein Fortschritt").click()
    page.get_by_role("heading", name="Mein Fortschritt", level=1).wait_for()
    chart = page.get_by_role("img", name="Ergebnisse je Fragenbank im Verlauf")
    assert chart.locator("circle").count() == 1
    page.get_by_text("Ergebnisse als Tabelle").click()
    assert page.locator(".chart-table td").filter(has_text="50 %").count() == 1
    # Both questions are scheduled, neither is due yet.
    assert page.locator("#due-count").inner_text() == "0"
    assert "Wiederholungen fällig" in page.locator("#due-count").locator("..").inner_text()
    assert serious_violations(page) == []
    assert _fits(page)
    save_screenshot(page, "progress-phone")

    # A month later both questions are due.
    with app.app_context():
        for card in db.session.scalars(select(Card)):
            card.due_at -= timedelta(days=30)
        db.session.commit()
    page.reload()
    assert page.locator("#due-count").inner_text() == "2"
    page.get_by_role("link", name="Zum Wiederholen").click()
    page.get_by_text("2 Fragen sind fällig.").wait_for()
    assert serious_violations(page) == []
    assert _fits(page)

    page.get_by_role("button", name="Jetzt wiederholen").click()
    page.get_by_text("Frage 1 von 2").wait_for()

    page.goto(live_server + "/mistakes")
    page.get_by_text("Der Artikel sagt, Artikel 5 enthalte keine Beistandspflicht.").wait_for()
    assert serious_violations(page) == []
