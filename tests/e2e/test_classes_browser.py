"""A teacher creates a class, a learner joins with its code, the teacher opens their progress."""

from tests.conftest import PASSWORD
from tests.e2e.conftest import save_screenshot, serious_violations


def _fits(page) -> bool:
    """Whether the page needs no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _login(page, live_server, email):
    """Log in through the form."""
    page.goto(live_server + "/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Du bist angemeldet.").wait_for()


def test_learner_joins_with_the_shown_code_and_teacher_opens_their_progress(
    new_page, live_server, auth
):
    auth.create_user(email="kant@example.org", name="Herr Kant", role="teacher")
    auth.create_user(email="lena@example.org", name="Lena")

    teacher = new_page(width=360, height=780)
    _login(teacher, live_server, "kant@example.org")
    teacher.get_by_role("link", name="Klassen", exact=True).click()
    teacher.get_by_role("heading", name="Klassen", level=1).wait_for()
    assert serious_violations(teacher) == []
    assert _fits(teacher)
    teacher.get_by_label("Name der Klasse").fill("10b Politik")
    teacher.get_by_role("button", name="Klasse anlegen").click()
    teacher.get_by_role("heading", name="10b Politik", level=1).wait_for()
    code = teacher.locator("#join-code").inner_text().strip()
    assert len(code) == 8
    assert serious_violations(teacher) == []
    assert _fits(teacher)
    save_screenshot(teacher, "class-new-phone")

    learner = new_page(width=360, height=780)
    _login(learner, live_server, "lena@example.org")
    learner.get_by_role("link", name="Klassen", exact=True).click()
    # Keyboard only, typed as a learner might: lower case.
    learner.get_by_label("Beitrittscode").focus()
    learner.keyboard.type(code.lower())
    learner.keyboard.press("Enter")
    learner.get_by_text("Du bist jetzt in der Klasse „10b Politik“.").wait_for()
    learner.get_by_role("button", name="Verlassen 10b Politik").wait_for()
    assert serious_violations(learner) == []
    assert _fits(learner)
    save_screenshot(learner, "classes-learner-phone")

    learner.get_by_label("Beitrittscode").fill("ZZZZ9999")
    learner.get_by_role("button", name="Klasse beitreten").click()
    learner.get_by_text("Zu diesem Code gibt es keine Klasse.").wait_for()
    assert serious_violations(learner) == []

    teacher.reload()
    assert serious_violations(teacher) == []
    assert _fits(teacher)
    save_screenshot(teacher, "class-members-phone")
    teacher.get_by_role("link", name="Lena").click()
    teacher.get_by_role("heading", name="Fortschritt von Lena", level=1).wait_for()

    teacher.go_back()
    teacher.get_by_role("link", name="Klasse löschen …").click()
    teacher.get_by_role("heading", name="Die Klasse „10b Politik“ löschen?").wait_for()
    assert serious_violations(teacher) == []
    assert _fits(teacher)
    teacher.get_by_role("button", name="Klasse endgültig löschen").click()
    teacher.get_by_text("Die Klasse „10b Politik“ ist gelöscht.").wait_for()
    assert serious_violations(teacher) == []
