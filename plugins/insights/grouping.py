"""Grouping texts by meaning, and naming each group by its most distinctive words.

Two uses, two ways of cutting the same embeddings:

* :func:`themes` (what reviews complain about or praise): k-means, with the number of groups the
  one whose silhouette is best. A shop has a handful of recurring themes, and every review
  belongs to one of them.
* :func:`paraphrase_groups` (the knowledge-gaps list): average-linkage clustering cut at a cosine
  distance, so each group holds one question however it was phrased, and a question asked once
  stays on its own.

Names are class-based TF-IDF, as in BERTopic (Grootendorst 2022): a word scores by how often it
occurs in the group against how common it is across all groups, so "battery" names the battery
complaints rather than "the" or "product" naming them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Group", "themes", "paraphrase_groups", "distinctive_words"]

#: Questions this close (cosine distance, all-MiniLM-L6-v2) are one question phrased two ways.
PARAPHRASE_DISTANCE = 0.5
#: Words that say nothing about what a review is about.
_GENERIC = {"product", "item", "bought", "buy", "order", "ordered", "just", "really", "like", "would", "get",
            "got", "one", "also", "still", "even", "use", "used", "using", "thing", "im", "ive", "dont"}


@dataclass(frozen=True)
class Group:
    """One group: its name words, its size, example quotes and the indices of its members."""

    words: tuple[str, ...]
    members: tuple[int, ...]
    quotes: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def name(self) -> str:
        return ", ".join(self.words) or "(other)"


def themes(texts: Sequence[str], vectors: np.ndarray, *, max_groups: int = 8, quotes: int = 2,
           seed: int = 0) -> list[Group]:
    """Group ``texts`` (with their unit-length ``vectors``) into themes, largest first."""
    n = len(texts)
    if n == 0:
        return []
    if n < 4:
        return _named(texts, vectors, [np.arange(n)], quotes)
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    best: tuple[float, np.ndarray] | None = None
    for k in range(2, min(max_groups, n - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(vectors)
        if len(set(labels)) < 2:
            continue
        score = float(silhouette_score(vectors, labels, metric="cosine"))
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    if best is None:
        return _named(texts, vectors, [np.arange(n)], quotes)
    labels = best[1]
    return _named(texts, vectors, [np.flatnonzero(labels == c) for c in np.unique(labels)], quotes)


def paraphrase_groups(texts: Sequence[str], vectors: np.ndarray, *, distance: float = PARAPHRASE_DISTANCE,
                      quotes: int = 2) -> list[Group]:
    """One group per question however phrased (singletons included), largest first."""
    n = len(texts)
    if n == 0:
        return []
    if n == 1:
        return _named(texts, vectors, [np.arange(1)], quotes)
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=distance).fit_predict(vectors)
    return _named(texts, vectors, [np.flatnonzero(labels == c) for c in np.unique(labels)], quotes)


def _named(texts: Sequence[str], vectors: np.ndarray, clusters: list[np.ndarray], quotes: int) -> list[Group]:
    words = distinctive_words([[texts[i] for i in members] for members in clusters])
    groups = []
    for members, name in zip(clusters, words):
        centre = vectors[members].mean(axis=0)
        # The most typical members quote the group best; among near ties prefer the shorter one.
        closeness = vectors[members] @ centre
        order = sorted(range(len(members)), key=lambda j: (-round(float(closeness[j]), 2), len(texts[int(members[j])])))
        picked: list[str] = []
        for j in order:
            text = texts[members[j]]
            if text not in picked:
                picked.append(text)
            if len(picked) == quotes:
                break
        groups.append(Group(tuple(name), tuple(int(i) for i in members), tuple(picked)))
    return sorted(groups, key=lambda g: (-g.count, g.name))


def distinctive_words(documents: Sequence[Sequence[str]], top: int = 3) -> list[list[str]]:
    """For each group of texts, its ``top`` words by class-based TF-IDF."""
    from sklearn.feature_extraction.text import CountVectorizer

    joined = [" ".join(texts) for texts in documents]
    vectorizer = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{3,}\b", lowercase=True)
    try:
        counts = vectorizer.fit_transform(joined).toarray().astype(float)
    except ValueError:  # only stop words
        return [[] for _ in documents]
    vocabulary = vectorizer.get_feature_names_out()
    generic = np.isin(vocabulary, list(_GENERIC))
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    average_words = counts.sum() / max(len(documents), 1)
    idf = np.log(1 + average_words / np.maximum(counts.sum(axis=0), 1))
    scores = tf * idf
    scores[:, generic] = 0
    out = []
    for row in scores:
        best = [i for i in np.argsort(-row) if row[i] > 0][:top]
        out.append([str(vocabulary[i]) for i in best])
    return out
