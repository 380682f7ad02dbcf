"""The command-line side of insights: ``bot.py import reviews`` and ``bot.py report``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from supportbot.config import Config
from supportbot.history import History
from supportbot.knowledge.report import ImportReport

from .plugin import InsightsSettings
from .report import collect, group_gaps, write_report
from .reviews import import_reviews
from .sentiment import classify_reviews

__all__ = ["import_reviews_file", "write_report_dir"]


def _cache_dir(config: Config) -> Path:
    return config.resolve(Path(config.database.path)).parent / ".supportbot-cache"


def _embedder(config: Config, runner: Any) -> Any:
    if runner is None or config.embeddings.backend == "none":
        return None  # reviews import without vectors; sentiment and themes say they need an embedder
    return lambda texts, progress=False: runner.embed_sync(list(texts), progress=progress)


def import_reviews_file(config: Config, history: History, runner: Any, path: Path,
                        mapping: Mapping[str, str] | None, *, progress: bool) -> ImportReport:
    settings = config.plugin_settings("insights", InsightsSettings)
    embed = _embedder(config, runner)
    notes: list[str] = []

    def classify(db: Any) -> None:
        why_not = classify_reviews(db, _cache_dir(config), embed)
        if why_not:
            notes.append(f"no sentiment yet: {why_not}")

    report = import_reviews(history.db, path, columns=settings.review_columns,
                            mapping=mapping, embed=embed, classify=classify, progress=progress)
    report.notes.extend(notes)
    return report


def write_report_dir(config: Config, *, days: int, out: Path) -> list[Path]:
    from supportbot.app import build_runner, open_history

    history = open_history(config)
    try:
        runner = build_runner(config)
        embed = _embedder(config, runner)
        from .schema import ensure_schema

        ensure_schema(history.db)
        classify_reviews(history.db, _cache_dir(config), embed)
        report = collect(history, days=days)
        group_gaps(report, embed)
        return write_report(report, out)
    finally:
        history.close()
