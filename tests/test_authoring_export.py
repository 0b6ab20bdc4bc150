"""Banks written in the app export like file banks, also without an article or a claim."""

import yaml

from quizapp.banks.exporter import export
from quizapp.services.bank_import import import_questions
from tests.authoring_helpers import (
    add_article,
    add_claim,
    bank_row,
    login_as,
    new_bank,
    new_question,
    publish,
    question_id,
    questions_of,
)
from tests.import_helpers import stored

TRUE_FALSE = {
    "claim": "",
    "asks": "world",
    "difficulty": "1",
    "prompt": "Hat die NATO seit März 2024 32 Mitglieder?",
    "solution": "true",
    "explanation": "Schweden trat im März 2024 bei.",
}


def test_a_bank_without_article_exports_to_yaml_gift_and_moodle_xml_and_back(client, auth, app):
    login_as(client, auth, "t@example.org")
    bank = new_bank(client, title="Allgemeinwissen")
    publish(client, question_id(new_question(client, bank, "true_false", TRUE_FALSE)), bank)
    other = new_bank(client, title="Ziel")
    with app.app_context():
        document = yaml.safe_load(export(bank, "yaml"))
        assert "article" not in document["bank"] and document["claims"] == []
        [question] = document["questions"]
        assert "claim" not in question and question["prompt"] == TRUE_FALSE["prompt"]
        gift = export(bank, "gift")
        assert "Hat die NATO seit März 2024 32 Mitglieder? {T" in gift
        assert "<questiontext" in export(bank, "moodle-xml")
        # Each export reads back into another bank as the same question, without a source.
        into = bank_row(other)
        for fmt in ("yaml", "gift", "moodle-xml"):
            report = import_questions(into, f"export.{fmt}", export(bank, fmt).encode(), fmt)
            assert [q.type for q in report.questions] == ["true_false"], fmt
        prompts = {q["prompt"] for q in stored(into)}
        assert prompts == {TRUE_FALSE["prompt"]}
        assert all(q.claim is None for q in questions_of(other))


def test_a_question_without_a_claim_in_a_bank_about_an_article_exports(client, auth, app):
    login_as(client, auth, "t@example.org")
    slug = add_article(client)
    add_claim(client, slug)
    bank = new_bank(client, article=slug)
    question_id(new_question(client, bank, "true_false", TRUE_FALSE))  # a draft, no claim yet
    with app.app_context():
        document = yaml.safe_load(export(bank, "yaml"))
        assert document["bank"]["article"] == slug
        assert [c["key"] for c in document["claims"]] == ["T1"]
        [question] = document["questions"]
        assert question["status"] == "draft" and "claim" not in question
        # GIFT and Moodle XML carry published questions only: an empty but valid file.
        assert "{T" not in export(bank, "gift")
        assert "<quiz>" in export(bank, "moodle-xml")
