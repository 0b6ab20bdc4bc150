"""Taking quizzes through the plain HTML pages: every type as a form, feedback, results, guests."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.labels import kind_label
from quizapp.models import Attempt, QuestionVersion, Response, User, utcnow
from tests.conftest import PASSWORD, csrf_token
from tests.factories import make_bank, right_answer, wrong_answer


def form_fields(qtype: str, raw) -> dict:
    """The form fields a learner fills in for a raw answer (what the page's controls send)."""
    if qtype in ("single_choice", "numeric", "reflection", "fact_or_opinion"):
        return {"answer": str(raw)}
    if qtype == "multiple_choice":
        return {"answer": [str(i) for i in raw]}
    if qtype == "true_false":
        return {"answer": "true" if raw else "false"}
    if qtype == "cloze":
        return {f"gap-{n}": text for n, text in enumerate(raw, start=1)}
    if qtype == "ordering":
        return {f"position-{n}": item for n, item in enumerate(raw, start=1)}
    return {f"match-{left}": right for left, right in raw.items()}


@pytest.fixture
def bank(app):
    """The factory bank (one question of every type); returns its slug."""
    with app.app_context():
        return make_bank().slug


def start(client, slug: str, mode: str = "practice") -> int:
    """Start a quiz of the bank from its page and return the attempt id."""
    page = client.get(f"/quiz/{slug}")
    assert page.status_code == 200
    response = client.post(
        f"/quiz/{slug}/start", data={"csrf_token": csrf_token(page), "mode": mode}
    )
    assert response.status_code == 302
    match = re.fullmatch(r"/attempts/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def versions_of(app, attempt_id: int) -> list[SimpleNamespace]:
    """The attempt's questions in the order shown: id, type, payload and question key."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        versions = [db.session.get(QuestionVersion, v) for v in attempt.version_ids]
        return [
            SimpleNamespace(id=v.id, type=v.type, payload=v.payload, key=v.question.key)
            for v in versions
        ]


def answer(client, attempt_id: int, number: int, fields: dict):
    """Open question `number` and send its form with the given fields."""
    page = client.get(f"/attempts/{attempt_id}/q/{number}")
    assert page.status_code == 200
    return client.post(
        f"/attempts/{attempt_id}/q/{number}", data={"csrf_token": csrf_token(page), **fields}
    )


def text(response) -> str:
    """The page's text as read (a non-breaking space reads as a space)."""
    return response.get_data(as_text=True).replace("\xa0", " ")


def test_practice_quiz_with_every_type_through_plain_forms(app, client, bank):
    attempt_id = start(client, bank)
    versions = versions_of(app, attempt_id)
    assert client.get(f"/attempts/{attempt_id}").headers["Location"].endswith("/q/1")
    for number, version in enumerate(versions, start=1):
        sent = answer(client, attempt_id, number, form_fields(version.type, right_answer(version)))
        assert sent.status_code == 302
        assert sent.headers["Location"] == f"/attempts/{attempt_id}/q/{number}"
        page = text(client.get(sent.headers["Location"]))
        if version.type == "reflection":
            assert "Gespeichert (nicht bewertet)" in page
        else:
            assert "Richtig!" in page
            assert "Richtige Antwort" in page
        assert f"Erläuterung zu {version.key}." in page
        assert '<blockquote class="source-quote">' in page
    results = client.get(f"/attempts/{attempt_id}", follow_redirects=True)
    page = text(results)
    assert "8 von 8 Punkten (100 %)" in page
    assert "Der US-Außenminister hat es nicht einmal für nötig gehalten" in page
    assert "Geprüft: stimmt" in page


def test_practice_feedback_shows_both_answers_and_the_source(app, client, bank):
    attempt_id = start(client, bank)
    matching = next(
        n for n, v in enumerate(versions_of(app, attempt_id), 1) if v.type == "matching"
    )
    version = versions_of(app, attempt_id)[matching - 1]
    client.post(f"/attempts/{attempt_id}/q/{matching}", data={})  # no CSRF token: refused
    sent = answer(client, attempt_id, matching, form_fields("matching", wrong_answer(version)))
    page = text(client.get(sent.headers["Location"]))
    assert "Nicht richtig" in page
    assert "Deine Antwort" in page
    assert "Marco Rubio → US-Verteidigungsminister" in page
    assert "Marco Rubio → US-Außenminister" in page
    assert "Tatsache" in page
    assert "Der US-Außenminister hat es nicht einmal" in page


def test_forms_without_csrf_token_change_nothing(app, client, bank):
    attempt_id = start(client, bank)
    version = versions_of(app, attempt_id)[0]
    response = client.post(
        f"/attempts/{attempt_id}/q/1", data=form_fields(version.type, right_answer(version))
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0


def test_unreadable_answer_is_explained_and_changes_nothing(app, client, bank):
    attempt_id = start(client, bank)
    number = next(n for n, v in enumerate(versions_of(app, attempt_id), 1) if v.type == "numeric")
    response = answer(client, attempt_id, number, {"answer": "zweiunddreißig"})
    assert response.status_code == 422
    page = text(response)
    assert "Gib eine Zahl ein, z. B. 32 oder 3,5." in page
    assert 'value="zweiunddreißig"' in page  # what was typed stays in the field
    assert 'aria-describedby="instruction answer-error"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0
    assert answer(client, attempt_id, number, {"answer": "32 Staaten"}).status_code == 302


def test_double_submit_keeps_the_first_answer(app, client, bank):
    attempt_id = start(client, bank)
    version = versions_of(app, attempt_id)[0]
    page = client.get(f"/attempts/{attempt_id}/q/1")
    token = csrf_token(page)
    wrong = {"csrf_token": token, **form_fields(version.type, wrong_answer(version))}
    right = {"csrf_token": token, **form_fields(version.type, right_answer(version))}
    first = client.post(f"/attempts/{attempt_id}/q/1", data=wrong)
    again = client.post(f"/attempts/{attempt_id}/q/1", data=right)
    assert first.headers["Location"] == again.headers["Location"]
    assert "Nicht richtig" in text(client.get(again.headers["Location"]))
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1


def test_exam_gives_feedback_only_at_the_end(app, client, bank):
    attempt_id = start(client, bank, mode="exam")
    versions = versions_of(app, attempt_id)
    page = text(client.get(f"/attempts/{attempt_id}/q/1"))
    assert "Verbleibende Zeit:" in page
    assert 'data-seconds-left="' in page
    for number, version in enumerate(versions, start=1):
        sent = answer(client, attempt_id, number, form_fields(version.type, wrong_answer(version)))
        assert sent.headers["Location"] == f"/attempts/{attempt_id}"
        if number < len(versions):
            follow = client.get(sent.headers["Location"])
            assert follow.headers["Location"] == f"/attempts/{attempt_id}/q/{number + 1}"
            # An answered exam question is not shown again (no feedback before the end).
            back = client.get(f"/attempts/{attempt_id}/q/{number}")
            assert back.headers["Location"] == f"/attempts/{attempt_id}"
    results = client.get(f"/attempts/{attempt_id}", follow_redirects=True)
    page = text(results)
    assert "0 von 8 Punkten (0 %)" in page
    assert "Richtige Antwort" in page
    assert '<blockquote class="source-quote">' in page
    assert "Die 8 falsch beantworteten Fragen wiederholen" in page


def test_practice_of_an_open_exams_questions_waits_until_it_is_handed_in(app, client, bank):
    exam_id = start(client, bank, mode="exam")
    page = client.get(f"/quiz/{bank}")
    token = csrf_token(page)
    for path, choice in [("start", {"mode": "practice"}), ("round", {"size": "5"})]:
        refused = client.post(f"/quiz/{bank}/{path}", data={"csrf_token": token, **choice})
        assert refused.status_code == 302
        assert not re.fullmatch(r"/attempts/\d+", refused.headers["Location"])
        shown = text(client.get(refused.headers["Location"]))
        assert "Du schreibst gerade die Prüfung" in shown and "gib sie zuerst ab" in shown
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
    # The JSON API refuses the same way.
    quizzes = client.get("/api/v1/quizzes").get_json()["quizzes"]
    practice_id = next(q["id"] for q in quizzes if q["bank"] == bank and q["mode"] == "practice")
    api = client.post(
        f"/api/v1/quizzes/{practice_id}/attempts",
        headers={"X-CSRFToken": client.get("/api/v1/csrf").get_json()["csrf_token"]},
    )
    assert api.status_code == 409 and "Prüfung" in api.get_json()["message"]
    # Handed in, practice starts.
    question = client.get(f"/attempts/{exam_id}/q/1")
    client.post(f"/attempts/{exam_id}/finish", data={"csrf_token": csrf_token(question)})
    assert start(client, bank, mode="practice") != exam_id


def test_practice_resumed_during_an_exam_gives_no_answers_away(app, client, bank):
    practice_id = start(client, bank)  # begun before the exam, left open
    start(client, bank, mode="exam")
    assert start(client, bank) == practice_id  # "Üben starten" resumes it
    version = versions_of(app, practice_id)[0]
    sent = answer(client, practice_id, 1, form_fields(version.type, right_answer(version)))
    shown = text(client.get(sent.headers["Location"], follow_redirects=True))
    assert "Du schreibst gerade die Prüfung" in shown and "Richtig!" not in shown
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0


def test_exam_answer_after_the_time_limit_is_refused(app, client, bank):
    attempt_id = start(client, bank, mode="exam")
    version = versions_of(app, attempt_id)[0]
    page = client.get(f"/attempts/{attempt_id}/q/1")
    with app.app_context():
        # The clock: this attempt's time ran out a minute ago.
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.post(
        f"/attempts/{attempt_id}/q/1",
        data={"csrf_token": csrf_token(page), **form_fields(version.type, right_answer(version))},
        follow_redirects=True,
    )
    page = text(response)
    assert "Die Zeit ist abgelaufen: Deine Antwort kam nach dem Zeitlimit an" in page
    assert "0 von 8 Punkten" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0
        assert db.session.get(Attempt, attempt_id).finished_at is not None


def test_hand_in_early_counts_unanswered_as_wrong(app, client, bank):
    attempt_id = start(client, bank, mode="exam")
    number, version = next(
        (n, v) for n, v in enumerate(versions_of(app, attempt_id), 1) if v.type != "reflection"
    )
    answer(client, attempt_id, number, form_fields(version.type, right_answer(version)))
    page = client.get(f"/attempts/{attempt_id}", follow_redirects=True)
    client.post(f"/attempts/{attempt_id}/finish", data={"csrf_token": csrf_token(page)})
    page = text(client.get(f"/attempts/{attempt_id}/results"))
    assert "1 von 8 Punkten (13 %)" in page
    assert [row[2] for row in summary_rows(page)].count("– Nicht beantwortet") == 8
    # Nothing was answered wrongly: only the unanswered ones are offered, and counted as such.
    assert "falsch beantwortete" not in page
    assert "Die 7 unbeantworteten Fragen üben" in page


def summary_rows(page: str) -> list[list[str]]:
    """The cells of the results overview, as text."""
    table = page[page.index('<table class="result-summary">') : page.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td.*?</td>", r, flags=re.S)
        ]
        for r in rows
    ]


def test_results_open_with_an_overview_and_fold_each_feedback(app, client, bank):
    attempt_id = start(client, bank, mode="exam")
    versions = versions_of(app, attempt_id)
    scored = [(n, v) for n, v in enumerate(versions, 1) if v.type != "reflection"]
    (n1, right), (n2, wrong), (n3, partly_unused) = scored[:3]
    answer(client, attempt_id, n1, form_fields(right.type, right_answer(right)))
    answer(client, attempt_id, n2, form_fields(wrong.type, wrong_answer(wrong)))
    page = client.get(f"/attempts/{attempt_id}", follow_redirects=True)
    client.post(f"/attempts/{attempt_id}/finish", data={"csrf_token": csrf_token(page)})
    page = text(client.get(f"/attempts/{attempt_id}/results"))
    rows = summary_rows(page)
    assert len(rows) == len(versions)
    assert rows[n1 - 1][2] == "✓ Richtig"
    assert rows[n2 - 1][2] == "✗ Nicht richtig"
    assert rows[n3 - 1][2] == "– Nicht beantwortet"
    # The claim each question belongs to: its kind and the start of its quote.
    with app.test_request_context(headers={"Accept-Language": "de"}):
        claim = db.session.get(QuestionVersion, right.id).question.claim
        kind_word, quote_start = str(kind_label(claim.kind)).split()[0], claim.quote.split()[0]
    assert rows[n1 - 1][3].startswith(kind_word) and quote_start in rows[n1 - 1][3]
    # The overview comes before the first feedback, which is folded in a <details>.
    assert page.index('class="result-summary"') < page.index('class="feedback ')
    assert page.count('<details class="result-item"') == len(versions)
    assert '<details class="result-item" id="q1" open' not in page
    # One answered wrongly, the rest of the scored ones unanswered: two buttons, two counts.
    assert "Die 1 falsch beantwortete Frage wiederholen" in page
    unanswered = len(scored) - 2
    assert f"Die {unanswered} unbeantworteten Fragen üben" in page


def test_repeat_buttons_start_the_wrong_or_the_unanswered_questions(app, client, bank):
    attempt_id = start(client, bank, mode="exam")
    versions = versions_of(app, attempt_id)
    scored = [(n, v) for n, v in enumerate(versions, 1) if v.type != "reflection"]
    n_wrong, wrong = scored[0]
    answer(client, attempt_id, n_wrong, form_fields(wrong.type, wrong_answer(wrong)))
    page = client.get(f"/attempts/{attempt_id}", follow_redirects=True)
    client.post(f"/attempts/{attempt_id}/finish", data={"csrf_token": csrf_token(page)})
    page = client.get(f"/attempts/{attempt_id}/results")
    for which, expected in (("wrong", 1), ("unanswered", len(scored) - 1)):
        retry = client.post(
            f"/attempts/{attempt_id}/retry", data={"csrf_token": csrf_token(page), "which": which}
        )
        new_id = int(retry.headers["Location"].rsplit("/", 1)[1])
        assert len(versions_of(app, new_id)) == expected
        first = text(client.get(f"/attempts/{new_id}/q/1"))
        assert f"Frage 1 von {expected}" in first
        client.post(f"/attempts/{new_id}/finish", data={"csrf_token": csrf_token(page)})


def test_retry_practises_the_wrong_ones(app, client, bank):
    attempt_id = start(client, bank)
    versions = versions_of(app, attempt_id)
    for number, version in enumerate(versions, start=1):
        raw = wrong_answer(version) if version.type == "cloze" else right_answer(version)
        answer(client, attempt_id, number, form_fields(version.type, raw))
    page = client.get(f"/attempts/{attempt_id}/results")
    assert "Die 1 falsch beantwortete Frage wiederholen" in text(page)
    retry = client.post(f"/attempts/{attempt_id}/retry", data={"csrf_token": csrf_token(page)})
    first = client.get(retry.headers["Location"]).headers["Location"]
    assert "Ergänze den Ort." in text(client.get(first))


def test_attempt_resumes_in_a_new_browser_session(app, client, auth, bank):
    auth.register()
    attempt_id = start(client, bank)
    for number, version in enumerate(versions_of(app, attempt_id)[:3], start=1):
        answer(client, attempt_id, number, form_fields(version.type, right_answer(version)))
    browser = app.test_client()  # the browser was closed: no cookies
    page = browser.get("/login")
    browser.post(
        "/login",
        data={
            "csrf_token": csrf_token(page),
            "email": "ada@example.org",
            "password": "correct horse battery",
        },
    )
    page = browser.get(f"/quiz/{bank}")
    assert f'href="/attempts/{attempt_id}"' in text(page)
    resumed = browser.post(
        f"/quiz/{bank}/start", data={"csrf_token": csrf_token(page), "mode": "practice"}
    )
    assert resumed.headers["Location"] == f"/attempts/{attempt_id}"
    assert browser.get(resumed.headers["Location"]).headers["Location"].endswith("/q/4")


def test_guest_attempt_resumes_after_the_browser_was_closed(app, client, bank):
    attempt_id = start(client, bank)
    for number, version in enumerate(versions_of(app, attempt_id)[:2], start=1):
        answer(client, attempt_id, number, form_fields(version.type, right_answer(version)))
    guest = client.get_cookie("quizapp_guest")
    assert guest.expires is not None  # kept on disk when the browser closes, unlike the session
    browser = app.test_client()  # reopened: only the lasting cookie is still there
    browser.set_cookie("quizapp_guest", guest.value)
    page = browser.get(f"/quiz/{bank}")
    assert f'href="/attempts/{attempt_id}"' in text(page)
    assert browser.get(f"/attempts/{attempt_id}").headers["Location"].endswith("/q/3")


def test_attempts_are_private(app, client, auth, bank):
    attempt_id = start(client, bank)  # a guest's attempt
    stranger = app.test_client()
    assert stranger.get(f"/attempts/{attempt_id}").status_code == 404
    assert stranger.get(f"/attempts/{attempt_id}/q/1").status_code == 404
    assert stranger.get(f"/attempts/{attempt_id}/results").status_code == 404
    assert client.get("/attempts/99999999999999999999999").status_code == 404
    assert client.get("/quizzes/99999999999999999999999").status_code == 404


def test_guest_attempt_becomes_the_new_accounts(app, client, auth, bank):
    attempt_id = start(client, bank)
    versions = versions_of(app, attempt_id)
    for number, version in enumerate(versions, start=1):
        answer(client, attempt_id, number, form_fields(version.type, right_answer(version)))
    results = text(client.get(f"/attempts/{attempt_id}/results"))
    assert "Du hast dieses Quiz als Gast gemacht." in results
    # Registering asks to log in (see test_auth); the guest's attempts join at that login.
    auth._register("gast@example.org", "Gast", PASSWORD)
    response = auth.login(email="gast@example.org")
    assert "quizapp_guest=;" in response.headers.get("Set-Cookie", "") or any(
        h.startswith("quizapp_guest=;") for h in response.headers.getlist("Set-Cookie")
    )
    assert "in deinem Konto gespeichert" in text(client.get("/"))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "gast@example.org"))
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.user_id, attempt.guest_token_hash) == (user.id, None)
    page = text(client.get(f"/attempts/{attempt_id}/results"))
    assert "8 von 8 Punkten" in page
    assert "als Gast gemacht" not in page
    assert "Dein Ergebnis in diesem Quiz:" in text(client.get(f"/quiz/{bank}"))


def test_guests_starting_attempts_are_rate_limited(client, bank):
    page = client.get(f"/quiz/{bank}")
    token = csrf_token(page)
    codes = []
    for _ in range(31):
        codes.append(
            client.post(
                f"/quiz/{bank}/start", data={"csrf_token": token, "mode": "exam"}
            ).status_code
        )
    assert codes[:30] == [302] * 30
    assert codes[30] == 429


def test_bank_page_offers_practice_and_exam(client, bank):
    page = text(client.get(f"/quiz/{bank}"))
    assert "9 Fragen" in page
    assert "Üben starten" in page
    assert "insgesamt 9 Minuten" in page
    assert client.get("/quiz/no-such-bank").status_code == 404


def test_quiz_page_shows_rules_and_result(app, client, bank):
    attempt_id = start(client, bank)
    with app.app_context():
        quiz_id = db.session.get(Attempt, attempt_id).quiz_id
    page = text(client.get(f"/quizzes/{quiz_id}"))
    assert "Rückmeldung nach jeder Frage." in page
    assert "Weitermachen, wo du aufgehört hast" in page
