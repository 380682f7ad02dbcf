"""Writing imported records: upsert by key, re-index changed rows, embed changed text only.

Every record carries two hashes. ``content_hash`` covers all stored fields: equal means the
row is left alone. ``embed_hash`` covers the texts that are embedded: a new price rewrites the
row but keeps its vectors. Writes are committed per chunk, so a bot running on the same
database waits at most one chunk for its own writes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from . import schema
from .excerpt import split_units
from .pages import HEADING_SEPARATOR
from .report import ImportReport

if TYPE_CHECKING:
    from .base import KnowledgeBase

__all__ = ["ProductRecord", "PassageRecord", "write_products", "write_passages"]

log = logging.getLogger(__name__)

CHUNK = 1000


@dataclass
class ProductRecord:
    """One product as parsed from a file, before it is stored."""

    row: int
    sku: str
    name: str
    category: str | None = None
    price: float | None = None
    price_max: float | None = None
    currency: str | None = None
    stock: int | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    url: str | None = None
    #: A parent's children (platform presets): ``{"sku", "options": {name: value}, "price", "stock"}``.
    variants: list[dict[str, Any]] = field(default_factory=list)
    #: A running sale (platform presets): ``{"regular": 64.0, "regular_max": None, "ends": "2026-12-24"}``.
    sale: dict[str, Any] | None = None


@dataclass
class PassageRecord:
    """An FAQ entry or a policy passage, keyed within its kind."""

    row: int
    key: str
    title: str | None
    text: str
    tags: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)


def _hash(value: Any) -> str:
    return hashlib.sha1(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def product_embed_texts(p: ProductRecord, description_chars: int) -> list[str]:
    """The one text a product is embedded by: what identifies it, then the start of its description."""
    attrs = "; ".join(f"{k}: {v}" for k, v in p.attributes.items() if len(v) <= 80)[:300]
    parts = [p.name, p.category or "", attrs, (p.description or "")[:description_chars]]
    return [". ".join(x for x in parts if x)]


def passage_embed_texts(kind: str, p: PassageRecord) -> list[str]:
    """FAQ: the question, each alternative phrasing, and question + answer. Policy: heading + text,
    heading + each of its parts (the rows of a table, the items of a list), heading + each
    sentence of a longer paragraph ("how fast do you pack an order?" is answered by one sentence
    of a paragraph about delivery times, whose whole vector the rest dilutes), and a heading
    that asks a question, on its own."""
    if kind == "faq":
        return [p.title or "", *p.alternatives, f"{p.title}\n{p.text}"]
    parts = list(dict.fromkeys([p.text, *p.alternatives]))
    units = split_units(p.text)
    if len(units) > 1:
        parts += [u for u in units if u not in parts]
    texts = [f"{p.title}\n{t}" if p.title else t for t in parts]
    # A help page's question heading ("Help › Orders › How do I track my order?") is matched on
    # its own, as an FAQ entry's question is: question to question is what the encoder does best.
    asked = (p.title or "").split(HEADING_SEPARATOR)[-1].strip()
    return [asked, *texts] if asked.endswith(("?", "？")) else texts


class _Embedder:
    """Embeds queued items in batches through ``runner.embed_sync``; off when there is no embedder."""

    def __init__(self, kb: KnowledgeBase, report: ImportReport, progress: bool) -> None:
        self.kb = kb
        self.report = report
        self.progress = progress
        self.enabled = kb.runner is not None
        self._bar: Any = None
        self._checked = False

    def check_dimension(self) -> None:
        """Embed one probe: a new embedder size invalidates every stored vector."""
        if not self.enabled or self._checked:
            return
        self._checked = True
        try:
            dim = int(np.asarray(self.kb.runner.embed_sync(["probe"], batch_size=1, progress=False)).shape[1])
        except Exception as exc:
            self.enabled = False
            self.report.notes.append(f"vectors not computed ({exc}); search is full-text only until re-import")
            log.warning("import without embeddings: %s", exc)
            return
        stored = schema.get_meta(self.kb.db, "embedding_dim")
        conn = self.kb.db.conn
        with conn:
            if stored is not None and int(stored) != dim:
                log.warning("embedder size changed (%s -> %d): dropping every stored vector", stored, dim)
                self.report.notes.append(f"embedder size changed ({stored} -> {dim}): all vectors dropped; "
                                         "re-import the other files too")
                conn.execute("DELETE FROM kb_vectors")
                conn.execute("UPDATE kb_products SET embed_hash = NULL")
                conn.execute("UPDATE kb_passages SET embed_hash = NULL")
            schema.set_meta(self.kb.db, "embedding_dim", str(dim))

    def embed(self, vector_kind: str, items: Sequence[tuple[int, list[str], str]]) -> None:
        """Compute and store vectors for ``(item_id, texts, embed_hash)``, replacing old ones.

        The model runs outside any transaction (it is the slow part); vectors and their hashes
        are then written together, so an interrupted import leaves those items to embed again.
        """
        if not self.enabled or not items:
            return
        texts = [t for _, ts, _ in items for t in ts]
        batch = self.kb.settings.embed_batch_size
        if self.progress and self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(desc="embedding", unit="text", leave=True)
        vectors = []
        for start in range(0, len(texts), batch * 4):
            part = texts[start : start + batch * 4]
            vectors.append(np.asarray(self.kb.runner.embed_sync(part, batch_size=batch, progress=False), "<f4"))
            if self._bar is not None:
                self._bar.update(len(part))
        matrix = np.concatenate(vectors)
        rows = []
        i = 0
        for item, ts, _ in items:
            for slot in range(len(ts)):
                rows.append((vector_kind, item, slot, matrix[i].tobytes()))
                i += 1
        table = "kb_products" if vector_kind == "product" else "kb_passages"
        conn = self.kb.db.conn
        with conn:
            conn.executemany("DELETE FROM kb_vectors WHERE kind = ? AND item_id = ?",
                             [(vector_kind, item) for item, _, _ in items])
            conn.executemany("INSERT INTO kb_vectors(kind, item_id, slot, vector) VALUES (?, ?, ?, ?)", rows)
            conn.executemany(f"UPDATE {table} SET embed_hash = ? WHERE id = ?", [(h, item) for item, _, h in items])
            schema.bump_generation(self.kb.db)
        self.report.embedded += len(items)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def write_products(kb: KnowledgeBase, records: Sequence[ProductRecord], report: ImportReport, *,
                   source: str, progress: bool) -> None:
    """Upsert products by SKU; unchanged rows are not touched, unchanged texts not re-embedded."""
    conn = kb.db.conn
    embedder = _Embedder(kb, report, progress)
    embedder.check_dimension()
    bar = _bar(progress, len(records), "products")
    now = _now()
    try:
        for start in range(0, len(records), CHUNK):
            chunk = records[start : start + CHUNK]
            existing = _existing(conn, "SELECT sku, id, content_hash, embed_hash FROM kb_products WHERE sku IN ({})",
                                 [p.sku for p in chunk])
            to_embed: list[tuple[int, list[str], str]] = []
            fts_rows: list[tuple[Any, ...]] = []  # (re)indexed together at the end of the chunk
            stale: list[int] = []
            with conn:
                for p in chunk:
                    texts = product_embed_texts(p, kb.settings.description_chars)
                    embed_hash = _hash(texts)
                    content = {k: v for k, v in p.__dict__.items() if k != "row"}
                    content_hash = _hash(content)
                    attrs = json.dumps(p.attributes, ensure_ascii=False)
                    variants = json.dumps(p.variants, ensure_ascii=False) if p.variants else None
                    sale = json.dumps(p.sale) if p.sale else None
                    values = [p.name, p.category, p.price, p.price_max, p.currency, p.stock, attrs,
                              p.description, p.url, variants, sale, source, p.row, content_hash]
                    old = existing.get(p.sku)
                    try:
                        item, old_embed, changed = _upsert(
                            conn, report, old, content_hash,
                            "INSERT INTO kb_products(sku, name, category, price, price_max, currency, stock, attributes, "
                            "description, url, variants, sale, source, row_number, content_hash, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [p.sku, *values, now],
                            "UPDATE kb_products SET name=?, category=?, price=?, price_max=?, currency=?, stock=?, "
                            "attributes=?, description=?, url=?, variants=?, sale=?, source=?, row_number=?, "
                            "content_hash=?, "
                            "updated_at=? WHERE id=?", [*values, now])
                    except (sqlite3.Error, OverflowError) as exc:  # one bad row never stops the rest
                        report.problem(p.row, f"sku {p.sku!r} could not be stored ({exc})")
                        continue
                    if changed and old is not None:
                        stale.append(item)
                    if changed:
                        fts_rows.append(schema.product_fts_row(item, p.name, p.category, p.attributes, p.description,
                                                                kb.settings.description_chars))
                    if embedder.enabled and old_embed != embed_hash:
                        to_embed.append((item, texts, embed_hash))
                schema.unindex_products(conn, stale)
                schema.index_products(conn, fts_rows)
                schema.bump_generation(kb.db)
            embedder.embed("product", to_embed)
            if bar is not None:
                bar.update(len(chunk))
    finally:
        embedder.close()
        if bar is not None:
            bar.close()
    kb.invalidate()


def write_passages(kb: KnowledgeBase, kind: str, records: Sequence[PassageRecord], report: ImportReport, *,
                   source: str, progress: bool, prune: bool = True) -> None:
    """Upsert FAQ entries or policy passages by key; with ``prune``, entries of the same source
    file that are no longer in it are removed (a re-imported document replaces its old self)."""
    conn = kb.db.conn
    embedder = _Embedder(kb, report, progress)
    embedder.check_dimension()
    now = _now()
    existing = {
        r[0]: (r[1], r[2], r[3])
        for r in conn.execute("SELECT key, id, content_hash, embed_hash FROM kb_passages WHERE kind = ?", [kind])
    }
    to_embed: list[tuple[int, list[str], str]] = []
    try:
        with conn:
            for p in records:
                texts = passage_embed_texts(kind, p)
                embed_hash = _hash(texts)
                content_hash = _hash([p.title, p.text, p.tags, p.alternatives, source])
                values = [p.title, p.text, json.dumps(p.tags, ensure_ascii=False),
                          json.dumps(p.alternatives, ensure_ascii=False), source, content_hash]
                old = existing.get(p.key)
                item, old_embed, changed = _upsert(
                    conn, report, old, content_hash,
                    "INSERT INTO kb_passages(kind, key, title, text, tags, alternatives, source, content_hash, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [kind, p.key, *values, now],
                    "UPDATE kb_passages SET title=?, text=?, tags=?, alternatives=?, source=?, "
                    "content_hash=?, updated_at=? WHERE id=?", [*values, now])
                if changed and old is not None:
                    conn.execute("DELETE FROM kb_passages_fts WHERE rowid = ?", [item])
                if changed:
                    conn.execute("INSERT INTO kb_passages_fts(rowid, title, text, alternatives, tags) "
                                 "VALUES (?, ?, ?, ?, ?)",
                                 [item, p.title or "", p.text, " | ".join(p.alternatives), " ".join(p.tags)])
                if embedder.enabled and old_embed != embed_hash:
                    to_embed.append((item, texts, embed_hash))
            if prune:
                keep = {p.key for p in records}
                gone = [r[0] for r in conn.execute("SELECT id, key FROM kb_passages WHERE kind = ? AND source = ?",
                                                   [kind, source]) if r[1] not in keep]
                for item in gone:
                    conn.execute("DELETE FROM kb_passages WHERE id = ?", [item])
                    conn.execute("DELETE FROM kb_passages_fts WHERE rowid = ?", [item])
                    conn.execute("DELETE FROM kb_vectors WHERE kind = 'passage' AND item_id = ?", [item])
                report.removed += len(gone)
            schema.bump_generation(kb.db)
        embedder.embed("passage", to_embed)
    finally:
        embedder.close()
    kb.invalidate()


def _upsert(conn: Any, report: ImportReport, old: tuple[int, str, str | None] | None, content_hash: str,
            insert: str, insert_args: list[Any], update: str, update_args: list[Any]) -> tuple[int, str | None, bool]:
    """Insert a new row, update a changed one (``update_args`` + its id), leave an unchanged one;
    counted in ``report``. Returns the row id, its previous embedding hash, and whether its content changed."""
    if old is None:
        row_id = int(conn.execute(insert, insert_args).lastrowid or 0)
        report.added += 1
        return row_id, None, True
    item, old_content, old_embed = old
    if old_content == content_hash:
        report.unchanged += 1
        return item, old_embed, False
    conn.execute(update, [*update_args, item])
    report.updated += 1  # counted once it is stored
    return item, old_embed, True


def _existing(conn: Any, sql: str, keys: list[str]) -> dict[str, tuple[int, str, str | None]]:
    out: dict[str, tuple[int, str, str | None]] = {}
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        for key, item, content, embed in conn.execute(sql.format(",".join("?" * len(part))), part):
            out[key] = (item, content, embed)
    return out


def _bar(progress: bool, total: int, unit: str) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="importing", unit=unit[:-1] if unit.endswith("s") else unit)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

