"""The pieces of hybrid search: query terms for FTS5 trigram, an in-memory vector index, fusion.

Why an in-memory matrix rather than sqlite-vec: Python's bundled ``sqlite3`` is often built
without ``enable_load_extension`` (it is here), so the extension cannot be relied on. A float32
matrix of 100,000 x 384 is 150 MB and one matrix-vector product over it takes a few
milliseconds; filters become boolean masks over arrays kept beside it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["QueryTerms", "query_terms", "fts_query", "lexical_score", "VectorIndex", "rrf"]

log = logging.getLogger(__name__)

# Words that say nothing about which product or answer is meant. Trigram FTS has no stopwords
# of its own, and "you" or "the" would match nearly every row.
_STOPWORDS = frozenset("""
a an and are any anything at be but by can could do does did for from get got have has how i i'm im in
is it its it's me my of on or our please so some tell than that the there this to up want was we what
whats what's when where which who why will with would you your yours about also am been being buy
looking look need show find much many cost costs price priced something thing things hi hello hey
thanks thank
""".split())

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and ch.isalpha()


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """What a query is searched by: whole words (3+ chars) and, for CJK runs, their trigrams."""

    words: tuple[str, ...]
    cjk_grams: tuple[str, ...]
    short: tuple[str, ...]  # 1-2 character words (sizes, "tv"): too short for trigram matching

    @property
    def all(self) -> tuple[str, ...]:
        return self.words + self.cjk_grams


def query_terms(text: str, max_terms: int = 12) -> QueryTerms:
    """Split a query into searchable terms, lower-cased, stopwords dropped, order kept."""
    words: list[str] = []
    grams: list[str] = []
    short: list[str] = []
    for token in _WORD.findall(unicodedata.normalize("NFKC", text).lower()):
        # Runs of CJK characters have no spaces: search them by their overlapping trigrams, so
        # "有没有蓝牙耳机" still meets "无线蓝牙耳机" (whole-run matching would need an exact substring).
        for run, cjk in _split_scripts(token):
            if cjk:
                if len(run) <= 3:
                    (grams if len(run) == 3 else short).append(run)
                else:
                    grams.extend(run[i : i + 3] for i in range(len(run) - 2))
            elif run in _STOPWORDS:
                continue
            elif len(run) >= 3:
                words.append(run)
            else:
                short.append(run)
    return QueryTerms(tuple(_dedupe(words)[:max_terms]), tuple(_dedupe(grams)[: max_terms * 2]),
                      tuple(_dedupe(short)[:max_terms]))


def _split_scripts(token: str) -> list[tuple[str, bool]]:
    runs: list[tuple[str, bool]] = []
    for ch in token:
        cjk = _is_cjk(ch)
        if runs and runs[-1][1] == cjk:
            runs[-1] = (runs[-1][0] + ch, cjk)
        else:
            runs.append((ch, cjk))
    return runs


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def fts_query(terms: Sequence[str], *, mode: str = "AND", column: str | None = None) -> str | None:
    """An FTS5 MATCH expression: each term quoted (so no query syntax leaks in), joined by ``mode``."""
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms if len(t) >= 3]
    if not quoted:
        return None
    expr = f" {mode} ".join(quoted)
    return f"{column} : ({expr})" if column else expr


def lexical_score(terms: QueryTerms, haystack: str) -> float:
    """Share of the query's terms found in ``haystack`` (case-insensitive substring), 0..1.

    Short words count only as whole words, so "m" does not match every "m" in a description.
    """
    text = haystack.lower()
    total = len(terms.words) + len(terms.short) + (1 if terms.cjk_grams else 0)
    if total == 0:
        return 0.0
    found = sum(1 for w in terms.words if w in text)
    if terms.short:
        tokens = set(_WORD.findall(text))
        found += sum(1 for w in terms.short if w in tokens)
    if terms.cjk_grams:
        found += sum(1 for g in terms.cjk_grams if g in text) / len(terms.cjk_grams)
    return found / total


def rrf(rankings: Iterable[Sequence[int]], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: ``sum(1 / (k + rank))`` over the lists an id appears in."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


class VectorIndex:
    """Unit vectors of one kind of item in memory; an item may own several rows (slots).

    Search takes the best slot per item. ``masks`` restrict the search to some items (filters).
    """

    #: Above this many rows, search ranks by sign bits first and rescores :attr:`RESCORE` rows exactly.
    EXACT_ROWS = 20_000
    RESCORE = 2_000

    def __init__(self, item_ids: np.ndarray, matrix: np.ndarray) -> None:
        order = np.argsort(item_ids, kind="stable")  # sorted rows: an item's slots are contiguous
        self.item_ids = item_ids.astype(np.int64, copy=False)[order]
        self.matrix = np.ascontiguousarray(matrix[order], dtype=np.float32)
        # Sorted unique ids let per-item arrays (filters) line up with rows via searchsorted.
        self.unique_ids, self.row_item = np.unique(self.item_ids, return_inverse=True)
        self._bits = self._sign_bits(self.matrix) if len(self.matrix) > self.EXACT_ROWS else None

    @staticmethod
    def _sign_bits(matrix: np.ndarray) -> np.ndarray:
        packed = np.packbits(matrix > 0, axis=1)
        pad = (-packed.shape[1]) % 8  # whole uint64 words, for a fast popcount
        if pad:
            packed = np.pad(packed, ((0, 0), (0, pad)))
        # Column-major: one contiguous array per 64-bit word makes the popcount loop vectorise.
        return np.asfortranarray(np.ascontiguousarray(packed).view(np.uint64))

    def _prefilter(self, query: np.ndarray, count: int, allowed: np.ndarray | None) -> np.ndarray:
        assert self._bits is not None
        q = self._sign_bits(query.reshape(1, -1))[0]
        distance = np.zeros(self._bits.shape[0], dtype=np.int32)
        for word in range(self._bits.shape[1]):
            distance += np.bitwise_count(self._bits[:, word] ^ q[word])
        if allowed is not None:
            distance = np.where(allowed[self.row_item], distance, np.iinfo(np.int32).max)
            count = min(count, int(allowed[self.row_item].sum()))
        if count <= 0:
            return np.zeros(0, dtype=np.int64)
        count = min(count, len(distance))
        return np.argpartition(distance, count - 1)[:count]

    @classmethod
    def empty(cls, dim: int = 0) -> VectorIndex:
        return cls(np.zeros(0, np.int64), np.zeros((0, dim), np.float32))

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top ``k`` items by cosine similarity; ``allowed`` is a bool mask over :attr:`unique_ids`.

        Up to :attr:`EXACT_ROWS` rows every row is scored. Above that, a full float32 product
        would cost ~15-30 ms per query at 100k rows on two busy cores, so rows are first ranked
        by the Hamming distance of their sign bits to the query's (a few ms with popcount) and
        only the best :attr:`RESCORE` are scored exactly.
        """
        if len(self) == 0 or k <= 0:
            return []
        take = min(len(self), k * 4)  # rows, not items: leave room for items with many slots
        if len(self) > self.EXACT_ROWS:
            rows = self._prefilter(query, max(self.RESCORE, take), allowed)
            scores_part = self.matrix[rows] @ query.astype(np.float32, copy=False)
            order = np.argsort(-scores_part)[:take]
            top, top_scores = rows[order], scores_part[order]
        else:
            scores = self.matrix @ query.astype(np.float32, copy=False)
            if allowed is not None:
                scores = np.where(allowed[self.row_item], scores, -np.inf)
            top = np.argpartition(-scores, take - 1)[:take]
            top = top[np.argsort(-scores[top])]
            top_scores = scores[top]
        best: dict[int, float] = {}
        for row, score in zip(top.tolist(), top_scores.tolist(), strict=True):
            if score == -np.inf:
                break
            item = int(self.item_ids[row])
            if item not in best:
                best[item] = score
                if len(best) == k:
                    break
        return list(best.items())

    def similarity(self, query: np.ndarray, items: Sequence[int]) -> dict[int, float]:
        """Cosine similarity of ``query`` to given items (best slot each); missing items are left out."""
        if len(self) == 0 or not items:
            return {}
        wanted = np.asarray(items, dtype=np.int64)
        starts = np.searchsorted(self.item_ids, wanted, side="left")
        ends = np.searchsorted(self.item_ids, wanted, side="right")
        out: dict[int, float] = {}
        for item, start, end in zip(items, starts, ends, strict=True):
            if end > start:
                out[int(item)] = float(np.max(self.matrix[start:end] @ query))
        return out
