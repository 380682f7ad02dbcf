"""Calibrate the knowledge-only answer thresholds on development shops' cases.

    python -m bench.calibrate --shop outfitters --cases bench/cases/outfitters.jsonl
    python -m bench.calibrate --shop outfitters --cases bench/cases/outfitters.jsonl \
        --shop bazaar --cases bench/cases/bazaar.jsonl --shop emporium --cases bench/cases/emporium.jsonl

For every single-turn case whose answer lives in the FAQ or the policies (``cat`` faq or policy,
with facts) and every case that must not be answered from them (``not_sold``, ``out_of_scope``),
the top passages are retrieved as auto-reply retrieves them. A passage is *right* for a case when
the excerpt auto-reply would send from it matches every fact group of the case (the expectation
written with the case, not a reply). Then, for each blend weight of cosine against word coverage,
each weight of topic agreement (question and passage classified as the same intent, as auto-reply
computes it) and each threshold, the best passage by that blend is sent when it reaches the
threshold:

- correct: sent and right; wrong: sent and not right (or sent at all for a must-not case);
- handed off: not sent.

The chosen triple maximises ``correct - PENALTY * wrong`` (a wrong answer costs more than a
handoff: the target is at most 2% wrong), with the middle threshold of a tied plateau. With two or more shops it is also chosen on all shops
but one and scored on the one left out, for each shop in turn: that total is the figure to
believe, the all-shops choice the one to ship (``answer_confidence`` in auto_reply,
``passage_confidence`` in product_lookup, ``COSINE_WEIGHT`` and ``AGREEMENT_WEIGHT`` in
supportbot.knowledge.excerpt). The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
from pathlib import Path

from bench.answers import import_shop_folder, load_cases, shop_folder
from supportbot.app import build_bot
from supportbot.config import load_config
from supportbot.knowledge.excerpt import confidence_parts, excerpt
from supportbot.understanding.intents import mean_probabilities, passage_texts, topic_agreement

PENALTY = 4
WEIGHTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
AGREEMENT_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)
THRESHOLDS = tuple(round(0.30 + 0.025 * i, 3) for i in range(25))
POSITIVE = {"faq", "policy"}
NEGATIVE = {"not_sold", "out_of_scope"}

#: Per case: must it be answered, and per top passage (cosine, coverage, topic agreement, right).
Rows = list[tuple[bool, list[tuple[float, float, float, bool]]]]


async def collect(shop: str, cases_file: str, config_file: str | None) -> Rows:
    cases = [c for c in load_cases(Path(cases_file)) if len(c.turns) == 1 and
             ((c.cat in POSITIVE and c.facts) or c.cat in NEGATIVE)]
    rows: Rows = []
    with tempfile.TemporaryDirectory(prefix="bench-calibrate-") as tmp:
        config = load_config(Path(config_file) if config_file else None, overrides={
            "database": {"path": str(Path(tmp) / "bench.db")}, "model": {"backend": "none"}})
        bot = build_bot(config)
        await bot.runner.start()
        understander = bot.understander
        assert understander is not None
        await understander.start()
        import_shop_folder(bot.knowledge, shop_folder(shop, Path(tmp)))
        for case in cases:
            question = case.turns[0]
            (asked,) = await understander.intent_probabilities([question])
            found = []
            for p in await bot.knowledge.search_passages(question, k=4):
                score, words = confidence_parts(question, p)
                # as auto-reply classifies a passage
                about = mean_probabilities(await understander.intent_probabilities(passage_texts(p.title, p.text)))
                text = excerpt(question, p.text).text
                right = all(any(re.search(f, text, re.I) for f in group) for group in case.facts)
                found.append((score, words, topic_agreement(asked, about), right and case.cat in POSITIVE))
            rows.append((case.cat in POSITIVE, found))
        await bot.runner.close()
        bot.history.close()
    return rows


def evaluate(rows: Rows, w: float, a: float, t: float) -> dict[str, float]:
    correct = wrong = handed = 0
    for _, found in rows:
        if not found:
            handed += 1
            continue
        conf, right = max((w * cos + (1 - w) * cov + a * agree, right) for cos, cov, agree, right in found)
        if conf < t:
            handed += 1
        elif right:
            correct += 1
        else:
            wrong += 1
    return {"weight": w, "agreement": a, "threshold": t, "correct": correct, "wrong": wrong, "handed_off": handed,
            "objective": correct - PENALTY * wrong}


def sweep(rows: Rows) -> list[dict[str, float]]:
    return [evaluate(rows, w, a, t) for w in WEIGHTS for a in AGREEMENT_WEIGHTS for t in THRESHOLDS]


def choose(results: list[dict[str, float]]) -> dict[str, float]:
    """Best objective; ties to the weight nearest 0.8 and the smaller agreement weight, and, among
    the thresholds tied at the best objective for those weights, the middle one (the widest margin
    on both sides: a small set of cases leaves long plateaus, and their edge is chance)."""
    top = max(r["objective"] for r in results)
    best = max((r for r in results if r["objective"] == top),
               key=lambda r: (-abs(r["weight"] - 0.8), -r["agreement"]))
    plateau = sorted((r for r in results if r["objective"] == top and r["weight"] == best["weight"]
                      and r["agreement"] == best["agreement"]), key=lambda r: r["threshold"])
    return plateau[(len(plateau) - 1) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shop", required=True, action="append", help="a shop (repeat, with one --cases each)")
    parser.add_argument("--cases", required=True, action="append")
    parser.add_argument("--config")
    args = parser.parse_args(argv)
    if len(args.shop) != len(args.cases):
        parser.error("give one --cases file per --shop")
    shops = {shop: asyncio.run(collect(shop, cases, args.config)) for shop, cases in zip(args.shop, args.cases)}
    rows = [r for shop_rows in shops.values() for r in shop_rows]
    results = sweep(rows)
    positives = sum(1 for must, _ in rows if must)
    reachable = sum(1 for must, found in rows if must and any(f[-1] for f in found))
    print(f"{len(rows)} cases: {positives} answerable ({reachable} with a right passage in the top 4), "
          f"{len(rows) - positives} that must not be answered")
    print(f"{'weight':>6} {'agree':>6} {'best t':>7} {'correct':>8} {'wrong':>6} {'handoff':>8}")
    for w in WEIGHTS:
        for a in (0.0, choose([r for r in results if r["weight"] == w])["agreement"]):
            best = choose([r for r in results if r["weight"] == w and r["agreement"] == a])
            print(f"{w:>6} {a:>6} {best['threshold']:>7} {best['correct']:>8} {best['wrong']:>6} {best['handed_off']:>8}")
    chosen = choose(results)
    if len(shops) > 1:
        print("\nleft out     chosen on the others              correct  wrong  handoff")
        totals = {"correct": 0, "wrong": 0, "handed_off": 0}
        for held, held_rows in shops.items():
            pick = choose(sweep([r for shop, shop_rows in shops.items() if shop != held for r in shop_rows]))
            got = evaluate(held_rows, pick["weight"], pick["agreement"], pick["threshold"])
            totals = {k: totals[k] + int(got[k]) for k in totals}
            print(f"{held:<12} w={pick['weight']} a={pick['agreement']} t={pick['threshold']:<6} "
                  f"{got['correct']:>14} {got['wrong']:>6} {got['handed_off']:>8}")
        print(f"{'all left out':<40} {totals['correct']:>9} {totals['wrong']:>6} {totals['handed_off']:>8}")
        chosen = {**chosen, "held_out": totals}
    print(json.dumps(chosen))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
