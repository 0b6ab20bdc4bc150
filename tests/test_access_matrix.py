"""The access matrix: every route × method × identity gets the status its view declares.

Generated from the URL map: a route whose view has no declaration (quizapp/access.py,
`@expect(...)` next to the route) fails here, so a new route cannot be added without saying
who may use it. After any request that changed something (a POST that was not refused) the
world is built afresh, so a delete by one identity does not change what the next one sees.
"""

import json
import os
import re
from dataclasses import dataclass

from sqlalchemy import delete, select, text, update

from quizapp import access
from quizapp.extensions import db, limiter
from quizapp.models import Claim, DraftProposal, Question, User
from quizapp.security import hash_password
from quizapp.services import attempts, classes, live
from tests.factories import make_bank, make_quiz

_HASH = hash_password("correct horse battery")


@dataclass
class World:
    """The things the URL's ids name, and a browser per identity."""

    ids: dict
    clients: dict


def _reset(restart_ids: bool = False) -> None:
    """Empty every table and the rate limits; with `restart_ids` ids start at 1 again
    (TRUNCATE on PostgreSQL, slower than deleting the few rows)."""
    db.session.remove()
    if restart_ids and db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # question <-> question_version point at each other: cut that link first.
        db.session.execute(update(Question).values(current_version_id=None))
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
    db.session.commit()
    limiter.reset()


def _user(email: str, role: str) -> User:
    user = User(email=email, display_name=email.split("@")[0], password_hash=_HASH, role=role)
    db.session.add(user)
    db.session.commit()
    return user


def _draft(bank) -> DraftProposal:
    """A pending draft question (true or false) in the bank's review queue."""
    claim = db.session.scalars(select(Claim).where(Claim.article_id == bank.article_id)).first()
    draft = DraftProposal(
        bank_id=bank.id,
        article_id=bank.article_id,
        key="wahrfalsch-welt",
        kind=claim.kind,
        sentence=claim.quote,
        start=claim.start,
        end=claim.end,
        reason="Satz mit einem geänderten Wort",
        claim={"key": claim.key, "kind": claim.kind, "quote": claim.quote}
        | {"start": claim.start, "end": claim.end},
        question={
            "key": "wahrfalsch-welt",
            "claim": claim.key,
            "type": "true_false",
            "asks": "text",
            "status": "draft",
            "difficulty": 1,
            "tags": ["entwurf"],
            "prompt": "Steht das so im Artikel?",
            "explanation": "Im Artikel steht es anders.",
            "statement": "Eine geänderte Aussage.",
            "solution": False,
        },
        position=1,
    )
    db.session.add(draft)
    db.session.commit()
    return draft


def build_world(app) -> World:
    """Two learners, two teachers, an admin; a class, its quiz, an attempt and a live game."""
    with app.app_context():
        _reset()
        users = {
            "learner": _user("lea@example.org", "learner"),
            "other_learner": _user("ole@example.org", "learner"),
            "teacher": _user("tea@example.org", "teacher"),
            "other_teacher": _user("otto@example.org", "teacher"),
            "admin": _user("adam@example.org", "admin"),
        }
        bank = make_bank(types=["single_choice", "true_false", "numeric"])
        school_class = classes.create_class(users["teacher"], "Klasse 9b")
        classes.join_class(users["learner"], school_class.join_code)
        quiz = make_quiz(
            bank, mode="practice", class_id=school_class.id, created_by_id=users["teacher"].id
        )
        attempt = attempts.start_attempt(quiz, attempts.Owner.account(users["learner"]))
        guest_token = "guest-token-for-the-access-matrix"
        attempts.start_attempt(
            attempts.quiz_for_bank(bank, "practice"), attempts.Owner.guest(guest_token)
        )
        game = live.create_session(users["teacher"], bank, live.GameRules(), live.clock())
        player, learner_token = live.join(game, "Lea", live.clock(), user_id=users["learner"].id)
        _guest_player, guest_player_token = live.join(game, "Gast", live.clock())
        draft = _draft(bank)
        ids = {
            "draft_id": draft.id,
            "user_id": users["learner"].id,
            "class_id": school_class.id,
            "quiz_id": quiz.id,
            "attempt_id": attempt.id,
            "number": 1,
            "session_id": game.id,
            "player_id": player.id,
            "pin": game.pin,
            "bank_slug": bank.slug,
            "article_slug": bank.article.slug,
            "code": "en",
            "token": "no-such-setup-token",
            "filename": "css/app.css",
            "fmt": "csv",
            "question_id": bank.questions[0].id,
            "qtype": "single_choice",
            "action": "publish",
            "image_id": 1,
        }
        sessions = {name: user.get_id() for name, user in users.items()}
        cookie = f"quizapp_live_{game.id}"
    clients = {}
    for identity in access.IDENTITIES:
        client = app.test_client()
        if identity in sessions:
            with client.session_transaction() as session:
                session["_user_id"] = sessions[identity]
                session["_fresh"] = True
        if identity == "guest":
            client.set_cookie("quizapp_guest", guest_token)
            client.set_cookie(cookie, guest_player_token)
        if identity == "learner":
            client.set_cookie(cookie, learner_token)
        clients[identity] = client
    return World(ids, clients)


# Which of the world's values fills a URL parameter (by the parameter's name).
PARAMETERS = {
    "user_id": "user_id",
    "class_id": "class_id",
    "quiz_id": "quiz_id",
    "attempt_id": "attempt_id",
    "number": "number",
    "session_id": "session_id",
    "player_id": "player_id",
    "pin": "pin",
    "code": "code",
    "token": "token",
    "filename": "filename",
    "bank": "bank_slug",
    "draft_id": "draft_id",
    "fmt": "fmt",
    "question_id": "question_id",
    "qtype": "qtype",
    "action": "action",
    "image_id": "image_id",
}
# `slug` names a bank, except on the article pages.
SLUGS = {
    "content.article": "article_slug",
    "drafts.article": "article_slug",
    "author.new_claim": "article_slug",
}
# Query strings a route needs to show its page at all (the world's value by name).
QUERIES = {"learn.new_quiz": ("bank", "bank_slug")}


def _path(rule, ids: dict) -> str:
    values = {}
    for name in rule.arguments:
        if name == "slug":
            values[name] = ids[SLUGS.get(rule.endpoint, "bank_slug")]
            continue
        assert name in PARAMETERS, (
            f"{rule.rule}: no test value for the URL parameter <{name}>; add it to "
            "PARAMETERS in tests/test_access_matrix.py"
        )
        values[name] = ids[PARAMETERS[name]]
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
    if rule.endpoint in QUERIES:
        name, key = QUERIES[rule.endpoint]
        path += f"?{name}={ids[key]}"
    return path


def _routes(app) -> list[tuple]:
    """Every (rule, method, declaration) of the URL map; a missing declaration is None."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        view = app.view_functions[rule.endpoint]
        declarations = access.FLASK_ROUTES.get(rule.endpoint) or access.declared(view)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule, method, declarations.get(method)))
    return found


def _request(app, client, method: str, path: str):
    """Send the request as a browser would: a POST with the session's CSRF token only.
    Rate limits start afresh for each request (tests/test_auth.py and others test them)."""
    with app.app_context():
        limiter.reset()
    if method == "GET":
        return client.get(path)
    if not hasattr(client, "csrf"):
        client.csrf = client.get("/api/v1/csrf").get_json()["csrf_token"]
    return client.open(path, method=method, data={"csrf_token": client.csrf})


def undeclared(app) -> list[str]:
    """Return the routes (method and rule) whose view declares no expected statuses."""
    return [
        f"{method} {rule.rule} ({rule.endpoint})" for rule, method, d in _routes(app) if d is None
    ]


def test_a_new_route_without_a_declaration_is_caught():
    from quizapp import create_app

    other = create_app({"TESTING": True, "SECRET_KEY": "x"})
    other.add_url_rule("/new-thing", "new_thing", lambda: "new", methods=["GET", "POST"])
    assert undeclared(other) == ["GET /new-thing (new_thing)", "POST /new-thing (new_thing)"]


def test_every_route_declares_who_may_use_it(app):
    missing = undeclared(app)
    assert missing == [], (
        "routes without an access declaration; add @expect(...) from quizapp/access.py "
        "next to each: " + ", ".join(missing)
    )
    incomplete = [
        f"{method} {rule.rule}"
        for rule, method, d in _routes(app)
        if d is not None and set(d) != set(access.IDENTITIES)
    ]
    assert incomplete == []


def test_access_matrix(app):
    """Request every route as every identity; compare with the declarations."""
    app.config["LIVE_TIMERS"] = False
    observed, wrong, checked, world = {}, [], 0, None
    try:
        for rule, method, declared in _routes(app):
            if declared is None:
                if not os.environ.get("ACCESS_MATRIX_PRINT"):
                    continue
                declared = access.PUBLIC
            for identity in access.IDENTITIES:
                if world is None:
                    world = build_world(app)
                path = _path(rule, world.ids)
                response = _request(app, world.clients[identity], method, path)
                status = response.status_code
                response.close()
                checked += 1
                observed.setdefault(f"{method} {rule.rule}", {})[identity] = status
                if status != declared[identity]:
                    wrong.append(
                        f"{method} {path} as {identity}: {status}, declared {declared[identity]}"
                    )
                if method != "GET" and status < 400:
                    world = None  # a change went through: start afresh
    finally:
        app.config["LIVE_TIMERS"] = True
        if os.environ.get("ACCESS_MATRIX_PRINT"):
            with open(os.environ["ACCESS_MATRIX_PRINT"], "w") as out:
                json.dump(observed, out, indent=1)
    print(f"access matrix: {checked} requests ({len(observed)} route-methods × identities)")
    assert wrong == []
