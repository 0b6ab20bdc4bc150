"""Tables as spreadsheets (CSV, xlsx) and their downloads; every cell guarded against formulas.

The one way the app writes a spreadsheet: the live game's results, the class gradebook and
a learner's own answers all go through `csv_text`/`xlsx_bytes` and `download`.
"""

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheets run cells starting with these as formulas (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Rows = Iterable[Sequence[object]]


def defused(text: str) -> str:
    """Return the text, quoted with ' when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(value: object) -> object:
    """Return a value ready for a cell: text defused, lists and dicts as JSON, booleans as
    true/false (tables that show yes/no words them before), numbers and None as they are."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    return defused(value) if isinstance(value, str) else value


def csv_text(rows: Rows, bom: bool = True) -> str:
    """Return rows as CSV text; with `bom`, spreadsheets read the umlauts as UTF-8."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()


def xlsx_bytes(sheets: Mapping[str, Rows]) -> bytes:
    """Return a workbook with one sheet per table (title: rows, header row first, in bold)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        # Sheet names may not contain []:*?/\ (the German plural uses a gender star).
        sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "", str(title))[:31])
        for row in rows:
            sheet.append([cell(value) for value in row])
        for heading in sheet[1]:
            heading.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(body: str | bytes, mimetype: str, filename: str) -> Response:
    """Return a file download named `filename`."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
