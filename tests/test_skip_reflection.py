"""A reflection can be skipped for now: it comes back after the other questions, stays
unanswered if skipped again, and never counts as wrong."""

import re

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Response
from tests.conftest import csrf_token
from tests.factories import make_bank, right_answer
from tests.test_learn import answer, form_fields, start, summary_rows, text, versions_of

SKIP_FIRST = "Vorerst überspringen"


def _skip(client, attempt_id: int, number: int):
    page = client.get(f"/attempts/{attempt_id}/q/{number}")
    return client.post(
        f"/attempts/{attempt_id}/q/{number}", data={"csrf_token": csrf_token(page), "skip": "1"}
    )


def _reflection_first(app, attempt_id: int):
    """Put the attempt's reflection first (the factory bank has it last), as a shuffle might."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        ids = list(attempt.version_ids)
        attempt.version_ids = [ids[-1], *ids[:-1]]
        db.session.commit()
    return versions_of(app, attempt_id)


def _next_number(client, attempt_id: int) -> int:
    location = client.get(f"/attempts/{attempt_id}").headers["Location"]
    return int(re.search(r"/q/(\d+)$", location).group(1))


def test_a_skipped_reflection_comes_back_after_the_others_and_stays_unanswered(app, client):
    with app.app_context():
        make_bank(types=["reflection", "single_choice", "true_false"])
    attempt_id = start(client, "nato-test")
    versions = _reflection_first(app, attempt_id)
    assert [v.type for v in versions] == ["reflection", "single_choice", "true_false"]

    first = text(client.get(f"/attempts/{attempt_id}/q/1"))
    assert SKIP_FIRST in first and "kommt nach den anderen Fragen wieder" in first
    skipped = _skip(client, attempt_id, 1)
    assert skipped.headers["Location"].endswith(f"/attempts/{attempt_id}/q/2")
    assert "Vorerst übersprungen" in text(client.get(skipped.headers["Location"]))
    # Resuming the attempt offers the next question, not the skipped one.
    assert _next_number(client, attempt_id) == 2

    answer(client, attempt_id, 2, form_fields("single_choice", right_answer(versions[1])))
    feedback = text(client.get(f"/attempts/{attempt_id}/q/2"))
    assert "Nächste Frage" in feedback
    answer(client, attempt_id, 3, form_fields("true_false", right_answer(versions[2])))
    # The last scored question is answered, but the reflection is still open: it comes back.
    feedback = text(client.get(f"/attempts/{attempt_id}/q/3"))
    assert "Nächste Frage" in feedback and "Zum Ergebnis" not in feedback
    assert _next_number(client, attempt_id) == 1
    again = text(client.get(f"/attempts/{attempt_id}/q/1"))
    assert "Du hast diese Frage vorhin übersprungen" in again
    assert SKIP_FIRST not in again and "Überspringen und zum Ergebnis" in again

    # Skipped again as the last open question: the attempt ends with it unanswered.
    done = _skip(client, attempt_id, 1)
    assert done.headers["Location"].endswith(f"/attempts/{attempt_id}/results")
    results = text(client.get(done.headers["Location"]))
    assert "2 von 2 Punkten (100 %)" in results
    rows = summary_rows(results)
    assert [row[2] for row in rows] == ["– Nicht beantwortet", "✓ Richtig", "✓ Richtig"]
    assert "falsch beantwortete" not in results
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.finished_at is not None and attempt.score == 2.0
        assert db.session.scalar(select(func.count(Response.id))) == 2


def test_a_skipped_reflection_can_be_answered_when_it_comes_back(app, client):
    with app.app_context():
        make_bank(types=["reflection", "true_false"])
    attempt_id = start(client, "nato-test")
    versions = _reflection_first(app, attempt_id)
    _skip(client, attempt_id, 1)
    answer(client, attempt_id, 2, form_fields("true_false", right_answer(versions[1])))
    assert _next_number(client, attempt_id) == 1
    answer(client, attempt_id, 1, form_fields("reflection", right_answer(versions[0])))
    results = text(client.get(f"/attempts/{attempt_id}", follow_redirects=True))
    statuses = [row[2] for row in summary_rows(results)]
    assert statuses == ["Gespeichert (nicht bewertet)", "✓ Richtig"]


def test_only_a_reflection_can_be_skipped(app, client):
    with app.app_context():
        make_bank(types=["true_false", "reflection"])
    attempt_id = start(client, "nato-test")
    page = text(client.get(f"/attempts/{attempt_id}/q/1"))
    assert SKIP_FIRST not in page
    refused = _skip(client, attempt_id, 1)
    assert refused.status_code == 302
    assert "Nur eine Reflexion kann übersprungen werden" in text(
        client.get(refused.headers["Location"], follow_redirects=True)
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0
    assert _next_number(client, attempt_id) == 1


def test_in_an_exam_a_skipped_reflection_is_not_offered_as_unanswered_to_retry(app, client):
    with app.app_context():
        make_bank(types=["reflection", "single_choice"])
    attempt_id = start(client, "nato-test", mode="exam")
    versions = versions_of(app, attempt_id)
    number = next(n for n, v in enumerate(versions, 1) if v.type == "reflection")
    other = 3 - number
    following = _skip(client, attempt_id, number)
    assert following.headers["Location"].endswith(f"/q/{other}")
    version = versions[other - 1]
    answer(client, attempt_id, other, form_fields(version.type, right_answer(version)))
    last = text(client.get(f"/attempts/{attempt_id}/q/{number}"))
    assert "Überspringen und abgeben" in last
    results = text(client.get(_skip(client, attempt_id, number).headers["Location"]))
    assert "1 von 1 Punkt (100 %)" in results
    assert "unbeantwortete" not in results and "falsch beantwortete" not in results
