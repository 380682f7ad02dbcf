"""Importing product reviews: ``python bot.py import reviews FILE [--map ...]``.

The same reading machinery as products and FAQ (CSV/TSV/JSON/JSONL, ``--map field=Column``, a
row-numbered problem report): a bad row is reported and the rest import. A review is keyed by its
``id`` column when the file has one, else by its content, so importing the same export again
changes nothing and an edited review is updated in place.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from supportbot.knowledge.importers import first_of_each, read_mapped
from supportbot.knowledge.parsing import clean_text
from supportbot.knowledge.report import ImportReport
from supportbot.understanding.review_sentiment import parse_rating

from .schema import ensure_schema

__all__ = ["REVIEW_FIELDS", "ReviewRecord", "import_reviews", "parse_date"]

log = logging.getLogger(__name__)

REVIEW_FIELDS = ("id", "sku", "rating", "text", "date", "title", "author")


@dataclass
class ReviewRecord:
    row: int
    key: str
    sku: str
    text: str
    rating: float | None = None
    reviewed_at: str | None = None
    title: str | None = None
    author: str | None = None


def parse_date(text: str) -> date:
    """Dates as shops export them: ISO, ``31-Jul-18``, ``07/31/2018``, an ISO timestamp."""
    from dateutil import parser

    try:
        return parser.parse(text, fuzzy=False).date()
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"date {text[:30]!r} is not a date") from exc


def import_reviews(db: sqlite_utils.Database, path: str | Path, *, columns: Mapping[str, str] | None = None,
                   mapping: Mapping[str, str] | None = None, embed: Any = None,
                   classify: Any = None, progress: bool = False) -> ImportReport:
    """Read ``path`` into ``insights_reviews``; returns what changed, with each bad row's number.

    Args:
        columns: field -> column defaults (the plugin's ``review_columns`` setting).
        mapping: ``--map`` overrides; a column named there must exist.
        embed: ``texts -> (n, dim) array``, for themes; None stores no vectors.
        classify: ``(texts, vectors) -> p(negative) per text``; None leaves sentiment to the
            first use (see :mod:`.sentiment`).
    """
    path = Path(path)
    ensure_schema(db)
    report = ImportReport(kind="reviews", path=path)
    started = time.perf_counter()
    cols, rows = read_mapped(path, REVIEW_FIELDS, columns or {}, mapping or {}, ("sku", "text"), report)

    def cell(record: Mapping[str, Any], field: str) -> str:
        found = cols.get(field)
        return clean_text(record.get(found[0])) if found else ""

    def parse(number: int, record: Mapping[str, Any]) -> ReviewRecord | None:
        sku, text = cell(record, "sku"), cell(record, "text")
        if not sku:
            report.problem(number, "no product key")
            return None
        if not text:
            report.problem(number, f"review of {sku!r} has no text")
            return None
        review = ReviewRecord(row=number, key="", sku=sku, text=text, title=cell(record, "title") or None,
                              author=cell(record, "author") or None)
        for field, parser, setter in (("rating", parse_rating, "rating"), ("date", parse_date, "reviewed_at")):
            raw = cell(record, field)
            if not raw:
                continue
            try:
                value = parser(raw)
            except ValueError as exc:
                report.problem(number, f"{exc}; imported without it", skipped=False)
                continue
            setattr(review, setter, value.isoformat() if isinstance(value, date) else value)
        given = cell(record, "id")
        review.key = f"id:{given}" if given else "h:" + hashlib.sha256(
            "\x1f".join([sku, review.reviewed_at or "", review.author or "", review.title or "", text]).encode()
        ).hexdigest()[:24]
        return review

    reviews = first_of_each(rows, report, parse, key=lambda r: r.key,
                            what=lambda r: "review" + (f" id {r.key[3:]!r}" if r.key.startswith("id:") else ""))
    _write(db, reviews, report, source=path.name, embed=embed, classify=classify, progress=progress)
    report.seconds = time.perf_counter() - started
    return report


def _content_hash(r: ReviewRecord) -> str:
    return hashlib.sha256(repr((r.sku, r.rating, r.title, r.text, r.author, r.reviewed_at)).encode()).hexdigest()[:24]


def _write(db: sqlite_utils.Database, reviews: list[ReviewRecord], report: ImportReport, *, source: str,
           embed: Any, classify: Any, progress: bool) -> None:
    existing = {key: (row_id, content) for key, row_id, content in
                db.execute("SELECT key, id, content_hash FROM insights_reviews")}
    changed: list[ReviewRecord] = []
    for review in reviews:
        old = existing.get(review.key)
        if old is None:
            report.added += 1
        elif old[1] == _content_hash(review):
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        changed.append(review)
    vectors = _embed(embed, [r.text for r in changed], progress)
    if vectors is not None:
        report.embedded = len(changed)
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    with db.conn:
        for i, review in enumerate(changed):
            values = {"key": review.key, "sku": review.sku, "rating": review.rating, "title": review.title,
                      "text": review.text, "author": review.author, "reviewed_at": review.reviewed_at,
                      "source": source, "content_hash": _content_hash(review), "imported_at": now,
                      "sentiment": None, "negative_p": None,
                      "vector": vectors[i].astype(np.float32).tobytes() if vectors is not None else None}
            old = existing.get(review.key)
            if old is None:
                db["insights_reviews"].insert(values)
            else:
                db["insights_reviews"].update(old[0], values)
    if classify is not None:
        classify(db)


def _embed(embed: Any, texts: list[str], progress: bool) -> np.ndarray | None:
    if embed is None or not texts:
        return None
    try:
        return np.asarray(embed(texts, progress=progress), dtype=np.float32)
    except Exception as exc:  # reviews still import; themes then say they need an embedder
        log.warning("reviews imported without vectors (no themes until re-imported): %s", exc)
        return None
