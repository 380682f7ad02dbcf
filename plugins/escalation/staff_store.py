"""What staff add to a handoff beyond its state: the card message, notes, snippets, drafts and
rating comments. Each table is escalation's own; rows tied to a handoff go with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from supportbot.history import History, Migration

__all__ = ["STAFF_MIGRATIONS", "StaffStore", "Draft", "Snippet", "Note", "StoredFile"]


def _v2(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS escalation_cards ("
        "handoff_id INTEGER PRIMARY KEY REFERENCES handoffs(id) ON DELETE CASCADE, "
        "channel_id TEXT NOT NULL, message_id TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS escalation_notes ("
        "id INTEGER PRIMARY KEY, handoff_id INTEGER NOT NULL REFERENCES handoffs(id) ON DELETE CASCADE, "
        "author_id TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS escalation_snippets ("
        "name TEXT PRIMARY KEY, text TEXT NOT NULL, author_id TEXT, updated_at TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS escalation_drafts ("
        "id INTEGER PRIMARY KEY, handoff_id INTEGER NOT NULL REFERENCES handoffs(id) ON DELETE CASCADE, "
        "channel_id TEXT NOT NULL, message_id TEXT, text TEXT NOT NULL, "
        "status TEXT NOT NULL DEFAULT 'drafted', staff_id TEXT, sent_text TEXT, "
        "created_at TEXT NOT NULL, decided_at TEXT)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS escalation_attachments ("
        "id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, "
        "direction TEXT NOT NULL, author_id TEXT NOT NULL, url TEXT NOT NULL, filename TEXT NOT NULL, "
        "content_type TEXT, size INTEGER NOT NULL, relayed INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS escalation_csat_comments ("
        "handoff_id INTEGER PRIMARY KEY REFERENCES handoffs(id) ON DELETE CASCADE, "
        "comment TEXT NOT NULL, created_at TEXT NOT NULL)")


STAFF_MIGRATIONS: tuple[Migration, ...] = (_v2,)


@dataclass(frozen=True, slots=True)
class Note:
    author_id: str
    text: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Snippet:
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: int
    url: str
    filename: str
    content_type: str | None
    size: int


@dataclass(frozen=True, slots=True)
class Draft:
    id: int
    handoff_id: int
    channel_id: str
    message_id: str | None
    text: str
    status: str


class StaffStore:
    def __init__(self, history: History) -> None:
        self.history = history

    def _now(self) -> str:
        return self.history.clock().isoformat()

    def _execute(self, sql: str, params: list[Any]) -> int:
        with self.history.transaction() as db:
            return int(db.execute(sql, params).lastrowid or 0)

    # --- the handoff card ------------------------------------------------------------------------

    def set_card(self, handoff_id: int, channel_id: str, message_id: str) -> None:
        self._execute("INSERT OR REPLACE INTO escalation_cards VALUES (?, ?, ?)", [handoff_id, channel_id, message_id])

    def card(self, handoff_id: int) -> tuple[str, str] | None:
        row = self.history.db.execute(
            "SELECT channel_id, message_id FROM escalation_cards WHERE handoff_id = ?", [handoff_id]).fetchone()
        return (row[0], row[1]) if row else None

    # --- notes -----------------------------------------------------------------------------------

    def add_note(self, handoff_id: int, author_id: str, text: str) -> None:
        self._execute("INSERT INTO escalation_notes (handoff_id, author_id, text, created_at) VALUES (?, ?, ?, ?)",
                      [handoff_id, author_id, text, self._now()])

    def notes(self, handoff_id: int) -> list[Note]:
        return [Note(*row) for row in self.history.db.execute(
            "SELECT author_id, text, created_at FROM escalation_notes WHERE handoff_id = ? ORDER BY id", [handoff_id])]

    # --- snippets --------------------------------------------------------------------------------

    def save_snippet(self, name: str, text: str, author_id: str) -> None:
        self._execute("INSERT OR REPLACE INTO escalation_snippets VALUES (?, ?, ?, ?)",
                      [name, text, author_id, self._now()])

    def snippet(self, name: str) -> Snippet | None:
        row = self.history.db.execute("SELECT name, text FROM escalation_snippets WHERE name = ?", [name]).fetchone()
        return Snippet(*row) if row else None

    def snippets(self, starting: str = "") -> list[Snippet]:
        return [Snippet(*row) for row in self.history.db.execute(
            "SELECT name, text FROM escalation_snippets WHERE name LIKE ? ESCAPE '\\' ORDER BY name",
            [starting.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"])]

    def remove_snippet(self, name: str) -> bool:
        with self.history.transaction() as db:
            return db.execute("DELETE FROM escalation_snippets WHERE name = ?", [name]).rowcount > 0

    # --- drafts ----------------------------------------------------------------------------------

    def add_draft(self, handoff_id: int, channel_id: str, text: str) -> int:
        return self._execute(
            "INSERT INTO escalation_drafts (handoff_id, channel_id, text, created_at) VALUES (?, ?, ?, ?)",
            [handoff_id, channel_id, text, self._now()])

    def set_draft_message(self, draft_id: int, message_id: str | None) -> None:
        self._execute("UPDATE escalation_drafts SET message_id = ? WHERE id = ?", [message_id, draft_id])

    def draft(self, draft_id: int) -> Draft | None:
        row = self.history.db.execute(
            "SELECT id, handoff_id, channel_id, message_id, text, status FROM escalation_drafts WHERE id = ?",
            [draft_id]).fetchone()
        return Draft(*row) if row else None

    def decide_draft(self, draft_id: int, status: str, staff_id: str, sent_text: str | None = None) -> bool:
        """Record what staff did with a draft (sent, edited, discarded); False if already decided."""
        with self.history.transaction() as db:
            return db.execute(
                "UPDATE escalation_drafts SET status = ?, staff_id = ?, sent_text = ?, decided_at = ? "
                "WHERE id = ? AND status = 'drafted'", [status, staff_id, sent_text, self._now(), draft_id]).rowcount > 0

    def draft_counts(self) -> dict[str, int]:
        """How often drafts were sent as they were, edited, discarded, or are still waiting."""
        return dict(self.history.db.execute("SELECT status, COUNT(*) FROM escalation_drafts GROUP BY status"))

    # --- attachments (references: the platform keeps the bytes) -------------------------------------

    def add_file(self, conversation_id: int, direction: str, author_id: str, url: str, filename: str,
                 content_type: str | None, size: int, *, relayed: bool) -> int:
        return self._execute(
            "INSERT INTO escalation_attachments (conversation_id, direction, author_id, url, filename, content_type, "
            "size, relayed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [conversation_id, direction, author_id, url, filename, content_type, size, int(relayed), self._now()])

    def unrelayed_files(self, conversation_id: int) -> list[StoredFile]:
        return [StoredFile(*row) for row in self.history.db.execute(
            "SELECT id, url, filename, content_type, size FROM escalation_attachments "
            "WHERE conversation_id = ? AND direction = 'in' AND relayed = 0 ORDER BY id", [conversation_id])]

    def mark_relayed(self, file_ids: list[int]) -> None:
        with self.history.transaction() as db:
            db.executemany("UPDATE escalation_attachments SET relayed = 1 WHERE id = ?", [[i] for i in file_ids])

    def files(self, conversation_id: int) -> list[StoredFile]:
        return [StoredFile(*row) for row in self.history.db.execute(
            "SELECT id, url, filename, content_type, size FROM escalation_attachments WHERE conversation_id = ? "
            "ORDER BY id", [conversation_id])]

    # --- ratings ---------------------------------------------------------------------------------

    def add_csat_comment(self, handoff_id: int, comment: str) -> None:
        self._execute("INSERT OR REPLACE INTO escalation_csat_comments VALUES (?, ?, ?)",
                      [handoff_id, comment, self._now()])

    def csat_comment(self, handoff_id: int) -> str | None:
        row = self.history.db.execute(
            "SELECT comment FROM escalation_csat_comments WHERE handoff_id = ?", [handoff_id]).fetchone()
        return row[0] if row else None
