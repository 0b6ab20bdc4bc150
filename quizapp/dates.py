"""Dates as people here read them: the learners' time zone and local days and times."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_datetime, format_time, get_locale

# Learners are in German schools: days, streaks and due dates are Berlin's.
TIMEZONE = ZoneInfo("Europe/Berlin")


def aware(moment: datetime) -> datetime:
    """Return a naive-UTC datetime (as stored) as an aware UTC one (aware ones unchanged)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_day(moment: datetime) -> date:
    """Return the day in the learners' time zone of a naive-UTC (or aware) moment."""
    return aware(moment).astimezone(TIMEZONE).date()


def local_datetime(moment: datetime | None, format: str = "medium") -> str:
    """Return a naive-UTC moment in the learners' time zone (Europe/Berlin), for the locale:
    "medium" is the locale's medium date with its short time (27.11.2026, 18:00; no seconds)."""
    if moment is None:
        return ""
    local = aware(moment).astimezone(TIMEZONE).replace(tzinfo=None)
    if format != "medium":
        return format_datetime(local, format, rebase=False)
    pattern = get_locale().datetime_formats["medium"]
    return pattern.format(
        format_time(local, "short", rebase=False), format_date(local.date(), "medium")
    )


def local_date(moment: datetime | None, format: str = "medium") -> str:
    """Return the day in the learners' time zone of a naive-UTC moment, for the locale."""
    return format_date(local_day(moment), format) if moment else ""
