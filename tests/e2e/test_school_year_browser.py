"""A school year in the browser: pupil accounts with printed login cards, a quiz with a due
date, a pupil's first login with a card and a reflection, the teacher's comment and the item
statistics; axe clean on every page."""

import re
from datetime import datetime, timedelta

from tests.conftest import PASSWORD
from tests.e2e.conftest import save_screenshot, serious_violations
from tests.factories import make_bank

NAMES = ["Lena Berg", "Jörg Müller", "Ali Demir"]


def _login(page, live_server, name, password=PASSWORD):
    """Log in through the form."""
    page.goto(live_server + "/login")
    page.get_by_label("E-Mail oder Benutzername").fill(name)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def _pdf_pages(pdf: bytes) -> int:
    """Count the pages of a PDF (page objects, not the page tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_login_cards_print_one_page_per_pupil(new_page, live_server, auth):
    """Chromium's print to PDF gives exactly one page per card."""
    auth.create_user(email="kant@example.org", name="Herr Kant", role="teacher")
    teacher = new_page(width=1280, height=720)
    _login(teacher, live_server, "kant@example.org")
    teacher.goto(live_server + "/classes")
    teacher.get_by_label("Name der Klasse").fill("10b Politik")
    teacher.get_by_role("button", name="Klasse anlegen").click()
    teacher.get_by_role("link", name="Schülerkonten und Anmeldekarten").click()
    teacher.get_by_label("Namen, einer pro Zeile").fill("\n".join(NAMES))
    teacher.get_by_role("button", name="Konten anlegen und Anmeldekarten drucken").click()
    teacher.get_by_role("heading", name="Anmeldekarten für 10b Politik").wait_for()
    assert teacher.locator(".login-card").count() == 3
    assert serious_violations(teacher) == []
    teacher.emulate_media(media="print")
    assert _pdf_pages(teacher.pdf(format="A6")) == 3
    assert _pdf_pages(teacher.pdf(format="A4")) == 3


def test_teacher_pupil_reflection_comment_and_statistics(new_page, live_server, auth, app):
    """Class with pupil accounts → quiz with a due date → pupil logs in with a card and
    answers with a reflection → teacher comments → pupil sees it; item statistics open."""
    auth.create_user(email="kant@example.org", name="Herr Kant", role="teacher")
    with app.app_context():
        slug = make_bank(slug="jahr", types=["single_choice", "reflection"]).slug

    teacher = new_page(width=1280, height=720)
    _login(teacher, live_server, "kant@example.org")
    teacher.goto(live_server + "/classes")
    teacher.get_by_label("Name der Klasse").fill("10b Politik")
    teacher.get_by_role("button", name="Klasse anlegen").click()
    teacher.get_by_role("heading", name="10b Politik", level=1).wait_for()
    assert teacher.locator(".join-qr svg").count() == 1
    assert serious_violations(teacher) == []
    class_url = teacher.url
    teacher.get_by_role("link", name="Schülerkonten und Anmeldekarten").click()
    assert serious_violations(teacher) == []
    teacher.get_by_label("Namen, einer pro Zeile").fill("\n".join(NAMES))
    teacher.get_by_role("button", name="Konten anlegen und Anmeldekarten drucken").click()
    card = teacher.locator(".login-card").first
    username = card.locator(".card-username").inner_text().strip()
    password = card.locator(".card-password").inner_text().strip()

    teacher.goto(f"{live_server}/quizzes/new?bank={slug}")
    teacher.get_by_label("Titel").fill("Quellen prüfen")
    teacher.get_by_label("Einer Klasse zuweisen").select_option(label="10b Politik")
    due = (datetime.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    teacher.get_by_label("Fällig bis").fill(due)
    assert serious_violations(teacher) == []
    teacher.get_by_role("button", name="Quiz erstellen").click()
    teacher.get_by_role("heading", name="Quellen prüfen").first.wait_for()

    pupil = new_page()
    _login(pupil, live_server, username, password)
    pupil.get_by_role("heading", name="Wähle dein Passwort").wait_for()
    assert serious_violations(pupil) == []
    pupil.get_by_label("Dein Passwort").fill(PASSWORD)
    pupil.get_by_label("Passwort wiederholen").fill(PASSWORD)
    pupil.get_by_role("button", name="Mein Passwort speichern").click()
    pupil.get_by_text("Dein eigenes Passwort ist gespeichert.").wait_for()
    pupil.goto(live_server + "/classes")
    pupil.get_by_role("link", name="Quellen prüfen").click()
    pupil.get_by_role("button", name="Quiz starten").click()
    pupil.get_by_label("Marco Rubio").check()
    pupil.get_by_role("button", name="Antwort abgeben").click()
    pupil.get_by_role("link", name="Nächste Frage").click()
    pupil.get_by_label("Deine Antwort").fill("Ich vergleiche mit einer zweiten Quelle.")
    pupil.get_by_role("button", name="Antwort abgeben").click()
    pupil.get_by_role("link", name="Zum Ergebnis").click()
    results_url = pupil.url
    assert serious_violations(pupil) == []

    teacher.goto(class_url)
    teacher.get_by_role("link", name=re.compile("^Freitext-Antworten")).click()
    teacher.get_by_text("Ich vergleiche mit einer zweiten Quelle.").wait_for()
    assert serious_violations(teacher) == []
    teacher.get_by_label("Kommentar").fill("Gute Idee – welche Quelle?")
    teacher.get_by_label("Punkte").fill("2")
    teacher.get_by_role("button", name=re.compile("^Kommentar speichern")).click()
    teacher.get_by_text("Der Kommentar ist gespeichert").wait_for()

    teacher.goto(class_url)
    teacher.get_by_role("link", name=re.compile("^Aufgabenstatistik")).click()
    teacher.get_by_role("heading", name=re.compile("^Aufgabenstatistik")).wait_for()
    assert teacher.locator("#fig-attempts").inner_text().strip() == "1"
    assert serious_violations(teacher) == []
    save_screenshot(teacher, "item-statistics-projector")

    pupil.goto(results_url)
    # Each question's feedback (with the teacher's comment) is folded until opened.
    pupil.locator(".result-item:has-text('Gute Idee') > summary").click()
    pupil.get_by_text("Gute Idee – welche Quelle?").wait_for()
    assert serious_violations(pupil) == []
    save_screenshot(pupil, "results-with-comment-phone")


def test_teacher_picks_questions_by_keyboard_on_a_phone(new_page, live_server, auth, app):
    """Pick page, settings and delete pages on a phone: filter, add, reorder; axe clean."""
    auth.create_user(email="kant@example.org", name="Herr Kant", role="teacher")
    with app.app_context():
        slug = make_bank(slug="auswahl").slug
    teacher = new_page()
    _login(teacher, live_server, "kant@example.org")
    teacher.goto(f"{live_server}/quizzes/new?bank={slug}")
    teacher.get_by_label("Titel").fill("Ausgewählt")
    teacher.get_by_label("Fragen, die ich einzeln auswähle").check()
    teacher.get_by_role("button", name="Quiz erstellen").click()
    teacher.get_by_role("heading", name="Fragen auswählen: Ausgewählt").wait_for()
    assert serious_violations(teacher) == []
    teacher.get_by_label("Typ").select_option(label="Richtig oder falsch")
    teacher.get_by_role("button", name="Filtern").click()
    add = teacher.get_by_role("button", name=re.compile("^Hinzufügen"))
    assert add.count() == 1
    add.first.focus()
    teacher.keyboard.press("Enter")
    teacher.get_by_role("heading", name="1 Frage ausgewählt, in dieser Reihenfolge").wait_for()
    teacher.goto(teacher.url.split("?")[0])
    teacher.get_by_role("button", name=re.compile("^Hinzufügen")).first.click()
    teacher.get_by_role("heading", name="2 Fragen ausgewählt, in dieser Reihenfolge").wait_for()
    second = teacher.locator(".chosen .chosen-prompt").nth(1).inner_text()
    teacher.get_by_role("button", name=re.compile("^Nach oben")).nth(1).click()
    teacher.get_by_role("heading", name="2 Fragen ausgewählt, in dieser Reihenfolge").wait_for()
    assert teacher.locator(".chosen .chosen-prompt").first.inner_text() == second
    assert teacher.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(teacher) == []
    teacher.get_by_role("link", name="Einstellungen").click()
    teacher.get_by_role("heading", name="Quiz-Einstellungen: Ausgewählt").wait_for()
    assert serious_violations(teacher) == []
    quiz_id = teacher.url.split("/")[-2]
    teacher.goto(f"{live_server}/quizzes/{quiz_id}/delete")
    assert serious_violations(teacher) == []
    teacher.get_by_role("button", name="Quiz löschen").click()
    teacher.get_by_text("Das Quiz ist gelöscht.").wait_for()
