"""The example shop in ``examples/``: what a newcomer talks to before importing anything.

The demo lives in a database of its own (``demo-shop.db``, rebuilt on every demo run), so
nothing of it ever reaches the merchant's knowledge base or history. A merchant whose knowledge
base holds anything never gets it unasked; ``python bot.py demo`` asks for it.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .app import PROJECT_ROOT
from .config import Config

if TYPE_CHECKING:
    from .knowledge import KnowledgeBase
    from .knowledge.importers import Kind
    from .knowledge.report import ImportReport

__all__ = ["EXAMPLES", "QUESTIONS", "BANNER", "demo_config", "has_own_knowledge", "import_examples", "reset"]

log = logging.getLogger(__name__)

EXAMPLES = PROJECT_ROOT / "examples"

#: What the demo imports: (kind, file, column mapping).
FILES: tuple[tuple[Kind, str, dict[str, str] | None], ...] = (
    ("faq", "faq.csv", None),
    ("policies", "policies.md", None),
    ("products", "products.csv", {"attributes": "colour+size+material"}),
)

#: Shown before the first prompt; each is answered from the example shop (tests/test_demo.py).
QUESTIONS = (
    "how long does delivery take to the UK?",
    "do you have red trail running shoes?",
    "is there a warranty on jackets?",
)

BANNER = ("demo shop loaded from examples/ into its own database ({path}); import your own with "
          "`python bot.py import faq|policies|products FILE`")


def has_own_knowledge(config: Config) -> bool:
    """Whether the merchant's database holds any product, FAQ entry or policy passage.

    Read only: a database that does not exist yet is not created by asking.
    """
    path = config.resolve(config.database.path)
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return True  # unreadable here: never risk showing the demo over a merchant's data
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return any(conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()  # noqa: S608 - fixed names
                   for table in ("kb_products", "kb_passages") if table in tables)
    except sqlite3.Error:
        return True
    finally:
        conn.close()


def demo_config(config: Config) -> Config:
    """``config`` with the demo's own database (emptied by :func:`reset` once its lock is held)."""
    own = config.resolve(config.database.path)
    demo = config.model_copy(deep=True)
    demo.database.path = own.with_name("demo-shop.db" if own.name != "demo-shop.db" else "demo-shop.demo.db")
    return demo


def reset(demo: Config) -> None:
    """Empty the demo's database, so every demo run starts from the examples. Call it holding the
    database's instance lock: a second demo must not pull the first one's database away."""
    path = demo.resolve(demo.database.path)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)


def import_examples(knowledge: KnowledgeBase) -> list[ImportReport]:
    """Import the example shop with the bot's own import code; problems are logged."""
    from .knowledge.importers import import_file

    reports = []
    for kind, name, mapping in FILES:
        report = import_file(knowledge, kind, EXAMPLES / name, mapping)
        for problem in report.problems:
            log.warning("demo shop, %s: %s", name, problem)
        reports.append(report)
    return reports
