"""A learner takes the seed bank's quiz in real Chromium, phone-sized: practice, then exam."""

import re
import statistics
from pathlib import Path

import pytest

from quizapp import grading
from quizapp.extensions import db
from quizapp.models import Attempt, QuestionVersion
from tests.e2e.answering import match_by_taps, order_by_keyboard
from tests.e2e.conftest import save_screenshot, serious_violations
from tests.factories import right_answer

ROOT = Path(__file__).resolve().parents[2]
SLUG = "nato-2025-12-04"
QUESTION_URL = re.compile(r".*/attempts/(\d+)/q/(\d+)$")
BOTTOM_OF_QUESTION = (
    "document.querySelector('.question-form fieldset').getBoundingClientRect().bottom"
)


@pytest.fixture
def seed_bank(app):
    """Import the seed article and its bank through the real CLI, as `make run` does."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quiz", "import-article", str(ROOT / "seeds")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["quiz", "import", str(ROOT / "questions")])
    assert result.exit_code == 0, result.output
    return SLUG


def current_question(app, page) -> tuple[int, QuestionVersion]:
    """Return the position and version of the question the page shows."""
    match = QUESTION_URL.match(page.url)
    assert match, page.url
    attempt_id, number = int(match.group(1)), int(match.group(2))
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        version = db.session.get(QuestionVersion, attempt.version_ids[number - 1])
        db.session.expunge(version)
    return number, version


def fill_in(page, version: QuestionVersion, raw) -> None:
    """Answer through the visible controls, by their labels, as a person would."""
    p, t = version.payload, version.type
    if t in ("single_choice", "multiple_choice"):
        texts = {grading.item_id(o["text"]): o["text"] for o in p["options"]}
        for option_id in [raw] if t == "single_choice" else raw:
            page.get_by_label(texts[option_id], exact=True).check()
    elif t == "true_false":
        page.get_by_label("Wahr" if raw else "Falsch", exact=True).check()
    elif t == "cloze":
        for n, text in enumerate(raw, start=1):
            page.get_by_label(f"Lücke {n}", exact=True).fill(text)
    elif t == "numeric":
        page.get_by_label("Deine Zahl").fill(str(raw).replace(".", ","))
    elif t == "ordering" and page.locator(".sortable").count():
        order_by_keyboard(page, raw)
    elif t == "ordering":
        texts = {grading.item_id(item): item for item in p["items"]}
        for n, item in enumerate(raw, start=1):
            page.locator(f"#position-{n}").select_option(label=texts[item])
    elif t == "matching" and page.locator(".match-board").count():
        match_by_taps(page, p, raw)
    elif t == "matching":
        rights = {grading.item_id(pair["right"]): pair["right"] for pair in p["pairs"]}
        for left, right in raw.items():
            page.get_by_label(p["pairs"][int(left)]["left"], exact=True).select_option(
                label=rights[right]
            )
    elif t == "fact_or_opinion":
        page.locator(f"#answer-{raw}").check()
    else:
        page.get_by_label("Deine Antwort").fill(raw)


def test_learner_takes_the_seed_quiz_in_practice_and_exam(app, page, live_server, seed_bank):
    page.goto(f"{live_server}/quiz/{seed_bank}")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Üben starten").click()

    checked = set()  # types whose question and feedback pages axe has seen
    bottoms = []
    total = None
    while True:
        page.wait_for_url(QUESTION_URL)
        number, version = current_question(app, page)
        total = total or int(
            re.search(r"von (\d+)", page.locator(".quiz-progress").inner_text())[1]
        )
        first_of_type = version.type not in checked
        # How far down the page the question and its answer controls reach, before scrolling.
        bottoms.append(page.evaluate(BOTTOM_OF_QUESTION))
        if first_of_type:
            assert serious_violations(page) == [], version.type
        fill_in(page, version, right_answer(version))
        page.get_by_role("button", name="Antwort abgeben").click()
        verdict = "Gespeichert (nicht bewertet)" if version.type == "reflection" else "Richtig!"
        page.get_by_role("heading", name=verdict).wait_for()
        assert page.locator("blockquote.source-quote").is_visible()
        if first_of_type:
            assert serious_violations(page) == [], f"feedback of {version.type}"
            save_screenshot(page, f"practice-{version.type}")
            checked.add(version.type)
        if number == total:
            page.get_by_role("link", name="Zum Ergebnis").click()
            break
        page.get_by_role("link", name="Nächste Frage").click()
    assert checked == set(grading.TYPES)
    # The median question of the seed bank fits on the phone's screen with all its options.
    assert statistics.median(bottoms) <= page.viewport_size["height"], sorted(bottoms)

    page.get_by_role("heading", name=re.compile(r"von \d+ Punkten \(100\s%\)")).wait_for()
    # The overview first; each feedback is folded until opened.
    assert page.locator(".result-summary tbody tr").count() == total
    assert not page.locator("blockquote.source-quote").first.is_visible()
    assert serious_violations(page) == []
    page.locator(".result-item > summary").first.click()
    assert page.locator("blockquote.source-quote").first.is_visible()
    save_screenshot(page, "practice-results")

    # Exam: no feedback until the end; answers sent from the keyboard.
    page.goto(f"{live_server}/quiz/{seed_bank}")
    page.get_by_role("button", name="Prüfung starten").click()
    page.wait_for_url(QUESTION_URL)
    for answered in range(total):
        number, version = current_question(app, page)
        if answered == 0:
            assert page.locator(".timer").is_visible()
            assert serious_violations(page) == []
        raw = right_answer(version)
        fill_in(page, version, raw)
        page.get_by_role("button", name="Antwort abgeben").focus()
        page.keyboard.press("Enter")
        if answered + 1 < total:
            page.wait_for_url(re.compile(rf".*/q/(?!{number}$)\d+$"))
    page.wait_for_url(re.compile(r".*/results$"))
    page.get_by_role("heading", name=re.compile(r"von \d+ Punkten \(100\s%\)")).wait_for()
    page.locator(".result-item > summary").first.click()
    assert page.locator("blockquote.source-quote").first.is_visible()
    assert page.get_by_role("link", name="Zur Stelle im Artikel").first.is_visible()
    assert serious_violations(page) == []
    save_screenshot(page, "exam-results")


def test_quiz_works_without_javascript(app, browser, live_server, seed_bank):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="de-DE"
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server}/quiz/{seed_bank}")
        page.get_by_role("button", name="Prüfung starten").click()
        page.wait_for_url(QUESTION_URL)
        for _ in range(3):
            number, version = current_question(app, page)
            fill_in(page, version, right_answer(version))
            page.get_by_role("button", name="Antwort abgeben").click()
            page.wait_for_url(re.compile(rf".*/q/(?!{number}$)\d+$"))
        # During the exam, practising its questions waits (practice shows the right answers).
        exam_question = page.url
        page.goto(f"{live_server}/quiz/{seed_bank}")
        page.get_by_role("button", name="Üben starten").click()
        page.get_by_text(re.compile(r"Du schreibst gerade die Prüfung „.+“")).wait_for()
        page.goto(exam_question)
        # Without JavaScript there is no confirm dialog: the form hands in at once.
        page.get_by_role("button", name="Jetzt abgeben").click()
        page.wait_for_url(re.compile(r".*/results$"))
        heading = page.get_by_role("heading", name=re.compile(r"von \d+ Punkten"))
        assert heading.is_visible()
        assert page.get_by_text("Nicht beantwortet").count() > 0
        # Handed in: practice starts.
        page.goto(f"{live_server}/quiz/{seed_bank}")
        page.get_by_role("button", name="Üben starten").click()
        page.wait_for_url(QUESTION_URL)
    finally:
        context.close()


def test_a_practice_round_of_five_on_a_phone(app, page, live_server, seed_bank):
    page.goto(f"{live_server}/quiz/{seed_bank}")
    round_form = page.get_by_role("region", name="Übungsrunde")
    assert round_form.get_by_label("10", exact=True).is_checked()  # the default length
    assert serious_violations(page) == []
    save_screenshot(page, "round-bank-phone")
    # Keyboard: the arrow keys move through the lengths, as in any radio group.
    round_form.get_by_label("10", exact=True).focus()
    page.keyboard.press("ArrowLeft")
    assert round_form.get_by_label("5", exact=True).is_checked()
    round_form.get_by_role("button", name="Runde starten").click()

    for answered in range(5):
        page.wait_for_url(QUESTION_URL)
        assert f"Frage {answered + 1} von 5" in page.locator(".quiz-progress").inner_text()
        number, version = current_question(app, page)
        fill_in(page, version, right_answer(version))
        page.get_by_role("button", name="Antwort abgeben").click()
        page.get_by_role("link", name="Zum Ergebnis" if answered == 4 else "Nächste Frage").click()
    page.wait_for_url(re.compile(r".*/results$"))
    assert page.locator(".result-summary tbody tr").count() == 5
    page.get_by_role("heading", name=re.compile(r"5 von 5 Punkten \(100\s%\)")).wait_for()
    # The overview fits the phone: no sideways scrolling, each claim under its question.
    overflow = page.locator(".result-summary").evaluate(
        "table => table.parentElement.scrollWidth - table.parentElement.clientWidth"
    )
    assert overflow <= 0
    assert page.locator(".result-summary .claim-inline").first.is_visible()
    assert not page.locator(".result-summary th.claim-col").is_visible()
    assert serious_violations(page) == []
    save_screenshot(page, "round-results-phone")
    page.get_by_role("link", name="Noch eine Runde").click()
    page.get_by_role("button", name="Runde starten").wait_for()
