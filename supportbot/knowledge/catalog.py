"""Catalog questions that similarity search cannot answer: "cheapest X", "which X are in stock",
and "do you sell <brand>?" when the shop does not.

Both are answered from the typed fields: a product *has* a word when its name, category or
attributes hold it at the start of a word (a stem, so "watches" finds "Watch"); descriptions do
not count ("pairs well with jeans" does not make a shirt a pair of jeans). Ordering is by the
stored price, in SQL, so the cheapest is the cheapest of the whole catalog, not of the 50 nearest
vectors.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from datetime import date

from .search import stem
from .spelling import spellings
from .filters import sql_where
from .search import fts_query

__all__ = ["forms", "products_with", "missing_words", "modifier_only"]

_FIELDS = "{name category attributes}"


def forms(word: str) -> list[str]:
    """The word, its stem and the stem's plurals: "dresses" -> dress, dresses (never "dressberry"),
    in British and American spelling ("watercolour" finds "Watercolor")."""
    out = []
    for spelt in spellings(word):
        base = stem(spelt)
        out += [spelt, base, base + "s", base + "es"]
        if base.endswith("y"):
            out.append(base[:-1] + "ies")
    return list(dict.fromkeys(out))


def _match(words: Sequence[str]) -> str | None:
    """FTS5: every word, in any of its forms, in the typed fields."""
    parts = []
    for word in words:
        quoted = fts_query(forms(word), mode="OR", min_len=1)
        if quoted:
            parts.append(f"({quoted})")
    return f"{_FIELDS} : ({' AND '.join(parts)})" if parts else None


def products_with(conn: sqlite3.Connection, words: Sequence[str], *, descending: bool = False, limit: int = 5,
                  min_price: float | None = None, max_price: float | None = None,
                  in_stock: bool | None = None, on_sale: bool = False) -> list[int]:
    """Ids of products holding every word, cheapest first (or dearest), priced only; with no words,
    of the whole catalog ("the most expensive thing you sell"); with ``on_sale``, only those whose
    sale still runs ("which fragrances are on sale?")."""
    where, params = sql_where(None, min_price, max_price, in_stock)
    if on_sale:
        where += " AND p.sale IS NOT NULL AND coalesce(json_extract(p.sale, '$.ends'), '9999') >= ?"
        params = [*params, date.today().isoformat()]
    order = "coalesce(p.price_max, p.price) DESC" if descending else "p.price ASC"
    if not words:
        sql = f"SELECT p.id FROM kb_products p WHERE p.price IS NOT NULL {where} ORDER BY {order}, p.id LIMIT ?"
        return [r[0] for r in conn.execute(sql, [*params, limit])]
    expr = _match(words)
    if expr is None:
        return []
    sql = (f"SELECT p.id FROM kb_products_words f JOIN kb_products p ON p.id = f.rowid "
           f"WHERE kb_products_words MATCH ? AND p.price IS NOT NULL {where} ORDER BY {order}, p.id LIMIT ?")
    return [r[0] for r in conn.execute(sql, [expr, *params, limit])]


_HYPHEN = re.compile(r"[-‐‑]")


def missing_words(conn: sqlite3.Connection, words: Sequence[str], *, passages: bool = True) -> list[str]:
    """The words that no product holds in its typed fields and (with ``passages``) no FAQ or policy
    passage uses: unknown brands and product types ("nike", "laptop"), not the shop's own words
    ("member"). Without ``passages``: every word no product holds."""
    out = []
    for word in words:
        parts = [part for part in _HYPHEN.split(word) if part]
        if len(parts) > 1 and not missing_words(conn, parts, passages=passages):
            continue  # "fleece-lined" where the shop writes "fleece lined" or "lined with fleece"
        expr = _match([word])
        if expr is None or conn.execute("SELECT 1 FROM kb_products_words WHERE kb_products_words MATCH ? LIMIT 1",
                                        [expr]).fetchone() is not None:
            continue
        in_passages = fts_query([stem(word)], min_len=3) if passages else None  # trigram: 3+ characters
        if in_passages and conn.execute("SELECT 1 FROM kb_passages_fts WHERE kb_passages_fts MATCH ? LIMIT 1",
                                        [in_passages]).fetchone() is not None:
            continue
        out.append(word)
    return out


# A name's head noun ends it, or ends a part of it: "Laptop Backpack", "Blue Shirt, Cotton", "Tee (Red, M)".
_PART_END = re.compile(r"\s*(?:[,(|/:;–—]|\s-\s|$)")
_NAME_WORDS = re.compile(r"[^\W\d_][\w'’]*")
#: Names read to decide that a word only ever describes another product type.
_MODIFIER_SAMPLE = 2000
#: Describing this many product types makes a word a property (a material, a style), not a missing type.
_PROPERTY_TYPES = 3


def modifier_only(conn: sqlite3.Connection, word: str) -> bool:
    """``word`` is in product names only as a modifier of another type, never a type itself:
    "laptop" in a shop that has laptop backpacks and laptop sleeves but no laptops.

    A word in a product's category or attributes is a type or a property the shop has ("shirts",
    "cotton"); in a name it is the type when it ends the name or a part of it, and a property
    when it describes products of several types ("leather" shoes, pumps and belts). With no category
    at all, a name like "Blue Shirt Cotton" would make "shirt" look like a modifier, which is why
    "do you sell ...?" asks this only of a one-word question.
    """
    wanted = forms(word)
    quoted = fts_query(wanted, mode="OR", min_len=1)
    if quoted is None:
        return False
    held = conn.execute("SELECT 1 FROM kb_products_words WHERE kb_products_words MATCH ? LIMIT 1",
                        [f"{{category attributes}} : ({quoted})"]).fetchone()
    if held is not None:
        return False
    names = [r[0] for r in conn.execute(
        "SELECT p.name FROM kb_products_words f JOIN kb_products p ON p.id = f.rowid "
        "WHERE kb_products_words MATCH ? LIMIT ?", [f"name : ({quoted})", _MODIFIER_SAMPLE])]
    if not names:
        return False
    heads: set[str] = set()
    for name in names:
        for part in _PART_END.split(name.lower()):
            words = _NAME_WORDS.findall(part)
            if words and words[-1] in wanted:
                return False
            if any(w in wanted for w in words):
                heads.add(words[-1])
    # A word that describes products of many types is a property the customer shops by
    # ("leather": shoes, pumps, belts), not a type the shop lacks ("laptop": backpacks).
    return len(heads) < _PROPERTY_TYPES
