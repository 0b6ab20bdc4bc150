"""Authoring in the app: article → claim → a question of every type → preview → publish."""

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Claim, Question, QuestionVersion
from tests.authoring_helpers import (
    OPINION,
    QUOTE,
    action,
    add_article,
    add_claim,
    bank_row,
    login_as,
    new_bank,
    new_question,
    post,
    publish,
    question_id,
    questions_of,
    text,
)

COMMON = {"claim": "T1", "asks": "text", "difficulty": "1"}
# One filled-in form per type, as a teacher types it; the payload it must produce.
TYPES = {
    "single_choice": (
        {
            "prompt": "Laut dem Artikel: wer reiste nicht an?",
            "options-0-text": "Der US-Außenminister",
            "options-0-correct": "y",
            "options-1-text": "Der NATO-Generalsekretär",
        },
        {
            "options": [
                {"text": "Der US-Außenminister", "correct": True},
                {"text": "Der NATO-Generalsekretär", "correct": False},
            ]
        },
    ),
    "multiple_choice": (
        {
            "prompt": "Laut dem Artikel: was stimmt?",
            "options-0-text": "Er reiste nicht an",
            "options-0-correct": "y",
            "options-1-text": "Das Treffen war in Brüssel",
            "options-1-correct": "y",
            "options-3-text": "Das Treffen fiel aus",
        },
        {
            "options": [
                {"text": "Er reiste nicht an", "correct": True},
                {"text": "Das Treffen war in Brüssel", "correct": True},
                {"text": "Das Treffen fiel aus", "correct": False},
            ]
        },
    ),
    "true_false": (
        {"prompt": "Laut dem Artikel reiste der Minister an.", "solution": "false"},
        {"solution": False},
    ),
    "cloze": (
        {
            "prompt": "Laut dem Artikel: ergänze den Ort.",
            "text": "Das Treffen war in [[Brüssel|Bruxelles]].",
            "typo_tolerance": "1",
        },
        {
            "text": "Das Treffen war in {1}.",
            "gaps": [{"answers": ["Brüssel", "Bruxelles"], "typo_tolerance": 1}],
        },
    ),
    "numeric": (
        {
            "prompt": "Laut dem Artikel: wie viele Mitglieder?",
            "solution": "32",
            "tolerance": "0,5",
            "unit": "Staaten",
        },
        {"solution": 32, "tolerance": 0.5, "unit": "Staaten"},
    ),
    "ordering": (
        {
            "prompt": "Laut dem Artikel: bringe in die Reihenfolge des Textes.",
            "items-0": "Minister",
            "items-1": "Geldfrage",
            "items-2": "Mitglieder",
        },
        {"items": ["Minister", "Geldfrage", "Mitglieder"]},
    ),
    "matching": (
        {
            "prompt": "Laut dem Artikel: ordne zu.",
            "pairs-0-left": "Treffen",
            "pairs-0-right": "Brüssel",
            "pairs-1-left": "Mitglieder",
            "pairs-1-right": "32",
        },
        {"pairs": [{"left": "Treffen", "right": "Brüssel"}, {"left": "Mitglieder", "right": "32"}]},
    ),
    "fact_or_opinion": (
        {
            "claim": "T2",
            "prompt": "Tatsache oder Meinung?",
            "statement": OPINION,
            "solution": "opinion",
            "choices": ["fact", "opinion"],
            "markers": "anscheinend",
            "explanation": "Das Wort „anscheinend“ zeigt eine Wertung. Gegenposition: die NATO "
            "sieht sich als Verteidigungsbündnis.",
        },
        {
            "statement": OPINION,
            "solution": "opinion",
            "choices": ["fact", "opinion"],
            "markers": ["anscheinend"],
        },
    ),
    "reflection": (
        {
            "prompt": "Wie würdest du diese Quelle prüfen?",
            "min_words": "5",
            "explanation": "Gegenposition: keine.",
        },
        {"min_words": 5},
    ),
}


@pytest.fixture
def teacher(client, auth):
    """A logged-in teacher."""
    return login_as(client, auth, "lehrerin@example.org")


@pytest.fixture
def bank(teacher):
    """A bank about a pasted article with a checked fact T1 and an opinion T2."""
    slug = add_article(teacher)
    assert add_claim(teacher, slug).status_code == 302
    opinion = add_claim(
        teacher,
        slug,
        quote=OPINION,
        kind="opinion",
        verdict="",
        sources="",
        checked_on="",
        note="Eine Wertung des Autors.",
        counter_positions="Die NATO ist ein Verteidigungsbündnis | https://www.nato.int/ | NATO",
    )
    assert opinion.status_code == 302, text(opinion)
    return new_bank(teacher, article=slug)


def test_teacher_goes_from_pasted_article_to_published_question(teacher, app):
    slug = add_article(teacher)
    assert "Streit um die NATO" in text(teacher.get(f"/articles/{slug}"))
    assert add_claim(teacher, slug).status_code == 302
    bank = new_bank(teacher, article=slug)
    with app.app_context():
        claim = db.session.scalar(select(Claim).where(Claim.quote == QUOTE))
        assert claim.article.text[claim.start : claim.end] == QUOTE
    response = new_question(teacher, bank, "cloze", {**COMMON, **TYPES["cloze"][0]})
    qid = question_id(response)
    preview = teacher.get(response.location)
    assert 'name="gap-1"' in text(preview)
    answered = post(teacher, response.location, {"gap-1": "Brüsel"})
    assert "Richtig!" in text(answered)  # one typo forgiven, the learner's feedback shown
    assert "nach Brüssel" in text(answered)  # with the source quote
    assert "wohin" not in text(teacher.get(f"/banks/{bank}"))
    publish(teacher, qid, bank)
    with app.app_context():
        assert db.session.get(Question, qid).status == "published"
    assert "ergänze den Ort" in text(teacher.get(f"/banks/{bank}"))


@pytest.mark.parametrize("qtype", list(TYPES))
def test_every_type_has_a_form_that_stores_the_bank_format(teacher, app, bank, qtype):
    form, payload = TYPES[qtype]
    page = teacher.get(f"/author/banks/{bank}/questions/new/{qtype}")
    assert page.status_code == 200
    qid = question_id(new_question(teacher, bank, qtype, {**COMMON, **form}))
    with app.app_context():
        version = db.session.get(Question, qid).current
        assert version.type == qtype
        assert version.payload == payload
    # The edit form shows what was stored, and saving it unchanged keeps the version.
    edit = teacher.get(f"/author/questions/{qid}/edit")
    assert edit.status_code == 200
    preview = teacher.get(f"/author/questions/{qid}/preview")
    assert preview.status_code == 200 and "question-form" in text(preview)
    assert publish(teacher, qid, bank).status_code == 302
    with app.app_context():
        assert db.session.get(Question, qid).status == "published"


REFUSALS = {
    "single_choice": (
        {
            "prompt": "Laut dem Artikel: wer?",
            "options-0-text": "A",
            "options-0-correct": "y",
            "options-1-text": "B",
            "options-1-correct": "y",
        },
        "exactly one correct option",
    ),
    "multiple_choice": (
        {"prompt": "Laut dem Artikel: was?", "options-0-text": "A", "options-1-text": "B"},
        "at least one correct option",
    ),
    "true_false": ({"prompt": "Laut dem Artikel: stimmt es?"}, "required field is missing"),
    "cloze": ({"prompt": "Laut dem Artikel: ergänze.", "text": "Ohne Lücke."}, "at least 1"),
    "numeric": ({"prompt": "Laut dem Artikel: wie viele?", "solution": "viele"}, "number"),
    "ordering": ({"prompt": "Laut dem Artikel: ordne.", "items-0": "A", "items-1": "A"}, "repeat"),
    "matching": (
        {"prompt": "Laut dem Artikel: ordne zu.", "pairs-0-left": "A", "pairs-0-right": "B"},
        "at least 2",
    ),
    "fact_or_opinion": (
        {
            "claim": "T2",
            "prompt": "Tatsache?",
            "statement": "Ein Satz, den es nicht gibt.",
            "solution": "opinion",
            "choices": ["fact", "opinion"],
            "explanation": "Gegenposition: keine.",
        },
        "not found verbatim",
    ),
    "reflection": ({"prompt": "Denk nach.", "min_words": "-3"}, "greater than or equal to 0"),
}


@pytest.mark.parametrize("qtype", list(REFUSALS))
def test_a_rule_of_quiz_validate_refuses_at_the_field_and_stores_nothing(teacher, app, bank, qtype):
    form, message = REFUSALS[qtype]
    response = new_question(teacher, bank, qtype, {**COMMON, **form})
    assert response.status_code == 200
    assert message in text(response)
    assert 'class="errors"' in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 0
        assert db.session.scalar(select(func.count(QuestionVersion.id))) == 0


def test_editorial_rules_apply_in_the_form(teacher, bank):
    # A text item must say so in its prompt.
    response = new_question(
        teacher, bank, "true_false", {**COMMON, "prompt": "Reiste er an?", "solution": "false"}
    )
    assert "the prompt must say so" in text(response)
    # An opinion is never asked as a fact about the world, and needs a counter-position.
    response = new_question(
        teacher,
        bank,
        "true_false",
        {**COMMON, "claim": "T2", "asks": "world", "prompt": "Stimmt das?", "solution": "true"},
    )
    assert "only a claim with verdict true" in text(response)
    assert "counter-position" in text(response)


def test_a_claim_is_checked_at_the_field_and_kept_verbatim_with_offsets(teacher, app):
    slug = add_article(teacher)
    response = add_claim(teacher, slug, sources="", checked_on="")
    assert response.status_code == 200
    assert "a verdict needs at least one source" in text(response)
    assert "a verdict needs the date it was checked on" in text(response)
    response = add_claim(teacher, slug, quote="Der Minister flog nach Rom.")
    assert "not found verbatim" in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Claim.id))) == 0
    # A mouse selection sends the quote with its offsets.
    from quizapp.models import Article

    with app.app_context():
        article_text = db.session.scalar(select(Article.text))
    start = article_text.index("Die Allianz")
    response = add_claim(
        teacher, slug, quote="Die Allianz", start=str(start), end=str(start + 11), verdict=""
    )
    assert "a note (correction or context) is required" in text(response)
    response = add_claim(
        teacher,
        slug,
        quote="Die Allianz",
        start=str(start),
        end=str(start + 11),
        verdict="",
        note="Kontext",
    )
    assert response.status_code == 302
    # With the keyboard: a sentence chosen from the list.
    sentence_start = article_text.index(QUOTE)
    response = add_claim(
        teacher, slug, quote="", sentence=f"{sentence_start}:{sentence_start + len(QUOTE)}"
    )
    assert response.status_code == 302
    with app.app_context():
        claims = {c.quote: c for c in db.session.scalars(select(Claim))}
        assert (claims["Die Allianz"].start, claims["Die Allianz"].end) == (start, start + 11)
        assert claims[QUOTE].start == sentence_start


def test_articles_from_markdown_html_and_text_files(teacher, app):
    import io

    from quizapp.models import Article

    files = {
        "a.md": b"# Titel im Markdown\n\nEin **fetter** Satz.\n\n- Punkt eins.\n",
        "b.html": b"<html><body><script>alert(1)</script><h1>Titel</h1>"
        b"<p>Ein <b>Satz</b>.</p></body></html>",
        "c.txt": "Ein Text mit Umlaut: Größe.\r\n".encode(),
    }
    for name, data in files.items():
        response = post(
            teacher,
            "/author/articles/new",
            {"title": name, "language": "de", "fmt": "txt"},
            {"file": (io.BytesIO(data), name)},
        )
        assert response.status_code == 302, text(response)
    with app.app_context():
        stored = {a.title: a.text for a in db.session.scalars(select(Article))}
    assert stored["a.md"] == "Titel im Markdown\n\nEin fetter Satz.\n\nPunkt eins."
    assert stored["b.html"] == "Titel\n\nEin Satz."
    assert stored["c.txt"] == "Ein Text mit Umlaut: Größe."
    for name, data, message in (
        ("latin.txt", "Größe".encode("latin-1"), "UTF-8"),
        ("x.pdf", b"%PDF-1.4", ".txt, .md"),
    ):
        response = post(
            teacher,
            "/author/articles/new",
            {"title": name, "language": "de", "fmt": "txt"},
            {"file": (io.BytesIO(data), name)},
        )
        assert response.status_code == 200 and message in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 3


def test_a_published_question_changes_by_a_new_version_and_answers_keep_theirs(
    teacher, client, auth, app, bank
):
    qid = question_id(new_question(teacher, bank, "cloze", {**COMMON, **TYPES["cloze"][0]}))
    # A draft changes in place.
    form = {**COMMON, **TYPES["cloze"][0], "text": "Das Treffen fand in [[Brüssel]] statt."}
    post(teacher, f"/author/questions/{qid}/edit", form)
    with app.app_context():
        assert db.session.scalar(select(func.count(QuestionVersion.id))) == 1
    publish(teacher, qid, bank)
    # A learner answers version 1.
    from tests.test_learn import answer, start

    auth.logout()
    attempt = start(client, bank)
    assert answer(client, attempt, 1, {"gap-1": "Brüssel"}).status_code in (200, 302)
    login_as(client, auth, "lehrer2@example.org")
    auth.logout()
    auth.login(email="lehrerin@example.org")
    form["text"] = "Das Treffen der Minister fand in [[Brüssel]] statt."
    assert post(teacher, f"/author/questions/{qid}/edit", form).status_code == 302
    with app.app_context():
        question = db.session.get(Question, qid)
        assert question.status == "published" and question.current.number == 2
        from quizapp.models import Response

        response = db.session.scalar(select(Response))
        assert response.version.number == 1
        assert response.version.payload["text"] == "Das Treffen fand in {1} statt."
    # Answered: it cannot be deleted, only retired; retired, learners no longer get it.
    action(teacher, f"/author/questions/{qid}/delete", f"/author/banks/{bank}")
    with app.app_context():
        assert db.session.get(Question, qid) is not None
    action(teacher, f"/author/questions/{qid}/retire", f"/author/banks/{bank}")
    with app.app_context():
        assert db.session.get(Question, qid).status == "retired"
    assert "Minister fand" not in text(client.get(f"/banks/{bank}"))


def test_a_draft_never_answered_can_be_deleted(teacher, app, bank):
    qid = question_id(new_question(teacher, bank, "cloze", {**COMMON, **TYPES["cloze"][0]}))
    action(teacher, f"/author/questions/{qid}/delete", f"/author/banks/{bank}")
    with app.app_context():
        assert db.session.get(Question, qid) is None
        assert db.session.scalar(select(func.count(QuestionVersion.id))) == 0


def test_a_bank_about_an_article_publishes_only_questions_tied_to_its_claims(teacher, app, bank):
    form = {**COMMON, **TYPES["true_false"][0], "claim": ""}
    qid = question_id(new_question(teacher, bank, "true_false", form))
    response = publish(teacher, qid, bank)
    page = text(teacher.get(response.location))
    assert "an eine Aussage des Artikels gebunden" in page
    with app.app_context():
        assert db.session.get(Question, qid).status == "draft"


def test_a_bank_without_article_publishes_questions_without_source_and_learners_see_it(
    teacher, client, auth, app
):
    bank = new_bank(teacher, title="Allgemeinwissen")
    form = {
        "claim": "",
        "asks": "world",
        "difficulty": "1",
        "prompt": "Wie viele Staaten hat die NATO?",
        "solution": "32",
        "tolerance": "0",
    }
    qid = question_id(new_question(teacher, bank, "numeric", form))
    publish(teacher, qid, bank)
    with app.app_context():
        assert db.session.get(Question, qid).status == "published"
        assert bank_row(bank).article_id is None
    auth.logout()
    from tests.test_learn import answer, start

    attempt = start(client, bank)
    response = answer(client, attempt, 1, {"answer": "32"})
    page = text(client.get(response.location)) if response.status_code == 302 else text(response)
    assert "keine Quelle" in page
    assert "Allgemeinwissen" in text(client.get("/banks"))


def test_learner_takes_a_bank_written_in_the_app(teacher, client, auth, app, bank):
    for qtype in ("cloze", "matching"):
        qid = question_id(new_question(teacher, bank, qtype, {**COMMON, **TYPES[qtype][0]}))
        publish(teacher, qid, bank)
    auth.logout()
    login_as(client, auth, "schueler@example.org", role="learner", name="Schüler")
    from tests.test_learn import answer, start, versions_of

    attempt = start(client, bank)
    versions = versions_of(app, attempt)
    assert [v.type for v in versions] == ["cloze", "matching"]
    answer(client, attempt, 1, {"gap-1": "Brüssel"})
    with app.app_context():
        from quizapp.models import Response

        assert db.session.scalar(select(Response.correct)) is True
        assert len(questions_of(bank)) == 2
