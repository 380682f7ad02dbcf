"""Honest numbers: each conversation is attributed to the bot or to a person, never both.

One denominator, the conversations started in the window. A conversation counts for the bot only
if it was never handed off and the same customer needed no person within ``reopen_days`` after it.
Figures only a staff desk knows (time to a person, CSAT) are the desk's to fill in
(``dataclasses.replace(report, ...)``); the core leaves them empty.
"""

from __future__ import annotations

import io
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .history import History

__all__ = ["ConversationReport", "conversation_report", "render_chart", "percentile", "seconds_text"]


@dataclass(frozen=True)
class ConversationReport:
    conversations: int
    resolved_by_bot: int
    handed_to_human: int
    first_response_p50_s: float | None
    time_to_human_p50_s: float | None = None
    csat_average: float | None = None
    csat_count: int = 0
    daily: tuple[tuple[date, int, int], ...] = field(default=())
    """(day, resolved by the bot, handed to a person) for each day with conversations, by start day."""
    first_response_p90_s: float | None = None
    time_to_human_p90_s: float | None = None

    @property
    def bot_share(self) -> float:
        return self.resolved_by_bot / self.conversations if self.conversations else 0.0

    @property
    def human_share(self) -> float:
        return self.handed_to_human / self.conversations if self.conversations else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "daily"}
        out["daily"] = [{"day": d.isoformat(), "bot": b, "human": h} for d, b, h in self.daily]
        return {**out, "bot_share": self.bot_share, "human_share": self.human_share}

    def as_text(self) -> str:
        if not self.conversations:
            return "No conversations in this period."
        lines = [
            f"Conversations: {self.conversations}",
            f"Resolved by the bot alone: {self.resolved_by_bot} ({self.bot_share:.0%})",
            f"Handed to a person: {self.handed_to_human} ({self.human_share:.0%})",
            f"First response (median / p90): {seconds_text(self.first_response_p50_s)} / {seconds_text(self.first_response_p90_s)}",
            f"Time to a person (median / p90): {seconds_text(self.time_to_human_p50_s)} / {seconds_text(self.time_to_human_p90_s)}",
            f"CSAT: {self.csat_average:.2f} / 5 from {self.csat_count} rating(s)" if self.csat_count else "CSAT: no ratings yet",
        ]
        return "\n".join(lines)


def conversation_report(history: History, *, since: datetime, reopen_days: float = 1.0) -> ConversationReport:
    db = history.db
    conversations = db.execute(
        "SELECT c.id, c.customer_id, c.started_at, c.last_message_at, "
        "  (SELECT MIN(created_at) FROM messages WHERE conversation_id = c.id AND direction = 'in') AS first_in, "
        "  (SELECT MIN(created_at) FROM messages WHERE conversation_id = c.id AND direction = 'out') AS first_out, "
        "  (SELECT COUNT(*) FROM handoffs WHERE conversation_id = c.id) + (SELECT COUNT(*) FROM outcomes o "
        "   JOIN messages m ON m.id = o.message_id WHERE m.conversation_id = c.id AND o.kind = 'handed_off') "
        "  AS handoffs "
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
    by_day_bot: Counter[date] = Counter()
    by_day_human: Counter[date] = Counter()
    first_responses = []
    for _id, customer_id, started, last, first_in, first_out, handoffs in conversations:
        last_at = datetime.fromisoformat(last)
        day = datetime.fromisoformat(started).date()
        came_back = any(last_at < t <= last_at + window for t in handoff_times.get(customer_id, []))
        if handoffs or came_back:
            human += 1
            by_day_human[day] += 1
        else:
            bot += 1
            by_day_bot[day] += 1
        if first_in and first_out:
            first_responses.append((datetime.fromisoformat(first_out) - datetime.fromisoformat(first_in)).total_seconds())
    return ConversationReport(
        conversations=len(conversations), resolved_by_bot=bot, handed_to_human=human,
        first_response_p50_s=statistics.median(first_responses) if first_responses else None,
        first_response_p90_s=percentile(first_responses, 90),
        daily=tuple((d, by_day_bot[d], by_day_human[d]) for d in sorted(by_day_bot.keys() | by_day_human.keys())),
    )


def render_chart(report: ConversationReport) -> bytes:
    """A PNG of conversations per day, stacked: resolved by the bot alone, handed to a person."""
    import matplotlib
    import matplotlib.dates
    import matplotlib.ticker

    matplotlib.use("Agg")  # no display; safe in a worker thread
    from matplotlib.figure import Figure

    days = [d for d, _, _ in report.daily]
    bots = [b for _, b, _ in report.daily]
    humans = [h for _, _, h in report.daily]
    figure = Figure(figsize=(7, 3.2), dpi=100)
    axes = figure.subplots()
    # matplotlib takes dates through its unit converters; its stubs type the x values as numbers only.
    axes.bar(days, bots, label="resolved by the bot alone", color="#4c9f70")  # type: ignore[arg-type]
    axes.bar(days, humans, bottom=bots, label="handed to a person", color="#d9822b")  # type: ignore[arg-type]
    axes.set_ylabel("conversations")
    axes.set_ylim(0, max(b + h for b, h in zip(bots, humans)) * 1.3)  # headroom for the legend
    # Whole days only: the automatic locator ticks hours over a short span, each labelled with its day.
    span = (days[-1] - days[0]).days + 1
    axes.xaxis.set_major_locator(matplotlib.dates.DayLocator(interval=max(1, math.ceil(span / 10))))
    axes.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%b %d"))
    axes.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axes.set_title(f"{report.conversations} conversations: {report.bot_share:.0%} by the bot alone")
    axes.legend(loc="upper left", ncols=2, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.autofmt_xdate()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile of ``values`` (numpy's linear interpolation), None for no values."""
    import numpy as np

    return float(np.percentile(values, q)) if values else None


def seconds_text(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.0f} min"
