"""A teacher authors in real Chromium: article → claim by selection → cloze, matching, image
question → preview → publish; a learner takes the quiz; axe on the authoring pages."""

import io
import re

from PIL import Image

from tests.e2e.conftest import log_in, open_teaching, save_screenshot, serious_violations

SENTENCE = "Der US-Außenminister reiste nicht zum Treffen nach Brüssel."
ARTICLE = (
    "Streit um die NATO\n\n"
    f"{SENTENCE}\n\n"
    "Die NATO ist anscheinend nur noch eine Geldfrage. Die Allianz hat 32 Mitglieder."
)


def fits(page) -> bool:
    """Whether the page has no horizontal scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def checked(page, pages: dict, name: str) -> None:
    """Run axe on the page and remember its violations under a name."""
    pages[name] = serious_violations(page)


def png_bytes() -> bytes:
    """A small picture for the image question."""
    out = io.BytesIO()
    Image.new("RGB", (120, 80), "navy").save(out, "PNG")
    return out.getvalue()


def test_teacher_authors_a_bank_and_a_learner_takes_it(live_server, new_page, auth):
    auth.create_user(email="kern@example.org", name="Frau Kern", role="teacher")
    auth.create_user(email="lena@example.org", name="Lena", role="learner")
    violations: dict[str, list] = {}
    page = new_page(width=1280, height=720)
    log_in(page, live_server, "kern@example.org")

    # The article, pasted.
    open_teaching(page)
    page.get_by_role("link", name="Fragen schreiben").click()
    checked(page, violations, "index")
    page.get_by_role("link", name="Artikel hinzufügen").click()
    checked(page, violations, "article form")
    page.get_by_label("Titel").fill("Streit um die NATO")
    page.get_by_label("Text des Artikels").fill(ARTICLE)
    page.get_by_label("Medium (Zeitung, Website)").fill("taz")
    page.get_by_role("button", name="Artikel hinzufügen").click()
    page.wait_for_url(re.compile(r".*/claims/new$"))
    checked(page, violations, "claim form")

    # The claim: the sentence selected with the mouse (a triple click selects its paragraph).
    page.locator("[data-article-text] p", has_text=SENTENCE).click(click_count=3)
    page.get_by_role("button", name="Markierten Text übernehmen").click()
    quote = page.get_by_label("Zitat (wörtlich aus dem Artikel)")
    assert quote.input_value() == SENTENCE
    assert page.locator("input[name=start]").input_value() != ""
    page.get_by_label("Tatsachenbehauptung (überprüfbar) – überprüfbar, wahr oder falsch").check()
    page.get_by_label("Urteil").select_option("true")
    page.get_by_label("Quellen").fill("https://www.nato.int/ NATO")
    page.get_by_label("Geprüft am").fill("2026-11-26")
    page.get_by_role("button", name="Aussage hinzufügen").click()
    page.get_by_text("Aussage T1 wurde hinzugefügt.").wait_for()

    # The bank about the article.
    page.get_by_role("link", name="Neue Bank zu diesem Artikel").click()
    page.get_by_label("Titel").fill("NATO im Streit")
    page.get_by_role("button", name="Bank anlegen").click()
    page.get_by_role("heading", name="NATO im Streit").wait_for()
    bank_url = page.url
    checked(page, violations, "bank")

    # A cloze, previewed and answered like a learner, then published.
    page.get_by_role("link", name="Lückentext").click()
    checked(page, violations, "cloze form")
    page.get_by_label("Aussage (Quelle im Artikel)").select_option("T1")
    page.get_by_label("Fragetext (Markdown erlaubt)").fill(
        "Laut dem Artikel: wohin reiste er **nicht**?"
    )
    page.get_by_label("Text mit Lücken").fill("Er reiste nicht nach [[Brüssel|Bruxelles]].")
    page.get_by_role("button", name="Speichern und Vorschau").click()
    page.get_by_text("Vorschau: So sehen Lernende die Frage.").wait_for()
    assert page.locator("h1.prompt strong").inner_text() == "nicht"
    checked(page, violations, "preview")
    page.get_by_label("Lücke 1", exact=True).fill("Brüssel")
    page.get_by_role("button", name="Antwort abgeben").click()
    page.get_by_role("heading", name="Richtig!").wait_for()
    checked(page, violations, "preview feedback")
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Die Frage ist veröffentlicht.").wait_for()

    # A matching question.
    page.get_by_role("link", name="Zuordnung").click()
    checked(page, violations, "matching form")
    page.get_by_label("Aussage (Quelle im Artikel)").select_option("T1")
    page.get_by_label("Fragetext (Markdown erlaubt)").fill("Laut dem Artikel: ordne zu.")
    page.get_by_label("Paar 1, links", exact=True).fill("Treffen")
    page.get_by_label("Paar 1, rechts", exact=True).fill("Brüssel")
    page.get_by_label("Paar 2, links", exact=True).fill("Reisender")
    page.get_by_label("Paar 2, rechts", exact=True).fill("US-Außenminister")
    page.get_by_role("button", name="Speichern und Vorschau").click()
    page.get_by_text("Vorschau: So sehen Lernende die Frage.").wait_for()
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Die Frage ist veröffentlicht.").wait_for()

    # A single choice with an image.
    page.get_by_role("link", name="Einfachauswahl").click()
    checked(page, violations, "single choice form")
    page.get_by_label("Aussage (Quelle im Artikel)").select_option("T1")
    page.get_by_label("Fragetext (Markdown erlaubt)").fill("Laut dem Artikel: wer reiste nicht an?")
    page.get_by_label("Antwort 1", exact=True).fill("Der US-Außenminister")
    page.get_by_label("Antwort 1 ist richtig").check()
    page.get_by_label("Antwort 2", exact=True).fill("Der NATO-Generalsekretär")
    page.get_by_label("Bild der Frage (PNG, JPEG, WebP)").set_input_files(
        {"name": "karte.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_label("Alternativtext des Bildes").fill("Karte von Brüssel")
    page.get_by_role("button", name="Speichern und Vorschau").click()
    page.get_by_text("Vorschau: So sehen Lernende die Frage.").wait_for()
    image = page.get_by_role("img", name="Karte von Brüssel")
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 120
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Die Frage ist veröffentlicht.").wait_for()
    page.goto(bank_url)
    checked(page, violations, "bank with questions")
    save_screenshot(page, "authoring-bank")
    slug = bank_url.rstrip("/").rsplit("/", 1)[-1]

    # On a phone: the claim page and a question form fit and pass axe.
    phone = new_page()
    log_in(phone, live_server, "kern@example.org")
    for path in (
        "/author/",
        f"/author/banks/{slug}",
        f"/author/banks/{slug}/questions/new/matching",
        "/author/articles/streit-um-die-nato/claims/new",
    ):
        phone.goto(live_server + path)
        assert fits(phone), path
        checked(phone, violations, f"phone {path}")
    save_screenshot(phone, "authoring-claim-phone")
    assert {name: found for name, found in violations.items() if found} == {}

    # A learner takes the quiz on a phone.
    learner = new_page()
    log_in(learner, live_server, "lena@example.org")
    learner.goto(f"{live_server}/quiz/{slug}")
    learner.get_by_role("button", name=re.compile("Üben")).first.click()
    learner.get_by_label("Lücke 1", exact=True).fill("Bruxelles")
    learner.get_by_role("button", name="Antwort abgeben").click()
    learner.get_by_role("heading", name="Richtig!").wait_for()
    learner.get_by_role("link", name="Nächste Frage").click()
    # Matching by taps (answers.js): a left item, then its partner on the right.
    for left, right in (("Treffen", "Brüssel"), ("Reisender", "US-Außenminister")):
        learner.locator(".match-left .match-item", has_text=left).click()
        learner.locator(".match-right .match-item", has_text=right).click()
    learner.get_by_role("button", name="Antwort abgeben").click()
    learner.get_by_role("heading", name="Richtig!").wait_for()
    learner.get_by_role("link", name="Nächste Frage").click()
    picture = learner.get_by_role("img", name="Karte von Brüssel")
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth)") == 120
    assert fits(learner)
    learner.get_by_label("Der US-Außenminister").check()
    learner.get_by_role("button", name="Antwort abgeben").click()
    learner.get_by_role("heading", name="Richtig!").wait_for()
    assert SENTENCE in learner.locator(".source-quote").inner_text()
    save_screenshot(learner, "authoring-learner-feedback")
