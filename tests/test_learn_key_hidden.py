"""Before an answer is final, nothing a learner receives (page or API) reveals the key."""

import json
import re

import pytest

from quizapp import grading
from quizapp.extensions import db
from quizapp.models import Attempt, QuestionVersion
from tests.conftest import csrf_token
from tests.factories import QUESTIONS, make_bank, right_answer

TYPES = [qtype for _key, _claim, qtype, *_ in QUESTIONS]
CLAIM_QUOTE = "Der US-Außenminister hat es nicht einmal für nötig gehalten"
# Words that would only be there to carry a key.
KEY_WORDS = ("correct", "solution", "answers", "tolerance", "markers", "pairs", "explanation")


def main_of(page: str) -> str:
    """The page's <main>, without the CSRF tokens (random text that could contain anything)."""
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r'name="csrf_token" value="[^"]*"', "", main)


def leaks(qtype: str, payload: dict, seen: str) -> list[str]:
    """Return what of the key for this question appears in `seen` (HTML or JSON text)."""
    found = [word for word in KEY_WORDS if word in seen.lower()]
    if "Erläuterung zu" in seen:
        found.append("the explanation")
    if qtype == "cloze":
        found += [a for gap in payload["gaps"] for a in gap["answers"] if a in seen]
    if qtype == "numeric" and re.search(rf"(?<![\d.,]){payload['solution']}(?![\d.,])", seen):
        found.append("the number")
    if qtype != "fact_or_opinion" and CLAIM_QUOTE in seen:
        found.append("the source quote")
    if qtype == "fact_or_opinion" and re.search(r"badge|kind-|Signalwörter", seen):
        found.append("the claim kind")
    if qtype in ("single_choice", "multiple_choice", "matching", "ordering"):
        if re.search(r"\b(checked|selected)\b", seen):
            found.append("a preselected control")
    return found


def shown_order(qtype: str, view: dict) -> list[str] | None:
    """The ids in the order the API shows ordering items or matching partners."""
    if qtype == "ordering":
        return [item["id"] for item in view["items"]]
    if qtype == "matching":
        return [right["id"] for right in view["rights"]]
    return None


def key_order(qtype: str, payload: dict) -> list[str] | None:
    """The ids in the key's order (the file order)."""
    if qtype == "ordering":
        return [grading.item_id(text) for text in payload["items"]]
    if qtype == "matching":
        return [grading.item_id(pair["right"]) for pair in payload["pairs"]]
    return None


@pytest.mark.parametrize("qtype", TYPES)
def test_question_shows_nothing_of_its_key(app, client, qtype):
    with app.app_context():
        slug = make_bank(types=[qtype]).slug
    page = client.get(f"/quiz/{slug}")
    token = csrf_token(page)
    location = client.post(
        f"/quiz/{slug}/start", data={"csrf_token": token, "mode": "practice"}
    ).headers["Location"]
    attempt_id = int(location.rsplit("/", 1)[1])
    with app.app_context():
        version = db.session.get(
            QuestionVersion, db.session.get(Attempt, attempt_id).version_ids[0]
        )
        payload, answer = version.payload, right_answer(version)

    html = main_of(client.get(f"/attempts/{attempt_id}/q/1").get_data(as_text=True))
    api_token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    attempt = client.get(f"/api/v1/attempts/{attempt_id}").get_json()
    question = attempt["questions"][0]
    assert question["feedback"] is None
    assert leaks(qtype, payload, html) == []
    assert leaks(qtype, payload, json.dumps(question["view"], ensure_ascii=False)) == []
    assert leaks(qtype, payload, json.dumps(question, ensure_ascii=False)) == []
    order = shown_order(qtype, question["view"])
    if order is not None:
        assert order != key_order(qtype, payload)
        html_order = re.findall(r'<option value="([0-9a-f]{10})"', html)
        assert html_order[: len(order)] == order  # the page shows the same order as the API

    # Once the answer is final, the key is there: the checks above would have seen it.
    answered = client.post(
        f"/api/v1/attempts/{attempt_id}/answers",
        json={"version_id": question["version_id"], "answer": answer},
        headers={"X-CSRFToken": api_token},
    ).get_json()
    feedback = json.dumps(answered["feedback"], ensure_ascii=False)
    page = main_of(client.get(f"/attempts/{attempt_id}/q/1").get_data(as_text=True))
    if qtype != "reflection":
        assert leaks(qtype, payload, feedback) != []
        assert leaks(qtype, payload, page) != []
