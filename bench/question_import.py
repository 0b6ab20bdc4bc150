"""Time importing a 1 MB GIFT file (11,500 single-choice questions) into a bank as drafts.

Prints the median of three runs of reading alone and of the whole import (read, check,
store, commit) as JSON. Uses DATABASE_URL if set, else a fresh SQLite file.

    .venv/bin/python bench/question_import.py
"""

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizapp import create_app  # noqa: E402
from quizapp.banks.gift_reader import read_gift  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.services.bank_import import import_questions  # noqa: E402
from tests.import_helpers import empty_bank  # noqa: E402

BLOCK = "::f{n}::Frage {n}: Wer nahm nicht teil? {{=Marco Rubio ~Mark Rutte ~Johann Wadephul}}\n\n"
RUNS = 3


def main() -> None:
    """Build the file, then time reading it and importing it."""
    folder = tempfile.mkdtemp(prefix="bench-import-")
    os.environ.setdefault("DATABASE_URL", "sqlite:///" + os.path.join(folder, "bench.sqlite"))
    data = "".join(BLOCK.format(n=n) for n in range(11_500)).encode()
    app = create_app({"SECRET_KEY": "bench"})
    reading, importing = [], []
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            for run in range(RUNS):
                started = time.perf_counter()
                read_gift(data.decode())
                reading.append(time.perf_counter() - started)
                bank = empty_bank(f"bench-{run}")
                started = time.perf_counter()
                report = import_questions(bank, "bench.gift", data, "gift")
                importing.append(time.perf_counter() - started)
                assert len(report.questions) == 11_500
            db.session.remove()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        json.dumps(
            {
                "file_bytes": len(data),
                "questions": 11_500,
                "read_s_median": round(statistics.median(reading), 2),
                "import_s_median": round(statistics.median(importing), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
