"""The test factories build what the importer builds: a bank whose quiz asks every type."""

from quizapp.services.quizzes import select_versions
from tests.factories import make_bank, make_quiz


def test_factory_bank_has_every_type_in_order(ctx):
    bank = make_bank()
    quiz = make_quiz(bank)
    versions = select_versions(quiz)
    assert [v.type for v in versions] == [
        "single_choice",
        "multiple_choice",
        "true_false",
        "cloze",
        "numeric",
        "ordering",
        "matching",
        "fact_or_opinion",
        "reflection",
    ]


def test_quiz_by_tag_and_random_count(ctx):
    bank = make_bank()
    assert [v.type for v in select_versions(make_quiz(bank, selection="tag", tag="cloze"))] == [
        "cloze"
    ]
    assert len(select_versions(make_quiz(bank, selection="random", count=3))) == 3
