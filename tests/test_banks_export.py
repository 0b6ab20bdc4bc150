"""`quiz export --format yaml`: the canonical bank file; export → import → export is identical."""

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.banks.exporter import dump, export_yaml
from quizapp.banks.validate import validate_file
from tests.bank_helpers import (
    LOADED_WORDS,
    MINI,
    SMALL,
    dump_database,
    import_bank,
    import_seed,
    seed_lookup,
)


def test_export_import_export_gives_the_same_file(app, ctx, tmp_path):
    import_seed()
    import_bank(MINI)
    runner = app.test_cli_runner()
    first = tmp_path / "first.yaml"
    result = runner.invoke(
        args=["quiz", "export", "nato-mini", "--format", "yaml", "--output", str(first)]
    )
    assert result.exit_code == 0, result.output
    assert import_bank(first).changed is False
    second = runner.invoke(args=["quiz", "export", "nato-mini", "--format", "yaml"])
    assert second.exit_code == 0
    assert second.output == first.read_text(encoding="utf-8")


def test_an_exported_file_is_valid_and_imports_to_the_same_content(ctx, tmp_path):
    import_seed()
    for source in (MINI,):
        import_bank(source)
    before = dump_database()
    path = tmp_path / "export.yaml"
    path.write_text(export_yaml("nato-mini"), encoding="utf-8")
    _, errors = validate_file(path, seed_lookup, LOADED_WORDS)
    assert errors == []
    summary = import_bank(path)
    assert (summary.unchanged, summary.changed) == (10, False)
    assert dump_database() == before


def test_export_writes_every_field_of_the_file(ctx):
    import_seed()
    import_bank(SMALL)
    data = yaml.safe_load(export_yaml("small"))
    assert data["bank"] == {
        "slug": "small",
        "title": "Kleine Bank",
        "language": "de",
        "article": "nato-2025-12-04",
    }
    assert data["claims"][0]["verdict"] == "true"
    assert data["claims"][1]["counter_positions"][0]["source"]["url"] == "https://www.nato.int/"
    assert data["questions"][0] == {
        "key": "c1-wer",
        "claim": "C1",
        "type": "single_choice",
        "asks": "world",
        "status": "published",
        "difficulty": 1,
        "tags": [],
        "prompt": "Wer nahm nicht am Treffen der NATO-Außenminister teil?",
        "explanation": "Marco Rubio ließ sich vertreten.",
        "options": [
            {"text": "Marco Rubio", "correct": True},
            {"text": "Mark Rutte", "correct": False},
        ],
    }


def test_retired_questions_are_not_exported(ctx, tmp_path):
    import_seed()
    import_bank(SMALL)
    text = SMALL.read_text(encoding="utf-8")
    path = tmp_path / "small.yaml"
    path.write_text(text[: text.index("  - key: o1-text")], encoding="utf-8")
    import_bank(path)
    keys = [q["key"] for q in yaml.safe_load(export_yaml("small"))["questions"]]
    assert keys == ["c1-wer"]


def test_export_of_an_unknown_bank_says_so(app, ctx):
    result = app.test_cli_runner().invoke(args=["quiz", "export", "nope"])
    assert result.exit_code == 1
    assert "no bank with slug 'nope'" in result.output


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_any_text_survives_the_yaml_round_trip(text):
    assert yaml.safe_load(dump({"prompt": text, "items": [text]})) == {
        "prompt": text,
        "items": [text],
    }
