"""Sales from the platform exports: the regular price beside the price paid and the sale's last day
are imported, shown on the card ("$44 (was $64, sale ends 24 Dec 2026)") and answer "is it on sale?",
"what was the original price?", "until when?" and "what's on sale?"; a sale that has ended, or a
compare-at price at or below the price, is no sale."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, import_file
from supportbot.testing.fake_runner import FakeRunner

SOON = (date.today() + timedelta(days=20)).isoformat()
PAST = (date.today() - timedelta(days=3)).isoformat()
LATER = (date.today() + timedelta(days=9)).isoformat()

# Shopify: a sale is a compare-at price above the variant's price; a stale one at or below it is none.
SHOPIFY = """\
Handle,Title,Body (HTML),Vendor,Type,Published,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,\
Variant Price,Variant Compare At Price,Status
camp-chair,Packable Camp Chair,<p>Folds into its own bag.</p>,Juniper,Chairs,true,Colour,Forest Green,CC-G,5,44.00,\
64.00,active
camp-chair,,,,,,,Slate Gray,CC-S,3,44.00,64.00,
trail-stool,Trail Stool,<p>Three legs.</p>,Juniper,Chairs,true,Title,Default Title,ST-1,8,20.00,20.00,active
hammock,Canvas Hammock,<p>Cotton canvas.</p>,Juniper,Hammocks,true,Title,Default Title,HM-1,4,30.00,,active
"""

# WooCommerce: a sale price that has not ended (and has begun) beside the regular price.
WOO = f"""\
ID,Type,SKU,Name,Published,Visibility in catalog,Description,Date sale price starts,Date sale price ends,\
In stock?,Stock,Sale price,Regular price,Categories,Parent
1,simple,towel,Highland Coo Hooded Towel,1,visible,A hooded towel.,,{SOON},1,17,18,24,Baby & Bath,
2,simple,bib,Tartan Bib,1,visible,A bib.,,{PAST},1,9,5,8,Baby & Bath,
3,simple,blanket,Wool Blanket,1,visible,A blanket.,{LATER},,1,2,30,40,Baby & Bath,
"""

# Magento 2: special_price within its dates.
MAGENTO = f"""\
sku,store_view_code,product_type,categories,name,description,product_online,visibility,price,special_price,\
special_price_from_date,special_price_to_date,additional_attributes,qty,is_in_stock,configurable_variations
MB01,,simple,Default Category/Gear/Bags,Joust Duffle Bag,<p>Sporty.</p>,1,"Catalog, Search",34,29,,{SOON},,12,1,
MB02,,simple,Default Category/Gear/Bags,Rival Field Bag,<p>Roomy.</p>,1,"Catalog, Search",40,35,{LATER},,,5,1,
"""


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    db = connect(tmp_path / "kb.db")
    yield KnowledgeBase(db, FakeRunner())
    db.conn.close()


def _import(kb: KnowledgeBase, tmp_path: Path, text: str, currency: str = "USD") -> None:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    import_file(kb, "products", path, mapping={"currency": currency})


def test_shopify_compare_at_price_above_the_price_is_a_sale(kb, tmp_path):
    _import(kb, tmp_path, SHOPIFY)
    chair, stool, hammock = (kb.product(sku) for sku in ("camp-chair", "trail-stool", "hammock"))
    assert chair.on_sale and chair.offer_text == "$44 (was $64)"
    assert chair.variants[0]["sale"] == {"regular": 64.0, "ends": None}
    assert not stool.on_sale and stool.offer_text == "$20"  # compare-at equal to the price: no reduction
    assert hammock.sale is None and hammock.offer_text == "$30"
    assert [h.sku for h in kb.browse_products([], k=5, on_sale=True)] == ["camp-chair"]


def test_woocommerce_sale_runs_between_its_dates(kb, tmp_path):
    _import(kb, tmp_path, WOO, currency="GBP")
    towel, bib, blanket = (kb.product(sku) for sku in ("towel", "bib", "blanket"))
    day = date.fromisoformat(SOON)
    assert towel.price == 18 and towel.offer_text == f"£18 (was £24, sale ends {day.day} {day:%b %Y})"
    assert towel.sale.ends == SOON
    assert bib.price == 8 and bib.sale is None  # the sale ended: the regular price, no sale
    assert blanket.price == 40 and blanket.sale is None  # not begun yet


def test_magento_special_price_within_its_dates(kb, tmp_path):
    _import(kb, tmp_path, MAGENTO)
    duffle, field = kb.product("MB01"), kb.product("MB02")
    assert duffle.price == 29 and duffle.sale.regular == 34 and duffle.sale.ends == SOON
    assert field.price == 40 and field.sale is None


@pytest.fixture
def shop(tmp_path: Path) -> KnowledgeBase:
    path = tmp_path / "export.csv"
    path.write_text(SHOPIFY, encoding="utf-8")
    db = connect(tmp_path / "shop.db")
    kb = KnowledgeBase(db, FakeRunner())
    import_file(kb, "products", path, mapping={"currency": "USD"})
    yield kb
    db.conn.close()


async def _bot(make_bot, kb):
    return await make_bot("product_lookup", knowledge=kb, runner=kb.runner)


async def test_is_it_on_sale_gets_both_prices_on_the_card(make_bot, shop):
    bot, chat = await _bot(make_bot, shop)
    outcome, sent = await chat.say_and_outcome("is the packable camp chair on sale?")
    assert outcome.sources == ("product:camp-chair",)
    assert sent[0].text.startswith("Yes, Packable Camp Chair is on sale: $44, was $64.")
    assert ("Price", "$44 (was $64)") in sent[0].action.embeds[0].fields
    outcome, sent = await chat.say_and_outcome("is the trail stool on sale?", customer="bob")
    assert outcome.sources == ("product:trail-stool",)
    assert sent[0].text == "Trail Stool isn't on sale right now; it's $20."


async def test_the_original_price_and_the_end_of_the_sale_are_follow_ups(make_bot, shop):
    bot, chat = await _bot(make_bot, shop)
    await chat.say("packable camp chair")
    outcome, sent = await chat.say_and_outcome("what was the original price?")
    assert outcome.reason == "product_follow_up" and sent[0].text == "Packable Camp Chair is on sale: $44, was $64."
    outcome, sent = await chat.say_and_outcome("until when?")
    assert "no end date on record" in sent[0].text  # Shopify's export gives none: none is made up
    outcome, sent = await chat.say_and_outcome("what's on sale right now?")  # the whole shop, not "is it?"
    assert outcome.sources == ("product:camp-chair",) and "Camp Chair is on sale: $44, was $64" in sent[0].text
    await chat.say("canvas hammock", customer="bob")
    outcome, sent = await chat.say_and_outcome("anything on sale right now?", customer="bob")
    assert outcome.sources == ("product:camp-chair",)


async def test_whats_on_sale_lists_the_products_on_sale(make_bot, shop):
    bot, chat = await _bot(make_bot, shop)
    outcome, sent = await chat.say_and_outcome("what's on sale right now?")
    assert outcome.reason == "product_found" and outcome.sources == ("product:camp-chair",)
    outcome, sent = await chat.say_and_outcome("are any hammocks on sale?", customer="bob")
    assert outcome.reason == "product_not_on_sale" and sent[0].text.startswith("Canvas Hammock isn't on sale")


async def test_a_sale_after_an_order_is_not_a_catalog_filter(make_bot, shop):
    bot, chat = await _bot(make_bot, shop)
    outcome, _ = await chat.say_and_outcome("the chair I bought went on sale two days later, can I get the difference?")
    assert outcome.reason not in ("product_found", "product_not_on_sale", "product_list")
