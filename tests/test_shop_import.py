"""A shop folder imported whole: files found by name or named in shop.yaml, from code
(:func:`import_shop`) and from ``python bot.py import shop DIR``."""

from pathlib import Path

import pytest
from test_cli_import import bot, knowledge
from test_knowledge_pages import FAQ_HTML, SHIPPING_HTML
from test_knowledge_presets import MAGENTO, SHOPIFY

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, MappingError
from supportbot.knowledge.shop import import_shop, shop_files, shop_language


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    db = connect(tmp_path / "kb.db")
    yield KnowledgeBase(db, None)
    db.conn.close()


def _shop(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_files_are_found_by_name_and_header(kb, tmp_path):
    shop = _shop(tmp_path / "shop", {
        "products.csv": SHOPIFY, "faq.html": FAQ_HTML, "pages/shipping.html": SHIPPING_HTML,
        "export-2024.csv": MAGENTO,  # no telling name: its header says it is a catalog
        "notes.csv": "when,who\nmonday,ann\n", "README.md": "# How this folder was made\n", "logo.png": "x",
        "stock.xlsx": "x",
    })
    report = import_shop(kb, shop)
    assert report.counts == {"products": 2 + 3, "faq": 3, "policies": 3}
    assert dict(report.skipped) == {"notes.csv": "not recognised: name it in shop.yaml",
                                    "stock.xlsx": "a spreadsheet: save it as CSV"}
    assert report.language == shop_language(kb) == "en"
    summary = report.summary()
    assert "shopify export detected" in summary and "magento export detected" in summary
    assert "row 7: no Handle (skipped)" in summary  # bad rows keep their numbers in the shop report
    assert "notes.csv: not imported (not recognised: name it in shop.yaml)" in summary


def test_shop_yaml_names_each_file_its_kind_and_preset(kb, tmp_path):
    shop = _shop(tmp_path / "shop", {
        "shop.yaml": "language: en\ncurrency: USD\nfiles:\n"
                     "  - {path: data/a.csv, kind: products, preset: shopify}\n"
                     "  - {path: data/q.csv, kind: faq, map: {question: Q, answer: A}}\n"
                     "  - {path: delivery.html, kind: policies}\n",
        "data/a.csv": SHOPIFY, "data/q.csv": "Q,A\nDo you gift wrap?,<p>Yes &ndash; $5.</p>\n",
        "delivery.html": SHIPPING_HTML, "ignored.md": "# Not listed\n\nSo not imported.\n",
    })
    report = import_shop(kb, shop)
    assert report.counts == {"products": 2, "faq": 1, "policies": 3}
    (beanie,) = [h for h in kb.search_products_sync("wool beanie", k=3) if h.sku == "wool-beanie"]
    assert beanie.price_text == "$19.50"  # the shop's currency
    (answer,) = kb.search_passages_sync("gift wrap", k=1, kinds=("faq",))
    assert answer.text == "Yes – $5."


def test_a_broken_file_is_reported_and_the_others_import(kb, tmp_path):
    shop = _shop(tmp_path / "shop", {"products.csv": "colour,size\nred,M\n", "faq.html": FAQ_HTML})
    report = import_shop(kb, shop)
    assert report.counts["faq"] == 3 and report.counts["products"] == 0
    ((name, why),) = report.failed
    assert name == "products.csv" and "no column for sku" in why


def test_a_malformed_shop_yaml_names_the_entry(tmp_path):
    shop = _shop(tmp_path / "shop", {"shop.yaml": "files:\n  - {path: a.csv, kind: catalogue}\n"})
    with pytest.raises(MappingError, match=r"shop.yaml: files entry 1 \(a.csv\): kind must be"):
        shop_files(shop)
    shop = _shop(tmp_path / "shop2", {"shop.yaml": "files:\n  - {path: a.csv, kind: products, preset: ebay}\n"})
    with pytest.raises(MappingError, match="preset 'ebay'"):
        shop_files(shop)


def test_import_shop_on_the_command_line(tmp_path):
    _shop(tmp_path / "shop", {"catalog.csv": MAGENTO, "shipping.md": "# Shipping\n\nWe ship in 2 days.\n"})
    done = bot(tmp_path, "shop", "shop")
    assert done.returncode == 0, done.stderr
    assert "3 products, 0 FAQ entries, 1 policy passages" in done.stdout
    assert "row 8: no sku (skipped)" in done.stdout
    (jacket,) = [h for h in knowledge(tmp_path).search_products_sync("stellar jacket", k=3) if h.sku == "WJ01"]
    assert jacket.stock == 100
    assert bot(tmp_path, "shop", "missing").returncode == 2


def test_bare_prices_take_the_currency_the_shops_pages_state(tmp_path):
    """A Magento export has no currency column; the shop's pages say "$75 and over"."""
    from supportbot.knowledge.shop import _currency_of_pages

    (tmp_path / "shipping.html").write_text("<p>Under $35: $7.95. $75 and over: free, overnight $24.95.</p>")
    (tmp_path / "returns.md").write_text("Refunds within 5 days; a $6.95 label fee.")
    assert _currency_of_pages([tmp_path / "shipping.html", tmp_path / "returns.md"]) == "USD"
    (tmp_path / "mixed.md").write_text("€5 or £4 or €6")
    assert _currency_of_pages([tmp_path / "mixed.md"]) is None  # too few, and not one currency
    (tmp_path / "delivery.html").write_text("<td>&pound;4.50</td><td>&pound;8.95</td><td>&#163;14.95</td>",
                                            encoding="utf-8")
    assert _currency_of_pages([tmp_path / "delivery.html"]) == "GBP"  # symbols written as HTML entities
    # a bare "$" is the dollar the pages name: Canadian and Australian shops write "$" too
    (tmp_path / "ca.html").write_text("<p>All prices are in Canadian dollars (CAD). Under $99: $12, $99+: free, "
                                      "express $24.</p>", encoding="utf-8")
    assert _currency_of_pages([tmp_path / "ca.html"]) == "CAD"
    (tmp_path / "au.md").write_text("Prices in AUD. Metro $10.95, regional $13.95, express $16.95.")
    assert _currency_of_pages([tmp_path / "au.md"]) == "AUD"
    (tmp_path / "us.md").write_text("Prices in US dollars; we also ship to Canada (CAD accepted at checkout). "
                                    "Ground $5.95, 2-day $14.95, overnight $27.95. All prices USD.")
    assert _currency_of_pages([tmp_path / "us.md"]) == "USD"  # the US dollar named as often or more
