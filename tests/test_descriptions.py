"""/describe, /describe-pick and the faithfulness check, with the scripted fake runner and the real core.

Planted errors in scripted variants are each rejected with their reason; a pick is saved with its
version and written back to the catalog; without a generator the template description is given
and labelled; non-staff are refused. The tiny-model test is in test_descriptions_model.py and the
bulk command's in test_descriptions_bulk.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, import_file
from supportbot.models import ModelTimeout
from supportbot.testing.fake_runner import FakeRunner

CATALOG = """\
sku,name,category,price,currency,description,material,colour,length,warranty,size,材质,颜色,衣长,尺码
TEE-1,Classic Crew T-Shirt,Clothing > Tops,19.99,USD,,Cotton,Navy,70 cm,1 year,"S, M, L",,,,
MUG-1,Stoneware Mug,Kitchen > Mugs,12,USD,,Stoneware,White,,,,,,,
ZH-1,纯棉圆领短袖T恤,服装 > 上衣,99,CNY,,,,,,,棉,白色,68厘米,M/L/XL
"""
ATTRIBUTES = "material+colour+length+warranty+size+材质+颜色+衣长+尺码"


def catalog(tmp_path: Path) -> KnowledgeBase:
    path = tmp_path / "catalog.csv"
    path.write_text(CATALOG, encoding="utf-8")
    kb = KnowledgeBase(connect(tmp_path / "catalog.db"), FakeRunner())
    import_file(kb, "products", path, {"attributes": ATTRIBUTES})
    return kb


@pytest.fixture
def knowledge(tmp_path: Path):
    kb = catalog(tmp_path)
    yield kb
    kb.db.conn.close()


async def start(make_bot, knowledge, runner):
    return await make_bot("descriptions", runner=runner, knowledge=knowledge)


def request_id(result) -> int:
    return int(re.search(r"request:(\d+)", result.text).group(1))


FAITHFUL = "A navy crew t-shirt in 100% cotton, 0.7 m long, with a one-year warranty. Sizes S, M and L."
PLANTED = {  # variant text -> the reason it must be rejected with
    "A navy cotton t-shirt, 90 cm long.": "states '90 cm', the attributes say 70 cm",
    "A navy t-shirt made of silk.": "states 'silk', the attributes say cotton",
    "A navy cotton t-shirt that is waterproof.": "states 'waterproof', not in the attributes",
    "A red cotton t-shirt.": "states 'red', the attributes say navy",
}


async def test_faithful_variant_passes_and_each_planted_error_is_rejected_with_its_reason(make_bot, knowledge):
    runner = FakeRunner([FAITHFUL, *PLANTED])
    bot, chat = await start(make_bot, knowledge, runner)
    result = await chat.command("describe", sku="TEE-1", variants=5)
    assert "5 variant(s) for **Classic Crew T-Shirt** (TEE-1): 1 passed the check, 4 rejected." in result.text
    for reason in PLANTED.values():
        assert reason in result.text
    (shown,) = result.embeds  # only what passed is offered
    assert shown.description == FAITHFUL
    rests_on = dict(shown.fields)["Rests on"]
    assert "material: Cotton" in rests_on and "length: 70 cm" in rests_on and "warranty: 1 year" in rests_on
    assert len(runner.calls) == 5 and runner.calls[0].options.temperature == 0.7  # the config's default


async def test_a_warranty_the_attributes_lack_is_rejected(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge, FakeRunner("A white stoneware mug with a 2-year warranty."))
    result = await chat.command("describe", sku="MUG-1", variants=1)
    assert "0 passed the check, 1 rejected" in result.text
    assert "states '2-year warranty', the attributes have no warranty" in result.text
    assert not result.embeds and "No variant passed the check" in result.text


async def test_chinese_listing_checked_with_chinese_numbers_and_units(make_bot, knowledge):
    variants = ["这款纯棉圆领短袖T恤为白色，衣长六十八厘米，尺码M/L/XL。", "白色真丝T恤。", "白色纯棉T恤，衣长0.8米。",
                "白色纯棉T恤，防水。", "白色纯棉T恤，三年质保。"]
    runner = FakeRunner(variants)
    bot, chat = await start(make_bot, knowledge, runner)
    result = await chat.command("describe", sku="ZH-1", variants=5)
    assert "1 passed the check, 4 rejected" in result.text
    for reason in ("states '真丝', the attributes say cotton", "states '0.8米', the attributes say 68厘米",
                   "states '防水', not in the attributes", "states '三年质保', the attributes have no warranty"):
        assert reason in result.text
    assert result.embeds[0].footer.endswith("zh")  # the product's own language
    assert "简体中文" in runner.calls[0].messages[0]["content"]


async def test_pick_is_saved_with_its_version_and_written_back(make_bot, knowledge, tmp_path):
    second = "A navy cotton crew t-shirt, sizes S, M and L."
    bot, chat = await start(make_bot, knowledge, FakeRunner([FAITHFUL, second, "A red t-shirt."]))
    result = await chat.command("describe", sku="TEE-1 · Classic Crew T-Shirt", variants=3, temperature=0.9, tone="warm")
    number = request_id(result)
    picked = await chat.command("describe-pick", request=number, variant=1)
    assert picked.text == "Version 1 of TEE-1 written to the catalog."
    assert knowledge.product("TEE-1").description == FAITHFUL
    assert [h.sku for h in knowledge.search_products_sync("crew cotton warranty")][:1] == ["TEE-1"]  # re-indexed
    row = bot.history.db.execute("SELECT version, author, prompt_hash, settings, check_result, source, applied_at "
                                 "FROM descriptions WHERE sku = 'TEE-1'").fetchone()
    assert row[:2] == (1, "staff-1") and re.fullmatch(r"[0-9a-f]{12}", row[2])
    assert json.loads(row[3])["temperature"] == 0.9 and json.loads(row[4])["ok"] is True
    assert row[5] == "model" and row[6]
    kept = await chat.command("describe-pick", request=number, variant=2, apply=False)
    assert kept.text == "Version 2 of TEE-1 saved, not written to the catalog."
    assert knowledge.product("TEE-1").description == FAITHFUL
    refused = await chat.command("describe-pick", request=number, variant=3)
    assert refused.text.startswith("variant 3 of request") and "states 'red'" in refused.text
    assert (await chat.command("describe-pick", request=999, variant=1)).text == "request 999 has no variant 1"
    # The variants stay stored: a later pick (a button, say) goes through the same function.
    again = await bot.plugins["descriptions"].pick(number, 1, "staff-2")
    assert again.version == 3 and again.applied
    exported = tmp_path / "out.csv"
    assert bot.plugins["descriptions"].store.export_csv(exported, {"TEE-1": "Classic Crew T-Shirt"}) == 1
    assert "Classic Crew T-Shirt,3," in exported.read_text(encoding="utf-8")


async def test_staff_pick_with_the_button_under_the_answer(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge, FakeRunner([FAITHFUL, "A red t-shirt.", FAITHFUL]))
    result = await chat.command("describe", sku="TEE-1", variants=3)
    number = request_id(result)
    assert [b.custom_id for b in result.components] == [f"descriptions:pick:{number}:1", f"descriptions:pick:{number}:3"]
    refused = await chat.click(f"descriptions:pick:{number}:1", staff=False)
    assert "staff" in refused.text and knowledge.product("TEE-1").description is None
    clicked = await chat.click(f"descriptions:pick:{number}:3", staff=True)
    assert clicked.text == "Version 1 of TEE-1 written to the catalog."
    assert knowledge.product("TEE-1").description == FAITHFUL


async def test_without_a_generator_a_labelled_template_is_offered(make_bot, knowledge):
    runner = FakeRunner(generation_available=False)
    bot, chat = await start(make_bot, knowledge, runner)
    result = await chat.command("describe", sku="TEE-1", variants=3)
    lines = result.text.splitlines()
    assert lines[0] == "**Template description, composed from the catalog's attributes (not written by a model)**"
    assert lines[1] == "Model-written variants need a model: set `model.backend` in config.yaml."
    (shown,) = result.embeds
    assert shown.title == "Variant 1 (template)"
    assert shown.description.startswith("Classic Crew T-Shirt.") and "Made of Cotton." in shown.description
    assert not runner.calls
    picked = await chat.command("describe-pick", request=request_id(result), variant=1)
    assert picked.text == "Version 1 of TEE-1 written to the catalog."
    chinese = await chat.command("describe", sku="ZH-1")
    assert chinese.text.startswith("**模板描述") and "材质：棉。" in chinese.embeds[0].description


async def test_a_model_that_fails_still_leaves_the_template(make_bot, knowledge):
    bot, chat = await start(make_bot, knowledge, FakeRunner(fail_with=ModelTimeout("no answer within 60s")))
    result = await chat.command("describe", sku="TEE-1")
    assert result.text.startswith("The model failed (no answer within 60s); here is the template description instead.")
    assert result.embeds[0].title == "Variant 1 (template)"


async def test_non_staff_are_refused(make_bot, knowledge):
    runner = FakeRunner(FAITHFUL)
    bot, chat = await start(make_bot, knowledge, runner)
    result = await chat.command("describe", staff=False, sku="TEE-1")
    assert result.text == "This command is for staff only."
    assert (await chat.command("describe-pick", staff=False, request=1, variant=1)).text == "This command is for staff only."
    assert not runner.calls


async def test_sku_autocomplete_by_name_and_bad_options(make_bot, knowledge):
    from supportbot.events import Author, CommandInvoked

    bot, chat = await start(make_bot, knowledge, FakeRunner(FAITHFUL))
    event = CommandInvoked(platform="test", interaction_id="1", channel_id="staff",
                           author=Author(id="s", name="s", is_staff=True), command="describe", options={})
    assert await bot.autocomplete(event, "sku", "crew") == ["TEE-1 · Classic Crew T-Shirt"]
    assert (await chat.command("describe", sku="Stoneware Mug", variants=1)).text.startswith("1 variant(s) for **Stoneware Mug**")
    assert (await chat.command("describe", sku="TEE-1", variants=9)).text == "variants must be between 1 and 5."
    assert (await chat.command("describe", sku="TEE-1", tone="snarky")).text.startswith("tone must be one of")
    assert (await chat.command("describe", sku="nothing like it")).text == "No product matches “nothing like it”."


# --- the checker on its own (no model, no bot) ---------------------------------------------------

from plugins.descriptions.faithfulness import Checker, ProductFacts  # noqa: E402
from plugins.descriptions.quantities import find_quantities  # noqa: E402

SHIRT = ProductFacts(name="Crew Tee", attributes={"Material": "Cotton", "Length": "150 cm", "Warranty": "2 years",
                                                  "Weight": "10.7 pounds"})


@pytest.mark.parametrize("text", [
    "It is 1.5 m long.", "It is 59 inches long.", "一米五长。", "长1.5米。", "Made of 100% cotton.", "纯棉。",
    "Weighs about 4.9 kg.", "A 24-month warranty.", "两年质保。", "保修二十四个月。", "A stylish, comfortable tee.",
])
def test_supported_phrasings_pass(text):
    result = Checker(SHIRT).check(text)
    assert result.ok, result.reasons


@pytest.mark.parametrize(("text", "reason"), [
    ("It is 2 m long.", "states '2 m', the attributes say 150 cm"),
    ("长一米八。", "states '一米八', the attributes say 150 cm"),
    ("Made of 100% cotton.", "states '100% cotton', the attributes say cotton, elastane"),
    ("A 3-year warranty.", None),
])
def test_unsupported_claims_fail_with_their_reason(text, reason):
    facts = SHIRT if "3-year" in text or "m long" in text or "米" in text else \
        ProductFacts(name="Cycling Shorts", attributes={"Fabric": "Cotton Lycra"})
    result = Checker(facts).check(text)
    assert not result.ok
    if reason:
        assert reason in result.reasons


def test_chinese_numerals_and_units_are_read():
    found = [(q.value, q.dimension) for q in find_quantities("一年半保修，重两公斤，百分之五十，三十天")]
    assert found == [(1.5, "time"), (2.0, "mass"), (50.0, "percent"), (30.0, "time")]


def test_coverage_names_the_attributes_left_out():
    coverage = Checker(SHIRT).check("A cotton tee, 1.5 m long.").coverage
    assert coverage.mentioned == ("Material", "Length") and coverage.omitted == ("Warranty", "Weight")


async def test_console_staff_picks_with_the_button_under_their_command(bot_config, knowledge):
    import io

    from supportbot.engine import SupportBot
    from supportbot.history import History
    from supportbot.transports.console import ConsoleTransport

    config = bot_config.model_copy(update={"plugins": bot_config.plugins.model_copy(update={"enabled": ["descriptions"]})})
    history = History.open(config.resolve(config.database.path))
    out = io.StringIO()
    console = ConsoleTransport(io.StringIO("/describe sku:TEE-1\n!1\n"), out=out, echo=True)
    bot = SupportBot(config, history=history, runner=FakeRunner(generation_available=False), knowledge=knowledge,
                     transport=console)
    await bot.start()
    await console.start(bot)
    await console.run()
    await bot.close()
    history.close()
    assert "Version 1 of TEE-1 written to the catalog." in out.getvalue()


def test_writing_a_description_back_keeps_the_rest_of_the_product(tmp_path):
    from supportbot.knowledge.report import ImportReport
    from supportbot.knowledge.store import ProductRecord, write_products

    kb = KnowledgeBase(connect(tmp_path / "kb.db"), FakeRunner())
    children = [{"sku": "TEE-1-M", "options": {"Size": "M"}, "price": 21.0, "stock": 3}]
    write_products(kb, [ProductRecord(row=1, sku="TEE-1", name="Crew Tee", price=19.99, currency="USD", stock=4,
                                      attributes={"Material": "Cotton"}, variants=children)],
                   ImportReport("products", tmp_path / "shop.csv"), source="shop.csv", progress=False)
    assert kb.set_description("TEE-1", "A cotton crew tee.") and not kb.set_description("NOPE", "x")
    product = kb.product("TEE-1")
    assert product.description == "A cotton crew tee." and product.variants == tuple(children)
    assert (product.price, product.stock, product.attributes) == (19.99, 4, {"Material": "Cotton"})
    kb.db.conn.close()
