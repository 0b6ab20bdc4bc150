"""Draft questions from two German articles in different domains, checked over the whole
generated set: enough drafts, gaps that are spans of their sentence, distractors of the
answer's own type, opinion sentences opinion-like and dated/numbered facts fact-like."""

import re
from pathlib import Path

import pytest
import yaml

from quizapp.banks.articles import read_seed
from quizapp.banks.validate import read_loaded_words, validate_text
from quizapp.generate import bank_document, looks_german, propose, term_type

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nato-2025-12-04.txt"
SECOND = ROOT / "tests" / "data" / "klima-lueneburg-2026-03-12.txt"
MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"


def _seed_annotation() -> dict[str, list[str]]:
    """The fact-check's opinions (O1–O9) and its checkable statements (kind fact, or claim
    where the verdict is not "true") that carry a date or number."""
    bank = yaml.safe_load((ROOT / "questions" / "nato-2025-12-04.yaml").read_text("utf-8"))
    opinion = [c["quote"] for c in bank["claims"] if c["kind"] == "opinion"]
    fact = [
        c["quote"]
        for c in bank["claims"]
        if c["kind"] in ("fact", "claim") and re.search(rf"\d|{MONTHS}", c["quote"])
    ]
    return {"opinion": opinion, "fact": fact}


def _second_annotation() -> dict[str, list[str]]:
    """The annotation written with the second article."""
    return yaml.safe_load(SECOND.with_suffix(".yaml").read_text("utf-8"))


ARTICLES = [(SEED, _seed_annotation), (SECOND, _second_annotation)]


@pytest.fixture(scope="module", params=ARTICLES, ids=["nato-seed", "klima-lueneburg"])
def case(request):
    path, annotation = request.param
    seed = read_seed(path)
    return seed, propose(seed.text), annotation()


def test_enough_drafts_over_enough_sentences(case):
    _, proposal, _ = case
    assert len(proposal.drafts) >= 25
    assert proposal.sentence_count >= 12
    assert {d.type for d in proposal.drafts} >= {
        "cloze",
        "single_choice",
        "true_false",
        "fact_or_opinion",
    }


def test_every_cloze_answer_is_a_span_of_its_sentence(case):
    seed, proposal, _ = case
    clozes = [d for d in proposal.drafts if d.type == "cloze"]
    assert clozes
    for draft in clozes:
        sentence = draft.claim.sentence
        assert seed.text[sentence.start : sentence.end] == sentence.text
        (answer,) = draft.fields["gaps"][0]["answers"]
        assert answer == draft.answer and answer in sentence.text
        assert draft.fields["text"].replace("{1}", answer) == sentence.text


def test_distractors_differ_from_the_answer_and_share_its_type(case):
    _, proposal, _ = case
    known = proposal.analysis.known
    choices = [d for d in proposal.drafts if d.distractors]
    assert len(choices) >= 8
    for draft in choices:
        wanted = term_type(draft.answer, known)
        assert wanted is not None, draft.answer
        for distractor in draft.distractors:
            assert distractor.casefold() != draft.answer.casefold()
            assert term_type(distractor, known) == wanted, (draft.answer, distractor)
        if draft.type == "single_choice":
            texts = [o["text"] for o in draft.fields["options"]]
            assert len(texts) == 4 and len(set(texts)) == 4
            assert [o["text"] for o in draft.fields["options"] if o["correct"]] == [draft.answer]


def _claims_over(proposal, seed, quote: str):
    """The generated claims that overlap a quote of the article."""
    start = seed.text.find(quote)
    assert start >= 0, quote
    end = start + len(quote)
    return [c for c in proposal.analysis.claims if c.start < end and start < c.end]


def test_opinion_sentences_come_out_opinion_like(case):
    seed, proposal, annotation = case
    assert len(annotation["opinion"]) >= 7
    for quote in annotation["opinion"]:
        claims = _claims_over(proposal, seed, " ".join(quote.split()))
        assert claims and all(c.opinion_like for c in claims), (quote, [c.kind for c in claims])


def test_dated_and_numbered_facts_come_out_fact_like(case):
    seed, proposal, annotation = case
    assert len(annotation["fact"]) >= 3
    for quote in annotation["fact"]:
        claims = _claims_over(proposal, seed, " ".join(quote.split()))
        assert claims and all(c.fact_like for c in claims), (quote, [c.kind for c in claims])


def test_opinions_never_become_world_questions_and_each_draft_says_why(case):
    _, proposal, _ = case
    for draft in proposal.drafts:
        assert draft.asks in ("text", "classify")
        assert draft.reason and draft.sentence
        if draft.claim.opinion_like:
            assert draft.type == "fact_or_opinion"
            assert (
                draft.fields["solution"] == "opinion"
                and draft.fields["markers"] != []
                or ("rhetorische Frage" in draft.claim.markers)
            )


def test_drafts_validate_as_a_bank_file(case):
    """Valid bank format; the only open points are the counter-positions a teacher adds to
    opinion claims before publishing (the validator demands them)."""
    seed, proposal, _ = case
    document = bank_document("entwuerfe", "Entwürfe", "artikel", proposal.drafts)
    loaded_words = read_loaded_words(ROOT / "questions" / "loaded_words.txt")
    _, errors = validate_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
        "entwuerfe.yaml",
        lambda slug: seed.text,
        loaded_words,
    )
    opinions = {c["key"] for c in document["claims"] if c["kind"] == "opinion"}
    open_points = [
        e
        for e in errors
        if ("counter_positions" in e.field and e.field.split("[")[1].split("]")[0] in opinions)
        or ("explanation" in e.field and "counter-position" in e.message)
    ]
    assert errors == open_points, [str(e) for e in errors if e not in open_points][:5]


def test_quotes_name_their_speaker():
    proposal = propose(read_seed(SEED).text)
    speakers = {c.speaker for c in proposal.analysis.claims if c.kind == "quote"}
    assert {"Oana Lungescu", "Freuding", "Sprecher des Außenministeriums"} <= speakers


def test_multi_word_names_are_one_span():
    analysis = propose(read_seed(SEED).text).analysis
    assert {"Oana Lungescu", "Christian Freuding", "Marco Rubio"} <= set(
        analysis.spans_of("person")
    )
    assert {"The Atlantic", "Five Eyes"} <= set(analysis.spans_of("organisation"))


def test_only_german_texts_count_as_german():
    assert looks_german(read_seed(SECOND).text)
    english = "The city council approved the plan on Tuesday, and the mayor said it is a start."
    assert not looks_german(english * 5)


def test_names_the_lexicon_does_not_know_are_found_by_rules():
    """Persons by first name, bodies by compound head or an English title, places after a
    preposition: none of these is in the shipped lexicon."""
    text = (
        "Die Bürgermeisterin Hanna Wolters sprach am 2. Mai 2026 in Neustadtheim mit dem "
        "Kulturministerium. Laut The Guardian lobte Wolters das Projekt. "
        "„Wir sind stolz auf diese Stadt“, sagte Wolters."
    )
    analysis = propose(text).analysis
    assert "Hanna Wolters" in analysis.spans_of("person")
    assert "Wolters" in analysis.spans_of("person")
    assert {"Kulturministerium", "The Guardian"} <= set(analysis.spans_of("organisation"))
    assert "Neustadtheim" in analysis.spans_of("place")
    assert "Bürgermeisterin" in analysis.spans_of("office")
    assert analysis.spans_of("date") == ["2. Mai 2026"]
    quote = next(c for c in analysis.claims if c.quotes)
    assert quote.kind == "quote" and quote.speaker == "Wolters"


def test_persons_of_the_second_article_are_not_in_the_lexicon():
    analysis = propose(read_seed(SECOND).text).analysis
    assert {"Claudia Kalisch", "Jürgen Brandt", "Sabine Meyer", "Miriam Okafor"} <= set(
        analysis.spans_of("person")
    )
