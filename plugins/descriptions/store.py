"""The plugin's own tables, in the bot's SQLite file, versioned in ``description_meta``.

- ``description_requests``: one /describe (or one bulk product): who asked, how (language, tone,
  length, sampling), the prompt's hash, and whether a model or the template wrote it.
- ``description_variants``: what each request produced, with the check's result; kept so a pick
  (``/describe-pick`` now, a button later) can be made from them at any time.
- ``descriptions``: the versions chosen per SKU (``version`` counts up), with author, prompt hash,
  settings and check; ``applied_at`` is set once the text is written back to the catalog. Bulk
  runs add theirs with the run's ``job`` key, unique per SKU: a resumed run never writes twice.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .writer import Draft

__all__ = ["DescriptionStore", "SavedDescription", "SCHEMA_VERSION", "PickError"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

_V1 = """
CREATE TABLE IF NOT EXISTS description_requests (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL,
    author TEXT NOT NULL,
    source TEXT NOT NULL,
    language TEXT NOT NULL,
    tone TEXT NOT NULL,
    length TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    prompt_hash TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS description_variants (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES description_requests(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    ok INTEGER NOT NULL,
    check_result TEXT NOT NULL,
    UNIQUE (request_id, position)
);
CREATE TABLE IF NOT EXISTS descriptions (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL,
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    language TEXT,
    source TEXT NOT NULL,
    author TEXT NOT NULL,
    prompt_hash TEXT,
    settings TEXT NOT NULL DEFAULT '{}',
    check_result TEXT NOT NULL,
    variant_id INTEGER REFERENCES description_variants(id),
    job TEXT,
    created_at TEXT NOT NULL,
    applied_at TEXT,
    UNIQUE (sku, version)
);
CREATE UNIQUE INDEX IF NOT EXISTS descriptions_job_sku ON descriptions(job, sku) WHERE job IS NOT NULL;
"""
MIGRATIONS = [_V1]  # each upgrades from its index to index + 1; never edit a shipped one


class PickError(ValueError):
    """A pick that cannot be made (unknown request or variant, or a rejected variant)."""


@dataclass(frozen=True)
class SavedDescription:
    id: int
    sku: str
    version: int
    text: str
    source: str
    author: str
    applied: bool


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class DescriptionStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.conn = db.conn
        self.migrate()

    def migrate(self) -> None:
        with self.conn:
            self.conn.execute("CREATE TABLE IF NOT EXISTS description_meta (key TEXT PRIMARY KEY, value TEXT)")
            row = self.conn.execute("SELECT value FROM description_meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"the description tables are at version {version}, newer than this code ({SCHEMA_VERSION})")
        for step in range(version, SCHEMA_VERSION):
            self.conn.executescript("BEGIN;" + MIGRATIONS[step] +
                                    "INSERT INTO description_meta(key, value) VALUES ('schema_version', "
                                    f"'{step + 1}') ON CONFLICT(key) DO UPDATE SET value = excluded.value; COMMIT;")
            log.info("description tables migrated to schema %d", step + 1)

    # ------------------------------------------------------------------ requests and variants

    def save_request(self, draft: Draft, author: str) -> int:
        with self.conn:
            request_id = int(self.conn.execute(
                "INSERT INTO description_requests(sku, author, source, language, tone, length, settings, prompt_hash, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [draft.sku, author, draft.source, draft.language, draft.tone, draft.length,
                 json.dumps(draft.settings, ensure_ascii=False), draft.prompt_hash, _now()]).lastrowid or 0)
            self.conn.executemany(
                "INSERT INTO description_variants(request_id, position, text, ok, check_result) VALUES (?, ?, ?, ?, ?)",
                [(request_id, i, v.text, int(v.check.ok), json.dumps(v.check.to_dict(), ensure_ascii=False))
                 for i, v in enumerate(draft.variants, start=1)])
        return request_id

    def variant(self, request_id: int, position: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT v.id, v.text, v.ok, v.check_result, r.sku, r.source, r.language, r.settings, r.prompt_hash "
            "FROM description_variants v JOIN description_requests r ON r.id = v.request_id "
            "WHERE v.request_id = ? AND v.position = ?", [request_id, position]).fetchone()
        if row is None:
            return None
        keys = ("id", "text", "ok", "check_result", "sku", "source", "language", "settings", "prompt_hash")
        return dict(zip(keys, row, strict=True))

    # ------------------------------------------------------------------ chosen versions

    def pick(self, request_id: int, position: int, author: str) -> SavedDescription:
        """Save variant ``position`` of ``request_id`` as the SKU's next version (not yet applied)."""
        found = self.variant(request_id, position)
        if found is None:
            raise PickError(f"request {request_id} has no variant {position}")
        if not found["ok"]:
            reasons = "; ".join(f["reason"] for f in json.loads(found["check_result"])["findings"])
            raise PickError(f"variant {position} of request {request_id} was rejected ({reasons}); pick another")
        return self.add(found["sku"], found["text"], source=found["source"], author=author,
                        language=found["language"], prompt_hash=found["prompt_hash"], settings=found["settings"],
                        check_result=found["check_result"], variant_id=found["id"])

    def add(self, sku: str, text: str, *, source: str, author: str, language: str | None, prompt_hash: str | None,
            settings: str | dict[str, Any], check_result: str | dict[str, Any], variant_id: int | None = None,
            job: str | None = None) -> SavedDescription:
        settings_json = settings if isinstance(settings, str) else json.dumps(settings, ensure_ascii=False)
        check_json = check_result if isinstance(check_result, str) else json.dumps(check_result, ensure_ascii=False)
        with self.conn:
            version = self.conn.execute("SELECT coalesce(max(version), 0) + 1 FROM descriptions WHERE sku = ?",
                                        [sku]).fetchone()[0]
            row_id = int(self.conn.execute(
                "INSERT INTO descriptions(sku, version, text, language, source, author, prompt_hash, settings, "
                "check_result, variant_id, job, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sku, version, text, language, source, author, prompt_hash, settings_json, check_json, variant_id,
                 job, _now()]).lastrowid or 0)
        return SavedDescription(row_id, sku, version, text, source, author, False)

    def mark_applied(self, description_id: int) -> None:
        with self.conn:
            self.conn.execute("UPDATE descriptions SET applied_at = ? WHERE id = ?", [_now(), description_id])

    def latest(self, sku: str) -> SavedDescription | None:
        row = self.conn.execute("SELECT id, sku, version, text, source, author, applied_at FROM descriptions "
                                "WHERE sku = ? ORDER BY version DESC LIMIT 1", [sku]).fetchone()
        if row is None:
            return None
        row_id, sku, version, text, source, author, applied_at = row
        return SavedDescription(row_id, sku, version, text, source, author, applied=applied_at is not None)

    def written_by_bot(self, sku: str, current: str | None) -> bool:
        """Is the catalog's current text one a bulk run wrote (and no person chose since)?"""
        latest = self.latest(sku)
        return bool(current) and latest is not None and latest.applied and latest.source == "bulk" \
            and latest.text == current

    # ------------------------------------------------------------------ bulk jobs

    def job_rows(self, job: str) -> list[dict[str, Any]]:
        keys = ("id", "sku", "text", "applied_at", "check_result", "language")
        return [dict(zip(keys, r, strict=True)) for r in self.conn.execute(
            "SELECT id, sku, text, applied_at, check_result, language FROM descriptions WHERE job = ? ORDER BY id",
            [job])]

    # ------------------------------------------------------------------ export

    def export_csv(self, path: Path, names: dict[str, str] | None = None, *, all_versions: bool = False) -> int:
        """Write the latest version per SKU (or every version) as CSV; returns the rows written."""
        sql = ("SELECT sku, version, text, language, source, author, created_at, applied_at, check_result, prompt_hash "
               "FROM descriptions d")
        if not all_versions:
            sql += " WHERE version = (SELECT max(version) FROM descriptions e WHERE e.sku = d.sku)"
        rows = self.conn.execute(sql + " ORDER BY sku, version").fetchall()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["sku", "name", "version", "language", "source", "author", "created_at", "applied_at",
                             "check_ok", "check_reasons", "prompt_hash", "description"])
            for sku, version, text, language, source, author, created, applied, check, prompt_hash in rows:
                result = json.loads(check or "{}")
                reasons = "; ".join(f["reason"] for f in result.get("findings", []))
                writer.writerow([sku, (names or {}).get(sku, ""), version, language, source, author, created,
                                 applied or "", int(bool(result.get("ok"))), reasons, prompt_hash or "", text])
        return len(rows)
