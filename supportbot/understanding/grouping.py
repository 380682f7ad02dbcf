"""Held-out checks that predict phrasings never seen: near-duplicates stay on one side.

Intent data is rarely independent rows. Generated sets (Bitext) expand one seed sentence into many
with another order number, name or amount; a merchant's export repeats the same macro with another
customer's details. A random split puts one variant in training and its twin in the check, so every
method scores near 1.0 there and the comparison cannot tell them apart. Here each message gets a
*group*: messages that share a :func:`template_key` (the text with numbers, amounts and names
replaced by placeholders, lower-cased, punctuation normalised), or whose embeddings are nearly
identical (typo variants, a word swapped), share one. :func:`grouped_split` then keeps every group
whole on one side, stratified by intent as far as the groups allow (scikit-learn's
``StratifiedGroupKFold``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["DUPLICATE_COSINE", "grouped_split", "near_duplicate_groups", "template_key"]

#: Embeddings this close (cosine of unit vectors) count as one template. On Bitext with MiniLM, the
#: pairs above it are typo or one-word variants of the same sentence ("submit"/"submkt").
DUPLICATE_COSINE = 0.95

_AMOUNT = re.compile(r"(?:[$€£¥]\s?\d[\d.,]*|\d[\d.,]*\s?(?:dollars?|euros?|pounds?|usd|eur|gbp|bucks)\b)", re.I)
_NUMBER = re.compile(r"[#]?\d[\d.,\-/]*")
_HONORIFIC_NAME = re.compile(r"\b(?i:mr|mrs|ms|miss|dr|prof)\.?\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?")
# A capitalised word after the first one ("the Gold account", "ship to Liverpool"), except "I".
_PROPER = re.compile(r"(?<=[^\s.!?]\s)(?!I\b)[A-Z][\w'-]*")
_PUNCTUATION = re.compile(r"[^\w<>\s]+")
_SPACES = re.compile(r"\s+")
_REPEATED = re.compile(r"(<\w+>)(?:\s+\1)+")  # "<name> <name>": a two-word name is one name


def template_key(text: str) -> str:
    """``text`` with amounts, numbers and names replaced by placeholders, lower-cased, punctuation dropped.

    >>> template_key("How can I cancel purchase 113542617735902?") == template_key("how can i cancel purchase #12")
    True
    """
    key = _AMOUNT.sub(" <amount> ", text)
    key = _HONORIFIC_NAME.sub(" <name> ", key)
    key = _PROPER.sub("<name>", key)
    key = _NUMBER.sub(" <num> ", key)
    key = _PUNCTUATION.sub(" ", key.lower())
    return _REPEATED.sub(r"\1", _SPACES.sub(" ", key)).strip()


def near_duplicate_groups(texts: Sequence[str], embeddings: np.ndarray | None = None, *,
                          threshold: float = DUPLICATE_COSINE, block: int = 2048) -> np.ndarray:
    """A group id per text: same :func:`template_key`, or (given unit ``embeddings``) cosine >= ``threshold``.

    Groups are the connected components of both relations, so a chain of variants is one group.
    """
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    first: dict[str, int] = {}
    for i, text in enumerate(texts):
        union(i, first.setdefault(template_key(text), i))
    if embeddings is not None and len(texts):
        vectors = np.asarray(embeddings, dtype=np.float32)
        for start in range(0, len(texts), block):
            similar = vectors[start:start + block] @ vectors.T
            rows, cols = np.nonzero(similar >= threshold)
            for i, j in zip((rows + start).tolist(), cols.tolist()):
                if i < j:
                    union(i, j)
    roots = [find(i) for i in range(len(texts))]
    ids: dict[int, int] = {}
    return np.asarray([ids.setdefault(root, len(ids)) for root in roots], dtype=np.int64)


def grouped_split(labels: Sequence[str], groups: np.ndarray, fraction: float,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train, held-out) indices: about ``fraction`` held out, no group on both sides.

    Stratified by label as far as whole groups allow. Raises ValueError when the groups are too few
    to hold anything out, or when some label would have no training example left.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    if not 0 < fraction < 1:
        raise ValueError("fraction must be between 0 and 1")
    folds = max(2, round(1 / fraction))
    if len(set(groups.tolist())) < folds:
        raise ValueError(f"only {len(set(groups.tolist()))} distinct templates: too few to hold any out")
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    train, held = next(splitter.split(np.zeros(len(labels)), list(labels), groups))
    missing = set(labels) - {labels[i] for i in train}
    if missing:
        raise ValueError(f"every example of {', '.join(sorted(missing))} is one template: nothing left to train on")
    return np.sort(train), np.sort(held)


def group_sizes(groups: np.ndarray) -> Counter[int]:
    """How many messages each group holds (for reports)."""
    return Counter(groups.tolist())
