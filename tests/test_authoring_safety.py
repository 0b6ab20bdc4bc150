"""What teachers write cannot attack anyone, and uploads are only ever served as images."""

import io
import re
from html.parser import HTMLParser

import pytest
from PIL import Image
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.markdown import render, render_inline
from quizapp.models import Image as StoredImage
from quizapp.models import Question
from tests.authoring_helpers import (
    add_article,
    add_claim,
    login_as,
    new_bank,
    new_question,
    post,
    publish,
    question_id,
    switch_to,
    text,
)

ATTACK = (
    '<script>alert(1)</script><img src=x onerror="alert(2)">'
    '<iframe src="https://evil.example/"></iframe>'
    "[klick](javascript:alert(3)) <a href='javascript:alert(4)' onclick='alert(5)'>a</a>"
)


class _Markup(HTMLParser):
    """Collect the elements and attributes a browser would build from a page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text.append(data)


def assert_harmless(html: str, where: str) -> None:
    """No script, event handler, javascript: link or iframe made it into the page as markup."""
    page = _Markup()
    page.feed(html)
    assert not "".join(page.script_text).strip(), where  # only our own <script src=…>
    for tag, attrs in page.tags:
        assert tag not in ("iframe", "object", "embed"), where
        assert not [name for name in attrs if name.startswith("on")], (where, tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            value = attrs.get(name, "").strip().lower()
            assert not value.startswith(("javascript:", "data:text")), (where, tag, attrs)
        if tag == "img":
            assert attrs.get("src", "").startswith("/images/"), (where, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), (where, attrs)


def test_markdown_is_rendered_and_cleaned():
    assert render("**fett** und [bpb](https://www.bpb.de)") == (
        '<p><strong>fett</strong> und <a href="https://www.bpb.de" '
        'rel="noopener noreferrer nofollow">bpb</a></p>'
    )
    assert render_inline("*kursiv*") == "<em>kursiv</em>"
    for source in (
        ATTACK,
        "[x](JaVaScRiPt:alert(1))",
        "<svg onload=alert(1)>",
        "<style>*{}</style>",
    ):
        assert_harmless(str(render(source)), source)
        assert_harmless(str(render_inline(source)), source)
        assert "<svg" not in str(render(source)) and "<style" not in str(render(source))


def png(width=40, height=30, **save) -> bytes:
    """A small PNG."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, "PNG", **save)
    return out.getvalue()


@pytest.fixture
def attacked(client, auth, app):
    """A teacher writes the attack into every field; a co-author and a learner look at it."""
    app.config["LIVE_TIMERS"] = False
    auth.create_user(email="co@example.org", name="Ko", role="teacher")
    auth.create_user(email="learner@example.org", name="Lea", role="learner")
    login_as(client, auth, "t@example.org", name=ATTACK[:70])
    sentence = "Die NATO hat 32 Mitglieder."
    article = add_article(
        client,
        text=f"Titel\n\n{sentence} {ATTACK}",
        title=ATTACK,
        outlet=ATTACK,
        author=ATTACK,
        url="https://example.org/a",
    )
    response = add_claim(
        client,
        article,
        quote=f"{sentence} {ATTACK}",
        kind="quote",
        speaker=ATTACK,
        verdict="partly",
        note=ATTACK,
        sources=f"https://example.org/ {ATTACK}",
        counter_positions=f"{ATTACK} | https://example.org/ | {ATTACK}",
    )
    assert response.status_code == 302, text(response)
    response = post(
        client, "/author/banks/new", {"title": ATTACK, "article": article, "description": ATTACK}
    )
    bank = response.location.rstrip("/").rsplit("/", 1)[-1]
    common = {"claim": "T1", "asks": "text", "difficulty": "1", "explanation": ATTACK, "tags": "a"}
    prompt = f"Laut dem Artikel {ATTACK}"
    ids = [
        question_id(
            new_question(
                client,
                bank,
                "single_choice",
                {
                    **common,
                    "prompt": prompt,
                    "options-0-text": ATTACK,
                    "options-0-correct": "y",
                    "options-1-text": ATTACK + " 2",
                    "image_alt": ATTACK,
                    "options-0-image_alt": ATTACK,
                },
                {
                    "image": (io.BytesIO(png()), "a.png"),
                    "options-0-image": (io.BytesIO(png()), "b.png"),
                },
            )
        ),
        question_id(
            new_question(
                client,
                bank,
                "matching",
                {
                    **common,
                    "prompt": prompt,
                    "pairs-0-left": ATTACK,
                    "pairs-0-right": ATTACK + "r",
                    "pairs-1-left": "b",
                    "pairs-1-right": "c",
                },
            )
        ),
        question_id(
            new_question(
                client,
                bank,
                "numeric",
                {**common, "prompt": prompt, "solution": "32", "unit": ATTACK},
            )
        ),
        question_id(
            new_question(
                client,
                bank,
                "cloze",
                {**common, "prompt": prompt, "text": f"{ATTACK} [[32]]"},
            )
        ),
    ]
    for qid in ids:
        publish(client, qid, bank)
    post(
        client,
        f"/author/banks/{bank}/co-authors",
        {"email": "co@example.org"},
        page_url=f"/author/banks/{bank}",
    )
    return {"bank": bank, "article": article, "ids": ids}


def test_nothing_a_teacher_writes_runs_where_others_see_it(client, auth, app, attacked):
    from tests.test_learn import answer, start

    bank = attacked["bank"]
    pages = {}
    switch_to(client, auth, "co@example.org")
    for url in (
        f"/author/banks/{bank}",
        "/author/",
        f"/author/articles/{attacked['article']}/claims/new",
    ):
        pages[url] = text(client.get(url))
    for qid in attacked["ids"]:
        pages[f"preview {qid}"] = text(client.get(f"/author/questions/{qid}/preview"))
        pages[f"edit {qid}"] = text(client.get(f"/author/questions/{qid}/edit"))
    switch_to(client, auth, "learner@example.org")
    for url in ("/banks", f"/banks/{bank}", f"/articles/{attacked['article']}", f"/quiz/{bank}"):
        pages[url] = text(client.get(url))
    attempt = start(client, bank)
    for number in range(1, 5):
        pages[f"question {number}"] = text(client.get(f"/attempts/{attempt}/q/{number}"))
        response = answer(client, attempt, number, {"answer": "x", "gap-1": "32"})
        pages[f"feedback {number}"] = text(client.get(f"/attempts/{attempt}/q/{number}"))
        del response
    pages["results"] = text(client.get(f"/attempts/{attempt}/results"))
    # The projector and the phones of a live game.
    switch_to(client, auth, "t@example.org")
    with app.app_context():
        bank_id = db.session.scalar(
            select(Question.bank_id).where(Question.id == attacked["ids"][0])
        )
    page = client.get("/live/host")
    from tests.conftest import csrf_token

    created = client.post(
        "/live/host",
        data={
            "csrf_token": csrf_token(page),
            "bank": str(bank_id),
            "scoring": "speed",
            "time_limit_s": "20",
            "preview_s": "0",
        },
    )
    assert created.status_code == 302, text(created)
    live_id = int(created.headers["Location"].split("/")[2])
    for step in ("next", "skip"):
        host_page = client.get(f"/live/{live_id}/host")
        seq = client.get(f"/live/{live_id}/state").get_json()["seq"]
        client.post(
            f"/live/{live_id}/control",
            data={"csrf_token": csrf_token(host_page), "action": step, "seq": str(seq)},
        )
        pages[f"screen {step}"] = text(client.get(f"/live/{live_id}/screen"))
        pages[f"host {step}"] = text(client.get(f"/live/{live_id}/host"))
    for where, html in pages.items():
        assert_harmless(html, where)
    # What was written shows as text, and Markdown links stay inert.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[f"/banks/{bank}"]
    assert "&lt;script&gt;" in pages["question 1"]
    assert "&lt;iframe" in pages["screen next"]
    assert (
        'class="question-image"' in pages["question 1"]
        and 'class="option-image"' in pages["question 1"]
    )
    assert 'class="question-image"' in pages["screen next"]


def upload(client, bank, files, alt="Ein Diagramm"):
    """Send a true/false question with an image; return the response."""
    data = {
        "claim": "",
        "asks": "world",
        "difficulty": "1",
        "prompt": "Stimmt das Diagramm?",
        "solution": "true",
        "image_alt": alt,
    }
    return new_question(client, bank, "true_false", data, files)


@pytest.fixture
def image_bank(client, auth):
    """A teacher with a bank without article."""
    login_as(client, auth, "t@example.org")
    return new_bank(client, title="Bilder")


def test_an_image_is_re_encoded_without_metadata_and_served_only_as_image(client, app, image_bank):
    out = io.BytesIO()
    picture = Image.new("RGB", (64, 48), "red")
    exif = picture.getexif()
    exif[0x010E] = "geheime Beschreibung"
    exif[0x8825] = {2: (52.0, 31.0, 0.0)}  # GPS
    picture.save(out, "JPEG", exif=exif)
    original = out.getvalue()
    assert b"geheime" in original
    qid = question_id(upload(client, image_bank, {"image": (io.BytesIO(original), "foto.jpg")}))
    with app.app_context():
        media = db.session.get(Question, qid).current.media
        stored = db.session.get(StoredImage, media["image"]["id"])
        assert media["image"]["alt"] == "Ein Diagramm"
        assert stored.mime == "image/jpeg" and (stored.width, stored.height) == (64, 48)
        assert b"geheime" not in stored.data and b"Exif" not in stored.data
    response = client.get(f"/images/{media['image']['id']}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert Image.open(io.BytesIO(response.data)).size == (64, 48)
    preview = text(client.get(f"/author/questions/{qid}/preview"))
    assert f'src="/images/{media["image"]["id"]}" alt="Ein Diagramm"' in preview


def _big_png() -> bytes:
    """A 50-megapixel PNG (small on disk: one colour)."""
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("seite.png", b"<html><script>alert(1)</script></html>", "WebP-Bild"),
        ("bild.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG"),
        ("riesig.png", _big_png(), "zu viele Pixel"),
        ("kaputt.png", png(400, 300)[:300], "beschädigt oder unvollständig"),
    ],
)
def test_uploads_that_are_not_safe_images_are_refused(client, app, image_bank, name, data, message):
    response = upload(client, image_bank, {"image": (io.BytesIO(data), name)})
    assert response.status_code == 200
    assert message in text(response)
    with app.app_context():
        assert db.session.scalar(select(Question)) is None
        assert db.session.scalar(select(StoredImage)) is None


def test_an_image_needs_alt_text(client, app, image_bank):
    response = upload(client, image_bank, {"image": (io.BytesIO(png()), "a.png")}, alt="")
    assert "Alternativtext" in text(response)
    with app.app_context():
        assert db.session.scalar(select(StoredImage)) is None


def test_a_learner_sees_the_image_of_a_published_question(client, auth, app, image_bank):
    qid = question_id(upload(client, image_bank, {"image": (io.BytesIO(png()), "a.png")}))
    publish(client, qid, image_bank)
    auth.logout()
    from tests.test_learn import start

    attempt = start(client, image_bank)
    page = text(client.get(f"/attempts/{attempt}/q/1"))
    match = re.search(r'<img class="question-image" src="(/images/\d+)" alt="Ein Diagramm">', page)
    assert match
    assert client.get(match.group(1)).headers["Content-Type"] == "image/png"


def test_a_drafts_image_is_hidden_from_learners_until_the_question_is_published(
    client, auth, app, image_bank
):
    qid = question_id(upload(client, image_bank, {"image": (io.BytesIO(png()), "a.png")}))
    with app.app_context():
        image_id = db.session.get(Question, qid).current.media["image"]["id"]
    url = f"/images/{image_id}"
    # The bank's author sees it while writing (not kept by shared caches).
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    auth.create_user(email="lea@example.org", name="Lea", role="learner")
    auth.create_user(email="tom@example.org", name="Tom", role="teacher")
    switch_to(client, auth, "lea@example.org")
    assert client.get(url).status_code == 404
    switch_to(client, auth, "tom@example.org")
    assert client.get(url).status_code == 404
    auth.logout()
    assert client.get(url).status_code == 404
    # Published: everyone who can take the quiz sees the image.
    switch_to(client, auth, "t@example.org")
    publish(client, qid, image_bank)
    switch_to(client, auth, "lea@example.org")
    response = client.get(url)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    auth.logout()
    assert client.get(url).status_code == 200
