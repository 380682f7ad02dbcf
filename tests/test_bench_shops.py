"""The held-out fernhill shop that bench.shops builds imports as a merchant's folder would:
every file found by its name, the Shopify export by its header, nothing skipped."""

import json
from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase
from supportbot.knowledge.shop import import_shop


#: The shared retailer FAQ's one template entry ("by phone at [phone number] or by email at [email address]").
TEMPLATE_ROW = (10, "unfilled placeholder [phone number]: fill it in and import again")


def nothing_skipped_but_the_template_row(report) -> bool:
    """Every file imported whole, but for the retailer FAQ's unfilled template entry where it is there."""
    skipped = [(p.row, p.reason) for r in report.reports for p in r.problems if p.skipped]
    return skipped in ([], [TEMPLATE_ROW])


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
    assert nothing_skipped_but_the_template_row(report), report.summary()
    assert report.currency_from_pages == "GBP"
    products = next(r for r in report.reports if r.kind == "products")
    assert products.columns["preset"] == "shopify"
    assert report.counts["products"] == 156  # 154 Myntra products and the gift card; the draft is left out
    assert report.counts["faq"] == 78 + 10  # the retailer's file less its template entry, and the FAQ page's question headings
    rows = {name: (stock, json.loads(attributes or "{}")) for name, stock, attributes in kb.db.conn.execute(
        "SELECT name, stock, attributes FROM kb_products")}
    stock, attributes = rows["Solid Handcrafted Table Lamp with Shade"]
    assert stock == 421  # summed over its 16 colour/size variants
    assert attributes["Size"] == "Small, Large" and "Gold-Toned & Navy Blue" in attributes["Colour"]
    assert "Winter Glow Glass Bauble Set" not in rows


def test_larkspur_imports_with_nothing_skipped(kb, tmp_path, shared_data):
    """The held-out WooCommerce shop: found by file names, the preset by its header, EUR from the
    pages; variable products get their variations' stock and options, hidden ones are left out."""
    from bench.shops import build_shop

    folder = build_shop("larkspur", tmp_path / "larkspur")
    assert not (folder / "shop.yaml").exists()
    report = import_shop(kb, folder)
    assert report.skipped == []
    assert nothing_skipped_but_the_template_row(report), report.summary()
    assert report.currency_from_pages == "EUR"
    products = next(r for r in report.reports if r.kind == "products")
    assert products.columns["preset"] == "woocommerce"
    assert report.counts["products"] == 178  # 180 products less the private and the draft one
    assert report.counts["faq"] == 13  # the FAQ page's Details-block questions
    rows = {name: (price, stock, json.loads(attributes or "{}")) for name, price, stock, attributes in kb.db.conn.execute(
        "SELECT name, price, stock, attributes FROM kb_products")}
    price, stock, attributes = rows["Larkspur Layered Tulle Tutu"]
    assert stock == 40  # 14 + 9 + 6 + 0 + 11 over its five variations
    assert attributes["Colour"] == "Pink, Lilac, Emerald Green" and attributes["Size"] == "2-4 years, 5-8 years"
    assert rows["Rubie's Rag Doll Children's Costume"][1] == 50  # variations whose Parent is "id:N"
    assert rows["Atlantic Diamond Kite"][0] == 19.99  # its sale ended on 30 November 2026
    assert "Easter Bunny Egg Hunt Kit" not in rows and "Classroom Crayon Bulk Pack (Schools Only)" not in rows


def test_harbor_imports_with_nothing_skipped(kb, tmp_path, shared_data):
    """The held-out US shop: a Magento 2 export found by its name and header, the retailer's FAQ
    file as downloaded, USD from the pages; configurable parents get their children's stock and
    options, the disabled product and the store-view row are left out."""
    from bench.shops import build_shop

    folder = build_shop("harbor", tmp_path / "harbor")
    assert not (folder / "shop.yaml").exists()
    report = import_shop(kb, folder)
    assert report.skipped == []
    assert nothing_skipped_but_the_template_row(report), report.summary()
    assert report.currency_from_pages == "USD"
    products = next(r for r in report.reports if r.kind == "products")
    assert products.columns["preset"] == "magento"
    assert report.counts["products"] == 82
    assert report.counts["faq"] == 78 + 10  # the retailer's file less its template entry, and the FAQ page's question headings
    rows = {name: (price, stock, json.loads(attributes or "{}")) for name, price, stock, attributes in kb.db.conn.execute(
        "SELECT name, price, stock, attributes FROM kb_products")}
    price, stock, attributes = rows["Harbor Calm Cuddler Pet Bed"]
    assert (price, stock) == (39.0, 36)  # 12 + 7 + 0 + 5 + 9 + 3 over its six children
    assert attributes["Color"] == "Fog Gray, Ocean Blue, Sand" and attributes["Size"] == "Small, Large"
    assert rows["Suave Naturals Everlasting Sunshine Conditioner"][2]["Size"] == "8 fl oz, 16 fl oz"
    assert "Himalayan Salt Lamp Night Light" not in rows and "Cama para mascotas Calm Cuddler" not in rows


def test_canyon_imports_with_nothing_skipped(kb, tmp_path, shared_data):
    """The held-out Australian shop: a Shopify export found by its name and header, the retailer's
    FAQ file as downloaded, the theme's pages; variants get their options and summed stock, a
    product in two options keeps both, the draft and the archived product are left out."""
    from bench.shops import build_shop

    folder = build_shop("canyon", tmp_path / "canyon")
    assert not (folder / "shop.yaml").exists()
    report = import_shop(kb, folder)
    assert report.skipped == []
    assert nothing_skipped_but_the_template_row(report), report.summary()
    products = next(r for r in report.reports if r.kind == "products")
    assert products.columns["preset"] == "shopify"
    assert report.counts["products"] == 179  # 181 products less the draft and the archived one
    assert report.counts["faq"] == 78 + 16  # the retailer's file less its template entry, and the FAQ page's accordion questions
    rows = {name: (price, stock, json.loads(attributes or "{}")) for name, price, stock, attributes in kb.db.conn.execute(
        "SELECT name, price, stock, attributes FROM kb_products")}
    price, stock, attributes = rows["Canyon Enamelled Cast Iron Casserole"]
    assert (price, stock) == (189.0, 44)  # 14 + 6 + 9 + 4 + 11 + 0 over its six Colour x Size variants
    assert attributes["Colour"] == "Sage, Charcoal, Terracotta" and attributes["Size"] == "24 cm / 3.8 L, 28 cm / 6.7 L"
    assert rows["Stonewashed Linen Apron"][0] == 34.95  # the sale price; 49.95 is its compare-at price
    assert "221 Code Red" in rows["VisionAiry Gel Lipstick"][2]["Colour"]
    assert rows["Canyon Digital Gift Card"][2]["Denomination"] == "$25, $50, $100, $200"
    assert "Christmas Pudding Basin Set" not in rows and "Bamboo Dish Drying Rack" not in rows


def test_maple_imports_with_nothing_skipped(kb, tmp_path, shared_data):
    """The held-out Canadian shop: a Magento 2 export found by its name and header, the retailer's
    FAQ file as downloaded; configurable parents get their Color and Size children's stock and
    options, the disabled product and the fr_ca store-view row are left out."""
    from bench.shops import build_shop

    folder = build_shop("maple", tmp_path / "maple")
    assert not (folder / "shop.yaml").exists()
    report = import_shop(kb, folder)
    assert report.skipped == []
    assert nothing_skipped_but_the_template_row(report), report.summary()
    products = next(r for r in report.reports if r.kind == "products")
    assert products.columns["preset"] == "magento"
    assert report.counts["products"] == 109  # 107 Myntra products, the parka and the toque; the vest is disabled
    assert report.counts["faq"] == 78 + 13  # the retailer's file less its template entry, and the FAQ page's question headings
    rows = {name: (price, stock, json.loads(attributes or "{}")) for name, price, stock, attributes in kb.db.conn.execute(
        "SELECT name, price, stock, attributes FROM kb_products")}
    price, stock, attributes = rows["Maple Ridge Tundra Down Parka"]
    assert (price, stock) == (329.0, 60)  # summed over its twelve children, Spruce Green M sold out
    assert attributes["Color"] == "Black, Spruce Green, Cranberry Red" and attributes["Size"] == "S, M, L, XL"
    assert rows["Russell Athletic Hooded Sweatshirt"][2]["Color"] == "Black, Grey Melange, Green"
    assert "Maple Ridge Heated Softshell Vest" not in rows and "Parka en duvet Tundra Maple Ridge" not in rows


def test_quarry_imports_with_nothing_skipped(kb, tmp_path, shared_data):
    """The held-out US shoe and bag shop: a Magento 2 export found by its name and header, the
    retailer's FAQ file as downloaded; configurable parents get their Color and Size children's
    stock and options, the disabled rain boot and the es_us store-view row are left out."""
    from bench.shops import build_shop

    folder = build_shop("quarry", tmp_path / "quarry")
    assert not (folder / "shop.yaml").exists()
    report = import_shop(kb, folder)
    assert report.skipped == []
    assert nothing_skipped_but_the_template_row(report), report.summary()
    products = next(r for r in report.reports if r.kind == "products")
    assert products.columns["preset"] == "magento"
    assert report.counts["products"] == 69  # 66 Myntra products and three of the merchant's own; the rain boot is disabled
    assert report.counts["faq"] == 78 + 15  # the retailer's file less its template entry, and the FAQ page's question headings
    rows = {name: (price, stock, json.loads(attributes or "{}")) for name, price, stock, attributes in kb.db.conn.execute(
        "SELECT name, price, stock, attributes FROM kb_products")}
    price, stock, attributes = rows["Quarry Street Everyday Chelsea Boot"]
    assert (price, stock) == (168.0, 35)  # summed over its ten children, Black Leather 9 sold out
    assert attributes["Color"] == "Chestnut Suede, Black Leather" and attributes["Size"] == "7, 8, 9, 10, 11"
    assert rows["Quarry Street Waxed Canvas Weekender"][1] == 13  # Cognac 5 + Black 8, Olive sold out
    assert "Quarry Street Tall Rain Boot" not in rows and "Botín Chelsea Everyday de Quarry Street" not in rows


def test_willow_imports_with_nothing_skipped(kb, tmp_path, shared_data):
    """The held-out US candle and bath shop: a WooCommerce export found by its name and header, the
    retailer's FAQ file as downloaded; variable products get their variations' stock and options
    (Scent x Size, one combination sold out), the draft and the private product are left out."""
    from bench.shops import build_shop

    folder = build_shop("willow", tmp_path / "willow")
    assert not (folder / "shop.yaml").exists()
    report = import_shop(kb, folder)
    assert report.skipped == []
    assert nothing_skipped_but_the_template_row(report), report.summary()
    assert report.currency_from_pages == "USD"
    products = next(r for r in report.reports if r.kind == "products")
    assert products.columns["preset"] == "woocommerce"
    assert report.counts["products"] == 44  # 19 of the merchant's own, the e-gift card, 24 catalog lines
    rows = {name: (price, stock, json.loads(attributes or "{}")) for name, price, stock, attributes in kb.db.conn.execute(
        "SELECT name, price, stock, attributes FROM kb_products")}
    price, stock, attributes = rows["Signature Soy Jar Candle"]
    assert (price, stock) == (24.0, 118)  # summed over its ten variations, Balsam Fir 14 oz sold out
    assert attributes["Size"] == "8 oz, 14 oz" and "Balsam Fir" in attributes["Scent"]
    assert rows["Holiday Hearth Three-Wick Candle 21 oz"][0] == 39.0  # on sale until 26 December
    assert "Pumpkin Chai Soy Candle" not in rows and "Wholesale Sampler Box" not in rows


def test_juniper_imports_with_nothing_skipped(kb, tmp_path, shared_data):
    """The held-out US backyard, sports and garage shop: a Shopify export found by its name and header,
    the retailer's FAQ file as downloaded, the Dawn theme's pages; the jacket's Colour x Size variants
    sum their stock (one combination sold out), the camp chair imports at its sale price, the draft and
    the archived product are left out."""
    from bench.shops import build_shop

    folder = build_shop("juniper", tmp_path / "juniper")
    assert not (folder / "shop.yaml").exists()
    report = import_shop(kb, folder)
    assert report.skipped == []
    assert nothing_skipped_but_the_template_row(report), report.summary()
    products = next(r for r in report.reports if r.kind == "products")
    assert products.columns["preset"] == "shopify"
    assert report.counts["products"] == 58  # 60 products less the draft and the archived one
    assert report.counts["faq"] == 78 + 16  # the retailer's file less its template entry, and the FAQ page's 16 rows
    rows = {name: (price, stock, json.loads(attributes or "{}")) for name, price, stock, attributes in kb.db.conn.execute(
        "SELECT name, price, stock, attributes FROM kb_products")}
    price, stock, attributes = rows["Juniper Duck Canvas Work Jacket"]
    assert (price, stock) == (89.0, 89)  # 6+14+11+8 + 4+9+0+5 + 7+12+10+3 over its twelve variants
    assert attributes["Colour"] == "Brown Duck, Moss, Black" and attributes["Size"] == "S, M, L, XL"
    assert rows["Juniper Packable Camp Chair"][0] == 44.0  # the sale price; 64.00 is its compare-at price
    assert rows["Juniper Gift Card"][2]["Denomination"] == "$25, $50, $100, $200"
    assert "Juniper Heated Garage Floor Mat" not in rows and "Juniper 22 in Steel Kettle Grill" not in rows


def test_thistle_imports_with_nothing_skipped(kb, tmp_path, shared_data):
    """The held-out Edinburgh children's clothing shop: a WooCommerce export found by its name and
    header, the retailer's FAQ file as downloaded, pages priced in pounds; variable products get
    their variations' stock and options (the jacket's Colour x Size with one combination sold out),
    the sale price holds, and the draft and the private product are left out."""
    from bench.shops import build_shop

    folder = build_shop("thistle", tmp_path / "thistle")
    assert not (folder / "shop.yaml").exists()
    report = import_shop(kb, folder)
    assert report.skipped == []
    assert nothing_skipped_but_the_template_row(report), report.summary()
    assert report.currency_from_pages == "GBP"
    products = next(r for r in report.reports if r.kind == "products")
    assert products.columns["preset"] == "woocommerce"
    assert report.counts["products"] == 95  # 10 of the merchant's own, the e-gift card, 84 Myntra kids' lines
    rows = {name: (price, stock, json.loads(attributes or "{}")) for name, price, stock, attributes in kb.db.conn.execute(
        "SELECT name, price, stock, attributes FROM kb_products")}
    price, stock, attributes = rows["Wee Explorer Waterproof Jacket"]
    assert (price, stock) == (38.0, 65)  # summed over its twelve variations, Loch Blue 4-5 Years sold out
    assert "Loch Blue" in attributes["Colour"] and "8-9 Years" in attributes["Size"]
    assert rows["Highland Coo Hooded Towel"][0] == 18.0  # on sale until 24 December
    assert rows["Kittens Boys Tan Sandals"][2]["Colour"] == "Tan"
    assert "Robin Christmas Jumper 2027" not in rows and "Nursery Staff Fleece (Trade Account)" not in rows


def test_a_message_relayed_to_the_staff_who_own_the_conversation_scores_as_a_handoff():
    from bench.answers import classify
    from supportbot.outcomes import Outcome

    assert classify(Outcome.ignored("relayed_to_staff")) == "handed_off"  # an earlier turn's handoff: staff have it
    assert classify(Outcome.ignored("not_for_me")) == "ignored"
