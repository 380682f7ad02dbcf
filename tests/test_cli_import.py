"""``python bot.py import ...`` run as a merchant runs it: a subprocess, a config file, a real file.

The config turns the embedder off (``embeddings.backend: none``) so each run takes about a
second; the vector side of imports is tested in test_knowledge.py with a fake embedder.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bench.knowledge import MAPPINGS
from test_knowledge_shared_data import FAQ_FILE

from supportbot.app import PROJECT_ROOT
from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase

CONFIG = """\
database:
  path: shop.db
model:
  backend: none
embeddings:
  backend: none
"""
# A merchant's export: its own column names, a price column naming its currency, one bad row.
CSV = """\
ProductID,Title,Price (USD),Qty,Colour,Link
TS-1,Trail Runner Shoe,89.99,12,Red,https://shop.example/ts-1
TS-2,Road Runner Shoe,129,0,Blue,https://shop.example/ts-2
TS-3,,15,1,Green,
TS-4,Wool Beanie,about ten dollars,5,Grey,
"""
CSV_MAP = "sku=ProductID,name=Title,price=Price (USD),stock=Qty,attributes=Colour,url=Link"


def bot(tmp_path: Path, *args: str, config: str = CONFIG, progress: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``bot.py import ARGS --config tmp/config.yaml`` and return the finished process."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text(config, encoding="utf-8")
    command = [sys.executable, str(PROJECT_ROOT / "bot.py"), "import", *args, "--config", str(cfg),
               "--log-level", "WARNING"]
    if not progress:
        command.append("--no-progress")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=env, cwd=tmp_path,
                          timeout=300, check=False)


def knowledge(tmp_path: Path) -> KnowledgeBase:
    """The knowledge base the commands wrote (shop.db beside the config)."""
    return KnowledgeBase(connect(tmp_path / "shop.db"), None)


def test_csv_with_a_mapping_on_the_command_line_reports_bad_rows_by_number(tmp_path):
    (tmp_path / "export.csv").write_text(CSV, encoding="utf-8")
    done = bot(tmp_path, "products", "export.csv", "--map", CSV_MAP, progress=True)
    assert done.returncode == 0, done.stderr
    assert "importing" in done.stderr  # the progress bar, kept off stdout
    out = done.stdout
    assert "export.csv: 4 rows read; products: 3 added, 0 updated, 0 unchanged; 0 embedded; 1 skipped" in out
    assert "row 3: sku 'TS-3' has no name (skipped)" in out
    assert "row 4: price 'about ten dollars' is not an amount; imported without a price" in out
    assert "currency=USD (from the price header)" in out
    kb = knowledge(tmp_path)
    (shoe,) = kb.search_products_sync("trail runner", k=1)
    assert (shoe.sku, shoe.price_text, shoe.stock_text, shoe.attributes, shoe.url) == (
        "TS-1", "$89.99", "In stock (12)", {"Colour": "Red"}, "https://shop.example/ts-1")
    (beanie,) = [h for h in kb.search_products_sync("wool beanie", k=3) if h.sku == "TS-4"]
    assert beanie.price is None  # an unreadable price is left out, never guessed


def test_reimport_changes_only_what_changed(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    bot(tmp_path, "products", "export.csv", "--map", CSV_MAP)
    again = bot(tmp_path, "products", "export.csv", "--map", CSV_MAP)
    assert "0 added, 0 updated, 3 unchanged" in again.stdout
    path.write_text(CSV.replace("129,0,Blue", "119,4,Blue"), encoding="utf-8")
    changed = bot(tmp_path, "products", "export.csv", "--map", CSV_MAP)
    assert "0 added, 1 updated, 2 unchanged" in changed.stdout
    (road,) = knowledge(tmp_path).search_products_sync("road runner shoe", k=1)
    assert (road.price_text, road.stock_text) == ("$119", "In stock (4)")


def test_json_with_the_mapping_in_the_config_file(tmp_path):
    products = [
        {"id": "J-1", "title": "Canvas Tote Bag", "cost": "€24.50", "specs": {"material": "cotton"}, "tree": "Bags"},
        {"id": "J-2", "title": "无线蓝牙耳机 Pro", "cost": "¥299", "specs": {"colour": "black"}, "tree": "Audio"},
        {"id": "J-3", "cost": "€1"},
    ]
    (tmp_path / "catalog.json").write_text(json.dumps({"products": products}, ensure_ascii=False), encoding="utf-8")
    config = CONFIG + """\
knowledge:
  product_columns: {sku: id, name: title, price: cost, attributes: specs, category: tree, url: link}
"""
    done = bot(tmp_path, "products", "catalog.json", config=config)
    assert done.returncode == 0, done.stderr
    assert "2 added" in done.stdout and "row 3: sku 'J-3' has no name (skipped)" in done.stdout
    assert "url: the config's column 'link' is not in this file" in done.stdout
    kb = knowledge(tmp_path)
    (tote,) = kb.search_products_sync("tote", k=1)
    assert (tote.price_text, tote.attributes, tote.category) == ("€24.50", {"material": "cotton"}, "Bags")
    assert kb.search_products_sync("蓝牙耳", k=1)[0].sku == "J-2"  # Chinese, by part of the name
    # --map overrides the config for the fields it names; the config still maps the others.
    (tmp_path / "more.json").write_text(json.dumps([{"id": "J-9", "label": "Linen Apron", "cost": "€31"}]),
                                        encoding="utf-8")
    done = bot(tmp_path, "products", "more.json", "--map", "name=label", config=config)
    assert done.returncode == 0 and "1 added" in done.stdout, done.stderr
    assert knowledge(tmp_path).search_products_sync("linen apron", k=1)[0].price_text == "€31"


def test_jsonl_with_a_broken_line(tmp_path):
    lines = [json.dumps({"sku": "L-1", "name": "Steel Water Bottle", "price": 18, "currency": "GBP", "stock": "yes"}),
             "{broken",
             json.dumps({"sku": "L-2", "name": "Bamboo Lunch Box", "price": 12.5, "currency": "GBP", "stock": 3})]
    (tmp_path / "catalog.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = bot(tmp_path, "products", "catalog.jsonl")
    assert done.returncode == 0, done.stderr
    assert "2 added" in done.stdout and "row 2: invalid JSON" in done.stdout
    (bottle,) = knowledge(tmp_path).search_products_sync("water bottle", k=1)
    assert (bottle.price_text, bottle.stock_text) == ("£18", "In stock (1)")


def test_faq_with_tags_and_alternative_phrasings(tmp_path):
    (tmp_path / "faq.csv").write_text(
        "Q,A,Labels,Also asked as\n"
        "How long does delivery take?,3-5 business days.,shipping,when will my parcel arrive|delivery time\n"
        "Can I return an item?,\"Yes, within 30 days.\",returns,\n"
        "Do you ship abroad?,,shipping,\n", encoding="utf-8")
    done = bot(tmp_path, "faq", "faq.csv", "--map", "question=Q,answer=A,tags=Labels,alternatives=Also asked as")
    assert done.returncode == 0, done.stderr
    assert "FAQ entries: 2 added" in done.stdout and "row 3: no answer (skipped)" in done.stdout
    (best, *_) = knowledge(tmp_path).search_passages_sync("when will my parcel arrive", k=2)
    assert best.question == "How long does delivery take?" and best.tags == ("shipping",)
    assert best.id.startswith("faq:")


def test_policies_from_markdown_are_split_into_cited_passages(tmp_path):
    (tmp_path / "Returns.md").write_text(
        "# Returns\n\nUnworn items can be returned within 30 days.\n\n"
        "## Refunds\n\nRefunds reach your card 5-10 business days after we receive the item.\n", encoding="utf-8")
    done = bot(tmp_path, "policies", "Returns.md")
    assert done.returncode == 0, done.stderr
    assert "policy passages: 2 added" in done.stdout
    (best, *_) = knowledge(tmp_path).search_passages_sync("how long do refunds take", k=2, kinds=("policy",))
    assert (best.id, best.title) == ("policy:returns#2", "Returns › Refunds")


def test_unusable_files_and_mappings_exit_2_with_a_reason(tmp_path):
    (tmp_path / "export.csv").write_text(CSV, encoding="utf-8")
    done = bot(tmp_path, "products", "export.csv", "--map", "sku=ProductID,name=Name")
    assert done.returncode == 2 and "name='Name': no such column" in done.stderr
    assert "ProductID, Title" in done.stderr  # the columns the file does have
    done = bot(tmp_path, "products", "missing.csv")
    assert done.returncode == 2 and "cannot read" in done.stderr
    done = bot(tmp_path, "products", "export.csv")  # no sku column, no mapping
    assert done.returncode == 2 and "no column for sku" in done.stderr


def test_a_file_with_only_bad_rows_exits_1(tmp_path):
    (tmp_path / "bad.csv").write_text("sku,name\n,Nameless\nX-1,\n", encoding="utf-8")
    done = bot(tmp_path, "products", "bad.csv")
    assert done.returncode == 1
    assert "row 1: no sku (skipped)" in done.stdout and "row 2: sku 'X-1' has no name (skipped)" in done.stdout


@pytest.mark.parametrize("path", list(MAPPINGS))
def test_shared_catalogs_import_with_their_documented_mapping(tmp_path, shared_data, path):
    done = bot(tmp_path, "products", str(shared_data / path), "--map", MAPPINGS[path])
    assert done.returncode == 0, done.stderr
    rows = {"catalog-myntra": 12491, "catalog-flipkart": 999, "catalog-amazon": 1000}[path.split("/")[0]]
    assert f"{rows} rows read; products: {rows} added" in done.stdout and " 0 skipped" in done.stdout
    assert knowledge(tmp_path).counts()["products"] == rows


def test_shared_faq_imports_with_no_mapping(tmp_path, shared_data):
    done = bot(tmp_path, "faq", str(shared_data / FAQ_FILE))
    assert done.returncode == 0, done.stderr
    # all but the template entry whose "[phone number]" was never filled in, which is named with its row
    assert "79 rows read; FAQ entries: 78 added" in done.stdout and " 1 skipped" in done.stdout
    assert "row 10: unfilled placeholder [phone number]" in done.stdout
