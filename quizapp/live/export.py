"""Results of a live game as CSV and xlsx: one line per player, per question, per answer."""

from flask_babel import gettext as _

from quizapp import grading
from quizapp.models import QuestionVersion
from quizapp.presenting import answer_lines
from quizapp.spreadsheets import csv_text, xlsx_bytes


def _yes_no(value: bool) -> str:
    """A yes/no column in words."""
    return _("yes") if value else _("no")


def _answer_text(version: QuestionVersion, answer: grading.Answer) -> str:
    """The answer as the player saw it (option texts, not ids), as on the results page."""
    result = grading.grade(version.type, version.payload, answer)
    return "; ".join(line.text for line in answer_lines(version, answer, result))


def tables(results: dict) -> dict[str, list[list]]:
    """Return the three result tables (header row first): players, questions, answers."""
    count = len(results["questions"])
    players = [
        [_("Rank"), _("Nickname"), _("Total points"), _("Correct"), _("Account")]
        + [_("Q%(n)s points", n=i + 1) for i in range(count)]
    ]
    for row in results["players"]:
        answers = row["answers"]
        players.append(
            [row["rank"], row["nickname"], row["score"], row["correct"], _yes_no(row["account"])]
            + [answers[i].points if i in answers else "" for i in range(count)]
        )
    questions = [[_("No."), _("Question"), _("Type"), _("Answered"), _("Correct"), _("Mean ms")]]
    for q in results["questions"]:
        questions.append(
            [q["index"] + 1, q["prompt"], q["type"], q["answered"], q["correct"], q["mean_ms"]]
        )
    answers = [
        [
            _("Nickname"),
            _("No."),
            _("Answer"),
            _("Grade"),
            _("Correct"),
            _("ms"),
            _("Points (streak bonus included)"),
            _("Streak bonus"),
        ]
    ]
    for a in results["answers"]:
        answers.append(
            [
                results["nicknames"][a.player_id],
                a.question_index + 1,
                _answer_text(results["versions"][a.question_index], a.answer),
                round(a.score, 3),
                _yes_no(a.correct),
                a.elapsed_ms,
                a.points,
                a.bonus,
            ]
        )
    return {"players": players, "questions": questions, "answers": answers}


def to_csv(results: dict, table: str) -> str:
    """Return one table as CSV text."""
    return csv_text(tables(results)[table])


def to_xlsx(results: dict) -> bytes:
    """Return a workbook with the three tables as sheets."""
    titles = {"players": _("Players"), "questions": _("Questions"), "answers": _("Answers")}
    return xlsx_bytes({titles[name]: rows for name, rows in tables(results).items()})
