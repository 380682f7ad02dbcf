"""The knowledge base: hybrid search over the merchant's catalog, FAQ and policies.

Plugins get one :class:`KnowledgeBase` as ``bot.knowledge`` and call its async methods::

    hits = await kb.search_products("red running shoes", k=5, max_price=100, in_stock=True)
    passages = await kb.search_passages("how long do refunds take", kinds=("faq", "policy"))

Each search runs full-text (FTS5, trigram) and vector search side by side and fuses the two
rankings with reciprocal rank fusion. Without an embedder (or when it fails), search is
full-text only. Vectors live in memory and are reloaded when an import, from this process or
another, moves the generation counter in ``kb_meta``.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from . import schema
from .models import Passage, ProductHit
from .search import QueryTerms, VectorIndex, fts_query, lexical_score, query_terms, rrf
from .settings import KnowledgeSettings

__all__ = ["KnowledgeBase"]

log = logging.getLogger(__name__)

_PRODUCT_COLUMNS = "id, sku, name, category, price, price_max, currency, stock, attributes, description, url"
# bm25 weights per FTS column: a word in the name counts most, then attributes and category.
_PRODUCT_BM25 = "bm25(kb_products_fts, 10.0, 3.0, 4.0, 1.0)"
_PASSAGE_BM25 = "bm25(kb_passages_fts, 6.0, 2.0, 5.0, 2.0)"


@dataclass
class _ProductFilters:
    """Per-product arrays aligned with the product vector index, for filtering without SQL."""

    low: np.ndarray  # price, NaN when unknown
    high: np.ndarray  # price_max or price
    stock: np.ndarray  # NaN when unknown
    category: np.ndarray  # index into categories, -1 for none
    categories: list[str]


class KnowledgeBase:
    """Catalog, FAQ and policy search backed by the bot's SQLite database.

    Args:
        db: the history's database; the knowledge tables are prefixed ``kb_``.
        runner: the shared model runner (``embed``, ``embed_sync``, ``embeddings_available``),
            or None for full-text search only.
        settings: the ``knowledge:`` block of the config.
    """

    def __init__(self, db: sqlite_utils.Database, runner: Any, settings: KnowledgeSettings | None = None) -> None:
        self.db = db
        self.runner = runner
        self.settings = settings or KnowledgeSettings()
        schema.ensure_schema(db)
        self._generation = -1
        self._products = VectorIndex.empty()
        self._passages = VectorIndex.empty()
        self._filters: _ProductFilters | None = None
        self._passage_kinds: np.ndarray = np.zeros(0, dtype=object)
        self._vector_warning_shown = False

    # ------------------------------------------------------------------ status

    def counts(self) -> dict[str, int]:
        """Rows per kind and stored vectors, for status commands."""
        conn = self.db.conn
        out = {"products": conn.execute("SELECT count(*) FROM kb_products").fetchone()[0]}
        for kind, n in conn.execute("SELECT kind, count(*) FROM kb_passages GROUP BY kind"):
            out[kind] = n
        out.setdefault("faq", 0)
        out.setdefault("policy", 0)
        out["vectors"] = conn.execute("SELECT count(*) FROM kb_vectors").fetchone()[0]
        return out

    # ------------------------------------------------------------------ products

    async def search_products(
        self,
        query: str,
        k: int = 5,
        category: str | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        in_stock: bool | None = None,
    ) -> list[ProductHit]:
        """The ``k`` products that best match ``query`` and pass every filter given.

        ``category`` matches one or more whole segments of the category path (``"Footwear"``
        or ``"Clothing > Shorts"``). A price filter leaves out products without a price, and
        ``in_stock`` leaves out products whose stock is unknown.
        """
        query_vec = await self._embed_query(query)
        return self.search_products_sync(query, k, category, min_price, max_price, in_stock, query_vec=query_vec)

    def search_products_sync(
        self,
        query: str,
        k: int = 5,
        category: str | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        in_stock: bool | None = None,
        *,
        query_vec: np.ndarray | None = None,
    ) -> list[ProductHit]:
        """:meth:`search_products` with the query's embedding given (or None for full-text only)."""
        self._refresh()
        terms = query_terms(query)
        n = max(self.settings.candidates, k)
        where, params = _product_where(category, min_price, max_price, in_stock)
        text_ids = self._product_text_ids(terms, k, n, where, params)
        vector_hits: list[tuple[int, float]] = []
        if query_vec is not None and len(self._products):
            mask = self._product_mask(category, min_price, max_price, in_stock)
            vector_hits = self._products.search(query_vec, n, mask)
        ranked = _fuse(text_ids, [i for i, _ in vector_hits], self.settings.rrf_k)[:k]
        if not ranked:
            return []
        rows = {
            r[0]: r
            for r in self.db.conn.execute(
                f"SELECT {_PRODUCT_COLUMNS} FROM kb_products WHERE id IN ({','.join('?' * len(ranked))})", ranked
            )
        }
        sims = self._products.similarity(query_vec, ranked) if query_vec is not None else {}
        hits = []
        for item in ranked:
            row = rows.get(item)
            if row is None:  # deleted since the vectors were loaded
                continue
            attributes = json.loads(row[8] or "{}")
            haystack = " ".join([row[2], row[3] or "", *attributes.values()])
            score = max(sims.get(item, 0.0), lexical_score(terms, haystack))
            hits.append(ProductHit(
                id=row[0], sku=row[1], name=row[2], category=row[3], price=row[4], price_max=row[5],
                currency=row[6], stock=row[7], attributes=attributes, description=row[9], url=row[10],
                score=round(min(max(score, 0.0), 1.0), 4),
            ))
        return hits

    def product_names(self, prefix: str, limit: int = 25) -> list[str]:
        """Product names containing ``prefix`` (names starting with it first), for autocomplete."""
        text = " ".join(prefix.split())
        if not text:
            rows = self.db.conn.execute("SELECT name FROM kb_products ORDER BY name LIMIT ?", [limit])
            return [r[0] for r in rows]
        if len(text) < 3:  # below the trigram size: an indexed prefix scan on the name
            rows = self.db.conn.execute(
                "SELECT DISTINCT name FROM kb_products WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?",
                [_like_escape(text) + "%", limit],
            )
            return [r[0] for r in rows]
        match = fts_query([text], column="name")
        rows = self.db.conn.execute(
            "SELECT p.name FROM kb_products_fts f JOIN kb_products p ON p.id = f.rowid "
            "WHERE kb_products_fts MATCH ? ORDER BY (p.name LIKE ? ESCAPE '\\') DESC, length(p.name) LIMIT ?",
            [match, _like_escape(text) + "%", limit * 2],
        )
        return list(dict.fromkeys(r[0] for r in rows))[:limit]

    def _product_text_ids(self, terms: QueryTerms, k: int, n: int, where: str, params: list[Any]) -> list[int]:
        """Up to ``n`` full-text candidates; word-dropping relaxations run only while fewer than ``k``."""
        conn = self.db.conn
        found: list[int] = []
        sql = (
            "SELECT f.rowid FROM kb_products_fts f JOIN kb_products p ON p.id = f.rowid "
            f"WHERE kb_products_fts MATCH ? {where} ORDER BY {_PRODUCT_BM25} LIMIT ?"
        )
        # All words first. Fewer than k found: relax one word at a time, and only then take any
        # word (an OR over common words ranks most of the catalog: the slowest query there is).
        attempts = [terms.all]
        if len(terms.all) > 2:
            attempts += [terms.all[:i] + terms.all[i + 1 :] for i in range(min(len(terms.all), 6))]
        attempts.append(("OR",) + terms.all)
        seen: set[int] = set()
        for attempt in attempts:
            if len(found) >= k:
                break
            if attempt and attempt[0] == "OR":
                expr = fts_query(attempt[1:], mode="OR") if len(attempt) > 2 else None
            else:
                expr = fts_query(attempt, mode="AND")
            if expr:
                for (item,) in conn.execute(sql, [expr, *params, n]):
                    if item not in seen:
                        seen.add(item)
                        found.append(item)
        if not terms.all and terms.short:  # only short words ("tv", "m"): name prefix scan
            clauses = " OR ".join(["p.name LIKE ? ESCAPE '\\' OR p.name LIKE ? ESCAPE '\\'"] * len(terms.short))
            like = [x for w in terms.short for x in (_like_escape(w) + "%", "% " + _like_escape(w) + "%")]
            found = [r[0] for r in conn.execute(
                f"SELECT p.id FROM kb_products p WHERE ({clauses}) {where} ORDER BY length(p.name) LIMIT ?",
                [*like, *params, n])]
        return found[:n]

    def _product_mask(self, category: str | None, min_price: float | None, max_price: float | None,
                      in_stock: bool | None) -> np.ndarray | None:
        f = self._filters
        if f is None or (category is None and min_price is None and max_price is None and in_stock is None):
            return None
        mask = np.ones(len(f.low), dtype=bool)
        with np.errstate(invalid="ignore"):
            if min_price is not None:
                mask &= f.high >= min_price  # NaN compares False: no price, no match
            if max_price is not None:
                mask &= f.low <= max_price
            if in_stock is True:
                mask &= f.stock > 0
            elif in_stock is False:
                mask &= f.stock == 0
        if category is not None:
            wanted = _segment_pattern(category)
            codes = [i for i, c in enumerate(f.categories) if wanted in f" > {c.lower()} > "]
            mask &= np.isin(f.category, codes)
        return mask

    # ------------------------------------------------------------------ passages

    async def search_passages(self, query: str, k: int = 5, kinds: Sequence[str] = ("faq", "policy")) -> list[Passage]:
        """The ``k`` FAQ entries and policy passages that best answer ``query``."""
        query_vec = await self._embed_query(query)
        return self.search_passages_sync(query, k, kinds, query_vec=query_vec)

    def search_passages_sync(self, query: str, k: int = 5, kinds: Sequence[str] = ("faq", "policy"), *,
                             query_vec: np.ndarray | None = None) -> list[Passage]:
        """:meth:`search_passages` with the query's embedding given (or None for full-text only)."""
        self._refresh()
        kinds = tuple(kinds)
        if not kinds:
            return []
        terms = query_terms(query)
        n = max(self.settings.candidates, k)
        in_kinds = f"AND p.kind IN ({','.join('?' * len(kinds))})"
        sql = ("SELECT f.rowid FROM kb_passages_fts f JOIN kb_passages p ON p.id = f.rowid "
               f"WHERE kb_passages_fts MATCH ? {in_kinds} ORDER BY {_PASSAGE_BM25} LIMIT ?")
        text_ids: list[int] = []
        for mode in ("AND", "OR"):
            expr = fts_query(terms.all, mode=mode)
            if expr and len(text_ids) < n:
                seen = set(text_ids)
                text_ids += [r[0] for r in self.db.conn.execute(sql, [expr, *kinds, n]) if r[0] not in seen]
        vector_hits: list[tuple[int, float]] = []
        if query_vec is not None and len(self._passages):
            mask = np.isin(self._passage_kinds, kinds)
            vector_hits = self._passages.search(query_vec, n, mask)
        ranked = _fuse(text_ids, [i for i, _ in vector_hits], self.settings.rrf_k)[:k]
        if not ranked:
            return []
        rows = {
            r[0]: r
            for r in self.db.conn.execute(
                "SELECT id, kind, key, title, text, tags, alternatives, source FROM kb_passages "
                f"WHERE id IN ({','.join('?' * len(ranked))})", ranked,
            )
        }
        sims = self._passages.similarity(query_vec, ranked) if query_vec is not None else {}
        out = []
        for item in ranked:
            row = rows.get(item)
            if row is None:
                continue
            alternatives = json.loads(row[6] or "[]")
            if item in sims:
                score = sims[item]
            else:  # no vector for it (or no embedder): fall back to word overlap
                score = lexical_score(terms, " ".join([row[3] or "", row[4], *alternatives]))
            pid = f"faq:{row[0]}" if row[1] == "faq" else f"{row[1]}:{row[2]}"
            out.append(Passage(id=pid, kind=row[1], title=row[3], text=row[4], source=row[7],
                               score=round(min(max(score, 0.0), 1.0), 4), tags=tuple(json.loads(row[5] or "[]")),
                               extra={"alternatives": alternatives}))
        return out

    # ------------------------------------------------------------------ vectors

    async def _embed_query(self, query: str) -> np.ndarray | None:
        """The query's unit vector, or None when vector search is off or the embedder fails."""
        runner = self.runner
        if runner is None or not getattr(runner, "embeddings_available", True) or not query.strip():
            return None
        self._refresh()
        if not len(self._products) and not len(self._passages):
            return None
        try:
            vectors = await runner.embed([query])
        except Exception as exc:  # the embedder being down must not stop full-text search
            log.warning("query embedding failed (%s); full-text search only", exc)
            return None
        vec = np.asarray(vectors, dtype=np.float32)[0]
        dim = self._products.dim if len(self._products) else self._passages.dim
        if vec.shape[0] != dim:
            if not self._vector_warning_shown:
                log.warning("the embedder gives %d dimensions but the stored vectors have %d: "
                            "re-import to rebuild them; full-text search only until then", vec.shape[0], dim)
                self._vector_warning_shown = True
            return None
        return vec

    def _refresh(self) -> None:
        """(Re)load vectors and filter arrays if an import happened since the last load."""
        current = schema.generation(self.db)
        if current == self._generation:
            return
        started = time.perf_counter()
        self._products = self._load_vectors("product")
        self._passages = self._load_vectors("passage")
        self._filters = self._load_filters(self._products.unique_ids)
        kinds = dict(self.db.conn.execute("SELECT id, kind FROM kb_passages").fetchall())
        self._passage_kinds = np.array([kinds.get(int(i), "") for i in self._passages.unique_ids], dtype=object)
        self._generation = current
        log.info("knowledge vectors loaded: %d product, %d passage rows in %.0f ms",
                 len(self._products), len(self._passages), (time.perf_counter() - started) * 1000)

    def _load_vectors(self, kind: str) -> VectorIndex:
        rows = self.db.conn.execute(
            "SELECT item_id, vector FROM kb_vectors WHERE kind = ? ORDER BY item_id, slot", [kind]
        ).fetchall()
        if not rows:
            return VectorIndex.empty()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        dims = {len(r[1]) for r in rows}
        if len(dims) != 1:
            log.warning("stored %s vectors have mixed sizes; vector search is off for them until re-import", kind)
            return VectorIndex.empty()
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), -1)
        return VectorIndex(ids, matrix)

    def _load_filters(self, ids: np.ndarray) -> _ProductFilters:
        rows = self.db.conn.execute("SELECT id, price, price_max, stock, category FROM kb_products ORDER BY id").fetchall()
        by_id = {r[0]: r for r in rows}
        categories: dict[str, int] = {}
        n = len(ids)
        low = np.full(n, np.nan)
        high = np.full(n, np.nan)
        stock = np.full(n, np.nan)
        category = np.full(n, -1, dtype=np.int32)
        for i, item in enumerate(ids.tolist()):
            row = by_id.get(item)
            if row is None:
                continue
            _, price, price_max, units, cat = row
            if price is not None:
                low[i] = price
                high[i] = price_max if price_max is not None else price
            if units is not None:
                stock[i] = units
            if cat:
                category[i] = categories.setdefault(cat, len(categories))
        return _ProductFilters(low, high, stock, category, list(categories))

    def invalidate(self) -> None:
        """Forget loaded vectors (the next search reloads them)."""
        self._generation = -1


def _fuse(text_ids: list[int], vector_ids: list[int], k: int) -> list[int]:
    fused = rrf([text_ids, vector_ids], k)
    # Ties (an item at the same rank in one list only) keep full-text order first: stable sort.
    return sorted(fused, key=lambda item: -fused[item])


def _product_where(category: str | None, min_price: float | None, max_price: float | None,
                   in_stock: bool | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if min_price is not None:
        clauses.append("coalesce(p.price_max, p.price) >= ?")
        params.append(min_price)
    if max_price is not None:
        clauses.append("p.price <= ?")
        params.append(max_price)
    if in_stock is True:
        clauses.append("p.stock > 0")
    elif in_stock is False:
        clauses.append("p.stock = 0")
    if category is not None:
        clauses.append("instr(' > ' || lower(p.category) || ' > ', ?) > 0")
        params.append(_segment_pattern(category))
    return "".join(f" AND {c}" for c in clauses), params


def _segment_pattern(category: str) -> str:
    parts = [p.strip().lower() for p in category.replace(">>", ">").replace("|", ">").split(">") if p.strip()]
    return " > " + " > ".join(parts) + " > "


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value
