"""Articles: importing the raw seed format as written, and the reading view with marked claims."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from quizapp.banks.articles import ArticleError, import_article, parse_seed
from quizapp.banks.quotes import find_quote, matching_text
from quizapp.content.reading import is_heading, lay_out
from quizapp.extensions import db
from quizapp.models import Article, Claim
from tests.bank_helpers import MINI, SEED, dump_database, import_bank, import_seed


def stored() -> Article:
    """Return the one stored article."""
    return db.session.scalar(select(Article))


def test_seed_article_is_stored_as_written(ctx):
    assert import_seed().action == "created"
    article = stored()
    assert article.slug == "nato-2025-12-04"
    assert article.published_on == date(2025, 12, 4)
    assert article.language == "de"
    assert article.title == (
        "Es mehren sich die Signale, dass die Trump-Regierung sich innerlich von der NATO "
        "verabschiedet hat"
    )
    raw = SEED.read_text(encoding="utf-8")
    date_line, origin_line, text = raw.split("\n", 2)
    assert article.text == text.rstrip("\n")
    # What is known of the text's origin comes from the `origin` line after the date.
    assert origin_line.startswith("origin ") and article.origin == origin_line.removeprefix(
        "origin "
    )
    assert article.origin.startswith("Autor und Medium unbekannt")
    # The quirks stay: a space before a comma, "uns" for "und".
    assert "Hegseth , die USA" in article.text
    assert "Trump uns seiner Regierung" in article.text


def test_reimporting_the_same_file_changes_nothing(ctx):
    import_seed()
    before = dump_database()
    assert import_seed().action == "unchanged"
    assert dump_database() == before


@pytest.mark.parametrize(
    "raw",
    [
        " date 2025-12-04 Es mehren sich die Signale. Mehr.\n\nZweiter Absatz.\n",
        "\n\n  date 2025-12-04\r\nEs mehren sich die Signale. Mehr.\r\n\r\nZweiter Absatz.",
    ],
)
def test_seed_format_tolerates_leading_blanks_and_text_on_the_date_line(raw):
    seed = parse_seed(raw, "x.txt", "x")
    assert seed.published_on == date(2025, 12, 4)
    assert seed.text == "Es mehren sich die Signale. Mehr.\n\nZweiter Absatz."
    assert seed.title == "Es mehren sich die Signale"


def test_an_origin_line_after_the_date_is_the_articles_origin_not_its_text():
    seed = parse_seed("date 2025-12-04\norigin Autor unbekannt.  \nText. Mehr.\n", "x.txt", "x")
    assert (seed.origin, seed.text, seed.title) == ("Autor unbekannt.", "Text. Mehr.", "Text")
    # Only a line of its own counts: "origin" inside the text (or on the date line) is text.
    seed = parse_seed("date 2025-12-04 origin der Krise. Mehr.\n", "x.txt", "x")
    assert (seed.origin, seed.text) == (None, "origin der Krise. Mehr.")
    seed = parse_seed("date 2025-12-04\nText.\norigin später.\n", "x.txt", "x")
    assert (seed.origin, seed.text) == (None, "Text.\norigin später.")


def test_a_changed_origin_updates_the_article_and_keeps_the_claims(ctx, tmp_path):
    import_seed()
    import_bank(MINI)
    offsets = {c.key: (c.start, c.end) for c in db.session.scalars(select(Claim))}
    raw = SEED.read_text(encoding="utf-8")
    changed = tmp_path / SEED.name
    changed.write_text(raw.replace("\norigin ", "\norigin Neu geprüft. ", 1), encoding="utf-8")
    assert import_article(changed).action == "updated"
    assert stored().origin.startswith("Neu geprüft. Autor und Medium unbekannt")
    assert {c.key: (c.start, c.end) for c in db.session.scalars(select(Claim))} == offsets


@pytest.mark.parametrize(
    ("raw", "line", "words"),
    [
        ("Es mehren sich die Signale.", 1, "date YYYY-MM-DD"),
        ("\n\ndatum 2025-12-04\nText.", 3, "date YYYY-MM-DD"),
        ("date 2025-13-04\nText.", 1, "not a date"),
        ("date 2025-12-04\n\n", 2, "no text"),
    ],
)
def test_bad_seed_files_name_file_and_line(raw, line, words):
    with pytest.raises(ArticleError) as raised:
        parse_seed(raw, "seeds/x.txt", "x")
    assert (raised.value.file, raised.value.line) == ("seeds/x.txt", line)
    assert words in str(raised.value)
    assert str(raised.value).startswith(f"seeds/x.txt:{line}: ")


def test_changed_text_moves_the_claims_offsets(ctx, tmp_path):
    import_seed()
    import_bank(MINI)
    changed = tmp_path / SEED.name
    changed.write_text(
        SEED.read_text(encoding="utf-8").replace("Es mehren sich", "Es mehren sich sehr"),
        encoding="utf-8",
    )
    assert import_article(changed).action == "updated"
    article = stored()
    for claim in article.claims:
        assert find_quote(article.text, claim.quote) == (claim.start, claim.end)
    c1 = db.session.scalar(select(Claim).where(Claim.key == "C1"))
    assert article.text[c1.start : c1.start + 20] == "Der US-Außenminister"


def test_changed_text_that_loses_a_quote_is_refused(ctx, tmp_path):
    import_seed()
    import_bank(MINI)
    before = dump_database()
    changed = tmp_path / SEED.name
    changed.write_text(
        SEED.read_text(encoding="utf-8").replace("vollständig abgebrochen", "ganz abgebrochen"),
        encoding="utf-8",
    )
    with pytest.raises(ArticleError) as raised:
        import_article(changed)
    assert "claim(s) Q1" in str(raised.value)
    assert dump_database() == before


def test_import_article_command_takes_files_and_folders(app, ctx, tmp_path):
    (tmp_path / "b-2024.txt").write_text("date 2024-01-02\nZweiter Artikel.", encoding="utf-8")
    (tmp_path / "a-2024.txt").write_text("date 2024-01-01\nErster Artikel.", encoding="utf-8")
    (tmp_path / "README.md").write_text("not an article", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quiz", "import-article", str(tmp_path), str(SEED)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "a-2024: created",
        "b-2024: created",
        "nato-2025-12-04: created",
    ]
    again = runner.invoke(args=["quiz", "import-article", str(SEED)])
    assert again.output == "nato-2025-12-04: unchanged\n"
    (tmp_path / "c.txt").write_text("Kein Datum.", encoding="utf-8")
    bad = runner.invoke(args=["quiz", "import-article", str(tmp_path / "c.txt")])
    assert bad.exit_code == 1
    assert f"{tmp_path / 'c.txt'}:1: the first line must be `date YYYY-MM-DD`" in bad.output


def test_quotes_match_ignoring_whitespace_and_quote_style_only():
    text = "Er sagte „abgebrochen,\n  vollständig abgebrochen“ – so."
    assert find_quote(text, '"abgebrochen, vollständig abgebrochen"') == (9, 49)
    assert find_quote(text, "»abgebrochen, vollständig abgebrochen«") == (9, 49)
    assert find_quote(text, "abgebrochen, vollständig abgebrochen.") is None
    assert find_quote(text, "Abgebrochen") is None
    assert matching_text(text) == 'Er sagte "abgebrochen, vollständig abgebrochen" – so.'


def test_headings_are_short_lines_without_a_final_period():
    assert is_heading("Trump und die NATO")
    assert not is_heading("Es ist also sehr offensichtlich, dass die USA nicht mehr setzen.")
    assert not is_heading("„Ein Zitat.“")
    assert not is_heading("x" * 101)


class _Claim:
    """A claim-like object for laying out text without a database."""

    def __init__(self, key, start, end, kind="fact", verdict=None):
        self.key, self.start, self.end, self.kind, self.verdict = key, start, end, kind, verdict


def test_overlapping_claims_nest_or_split_and_anchor_once(app):
    text = "Titel\nEins zwei drei vier.\nFünf sechs."
    outer = _Claim("A", 6, 26)  # "Eins zwei drei vier."
    inner = _Claim("B", 11, 15, kind="opinion")  # "zwei"
    across = _Claim("C", 21, 37, kind="claim")  # "vier." … "Fünf sechs" across a block
    with app.test_request_context():
        blocks = lay_out(text, [across, inner, outer])
    assert [b.kind for b in blocks] == ["heading", "paragraph", "paragraph"]
    html = "".join(b.html for b in blocks)
    for key in "ABC":
        assert html.count(f'id="claim-{key}"') == 1
    plain = re.sub(r'<span class="claim-badge".*?</span></span>', "", html)
    plain = re.sub(r"<[^>]+>", "", plain)
    assert plain == "Titel" + "Eins zwei drei vier." + "Fünf sechs."
    # Each block's marks are balanced.
    for block in blocks:
        assert block.html.count("<mark") == block.html.count("</mark>")
    assert 'class="claim kind-claim claim-more"' in blocks[2].html
