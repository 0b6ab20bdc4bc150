"""`quiz import`: one transaction per bank, versions by gradable content, history never lost."""

from pathlib import Path

import pytest
from sqlalchemy import select

from quizapp.banks import importer
from quizapp.banks.importer import BankImportError, content_hash
from quizapp.extensions import db
from quizapp.models import Attempt, Bank, Claim, Question, QuestionVersion, Quiz, Response
from quizapp.services.quizzes import published_versions
from tests.bank_helpers import (
    BROKEN,
    MINI,
    SMALL,
    dump_database,
    import_bank,
    import_seed,
    seed_text,
)


def question(key: str) -> Question:
    """Return a question by key."""
    return db.session.scalar(select(Question).where(Question.key == key))


def edited_copy(tmp_path: Path, source: Path, *replacements: tuple[str, str]) -> Path:
    """Write a copy of a bank file with text replaced (each replacement must apply)."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_bank_claims_and_first_versions(ctx):
    import_seed()
    summary = import_bank(MINI)
    assert (summary.created, summary.new_versions, summary.retired) == (10, 0, 0)
    assert summary.claims == {"created": 6, "updated": 0}
    bank = db.session.scalar(select(Bank).where(Bank.slug == "nato-mini"))
    assert bank.article.slug == "nato-2025-12-04"
    text = seed_text()
    for claim in bank.article.claims:
        assert " ".join(text[claim.start : claim.end].split()) == " ".join(claim.quote.split())
    o1 = db.session.scalar(select(Claim).where(Claim.key == "O1"))
    assert o1.counter_positions[0]["source"]["title"] == "The Hague Summit Declaration"
    numeric = question("c4-jahr").current
    assert (numeric.number, numeric.type, numeric.asks) == (1, "numeric", "world")
    assert numeric.payload == {"solution": 2035, "tolerance": 0}
    assert numeric.content_hash == content_hash("numeric", "world", numeric.prompt, numeric.payload)
    assert question("c1-wer-fehlte").current.payload["options"][1] == {
        "text": "Johann Wadephul",
        "correct": False,
        "feedback": "Er war als deutscher Außenminister da.",
    }
    assert question("o1-einordnen").current.payload["choices"] == ["fact", "opinion"]
    assert question("o1-nachdenken").status == "draft"
    assert [v.question.key for v in published_versions(bank.id)][:2] == [
        "c1-wer-fehlte",
        "c1-aussagen",
    ]


def test_reimporting_an_unchanged_bank_changes_nothing(ctx):
    import_seed()
    import_bank(MINI)
    before = dump_database()
    summary = import_bank(MINI)
    assert (summary.created, summary.updated, summary.new_versions, summary.retired) == (0,) * 4
    assert summary.unchanged == 10 and not summary.changed
    assert dump_database() == before


def test_edited_bank_keeps_earlier_responses_on_the_version_they_answered(ctx, tmp_path):
    import_seed()
    import_bank(MINI)
    first = question("c1-wer-fehlte").current
    first_id, first_prompt, first_payload = first.id, first.prompt, dict(first.payload)
    quiz = Quiz(bank_id=first.question.bank_id, title="Test")
    db.session.add(quiz)
    db.session.flush()
    attempt = Attempt(quiz_id=quiz.id, version_ids=[first_id])
    db.session.add(attempt)
    db.session.flush()
    db.session.add(
        Response(attempt_id=attempt.id, question_version_id=first_id, answer=0, score=1.0)
    )
    db.session.commit()

    edited = edited_copy(
        tmp_path,
        MINI,
        ('{text: "Mark Rutte", correct: false}', '{text: "Pete Hegseth", correct: false}'),
        ("Wer nahm am 3. Dezember 2025 nicht", "Wer nahm am 3. Dezember 2025 als Einziger nicht"),
    )
    summary = import_bank(edited)
    assert (summary.new_versions, summary.created, summary.unchanged) == (1, 0, 9)

    db.session.expire_all()
    current = question("c1-wer-fehlte").current
    assert current.number == 2 and current.id != first_id
    assert current.payload["options"][2]["text"] == "Pete Hegseth"
    response = db.session.scalar(select(Response))
    assert response.question_version_id == first_id
    assert response.version.number == 1
    assert (response.version.prompt, response.version.payload) == (first_prompt, first_payload)
    assert response.version.question is current.question


def test_explanation_tags_and_difficulty_change_the_current_version_in_place(ctx, tmp_path):
    import_seed()
    import_bank(MINI)
    edited = edited_copy(
        tmp_path,
        MINI,
        (
            "ließ sich von seinem Stellvertreter vertreten.",
            "ließ sich von Christopher Landau vertreten.",
        ),
        (
            "    difficulty: 1\n    tags: [treffen, personen]",
            "    difficulty: 2\n    tags: [treffen]",
        ),
    )
    summary = import_bank(edited)
    assert (summary.updated, summary.new_versions) == (1, 0)
    item = question("c1-wer-fehlte")
    assert item.current.number == 1
    assert "Christopher Landau" in item.current.explanation
    assert (item.difficulty, item.tags) == (2, ["treffen"])
    assert db.session.scalar(select(db.func.count(QuestionVersion.id))) == 10


def test_removed_question_is_retired_and_keeps_its_versions(ctx, tmp_path):
    import_seed()
    import_bank(MINI)
    text = MINI.read_text(encoding="utf-8")
    start = text.index("  - key: c1-aussagen")
    end = text.index("  - key: c6-beistand")
    path = tmp_path / MINI.name
    path.write_text(text[:start] + text[end:], encoding="utf-8")

    summary = import_bank(path)
    assert (summary.retired, summary.unchanged) == (1, 9)
    removed = question("c1-aussagen")
    assert removed.status == "retired"
    assert removed.current.number == 1
    bank_id = removed.bank_id
    assert "c1-aussagen" not in [v.question.key for v in published_versions(bank_id)]
    # Putting it back publishes it again without a new version.
    summary = import_bank(MINI)
    assert (summary.updated, summary.new_versions) == (1, 0)
    assert question("c1-aussagen").status == "published"


def test_claims_the_file_drops_are_deleted_unless_a_question_uses_them(ctx, tmp_path):
    import_seed()
    import_bank(SMALL)
    renamed = edited_copy(
        tmp_path, SMALL, ("key: O1\n", "key: O2\n"), ("claim: O1\n", "claim: O2\n")
    )
    import_bank(renamed)
    assert set(db.session.scalars(select(Claim.key))) == {"C1", "O2"}

    text = renamed.read_text(encoding="utf-8")
    without_question = text[: text.index("  - key: o1-text")].replace("key: O2\n", "key: O3\n")
    renamed.write_text(without_question, encoding="utf-8")
    summary = import_bank(renamed)
    assert summary.retired == 1
    # O2 is gone from the file but the retired question o1-text still links it.
    assert set(db.session.scalars(select(Claim.key))) == {"C1", "O2", "O3"}


def test_a_bank_may_not_change_a_claim_another_bank_uses(ctx, tmp_path):
    import_seed()
    import_bank(MINI)
    before = dump_database()
    with pytest.raises(BankImportError) as raised:
        import_bank(SMALL)
    assert [(e.line, e.field) for e in raised.value.errors] == [
        (9, "claims[C1]"),
        (17, "claims[O1]"),
    ]
    assert "used by bank(s) nato-mini" in raised.value.errors[0].message
    assert dump_database() == before
    # With keys of its own, the second bank on the same article imports fine.
    own_keys = edited_copy(
        tmp_path,
        SMALL,
        ("key: C1\n", "key: S1\n"),
        ("claim: C1\n", "claim: S1\n"),
        ("key: O1\n", "key: S2\n"),
        ("claim: O1\n", "claim: S2\n"),
    )
    assert import_bank(own_keys).created == 2


@pytest.mark.parametrize("broken", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_broken_bank_imports_nothing_and_leaves_the_database_as_it_was(ctx, broken):
    import_seed()
    import_bank(SMALL)
    before = dump_database()
    with pytest.raises(BankImportError) as raised:
        import_bank(broken)
    assert raised.value.errors
    assert all(e.file == str(broken) and e.line > 0 and e.field for e in raised.value.errors)
    assert dump_database() == before


def test_an_error_while_writing_rolls_back_the_whole_bank(ctx, tmp_path, monkeypatch):
    import_seed()
    import_bank(MINI)
    before = dump_database()
    edited = edited_copy(
        tmp_path,
        MINI,
        ('title: "USA und NATO: kleine Testbank"', 'title: "Neuer Titel"'),
        ("Wer nahm am 3. Dezember 2025 nicht", "Wer fehlte am 3. Dezember 2025"),
        ("Welche Aussagen über", "Welche Aussagen zu"),
        ("Tatsache oder Meinung?", "Meinung oder Tatsache?"),
    )
    calls = []
    real = importer.add_version

    def fail_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "add_version", fail_on_the_third)
    with pytest.raises(RuntimeError):
        import_bank(edited)
    assert len(calls) == 3
    assert dump_database() == before


def test_bank_about_an_article_that_is_not_imported(ctx):
    with pytest.raises(BankImportError) as raised:
        import_bank(SMALL)
    [error] = raised.value.errors
    assert (error.line, error.field) == (6, "bank.article")
    assert "nato-2025-12-04" in error.message
    assert db.session.scalar(select(db.func.count(Bank.id))) == 0


def test_import_command_prints_one_line_per_bank(app, ctx, tmp_path):
    import_seed()
    (tmp_path / MINI.name).write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / SMALL.name).write_text(
        SMALL.read_text(encoding="utf-8").replace("C1", "S1").replace("O1", "S2"), encoding="utf-8"
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quiz", "import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "nato-mini: 10 created, 0 updated, 0 new versions, 0 retired, 0 unchanged; "
        "claims: 6 created, 0 updated",
        "small: 2 created, 0 updated, 0 new versions, 0 retired, 0 unchanged; "
        "claims: 2 created, 0 updated",
    ]
    again = runner.invoke(args=["quiz", "import", str(tmp_path)])
    assert (
        "nato-mini: 0 created, 0 updated, 0 new versions, 0 retired, 10 unchanged" in again.output
    )


def test_import_command_reports_a_broken_bank_and_imports_the_others(app, ctx, tmp_path):
    import_seed()
    broken = tmp_path / "a-broken.yaml"
    broken.write_text((BROKEN / "wrong-payload.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{broken}:32: questions[c1-wer].options: " in result.output
    assert f"{broken}: not imported (1 error(s))" in result.output
    assert "nato-mini: 10 created" in result.output
    assert db.session.scalar(select(Bank.slug)) == "nato-mini"


def test_import_command_names_the_missing_article(app, ctx):
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(SMALL)])
    assert result.exit_code == 1
    assert "bank.article: the article 'nato-2025-12-04' is not imported" in result.output
