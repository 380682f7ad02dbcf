"""The insights plugin's own tables (prefixed ``insights_``), versioned apart from the core's.

The version lives in ``insights_meta`` rather than ``PRAGMA user_version``, which belongs to the
core's history. Each entry of :data:`MIGRATIONS` upgrades from its index to index + 1; a shipped
one is never edited, a new one is added.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

__all__ = ["ensure_schema", "SCHEMA_VERSION"]


def _v1(db: sqlite_utils.Database) -> None:
    db["insights_reviews"].create(
        {"id": int, "key": str, "sku": str, "rating": float, "title": str, "text": str, "author": str,
         "reviewed_at": str, "source": str, "content_hash": str, "sentiment": str, "negative_p": float,
         "vector": bytes, "imported_at": str},
        pk="id", not_null={"key", "sku", "text"}, if_not_exists=True,
    )
    db["insights_reviews"].create_index(["key"], unique=True, if_not_exists=True)
    db["insights_reviews"].create_index(["sku"], if_not_exists=True)
    # A question that staff answered by hand, proposed as an FAQ entry. conversation_id and
    # handoff_id tie it to the customer it quotes, so erasing that customer erases it.
    db["insights_faq_suggestions"].create(
        {"id": int, "handoff_id": int, "conversation_id": int, "question": str, "answer": str,
         "state": str, "created_at": str, "decided_at": str, "decided_by": str, "faq_key": str},
        pk="id", defaults={"state": "pending"}, if_not_exists=True,
    )
    db["insights_faq_suggestions"].create_index(["handoff_id"], unique=True, if_not_exists=True)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def ensure_schema(db: sqlite_utils.Database) -> None:
    with db.conn:
        db["insights_meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
        row = db.execute("SELECT value FROM insights_meta WHERE key = 'schema_version'").fetchone()
        start = int(row[0]) if row else 0
        if start > SCHEMA_VERSION:
            raise RuntimeError(f"insights tables are version {start}, newer than this plugin ({SCHEMA_VERSION})")
        for version in range(start, SCHEMA_VERSION):
            MIGRATIONS[version](db)
        db["insights_meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")
