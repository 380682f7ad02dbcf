"""Full-text candidates for a product query, from the two FTS5 indexes.

- ``kb_products_words`` (unicode61 tokenizer) answers ordinary words; single-word lookups in it
  are cheap, which is what keeps a 100,000-product catalog fast.
- ``kb_products_fts`` (trigram tokenizer) answers what whole words cannot: partial words
  ("runn") and Chinese or Japanese text, which has no spaces between words.

Why not one OR over every query word, ranked by bm25: FTS5's bm25 counts the rows holding each
phrase of the query, and for common words ("olive", "cotton", "women") that means reading
doclists of tens of thousands of rows: 20-40 ms a query at 100k products, before ranking them.
So the words are split by how many rows hold them (a lookup capped at :data:`COMMON_ROWS`):

- rows holding a *selective* word (one in at most :data:`COMMON_ROWS` rows) are the candidates,
  each scored by the idf of every query word it holds: the selective words' rows are already
  known from the lookup, and each common word is intersected with them in one more query
  (the "rare words select, every word scores" plan of search engines);
- if there is no selective word, or it found too little, rows holding *all* the common words
  are taken without ranking (dropping the last word while none do). The caller orders that
  pool itself, by the query's vector when it has one (else bm25 orders it, slower).

The caller scores the candidates once more, by field (see ``search.Coverage``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .search import QueryTerms, fts_query, idf

__all__ = ["TextMatches", "product_text_search", "COMMON_ROWS"]

#: A word in more rows than this is "common": it scores rows but does not select them.
COMMON_ROWS = 500
#: Most words dropped, one at a time, while no row holds all the common words.
_MAX_RELAXATIONS = 3

# bm25 weights per FTS column (name, category, attributes, description): the name counts most.
_WORDS_BM25 = "bm25(kb_products_words, 10.0, 4.0, 3.0, 1.0)"
_TRIGRAM_BM25 = "bm25(kb_products_fts, 10.0, 4.0, 3.0, 1.0)"


@dataclass
class TextMatches:
    """Full-text candidates and what scoring them needs.

    ``ranked``: ids best first, at most the ``n`` asked for. ``pool``: more ids that hold every
    common word, in no particular order, for the caller to order (up to ``pool`` asked for).
    ``weights``: each query term's weight (idf). ``catalog_words``: query words the catalog has
    as whole words (matched at word starts when scoring; other terms anywhere).
    """

    ranked: list[int] = field(default_factory=list)
    pool: list[int] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    catalog_words: frozenset[str] = frozenset()


def product_text_search(conn: sqlite3.Connection, terms: QueryTerms, *, k: int, n: int, pool: int,
                        where: str = "", params: Sequence[Any] = (), rows: int = 0) -> TextMatches:
    """Full-text candidates for ``terms`` among products that pass the SQL filter ``where`` (on ``p``).

    Args:
        k: the number of results wanted; fallbacks run only while fewer were found.
        n: most ranked ids.
        pool: most unranked ids; 0 when the caller cannot order them (they are ranked by bm25 then).
        rows: the number of products, for the terms' weights.
    """
    postings = {w: _rows_with(conn, w) for w in terms.words}  # None: a common word
    selective = [w for w in terms.words if postings[w]]
    common = [w for w in terms.words if postings[w] is None]
    out = TextMatches(catalog_words=frozenset(selective + common))
    for word, items in postings.items():
        out.weights[word] = idf(COMMON_ROWS + 1 if items is None else len(items), rows)
    for run in terms.cjk:  # counting would take a trigram query each: weigh as rare
        out.weights[run] = idf(0, rows)
    ranked = _Ids(n)
    # Partial words and CJK first: when the query has them, rows matching them are the point.
    missing = [w for w in terms.words if postings[w] == [] and len(w) >= 3]
    if missing or terms.cjk:
        _trigram_search(conn, terms, missing, k, ranked, where, params)
    if selective:
        scores = _score_selected(conn, selective, common, postings, out.weights, where, params)
        ranked.add(sorted(scores, key=lambda item: -scores[item]))
    if common and len(ranked) < k:
        unordered = _Ids(pool or n)
        _all_common(conn, common, unordered, where, params, None if pool else _WORDS_BM25)
        if pool:
            out.pool = [i for i in unordered.ids if i not in ranked.seen]
        else:
            ranked.add(unordered.ids)
    out.ranked = ranked.ids
    return out


def _rows_with(conn: sqlite3.Connection, word: str) -> list[int] | None:
    """The rows holding ``word``, or None when there are more than ``COMMON_ROWS`` (a common word)."""
    expr = fts_query([word], min_len=1)
    if expr is None:
        return []
    # Joined in SQLite: one string instead of hundreds of Python rows; common words are not parsed.
    sql = ("SELECT count(*), group_concat(rowid) FROM "
           "(SELECT rowid FROM kb_products_words WHERE kb_products_words MATCH ? LIMIT ?)")
    count, ids = conn.execute(sql, [expr, COMMON_ROWS + 1]).fetchone()
    if count > COMMON_ROWS:
        return None
    return [int(i) for i in ids.split(",")] if ids else []


def _score_selected(conn: sqlite3.Connection, selective: list[str], common: list[str],
                    postings: dict[str, list[int] | None], weights: dict[str, float], where: str,
                    params: Sequence[Any]) -> dict[int, float]:
    """Rows holding a selective word, passing the filter, each scored by the idf of the words it holds."""
    scores: dict[int, float] = {}
    for word in selective:
        for item in postings[word] or ():
            scores[item] = scores.get(item, 0.0) + weights[word]
    if where:
        sql = f"SELECT p.id FROM kb_products p WHERE p.id IN (SELECT value FROM json_each(?)) {where}"
        passing = {r[0] for r in conn.execute(sql, [json.dumps(list(scores)), *params])}
        scores = {item: score for item, score in scores.items() if item in passing}
    either = fts_query(selective, mode="OR", min_len=1)
    for word in common:  # the common word's rows among the selected ones: one intersecting query
        expr = f"({either}) AND {fts_query([word], min_len=1)}"
        for (item,) in conn.execute("SELECT rowid FROM kb_products_words WHERE kb_products_words MATCH ?", [expr]):
            if item in scores:
                scores[item] += weights[word]
    return scores


class _Ids:
    """Ids in the order found, without repeats, up to a limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.ids: list[int] = []
        self.seen: set[int] = set()

    def add(self, ids: Sequence[int]) -> None:
        for item in ids:
            if len(self.ids) >= self.limit:
                return
            if item not in self.seen:
                self.seen.add(item)
                self.ids.append(item)

    def __len__(self) -> int:
        return len(self.ids)


def _select(conn: sqlite3.Connection, table: str, expr: str | None, where: str, params: Sequence[Any], limit: int,
            bm25: str | None) -> list[int]:
    """Ids matching ``expr`` and the filter, best first by ``bm25`` (or in index order without)."""
    if not expr:
        return []
    order = f"ORDER BY {bm25}" if bm25 else ""
    join = "JOIN kb_products p ON p.id = f.rowid" if where else ""
    sql = f"SELECT f.rowid FROM {table} f {join} WHERE {table} MATCH ? {where} {order} LIMIT ?"
    return [r[0] for r in conn.execute(sql, [expr, *params, limit])]


def _all_common(conn: sqlite3.Connection, common: list[str], found: _Ids, where: str, params: Sequence[Any],
                bm25: str | None) -> None:
    """Rows holding every common word; while none do, drop a word and retry (the last asked first:
    all are common, so which is "most common" is not known, and later words tend to be details)."""
    remaining = list(common)
    for _ in range(_MAX_RELAXATIONS + 1):
        if not remaining or found.ids:  # some rows hold them all: enough (they are ordered later)
            return
        found.add(_select(conn, "kb_products_words", fts_query(remaining, min_len=1), where, params, found.limit, bm25))
        remaining = remaining[:-1]


def _trigram_search(conn: sqlite3.Connection, terms: QueryTerms, missing: list[str], k: int, found: _Ids,
                    where: str, params: Sequence[Any]) -> None:
    """Partial words and CJK text through the trigram index: every term, then only the partial
    words and CJK trigrams, then any of those (while fewer than ``k`` were found)."""
    special = (*missing, *terms.grams)
    attempts = [fts_query(terms.all), fts_query(special), fts_query(special, mode="OR")]
    for expr in dict.fromkeys(a for a in attempts if a):  # unique, in order
        if len(found) >= k:
            return
        found.add(_select(conn, "kb_products_fts", expr, where, params, found.limit, _TRIGRAM_BM25))
