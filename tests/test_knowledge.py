"""Knowledge base: imports with row problems, idempotent upserts, trigram search, filters, passages."""

import json
from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, KnowledgeSettings, MappingError, import_file, parse_mapping
from supportbot.knowledge.importers import split_passages
from supportbot.knowledge.parsing import parse_category, parse_price, parse_specs
from supportbot.testing.fake_runner import FakeRunner

CATALOG = """sku,name,category,price,stock,colour,description,url
A1,Trail Runner Shoe,Footwear > Running,$89.99,12,Red,Light trail shoe with a grippy sole,https://shop.example/a1
A2,Road Runner Shoe,Footwear > Running,$129.00,0,Blue,Cushioned road shoe,https://shop.example/a2
A3,无线蓝牙耳机 Pro,Electronics > Audio,¥299,5,Black,降噪蓝牙耳机,
A4,Wool Beanie,Accessories > Hats,$19.50,,Grey,Warm knitted hat,
,Nameless SKU,Misc,$1,1,,,
A6,,Misc,$1,1,,,
A7,Mystery Box,Misc,Total price:,1,,Surprise,
A1,Trail Runner Shoe again,Footwear,$1,1,,,
"""
MAPPING = {"attributes": "colour"}


class CountingRunner(FakeRunner):
    """A FakeRunner that counts the texts it embeds at import."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_sync(self, texts, batch_size=64, progress=False):
        self.embedded.extend(texts)
        return super().embed_sync(texts, batch_size, progress)


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    db = connect(tmp_path / "kb.db")
    yield KnowledgeBase(db, CountingRunner(), KnowledgeSettings())
    db.conn.close()


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.csv"
    path.write_text(CATALOG, encoding="utf-8")
    return path


def test_bad_rows_are_reported_with_row_numbers_and_the_rest_import(kb, catalog):
    report = import_file(kb, "products", catalog, MAPPING)
    assert [str(p) for p in report.problems] == [
        "row 5: no sku (skipped)",
        "row 6: sku 'A6' has no name (skipped)",
        "row 7: price 'Total price:' is not an amount; imported without a price",
        "row 8: duplicate sku 'A1' (first at row 1) (skipped)",
    ]
    assert report.added == 5 and kb.counts()["products"] == 5
    assert "5 added" in report.summary() and "3 skipped" in report.summary()


def test_reimport_is_idempotent_and_embeds_only_changed_text(kb, catalog, tmp_path):
    import_file(kb, "products", catalog, MAPPING)
    runner = kb.runner
    first = len(runner.embedded)
    again = import_file(kb, "products", catalog, MAPPING)
    assert (again.added, again.updated, again.unchanged, again.embedded) == (0, 0, 5, 0)
    assert len(runner.embedded) == first + 1  # only the dimension probe
    # A new price rewrites the row but keeps its vector; a new name re-embeds that product only.
    changed = catalog.read_text().replace("$89.99", "$79.99").replace("Wool Beanie", "Merino Beanie")
    catalog.write_text(changed)
    report = import_file(kb, "products", catalog, MAPPING)
    assert (report.updated, report.unchanged, report.embedded) == (2, 3, 1)
    assert runner.embedded[-1].startswith("Merino Beanie")


async def test_one_message_searched_several_times_is_embedded_once(kb, catalog, monkeypatch):
    import_file(kb, "products", catalog, MAPPING)
    asked: list[list[str]] = []
    embed = kb.runner.embed

    async def counting_embed(texts):
        asked.append(list(texts))
        return await embed(texts)

    monkeypatch.setattr(kb.runner, "embed", counting_embed)
    await kb.search_products("red trail shoes", k=3)
    await kb.search_passages("red trail shoes", k=3)
    await kb.search_products("red trail shoes", k=1)
    await kb.search_products("a wool beanie", k=1)
    assert asked == [["red trail shoes"], ["a wool beanie"]]


async def test_chinese_name_found_by_partial_query(kb, catalog):
    import_file(kb, "products", catalog, MAPPING)
    hits = await kb.search_products("蓝牙耳", k=3)
    assert hits[0].sku == "A3"
    hits = await kb.search_products("有没有蓝牙耳机?", k=3)  # a sentence around the name
    assert hits[0].sku == "A3"


async def test_short_and_partial_queries(kb, catalog):
    import_file(kb, "products", catalog, MAPPING)
    assert (await kb.search_products("runn", k=2))[0].name.endswith("Runner Shoe")
    assert kb.product_names("Wo") == ["Wool Beanie"]  # below trigram size: prefix scan
    assert kb.product_names("runner")[:2] == ["Road Runner Shoe", "Trail Runner Shoe"]
    assert await kb.search_products("", k=3) == []


async def test_filters_on_category_price_and_stock(kb, catalog):
    import_file(kb, "products", catalog, MAPPING)
    # Vector search fills the list with weaker matches: check who leads and who is filtered out.
    def top(hits):
        return [h.sku for h in hits if h.score >= 0.5]

    assert sorted(top(await kb.search_products("shoe", category="running"))) == ["A1", "A2"]
    assert [h.category for h in await kb.search_products("shoe", category="running")] == ["Footwear > Running"] * 2
    assert top(await kb.search_products("shoe", max_price=100)) == ["A1"]
    assert top(await kb.search_products("shoe", in_stock=True)) == ["A1"]
    assert top(await kb.search_products("shoe", in_stock=False)) == ["A2"]
    assert top(await kb.search_products("hat", category="Accessories", min_price=10, max_price=20)) == ["A4"]
    assert all(h.price <= 100 for h in await kb.search_products("shoe", max_price=100))
    skus = lambda hits: [h.sku for h in hits]  # noqa: E731
    # Unknown stock or price never passes a stock or price filter.
    assert "A4" not in skus(await kb.search_products("beanie", in_stock=True))
    assert "A7" not in skus(await kb.search_products("mystery box", max_price=1000))


async def test_hits_carry_only_stored_values(kb, catalog):
    import_file(kb, "products", catalog, MAPPING)
    (hit,) = await kb.search_products("Trail Runner Shoe", k=1)
    assert (hit.price_text, hit.stock_text, hit.attributes, hit.url) == (
        "$89.99", "In stock (12)", {"colour": "Red"}, "https://shop.example/a1")
    (box,) = [h for h in await kb.search_products("Mystery Box", k=3) if h.sku == "A7"]
    assert box.price_text is None and box.source_id == "product:A7"


async def test_search_works_without_an_embedder(tmp_path, catalog):
    db = connect(tmp_path / "kb.db")
    kb = KnowledgeBase(db, None)
    report = import_file(kb, "products", catalog, MAPPING)
    assert report.embedded == 0
    assert (await kb.search_products("trail shoe", k=1))[0].sku == "A1"


async def test_faq_and_policies(kb, tmp_path):
    faq = tmp_path / "faq.jsonl"
    faq.write_text("\n".join(json.dumps(x) for x in [
        {"question": "How long does shipping take?", "answer": "3-5 business days.", "tags": "shipping",
         "alternatives": "when will my order arrive|delivery time"},
        {"question": "Can I return an item?", "answer": "Yes, within 30 days."},
        {"question": "Broken", "answer": ""},
    ]) + "\n{not json\n")
    report = import_file(kb, "faq", faq)
    assert [str(p) for p in report.problems] == ["row 3: no answer (skipped)", "row 4: invalid JSON "
                                                 "(Expecting property name enclosed in double quotes) (skipped)"]
    policy = tmp_path / "Shipping.md"
    policy.write_text("# Shipping\n\nWe ship worldwide.\n\n## Costs\n\nFree shipping over $50.\n\n"
                      "## Returns\n\nReturn within 30 days for a refund.\n")
    assert import_file(kb, "policies", policy).added == 3
    (best, *_) = await kb.search_passages("when will my order arrive", k=3, kinds=("faq",))
    assert best.id.startswith("faq:") and best.question == "How long does shipping take?" and best.score > 0.9
    passages = await kb.search_passages("free shipping costs", k=2, kinds=("policy",))
    assert passages[0].id == "policy:shipping#2" and passages[0].title == "Shipping › Costs"
    assert passages[0].label == "Policy: Shipping › Costs"
    # Re-importing a shorter document removes the passages it no longer has.
    policy.write_text("# Shipping\n\nWe ship worldwide.\n")
    report = import_file(kb, "policies", policy)
    assert (report.unchanged, report.removed) == (1, 2) and kb.counts()["policy"] == 1


def test_mapping_errors_are_clear(kb, catalog):
    assert parse_mapping("sku=ProductID, name=Product Name ,price=Price (INR)") == {
        "sku": "ProductID", "name": "Product Name", "price": "Price (INR)"}
    with pytest.raises(MappingError, match="not FIELD=COLUMN"):
        parse_mapping("sku")
    with pytest.raises(MappingError, match="'Nope': no such column"):
        import_file(kb, "products", catalog, {"name": "Nope"})
    with pytest.raises(MappingError, match="unknown field"):
        import_file(kb, "products", catalog, {"colour": "colour"})


def test_parsers():
    assert parse_price("₹1,299").amount == 1299 and parse_price("₹1,299").currency == "INR"
    assert parse_price("$74.99 - $249.99").upper == 249.99
    with pytest.raises(ValueError):
        parse_price("$6.94 $ 6 . 94")
    assert parse_category('["Clothing >> Women >> Shorts >> Alisha Solid Wom..."]') == "Clothing > Women > Shorts"
    assert parse_specs('{"product_specification"=>[{"key"=>"Fabric", "value"=>"Cotton"}, {"value"=>"2 shorts"}]}') == {
        "Fabric": "Cotton", "Details": "2 shorts"}
    passages = split_passages("Title\n=====\n\n" + "One sentence here. " * 80, "doc", size=300)
    assert len(passages) > 3 and all(len(p.text) <= 300 for p in passages) and passages[0].title == "Title"


def test_an_faq_entry_with_a_templates_blank_is_reported_not_imported(kb, tmp_path):
    faq = tmp_path / "faq.csv"
    faq.write_text('question,answer\n'
                   'How do I contact you?,"Call us at [phone number] or email [email address]."\n'
                   'Where is the size guide?,"See [our size guide](https://shop.example/sizes)."\n'
                   'Do you ship abroad?,"Yes, to [Your Country Name] and the EU."\n', encoding="utf-8")
    report = import_file(kb, "faq", faq)
    assert report.added == 1  # the Markdown link is no blank
    assert [str(p) for p in report.problems] == [
        "row 1: unfilled placeholder [phone number]: fill it in and import again (skipped)",
        "row 3: unfilled placeholder [Your Country Name]: fill it in and import again (skipped)"]
