"""The real shared catalogs and FAQ import with a column mapping only."""

from pathlib import Path

import pytest

# The mappings a merchant would pass with --map; nothing else is needed for these files (the
# README's import commands use them; test_cli_import.py runs them through bot.py).
from bench.knowledge import MAPPINGS
from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, import_file, parse_mapping
from supportbot.testing.fake_runner import FakeRunner

#: The FAQ needs no mapping: its entries have "question" and "answer" keys.
FAQ_FILE = "ecommerce-faq/Ecommerce_FAQ_Chatbot_dataset.json"


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    db = connect(tmp_path / "kb.db")
    yield KnowledgeBase(db, FakeRunner())
    db.conn.close()


async def test_flipkart_specs_categories_and_prices(kb, shared_data):
    path = "catalog-flipkart/flipkart_com-ecommerce_sample_first999.csv"
    report = import_file(kb, "products", shared_data / path, parse_mapping(MAPPINGS[path]))
    assert report.added == 999 and report.skipped == 0
    (sofa,) = [h for h in await kb.search_products("FabHomeDecor Fabric Double Sofa Bed", k=20)
               if h.sku == "SBEEH3QGU7MFYJFY"]
    assert sofa.price_text == "₹22,646" and sofa.category == "Furniture > Living Room Furniture > Sofa Beds & Futons"
    assert sofa.attributes["brand"] == "FabHomeDecor" and "Installation & Demo Details" in sofa.attributes
    assert sofa.url.startswith("http://www.flipkart.com/")
    hits = await kb.search_products("cycling shorts", k=5, category="Clothing", max_price=400)
    assert hits and all(h.price <= 400 and h.category.startswith("Clothing") for h in hits)


async def test_amazon_dollar_prices_ranges_and_unreadable_prices(kb, shared_data):
    path = "catalog-amazon/amazon_products_sample_1000.csv"
    report = import_file(kb, "products", shared_data / path, parse_mapping(MAPPINGS[path]))
    assert report.imported == 1000 and report.skipped == 0
    assert all("imported without a price" in p.reason for p in report.problems) and len(report.problems) >= 5
    (kit,) = await kb.search_products("Electronic Snap Circuits Mini Kits Classpack", k=1)
    assert kit.price_text == "$99.95" and kit.category == "Toys & Games > Learning & Education > Science Kits & Toys"


async def test_myntra_imports_and_reimport_changes_nothing(kb, shared_data):
    path = "catalog-myntra/myntra_products_catalog.csv"
    mapping = parse_mapping(MAPPINGS[path])
    first = import_file(kb, "products", shared_data / path, mapping)
    assert first.added == 12491 and not first.problems
    again = import_file(kb, "products", shared_data / path, mapping)
    assert (again.unchanged, again.embedded, again.updated) == (12491, 0, 0)
    hits = await kb.search_products("DKNY trolley bag", k=3)
    assert hits[0].attributes["ProductBrand"] == "DKNY" and hits[0].currency == "INR"


async def test_faq_file_imports_with_no_mapping(kb, shared_data):
    report = import_file(kb, "faq", shared_data / FAQ_FILE)
    # all but the one template entry whose "[phone number]" and "[email address]" were never filled in
    assert report.added == 78 and [p.reason for p in report.problems] == [
        "unfilled placeholder [phone number]: fill it in and import again"]
    (best, *_) = await kb.search_passages("How can I track my order?", k=3)
    assert best.question == "How can I track my order?" and best.id.startswith("faq:")
