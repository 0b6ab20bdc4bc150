"""The article view in real Chromium at phone width: every claim marked, jump targets, axe-core."""

from tests.bank_helpers import MINI, import_bank, import_seed
from tests.e2e.conftest import save_screenshot, serious_violations

CLAIMS = ("C1", "C4", "O1", "C6", "Q1", "C11")


def test_article_shows_every_claim_highlighted_at_phone_width(app, live_server, new_page):
    with app.app_context():
        import_seed()
        import_bank(MINI)
    page = new_page(width=360, height=740)
    page.goto(live_server + "/articles/nato-2025-12-04")
    for key in CLAIMS:
        mark = page.locator(f"#claim-{key}")
        mark.scroll_into_view_if_needed()
        assert mark.is_visible(), key
        background = mark.evaluate("el => getComputedStyle(el).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent"), key
    assert page.locator("mark.kind-opinion .claim-badge").first.inner_text().endswith("Meinung")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []
    save_screenshot(page, "article-phone")


def test_a_question_jumps_to_its_quote_in_context(app, live_server, page):
    with app.app_context():
        import_seed()
        import_bank(MINI)
    page.goto(live_server + "/banks")
    assert serious_violations(page) == []
    page.get_by_role("link", name="USA und NATO: kleine Testbank", exact=True).click()
    page.wait_for_url("**/banks/nato-mini")
    assert serious_violations(page) == []
    item = page.locator(".question-list li").filter(has_text="Ordne die Personen")
    item.get_by_role("link", name="Zur Stelle im Artikel").click()
    page.wait_for_url("**/articles/nato-2025-12-04#claim-Q1")
    target = page.locator("#claim-Q1")
    assert target.evaluate("el => el.matches(':target')")
    box = target.bounding_box()
    # (the target may sit a subpixel above the top edge after the jump)
    assert box is not None and -1 < box["y"] < page.viewport_size["height"]
    assert "abgebrochen, vollständig abgebrochen" in target.inner_text()


def test_article_states_its_origin_and_starts_the_short_quiz_first(app, live_server, new_page):
    """Issue 17 in Chromium at phone width: the origin statement, then the Kurzquiz first."""
    from tests.bank_helpers import ROOT

    with app.app_context():
        import_seed()
        import_bank(ROOT / "questions" / "nato-2025-12-04.yaml")
    page = new_page(width=390, height=844)
    page.goto(live_server + "/articles/nato-2025-12-04")
    origin = page.locator(".article-origin")
    assert origin.get_by_role("heading", name="Herkunft des Textes").is_visible()
    assert "Autor und Medium unbekannt" in origin.inner_text()
    start = page.get_by_role("button", name="Kurzquiz starten").first
    start.scroll_into_view_if_needed()
    assert start.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_violations(page) == []
    save_screenshot(page, "article-origin-short-quiz")
    start.click()
    page.wait_for_url("**/attempts/*/q/1")
    assert "von 14" in page.locator(".quiz-progress").inner_text()
    assert serious_violations(page) == []
