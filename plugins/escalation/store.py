"""Escalation's own records: the staff thread, summary, staff reply times and CSAT of each handoff.

One row per handoff in ``escalation_handoffs``, keyed by the core's handoff id (deleted with it).
The core owns the handoff's state; this table holds only what the staff desk adds.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

import sqlite_utils

from supportbot.history import History, Migration, parse_time
from supportbot.reports import ConversationReport, conversation_report, percentile

__all__ = ["DeskRecord", "DeskStore", "MIGRATIONS", "StaffFigures", "staff_figures"]

_LEGACY = ("thread_id", "summary", "first_staff_reply_at", "staff_replied_at", "csat", "csat_asked_at")
_COLUMNS = (*_LEGACY, "staff_round")


def _v1(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS escalation_handoffs ("
        "handoff_id INTEGER PRIMARY KEY REFERENCES handoffs(id) ON DELETE CASCADE, "
        "thread_id TEXT, summary TEXT, first_staff_reply_at TEXT, staff_replied_at TEXT, "
        "csat INTEGER, csat_asked_at TEXT)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_escalation_handoffs_thread ON escalation_handoffs(thread_id)")
    # A database from before this table: the core's schema 4 set these values aside for us.
    if "legacy_handoff_fields" in db.table_names():
        columns = ", ".join(_LEGACY)
        db.execute(f"INSERT OR IGNORE INTO escalation_handoffs (handoff_id, {columns}) "
                   f"SELECT handoff_id, {columns} FROM legacy_handoff_fields")
        db.execute("DROP TABLE legacy_handoff_fields")


def _v2(db: sqlite_utils.Database) -> None:
    # The round (the handoff's reopen_count) of the last staff reply: auto-close needs a reply in
    # the current round, and a reopen must not wait for a listener to clear the previous one's.
    db.execute("ALTER TABLE escalation_handoffs ADD COLUMN staff_round INTEGER")
    db.execute("UPDATE escalation_handoffs SET staff_round = (SELECT reopen_count FROM handoffs "
               "WHERE handoffs.id = escalation_handoffs.handoff_id) WHERE staff_replied_at IS NOT NULL")


MIGRATIONS: tuple[Migration, ...] = (_v1, _v2)


@dataclass(frozen=True, slots=True)
class DeskRecord:
    handoff_id: int
    thread_id: str | None = None
    summary: str | None = None
    first_staff_reply_at: datetime | None = None
    #: When staff last replied in the handoff's current round: a reopened handoff waits for a new
    #: reply before it may auto-close, while first_staff_reply_at keeps the first round's figure.
    staff_replied_at: datetime | None = None
    #: The handoff's round (its reopen_count) when staff last replied.
    staff_round: int | None = None
    csat: int | None = None
    csat_asked_at: datetime | None = None


class DeskStore:
    def __init__(self, history: History) -> None:
        self.history = history

    def get(self, handoff_id: int) -> DeskRecord:
        row = self.history.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM escalation_handoffs WHERE handoff_id = ?", [handoff_id]).fetchone()
        if row is None:
            return DeskRecord(handoff_id)
        values = dict(zip(_COLUMNS, row))
        for key in ("first_staff_reply_at", "staff_replied_at", "csat_asked_at"):
            values[key] = parse_time(values[key])
        return DeskRecord(handoff_id, **values)

    def handoff_by_thread(self, thread_id: str) -> int | None:
        row = self.history.db.execute(
            "SELECT handoff_id FROM escalation_handoffs WHERE thread_id = ? ORDER BY handoff_id DESC LIMIT 1",
            [thread_id]).fetchone()
        return row[0] if row else None

    def update(self, handoff_id: int, **values: Any) -> None:
        known = {f.name for f in fields(DeskRecord)} - {"handoff_id"}
        unknown = set(values) - known
        if unknown:
            raise TypeError(f"no such escalation field(s): {sorted(unknown)}")
        stored = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}
        with self.history.transaction() as db:
            db.table("escalation_handoffs").upsert({"handoff_id": handoff_id, **stored}, pk="handoff_id")

    def new_round(self, handoff_id: int) -> None:
        """A reopened handoff: unanswered by staff this round, and its earlier rating dropped (that
        resolution did not hold)."""
        self.update(handoff_id, staff_replied_at=None, csat=None, csat_asked_at=None)


@dataclass(frozen=True)
class StaffFigures:
    time_to_human_p50_s: float | None
    csat_average: float | None
    csat_count: int
    time_to_human_p90_s: float | None = None


def staff_figures(history: History, *, since: datetime) -> StaffFigures:
    """Time to a person (median) and CSAT for handoffs opened since ``since``."""
    db = history.db
    to_human = [
        (datetime.fromisoformat(reply) - datetime.fromisoformat(opened)).total_seconds()
        for opened, reply in db.execute(
            "SELECT h.opened_at, e.first_staff_reply_at FROM handoffs h JOIN escalation_handoffs e "
            "ON e.handoff_id = h.id WHERE e.first_staff_reply_at IS NOT NULL AND h.opened_at >= ?",
            [since.isoformat()])
    ]
    ratings = [r for (r,) in db.execute(
        "SELECT e.csat FROM handoffs h JOIN escalation_handoffs e ON e.handoff_id = h.id "
        "WHERE e.csat IS NOT NULL AND h.opened_at >= ?", [since.isoformat()])]
    return StaffFigures(
        time_to_human_p50_s=statistics.median(to_human) if to_human else None,
        csat_average=statistics.fmean(ratings) if ratings else None, csat_count=len(ratings),
        time_to_human_p90_s=percentile(to_human, 90),
    )


def staff_report(history: History, *, since: datetime, reopen_days: float) -> ConversationReport:
    """The core's conversation report with the desk's own figures (time to a person, CSAT) filled in."""
    report = conversation_report(history, since=since, reopen_days=reopen_days)
    staff = staff_figures(history, since=since)
    return replace(report, time_to_human_p50_s=staff.time_to_human_p50_s, time_to_human_p90_s=staff.time_to_human_p90_s,
                   csat_average=staff.csat_average, csat_count=staff.csat_count)
