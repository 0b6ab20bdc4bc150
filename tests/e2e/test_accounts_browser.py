"""A person registers, logs in, switches language and logs out in real Chromium."""

from tests.conftest import PASSWORD
from tests.e2e.conftest import open_menu, save_screenshot, serious_violations


def test_register_login_switch_language_logout(page, live_server):
    page.goto(live_server + "/register")
    assert serious_violations(page) == []
    page.get_by_label("E-Mail").fill("berta@example.org")
    page.get_by_label("Anzeigename").fill("Berta")
    page.get_by_label("Passwort (mindestens 10 Zeichen)").fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_role("button", name="Konto anlegen").click()
    # The same answer whether or not the email had an account: log in now.
    page.get_by_text("Danke! Melde dich jetzt mit deiner E-Mail-Adresse").wait_for()
    assert serious_violations(page) == []
    page.get_by_label("E-Mail").fill("berta@example.org")
    page.get_by_label("Passwort").fill("wrong password!")
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("E-Mail, Benutzername oder Passwort ist falsch.").wait_for()
    assert serious_violations(page) == []
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Du bist angemeldet.").wait_for()

    page.get_by_role("button", name="English").click()
    page.locator(".menu > summary", has_text="Menu").wait_for()
    open_menu(page)
    page.get_by_role("button", name="Log out").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    assert serious_violations(page) == []
    save_screenshot(page, "start-page-en-phone")

    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out.").wait_for()
    open_menu(page)
    page.get_by_role("link", name="Log in").wait_for()
    assert serious_violations(page) == []


def test_keyboard_only_login(page, live_server, auth):
    auth.create_user(email="kim@example.org", name="Kim")
    page.goto(live_server + "/login")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent").strip() == "Zum Inhalt springen"
    page.get_by_label("E-Mail").focus()
    page.keyboard.type("kim@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_text("Du bist angemeldet.").wait_for()
