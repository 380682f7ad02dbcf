"""The insights report: what customers asked, who resolved it, how fast, and what the FAQ lacks.

:func:`collect` reads the record once (SQL only); :func:`group_gaps` groups the unanswered
questions by meaning with whatever embedder the caller has; the result renders as text (the
``/insights`` reply), PNG charts, one CSV per table and an HTML page (``bot.py report``).

Every table adds up to a total stated in ``totals.csv``: conversations split by who resolved them
(one denominator, the conversations started in the window), messages by intent, handoffs by
reason, unanswered questions by group, reviews by week and sentiment.
"""

from __future__ import annotations

import csv
import html
import importlib
import io
import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from supportbot.history import History
from supportbot.reports import ConversationReport, conversation_report, render_chart, seconds_text

from .grouping import Group, paraphrase_groups

__all__ = ["ACCEPTED_OFFER", "GAP_REASONS", "InsightsReport", "collect", "group_gaps", "monthly_trend",
           "write_report"]

#: Outcomes that mean "the knowledge base had no answer to this" (``not_sold`` is product lookup's
#: "we don't sell X": no product found, a person offered).
GAP_REASONS = ("no_grounded_answer", "product_not_found", "not_sold", "no_knowledge_base",
               "still_unclear", "unsupported_promise", "no_plugin_answered")
#: A customer's "yes" to the offer of a person after ``product_not_found``/``not_sold``: the handoff
#: is the previous message's, whose text its details keep as ``asked`` (counted once, at that message).
ACCEPTED_OFFER = "product_not_found_accepted"
#: Handoffs that were not questions the FAQ could have answered: a person's matter whatever the
#: FAQ says (asked for, a complaint, an upset customer, a file to look at, ``urgent:*``).
NOT_GAPS = ("asked_for_human", "vip_customer", "flagged_customer", "keyword", "customer_returned",
            "rate_limited", "csat", "complaint", "negative_sentiment", "attachment", ACCEPTED_OFFER)
URGENT_PREFIX = "urgent:"

Table = tuple[tuple[str, ...], list[tuple[object, ...]]]


@dataclass
class InsightsReport:
    days: int
    since: datetime
    conversations: ConversationReport
    messages: int
    intents: list[tuple[str, int]]
    handoffs: int
    handoff_reasons: list[tuple[str, int]]
    reviews_by_week: list[tuple[date, int, int, int]]
    """(week starting, negative, positive, not scored) per week with reviews."""
    gap_questions: list[str] = field(default_factory=list)
    gaps: list[Group] = field(default_factory=list)
    drafts: dict[str, int] = field(default_factory=dict)
    """Replies the bot drafted for staff, by what staff did: sent (as is), edited, discarded, drafted (open)."""

    @property
    def reviews(self) -> int:
        return sum(n + p + u for _, n, p, u in self.reviews_by_week)

    def as_text(self, *, gaps: int = 5) -> str:
        c = self.conversations
        lines = [f"**Last {self.days} days**", c.as_text()]
        if self.intents:
            lines.append("Top intents: " + ", ".join(f"{name} {n}" for name, n in self.intents[:5]))
        if self.handoff_reasons:
            lines.append("Handoffs: " + ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in
                                                  self.handoff_reasons[:5]))
        if self.reviews:
            negative = sum(n for _, n, _, _ in self.reviews_by_week)
            scored = self.reviews - sum(u for *_, u in self.reviews_by_week)
            share = f"{negative / scored:.0%} negative" if scored else "not scored yet"
            lines.append(f"Reviews: {self.reviews} ({share})")
        if self.drafts:
            sent, edited, discarded = (self.drafts.get(k, 0) for k in ("sent", "edited", "discarded"))
            decided = sent + edited + discarded
            unchanged = f" ({sent / decided:.0%} used unchanged)" if decided else ""
            lines.append(f"Drafted replies: {sent} sent as is, {edited} edited, {discarded} discarded{unchanged}")
        if self.gaps:
            lines.append("Knowledge gaps (questions the bot could not answer, by meaning):")
            for group in self.gaps[:gaps]:
                lines.append(f"  {group.count}x \"{group.quotes[0]}\"")
        return "\n".join(lines)

    def tables(self) -> dict[str, Table]:
        c = self.conversations
        share = (lambda n: round(n / c.conversations, 4)) if c.conversations else (lambda n: 0.0)
        return {
            "totals": (("measure", "value"), [
                ("conversations", c.conversations), ("messages", self.messages), ("handoffs", self.handoffs),
                ("gap_questions", len(self.gap_questions)), ("reviews", self.reviews),
                ("first_response_p50_s", _num(c.first_response_p50_s)),
                ("first_response_p90_s", _num(c.first_response_p90_s)),
                ("time_to_human_p50_s", _num(c.time_to_human_p50_s)),
                ("time_to_human_p90_s", _num(c.time_to_human_p90_s)),
                ("csat_average", _num(c.csat_average)), ("csat_count", c.csat_count)]),
            "resolution": (("resolved_by", "conversations", "share"), [
                ("bot alone", c.resolved_by_bot, share(c.resolved_by_bot)),
                ("a person", c.handed_to_human, share(c.handed_to_human))]),
            "daily": (("day", "bot_alone", "a_person", "conversations"),
                      [(d.isoformat(), b, h, b + h) for d, b, h in c.daily]),
            "intents": (("intent", "messages"), list(self.intents)),
            "drafts": (("staff_did", "drafts"), sorted(self.drafts.items())),
            "handoff_reasons": (("reason", "handoffs"), list(self.handoff_reasons)),
            "knowledge_gaps": (("question", "times_asked", "also_asked_as"), [
                (g.quotes[0], g.count, " | ".join(g.quotes[1:])) for g in self.gaps]),
            "review_sentiment": (("week", "negative", "positive", "not_scored"),
                                 [(w.isoformat(), n, p, u) for w, n, p, u in self.reviews_by_week]),
        }

    def charts(self) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        if self.conversations.conversations:
            out["conversations.png"] = render_chart(self.conversations)
        if self.intents:
            out["intents.png"] = _bars("Top intents", self.intents[:10], "messages")
        if self.handoff_reasons:
            out["handoffs.png"] = _bars("Handoff reasons", [(r.replace("_", " "), n) for r, n in self.handoff_reasons],
                                        "handoffs")
        if self.reviews_by_week:
            out["reviews.png"] = sentiment_chart(self.reviews_by_week)
        return out


def _num(value: float | None) -> object:
    return "" if value is None else round(value, 2)


def collect(history: History, *, days: int, reopen_days: float = 1.0) -> InsightsReport:
    """Everything but the gap groups, from the record (one pass of SQL)."""
    since = history.clock() - timedelta(days=days)
    db = history.db
    start = since.isoformat()
    intents: Counter[str] = Counter()
    messages = 0
    for (raw,) in db.execute("SELECT understanding FROM messages WHERE direction = 'in' AND created_at >= ?", [start]):
        messages += 1
        intents[(json.loads(raw) or {}).get("intent") or "(none)" if raw else "(none)"] += 1
    reasons = Counter(dict(db.execute(
        "SELECT COALESCE(reason, 'unspecified'), count(*) FROM handoffs WHERE opened_at >= ? GROUP BY 1", [start])))
    marks = ",".join("?" * len(GAP_REASONS))
    not_gaps = ",".join("?" * len(NOT_GAPS))
    questions = [text for (text,) in db.execute(
        f"SELECT m.text FROM messages m JOIN outcomes o ON o.message_id = m.id WHERE m.created_at >= ? "
        f"AND (o.reason IN ({marks}) OR (o.kind = 'handed_off' AND COALESCE(o.reason, '') NOT IN ({not_gaps}) "
        "AND COALESCE(o.reason, '') NOT LIKE ?)) ORDER BY m.id",
        [start, *GAP_REASONS, *NOT_GAPS, URGENT_PREFIX + "%"])]
    drafts = dict(db.execute("SELECT status, count(*) FROM escalation_drafts WHERE created_at >= ? GROUP BY 1",
                             [start])) if db["escalation_drafts"].exists() else {}
    return InsightsReport(
        days=days, since=since, conversations=_conversations(history, since=since, reopen_days=reopen_days),
        messages=messages, intents=intents.most_common(), handoffs=sum(reasons.values()),
        handoff_reasons=reasons.most_common(), reviews_by_week=reviews_by_week(history, since=since.date()),
        gap_questions=questions, drafts=drafts)


def _conversations(history: History, *, since: datetime, reopen_days: float) -> ConversationReport:
    """The core's report, with the staff desk's figures (time to a person, CSAT) when escalation runs."""
    if history.db["escalation_handoffs"].exists():
        # By name: each shipped plugin is its own top-level package to the loader and to mypy.
        store = importlib.import_module("plugins.escalation.store")
        return store.staff_report(history, since=since, reopen_days=reopen_days)
    return conversation_report(history, since=since, reopen_days=reopen_days)


def reviews_by_week(history: History, *, since: date | None = None, where: str = "",
                    args: Sequence[object] = ()) -> list[tuple[date, int, int, int]]:
    """Reviews per week (Monday) by sentiment; reviews without a date count in their import week."""
    if not history.db["insights_reviews"].exists():
        return []
    weeks: dict[date, list[int]] = {}
    for day, sentiment in history.db.execute(
            "SELECT COALESCE(reviewed_at, substr(imported_at, 1, 10)), sentiment FROM insights_reviews "
            f"WHERE 1 = 1 {where}", list(args)):
        when = date.fromisoformat(day[:10])
        if since is not None and when < since:
            continue
        week = when - timedelta(days=when.weekday())
        counts = weeks.setdefault(week, [0, 0, 0])
        counts[0 if sentiment == "negative" else 1 if sentiment == "positive" else 2] += 1
    return [(w, *weeks[w]) for w in sorted(weeks)]  # type: ignore[misc]


def monthly_trend(weeks: Sequence[tuple[date, int, int, int]], *, months: int = 6) -> str | None:
    """The negative share of scored reviews in each of the last ``months`` months that have any
    ("Feb 2026 50% of 12, Mar 2026 33% of 9"), a week counting in its Monday's month; None for
    fewer than two such months, where there is no trend to tell."""
    by_month: dict[tuple[int, int], list[int]] = {}
    for week, negative, positive, _ in weeks:
        if negative + positive:
            counts = by_month.setdefault((week.year, week.month), [0, 0])
            counts[0] += negative
            counts[1] += negative + positive
    if len(by_month) < 2:
        return None
    return ", ".join(f"{date(y, m, 1):%b %Y} {n / total:.0%} of {total}"
                     for (y, m), (n, total) in sorted(by_month.items())[-months:])


def group_gaps(report: InsightsReport, embed: Callable[[list[str]], np.ndarray] | None) -> None:
    """Group the unanswered questions by meaning (by their exact words without an embedder)."""
    texts = report.gap_questions
    if not texts:
        report.gaps = []
        return
    if embed is not None:
        try:
            report.gaps = paraphrase_groups(texts, np.asarray(embed(list(texts)), dtype=np.float32))
            return
        except Exception:  # the embedder failed: fall back to exact repeats rather than no list
            pass
    by_text: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        by_text.setdefault(" ".join(text.lower().split()), []).append(i)
    report.gaps = sorted((Group((), tuple(ids), (texts[ids[0]],)) for ids in by_text.values()),
                         key=lambda g: -g.count)


# --- charts -------------------------------------------------------------------------------------


def _figure(width: float = 7, height: float = 3.2):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")  # before any pyplot: no display, safe in a worker thread
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    return figure, figure.subplots()


def _png(figure) -> bytes:  # type: ignore[no-untyped-def]
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _bars(title: str, rows: Sequence[tuple[str, int]], unit: str) -> bytes:
    from matplotlib.ticker import MaxNLocator

    figure, axes = _figure(7, 0.6 + 0.35 * len(rows))
    labels = [name for name, _ in rows][::-1]
    values = [n for _, n in rows][::-1]
    axes.barh(labels, values, color="#4c72b0")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.2 of a handoff
    axes.set_xlabel(unit)
    axes.set_title(title)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def sentiment_chart(weeks: Sequence[tuple[date, int, int, int]], title: str = "Review sentiment by week") -> bytes:
    """Stacked bars per week: negative, positive and not scored."""
    from matplotlib.dates import MO, DateFormatter, WeekdayLocator
    from matplotlib.ticker import MaxNLocator

    figure, axes = _figure()
    x = [w for w, *_ in weeks]
    negative = [n for _, n, _, _ in weeks]
    positive = [p for _, _, p, _ in weeks]
    unscored = [u for *_, u in weeks]
    axes.bar(x, negative, width=5, label="negative", color="#c44e52")
    axes.bar(x, positive, width=5, bottom=negative, label="positive", color="#55a868")
    if any(unscored):
        axes.bar(x, unscored, width=5, bottom=[n + p for n, p in zip(negative, positive)], label="not scored",
                 color="#bbbbbb")
    axes.set_ylabel("reviews")
    axes.set_ylim(0, max(n + p + u for n, p, u in zip(negative, positive, unscored)) * 1.3)  # room for the legend
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    # Each bar is labelled with its week's Monday, at most ten labels.
    axes.xaxis.set_major_locator(WeekdayLocator(byweekday=MO, interval=max(1, math.ceil(_weeks(x) / 10))))
    axes.xaxis.set_major_formatter(DateFormatter("%b %d"))
    axes.set_title(title)
    axes.legend(loc="upper left", frameon=False, ncols=3)
    axes.spines[["top", "right"]].set_visible(False)
    figure.autofmt_xdate()
    return _png(figure)


def _weeks(mondays: Sequence[date]) -> int:
    return (mondays[-1] - mondays[0]).days // 7 + 1


# --- files --------------------------------------------------------------------------------------


def write_report(report: InsightsReport, out: Path) -> list[Path]:
    """PNG charts, one CSV per table and ``index.html`` showing them together, in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    charts = report.charts()
    for name, png in charts.items():
        (out / name).write_bytes(png)
        written.append(out / name)
    tables = report.tables()
    for name, (header, rows) in tables.items():
        with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        written.append(out / f"{name}.csv")
    (out / "index.html").write_text(_html(report, charts, tables), encoding="utf-8")
    written.append(out / "index.html")
    return written


def _html(report: InsightsReport, charts: dict[str, bytes], tables: dict[str, Table]) -> str:
    e = html.escape
    c = report.conversations
    parts = [
        "<!doctype html><html lang=en><meta charset=utf-8>",
        f"<title>Support insights, last {report.days} days</title>",
        "<style>body{font:15px system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;padding:.25em .8em;"
        "text-align:left}img{max-width:100%}</style>",
        f"<h1>Support insights: the last {report.days} days</h1>",
        f"<p>Since {e(report.since.date().isoformat())}: {c.conversations} conversations, "
        f"{c.bot_share:.0%} resolved by the bot alone, {c.human_share:.0%} by a person; first response "
        f"{e(seconds_text(c.first_response_p50_s))} (median), time to a person "
        f"{e(seconds_text(c.time_to_human_p50_s))} (median), {e(seconds_text(c.time_to_human_p90_s))} (p90).</p>",
    ]
    parts += [f'<img src="{e(name)}" alt="{e(name[:-4])} chart">' for name in charts]
    for name, (header, rows) in tables.items():
        parts.append(f"<h2>{e(name.replace('_', ' ').capitalize())}</h2>"
                     f'<p><a href="{e(name)}.csv">{e(name)}.csv</a></p>')
        parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>" for row in rows]
        parts.append("</table>")
    return "\n".join(parts) + "\n</html>\n"
