"""The geometry of the score-history chart; the template draws it as SVG on the server."""

from dataclasses import dataclass, field
from datetime import datetime

from quizapp.services.progress import Series

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 100, 16, 16, 48
# Colours and dash patterns cycle after this many series (see progress.css).
STYLES = 6


@dataclass
class Point:
    """One attempt, placed in the chart."""

    x: float
    y: float
    percent: int
    finished_at: datetime


@dataclass
class Line:
    """One bank's attempts as a polyline with markers."""

    style: int
    title: str | None
    path: str
    points: list[Point] = field(default_factory=list)


@dataclass
class Chart:
    """Everything the SVG template needs, in user units of its viewBox."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, datetime]]
    lines: list[Line]


def build_chart(history: list[Series]) -> Chart:
    """Place each series' attempts by time (x) and percentage (y)."""
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    moments = [p.finished_at for s in history for p in s.points]
    start, end = (min(moments), max(moments)) if moments else (None, None)
    span = (end - start).total_seconds() if moments else 0

    def x_of(moment: datetime) -> float:
        """Map a time to x; a single moment sits in the middle."""
        if not span:
            return round((LEFT + right) / 2, 1)
        return round(LEFT + (moment - start).total_seconds() / span * (right - LEFT), 1)

    def y_of(percent: float) -> float:
        """Map 0..100 % to y (100 % at the top)."""
        return round(bottom - max(0.0, min(percent, 100.0)) / 100 * (bottom - TOP), 1)

    lines = []
    for index, series in enumerate(history):
        points = [
            Point(x_of(p.finished_at), y_of(p.percent), round(p.percent), p.finished_at)
            for p in series.points
        ]
        path = " ".join(
            f"{'M' if n == 0 else 'L'}{point.x},{point.y}" for n, point in enumerate(points)
        )
        lines.append(Line(index % STYLES, series.title, path, points))
    x_ticks = []
    if moments:
        x_ticks.append((x_of(start), start))
        if span:
            x_ticks.append((x_of(end), end))
    y_ticks = [(y_of(value), value) for value in (0, 25, 50, 75, 100)]
    return Chart(WIDTH, HEIGHT, LEFT, right, TOP, bottom, y_ticks, x_ticks, lines)
