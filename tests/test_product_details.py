"""One detail asked of a named product: the product's own line that states it, or an honest "our
product information doesn't say", never the whole card as if it answered; other questions unchanged."""

from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, import_file
from supportbot.knowledge.details import asked_words, detail_of, is_detail_question, named_product
from supportbot.knowledge.models import ProductHit
from supportbot.testing.doubles import ScriptedUnderstander, understanding
from supportbot.testing.fake_runner import FakeRunner

CATALOG = """sku,name,category,price,stock,brand,description
RA-1,Russell Athletic Hooded Sweatshirt,Hoodies,$79.99,10,Russell Athletic,"Black sweatshirt, has an attached hood, two insert pockets, a ribbed hem, fleece lining"
RA-2,Russell Athletic Printed Hooded Sweatshirt,Hoodies,$69.99,5,Russell Athletic,Grey printed sweatshirt with a kangaroo pocket
RA-3,Russell Athletic Sweatshirt,Hoodies,$49.99,5,Russell Athletic,Round neck sweatshirt
TP-1,Tundra Down Parka,Jackets,$329,60,Maple Ridge,Recycled nylon shell and 650-fill-power down. Machine wash cold; tumble dry low.
BP-1,Trident Daypack,Backpacks,$92.99,17,Wildcraft,3 main compartments with zip closure. Comes with a rain cover.
"""
FAQ = """question,answer
What is your return policy?,"Items can be returned within 30 days of delivery for a full refund."
"""
POLICIES = """# Warranty

Jackets are guaranteed for two years against defects in materials and workmanship.
"""


@pytest.fixture
def knowledge(tmp_path: Path):
    for name, text in (("products.csv", CATALOG), ("faq.csv", FAQ), ("policies.md", POLICIES)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    db = connect(tmp_path / "kb.db")
    kb = KnowledgeBase(db, None)  # full-text only: scores are word overlap
    import_file(kb, "products", tmp_path / "products.csv", {"attributes": "brand"})
    import_file(kb, "faq", tmp_path / "faq.csv")
    import_file(kb, "policies", tmp_path / "policies.md")
    yield kb
    db.conn.close()


async def shop(make_bot, knowledge, action="product_lookup"):
    understander = ScriptedUnderstander({}, default=understanding("product_question", action=action))
    return await make_bot("product_lookup", "auto_reply", knowledge=knowledge,
                          runner=FakeRunner(generation_available=False), understander=understander)


def _text(sent) -> str:
    return " ".join(s.text for s in sent)


async def test_the_detail_asked_is_the_products_own_line_with_its_card(make_bot, knowledge):
    bot, chat = await shop(make_bot, knowledge)
    outcome, sent = await chat.say_and_outcome("is the russell athletic hooded sweatshirt fleece lined?")
    assert (outcome.reason, outcome.sources) == ("product_detail", ("product:RA-1",))
    assert sent[0].text.startswith("Russell Athletic Hooded Sweatshirt: ") and "fleece lining" in sent[0].text
    assert sent[0].action.embeds[0].title == "Russell Athletic Hooded Sweatshirt"
    outcome, sent = await chat.say_and_outcome("who makes the tundra parka?", customer="bob")
    assert outcome.reason == "product_detail" and "Maple Ridge" in sent[0].text


async def test_a_detail_the_data_does_not_state_is_no_detail_answer(make_bot, knowledge):
    bot, chat = await shop(make_bot, knowledge, action="answer")  # whatever the intent: a named product's detail
    outcome, sent = await chat.say_and_outcome("how heavy is the trident daypack?")
    assert outcome.reason != "product_detail"  # the data is silent: the card or a person, never a made-up line
    assert "Comes with a rain cover" not in sent[0].text.split("\n")[0]


async def test_the_product_named_word_for_word_is_chosen_over_close_ones(make_bot, knowledge):
    bot, chat = await shop(make_bot, knowledge)
    outcome, sent = await chat.say_and_outcome("how much is the russell athletic hooded sweatshirt?")
    assert (outcome.reason, outcome.sources) == ("product_found", ("product:RA-1",))
    outcome, _ = await chat.say_and_outcome("russell athletic hooded", customer="bob")
    assert outcome.reason == "product_choices"  # names two of them equally: still a question back


async def test_a_follow_up_detail_is_about_the_product_just_shown(make_bot, knowledge):
    bot, chat = await shop(make_bot, knowledge)
    outcome, _ = await chat.say_and_outcome("do you have the tundra down parka?")
    assert outcome.reason == "product_found"
    outcome, sent = await chat.say_and_outcome("can i machine wash it?")
    assert (outcome.reason, outcome.sources) == ("product_detail", ("product:TP-1",))
    assert "Machine wash cold" in sent[0].text


@pytest.mark.parametrize("text, reason", [
    ("how much is the tundra down parka?", "product_found"),
    ("is the trident daypack in stock?", None),  # the stock answer, whichever reason says it
    ("do you sell tundra down parkas?", None),
])
async def test_questions_that_ask_no_detail_are_answered_as_before(make_bot, knowledge, text, reason):
    bot, chat = await shop(make_bot, knowledge)
    outcome, _ = await chat.say_and_outcome(text)
    assert outcome.reason != "product_detail"
    assert reason is None or outcome.reason == reason


async def test_a_policy_question_about_a_product_is_left_to_the_policy(make_bot, knowledge):
    bot, chat = await shop(make_bot, knowledge, action="answer")
    outcome, sent = await chat.say_and_outcome("what's the warranty on the tundra down parka?")
    assert outcome.reason != "product_detail"


def _hit(name: str, description: str = "", **attributes: str) -> ProductHit:
    return ProductHit(id=1, sku="X", name=name, score=1.0, attributes=attributes, description=description)


def test_the_asked_words_are_those_the_products_name_does_not_hold():
    hit = _hit("Genie Women Printed 17inches Medium Laptop Backpack with Pouch", Manufacturer="Genie")
    assert asked_words("is the genie 17 inch medium laptop backpack water resistant?", hit) == ["water", "resist"]


def test_a_list_glued_together_by_an_export_is_read_item_by_item():
    hit = _hit("Genie Backpack", "• Black backpackPadded haul loop\n• Padded shoulder strap: PaddedWater-resistance: Yes")
    detail = detail_of("is the genie backpack waterproof or water resistant?", hit)
    assert detail is not None and detail.text == "Water-resistance: Yes"
    assert detail_of("how heavy is the genie backpack?", hit) is None  # no weight stated anywhere
    assert detail_of("what's the heel height in inches on the genie backpack?", hit) is None


def test_a_kind_of_value_is_answered_by_such_a_value():
    hit = _hit("Trail Pack", "Weighs 1.2 kg. Made in Portugal.", Brand="Wildcraft")
    assert detail_of("how heavy is the trail pack?", hit).text == "Weighs 1.2 kg"  # type: ignore[union-attr]
    assert detail_of("which country is the trail pack made in?", hit).text == "Made in Portugal"  # type: ignore[union-attr]
    assert detail_of("who makes the trail pack?", hit).text == "Brand: Wildcraft"  # type: ignore[union-attr]


def test_a_named_product_leads_on_the_words_said_or_is_said_whole():
    hits = [_hit("Russell Athletic Printed Hooded Sweatshirt"), _hit("Russell Athletic Hooded Sweatshirt")]
    assert named_product("is the russell athletic hooded sweatshirt fleece lined?", hits) is hits[1]
    assert named_product("russell athletic hooded", hits) is None
    assert named_product("trail runner", [_hit("Trail Runner Shoe"), _hit("Trail Runner Shoe GTX")]) is None


@pytest.mark.parametrize("text, detail", [
    ("is it water resistant?", True),
    ("does the parka have a hood", True),
    ("what's the warranty on the parka?", False),
    ("can I return the parka?", False),
    ("parka in blue size M", False),
])
def test_a_detail_question_is_a_question_about_no_policy(text, detail):
    assert is_detail_question(text) is detail


async def test_a_question_about_a_kind_of_product_in_the_plural_is_left_to_the_pages(make_bot, knowledge, tmp_path):
    (tmp_path / "lamps.csv").write_text(
        "sku,name,category,price,stock,description\n"
        "TL-1,Solid Bedside Table Lamp,Lighting,$40,5,Metal base. Comes with bulb.\n"
        "TL-2,Striped Floor Lamp,Lighting,$45,3,Linen shade.\n", encoding="utf-8")
    (tmp_path / "help.md").write_text("# Lighting help\n\nOur table lamps take a standard E27 screw bulb and our wall lamps a small E14 screw bulb.\n",
                                      encoding="utf-8")
    import_file(knowledge, "products", tmp_path / "lamps.csv")
    import_file(knowledge, "policies", tmp_path / "help.md")
    bot, chat = await shop(make_bot, knowledge)
    outcome, sent = await chat.say_and_outcome("what kind of bulb goes in the table lamps?")
    assert outcome.reason != "product_detail" and "E27" in _text(sent)
    outcome, sent = await chat.say_and_outcome("does the solid bedside table lamp come with a bulb?", customer="bob")
    assert outcome.reason == "product_detail" and "Comes with bulb" in sent[0].text  # one lamp: its own data
