"""The held-out fernhill shop that bench.shops builds imports as a merchant's folder would:
every file found by its name, the Shopify export by its header, nothing skipped."""

import json
from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase
from supportbot.knowledge.shop import import_shop


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    db = connect(tmp_path / "kb.db")
    yield KnowledgeBase(db, None)
    db.conn.close()


def test_fernhill_imports_with_nothing_skipped(kb, tmp_path, shared_data):
    from bench.shops import build_shop

    folder = build_shop("fernhill", tmp_path / "fernhill")
    report = import_shop(kb, folder)
    assert report.skipped == []
    assert all(r.skipped == 0 for r in report.reports), report.summary()
    assert report.currency_from_pages == "GBP"
    products = next(r for r in report.reports if r.kind == "products")
    assert products.columns["preset"] == "shopify"
    assert report.counts["products"] == 156  # 154 Myntra products and the gift card; the draft is left out
    assert report.counts["faq"] == 79 + 10  # the retailer's file and the FAQ page's question headings
    rows = {name: (stock, json.loads(attributes or "{}")) for name, stock, attributes in kb.db.conn.execute(
        "SELECT name, stock, attributes FROM kb_products")}
    stock, attributes = rows["Solid Handcrafted Table Lamp with Shade"]
    assert stock == 421  # summed over its 16 colour/size variants
    assert attributes["Size"] == "Small, Large" and "Gold-Toned & Navy Blue" in attributes["Colour"]
    assert "Winter Glow Glass Bauble Set" not in rows
