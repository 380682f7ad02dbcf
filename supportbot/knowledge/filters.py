"""Product filters (category, price range, in stock), as SQL for full-text search and as boolean
masks for vector search; both must agree on every product.

- ``category`` matches whole segments of the category path: ``"Footwear"`` or
  ``"Clothing > Shorts"`` matches ``"Clothing > Shorts > Cycling"``, ``"Wear"`` matches nothing.
- A price filter leaves out products without a price, and ``in_stock`` leaves out products whose
  stock is unknown: a filter is a promise, and an unknown value cannot keep it.
- A product whose price is a range (variants) passes if the range meets the filter's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["ProductFilters", "sql_where"]


def sql_where(category: str | None, min_price: float | None, max_price: float | None,
              in_stock: bool | None) -> tuple[str, list[Any]]:
    """``" AND ..."`` clauses on ``kb_products p`` and their parameters ("" when no filter)."""
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


@dataclass
class ProductFilters:
    """Per-product arrays aligned with the product vector index (its ``unique_ids``)."""

    low: np.ndarray = field(default_factory=lambda: np.zeros(0))  # price, NaN when unknown
    high: np.ndarray = field(default_factory=lambda: np.zeros(0))  # price_max or price
    stock: np.ndarray = field(default_factory=lambda: np.zeros(0))  # NaN when unknown
    category: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # into categories, -1: none
    categories: list[str] = field(default_factory=list)

    @classmethod
    def empty(cls) -> ProductFilters:
        return cls()

    @classmethod
    def load(cls, conn: sqlite3.Connection, ids: np.ndarray) -> ProductFilters:
        """The filter arrays for products ``ids`` (sorted, as the vector index holds them)."""
        by_id = {r[0]: r for r in conn.execute("SELECT id, price, price_max, stock, category FROM kb_products")}
        categories: dict[str, int] = {}
        n = len(ids)
        out = cls(np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan), np.full(n, -1, dtype=np.int32))
        for i, item in enumerate(ids.tolist()):
            row = by_id.get(item)
            if row is None:
                continue
            _, price, price_max, units, category = row
            if price is not None:
                out.low[i] = price
                out.high[i] = price_max if price_max is not None else price
            if units is not None:
                out.stock[i] = units
            if category:
                out.category[i] = categories.setdefault(category, len(categories))
        out.categories = list(categories)
        return out

    def mask(self, category: str | None, min_price: float | None, max_price: float | None,
             in_stock: bool | None) -> np.ndarray | None:
        """Which products pass, as a bool array; None when no filter is given."""
        if category is None and min_price is None and max_price is None and in_stock is None:
            return None
        mask = np.ones(len(self.low), dtype=bool)
        with np.errstate(invalid="ignore"):
            if min_price is not None:
                mask &= self.high >= min_price  # NaN compares False: no price, no match
            if max_price is not None:
                mask &= self.low <= max_price
            if in_stock is True:
                mask &= self.stock > 0
            elif in_stock is False:
                mask &= self.stock == 0
        if category is not None:
            wanted = _segment_pattern(category)
            codes = [i for i, c in enumerate(self.categories) if wanted in f" > {c.lower()} > "]
            mask &= np.isin(self.category, codes)
        return mask


def _segment_pattern(category: str) -> str:
    """``"Clothing >> Shorts"`` -> ``" > clothing > shorts > "``: found inside ``" > " + path + " > "``."""
    parts = [p.strip().lower() for p in category.replace(">>", ">").replace("|", ">").split(">") if p.strip()]
    return " > " + " > ".join(parts) + " > "
