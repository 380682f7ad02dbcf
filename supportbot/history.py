"""The SQLite record of everything: customers, conversations, messages, outcomes, handoffs.

The handoffs table's transitions live in :mod:`supportbot.handoffs`; plugins keep their own tables,
migrated by :meth:`History.migrate_plugin`.

The store is the record. An inbound message is written before any plugin sees it, and each
inbound customer message gets exactly one outcome row (a UNIQUE constraint makes a second one
impossible, even across a crash and a replay). The schema is versioned with ``PRAGMA
user_version`` and migrated in place, keeping existing rows.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from .events import MessageReceived
from .outcomes import Outcome

__all__ = ["History", "InboundRecord", "Migration", "SCHEMA_VERSION", "connect", "parse_time"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
#: One schema step: upgrades a database from its index in a list to index + 1.
Migration = Callable[[sqlite_utils.Database], None]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def connect(path: str | Path, *, busy_timeout_ms: int = 5000) -> sqlite_utils.Database:
    """Open a database in WAL mode with a busy timeout, usable from the loop and worker threads."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _owner_only(Path(path))
    conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    if str(path) != ":memory:":
        db.enable_wal()
        for suffix in ("-wal", "-shm"):  # SQLite creates them with the database's mode; older ones may differ
            _owner_only(Path(f"{path}{suffix}"), create=False)
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a power cut loses at most the last commits
    return db


def _owner_only(path: Path, *, create: bool = True) -> None:
    """The record holds customers' messages: readable by the bot's user only (0600)."""
    if create and not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    try:
        os.chmod(path, 0o600)
    except FileNotFoundError:
        pass
    except PermissionError:
        log.warning("cannot make %s private to this user (owned by someone else?)", path)


# --- migrations -------------------------------------------------------------------------------
# Each entry upgrades from its index to index + 1. Never edit a shipped migration: add one.


def _v1(db: sqlite_utils.Database) -> None:
    db["customers"].create(
        {"id": int, "platform": str, "external_id": str, "name": str, "created_at": str},
        pk="id", not_null={"platform", "external_id"}, if_not_exists=True,
    )
    db["customers"].create_index(["platform", "external_id"], unique=True, if_not_exists=True)
    db["conversations"].create(
        {"id": int, "customer_id": int, "platform": str, "channel_id": str, "state": str,
         "started_at": str, "last_message_at": str},
        pk="id", foreign_keys=[("customer_id", "customers", "id")], defaults={"state": "bot"},
        if_not_exists=True,
    )
    db["conversations"].create_index(["customer_id", "channel_id"], if_not_exists=True)
    db["messages"].create(
        {"id": int, "conversation_id": int, "direction": str, "platform_message_id": str,
         "author_id": str, "text": str, "created_at": str},
        pk="id", foreign_keys=[("conversation_id", "conversations", "id")], if_not_exists=True,
    )
    db["messages"].create_index(["conversation_id", "id"], if_not_exists=True)
    db["outcomes"].create(
        {"id": int, "message_id": int, "kind": str, "reason": str, "plugin": str, "created_at": str},
        pk="id", foreign_keys=[("message_id", "messages", "id")], if_not_exists=True,
    )
    db["outcomes"].create_index(["message_id"], unique=True, if_not_exists=True)


def _v2(db: sqlite_utils.Database) -> None:
    messages = db["messages"]
    if "understanding" not in messages.columns_dict:
        messages.add_column("understanding", str)
    if "in_reply_to" not in messages.columns_dict:
        messages.add_column("in_reply_to", int)
    # A platform message id is recorded once per direction: redelivery of an event is a no-op.
    db.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS idx_messages_platform ON messages(direction, platform_message_id) "
        "WHERE platform_message_id IS NOT NULL"
    )
    outcomes = db["outcomes"]
    if "details" not in outcomes.columns_dict:
        outcomes.add_column("details", str)
    customers = db["customers"]
    if "flags" not in customers.columns_dict:
        customers.add_column("flags", str)
    db["handoffs"].create(
        {"id": int, "conversation_id": int, "state": str, "reason": str, "owner_id": str,
         "thread_id": str, "summary": str, "opened_at": str, "claimed_at": str,
         "first_staff_reply_at": str, "last_activity_at": str, "resolved_at": str,
         "resolved_by": str, "note": str, "csat": int, "csat_asked_at": str, "reopen_count": int},
        pk="id", foreign_keys=[("conversation_id", "conversations", "id")],
        defaults={"state": "open", "reopen_count": 0}, if_not_exists=True,
    )
    db["handoffs"].create_index(["conversation_id", "state"], if_not_exists=True)
    db["handoffs"].create_index(["thread_id"], if_not_exists=True)
    db["command_log"].create(
        {"id": int, "command": str, "author_id": str, "channel_id": str, "options": str,
         "allowed": int, "error": str, "created_at": str},
        pk="id", if_not_exists=True,
    )


def _v3(db: sqlite_utils.Database) -> None:
    # When staff last replied in the handoff's current round: a reopened handoff waits for a new
    # reply before it may auto-close, while first_staff_reply_at keeps the first round's figure.
    handoffs = db["handoffs"]
    if "staff_replied_at" not in handoffs.columns_dict:
        handoffs.add_column("staff_replied_at", str)
    db.execute("UPDATE handoffs SET staff_replied_at = first_staff_reply_at WHERE state != 'resolved'")


#: Columns of the staff desk (the escalation plugin), not of the core's handoff state machine.
LEGACY_DESK_COLUMNS = ("thread_id", "summary", "first_staff_reply_at", "staff_replied_at", "csat", "csat_asked_at")


def _v4(db: sqlite_utils.Database) -> None:
    # The staff thread, its summary, staff reply times and the CSAT rating belong to the plugin that
    # staffs handoffs, which now keeps them in its own tables. Their values move, row for row, to
    # legacy_handoff_fields, for that plugin's own migration to adopt (escalation's first one does,
    # then drops the table). The cascade keeps a customer's deletion complete in the meantime.
    db["plugin_schema"].create({"plugin": str, "version": int}, pk="plugin", if_not_exists=True)
    db.execute(
        "CREATE TABLE legacy_handoff_fields (handoff_id INTEGER PRIMARY KEY REFERENCES handoffs(id) ON DELETE CASCADE, "
        "thread_id TEXT, summary TEXT, first_staff_reply_at TEXT, staff_replied_at TEXT, csat INTEGER, csat_asked_at TEXT)"
    )
    columns = ", ".join(LEGACY_DESK_COLUMNS)
    db.execute(
        f"INSERT INTO legacy_handoff_fields (handoff_id, {columns}) SELECT id, {columns} FROM handoffs "
        f"WHERE COALESCE({columns}) IS NOT NULL"
    )
    db.execute("DROP INDEX IF EXISTS idx_handoffs_thread_id")
    for column in LEGACY_DESK_COLUMNS:
        db.execute(f"ALTER TABLE handoffs DROP COLUMN {column}")


def _v5(db: sqlite_utils.Database) -> None:
    # A handoff is durable before anyone sees it; these say how far its opening got, so a restart
    # finishes one that a crash cut short: the message whose handling opened it (still without an
    # outcome: the customer was not told) and when its announcement (staff thread, summary) was done.
    handoffs = db["handoffs"]
    if "opened_by_message" not in handoffs.columns_dict:
        handoffs.add_column("opened_by_message", int)
    if "announced_at" not in handoffs.columns_dict:
        handoffs.add_column("announced_at", str)
    db.execute("UPDATE handoffs SET announced_at = COALESCE(last_activity_at, opened_at)")  # older ones were whole


def _v6(db: sqlite_utils.Database) -> None:
    # Every reply looks for one recorded before it (so a restart never posts twice): without an
    # index that was a scan of the whole messages table per reply, growing with the shop's history.
    db.execute("CREATE INDEX IF NOT EXISTS idx_messages_in_reply_to ON messages(in_reply_to) "
               "WHERE in_reply_to IS NOT NULL")


MIGRATIONS: list[Migration] = [_v1, _v2, _v3, _v4, _v5, _v6]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite_utils.Database) -> int:
    """Bring ``db`` to :data:`SCHEMA_VERSION`; returns the version it started from."""
    start = db.execute("PRAGMA user_version").fetchone()[0]
    if start > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema version {start} is newer than this bot ({SCHEMA_VERSION}); upgrade the bot"
        )
    for version in range(start, SCHEMA_VERSION):
        with db.conn:
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
        log.info("database migrated to schema version %d", version + 1)
    return start


# --- records ----------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """What JSON cannot hold as is: a dataclass as its dict (as ``dataclasses.asdict`` gives it),
    anything else as its text."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class InboundRecord:
    message_row_id: int
    conversation_id: int
    customer_id: int
    conversation_state: str
    #: The outcome kind already recorded for this message (a redelivered event), else None.
    existing_outcome: str | None


def parse_time(value: str | None) -> datetime | None:
    """A timestamp as the history stores it (ISO 8601), or None."""
    return datetime.fromisoformat(value) if value else None


class History:
    """All reads and writes of the bot's record. Methods are quick and synchronous (SQLite in WAL)."""

    def __init__(self, db: sqlite_utils.Database, *, clock: Clock = _utcnow,
                 conversation_idle: timedelta = timedelta(hours=6)) -> None:
        self.db = db
        self.clock = clock
        self.conversation_idle = conversation_idle
        self._lock = threading.RLock()  # one connection shared by the loop and worker threads
        migrate(db)

    @classmethod
    def open(cls, path: str | Path, *, busy_timeout_ms: int = 5000, **kwargs: Any) -> History:
        return cls(connect(path, busy_timeout_ms=busy_timeout_ms), **kwargs)

    def close(self) -> None:
        self.db.conn.close()

    def _now(self) -> str:
        return self.clock().isoformat()

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """Writes that commit together (or not at all), serialised with the bot's other writes."""
        with self._lock, self.db.conn:
            yield self.db

    def migrate_plugin(self, plugin: str, migrations: Sequence[Migration]) -> int:
        """Bring one plugin's own tables to ``len(migrations)``; returns the version it started from.

        Each plugin's version is kept in ``plugin_schema``; like the core's, a shipped migration is
        never edited, only followed by a new one."""
        row = self.db.execute("SELECT version FROM plugin_schema WHERE plugin = ?", [plugin]).fetchone()
        start = row[0] if row else 0
        if start > len(migrations):
            raise RuntimeError(f"plugin {plugin!r}: database schema version {start} is newer than the plugin "
                               f"({len(migrations)}); upgrade it")
        for version in range(start, len(migrations)):
            with self.transaction() as db:
                migrations[version](db)
                db["plugin_schema"].upsert({"plugin": plugin, "version": version + 1}, pk="plugin")
            log.info("plugin %s: tables migrated to version %d", plugin, version + 1)
        return start

    # --- customers and conversations ------------------------------------------------------------

    def customer_id(self, platform: str, external_id: str, name: str | None = None) -> int:
        with self._lock, self.db.conn:
            return self._customer_id(platform, external_id, name)

    def _customer_id(self, platform: str, external_id: str, name: str | None) -> int:
        """The customer's row id, created on first sight (the caller holds the lock and the transaction).

        Plain SQL on the one shared connection: this runs for every message, and sqlite-utils'
        table helpers read the schema again on each call."""
        conn = self.db.conn
        row = conn.execute(
            "SELECT id, name FROM customers WHERE platform = ? AND external_id = ?", [platform, external_id]
        ).fetchone()
        if row:
            if name and name != row[1]:
                conn.execute("UPDATE customers SET name = ? WHERE id = ?", [name, row[0]])
            return int(row[0])
        cursor = conn.execute(
            "INSERT INTO customers (platform, external_id, name, created_at) VALUES (?, ?, ?, ?)",
            [platform, external_id, name, self._now()],
        )
        return int(cursor.lastrowid or 0)

    def customer(self, customer_id: int) -> dict[str, Any] | None:
        return self._row("customers", customer_id)

    def set_customer_flags(self, customer_id: int, **flags: Any) -> None:
        current = json.loads((self.customer(customer_id) or {}).get("flags") or "{}")
        current.update(flags)
        with self._lock, self.db.conn:
            self.db["customers"].update(customer_id, {"flags": json.dumps(current)})

    def customer_flags(self, customer_id: int) -> dict[str, Any]:
        return json.loads((self.customer(customer_id) or {}).get("flags") or "{}")

    def _conversation_for(self, customer_id: int, platform: str, channel_id: str, now: datetime) -> tuple[int, str]:
        row = self.db.execute(
            "SELECT id, state, last_message_at FROM conversations WHERE customer_id = ? AND channel_id = ? "
            "ORDER BY id DESC LIMIT 1",
            [customer_id, channel_id],
        ).fetchone()
        if row:
            conv_id, state, last = row
            idle = now - datetime.fromisoformat(last) if last else timedelta(0)
            # A conversation a human owns continues however long the customer was away.
            if state == "human" or idle <= self.conversation_idle:
                return conv_id, state
        cursor = self.db.conn.execute(
            "INSERT INTO conversations (customer_id, platform, channel_id, state, started_at, last_message_at) "
            "VALUES (?, ?, ?, 'bot', ?, ?)", [customer_id, platform, channel_id, now.isoformat(), now.isoformat()])
        return int(cursor.lastrowid or 0), "bot"

    def conversation(self, conversation_id: int) -> dict[str, Any] | None:
        return self._row("conversations", conversation_id)

    def _row(self, table: str, row_id: int) -> dict[str, Any] | None:
        """One row of a core table by id, as a dict (``table`` is one of ours, never user input)."""
        cursor = self.db.conn.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id])
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None

    def set_conversation_state(self, conversation_id: int, state: str) -> None:
        with self._lock, self.db.conn:
            self.db.conn.execute("UPDATE conversations SET state = ? WHERE id = ?", [state, conversation_id])

    # --- messages -------------------------------------------------------------------------------

    def record_inbound(self, event: MessageReceived) -> InboundRecord:
        """Write a customer message durably before anything acts on it (idempotent on redelivery).

        The customer, the conversation and the message are written in one transaction."""
        now = self.clock()
        conn = self.db.conn
        with self._lock, conn:
            customer_id = self._customer_id(event.platform, event.author.id, event.author.name)
            existing = conn.execute(
                "SELECT m.id, m.conversation_id, o.kind FROM messages m LEFT JOIN outcomes o ON o.message_id = m.id "
                "WHERE m.direction = 'in' AND m.platform_message_id = ?",
                [self._platform_key(event.platform, event.message_id)],
            ).fetchone()
            if existing:
                msg_id, conv_id, kind = existing
                state = conn.execute("SELECT state FROM conversations WHERE id = ?", [conv_id]).fetchone()[0]
                return InboundRecord(msg_id, conv_id, customer_id, state, kind)
            conv_id, state = self._conversation_for(customer_id, event.platform, event.channel_id, now)
            msg_id = conn.execute(
                "INSERT INTO messages (conversation_id, direction, platform_message_id, author_id, text, created_at) "
                "VALUES (?, 'in', ?, ?, ?, ?)",
                [conv_id, self._platform_key(event.platform, event.message_id), event.author.id, event.text,
                 now.isoformat()],
            ).lastrowid
            conn.execute("UPDATE conversations SET last_message_at = ? WHERE id = ?", [now.isoformat(), conv_id])
        return InboundRecord(int(msg_id or 0), conv_id, customer_id, state, None)

    @staticmethod
    def _platform_key(platform: str, message_id: str) -> str:
        return f"{platform}:{message_id}"

    def attach_understanding(self, message_row_id: int, understanding: dict[str, Any]) -> None:
        with self._lock, self.db.conn:
            self.db.conn.execute("UPDATE messages SET understanding = ? WHERE id = ?",
                                 [json.dumps(understanding, default=_json_value), message_row_id])

    def record_outbound(self, conversation_id: int, text: str, *, platform: str | None = None,
                        platform_message_id: str | None = None, in_reply_to: int | None = None,
                        author_id: str = "bot") -> int:
        now = self._now()
        key = self._platform_key(platform, platform_message_id) if platform and platform_message_id else None
        with self._lock, self.db.conn:
            row_id = self.db.conn.execute(
                "INSERT INTO messages (conversation_id, direction, author_id, text, platform_message_id, in_reply_to, "
                "created_at) VALUES (?, 'out', ?, ?, ?, ?, ?)",
                [conversation_id, author_id, text, key, in_reply_to, now],
            ).lastrowid
            self.db.conn.execute("UPDATE conversations SET last_message_at = ? WHERE id = ?", [now, conversation_id])
        return int(row_id or 0)

    def reply_to(self, message_row_id: int) -> dict[str, Any] | None:
        """The bot's reply to an inbound message, as recorded before it was sent: ``{"id",
        "platform_message_id"}`` (the id is None while the send's result is unknown), or None."""
        row = self.db.execute(
            "SELECT id, platform_message_id FROM messages WHERE direction = 'out' AND in_reply_to = ? ORDER BY id LIMIT 1",
            [message_row_id],
        ).fetchone()
        return {"id": row[0], "platform_message_id": row[1]} if row else None

    def _mark_sent(self, message_row_id: int, platform: str, platform_message_id: str | None) -> None:
        """The reply recorded before sending went out as ``platform_message_id`` (inside the outcome's
        transaction: see :meth:`record_outcome`)."""
        if platform_message_id is not None:
            self.db.conn.execute("UPDATE messages SET platform_message_id = ? WHERE id = ?",
                                 [self._platform_key(platform, platform_message_id), message_row_id])

    def last_inbound_id(self, platform: str, channel_id: str) -> str | None:
        """The platform id of the last customer message recorded in ``channel_id`` (where to catch up from)."""
        row = self.db.execute(
            "SELECT m.platform_message_id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE c.channel_id = ? AND m.direction = 'in' AND m.platform_message_id LIKE ? ORDER BY m.id DESC LIMIT 1",
            [channel_id, f"{platform}:%"],
        ).fetchone()
        return row[0].partition(":")[2] if row else None

    def message(self, message_row_id: int) -> dict[str, Any] | None:
        return self._row("messages", message_row_id)

    def recent_turns(self, conversation_id: int, limit: int, *, before_message_id: int | None = None) -> list[dict[str, str]]:
        """The last ``limit`` turns of one conversation as chat messages, oldest first."""
        if limit <= 0:
            return []
        where = "conversation_id = ?" + (" AND id < ?" if before_message_id else "")
        params: list[Any] = [conversation_id] + ([before_message_id] if before_message_id else [])
        rows = self.db.execute(
            f"SELECT direction, author_id, text FROM messages WHERE {where} ORDER BY id DESC LIMIT ?",
            params + [limit],
        ).fetchall()
        return [
            {"role": "user" if direction == "in" else "assistant", "content": text}
            for direction, _author, text in reversed(rows)
        ]

    def previous_inbound(self, conversation_id: int, before_message_id: int) -> dict[str, Any] | None:
        """The customer's last answered message before ``before_message_id`` in this conversation,
        as ``{"id", "text", "reason", "sources"}`` (its outcome's reason and the passages or products
        its answer cited), or None when there is none.

        What a plugin asks to follow up on its own question ("did I just ask which one?")."""
        row = self.db.execute(
            "SELECT m.id, m.text, o.reason, o.details FROM messages m JOIN outcomes o ON o.message_id = m.id "
            "WHERE m.conversation_id = ? AND m.direction = 'in' AND m.id < ? ORDER BY m.id DESC LIMIT 1",
            [conversation_id, before_message_id],
        ).fetchone()
        if row is None:
            return None
        sources = json.loads(row[3]).get("sources", []) if row[3] else []
        return {"id": row[0], "text": row[1], "reason": row[2], "sources": sources}

    def messages_of(self, conversation_id: int) -> list[dict[str, Any]]:
        return list(self.db["messages"].rows_where("conversation_id = ?", [conversation_id], order_by="id"))

    # --- outcomes -------------------------------------------------------------------------------

    def record_outcome(self, message_row_id: int, outcome: Outcome, *,
                       reply_sent: tuple[int, str, str | None] | None = None) -> bool:
        """Record the one outcome of an inbound message; False if it already had one.

        ``reply_sent`` (the reply's row, the platform, the id it was posted as) marks the reply
        recorded before sending as sent, in the same transaction: one commit for both, as they
        happen together once the send returned."""
        details = dict(outcome.details)
        if outcome.sources:
            details["sources"] = list(outcome.sources)
        conn = self.db.conn
        try:
            with self._lock, conn:
                if reply_sent is not None:
                    self._mark_sent(*reply_sent)
                # OR IGNORE: an outcome already there is no error that would undo the reply's mark.
                inserted = conn.execute(
                    "INSERT OR IGNORE INTO outcomes (message_id, kind, reason, plugin, created_at, details) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [message_row_id, str(outcome.kind), outcome.reason, outcome.plugin, self._now(),
                     json.dumps(details, default=str) if details else None],
                ).rowcount
        except sqlite3.IntegrityError:  # the message itself is gone (the customer was forgotten meanwhile)
            return False
        return inserted == 1

    def outcome_of(self, message_row_id: int) -> dict[str, Any] | None:
        cursor = self.db.conn.execute("SELECT * FROM outcomes WHERE message_id = ?", [message_row_id])
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None

    def pending_inbound(self) -> list[dict[str, Any]]:
        """Inbound messages that never reached an outcome (the bot stopped mid-way)."""
        return [
            dict(row) for row in self.db.query(
                "SELECT m.*, c.channel_id, c.platform, cu.external_id AS customer_external_id, cu.name AS customer_name "
                "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                "JOIN customers cu ON cu.id = c.customer_id "
                "LEFT JOIN outcomes o ON o.message_id = m.id "
                "WHERE m.direction = 'in' AND o.id IS NULL ORDER BY m.id"
            )
        ]

    # --- staff commands and data deletion -------------------------------------------------------

    def log_command(self, command: str, author_id: str, channel_id: str, options: dict[str, Any],
                    *, allowed: bool, error: str | None = None) -> None:
        with self._lock, self.db.conn:
            self.db["command_log"].insert(
                {"command": command, "author_id": author_id, "channel_id": channel_id,
                 "options": json.dumps(options, default=str), "allowed": int(allowed), "error": error,
                 "created_at": self._now()}
            )

    def delete_customer(self, customer_id: int) -> dict[str, int]:
        """Forget a customer: their conversations, messages, outcomes, handoffs (plugins' rows keyed by
        a handoff go with it, by their foreign key's cascade), the customer row and the command-log
        rows they ran or that name them. Returns the rows deleted per table (cascades not counted)."""
        external = self.db.execute("SELECT external_id FROM customers WHERE id = ?", [customer_id]).fetchone()
        conversations = "SELECT id FROM conversations WHERE customer_id = ?"
        steps = [
            ("outcomes", f"message_id IN (SELECT id FROM messages WHERE conversation_id IN ({conversations}))"),
            ("messages", f"conversation_id IN ({conversations})"),
            ("handoffs", f"conversation_id IN ({conversations})"),
            ("conversations", "customer_id = ?"),
            ("customers", "id = ?"),
        ]
        deleted: dict[str, int] = {}
        with self._lock, self.db.conn:
            self.db.execute("PRAGMA secure_delete = ON")  # overwrite the freed pages, not just unlink them
            for table, where in steps:
                deleted[table] = self.db.execute(f"DELETE FROM {table} WHERE {where}", [customer_id]).rowcount
            if external:
                quoted = json.dumps(external[0])
                deleted["command_log"] = self.db.execute(
                    "DELETE FROM command_log WHERE author_id = ? OR instr(options, ?) > 0", [external[0], quoted]).rowcount
        return deleted
