"""Results of a live game as CSV and xlsx: one line per player, per question, per answer."""

import csv
import io
import json
import re

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from quizapp import grading
from quizapp.presenting import answer_lines
from quizapp.spreadsheets import defused


def cell(value):
    """Make a value safe and readable in a spreadsheet cell."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    return defused(value) if isinstance(value, str) else value


def _answer_text(version, answer) -> str:
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
            [row["rank"], row["nickname"], row["score"], row["correct"], row["account"]]
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
            _("Points"),
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
                a.correct,
                a.elapsed_ms,
                a.points,
                a.bonus,
            ]
        )
    return {"players": players, "questions": questions, "answers": answers}


def to_csv(results: dict, table: str) -> str:
    """Return one table as CSV text (UTF-8 with BOM, so spreadsheets read the umlauts)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in tables(results)[table]:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def to_xlsx(results: dict) -> bytes:
    """Return a workbook with the three tables as sheets."""
    book = Workbook()
    book.remove(book.active)
    titles = {"players": _("Players"), "questions": _("Questions"), "answers": _("Answers")}
    for name, rows in tables(results).items():
        # Sheet names may not contain []:*?/\ (the German plural uses a gender star).
        sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "", str(titles[name]))[:31])
        for row in rows:
            sheet.append([cell(v) for v in row])
        for heading in sheet[1]:
            heading.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
