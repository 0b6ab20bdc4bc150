"""The real seed bank (questions/ over seeds/), imported as `make run` imports it: what the
issue asks of it, its article view, and what a learner sees of it."""

import re
from collections import Counter

import pytest
from sqlalchemy import select

from quizapp import grading
from quizapp.banks import validate
from quizapp.extensions import db
from quizapp.models import Attempt, Bank, Claim, Question, QuestionVersion
from tests.bank_helpers import LOADED_WORDS, ROOT, import_bank, import_seed, seed_lookup
from tests.conftest import csrf_token

SLUG = "nato-2025-12-04"


@pytest.fixture
def seed_bank(ctx):
    """The seed article and its bank in the test database; returns the bank."""
    import_seed()
    import_bank(ROOT / "questions" / f"{SLUG}.yaml")
    db.session.commit()
    return db.session.scalar(select(Bank).where(Bank.slug == SLUG))


def published(bank) -> list[tuple[Question, QuestionVersion, Claim]]:
    rows = db.session.execute(
        select(Question, QuestionVersion, Claim)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .join(Claim, Claim.id == Question.claim_id)
        .where(Question.bank_id == bank.id, Question.status == "published")
    )
    return [tuple(row) for row in rows]


def test_seed_bank_covers_what_the_issue_asks(seed_bank):
    rows = published(seed_bank)
    types = Counter(version.type for _q, version, _c in rows)
    assert len(rows) >= 45
    assert set(types) == set(grading.TYPES)
    assert types["fact_or_opinion"] >= 8 and types["reflection"] >= 1
    corrected = {claim.key for _q, version, claim in rows if version.asks == "correction"}
    assert {"C6", "C7b", "C8", "C9", "C11", "C13"} <= corrected
    assert sum(1 for _q, version, _c in rows if version.asks == "correction") >= 6
    asked = {claim.key for _q, _v, claim in rows}
    checked = {f"C{n}" for n in range(1, 16) if n != 7} | {"C7a", "C7b"}
    assert checked <= asked
    assert {f"O{n}" for n in range(1, 10)} <= asked
    for _q, version, claim in rows:
        assert version.explanation.strip(), version.prompt
        if claim.kind != "opinion":
            assert claim.verdict and claim.sources and claim.checked_on, claim.key


def test_who_skipped_the_meeting_and_article_5_are_taught_correctly(seed_bank):
    versions = {q.key: v for q, v, _c in published(seed_bank)}
    skipped = grading.solution("single_choice", versions["c1-wer-fehlte"].payload)
    texts = {
        grading.item_id(o["text"]): o["text"] for o in versions["c1-wer-fehlte"].payload["options"]
    }
    assert [texts[i] for i in skipped["options"]] == ["Marco Rubio, US-Außenminister"]
    article5 = versions["c6-artikel5-korrektur"]
    (right,) = [o["text"] for o in article5.payload["options"] if o["correct"]]
    assert "Beistand" in right and "entscheidet sie selbst" in right
    assert article5.asks == "correction"


def test_article_view_marks_every_claim_of_the_seed_bank(client, seed_bank):
    html = client.get(f"/articles/{SLUG}").get_data(as_text=True)
    keys = db.session.scalars(select(Claim.key).where(Claim.article_id == seed_bank.article_id))
    for key in keys:
        assert len(re.findall(f'<mark id="claim-{re.escape(key)}" ', html)) == 1, key
    assert html.count("<mark") == 28


def test_right_option_is_not_where_the_author_put_it(client, seed_bank):
    """The authors wrote every right option first; learners see their own order, and the
    option ids say nothing about the place in the file."""
    versions = {v.id: v for _q, v, _c in published(seed_bank)}
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    quizzes = client.get("/api/v1/quizzes").get_json()["quizzes"]
    quiz = next(q for q in quizzes if q["bank"] == SLUG and q["mode"] == "practice")
    attempt = client.post(
        f"/api/v1/quizzes/{quiz['id']}/attempts", json={}, headers={"X-CSRFToken": token}
    ).get_json()
    places = []
    for question in attempt["questions"]:
        if question["type"] != "single_choice":
            continue
        payload = versions[question["version_id"]].payload
        shown = question["view"]["options"]
        assert {o["id"] for o in shown} == {grading.item_id(o["text"]) for o in payload["options"]}
        assert not {o["id"] for o in shown} & {str(i) for i in range(len(shown))}
        right = next(o["text"] for o in payload["options"] if o["correct"])
        places.append([o["text"] for o in shown].index(right))
    assert len(places) >= 10
    assert places.count(0) < len(places) - 3  # not (nearly) always first
    assert len(set(places)) >= 2


def test_seed_bank_answers_the_editors_review(seed_bank):
    """Issue 17: one taxonomy, both kinds keyed, levels, a short route, primary sources."""
    rows = published(seed_bank)
    keys = {q.key for q, _v, _c in rows}
    claims = {c.key: c for _q, _v, c in rows}
    # The kind of a statement apart from its truth: no "fact" that does not hold.
    assert not [c.key for c in claims.values() if c.kind == "fact" and c.verdict != "true"]
    assert {claims[k].kind for k in ("C3", "C8", "C11", "C13")} == {"claim"}
    # Fact-or-opinion: the false sentence is a statement of fact (its feedback says it is
    # false); true statements of fact are keyed too, and "claim" is never a choice.
    classify = [(q, v, c) for q, v, c in rows if v.type == "fact_or_opinion"]
    keyed = Counter(v.payload["solution"] for _q, v, _c in classify)
    assert keyed["fact"] >= 5 and keyed["opinion"] <= 9 and keyed["fact"] + keyed["opinion"] >= 12
    true_facts = [
        q.key for q, v, c in classify if v.payload["solution"] == "fact" and c.verdict == "true"
    ]
    assert len(true_facts) >= 3
    assert not [q.key for q, v, _c in classify if "claim" in v.payload["choices"]]
    blocker = next(v for q, v, _c in classify if q.key == "c11-fo-tatsachenbehauptung")
    assert blocker.payload["solution"] == "fact" and "falsch" in blocker.explanation
    # Every question has one Anforderungsbereich; the Kurzquiz has 12-15 items.
    for question, _v, _c in rows:
        assert len([t for t in question.tags if t.startswith("afb-")]) == 1, question.key
    levels = Counter(t for q, _v, _c in rows for t in q.tags if t.startswith("afb-"))
    assert min(levels["afb-1"], levels["afb-2"], levels["afb-3"]) >= 5
    short = [q.key for q, _v, _c in rows if "kurzquiz" in q.tags]
    assert 12 <= len(short) <= 15
    # The new modules and the cut trivia.
    assert {"quelle-herkunft", "quelle-lateral-lesen", "c8-dementi", "c17-zeitpunkt"} <= keys
    assert {"o1-belege-gewichten", "o1-perspektiven"} <= keys
    assert not keys & {"c8-five-eyes-anzahl", "c12-treffen-pro-jahr", "c4-zieljahr"}
    # The Article 5 cloze quotes the official text, "unverzüglich" included.
    cloze = next(v for q, v, _c in rows if q.key == "c6-cloze-beistand")
    assert "[…]" in cloze.payload["text"] and ["unverzüglich"] in [
        g["answers"] for g in cloze.payload["gaps"]
    ]


def test_weighing_evidence_sorts_both_ways_and_grades_by_category(seed_bank):
    version = next(v for q, v, _c in published(seed_bank) if q.key == "o1-belege-gewichten")
    sides = Counter(pair["right"] for pair in version.payload["pairs"])
    assert sides == {"stützt die These": 3, "schwächt die These": 3, "unbelegt oder bestritten": 2}
    view = grading.present("matching", version.payload, order_seed=1)
    assert len(view["rights"]) == 3  # each category offered once
    ids = {r["text"]: r["id"] for r in view["rights"]}
    right = {str(i): ids[p["right"]] for i, p in enumerate(version.payload["pairs"])}
    assert grading.grade("matching", version.payload, right).score == 1.0
    wrong = dict(right, **{"0": ids["schwächt die These"]})
    assert grading.grade("matching", version.payload, wrong).score == 7 / 8


def test_seed_bank_has_no_editorial_warnings_and_no_aggregator_sources():
    bank, errors = validate.validate_file(
        ROOT / "questions" / f"{SLUG}.yaml", seed_lookup, LOADED_WORDS
    )
    assert errors == [] and bank.warnings == []
    urls = [s.url for c in bank.claims for s in c.sources]
    urls += [p.source.url for c in bank.claims for p in c.counter_positions]
    for domain in validate.REFUSED_SOURCE_DOMAINS:
        assert not [u for u in urls if domain in u], domain


def test_article_page_states_where_the_text_comes_from_and_offers_the_short_quiz_first(
    client, seed_bank
):
    html = client.get(f"/articles/{SLUG}").get_data(as_text=True)
    header = html[: html.index('<div class="article-text"')]
    assert "Herkunft des Textes" in header
    assert "Autor und Medium unbekannt" in header and "„Pravda“-Netzwerks" in header
    assert "nicht belegt" in header  # a match of wording is stated, no link of origin
    banks = html[html.index('id="banks-title"') :]
    assert banks.index("Kurzquiz starten") < banks.index(f'href="/banks/{SLUG}"')
    assert "14 Fragen zu den Kernaussagen des Artikels" in banks


def test_bank_page_offers_the_short_quiz_before_the_whole_bank(client, seed_bank):
    html = client.get(f"/banks/{SLUG}").get_data(as_text=True)
    assert html.index("Kurzquiz starten") < html.index("Alle Fragen (Vertiefung)")
    assert 'name="tag" value="kurzquiz"' in html
    # Each question names its Anforderungsbereich; the short route's items are marked.
    assert html.count("Anforderungsbereich I: wiedergeben") >= 5
    assert html.count("Anforderungsbereich III: beurteilen") >= 5
    assert html.count("Kurzquiz ·") == 14


def test_starting_the_short_quiz_asks_only_its_questions(client, seed_bank):
    page = client.get(f"/banks/{SLUG}")
    token = csrf_token(page)
    sent = client.post(
        f"/quiz/{SLUG}/start", data={"csrf_token": token, "mode": "practice", "tag": "kurzquiz"}
    )
    assert sent.status_code == 302
    attempt = db.session.get(Attempt, int(sent.headers["Location"].rsplit("/", 1)[1]))
    keys = [db.session.get(QuestionVersion, v).question.key for v in attempt.version_ids]
    assert len(keys) == 14 and "o1-these" in keys and "c17-zeitpunkt" in keys
    assert attempt.quiz.selection == "tag" and attempt.quiz.tag == "kurzquiz"
    # The whole bank stays one click away, as its own quiz.
    whole = client.post(f"/quiz/{SLUG}/start", data={"csrf_token": token, "mode": "practice"})
    other = db.session.get(Attempt, int(whole.headers["Location"].rsplit("/", 1)[1]))
    assert other.quiz_id != attempt.quiz_id and len(other.version_ids) == 71
    refused = client.post(
        f"/quiz/{SLUG}/start", data={"csrf_token": token, "mode": "practice", "tag": "gibtsnicht"}
    )
    assert refused.status_code == 400


def test_feedback_on_the_false_statement_of_fact_says_kind_and_truth_apart(client, seed_bank):
    """The blocker: the learner rightly calls the sentence a statement of fact; the feedback
    then says it is false. No label reads "Tatsache"."""
    token = csrf_token(client.get(f"/banks/{SLUG}"))
    sent = client.post(
        f"/quiz/{SLUG}/start", data={"csrf_token": token, "mode": "practice", "tag": "kurzquiz"}
    )
    attempt_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    attempt = db.session.get(Attempt, attempt_id)
    keys = [db.session.get(QuestionVersion, v).question.key for v in attempt.version_ids]
    number = keys.index("c11-fo-tatsachenbehauptung") + 1
    page = client.get(f"/attempts/{attempt_id}/q/{number}")
    form = page.get_data(as_text=True)
    assert "Tatsachenbehauptung (überprüfbar)" in form and ">Tatsache<" not in form
    answered = client.post(
        f"/attempts/{attempt_id}/q/{number}",
        data={"csrf_token": csrf_token(page), "answer": "fact"},
    )
    feedback = client.get(answered.headers["Location"]).get_data(as_text=True)
    assert "Richtig" in feedback
    assert "Geprüft: falsch" in feedback
    assert "Diese Tatsachenbehauptung ist falsch" in feedback
    assert "Tatsache," not in feedback
