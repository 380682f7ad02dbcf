"""Merchants' pages as published: HTML and Markdown become clean, self-contained passages, with
tables kept as rows of facts and no tag or entity reaching a passage."""

import json
import re
from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, import_file
from supportbot.knowledge.pages import html_to_text, page_blocks, table_row_fact

SHIPPING_HTML = """<!DOCTYPE html>
<html><head><title>Shipping</title><style>.x{color:red}</style><script>var a = "<p>no</p>";</script></head>
<body>
<nav><a href="/">Home</a> &bull; <a href="/faq">FAQ</a></nav>
<main>
<h1>Shipping &amp; Delivery</h1>
<p>We ship to the US and Canada.&nbsp;Orders placed before 2&nbsp;pm ship the same day.</p>
<h2>Shipping rates</h2>
<table>
  <thead><tr><th>Order total</th><th>Standard</th><th>Overnight</th></tr></thead>
  <tbody>
    <tr><td>$0-$49.99</td><td>$8</td><td>$25</td></tr>
    <tr><td>$100-$199.99</td><td>$16</td><td>$33</td></tr>
    <tr><td>$200+</td><td>Free</td><td>$20</td></tr>
  </tbody>
</table>
<h2>What we can&rsquo;t ship</h2>
<p>We cannot ship these items:</p>
<ul><li>Aerosols</li><li>Lithium batteries &ndash; sold separately</li></ul>
<!-- a comment -->
<div style="display:none">hidden promo</div>
</main>
<footer>&copy; 2024 Shop</footer>
</body></html>
"""

FAQ_HTML = """<h1>Frequently asked questions</h1>
<h2>Orders</h2>
<h3>Can I change my order?</h3><p>Yes, within <b>one hour</b> of placing it.</p>
<h3>Do you ship abroad?</h3><p>We ship to 30 countries.</p><ul><li>EU</li><li>UK</li></ul>
<details><summary>Do you sell gift cards?</summary><p>Yes, from $10 to $200.</p></details>
"""

POLICY_MD = """# Returns

Unworn items can be returned within 30 days.

## Refund times

| Payment method | Refund time |
|---|---|
| Card | 5-10 business days |
| PayPal | 3 days |

Items that cannot be returned:

- Swimwear
- Earrings
"""

_MARKUP = re.compile(r"<[a-z/!][^>]*>|&[a-z]+;|&#\d+;", re.I)


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    db = connect(tmp_path / "kb.db")
    yield KnowledgeBase(db, None)
    db.conn.close()


def _passages(kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in kb.db.conn.execute("SELECT key, title, text FROM kb_passages ORDER BY id")]


def test_an_html_policy_page_becomes_clean_passages_with_table_rows_as_facts(kb, tmp_path):
    page = tmp_path / "shipping.html"
    page.write_text(SHIPPING_HTML, encoding="utf-8")
    report = import_file(kb, "policies", page)
    rows = _passages(kb)
    assert report.added == len(rows) == 3
    assert rows[0] == ("shipping#1", "Shipping & Delivery",
                       "We ship to the US and Canada. Orders placed before 2 pm ship the same day.")
    table = ["Order total $0-$49.99: Standard $8, Overnight $25", "Order total $100-$199.99: Standard $16, Overnight $33",
             "Order total $200+: Standard Free, Overnight $20"]
    # The table is one passage, every row a line of facts; each row is also embedded on its own.
    assert rows[1] == ("shipping#2", "Shipping & Delivery › Shipping rates", "\n".join(table))
    (parts,) = kb.db.conn.execute("SELECT alternatives FROM kb_passages WHERE key = 'shipping#2'").fetchone()
    assert json.loads(parts) == table
    assert rows[2] == ("shipping#3", "Shipping & Delivery › What we can’t ship",
                       "We cannot ship these items:\n• Aerosols\n• Lithium batteries – sold separately")
    everything = " ".join(t for row in rows for t in row[1:])
    assert not _MARKUP.search(everything), everything
    for absent in ("Home", "var a", "hidden promo", "©", "comment"):
        assert absent not in everything
    (best, *_) = kb.search_passages_sync("how much is overnight shipping", k=3)
    assert best.title == "Shipping & Delivery › Shipping rates" and "Overnight $" in best.text


def test_a_markdown_policy_keeps_table_rows_and_lists_apart(kb, tmp_path):
    page = tmp_path / "Returns.md"
    page.write_text(POLICY_MD, encoding="utf-8")
    import_file(kb, "policies", page)
    assert [r[1:] for r in _passages(kb)] == [
        ("Returns", "Unworn items can be returned within 30 days."),
        ("Returns › Refund times", "Payment method Card: Refund time 5-10 business days\n"
                                   "Payment method PayPal: Refund time 3 days"),
        ("Returns › Refund times", "Items that cannot be returned:\n• Swimwear\n• Earrings"),
    ]


def test_a_long_list_is_one_passage_per_item_each_led_by_its_introduction(kb, tmp_path):
    items = "".join(f"- Item number {i} with a long description of what it is and why\n" for i in range(30))
    page = tmp_path / "rules.md"
    page.write_text(f"# Rules\n\nWe do not accept:\n\n{items}", encoding="utf-8")
    import_file(kb, "policies", page)
    texts = [r[2] for r in _passages(kb)]
    assert len(texts) == 30 and texts[3] == "We do not accept: Item number 3 with a long description of what it is and why"


def test_an_faq_page_gives_one_entry_per_question(kb, tmp_path):
    page = tmp_path / "faq.html"
    page.write_text(FAQ_HTML, encoding="utf-8")
    report = import_file(kb, "faq", page)
    assert report.added == 3
    entries = {r[1]: r[2] for r in _passages(kb)}
    assert entries == {"Can I change my order?": "Yes, within one hour of placing it.",
                       "Do you ship abroad?": "We ship to 30 countries.\n• EU\n• UK",
                       "Do you sell gift cards?": "Yes, from $10 to $200."}


def test_html_in_faq_answers_from_a_table_is_cleaned(kb, tmp_path):
    faq = tmp_path / "faq.csv"
    faq.write_text('question,answer\nDo you gift wrap?,"<p>Yes &ndash; for $5.</p><p>Ask at checkout.</p>"\n',
                   encoding="utf-8")
    import_file(kb, "faq", faq)
    assert _passages(kb)[0][2] == "Yes – for $5.\nAsk at checkout."


def test_table_rows_without_a_header_and_with_a_blank_corner():
    assert table_row_fact([], ["Standard", "3-5 days"]) == "Standard, 3-5 days"
    assert table_row_fact(["", "Price"], ["Overnight", "$20"]) == "Overnight: Price $20"
    blocks = page_blocks("<table><tr><th>Zone</th><th>Days</th></tr><tr><td>EU</td><td>4</td></tr></table>")
    assert [b.text for b in blocks] == ["Zone EU: Days 4"]


def test_html_to_text_decodes_entities_and_drops_tags():
    assert html_to_text("<p>Caf&eacute; &amp; bar&nbsp;&bull; <i>open</i></p><br><p>Daily</p>") == "Café & bar • open\nDaily"


def test_an_faq_page_with_questions_in_bold_paragraphs(kb, tmp_path):
    page = tmp_path / "faq.html"
    page.write_text("<h1>FAQ</h1><p><strong>How long does delivery take?</strong></p><p>3-5 business days.</p>"
                    "<p><b>Can I pay with PayPal?</b></p><p>Yes.</p><p>Also with Klarna.</p>"
                    "<h2>Contact</h2><p>Write to help@shop.example.</p>", encoding="utf-8")
    import_file(kb, "faq", page)
    assert {r[1]: r[2] for r in _passages(kb)} == {"How long does delivery take?": "3-5 business days.",
                                                  "Can I pay with PayPal?": "Yes.\nAlso with Klarna."}


def test_an_accordion_question_written_as_a_button_heads_its_answer_even_of_two_sentences(kb, tmp_path):
    icon = "<span class='uagb-icon'><svg viewBox='0 0 1 1'><path d='M0 0'></path></svg></span>"
    page = tmp_path / "faq.html"
    page.write_text(
        "<h1>FAQ</h1><div class='uagb-faq-item' role='tablist'>"
        f"<div class='uagb-faq-questions-button' role='button' aria-expanded='false'>{icon}"
        "<span class='uagb-question'>A scent I want is sold out. Can I backorder it?</span></div>"
        "<div class='uagb-faq-content'><p>We don&#8217;t take backorders.</p></div></div>"
        "<div class='elementor-tab-title' role='button'><a href='#'>Do you gift wrap?</a></div>"
        "<div class='elementor-tab-content'><p>Yes, for free.</p></div>"
        "<div class='faq-question-answer' aria-expanded='true'><p>Do you ship abroad?</p><p>No, sorry.</p></div>",
        encoding="utf-8")
    import_file(kb, "faq", page)
    assert {r[1]: r[2] for r in _passages(kb)} == {
        "A scent I want is sold out. Can I backorder it?": "We don’t take backorders.",
        "Do you gift wrap?": "Yes, for free.",
        "Do you ship abroad?": "No, sorry.",  # question and answer marked as one: read part by part
    }


def test_a_published_page_is_read_without_its_site_around_it():
    html = ("<body><div class='announcement-bar'>Free shipping over $50!</div>"
            "<header class='site-header'><a href='/'>Acme</a><ul><li><a href='/a'>Shop</a></li></ul></header>"
            "<main><h1>Refund policy</h1><p>Refunds within 30 days.</p>"
            "<ul><li><a href='/x'>Related: Shipping</a></li><li><a href='/y'>Related: Returns</a></li></ul>"
            "<div class='cookie-banner'>We use cookies</div></main>"
            "<div class='drawer'>Your cart is empty</div></body>")
    assert [(b.title, b.text) for b in page_blocks(html)] == [("Refund policy", "Refunds within 30 days.")]
