"""`quiz export --format gift|moodle-xml`: the published questions in Moodle's formats."""

import xml.etree.ElementTree as ET

from quizapp.banks.gift import escape
from tests.bank_helpers import MINI, import_bank, import_seed


def export(app, fmt: str) -> str:
    """Export the small bank in a format through the command line."""
    import_seed()
    import_bank(MINI)
    result = app.test_cli_runner().invoke(args=["quiz", "export", "nato-mini", "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_gift_escapes_its_special_characters():
    assert escape("a{b}=c~d#e:f\\g") == "a\\{b\\}\\=c\\~d\\#e\\:f\\\\g"


def test_gift_export(app, ctx):
    text = export(app, "gift")
    assert text.startswith("// USA und NATO: kleine Testbank\n// quizapp bank nato-mini\n")
    assert "$CATEGORY: nato-mini" in text
    assert (
        "::c1-wer-fehlte::Wer nahm am 3. Dezember 2025 nicht am Treffen der NATO-Außenminister "
        "teil? {=Marco Rubio ~Johann Wadephul#Er war als deutscher Außenminister da. ~Mark Rutte "
        "####US-Außenminister Marco Rubio ließ sich von seinem Stellvertreter vertreten.}"
    ) in text
    assert "{~%50%Es fand in Brüssel statt. ~%50%Christopher Landau vertrat die USA. " in text
    assert "~%-50%Es fand in Washington statt." in text
    assert "Beistandspflicht. {F ####" in text
    assert "{#2035:0 ####" in text
    assert "{=Christian Freuding -> Inspekteur des Heeres =Marco Rubio -> US-Außenminister}" in text
    assert (
        "{~Tatsachenbehauptung (überprüfbar) =Meinung ####" in text
        and "Gegenposition\\: Die" in text
    )
    # What GIFT can't express is named, not dropped silently; drafts are not exported.
    assert "// c11-treffen: cloze can't be written in GIFT; use moodle-xml" in text
    assert "// c4-reihenfolge: ordering can't be written in GIFT" in text
    assert "o1-nachdenken" not in text
    # Questions are separated by blank lines and none contains one.
    assert len([block for block in text.split("\n\n") if block.startswith("::")]) == 7


def test_moodle_xml_export(app, ctx):
    root = ET.fromstring(export(app, "moodle-xml"))
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    assert questions[0].findtext("category/text") == "$course$/top/nato-mini"
    by_key = {q.findtext("name/text"): q for q in questions[1:]}
    assert list(by_key) == [
        "c1-wer-fehlte",
        "c1-aussagen",
        "c6-beistand",
        "c11-treffen",
        "c4-jahr",
        "c4-reihenfolge",
        "q1-personen",
        "o1-einordnen",
        "o1-laut-artikel",
    ]
    types = {key: q.get("type") for key, q in by_key.items()}
    assert types["c1-wer-fehlte"] == "multichoice" and types["c6-beistand"] == "truefalse"
    assert types["c11-treffen"] == "cloze" and types["c4-jahr"] == "numerical"
    assert types["c4-reihenfolge"] == "ordering" and types["q1-personen"] == "matching"

    multiple = by_key["c1-aussagen"]
    assert multiple.findtext("single") == "false"
    assert [a.get("fraction") for a in multiple.findall("answer")] == ["50", "50", "-50"]
    assert [a.findtext("text") for a in by_key["c6-beistand"].findall("answer")] == [
        "true",
        "false",
    ]
    assert [a.get("fraction") for a in by_key["c6-beistand"].findall("answer")] == ["0", "100"]
    cloze = by_key["c11-treffen"].findtext("questiontext/text")
    assert "NATO-{1:SHORTANSWER:=Außenminister} in {1:SHORTANSWER:=Brüssel~=Bruessel}." in cloze
    assert by_key["c4-jahr"].findtext("answer/tolerance") == "0"
    ordering = by_key["c4-reihenfolge"]
    assert [a.findtext("text") for a in ordering.findall("answer")][0] == (
        "Hegseths Aussage zu Europas Sicherheit"
    )
    pairs = [
        (s.findtext("text"), s.findtext("answer/text"))
        for s in by_key["q1-personen"].findall("subquestion")
    ]
    assert pairs[0] == ("Christian Freuding", "Inspekteur des Heeres")
    assert "Gegenposition" in by_key["o1-einordnen"].findtext("generalfeedback/text")
    # Text is HTML-escaped inside the XML: a quote mark stays a character, never markup.
    assert "„melken“" in by_key["o1-laut-artikel"].findall("answer")[0].findtext("text")
