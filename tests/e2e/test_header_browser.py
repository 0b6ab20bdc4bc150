"""The site header: one menu button on a phone, one row with a teaching dropdown on a laptop."""

from tests.e2e.conftest import log_in, open_menu, save_screenshot, serious_violations


def _header_height(page) -> float:
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")


def test_phone_header_is_one_row_with_a_menu_button(new_page, live_server, auth):
    auth.create_user(email="root@example.org", name="Root", role="admin")
    page = new_page(width=390, height=844)
    log_in(page, live_server, "root@example.org")
    assert _header_height(page) < 80
    assert not page.get_by_role("link", name="Mein Fortschritt").is_visible()
    save_screenshot(page, "header-phone-closed")

    # Keyboard: Tab to the button, Enter opens, the links follow in order, Escape closes.
    page.locator(".menu > summary").focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Mein Fortschritt").wait_for()
    page.get_by_text("Unterricht").click()
    assert page.get_by_role("link", name="Nutzer*innen").is_visible()
    assert serious_violations(page) == []
    save_screenshot(page, "header-phone-open")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert not page.get_by_role("link", name="Mein Fortschritt").is_visible()
    assert page.evaluate("document.activeElement.textContent").strip().endswith("Menü")

    open_menu(page)
    page.get_by_role("link", name="Mein Fortschritt").click()
    page.get_by_role("heading", name="Mein Fortschritt", level=1).wait_for()
    assert _header_height(page) < 80


def test_phone_menu_opens_without_javascript(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="de-DE", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server + "/")
    assert _header_height(page) < 80
    page.locator(".menu > summary").click()
    assert page.get_by_role("link", name="Anmelden").is_visible()
    context.close()


def test_laptop_header_is_one_row_with_teaching_links_grouped(new_page, live_server, auth):
    auth.create_user(email="root@example.org", name="Root", role="admin")
    page = new_page(width=1280, height=720)
    log_in(page, live_server, "root@example.org")
    assert not page.locator(".menu > summary").is_visible()
    links = page.locator(".nav-links > li")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1, "the menu wraps"
    assert page.get_by_role("link", name="Mein Fortschritt").is_visible()
    assert not page.get_by_role("link", name="Spiel leiten").is_visible()
    page.get_by_text("Unterricht").click()
    page.get_by_role("link", name="Spiel leiten").wait_for()
    assert serious_violations(page) == []
    save_screenshot(page, "header-laptop-teaching")
    page.keyboard.press("Escape")
    assert not page.get_by_role("link", name="Spiel leiten").is_visible()
