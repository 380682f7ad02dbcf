"""The knowledge base: hybrid search over the merchant's catalog, FAQ and policies.

Plugins get one :class:`KnowledgeBase` as ``bot.knowledge`` and call its async methods::

    hits = await kb.search_products("red running shoes", k=5, max_price=100, in_stock=True)
    passages = await kb.search_passages("how long do refunds take", kinds=("faq", "policy"))

Each search runs full-text (FTS5) and vector search side by side and combines them into one
ranking. Products: every candidate from either side is scored by ``vector_weight`` x its cosine
similarity plus the rest x the (idf-weighted) share of the query's words it contains. Why not
reciprocal rank fusion there: variants of one product (the same shirt in eight colours) embed
almost alike, so the vector ranking among them is noise, and rank fusion weighs that noise as
much as the one variant that has every word asked for; scores keep the size of the difference.
(Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval", 2023, found such a convex
combination better than RRF in general.) FAQ and policy passages are prose without such near
twins, and keep reciprocal rank fusion.

Without an embedder (or when it fails), search is full-text only. Vectors live in memory and
are reloaded when an import, from this process or another, moves the generation counter in
``kb_meta``.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from . import catalog, schema
from .filters import ProductFilters, sql_where
from .lexical import TextMatches, product_text_search
from .models import Passage, ProductHit, Sale
from .search import Coverage, QueryTerms, fts_query, lexical_score, query_terms, rrf
from .settings import KnowledgeSettings
from .specificity import generic_sources
from .vectors import VectorIndex

__all__ = ["KnowledgeBase"]

log = logging.getLogger(__name__)

_PRODUCT_COLUMNS = ("id, sku, name, category, price, price_max, currency, stock, attributes, description, url, variants, "
                    "sale")
#: The ``kb_passages`` columns :func:`_passage` reads, in its order.
_PASSAGE_COLUMNS = "id, kind, key, title, text, tags, alternatives, source"
#: A query word found only in a product's description counts for this much of one in its name.
_DESCRIPTION_CREDIT = 0.5
#: Most rows holding every common query word that are ordered by the query's vector (see lexical).
_POOL = 1000
#: Query embeddings kept for reuse (a few messages' worth).
_RECENT_QUERIES = 64
# bm25 weights per FTS column: a passage's title (an FAQ question) counts most, then its tags.
_PASSAGE_BM25 = "bm25(kb_passages_fts, 6.0, 2.0, 5.0, 2.0)"


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
        schema.ensure_schema(db, self.settings.description_chars)
        self._generation = -1
        self._product_rows = 0
        self._products = VectorIndex.empty()
        self._passages = VectorIndex.empty()
        self._filters = ProductFilters.empty()
        self._passage_kinds: np.ndarray = np.zeros(0, dtype=object)
        self._generic_sources: frozenset[str] = frozenset()
        self._vector_warning_shown = False
        # One message is searched several times (products, then passages, by more than one
        # plugin): its embedding is computed once. Keyed by text; the embedder does not change.
        self._recent_queries: OrderedDict[str, np.ndarray] = OrderedDict()
        #: The passage searches of the message being handled, while :meth:`one_message` is open.
        self._message_searches: ContextVar[dict[tuple[Any, ...], _Candidates] | None] = ContextVar(
            f"knowledge-searches-{id(self)}", default=None)

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
        vec = query_vec if query_vec is not None and len(self._products) else None
        text = TextMatches()
        if terms:
            where, params = sql_where(category, min_price, max_price, in_stock)
            text = product_text_search(self.db.conn, terms, k=k, n=n, pool=_POOL if vec is not None else 0,
                                       where=where, params=params, rows=self._product_rows)
        text_ids = text.ranked
        vector_ids: list[int] = []
        if vec is not None:
            if text.pool:  # rows holding every common word, unranked: the closest to the query join
                pool_sims = self._products.similarity(vec, text.pool)
                text_ids = text_ids + sorted(pool_sims, key=lambda item: -pool_sims[item])[:n]
            mask = self._filters.mask(category, min_price, max_price, in_stock)
            vector_ids = [item for item, _ in self._products.search(vec, n, mask)]
        candidates = list(dict.fromkeys(text_ids + vector_ids))  # full-text order breaks ties
        if not candidates:
            return []
        rows = self._product_rows_by_id(candidates)
        sims = self._products.similarity(vec, candidates) if vec is not None else {}
        weight = self.settings.vector_weight if vec is not None else 0.0
        coverage = Coverage(terms, text.weights, text.catalog_words)
        scored = []
        for row in rows:
            attributes = json.loads(row[8] or "{}")
            words = coverage(" ".join([row[2], row[3] or "", *attributes.values()]).lower(),
                             (row[9] or "")[: self.settings.description_chars].lower(), _DESCRIPTION_CREDIT)
            similarity = max(sims.get(row[0], 0.0), 0.0)
            rank = weight * similarity + (1.0 - weight) * words
            scored.append((rank, row, attributes, max(similarity, words)))
        position = {item: i for i, item in enumerate(candidates)}
        scored.sort(key=lambda s: (-s[0], position[s[1][0]]))
        return [self._hit(row, score, attributes) for _, row, attributes, score in scored[:k]]

    def browse_products(self, words: Sequence[str], *, descending: bool = False, k: int = 5,
                        min_price: float | None = None, max_price: float | None = None,
                        in_stock: bool | None = None, on_sale: bool = False) -> list[ProductHit]:
        """Products whose name, category or attributes hold every word, cheapest first (or
        dearest first): "cheapest watch", "blue wallets under 2000", "perfumes on sale" (``on_sale``).
        Unpriced products are left out."""
        ids = catalog.products_with(self.db.conn, words, descending=descending, limit=k, min_price=min_price,
                                    max_price=max_price, in_stock=in_stock, on_sale=on_sale)
        rows = {r[0]: r for r in self._product_rows_by_id(ids)}
        return [self._hit(rows[i], 1.0) for i in ids if i in rows]

    def products_by_sku(self, skus: Sequence[str]) -> list[ProductHit]:
        """The products with these SKUs, in the order given (unknown SKUs left out)."""
        if not skus:
            return []
        rows = self.db.conn.execute(
            f"SELECT {_PRODUCT_COLUMNS} FROM kb_products WHERE sku IN ({','.join('?' * len(skus))})", list(skus)).fetchall()
        by_sku = {r[1]: r for r in rows}
        return [self._hit(by_sku[s], 1.0) for s in skus if s in by_sku]

    def unknown_words(self, words: Sequence[str], *, passages: bool = True) -> list[str]:
        """The words no product has in its name, category or attributes ("nike" in a shop without it)
        and, with ``passages``, no FAQ or policy passage uses either (those are the shop's own words)."""
        return catalog.missing_words(self.db.conn, words, passages=passages)

    def modifier_only(self, word: str) -> bool:
        """``word`` names no product type of the shop, only describes others ("laptop" backpacks)."""
        return catalog.modifier_only(self.db.conn, word)

    def _product_rows_by_id(self, ids: Sequence[int]) -> list[Any]:
        if not ids:
            return []
        return self.db.conn.execute(
            f"SELECT {_PRODUCT_COLUMNS} FROM kb_products WHERE id IN ({','.join('?' * len(ids))})", list(ids)).fetchall()

    @staticmethod
    def _hit(row: Any, score: float, attributes: dict[str, str] | None = None) -> ProductHit:
        return _hit(row, round(min(max(score, 0.0), 1.0), 4), attributes)

    def product_names(self, prefix: str, limit: int = 25) -> list[str]:
        """Distinct product names for autocomplete: those starting with ``prefix`` (alphabetical),
        then those containing it (shortest first among the first few hundred found).

        Both are cheap at any catalog size: the first is a scan of the name index, the second
        stops after a few hundred trigram matches instead of sorting all of them.
        """
        text = " ".join(prefix.split())
        conn = self.db.conn
        names = [r[0] for r in conn.execute(
            "SELECT DISTINCT name FROM kb_products WHERE name LIKE ? ESCAPE '\\' ORDER BY name COLLATE NOCASE LIMIT ?",
            [_like_escape(text) + "%", limit])]
        match = fts_query([text], column="name")
        if len(names) < limit and match:
            rows = conn.execute(
                "SELECT DISTINCT p.name FROM kb_products_fts f JOIN kb_products p ON p.id = f.rowid "
                "WHERE kb_products_fts MATCH ? LIMIT ?", [match, limit * 10])
            names += sorted((r[0] for r in rows if r[0] not in names), key=len)
        return list(dict.fromkeys(names))[:limit]

    def product(self, sku: str) -> ProductHit | None:
        """One product by its SKU (``score`` 1.0), or None."""
        row = self.db.conn.execute(f"SELECT {_PRODUCT_COLUMNS} FROM kb_products WHERE sku = ?", [sku]).fetchone()
        return _hit(row) if row else None

    def products(self, *, category: str | None = None, description_under: int | None = None,
                 limit: int | None = None) -> list[ProductHit]:
        """Products in catalog order: in ``category`` (whole path segments) and, with
        ``description_under``, only those whose description is shorter (none counts as empty)."""
        where, params = sql_where(category, None, None, None)
        if description_under is not None:
            where += " AND length(coalesce(trim(p.description), '')) < ?"
            params = [*params, description_under]
        columns = ", ".join(f"p.{c.strip()}" for c in _PRODUCT_COLUMNS.split(","))
        sql = f"SELECT {columns} FROM kb_products p WHERE 1 = 1{where} ORDER BY p.id"
        if limit is not None:
            sql, params = sql + " LIMIT ?", [*params, limit]
        return [_hit(r) for r in self.db.conn.execute(sql, params)]

    def set_description(self, sku: str, text: str) -> bool:
        """Replace one product's description, indexed and embedded as an import would; False if no such SKU."""
        from .report import ImportReport
        from .store import ProductRecord, write_products

        row = self.db.conn.execute(
            "SELECT row_number, sku, name, category, price, price_max, currency, stock, attributes, url, variants, "
            "source, sale FROM kb_products WHERE sku = ?", [sku]).fetchone()
        if row is None:
            return False
        record = ProductRecord(row=row[0] or 0, sku=row[1], name=row[2], category=row[3], price=row[4],
                               price_max=row[5], currency=row[6], stock=row[7], attributes=json.loads(row[8] or "{}"),
                               description=text, url=row[9], variants=json.loads(row[10] or "[]"),
                               sale=json.loads(row[12] or "null"))
        write_products(self, [record], ImportReport("products", Path(row[11] or "descriptions")),
                       source=row[11] or "descriptions", progress=False)
        return True

    # ------------------------------------------------------------------ passages

    @contextmanager
    def one_message(self) -> Iterator[None]:
        """The handling of one customer message: within it, a passage search with the same text and
        kinds as an earlier one (product lookup's, then auto-reply's) reuses that one's candidates
        instead of running the full-text and vector searches again; results are the same.

        Kept for the block only, per asyncio task (messages handled side by side each have their
        own), and keyed by the import generation too: never another message's results, never
        results from before an import."""
        token = self._message_searches.set({})
        try:
            yield
        finally:
            self._message_searches.reset(token)

    async def search_passages(self, query: str, k: int = 5, kinds: Sequence[str] = ("faq", "policy")) -> list[Passage]:
        """The ``k`` FAQ entries and policy passages that best answer ``query``."""
        query_vec = await self._embed_query(query)
        return self.search_passages_sync(query, k, kinds, query_vec=query_vec)

    def passages(self, kinds: Sequence[str] = ("faq", "policy"), limit: int | None = None) -> list[Passage]:
        """Every FAQ entry and policy passage of ``kinds`` (score 0), in import order."""
        kinds = tuple(kinds)
        if not kinds:
            return []
        rows = self.db.conn.execute(
            f"SELECT {_PASSAGE_COLUMNS} FROM kb_passages "
            f"WHERE kind IN ({','.join('?' * len(kinds))}) ORDER BY id LIMIT ?", [*kinds, -1 if limit is None else limit])
        return [_passage(row, 0.0) for row in rows]

    def next_passage(self, passage_id: str) -> Passage | None:
        """The passage after ``passage_id`` on its page (``policy:returns#1``, then ``#2``), or None:
        what a page's lead-in ("If something isn't right, here's how returns work.") points to."""
        kind, _, key = passage_id.partition(":")
        doc, numbered, n = key.rpartition("#")
        if kind == "faq" or not numbered or not n.isdigit():
            return None
        row = self.db.conn.execute(
            f"SELECT {_PASSAGE_COLUMNS} FROM kb_passages WHERE kind = ? AND key = ?",
            [kind, f"{doc}#{int(n) + 1}"]).fetchone()
        return _passage(row, 0.0) if row else None

    def search_passages_sync(self, query: str, k: int = 5, kinds: Sequence[str] = ("faq", "policy"), *,
                             query_vec: np.ndarray | None = None) -> list[Passage]:
        """:meth:`search_passages` with the query's embedding given (or None for full-text only)."""
        self._refresh()
        kinds = tuple(kinds)
        if not kinds:
            return []
        n = max(self.settings.candidates, k)
        terms, text_ids, vector_ids = self._passage_candidates(query, kinds, n, query_vec)
        ranked = _fuse(text_ids, vector_ids, self.settings.rrf_k, k)
        if not ranked:
            return []
        rows = {
            r[0]: r
            for r in self.db.conn.execute(
                f"SELECT {_PASSAGE_COLUMNS} FROM kb_passages "
                f"WHERE id IN ({','.join('?' * len(ranked))})", ranked,
            )
        }
        sims = self._passages.similarity(query_vec, ranked) if query_vec is not None else {}
        out = []
        for item in ranked:
            row = rows.get(item)
            if row is None:
                continue
            if item in sims:
                score = sims[item]
            else:  # no vector for it (or no embedder): fall back to word overlap
                score = lexical_score(terms, " ".join([row[3] or "", row[4], *json.loads(row[6] or "[]")]))
            out.append(_passage(row, score))
        return out

    def _passage_candidates(self, query: str, kinds: tuple[str, ...], n: int,
                            query_vec: np.ndarray | None) -> _Candidates:
        """The query's words and the ``n`` best passage ids by full text and by vector, before fusion
        (what :meth:`one_message` keeps for the message's next search with the same text)."""
        memo = self._message_searches.get()
        key = (self._generation, query, kinds, n, query_vec is not None)
        if memo is not None and key in memo:
            return memo[key]
        terms = query_terms(query)
        in_kinds = f"AND p.kind IN ({','.join('?' * len(kinds))})"
        sql = ("SELECT f.rowid FROM kb_passages_fts f JOIN kb_passages p ON p.id = f.rowid "
               f"WHERE kb_passages_fts MATCH ? {in_kinds} ORDER BY {_PASSAGE_BM25} LIMIT ?")
        text_ids: list[int] = []
        for mode in ("AND", "OR"):
            expr = fts_query(terms.all, mode=mode)
            if expr and len(text_ids) < n:
                seen = set(text_ids)
                text_ids += [r[0] for r in self.db.conn.execute(sql, [expr, *kinds, n]) if r[0] not in seen]
        vector_ids: list[int] = []
        if query_vec is not None and len(self._passages):
            mask = np.isin(self._passage_kinds, kinds)
            vector_ids = [i for i, _ in self._passages.search(query_vec, n, mask)]
        found = (terms, tuple(text_ids), tuple(vector_ids))
        if memo is not None:
            memo[key] = found
        return found

    # ------------------------------------------------------------------ vectors

    async def _embed_query(self, query: str) -> np.ndarray | None:
        """The query's unit vector, or None when vector search is off or the embedder fails."""
        runner = self.runner
        if runner is None or not getattr(runner, "embeddings_available", True) or not query.strip():
            return None
        self._refresh()
        if not len(self._products) and not len(self._passages):
            return None
        vec = self._recent_queries.get(query)
        if vec is None:
            try:
                vectors = await runner.embed([query])
            except Exception as exc:  # the embedder being down must not stop full-text search
                log.warning("query embedding failed (%s); full-text search only", exc)
                return None
            vec = np.asarray(vectors, dtype=np.float32)[0]
            self._recent_queries[query] = vec
            if len(self._recent_queries) > _RECENT_QUERIES:
                self._recent_queries.popitem(last=False)
        else:
            self._recent_queries.move_to_end(query)
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
        self._filters = ProductFilters.load(self.db.conn, self._products.unique_ids)
        self._product_rows = self.db.conn.execute("SELECT count(*) FROM kb_products").fetchone()[0]
        kinds = dict(self.db.conn.execute("SELECT id, kind FROM kb_passages").fetchall())
        self._passage_kinds = np.array([kinds.get(int(i), "") for i in self._passages.unique_ids], dtype=object)
        self._generic_sources = generic_sources(self.db.conn.execute("SELECT source, text FROM kb_passages"))
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

    def generic_sources(self) -> frozenset[str]:
        """The imported sources that read as a generic FAQ rather than the shop's own pages: where
        both answer one question, answers prefer the shop's (see :mod:`.specificity`)."""
        self._refresh()
        return self._generic_sources

    def invalidate(self) -> None:
        """Forget loaded vectors (the next search reloads them)."""
        self._generation = -1


def _hit(row: Any, score: float = 1.0, attributes: dict[str, str] | None = None) -> ProductHit:
    """A ``kb_products`` row of :data:`_PRODUCT_COLUMNS` as a hit (``attributes`` already parsed, if given)."""
    return ProductHit(id=row[0], sku=row[1], name=row[2], category=row[3], price=row[4], price_max=row[5],
                      currency=row[6], stock=row[7], attributes=attributes if attributes is not None else
                      json.loads(row[8] or "{}"), description=row[9], url=row[10],
                      variants=tuple(json.loads(row[11] or "[]")), sale=Sale.from_json(json.loads(row[12] or "null")),
                      score=score)


#: A passage search before fusion: the query's words, the ids by full text, the ids by vector.
_Candidates = tuple[QueryTerms, tuple[int, ...], tuple[int, ...]]

#: The nearest passages by meaning that fusion may not push out of the results.
_KEEP_NEAREST = 2


def _fuse(text_ids: Sequence[int], vector_ids: Sequence[int], rrf_k: int, k: int) -> list[int]:
    """The ``k`` best by reciprocal rank fusion, keeping the :data:`_KEEP_NEAREST` nearest by vector.

    Fusion alone lets word noise bury the right answer: for "how do I find out where my order
    is?" the FAQ "How can I track my order?" is nearest by meaning (cosine 0.76) but holds none
    of the words, while five "out of stock" entries hold two each and outrank it in both lists'
    sum. The callers judge the passages by their cosine anyway; they must get to see the nearest.
    """
    fused = rrf([text_ids, vector_ids], rrf_k)
    # Ties (an item at the same rank in one list only) keep full-text order first: stable sort.
    ranked = sorted(fused, key=lambda item: -fused[item])
    nearest = set(vector_ids[: min(_KEEP_NEAREST, k)])
    others = [i for i in ranked if i not in nearest][: k - len(nearest)]
    return [i for i in ranked if i in nearest or i in others]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _passage(row: Sequence[Any], score: float) -> Passage:
    """A ``kb_passages`` row (id, kind, key, title, text, tags, alternatives, source) as a Passage."""
    pid = f"faq:{row[0]}" if row[1] == "faq" else f"{row[1]}:{row[2]}"
    return Passage(id=pid, kind=row[1], title=row[3], text=row[4], source=row[7],
                   score=round(min(max(score, 0.0), 1.0), 4), tags=tuple(json.loads(row[5] or "[]")),
                   extra={"alternatives": json.loads(row[6] or "[]")})
