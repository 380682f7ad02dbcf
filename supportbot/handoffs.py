"""Handoffs: a conversation that a person owns, from the moment the bot hands it over until staff
give it back.

The core owns this state machine because "a conversation a human owns is not auto-answered" is a
core invariant. A plugin that staffs handoffs (the shipped ``escalation``) registers itself as the
:class:`HandoffDesk`: it words the customer's notice and sets the reopen window; it keeps its own
records (staff threads, ratings) in its own tables, keyed by the handoff id.

States and transitions, each announced on the bus once it is durable::

    open ──claim──▶ claimed ──resolve──▶ resolved ──(customer back within the window)──▶ open
      ▲                │ transfer (to someone: claimed; to nobody: back to open)
      └────────────────┘

Without a desk nothing is handed over: a handoff outcome is still recorded, but no handoff opens
and the conversation stays with the bot, since nobody could ever give it back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from .events import (
    EventBus,
    HandoffClaimed,
    HandoffOpened,
    HandoffReopened,
    HandoffResolved,
    HandoffTransferred,
)
from .history import History, parse_time

__all__ = [
    "Handoff",
    "HandoffState",
    "HandoffDesk",
    "HandoffError",
    "HandoffNotOpen",
    "HandoffAlreadyClaimed",
    "Handoffs",
]

log = logging.getLogger(__name__)


class HandoffState(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Handoff:
    id: int
    conversation_id: int
    state: HandoffState
    reason: str
    #: The staff member who claimed it (None: waiting in the queue).
    owner_id: str | None
    opened_at: datetime
    claimed_at: datetime | None
    #: The last thing that happened on it (opened, reopened, claimed, a message either way).
    last_activity_at: datetime | None
    resolved_at: datetime | None
    #: Who resolved it: a staff id, or ``"auto"`` for a desk's automatic close.
    resolved_by: str | None
    note: str | None
    reopen_count: int

    @property
    def is_open(self) -> bool:
        return self.state is not HandoffState.RESOLVED

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Handoff:
        return cls(
            id=row["id"], conversation_id=row["conversation_id"], state=HandoffState(row["state"]),
            reason=row["reason"], owner_id=row["owner_id"], opened_at=_required_time(row["opened_at"]),
            claimed_at=parse_time(row["claimed_at"]), last_activity_at=parse_time(row["last_activity_at"]),
            resolved_at=parse_time(row["resolved_at"]), resolved_by=row["resolved_by"], note=row["note"],
            reopen_count=row["reopen_count"] or 0,
        )


def _required_time(value: str) -> datetime:
    parsed = parse_time(value)
    assert parsed is not None, "a handoff always has opened_at"
    return parsed


class HandoffDesk(Protocol):
    """What a plugin that staffs handoffs gives the core. Return it from ``Plugin.handoff_desk()``;
    one desk at a time."""

    def reopen_window(self) -> timedelta | None:
        """A handoff this soon after the customer's last resolved one reopens that one (None: never)."""
        ...

    async def customer_notice(self, handoff: Handoff) -> str:
        """What the customer is told when their conversation is handed over (wait times, hours)."""
        ...

    def staff_channel(self, handoff: Handoff) -> str | None:
        """Where staff work on this handoff (a thread id), if anywhere yet."""
        ...


class HandoffError(Exception):
    """A transition the handoff's state does not allow; the message is fit to show staff."""

    def __init__(self, handoff_id: int, message: str) -> None:
        super().__init__(message)
        self.handoff_id = handoff_id


class HandoffNotOpen(HandoffError):
    """No such handoff, or it is already resolved."""


class HandoffAlreadyClaimed(HandoffError):
    def __init__(self, handoff_id: int, owner_id: str) -> None:
        super().__init__(handoff_id, f"handoff #{handoff_id} is already claimed by {owner_id}")
        self.owner_id = owner_id


_COLUMNS = ("id, conversation_id, state, reason, owner_id, opened_at, claimed_at, last_activity_at, "
            "resolved_at, resolved_by, note, reopen_count")


class Handoffs:
    """The handoff API (``bot.handoffs``). Methods are quick and synchronous (SQLite); each
    transition is written first, then announced with a non-blocking :meth:`EventBus.emit`."""

    def __init__(self, history: History, bus: EventBus) -> None:
        self.history = history
        self.bus = bus
        self._desk: HandoffDesk | None = None
        self._desk_owner: str | None = None

    # --- the desk -------------------------------------------------------------------------------

    @property
    def desk(self) -> HandoffDesk | None:
        return self._desk

    def set_desk(self, desk: HandoffDesk, *, owner: str) -> None:
        if self._desk is not None and self._desk_owner != owner:
            raise ValueError(f"plugin {self._desk_owner!r} already staffs handoffs; {owner!r} cannot too")
        self._desk, self._desk_owner = desk, owner

    def clear_desk(self, owner: str) -> None:
        if self._desk_owner == owner:
            self._desk, self._desk_owner = None, None

    # --- reads ----------------------------------------------------------------------------------

    def get(self, handoff_id: int) -> Handoff | None:
        return self._one("id = ?", [handoff_id])

    def open_for(self, conversation_id: int) -> Handoff | None:
        """The conversation's handoff that is not resolved yet, if any."""
        return self._one("conversation_id = ? AND state != 'resolved'", [conversation_id])

    def last_for(self, conversation_id: int) -> Handoff | None:
        return self._one("conversation_id = ?", [conversation_id])

    def open_handoffs(self) -> list[Handoff]:
        """Every handoff not resolved yet, oldest first."""
        rows = self.history.db.execute(
            f"SELECT {_COLUMNS} FROM handoffs WHERE state != 'resolved' ORDER BY opened_at, id").fetchall()
        return [self._from_tuple(row) for row in rows]

    # --- a handoff whose opening a crash cut short ----------------------------------------------

    def opened_by(self, message_row_id: int) -> Handoff | None:
        """The open handoff that handling this inbound message opened (or reopened)."""
        return self._one("opened_by_message = ? AND state != 'resolved'", [message_row_id])

    def mark_announced(self, handoff_id: int) -> None:
        """Its announcement (the desk's staff thread and summary) is done: a restart leaves it be."""
        with self.history.transaction() as db:
            db.execute("UPDATE handoffs SET announced_at = ? WHERE id = ?", [self.history.clock().isoformat(), handoff_id])

    def unannounced(self) -> list[HandoffOpened]:
        """The announcements of open handoffs that never finished (the bot stopped first), oldest first."""
        rows = self.history.db.execute(
            "SELECT id, conversation_id, reason, reopen_count FROM handoffs WHERE state != 'resolved' "
            "AND announced_at IS NULL ORDER BY id").fetchall()
        return [(HandoffReopened if reopens else HandoffOpened)(handoff_id=id_, conversation_id=conv, reason=reason)
                for id_, conv, reason, reopens in rows]

    def _one(self, where: str, params: list[Any]) -> Handoff | None:
        row = self.history.db.execute(
            f"SELECT {_COLUMNS} FROM handoffs WHERE {where} ORDER BY id DESC LIMIT 1", params).fetchone()
        return self._from_tuple(row) if row else None

    @staticmethod
    def _from_tuple(row: tuple[Any, ...]) -> Handoff:
        return Handoff.from_row(dict(zip([c.strip() for c in _COLUMNS.split(",")], row)))

    def _require_open(self, handoff_id: int) -> Handoff:
        handoff = self.get(handoff_id)
        if handoff is None or not handoff.is_open:
            raise HandoffNotOpen(handoff_id, f"handoff #{handoff_id} is not open")
        return handoff

    # --- transitions ----------------------------------------------------------------------------

    def open(self, conversation_id: int, reason: str, *,
             message_row_id: int | None = None) -> tuple[Handoff, HandoffOpened | None]:
        """Hand a conversation to staff, or reopen the customer's last handoff if it was resolved
        within the desk's reopen window. The conversation is human-owned from here on.

        Returns the handoff and the event that announces it, which the caller emits once the
        customer has been told (None when the conversation already had an open handoff: nothing
        new to announce). Refused without a desk (:class:`HandoffError`): nobody could resolve it.
        """
        desk = self._desk
        if desk is None:
            raise HandoffError(0, "no plugin staffs handoffs: a handoff would silence the customer for good")
        window = desk.reopen_window()
        now = self.history.clock()
        event_type: type[HandoffOpened]
        with self.history.transaction() as db:
            current = self.open_for(conversation_id)
            if current is not None:
                return current, None
            last = db.execute(
                "SELECT h.id, h.resolved_at FROM handoffs h JOIN conversations c ON c.id = h.conversation_id "
                "WHERE c.customer_id = (SELECT customer_id FROM conversations WHERE id = ?) "
                "AND h.state = 'resolved' ORDER BY h.id DESC LIMIT 1",
                [conversation_id],
            ).fetchone()
            resolved_at = parse_time(last[1]) if last else None
            if last and window is not None and resolved_at is not None and now - resolved_at <= window:
                # A new round: unowned and unresolved again; opened_at stays, so time to a person
                # still measures the first wait. The handoff follows the customer to this conversation.
                db.execute(
                    "UPDATE handoffs SET state = 'open', conversation_id = ?, owner_id = NULL, claimed_at = NULL, "
                    "resolved_at = NULL, resolved_by = NULL, note = NULL, reopen_count = reopen_count + 1, "
                    "last_activity_at = ?, opened_by_message = ?, announced_at = NULL WHERE id = ?",
                    [conversation_id, now.isoformat(), message_row_id, last[0]])
                handoff_id, event_type = last[0], HandoffReopened
            else:
                handoff_id = db.table("handoffs").insert(
                    {"conversation_id": conversation_id, "state": "open", "reason": reason,
                     "opened_at": now.isoformat(), "last_activity_at": now.isoformat(), "reopen_count": 0,
                     "opened_by_message": message_row_id}
                ).last_pk
                event_type = HandoffOpened
            db.execute("UPDATE conversations SET state = 'human' WHERE id = ?", [conversation_id])
        handoff = self._require_open(handoff_id)
        log.info("handoff %d %s (%s)", handoff.id, "reopened" if event_type is HandoffReopened else "opened", reason)
        return handoff, event_type(handoff_id=handoff.id, conversation_id=conversation_id, reason=reason)

    def claim(self, handoff_id: int, staff_id: str) -> Handoff:
        """``staff_id`` takes the handoff. Claiming one's own again is a no-op; another's is refused
        (:class:`HandoffAlreadyClaimed`: use :meth:`transfer`)."""
        handoff = self._require_open(handoff_id)
        if handoff.owner_id == staff_id:
            return handoff
        if handoff.owner_id is not None:
            raise HandoffAlreadyClaimed(handoff_id, handoff.owner_id)
        claimed = self._set_owner(handoff, staff_id)
        self.bus.emit(HandoffClaimed(handoff_id=handoff_id, conversation_id=handoff.conversation_id,
                                     staff_id=staff_id))
        return claimed

    def transfer(self, handoff_id: int, to_staff_id: str | None, *, by: str | None = None) -> Handoff:
        """Give the handoff to ``to_staff_id``, or back to the queue with None."""
        handoff = self._require_open(handoff_id)
        moved = self._set_owner(handoff, to_staff_id)
        self.bus.emit(HandoffTransferred(handoff_id=handoff_id, conversation_id=handoff.conversation_id,
                                         from_staff_id=handoff.owner_id, to_staff_id=to_staff_id, by=by))
        return moved

    def resolve(self, handoff_id: int, *, staff_id: str | None, note: str | None = None) -> Handoff:
        """Close the handoff; the bot answers the customer again."""
        handoff = self._require_open(handoff_id)
        now = self.history.clock().isoformat()
        with self.history.transaction() as db:
            db.execute("UPDATE handoffs SET state = 'resolved', resolved_at = ?, resolved_by = ?, note = ?, "
                       "last_activity_at = ? WHERE id = ?", [now, staff_id, note, now, handoff_id])
            db.execute("UPDATE conversations SET state = 'bot' WHERE id = ?", [handoff.conversation_id])
        resolved = self.get(handoff_id)
        assert resolved is not None
        self.bus.emit(HandoffResolved(handoff_id=handoff_id, conversation_id=handoff.conversation_id,
                                      staff_id=staff_id, note=note))
        return resolved

    def touch(self, handoff_id: int) -> None:
        """Note activity on an open handoff (a message from either side); desks close idle ones."""
        with self.history.transaction() as db:
            db.execute("UPDATE handoffs SET last_activity_at = ? WHERE id = ?",
                       [self.history.clock().isoformat(), handoff_id])

    def _set_owner(self, handoff: Handoff, staff_id: str | None) -> Handoff:
        state = HandoffState.OPEN if staff_id is None else HandoffState.CLAIMED
        now = self.history.clock().isoformat()
        with self.history.transaction() as db:
            db.execute("UPDATE handoffs SET owner_id = ?, claimed_at = ?, state = ?, last_activity_at = ? WHERE id = ?",
                       [staff_id, None if staff_id is None else now, str(state), now, handoff.id])
        updated = self.get(handoff.id)
        assert updated is not None
        return updated
