"""The content pages: banks, a bank's claims and prompts (no answer keys), the marked article."""

import re

from quizapp.extensions import db
from quizapp.models import Article, Claim
from tests.bank_helpers import MINI, import_bank, import_seed


def page(client, url: str, **headers) -> str:
    """GET a page that must exist and return its HTML."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_bank_list_and_start_page_show_the_published_banks(client, ctx):
    import_seed()
    import_bank(MINI)
    listing = page(client, "/banks")
    assert "USA und NATO: kleine Testbank" in listing
    assert 'href="/banks/nato-mini"' in listing
    assert "9 Fragen" in listing  # the draft reflection is not counted
    assert 'href="/quiz/nato-mini"' in listing  # the learn area's page to take the quiz
    start = page(client, "/")
    assert 'href="/banks/nato-mini"' in start


def test_nothing_to_list_before_any_bank_is_imported(client):
    assert "Es gibt noch keine Quizze." in page(client, "/banks")
    assert "/banks/" not in page(client, "/")


def test_bank_page_lists_prompts_but_no_answer_keys(client, ctx):
    import_seed()
    import_bank(MINI)
    html = page(client, "/banks/nato-mini")
    assert "Wer nahm am 3. Dezember 2025 nicht am Treffen der NATO-Außenminister teil?" in html
    assert "Bis zu welchem Jahr sollen die NATO-Staaten" in html
    # Options, solutions, pairs, gaps and explanations stay on the server.
    for secret in (
        "Johann Wadephul",
        "Er war als deutscher Außenminister da.",
        "Inspekteur des Heeres",
        "Bruessel",
        "Hegseths Aussage zu Europas Sicherheit",
        "ließ sich von seinem Stellvertreter vertreten",
        "correct",
    ):
        assert secret not in html, secret
    # A draft question is not shown.
    assert "Wie würdest du prüfen" not in html
    assert 'href="/quiz/nato-mini"' in html
    # Each question links to its passage in the article.
    assert 'href="/articles/nato-2025-12-04#claim-C1"' in html
    assert 'href="/articles/nato-2025-12-04#claim-Q1"' in html


def test_article_view_marks_every_claim_with_kind_verdict_and_anchor(client, ctx):
    import_seed()
    import_bank(MINI)
    html = page(client, "/articles/nato-2025-12-04")
    for key, kind in {
        "C1": "fact",
        "C4": "fact",
        "O1": "opinion",
        "C6": "claim",
        "Q1": "quote",
        "C11": "claim",
    }.items():
        assert len(re.findall(f'<mark id="claim-{key}" class="claim kind-{kind}"', html)) == 1
    # The kind of a statement apart from its truth: never "Tatsache, falsch".
    assert "Tatsachenbehauptung (überprüfbar), stimmt" in html
    assert "Tatsachenbehauptung (überprüfbar), irreführend" in html
    assert "Tatsache," not in html
    assert "Zitat, stimmt" in html
    assert "<h2>Trump und die NATO</h2>" in html
    assert "<h2>Konkrete Schritte</h2>" in html
    assert html.count("<mark") == html.count("</mark>")
    # The legend explains every kind in words, not only by colour.
    assert "So liest du die Markierungen" in html
    for label in ("Tatsachenbehauptung (überprüfbar)", "Meinung", "Zitat", "Prognose"):
        assert f'">{label}</span></dt>' in html
    # Claim list: sources, counter-positions, date of the check.
    assert "Gegenpositionen" in html and "The Hague Summit Declaration" in html
    assert "Stand: 26. November 2026" in html
    assert 'href="/banks/nato-mini"' in html


def test_article_view_in_english(client, ctx):
    import_seed()
    import_bank(MINI)
    html = page(client, "/articles/nato-2025-12-04", **{"Accept-Language": "en"})
    assert "Statement of fact (checkable), correct" in html
    assert "Fact, false" not in html
    assert "How to read the marks" in html
    assert '<div class="article-text" lang="de">' in html


def test_article_text_is_escaped(client, ctx):
    article = Article(slug="x", title="<b>T</b>", text="Kopf\n<script>alert(1)</script> & mehr.")
    db.session.add(article)
    db.session.flush()
    db.session.add(
        Claim(article_id=article.id, key="K", kind="fact", quote="<script>", start=5, end=13)
    )
    db.session.commit()
    html = page(client, "/articles/x")
    assert "<script>alert" not in html
    assert "&lt;script&gt;</mark>alert(1)&lt;/script&gt; &amp; mehr." in html


def test_unknown_bank_or_article_is_404(client):
    assert client.get("/banks/nope").status_code == 404
    assert client.get("/articles/nope").status_code == 404
