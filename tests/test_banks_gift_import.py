"""GIFT import, element by element, from Moodle's documentation of the format ("GIFT format",
docs.moodle.org): each test shows the GIFT a teacher writes and the question it must produce."""

import pytest
from sqlalchemy import func, select

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.services.bank_import import import_questions
from tests.import_helpers import empty_bank, import_text, only, stored


@pytest.fixture
def bank(ctx):
    return empty_bank()


def notes(report, index=0) -> list[str]:
    """The note codes of one imported question."""
    return [note.code for note in report.questions[index].notes]


def refused(bank, text: str, fmt: str = "gift") -> ServiceError:
    """Import text that must be refused; check nothing was stored and return the error."""
    with pytest.raises(ServiceError) as caught:
        import_text(bank, text, fmt)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    return caught.value


def test_multiple_choice_with_one_right_answer_is_a_single_choice(bank):
    assert only(bank, "Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}") == {
        "type": "single_choice",
        "asks": "world",
        "prompt": "Who's buried in Grant's tomb?",
        "payload": {
            "options": [
                {"text": "Grant", "correct": False},
                {"text": "Jefferson", "correct": False},
                {"text": "no one", "correct": True},
            ]
        },
        "explanation": "",
    }


def test_equals_and_colons_in_the_question_text_are_text(bank):
    question = only(bank, "::Q1:: 1+1=2 {T}")
    assert (question["prompt"], question["payload"]) == ("1+1=2", {"solution": True})


def test_answers_first_is_a_missing_word_at_the_start(bank):
    question = only(bank, "::Continents:: { =Asia } is the largest continent in the world.")
    assert question["payload"]["text"] == "{1} is the largest continent in the world."


def test_title_becomes_the_key_and_answers_may_stand_on_their_own_lines(bank):
    text = "::Q1 Grab:: Wer liegt in Grants Grab?{\n  ~Grant\n  =niemand\n}"
    import_text(bank, text)
    [question] = stored(bank)
    assert question["key"] == "q1-grab"
    assert question["prompt"] == "Wer liegt in Grants Grab?"
    assert [o["text"] for o in question["payload"]["options"]] == ["Grant", "niemand"]


def test_missing_word_with_choices_puts_a_blank_in_the_prompt(bank):
    question = only(bank, "Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question["type"] == "single_choice"
    assert question["prompt"] == "Grant is _____ in Grant's tomb."


@pytest.mark.parametrize(
    ("block", "solution"), [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False)]
)
def test_true_false(bank, block, solution):
    question = only(bank, f"Grant is buried in Grant's tomb.{block}")
    assert (question["type"], question["payload"]) == ("true_false", {"solution": solution})
    assert question["prompt"] == "Grant is buried in Grant's tomb."


def test_short_answer_is_a_cloze_with_one_gap_of_all_right_answers(bank):
    assert only(bank, "Who's buried in Grant's tomb?{=no one =nobody}") == {
        "type": "cloze",
        "asks": "world",
        "prompt": "Who's buried in Grant's tomb?",
        "payload": {
            "text": "{1}",
            "gaps": [{"answers": ["no one", "nobody"], "typo_tolerance": 0}],
        },
        "explanation": "",
    }


def test_missing_word_short_answer_is_a_cloze_with_the_gap_in_the_middle(bank):
    question = only(bank, "Two plus {=two =2} equals four.")
    assert question["type"] == "cloze"
    assert question["prompt"] == "Ergänze die Lücke."
    assert question["payload"]["text"] == "Two plus {1} equals four."
    assert question["payload"]["gaps"][0]["answers"] == ["two", "2"]


def test_missing_word_after_a_line_of_question_keeps_that_line_as_prompt(bank):
    question = only(bank, "Ergänze den Satz:\nDas Treffen fand in {=Brüssel} statt.")
    assert question["prompt"] == "Ergänze den Satz:"
    assert question["payload"]["text"] == "Das Treffen fand in {1} statt."


def test_partial_credit_short_answers_are_reported_not_carried(bank):
    report = import_text(bank, "Wer? {=Rubio =%50%Marco}")
    assert stored(bank)[0]["payload"]["gaps"][0]["answers"] == ["Rubio"]
    assert notes(report) == ["partial_answer"]
    assert report.questions[0].notes[0].params == {"text": "Marco", "weight": "50"}


def test_matching(bank):
    text = (
        "Match the following countries with their corresponding capitals. {\n"
        "   =Canada -> Ottawa\n   =Italy  -> Rome\n   =Japan  -> Tokyo\n"
        "   =India  -> New Delhi\n   ####It's good to know the capitals\n}"
    )
    question = only(bank, text)
    assert question["type"] == "matching"
    assert question["payload"]["pairs"] == [
        {"left": "Canada", "right": "Ottawa"},
        {"left": "Italy", "right": "Rome"},
        {"left": "Japan", "right": "Tokyo"},
        {"left": "India", "right": "New Delhi"},
    ]
    assert question["explanation"] == "It's good to know the capitals"


def test_matching_distractor_without_left_side_is_reported(bank):
    report = import_text(bank, "Ordne zu. {=a -> 1 =b -> 2 = -> 3}")
    assert stored(bank)[0]["payload"]["pairs"] == [
        {"left": "a", "right": "1"},
        {"left": "b", "right": "2"},
    ]
    assert notes(report) == ["distractor"]


def test_numeric_value_and_tolerance(bank):
    question = only(bank, "When was Ulysses S. Grant born?{#1822:5}")
    assert (question["type"], question["payload"]) == (
        "numeric",
        {"solution": 1822, "tolerance": 5},
    )


def test_numeric_range_is_its_middle_and_half_its_width(bank):
    question = only(bank, "What is the value of pi (to 3 decimal places)? {#3.141..3.142}")
    assert question["payload"] == {"solution": 3.1415, "tolerance": 0.0005}


def test_numeric_with_several_answers_keeps_the_fully_right_one(bank):
    text = (
        "When was Ulysses S. Grant born? {#\n    =1822:0      # Correct! Full credit.\n"
        "    =%50%1822:2  # He was born in 1822. Half credit for being close.\n}"
    )
    report = import_text(bank, text)
    assert stored(bank)[0]["payload"] == {"solution": 1822, "tolerance": 0}
    assert notes(report) == ["partial_answer", "answer_feedback"]


def test_numeric_first_answer_may_go_without_equals_and_tilde_is_other_answers_feedback(bank):
    report = import_text(bank, "Wann? {#1822:0 =%50%1822:2 ~#Leider nein.}")
    assert stored(bank)[0]["payload"] == {"solution": 1822, "tolerance": 0}
    assert notes(report) == ["answer_feedback", "partial_answer"]


def test_numeric_decimal(bank):
    assert only(bank, "Wie viel Prozent? {#3.5:0.25}")["payload"] == {
        "solution": 3.5,
        "tolerance": 0.25,
    }


def test_essay_is_a_reflection(bank):
    question = only(bank, "Write a short biography of Dag Hammarskjöld. {}")
    assert (question["type"], question["asks"], question["payload"]) == (
        "reflection",
        "reflect",
        {"min_words": 0},
    )
    assert question["prompt"] == "Write a short biography of Dag Hammarskjöld."


def test_description_becomes_no_question_and_is_reported(bank):
    report = import_text(
        bank, "You can use your pencil and paper for these next math questions.\n\nZwei? {#2}"
    )
    assert [q["type"] for q in stored(bank)] == ["numeric"]
    assert [(s.line, s.note.code) for s in report.skipped] == [(1, "description")]


def test_per_answer_and_general_feedback(bank):
    text = (
        "What's the answer to this multiple-choice question? {\n"
        "~wrong answer#feedback comment on the wrong answer\n"
        "~another wrong answer#feedback comment on this wrong answer\n"
        "=right answer#Very good!\n####General feedback}"
    )
    question = only(bank, text)
    assert question["payload"]["options"] == [
        {
            "text": "wrong answer",
            "correct": False,
            "feedback": "feedback comment on the wrong answer",
        },
        {
            "text": "another wrong answer",
            "correct": False,
            "feedback": "feedback comment on this wrong answer",
        },
        {"text": "right answer", "correct": True, "feedback": "Very good!"},
    ]
    assert question["explanation"] == "General feedback"


def test_true_false_answer_feedback_is_reported_not_carried(bank):
    report = import_text(bank, "Die Erde ist flach. {F#Nein.#Richtig.}")
    assert stored(bank)[0]["payload"] == {"solution": False}
    assert notes(report) == ["answer_feedback"]


def test_weights_make_a_multiple_choice_question(bank):
    text = (
        "What two people are entombed in Grant's tomb? {\n   ~%-100%No one\n   ~%50%Grant\n"
        "   ~%50%Grant's wife\n   ~%-100%Grant's father\n}"
    )
    report = import_text(bank, text)
    [question] = stored(bank)
    assert question["type"] == "multiple_choice"
    assert [o["correct"] for o in question["payload"]["options"]] == [False, True, True, False]
    # -100 for a wrong pick is not our rule (right − wrong picked, shared equally): said so.
    assert notes(report) == ["weights"]


def test_equal_shares_carry_without_a_note(bank):
    report = import_text(bank, "Welche? {~%50%A ~%50%B ~%-50%C}")
    assert stored(bank)[0]["type"] == "multiple_choice"
    assert notes(report) == []


def test_escapes(bank):
    text = (
        "Which answer equals 5\\: a \\{brace\\}? {\n~ \\= 2 + 2\n= \\= 2 + 3\n~ \\= 2 \\~ 4 \\#1\n}"
    )
    question = only(bank, text)
    assert question["prompt"] == "Which answer equals 5: a {brace}?"
    assert [o["text"] for o in question["payload"]["options"]] == [
        "= 2 + 2",
        "= 2 + 3",
        "= 2 ~ 4 #1",
    ]


def test_backslash_n_is_a_line_break(bank):
    assert only(bank, "Erste Zeile\\nzweite Zeile {T}")["prompt"] == "Erste Zeile\nzweite Zeile"


def test_comments_categories_and_blank_line_separation(bank):
    text = (
        "// question: 1 name: Grant\n$CATEGORY: $course$/Geschichte\n\n"
        "// eine Frage\n::a::Erste? {T}\n\n\n::b::Zweite?\n// mitten in der Frage\n{F}\n"
    )
    report = import_text(bank, text)
    assert [(q["key"], q["prompt"], q["payload"]) for q in stored(bank)] == [
        ("a", "Erste?", {"solution": True}),
        ("b", "Zweite?", {"solution": False}),
    ]
    assert [(s.line, s.note.code, s.note.params) for s in report.skipped] == [
        (2, "category", {"name": "$course$/Geschichte"})
    ]
    assert [q.line for q in report.questions] == [5, 8]


@pytest.mark.parametrize("marker", ["[moodle]", "[plain]", "[markdown]"])
def test_format_markers_are_read_and_dropped(bank, marker):
    assert only(bank, f"::t::{marker}Ist das **fett**? {{T}}")["prompt"] == "Ist das **fett**?"


def test_html_answers_and_feedback_are_reduced_too(bank):
    question = only(
        bank, "[html]<p>Welche?</p>{=<b>A</b>#<i>gut</i> ~B &lt;C&gt; ####<p>Fertig</p>}"
    )
    assert question["payload"]["options"] == [
        {"text": "A", "correct": True, "feedback": "gut"},
        {"text": "B <C>", "correct": False},
    ]
    assert question["explanation"] == "Fertig"


def test_html_format_is_reduced_to_text(bank):
    report = import_text(
        bank, "::t::[html]<p>Ist <b>2 &amp; 2</b><script>alert(1)</script><br>gleich 4?</p>{T}"
    )
    assert stored(bank)[0]["prompt"] == "Ist 2 & 2\ngleich 4?"
    assert notes(report) == ["html_reduced"]


def test_images_in_html_are_reported_not_carried(bank):
    report = import_text(bank, '[html]Wer ist das? <img src="rubio.png" alt="Foto">{=Rubio}')
    assert stored(bank)[0]["prompt"] == "Wer ist das?"
    assert notes(report) == ["images", "html_reduced"]


def test_crlf_and_bom(bank):
    data = "\ufeff::a::Erste? {T}\r\n\r\n::b::Zweite?\r\n{=ja =Ja}\r\n".encode()
    report = import_questions(bank, "windows.gift", data, "gift")
    assert [(q.key, q.line) for q in report.questions] == [("a", 1), ("b", 3)]
    assert stored(bank)[0]["prompt"] == "Erste?"
    assert stored(bank)[1]["payload"]["gaps"][0]["answers"] == ["ja", "Ja"]


def test_latin1_file_is_refused_with_its_line(bank):
    data = "::a::Erste? {T}\n\n::b::Größe? {T}\n".encode("latin-1")
    with pytest.raises(ServiceError) as caught:
        import_questions(bank, "alt.gift", data, "gift")
    assert caught.value.code == "not_utf8"
    assert caught.value.params == {"file": "alt.gift", "line": 3, "encoding": "Latin-1"}
    assert stored(bank) == []


def test_keys_never_collide_with_the_banks_questions(bank):
    import_text(bank, "::frage::Erste? {T}")
    report = import_text(bank, "::frage::Zweite? {T}\n\nZweite? {F}")
    assert [q.key for q in report.questions] == ["frage-2", "zweite"]
    assert notes(report) == ["key_changed"]


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (
            "::a::Erste? {T}\n\n::b::Zweite? {=ja =nein\n\n::c::Dritte? {T}",
            "gift_unclosed_brace",
            3,
        ),
        ("::a::Erste? {T}\n\nZweite?\n{=ja Paris}", "gift_unclosed_brace", 4),
        ("Welche Stadt? {\nParis\n~Rom}", "gift_answer_without_mark", 2),
        ("Welche? {=A ~%abc%B}", "gift_bad_weight", 1),
        ("Welche? {=A\n~%150%B}", "gift_bad_weight", 2),
        ("Welche? {=A ~%50B}", "gift_bad_weight", 1),
        ("::a::Erste?\n{#zwei}", "gift_bad_number", 2),
        ("::a Erste? {T}", "gift_unclosed_title", 1),
        ("Erste? } {T}", "gift_stray_brace", 1),
        ("Erste? {T} und {F}", "gift_two_answer_blocks", 1),
        ("Welche? {~A ~B}", "gift_no_right_answer", 1),
        ("Welche? {=A ~}", "gift_empty_answer", 1),
        ("Wahr? {true}", "gift_unknown_type", 1),
        ("Hauptstadt?\n{Paris}", "gift_unknown_type", 2),
        ("Hauptstadt? {Paris =Berlin}", "gift_answer_without_mark", 1),
        ("::a::\n{T}", "gift_no_text", 1),
    ],
)
def test_malformed_gift_names_the_line_and_imports_nothing(bank, text, code, line):
    text = text.replace("{=ja Paris}", "{=ja {Paris}")
    error = refused(bank, "::ok::Gültig? {T}\n\n" + text)
    assert (error.code, error.params["line"]) == (code, line + 2)
    assert error.params["file"] == "test.gift"


def test_a_file_without_questions_is_refused(bank):
    error = refused(bank, "// nur ein Kommentar\n\nNur eine Beschreibung.\n")
    assert error.code == "no_questions"


def test_a_question_our_types_cannot_hold_names_its_line(bank):
    options = " ".join(f"~Option {n}" for n in range(9))
    error = refused(bank, f"::ok::Gültig? {{T}}\n\n\nZu viele? {{=Richtig {options}}}")
    assert (error.code, error.field, error.params["line"]) == ("invalid_question", "options", 4)


def test_one_megabyte_file_imports_all_its_questions(bank):
    # About 1,100 questions of 1 KB each (a long general feedback, as real files have).
    feedback = "Marco Rubio ließ sich vertreten; Johann Wadephul war da. " * 15
    block = (
        "::f{n}::Frage {n}: Wer nahm nicht teil?\n"
        "{{=Marco Rubio ~Mark Rutte ~Johann Wadephul ####" + feedback + "}}\n\n"
    )
    parts, size, n = [], 0, 0
    while size < 1024 * 1024:
        part = block.format(n=n)
        parts.append(part)
        size += len(part.encode())
        n += 1
    data = "".join(parts).encode()
    assert len(data) >= 1024 * 1024
    report = import_questions(bank, "gross.gift", data, "gift")
    assert len(report.questions) == n > 1000
    assert db.session.scalar(select(func.count()).select_from(Question)) == n
    last = stored(bank)[-1]
    assert (last["key"], last["explanation"]) == (f"f{n - 1}", feedback.strip())


def test_one_megabyte_file_with_an_error_at_the_end_imports_nothing(bank):
    good = "Frage? {=ja ~nein ####" + "Begründung. " * 90 + "}\n\n"
    data = (good * 1000 + "Kaputt? {=ja\n").encode()
    assert len(data) > 1024 * 1024
    with pytest.raises(ServiceError) as caught:
        import_questions(bank, "gross.gift", data, "gift")
    assert (caught.value.code, caught.value.params["line"]) == ("gift_unclosed_brace", 2001)
    assert stored(bank) == []
