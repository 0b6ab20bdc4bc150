"""The projector (1280x720, 1920x1080) and the phone (390x844) with the seed bank's longest
live question: what the class must see is inside the screen, nothing scrolls, axe is clean."""

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, LiveSession, Question, QuestionVersion, User
from quizapp.services import live as game
from tests.bank_helpers import ROOT, import_bank, import_seed
from tests.e2e.conftest import log_in, save_screenshot, serious_violations

PAUSED_REFUSAL = "Das Spiel ist pausiert."
OK_GREEN = "rgb(23, 105, 46)"  # --ok: only right answers wear it


def longest_live_question(app) -> tuple[int, int]:
    """Import the seed bank; return its id and the live question with the most text."""
    with app.app_context():
        import_seed()
        import_bank(ROOT / "questions" / "nato-2025-12-04.yaml")
        bank = db.session.scalar(select(Bank))
        versions = db.session.scalars(
            select(QuestionVersion)
            .join(Question, Question.current_version_id == QuestionVersion.id)
            .where(Question.bank_id == bank.id, QuestionVersion.type.in_(game.LIVE_TYPES))
        )

        def size(version):
            options = version.payload.get("options") or []
            return len(version.prompt) + sum(len(o["text"]) for o in options)

        return bank.id, max(versions, key=size).id


def start_game(app, bank_id: int, version_id: int) -> tuple[int, str, list[str], list[str]]:
    """A game of that one question; return its id, PIN, right and wrong option texts."""
    with app.app_context():
        host = db.session.scalar(select(User).where(User.email == "kern@example.org"))
        rules = game.GameRules(count=1, preview_s=0, time_limit_s=120)
        live = game.create_session(host, db.session.get(Bank, bank_id), rules, game.clock())
        live.version_ids = [version_id]
        db.session.commit()
        options = db.session.get(QuestionVersion, version_id).payload["options"]
        right = [o["text"] for o in options if o.get("correct")]
        wrong = [o["text"] for o in options if not o.get("correct")]
        return live.id, live.pin, right, wrong


def assert_on_screen(page, selectors: list[str]) -> None:
    """Every element is inside the viewport, and the page does not scroll."""
    size = page.viewport_size
    for selector in selectors:
        for box in [item.bounding_box() for item in page.locator(selector).all()]:
            assert box is not None, f"{selector} is not shown"
            assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
            assert box["x"] + box["width"] <= size["width"] + 0.5, (selector, box, size)
            assert box["y"] + box["height"] <= size["height"] + 0.5, (selector, box, size)
    scroll = page.evaluate("[document.documentElement.scrollHeight, window.innerHeight]")
    assert scroll[0] <= scroll[1], f"the page scrolls: {scroll}"


@pytest.fixture
def seeded_game(app, auth):
    auth.create_user(email="kern@example.org", name="Frau Kern", role="teacher")
    bank_id, version_id = longest_live_question(app)
    return start_game(app, bank_id, version_id)


def test_projector_and_phone_fit_their_screens(new_page, live_server, seeded_game, app):
    live_id, pin, right, wrong = seeded_game
    host = new_page(width=1280, height=800)
    log_in(host, live_server, "kern@example.org")
    screens = {}
    for width, height in ((1280, 720), (1920, 1080)):
        screen = host.context.new_page()
        screen.set_viewport_size({"width": width, "height": height})
        screen.goto(f"{live_server}/live/{live_id}/screen")
        screens[width] = screen
    phone = new_page(width=390, height=844)
    phone.goto(f"{live_server}/join/{pin}")
    phone.get_by_label("Spitzname").fill("Ada")
    phone.get_by_role("button", name="Beitreten").click()
    phone.get_by_text("Du bist dabei!").wait_for()
    other = new_page()
    other.goto(f"{live_server}/join/{pin}")
    other.get_by_label("Spitzname").fill("Bo")
    other.get_by_role("button", name="Beitreten").click()
    other.get_by_text("Du bist dabei!").wait_for()

    # The lobby: PIN, QR code, join link and the names as they arrive; no site menu.
    for width, screen in screens.items():
        screen.locator(".lobby-names").get_by_text("Bo").wait_for()
        assert screen.locator(".site-header").count() == 0
        assert screen.locator("[data-pin]").inner_text() == f"{pin[:3]} {pin[3:]}"
        assert_on_screen(screen, ["[data-pin]", ".qr", ".qr-url", "[data-names] li", "[data-next]"])
        save_screenshot(screen, f"live-projector-{width}-lobby")
        assert serious_violations(screen) == []
    assert phone.locator(".site-header").count() == 0

    # Space on the projector starts the question; the phones show it with every option.
    screens[1280].keyboard.press("Space")
    for width, screen in screens.items():
        screen.locator(".options .option").first.wait_for()
        screen.locator("[data-seconds]").get_by_text(re.compile(r"noch \d+ s")).wait_for()
        assert screen.locator(".options .option").count() == len(right) + len(wrong)
        selectors = [".prompt", ".options .option", "[data-timer]", "[data-answered]"]
        assert_on_screen(screen, [*selectors, "[data-next]"])
        save_screenshot(screen, f"live-projector-{width}-question")
        assert serious_violations(screen) == []
    phone.locator("[data-answer-form] .option").first.wait_for()
    assert phone.locator(".me-name").inner_text() == "Ada"
    save_screenshot(phone, "live-phone-390-question")
    assert_on_screen(phone, [".me", ".prompt", "[data-answer-form] .option", ".send"])
    assert serious_violations(phone) == []

    # P pauses and resumes the clock. An answer sent during the pause is refused for now:
    # after the pause the pupil sends it again.
    screens[1280].keyboard.press("p")
    phone.get_by_text("Pause: Die Zeit steht still.").wait_for()
    for text in right:
        phone.get_by_label(text).check()
    phone.get_by_role("button", name="Antwort senden").click()
    phone.get_by_text(PAUSED_REFUSAL).wait_for()
    assert phone.get_by_role("button", name="Antwort senden").is_enabled()
    screens[1280].keyboard.press("p")
    # The countdown's old text may still stand: wait until the phone has the resume.
    phone.get_by_text(PAUSED_REFUSAL).wait_for(state="hidden")
    phone.locator("[data-seconds]").get_by_text(re.compile(r"noch \d+ s")).wait_for()

    for text in right:
        phone.get_by_label(text).check()
    phone.get_by_role("button", name="Antwort senden").click()
    other.get_by_label(wrong[0]).check()
    other.get_by_role("button", name="Antwort senden").click()

    # The reveal: right options green with "✓ richtig", wrong ones never green; the
    # explanation has its own panel and the controls stay on the screen.
    for width, screen in screens.items():
        # The reveal travels answer → close → event stream → page; a busy machine may take
        # longer than Playwright's default 10 s for that chain.
        screen.locator(".distribution").wait_for(timeout=30_000)
        rows = screen.locator(".distribution li")
        for n in range(rows.count()):
            row = rows.nth(n)
            text = row.locator(".bar-label").inner_text()
            colour = row.evaluate("node => getComputedStyle(node).backgroundColor")
            if any(text.startswith(f"{shape} {r}") for r in right for shape in "▲◆●■★⬟⬢✚"):
                assert "✓ richtig" in text and colour == OK_GREEN, (text, colour)
            else:
                assert "✓" not in text and colour != OK_GREEN, (text, colour)
        assert rows.count() == len(right) + len(wrong)
        save_screenshot(screen, f"live-projector-{width}-reveal")
        assert_on_screen(screen, [".prompt", ".distribution li", ".reveal-side", "[data-next]"])
        assert serious_violations(screen) == []
    phone.get_by_text("Richtig!").wait_for()
    save_screenshot(phone, "live-phone-390-reveal")

    # "Spiel beenden" on the host's page asks first: no, then yes.
    host.goto(f"{live_server}/live/{live_id}/host")
    host.once("dialog", lambda dialog: dialog.dismiss())
    host.get_by_role("button", name="Spiel beenden").click()
    with app.app_context():
        assert db.session.get(LiveSession, live_id).state == "reveal"
    host.once("dialog", lambda dialog: dialog.accept())
    host.get_by_role("button", name="Spiel beenden").click()
    for width, screen in screens.items():
        screen.locator(".podium").wait_for()
        assert screen.locator(".podium-name").all_inner_texts()[0] == "Ada"
        assert_on_screen(screen, [".podium li"])
        save_screenshot(screen, f"live-projector-{width}-podium")
    phone.get_by_text("Dein Platz: 1 von 2").wait_for()
