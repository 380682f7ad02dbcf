"""Product lookup plugin: cards from the catalog only, close matches ask back, no match is honest."""

import re
from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, import_file
from supportbot.testing.doubles import ScriptedUnderstander, understanding
from supportbot.testing.fake_runner import FakeRunner

CATALOG = """sku,name,category,price,stock,colour,url
TR-1,Trail Runner Shoe,Footwear > Running,$89.99,12,Red,https://shop.example/tr-1
TR-2,Trail Runner Shoe GTX,Footwear > Running,$119.00,0,Red,https://shop.example/tr-2
HB-1,Canvas Tote Bag,Bags,,,Natural,
BT-1,无线蓝牙耳机 Pro,Electronics > Audio,¥299,5,Black,
"""


def understands(action="product_lookup"):
    """Every message is a product question that leads to ``action``."""
    return ScriptedUnderstander({}, default=understanding("product_question", action=action))


def catalog_kb(tmp_path: Path, name: str, csv_text: str, mapping: dict[str, str] | None = None):
    """A knowledge base holding ``csv_text`` imported as products (closed after the test)."""
    path = tmp_path / f"{name}.csv"
    path.write_text(csv_text, encoding="utf-8")
    db = connect(tmp_path / f"{name}.db")
    kb = KnowledgeBase(db, FakeRunner())
    import_file(kb, "products", path, mapping)
    yield kb
    db.conn.close()


@pytest.fixture
def knowledge(tmp_path: Path) -> KnowledgeBase:
    yield from catalog_kb(tmp_path, "catalog", CATALOG, {"attributes": "colour"})


async def start(make_bot, knowledge, understander=None):
    return await make_bot("product_lookup", knowledge=knowledge, runner=knowledge.runner, understander=understander)


def _numbers(sent) -> set[str]:
    """Every figure the customer was shown, text and cards together."""
    text = " ".join(s.text + " " + " ".join(f"{e.title} {e.description} {e.fields}" for e in s.action.embeds)
                    for s in sent)
    return set(re.findall(r"\d+(?:[.,]\d+)?", text))


async def test_one_clear_match_gets_a_card_with_stored_figures_only(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge, understands())
    outcome, sent = await chat.say_and_outcome("how much is the canvas tote bag?")
    assert outcome.kind == "answered" and outcome.reason == "product_found"
    assert outcome.sources == ("product:HB-1",)
    (card,) = sent[0].action.embeds
    assert card.title == "Canvas Tote Bag"
    assert dict(card.fields) == {"Category": "Bags", "colour": "Natural"}  # no price or stock stored: none said
    assert _numbers(sent) <= {"1"}  # only the SKU's digit; nothing invented


async def test_card_shows_price_stock_and_link(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge, understands())
    outcome, sent = await chat.say_and_outcome("do you have the Trail Runner Shoe GTX?")
    (card,) = sent[0].action.embeds
    assert outcome.sources == ("product:TR-2",) and card.url == "https://shop.example/tr-2"
    assert ("Price", "$119") in card.fields and ("Availability", "Out of stock") in card.fields


async def test_close_matches_get_a_short_list_and_a_question(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge, understands())
    outcome, sent = await chat.say_and_outcome("trail runner")
    assert outcome.reason == "product_choices" and sent[0].text.endswith("Which one do you mean?")
    names = [name for name, _ in sent[0].action.embeds[0].fields]
    assert names == ["1. Trail Runner Shoe", "2. Trail Runner Shoe GTX"]
    assert _numbers(sent) <= {"1", "2", "89.99", "12", "119"}


async def test_no_match_says_so_and_offers_a_person(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge, understands())
    outcome, sent = await chat.say_and_outcome("do you sell garden hoses")
    assert outcome.reason == "not_sold"  # no product has those words: not a list of near misses
    assert "we don't sell garden hoses" in sent[0].text and "someone on our team" in sent[0].text
    assert not sent[0].action.embeds
    outcome, sent = await chat.say_and_outcome("trail runner shoe in purple under $50", customer="bob")
    assert outcome.reason == "product_not_found" and "couldn't find" in sent[0].text


async def test_other_intents_are_left_to_other_plugins(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge, understands(action="answer"))
    outcome, _ = await chat.say_and_outcome("trail runner shoe")
    assert outcome.plugin != "product_lookup"


async def test_without_understanding_only_clear_matches_are_taken(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge)
    outcome, sent = await chat.say_and_outcome("无线蓝牙耳机")
    assert outcome.reason == "product_found" and sent[0].action.embeds[0].footer == "SKU BT-1"
    assert ("Price", "¥299") in sent[0].action.embeds[0].fields
    outcome, _ = await chat.say_and_outcome("my parcel never came, where is it?")
    assert outcome.plugin != "product_lookup"


async def test_product_command_and_autocomplete(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge)
    result = await chat.command("product", staff=False, query="tote")
    assert [e.title for e in result.embeds] == ["Canvas Tote Bag"]
    result = await chat.command("product", staff=False, query="garden hose")
    assert result.text.startswith("Nothing in the catalog matches") and not result.embeds
    from supportbot.events import Author, CommandInvoked

    event = CommandInvoked(platform="test", interaction_id="i1", channel_id="c", author=Author(id="alice", name="a"),
                           command="product", options={})
    assert await bot.autocomplete(event, "query", "Trail") == ["Trail Runner Shoe", "Trail Runner Shoe GTX"]


VARIANTS = """sku,name,price,stock,attributes,description
SH-R9,Trail Runner Shoe,$89.99,3,"{""colour"": ""Red"", ""size"": ""9""}",Light trail shoe. Price: Rs. 7499 • Grippy sole
SH-B10,Trail Runner Shoe,$89.99,0,"{""colour"": ""Blue"", ""size"": ""10""}",Light trail shoe. Only 2 left in stock!
MB-1,Mystery Box,,,"{}",A surprise. Manufacturer suggested price: $19.99 - for ages 6+
"""


@pytest.fixture
def variants(tmp_path: Path) -> KnowledgeBase:
    yield from catalog_kb(tmp_path, "variants", VARIANTS)


async def test_variants_of_the_named_product_are_listed_by_what_tells_them_apart(make_bot, variants):
    bot, chat = await start(make_bot, variants, understands())
    outcome, sent = await chat.say_and_outcome("do you have the Trail Runner Shoe?")
    assert outcome.reason == "product_choices"
    names = [name for name, _ in sent[0].action.embeds[0].fields]
    assert sorted(names) == ["1. Trail Runner Shoe (Red, 9)", "2. Trail Runner Shoe (Blue, 10)"] or sorted(names) == [
        "1. Trail Runner Shoe (Blue, 10)", "2. Trail Runner Shoe (Red, 9)"]
    outcome, sent = await chat.say_and_outcome("trail runner shoe in blue, size 10")
    assert outcome.reason == "product_found" and outcome.sources == ("product:SH-B10",)


async def test_a_description_never_adds_a_price_or_stock_figure(make_bot, variants):
    bot, chat = await start(make_bot, variants, understands())
    _, sent = await chat.say_and_outcome("trail runner shoe red 9")
    (card,) = sent[0].action.embeds
    assert card.description == "Light trail shoe. Grippy sole" and ("Price", "$89.99") in card.fields
    _, sent = await chat.say_and_outcome("trail runner shoe blue 10")
    assert sent[0].action.embeds[0].description == "Light trail shoe."
    _, sent = await chat.say_and_outcome("mystery box")
    (card,) = sent[0].action.embeds
    assert card.description == "A surprise." and not any(name == "Price" for name, _ in card.fields)
    assert _numbers(sent) <= {"1"}  # the SKU's digit only


async def test_yes_to_the_offer_of_a_person_hands_off(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge, understands())
    outcome, _ = await chat.say_and_outcome("do you sell garden hoses")
    assert outcome.reason == "not_sold"
    outcome, _ = await chat.say_and_outcome("yes please")
    assert (outcome.kind, outcome.reason) == ("handed_off", "product_not_found_accepted")
    assert outcome.details["asked"] == "do you sell garden hoses"


async def test_real_flipkart_variants_and_cards_show_only_the_catalog_price(make_bot, tmp_path, shared_data):
    from test_knowledge_shared_data import MAPPINGS

    from supportbot.knowledge import parse_mapping

    path = "catalog-flipkart/flipkart_com-ecommerce_sample_first999.csv"
    db = connect(tmp_path / "flipkart.db")
    kb = KnowledgeBase(db, FakeRunner())
    import_file(kb, "products", shared_data / path, parse_mapping(MAPPINGS[path]))
    try:
        bot, chat = await start(make_bot, kb, understands())
        # Four sofa beds share this name: the customer is asked which, each labelled apart.
        outcome, sent = await chat.say_and_outcome("FabHomeDecor Fabric Double Sofa Bed")
        (listing,) = sent[0].action.embeds
        labels = [name for name, _ in listing.fields]
        assert outcome.reason == "product_choices" and len(set(labels)) == len(labels) == 3
        assert all(value == "₹22,646" for _, value in listing.fields)
        # Flipkart descriptions repeat a price ("Price: Rs. 22,646"); only the Price field may say one.
        result = await chat.command("product", staff=False, query="FabHomeDecor Fabric Double Sofa Bed")
        for card in result.embeds:
            assert ("Price", "₹22,646") in card.fields
            assert card.description and "Rs." not in card.description and "Price:" not in card.description
    finally:
        db.conn.close()


MODIFIERS = """sku,name,category,price,stock
LB-1,Urban Laptop Backpack,,$59.00,4
LB-2,Slim Laptop Sleeve (Grey),,$25.00,9
LS-1,Leather Belt,,$30.00,3
LS-2,Leather Ankle Boots,,$140.00,2
LS-3,Leather Card Wallet,,$35.00,8
SS-1,Semi-stitched Silk Saree,,$80.00,5
"""


@pytest.fixture
def modifiers(tmp_path: Path) -> KnowledgeBase:
    yield from catalog_kb(tmp_path, "modifiers", MODIFIERS)


async def test_a_type_the_shop_only_has_as_a_modifier_is_not_sold(make_bot, modifiers):
    """Laptop backpacks and laptop sleeves do not make a shop that sells laptops; leather,
    describing belts, boots and wallets, is a property customers shop by."""
    bot, chat = await start(make_bot, modifiers, understands())
    outcome, sent = await chat.say_and_outcome("do you sell laptops?")
    assert outcome.reason == "not_sold" and "we don't sell laptops" in sent[0].text
    assert "Backpack" not in sent[0].text
    outcome, _ = await chat.say_and_outcome("do you sell backpacks?")
    assert outcome.reason == "product_found" and outcome.sources == ("product:LB-1",)
    outcome, _ = await chat.say_and_outcome("do you sell leather?")
    assert outcome.reason != "not_sold"


def test_a_short_word_inside_another_word_is_no_match():
    """"emi" (instalments) is not in "semi-stitched"; a partial word counts at a word's start,
    and inside a word only when it is long enough to be a part of a compound."""
    from supportbot.knowledge.search import Coverage, query_terms

    assert Coverage(query_terms("emi"))("semi-stitched silk saree") == 0.0
    assert Coverage(query_terms("runn"))("trail running shoe") == 1.0
    assert Coverage(query_terms("rucksack"))("wanderrucksack 30l") == 1.0


SHOPIFY_MUGS = """\
Handle,Title,Body (HTML),Vendor,Type,Published,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,\
Variant Price,Status
printed-mug,Printed Ceramic Coffee Mug,<p>A mug.</p>,Love Gifts,Mugs,true,Colour,White & Black,MUG-WB,100,9.99,active
printed-mug,,,,,,,Pink & Red,MUG-PR,0,9.99,
printed-mug,,,,,,,Mustard Orange & Red with a very long colour name indeed,MUG-MO,27,9.99,
"""


@pytest.fixture
def mugs(tmp_path: Path) -> KnowledgeBase:
    yield from catalog_kb(tmp_path, "mugs", SHOPIFY_MUGS)


async def test_a_card_lists_every_option_and_a_named_one_gets_its_own_stock(make_bot, mugs):
    bot, chat = await start(make_bot, mugs, understands())
    outcome, sent = await chat.say_and_outcome("is the printed ceramic coffee mug in stock in Pink & Red?")
    assert outcome.reason == "product_found" and "Pink & Red: out of stock" in sent[0].text
    fields = dict(sent[0].action.embeds[0].fields)
    assert fields["Availability"] == "In stock (127)"  # the parent: its children's stock summed
    assert fields["Colour"] == "White & Black, Pink & Red (sold out), Mustard Orange & Red with a very long colour name indeed"
    outcome, sent = await chat.say_and_outcome("and in White & Black?")
    assert outcome.reason == "product_follow_up" and "White & Black: in stock (100)" in sent[0].text
    outcome, sent = await chat.say_and_outcome("what colours?")
    assert outcome.reason == "product_follow_up"
    assert "Colour White & Black, Pink & Red (sold out), Mustard" in sent[0].text


SHOPIFY_PERFUME = """\
Handle,Title,Body (HTML),Vendor,Type,Published,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,\
Variant Price,Status
intense-edt,L'Homme Intense Eau de Toilette,<p>Woody.</p>,Lacoste,Fragrance,true,Size,50 ml,EDT-50,46,58.95,active
intense-edt,,,,,,,100 ml,EDT-100,0,77.95,
chef-knife,Canyon 20 cm Chef's Knife,<p>Forged steel.</p>,Canyon,Knives,true,Title,Default Title,KN-20,12,149.00,active
"""


@pytest.fixture
def perfume(tmp_path: Path) -> KnowledgeBase:
    yield from catalog_kb(tmp_path, "perfume", SHOPIFY_PERFUME)


async def test_a_size_of_the_product_shown_is_asked_of_it_and_a_products_measure_is_no_fit_question(make_bot, perfume):
    bot, chat = await start(make_bot, perfume, understands())
    await chat.say_and_outcome("do you sell lacoste l'homme intense?")
    outcome, sent = await chat.say_and_outcome("how much is the 50ml")  # no product word: that bottle
    assert outcome.reason == "product_follow_up" and "50 ml: 58.95, in stock (46)" in sent[0].text
    # a product's measure is no body's ("my son is 128cm"): not a question for the size guide
    outcome, sent = await chat.say_and_outcome("how much is the canyon 20cm chef's knife?", customer="bo")
    assert outcome.reason == "product_found" and outcome.sources == ("product:chef-knife",)


BRANDS = """sku,name,category,price,stock,brand
MS-1,Marks & Spencer Waterlily & Blossom Eau de Toilette 100 ml,Perfume,$64.99,0,Marks & Spencer
US-1,U.S. Polo Assn. Kids Boys Navy Hooded Sweatshirt,Sweatshirts,$20.99,6,U.S. Polo Assn.
PF-1,Vinyl Water Hammock Pool Float,Pool Floats,$9.99,21,Poolmaster
PF-2,Giant Flamingo Pool Float,Pool Floats,$24.99,3,Swimline
"""


@pytest.fixture
def brands(tmp_path: Path) -> KnowledgeBase:
    yield from catalog_kb(tmp_path, "brands", BRANDS, {"attributes": "brand"})


async def test_initials_money_slang_and_a_colour_name_no_brand_we_do_not_sell(make_bot, brands):
    """"M&S" and "US" are initials of brands the shop writes out, "bucks" and "quid" money: none is a
    brand to say "we don't sell" of; a colour beside words no product holds together is searched."""
    bot, chat = await start(make_bot, brands, understands())
    outcome, sent = await chat.say_and_outcome("is the M&S waterlily & blossom in stock")
    assert outcome.reason == "product_out_of_stock" and outcome.sources == ("product:MS-1",)
    outcome, _ = await chat.say_and_outcome("how much is the US Polo navy hoodie", customer="bob")
    assert outcome.reason == "product_found" and outcome.sources == ("product:US-1",)
    outcome, sent = await chat.say_and_outcome("any pool floats under 15 bucks?", customer="carol")
    assert outcome.sources == ("product:PF-1",) and "don't sell" not in sent[0].text
    outcome, sent = await chat.say_and_outcome("pool floats under 30 quid?", customer="dan")
    assert outcome.reason == "product_list" and "don't sell" not in sent[0].text


async def test_when_a_sold_out_product_comes_back_is_not_the_cards_to_answer(make_bot, knowledge):
    """The catalog says "out of stock", never when: the restock policy answers, or a person."""
    bot, chat = await start(make_bot, knowledge, understands())
    outcome, _ = await chat.say_and_outcome("when will the Trail Runner Shoe GTX be back in stock?")
    assert outcome is None or outcome.plugin != "product_lookup"
    outcome, _ = await chat.say_and_outcome("is the Trail Runner Shoe GTX in stock?", customer="bob")
    assert outcome.plugin == "product_lookup"


OUTERWEAR = """sku,name,category,price,stock,brand,description
PK-1,Tundra Down Parka,Jackets,$329,60,Maple Ridge,Our own parka with 650-fill-power down.
HD-1,Athletic Hoodie,Sweatshirts,$79.99,8,Russell Athletic,Soft and warm.
"""


@pytest.fixture
def outerwear(tmp_path: Path) -> KnowledgeBase:
    for kb in catalog_kb(tmp_path, "outerwear", OUTERWEAR, {"attributes": "brand"}):
        (tmp_path / "faq.csv").write_text('question,answer\nAre your hoodies warm?,"Yes, every hoodie is lined with '
                                          'brushed fleece."\n', encoding="utf-8")
        import_file(kb, "faq", tmp_path / "faq.csv")
        yield kb


async def test_a_question_of_the_card_shown_and_a_hyphenated_word_are_no_product_we_do_not_sell(make_bot, outerwear):
    """"is it warm enough for -25?" after the parka's card asks about the parka: no "we don't sell
    enough", and no "couldn't find that in our catalog" either (the help pages or a person answer it).
    "fleece-lined" is known where the shop writes "lined with fleece"."""
    bot, chat = await start(make_bot, outerwear, understands())
    await chat.say_and_outcome("the tundra parka")
    outcome, _ = await chat.say_and_outcome("is it warm enough for -25?")
    assert outcome is None or outcome.reason not in ("not_sold", "product_not_found")
    outcome, sent = await chat.say_and_outcome("do you have a fleece-lined hoodie?", customer="bob")
    assert outcome.reason != "not_sold" and outcome.sources == ("product:HD-1",), sent[0].text


GIFT_CARDS = """sku,name,category,price,stock
GC-1,Gift Card,Gift cards,$25,100
GC-2,e-Gift Card,Gift cards,$50,100
"""


@pytest.fixture
def gift_cards(tmp_path: Path) -> KnowledgeBase:
    for kb in catalog_kb(tmp_path, "gift-cards", GIFT_CARDS):
        (tmp_path / "faq.csv").write_text("question,answer\nDo you offer gift wrapping?,Gift wrapping is free on "
                                          "every order.\n", encoding="utf-8")
        import_file(kb, "faq", tmp_path / "faq.csv")
        yield kb


async def test_a_word_only_the_pages_have_leaves_products_sharing_another_word_to_the_pages(make_bot, gift_cards):
    """"how much is gift wrapping?" shares "gift" with the gift cards, but "wrapping" is no product's
    word and the FAQ answers it: no list of gift cards. Their own price is still the catalog's."""
    # the test embedder rates the gift cards a third alike; real ones rate them higher
    settings = {"plugins": {"settings": {"product_lookup": {"min_answer_score": 0.3}}}}
    bot, chat = await make_bot("product_lookup", "auto_reply", knowledge=gift_cards, runner=gift_cards.runner,
                               understander=understands(), settings=settings)
    outcome, sent = await chat.say_and_outcome("how much is gift wrapping?")
    assert outcome.plugin == "auto_reply" and outcome.reason != "product_choices"
    outcome, _ = await chat.say_and_outcome("how much is the e-gift card?", customer="bob")
    assert outcome.plugin == "product_lookup" and outcome.sources == ("product:GC-2",)
