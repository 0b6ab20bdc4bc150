"""A teacher creates a class, a learner joins with its code, the teacher opens their progress."""

from datetime import datetime

from quizapp.extensions import db
from quizapp.models import Membership, SchoolClass
from quizapp.services.quizzes import published_versions
from tests.e2e.conftest import log_in, open_menu, save_screenshot, serious_violations
from tests.factories import make_attempt, make_bank, make_quiz


def _fits(page) -> bool:
    """Whether the page needs no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_learner_joins_with_the_shown_code_and_teacher_opens_their_progress(
    new_page, live_server, auth
):
    auth.create_user(email="kant@example.org", name="Herr Kant", role="teacher")
    auth.create_user(email="lena@example.org", name="Lena")

    teacher = new_page(width=360, height=780)
    log_in(teacher, live_server, "kant@example.org")
    open_menu(teacher)
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
    log_in(learner, live_server, "lena@example.org")
    open_menu(learner)
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


def test_gradebook_scrolls_inside_its_box_on_a_phone(new_page, live_server, auth, app):
    teacher_id = auth.create_user(email="kant@example.org", name="Herr Kant", role="teacher")
    learners = [auth.create_user(email=f"l{n}@example.org", name=f"Lernende {n}") for n in range(3)]
    with app.app_context():
        school_class = SchoolClass(name="10b Politik", join_code="ABCDEFGH", teacher_id=teacher_id)
        db.session.add(school_class)
        db.session.flush()
        db.session.add_all(Membership(class_id=school_class.id, user_id=u) for u in learners)
        db.session.commit()
        bank = make_bank()
        first, second = published_versions(bank.id)[:2]
        for n in range(5):
            quiz = make_quiz(
                bank,
                title=f"Sicherheitspolitik der Bündnisse, Teil {n + 1}",
                class_id=school_class.id,
                due_at=datetime(2026, 3, 4),
            )
            for day, user_id in enumerate(learners[: n % 3 + 1], start=2):
                make_attempt(user_id, quiz, [(first, 1.0), (second, 0.0)], datetime(2026, 3, day))
        class_id = school_class.id

    teacher = new_page(width=360, height=780)
    log_in(teacher, live_server, "kant@example.org")
    teacher.goto(f"{live_server}/classes/{class_id}")
    table = teacher.get_by_role("table", name="Ergebnisse der Quizze dieser Klasse")
    table.wait_for()
    assert table.get_by_text("50 % (verspätet)").count() > 0
    # The page fits the phone; the table scrolls sideways in its own focusable box.
    assert _fits(teacher)
    region = teacher.get_by_role("region", name="Ergebnisse der Quizze dieser Klasse")
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")
    assert serious_violations(teacher) == []
    save_screenshot(teacher, "class-gradebook-phone")
