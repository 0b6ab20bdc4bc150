"""The grading registry: parsing answers, scoring them, and what learners see before answering."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.grading import (
    TYPES,
    AnswerError,
    Grade,
    grade,
    item_id,
    normalise,
    parse_answer,
    present,
    solution,
)


@pytest.fixture(autouse=True)
def _clean_state():
    """Grading is pure: these tests need neither the app nor a database to clean."""
    yield


# conftest's remaining autouse fixture keeps no state between examples.
settings.register_profile(
    "grading",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    max_examples=60,
    deadline=None,
)
property_settings = settings.get_profile("grading")

SINGLE = {
    "options": [
        {"text": "Marco Rubio", "correct": True, "feedback": "Er fehlte."},
        {"text": "Mark Rutte", "correct": False},
        {"text": "Johann Wadephul", "correct": False},
    ]
}
MULTIPLE = {
    "options": [
        {"text": "Kanada", "correct": True},
        {"text": "Neuseeland", "correct": True},
        {"text": "Deutschland", "correct": False},
        {"text": "Australien", "correct": True},
        {"text": "Frankreich", "correct": False},
    ]
}
TRUE_FALSE = {"solution": False, "statement": "Artikel 5 enthält keine Beistandspflicht."}
CLOZE = {
    "text": "Die Außenminister trafen sich in {1}, das Bündnis hat {2} Mitglieder.",
    "gaps": [
        {"answers": ["Brüssel"], "typo_tolerance": 1},
        {"answers": ["32", "zweiunddreißig"], "typo_tolerance": 0},
    ],
}
NUMERIC = {"solution": 32, "tolerance": 0, "unit": "Staaten"}
NUMERIC_TOLERANT = {"solution": 3.3, "tolerance": 0.1, "unit": "Prozent"}
ORDERING = {"items": ["Hegseth in Brüssel", "Gipfel in Den Haag", "Gabbard-Memo", "Treffen"]}
MATCHING = {
    "pairs": [
        {"left": "Marco Rubio", "right": "US-Außenminister"},
        {"left": "Pete Hegseth", "right": "US-Verteidigungsminister"},
        {"left": "Oana Lungescu", "right": "NATO-Sprecherin"},
        {"left": "Mark Rutte", "right": "NATO-Generalsekretär"},
    ]
}
FACT_OR_OPINION = {
    "statement": "Die NATO ist für Trump anscheinend nur noch dazu da, die Europäer zu melken.",
    "solution": "opinion",
    "choices": ["fact", "opinion"],
    "markers": ["anscheinend", "melken"],
}
REFLECTION = {"min_words": 3}

PAYLOADS = {
    "single_choice": SINGLE,
    "multiple_choice": MULTIPLE,
    "true_false": TRUE_FALSE,
    "cloze": CLOZE,
    "numeric": NUMERIC,
    "ordering": ORDERING,
    "matching": MATCHING,
    "fact_or_opinion": FACT_OR_OPINION,
    "reflection": REFLECTION,
}
ID = {text: item_id(text) for text in ORDERING["items"]}
# The options' public ids, in file order.
S = [item_id(o["text"]) for o in SINGLE["options"]]
M = [item_id(o["text"]) for o in MULTIPLE["options"]]
RIGHT = [item_id(pair["right"]) for pair in MATCHING["pairs"]]


def right_answer(qtype: str, payload: dict):
    """Build the canonical right answer from a payload, independently of solution()."""
    if qtype == "single_choice":
        return next(item_id(o["text"]) for o in payload["options"] if o["correct"])
    if qtype == "multiple_choice":
        return [item_id(o["text"]) for o in payload["options"] if o["correct"]]
    if qtype in ("true_false", "numeric", "fact_or_opinion"):
        return payload["solution"]
    if qtype == "cloze":
        return [gap["answers"][-1] for gap in payload["gaps"]]
    if qtype == "ordering":
        return [item_id(text) for text in payload["items"]]
    if qtype == "matching":
        return {str(i): item_id(pair["right"]) for i, pair in enumerate(payload["pairs"])}
    return "Ich würde die Quelle mit einer zweiten vergleichen."


def scored(qtype: str, payload: dict, raw) -> float | None:
    """Parse a raw answer and return its score."""
    return grade(qtype, payload, parse_answer(qtype, payload, raw)).score


@pytest.mark.parametrize(
    ("qtype", "payload", "raw", "score"),
    [
        ("single_choice", SINGLE, S[0], 1.0),
        ("single_choice", SINGLE, f" {S[0]} ", 1.0),
        ("single_choice", SINGLE, S[2], 0.0),
        ("multiple_choice", MULTIPLE, [M[0], M[1], M[3]], 1.0),
        ("multiple_choice", MULTIPLE, [M[2], M[4]], 0.0),
        ("multiple_choice", MULTIPLE, [M[1], M[0]], 2 / 3),
        ("true_false", TRUE_FALSE, "false", 1.0),
        ("true_false", TRUE_FALSE, True, 0.0),
        ("cloze", CLOZE, ["Brüssel", "32"], 1.0),
        ("cloze", CLOZE, ["Paris", "31"], 0.0),
        ("cloze", CLOZE, ["bruessel", "30"], 0.5),
        ("cloze", CLOZE, ["Den Haag", "Zweiunddreissig"], 0.5),
        ("numeric", NUMERIC, "32", 1.0),
        ("numeric", NUMERIC, 31, 0.0),
        ("ordering", ORDERING, [ID[t] for t in ORDERING["items"]], 1.0),
        ("ordering", ORDERING, [ID[t] for t in reversed(ORDERING["items"])], 0.0),
        (
            "ordering",
            ORDERING,
            [
                ID[t]
                for t in ["Hegseth in Brüssel", "Gabbard-Memo", "Gipfel in Den Haag", "Treffen"]
            ],
            0.5,
        ),
        ("matching", MATCHING, {"0": RIGHT[0], "1": RIGHT[1], "2": RIGHT[2], "3": RIGHT[3]}, 1.0),
        ("matching", MATCHING, {"0": RIGHT[1], "1": RIGHT[0], "2": RIGHT[3], "3": RIGHT[2]}, 0.0),
        ("matching", MATCHING, {0: RIGHT[0], 1: RIGHT[2], 2: RIGHT[1], 3: RIGHT[3]}, 0.5),
        ("fact_or_opinion", FACT_OR_OPINION, "opinion", 1.0),
        ("fact_or_opinion", FACT_OR_OPINION, " Fact", 0.0),
    ],
)
def test_answers_score_by_the_types_rule(qtype, payload, raw, score):
    """Right, wrong and partly right answers of every gradable type score as documented."""
    result = scored(qtype, payload, raw)
    assert result == pytest.approx(score)
    assert grade(qtype, payload, parse_answer(qtype, payload, raw)).correct is (score == 1.0)


def test_reflection_is_saved_unscored():
    """A reflection keeps its text and has neither score nor correctness."""
    answer = parse_answer("reflection", REFLECTION, "  Ich prüfe das Impressum.  ")
    assert answer == "Ich prüfe das Impressum."
    assert grade("reflection", REFLECTION, answer) == Grade(None, None, {"words": 4})


@pytest.mark.parametrize(
    ("picked", "score"),
    [
        ([0, 1, 3], 1.0),  # exactly the right set
        ([0, 1, 3, 2], 2 / 3),  # all right, one wrong
        ([0, 1, 2, 3, 4], 1 / 3),  # everything
        ([0], 1 / 3),
        ([0, 2], 0.0),  # one right cancelled by one wrong
        ([0, 2, 4], 0.0),  # never below zero
        ([2, 4], 0.0),
    ],
)
def test_multiple_choice_deducts_wrong_picks_but_never_goes_below_zero(picked, score):
    """max(0, right picked − wrong picked) / right total."""
    answer = [M[i] for i in picked]
    assert grade("multiple_choice", MULTIPLE, answer).score == pytest.approx(score)


def test_multiple_choice_half_right():
    """One of two right options and no wrong one scores one half."""
    payload = {
        "options": [
            {"text": "a", "correct": True},
            {"text": "b", "correct": True},
            {"text": "c", "correct": False},
        ]
    }
    assert scored("multiple_choice", payload, [item_id("b")]) == 0.5


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("BRÜSSEL ", "bruessel"),
        ("Bruessel", "bruessel"),
        ("brussel", "brussel"),  # a missing umlaut is not folded into a match
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("Nord-Atlantik", "nord atlantik"),
        ("Nord  Atlantik", "nord atlantik"),
        ("Nord – Atlantik", "nord atlantik"),
        ("„Den Haag“.", "den haag"),
        ("'Öl' ", "oel"),
        ("u\u0308ber", "ueber"),  # a combining diaeresis counts as ü
        ("U.S.A.", "u.s.a"),
    ],
)
def test_normalise_folds_german_spelling_variants(typed, expected):
    """Case, umlauts, ß, spacing, hyphens and surrounding punctuation are folded."""
    assert normalise(typed) == expected


@pytest.mark.parametrize(
    ("typed", "tolerance", "right"),
    [
        ("Brüssel", 0, True),
        ("BRÜSSEL ", 0, True),
        ("Bruessel", 0, True),
        ("brussel", 0, False),
        ("brussel", 1, True),
        ("Brüsel", 0, False),
        ("Brüsel", 1, True),
        ("Brusel", 1, False),
        ("Brusel", 2, True),
        ("Berlin", 2, False),
    ],
)
def test_cloze_typo_tolerance_is_an_edit_distance_after_normalising(typed, tolerance, right):
    """typo_tolerance allows that many edits on the normalised text, no more."""
    payload = {"text": "In {1}.", "gaps": [{"answers": ["Brüssel"], "typo_tolerance": tolerance}]}
    assert scored("cloze", payload, [typed]) == (1.0 if right else 0.0)


@pytest.mark.parametrize(
    ("payload", "raw", "right"),
    [
        (NUMERIC, "32", True),
        (NUMERIC, " 32 Staaten", True),
        (NUMERIC, "32,0", True),
        (NUMERIC, 32.0, True),
        (NUMERIC, "33", False),
        (NUMERIC_TOLERANT, "3,4", True),  # tolerance is inclusive
        (NUMERIC_TOLERANT, "3.2", True),
        (NUMERIC_TOLERANT, 3.3, True),
        (NUMERIC_TOLERANT, "3,41", False),
        (NUMERIC_TOLERANT, "-3,3", False),
        ({"solution": -2.5}, "−2,5", True),
        ({"solution": 0.5}, ",5", True),
    ],
)
def test_numeric_accepts_german_commas_and_its_tolerance(payload, raw, right):
    """A number within the tolerance (inclusive) is right; "3,5" reads as 3.5."""
    assert scored("numeric", payload, raw) == (1.0 if right else 0.0)


@pytest.mark.parametrize(
    ("qtype", "raw", "canonical"),
    [
        ("single_choice", f" {S[1]} ", S[1]),
        ("multiple_choice", [M[3], M[0]], [M[0], M[3]]),
        ("true_false", "True", True),
        ("cloze", [" Brüssel ", "32"], ["Brüssel", "32"]),
        ("numeric", "3,5", 3.5),
        ("numeric", "32", 32),
        ("ordering", ("a", "b"), None),
        ("matching", {3: RIGHT[3], "0": RIGHT[0], "2": RIGHT[2], "1": RIGHT[1]}, None),
        ("fact_or_opinion", "Opinion ", "opinion"),
        ("reflection", " Ein zwei drei ", "Ein zwei drei"),
    ],
)
def test_form_values_become_the_canonical_answer(qtype, raw, canonical):
    """Form strings are turned into the JSON answer that gets stored."""
    payload = PAYLOADS[qtype]
    if qtype == "ordering":
        raw, canonical = [ID[t] for t in ORDERING["items"]], [ID[t] for t in ORDERING["items"]]
    if qtype == "matching":
        canonical = {str(i): RIGHT[i] for i in range(4)}
    answer = parse_answer(qtype, payload, raw)
    assert answer == canonical
    assert type(answer) is type(canonical)
    assert json.loads(json.dumps(answer)) == answer


@pytest.mark.parametrize(
    ("qtype", "raw", "message"),
    [
        ("single_choice", None, "Choose an option"),
        ("single_choice", "3", "does not exist"),
        ("single_choice", -1, "offered options"),
        ("single_choice", 0, "offered options"),
        ("single_choice", "eins", "does not exist"),
        ("single_choice", True, "offered options"),
        ("single_choice", "²", "does not exist"),
        ("single_choice", "9" * 5000, "does not exist"),
        ("single_choice", 1.0, "offered options"),
        ("multiple_choice", [], "at least one"),
        ("multiple_choice", "0", "one or more"),
        ("multiple_choice", [M[0], M[0]], "only once"),
        ("multiple_choice", [M[0], "5"], "does not exist"),
        ("multiple_choice", [0, 1], "offered options"),
        ("true_false", "yes", "true or false"),
        ("true_false", 1, "true or false"),
        ("cloze", ["Brüssel"], r"every gap \(2 in all\)"),
        ("cloze", ["Brüssel", "32", "x"], r"every gap \(2 in all\)"),
        ("cloze", "Brüssel", "Fill in the gaps"),
        ("cloze", [" ", ""], "at least one gap"),
        ("cloze", ["Brüssel", 32], "must be text"),
        ("cloze", ["x" * 5001, "32"], "too long"),
        ("numeric", "zweiunddreißig", "Enter a number"),
        ("numeric", "1.000,5", "Enter a number"),
        ("numeric", "", "Enter a number"),
        ("numeric", "nan", "Enter a number"),
        ("numeric", float("inf"), "Enter a number"),
        ("numeric", True, "Enter a number"),
        ("numeric", 10**400, "Enter a number"),
        ("numeric", "1e5", "Enter a number"),
        ("numeric", "٣", "Enter a number"),
        ("numeric", [32], "Enter a number"),
        ("ordering", [ID["Treffen"]] * 4, "only once"),
        ("ordering", [ID["Treffen"], ID["Gabbard-Memo"]], "every item"),
        (
            "ordering",
            ["0123456789", ID["Treffen"], ID["Gabbard-Memo"], ID["Gipfel in Den Haag"]],
            "not in this question",
        ),
        ("ordering", ["", "", "", ""], "every item"),
        ("ordering", "abc", "in an order"),
        ("matching", [RIGHT[0]], "Match each item"),
        ("matching", {"0": RIGHT[0], "1": RIGHT[1]}, "every item"),
        ("matching", {"0": RIGHT[0], "1": RIGHT[1], "2": RIGHT[2], "3": ""}, "every item"),
        (
            "matching",
            {"0": RIGHT[0], "1": RIGHT[1], "2": RIGHT[2], "3": "ffffffffff"},
            "partner that is not",
        ),
        (
            "matching",
            {"0": RIGHT[0], "1": RIGHT[1], "2": RIGHT[2], "9": RIGHT[3]},
            "item that is not",
        ),
        ("matching", {"0": RIGHT[0], 0: RIGHT[1], "2": RIGHT[2], "3": RIGHT[3]}, "only once"),
        ("fact_or_opinion", "quote", "offered categories"),
        ("fact_or_opinion", None, "offered categories"),
        ("reflection", "  ", "Write an answer"),
        ("reflection", "Zu kurz", "at least 3 words"),
        ("reflection", "Wort " * 1001, "too long"),
        ("reflection", {"text": "a b c"}, "must be text"),
    ],
)
def test_malformed_answers_are_rejected_with_a_clear_message(qtype, raw, message):
    """Anything malformed raises AnswerError with a message the learner can act on."""
    with pytest.raises(AnswerError, match=message):
        parse_answer(qtype, PAYLOADS[qtype], raw)


@pytest.mark.parametrize(
    ("qtype", "raw", "message", "params", "text"),
    [
        (
            "cloze",
            ["Brüssel"],
            "Fill in every gap (%(count)s in all).",
            {"count": 2},
            "Fill in every gap (2 in all).",
        ),
        (
            "reflection",
            "Zu kurz",
            "Write at least %(count)s words.",
            {"count": 3},
            "Write at least 3 words.",
        ),
        (
            "reflection",
            "x" * 5001,
            "The answer is too long (at most %(max)s characters).",
            {"max": 5000},
            "The answer is too long (at most 5000 characters).",
        ),
        ("single_choice", "7", "That option does not exist.", {}, "That option does not exist."),
    ],
)
def test_answer_errors_carry_a_translatable_message_and_its_numbers(
    qtype, raw, message, params, text
):
    """Callers translate error.message and fill in error.params; str() is the English text."""
    with pytest.raises(AnswerError) as caught:
        parse_answer(qtype, PAYLOADS[qtype], raw)
    assert (caught.value.message, caught.value.params, str(caught.value)) == (message, params, text)


def test_unknown_type_is_a_value_error():
    """Every public function refuses a type the registry does not know."""
    for call in (
        lambda: parse_answer("essay", {}, "x"),
        lambda: grade("essay", {}, "x"),
        lambda: present("essay", {}),
        lambda: solution("essay", {}),
    ):
        with pytest.raises(ValueError, match="unknown question type"):
            call()


def test_item_id_is_the_first_ten_hex_digits_of_sha256():
    """Item ids follow questions/README.md."""
    assert item_id("Gabbard-Memo") == "e21e4f0c40"
    assert item_id("Außenministertreffen") == "6f8ba1084b"


def _keys(value) -> set[str]:
    """All dict keys anywhere in a JSON-like value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


REVEALING = {"correct", "solution", "answers", "tolerance", "feedback", "markers"}


@pytest.mark.parametrize("order_seed", [None, 7])
@pytest.mark.parametrize("qtype", TYPES)
def test_present_reveals_nothing_of_the_key(qtype, order_seed):
    """The view before answering has no key fields, and no cloze or numeric solution."""
    view = present(qtype, PAYLOADS[qtype], order_seed=order_seed)
    assert not _keys(view) & REVEALING
    shown = json.dumps(view, ensure_ascii=False)
    if qtype == "cloze":
        assert "Brüssel" not in shown and "32" not in shown
    if qtype == "numeric":
        assert "32" not in shown
    if qtype == "ordering":
        assert [item["id"] for item in view["items"]] != [ID[t] for t in ORDERING["items"]]
        assert sorted(item["text"] for item in view["items"]) == sorted(ORDERING["items"])
    if qtype == "matching":
        assert [r["id"] for r in view["rights"]] != RIGHT
        assert [left["index"] for left in view["lefts"]] == [0, 1, 2, 3]


def test_present_shows_what_the_learner_needs():
    """Statements, units, cloze parts and minimum words are shown."""
    assert present("true_false", TRUE_FALSE) == {"statement": TRUE_FALSE["statement"]}
    assert present("numeric", NUMERIC) == {"unit": "Staaten"}
    assert present("cloze", CLOZE)["parts"] == [
        "Die Außenminister trafen sich in ",
        1,
        ", das Bündnis hat ",
        2,
        " Mitglieder.",
    ]
    assert present("fact_or_opinion", FACT_OR_OPINION) == {
        "statement": FACT_OR_OPINION["statement"],
        "choices": ["fact", "opinion"],
    }
    assert present("reflection", REFLECTION) == {"min_words": 3}


def test_options_are_alphabetical_unless_a_seed_shuffles_them():
    """Without a seed options are in alphabetical order (never the file's, where authors put
    the right option first); with one they are shuffled, ids kept."""
    texts = [o["text"] for o in MULTIPLE["options"]]
    shown = [o["text"] for o in present("multiple_choice", MULTIPLE)["options"]]
    assert shown == sorted(texts, key=str.casefold) != texts
    shuffled = present("multiple_choice", MULTIPLE, order_seed=3)["options"]
    assert shuffled == present("multiple_choice", MULTIPLE, order_seed=3)["options"]
    assert [o["text"] for o in shuffled] != texts
    assert {o["id"]: o["text"] for o in shuffled} == {item_id(t): t for t in texts}


def test_option_ids_do_not_tell_where_the_right_option_stands():
    """Authors often write the right option first: an option's id is made from its text, so
    neither the id nor (with a seed) the shown place gives the file position away."""
    payload = {"options": [{"text": t, "correct": t == "Rubio"} for t in ("Rubio", "Rutte")]}
    ids = [o["id"] for o in present("single_choice", payload)["options"]]
    assert ids == [item_id("Rubio"), item_id("Rutte")]
    assert parse_answer("single_choice", payload, item_id("Rubio")) == item_id("Rubio")
    for raw in (0, "0", 1):
        with pytest.raises(AnswerError):
            parse_answer("single_choice", payload, raw)
    assert solution("single_choice", payload) == {"options": [item_id("Rubio")]}


@pytest.mark.parametrize(
    ("qtype", "expected"),
    [
        ("single_choice", {"options": [S[0]]}),
        ("multiple_choice", {"options": [M[0], M[1], M[3]]}),
        ("true_false", {"value": False}),
        ("cloze", {"gaps": ["Brüssel", "32"]}),
        ("numeric", {"value": 32, "unit": "Staaten", "tolerance": 0}),
        ("ordering", {"order": ORDERING["items"]}),
        ("matching", {"pairs": [[p["left"], p["right"]] for p in MATCHING["pairs"]]}),
        ("fact_or_opinion", {"category": "opinion", "markers": ["anscheinend", "melken"]}),
        ("reflection", {}),
    ],
)
def test_solution_is_ready_to_display(qtype, expected):
    """solution() gives the right answer in display form."""
    assert solution(qtype, PAYLOADS[qtype]) == expected


# --- properties over random payloads --------------------------------------------------------

words = st.text(alphabet="abcdeäöüßABCÄÖÜ -", min_size=1, max_size=12).filter(
    lambda t: normalise(t) != ""
)
texts = st.text(min_size=1, max_size=30)


@st.composite
def choice_payloads(draw):
    """Options with at least one correct."""
    flags = draw(st.lists(st.booleans(), min_size=2, max_size=8).filter(any))
    return {"options": [{"text": f"Option {i}", "correct": f} for i, f in enumerate(flags)]}


@st.composite
def payloads(draw):
    """A (type, payload, random valid raw answer) for any gradable type."""
    qtype = draw(st.sampled_from(TYPES[:-1]))
    if qtype == "single_choice":
        n = draw(st.integers(2, 8))
        right = draw(st.integers(0, n - 1))
        payload = {"options": [{"text": str(i), "correct": i == right} for i in range(n)]}
        answer = item_id(str(draw(st.integers(0, n - 1))))
    elif qtype == "multiple_choice":
        payload = draw(choice_payloads())
        ids = [item_id(o["text"]) for o in payload["options"]]
        answer = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    elif qtype == "true_false":
        payload, answer = {"solution": draw(st.booleans())}, draw(st.booleans())
    elif qtype == "cloze":
        gaps = draw(st.lists(st.lists(words, min_size=1, max_size=3), min_size=1, max_size=4))
        payload = {
            "text": " ".join(f"{{{i + 1}}}" for i in range(len(gaps))),
            "gaps": [{"answers": a, "typo_tolerance": draw(st.integers(0, 2))} for a in gaps],
        }
        answer = draw(st.lists(words, min_size=len(gaps), max_size=len(gaps)))
    elif qtype == "numeric":
        number = st.floats(allow_nan=False, allow_infinity=False, width=32)
        payload = {"solution": draw(number), "tolerance": abs(draw(number))}
        answer = draw(number)
    elif qtype == "ordering":
        payload = {"items": draw(st.lists(texts, min_size=2, max_size=8, unique=True))}
        answer = draw(st.permutations([item_id(t) for t in payload["items"]]))
    elif qtype == "matching":
        lefts = draw(st.lists(texts, min_size=2, max_size=8))
        rights = draw(st.lists(texts, min_size=len(lefts), max_size=len(lefts)))
        payload = {"pairs": [{"left": a, "right": b} for a, b in zip(lefts, rights, strict=True)]}
        answer = {str(i): item_id(draw(st.sampled_from(rights))) for i in range(len(lefts))}
    else:
        choices = draw(
            st.lists(
                st.sampled_from(["fact", "opinion", "claim", "quote", "prediction"]),
                min_size=2,
                unique=True,
            )
        )
        payload = {"statement": "S", "solution": draw(st.sampled_from(choices)), "choices": choices}
        answer = draw(st.sampled_from(choices))
    return qtype, payload, answer


@property_settings
@given(payloads())
def test_every_score_lies_between_zero_and_one(case):
    """Any valid answer to any valid payload scores within 0..1 with JSON-safe detail."""
    qtype, payload, raw = case
    answer = parse_answer(qtype, payload, raw)
    result = grade(qtype, payload, answer)
    assert 0.0 <= result.score <= 1.0
    assert result.correct is (result.score == 1.0)
    assert json.loads(json.dumps(result.detail)) == result.detail


@property_settings
@given(payloads())
def test_the_right_answer_always_scores_one(case):
    """The answer built from the payload's key scores exactly 1."""
    qtype, payload, _ = case
    answer = parse_answer(qtype, payload, right_answer(qtype, payload))
    assert grade(qtype, payload, answer) == Grade(1.0, True, grade(qtype, payload, answer).detail)


@property_settings
@given(payloads())
def test_parsing_a_canonical_answer_changes_nothing(case):
    """parse_answer is idempotent, so stored answers can be re-checked safely."""
    qtype, payload, raw = case
    answer = parse_answer(qtype, payload, raw)
    assert parse_answer(qtype, payload, answer) == answer


@property_settings
@given(st.lists(texts, min_size=2, max_size=8, unique=True), st.none() | st.integers())
def test_ordering_is_never_shown_in_the_right_order(items, order_seed):
    """Whatever the items and seed, the shown order is not the answer."""
    view = present("ordering", {"items": items}, order_seed=order_seed)
    assert [item["id"] for item in view["items"]] != [item_id(t) for t in items]
    assert sorted(item["text"] for item in view["items"]) == sorted(items)


@property_settings
@given(st.lists(texts, min_size=2, max_size=8, unique=True), st.randoms())
def test_shown_order_depends_only_on_the_set_of_items(items, rnd):
    """Two orders of the same items are shown alike (unless one is the right order itself)."""
    other = list(items)
    rnd.shuffle(other)
    first = present("ordering", {"items": items})["items"]
    second = present("ordering", {"items": other})["items"]
    if [i["text"] for i in first] != other and [i["text"] for i in second] != items:
        assert first == second
