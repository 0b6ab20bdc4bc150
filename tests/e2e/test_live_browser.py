"""A live game in real Chromium: a host with the projector and three phones, three questions."""

import re

from tests.e2e.conftest import log_in, save_screenshot, serious_violations
from tests.factories import make_bank

LIVE_BANK = ["single_choice", "multiple_choice", "true_false", "numeric", "fact_or_opinion"]


def answer(phone, question, right):
    """Answer one of the three questions on a phone, rightly or wrongly."""
    if question == 0:
        phone.get_by_role("button", name="Marco Rubio" if right else "Mark Rutte").click()
    elif question == 1:
        for country in ("Kanada", "Neuseeland", "Australien") if right else ("Deutschland",):
            phone.get_by_label(country).check()
        phone.get_by_role("button", name="Antwort senden").click()
    else:
        phone.get_by_role("button", name="Falsch" if right else "Wahr", exact=True).click()
    # The form gives way to "Antwort erhalten" (or, after the last answer, to the result at once).
    phone.locator("[data-answer-form]").wait_for(state="detached")


def test_host_and_three_players_play_three_questions(new_page, live_server, app, auth):
    auth.create_user(email="kern@example.org", name="Frau Kern", role="teacher")
    with app.app_context():
        make_bank(slug="live-browser", types=LIVE_BANK)

    host = new_page(width=1280, height=900)
    log_in(host, live_server, "kern@example.org")
    host.goto(live_server + "/live/host")
    assert serious_violations(host) == []
    host.get_by_label("Anzahl der Fragen (leer: alle)").fill("3")
    host.get_by_label("Sekunden, die die Frage vor den Antworten zu sehen ist").fill("0")
    host.get_by_role("button", name="Spiel erstellen").click()
    pin = host.locator(".pin").inner_text().strip()
    assert re.fullmatch(r"\d{6}", pin)

    projector = host.context.new_page()
    projector.set_viewport_size({"width": 1280, "height": 900})
    projector.goto(host.url.replace("/host", "/screen"))
    projector.locator(".qr").wait_for()
    assert serious_violations(projector) == []

    phones = {}
    for name in ("Ada", "Bo", "Cy"):
        phone = new_page()
        phone.goto(f"{live_server}/join/{pin}")
        phone.get_by_label("Spitzname").fill(name)
        phone.get_by_role("button", name="Beitreten").click()
        phone.get_by_text("Du bist dabei!").wait_for()
        phones[name] = phone
        projector.locator(".lobby-names").get_by_text(name).wait_for()
    assert serious_violations(phones["Ada"]) == []

    # Ada answers all three right, Bo two, Cy one: the podium is Ada, Bo, Cy.
    plan = {"Ada": (True, True, True), "Bo": (True, False, True), "Cy": (False, False, True)}
    next_button = projector.get_by_role("button", name="Weiter")
    for question in range(3):
        next_button.click()
        projector.get_by_text(f"Frage {question + 1} von 3").first.wait_for()
        for name, phone in phones.items():
            phone.get_by_text(f"Frage {question + 1} von 3").wait_for()
            if name == "Ada" and question == 0:
                assert serious_violations(phone) == []
            answer(phone, question, plan[name][question])
        # Everyone has answered: the question closes early and shows the answer.
        projector.locator(".distribution").wait_for()
        phones["Ada"].get_by_text("Richtig!").wait_for()
        if question == 0:
            phones["Cy"].get_by_text("Leider falsch").wait_for()
            assert serious_violations(phones["Cy"]) == []
        if question < 2:
            next_button.click()
            projector.locator(".leaderboard").wait_for()
            if question == 1:
                save_screenshot(projector, "live-projector-leaderboard")
                names = projector.locator(".leaderboard .lb-name").all_inner_texts()
                assert names[0] == "Ada"

    next_button.click()
    projector.locator(".podium").wait_for()
    assert projector.locator(".podium .podium-name").all_inner_texts() == ["Ada", "Bo", "Cy"]
    phones["Cy"].get_by_text("Dein Platz: 3 von 3").wait_for()
    phones["Ada"].get_by_role("heading", name="Siegertreppchen").wait_for()
    assert serious_violations(phones["Ada"]) == []
