"""Search internals: common and selective words, variants, short words, the v1 -> v2 upgrade, one message's shared passage search."""

import json
from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, import_file, lexical
from supportbot.knowledge.schema import KB_SCHEMA_VERSION
from supportbot.testing.fake_runner import FakeRunner

# One shoe in four variants that differ only in attributes, as a big catalog's variants do.
CATALOG = """sku,name,category,price,stock,attributes
V-RED-9,Trail Runner Shoe,Footwear,89.99,3,"{""colour"": ""Red"", ""size"": ""9""}"
V-RED-10,Trail Runner Shoe,Footwear,89.99,0,"{""colour"": ""Red"", ""size"": ""10""}"
V-BLUE-10,Trail Runner Shoe,Footwear,89.99,7,"{""colour"": ""Blue"", ""size"": ""10""}"
V-BLUE-11,Trail Runner Shoe,Footwear,94.99,2,"{""colour"": ""Blue"", ""size"": ""11""}"
R-1,Road Runner Shoe,Footwear,129.00,4,"{""colour"": ""Black""}"
TV-1,Smart TV 43 inch,Electronics,399,2,"{""brand"": ""Vision""}"
"""


@pytest.fixture(params=["vectors", "full-text only"])
def kb(request, tmp_path: Path) -> KnowledgeBase:
    (tmp_path / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    db = connect(tmp_path / "kb.db")
    kb = KnowledgeBase(db, FakeRunner() if request.param == "vectors" else None)
    import_file(kb, "products", tmp_path / "catalog.csv")
    yield kb
    db.conn.close()


@pytest.fixture(params=[500, 1], ids=["selective words", "every word common"])
def common_rows(request, monkeypatch) -> int:
    """Run a test as in a small catalog (words select rows) and as in a huge one, where every word
    that is in more than one row is "common" and takes the slower-growing path."""
    monkeypatch.setattr(lexical, "COMMON_ROWS", request.param)
    return request.param


async def test_the_variant_with_every_word_asked_for_comes_first(kb, common_rows):
    for query, sku in [("trail runner shoe in red, size 10", "V-RED-10"),
                       ("blue trail runner 11", "V-BLUE-11"),
                       ("trail runner shoe red 9", "V-RED-9")]:
        hits = await kb.search_products(query, k=3)
        assert hits[0].sku == sku, (query, [h.sku for h in hits])


async def test_filters_hold_on_every_path(kb, common_rows):
    hits = await kb.search_products("trail runner shoe", k=5, in_stock=True, max_price=90)
    assert {h.sku for h in hits if h.name == "Trail Runner Shoe"} == {"V-RED-9", "V-BLUE-10"}
    assert all(h.stock and h.price <= 90 for h in hits)


async def test_two_letter_words_are_searchable(kb, common_rows):
    assert (await kb.search_products("a tv please", k=1))[0].sku == "TV-1"
    assert (await kb.search_products("43 inch tv", k=1))[0].sku == "TV-1"


def test_chat_spellings_of_you_and_please_are_not_searched():
    from supportbot.knowledge.search import query_terms

    # "do u ship to the states?": "u" is no word a passage or product holds
    assert query_terms("do u have kayaks? ur prices pls").words == ("kayaks", "prices")


def test_attribute_names_are_not_searched(kb):
    # The TV has a "brand" attribute: its value is searched, its name is not (else every product
    # with a brand, colour or size would match those words).
    assert kb.search_products_sync("brand", k=5) == []  # full text only
    assert [h.sku for h in kb.search_products_sync("vision", k=5)] == ["TV-1"]


async def test_a_word_no_product_has_is_reported_by_a_low_score(kb):
    hits = await kb.search_products("garden hose", k=3)
    assert all(h.score < 0.35 for h in hits)


def test_a_version_1_database_gains_the_word_index(tmp_path):
    db = connect(tmp_path / "old.db")
    db.conn.executescript("""
        CREATE TABLE kb_meta (key TEXT PRIMARY KEY, value TEXT);
        INSERT INTO kb_meta VALUES ('schema_version', '1');
        CREATE TABLE kb_products (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL, category TEXT,
            price REAL, price_max REAL, currency TEXT, stock INTEGER, attributes TEXT NOT NULL DEFAULT '{}',
            description TEXT, url TEXT, source TEXT, row_number INTEGER, content_hash TEXT NOT NULL, embed_hash TEXT,
            updated_at TEXT NOT NULL);
        CREATE VIRTUAL TABLE kb_products_fts USING fts5(name, category, attributes, description, tokenize='trigram');
        CREATE TABLE kb_passages (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, title TEXT,
            text TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '[]', alternatives TEXT NOT NULL DEFAULT '[]', source TEXT,
            content_hash TEXT NOT NULL, embed_hash TEXT, updated_at TEXT NOT NULL, UNIQUE (kind, key));
        CREATE VIRTUAL TABLE kb_passages_fts USING fts5(title, text, alternatives, tags, tokenize='trigram');
        CREATE TABLE kb_vectors (kind TEXT NOT NULL, item_id INTEGER NOT NULL, slot INTEGER NOT NULL,
            vector BLOB NOT NULL, PRIMARY KEY (kind, item_id, slot));
    """)
    db.conn.execute("INSERT INTO kb_products(id, sku, name, attributes, content_hash, updated_at) "
                    "VALUES (7, 'OLD-1', 'Heritage Wool Scarf', ?, 'x', 'then')", [json.dumps({"colour": "Grey"})])
    db.conn.execute("INSERT INTO kb_products_fts(rowid, name, category, attributes, description) "
                    "VALUES (7, 'Heritage Wool Scarf', '', 'colour: Grey', '')")
    db.conn.commit()
    kb = KnowledgeBase(db, None)
    assert db.conn.execute("SELECT value FROM kb_meta WHERE key = 'schema_version'").fetchone()[0] == str(
        KB_SCHEMA_VERSION)
    assert [h.sku for h in kb.search_products_sync("wool scarf grey", k=1)] == ["OLD-1"]
    assert db.conn.execute("SELECT attributes FROM kb_products_fts WHERE rowid = 7").fetchone()[0] == "Grey"
    assert kb.product("OLD-1").sale is None  # v4's sale column, empty for a row imported before it
    db.conn.close()


@pytest.mark.slow
async def test_the_real_embedder_finds_what_shares_no_word_with_the_query(tmp_path):
    """all-MiniLM-L6-v2 through the project's runner, at import and at query time."""
    from supportbot.models import EmbeddingSettings, ModelSettings, create_runner

    (tmp_path / "catalog.csv").write_text(
        "sku,name,category,description\n"
        "B-1,Merino Beanie,Accessories > Hats,A soft knitted hat for cold days\n"
        "U-1,Compact Umbrella,Accessories,Folds small and keeps you dry in a downpour\n"
        "K-1,Chef's Knife,Kitchen,Eight-inch stainless steel blade\n", encoding="utf-8")
    (tmp_path / "faq.json").write_text(json.dumps([
        {"question": "How long does delivery take?", "answer": "3-5 business days."},
        {"question": "Can I pay with PayPal?", "answer": "Yes, and with all major cards."}]), encoding="utf-8")
    runner = create_runner(ModelSettings(backend="none"), EmbeddingSettings())
    await runner.start()
    db = connect(tmp_path / "kb.db")
    try:
        kb = KnowledgeBase(db, runner)
        assert import_file(kb, "products", tmp_path / "catalog.csv").embedded == 3
        assert (await kb.search_products("something to keep my head warm in winter", k=1))[0].sku == "B-1"
        assert (await kb.search_products("it is raining a lot", k=1))[0].sku == "U-1"
        import_file(kb, "faq", tmp_path / "faq.json")
        (best, *_) = await kb.search_passages("when will my parcel arrive", k=2)
        assert best.question == "How long does delivery take?" and best.score > 0.4
    finally:
        db.conn.close()
        await runner.close()


def test_the_vector_index_above_exact_size_finds_what_exact_search_finds():
    import numpy as np

    from supportbot.knowledge.vectors import VectorIndex

    rng = np.random.default_rng(3)
    rows = VectorIndex.EXACT_ROWS + 1000  # large enough for the sign-bit prefilter
    matrix = rng.standard_normal((rows, 64)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    ids = np.arange(10, 10 + rows, dtype=np.int64)
    index = VectorIndex(ids[::-1].copy(), matrix[::-1].copy())  # any order in, sorted inside
    query = matrix[123] + 0.8 * matrix[4567]  # near rows 123 and 4567 (items 133 and 4577), far from the rest
    query /= np.linalg.norm(query)
    exact = ids[np.argsort(-(matrix @ query))[:10]].tolist()
    assert exact[:2] == [133, 4577] and [item for item, _ in index.search(query, 10)][:2] == exact[:2]
    allowed = np.zeros(rows, dtype=bool)
    allowed[4000:] = True  # items 4010 and above
    found = [item for item, _ in index.search(query, 5, allowed)]
    assert found and all(item >= 4010 for item in found) and found[0] == 4567 + 10
    assert index.similarity(query, [133, 999_999]).keys() == {133}


def test_items_with_several_vectors_score_by_their_best():
    import numpy as np

    from supportbot.knowledge.vectors import VectorIndex

    matrix = np.eye(4, dtype=np.float32)
    index = VectorIndex(np.array([7, 7, 8, 9]), matrix)  # item 7: a question and its rephrasing
    assert index.search(np.array([0, 1, 0, 0], np.float32), 2)[0] == (7, 1.0)
    assert index.similarity(np.array([1, 0, 0, 0], np.float32), [7, 8]) == {7: 1.0, 8: 0.0}
    only_8_9 = np.array([False, True, True])  # over unique ids 7, 8, 9
    assert [item for item, _ in index.search(np.array([0, 0.8, 0.6, 0], np.float32), 3, only_8_9)] == [8, 9]


def test_fusion_never_drops_the_passages_nearest_by_meaning():
    """Word noise must not bury the nearest answer: passage 9 holds none of the query's words
    (absent from the full-text list) but is the nearest by vector; it stays among the results,
    and so does passage 3, the second nearest, already among the fused best."""
    from supportbot.knowledge.base import _fuse

    text_ids = [1, 2, 3, 4, 5]
    vector_ids = [9, 3, 1, 2, 6]
    fused = _fuse(text_ids, vector_ids, rrf_k=60, k=4)
    assert len(fused) == 4 and {9, 3} <= set(fused)
    assert fused[:2] == [1, 3]  # the fusion's own order is kept for the rest
    assert _fuse(text_ids, vector_ids, rrf_k=60, k=1) == [9]
    assert _fuse(text_ids, [], rrf_k=60, k=3) == [1, 2, 3]


FAQ = """question,answer
How long does delivery take?,Orders arrive in 3-5 working days.
Can I return an item?,Returns are free within 30 days.
Do you ship abroad?,We ship to the EU and the UK.
"""


def _passage_faq(tmp_path: Path, extra: str = "") -> KnowledgeBase:
    (tmp_path / "faq.csv").write_text(FAQ + extra, encoding="utf-8")
    kb = KnowledgeBase(connect(tmp_path / "passages.db"), FakeRunner())
    import_file(kb, "faq", tmp_path / "faq.csv")
    return kb


def _full_text_searches(kb: KnowledgeBase) -> list[str]:
    statements: list[str] = []
    kb.db.conn.set_trace_callback(lambda sql: statements.append(sql) if "kb_passages_fts MATCH" in sql else None)
    return statements


async def test_one_message_searches_its_text_once_with_the_same_results(tmp_path):
    kb = _passage_faq(tmp_path)
    alone = {k: await kb.search_passages("how long until my delivery comes?", k=k) for k in (1, 3, 4)}
    statements = _full_text_searches(kb)
    with kb.one_message():
        shared = {k: await kb.search_passages("how long until my delivery comes?", k=k) for k in (3, 1, 4)}
        assert await kb.search_passages("can I return it?", k=3) == await kb.search_passages("can I return it?", k=3)
    assert shared == alone
    assert len(statements) == 2 + 2  # AND then OR, once for each text
    await kb.search_passages("how long until my delivery comes?", k=3)  # the message is over: searched again
    assert len(statements) == 6


async def test_an_import_during_a_message_is_seen_by_its_next_search(tmp_path):
    kb = _passage_faq(tmp_path)
    with kb.one_message():
        before = await kb.search_passages("is gift wrapping available?", k=4)
        (tmp_path / "faq.csv").write_text(FAQ + "Is gift wrapping available?,Yes: tick 'gift' at checkout.\n",
                                          encoding="utf-8")
        import_file(kb, "faq", tmp_path / "faq.csv")
        after = await kb.search_passages("is gift wrapping available?", k=4)
    assert not any("gift" in p.text for p in before)
    assert "gift" in after[0].text


async def test_messages_handled_side_by_side_keep_their_own_searches(tmp_path):
    import asyncio

    kb = _passage_faq(tmp_path)
    expected = {text: await kb.search_passages(text, k=3) for text in ("how long does delivery take?",
                                                                       "can I return an item?")}
    statements = _full_text_searches(kb)

    async def one(text: str) -> list[list[str]]:
        with kb.one_message():
            found = []
            for _ in range(3):
                found.append([p.id for p in await kb.search_passages(text, k=3)])
                await asyncio.sleep(0)  # the other message runs here, in its own scope
            return found

    results = await asyncio.gather(*(one(text) for text in expected))
    for text, found in zip(expected, results, strict=True):
        assert found == [[p.id for p in expected[text]]] * 3
    assert len(statements) == 2 * 2  # each message's text searched once (AND, then OR)
