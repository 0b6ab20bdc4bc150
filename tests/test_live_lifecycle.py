"""A game's lifecycle: nobody touches it for 12 hours and it closes itself; over is over."""

from datetime import timedelta

import pytest

from quizapp.models import utcnow
from quizapp.services import live as game
from tests.test_live import Clock, join, live_bank, logged_in_host


@pytest.fixture
def host(client, auth, app):
    return logged_in_host(client, auth, app)


@pytest.fixture
def clock(monkeypatch):
    """A clock that starts now: the event log stamps events with the real time."""
    clock = Clock(utcnow())
    monkeypatch.setattr(game, "clock", clock)
    return clock


def flashed(client, response) -> str:
    """The page a redirect leads to, as text."""
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_game_nobody_touched_for_12_hours_closes_itself(app, host, clock):
    start = clock.now
    host.create(live_bank(app), preview_s="0")
    anna = join(app, host.pin, "Anna")
    assert anna.play().status_code == 200
    host.act("next")  # question 1, then everyone leaves
    clock.at(start + game.PIN_LIFETIME - timedelta(minutes=1))
    assert host.state()["phase"] == "reveal"  # its time ran out; the game is still open

    clock.at(start + game.PIN_LIFETIME + timedelta(seconds=1))
    page = anna.play().get_data(as_text=True)
    assert "Dieses Spiel wurde geschlossen" in page
    state = host.state()
    assert state["phase"] == "podium" and state["event"]["data"]["idle"] is True
    # Its PIN joins nothing any more, and the page says why.
    visitor = app.test_client()
    text = flashed(visitor, visitor.get(f"/join/{host.pin}"))
    assert "Dieses Spiel wurde geschlossen: 12 Stunden lang hat niemand gespielt." in text


def test_a_lobby_where_players_keep_joining_stays_open(app, host, clock):
    start = clock.now
    host.create(live_bank(app))
    clock.at(start + timedelta(hours=11))
    join(app, host.pin, "Anna")
    clock.at(start + game.PIN_LIFETIME + timedelta(hours=1))
    assert host.state()["phase"] == "lobby"
    join(app, host.pin, "Ben")
    clock.at(start + timedelta(hours=25, minutes=1))
    # Listing the host's games is enough to close it: no page of the game was opened.
    host.client.get("/live/host")
    with app.app_context():
        assert game.find_open(host.pin) is None


def test_a_finished_game_cannot_be_joined_and_says_so(app, host):
    host.create(live_bank(app))
    pin = host.pin
    host.act("end")
    visitor = app.test_client()
    text = flashed(visitor, visitor.get(f"/join/{pin}"))
    assert "Dieses Spiel ist vorbei; beitreten geht nicht mehr." in text
    page = visitor.get("/join")
    response = visitor.post("/join", data={"csrf_token": _token(page), "pin": pin})
    assert response.status_code == 400
    assert "Dieses Spiel ist vorbei" in response.get_data(as_text=True)


def _token(page) -> str:
    from tests.conftest import csrf_token

    return csrf_token(page)
