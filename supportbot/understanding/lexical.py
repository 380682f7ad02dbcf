"""Character n-grams beside the sentence embedding: what an encoder misses in a typo or a glued word.

A sentence encoder maps "how can i edt order" or "customersupport e-mail" to vectors that sit
between intents: a misspelt or glued word falls apart into sub-word pieces the encoder never saw in
that order. The 2-5 character pieces of the words ("edt", " ord", "support") still match the
merchant's own messages. A head that reads both, embedding and TF-IDF of character n-grams
(scikit-learn's ``TfidfVectorizer``, ``char_wb``), corrected such errors on Bitext's held-out
templates (see README, "Encoders"); ``train-intents`` keeps it only when its grouped check agrees.

The vocabulary and idf weights are stored as plain arrays beside the head (no pickle), and the
vectorizer is rebuilt from them at load.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["CharNgrams"]

#: Fixed settings: a saved model is rebuilt with exactly these. min_df=2 drops pieces seen once
#: (a random order number's digits), which would only memorise single messages.
_SETTINGS: dict[str, Any] = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "sublinear_tf": True,
                             "lowercase": True, "dtype": np.float32}


class CharNgrams:
    """TF-IDF of character 2-5-grams within word boundaries; rows are unit length."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if len(vocabulary) != len(idf):
            raise ValueError(f"{len(vocabulary)} n-grams but {len(idf)} idf weights")
        settings = {**_SETTINGS, "min_df": 1}  # the vocabulary is fixed already
        self._vectorizer = TfidfVectorizer(**settings, vocabulary={gram: i for i, gram in enumerate(vocabulary)})
        self._vectorizer.idf_ = np.asarray(idf, dtype=np.float64)
        self.vocabulary = tuple(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float32)

    @classmethod
    def fit(cls, texts: Sequence[str]) -> CharNgrams:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(**_SETTINGS)
        try:
            vectorizer.fit(list(texts))
        except ValueError:  # every piece seen once (a handful of short texts): keep them all
            vectorizer = TfidfVectorizer(**{**_SETTINGS, "min_df": 1}).fit(list(texts))
        return cls([str(gram) for gram in vectorizer.get_feature_names_out()], vectorizer.idf_)

    @property
    def dim(self) -> int:
        return len(self.vocabulary)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """(n, dim) sparse float32 features of ``texts``."""
        return self._vectorizer.transform(list(texts))
