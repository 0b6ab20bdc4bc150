"""Live game pages: join, host controls, projector, player, event stream, results.

Views stay thin: they find the game and who is asking (host by login, player by
the token cookie), call quizapp.services.live, and render or redirect.
"""

import os
import threading
import time

import segno
from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from quizapp.access import ADMIN, PUBLIC, TEACHER, everyone, expect
from quizapp.errors import ServiceError
from quizapp.extensions import csrf, db, limiter, unlimited
from quizapp.live import bp, export
from quizapp.live.forms import HostForm, NicknameForm, PinForm
from quizapp.live.messages import message
from quizapp.models import Bank, LiveSession, Player
from quizapp.security import from_this_site, role_required
from quizapp.services import live as game
from quizapp.services.live.events import event_position, sse_stream
from quizapp.services.live.scoring import formula_text
from quizapp.spreadsheets import CSV, XLSX, download

COOKIE_MAX_AGE = 24 * 3600


def _cookie_name(session_id: int) -> str:
    """Name of the cookie holding a player's token for one game."""
    return f"quizapp_live_{session_id}"


def _join_limit() -> str:
    """The per-address rate limit of joins (a class behind one NAT address joins at once)."""
    return current_app.config["LIVE_JOIN_LIMIT"]


def _pin_limit() -> str:
    """The per-address rate limit of PIN tries."""
    return current_app.config["LIVE_PIN_LIMIT"]


def _wants_json() -> bool:
    """Whether the caller is our script (fetch) rather than a plain form."""
    return request.is_json or request.accept_mimetypes.best == "application/json"


@bp.after_request
def _worker_header(response):
    """Name the serving process when asked to (multi-process tests and the benchmark)."""
    if os.environ.get("QUIZAPP_WORKER_HEADER") == "1":
        response.headers["X-Worker"] = str(os.getpid())
    return response


def _game(session_id: int) -> LiveSession:
    """Return the game or 404."""
    return db.session.get(LiveSession, session_id) or abort(404)


def _is_host(live: LiveSession) -> bool:
    """Whether the logged-in user hosts this game (admins may host every game)."""
    return current_user.is_authenticated and (
        current_user.id == live.host_id or current_user.has_role("admin")
    )


def _hosted_game(session_id: int) -> LiveSession:
    """Return the game if the current user hosts it; else log in first or 403."""
    live = _game(session_id)
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    if not _is_host(live):
        abort(403)
    return live


def _player(live: LiveSession) -> Player | None:
    """Return this browser's player in the game (kicked ones too), by the cookie token."""
    return game.player_by_token(live.id, request.cookies.get(_cookie_name(live.id)))


def _join_url(live: LiveSession) -> str:
    """Return the link the QR code carries (PUBLIC_URL when set, else this host)."""
    path = url_for("live.join_game", pin=live.pin)
    base = current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/")
    return base + path


def qr_svg(url: str) -> str:
    """Return a link as the projector's inline SVG QR code (no scripts, no style attributes).

    The one place of the code's options; tests build the expected code with it too.
    Needs a request (the title is translated).
    """
    title = _("QR code: join the game")
    return segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, title=title, svgclass="qr", lineclass="qr-line"
    )


def _language() -> str:
    """Return the interface language, for generated nicknames."""
    return str(get_locale() or "de")


CATEGORY_LABELS = {
    "fact": _l("Fact"),
    "opinion": _l("Opinion"),
    "claim": _l("Claim"),
    "quote": _l("Quote"),
    "prediction": _l("Prediction"),
}


def _plural(one: str, other: str) -> dict:
    """Return both forms of a count for live.js, which picks by {n} (one for 1, other else)."""
    return {"one": one, "other": other}


def js_strings() -> dict:
    """Return the translated words live.js puts on screen (placeholders in {braces})."""
    strings = {
        "question_of": _("Question {n} of {count}"),
        "get_ready": _("Get ready: the answers appear in a moment."),
        "seconds_left": _("{s} s left"),
        "answered_of": _("Answers: {n} of {total}"),
        "answer_received": _("Answer received. Wait for the result."),
        "send": _("Send answer"),
        "number": _("Your answer (a number)"),
        "number_hint": _("Answer with a number"),
        "choose_all": _("Choose every right option, then send."),
        "true": _("True"),
        "false": _("False"),
        "right": _("Correct!"),
        "partly": _("Partly correct"),
        "wrong": _("Not correct"),
        "none": _("No answer"),
        "points": _plural(
            ngettext("+{n} point", "+{n} points", 1), ngettext("+{n} point", "+{n} points", 2)
        ),
        "streak": _("Streak: {n} in a row"),
        "right_answer": _("Right answer:"),
        "explanation": _("Explanation"),
        "from_article": _("From the article"),
        "no_source": _("This question has no source."),
        "source": _("Source"),
        "leaderboard": _("Leaderboard"),
        "podium": _("Podium"),
        "your_place": _("Your place: {rank} of {players}"),
        "points_total": _plural(
            ngettext("{n} point", "{n} points", 1), ngettext("{n} point", "{n} points", 2)
        ),
        "paused": _("Paused: the time is stopped."),
        "removed": _("You were removed from this game."),
        "reconnecting": _("Connection lost. Reconnecting …"),
        "tolerance": _("(± {t})"),
        "answers": _plural(
            ngettext("{n} answer", "{n} answers", 1), ngettext("{n} answer", "{n} answers", 2)
        ),
        "of_players": _plural(
            ngettext("{n} player", "{n} players", 1), ngettext("{n} player", "{n} players", 2)
        ),
        "right_count": _("right"),
        "wrong_count": _("wrong"),
        "game_over": _("The game is over. Thank you for playing!"),
        "closed_idle": _("This game was closed: nobody played it for 12 hours."),
        "correct_mark": _("✓ correct"),
    }
    strings.update({k: str(v) for k, v in CATEGORY_LABELS.items()})
    return strings


PHASE_LABELS = {
    "lobby": _l("Lobby"),
    "question": _l("Question"),
    "reveal": _l("Answer shown"),
    "leaderboard": _l("Leaderboard"),
    "podium": _l("Finished"),
}


@bp.context_processor
def _template_helpers() -> dict:
    """Labels the live templates share."""
    return {
        "live_strings": js_strings,
        "category_labels": CATEGORY_LABELS,
        "phase_labels": PHASE_LABELS,
    }


# --- joining ---------------------------------------------------------------------------------


@bp.route("/join", methods=["GET", "POST"])
@expect("GET", PUBLIC)
@expect("POST", everyone(400))
@limiter.limit(_pin_limit, methods=["POST"])
def join():
    """Step one: enter the game PIN (the QR code skips this step)."""
    form = PinForm()
    if request.method == "GET" and request.args.get("pin"):
        form.pin.data = request.args["pin"].strip()
    if form.validate_on_submit():
        game.close_idle_games(game.clock())
        live = game.find_open(form.pin.data)
        if live is not None:
            return redirect(url_for("live.join_game", pin=live.pin))
        form.pin.errors.append(_no_game_message(form.pin.data))
    status = 400 if form.errors else 200
    return render_template("live/join.html", form=form), status


@bp.route("/join/<pin>", methods=["GET", "POST"])
@expect("GET", PUBLIC, guest=302, learner=302)
@expect("POST", everyone(400, guest=302, learner=302))
@limiter.limit(_join_limit, methods=["POST"])
def join_game(pin: str):
    """Step two: choose a nickname; a returning browser goes straight back to its game."""
    game.close_idle_games(game.clock())
    live = game.find_open(pin)
    if live is None:
        flash(_no_game_message(pin), "error")
        return redirect(url_for("live.join"))
    user_id = current_user.id if current_user.is_authenticated else None
    try:
        if game.returning_player(live, request.cookies.get(_cookie_name(live.id)), user_id):
            return redirect(url_for("live.play", session_id=live.id))
    except ServiceError as error:
        return render_template("live/removed.html", message=message(error)), 403
    form = NicknameForm()
    if request.method == "GET" and request.args.get("suggest"):
        form.nickname.data = game.suggest_nickname(live, _language())
    if form.validate_on_submit():
        try:
            player, token = game.join(
                live, form.nickname.data, game.clock(), user_id=user_id, code=form.code.data
            )
        except ServiceError as error:
            if error.code == "kicked":
                return render_template("live/removed.html", message=message(error)), 403
            field = form.code if error.code == "code" else form.nickname
            field.errors.append(message(error))
        else:
            response = redirect(url_for("live.play", session_id=live.id))
            response.set_cookie(
                _cookie_name(live.id),
                token,
                max_age=COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            )
            return response
    status = 400 if form.errors else 200
    return render_template("live/join_game.html", form=form, live=live), status


def _no_game_message(pin: str) -> str:
    """Say why this PIN joins nothing: its game is over, or there is no such game."""
    ended = game.ended_with_pin(pin)
    if ended is None:
        return _("No open game has this PIN. Check the number on the screen.")
    last = game.current_event(ended)
    if last is not None and last.data.get("idle"):
        return _("This game was closed: nobody played it for 12 hours. It cannot be joined.")
    return _("This game is over and cannot be joined any more.")


# --- playing ---------------------------------------------------------------------------------


@bp.route("/live/<int:session_id>/play")
@expect("GET", everyone(302, guest=200, learner=200))
def play(session_id: int):
    """The player's phone view; works without JavaScript (reload and plain forms)."""
    live = _game(session_id)
    player = _player(live)
    if player is None:
        if live.open_pin:
            return redirect(url_for("live.join_game", pin=live.pin))
        abort(404)
    if player.kicked:
        return render_template("live/removed.html"), 403
    g.no_store = True
    state = game.snapshot(live, game.clock(), player)
    rules = formula_text(live.scoring, live.base_points, live.time_limit_s, live.streak_bonus)
    return render_template("live/play.html", live=live, state=state, rules=rules, player=player)


@bp.route("/live/<int:session_id>/answer", methods=["POST"])
@expect("POST", everyone(302))
@unlimited
@csrf.exempt
def answer(session_id: int):
    """Record the player's answer; the score is shown at the reveal, not now."""
    # The busiest request of a game: the service finds the player by the token itself, and
    # no rate limit applies (one answer per question is the service's rule), so the limiter
    # is not asked either. Instead of a CSRF token (two signed cookies' checks per answer),
    # the browser's word that one of our pages sent it (see from_this_site).
    if not from_this_site():
        return _answer_refused(session_id, ServiceError("other_site"))
    token = request.cookies.get(_cookie_name(session_id))
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            message = _("Send a JSON object with the question's index and your answer.")
            return jsonify(ok=False, code="bad_body", message=message), 400
        index, raw = body.get("index"), body.get("answer")
    else:
        index = request.form.get("index")
        values = request.form.getlist("answer")
        raw = values if request.form.get("multi") else (values[0] if values else None)
    index = question_index(index)
    if index is None:
        return _answer_refused(session_id, ServiceError("closed"))
    try:
        game.submit_answer(session_id, token, index, raw, game.clock())
    except ServiceError as error:
        return _answer_refused(session_id, error)
    if _wants_json():
        # The phone's script words it itself: no translation on the busiest reply of a game.
        return jsonify(ok=True)
    flash(_("Answer received. Wait for the result."))
    return redirect(url_for("live.play", session_id=session_id))


def question_index(value) -> int | None:
    """Return a question index sent as a JSON integer or a form's ASCII digits, else None
    (true, 0.5, "²" and numbers beyond any game name no question)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 6:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**6:
        return value
    return None


def _answer_refused(session_id: int, error: ServiceError):
    """Say why an answer was refused, as JSON for the script or a message on the page."""
    text = message(error)
    forbidden = error.code in ("unknown", "kicked", "other_site")
    if _wants_json():
        # Not the error page: a JSON answer's request has no session to render it with.
        status = 403 if forbidden else 422 if error.code == "invalid" else 409
        return jsonify(ok=False, code=error.code, message=text), status
    if forbidden:
        abort(403)
    flash(text, "error")
    return redirect(url_for("live.play", session_id=session_id))


@bp.route("/live/<int:session_id>/state")
@expect("GET", PUBLIC, anonymous=403, other_learner=403, other_teacher=403)
def state(session_id: int):
    """The game's current state as this client may see it (JSON, for resyncs)."""
    live = _game(session_id)
    g.no_store = True
    if _is_host(live):
        return jsonify(game.snapshot(live, game.clock()))
    player = _player(live)
    if player is None or player.kicked:
        abort(403)
    return jsonify(game.snapshot(live, game.clock(), player))


@bp.route("/live/<int:session_id>/events")
@expect("GET", PUBLIC, anonymous=403, other_learner=403, other_teacher=403)
@unlimited
def events(session_id: int):
    """Server-sent events: catch up after Last-Event-ID, then live events and heartbeats."""
    live = _game(session_id)
    if _is_host(live):
        audience, player_id = "host", None
    else:
        player = _player(live)
        if player is None or player.kicked:
            abort(403)
        audience, player_id = "all", player.id
    # Read everything the client sent before subscribing: a bad value ends nothing half-done.
    after = event_position(request.headers.get("Last-Event-ID") or request.args.get("after"))
    finished = live.state == "podium"
    secret = live.two_step_secret
    app = current_app._get_current_object()
    sub = game.broker().subscribe(live.id, audience)
    try:
        # Subscribed first, then read the log: nothing falls between the two.
        backlog = game.events_after(live.id, after)
        # A stream holds no database connection while it waits.
        db.session.remove()
        if finished and not backlog:
            sub.close()
            return Response(status=204)  # EventSource stops reconnecting

        def fill_gap(low: int, high: int):
            return _missing_events(app, session_id, secret, low, high)

        stream = sse_stream(
            sub,
            backlog,
            after,
            personalise=lambda event: game.view_for(event, player_id),
            render=lambda event: game.sse_for(event, player_id),
            fill_gap=fill_gap,
            heartbeat_s=app.config["LIVE_HEARTBEAT_S"],
        )
        response = Response(stream, mimetype="text/event-stream")
        # A stream that never started (the client left at once) has no `finally` to run.
        response.call_on_close(sub.close)
    except BaseException:
        sub.close()
        raise
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


_gaps: dict[tuple, tuple[float, list]] = {}
_gaps_lock = threading.Lock()


def _missing_events(app, session_id: int, secret: str, low: int, high: int) -> list:
    """Return logged events between two a stream received (pub/sub may reorder them).

    Every stream of the process misses the same range at once: one query serves them
    all (the lock makes the others wait for it), so a gap never floods the pool.
    """
    key = (session_id, secret, low, high)
    with _gaps_lock:
        now = time.monotonic()
        found = _gaps.get(key)
        if found is not None and now - found[0] < 10:
            return found[1]
        with app.app_context():
            try:
                events = game.events_after(session_id, low, high)
            finally:
                db.session.remove()
        for old in [k for k, (at, _) in _gaps.items() if now - at >= 10]:
            del _gaps[old]
        _gaps[key] = (now, events)
        return events


# --- hosting ---------------------------------------------------------------------------------


@bp.route("/live/host", methods=["GET", "POST"])
@expect("GET", TEACHER)
@expect("POST", TEACHER, teacher=400, other_teacher=400, admin=400)
@role_required("teacher")
def host_index():
    """Pick a bank and the rules, and start a game."""
    game.close_idle_games(game.clock())
    banks = game.bank_overview()
    form = HostForm()
    form.bank.choices = [SelectChoice(b["bank"].id, b["bank"].title) for b in banks if b["usable"]]
    if form.validate_on_submit():
        bank = db.session.get(Bank, form.bank.data) or abort(404)
        rules = game.GameRules(
            count=form.count.data,
            shuffle=form.shuffle.data,
            scoring=form.scoring.data,
            streak_bonus=form.streak_bonus.data,
            time_limit_s=form.time_limit_s.data,
            preview_s=form.preview_s.data,
            two_step=form.two_step.data,
            max_players=form.max_players.data,
        )
        try:
            live = game.create_session(current_user, bank, rules, game.clock())
        except ServiceError as error:
            form.bank.errors.append(message(error))
        else:
            return redirect(url_for("live.host_game", session_id=live.id))
    recent = game.hosted_by(current_user)
    status = 400 if form.errors else 200
    return render_template("live/host_index.html", form=form, banks=banks, recent=recent), status


@bp.route("/live/<int:session_id>/host")
@expect("GET", TEACHER, other_teacher=403)
def host_game(session_id: int):
    """The host's controls: PIN, players (kick, lock), start/next/skip/pause/end, results."""
    live = _hosted_game(session_id)
    g.no_store = True
    now = game.clock()
    state = game.snapshot(live, now)
    return render_template(
        "live/host.html",
        live=live,
        state=state,
        players=game.players(live),
        join_url=_join_url(live),
        code=game.two_step_code(live, now) if live.two_step else None,
    )


@bp.route("/live/<int:session_id>/screen")
@expect("GET", TEACHER, other_teacher=403)
def screen(session_id: int):
    """The projector: PIN and QR, the question and countdown, distribution, leaderboard."""
    live = _hosted_game(session_id)
    g.no_store = True
    now = game.clock()
    state = game.snapshot(live, now)
    join_url = _join_url(live)
    join_page = (current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/")) + url_for(
        "live.join"
    )
    rules = formula_text(live.scoring, live.base_points, live.time_limit_s, live.streak_bonus)
    return render_template(
        "live/screen.html",
        live=live,
        state=state,
        players=[p for p in game.players(live) if not p.kicked],
        join_url=join_url,
        join_page=join_page.split("://", 1)[-1],
        qr=qr_svg(join_url),
        code=game.two_step_code(live, now) if live.two_step else None,
        rules=rules,
    )


ACTIONS = ("next", "skip", "pause", "resume", "end", "lock", "unlock")


@bp.route("/live/<int:session_id>/control", methods=["POST"])
@expect("POST", ADMIN, teacher=400, admin=400)
def control(session_id: int):
    """Run one host action; `seq` says which state the host saw, so double clicks do nothing."""
    live = _hosted_game(session_id)
    action = request.form.get("action", "")
    if action not in ACTIONS:
        abort(400)
    seen = request.form.get("seq", "")
    seen_seq = event_position(seen) if seen.isascii() and seen.isdigit() else -1
    now = game.clock()
    try:
        if action == "next":
            game.next_step(live.id, seen_seq, now)
        elif action == "skip":
            game.skip(live.id, seen_seq, now)
        elif action == "pause":
            game.pause(live.id, now)
        elif action == "resume":
            game.resume(live.id, now)
        elif action == "end":
            game.end(live.id, now)
        else:
            game.set_locked(live.id, action == "lock")
    except ServiceError as error:
        if _wants_json():
            return jsonify(ok=False, message=message(error)), 409
        flash(message(error), "error")
    if _wants_json():
        return jsonify(ok=True, state=game.snapshot(_game(session_id), game.clock()))
    back = request.form.get("back")
    endpoint = "live.screen" if back == "screen" else "live.host_game"
    return redirect(url_for(endpoint, session_id=live.id))


@bp.route("/live/<int:session_id>/players/<int:player_id>/kick", methods=["POST"])
@expect("POST", ADMIN, teacher=302, admin=302)
def kick(session_id: int, player_id: int):
    """Remove a player for good."""
    live = _hosted_game(session_id)
    try:
        event = game.kick(live.id, player_id, game.clock())
    except ServiceError as error:
        flash(message(error), "error")
    else:
        if event is not None and live.locked:
            flash(_("%(name)s was removed and cannot rejoin.", name=event.data["nickname"]))
        elif event is not None:
            # Guests are known by their cookie only (see game.removed_account).
            flash(
                _(
                    "%(name)s was removed. Lock the game to keep out newcomers too: "
                    "from another browser they could join under another name.",
                    name=event.data["nickname"],
                )
            )
    return redirect(url_for("live.host_game", session_id=live.id))


@bp.route("/live/<int:session_id>/tick", methods=["POST"])
@expect("POST", TEACHER, other_teacher=403)
def tick(session_id: int):
    """The projector's nudge at the deadline: close the question if its time is up."""
    live = _hosted_game(session_id)
    game.expire_if_due(live, game.clock())
    return jsonify(ok=True, seq=live.last_seq, phase=live.state)


@bp.route("/live/<int:session_id>/code")
@expect("GET", ADMIN, teacher=404, admin=404)
def code(session_id: int):
    """The current two-step code for the projector (it changes every 10 seconds)."""
    live = _hosted_game(session_id)
    g.no_store = True
    if not live.two_step:
        abort(404)
    return jsonify(code=game.two_step_code(live, game.clock()))


# --- results ---------------------------------------------------------------------------------


@bp.route("/live/<int:session_id>/results")
@expect("GET", TEACHER, other_teacher=403)
def results(session_id: int):
    """Every player's and every question's results, kept with the game."""
    live = _hosted_game(session_id)
    return render_template("live/results.html", live=live, results=game.results(live))


@bp.route("/live/<int:session_id>/results.csv")
@expect("GET", TEACHER, other_teacher=403)
def results_csv(session_id: int):
    """One results table as CSV: ?table=players (default), questions or answers."""
    live = _hosted_game(session_id)
    table = request.args.get("table", "players")
    if table not in ("players", "questions", "answers"):
        abort(404)
    body = export.to_csv(game.results(live), table)
    return download(body, CSV, f"live-{live.pin}-{table}.csv")


@bp.route("/live/<int:session_id>/results.xlsx")
@expect("GET", TEACHER, other_teacher=403)
def results_xlsx(session_id: int):
    """All results tables as one workbook."""
    live = _hosted_game(session_id)
    return download(export.to_xlsx(game.results(live)), XLSX, f"live-{live.pin}.xlsx")
