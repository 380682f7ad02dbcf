"""The intent classifier: a multinomial logistic-regression head over sentence embeddings.

Optionally the head also reads the message's character n-grams (:mod:`.lexical`); then it needs
the text beside its embedding. Saved as a ``.npz`` of arrays plus JSON metadata, never a pickle: a
saved model is data, loads in any later version, and cannot run code. Each model remembers the
embedding of a fixed probe sentence, so a model fitted on one embedder is never silently used with
another.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .lexical import CharNgrams

__all__ = ["PROBE", "IntentModel", "fit_head", "same_embedder"]

log = logging.getLogger(__name__)

#: Embedded once per embedder to tell embedders apart (see :func:`same_embedder`).
PROBE = "Where is my order? I would like a refund, please."
#: Bump when the features or the saved layout change: old caches are then refitted, not misread.
#: 2 added the optional character n-grams; a format-1 file is read as a head without them.
FORMAT_VERSION = 2
_READABLE_FORMATS = (1, 2)


@dataclass(frozen=True)
class IntentModel:
    labels: tuple[str, ...]
    coef: np.ndarray  # (n_labels, dim)
    intercept: np.ndarray  # (n_labels,)
    probe: np.ndarray  # (dim,): the embedder's vector for PROBE when this model was fitted
    meta: dict[str, Any] = field(default_factory=dict)
    ngrams: CharNgrams | None = None
    """Character n-grams the head also reads (its last ``ngrams.dim`` coefficients); None: embeddings only."""

    @property
    def needs_text(self) -> bool:
        """Whether :meth:`probabilities` needs the texts beside their embeddings."""
        return self.ngrams is not None

    def probabilities(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """(n, n_labels) softmax probabilities for (n, dim) embeddings of ``texts``.

        ``texts`` is required when the model reads character n-grams (:attr:`needs_text`).
        """
        embeddings = np.asarray(embeddings, dtype=np.float32)
        dim = embeddings.shape[1]
        logits = embeddings @ self.coef[:, :dim].T + self.intercept
        if self.ngrams is not None:
            if texts is None or len(texts) != len(embeddings):
                raise ValueError("this intent model reads character n-grams: pass the texts with their embeddings")
            logits = logits + np.asarray(self.ngrams.transform(texts) @ self.coef[:, dim:].T)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        """Write ``path`` (``.npz``) and ``path`` with ``.json`` beside it, each atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {**self.meta, "format": FORMAT_VERSION, "labels": list(self.labels)}
        tmp = path.with_name(path.name + ".tmp.npz")
        arrays: dict[str, Any] = {"coef": self.coef, "intercept": self.intercept, "probe": self.probe}
        if self.ngrams is not None:
            arrays |= {"ngram_vocabulary": np.asarray(self.ngrams.vocabulary, dtype=str), "ngram_idf": self.ngrams.idf}
        np.savez(tmp, **arrays)
        tmp.replace(path)
        json_tmp = path.with_suffix(".json.tmp")
        json_tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        json_tmp.replace(path.with_suffix(".json"))

    @classmethod
    def load(cls, path: Path) -> IntentModel | None:
        """The model at ``path``, or None when it is missing, unreadable or of another format."""
        try:
            meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            if meta.get("format") not in _READABLE_FORMATS:
                return None
            with np.load(path, allow_pickle=False) as arrays:
                ngrams = None
                if "ngram_vocabulary" in arrays:
                    ngrams = CharNgrams(arrays["ngram_vocabulary"].tolist(), arrays["ngram_idf"])
                return cls(labels=tuple(meta["labels"]), coef=arrays["coef"], intercept=arrays["intercept"],
                           probe=arrays["probe"], meta=meta, ngrams=ngrams)
        except (OSError, ValueError, KeyError) as exc:
            log.debug("no usable intent model at %s: %s", path, exc)
            return None


def fit_head(embeddings: np.ndarray, labels: Sequence[str], probe: np.ndarray, *, c: float,
             meta: dict[str, Any] | None = None, texts: Sequence[str] | None = None) -> IntentModel:
    """Fit the logistic-regression head (L2, lbfgs) on unit-length embeddings.

    Given ``texts`` (those of ``embeddings``), the head also reads their character n-grams, fitted
    on these texts (:mod:`.lexical`); both parts are unit length per row, so neither dominates.
    """
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:
        raise ValueError("an intent classifier needs at least two intents")
    clf = LogisticRegression(C=c, max_iter=3000)
    ngrams = None
    features: Any = embeddings
    if texts is not None:
        from scipy.sparse import csr_matrix, hstack

        if len(texts) != len(embeddings):
            raise ValueError(f"{len(texts)} texts for {len(embeddings)} embeddings")
        ngrams = CharNgrams.fit(texts)
        features = hstack([csr_matrix(np.asarray(embeddings, dtype=np.float32)), ngrams.transform(texts)]).tocsr()
    clf.fit(features, list(labels))
    coef, intercept = clf.coef_, clf.intercept_
    if len(clf.classes_) == 2:
        # A binary fit has one row, the second class's logit against the first: softmax over
        # (0, that logit) gives the same probabilities, so two labels work like any number.
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    return IntentModel(labels=tuple(str(x) for x in clf.classes_), coef=coef.astype(np.float32),
                       intercept=intercept.astype(np.float32), probe=probe.astype(np.float32),
                       meta=dict(meta or {}), ngrams=ngrams)


def same_embedder(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two probe vectors come from the same embedder (tolerates float noise, not a new model)."""
    if a.shape != b.shape:
        return False
    denom = float(np.linalg.norm(a) * np.linalg.norm(b)) or 1.0
    return float(a @ b) / denom > 0.999
