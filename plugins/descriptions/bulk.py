"""``python bot.py describe --missing``: a description for every product without one, resumably.

Products go through the shared runner several at a time (``concurrency``), so its continuous
batching decodes them together. Each finished product is committed on its own, under the run's
``job`` key (the target and the options), so an interruption (Ctrl-C, a kill) loses at most the
products in flight and a rerun with the same options continues where it stopped, without
writing any product twice. A description a person wrote or chose is never replaced without
``force``; a CSV target (``out``) never touches the catalog.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportbot.models import ModelError

from .store import DescriptionStore
from .writer import DescriptionWriter, Draft

__all__ = ["BulkOptions", "BulkReport", "run_bulk", "CSV_COLUMNS"]

log = logging.getLogger(__name__)

CSV_COLUMNS = ["sku", "name", "language", "source", "check_ok", "coverage", "omitted", "description"]


@dataclass(frozen=True)
class BulkOptions:
    category: str | None = None
    limit: int | None = None
    variants: int = 1
    out: Path | None = None
    force: bool = False
    language: str | None = None
    tone: str | None = None
    length: str | None = None
    min_chars: int = 80
    progress: bool = True

    def job_key(self) -> str:
        """What makes two runs the same run: their target and what they write (not the limit)."""
        target = str(self.out.resolve()) if self.out else "catalog"
        parts = [target, self.category, self.min_chars, self.force, self.language, self.tone, self.length, self.variants]
        return "bulk:" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


@dataclass
class BulkReport:
    selected: int = 0
    already_done: int = 0
    written: int = 0
    rejected: int = 0
    failed: int = 0
    kept_staff_text: int = 0
    templates: bool = False
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.written} written", f"{self.already_done} already done by an earlier run",
                 f"{self.rejected} with no variant passing the check", f"{self.failed} failed"]
        if self.kept_staff_text:
            parts.append(f"{self.kept_staff_text} kept: written by staff (--force replaces them, --out reviews them)")
        kind = "template descriptions" if self.templates else "descriptions"
        return f"{self.selected} products without a description: " + ", ".join(parts) + f" ({kind})."


async def run_bulk(kb: Any, store: DescriptionStore, writer: DescriptionWriter, options: BulkOptions) -> BulkReport:
    job = options.job_key()
    report = BulkReport(templates=not writer.can_generate)
    done = {row["sku"]: row for row in store.job_rows(job)}
    _finish_half_done(kb, store, done, options)
    report.already_done = len(done)
    candidates = kb.products(category=options.category, description_under=options.min_chars)
    todo = []
    for product in candidates:
        if product.sku in done:
            continue
        if options.out is None and not options.force and (product.description or "").strip() and \
                not store.written_by_bot(product.sku, product.description):
            report.kept_staff_text += 1
            continue
        todo.append(product)
    report.selected = len(todo) + report.already_done + report.kept_staff_text
    if options.limit is not None:
        todo = todo[: options.limit]
    csv_file = _open_csv(options.out) if options.out else None
    bar = _bar(options.progress, len(todo))
    slots = asyncio.Semaphore(writer.settings.concurrency)

    async def one(product: Any) -> None:
        async with slots:
            try:
                draft = await writer.write(product, variants=options.variants, language=options.language,
                                           tone=options.tone, length=options.length)
            except ModelError as exc:
                report.failed += 1
                report.problems.append(f"{product.sku}: {exc}")
                log.warning("bulk: %s failed: %s", product.sku, exc)
                return
            finally:
                if bar is not None:
                    bar.update(1)
        _save(kb, store, product, draft, job, csv_file, report)

    try:
        await asyncio.gather(*(one(p) for p in todo))
    finally:
        if bar is not None:
            bar.close()
        if csv_file is not None:
            csv_file.close()
    return report


def _save(kb: Any, store: DescriptionStore, product: Any, draft: Draft, job: str, csv_file: Any,
          report: BulkReport) -> None:
    if not draft.accepted:
        report.rejected += 1
        reasons = "; ".join(r for _, v in draft.rejected for r in v.check.reasons)
        report.problems.append(f"{product.sku}: every variant rejected ({reasons[:200]})")
        return
    # The variant that mentions most of the attributes among those that passed.
    _, best = max(draft.accepted, key=lambda item: item[1].check.coverage.share)
    try:
        saved = store.add(product.sku, best.text, source="bulk" if draft.source == "model" else "template",
                          author="bulk", language=draft.language, prompt_hash=draft.prompt_hash,
                          settings=draft.settings, check_result=best.check.to_dict(), job=job)
    except sqlite3.IntegrityError:  # another process of the same job wrote it meanwhile
        return
    if csv_file is not None:
        _write_row(csv_file, product.sku, product.name, draft.language, draft.source, best.check.to_dict(), best.text)
    elif kb.set_description(product.sku, best.text):
        store.mark_applied(saved.id)
    report.written += 1


def _finish_half_done(kb: Any, store: DescriptionStore, done: dict[str, dict[str, Any]], options: BulkOptions) -> None:
    """What a crash left between the record and its target: apply it, or add its CSV row."""
    if options.out is None:
        for row in done.values():
            if row["applied_at"] is None and kb.set_description(row["sku"], row["text"]):
                store.mark_applied(row["id"])
        return
    present = set()
    if options.out.exists():
        with options.out.open(encoding="utf-8", newline="") as handle:
            present = {r.get("sku") for r in csv.DictReader(handle)}
    missing = [row for sku, row in done.items() if sku not in present]
    if missing:
        with _open_csv(options.out) as handle:
            for row in missing:
                product = kb.product(row["sku"])
                _write_row(handle, row["sku"], product.name if product else "", row["language"], "bulk",
                           json.loads(row["check_result"]), row["text"])


def _open_csv(path: Path) -> Any:
    new = not path.exists() or path.stat().st_size == 0
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a", encoding="utf-8", newline="")
    if new:
        csv.writer(handle).writerow(CSV_COLUMNS)
        handle.flush()
    return handle


def _write_row(handle: Any, sku: str, name: str, language: str | None, source: str, check: dict[str, Any],
               text: str) -> None:
    coverage = check.get("coverage", {})
    csv.writer(handle).writerow([sku, name, language or "", source, int(bool(check.get("ok"))),
                                 coverage.get("share", ""), ", ".join(coverage.get("omitted", [])), text])
    handle.flush()


def _bar(progress: bool, total: int) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="describing", unit="product")
