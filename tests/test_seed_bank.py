"""The real seed bank (questions/ over seeds/), imported as `make run` imports it: what the
issue asks of it, its article view, and what a learner sees of it."""

import re
from collections import Counter

import pytest
from sqlalchemy import select

from quizapp import grading
from quizapp.extensions import db
from quizapp.models import Bank, Claim, Question, QuestionVersion
from tests.bank_helpers import ROOT, import_bank, import_seed

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
    assert html.count("<mark") == 26


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
