"""Ordering by touch drag and by keyboard, matching by taps, on a phone in real Chromium."""

import re

from quizapp.extensions import db
from quizapp.models import Attempt, QuestionVersion
from tests.e2e.answering import match_by_taps, order_by_keyboard, order_ids, touch_drag
from tests.e2e.conftest import save_screenshot, serious_violations
from tests.factories import make_bank, right_answer

QUESTION_URL = re.compile(r".*/attempts/(\d+)/q/(\d+)$")


def _version(app, page) -> QuestionVersion:
    attempt_id, number = map(int, QUESTION_URL.match(page.url).groups())
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        version = db.session.get(QuestionVersion, attempt.version_ids[number - 1])
        db.session.expunge(version)
    return version


def _phone(browser, **options):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="de-DE", has_touch=True, **options
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_ordering_by_touch_drag_and_keyboard_and_matching_by_taps(browser, live_server, app):
    with app.app_context():
        make_bank(types=["ordering", "matching"])
    context, page = _phone(browser)
    page.goto(live_server + "/quiz/nato-test")
    page.get_by_role("button", name="Üben starten").click()
    seen = set()
    for _ in range(2):
        page.wait_for_url(QUESTION_URL)
        version = _version(app, page)
        wanted = right_answer(version)
        if version.type == "ordering":
            assert page.locator("ol.ordering").is_hidden()  # the dropdowns are the no-JS way
            assert page.locator(".sortable.draggable").is_visible()  # SortableJS from make vendor
            before = order_ids(page)
            # A finger drags the last item to the top.
            items = page.locator(".sortable-item")
            touch_drag(page, items.nth(len(before) - 1), items.nth(0))
            assert order_ids(page) == [before[-1]] + before[:-1]
            assert serious_violations(page) == []
            save_screenshot(page, "ordering-phone")
            # The keyboard finishes the job; the moved button keeps the focus.
            order_by_keyboard(page, wanted)
            assert order_ids(page) == wanted
            assert page.locator("[data-announce]").inner_text().startswith("„")
            selects = page.locator("ol.ordering select")
            assert [selects.nth(i).input_value() for i in range(len(wanted))] == wanted
        else:
            assert page.locator(".matching").is_hidden()
            match_by_taps(page, version.payload, wanted)
            assert page.locator(".match-left .matched").count() == len(wanted)
            assert serious_violations(page) == []
            save_screenshot(page, "matching-phone")
        seen.add(version.type)
        page.get_by_role("button", name="Antwort abgeben").click()
        page.get_by_text("Richtig!").wait_for()
        if len(seen) < 2:
            page.get_by_role("link", name="Nächste Frage").click()
    assert seen == {"ordering", "matching"}
    context.close()


def test_without_javascript_the_dropdowns_answer(browser, live_server, app):
    with app.app_context():
        make_bank(types=["ordering"])
    context, page = _phone(browser, java_script_enabled=False)
    page.goto(live_server + "/quiz/nato-test")
    page.get_by_role("button", name="Üben starten").click()
    page.wait_for_url(QUESTION_URL)
    version = _version(app, page)
    for n, item_id in enumerate(right_answer(version), start=1):
        page.locator(f"#position-{n}").select_option(value=item_id)
    page.get_by_role("button", name="Antwort abgeben").click()
    page.get_by_text("Richtig!").wait_for()
    context.close()


def test_reflection_counts_words_against_the_minimum(browser, live_server, app):
    with app.app_context():
        question = make_bank(types=["reflection"]).questions[0]
        version = db.session.get(QuestionVersion, question.current_version_id)
        version.payload = {**version.payload, "min_words": 5}
        db.session.commit()
    context, page = _phone(browser)
    page.goto(live_server + "/quiz/nato-test")
    page.get_by_role("button", name="Üben starten").click()
    page.wait_for_url(QUESTION_URL)
    minimum = _version(app, page).payload["min_words"]
    counter = page.locator("#answer-text-count")
    assert page.get_by_text(f"Mindestens {minimum} Wörter.").is_visible()  # before typing
    assert counter.inner_text() == f"Wörter: 0 von {minimum}"
    page.get_by_label("Deine Antwort").fill("Ich würde nachfragen")
    assert counter.inner_text() == f"Wörter: 3 von {minimum}"
    page.get_by_label("Deine Antwort").fill(" ".join(["Wort"] * minimum))
    assert counter.inner_text() == f"Wörter: {minimum}, genug."
    assert serious_violations(page) == []
    save_screenshot(page, "reflection-phone")
    context.close()


def test_exam_navigator_shows_answered_open_and_flagged_questions(browser, live_server, app):
    with app.app_context():
        make_bank(types=["true_false", "single_choice", "numeric"])
    context, page = _phone(browser)
    page.goto(live_server + "/quiz/nato-test")
    page.get_by_role("button", name="Prüfung starten").click()
    page.wait_for_url(QUESTION_URL)
    nav = page.get_by_role("navigation", name=re.compile("Fragen"))
    assert "0 von 3 beantwortet" in nav.inner_text()
    # Flag the first question for later, then jump to the second.
    page.get_by_role("button", name="⚑ Diese Frage für später markieren").click()
    assert page.locator(".exam-nav li[data-number='1']").get_attribute("class") == "flagged"
    nav.get_by_role("link", name="2 (nicht beantwortet)").click()
    page.wait_for_url(re.compile(r".*/q/2$"))
    # Any answer will do: in an exam it is final and shown only at the end.
    if _version(app, page).type == "numeric":
        page.get_by_label("Deine Zahl").fill("1")
    else:
        page.locator(".question-form input[type=radio]").first.check()
    page.get_by_role("button", name="Antwort abgeben").click()
    page.wait_for_url(re.compile(r".*/q/1$"))
    nav = page.get_by_role("navigation", name=re.compile("Fragen"))
    assert "1 von 3 beantwortet" in nav.inner_text()
    assert "2 (beantwortet)" in nav.inner_text().replace("\n", " ").replace("✓", "")
    assert page.locator(".exam-nav li[data-number='1']").get_attribute("class") == "flagged"
    assert serious_violations(page) == []
    save_screenshot(page, "exam-navigator-phone")
    context.close()


def test_a_reflection_is_skipped_for_now_by_keyboard_and_comes_back(browser, live_server, app):
    with app.app_context():
        make_bank(types=["true_false", "reflection"])
    context, page = _phone(browser)
    page.goto(live_server + "/quiz/nato-test")
    page.get_by_role("button", name="Üben starten").click()
    page.wait_for_url(QUESTION_URL)
    attempt_id = int(QUESTION_URL.match(page.url).group(1))
    with app.app_context():  # the reflection first, as a shuffled quiz may have it
        attempt = db.session.get(Attempt, attempt_id)
        attempt.version_ids = list(reversed(attempt.version_ids))
        db.session.commit()
    page.reload()
    skip = page.get_by_role("button", name="Vorerst überspringen")
    hint = page.locator("#" + skip.get_attribute("aria-describedby"))
    assert "kommt nach den anderen Fragen wieder" in hint.inner_text()
    assert serious_violations(page) == []
    save_screenshot(page, "reflection-skip-phone")
    # Keyboard only: from the text field, Tab past the answer button to "skip for now".
    page.get_by_label("Deine Antwort").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Vorerst überspringen"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/q/2$"))
    assert "Vorerst übersprungen" in page.get_by_role("status").inner_text()
    page.get_by_label("Wahr").check()
    page.get_by_role("button", name="Antwort abgeben").click()
    page.get_by_role("link", name="Nächste Frage").click()
    page.wait_for_url(re.compile(r".*/q/1$"))
    page.get_by_text("Du hast diese Frage vorhin übersprungen.").wait_for()
    page.get_by_role("button", name="Überspringen und zum Ergebnis").click()
    page.wait_for_url(re.compile(r".*/results$"))
    assert page.locator(".result-summary tbody tr").first.inner_text().count("Nicht beantwortet")
    assert serious_violations(page) == []
    context.close()
