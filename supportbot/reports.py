"""Honest numbers: each conversation is attributed to the bot or to a person, never both.

One denominator, the conversations started in the window. A conversation counts for the bot only
if it was never handed off and the same customer needed no person within ``reopen_days`` after it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .history import History

__all__ = ["ConversationReport", "conversation_report"]


@dataclass(frozen=True)
class ConversationReport:
    conversations: int
    resolved_by_bot: int
    handed_to_human: int
    first_response_p50_s: float | None
    time_to_human_p50_s: float | None
    csat_average: float | None
    csat_count: int

    @property
    def bot_share(self) -> float:
        return self.resolved_by_bot / self.conversations if self.conversations else 0.0

    @property
    def human_share(self) -> float:
        return self.handed_to_human / self.conversations if self.conversations else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "bot_share": self.bot_share, "human_share": self.human_share}

    def as_text(self) -> str:
        if not self.conversations:
            return "No conversations in this period."
        lines = [
            f"Conversations: {self.conversations}",
            f"Resolved by the bot alone: {self.resolved_by_bot} ({self.bot_share:.0%})",
            f"Handed to a person: {self.handed_to_human} ({self.human_share:.0%})",
            f"First response (median): {_seconds(self.first_response_p50_s)}",
            f"Time to a person (median): {_seconds(self.time_to_human_p50_s)}",
            f"CSAT: {self.csat_average:.2f} / 5 from {self.csat_count} rating(s)" if self.csat_count else "CSAT: no ratings yet",
        ]
        return "\n".join(lines)


def conversation_report(history: History, *, since: datetime, reopen_days: float = 1.0) -> ConversationReport:
    db = history.db
    conversations = db.execute(
        "SELECT c.id, c.customer_id, c.last_message_at, "
        "  (SELECT MIN(created_at) FROM messages WHERE conversation_id = c.id AND direction = 'in') AS first_in, "
        "  (SELECT MIN(created_at) FROM messages WHERE conversation_id = c.id AND direction = 'out') AS first_out, "
        "  (SELECT COUNT(*) FROM handoffs WHERE conversation_id = c.id) AS handoffs "
        "FROM conversations c WHERE c.started_at >= ? AND EXISTS "
        "  (SELECT 1 FROM messages WHERE conversation_id = c.id AND direction = 'in')",
        [since.isoformat()],
    ).fetchall()
    handoff_times: dict[int, list[datetime]] = {}
    for customer_id, opened in db.execute(
        "SELECT c.customer_id, h.opened_at FROM handoffs h JOIN conversations c ON c.id = h.conversation_id"
    ):
        handoff_times.setdefault(customer_id, []).append(datetime.fromisoformat(opened))
    window = timedelta(days=reopen_days)
    bot = human = 0
    first_responses = []
    for _id, customer_id, last, first_in, first_out, handoffs in conversations:
        last_at = datetime.fromisoformat(last)
        came_back = any(last_at < t <= last_at + window for t in handoff_times.get(customer_id, []))
        if handoffs or came_back:
            human += 1
        else:
            bot += 1
        if first_in and first_out:
            first_responses.append((datetime.fromisoformat(first_out) - datetime.fromisoformat(first_in)).total_seconds())
    to_human = [
        (datetime.fromisoformat(reply) - datetime.fromisoformat(opened)).total_seconds()
        for opened, reply in db.execute(
            "SELECT opened_at, first_staff_reply_at FROM handoffs WHERE first_staff_reply_at IS NOT NULL AND opened_at >= ?",
            [since.isoformat()])
    ]
    ratings = [r for (r,) in db.execute("SELECT csat FROM handoffs WHERE csat IS NOT NULL AND opened_at >= ?",
                                        [since.isoformat()])]
    return ConversationReport(
        conversations=len(conversations), resolved_by_bot=bot, handed_to_human=human,
        first_response_p50_s=statistics.median(first_responses) if first_responses else None,
        time_to_human_p50_s=statistics.median(to_human) if to_human else None,
        csat_average=statistics.fmean(ratings) if ratings else None, csat_count=len(ratings),
    )


def _seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.0f} min"
