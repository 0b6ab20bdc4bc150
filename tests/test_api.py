"""The JSON API: same services, same rules, same protection as the pages."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import jsonify
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Bank, Card, Claim, QuestionVersion, Response, utcnow
from quizapp.services import attempts as service
from tests.factories import make_bank, make_quiz, right_answer, wrong_answer


@pytest.fixture
def bank(app):
    """The factory bank (one question of every type)."""
    with app.app_context():
        return make_bank().slug


class Api:
    """A JSON client with the session's CSRF token in the X-CSRFToken header."""

    def __init__(self, client):
        self.client = client
        self.token = client.get("/api/v1/csrf").get_json()["csrf_token"]

    def get(self, path):
        return self.client.get("/api/v1" + path)

    def post(self, path, body=None):
        return self.client.post(
            "/api/v1" + path,
            json=body if body is not None else {},
            headers={"X-CSRFToken": self.token},
        )


@pytest.fixture
def api(client):
    """The API as a guest browser would use it."""
    return Api(client)


def quiz_id(api, bank, mode="practice") -> int:
    """The id of the bank's quiz in a mode, from the quiz list."""
    quizzes = api.get("/quizzes").get_json()["quizzes"]
    return next(q["id"] for q in quizzes if q["bank"] == bank and q["mode"] == mode)


def payload_of(app, version_id):
    """The stored version (for building answers the way a learner would)."""
    with app.app_context():
        version = db.session.get(QuestionVersion, version_id)
        db.session.expunge(version)
        return version


def test_practice_attempt_through_the_api(app, api, bank):
    started = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts")
    assert started.status_code == 201
    attempt = started.get_json()
    assert len(attempt["questions"]) == 9
    assert attempt["next_version_id"] == attempt["questions"][0]["version_id"]
    for question in attempt["questions"]:
        version = payload_of(app, question["version_id"])
        sent = api.post(
            f"/attempts/{attempt['id']}/answers",
            {"version_id": version.id, "answer": right_answer(version)},
        )
        assert sent.status_code == 200, sent.get_json()
        result = sent.get_json()
        assert result["feedback"]["status"] in ("right", "unscored")
        assert result["feedback"]["claim"]["quote"]
        assert result["feedback"]["explanation"].startswith("Erläuterung zu")
    assert result["finished"] is True
    assert (result["score"], result["max_score"]) == (8.0, 8.0)
    results = api.get(f"/attempts/{attempt['id']}/results")
    assert results.status_code == 200
    body = results.get_json()
    assert body["score"] == 8.0
    assert body["quiz_result"] == 1.0
    assert [q["position"] for q in body["questions"]] == list(range(1, 10))


def test_api_posts_need_the_csrf_token(app, client, bank):
    api = Api(client)
    quiz = quiz_id(api, bank)
    refused = client.post(f"/api/v1/quizzes/{quiz}/attempts", json={})
    assert refused.status_code == 403
    assert "X-CSRFToken" in refused.get_json()["message"]
    assert set(refused.get_json()) == {"error", "message", "status"}
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 0


def test_answers_are_never_rate_limited_but_the_starts_beside_them_are(app, api, bank):
    # The answer view is `unlimited`: the limiter skips it before looking at any limit. The
    # starts in the same blueprint keep their budget per address (30 a minute).
    quiz = quiz_id(api, bank)
    versions, starts, answers = {}, [], []
    for _ in range(31):
        started = api.post(f"/quizzes/{quiz}/attempts")
        starts.append(started.status_code)
        if started.status_code != 201:
            break
        attempt = started.get_json()
        for question in attempt["questions"]:
            vid = question["version_id"]
            version = versions.setdefault(vid, payload_of(app, vid))
            body = {"version_id": vid, "answer": right_answer(version)}
            answers.append(api.post(f"/attempts/{attempt['id']}/answers", body).status_code)
    assert starts == [201] * 30 + [429]
    assert answers == [200] * 30 * 9


def test_repeated_answer_returns_the_same_result(app, api, bank):
    attempt = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    version = payload_of(app, attempt["questions"][0]["version_id"])
    path = f"/attempts/{attempt['id']}/answers"
    first = api.post(path, {"version_id": version.id, "answer": wrong_answer(version)})
    again = api.post(path, {"version_id": version.id, "answer": right_answer(version)})
    assert again.status_code == first.status_code == 200
    assert again.get_json() == first.get_json()
    assert first.get_json()["feedback"]["status"] == "wrong"
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1


def first_of_type(app, attempt, qtype):
    """The attempt's first question of a type, as stored."""
    question = next(q for q in attempt["questions"] if q["type"] == qtype)
    return payload_of(app, question["version_id"])


def test_a_concurrent_duplicate_answer_returns_the_one_stored_first(app, api, bank, monkeypatch):
    attempt = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    version = first_of_type(app, attempt, "true_false")
    original = service.sourced_version

    def racing(version_id):
        # Another request stores its answer between our checks and our insert.
        with db.engine.begin() as other:
            other.execute(
                Response.__table__.insert().values(
                    attempt_id=attempt["id"],
                    question_version_id=version_id,
                    answer=wrong_answer(version),
                    score=0.0,
                    correct=False,
                    answered_at=utcnow(),
                )
            )
        return original(version_id)

    monkeypatch.setattr(service, "sourced_version", racing)
    sent = api.post(
        f"/attempts/{attempt['id']}/answers",
        {"version_id": version.id, "answer": right_answer(version)},
    )
    assert sent.status_code == 200
    assert sent.get_json()["feedback"]["status"] == "wrong"
    assert sent.get_json()["finished"] is False
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1


def test_practice_answers_wait_while_an_exam_asks_the_question(app, api, bank):
    practice = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    exam = api.post(f"/quizzes/{quiz_id(api, bank, 'exam')}/attempts").get_json()
    version = first_of_type(app, practice, "true_false")
    path = f"/attempts/{practice['id']}/answers"
    body = {"version_id": version.id, "answer": right_answer(version)}
    refused = api.post(path, body)
    assert refused.status_code == 409
    assert "NATO-Testbank" in refused.get_json()["message"]
    api.post(f"/attempts/{exam['id']}/finish")
    assert api.post(path, body).get_json()["feedback"]["status"] == "right"


def test_feedback_shows_the_claim_as_it_is_now(app, api, bank):
    attempt = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    first, second = (payload_of(app, q["version_id"]) for q in attempt["questions"][:2])
    path = f"/attempts/{attempt['id']}/answers"
    api.post(path, {"version_id": first.id, "answer": right_answer(first)})
    with app.app_context():
        for claim in db.session.scalars(select(Claim)):
            claim.note, claim.verdict = "Neu geprüft.", "false"
        db.session.commit()
    sent = api.post(path, {"version_id": second.id, "answer": right_answer(second)}).get_json()
    assert (sent["feedback"]["claim"]["note"], sent["feedback"]["claim"]["verdict"]) == (
        "Neu geprüft.",
        "false",
    )


def test_replies_are_utf8_json_with_sorted_keys_and_dates_as_flask_writes_them(app, api, bank):
    """The replies are written by orjson (quizapp.inputs): a client sees the same JSON as
    Flask's own writer gave, but German text as UTF-8 rather than \\u escapes."""
    attempt = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    version = payload_of(app, attempt["questions"][0]["version_id"])
    with app.app_context():
        for claim in db.session.scalars(select(Claim)):
            claim.note = "Geprüft: Außenminister, Bündnis."
        db.session.commit()
    sent = api.post(
        f"/attempts/{attempt['id']}/answers",
        {"version_id": version.id, "answer": right_answer(version)},
    )
    assert sent.mimetype == "application/json"
    assert "Geprüft: Außenminister, Bündnis.".encode() in sent.data
    assert b"\\u00" not in sent.data
    reply = json.loads(sent.data)
    assert list(reply) == sorted(reply)
    assert reply["feedback"]["claim"]["note"] == "Geprüft: Außenminister, Bündnis."
    with app.test_request_context():
        written = jsonify(when=datetime(2025, 12, 4, 8, 30, tzinfo=UTC), b=1, a=[date(2025, 12, 4)])
        assert json.loads(written.get_data()) == {
            "a": ["Thu, 04 Dec 2025 00:00:00 GMT"],
            "b": 1,
            "when": "Thu, 04 Dec 2025 08:30:00 GMT",
        }


def test_an_accounts_answer_through_the_api_schedules_its_card(app, client, auth, bank):
    auth.register()
    api = Api(client)
    attempt = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    version = first_of_type(app, attempt, "true_false")
    api.post(
        f"/attempts/{attempt['id']}/answers",
        {"version_id": version.id, "answer": right_answer(version)},
    )
    with app.app_context():
        card = db.session.scalar(select(Card))
        assert (card.question_id, card.reviews) == (version.question_id, 1)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"version_id": "1", "answer": 0}, 400),
        ({"answer": 0}, 400),
        ([1, 2], 400),
        ({"version_id": True, "answer": 0}, 400),
        ({"version_id": 999999, "answer": 0}, 404),
    ],
)
def test_malformed_answer_requests_are_refused(api, bank, body, status):
    attempt = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    response = api.post(f"/attempts/{attempt['id']}/answers", body)
    assert response.status_code == status
    assert response.get_json()["status"] == status


def test_unreadable_answer_gets_422_with_the_reason(api, bank):
    attempt = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    numeric = next(q for q in attempt["questions"] if q["type"] == "numeric")
    response = api.post(
        f"/attempts/{attempt['id']}/answers", {"version_id": numeric["version_id"], "answer": "x"}
    )
    assert response.status_code == 422
    assert response.get_json()["message"] == "Gib eine Zahl ein, z. B. 32 oder 3,5."


def test_reasons_with_numbers_are_translated_too(client, api, bank):
    attempt = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    cloze = next(q for q in attempt["questions"] if q["type"] == "cloze")
    body = {"version_id": cloze["version_id"], "answer": ["a"] * 7}
    response = api.post(f"/attempts/{attempt['id']}/answers", body)
    gaps = cloze["view"]["gap_count"]
    assert response.get_json()["message"] == f"Füll jede Lücke aus ({gaps} insgesamt)."
    response = client.post(
        f"/api/v1/attempts/{attempt['id']}/answers",
        json=body,
        headers={"X-CSRFToken": api.token, "Accept-Language": "en"},
    )
    assert response.get_json()["message"] == f"Fill in every gap ({gaps} in all)."


def test_exam_feedback_waits_for_the_end(app, api, bank):
    attempt = api.post(f"/quizzes/{quiz_id(api, bank, 'exam')}/attempts").get_json()
    assert attempt["deadline_at"] is not None
    assert 0 < attempt["seconds_left"] <= 9 * 60
    # The exam shuffles; answer the first scored question (a reflection scores nothing).
    index, version = next(
        (i, v)
        for i, q in enumerate(attempt["questions"])
        if (v := payload_of(app, q["version_id"])).type != "reflection"
    )
    sent = api.post(
        f"/attempts/{attempt['id']}/answers",
        {"version_id": version.id, "answer": right_answer(version)},
    ).get_json()
    assert sent["feedback"] is None
    again = api.get(f"/attempts/{attempt['id']}").get_json()
    assert again["questions"][index]["answered"] is True
    assert again["questions"][index]["feedback"] is None
    assert api.get(f"/attempts/{attempt['id']}/results").status_code == 409
    finished = api.post(f"/attempts/{attempt['id']}/finish").get_json()
    assert finished["score"] == 1.0
    assert finished["questions"][index]["feedback"]["status"] == "right"
    results = api.get(f"/attempts/{attempt['id']}/results").get_json()
    assert [q["status"] for q in results["questions"]].count("unanswered") == 8


def test_api_answer_after_the_time_limit_is_refused(app, api, bank):
    attempt = api.post(f"/quizzes/{quiz_id(api, bank, 'exam')}/attempts").get_json()
    with app.app_context():
        stored = db.session.get(Attempt, attempt["id"])
        stored.deadline_at = utcnow() - timedelta(seconds=30)
        db.session.commit()
    version = payload_of(app, attempt["questions"][0]["version_id"])
    response = api.post(
        f"/attempts/{attempt['id']}/answers",
        {"version_id": version.id, "answer": right_answer(version)},
    )
    assert response.status_code == 409
    assert response.get_json()["message"].startswith("Die Zeit ist abgelaufen")
    assert api.get(f"/attempts/{attempt['id']}").get_json()["finished_at"] is not None


def test_open_attempt_is_returned_instead_of_a_second_one(api, bank):
    quiz = quiz_id(api, bank)
    first = api.post(f"/quizzes/{quiz}/attempts")
    again = api.post(f"/quizzes/{quiz}/attempts")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert api.get(f"/quizzes/{quiz}").get_json()["open_attempt_id"] == first.get_json()["id"]


def test_other_peoples_attempts_are_not_found(app, api, bank):
    attempt = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    stranger = Api(app.test_client())
    assert stranger.get(f"/attempts/{attempt['id']}").status_code == 404
    version_id = attempt["questions"][0]["version_id"]
    response = stranger.post(
        f"/attempts/{attempt['id']}/answers", {"version_id": version_id, "answer": 0}
    )
    assert response.status_code == 404
    assert stranger.get("/quizzes/999999").status_code == 404


@pytest.mark.parametrize("mode", ["live", "mistakes"])
def test_game_and_personal_quizzes_are_not_taken_by_id(app, client, api, bank, mode):
    """A live game's quiz is played in the game; a learner's mistakes quiz is theirs alone."""
    with app.app_context():
        quiz = make_quiz(db.session.scalar(select(Bank).where(Bank.slug == bank)), mode=mode)
        quiz_id_, before = quiz.id, db.session.scalar(select(func.count(Attempt.id)))
    assert api.get(f"/quizzes/{quiz_id_}").status_code == 404
    assert api.post(f"/quizzes/{quiz_id_}/attempts").status_code == 404
    assert client.get(f"/quizzes/{quiz_id_}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == before


def test_logged_in_learner_uses_the_session(app, client, auth, bank):
    auth.register()
    api = Api(client)
    attempt = api.post(f"/quizzes/{quiz_id(api, bank)}/attempts").get_json()
    with app.app_context():
        assert db.session.get(Attempt, attempt["id"]).user_id is not None
    assert client.get_cookie("quizapp_guest") is None


def test_openapi_document_lists_every_route(app, api):
    document = api.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/api/v1"}]
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = {
        (rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace(">", "}"), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == served
