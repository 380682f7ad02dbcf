"""Insights for staff: reviews, the support report, and FAQ entries learnt from staff answers.

Commands (staff only): ``/reviews sku:|category:``, ``/insights [days]`` and ``/faq-suggestions``.
The plugin owns the ``insights_*`` tables (reviews and FAQ suggestions) and erases a customer's
suggestions through :meth:`delete_user_data`.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from supportbot.actions import CommandResult
from supportbot.events import HandoffResolved
from supportbot.knowledge.report import ImportReport
from supportbot.knowledge.store import PassageRecord, write_passages
from supportbot.plugin import CommandContext, Option, Plugin, PluginSettings, autocomplete, command, listener

from .grouping import themes
from .report import ACCEPTED_OFFER, GAP_REASONS, collect, group_gaps, monthly_trend, reviews_by_week, sentiment_chart
from .schema import ensure_schema
from .sentiment import classify_reviews

__all__ = ["Insights", "InsightsSettings"]

#: Where accepted suggestions are recorded as coming from (a re-import of the merchant's own FAQ
#: file, which prunes by file, leaves them alone).
SUGGESTION_SOURCE = "faq-suggestions"


class InsightsSettings(PluginSettings):
    review_columns: dict[str, str] = Field(
        default_factory=lambda: {"id": "id", "sku": "sku", "rating": "rating", "text": "text", "date": "date",
                                 "title": "title", "author": "author"},
        description="Review field -> column of your export; `--map` overrides per import.")
    default_days: int = Field(30, ge=1, description="/insights looks back this many days unless told.")
    themes: int = Field(3, ge=1, le=8, description="Complaint and praise themes shown by /reviews.")


class Insights(Plugin):
    name = "insights"
    Settings = InsightsSettings
    settings: InsightsSettings

    async def plugin_load(self) -> None:
        ensure_schema(self.bot.history.db)

    @property
    def cache_dir(self) -> Path:
        config = self.bot.config
        return config.resolve(Path(config.database.path)).parent / ".supportbot-cache"

    def _embed_sync(self) -> Any:
        runner = self.bot.runner
        if runner is None or not getattr(runner, "embeddings_available", False):
            return None
        return lambda texts: runner.embed_sync(list(texts), progress=False)

    # --- /reviews -------------------------------------------------------------------------------

    @command("reviews", "Ratings, sentiment, complaint and praise themes of a product or category", staff_only=True)
    async def reviews(self, ctx: CommandContext, sku: str | None = Option("product key", default=None),
                      category: str | None = Option("category or subcategory (or its start)", default=None)
                      ) -> CommandResult:
        return await asyncio.to_thread(self._reviews, sku, category)

    def _reviews(self, sku: str | None, category: str | None) -> CommandResult:
        db = self.bot.history.db
        why_not = classify_reviews(db, self.cache_dir, self._embed_sync())
        where, args, what = self._scope(sku, category)
        rows = db.execute(f"SELECT rating, sentiment, text, vector FROM insights_reviews WHERE 1 = 1 {where}",
                          args).fetchall()
        if not rows:
            return CommandResult(f"No reviews of {what}. Import them with `python bot.py import reviews FILE`.")
        ratings = [r for r, *_ in rows if r is not None]
        negative = [i for i, row in enumerate(rows) if row[1] == "negative"]
        positive = [i for i, row in enumerate(rows) if row[1] == "positive"]
        lines = [f"**{len(rows)} reviews of {what}**"]
        if ratings:
            stars = {s: sum(1 for r in ratings if round(r) == s) for s in range(5, 0, -1)}
            lines.append(f"Rating {np.mean(ratings):.2f} / 5 from {len(ratings)}: "
                         + ", ".join(f"{s}★ {n}" for s, n in stars.items()))
        if negative or positive:
            lines.append(f"Sentiment: {len(negative)} negative ({len(negative) / len(rows):.0%}), "
                         f"{len(positive)} positive ({len(positive) / len(rows):.0%})")
        if why_not:
            lines.append(f"(No sentiment: {why_not}.)")
        for title, members in (("Top complaints", negative), ("Top praise", positive)):
            groups = self._themes(rows, members)
            if groups:
                lines.append(f"{title}:")
                for group in groups[: self.settings.themes]:
                    quotes = " / ".join(f"\"{_short(q)}\"" for q in group.quotes)
                    lines.append(f"  • {group.name} ({group.count}): {quotes}")
        weeks = reviews_by_week(self.bot.history, where=where, args=args)
        trend = monthly_trend(weeks)
        if trend:
            lines.append(f"Trend, negative by month: {trend}")
        files = (("reviews.png", sentiment_chart(weeks, f"Reviews of {what} by week")),) if weeks else ()
        return CommandResult("\n".join(lines), files=files)

    @staticmethod
    def _scope(sku: str | None, category: str | None) -> tuple[str, list[Any], str]:
        if sku:
            return "AND sku = ?", [sku], sku
        if category:
            # Stored as a path ("Footwear > Trail", parsing.parse_category): the path's start or any
            # level's start, so "Trail" finds the trail shoes and "Footwear" all of them.
            start = category.strip().replace("%", "\\%").replace("_", "\\_") + "%"
            return ("AND sku IN (SELECT sku FROM kb_products WHERE category LIKE ? ESCAPE '\\' "
                    "OR category LIKE ? ESCAPE '\\')", [start, "% > " + start], f"category {category}")
        return "", [], "every product"

    @staticmethod
    def _themes(rows: list[tuple[Any, ...]], members: list[int]) -> list[Any]:
        with_vectors = [i for i in members if rows[i][3] is not None]
        if len(with_vectors) < 2:
            return []
        vectors = np.vstack([np.frombuffer(rows[i][3], dtype=np.float32) for i in with_vectors])
        groups = themes([rows[i][2] for i in with_vectors], vectors)
        return [g for g in groups if g.count > 1] or groups  # a theme is something said more than once

    @autocomplete("reviews", "sku")
    async def complete_sku(self, ctx: CommandContext, current: str) -> list[str]:
        return [sku for (sku,) in self.bot.history.db.execute(
            "SELECT DISTINCT sku FROM insights_reviews WHERE sku LIKE ? ORDER BY sku LIMIT 25", [f"{current}%"])]

    # --- /insights ------------------------------------------------------------------------------

    @command("insights", "Volume, intents, who resolved what, response times, CSAT, reviews and knowledge gaps",
             staff_only=True)
    async def insights(self, ctx: CommandContext, days: int | None = Option("look back this many days", default=None)
                       ) -> CommandResult:
        report = await asyncio.to_thread(self.build_report, days or self.settings.default_days)
        charts = await asyncio.to_thread(report.charts)
        return CommandResult(report.as_text(), files=tuple(charts.items()))

    def build_report(self, days: int) -> Any:
        """The whole report, gaps grouped (blocking: call it in a thread)."""
        classify_reviews(self.bot.history.db, self.cache_dir, self._embed_sync())
        escalation = self.bot.plugins.get("escalation")
        hours = getattr(getattr(escalation, "settings", None), "reopen_within_hours", 24.0)
        report = collect(self.bot.history, days=days, reopen_days=hours / 24)
        group_gaps(report, self._embed_sync())
        return report

    # --- FAQ suggestions ------------------------------------------------------------------------

    @listener(HandoffResolved)
    async def suggest_faq(self, event: HandoffResolved) -> None:
        """A handoff whose question had no grounded answer: staff's reply may be the FAQ entry."""
        if event.staff_id in (None, "auto"):
            return
        db = self.bot.history.db
        reasons = (*GAP_REASONS, ACCEPTED_OFFER)
        marks = ",".join("?" * len(reasons))
        # An accepted offer's own text is "yes please"; the question is the one it kept as 'asked'.
        asked = db.execute(
            "SELECT COALESCE(json_extract(o.details, '$.asked'), m.text), m.id FROM outcomes o "
            "JOIN messages m ON m.id = o.message_id WHERE m.conversation_id = ? "
            f"AND o.reason IN ({marks}) AND json_extract(o.details, '$.handoff_id') = ? ORDER BY m.id LIMIT 1",
            [event.conversation_id, *reasons, event.handoff_id]).fetchone()
        if asked is None:
            return
        replies = [text for (text,) in db.execute(
            "SELECT text FROM messages WHERE conversation_id = ? AND direction = 'out' AND author_id LIKE 'staff:%' "
            "AND id > ? ORDER BY id", [event.conversation_id, asked[1]])]
        answer = "\n".join(replies) or (event.note or "")
        if not answer.strip():
            return
        with db.conn:
            db.execute("INSERT OR IGNORE INTO insights_faq_suggestions(handoff_id, conversation_id, question, answer, "
                       "state, created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
                       [event.handoff_id, event.conversation_id, asked[0], answer, _now()])

    @command("faq-suggestions", "Questions staff answered by hand: accept (edited if needed), merge or dismiss",
             staff_only=True)
    async def faq_suggestions(
        self, ctx: CommandContext,
        action: str = Option("what to do", default="list", choices=("list", "accept", "merge", "dismiss")),
        suggestion: int | None = Option("suggestion number (see the list)", default=None),
        question: str | None = Option("the question as the FAQ should word it (accept)", default=None),
        answer: str | None = Option("the answer as the FAQ should word it (accept)", default=None),
        into: str | None = Option("the FAQ question this one is another wording of (merge)", default=None),
    ) -> CommandResult:
        db = self.bot.history.db
        if action == "list":
            rows = db.execute("SELECT id, question, answer FROM insights_faq_suggestions WHERE state = 'pending' "
                              "ORDER BY id").fetchall()
            if not rows:
                return CommandResult("No FAQ suggestions waiting.")
            return CommandResult("\n".join(f"#{i} Q: {_short(q, 120)}\n    A: {_short(a, 200)}" for i, q, a in rows))
        row = db.execute("SELECT question, answer, state FROM insights_faq_suggestions WHERE id = ?",
                         [suggestion]).fetchone() if suggestion is not None else None
        if row is None or row[2] != "pending":
            return CommandResult("No such waiting suggestion; `/faq-suggestions` lists them.")
        if action == "dismiss":
            self._decide(suggestion, "dismissed", ctx.author_id, None)  # type: ignore[arg-type]
            return CommandResult(f"Suggestion #{suggestion} dismissed.")
        if self.bot.knowledge is None:
            return CommandResult("There is no knowledge base to add it to.")
        if action == "merge":
            if not into:
                return CommandResult("Name the FAQ question to merge into with into:.")
            key = await asyncio.to_thread(self._merge, row[0], into)
            if key is None:
                return CommandResult(f"No FAQ entry asks {into!r}.")
            self._decide(suggestion, "merged", ctx.author_id, key)  # type: ignore[arg-type]
            return CommandResult(f"Suggestion #{suggestion} merged: \"{_short(row[0])}\" now finds that FAQ entry.")
        final_q, final_a = (question or row[0]).strip(), (answer or row[1]).strip()
        key = await asyncio.to_thread(self._add_entry, final_q, final_a)
        self._decide(suggestion, "accepted", ctx.author_id, key)  # type: ignore[arg-type]
        return CommandResult(f"Suggestion #{suggestion} is now in the FAQ; the bot answers it from now on.")

    @autocomplete("faq-suggestions", "into")
    async def complete_faq(self, ctx: CommandContext, current: str) -> list[str]:
        return [t for (t,) in self.bot.history.db.execute(
            "SELECT title FROM kb_passages WHERE kind = 'faq' AND title LIKE ? ORDER BY title LIMIT 25",
            [f"%{current}%"])]

    def _decide(self, suggestion: int, state: str, staff_id: str, key: str | None) -> None:
        db = self.bot.history.db
        with db.conn:
            db.execute("UPDATE insights_faq_suggestions SET state = ?, decided_at = ?, decided_by = ?, faq_key = ? "
                       "WHERE id = ?", [state, _now(), staff_id, key, suggestion])

    def _add_entry(self, question: str, answer: str) -> str:
        key = " ".join(question.lower().split())
        record = PassageRecord(row=1, key=key, title=question, text=answer)
        self._write([record], SUGGESTION_SOURCE)
        return key

    def _merge(self, question: str, into: str) -> str | None:
        db = self.bot.history.db
        found = db.execute("SELECT key, title, text, tags, alternatives, source FROM kb_passages WHERE kind = 'faq' "
                           "AND lower(title) = lower(?)", [into.strip()]).fetchone()
        if found is None:
            return None
        key, title, text, tags, alternatives, source = found
        merged = [*json.loads(alternatives or "[]"), question]
        self._write([PassageRecord(row=1, key=key, title=title, text=text, tags=json.loads(tags or "[]"),
                                   alternatives=list(dict.fromkeys(merged)))], source or SUGGESTION_SOURCE)
        return str(key)

    def _write(self, records: list[PassageRecord], source: str) -> None:
        report = ImportReport(kind="faq", path=Path(source))
        assert self.bot.knowledge is not None, "checked by the command before it writes"
        write_passages(self.bot.knowledge, "faq", records, report, source=source, progress=False, prune=False)

    # --- customers' data ------------------------------------------------------------------------

    async def delete_user_data(self, customer_id: int) -> None:
        db = self.bot.history.db
        with db.conn:
            db.execute("DELETE FROM insights_faq_suggestions WHERE conversation_id IN "
                       "(SELECT id FROM conversations WHERE customer_id = ?)", [customer_id])

    async def export_user_data(self, customer_id: int) -> dict[str, Any]:
        rows = self.bot.history.db.execute(
            "SELECT question, answer, state, created_at FROM insights_faq_suggestions WHERE conversation_id IN "
            "(SELECT id FROM conversations WHERE customer_id = ?)", [customer_id]).fetchall()
        return {"faq_suggestions": [dict(zip(("question", "answer", "state", "created_at"), r)) for r in rows]}


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

