"""What review sentiment reads beside the sentence embedding: VADER's scores and TF-IDF n-grams.

A MiniLM embedding says what a review is about more than how the writer feels: "stopped working
after a week" sits near "works every day". Word n-grams catch the phrases a shop's unhappy
customers use ("returned it", "doesn't work"), character n-grams their misspellings and
inflections, and VADER's four scores a lexicon's sense of tone that carries to other shops. On
the shared Amazon Alexa reviews (grouped 5-fold cross-validation) a head on the embedding alone
scores negative F1 0.645; embedding, VADER and both n-gram sets in one model 0.698 (see
``bench.sentiment``).

Fitted vocabularies are saved as JSON and arrays (``.npz``), like every model here: never a pickle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TextFeatures", "vader_scores"]

#: Word unigrams and bigrams, and character 2-5-grams inside word boundaries, each kept when it
#: occurs in at least two reviews.
_WORDS: dict[str, Any] = {"ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True}
_CHARS: dict[str, Any] = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "sublinear_tf": True}
_VADER = ("neg", "neu", "pos", "compound")
_analyzer: Any = None


def vader_scores(texts: Sequence[str]) -> np.ndarray:
    """(n, 4) VADER negative, neutral, positive and compound scores."""
    global _analyzer
    if _analyzer is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _analyzer = SentimentIntensityAnalyzer()
    return np.array([[_analyzer.polarity_scores(t)[k] for k in _VADER] for t in texts], dtype=np.float32).reshape(-1, 4)


def _vectorizer(settings: dict[str, Any], vocabulary: dict[str, int] | None = None, idf: np.ndarray | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if vocabulary is None:
        return TfidfVectorizer(**settings)
    vectorizer = TfidfVectorizer(**{**settings, "min_df": 1}, vocabulary=vocabulary)
    vectorizer.idf_ = idf  # a fixed vocabulary takes its fitted idf as is
    return vectorizer


@dataclass(frozen=True)
class TextFeatures:
    """VADER's scores, then word and character TF-IDF, as one sparse row per text."""

    words: dict[str, int]
    word_idf: np.ndarray
    chars: dict[str, int]
    char_idf: np.ndarray
    _vectorizers: tuple[Any, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_vectorizers", (_vectorizer(_WORDS, self.words, self.word_idf),
                                                  _vectorizer(_CHARS, self.chars, self.char_idf)))

    @property
    def size(self) -> int:
        return len(_VADER) + len(self.words) + len(self.chars)

    @classmethod
    def fit(cls, texts: Sequence[str]) -> TextFeatures:
        """Learn the vocabularies and their idf from ``texts`` (the training reviews only)."""
        words, chars = _vectorizer(_WORDS), _vectorizer(_CHARS)
        texts = list(texts)
        try:
            words.fit(texts)
        except ValueError:  # no word occurs twice: a tiny training set
            words = _vectorizer({**_WORDS, "min_df": 1}).fit(texts)
        chars.fit(texts)
        return cls({str(k): int(v) for k, v in words.vocabulary_.items()}, np.asarray(words.idf_, dtype=np.float64),
                   {str(k): int(v) for k, v in chars.vocabulary_.items()}, np.asarray(chars.idf_, dtype=np.float64))

    def transform(self, texts: Sequence[str]) -> Any:
        """(n, :attr:`size`) scipy CSR matrix."""
        from scipy import sparse

        texts = list(texts)
        words, chars = self._vectorizers
        return sparse.hstack([sparse.csr_matrix(vader_scores(texts)), words.transform(texts),
                              chars.transform(texts)]).tocsr()

    def save(self, path: Path) -> None:
        """``path`` (``.npz``: the idf arrays) and ``path`` with ``.json`` (the vocabularies)."""
        np.savez(path, word_idf=self.word_idf, char_idf=self.char_idf)
        path.with_suffix(".json").write_text(json.dumps({"words": self.words, "chars": self.chars},
                                                        ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TextFeatures | None:
        if not path.is_file():
            return None
        vocabularies = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        with np.load(path, allow_pickle=False) as arrays:
            return cls(vocabularies["words"], arrays["word_idf"], vocabularies["chars"], arrays["char_idf"])
