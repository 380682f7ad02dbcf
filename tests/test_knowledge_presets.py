"""Platform exports (Shopify, WooCommerce, Magento 2) with their own headers and no --map: one
product per parent, children's stock summed, every child's colour and size listed, platform fields
and HTML kept from customers, bad rows reported by number while the rest import."""

from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, MappingError, import_file
from supportbot.knowledge.presets import customer_attributes, detect_preset

# Shopify's product CSV: the first row of a Handle carries the product, later rows only the variant.
SHOPIFY = """\
Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,\
Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,\
Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,Variant Compare At Price,\
Image Src,Status
classic-hoodie,Classic Hoodie,"<p>Soft fleece &amp; a roomy hood.</p><ul><li>80% cotton</li><li>Machine wash</li></ul>",\
Acme,Apparel & Accessories > Clothing > Hoodies,Hoodies,"winter, sale",true,Color,Blue,Size,M,,,HD-BL-M,500,shopify,\
40,deny,manual,45.00,,https://cdn.example/h1.jpg,active
classic-hoodie,,,,,,,,,Blue,,L,,,HD-BL-L,500,shopify,35,deny,manual,45.00,,,
classic-hoodie,,,,,,,,,Green,,M,,,HD-GR-M,500,shopify,25,deny,manual,47.00,,,
classic-hoodie,,,,,,,,,,,,,,,,,,,,,,https://cdn.example/h2.jpg,
wool-beanie,Wool Beanie,<p>Warm &bull; soft</p>,Acme,,Hats,,true,Title,Default Title,,,,,BN-1,100,shopify,7,deny,\
manual,19.50,,,active
draft-thing,Draft Thing,,Acme,,,,false,Title,Default Title,,,,,DR-1,,shopify,3,deny,manual,5,,,draft
,Orphan,,,,,,,,,,,,,X-1,,,,,,3,,,
classic-hoodie,,,,,,,,,Red,,S,,,HD-RD-S,500,shopify,lots,deny,manual,45.00,,,
"""

# WooCommerce's exporter: variable parents, variations pointing at them by SKU or id:N.
WOO = """\
ID,Type,SKU,Name,Published,"Is featured?","Visibility in catalog","Short description",Description,\
"Date sale price starts","Date sale price ends","Tax status","Tax class","In stock?",Stock,"Sale price",\
"Regular price",Categories,Tags,Parent,"Attribute 1 name","Attribute 1 value(s)","Attribute 1 visible",\
"Attribute 1 global","Attribute 2 name","Attribute 2 value(s)","Attribute 2 visible","Attribute 2 global"
44,variable,woo-vneck-tee,V-Neck T-Shirt,1,1,visible,A variable product.,"<p>Pellentesque &amp; more.</p>\\n<p>Soft.</p>",,,\
taxable,,1,,,,"Clothing > Tshirts, Clothing",,,Color,"Blue, Green, Red",1,1,Size,"Large, Medium, Small",1,1
46,simple,woo-beanie,Beanie,1,0,visible,A simple product.,<p>Warm.</p>,,,taxable,,1,12,18,20,\
Clothing > Accessories,,,Color,Red,1,1,,,,
76,variation,woo-vneck-tee-red,V-Neck T-Shirt - Red,1,0,visible,,,,,taxable,,1,30,,20,,,woo-vneck-tee,\
Color,Red,,1,Size,,,1
77,variation,woo-vneck-tee-green,V-Neck T-Shirt - Green,1,0,visible,,,,,taxable,,1,50,,20,,,id:44,\
Color,Green,,1,Size,Large,,1
78,variation,woo-vneck-tee-blue,V-Neck T-Shirt - Blue,1,0,visible,,,,,taxable,,1,20,,15,,,woo-vneck-tee,\
Color,Blue,,1,Size,Small,,1
64,simple,woo-hidden,Hoodie with Pocket,1,1,hidden,,,,,taxable,,1,5,,45,Clothing > Hoodies,,,,,,,,,,
90,variation,woo-lost,Lost - Red,1,0,visible,,,,,taxable,,1,3,,10,,,woo-nothing,Color,Red,,1,,,,
91,simple,,,1,0,visible,,,,,taxable,,1,3,,10,,,,,,,,,,,
"""

# Magento 2's catalog export: a configurable parent lists its simple children, which hold the qty.
MAGENTO = """\
sku,store_view_code,attribute_set_code,product_type,categories,product_websites,name,description,\
short_description,weight,product_online,tax_class_name,visibility,price,special_price,url_key,\
additional_attributes,qty,out_of_stock_qty,is_in_stock,configurable_variations,configurable_variation_labels
WJ01-S-Red,,Top,simple,Default Category/Women/Tops/Jackets,base,Stellar Jacket-S-Red,,,1,1,Taxable Goods,\
Not Visible Individually,75,,stellar-s-red,"color=Red,has_options=0,required_options=0,size=S",40,0,1,,
WJ01-M-Red,,Top,simple,Default Category/Women/Tops/Jackets,base,Stellar Jacket-M-Red,,,1,1,Taxable Goods,\
Not Visible Individually,75,,stellar-m-red,"color=Red,has_options=0,required_options=0,size=M",35,0,1,,
WJ01-S-Blue,,Top,simple,Default Category/Women/Tops/Jackets,base,Stellar Jacket-S-Blue,,,1,1,Taxable Goods,\
Not Visible Individually,79,,stellar-s-blue,"color=Blue,has_options=0,required_options=0,size=S",25,0,1,,
WJ01,,Top,configurable,"Default Category/Women/Tops/Jackets,Default Category/Collections/Eco Friendly",base,\
Stellar Solar Jacket,"<p>Sunny days call for a light layer&nbsp;&ndash; this one.</p>",,1,1,Taxable Goods,\
"Catalog, Search",75,,stellar-solar-jacket,"has_options=1,material=Polyester,eco_collection=0,\
required_options=0,style_general=Insulated",0,0,1,"sku=WJ01-S-Red,color=Red,size=S|sku=WJ01-M-Red,color=Red,size=M|\
sku=WJ01-S-Blue,color=Blue,size=S","color=Color,size=Size"
WJ01,fr,Top,configurable,,base,Veste Stellar,,,,,,,,,,,,,,,
MB01,,Bag,simple,Default Category/Gear/Bags,base,Joust Duffle Bag,<p>The sporty Joust.</p>,,1,1,Taxable Goods,\
"Catalog, Search",34,,joust-duffle-bag,"activity=Gym|Travel,has_options=0",12,0,1,,
MB02,,Bag,simple,Default Category/Gear/Bags,base,Broken Bag,,,1,1,Taxable Goods,"Catalog, Search",cheap,,\
broken-bag,,3,0,1,,
,,Bag,simple,Default Category/Gear/Bags,base,No Sku Bag,,,1,1,Taxable Goods,"Catalog, Search",3,,x,,1,0,1,,
"""


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    db = connect(tmp_path / "kb.db")
    yield KnowledgeBase(db, None)
    db.conn.close()


def _import(kb: KnowledgeBase, tmp_path: Path, text: str, **kwargs):
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return import_file(kb, "products", path, **kwargs)


def _product(kb: KnowledgeBase, query: str, sku: str):
    return next(h for h in kb.search_products_sync(query, k=10) if h.sku == sku)


def test_shopify_variants_become_one_product_with_summed_stock_and_every_colour(kb, tmp_path):
    report = _import(kb, tmp_path, SHOPIFY)
    assert "shopify export detected" in report.summary()
    assert kb.counts()["products"] == 2  # hoodie and beanie; the draft is not for customers
    hoodie = _product(kb, "classic hoodie", "classic-hoodie")
    assert hoodie.stock == 100 and hoodie.stock_text == "In stock (100)"
    assert hoodie.attributes == {"Brand": "Acme", "Color": "Blue, Green, Red", "Size": "M, L, S"}
    assert (hoodie.price, hoodie.price_max) == (45.0, 47.0)
    assert hoodie.category == "Apparel & Accessories > Clothing > Hoodies"
    assert hoodie.description == "Soft fleece & a roomy hood.\n• 80% cotton\n• Machine wash"
    assert [v["sku"] for v in hoodie.variants] == ["HD-BL-M", "HD-BL-L", "HD-GR-M", "HD-RD-S"]
    assert hoodie.variants[2] == {"sku": "HD-GR-M", "options": {"Color": "Green", "Size": "M"}, "price": 47.0,
                                  "stock": 25}
    beanie = _product(kb, "wool beanie", "wool-beanie")
    assert (beanie.stock, beanie.price, beanie.variants, beanie.description) == (7, 19.5, (), "Warm • soft")
    problems = [str(p) for p in report.problems]
    assert problems == ["row 7: no Handle (skipped)",
                        "row 8: stock 'lots' is not a number; imported without stock"]
    assert "1 row(s) not imported: draft, archived or unpublished products" in report.notes


def test_woocommerce_variations_link_to_their_parent_by_sku_or_id(kb, tmp_path):
    report = _import(kb, tmp_path, WOO, preset="woocommerce")
    tee = _product(kb, "v-neck t-shirt", "woo-vneck-tee")
    assert tee.stock == 100 and (tee.price, tee.price_max) == (15.0, 20.0)
    assert tee.attributes == {"Color": "Red, Green, Blue", "Size": "Large, Medium, Small"}
    # the exporter writes a description's line breaks as a backslash and an n
    assert tee.category == "Clothing > Tshirts" and tee.description == "Pellentesque & more.\nSoft."
    red = tee.variants[0]
    assert red["options"] == {"Color": "Red"}  # "any size": no size of its own, it counts for each
    assert tee.option_stock() == {"Color": {"Red": 30, "Green": 50, "Blue": 20},
                                  "Size": {"Large": 80, "Small": 50, "Medium": 30}}
    beanie = _product(kb, "beanie", "woo-beanie")
    assert (beanie.price, beanie.stock, beanie.attributes) == (18.0, 12, {"Color": "Red"})  # on sale
    assert "woo-hidden" not in {h.sku for h in kb.search_products_sync("hoodie with pocket", k=10)}
    assert [str(p) for p in report.problems] == [
        "row 7: variation of an unknown or hidden product 'woo-nothing' (skipped)",
        "row 8: sku 'id:91' has no Name (skipped)"]


def test_magento_configurable_parent_takes_its_childrens_stock_and_hides_platform_fields(kb, tmp_path):
    report = _import(kb, tmp_path, MAGENTO)
    assert "magento export detected" in report.summary()
    jacket = _product(kb, "stellar solar jacket", "WJ01")
    assert jacket.stock == 100 and jacket.stock_text == "In stock (100)"  # the parent's own qty is 0
    assert jacket.attributes == {"Material": "Polyester", "Style general": "Insulated", "Color": "Red, Blue",
                                 "Size": "S, M"}
    assert jacket.category == "Women > Tops > Jackets"  # no "Default Category" root
    assert jacket.description == "Sunny days call for a light layer – this one."
    assert (jacket.price, jacket.price_max) == (75.0, 79.0) and len(jacket.variants) == 3
    skus = {h.sku for h in kb.search_products_sync("stellar jacket", k=10)}
    assert skus == {"WJ01"}  # the children are in the card, not beside it
    bag = _product(kb, "joust duffle bag", "MB01")
    assert bag.attributes == {"Activity": "Gym, Travel"} and bag.category == "Gear > Bags" and bag.stock == 12
    assert [str(p) for p in report.problems] == [
        "row 7: price 'cheap' is not an amount; imported without a price", "row 8: no sku (skipped)"]
    assert any("store-view rows" in n for n in report.notes)


def test_presets_are_detected_from_headers_and_a_wrong_one_is_refused(kb, tmp_path):
    header = lambda text: text.splitlines()[0].replace('"', "").split(",")  # noqa: E731
    assert detect_preset(header(SHOPIFY)) == "shopify"
    assert detect_preset(header(WOO)) == "woocommerce"
    assert detect_preset(header(MAGENTO)) == "magento"
    assert detect_preset(["sku", "name", "price"]) is None
    with pytest.raises(MappingError, match="--preset magento: the file lacks"):
        _import(kb, tmp_path, SHOPIFY, preset="magento")
    with pytest.raises(MappingError, match="may only give a fixed currency"):
        _import(kb, tmp_path, SHOPIFY, preset="shopify", mapping={"name": "Title"})


def test_a_fixed_currency_goes_with_a_preset(kb, tmp_path):
    _import(kb, tmp_path, SHOPIFY, mapping={"currency": "USD"})
    assert _product(kb, "wool beanie", "wool-beanie").price_text == "$19.50"


def test_platform_flags_never_become_attributes():
    assert customer_attributes([("has_options", "1"), ("required_options", "0"), ("gift_message_available", "No"),
                                ("new", "0"), ("color", "Black"), ("size", "M")]) == {"Color": "Black", "Size": "M"}


def test_an_unmapped_column_that_looks_like_stock_price_or_category_is_warned_about(kb, tmp_path):
    report = _import(kb, tmp_path, "sku,name,Qty On Hand,Unit Price,Department\nA1,Mug,3,9.5,Kitchen\n",
                     mapping={"sku": "sku", "name": "name"})
    text = report.summary()
    assert 'no stock imported, but column "Qty On Hand" looks like one: --map stock="Qty On Hand"' in text
    assert 'column "Unit Price"' in text and 'column "Department"' in text


def test_a_plain_mapping_of_a_magento_export_still_hides_its_platform_fields(kb, tmp_path):
    report = _import(kb, tmp_path, MAGENTO, preset="none", mapping={
        "sku": "sku", "name": "name", "category": "categories", "attributes": "additional_attributes"})
    assert not any("detected" in n for n in report.notes)
    bag = _product(kb, "joust duffle bag", "MB01")
    assert bag.attributes == {"Activity": "Gym, Travel"} and bag.category == "Gear > Bags"
    jacket = _product(kb, "stellar solar jacket", "WJ01")
    assert jacket.attributes == {"Material": "Polyester", "Style general": "Insulated"}
    assert jacket.category == "Women > Tops > Jackets"


def test_a_disabled_configurable_product_and_its_children_are_not_imported(kb, tmp_path):
    disabled = MAGENTO.replace("Stellar Solar Jacket,\"<p>Sunny days call for a light layer&nbsp;&ndash; this one.</p>\",,1,1,",
                               "Stellar Solar Jacket,\"<p>Sunny days call for a light layer&nbsp;&ndash; this one.</p>\",,1,2,")
    assert disabled != MAGENTO
    report = _import(kb, tmp_path, disabled)
    assert {r[0] for r in kb.db.conn.execute("SELECT sku FROM kb_products")} == {"MB01", "MB02"}
    assert any(n.startswith("4 row(s) not imported: not visible individually") for n in report.notes)


def test_each_option_value_has_the_stock_of_its_children(kb, tmp_path):
    _import(kb, tmp_path, SHOPIFY)
    hoodie = _product(kb, "classic hoodie", "classic-hoodie")
    assert hoodie.option_stock() == {"Color": {"Blue": 75, "Green": 25, "Red": None},
                                     "Size": {"M": 65, "L": 35, "S": None}}
    assert _named(hoodie, "is the hoodie in stock in green?") == [("Color", "Green", 25)]
    assert _named(hoodie, "is the hoodie in stock?") == []


def test_two_options_named_are_the_children_that_have_both(kb, tmp_path):
    _import(kb, tmp_path, WOO, preset="woocommerce")
    tee = _product(kb, "v-neck t-shirt", "woo-vneck-tee")
    assert _named(tee, "is the tee in stock in Blue, Large?") == [("Color / Size", "Blue, Large", 0)]
    assert _named(tee, "and in red, medium") == [("Color / Size", "Red, Medium", 30)]  # red takes any size
    assert _named(tee, "in green or blue, size large?") == [
        ("Color / Size", "Green, Large", 50), ("Color / Size", "Blue, Large", 0)]


def test_a_letter_size_as_customers_write_it_and_the_previous_message_name_a_child(kb, tmp_path):
    _import(kb, tmp_path, SHOPIFY)
    hoodie = _product(kb, "classic hoodie", "classic-hoodie")
    assert _named(hoodie, "classic hoodie, size M?") == [("Size", "M", 65)]
    assert _named(hoodie, "do you have it in medium?") == [("Size", "M", 65)]
    assert _named(hoodie, "I'm after a hoodie, is it warm?") == []  # no "m" or "a" of every message
    # "in blue?", then "what about in medium?": the blue one in M
    assert _named(hoodie, "what about in medium?", "is it in blue?") == [("Color / Size", "Blue, M", 40)]
    assert _named(hoodie, "how much is it?", "is it in blue?") == []  # the price, not the colour again
    # a child's own price where the children's prices differ (the hoodie's are 45.00 and 47.00)
    (green_m,) = hoodie.variants_named("is the green one in medium?")
    assert green_m.price == 47.0 and "47" in (hoodie.variant_price_text(green_m) or "")


def _named(hit, text, earlier=""):
    """:meth:`ProductHit.variants_named` as (option, value, stock)."""
    return [v[:3] for v in hit.variants_named(text, earlier)]
