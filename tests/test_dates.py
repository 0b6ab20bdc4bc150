"""Dates as pupils read them: Berlin time, the locale's format, no seconds."""

from datetime import datetime

import pytest

from quizapp.dates import local_datetime


@pytest.mark.parametrize(
    "language, shown",
    [("de", "27.11.2026, 18:00"), ("en", "Nov 27, 2026, 6:00\u202fPM")],
)
def test_due_dates_read_without_seconds(app, language, shown):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert local_datetime(datetime(2026, 11, 27, 17, 0)) == shown


def test_quiz_page_shows_the_due_date_without_seconds(app, client):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert local_datetime(datetime(2026, 6, 1, 16, 0, 59)).endswith("18:00")
