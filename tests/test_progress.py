"""The progress page: score history, mastery per claim and tag, streak, and who may see it."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from quizapp.extensions import db
from quizapp.models import (
    Bank,
    LiveAnswer,
    LiveSession,
    Membership,
    Player,
    Question,
    QuestionVersion,
    Quiz,
    SchoolClass,
    User,
)
from quizapp.services import progress, reviews
from quizapp.services.quizzes import published_versions
from tests.factories import add_questions, make_attempt, make_bank, make_quiz

NOW = datetime(2026, 3, 12, 12, 0)


def _versions(bank) -> dict:
    """Return the bank's current versions by question key."""
    return {v.question.key: v for v in published_versions(bank.id)}


def _scripted_history(user_id: int):
    """Three attempts on three days; see the expectations in the tests below."""
    bank = make_bank()
    quiz = make_quiz(bank)
    v = _versions(bank)
    make_attempt(
        user_id,
        quiz,
        [
            (v["rubio"], 1.0),
            (v["five-eyes"], 2 / 3),
            (v["art5-tf"], 0.0),
            (v["ort"], 1.0),
            (v["mitglieder"], 0.0),
            (v["nachdenken"], None),
        ],
        at=datetime(2026, 3, 10, 9, 0),
    )
    make_attempt(
        user_id,
        quiz,
        [(v["rubio"], 0.0), (v["art5-tf"], 0.0), (v["ort"], 1.0)],
        at=datetime(2026, 3, 11, 9, 0),
    )
    make_attempt(
        user_id, quiz, [(v["rubio"], 1.0), (v["mitglieder"], 1.0)], at=datetime(2026, 3, 12, 8, 0)
    )
    return bank


def _live_game(
    user_id: int | None,
    host_id: int,
    bank,
    answers: list[tuple[QuestionVersion, float]],
    at: datetime,
    asked: int | None = None,
    finished: bool = True,
    kicked: bool = False,
) -> LiveSession:
    """Store a live game over the bank in which a player (the learner's account, or a guest
    with user_id None) answered with the given scores, a minute apart from `at`. `asked`
    questions were shown (default: as many as answered); a finished game is at the podium."""
    asked = len(answers) if asked is None else asked
    quiz = Quiz(bank_id=bank.id, title=bank.title, mode="live", created_by_id=host_id)
    db.session.add(quiz)
    db.session.flush()
    end = at + timedelta(minutes=len(answers) + 1)
    game = LiveSession(
        pin=f"{100000 + quiz.id}",
        quiz_id=quiz.id,
        host_id=host_id,
        state="podium" if finished else "question",
        created_at=at,
        finished_at=end if finished else None,
        current_index=asked - 1,
        version_ids=[version.id for version, _ in answers],
    )
    db.session.add(game)
    db.session.flush()
    player = Player(
        session_id=game.id,
        nickname="Ada",
        nickname_key="ada",
        token_hash=f"{game.id:064d}",
        user_id=user_id,
        kicked=kicked,
        joined_at=at,
    )
    db.session.add(player)
    db.session.flush()
    for index, (version, score) in enumerate(answers):
        db.session.add(
            LiveAnswer(
                player_id=player.id,
                session_id=game.id,
                question_index=index,
                version_id=version.id,
                score=score,
                correct=score >= 1,
                answered_at=at + timedelta(minutes=index + 1),
            )
        )
    db.session.commit()
    return game


def test_mastery_per_question_claim_and_tag_from_a_scripted_history(ctx, auth):
    user_id = auth.create_user()
    _scripted_history(user_id)
    stats = {s.key: s for s in progress.question_stats(user_id)}

    # Reflections are unscored: they count for nothing.
    assert set(stats) == {"rubio", "five-eyes", "art5-tf", "ort", "mitglieder"}
    assert (stats["rubio"].answered, stats["rubio"].mistakes, stats["rubio"].latest_score) == (
        3,
        1,
        1.0,
    )
    assert stats["rubio"].level == "known"
    assert stats["five-eyes"].level == "shaky"
    assert (stats["art5-tf"].mistakes, stats["art5-tf"].level) == (2, "wrong")
    assert stats["mitglieder"].level == "known"

    by_claim = {
        m.label[:20]: (m.questions, round(m.score, 3), m.level)
        for m in progress.mastery_by_claim(list(stats.values()))
    }
    # C1: rubio 1, five-eyes 2/3, ort 1, mitglieder 1; C6: art5-tf 0.
    assert by_claim == {
        "keine Verpflichtung ": (1, 0.0, "wrong"),
        "Der US-Außenminister": (4, round((3 + 2 / 3) / 4, 3), "known"),
    }
    by_tag = {m.key: (m.questions, m.level) for m in progress.mastery_by_tag(list(stats.values()))}
    assert by_tag["test"] == (5, "shaky")  # (1 + 2/3 + 0 + 1 + 1) / 5 ≈ 0.73
    assert by_tag["true_false"] == (1, "wrong")
    assert by_tag["single_choice"] == (1, "known")


def test_what_you_keep_getting_wrong_is_two_mistakes_or_the_latest(ctx, auth):
    user_id = auth.create_user()
    _scripted_history(user_id)
    trouble = progress.troublesome(progress.question_stats(user_id))
    # art5-tf: two mistakes; five-eyes: latest only partly right. rubio and mitglieder were
    # wrong once but are right now.
    assert [s.key for s in trouble] == ["art5-tf", "five-eyes"]


def test_live_game_answers_count_for_mastery_and_mistakes(ctx, auth):
    user_id = auth.create_user()
    host = auth.create_user(email="t@example.org", name="T", role="teacher")
    bank = _scripted_history(user_id)
    v = _versions(bank)
    # After the quizzes: art5-tf now right, melken (only ever asked live) wrong.
    _live_game(user_id, host, bank, [(v["art5-tf"], 1.0), (v["melken"], 0.0)], NOW)
    # Before the last quiz answer to rubio (right): a wrong live answer counts as a mistake
    # but is not the latest.
    _live_game(user_id, host, bank, [(v["rubio"], 0.0)], datetime(2026, 3, 11, 20, 0))
    # A guest's answers in a game (no account) belong to no learner.
    _live_game(None, host, bank, [(v["ort"], 0.0)], NOW)

    stats = {s.key: s for s in progress.question_stats(user_id)}
    assert set(stats) == {"rubio", "five-eyes", "art5-tf", "ort", "mitglieder", "melken"}
    assert (stats["art5-tf"].answered, stats["art5-tf"].mistakes) == (3, 2)
    assert (stats["art5-tf"].latest_score, stats["art5-tf"].level) == (1.0, "known")
    assert (stats["melken"].answered, stats["melken"].level) == (1, "wrong")
    assert (stats["rubio"].answered, stats["rubio"].mistakes) == (4, 2)
    assert stats["rubio"].latest_score == 1.0
    assert (stats["ort"].answered, stats["ort"].latest_score) == (2, 1.0)

    by_claim = {
        m.label[:20]: (m.questions, round(m.score, 3), m.level)
        for m in progress.mastery_by_claim(list(stats.values()))
    }
    assert by_claim == {
        "keine Verpflichtung ": (1, 1.0, "known"),  # C6 was wrong before the live game
        "Die NATO ist für Tru": (1, 0.0, "wrong"),  # O1: only the live answer
        "Der US-Außenminister": (4, round((3 + 2 / 3) / 4, 3), "known"),
    }
    by_tag = {m.key: (m.questions, m.level) for m in progress.mastery_by_tag(list(stats.values()))}
    assert by_tag["true_false"] == (1, "known")
    assert by_tag["fact_or_opinion"] == (1, "wrong")
    assert by_tag["test"][0] == 6
    # The live mistake on rubio (its second) makes it troublesome though the latest is right.
    trouble = [s.key for s in progress.troublesome(list(stats.values()))]
    assert trouble == ["rubio", "art5-tf", "melken", "five-eyes"]
    assert [v.question.key for v in progress.mistake_versions(user_id)] == trouble


def test_the_running_live_question_counts_only_after_its_reveal(ctx, auth):
    user_id = auth.create_user()
    host = auth.create_user(email="t@example.org", name="T", role="teacher")
    bank = make_bank()
    v = _versions(bank)
    answers = [(v["rubio"], 1.0), (v["art5-tf"], 0.0)]
    game = _live_game(user_id, host, bank, answers, NOW, finished=False)
    # Question 2 still runs: whether its answer was right stays secret until the reveal.
    assert [s.key for s in progress.question_stats(user_id)] == ["rubio"]
    game.state = "reveal"
    db.session.commit()
    assert [s.key for s in progress.question_stats(user_id)] == ["rubio", "art5-tf"]


def test_score_history_shows_finished_live_games_in_their_bank(ctx, auth):
    user_id = auth.create_user()
    host = auth.create_user(email="t@example.org", name="T", role="teacher")
    other = auth.create_user(email="bob@example.org", name="Bob")
    bank = make_bank()
    v = published_versions(bank.id)
    make_attempt(user_id, make_quiz(bank), [(v[0], 1.0), (v[1], 0.0)], at=NOW)
    # Four questions shown, three answered: (1 + 0.5 + 1) / 4.
    game = _live_game(
        user_id, host, bank, [(v[0], 1.0), (v[1], 0.5), (v[2], 1.0)], NOW + timedelta(1), asked=4
    )
    # No point: a game still running, a game the learner was removed from, another's game.
    _live_game(user_id, host, bank, [(v[0], 1.0)], NOW + timedelta(2), finished=False)
    _live_game(user_id, host, bank, [(v[0], 1.0)], NOW + timedelta(3), kicked=True)
    _live_game(other, host, bank, [(v[0], 1.0)], NOW + timedelta(4))

    [series] = progress.score_history(user_id)
    assert series.bank_id == bank.id
    assert [(p.mode, p.percent) for p in series.points] == [("practice", 50.0), ("live", 62.5)]
    assert (series.points[1].live_id, series.points[1].attempt_id) == (game.id, None)
    assert series.points[1].finished_at == game.finished_at


def test_streak_counts_berlin_days_ending_today_or_yesterday(ctx, auth):
    user_id = auth.create_user()
    bank = make_bank()
    quiz = make_quiz(bank)
    version = published_versions(bank.id)[0]
    # 23:30 UTC on 9 March is 00:30 on 10 March in Berlin.
    for moment in [
        datetime(2026, 3, 1, 10),
        datetime(2026, 3, 2, 10),
        datetime(2026, 3, 3, 10),
        datetime(2026, 3, 4, 10),
        datetime(2026, 3, 9, 23, 30),
        datetime(2026, 3, 11, 9),
        datetime(2026, 3, 12, 8),
    ]:
        make_attempt(user_id, quiz, [(version, 1.0)], at=moment)

    today = progress.streak(user_id, now=NOW)
    assert (today.current, today.longest, today.active_today) == (3, 4, True)
    assert today.days_active == 7
    tomorrow = progress.streak(user_id, now=NOW + timedelta(days=1))
    assert (tomorrow.current, tomorrow.active_today) == (3, False)
    assert progress.streak(user_id, now=NOW + timedelta(days=2)).current == 0


@pytest.mark.parametrize(
    ("days", "current", "longest"),
    [
        ([], 0, 0),
        ([date(2026, 3, 12)], 1, 1),
        ([date(2026, 3, 11)], 1, 1),
        ([date(2026, 3, 10)], 0, 1),
        ([date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)], 3, 3),
        ([date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 12)], 1, 2),
    ],
)
def test_streak_from_days(days, current, longest):
    streak = progress.streak_from_days(set(days), date(2026, 3, 12))
    assert (streak.current, streak.longest) == (current, longest)


def test_score_history_per_bank_in_time_order(ctx, auth):
    user_id = auth.create_user()
    bank = make_bank()
    other = make_bank(slug="second")
    v = published_versions(bank.id)[:2]
    w = published_versions(other.id)[:2]
    make_attempt(user_id, make_quiz(bank), [(v[0], 1.0), (v[1], 0.0)], at=NOW)
    make_attempt(user_id, make_quiz(bank), [(v[0], 1.0), (v[1], 1.0)], at=NOW + timedelta(1))
    make_attempt(user_id, make_quiz(other), [(w[0], 0.0), (w[1], 0.0)], at=NOW)
    make_attempt(user_id, make_quiz(other), [(w[0], 1.0)], at=NOW, finished=False)

    history = progress.score_history(user_id)
    assert [[p.percent for p in s.points] for s in history] == [[50.0, 100.0], [0.0]]
    assert [s.bank_id for s in history] == [bank.id, other.id]


def test_progress_page_shows_chart_table_mastery_streak_and_due(client, auth, app):
    user_id = auth.create_user()
    with app.app_context():
        bank = _scripted_history(user_id)
        question_id = db.session.scalar(select(Question.id).where(Question.key == "art5-tf"))
        reviews.record_review(user_id, question_id, 0.0, 5000, datetime(2026, 1, 1))
        db.session.commit()
        title = bank.title
    auth.login()
    page = client.get("/progress").get_data(as_text=True)
    assert '<svg class="chart-svg"' in page
    assert 'role="img"' in page and 'aria-labelledby="chart-title chart-desc"' in page
    assert page.count("<circle ") == 3
    assert page.count(f"<td>{title}</td>") == 3
    assert "<h1>Mein Fortschritt</h1>" in page
    assert 'id="due-count">1<' in page
    assert "Artikel 5 enthalte keine Beistandspflicht" in page  # what you keep getting wrong
    assert "/me/export.json" in page


def test_progress_page_without_answers_says_so(client, auth):
    auth.create_user()
    auth.login()
    response = client.get("/progress")
    assert response.status_code == 200
    assert "<svg" not in response.get_data(as_text=True)


def test_progress_needs_login(client):
    response = client.get("/progress")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def _class_with(app, teacher_id: int, learner_id: int) -> None:
    """Put the learner in a class of the teacher (the classes UI is another area)."""
    with app.app_context():
        school_class = SchoolClass(name="10b", join_code="JOIN10B", teacher_id=teacher_id)
        db.session.add(school_class)
        db.session.flush()
        db.session.add(Membership(class_id=school_class.id, user_id=learner_id))
        db.session.commit()


def test_another_learners_progress_is_refused(client, auth):
    other = auth.create_user(email="bob@example.org", name="Bob")
    auth.create_user()
    auth.login()
    assert client.get(f"/progress/{other}").status_code == 403


def test_teacher_sees_learners_of_their_classes_only(client, auth, app):
    pupil = auth.create_user(email="pupil@example.org", name="Pupil")
    stranger = auth.create_user(email="stranger@example.org", name="Stranger")
    teacher = auth.create_user(email="t@example.org", name="Teacher", role="teacher")
    colleague = auth.create_user(email="c@example.org", name="Colleague", role="teacher")
    _class_with(app, teacher, pupil)
    _class_with_other_code(app, colleague, stranger)
    auth.login("t@example.org")
    response = client.get(f"/progress/{pupil}")
    assert response.status_code == 200
    assert "Pupil" in response.get_data(as_text=True)
    assert client.get(f"/progress/{stranger}").status_code == 403


def _class_with_other_code(app, teacher_id: int, learner_id: int) -> None:
    """A second class (its own join code)."""
    with app.app_context():
        school_class = SchoolClass(name="9a", join_code="JOIN9A", teacher_id=teacher_id)
        db.session.add(school_class)
        db.session.flush()
        db.session.add(Membership(class_id=school_class.id, user_id=learner_id))
        db.session.commit()


def test_a_teacher_in_a_class_as_member_does_not_see_classmates(client, auth, app):
    teacher = auth.create_user(email="t@example.org", name="Teacher", role="teacher")
    pupil = auth.create_user(email="pupil@example.org", name="Pupil")
    owner = auth.create_user(email="owner@example.org", name="Owner", role="teacher")
    _class_with(app, owner, pupil)
    with app.app_context():
        school_class = db.session.scalar(select(SchoolClass))
        db.session.add(Membership(class_id=school_class.id, user_id=teacher))
        db.session.commit()
    auth.login("t@example.org")
    assert client.get(f"/progress/{pupil}").status_code == 403


def test_admin_sees_everyone(client, auth):
    pupil = auth.create_user(email="pupil@example.org", name="Pupil")
    auth.create_user(email="admin@example.org", name="Admin", role="admin")
    auth.login("admin@example.org")
    assert client.get(f"/progress/{pupil}").status_code == 200
    assert client.get("/progress/9999").status_code == 404


class StatementCounter:
    """Count the SQL statements sent to the database."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self)


def _learner_with_answers(app, auth, email: str, bank, versions, host_id: int) -> None:
    """A learner who answered each version once in a quiz (every third wrong) and once in a
    live game (every fourth wrong), all due for review."""
    user_id = auth.create_user(email=email, name=email)
    with app.app_context():
        quiz = make_quiz(bank)
        answers = [(v, 0.0 if n % 3 == 0 else 1.0) for n, v in enumerate(versions)]
        for start in range(0, len(answers), 10):
            make_attempt(user_id, quiz, answers[start : start + 10], at=NOW + timedelta(start))
        live = [(v, 0.0 if n % 4 == 0 else 1.0) for n, v in enumerate(versions)]
        for start in range(0, len(live), 10):
            at = NOW + timedelta(days=300 + start)
            _live_game(user_id, host_id, bank, live[start : start + 10], at)
        for version, score in answers:
            reviews.record_review(user_id, version.question_id, score, 5000, datetime(2026, 1, 1))
        db.session.commit()


@pytest.mark.parametrize("path", ["/progress", "/review", "/mistakes"])
def test_statement_count_does_not_grow_with_answers(client, auth, app, path):
    host_id = auth.create_user(email="host@example.org", name="Host", role="teacher")
    with app.app_context():
        bank = make_bank()
        bank_id = bank.id
        version_ids = [v.id for v in add_questions(bank, 200)]
    counts = []
    for email, size in [("few@example.org", 20), ("many@example.org", 200)]:
        with app.app_context():
            chosen = [db.session.get(QuestionVersion, i) for i in version_ids[:size]]
            bank = db.session.get(Bank, bank_id)
            _learner_with_answers(app, auth, email, bank, chosen, host_id)
            # The page shows the live games: the history has a point for each.
            history = progress.score_history(
                db.session.scalar(select(User.id).where(User.email == email))
            )
            assert sum(p.mode == "live" for s in history for p in s.points) == size // 10
        auth.login(email)
        client.get(path)  # warm up whatever is cached per process
        with app.app_context(), StatementCounter(db.engine) as counter:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(counter.count)
        auth.logout()
    assert counts[0] == counts[1], counts
    assert counts[0] <= 10, counts


def test_answers_in_live_games_count_for_the_streak(ctx, auth):
    from quizapp.models import LiveAnswer, LiveSession, Player

    user_id = auth.create_user()
    host = auth.create_user(email="t@example.org", name="T", role="teacher")
    bank = make_bank()
    quiz = make_quiz(bank)
    make_attempt(user_id, quiz, [(published_versions(bank.id)[0], 1.0)], at=NOW)
    game = LiveSession(pin="123456", quiz_id=quiz.id, host_id=host)
    db.session.add(game)
    db.session.flush()
    player = Player(
        session_id=game.id, nickname="Ada", nickname_key="ada", token_hash="x" * 64, user_id=user_id
    )
    db.session.add(player)
    db.session.flush()
    db.session.add(
        LiveAnswer(
            player_id=player.id,
            session_id=game.id,
            question_index=0,
            answered_at=NOW - timedelta(days=1),
        )
    )
    db.session.commit()
    assert progress.streak(user_id, now=NOW).current == 2
