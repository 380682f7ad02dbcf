"""The in-memory vector index: unit vectors in a float32 matrix, searched by matrix product.

Why an in-memory matrix rather than sqlite-vec: Python's bundled ``sqlite3`` is often built
without ``enable_load_extension`` (it is here), so the extension cannot be relied on. A float32
matrix of 100,000 x 384 is 150 MB and is loaded once at start (and again after an import);
filters become boolean masks over arrays kept beside it.

Products are dotted with the query by ``np.einsum`` rather than ``@``: ``@`` hands even a
2,000 x 384 product to multi-threaded BLAS, whose threads wake up for every call; on two busy
cores that took 15-25 ms instead of 0.5.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["VectorIndex"]


class VectorIndex:
    """Unit vectors of one kind of item in memory; an item may own several rows (slots).

    Search takes the best slot per item. ``masks`` restrict the search to some items (filters).
    """

    #: Above this many rows, search ranks by sign bits first and rescores :attr:`RESCORE` rows exactly.
    EXACT_ROWS = 5_000
    RESCORE = 2_000

    def __init__(self, item_ids: np.ndarray, matrix: np.ndarray) -> None:
        order = np.argsort(item_ids, kind="stable")  # sorted rows: an item's slots are contiguous
        self.item_ids = item_ids.astype(np.int64, copy=False)[order]
        self.matrix = np.ascontiguousarray(matrix[order], dtype=np.float32)
        # Sorted unique ids let per-item arrays (filters) line up with rows via searchsorted.
        self.unique_ids, self.row_item = np.unique(self.item_ids, return_inverse=True)
        self._one_slot = len(self.unique_ids) == len(self.item_ids)  # rows are items (products)
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
            rows_allowed = self._rows(allowed)
            distance = np.where(rows_allowed, distance, np.iinfo(np.int32).max)
            count = min(count, int(rows_allowed.sum()))
        if count <= 0:
            return np.zeros(0, dtype=np.int64)
        count = min(count, len(distance))
        return np.argpartition(distance, count - 1)[:count]

    def _rows(self, allowed: np.ndarray) -> np.ndarray:
        """A mask over items as a mask over rows."""
        return allowed if self._one_slot else allowed[self.row_item]

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
        would cost ~10-40 ms per query at 100k rows on two busy cores (it reads all 150 MB), so
        rows are first ranked by the Hamming distance of their sign bits to the query's (about
        a millisecond with popcount) and only the best :attr:`RESCORE` are scored exactly.
        """
        if len(self) == 0 or k <= 0:
            return []
        take = min(len(self), k * 4)  # rows, not items: leave room for items with many slots
        if len(self) > self.EXACT_ROWS:
            rows = self._prefilter(query, max(self.RESCORE, take), allowed)
            scores_part = _dot(self.matrix[rows], query)
            order = np.argsort(-scores_part)[:take]
            top, top_scores = rows[order], scores_part[order]
        else:
            scores = _dot(self.matrix, query)
            if allowed is not None:
                scores = np.where(self._rows(allowed), scores, -np.inf)
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
        if len(self) == 0 or not len(items):
            return {}
        wanted = np.asarray(items, dtype=np.int64)
        starts = np.searchsorted(self.item_ids, wanted, side="left")
        ends = np.searchsorted(self.item_ids, wanted, side="right")
        have = ends > starts
        if self._one_slot:  # one row per item: one product
            scores = _dot(self.matrix[starts[have]], query)
            return dict(zip(wanted[have].tolist(), scores.tolist(), strict=True))
        return {
            int(item): float(np.max(_dot(self.matrix[start:end], query)))
            for item, start, end in zip(wanted[have].tolist(), starts[have], ends[have], strict=True)
        }


def _dot(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``matrix @ query`` in numpy's own loop, without BLAS threads (see the module docstring)."""
    return np.einsum("ij,j->i", matrix, query.astype(np.float32, copy=False))
