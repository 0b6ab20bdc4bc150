"""Browser fixtures: the app on a real HTTP server, Debian's Chromium driven by Playwright."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    """Mark every test in this folder as a browser test."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the test app on a free port of 127.0.0.1 in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless; never a downloaded browser."""
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: install Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (separate cookies), phone-sized by default."""
    contexts = []

    def open_page(width=390, height=844, locale="de-DE"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """One phone-sized page with German as the browser language."""
    return new_page()


def serious_violations(page) -> list[str]:
    """Run axe-core on the page and return its serious and critical violations, described."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def save_screenshot(page, name: str) -> Path:
    """Save a screenshot as a test artifact under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # A long page (e.g. the results of a 70-question bank) takes a while on a loaded machine.
    page.screenshot(path=str(path), full_page=True, timeout=60_000)
    return path


def open_menu(page) -> None:
    """Open the header menu as a person on a phone would (wide screens always show it)."""
    button = page.locator(".menu > summary")
    if button.is_visible() and page.locator(".menu").get_attribute("open") is None:
        button.click()


def open_teaching(page) -> None:
    """Open the header's teaching group (inside the phone menu) to reach a teacher's page."""
    open_menu(page)
    group = page.locator(".nav-group > details.submenu")
    if group.get_attribute("open") is None:
        group.locator("summary").click()


def log_in(page, live_server, email: str) -> None:
    """Log in through the form with the test password; wait for the confirmation and the styles.

    The confirmation is in the page before its stylesheet has been revalidated; a test that
    checks what is visible right after it would see the page unstyled (CI saw the laptop
    header's menu button there once), so this also waits for the page's load event.
    """
    page.goto(live_server + "/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Du bist angemeldet.").wait_for()
    page.wait_for_load_state("load")
