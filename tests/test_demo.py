"""A newcomer's first run: the example shop in its own database, the conversation without the log."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from supportbot.config import load_config
from supportbot.demo import QUESTIONS, demo_config, has_own_knowledge

ROOT = Path(__file__).resolve().parent.parent
BANNER_START = "demo shop loaded from examples/ into its own database ("


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory):
    """One folder for this module's runs, so the intent classifier is fitted once and cached."""
    return tmp_path_factory.mktemp("newcomer")


def _config(folder: Path, db: str) -> Path:
    path = folder / f"{Path(db).stem}.yaml"
    # What a newcomer's config leaves out is left out here too; no generator, as on most machines.
    path.write_text(f"database:\n  path: {db}\nmodel:\n  backend: none\n")
    return path


def _bot(folder: Path, *args: str, script: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args], input=script, capture_output=True, text=True,
        timeout=300, cwd=folder, env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(folder)},
    )


def _rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_fresh_console_answers_from_the_demo_shop_and_shows_no_log(shop_dir):
    config = _config(shop_dir, "fresh.db")
    done = _bot(shop_dir, "console", "--config", str(config), "--script", "-",
                script="how long does delivery take to the UK?\ndo you have red trail running shoes?\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0].startswith(BANNER_START) and "python bot.py import" in out[0]
    assert sum(line.startswith("demo shop") for line in out) == 1
    replies = [line for line in out if line.startswith("bot> ")]
    assert "3-5 working days" in replies[0]  # the example FAQ's own words
    assert "Ridgeline Trail Running Shoe" in replies[1] and "£89" in done.stdout  # the example catalog's card
    transcript = done.stdout + done.stderr
    assert " INFO " not in transcript and "msg=" not in transcript, transcript
    assert "Loading weights" not in transcript and "\r" not in done.stderr
    # The log went to its file, the merchant's database was never created, the demo had its own.
    log_file = shop_dir / "fresh.log"
    assert f"(the log goes to {log_file})" in done.stderr and " INFO " in log_file.read_text()
    assert not (shop_dir / "fresh.db").exists()
    assert _rows(shop_dir / "demo-shop.db", "kb_products") == 8


def test_a_merchants_knowledge_base_never_gets_the_demo(shop_dir):
    config = _config(shop_dir, "merchant.db")
    faq = shop_dir / "faq.csv"
    faq.write_text("question,answer\nDo you ship to Mars?,Only on Tuesdays.\n")
    assert _bot(shop_dir, "import", "faq", str(faq), "--config", str(config), "--no-progress").returncode == 0
    assert has_own_knowledge(load_config(config))

    done = _bot(shop_dir, "console", "--config", str(config), "--script", "-", script="do you ship to mars?\n")
    assert done.returncode == 0, done.stderr
    assert "demo shop" not in done.stdout and "Only on Tuesdays." in done.stdout
    assert _rows(shop_dir / "merchant.db", "kb_products") == 0  # nothing of the example shop came in

    # Asked for on purpose, the demo runs in its own database and leaves the merchant's as it was.
    asked = _bot(shop_dir, "demo", "--config", str(config), "--script", "-", script=QUESTIONS[1] + "\n" + QUESTIONS[2] + "\n")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.startswith(BANNER_START) and "Ridgeline Trail Running Shoe" in asked.stdout
    assert _rows(shop_dir / "merchant.db", "kb_passages") == 1 and _rows(shop_dir / "merchant.db", "kb_products") == 0


def test_knowledge_check_reads_without_creating(tmp_path):
    from supportbot.history import History
    from supportbot.knowledge.schema import ensure_schema

    config = load_config(_config(tmp_path, "shop.db"))
    assert not has_own_knowledge(config) and not (tmp_path / "shop.db").exists()
    history = History.open(tmp_path / "shop.db")
    ensure_schema(history.db, 300)
    history.close()
    assert not has_own_knowledge(config)  # tables, but no rows: still empty

    demo = demo_config(config)
    assert demo.resolve(demo.database.path) == tmp_path / "demo-shop.db"
    assert config.resolve(config.database.path) == tmp_path / "shop.db"  # the merchant's config is untouched


def test_console_warnings_are_one_line_each_and_wait_for_the_status_line(tmp_path):
    import io
    import logging
    import re

    from supportbot.logs import setup_logging, status_line

    err = io.StringIO()
    setup_logging("INFO", stream=err, file=str(tmp_path / "bot.log"))
    try:
        log = logging.getLogger("supportbot.test_demo")
        with status_line("loading the models", stream=err):
            log.info("plugin loaded")
            log.warning("could not load the model\nTraceback (most recent call last): ...")
        log.warning("later, at once")
        lines = err.getvalue().splitlines()
        assert re.fullmatch(r"loading the models\.\.\. ready \(\d+\.\d s\)", lines[0])
        assert lines[1:] == ["warning: could not load the model", "warning: later, at once"]
        assert "plugin loaded" in (tmp_path / "bot.log").read_text()
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if getattr(h, "_supportbot", False)]:
            root.removeHandler(handler)
            handler.close()


def test_a_follow_up_asking_how_long_after_a_price_gets_the_days(shop_dir):
    # With the jacket's "how much" as its topic, the UK delivery price came first; the question asks a
    # duration, which only the delivery-time entry holds (both hold its own words, "delivery" and "UK").
    config = _config(shop_dir, "follow.db")
    done = _bot(shop_dir, "console", "--config", str(config), "--script", "-",
                script="how much is the storm shell jacket?\nok and how long does delivery take to the UK?\n")
    assert done.returncode == 0, done.stderr
    replies = [line for line in done.stdout.splitlines() if line.startswith("bot> ")]
    assert "3-5 working days" in replies[1], replies
