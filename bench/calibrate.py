"""Calibrate the knowledge-only answer thresholds on a development shop's cases.

    python -m bench.calibrate --shop outfitters --cases bench/cases/outfitters.jsonl

For every single-turn case whose answer lives in the FAQ or the policies (``cat`` faq or policy,
with facts) and every case that must not be answered from them (``not_sold``, ``out_of_scope``),
the top passages are retrieved as auto-reply retrieves them. A passage is *right* for a case when
the excerpt auto-reply would send from it matches every fact group of the case (the expectation
written with the case, not a reply). Then, for each blend weight of cosine against word coverage
and each threshold, the best passage by that blend is sent when it reaches the threshold:

- correct: sent and right; wrong: sent and not right (or sent at all for a must-not case);
- handed off: not sent.

The chosen pair maximises ``correct - PENALTY * wrong`` (a wrong answer costs more than a
handoff: the target is at most 2% wrong). Use the printed figures for ``answer_confidence``
(auto_reply), ``passage_confidence`` (product_lookup) and ``_COSINE_WEIGHT``; held-out shops are
never calibrated on. The last line printed is JSON.
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

PENALTY = 4
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
THRESHOLDS = tuple(round(0.30 + 0.025 * i, 3) for i in range(21))
POSITIVE = {"faq", "policy"}
NEGATIVE = {"not_sold", "out_of_scope"}


async def collect(args: argparse.Namespace) -> list[tuple[bool, list[tuple[float, float, bool]]]]:
    """Per case: must it be answered, and per top passage (cosine, coverage, right)."""
    cases = [c for c in load_cases(Path(args.cases)) if len(c.turns) == 1 and
             ((c.cat in POSITIVE and c.facts) or c.cat in NEGATIVE)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-calibrate-") as tmp:
        config = load_config(Path(args.config) if args.config else None, overrides={
            "database": {"path": str(Path(tmp) / "bench.db")}, "model": {"backend": "none"}})
        bot = build_bot(config)
        await bot.runner.start()
        import_shop_folder(bot.knowledge, shop_folder(args.shop, Path(tmp)))
        for case in cases:
            question = case.turns[0]
            found = []
            for p in await bot.knowledge.search_passages(question, k=4):
                score, words = confidence_parts(question, p)
                text = excerpt(question, p.text).text
                right = all(any(re.search(f, text, re.I) for f in group) for group in case.facts)
                found.append((score, words, right and case.cat in POSITIVE))
            rows.append((case.cat in POSITIVE, found))
        await bot.runner.close()
        bot.history.close()
    return rows


def sweep(rows: list[tuple[bool, list[tuple[float, float, bool]]]]) -> list[dict[str, float]]:
    results = []
    for w in WEIGHTS:
        for t in THRESHOLDS:
            correct = wrong = handed = 0
            for _, found in rows:
                if not found:
                    handed += 1
                    continue
                conf, right = max((w * cos + (1 - w) * cov, right) for cos, cov, right in found)
                if conf < t:
                    handed += 1
                elif right:
                    correct += 1
                else:
                    wrong += 1
            results.append({"weight": w, "threshold": t, "correct": correct, "wrong": wrong, "handed_off": handed,
                            "objective": correct - PENALTY * wrong})
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shop", required=True)
    parser.add_argument("--cases", required=True)
    parser.add_argument("--config")
    args = parser.parse_args(argv)
    rows = asyncio.run(collect(args))
    results = sweep(rows)
    positives = sum(1 for must, _ in rows if must)
    reachable = sum(1 for must, found in rows if must and any(r for _, _, r in found))
    print(f"{len(rows)} cases: {positives} answerable ({reachable} with a right passage in the top 4), "
          f"{len(rows) - positives} that must not be answered")
    print(f"{'weight':>6} {'best t':>7} {'correct':>8} {'wrong':>6} {'handoff':>8}")
    for w in WEIGHTS:
        best = max((r for r in results if r["weight"] == w), key=lambda r: (r["objective"], -r["threshold"]))
        print(f"{w:>6} {best['threshold']:>7} {best['correct']:>8} {best['wrong']:>6} {best['handed_off']:>8}")
    chosen = max(results, key=lambda r: (r["objective"], -abs(r["weight"] - 0.6), -r["threshold"]))
    print(json.dumps(chosen))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
