"""Question import from Moodle XML, bank YAML and tab-separated flashcard lines; the command
line; and arbitrary input never raising anything but the clear ServiceError."""

import os
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.banks.foreign import ReadError
from quizapp.banks.gift_reader import read_gift
from quizapp.banks.moodle_xml_reader import read_moodle_xml
from quizapp.banks.tsv_reader import read_tsv
from quizapp.banks.yaml_reader import read_yaml
from quizapp.errors import ServiceError
from quizapp.services.bank_import import import_questions
from tests.bank_helpers import MINI, ROOT
from tests.import_helpers import empty_bank, import_text, stored


@pytest.fixture
def bank(ctx):
    return empty_bank()


MOODLE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Politik</text></category>
  </question>
  <question type="multichoice">
    <name><text>Hauptstadt</text></name>
    <questiontext format="html"><text><![CDATA[<p>Wo tagte die <b>NATO</b>?</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text>In Brüssel.</text></generalfeedback>
    <single>true</single>
    <answer fraction="100" format="html"><text>Brüssel</text>
      <feedback format="html"><text>Richtig!</text></feedback></answer>
    <answer fraction="0" format="html"><text>Washington</text></answer>
  </question>
  <question type="truefalse">
    <name><text>wf</text></name>
    <questiontext format="plain_text"><text>Rubio kam.</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>kurz</text></name>
    <questiontext format="html"><text>Wer fehlte?</text></questiontext>
    <answer fraction="100"><text>Rubio</text></answer>
    <answer fraction="50"><text>Marco</text></answer>
  </question>
  <question type="numerical">
    <name><text>zahl</text></name>
    <questiontext format="html"><text><![CDATA[Bis wann? <img src="@@PLUGINFILE@@/a.png">]]></text>
      <file name="a.png" encoding="base64">iVBORw0KGgo=</file></questiontext>
    <answer fraction="100"><text>2035</text><tolerance>1</tolerance></answer>
    <units><unit><multiplier>1</multiplier><unit_name>Jahr</unit_name></unit></units>
  </question>
  <question type="essay">
    <name><text>essay</text></name>
    <questiontext format="html"><text>Was meinst du?</text></questiontext>
    <minwordlimit>20</minwordlimit>
  </question>
  <question type="description">
    <name><text>Hinweis</text></name>
    <questiontext format="html"><text>Lies den Artikel.</text></questiontext>
  </question>
</quiz>
"""


def test_moodle_xml_questions_of_the_shared_types(bank):
    report = import_text(bank, MOODLE_XML, "moodle-xml")
    questions = {q["key"]: q for q in stored(bank)}
    assert list(questions) == ["hauptstadt", "wf", "kurz", "zahl", "essay"]
    assert questions["hauptstadt"]["prompt"] == "Wo tagte die NATO?"
    assert questions["hauptstadt"]["explanation"] == "In Brüssel."
    assert questions["hauptstadt"]["payload"]["options"] == [
        {"text": "Brüssel", "correct": True, "feedback": "Richtig!"},
        {"text": "Washington", "correct": False},
    ]
    assert questions["wf"]["payload"] == {"solution": False}
    assert questions["kurz"]["payload"] == {
        "text": "{1}",
        "gaps": [{"answers": ["Rubio"], "typo_tolerance": 0}],
    }
    assert questions["zahl"]["payload"] == {"solution": 2035, "tolerance": 1, "unit": "Jahr"}
    assert questions["essay"]["payload"] == {"min_words": 20}
    assert questions["essay"]["type"] == "reflection"
    assert [(s.line, s.note.code) for s in report.skipped] == [(3, "category"), (40, "description")]
    assert [n.code for n in report.questions[2].notes] == ["partial_answer"]
    assert [n.code for n in report.questions[3].notes] == ["images"]
    assert questions["zahl"]["prompt"] == "Bis wann?"
    assert [q.line for q in report.questions] == [6, 16, 22, 28, 35]


@pytest.mark.parametrize(
    ("xml", "code", "line"),
    [
        ("<quiz>\n<question type='multichoice'>\n<name><text>a</text>\n</quiz>", "xml_syntax", 4),
        ("<quiz>\n<question type='calculated'></question>\n</quiz>", "unknown_type", 2),
        ('<!DOCTYPE quiz [<!ENTITY a "aaaa">]>\n<quiz>&a;</quiz>', "xml_doctype", 1),
        ("<questions/>", "xml_not_moodle", 1),
    ],
)
def test_malformed_moodle_xml_names_the_line_and_imports_nothing(bank, xml, code, line):
    with pytest.raises(ServiceError) as caught:
        import_text(bank, xml, "moodle-xml")
    assert (caught.value.code, caught.value.params["line"]) == (code, line)
    assert stored(bank) == []


def test_yaml_questions_keep_their_claims_and_arrive_as_drafts(bank):
    report = import_questions(bank, "mini.yaml", MINI.read_bytes(), "yaml")
    assert len(report.questions) == 10
    assert {q["status"] for q in stored(bank)} == {"draft"}
    # The claims of the file are not made here (they are made on the article): said so.
    assert [(s.note.code, s.note.params) for s in report.skipped] == [
        ("claims_not_imported", {"count": 6})
    ]
    # The file's claims do not exist on the article yet, so each question reports its claim.
    assert report.questions[0].notes[0].code == "claim"


def test_yaml_error_names_the_line_of_the_field(bank):
    text = MINI.read_text(encoding="utf-8").replace("solution: 2035", "solution: zweitausend")
    with pytest.raises(ServiceError) as caught:
        import_text(bank, text, "yaml")
    assert caught.value.code == "invalid_question"
    assert caught.value.params["line"] == 119
    assert caught.value.field == "solution"
    assert stored(bank) == []


CARDS = "# Begriffe\nNATO\tVerteidigungsbündnis\nBIP\tBruttoinlandsprodukt\nEU\tEuropäische Union\n"


def test_tsv_as_matching(bank):
    report = import_text(bank, CARDS, "tsv", tsv_as="matching")
    [question] = stored(bank)
    assert question["type"] == "matching"
    assert question["prompt"] == "Ordne die Begriffe zu."
    assert question["payload"]["pairs"][0] == {"left": "NATO", "right": "Verteidigungsbündnis"}
    assert len(question["payload"]["pairs"]) == 3 and report.questions[0].line == 2


def test_tsv_as_single_choice_one_question_per_term(bank):
    import_text(bank, CARDS, "tsv", tsv_as="single_choice")
    questions = stored(bank)
    assert [q["prompt"] for q in questions] == ["NATO", "BIP", "EU"]
    right = [next(o["text"] for o in q["payload"]["options"] if o["correct"]) for q in questions]
    assert right == ["Verteidigungsbündnis", "Bruttoinlandsprodukt", "Europäische Union"]
    assert all(len(q["payload"]["options"]) == 3 for q in questions)


def test_tsv_many_cards_make_matching_questions_of_at_most_eight_pairs(bank):
    cards = "".join(f"Begriff {n}\tBedeutung {n}\n" for n in range(17))
    import_text(bank, cards, "tsv")
    assert [len(q["payload"]["pairs"]) for q in stored(bank)] == [8, 7, 2]


def test_tsv_line_without_tab_is_refused(bank):
    with pytest.raises(ServiceError) as caught:
        import_text(bank, "NATO\tBündnis\nEU Union\n", "tsv")
    assert (caught.value.code, caught.value.params["line"]) == ("tsv_line", 2)
    assert stored(bank) == []


GIFT_FILE = (
    "::eins::Wer fehlte? {=Rubio ~Rutte}\n\n$CATEGORY: x\n\nBeschreibung.\n\n::zwei::Ja? {T#nein}\n"
)


def test_cli_import_questions_prints_the_report(app, bank, tmp_path):
    path = tmp_path / "fragen.gift"
    path.write_text(GIFT_FILE, encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["quiz", "import-questions", "import-ziel", str(path), "--format", "gift"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{path}:1: eins (single_choice)",
        f"{path}:7: zwei (true_false)",
        "    not carried: Feedback on single answers is not carried for this type.",
        f"{path}:3: skipped: Category 'x': not carried (the questions go into this bank).",
        f"{path}:5: skipped: Description 'Beschreibung.': no question type shows text alone; "
        "skipped.",
        "2 question(s) imported into import-ziel as drafts",
    ]
    assert [q["key"] for q in stored(bank)] == ["eins", "zwei"]


def test_cli_import_questions_refuses_a_bad_file_and_imports_nothing(app, bank, tmp_path):
    path = tmp_path / "kaputt.gift"
    path.write_text("::a::Gut? {T}\n\n::b::Kaputt? {=ja ~%zwei%nein}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["quiz", "import-questions", "import-ziel", str(path), "--format", "gift"]
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:3: answers: 'zwei' is not a weight; write %50% or %-100% (from -100 to 100).",
        f"{path}: nothing imported",
    ]
    assert stored(bank) == []


def test_cli_import_into_an_unknown_bank(app, ctx, tmp_path):
    path = tmp_path / "a.gift"
    path.write_text("Ja? {T}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["quiz", "import-questions", "nope", str(path), "--format", "gift"]
    )
    assert result.exit_code == 1 and "bank: There is no bank 'nope'." in result.output


def test_the_real_flask_command_imports_a_gift_file(tmp_path):
    """Through `.venv/bin/flask --app quizapp …` as the README shows it, on a file database."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "SECRET_KEY": "cli-test",
    }
    env.pop("REDIS_URL", None)
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "quizapp"]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    assert run("db", "upgrade").returncode == 0
    assert run("quiz", "import-article", "seeds/").returncode == 0
    assert run("quiz", "import", "questions/").returncode == 0
    path = tmp_path / "fragen.gift"
    path.write_bytes(("\ufeff" + GIFT_FILE.replace("\n", "\r\n")).encode())
    done = run("quiz", "import-questions", "nato-2025-12-04", str(path), "--format", "gift")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "2 question(s) imported into nato-2025-12-04 as drafts"
    exported = run("quiz", "export", "nato-2025-12-04", "--format", "yaml")
    assert "  - key: eins\n    type: single_choice\n    asks: world\n    status: draft" in (
        exported.stdout
    )
    path.write_bytes("Größe? {T}\n".encode("latin-1"))
    refused = run("quiz", "import-questions", "nato-2025-12-04", str(path), "--format", "gift")
    assert refused.returncode == 1
    assert "file: The file is not UTF-8 text (it looks like Latin-1)" in refused.stdout


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_is_read_or_refused_with_a_read_error(text):
    for read in (
        read_gift,
        read_moodle_xml,
        read_yaml,
        lambda t: read_tsv(t, "matching"),
        lambda t: read_tsv(t, "single_choice"),
    ):
        try:
            read(text)
        except ReadError as error:
            assert error.line >= 1


GIFTISH = st.text(alphabet=st.sampled_from(list("{}=~#:%\\->TF 1.\n\nab[]/$ä")), max_size=60)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(st.binary(max_size=80), GIFTISH.map(str.encode)))
def test_arbitrary_bytes_import_or_raise_only_the_service_error(bank, data):
    for fmt in ("gift", "tsv", "moodle-xml", "yaml"):
        try:
            import_questions(bank, "zufall", data, fmt)
        except ServiceError as error:
            assert error.code and "file" in error.params


def test_messages_are_german_on_a_german_page(app, bank):
    from flask_babel import force_locale

    from quizapp.banks.import_messages import describe_error

    with pytest.raises(ServiceError) as caught:
        import_text(bank, "Welche? {=A ~%abc%B}")
    with force_locale("de"):
        assert describe_error(caught.value) == (
            "test.gift:1: answers: „abc“ ist keine Gewichtung; schreibe %50% oder %-100% "
            "(von -100 bis 100)."
        )


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        ("Ja? {T}\n".encode("utf-16"), "not_utf8", 1),
        (b"Ja? {T}\n\nNein? {F}\x00\n", "binary_file", 3),
        (b"Ja? {T}\n\n\xe4? {F}\n", "not_utf8", 3),
    ],
)
def test_files_that_are_not_utf8_text_are_refused(bank, data, code, line):
    with pytest.raises(ServiceError) as caught:
        import_questions(bank, "datei.gift", data, "gift")
    assert (caught.value.code, caught.value.field, caught.value.params["line"]) == (
        code,
        "file",
        line,
    )
    assert stored(bank) == []


def test_a_file_over_the_limit_is_refused_before_reading(app, bank, monkeypatch):
    monkeypatch.setitem(app.config, "QUESTION_IMPORT_MAX_BYTES", 2048)
    with pytest.raises(ServiceError) as caught:
        import_questions(bank, "gross.gift", b"Ja? {T}\n\n" * 300, "gift")
    assert (caught.value.code, caught.value.params["limit_kb"]) == ("file_too_large", 2)
    assert stored(bank) == []
