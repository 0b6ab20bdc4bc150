"""`quiz validate`: valid banks pass; every error names file, line, field and what is wrong."""

from pathlib import Path

import pytest

from quizapp.banks.validate import BankError, validate_file, validate_paths, validate_text
from tests.bank_helpers import BROKEN, LOADED_WORDS, MINI, ROOT, SMALL, seed_lookup, seed_text


def check(path: Path) -> list[BankError]:
    """Validate one file against the seed article."""
    _, errors = validate_file(path, seed_lookup, LOADED_WORDS)
    return errors


def check_text(text: str) -> list[BankError]:
    """Validate bank text against the seed article."""
    _, errors = validate_text(text, "bank.yaml", seed_lookup, LOADED_WORDS)
    return errors


def test_small_banks_are_valid_and_record_quote_offsets():
    bank, errors = validate_file(MINI, seed_lookup, LOADED_WORDS)
    assert errors == []
    text = seed_text()
    start, end = bank.offsets["Q1"]
    assert text[start:end] == "„abgebrochen, vollständig abgebrochen“"
    # The YAML folds C1's quote over two lines; the offsets still cover the article's words.
    start, end = bank.offsets["C1"]
    assert text[start:end].startswith("Der US-Außenminister hat es")
    assert text[end - 11 : end] == "anzureisen."
    assert check(SMALL) == []


@pytest.mark.parametrize(
    ("name", "line", "field", "words"),
    [
        ("yaml-syntax.yaml", 34, "options", "YAML syntax"),
        ("missing-quote.yaml", 9, "claims[C1].quote", "required field is missing"),
        ("quote-not-in-article.yaml", 11, "claims[C1].quote", "not found verbatim"),
        ("wrong-payload.yaml", 32, "questions[c1-wer].options", "exactly one correct option"),
        ("duplicate-keys.yaml", 36, "questions[c1-wer].key", "duplicate question key"),
        ("opinion-as-world-fact.yaml", 39, "questions[o1-text].asks", "verdict true"),
        ("duplicate-yaml-key.yaml", 31, "questions[c1-wer].prompt", "duplicate key 'prompt'"),
        ("loaded-word.yaml", 30, "questions[c1-wer].prompt", "loaded word 'schwänz'"),
        ("unknown-claim.yaml", 27, "questions[c1-wer].claim", "no claim with key 'C9'"),
        ("text-item-without-attribution.yaml", 40, "questions[o1-text].prompt", "must say so"),
        (
            "opinion-without-counter-position.yaml",
            42,
            "questions[o1-text].explanation",
            "counter-position",
        ),
        ("numeric-with-options.yaml", 26, "questions[c1-wer].solution", "required field"),
    ],
)
def test_broken_bank_names_file_line_and_field(name, line, field, words):
    errors = check(BROKEN / name)
    where = [(e.file, e.line, e.field) for e in errors]
    assert (str(BROKEN / name), line, field) in where, errors
    error = next(e for e in errors if (e.line, e.field) == (line, field))
    assert words in error.message
    assert str(error).startswith(f"{BROKEN / name}:{line}: {field}: ")


def test_numeric_with_options_reports_the_unknown_field_too():
    errors = check(BROKEN / "numeric-with-options.yaml")
    assert any(e.field == "questions[c1-wer].options" and e.line == 32 for e in errors)
    assert "unknown field" in next(e for e in errors if e.line == 32).message


def test_every_error_is_reported_not_only_the_first():
    text = SMALL.read_text(encoding="utf-8")
    text = text.replace("kind: fact", "kind: fakt").replace("asks: text", "asks: world")
    text = text.replace("solution: true", 'solution: "ja"')
    errors = check_text(text)
    fields = {e.field for e in errors}
    assert fields == {"claims[C1].kind", "questions[o1-text].solution"}
    # O1's question is judged although it is broken too; the one on the broken C1 is not.
    text = text.replace('solution: "ja"', "solution: true")
    assert {e.field for e in check_text(text)} == {"claims[C1].kind", "questions[o1-text].asks"}


def test_opinion_unchecked_claim_may_be_asked_only_about_the_text():
    text = SMALL.read_text(encoding="utf-8").replace('verdict: "true"', "verdict: null")
    text = text.replace(
        '    sources:\n      - {url: "https://www.nato.int/", title: "NATO"}\n'
        "    checked_on: 2026-11-26\n",
        '    note: "Nicht geprüft."\n',
    )
    errors = check_text(text)
    assert [(e.field, e.line) for e in errors] == [("questions[c1-wer].asks", 27)]
    assert "not checked" in errors[0].message


def test_correction_item_needs_a_wrong_claim():
    text = SMALL.read_text(encoding="utf-8").replace("asks: world", "asks: correction")
    errors = check_text(text)
    assert [e.field for e in errors] == ["questions[c1-wer].asks"]
    assert "correction item" in errors[0].message


@pytest.mark.parametrize(
    "prompt",
    [
        "Der Spiegel schrieb, Rubio „schwänzte“ das Treffen. Wer war gemeint?",
        'Der Spiegel schrieb, Rubio "schwänzte" das Treffen. Wer war gemeint?',
        "Der Spiegel schrieb, Rubio »schwänzte« das Treffen. Wer war gemeint?",
    ],
)
def test_loaded_words_are_allowed_inside_quotation_marks(prompt):
    text = SMALL.read_text(encoding="utf-8").replace(
        "Wer nahm nicht am Treffen der NATO-Außenminister teil?", prompt.replace('"', '\\"')
    )
    assert check_text(text) == []


def test_claim_rules_per_kind_and_verdict():
    text = SMALL.read_text(encoding="utf-8")
    text = text.replace("kind: fact", "kind: quote")  # no speaker
    text = text.replace("    checked_on: 2026-11-26\n", "")  # verdict without date
    text = text.replace("    counter_positions:\n", "    counter_positions: []\n    x:\n")
    errors = check_text(text)
    fields = {e.field: e.message for e in errors}
    assert "speaker" in fields["claims[C1].speaker"]
    assert "checked on" in fields["claims[C1].checked_on"]
    assert "unknown field" in fields["claims[O1].x"]


def test_article_that_is_not_imported_is_named():
    text = SMALL.read_text(encoding="utf-8").replace("article: nato-2025-12-04", "article: nix")
    errors = check_text(text)
    assert [(e.line, e.field) for e in errors] == [(6, "bank.article")]
    assert "'nix' is not imported" in errors[0].message


def test_a_file_that_is_not_a_bank():
    assert [str(e) for e in check_text("- 1\n- 2\n")] == [
        "bank.yaml:1: (document): "
        "a bank file is a mapping with the sections bank, claims, questions"
    ]
    errors = check_text("bank: {}\nquestionz: []\n")
    messages = {(e.field, e.message.split(" (")[0]) for e in errors}
    assert ("questionz", "unknown section") in messages
    assert ("(document)", "the section 'claims' is missing") in messages


def test_two_files_with_the_same_bank_slug(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    banks, errors = validate_paths([tmp_path], seed_lookup, LOADED_WORDS)
    assert len(banks) == 1
    assert [(Path(e.file).name, e.field) for e in errors] == [("b.yaml", "bank.slug")]


def test_seed_bank_is_valid(app, ctx):
    """questions/ (the seed bank) passes `flask quiz validate questions/`."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quiz", "validate", str(ROOT / "questions")])
    assert result.exit_code == 0, result.output
    assert "bank(s) valid" in result.output
    assert not result.output.startswith("0 bank")


def test_validate_command_lists_errors_and_exits_1(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["quiz", "validate", str(BROKEN / "wrong-payload.yaml"), str(SMALL)]
    )
    assert result.exit_code == 1
    assert f"{BROKEN / 'wrong-payload.yaml'}:32: questions[c1-wer].options: " in result.output
    assert "1 error(s) in 1 of 2 file(s)" in result.output


# --- editorial rules of the civic-education review (issue 17) ---------------------------------


def validated(text: str):
    """Validate bank text; return the valid bank (or None), the errors and the warnings."""
    bank, errors = validate_text(text, "bank.yaml", seed_lookup, LOADED_WORDS)
    return bank, errors, (bank.warnings if bank else [])


FO_ITEM = """
  - key: {key}
    claim: {claim}
    type: fact_or_opinion
    asks: classify
    prompt: "Tatsachenbehauptung oder Meinung?"
    statement: "{statement}"
    solution: {solution}
    choices: [{choices}]
    explanation: "Gegenposition: siehe oben."
"""


def with_fo(text: str, key: str, claim: str, solution: str, choices: str = "fact, opinion") -> str:
    statement = {
        "C1": "Der US-Außenminister hat es nicht einmal für nötig gehalten",
        "O1": "Die NATO ist für Trump anscheinend nur noch dazu da",
    }[claim]
    return text + FO_ITEM.format(
        key=key, claim=claim, statement=statement, solution=solution, choices=choices
    )


def test_a_statement_that_does_not_hold_is_not_kind_fact():
    text = SMALL.read_text(encoding="utf-8").replace(
        'verdict: "true"', 'verdict: "false"\n    note: "Falsch."'
    )
    _, errors, _ = validated(text)
    kind = next(e for e in errors if e.field == "claims[C1].kind")
    assert kind.line == 10 and "use kind claim" in kind.message
    # As kind claim, asked as a correction item, the same bank is valid.
    text = text.replace("kind: fact", "kind: claim").replace("asks: world", "asks: correction")
    assert validated(text)[1] == []


def test_fact_or_opinion_asks_the_kind_not_the_verdict():
    text = with_fo(
        SMALL.read_text(encoding="utf-8"), "c1-fo", "C1", "claim", "fact, opinion, claim"
    )
    text = with_fo(text, "o1-fo", "O1", "fact")
    _, errors, _ = validated(text)
    messages = {e.field: e.message for e in errors}
    assert "'claim' is no choice here" in messages["questions[c1-fo].choices"]
    assert "claim O1 is of kind opinion" in messages["questions[o1-fo].solution"]


def test_a_false_statement_of_fact_is_keyed_fact_in_a_fact_or_opinion_item():
    text = SMALL.read_text(encoding="utf-8").replace(
        'kind: fact\n    quote: "Der US', 'kind: claim\n    quote: "Der US'
    )
    text = text.replace('verdict: "true"', 'verdict: "false"\n    note: "Falsch."')
    text = with_fo(text.replace("asks: world", "asks: correction"), "c1-fo", "C1", "fact")
    text = with_fo(text, "o1-fo", "O1", "opinion")
    _, errors, warnings = validated(text)
    assert errors == []
    assert not [w for w in warnings if w.field.endswith(".solution")]


def test_a_fact_or_opinion_set_keys_both_kinds():
    text = with_fo(SMALL.read_text(encoding="utf-8"), "o1-fo", "O1", "opinion")
    _, errors, warnings = validated(text)
    assert errors == []
    (found,) = [w for w in warnings if w.field == "questions[o1-fo].solution"]
    assert "keyed fact" in found.message
    text = with_fo(text, "c1-fo", "C1", "fact")
    _, errors, warnings = validated(text)
    assert errors == [] and not [w for w in warnings if w.field.endswith(".solution")]


def test_an_explanation_outside_80_to_120_words_is_reported():
    text = SMALL.read_text(encoding="utf-8")
    _, errors, warnings = validated(text)
    assert errors == []
    short = {w.field: w.message for w in warnings}
    assert short["questions[c1-wer].explanation"].startswith("5 words; ")
    assert "80–120 words" in short["questions[c1-wer].explanation"]
    long_enough = " ".join(["Wort"] * 100)
    text = text.replace("Marco Rubio ließ sich vertreten.", long_enough)
    _, _, warnings = validated(text)
    assert "questions[c1-wer].explanation" not in {w.field for w in warnings}
    too_long = " ".join(["Wort"] * 121)
    _, _, warnings = validated(
        SMALL.read_text(encoding="utf-8").replace("Marco Rubio ließ sich vertreten.", too_long)
    )
    assert any(w.message.startswith("121 words") for w in warnings)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.firstpost.com/world/nato-pledges.html",
        "https://tradingkey.com/news/reuters",
        "https://m.newser.com/story/1",
        "https://caliber.az/en/post/x",
    ],
)
def test_aggregators_are_refused_as_sources(url):
    text = SMALL.read_text(encoding="utf-8").replace(
        '      - {url: "https://www.nato.int/", title: "NATO"}',
        f'      - {{url: "{url}", title: "Spiegel eines Berichts"}}',
    )
    text = text.replace('source: {url: "https://www.nato.int/"', f'source: {{url: "{url}"')
    _, errors, _ = validated(text)
    fields = {e.field for e in errors}
    assert fields == {"claims[C1].sources[0].url", "claims[O1].counter_positions[0].source.url"}
    assert all("cite the primary source" in e.message for e in errors)


OPINIONS = [
    ("O1", "Die NATO ist für Trump anscheinend nur noch dazu da"),
    ("O2", "Es ist also sehr offensichtlich"),
    ("O3", "Die Trump-Regierung scheint sich innerlich von der NATO verabschiedet zu haben."),
    ("O4", "Wie verzweifelt man in Berlin offensichtlich ist"),
    ("O5", "Diese Aussage war nebenbei ein Konjunkturprogramm für die US-Rüstungsindustrie"),
    ("O6", "Die müssen das Ergebnis am Ende wohl schlucken"),
    ("O7", "Das war ein sehr deutliches Signal dafür"),
    ("O8", "wie sollen die USA gleichzeitig Mitglied der NATO und Vermittler"),
]


def opinion_bank(count: int, sharing: int) -> str:
    """A bank of `count` opinions; the first `sharing` cite the same counter-position."""
    claims = []
    for index, (key, quote) in enumerate(OPINIONS[:count]):
        url = (
            "https://www.nato.int/declaration" if index < sharing else f"https://example.org/{key}"
        )
        claims.append(
            f'  - key: {key}\n    kind: opinion\n    quote: "{quote}"\n    note: "Wertung."\n'
            f'    counter_positions:\n      - text: "Gegenposition {key}."\n'
            f'        source: {{url: "{url}", title: "Quelle"}}\n'
        )
    return (
        "bank:\n  slug: op\n  title: Op\n  language: de\n  article: nato-2025-12-04\n"
        "claims:\n" + "\n".join(claims) + "questions: []\n"
    )


def test_a_counter_position_in_more_than_a_quarter_of_the_opinions_is_reported():
    _, errors, warnings = validated(opinion_bank(4, sharing=2))
    assert errors == []
    (found,) = warnings
    assert (found.field, found.line) == ("claims[O1].counter_positions", 11)
    assert "answers 2 of 4 opinions" in found.message
    # Two of eight is a quarter, not more: varied enough.
    assert validated(opinion_bank(8, sharing=2))[2] == []
    assert len(validated(opinion_bank(8, sharing=3))[2]) == 1


def test_validate_prints_warnings_and_strict_refuses_them(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quiz", "validate", str(SMALL)])
    assert result.exit_code == 0, result.output
    assert f"warning: {SMALL}:" in result.output and "80–120 words" in result.output
    assert "bank(s) valid" in result.output
    result = runner.invoke(args=["quiz", "validate", "--strict", str(SMALL)])
    assert result.exit_code == 1
    assert "editorial warning(s)" in result.output and "bank(s) valid" not in result.output


def test_seed_bank_passes_the_strict_check_through_the_real_cli():
    """`flask --app quizapp quiz validate --strict questions/` as a user types it."""
    import subprocess
    import sys

    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(
        [str(flask), "--app", "quizapp", "quiz", "validate", "--strict", "questions/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DATABASE_URL": "sqlite://"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1 bank(s) valid"
    assert "warning" not in result.stdout
