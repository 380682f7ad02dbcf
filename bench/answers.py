"""Answer benchmark: a shop's scripted customer conversations through the real pipeline, scored.

    python -m bench.answers --shop outfitters --cases bench/cases/outfitters.jsonl
    python -m bench.answers --shop bazaar --cases bench/cases/bazaar.jsonl          # held out
    python -m bench.answers --shop DIR --cases FILE.jsonl [--config config.yaml]

``--shop`` is a folder of the merchant's files (products, FAQ, policies; a ``shop.yaml`` may name
each file and its kind), imported with the bot's own import code into a fresh database, or the
name of a shop that :mod:`bench.shops` builds from ../shared/data. The bot is the shipped one:
the config's plugins and understanding, the test transport, knowledge-only mode (no generator,
the config's embedder). Each case is one customer's conversation; the reply to its last turn is
scored.

A case, one JSON object a line: ``id``, ``cat`` (a free label), ``turns`` (the customer's messages),
``expect`` (``answer``, ``handoff`` or ``not_found``: the bot says it does not know or does not
sell that, or hands off), ``facts`` (groups of regexes: each group must match the reply with one
of its regexes), ``products`` (names that must appear), ``forbid`` (regexes that must not),
``accept_handoff`` (a handoff counts as right for an ``answer`` case).

Scores: *correct*; *clarify* (a clarifying question, whatever was expected); *needless handoff*
(an answer was expected and the bot handed off); *wrong* (anything else: a wrong or empty answer,
an answer where a handoff was due, a product list for something the shop does not sell). An
*invented number* is a number in an answer that appears in no passage, no product and none of
the customer's own messages. Latency is per message (every turn), wall time in ``handle_message``.
The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportbot.app import build_bot
from supportbot.config import load_config
from supportbot.knowledge.shop import import_shop
from supportbot.outcomes import OutcomeKind
from supportbot.testing.transport import TestTransport

log = logging.getLogger("bench.answers")

EXPECTS = ("answer", "handoff", "not_found")
# What "I don't know" / "we don't sell that" looks like in a reply that is not a handoff.
_NOT_FOUND_REASONS = {"product_not_found", "not_sold", "not_found"}
_NOT_FOUND_TEXT = re.compile(r"couldn.?t find|could not find|don.?t (?:sell|carry|have)|do not (?:sell|carry|have)|"
                             r"not in our catalog|no such product", re.I)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")


@dataclass
class Case:
    id: str
    cat: str
    turns: list[str]
    expect: str
    facts: list[list[str]] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    forbid: list[str] = field(default_factory=list)
    accept_handoff: bool = False


@dataclass
class Result:
    case: Case
    verdict: str  # correct, wrong, needless_handoff, clarify
    kind: str  # answered, handed_off, not_found, clarify, ignored, none
    reason: str | None
    reply: str
    why: str = ""
    invented: list[str] = field(default_factory=list)


def load_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            data = json.loads(line)
            case = Case(**data)
        except (json.JSONDecodeError, TypeError) as exc:
            raise SystemExit(f"{path}:{number}: not a case ({exc})") from None
        if case.expect not in EXPECTS or not case.turns:
            raise SystemExit(f"{path}:{number}: expect must be one of {EXPECTS} and turns non-empty")
        cases.append(case)
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"{path}: duplicate case ids")
    return cases


# --- the shop ----------------------------------------------------------------------------------


def shop_folder(shop: str, workdir: Path) -> Path:
    """A shop folder as given, or a built-in benchmark shop written into ``workdir``."""
    path = Path(shop)
    if path.is_dir():
        return path
    from bench.shops import SHOPS, build_shop

    if shop in SHOPS:
        return build_shop(shop, workdir / shop)
    raise SystemExit(f"--shop {shop!r} is neither a folder nor a built-in shop ({', '.join(SHOPS)})")


def import_shop_folder(kb: Any, folder: Path) -> list[Any]:
    """Import every file of the shop with the bot's own shop importer (``bot.py import shop DIR``);
    returns each file's report."""
    report = import_shop(kb, folder)
    for name, why in report.skipped:
        print(f"not imported: {name} ({why})")
    return list(report.reports)


def known_numbers(kb: Any) -> set[str]:
    """Every number the knowledge base states (passages, product fields), normalised."""
    conn = kb.db.conn
    found: set[str] = set()
    for (text,) in conn.execute("SELECT coalesce(title, '') || ' ' || text FROM kb_passages"):
        found.update(_numbers(text))
    # a sale's regular price and end date, and the children's own prices, are stored facts too
    for row in conn.execute("SELECT name, sku, price, price_max, stock, attributes, description, sale, variants "
                            "FROM kb_products"):
        for value in row:
            if value is not None:
                found.update(_numbers(str(value)))
    return found


def _numbers(text: str) -> set[str]:
    out = set()
    for raw in _NUMBER.findall(text):
        value = raw.replace(",", "").rstrip(".")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out.add(value)
    return out


# --- playing and scoring -----------------------------------------------------------------------


def reply_text(sent: list[Any]) -> str:
    """Everything the customer saw: texts and cards (titles, fields, descriptions)."""
    parts = []
    for s in sent:
        parts.append(s.text)
        for embed in s.action.embeds:
            parts.append(embed.title)
            parts.append(embed.description)
            parts.extend(f"{k}: {v}" for k, v in embed.fields)
    return "\n".join(p for p in parts if p)


def classify(outcome: Any) -> str:
    if outcome is None:
        return "none"
    if outcome.kind is OutcomeKind.HANDED_OFF:
        return "handed_off"
    if outcome.kind is OutcomeKind.IGNORED:
        # staff own the conversation since an earlier turn's handoff: the message went to them
        return "handed_off" if outcome.reason == "relayed_to_staff" else "ignored"
    if outcome.reason == "clarify":
        return "clarify"
    if outcome.reason in _NOT_FOUND_REASONS or _NOT_FOUND_TEXT.search(outcome.text or ""):
        return "not_found"
    return "answered"


def score(case: Case, kind: str, reason: str | None, reply: str) -> tuple[str, str]:
    """(verdict, why) for the last reply of ``case``."""
    if kind == "clarify":
        return "clarify", "asked a clarifying question"
    if case.expect == "handoff":
        return ("correct", "") if kind == "handed_off" else ("wrong", f"expected a handoff, got {kind}")
    if case.expect == "not_found":
        if kind not in ("not_found", "handed_off"):
            return "wrong", f"expected not found, got {kind} ({reason})"
        bad = [f for f in case.forbid if re.search(f, reply, re.I)]
        return ("wrong", f"forbidden {bad[0]!r}") if bad else ("correct", "")
    # an answer was expected
    if kind == "handed_off":
        return ("correct", "") if case.accept_handoff else ("needless_handoff", f"handed off ({reason})")
    if kind != "answered":
        return "wrong", f"expected an answer, got {kind} ({reason})"
    for group in case.facts:
        if not any(re.search(f, reply, re.I) for f in group):
            return "wrong", f"missing fact {group[0]!r}"
    for name in case.products:
        if name.lower() not in reply.lower():
            return "wrong", f"missing product {name!r}"
    bad = [f for f in case.forbid if re.search(f, reply, re.I)]
    if bad:
        return "wrong", f"forbidden {bad[0]!r}"
    return "correct", ""


async def play(bot: Any, transport: TestTransport, cases: list[Case], numbers: set[str],
               latencies: list[float]) -> list[Result]:
    results = []
    for case in cases:
        customer = f"bench-{case.id}"
        outcome, sent = None, []
        said: set[str] = set()
        for turn in case.turns:
            said |= _numbers(turn)
            started = time.perf_counter()
            outcome, sent = await transport.say_and_outcome(turn, customer=customer, channel=f"support-{case.id}")
            latencies.append((time.perf_counter() - started) * 1000)
        kind = classify(outcome)
        # Only what the customer saw: a handoff also posts the staff thread's card and draft.
        reply = reply_text([s for s in sent if s.channel_id == f"support-{case.id}"])
        verdict, why = score(case, kind, getattr(outcome, "reason", None), reply)
        invented = sorted(_numbers(reply) - numbers - said) if kind in ("answered", "not_found") else []
        results.append(Result(case, verdict, kind, getattr(outcome, "reason", None), reply, why, invented))
    return results


def report(results: list[Result], latencies: list[float], worst: int) -> dict[str, Any]:
    by_cat: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_cat[r.case.cat].append(r)
    verdicts = ("correct", "wrong", "needless_handoff", "clarify")
    print(f"{'category':<18} {'n':>4} {'correct':>8} {'wrong':>6} {'handoff':>8} {'clarify':>8}")
    for cat in sorted(by_cat):
        rs = by_cat[cat]
        counts = [sum(r.verdict == v for r in rs) for v in verdicts]
        print(f"{cat:<18} {len(rs):>4} {counts[0]:>8} {counts[1]:>6} {counts[2]:>8} {counts[3]:>8}")
    totals = {v: sum(r.verdict == v for r in results) for v in verdicts}
    n = len(results)
    print(f"{'all':<18} {n:>4} {totals['correct']:>8} {totals['wrong']:>6} {totals['needless_handoff']:>8} "
          f"{totals['clarify']:>8}   ({100 * totals['correct'] / max(n, 1):.1f}% correct)")
    failures = [r for r in results if r.verdict != "correct"]
    order = {"wrong": 0, "clarify": 1, "needless_handoff": 2}
    failures.sort(key=lambda r: (order.get(r.verdict, 3), r.case.cat, r.case.id))
    if failures:
        print(f"\nworst failures ({min(worst, len(failures))} of {len(failures)}):")
    for r in failures[:worst]:
        reply = " ".join(r.reply.split())[:160]
        print(f"- [{r.verdict}] {r.case.id} ({r.case.cat}) {r.case.turns[-1]!r}\n    {r.why}; "
              f"reason={r.reason}; reply: {reply!r}")
    invented = [(r.case.id, n) for r in results for n in r.invented]
    if invented:
        print("\ninvented numbers: " + ", ".join(f"{cid}: {num}" for cid, num in invented[:20]))
    p50 = statistics.median(latencies) if latencies else 0.0
    p95 = _percentile(latencies, 95)
    print(f"\nlatency per message: p50 {p50:.0f} ms, p95 {p95:.0f} ms over {len(latencies)} messages")
    return {"cases": n, **totals, "invented_numbers": len(invented), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    cases = load_cases(Path(args.cases))
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        workdir = Path(tmp)
        folder = shop_folder(args.shop, workdir)
        config = load_config(Path(args.config) if args.config else None, overrides={
            "database": {"path": str(workdir / "bench.db")},
            "model": {"backend": "none"},  # knowledge-only: what every merchant without a GPU gets
            "rate_limit": {"messages": 1000},
        })
        transport = TestTransport()
        bot = build_bot(config, transport)
        await bot.runner.start()
        started = time.perf_counter()
        reports = import_shop_folder(bot.knowledge, folder)
        for r in reports:
            print(r.summary().splitlines()[0])
        print(f"imported {folder} in {time.perf_counter() - started:.1f} s")
        await bot.start()
        await transport.start(bot)
        numbers = known_numbers(bot.knowledge)
        latencies: list[float] = []
        try:
            results = await play(bot, transport, cases, numbers, latencies)
        finally:
            await bot.close()
            bot.history.close()
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as handle:
            for r in results:
                handle.write(json.dumps({"id": r.case.id, "cat": r.case.cat, "verdict": r.verdict, "kind": r.kind,
                                         "reason": r.reason, "why": r.why, "reply": r.reply}, ensure_ascii=False) + "\n")
    print()
    return report(results, latencies, args.worst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shop", required=True, help="shop folder, or a built-in shop: outfitters, bazaar")
    parser.add_argument("--cases", required=True, help="JSON Lines file of cases")
    parser.add_argument("--config", help="config file (default: built-in defaults)")
    parser.add_argument("--worst", type=int, default=15, help="failures to list (default 15)")
    parser.add_argument("--dump", help="write every case's verdict and reply to this JSON Lines file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    summary = asyncio.run(run(args))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
