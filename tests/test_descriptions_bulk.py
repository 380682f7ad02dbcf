"""``python bot.py describe --missing`` and ``export descriptions``: resumable bulk writing.

The resume test runs the bulk writer in a subprocess, kills it (SIGKILL) while products are in
flight, and runs it again: what was done is skipped, nothing is written twice, and the rerun
only generates what the first run had not finished.
"""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from supportbot.app import PROJECT_ROOT
from supportbot.config import load_config
from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, import_file
from supportbot.testing.fake_runner import FakeRunner

PRODUCTS = 24
STAFF_TEXT = "Short staff note."


def write_catalog(path: Path) -> None:
    rows = ["sku,name,colour,description"]
    rows += [f"P-{i:02d},Canvas Tote {i},Natural," for i in range(PRODUCTS)]
    rows.append(f"S-1,Linen Apron,Blue,{STAFF_TEXT}")  # written by staff, shorter than min_chars
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def named_reply(messages):
    """A faithful variant: the product's own name, taken from the prompt."""
    name = next(line[8:] for line in messages[-1]["content"].splitlines() if line.startswith("- Name: "))
    return f"The {name} is ready for everyday use."


# Runs in the child: the same code the CLI runs, with a slow fake model (about 0.3 s a product).
WORKER = """
import asyncio, sys
from pathlib import Path
sys.path.insert(0, {root!r})
sys.path.insert(0, {tests!r})
from supportbot.config import load_config
from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase
from supportbot.testing.fake_runner import FakeRunner
from plugins.descriptions.bulk import BulkOptions, run_bulk
from plugins.descriptions.settings import DescriptionSettings
from plugins.descriptions.store import DescriptionStore
from plugins.descriptions.writer import DescriptionWriter
from test_descriptions_bulk import named_reply
db = connect({db!r})
runner = FakeRunner(named_reply, delay_s=0.05)
writer = DescriptionWriter(runner, load_config(None), DescriptionSettings(concurrency=3))
out = {out!r}
asyncio.run(run_bulk(KnowledgeBase(db, runner), DescriptionStore(db), writer,
                     BulkOptions(out=Path(out) if out else None, progress=False)))
"""


def done_count(db_path: Path) -> int:
    db = connect(db_path)
    try:
        return db.execute("SELECT count(*) FROM descriptions WHERE job IS NOT NULL").fetchone()[0]
    except Exception:  # the child has not created the tables yet
        return 0
    finally:
        db.conn.close()


@pytest.mark.parametrize("target", ["catalog", "csv"])
async def test_bulk_resumes_after_the_worker_is_killed_mid_batch(tmp_path: Path, target: str) -> None:
    catalog, db_path = tmp_path / "catalog.csv", tmp_path / "shop.db"
    write_catalog(catalog)
    db = connect(db_path)
    kb = KnowledgeBase(db, FakeRunner())
    import_file(kb, "products", catalog, {"attributes": "colour"})
    out = tmp_path / "review.csv" if target == "csv" else None
    script = WORKER.format(root=str(PROJECT_ROOT), tests=str(Path(__file__).parent), db=str(db_path),
                           out=str(out) if out else "")
    child = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 60
        while done_count(db_path) < 5:
            assert child.poll() is None, "the worker ended before it could be killed"
            assert time.monotonic() < deadline, "the worker made no progress"
            await asyncio.sleep(0.05)
        child.kill()  # SIGKILL: no cleanup, products in flight are lost
    finally:
        child.wait(timeout=30)
    first = done_count(db_path)
    assert 5 <= first < PRODUCTS

    from plugins.descriptions.bulk import BulkOptions, run_bulk
    from plugins.descriptions.settings import DescriptionSettings
    from plugins.descriptions.store import DescriptionStore
    from plugins.descriptions.writer import DescriptionWriter

    runner = FakeRunner(named_reply)
    writer = DescriptionWriter(runner, load_config(None), DescriptionSettings(concurrency=4))
    report = await run_bulk(KnowledgeBase(db, runner), DescriptionStore(db), writer,
                            BulkOptions(out=out, progress=False))
    review = target == "csv"  # a review file also gets a suggestion for the staff-written product
    todo = PRODUCTS + review - first
    assert report.already_done == first and report.written == todo
    assert len(runner.calls) == todo  # nothing done before is generated again
    rows = dict(db.execute("SELECT sku, count(*) FROM descriptions GROUP BY sku").fetchall())
    assert len(rows) == PRODUCTS + review and set(rows.values()) == {1}
    if target == "catalog":
        assert report.kept_staff_text == 1 and "S-1" not in rows  # never replaced without --force
        assert kb.product("P-03").description == "The Canvas Tote 3 is ready for everyday use."
        assert kb.product("S-1").description == STAFF_TEXT
    else:
        with out.open(encoding="utf-8", newline="") as handle:
            skus = [r["sku"] for r in csv.DictReader(handle)]
        assert len(skus) == len(set(skus)) == PRODUCTS + 1  # every product once, none twice
        assert kb.product("P-03").description is None  # a review file leaves the catalog alone
    again = await run_bulk(KnowledgeBase(db, runner), DescriptionStore(db), writer, BulkOptions(out=out, progress=False))
    assert again.written == 0 and len(runner.calls) == todo
    db.conn.close()


CONFIG = """\
database:
  path: shop.db
model:
  backend: none
embeddings:
  backend: none
"""


def bot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, str(PROJECT_ROOT / "bot.py"), *args, "--config", str(tmp_path / "config.yaml")],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)


def test_describe_and_export_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    write_catalog(tmp_path / "catalog.csv")
    assert bot(tmp_path, "import", "products", str(tmp_path / "catalog.csv"), "--map", "attributes=colour",
               "--no-progress").returncode == 0
    refused = bot(tmp_path, "describe", "--missing")
    assert refused.returncode == 2
    assert refused.stderr.strip().endswith("--template writes template descriptions from the attributes instead.")
    run = bot(tmp_path, "describe", "--missing", "--template", "--limit", "5", "--no-progress")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{PRODUCTS + 1} products without a description: 5 written, 0 already done")
    assert "1 kept: written by staff" in run.stdout
    rest = bot(tmp_path, "describe", "--missing", "--template", "--no-progress")
    assert f"{PRODUCTS - 5} written, 5 already done" in rest.stdout
    exported = bot(tmp_path, "export", "descriptions", str(tmp_path / "descriptions.csv"))
    assert exported.stdout.strip() == f"{PRODUCTS} description(s) written to {tmp_path / 'descriptions.csv'}"
    with (tmp_path / "descriptions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["source"] == "template" and rows[0]["check_ok"] == "1" and rows[0]["name"] == "Canvas Tote 0"
    assert rows[0]["description"] == "Canvas Tote 0. Colour: Natural."
