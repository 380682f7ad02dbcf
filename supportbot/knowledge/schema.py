"""The ``kb_`` tables, kept in the history's SQLite file but versioned on their own.

The history owns ``PRAGMA user_version``; the knowledge base records its own version in
``kb_meta`` so the two can migrate independently.

- ``kb_products``: one row per SKU. ``content_hash`` covers every stored field (an unchanged
  row is skipped on re-import); ``embed_hash`` covers only the text that is embedded (a price
  change does not re-embed).
  ``variants`` holds a parent's children (SKU, options, price, stock) as JSON, ``sale`` a running
  sale (the regular price, the end date).
- ``kb_passages``: FAQ entries and policy passages, unique by (kind, key).
- ``kb_products_words``: FTS5 with the unicode61 tokenizer over a product's name, category,
  attribute values and the start of its description: fast whole-word search.
- ``kb_products_fts`` / ``kb_passages_fts``: FTS5 with the trigram tokenizer (substring matches,
  Chinese without word breaks). The FTS rowid is the row's id; the importer keeps them in step.
- ``kb_vectors``: unit vectors as float32 blobs, several slots per item (an FAQ question and
  each of its alternative phrasings), loaded into memory for search.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

import sqlite_utils

__all__ = ["ensure_schema", "KB_SCHEMA_VERSION", "bump_generation", "generation", "get_meta", "set_meta",
           "product_fts_row", "index_products", "unindex_products"]

log = logging.getLogger(__name__)

KB_SCHEMA_VERSION = 4

_V1 = """
CREATE TABLE IF NOT EXISTS kb_meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS kb_products (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT,
    price REAL,
    price_max REAL,
    currency TEXT,
    stock INTEGER,
    attributes TEXT NOT NULL DEFAULT '{}',
    description TEXT,
    url TEXT,
    source TEXT,
    row_number INTEGER,
    content_hash TEXT NOT NULL,
    embed_hash TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kb_products_name ON kb_products(name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS kb_products_price ON kb_products(price);
CREATE VIRTUAL TABLE IF NOT EXISTS kb_products_fts USING fts5(name, category, attributes, description,
    tokenize = 'trigram');
CREATE TABLE IF NOT EXISTS kb_passages (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    alternatives TEXT NOT NULL DEFAULT '[]',
    source TEXT,
    content_hash TEXT NOT NULL,
    embed_hash TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, key)
);
CREATE VIRTUAL TABLE IF NOT EXISTS kb_passages_fts USING fts5(title, text, alternatives, tags,
    tokenize = 'trigram');
CREATE TABLE IF NOT EXISTS kb_vectors (
    kind TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    slot INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (kind, item_id, slot)
);
"""

# v2: a word index beside the trigram one (fast whole-word search at 100k products), and
# attribute values without their keys in both (every product with a size matched "size").
_V2 = """
CREATE VIRTUAL TABLE IF NOT EXISTS kb_products_words USING fts5(name, category, attributes, description,
    tokenize = 'unicode61 remove_diacritics 2');
"""


# v3: a parent product's children (platform exports), as JSON.
_V3 = "ALTER TABLE kb_products ADD COLUMN variants TEXT"
# v4: a running sale (regular price, end date), as JSON.
_V4 = "ALTER TABLE kb_products ADD COLUMN sale TEXT"


def ensure_schema(db: sqlite_utils.Database, description_chars: int = 300) -> None:
    """Create or upgrade the ``kb_`` tables; safe to call on every start.

    ``description_chars``: how much of a description the full-text indexes hold (a setting).
    """
    conn = db.conn
    with conn:
        conn.execute("CREATE TABLE IF NOT EXISTS kb_meta (key TEXT PRIMARY KEY, value TEXT)")
        row = conn.execute("SELECT value FROM kb_meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > KB_SCHEMA_VERSION:
            raise RuntimeError(
                f"the knowledge tables are at version {version}, newer than this code ({KB_SCHEMA_VERSION})"
            )
    if version < 1:
        conn.executescript("BEGIN;" + _V1 + _V2 + "COMMIT;")
        with conn:
            conn.execute(_V3)
            conn.execute(_V4)
        log.info("knowledge tables created (schema %d)", KB_SCHEMA_VERSION)
    else:
        if version < 2:
            _migrate_v2(db, description_chars)
        if version < 3:
            with conn:
                conn.execute(_V3)
        if version < 4:
            with conn:
                conn.execute(_V4)
    with conn:
        conn.execute(
            "INSERT INTO kb_meta(key, value) VALUES ('schema_version', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [str(KB_SCHEMA_VERSION)],
        )


def product_fts_row(item: int, name: str, category: str | None, attributes: dict[str, str],
                     description: str | None, description_chars: int) -> tuple[Any, ...]:
    """The row both product FTS tables hold for one product: attribute values only (their keys
    would match every product that has them), and the start of the description."""
    return (item, name, category or "", " ; ".join(attributes.values()), (description or "")[:description_chars])


def index_products(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """Add rows made by :func:`product_fts_row` to both product FTS tables."""
    for table in ("kb_products_fts", "kb_products_words"):
        conn.executemany(f"INSERT INTO {table}(rowid, name, category, attributes, description) VALUES (?, ?, ?, ?, ?)",
                         rows)


def unindex_products(conn: sqlite3.Connection, items: list[int]) -> None:
    """Remove products from both product FTS tables."""
    for table in ("kb_products_fts", "kb_products_words"):
        conn.executemany(f"DELETE FROM {table} WHERE rowid = ?", [(i,) for i in items])


def _migrate_v2(db: sqlite_utils.Database, description_chars: int) -> None:
    conn = db.conn
    rows = [product_fts_row(item, name, category, json.loads(attributes or "{}"), description, description_chars)
            for item, name, category, attributes, description in
            conn.execute("SELECT id, name, category, attributes, description FROM kb_products")]
    with conn:
        conn.execute(_V2.strip().rstrip(";"))
        conn.execute("DELETE FROM kb_products_fts")
        index_products(conn, rows)
        bump_generation(db)
    log.info("knowledge tables upgraded to schema 2: word index built for %d products", len(rows))


def generation(db: sqlite_utils.Database) -> int:
    """A counter bumped by every import: a running bot reloads its vectors when it moves."""
    row = db.conn.execute("SELECT value FROM kb_meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def bump_generation(db: sqlite_utils.Database) -> None:
    db.conn.execute(
        "INSERT INTO kb_meta(key, value) VALUES ('generation', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


def get_meta(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.conn.execute("SELECT value FROM kb_meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.conn.execute(
        "INSERT INTO kb_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
